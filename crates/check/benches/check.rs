//! Criterion benchmarks of the check: the lexicon pass with the ~51,000 terms of the
//! sensitive-word collection, the full check with every category (one core, and every
//! core through `Checker::check_many_with`), and each stage of the
//! full check on its own (to see where the time goes). The corpus is built from
//! `../shared/samples` as in `bench/check.sh` (set `YUANXUN_SHARED` to the shared folder when
//! it is not next to the checkout); 4 MB here, so a run takes about a minute.
//!
//! `cargo bench -p yuanxun-check --bench check`

use std::collections::HashSet;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use yuanxun_check::matcher::TermMatcher;
use yuanxun_check::rules::{self, Raw};
use yuanxun_check::source::Stream;
use yuanxun_check::{CheckInput, Checker};

mod corpus;

fn shared() -> PathBuf {
    std::env::var_os("YUANXUN_SHARED").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

fn benches(c: &mut Criterion) {
    let (text, docs) = corpus::build(&shared().join("samples"), 4 << 20);
    let docs: Vec<&str> = docs.into_iter().map(|r| &text[r]).collect();
    let terms = corpus::terms(&shared().join("lexicons/sensitive-lexicon/Vocabulary"));

    let mut g = c.benchmark_group("check");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(text.len() as u64));
    let m = TermMatcher::new(&terms);
    g.bench_function(BenchmarkId::new("lexicon_pass", format!("{}_terms", terms.len())), |b| b.iter(|| m.count(&text)));
    let checker = Checker::builtin();
    g.bench_function("full_check", |b| b.iter(|| docs.iter().map(|d| checker.check(&CheckInput::text(d)).findings.len()).sum::<usize>()));
    let inputs: Vec<CheckInput> = docs.iter().map(|d| CheckInput::text(d)).collect();
    g.bench_function("full_check_all_cores", |b| b.iter(|| checker.check_many_with(&inputs, |_, r| r.findings.len()).into_iter().sum::<usize>()));

    // Stages, each over every document's prepared streams.
    let visible: Vec<Stream> = docs.iter().map(|d| Stream::from_text(d)).collect();
    let folded: Vec<Stream> = visible.iter().map(|v| v.folded_and_dense().0).collect();
    g.bench_function("stage/streams", |b| b.iter(|| docs.iter().map(|d| Stream::from_text(d).folded_and_dense().1.text.len()).sum::<usize>()));
    let phones = HashSet::new();
    let stage = |name: &str, g: &mut criterion::BenchmarkGroup<'_, _>, f: &dyn Fn(usize, &mut Vec<Raw>)| {
        g.bench_function(format!("stage/{name}"), |b| {
            b.iter(|| {
                let mut out = Vec::new();
                for i in 0..docs.len() {
                    f(i, &mut out);
                }
                out.len()
            })
        });
    };
    stage("privacy", &mut g, &|i, out| rules::privacy::check(&folded[i], &phones, out));
    stage("placeholder", &mut g, &|i, out| rules::placeholder::check(&visible[i], out));
    stage("duplicate", &mut g, &|i, out| rules::duplicate::check(&visible[i], out));
    stage("punctuation", &mut g, &|i, out| rules::punctuation::check(&visible[i], out));
    // The three above in the one pass the full check makes.
    stage("visible", &mut g, &|i, out| rules::visible(&visible[i], out));
    stage("dates", &mut g, &|i, out| rules::dates::check(&folded[i], None, out));
    stage("leaders", &mut g, &|i, out| rules::leaders::check(&folded[i], &[], out));
    stage("medical", &mut g, &|i, out| rules::medical::check(&folded[i], out));
    g.finish();
}

criterion_group!(check, benches);
criterion_main!(check);
