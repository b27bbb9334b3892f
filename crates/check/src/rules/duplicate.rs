//! Repeated content: a paragraph pasted twice (exactly, or nearly: ≥ 85% of its character
//! 3-grams shared), and a long sentence repeated elsewhere in the text.
//!
//! Paragraphs and sentences are compared by their *keys*: letters, digits and Chinese
//! characters, folded (so punctuation, spaces and width do not hide a repeat). Keys are never
//! built as strings: a 64-bit hash finds candidates and the folded characters are compared
//! again before anything is reported; a paragraph's 3-grams are packed into integers (a
//! char fits in 21 bits), sorted, and intersected by merging.

use std::collections::hash_map::Entry;

use rustc_hash::FxHashMap;

use super::Raw;
use crate::normalize::{fold, is_han};
use crate::report::{Category, Severity};
use crate::source::Stream;

const MIN_PARAGRAPH: usize = 15;
const MIN_NEAR: usize = 30;
const MIN_SENTENCE: usize = 20;
/// Share of the smaller paragraph's 3-grams the other must have to count as nearly the same.
const NEAR_PERCENT: usize = 85;

/// A key character, folded for width and case; `None` for what is left out. Chinese
/// characters are kept as written (a pasted copy is in the same script), and punctuation is
/// answered without Unicode table lookups, which dominate otherwise.
#[inline(always)]
fn key_char(c: char) -> Option<char> {
    match c as u32 {
        0..=0x7F => c.is_ascii_alphanumeric().then(|| c.to_ascii_lowercase()),
        0x2000..=0x206F | 0x3000..=0x3006 | 0x3008..=0x303F => None,
        0xFF01..=0xFF5E => {
            let a = char::from((c as u32 - 0xFEE0) as u8);
            a.is_ascii_alphanumeric().then(|| a.to_ascii_lowercase())
        }
        _ if is_han(c) => Some(c),
        _ => c.is_alphanumeric().then(|| fold(c)),
    }
}

/// The key characters of `s`.
#[inline]
fn key_chars(s: &str) -> impl Iterator<Item = char> + Clone + '_ {
    s.chars().filter_map(key_char)
}

fn hash(key: &[char]) -> u64 {
    key.iter().fold(0u64, |h, &c| (h.rotate_left(5) ^ c as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95))
}

/// The distinct 3-grams of a key, packed and sorted.
fn trigrams(key: &[char]) -> Vec<u64> {
    let mut out: Vec<u64> = key.windows(3).map(|w| (w[0] as u64) << 42 | (w[1] as u64) << 21 | w[2] as u64).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// How many of `small`'s 3-grams `large` has, if at least `need` (both sorted): gives up as
/// soon as too many are missing, which is at once for unrelated paragraphs.
fn shared_at_least(small: &[u64], large: &[u64], need: usize) -> Option<usize> {
    let allowed_misses = small.len().saturating_sub(need);
    let (mut j, mut misses) = (0, 0);
    for &g in small {
        while j < large.len() && large[j] < g {
            j += 1;
        }
        if j < large.len() && large[j] == g {
            j += 1;
        } else {
            misses += 1;
            if misses > allowed_misses {
                return None;
            }
        }
    }
    Some(small.len() - misses)
}

/// A paragraph: stream byte span (trimmed) and 3-grams (long ones only).
struct Para {
    start: usize,
    end: usize,
    grams: Vec<u64>,
}

/// Trims `t[a..b]`: the span without leading and trailing whitespace.
fn trimmed(t: &str, a: usize, b: usize) -> (usize, usize) {
    let raw = &t[a..b];
    let lead = raw.len() - raw.trim_start().len();
    (a + lead, a + lead + raw.trim().len())
}

pub fn check(s: &Stream, out: &mut Vec<Raw>) {
    let t = &s.text;
    let mut paras: Vec<Para> = Vec::new();
    let mut flagged: Vec<(usize, usize)> = Vec::new();
    let mut seen: FxHashMap<u64, usize> = FxHashMap::default();
    let mut sentences: FxHashMap<u64, (usize, usize)> = FxHashMap::default();
    // Reused for every paragraph: its key, and where its sentences end (stream byte, key index).
    let mut key: Vec<char> = Vec::new();
    let mut marks: Vec<(usize, usize)> = Vec::new();
    for (line_start, line) in s.paragraphs() {
        let (start, end) = trimmed(t, line_start, line_start + line.len());
        if start == end {
            continue;
        }
        key.clear();
        marks.clear();
        for (i, c) in line.char_indices() {
            if let Some(k) = key_char(c) {
                key.push(k);
            }
            if matches!(c, '。' | '！' | '？' | '；') {
                marks.push((line_start + i + c.len_utf8(), key.len()));
            }
        }
        marks.push((line_start + line.len(), key.len()));
        let j = paras.len();
        paras.push(Para { start, end, grams: Vec::new() });
        let repeated = paragraph(s, &key, j, &mut paras, &mut seen, out);
        if repeated {
            flagged.push((start, end));
        }
        // Long sentences repeated (inside or across paragraphs not already flagged).
        let (mut a, mut ka) = (line_start, 0);
        for &(b, kb) in &marks {
            if kb - ka >= MIN_SENTENCE {
                let (sa, sb) = trimmed(t, a, b);
                sentence(s, &key[ka..kb], (sa, sb), &flagged, &mut sentences, out);
            }
            (a, ka) = (b, kb);
        }
    }
}

/// Compares paragraph `j` (its key given) with the earlier ones; true when it repeats one.
fn paragraph(s: &Stream, key: &[char], j: usize, paras: &mut [Para], seen: &mut FxHashMap<u64, usize>, out: &mut Vec<Raw>) -> bool {
    if key.len() < MIN_PARAGRAPH {
        return false;
    }
    let t = &s.text;
    let (start, end) = (paras[j].start, paras[j].end);
    match seen.entry(hash(key)) {
        Entry::Occupied(e) => {
            let i = *e.get();
            if key_chars(&t[paras[i].start..paras[i].end]).eq(key.iter().copied()) {
                out.push(Raw::new(
                    "duplicate.paragraph",
                    Category::Duplicate,
                    Severity::Warn,
                    s.original(start, end),
                    format!("与第 {} 段完全重复，请删去一处", i + 1),
                ));
                return true;
            }
        }
        Entry::Vacant(e) => {
            e.insert(j);
        }
    }
    if key.len() < MIN_NEAR {
        return false;
    }
    let gj = trigrams(key);
    let mut repeated = false;
    for (i, p) in paras[..j].iter().enumerate() {
        let gi = &p.grams;
        if gi.is_empty() {
            continue;
        }
        let (small, large) = if gi.len() <= gj.len() { (gi, &gj) } else { (&gj, gi) };
        if (small.len() as f64) < 0.7 * large.len() as f64 {
            continue;
        }
        let need = (small.len() * NEAR_PERCENT).div_ceil(100);
        if let Some(n) = shared_at_least(small, large, need) {
            let sim = n as f64 / small.len().max(1) as f64;
            out.push(Raw::new(
                "duplicate.near_paragraph",
                Category::Duplicate,
                Severity::Warn,
                s.original(start, end),
                format!("与第 {} 段几乎相同（{:.0}% 相同），疑似重复粘贴", i + 1, sim * 100.0),
            ));
            repeated = true;
            break;
        }
    }
    paras[j].grams = gj;
    repeated
}

fn sentence(s: &Stream, key: &[char], (a, b): (usize, usize), flagged: &[(usize, usize)], seen: &mut FxHashMap<u64, (usize, usize)>, out: &mut Vec<Raw>) {
    match seen.entry(hash(key)) {
        Entry::Occupied(e) => {
            let (fa, fb) = *e.get();
            if fa != a && key_chars(&s.text[fa..fb]).eq(key.iter().copied()) && !flagged.iter().any(|&(x, y)| x <= a && b <= y) {
                out.push(Raw::new("duplicate.sentence", Category::Duplicate, Severity::Warn, s.original(a, b), "这句话在前文已出现过，疑似重复"));
            }
        }
        Entry::Vacant(e) => {
            e.insert((a, b));
        }
    }
}
