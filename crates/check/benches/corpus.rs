//! The benchmark corpus, shared by `benches/check.rs` and `examples/bench_check.rs`: paragraphs
//! of the sample pages in `../shared/samples`, shuffled with a fixed seed into 6–20-paragraph
//! "documents", repeated until the text reaches the size asked for; and the deduplicated terms
//! of the sensitive-word collection.

use std::ops::Range;
use std::path::Path;

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

pub const SEED: u64 = 20261124;

/// The corpus text and the byte ranges of its documents.
pub fn build(samples: &Path, bytes: usize) -> (String, Vec<Range<usize>>) {
    let mut paras = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(samples).expect("samples dir").filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        paras.extend(text.lines().map(str::trim).filter(|l| l.chars().count() >= 8).map(str::to_string));
    }
    assert!(!paras.is_empty(), "no sample paragraphs in {}", samples.display());
    let mut rng = Rng(SEED);
    let mut corpus = String::with_capacity(bytes + 4096);
    let mut docs = Vec::new();
    while corpus.len() < bytes {
        let n = 6 + (rng.next() % 15) as usize;
        let start = corpus.len();
        for _ in 0..n {
            corpus.push_str(&paras[(rng.next() % paras.len() as u64) as usize]);
            corpus.push('\n');
        }
        docs.push(start..corpus.len());
    }
    (corpus, docs)
}

/// The deduplicated terms of every `.txt` list in `dir`, sorted.
pub fn terms(dir: &Path) -> Vec<String> {
    let mut terms = std::collections::BTreeSet::new();
    for e in std::fs::read_dir(dir).expect("lexicon dir").filter_map(|e| e.ok()) {
        if e.path().extension().is_some_and(|x| x == "txt") {
            for l in std::fs::read_to_string(e.path()).unwrap_or_default().lines() {
                let t = l.trim_matches(|c: char| c == '\r' || c == '\u{feff}').trim();
                if !t.is_empty() {
                    terms.insert(t.to_string());
                }
            }
        }
    }
    terms.into_iter().collect()
}
