//! The lexicon pass: every term of every lexicon in one Aho-Corasick automaton per stream,
//! leftmost-longest (so a longer term, or a longer allowed word, wins over a term inside it).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// What a pattern stands for.
#[derive(Debug, Clone, Default)]
pub struct PatternInfo {
    /// Indexes of lexicon entries with this (folded) term.
    pub entries: Vec<u32>,
    /// An allowed word: matching it means nothing inside it is flagged.
    pub allow: bool,
}

/// Patterns (already folded) with their meaning, compiled into one automaton.
pub struct Matcher {
    ac: Option<AhoCorasick>,
    pub infos: Vec<PatternInfo>,
}

/// Collects patterns, merging equal ones.
#[derive(Default)]
pub struct MatcherBuilder {
    patterns: Vec<String>,
    infos: Vec<PatternInfo>,
    index: std::collections::HashMap<String, usize>,
}

impl MatcherBuilder {
    fn slot(&mut self, pattern: String) -> &mut PatternInfo {
        let next = self.patterns.len();
        let i = *self.index.entry(pattern.clone()).or_insert(next);
        if i == next {
            self.patterns.push(pattern);
            self.infos.push(PatternInfo::default());
        }
        &mut self.infos[i]
    }

    pub fn entry(&mut self, pattern: String, entry: u32) {
        if !pattern.is_empty() {
            self.slot(pattern).entries.push(entry);
        }
    }

    pub fn allow(&mut self, pattern: String) {
        if !pattern.is_empty() {
            self.slot(pattern).allow = true;
        }
    }

    pub fn build(self) -> Matcher {
        let ac = if self.patterns.is_empty() { None } else { Some(compile(&self.patterns)) };
        Matcher { ac, infos: self.infos }
    }
}

/// The automaton configuration used everywhere (and measured in the benchmark).
pub fn compile<P: AsRef<[u8]>>(patterns: &[P]) -> AhoCorasick {
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build(patterns)
        .expect("lexicon automaton: patterns are non-empty and bounded")
}

impl Matcher {
    /// Leftmost-longest, non-overlapping matches: (pattern, start, end) in bytes of `text`.
    pub fn find<'a>(&'a self, text: &'a str) -> impl Iterator<Item = (usize, usize, usize)> + 'a {
        self.ac.iter().flat_map(move |ac| ac.find_iter(text).map(|m| (m.pattern().as_usize(), m.start(), m.end())))
    }

    /// Heap bytes used by the automaton.
    pub fn memory_usage(&self) -> usize {
        self.ac.as_ref().map(|a| a.memory_usage()).unwrap_or(0)
    }
}

/// A plain term matcher (no folding), for the lexicon benchmark and imports: counts
/// leftmost-longest matches the way pyahocorasick's `iter_long` does.
pub struct TermMatcher {
    ac: AhoCorasick,
}

impl TermMatcher {
    pub fn new<P: AsRef<[u8]>>(terms: &[P]) -> TermMatcher {
        TermMatcher { ac: compile(terms) }
    }

    pub fn count(&self, text: &str) -> usize {
        self.ac.find_iter(text).count()
    }

    pub fn memory_usage(&self) -> usize {
        self.ac.memory_usage()
    }
}
