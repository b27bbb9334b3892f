//! The check's speed on a large corpus, for `bench/check.sh`:
//!
//! `bench_check CORPUS_OUT TERMS_OUT SAMPLES_DIR LEXICON_DIR [MB]` builds the corpus (paragraphs
//! of the sample pages, shuffled with a fixed seed and repeated to at least MB megabytes,
//! default 20) and the deduplicated term list, writes both for the peer, then measures on one
//! core: the lexicon pass (leftmost-longest over every term), the full check with every
//! category (built-in lexicons, document by document), and the automaton's memory.

use std::time::Instant;

use yuanxun_check::matcher::TermMatcher;
use yuanxun_check::{CheckInput, Checker};

/// A small deterministic generator (SplitMix64), so the corpus is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!("usage: bench_check CORPUS_OUT TERMS_OUT SAMPLES_DIR LEXICON_DIR [MB]");
        std::process::exit(2);
    }
    let mb: usize = args.get(5).and_then(|s| s.parse().ok()).unwrap_or(20);

    // Paragraphs of the samples.
    let mut paras = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&args[3]).expect("samples dir").filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        paras.extend(text.lines().map(str::trim).filter(|l| l.chars().count() >= 8).map(str::to_string));
    }
    assert!(!paras.is_empty(), "no sample paragraphs");
    let mut rng = Rng(20261124);
    let mut corpus = String::with_capacity(mb << 20);
    let mut docs = Vec::new();
    while corpus.len() < mb << 20 {
        // A "document": 6–20 shuffled paragraphs.
        let n = 6 + (rng.next() % 15) as usize;
        let start = corpus.len();
        for _ in 0..n {
            corpus.push_str(&paras[(rng.next() % paras.len() as u64) as usize]);
            corpus.push('\n');
        }
        docs.push(start..corpus.len());
    }
    std::fs::write(&args[1], &corpus).expect("write corpus");

    // The deduplicated terms of every list.
    let mut terms = std::collections::BTreeSet::new();
    for e in std::fs::read_dir(&args[4]).expect("lexicon dir").filter_map(|e| e.ok()) {
        if e.path().extension().is_some_and(|x| x == "txt") {
            for l in std::fs::read_to_string(e.path()).unwrap_or_default().lines() {
                let t = l.trim_matches(|c: char| c == '\r' || c == '\u{feff}').trim();
                if !t.is_empty() {
                    terms.insert(t.to_string());
                }
            }
        }
    }
    let terms: Vec<String> = terms.into_iter().collect();
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
    let t = Instant::now();
    let mut findings = 0;
    for d in &docs {
        findings += checker.check(&CheckInput::text(&corpus[d.clone()])).findings.len();
    }
    let full = t.elapsed().as_secs_f64();
    println!("full_check documents={} findings={findings} seconds={full:.3} mb_per_s={:.0} builtin_automata_mb={:.1}", docs.len(), size / full, checker.memory_usage() as f64 / (1 << 20) as f64);
}
