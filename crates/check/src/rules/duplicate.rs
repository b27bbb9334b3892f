//! Repeated content: a paragraph pasted twice (exactly, or nearly: ≥ 85% of its character
//! 3-grams shared), and a long sentence repeated elsewhere in the text.

use std::collections::{HashMap, HashSet};

use super::Raw;
use crate::normalize::fold;
use crate::report::{Category, Severity};
use crate::source::Stream;

const MIN_PARAGRAPH: usize = 15;
const MIN_NEAR: usize = 30;
const MIN_SENTENCE: usize = 20;
const NEAR: f64 = 0.85;

/// A paragraph: stream byte span (trimmed) and its comparison key.
struct Para {
    start: usize,
    end: usize,
    key: Vec<char>,
}

fn key_of(s: &str) -> Vec<char> {
    s.chars().filter(|c| c.is_alphanumeric()).map(fold).collect()
}

fn trigrams(k: &[char]) -> HashSet<(char, char, char)> {
    k.windows(3).map(|w| (w[0], w[1], w[2])).collect()
}

pub fn check(s: &Stream, out: &mut Vec<Raw>) {
    let t = &s.text;
    let mut paras = Vec::new();
    let mut pos = 0;
    for line in t.split('\n') {
        let lead = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            paras.push(Para { start: pos + lead, end: pos + lead + trimmed.len(), key: key_of(trimmed) });
        }
        pos += line.len() + 1;
    }
    let mut flagged: Vec<(usize, usize)> = Vec::new();
    let mut seen: HashMap<&[char], usize> = HashMap::new();
    let grams: Vec<Option<HashSet<(char, char, char)>>> = paras.iter().map(|p| (p.key.len() >= MIN_NEAR).then(|| trigrams(&p.key))).collect();
    for (j, p) in paras.iter().enumerate() {
        if p.key.len() < MIN_PARAGRAPH {
            continue;
        }
        if let Some(&i) = seen.get(p.key.as_slice()) {
            out.push(Raw::new("duplicate.paragraph", Category::Duplicate, Severity::Warn, s.original(p.start, p.end), format!("与第 {} 段完全重复，请删去一处", i + 1)));
            flagged.push((p.start, p.end));
            continue;
        }
        seen.insert(&p.key, j);
        let Some(gj) = &grams[j] else { continue };
        for i in 0..j {
            let Some(gi) = &grams[i] else { continue };
            let inter = gi.intersection(gj).count() as f64;
            let sim = inter / (gi.len().min(gj.len()).max(1) as f64);
            let ratio = gi.len().min(gj.len()) as f64 / gi.len().max(gj.len()) as f64;
            if sim >= NEAR && ratio >= 0.7 {
                out.push(Raw::new("duplicate.near_paragraph", Category::Duplicate, Severity::Warn, s.original(p.start, p.end), format!("与第 {} 段几乎相同（{:.0}% 相同），疑似重复粘贴", i + 1, sim * 100.0)));
                flagged.push((p.start, p.end));
                break;
            }
        }
    }
    // Long sentences repeated (inside or across paragraphs not already flagged).
    let mut sentences: HashMap<Vec<char>, usize> = HashMap::new();
    let mut start = 0;
    for (i, c) in t.char_indices() {
        if matches!(c, '。' | '！' | '？' | '\n' | '；') {
            let end = i + c.len_utf8();
            sentence(s, start, end, &flagged, &mut sentences, out);
            start = end;
        }
    }
    sentence(s, start, t.len(), &flagged, &mut sentences, out);
}

fn sentence(s: &Stream, start: usize, end: usize, flagged: &[(usize, usize)], seen: &mut HashMap<Vec<char>, usize>, out: &mut Vec<Raw>) {
    let raw = &s.text[start..end];
    let lead = raw.len() - raw.trim_start().len();
    let body = raw.trim();
    if body.is_empty() {
        return;
    }
    let key = key_of(body);
    if key.len() < MIN_SENTENCE {
        return;
    }
    let (a, b) = (start + lead, start + lead + body.len());
    if let Some(&first) = seen.get(&key) {
        if !flagged.iter().any(|&(fa, fb)| fa <= a && b <= fb) && first != a {
            out.push(Raw::new("duplicate.sentence", Category::Duplicate, Severity::Warn, s.original(a, b), "这句话在前文已出现过，疑似重复"));
        }
    } else {
        seen.insert(key, a);
    }
}
