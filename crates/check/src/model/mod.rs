//! The language-model stage (语境审校): a word n-gram model of Chinese reads each clause and
//! proposes a correction where a similar-sounding or similar-looking character, two swapped
//! characters or a doubled one would make the clause far more likely.
//!
//! For each clause (a run of Chinese characters between punctuation):
//! 1. candidates: a character replaced by one that sounds the same or nearly so (pinyin from
//!    the `pinyin` crate, with the fuzzy initials and finals IMEs confuse: z/zh, c/ch, s/sh,
//!    n/l, an/ang, en/eng, in/ing) or looks alike ([`shape`], the team's own list), wherever
//!    the replacement forms a word of the model's vocabulary with its neighbours; two
//!    neighbours swapped into a word; a doubled character that forms no word;
//! 2. each candidate clause and the original are segmented into the model's words and scored
//!    by the model (the best segmentation, a beam search over the word lattice);
//! 3. a candidate is reported when it beats the text by a calibrated margin (log10 of the
//!    likelihood ratio, [`Thresholds`]); when unsure, nothing is said.
//!
//! The model is read, never copied: [`system_model_path`] finds fcitx's trigram model where
//! Debian's `libime-data-language-model` puts it, or a path comes from configuration.

pub mod names;
pub mod ngram;
pub mod shape;

use std::path::{Path, PathBuf};

use daachorse::CharwiseDoubleArrayAhoCorasick;
use rustc_hash::{FxHashMap, FxHasher};
use std::hash::Hasher;

use crate::normalize::is_han;
use ngram::{NgramModel, NgramError, State};

/// Where Debian and Ubuntu install fcitx's model (`libime-data-language-model`).
pub const SYSTEM_MODEL_PATHS: &[&str] = &["/usr/lib/x86_64-linux-gnu/libime/zh_CN.lm", "/usr/lib/aarch64-linux-gnu/libime/zh_CN.lm", "/usr/lib64/libime/zh_CN.lm", "/usr/lib/libime/zh_CN.lm"];

/// The system's model, if installed.
pub fn system_model_path() -> Option<PathBuf> {
    SYSTEM_MODEL_PATHS.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// The longest word the candidate search builds around a replaced character.
const MAX_WORD: usize = 4;
/// Hypotheses kept per position in the segmentation search.
const BEAM: usize = 4;
const NONE: u16 = u16::MAX;
/// The Chinese chars with pinyin: CJK extension A and the unified ideographs.
const HAN_START: u32 = 0x3400;
const HAN_END: u32 = 0xA000;
/// A candidate word must be at least this much likelier (log10, as a word alone) than the
/// best reading of the text it replaces before the model reads it in context: a cheap test
/// that spares the search for most candidates.
const UNIGRAM_SLACK: f32 = 0.0;

/// A single-character word rarer than this (log10 unigram), or a longer word rarer than
/// `SUSPECT_WORD`, marks its chars as possible slips ([`ContextModel::suspects`]).
const SUSPECT_SINGLE: f32 = -2.5;
const SUSPECT_WORD: f32 = -5.5;
/// A single-character word the model scores below this (log10) after the word before it is
/// a possible slip as well, however common it is alone.
const SUSPECT_IN_CONTEXT: f32 = -4.5;
/// A homophone is tried for a common word if it is at most this much rarer (log10) alone,
/// and at most this many per word.
const HOMOPHONE_SLACK: f32 = 0.0;
const HOMOPHONES: usize = 2;
/// A rare vocabulary word with a same-sound twin this much likelier (log10) is a slip the
/// vocabulary kept (我门 beside 我们), not a word.
const TYPO_ENTRY_MARGIN: f32 = 1.5;

/// Characters that are words alone and that people mix up (的地得 are `rules::particles`'s:
/// the model learned them mixed).
const FUNCTION_SETS: &[[char; 2]] = &[['在', '再'], ['做', '作'], ['那', '哪'], ['象', '像'], ['即', '既'], ['己', '已'], ['带', '戴'], ['份', '分'], ['须', '需'], ['练', '炼']];

/// The function-word set `c` belongs to (a char array, not a string: `str::contains` runs a
/// substring search, and this is asked for every char of every clause).
fn function_set(c: char) -> Option<&'static [char; 2]> {
    FUNCTION_SETS.iter().find(|s| s[0] == c || s[1] == c)
}

/// Chars either side of an edit that its score reads.
const WINDOW: usize = 4;
/// Clauses longer than this are cut (bounded work on text without punctuation).
const MAX_CLAUSE: usize = 48;

/// How a candidate differs from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Edit {
    /// Same pinyin (any tone).
    Sound,
    /// Pinyin that differs only as IMEs confuse (z/zh, n/l, an/ang …).
    NearSound,
    /// A character of similar shape.
    Shape,
    /// Two neighbouring characters swapped.
    Swap,
    /// A character written twice.
    Double,
    /// A character left out (宣传资 → 宣传资料).
    Missing,
    /// A common word for another that sounds the same (签定 → 签订).
    Word,
}

/// Margins (log10 of how many times likelier the candidate clause is) above which a
/// candidate is reported, by kind of edit. Calibrated with `yuanxun check-eval` on the
/// SIGHAN-2015 training split and the team's hospital set (bench/README.md).
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    pub sound: f32,
    pub near_sound: f32,
    pub shape: f32,
    pub swap: f32,
    pub double: f32,
    pub missing: f32,
    pub word: f32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { sound: 3.5, near_sound: 4.5, shape: 4.5, swap: 5.0, double: 3.0, missing: 4.5, word: 4.0 }
    }
}

impl Thresholds {
    /// `sound,near_sound,shape,swap,double[,missing[,word]]` (log10 margins; the last two default).
    pub fn parse(s: &str) -> Result<Thresholds, String> {
        let v: Vec<f32> = s.split(',').map(|x| x.trim().parse::<f32>().map_err(|_| format!("“{x}”不是数"))).collect::<Result<_, _>>()?;
        if !(5..=7).contains(&v.len()) {
            return Err("应为 5 到 7 个数：sound,near_sound,shape,swap,double[,missing[,word]]".into());
        }
        let d = Thresholds::default();
        Ok(Thresholds { sound: v[0], near_sound: v[1], shape: v[2], swap: v[3], double: v[4], missing: v.get(5).copied().unwrap_or(d.missing), word: v.get(6).copied().unwrap_or(d.word) })
    }
}

impl Thresholds {
    fn of(&self, e: Edit) -> f32 {
        match e {
            Edit::Sound => self.sound,
            Edit::NearSound => self.near_sound,
            Edit::Shape => self.shape,
            Edit::Swap => self.swap,
            Edit::Double => self.double,
            Edit::Missing => self.missing,
            Edit::Word => self.word,
        }
    }
}

/// A correction the model prefers: chars `[start, end)` of the clause read `to` instead.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// Char offsets into the clause.
    pub start: usize,
    pub end: usize,
    pub from: String,
    pub to: String,
    pub edit: Edit,
    /// log10 of how many times likelier the clause is with the correction.
    pub gain: f32,
}

/// A loaded model with its word automaton and candidate indexes. Build once and share.
pub struct ContextModel {
    lm: NgramModel,
    name: String,
    /// Every Chinese word of the vocabulary, valued with its word index.
    words: CharwiseDoubleArrayAhoCorasick<u32>,
    /// Words of 2..=MAX_WORD chars with one char masked → the chars that fill the mask:
    /// `masks[key] = (start, len)` into `fills`.
    masks: FxHashMap<u64, (u32, u16)>,
    /// The filling char, the word it makes and the word's log10 unigram probability, likeliest
    /// first within a mask.
    fills: Vec<(char, u32, f32)>,
    /// Pinyin syllables of each Chinese char (exact, then fuzzy-folded; `NONE` pads), by
    /// code point from U+3400: one array read per char in the candidate search.
    sounds: Vec<[u16; 8]>,
    /// Like `masks`/`fills`, with the sound of the filling char in the key
    /// ([`sound_mask_key`]): the fills that sound like a char, without scanning the others.
    sound_masks: FxHashMap<u64, (u32, u32)>,
    sound_fills: Vec<(char, f32)>,
    /// Every vocabulary word of 2..=MAX_WORD chars by [`word_key`]: its log10 unigram, and
    /// whether it is a typo entry.
    short_words: FxHashMap<u64, (f32, bool)>,
    /// By word index: a slip the vocabulary kept ([`TYPO_ENTRY_MARGIN`]), which readings of
    /// the text do not use.
    typo: Vec<bool>,
    /// Common two-char words by the sounds of their chars (key: [`sound_key`]), likeliest
    /// first: the words a pinyin input method offers for the same keys.
    homophones: FxHashMap<u32, Vec<(char, char, f32)>>,
    unk: f32,
    pub thresholds: Thresholds,
    /// Score words alone, without their context (to measure what the context adds).
    pub unigram_only: bool,
}

impl std::fmt::Debug for ContextModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContextModel").field("name", &self.name).field("lm", &self.lm).finish()
    }
}

/// The syllables of Chinese char `c` in `sounds` (exact, then fuzzy; `NONE` pads), if it has any slot.
fn sound_slot(sounds: &[[u16; 8]], c: char) -> Option<&[u16; 8]> {
    (c as u32).checked_sub(HAN_START).and_then(|i| sounds.get(i as usize))
}

/// How `to` can stand for `from`: sound first, then shape, then near sound.
fn confusable_in(sounds: &[[u16; 8]], from: char, to: char) -> Option<Edit> {
    if from == to {
        return None;
    }
    let (Some(a), Some(b)) = (sound_slot(sounds, from), sound_slot(sounds, to)) else { return None };
    let shares = |x: &[u16], y: &[u16]| x.iter().take_while(|&&s| s != NONE).any(|s| y.contains(s));
    if shares(&a[..4], &b[..4]) {
        return Some(Edit::Sound);
    }
    if shape::similar(from, to) {
        return Some(Edit::Shape);
    }
    if shares(&a[4..], &b[4..]) {
        return Some(Edit::NearSound);
    }
    None
}

/// The keys of a two-char word's sounds: each of the first two readings of each char.
fn sound_keys(sounds: &[[u16; 8]], x: char, y: char) -> impl Iterator<Item = u32> {
    let get = |c: char| sound_slot(sounds, c).map(|s| [s[0], s[1]]).unwrap_or([NONE; 2]);
    let (a, b) = (get(x), get(y));
    let mut keys = [u32::MAX; 4];
    for (k, key) in keys.iter_mut().enumerate() {
        let (p, q) = (a[k / 2], b[k % 2]);
        if p != NONE && q != NONE {
            *key = (p as u32) << 16 | q as u32;
        }
    }
    keys.into_iter().filter(|&k| k != u32::MAX)
}

/// A short word's key: its chars hashed (the length is part of it).
fn word_key(chars: &[char]) -> u64 {
    mask_key(chars, usize::MAX)
}

/// A masked word's key with the sound (syllable id, exact or fuzzy) of the masked char.
fn sound_mask_key(mask: u64, syllable: u16) -> u64 {
    let mut h = FxHasher::default();
    h.write_u64(mask);
    h.write_u16(syllable);
    h.finish()
}

fn mask_key(chars: &[char], masked: usize) -> u64 {
    let mut h = FxHasher::default();
    h.write_usize(chars.len());
    h.write_usize(masked);
    for (i, c) in chars.iter().enumerate() {
        if i != masked {
            h.write_u32(*c as u32);
        }
    }
    h.finish()
}

/// The IME's fuzzy pinyin: the initials and finals a hurried typist confuses, folded.
fn fuzzy(s: &str) -> String {
    let s = s.replace('ü', "v");
    let (ini, fin) = match s.find(|c: char| "aeiouv".contains(c)) {
        Some(i) => s.split_at(i),
        None => (s.as_str(), ""),
    };
    let ini = match ini {
        "zh" => "z",
        "ch" => "c",
        "sh" => "s",
        "n" => "l",
        "f" => "h",
        "r" => "l",
        x => x,
    };
    let fin = fin.strip_suffix("ng").map(|f| format!("{f}n")).unwrap_or_else(|| fin.to_string());
    format!("{ini}{fin}")
}

impl ContextModel {
    /// Opens the model at `path` (KenLM binary trie).
    pub fn open(path: &Path) -> Result<ContextModel, NgramError> {
        let lm = NgramModel::open(path)?;
        let name = format!("{}（{} 阶，{} 词）", path.display(), lm.order(), lm.vocabulary_len());
        Ok(ContextModel::new(lm, name))
    }

    /// The model at the system path, if installed and readable.
    pub fn system() -> Option<Result<ContextModel, NgramError>> {
        system_model_path().map(|p| ContextModel::open(&p))
    }

    fn new(lm: NgramModel, name: String) -> ContextModel {
        use pinyin::ToPinyinMulti;
        let mut patterns = Vec::with_capacity(lm.vocabulary_len());
        let mut pairs: Vec<(u64, char, u32)> = Vec::new();
        let mut chars_seen: FxHashMap<char, ()> = FxHashMap::default();
        for i in 0..lm.vocabulary_len() as u32 {
            let w = lm.word(i);
            if w.is_empty() || !w.chars().all(is_han) {
                continue;
            }
            patterns.push((w, i));
            let cs: Vec<char> = w.chars().collect();
            for &c in &cs {
                chars_seen.insert(c, ());
            }
            if (2..=MAX_WORD).contains(&cs.len()) {
                for j in 0..cs.len() {
                    pairs.push((mask_key(&cs, j), cs[j], i));
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut masks = FxHashMap::default();
        let mut fills = Vec::with_capacity(pairs.len());
        let mut k = 0;
        while k < pairs.len() {
            let key = pairs[k].0;
            let start = fills.len();
            while k < pairs.len() && pairs[k].0 == key {
                fills.push((pairs[k].1, pairs[k].2, lm.unigram(pairs[k].2).0));
                k += 1;
            }
            // Likeliest words first: the candidate search stops at the first too unlikely.
            fills[start..].sort_by(|x, y| y.2.total_cmp(&x.2));
            masks.insert(key, (start as u32, (fills.len() - start).min(u16::MAX as usize) as u16));
        }
        let mut syllables: FxHashMap<String, u16> = FxHashMap::default();
        let mut intern = |s: String| -> u16 {
            let n = syllables.len() as u16;
            *syllables.entry(s).or_insert(n)
        };
        let mut sounds = vec![[NONE; 8]; (HAN_END - HAN_START) as usize];
        for (&c, _) in &chars_seen {
            let Some(slot) = (c as u32).checked_sub(HAN_START).and_then(|i| sounds.get_mut(i as usize)) else { continue };
            if let Some(multi) = c.to_pinyin_multi() {
                let mut exact: Vec<u16> = multi.into_iter().map(|p| intern(p.plain().to_string())).collect();
                let mut near: Vec<u16> = c.to_pinyin_multi().into_iter().flatten().take(2).map(|p| intern(format!("~{}", fuzzy(p.plain())))).collect();
                // The first two readings: rare ones (格 luò) would make half the language sound alike.
                exact.truncate(2);
                exact.sort_unstable();
                exact.dedup();
                near.sort_unstable();
                near.dedup();
                near.truncate(4);
                slot[..exact.len()].copy_from_slice(&exact);
                slot[4..4 + near.len()].copy_from_slice(&near);
            }
        }
        // An input method's text is full of slips, and its vocabulary keeps the common ones as
        // words (我门, 招开, 的的). A rare word that a same-sound twin far likelier than it
        // explains is read as the chars it is made of, not as a word.
        let typo_entry = |w: &str, i: u32| -> bool {
            let p = lm.unigram(i).0;
            let cs: Vec<char> = w.chars().collect();
            if p >= SUSPECT_WORD || !(2..=MAX_WORD).contains(&cs.len()) {
                return false;
            }
            (0..cs.len()).any(|j| {
                let Some(&(start, count)) = masks.get(&mask_key(&cs, j)) else { return false };
                fills[start as usize..start as usize + count as usize]
                    .iter()
                    .take_while(|f| f.2 >= p + TYPO_ENTRY_MARGIN)
                    .any(|&(c, _, _)| confusable_in(&sounds, cs[j], c) == Some(Edit::Sound))
            })
        };
        let mut typo = vec![false; lm.vocabulary_len()];
        for &(w, i) in &patterns {
            typo[i as usize] = typo_entry(w, i);
        }
        let mut homophones: FxHashMap<u32, Vec<(char, char, f32)>> = FxHashMap::default();
        for &(w, i) in &patterns {
            let p = lm.unigram(i).0;
            if typo[i as usize] {
                continue;
            }
            let mut cs = w.chars();
            let (Some(x), Some(y), None) = (cs.next(), cs.next(), cs.next()) else { continue };
            if p < SUSPECT_WORD {
                continue;
            }
            for key in sound_keys(&sounds, x, y) {
                homophones.entry(key).or_default().push((x, y, p));
            }
        }
        for v in homophones.values_mut() {
            v.sort_by(|a, b| b.2.total_cmp(&a.2));
            v.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        }
        let mut keyed: Vec<(u64, f32, char)> = Vec::new();
        let mut short_words: FxHashMap<u64, (f32, bool)> = FxHashMap::default();
        for &(w, i) in &patterns {
            let cs: Vec<char> = w.chars().collect();
            if !(2..=MAX_WORD).contains(&cs.len()) {
                continue;
            }
            let p = lm.unigram(i).0;
            short_words.insert(word_key(&cs), (p, typo[i as usize]));
            if typo[i as usize] {
                continue;
            }
            for j in 0..cs.len() {
                let Some(slot) = sound_slot(&sounds, cs[j]) else { continue };
                let key = mask_key(&cs, j);
                for &syl in slot.iter().filter(|&&x| x != NONE) {
                    keyed.push((sound_mask_key(key, syl), p, cs[j]));
                }
            }
        }
        // By key, then likeliest first.
        keyed.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(y.1.total_cmp(&x.1)));
        keyed.dedup_by(|a, b| a.0 == b.0 && a.2 == b.2);
        let mut sound_masks: FxHashMap<u64, (u32, u32)> = FxHashMap::default();
        let mut sound_fills: Vec<(char, f32)> = Vec::with_capacity(keyed.len());
        let mut k = 0;
        while k < keyed.len() {
            let key = keyed[k].0;
            let start = sound_fills.len();
            while k < keyed.len() && keyed[k].0 == key {
                sound_fills.push((keyed[k].2, keyed[k].1));
                k += 1;
            }
            sound_masks.insert(key, (start as u32, (sound_fills.len() - start) as u32));
        }
        let words = CharwiseDoubleArrayAhoCorasick::with_values(patterns).expect("vocabulary words are distinct and non-empty");
        let unk = lm.unigram(0).0.min(-6.0);
        ContextModel { lm, name, words, typo, masks, fills, sound_masks, sound_fills, short_words, sounds, homophones, unk, thresholds: Thresholds::default(), unigram_only: false }
    }

    /// What reports call the model.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The n-gram model underneath.
    pub fn ngram(&self) -> &NgramModel {
        &self.lm
    }

    /// How `to` relates to `from`, if it is a plausible slip.
    pub fn confusable(&self, from: char, to: char) -> Option<Edit> {
        confusable_in(&self.sounds, from, to)
    }

    /// Whether `s` (all Chinese) is one word of the vocabulary.
    pub fn is_word(&self, s: &str) -> bool {
        self.words.find_overlapping_iter(s).any(|m| m.start() == 0 && m.end() == s.len())
    }

    /// The log10 unigram of `chars` (2..=MAX_WORD) as one word the readings use, if it is one.
    fn word_unigram(&self, chars: &[char]) -> Option<f32> {
        self.short_words.get(&word_key(chars)).filter(|w| !w.1).map(|w| w.0)
    }

    /// Whether `chars` (2..=MAX_WORD) are one vocabulary word, typo entries included.
    fn in_vocabulary(&self, chars: &[char]) -> bool {
        self.short_words.contains_key(&word_key(chars))
    }

    /// Every vocabulary word in `clause`: (start char, end char, word index).
    fn words_in(&self, clause: &[char]) -> Vec<(usize, usize, u32)> {
        let s: String = clause.iter().collect();
        let mut at = vec![usize::MAX; s.len() + 1];
        for (k, (b, _)) in s.char_indices().enumerate() {
            at[b] = k;
        }
        at[s.len()] = clause.len();
        self.words.find_overlapping_iter(&s).filter(|m| !self.typo[m.value() as usize]).map(|m| (at[m.start()], at[m.end()], m.value())).collect()
    }

    /// Which chars of `clause` may be slips: those the best reading by word frequencies
    /// leaves as rare single characters, unknown ones, or parts of rare words. A slip in a
    /// word breaks it (表障 reads 表 + 障) or makes a rare one (招开); the chars of common
    /// words are not worth a candidate search (most of a story: the search is the cost).
    fn suspects(&self, clause: &[char], words: &[(usize, usize, u32)]) -> (Vec<bool>, Vec<(usize, usize, u32)>) {
        let n = clause.len();
        // best[e] = (score, start of the last word, its log10 p, the word) of the best reading of [0, e).
        let mut ends: Vec<Vec<(usize, f32, u32)>> = vec![Vec::new(); n + 1];
        for &(a, e, w) in words {
            ends[e].push((a, self.lm.unigram(w).0, w));
        }
        let mut best = vec![(f32::NEG_INFINITY, 0usize, 0f32, 0u32); n + 1];
        best[0].0 = 0.0;
        for e in 1..=n {
            best[e] = (best[e - 1].0 + self.unk, e - 1, self.unk, 0);
            for &(a, p, w) in &ends[e] {
                if best[a].0 + p > best[e].0 {
                    best[e] = (best[a].0 + p, a, p, w);
                }
            }
        }
        let mut out = vec![false; n];
        let mut path: Vec<(usize, usize, u32)> = Vec::new();
        let mut e = n;
        while e > 0 {
            let (_, a, p, w) = best[e];
            let rare = if e - a == 1 { p < SUSPECT_SINGLE } else { p < SUSPECT_WORD };
            if rare {
                out[a..e].iter_mut().for_each(|x| *x = true);
            }
            path.push((a, e, w));
            e = a;
        }
        // A common single char that does not fit where it stands (我门, 一后, 开始码): the model
        // reads it after the word before and finds it unlikely there.
        if !self.unigram_only {
            let mut state = self.lm.null_state();
            for &(a, e, w) in path.iter().rev() {
                let (lp, next) = if w == 0 { (self.unk, self.lm.null_state()) } else { self.lm.score(&state, w) };
                if e - a == 1 && a > 0 && lp < SUSPECT_IN_CONTEXT && function_set(clause[a]).is_none() {
                    out[a] = true;
                }
                state = next;
            }
        }
        path.reverse();
        (out, path)
    }

    /// For each start i and length l ≤ MAX_WORD, log10 of the best reading of chars
    /// [i, i + l) as words taken alone (unknown chars at the unknown-word cost).
    fn span_unigrams(&self, clause: &[char], words: &[(usize, usize, u32)]) -> Vec<[f32; MAX_WORD]> {
        let n = clause.len();
        let mut word = vec![[f32::NEG_INFINITY; MAX_WORD]; n];
        for &(a, e, w) in words {
            if e - a <= MAX_WORD {
                word[a][e - a - 1] = self.lm.unigram(w).0;
            }
        }
        let mut best = vec![[f32::NEG_INFINITY; MAX_WORD]; n];
        for i in 0..n {
            // best over [i, i + l): a first word of length k, then the best of the rest.
            let mut row = [f32::NEG_INFINITY; MAX_WORD + 1];
            row[0] = 0.0;
            for l in 1..=MAX_WORD.min(n - i) {
                let mut v = f32::NEG_INFINITY;
                for k in 1..=l {
                    let first = if k == 1 { word[i + l - 1][0].max(self.unk) } else { word[i + l - k][k - 1] };
                    v = v.max(row[l - k] + first);
                }
                row[l] = v;
            }
            best[i][..MAX_WORD].copy_from_slice(&row[1..]);
        }
        best
    }

    /// log10 of the best segmentation of `clause` into the model's words, from `<s>` to `</s>`.
    pub fn clause_score(&self, clause: &[char]) -> f32 {
        self.best(clause, &mut Scratch::default())
    }

    /// The model's score of `w` after `state`, remembered for the clause: a clause's
    /// candidates are scored in overlapping windows that ask for the same n-grams again.
    fn score_memo(&self, state: &State, w: u32, memo: &mut FxHashMap<(State, u32), (f32, State)>) -> (f32, State) {
        if self.unigram_only {
            return (self.lm.unigram(w).0, self.lm.null_state());
        }
        *memo.entry((*state, w)).or_insert_with(|| self.lm.score(state, w))
    }

    fn best(&self, clause: &[char], x: &mut Scratch) -> f32 {
        let n = clause.len();
        x.s.clear();
        x.s.extend(clause.iter());
        // Byte offset → char offset.
        x.at.clear();
        x.at.resize(x.s.len() + 1, usize::MAX);
        for (k, (b, _)) in x.s.char_indices().enumerate() {
            x.at[b] = k;
        }
        x.at[x.s.len()] = n;
        // Words by start char: (end char, word).
        x.by_start.iter_mut().for_each(Vec::clear);
        if x.by_start.len() < n {
            x.by_start.resize_with(n, Vec::new);
        }
        for m in self.words.find_overlapping_iter(&x.s).filter(|m| !self.typo[m.value() as usize]) {
            x.by_start[x.at[m.start()]].push((x.at[m.end()], m.value()));
        }
        x.hyps.iter_mut().for_each(Vec::clear);
        if x.hyps.len() < n + 1 {
            x.hyps.resize_with(n + 1, Vec::new);
        }
        // A model trained without sentence markers scores a clause without them.
        let markers = self.lm.has_sentence_markers();
        x.hyps[0].push((0.0, if markers { self.lm.begin_state() } else { self.lm.null_state() }));
        for p in 0..n {
            if x.hyps[p].is_empty() {
                continue;
            }
            let here = std::mem::take(&mut x.hyps[p]);
            let single = x.by_start[p].iter().any(|&(e, _)| e == p + 1);
            let edges = std::mem::take(&mut x.by_start[p]);
            for &(e, w) in edges.iter() {
                for (score, state) in &here {
                    let (lp, next) = self.score_memo(state, w, &mut x.memo);
                    push_hyp(&mut x.hyps[e], score + lp, next);
                }
            }
            if !single {
                let best = here.iter().map(|h| h.0).fold(f32::NEG_INFINITY, f32::max);
                push_hyp(&mut x.hyps[p + 1], best + self.unk, self.lm.null_state());
            }
            x.by_start[p] = edges;
            x.hyps[p] = here;
        }
        let (_, end) = self.lm.sentence_markers();
        let finals = std::mem::take(&mut x.hyps[n]);
        let best = finals.iter().map(|(score, state)| score + if markers { self.score_memo(state, end, &mut x.memo).0 } else { 0.0 }).fold(f32::NEG_INFINITY, f32::max);
        x.hyps[n] = finals;
        best
    }

    /// The corrections the model proposes for one clause (all Chinese characters), best
    /// first, at most one per position, each above its threshold.
    pub fn propose(&self, clause: &[char]) -> Vec<Proposal> {
        self.propose_around(clause, &[])
    }

    /// Like [`ContextModel::propose`], but no candidate word may cover a char marked in
    /// `keep` (names, known words): `keep[i]` for char i (missing entries are false).
    pub fn propose_around(&self, clause: &[char], keep: &[bool]) -> Vec<Proposal> {
        self.propose_with(clause, keep, &self.thresholds)
    }

    /// Like [`ContextModel::propose_around`], with other margins (calibration).
    pub fn propose_with(&self, clause: &[char], keep: &[bool], thresholds: &Thresholds) -> Vec<Proposal> {
        let clause = &clause[..clause.len().min(MAX_CLAUSE)];
        let n = clause.len();
        let kept = |a: usize, b: usize| (a..b).any(|i| keep.get(i).copied().unwrap_or(false));
        if n < 2 {
            return Vec::new();
        }
        let mut cands: Vec<Candidate> = Vec::new();
        let mut seen: FxHashMap<(usize, char), ()> = FxHashMap::default();
        // The best unigram reading of every span of up to MAX_WORD chars: uni[i][l - 1] for [i, i + l).
        let words = self.words_in(clause);
        let uni = self.span_unigrams(clause, &words);
        let (suspect, path) = self.suspects(clause, &words);
        for i in 0..n {
            let slot = sound_slot(&self.sounds, clause[i]).copied().unwrap_or([NONE; 8]);
            for len in (2..=MAX_WORD.min(n)).filter(|_| suspect[i]) {
                let lo = (i + 1).saturating_sub(len);
                for a in lo..=i {
                    if a + len > n {
                        break;
                    }
                    if kept(a, a + len) {
                        continue;
                    }
                    let span = &clause[a..a + len];
                    let key = mask_key(span, i - a);
                    let here = uni[a][len - 1];
                    // Chars that sound the same, then nearly the same: straight from the index.
                    for (k, &syl) in slot.iter().enumerate().filter(|(_, &x)| x != NONE) {
                        let Some(&(start, count)) = self.sound_masks.get(&sound_mask_key(key, syl)) else { continue };
                        for &(c, p) in &self.sound_fills[start as usize..(start + count) as usize] {
                            if p - here < UNIGRAM_SLACK {
                                break;
                            }
                            if c == clause[i] || seen.insert((i, c), ()).is_some() {
                                continue;
                            }
                            let edit = if k < 4 { Edit::Sound } else if shape::similar(clause[i], c) { Edit::Shape } else { Edit::NearSound };
                            cands.push((i, i + 1, vec![c], edit, (a, a + len)));
                        }
                    }
                    // Chars that look alike: few, each tried as a word.
                    for c in shape::alikes(clause[i]) {
                        if seen.contains_key(&(i, c)) {
                            continue;
                        }
                        let mut word = [c; MAX_WORD];
                        word[..len].copy_from_slice(span);
                        word[i - a] = c;
                        let Some(p) = self.word_unigram(&word[..len]) else { continue };
                        if p - here < UNIGRAM_SLACK {
                            continue;
                        }
                        seen.insert((i, c), ());
                        cands.push((i, i + 1, vec![c], Edit::Shape, (a, a + len)));
                    }
                }
            }
            // Function words people mix up, each a word alone: the model reads which one fits.
            if !kept(i, i + 1) {
                if let Some(set) = function_set(clause[i]) {
                    for &c in set.iter().filter(|&&c| c != clause[i]) {
                        if seen.insert((i, c), ()).is_none() {
                            cands.push((i, i + 1, vec![c], Edit::Sound, (i, i + 1)));
                        }
                    }
                }
            }
            if i + 1 < n && !kept(i, i + 2) {
                let (x, y) = (clause[i], clause[i + 1]);
                if x != y {
                    if (suspect[i] || suspect[i + 1]) && self.word_unigram(&[y, x]).is_some() && !self.word_unigram(&[x, y]).is_some_and(|p| p >= SUSPECT_WORD) {
                        cands.push((i, i + 2, vec![y, x], Edit::Swap, (i, i + 2)));
                    }
                } else {
                    // A doubled char is rare enough in text to try wherever it stands; one
                    // that makes a word with a neighbour stays (在院院领导 is 在院 + 院领导).
                    let left = (2..=MAX_WORD).any(|k| i + 1 >= k && self.in_vocabulary(&clause[i + 1 - k..=i]));
                    let right = (2..=MAX_WORD).any(|k| i + 1 + k <= n && self.in_vocabulary(&clause[i + 1..i + 1 + k]));
                    if !self.word_unigram(&[x, y]).is_some_and(|p| p >= SUSPECT_WORD) && !left && !right {
                        cands.push((i, i + 2, vec![x], Edit::Double, (i, i + 2)));
                    }
                }
            }
            // A char left out before char i: a word of four chars around the gap that the
            // text lacks one char of (共产|党员, 志|愿服务; three-char words cost more
            // candidates than they find, bench/README.md).
            if i > 0 && (suspect[i - 1] || suspect[i]) {
                for len in 4..=MAX_WORD {
                    // The word spans [a, i) + gap + [i, a + len - 1) of the clause.
                    for a in (i + 1).saturating_sub(len)..=i {
                        let b = a + len - 1;
                        if b > n || b < i || kept(a, b) {
                            continue;
                        }
                        let mut span: Vec<char> = clause[a..i].to_vec();
                        span.push('\u{0}');
                        span.extend_from_slice(&clause[i..b]);
                        let Some(&(start, count)) = self.masks.get(&mask_key(&span, i - a)) else { continue };
                        for &(c, _, _) in self.fills[start as usize..start as usize + count as usize].iter().take(2) {
                            let mut word = span.clone();
                            word[i - a] = c;
                            if !self.in_vocabulary(&word) || seen.insert((usize::MAX - i, c), ()).is_some() {
                                continue;
                            }
                            cands.push((i, i, vec![c], Edit::Missing, (a, b)));
                        }
                    }
                }
            }
        }
        // Common words for their homophones (意思 for 意识), wherever they stand: a word
        // is a slip the unigram pass cannot see.
        for &(a, e, w) in &path {
            if e - a != 2 || w == 0 || kept(a, e) {
                continue;
            }
            let p = self.lm.unigram(w).0;
            for key in sound_keys(&self.sounds, clause[a], clause[a + 1]) {
                let Some(list) = self.homophones.get(&key) else { continue };
                for &(x, y, _) in list.iter().take_while(|h| h.2 >= p - HOMOPHONE_SLACK).take(HOMOPHONES) {
                    if (x, y) == (clause[a], clause[a + 1]) || !(seen.insert((a, x), ()).is_none() | seen.insert((a + 1, y), ()).is_none()) {
                        continue;
                    }
                    cands.push((a, e, vec![x, y], Edit::Word, (a, e)));
                }
            }
        }
        if cands.is_empty() {
            return Vec::new();
        }
        // Each candidate is scored in a window of WINDOW chars either side (the n-gram model's
        // reach, with room for the segmentation to shift), against the same window of the text.
        SCRATCH.with_borrow_mut(|scratch| {
            // The remembered n-gram scores hold for any text; bounded, they are kept from clause to clause.
            if scratch.memo.len() > MEMO_LIMIT {
                scratch.memo.clear();
            }
            self.score_candidates(clause, cands, scratch, thresholds)
        })
    }

    /// Scores each candidate in its window against the same window of the text; those above
    /// their margin, best first, one per position.
    fn score_candidates(&self, clause: &[char], cands: Vec<Candidate>, scratch: &mut Scratch, thresholds: &Thresholds) -> Vec<Proposal> {
        let n = clause.len();
        let mut bases: FxHashMap<(usize, usize), f32> = FxHashMap::default();
        let mut out: Vec<Proposal> = Vec::new();
        let mut buf: Vec<char> = Vec::with_capacity(n + 1);
        for (a, b, with, edit, (wa, wb)) in cands {
            let (lo, hi) = (a.saturating_sub(WINDOW), (b + WINDOW).min(n));
            let base = match bases.get(&(lo, hi)) {
                Some(&b) => b,
                None => {
                    let b = self.best(&clause[lo..hi], scratch);
                    bases.insert((lo, hi), b);
                    b
                }
            };
            buf.clear();
            buf.extend_from_slice(&clause[lo..a]);
            buf.extend_from_slice(&with);
            buf.extend_from_slice(&clause[b..hi]);
            let gain = self.best(&buf, scratch) - base;
            if gain < thresholds.of(edit) {
                continue;
            }
            // The proposal covers the word the edit makes (表障 → 表彰, not 障 → 彰): a reader
            // sees the word, and a dismissal allows the word, not a char.
            let mut to: String = clause[wa..a].iter().collect();
            to.extend(&with);
            to.extend(&clause[b..wb]);
            out.push(Proposal { start: wa, end: wb, from: clause[wa..wb].iter().collect(), to, edit, gain });
        }
        out.sort_by(|x, y| y.gain.total_cmp(&x.gain));
        // One proposal per position: the best; overlapping ones after it are dropped.
        let mut kept: Vec<Proposal> = Vec::new();
        for p in out {
            if kept.iter().all(|k| p.end <= k.start || p.start >= k.end) {
                kept.push(p);
            }
        }
        kept
    }
}

/// A candidate edit: (start, end, replacement chars of [start, end), edit, the word the edit
/// makes: [wa, wb)).
type Candidate = (usize, usize, Vec<char>, Edit, (usize, usize));

/// Remembered n-gram scores a thread keeps before it starts again: under hashbrown's 7/8 load
/// of 16,384 slots of about 100 bytes (1.6 MB a thread; the server checks on at most one
/// thread per core at a time, but any thread of the blocking pool may have checked before).
const MEMO_LIMIT: usize = 14_000;

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Buffers of the searches, reused from window to window and clause to clause.
#[derive(Default)]
struct Scratch {
    s: String,
    at: Vec<usize>,
    by_start: Vec<Vec<(usize, u32)>>,
    hyps: Vec<Vec<(f32, State)>>,
    memo: FxHashMap<(State, u32), (f32, State)>,
}

fn push_hyp(v: &mut Vec<(f32, State)>, score: f32, state: State) {
    if let Some(h) = v.iter_mut().find(|(_, s)| *s == state) {
        if score > h.0 {
            *h = (score, state);
        }
        return;
    }
    if v.len() < BEAM {
        v.push((score, state));
        return;
    }
    let (worst, _) = v.iter().enumerate().min_by(|x, y| x.1 .0.total_cmp(&y.1 .0)).expect("a full beam");
    if v[worst].0 < score {
        v[worst] = (score, state);
    }
}

/// "约 3 万倍" for a log10 ratio.
pub fn ratio_text(gain: f32) -> String {
    let r = 10f64.powf(gain as f64);
    if r >= 1e12 {
        "上万亿倍".to_string()
    } else if r >= 1e8 {
        format!("{} 亿倍", round2(r / 1e8))
    } else if r >= 1e4 {
        format!("{} 万倍", round2(r / 1e4))
    } else {
        format!("{} 倍", round2(r))
    }
}

fn round2(x: f64) -> String {
    // Two significant digits, as a reader says it.
    if x >= 100.0 {
        format!("{}", (x / 10.0).round() as u64 * 10)
    } else if x >= 10.0 {
        format!("{}", x.round() as u64)
    } else {
        let s = format!("{:.1}", x);
        s.trim_end_matches(".0").to_string()
    }
}

