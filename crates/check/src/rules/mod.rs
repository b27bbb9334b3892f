//! Structural rules: what a word list cannot express. Each rule reads the streams of one
//! document and pushes raw findings (stream spans already mapped to original byte spans).
//! Duplicates, punctuation and placeholders read the visible text char by char, as
//! [`LineRule`]s that [`visible`] runs in one pass.

pub mod advertising;
pub mod congress;
pub mod dates;
pub mod duplicate;
pub mod hijack;
pub mod leaders;
pub mod medical;
pub mod particles;
pub mod placeholder;
pub mod privacy;
pub mod punctuation;

use std::borrow::Cow;

use memchr::memmem::Finder;

use crate::normalize::{han_at, han_code};
use crate::report::{Category, Severity};
use crate::source::Stream;

/// Fixed words a rule looks for, each with its own SIMD substring finder: several memmem
/// passes over a story are many times faster than one pass decoding every character (or an
/// Aho-Corasick automaton, whose byte prefilters find little to skip in Chinese UTF-8).
pub struct Needles {
    finders: Vec<Finder<'static>>,
}

impl Needles {
    pub fn new(words: &[&'static str]) -> Needles {
        Needles { finders: words.iter().map(|w| Finder::new(w.as_bytes())).collect() }
    }

    /// Every occurrence of every word: (byte position, index of the word), by position.
    pub fn find(&self, t: &str) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = Vec::new();
        for (k, f) in self.finders.iter().enumerate() {
            out.extend(f.find_iter(t.as_bytes()).map(|i| (i, k)));
        }
        if self.finders.len() > 1 {
            out.sort_unstable();
        }
        out
    }
}

/// Where the stretch of `t` that ends at byte `a` begins: after the nearest char of `stops`
/// before it, at most `limit` chars back (a clause, a sentence).
pub fn back(t: &str, a: usize, stops: &[char], limit: usize) -> usize {
    let mut start = a;
    for (n, (i, c)) in t[..a].char_indices().rev().enumerate() {
        if n == limit || stops.contains(&c) {
            break;
        }
        start = i;
    }
    start
}

/// Where the stretch of `t` that begins at byte `b` ends: before the nearest char of
/// `stops` after it, at most `limit` chars on.
pub fn forward(t: &str, b: usize, stops: &[char], limit: usize) -> usize {
    let mut end = b;
    for (n, (i, c)) in t[b..].char_indices().enumerate() {
        if n == limit || stops.contains(&c) {
            break;
        }
        end = b + i + c.len_utf8();
    }
    end
}

/// A rule that reads the visible text paragraph by paragraph, one char at a time. Several run
/// in one pass ([`scan`] with a tuple): duplicate keys, punctuation and placeholders all need
/// every paragraph char by char, and walking a story once instead of three times is where
/// most of their time went.
pub trait LineRule<'s> {
    /// A paragraph (line) of the stream begins at stream byte `base`.
    fn begin(&mut self, base: usize, line: &'s str);
    /// A three-byte Chinese character `c` at byte `i` of the line (the bulk of a story).
    fn han(&mut self, i: usize, c: char, out: &mut Vec<Raw>);
    /// Any other char.
    fn other(&mut self, i: usize, c: char, out: &mut Vec<Raw>);
    /// The paragraph has ended.
    fn end(&mut self, out: &mut Vec<Raw>);
}

impl<'s, A: LineRule<'s>, B: LineRule<'s>> LineRule<'s> for (A, B) {
    #[inline(always)]
    fn begin(&mut self, base: usize, line: &'s str) {
        self.0.begin(base, line);
        self.1.begin(base, line);
    }
    #[inline(always)]
    fn han(&mut self, i: usize, c: char, out: &mut Vec<Raw>) {
        self.0.han(i, c, out);
        self.1.han(i, c, out);
    }
    #[inline(always)]
    fn other(&mut self, i: usize, c: char, out: &mut Vec<Raw>) {
        self.0.other(i, c, out);
        self.1.other(i, c, out);
    }
    #[inline(always)]
    fn end(&mut self, out: &mut Vec<Raw>) {
        self.0.end(out);
        self.1.end(out);
    }
}

/// Runs `rule` over every paragraph of `s`. Chinese characters are recognised from their
/// first two bytes and decoded by hand; everything else goes through `chars`.
pub fn scan<'s>(s: &'s Stream, rule: &mut impl LineRule<'s>, out: &mut Vec<Raw>) {
    for (base, line) in s.paragraphs() {
        rule.begin(base, line);
        let b = line.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if han_at(b, i) {
                rule.han(i, char::from_u32(han_code(b, i)).expect("a Chinese character"), out);
                i += 3;
                continue;
            }
            let c = line[i..].chars().next().expect("a char boundary");
            rule.other(i, c, out);
            i += c.len_utf8();
        }
        rule.end(out);
    }
}

/// Duplicates, punctuation and placeholders in one pass over the visible text.
pub fn visible(s: &Stream, out: &mut Vec<Raw>) {
    scan(s, &mut (duplicate::Duplicates::new(s), (punctuation::Punctuation::new(s), placeholder::Placeholders::new(s))), out);
}

/// A finding before line/column and character offsets are computed.
#[derive(Debug, Clone)]
pub struct Raw {
    pub rule: &'static str,
    pub category: Category,
    pub severity: Severity,
    /// Original byte span.
    pub start: usize,
    pub end: usize,
    /// Most reasons and suggestions are fixed text: borrowed, they cost no allocation.
    pub suggestion: Option<Cow<'static, str>>,
    pub reason: Cow<'static, str>,
}

impl Raw {
    pub fn new(rule: &'static str, category: Category, severity: Severity, (start, end): (usize, usize), reason: impl Into<Cow<'static, str>>) -> Raw {
        Raw { rule, category, severity, start, end, suggestion: None, reason: reason.into() }
    }

    pub fn suggest(mut self, s: impl Into<Cow<'static, str>>) -> Raw {
        self.suggestion = Some(s.into());
        self
    }
}

/// Words that, right after a gambling brand, show the brand is a casino.
const GAMBLING_AFTER: &[&str] = &[
    "娱乐城", "娱乐场", "娱乐", "赌场", "赌城", "棋牌", "彩票", "官网", "官方网站", "平台", "注册", "开户", "下注", "真人", "体育", "国际",
    "网投", "app", "网址", "在线", "电子", "游戏", "送彩金", "彩金", "博彩", "老虎机", "百家乐", "登录", "入口",
];

/// Where a gambling brand that is also an ordinary word (金沙, 永利, 威尼斯人) is a casino: with
/// two or more digits right before it (`3118金沙`), after 澳门, or before a gambling word.
/// Returns the span widened to include that context. `t` is the dense stream's text.
pub fn gambling_context(t: &str, a: usize, b: usize) -> Option<(usize, usize)> {
    let before = &t[..a];
    let digits = before.len() - before.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let mut start = a;
    let mut end = b;
    let mut hit = false;
    if digits >= 2 {
        start = a - digits;
        hit = true;
    } else if before.ends_with("澳门") {
        start = a - "澳门".len();
        hit = true;
    }
    let after = &t[b..];
    if let Some(w) = GAMBLING_AFTER.iter().filter(|w| after.starts_with(*w)).max_by_key(|w| w.len()) {
        end = b + w.len();
        hit = true;
    }
    hit.then_some((start, end))
}
