//! The check's speed on a large corpus, for `bench/check.sh`:
//!
//! `bench_check CORPUS_OUT TERMS_OUT SAMPLES_DIR LEXICON_DIR [MB]` builds the corpus (paragraphs
//! of the sample pages, shuffled with a fixed seed and repeated to at least MB megabytes,
//! default 20) and the deduplicated term list, writes both for the peer, then measures on one
//! core: the lexicon pass (leftmost-longest over every term), the full check with every
//! category (built-in lexicons, document by document, with a fingerprint of every finding),
//! and the automaton's memory.
//!
//! With `--all-cores` after the arguments it measures only the full check, every document
//! through [`Checker::check_many_with`] on every core the process may use.

use std::hash::{Hash, Hasher};
use std::path::Path;
use std::time::Instant;

use yuanxun_check::matcher::TermMatcher;
use yuanxun_check::{CheckInput, Checker};

#[path = "../benches/corpus.rs"]
mod corpus;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!("usage: bench_check CORPUS_OUT TERMS_OUT SAMPLES_DIR LEXICON_DIR [MB]");
        std::process::exit(2);
    }
    let mb: usize = args.get(5).and_then(|s| s.parse().ok()).unwrap_or(20);
    let (corpus, docs) = corpus::build(Path::new(&args[3]), mb << 20);
    if args.iter().any(|a| a == "--all-cores") {
        let size = corpus.len() as f64 / (1 << 20) as f64;
        let checker = Checker::builtin();
        let inputs: Vec<CheckInput> = docs.iter().map(|d| CheckInput::text(&corpus[d.clone()])).collect();
        let mut best = f64::MAX;
        let mut findings = 0;
        for _ in 0..3 {
            let t = Instant::now();
            findings = checker.check_many_with(&inputs, |_, r| r.findings.len()).into_iter().sum::<usize>();
            best = best.min(t.elapsed().as_secs_f64());
        }
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        println!("full_check_all_cores threads={threads} documents={} findings={findings} seconds={best:.3} mb_per_s={:.0}", docs.len(), size / best);
        return;
    }
    std::fs::write(&args[1], &corpus).expect("write corpus");
    let terms = corpus::terms(Path::new(&args[4]));
    std::fs::write(&args[2], terms.join("\n") + "\n").expect("write terms");
    let size = corpus.len() as f64 / (1 << 20) as f64;

    let t = Instant::now();
    let m = TermMatcher::new(&terms);
    let build = t.elapsed();
    let mut best = f64::MAX;
    let mut count = 0;
    for _ in 0..3 {
        let t = Instant::now();
        count = m.count(&corpus);
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!("corpus_mb={size:.1} terms={} build_s={:.2} automaton_mb={:.1}", terms.len(), build.as_secs_f64(), m.memory_usage() as f64 / (1 << 20) as f64);
    println!("lexicon_pass matches={count} seconds={best:.3} mb_per_s={:.0}", size / best);

    let checker = Checker::builtin();
    let mut best = f64::MAX;
    let mut findings = 0;
    for _ in 0..3 {
        let t = Instant::now();
        findings = 0;
        for d in &docs {
            findings += checker.check(&CheckInput::text(&corpus[d.clone()])).findings.len();
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    // Every field of every finding hashed: a change meant to be faster must leave it as it is.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for d in &docs {
        for f in checker.check(&CheckInput::text(&corpus[d.clone()])).findings {
            (f.rule, f.start, f.end, f.byte_start, f.line, f.column, f.paragraph, f.surface, f.text, f.suggestion, f.reason, f.key).hash(&mut h);
        }
    }
    println!(
        "full_check documents={} findings={findings} fingerprint={:016x} seconds={best:.3} mb_per_s={:.0} builtin_automata_mb={:.1}",
        docs.len(),
        h.finish(),
        size / best,
        checker.memory_usage() as f64 / (1 << 20) as f64
    );
}
