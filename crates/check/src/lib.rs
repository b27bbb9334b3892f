//! The content-risk check (稿件审校): reads every word of a story before a reviewer does and
//! explains each risk with a fix.
//!
//! Pipeline, all in memory and without I/O (lexicons are compiled in or handed over):
//! 1. [`source`]: plain text or sanitised HTML → visible text, each char knowing its
//!    original byte span;
//! 2. [`normalize`]: a folded stream (full/half width, traditional → simplified, case) and a
//!    dense stream (folded, minus symbols and spaces inserted to dodge filters);
//! 3. [`matcher`]: one leftmost-longest Aho-Corasick pass per stream over every lexicon term
//!    and every allowed word (an allowed word hides the terms inside it);
//! 4. [`rules`]: structural rules — privacy numbers with checksums, placeholders, duplicates,
//!    punctuation, dates, leader titles, medical claims (the three that read the visible text
//!    char by char share one pass);
//! 5. findings mapped back to exact spans of the original, dismissed ones removed, sorted.
//!
//! [`Checker::check`] takes one document; [`Checker::check_many`] spreads many over every
//! core. Speed is measured in `benches/check.rs` and `bench/check.sh` (bench/README.md).
//!
//! The JSON schema of [`CheckReport`] is documented in `crates/check/REPORT.md`.

pub mod eval;
pub mod highlight;
pub mod lexicon;
pub mod matcher;
pub mod model;
pub mod normalize;
pub mod report;
pub mod rules;
pub mod source;

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use time::Date;

pub use lexicon::{Entry, Leader, SiteLexicon};
pub use model::ContextModel;
pub use report::{Category, CheckReport, Counts, Finding, Severity};

use matcher::{Matcher, MatcherBuilder};
use normalize::fold_str;
use rules::Raw;
use source::Stream;

/// The schema version written into every report.
pub const SCHEMA: u32 = 1;

/// How the input is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Html,
}

/// One document to check.
#[derive(Debug, Clone, Copy)]
pub struct CheckInput<'a> {
    pub text: &'a str,
    pub format: Format,
    /// The document's date (publication or writing date): outdated terms and event dates are
    /// judged against it. Without it, date-aware rules use only dates written in the text.
    pub date: Option<Date>,
    /// Keys of findings a reviewer dismissed for this document.
    pub dismissed: &'a [String],
}

impl<'a> CheckInput<'a> {
    pub fn text(text: &'a str) -> CheckInput<'a> {
        CheckInput { text, format: Format::Text, date: None, dismissed: &[] }
    }

    pub fn html(text: &'a str) -> CheckInput<'a> {
        CheckInput { text, format: Format::Html, date: None, dismissed: &[] }
    }

    pub fn dated(mut self, date: Date) -> Self {
        self.date = Some(date);
        self
    }
}

/// Compiled lexicons and site settings, ready to check many documents. Cheap to share
/// (`Arc<Checker>`); rebuild it when the site's lexicon changes.
pub struct Checker {
    version: String,
    entries: Vec<Entry>,
    folded: Matcher,
    dense: Matcher,
    leaders: Vec<Leader>,
    public_phones: HashSet<String>,
    /// The site's own names, folded.
    own_names: Vec<String>,
    /// The language-model stage, when a model is installed ([`Checker::with_model`]).
    model: Option<Arc<ContextModel>>,
    /// Words the model stage leaves alone: the built-in known words, the built-in and the
    /// site's allowlist (folded).
    known: Option<daachorse::CharwiseDoubleArrayAhoCorasick<u32>>,
}

impl Checker {
    /// The built-in lexicons only.
    pub fn builtin() -> Checker {
        Checker::new(&SiteLexicon::default())
    }

    /// The built-in lexicons with a site's additions, removals, allowlist and roster.
    pub fn new(site: &SiteLexicon) -> Checker {
        normalize::warm_up();
        let removed: HashSet<(Category, String)> = site.removed.iter().map(|(c, t)| (*c, fold_str(t))).collect();
        let mut entries: Vec<Entry> = lexicon::builtin().into_iter().filter(|e| !removed.contains(&(e.category, fold_str(&e.term)))).collect();
        entries.extend(site.entries.iter().cloned());
        let mut folded = MatcherBuilder::default();
        let mut dense = MatcherBuilder::default();
        let dense_form = |s: &str| -> String { fold_str(s).chars().filter(|c| !normalize::is_noise(*c)).collect() };
        for (i, e) in entries.iter().enumerate() {
            let i = i as u32;
            let f = fold_str(&e.term);
            if e.category == Category::Sensitive && !f.is_ascii() {
                dense.entry(dense_form(&e.term), i);
                for x in &e.exceptions {
                    dense.allow(dense_form(x));
                }
            } else {
                folded.entry(f.clone(), i);
                for x in &e.exceptions {
                    folded.allow(fold_str(x));
                }
                // A wrong form inside its own correction (国家卫生健康委员 ⊂ 国家卫生健康委员会):
                // the correct text must never be flagged.
                if let Some(s) = &e.suggestion {
                    let s = fold_str(s);
                    if s.len() > f.len() && s.contains(&f) {
                        folded.allow(s);
                    }
                }
            }
        }
        for w in lexicon::builtin_allow().iter().chain(&site.allow) {
            folded.allow(fold_str(w));
            dense.allow(dense_form(w));
        }
        let version = format!("{}+site.{}", lexicon::BUILTIN_VERSION.trim(), site.revision);
        Checker {
            version,
            entries,
            folded: folded.build(),
            dense: dense.build(),
            leaders: site.leaders.clone(),
            public_phones: site.public_phones.iter().map(|p| p.chars().filter(char::is_ascii_digit).collect()).collect(),
            own_names: site.own_names.iter().map(|n| fold_str(n.trim())).filter(|n| !n.is_empty()).collect(),
            model: None,
            known: {
                let mut words: Vec<String> = lexicon::builtin_known().iter().chain(lexicon::builtin_allow().iter()).chain(&site.allow).map(|w| fold_str(w)).filter(|w| !w.is_empty()).collect();
                words.sort_unstable();
                words.dedup();
                daachorse::CharwiseDoubleArrayAhoCorasick::new(words).ok()
            },
        }
    }

    /// Adds the language-model stage (one model shared by every checker of the process).
    pub fn with_model(mut self, model: Option<Arc<ContextModel>>) -> Checker {
        if model.is_some() && self.model.is_none() {
            // Reports made with the model differ: stored ones made without it are redone.
            self.version.push_str("+lm");
        }
        self.model = model;
        self
    }

    /// The language model in use, if any.
    pub fn model(&self) -> Option<&ContextModel> {
        self.model.as_deref()
    }

    /// The lexicon version reports carry.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The entries in force (built-in minus removals plus the site's).
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Heap bytes of the compiled automata.
    pub fn memory_usage(&self) -> usize {
        self.folded.memory_usage() + self.dense.memory_usage()
    }

    /// Checks one document.
    pub fn check(&self, input: &CheckInput<'_>) -> CheckReport {
        let visible = match input.format {
            Format::Text => Stream::from_text(input.text),
            Format::Html => Stream::from_html(input.text),
        };
        let (folded, dense) = visible.folded_and_dense();
        let mut raw = Vec::with_capacity(32);
        self.lexicon_findings(&folded, false, input.date, &mut raw);
        self.lexicon_findings(&dense, true, input.date, &mut raw);
        rules::privacy::check(&folded, &self.public_phones, &mut raw);
        rules::hijack::check(&dense, &mut raw);
        rules::hijack::check_title(&folded, &self.own_names, &mut raw);
        rules::particles::check(&folded, &mut raw);
        rules::visible(&visible, &mut raw);
        rules::dates::check(&folded, input.date, &mut raw);
        rules::congress::check(&folded, input.date, &mut raw);
        rules::leaders::check(&folded, &self.leaders, &mut raw);
        rules::medical::check(&folded, &mut raw);
        if let Some(m) = &self.model {
            model_findings(m, self.known.as_ref(), &folded, &mut raw);
        }
        let mut report = finish(input, &visible, &self.version, raw);
        report.model = self.model.as_ref().map(|m| m.name().to_string());
        report
    }

    /// Checks many documents on every core the machine has (an archive before it is imported,
    /// a folder of files on the command line) and returns the reports in input order.
    pub fn check_many(&self, inputs: &[CheckInput<'_>]) -> Vec<CheckReport> {
        self.check_many_with(inputs, |_, report| report)
    }

    /// Like [`Checker::check_many`], but each report is handed to `each` (with the input's
    /// index) on the core that made it, and what `each` returns is collected in input order:
    /// rendering or counting a report, and freeing it, happen in parallel too. Each worker
    /// takes the next batch of documents as it finishes one, so a few long documents do not
    /// leave the other cores idle.
    pub fn check_many_with<T: Send>(&self, inputs: &[CheckInput<'_>], each: impl Fn(usize, CheckReport) -> T + Sync) -> Vec<T> {
        const BATCH: usize = 16;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(inputs.len().div_ceil(BATCH));
        if threads <= 1 {
            return inputs.iter().enumerate().map(|(i, input)| each(i, self.check(input))).collect();
        }
        let next = AtomicUsize::new(0);
        let mut results: Vec<Option<T>> = Vec::with_capacity(inputs.len());
        results.resize_with(inputs.len(), || None);
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        loop {
                            let start = next.fetch_add(BATCH, Ordering::Relaxed);
                            if start >= inputs.len() {
                                return done;
                            }
                            done.extend(inputs.iter().enumerate().skip(start).take(BATCH).map(|(i, input)| (i, each(i, self.check(input)))));
                        }
                    })
                })
                .collect();
            for w in workers {
                match w.join() {
                    Ok(done) => done.into_iter().for_each(|(i, r)| results[i] = Some(r)),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
        });
        results.into_iter().map(|r| r.expect("every document is checked by some worker")).collect()
    }

    fn lexicon_findings(&self, s: &Stream, dense: bool, date: Option<Date>, out: &mut Vec<Raw>) {
        let m = if dense { &self.dense } else { &self.folded };
        for (p, a, b) in m.find(&s.text) {
            let info = &m.infos[p];
            if info.allow {
                continue;
            }
            for &ei in &info.entries {
                let e = &self.entries[ei as usize];
                if let Some(raw) = self.lexicon_finding(e, s, a, b, date) {
                    out.push(raw);
                }
            }
        }
    }

    fn lexicon_finding(&self, e: &Entry, s: &Stream, a: usize, b: usize, date: Option<Date>) -> Option<Raw> {
        let t = &s.text;
        // ASCII terms are words: not inside a longer ASCII word.
        if e.term.is_ascii() {
            let before = t[..a].chars().next_back();
            let after = t[b..].chars().next();
            if before.is_some_and(|c| c.is_ascii_alphanumeric()) || after.is_some_and(|c| c.is_ascii_alphanumeric()) {
                return None;
            }
        }
        let (mut a, mut b) = (a, b);
        if e.brand {
            (a, b) = rules::gambling_context(t, a, b)?;
        }
        if e.in_context && !rules::advertising::is_promotion(t, a, b) {
            return None;
        }
        if e.category == Category::Outdated {
            let since = e.since?;
            if date.is_some_and(|d| d < since) {
                return None;
            }
        }
        let rule = match e.category {
            Category::Sensitive if e.brand => "sensitive.gambling_brand",
            Category::Sensitive => "sensitive.lexicon",
            Category::Normative => "normative.lexicon",
            Category::Typo => "typo.lexicon",
            Category::AdAbsolute => "ad_absolute.lexicon",
            Category::MedicalClaim => "medical_claim.lexicon",
            Category::Outdated => "outdated.lexicon",
            _ => "lexicon",
        };
        let reason = e.reason.clone().unwrap_or_else(|| default_reason(e));
        let mut raw = Raw::new(rule, e.category, e.severity, s.original(a, b), reason);
        raw.suggestion = e.suggestion.clone().map(Cow::Owned);
        Some(raw)
    }
}

fn default_reason(e: &Entry) -> String {
    let sug = e.suggestion.as_deref().unwrap_or("");
    match e.category {
        Category::Sensitive => {
            let kind = match e.kind.as_deref() {
                Some("political") => "政治敏感",
                Some("gambling") => "涉赌",
                Some("pornography") => "涉黄",
                Some("violence") => "涉暴恐",
                _ => "敏感",
            };
            format!("{kind}词，不得出现在公开稿件中，请删除或改写")
        }
        Category::Normative => format!("不规范表述，应为“{sug}”"),
        Category::Typo => format!("错别字：“{}”应为“{sug}”", e.term),
        Category::AdAbsolute => {
            if sug.is_empty() {
                "绝对化用语，违反《广告法》第九条，请删除".to_string()
            } else {
                format!("绝对化用语，违反《广告法》第九条，可改为“{sug}”")
            }
        }
        Category::MedicalClaim => "医疗宣传不得承诺疗效或保证治愈（《广告法》第十六条）".to_string(),
        Category::Outdated => match e.since {
            Some(d) => format!("该表述自 {} 起已不再使用，应为“{sug}”", lexicon::format_date(d)),
            None => format!("过时表述，应为“{sug}”"),
        },
        _ => String::new(),
    }
}

/// The language-model stage over the folded stream: each run of Chinese characters is a
/// clause; the model's proposals become typo (or, for swapped and doubled characters,
/// grammar) findings, unless a lexicon or rule already marked the same place.
fn model_findings(m: &ContextModel, known: Option<&daachorse::CharwiseDoubleArrayAhoCorasick<u32>>, s: &Stream, out: &mut Vec<Raw>) {
    use model::Edit;
    let t = &s.text;
    // Stream byte spans of known and allowed words: nothing is proposed inside them.
    let mut protected: Vec<(usize, usize)> = known.map(|k| k.find_overlapping_iter(t).map(|m| (m.start(), m.end())).collect()).unwrap_or_default();
    // People's names are the model's worst false alarms (冯世庆 is no word, 愤世 is).
    model::names::spans(t, &mut protected);
    let mut clause: Vec<char> = Vec::with_capacity(64);
    let mut at: Vec<usize> = Vec::with_capacity(65);
    let mut found: Vec<Raw> = Vec::new();
    let mut keep: Vec<bool> = Vec::with_capacity(64);
    let mut flush = |clause: &mut Vec<char>, at: &mut Vec<usize>, end: usize, found: &mut Vec<Raw>| {
        if clause.len() >= 2 {
            keep.clear();
            keep.extend(at.iter().map(|&i| protected.iter().any(|&(x, y)| x <= i && i < y)));
            at.push(end);
            for p in m.propose_around(clause, &keep) {
                let (a, b) = (at[p.start], at[p.end]);
                let (category, rule, reason) = match p.edit {
                    Edit::Swap => (Category::Grammar, "grammar.model_order", format!("语序疑误：按语言模型，“{}”的可能性约为“{}”的 {}", p.to, p.from, model::ratio_text(p.gain))),
                    Edit::Missing => (Category::Grammar, "grammar.model_missing", format!("疑似漏字：按语言模型，“{}”的可能性约为“{}”的 {}", p.to, p.from, model::ratio_text(p.gain))),
                    Edit::Double => (Category::Grammar, "grammar.model_double", format!("疑似多打一字：按语言模型，“{}”的可能性约为“{}”的 {}", p.to, p.from, model::ratio_text(p.gain))),
                    _ => (Category::Typo, "typo.model", format!("按语言模型，此处“{}”的可能性约为“{}”的 {}", p.to, p.from, model::ratio_text(p.gain))),
                };
                found.push(Raw::new(rule, category, Severity::Warn, s.original(a, b), reason).suggest(p.to));
            }
        }
        clause.clear();
        at.clear();
    };
    for (i, c) in t.char_indices() {
        if normalize::is_han(c) {
            clause.push(c);
            at.push(i);
        } else {
            flush(&mut clause, &mut at, i, &mut found);
        }
    }
    flush(&mut clause, &mut at, t.len(), &mut found);
    for f in found {
        if !out.iter().any(|r| r.start < f.end && f.start < r.end && matches!(r.category, Category::Typo | Category::Normative | Category::Outdated | Category::Sensitive | Category::Grammar)) {
            out.push(f);
        }
    }
}

/// The number of chars in UTF-8 `b`: the bytes that are not continuation bytes (a loop the
/// compiler vectorises).
fn count_chars(b: &[u8]) -> usize {
    b.iter().filter(|&&x| (x as i8) >= -0x40).count()
}

/// Maps raw findings to the report: dedupe, drop dismissed, compute chars and line:column.
fn finish(input: &CheckInput<'_>, visible: &Stream, version: &str, mut raw: Vec<Raw>) -> CheckReport {
    raw.sort_by(|x, y| (x.start, x.end, x.rule).cmp(&(y.start, y.end, y.rule)));
    raw.dedup_by(|y, x| x.start == y.start && x.end == y.end && x.rule == y.rule);
    let src = input.text;
    let dismissed: HashSet<&str> = input.dismissed.iter().map(String::as_str).collect();
    let mut findings = Vec::with_capacity(raw.len());
    let mut counts = Counts::default();
    let mut n_dismissed = 0;
    // Walk the original once, in order of start offsets, counting chars and lines.
    let (mut pos, mut chars, mut line, mut line_start_chars) = (0usize, 0usize, 1usize, 0usize);
    let paragraph_starts = visible.paragraph_starts();
    let mut paragraph = 0usize;
    for r in raw {
        if r.start >= r.end || r.end > src.len() || !src.is_char_boundary(r.start) || !src.is_char_boundary(r.end) {
            debug_assert!(false, "bad span from {}: {}..{}", r.rule, r.start, r.end);
            continue;
        }
        let gap = &src.as_bytes()[pos..r.start];
        if let Some(last) = memchr::memrchr(b'\n', gap) {
            line += memchr::memchr_iter(b'\n', gap).count();
            line_start_chars = chars + count_chars(&gap[..=last]);
        }
        chars += count_chars(gap);
        pos = r.start;
        while paragraph < paragraph_starts.len() && paragraph_starts[paragraph] <= r.start {
            paragraph += 1;
        }
        let paragraph_here = paragraph.max(1);
        let surface = &src[r.start..r.end];
        let text = match input.format {
            Format::Text => surface.to_string(),
            Format::Html => Stream::from_html(surface).text.replace('\n', ""),
        };
        let mut key = String::with_capacity(r.rule.len() + 1 + text.len());
        key.push_str(r.rule);
        key.push(':');
        key.push_str(&text);
        if dismissed.contains(key.as_str()) {
            n_dismissed += 1;
            continue;
        }
        match r.severity {
            Severity::Block => counts.block += 1,
            Severity::Warn => counts.warn += 1,
            Severity::Info => counts.info += 1,
        }
        let len = count_chars(surface.as_bytes());
        findings.push(Finding {
            rule: Cow::Borrowed(r.rule),
            category: r.category,
            severity: r.severity,
            start: chars,
            end: chars + len,
            byte_start: r.start,
            byte_end: r.end,
            line,
            column: chars - line_start_chars + 1,
            paragraph: paragraph_here,
            surface: surface.to_string(),
            text,
            suggestion: r.suggestion,
            reason: r.reason,
            key,
        });
    }
    CheckReport {
        schema: SCHEMA,
        lexicon_version: version.to_string(),
        document_date: input.date.map(lexicon::format_date),
        findings,
        dismissed: n_dismissed,
        counts,
        model: None,
    }
}
