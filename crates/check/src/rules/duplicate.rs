//! Repeated content: a paragraph pasted twice (exactly, or nearly: ≥ 85% of its character
//! 3-grams shared), and a long sentence repeated elsewhere in the text.
//!
//! Paragraphs and sentences are compared by their *keys*: letters, digits and Chinese
//! characters, folded (so punctuation, spaces and width do not hide a repeat). The keys of a
//! document are kept one after the other in one buffer of chars (paragraphs and sentences are
//! ranges of it, never strings): a 64-bit hash finds candidates and the key ranges are
//! compared before anything is reported; a paragraph's 3-grams are packed into integers (a
//! char fits in 21 bits), sorted, and intersected by merging.

use std::collections::hash_map::Entry;

use rustc_hash::FxHashMap;

use super::{LineRule, Raw};
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

/// A 64-bit hash of a key: two chains of multiplies side by side, each taking two chars per
/// step (a single chain of one char per step is latency-bound); equal hashes are always
/// confirmed by comparing the keys.
fn hash(key: &[char]) -> u64 {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    const L: u64 = 0x9E37_79B9_7F4A_7C15;
    let pair = |a: char, b: char| (a as u64) << 32 | b as u64;
    let mut quads = key.chunks_exact(4);
    let (mut h, mut g) = (key.len() as u64, 0u64);
    for q in &mut quads {
        h = (h.rotate_left(5) ^ pair(q[0], q[1])).wrapping_mul(K);
        g = (g.rotate_left(5) ^ pair(q[2], q[3])).wrapping_mul(L);
    }
    for &c in quads.remainder() {
        h = (h.rotate_left(5) ^ c as u64).wrapping_mul(K);
    }
    (h ^ g.rotate_left(32)).wrapping_mul(K)
}

/// A packed 3-gram (a char fits in 21 bits).
#[inline]
fn gram(w: &[char]) -> u64 {
    (w[0] as u64) << 42 | (w[1] as u64) << 21 | w[2] as u64
}

/// The distinct 3-grams of a key, packed and sorted.
fn trigrams(key: &[char]) -> Vec<u64> {
    let mut out: Vec<u64> = key.windows(3).map(gram).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Bits of a paragraph's 3-grams hashed into 1,024: a sketch that rules most pairs of
/// paragraphs out without sorting their 3-grams. A bit set in one sketch and not in the
/// other stands for at least one 3-gram the first has and the second lacks, so counting such
/// bits never overstates the misses of the exact comparison.
type Sketch = [u64; 16];

fn sketch(key: &[char]) -> Sketch {
    let mut b = [0u64; 16];
    for w in key.windows(3) {
        let h = (gram(w).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize;
        b[h / 64] |= 1 << (h % 64);
    }
    b
}

/// Whether `x` may have `NEAR_PERCENT` of its 3-grams in `y` (it has at most `x_grams`
/// distinct ones): false only when the sketches prove it cannot.
fn may_share(x: &Sketch, x_grams: usize, y: &Sketch) -> bool {
    let missing: u32 = x.iter().zip(y).map(|(a, b)| (a & !b).count_ones()).sum();
    missing as usize <= x_grams - (x_grams * NEAR_PERCENT).div_ceil(100)
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

/// Whether two paragraphs' sorted 3-grams make them nearly the same: the smaller set has at
/// least 70% of the larger's size and `NEAR_PERCENT` of it is in the larger. The share, if so.
fn nearly_same(a: &[u64], b: &[u64]) -> Option<f64> {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if (small.len() as f64) < 0.7 * large.len() as f64 {
        return None;
    }
    let need = (small.len() * NEAR_PERCENT).div_ceil(100);
    shared_at_least(small, large, need).map(|n| n as f64 / small.len().max(1) as f64)
}

/// A paragraph: stream byte span (trimmed), its key (a range of the document's key buffer)
/// and, for long ones, the sketch and (once a comparison needs them) the sorted 3-grams.
struct Para {
    start: usize,
    end: usize,
    key: (usize, usize),
    near: Option<Box<Near>>,
}

struct Near {
    sketch: Sketch,
    grams: Option<Vec<u64>>,
}

/// Trims `t[a..b]`: the span without leading and trailing whitespace.
fn trimmed(t: &str, a: usize, b: usize) -> (usize, usize) {
    let raw = &t[a..b];
    let lead = raw.len() - raw.trim_start().len();
    (a + lead, a + lead + raw.trim().len())
}

pub fn check(s: &Stream, out: &mut Vec<Raw>) {
    super::scan(s, &mut Duplicates::new(s), out);
}

/// The rule's state over a document: its paragraphs so far, their keys and hashes.
pub struct Duplicates<'s> {
    s: &'s Stream,
    paras: Vec<Para>,
    flagged: Vec<(usize, usize)>,
    seen: FxHashMap<u64, usize>,
    /// The first sentence with each key hash: its stream start and its key (a range of `keys`).
    sentences: FxHashMap<u64, (usize, (usize, usize))>,
    /// The keys of all paragraphs, one after the other.
    keys: Vec<char>,
    /// Where the current paragraph's sentences end (stream byte, key index).
    marks: Vec<(usize, usize)>,
    /// The current paragraph: stream offset, length, where its key starts in `keys`.
    base: usize,
    len: usize,
    k0: usize,
}

impl<'s> Duplicates<'s> {
    pub fn new(s: &'s Stream) -> Self {
        let t = &s.text;
        // Sized up front: growing these for every story costs more than the rule's own work.
        let lines = memchr::memchr_iter(b'\n', t.as_bytes()).count() + 1;
        Duplicates {
            s,
            paras: Vec::with_capacity(lines),
            flagged: Vec::new(),
            seen: FxHashMap::with_capacity_and_hasher(lines, Default::default()),
            sentences: FxHashMap::with_capacity_and_hasher(lines * 2, Default::default()),
            keys: Vec::with_capacity(t.len() / 3 + 16),
            marks: Vec::new(),
            base: 0,
            len: 0,
            k0: 0,
        }
    }
}

impl<'s> LineRule<'s> for Duplicates<'s> {
    fn begin(&mut self, base: usize, line: &'s str) {
        (self.base, self.len, self.k0) = (base, line.len(), self.keys.len());
        self.marks.clear();
    }

    /// A Chinese character is its own key char.
    #[inline(always)]
    fn han(&mut self, _: usize, c: char, _: &mut Vec<Raw>) {
        self.keys.push(c);
    }

    #[inline(always)]
    fn other(&mut self, i: usize, c: char, _: &mut Vec<Raw>) {
        if let Some(k) = key_char(c) {
            self.keys.push(k);
        }
        if matches!(c, '。' | '！' | '？' | '；') {
            self.marks.push((self.base + i + c.len_utf8(), self.keys.len() - self.k0));
        }
    }

    fn end(&mut self, out: &mut Vec<Raw>) {
        let (s, t, line_start, k0) = (self.s, &self.s.text, self.base, self.k0);
        let (start, end) = trimmed(t, line_start, line_start + self.len);
        if start == end {
            // Blank (nothing of it went into the key).
            return;
        }
        self.marks.push((line_start + self.len, self.keys.len() - k0));
        let j = self.paras.len();
        self.paras.push(Para { start, end, key: (k0, self.keys.len()), near: None });
        let repeated = paragraph(s, &self.keys, j, &mut self.paras, &mut self.seen, out);
        if repeated {
            self.flagged.push((start, end));
        }
        // Long sentences repeated (inside or across paragraphs not already flagged).
        let (mut a, mut ka) = (line_start, 0);
        for &(b, kb) in &self.marks {
            if kb - ka >= MIN_SENTENCE {
                let (sa, sb) = trimmed(t, a, b);
                sentence(s, &self.keys, (k0 + ka, k0 + kb), (sa, sb), &self.flagged, &mut self.sentences, out);
            }
            (a, ka) = (b, kb);
        }
    }
}

/// The sorted 3-grams of paragraph `p`, computed on first use.
fn grams_of<'a>(p: &'a mut Para, keys: &[char]) -> &'a [u64] {
    let near = p.near.as_mut().expect("a long paragraph");
    near.grams.get_or_insert_with(|| trigrams(&keys[p.key.0..p.key.1]))
}

/// Compares paragraph `j` (its key the last in `keys`) with the earlier ones; true when it
/// repeats one.
fn paragraph(s: &Stream, keys: &[char], j: usize, paras: &mut [Para], seen: &mut FxHashMap<u64, usize>, out: &mut Vec<Raw>) -> bool {
    let key = &keys[paras[j].key.0..paras[j].key.1];
    if key.len() < MIN_PARAGRAPH {
        return false;
    }
    let (start, end) = (paras[j].start, paras[j].end);
    match seen.entry(hash(key)) {
        Entry::Occupied(e) => {
            let i = *e.get();
            if keys[paras[i].key.0..paras[i].key.1] == *key {
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
    let sj = sketch(key);
    let nj = key.len() - 2;
    let mut repeated = false;
    let (before, rest) = paras.split_at_mut(j);
    let pj = &mut rest[0];
    pj.near = Some(Box::new(Near { sketch: sj, grams: None }));
    for (i, p) in before.iter_mut().enumerate() {
        let Some(near) = &p.near else { continue };
        let ni = p.key.1 - p.key.0 - 2;
        // Whichever of the two turns out smaller must share its 3-grams with the other.
        if !may_share(&near.sketch, ni, &sj) && !may_share(&sj, nj, &near.sketch) {
            continue;
        }
        if let Some(sim) = nearly_same(grams_of(p, keys), grams_of(pj, keys)) {
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
    repeated
}

fn sentence(
    s: &Stream,
    keys: &[char],
    (ka, kb): (usize, usize),
    (a, b): (usize, usize),
    flagged: &[(usize, usize)],
    seen: &mut FxHashMap<u64, (usize, (usize, usize))>,
    out: &mut Vec<Raw>,
) {
    let key = &keys[ka..kb];
    match seen.entry(hash(key)) {
        Entry::Occupied(e) => {
            let (fa, (fka, fkb)) = *e.get();
            if fa != a && keys[fka..fkb] == *key && !flagged.iter().any(|&(x, y)| x <= a && b <= y) {
                out.push(Raw::new("duplicate.sentence", Category::Duplicate, Severity::Warn, s.original(a, b), "这句话在前文已出现过，疑似重复"));
            }
        }
        Entry::Vacant(e) => {
            e.insert((a, (ka, kb)));
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Whether the exact comparison calls the two keys near-duplicates.
    fn near(x: &[char], y: &[char]) -> bool {
        nearly_same(&trigrams(x), &trigrams(y)).is_some()
    }

    /// A paragraph's key from a small alphabet, so that random pairs share many 3-grams.
    fn key() -> impl Strategy<Value = Vec<char>> {
        prop::collection::vec(prop::sample::select(vec!['医', '院', '骨', '科', '患', '者', '护', '理']), MIN_NEAR..120)
    }

    proptest! {
        #[test]
        fn the_sketch_never_rules_out_a_near_duplicate(x in key(), edits in prop::collection::vec((0usize..120, prop::sample::select(vec!['医', '院', '诊', '疗'])), 0..12)) {
            // y: x with a few characters changed, so that many pairs are near-duplicates.
            let mut y = x.clone();
            for (at, c) in edits {
                let i = at % y.len();
                y[i] = c;
            }
            let (sx, sy) = (sketch(&x), sketch(&y));
            let allowed = may_share(&sx, x.len() - 2, &sy) || may_share(&sy, y.len() - 2, &sx);
            prop_assert!(allowed || !near(&x, &y));
        }
    }

    #[test]
    fn the_sketch_rules_out_unrelated_paragraphs() {
        let x: Vec<char> = "骨科举行义诊活动为社区群众提供免费咨询和健康宣教服务共接待群众两百余人次".chars().collect();
        let y: Vec<char> = "护理部组织全院护士开展急救技能培训与考核内容包括心肺复苏和止血包扎等项目".chars().collect();
        assert!(!may_share(&sketch(&x), x.len() - 2, &sketch(&y)) && !may_share(&sketch(&y), y.len() - 2, &sketch(&x)));
        assert!(may_share(&sketch(&x), x.len() - 2, &sketch(&x)));
    }
}
