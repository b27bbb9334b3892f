//! A reader of KenLM's binary trie format (`build_binary trie`, with or without quantisation
//! and array-compressed pointers): the format of fcitx's word trigram model
//! (`libime-data-language-model`) and of most n-gram models published for Chinese spelling
//! correction.
//!
//! Why our own reader and not the `kenlm-rs` binding: the binding compiles KenLM's C++ into
//! the one binary under the LGPL-3.0 (this project is MIT or Apache-2.0), allocates every
//! scoring state on the heap, and would add minutes of C++ to every clean build; querying the
//! trie is a few hundred lines. The layout below follows KenLM's `lm/binary_format.cc`,
//! `lm/search_trie.cc`, `lm/trie.cc`, `lm/quantize.cc` and `lm/bhiksha.cc` (format version 5,
//! trie search version 1); scores are checked against KenLM's own in the tests.
//!
//! The file is memory-mapped and never trusted: its sizes are checked against the header when
//! it is opened, and every read is bounds-checked, so a damaged file gives wrong scores or an
//! error, never a crash.

use std::path::Path;

/// The largest order read (KenLM's default build supports 6).
pub const MAX_ORDER: usize = 6;

const MAGIC: &[u8] = b"mmap lm http://kheafield.com/code format version 5\n\0";
const INCOMPLETE: &[u8] = b"mmap lm http://kheafield.com/code incomplete\n";

/// Why a model file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum NgramError {
    #[error("无法读取语言模型文件 {path}：{source}")]
    Io { path: String, source: std::io::Error },
    #[error("语言模型文件格式不支持：{0}")]
    Format(String),
}

fn bad(msg: impl Into<String>) -> NgramError {
    NgramError::Format(msg.into())
}

/// Where the bytes of a model live.
enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl Bytes {
    fn get(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

/// Reads `len` bits (≤ 57) at bit offset `bit` of `b`, little-endian as KenLM packs them.
#[inline(always)]
fn read_bits(b: &[u8], bit: u64, len: u8) -> u64 {
    let byte = (bit >> 3) as usize;
    let raw = match b.get(byte..byte + 8) {
        Some(w) => u64::from_le_bytes(w.try_into().expect("eight bytes")),
        None => {
            let mut w = [0u8; 8];
            if byte < b.len() {
                w[..b.len() - byte].copy_from_slice(&b[byte..]);
            }
            u64::from_le_bytes(w)
        }
    };
    (raw >> (bit & 7)) & ((1u64 << len) - 1)
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4).map_or(0, |w| u32::from_le_bytes(w.try_into().expect("four bytes")))
}

fn f32_at(b: &[u8], at: usize) -> f32 {
    f32::from_bits(u32_at(b, at))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).map_or(0, |w| u64::from_le_bytes(w.try_into().expect("eight bytes")))
}

fn align8(n: usize) -> usize {
    n.div_ceil(8) * 8
}

fn required_bits(max: u64) -> u8 {
    if max == 0 {
        0
    } else {
        (64 - max.leading_zeros()) as u8
    }
}

/// Quantisation tables (`SeparatelyQuantize`): per middle order a probability and a backoff
/// table, and one probability table for the longest order.
#[derive(Debug, Clone)]
struct Quant {
    prob_bits: u8,
    backoff_bits: u8,
    /// Byte offsets of the tables: `middle[i] = (prob, backoff)` for order i + 2.
    middle: Vec<(usize, usize)>,
    longest: usize,
}

/// One bit-packed level of the trie.
#[derive(Debug, Clone)]
struct Level {
    /// Byte offset of the packed entries.
    base: usize,
    entries: u64,
    word_bits: u8,
    /// Bits of the value (quantised or raw probability and backoff) after the word.
    value_bits: u8,
    /// Bits of the inline part of the next pointer (middle levels only).
    next_bits: u8,
    total_bits: u8,
    /// Array-compressed pointers: byte offset and length of the offset table.
    offsets: Option<(usize, usize)>,
}

impl Level {
    /// The bit address of entry `index`.
    fn bit(&self, index: u64) -> u64 {
        self.base as u64 * 8 + index * self.total_bits as u64
    }

    fn key(&self, b: &[u8], index: u64) -> u64 {
        read_bits(b, self.bit(index), self.word_bits)
    }

    /// The index of `word` among entries `[begin, end)` (sorted by word).
    fn find(&self, b: &[u8], begin: u64, end: u64, word: u32) -> Option<u64> {
        let (mut lo, mut hi) = (begin, end.min(self.entries));
        let word = word as u64;
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let k = self.key(b, mid);
            if k < word {
                lo = mid + 1;
            } else if k > word {
                hi = mid;
            } else {
                return Some(mid);
            }
        }
        None
    }

    /// The range of the next level's entries under entry `index` (middle levels).
    fn next(&self, b: &[u8], index: u64) -> (u64, u64) {
        let at = self.bit(index) + self.word_bits as u64 + self.value_bits as u64;
        let inline_begin = read_bits(b, at, self.next_bits);
        let inline_end = read_bits(b, at + self.total_bits as u64, self.next_bits);
        match self.offsets {
            None => (inline_begin, inline_end),
            Some((off, n)) => {
                // The high bits of a pointer are the number of offset-table entries ≤ index.
                let entry = |i: usize| u64_at(b, off + 8 * i);
                let (mut lo, mut hi) = (0usize, n);
                while lo < hi {
                    let mid = (lo + hi) / 2;
                    if entry(mid) <= index {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                let begin_it = lo.saturating_sub(1);
                let mut end_it = begin_it + 1;
                while end_it < n && entry(end_it) <= index + 1 {
                    end_it += 1;
                }
                end_it -= 1;
                (((begin_it as u64) << self.next_bits) | inline_begin, ((end_it as u64) << self.next_bits) | inline_end)
            }
        }
    }
}

/// What the model remembers of the words before the next one: the most recent first, with the
/// backoff weight of each context length. Small and `Copy`, so a search can keep thousands.
#[derive(Debug, Clone, Copy)]
pub struct State {
    words: [u32; MAX_ORDER - 1],
    backoff: [f32; MAX_ORDER - 1],
    len: u8,
}

// Two states are the same context when their words are (the backoffs follow from them).
// Words past `len` are always 0, so whole arrays compare: no slice lengths, no memcmp call
// in the searches' hottest loop.
impl PartialEq for State {
    fn eq(&self, o: &State) -> bool {
        self.len == o.len && self.words == o.words
    }
}

impl Eq for State {}

impl std::hash::Hash for State {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        for &w in &self.words {
            h.write_u32(w);
        }
    }
}

impl State {
    /// The context length this state carries.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The context words, most recent first.
    pub fn words(&self) -> &[u32] {
        &self.words[..self.len as usize]
    }
}

/// A memory-mapped n-gram model in KenLM's binary trie format.
pub struct NgramModel {
    bytes: Bytes,
    order: u8,
    counts: Vec<u64>,
    unigrams: usize,
    quant: Option<Quant>,
    middles: Vec<Level>,
    longest: Level,
    /// Byte spans of the vocabulary strings at the end of the file, by word index.
    vocab: Vec<(u32, u32)>,
    begin: u32,
    end: u32,
}

impl std::fmt::Debug for NgramModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NgramModel").field("order", &self.order).field("counts", &self.counts).field("quantised", &self.quant.is_some()).finish()
    }
}

impl NgramModel {
    /// Maps and checks the model at `path`.
    pub fn open(path: &Path) -> Result<NgramModel, NgramError> {
        let io = |source| NgramError::Io { path: path.display().to_string(), source };
        let file = std::fs::File::open(path).map_err(io)?;
        // SAFETY: the map is read-only and every read of it is bounds-checked; a file changed
        // underneath (a package upgrade replaces it by rename, never in place) could only give
        // wrong scores.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io)?;
        NgramModel::parse(Bytes::Mapped(map))
    }

    /// A model from bytes in memory (tests, fuzzing).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<NgramModel, NgramError> {
        NgramModel::parse(Bytes::Owned(bytes))
    }

    fn parse(bytes: Bytes) -> Result<NgramModel, NgramError> {
        let b = bytes.get();
        if b.starts_with(INCOMPLETE) {
            return Err(bad("文件没有生成完（build_binary 中断）"));
        }
        if !b.starts_with(MAGIC) {
            return Err(bad("不是 KenLM 第 5 版二进制模型（ARPA 文本模型请先用 build_binary trie 转换）"));
        }
        let sanity = align8(MAGIC.len() + 1) + 32;
        let magic_end = align8(MAGIC.len() + 1);
        if f32_at(b, magic_end) != 0.0 || f32_at(b, magic_end + 4) != 1.0 || f32_at(b, magic_end + 8) != -0.5 || u32_at(b, magic_end + 12) != 1 || u32_at(b, magic_end + 16) != u32::MAX || u64_at(b, magic_end + 24) != 1 {
            return Err(bad("文件头的校验值不符（不是本机字节序生成的模型，或文件已损坏）"));
        }
        let order = *b.get(sanity).ok_or_else(|| bad("文件太短"))?;
        let model_type = u32_at(b, sanity + 8);
        let has_vocabulary = b.get(sanity + 12).copied().unwrap_or(0) != 0;
        let search_version = u32_at(b, sanity + 16);
        if !(2..=MAX_ORDER as u8).contains(&order) {
            return Err(bad(format!("阶数 {order} 不在 2–{MAX_ORDER} 之内")));
        }
        // 2 trie, 3 quantised, 4 array-compressed pointers, 5 both (0 and 1 are hash tables).
        if !(2..=5).contains(&model_type) {
            return Err(bad("只支持 trie 结构的模型（build_binary trie），不支持 probing 哈希表"));
        }
        if search_version != 1 {
            return Err(bad(format!("trie 版本 {search_version} 不受支持")));
        }
        if !has_vocabulary {
            return Err(bad("模型文件末尾没有词表（生成时需保留词表）"));
        }
        let counts: Vec<u64> = (0..order as usize).map(|i| u64_at(b, sanity + 20 + 8 * i)).collect();
        if counts[0] < 3 || counts[0] >= u32::MAX as u64 || counts.iter().any(|&c| c == 0 || c >= 1 << 40) {
            return Err(bad(format!("各阶 n 元组数目不合理：{counts:?}")));
        }
        let header = align8(sanity + 20 + 8 * order as usize);
        let quantised = model_type == 3 || model_type == 5;
        let array = model_type == 4 || model_type == 5;
        let vocab_size = 8 + 8 * counts[0] as usize;
        let mut at = header + vocab_size;
        let search_start = at;
        let (quant, middle_value_bits, longest_value_bits) = if quantised {
            let version = b.get(at).copied();
            let (prob_bits, backoff_bits) = (b.get(at + 1).copied().unwrap_or(0), b.get(at + 2).copied().unwrap_or(0));
            if version != Some(2) || !(1..=25).contains(&prob_bits) || !(1..=25).contains(&backoff_bits) {
                return Err(bad("量化表的版本或位数不受支持"));
            }
            let mut t = at + 8;
            let mut middle = Vec::new();
            for _ in 0..order as usize - 2 {
                let p = t;
                t += 4 << prob_bits;
                let bo = t;
                t += 4 << backoff_bits;
                middle.push((p, bo));
            }
            let longest = t;
            let size = (order as usize - 2) * ((4 << backoff_bits) + (4 << prob_bits)) + (4 << prob_bits) + 8;
            at += size;
            (Some(Quant { prob_bits, backoff_bits, middle, longest }), prob_bits + backoff_bits, prob_bits)
        } else {
            (None, 63, 31)
        };
        let unigrams = at;
        at += (counts[0] as usize + 2) * 16;
        let pointer_bhiksha_bits = if array && order > 2 {
            if b.get(at).copied() != Some(0) {
                return Err(bad("压缩指针表的版本不受支持"));
            }
            b.get(at + 1).copied().unwrap_or(0)
        } else {
            0
        };
        let mut middles = Vec::new();
        for i in 2..order as usize {
            let entries = counts[i - 1];
            let max_next = counts[i];
            let max_offset = entries + 1;
            let required = required_bits(max_next);
            let (bhiksha_size, next_bits, offsets) = if array {
                // ChopBits: the number of high pointer bits moved into the offset table.
                let mut best_chop = 0u8;
                let mut lowest = i64::MAX;
                for chop in 0..=required.min(pointer_bhiksha_bits) {
                    let change = ((max_next >> (required - chop)) as i64) * 64 - (max_offset as i64) * chop as i64;
                    if change < lowest {
                        lowest = change;
                        best_chop = chop;
                    }
                }
                let count = (max_next >> (required - best_chop)) as usize + 1;
                let table = align8(at) + 8;
                (8 * (1 + count) + 7, required - best_chop, Some((table, count)))
            } else {
                (0, required, None)
            };
            let word_bits = required_bits(counts[0]);
            let value_bits = middle_value_bits;
            let total_bits = word_bits + value_bits + next_bits;
            if total_bits > 57 + 7 || word_bits > 57 || next_bits > 57 {
                return Err(bad("位宽超出范围"));
            }
            let base = at + bhiksha_size;
            middles.push(Level { base, entries, word_bits, value_bits, next_bits, total_bits, offsets });
            at = base + (((1 + entries) * total_bits as u64 + 7) / 8) as usize + 8;
        }
        let word_bits = required_bits(counts[0]);
        let entries = *counts.last().expect("order ≥ 2");
        let total_bits = word_bits + longest_value_bits;
        let longest = Level { base: at, entries, word_bits, value_bits: longest_value_bits, next_bits: 0, total_bits, offsets: None };
        at += (((1 + entries) * total_bits as u64 + 7) / 8) as usize + 8;
        if b.len() < at {
            return Err(bad(format!("文件只有 {} 字节，按文件头应至少 {at} 字节", b.len())));
        }
        debug_assert!(at > search_start);
        // The vocabulary: NUL-terminated strings in word-index order, <unk> first.
        let mut vocab = Vec::with_capacity(counts[0] as usize);
        let mut p = at;
        while vocab.len() < counts[0] as usize {
            let rest = b.get(p..).unwrap_or_default();
            let n = memchr::memchr(0, rest).ok_or_else(|| bad("词表不完整"))?;
            if std::str::from_utf8(&rest[..n]).is_err() {
                return Err(bad(format!("词表第 {} 个词不是 UTF-8", vocab.len())));
            }
            vocab.push((p as u32, n as u32));
            p += n + 1;
        }
        let mut model = NgramModel { bytes, order, counts, unigrams, quant, middles, longest, vocab, begin: 0, end: 0 };
        if model.word(0) != "<unk>" {
            return Err(bad("词表的第一个词应为 <unk>"));
        }
        // Like KenLM, a vocabulary without sentence markers (fcitx's has none) uses <unk>.
        model.begin = model.index("<s>").unwrap_or(0);
        model.end = model.index("</s>").unwrap_or(0);
        Ok(model)
    }

    fn b(&self) -> &[u8] {
        self.bytes.get()
    }

    /// The model's order (3 for a trigram model).
    pub fn order(&self) -> usize {
        self.order as usize
    }

    /// The number of n-grams of each order.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// The number of words (index 0 is `<unk>`).
    pub fn vocabulary_len(&self) -> usize {
        self.vocab.len()
    }

    /// The word with index `i`.
    pub fn word(&self, i: u32) -> &str {
        let (at, n) = self.vocab[i as usize];
        std::str::from_utf8(&self.b()[at as usize..(at + n) as usize]).expect("checked when opened")
    }

    /// The index of word `w` (a linear scan: for tools and tests; the check looks words up
    /// through its automaton).
    pub fn index(&self, w: &str) -> Option<u32> {
        (0..self.vocab.len() as u32).find(|&i| self.word(i) == w)
    }

    /// Indices of the sentence markers `<s>` and `</s>` (0, `<unk>`, where the vocabulary
    /// has none, as in KenLM).
    pub fn sentence_markers(&self) -> (u32, u32) {
        (self.begin, self.end)
    }

    /// Whether the model was trained with sentence markers.
    pub fn has_sentence_markers(&self) -> bool {
        self.begin != 0 && self.end != 0
    }

    /// The bytes mapped (the model's size on disk).
    pub fn mapped_len(&self) -> usize {
        self.b().len()
    }

    /// log10 p(w) and the backoff of `w` as a context, from the unigram table.
    pub fn unigram(&self, w: u32) -> (f32, f32) {
        let at = self.unigrams + 16 * w as usize;
        (f32_at(self.b(), at), f32_at(self.b(), at + 4))
    }

    fn unigram_next(&self, w: u32) -> (u64, u64) {
        let at = self.unigrams + 16 * w as usize;
        (u64_at(self.b(), at + 8), u64_at(self.b(), at + 24))
    }

    /// (prob, backoff) of middle entry `index` at level `l` (order l + 2).
    fn middle_value(&self, l: usize, index: u64) -> (f32, f32) {
        let level = &self.middles[l];
        let at = level.bit(index) + level.word_bits as u64;
        let b = self.b();
        match &self.quant {
            Some(q) => {
                let bo = read_bits(b, at, q.backoff_bits) as usize;
                let p = read_bits(b, at + q.backoff_bits as u64, q.prob_bits) as usize;
                let (pt, bt) = q.middle[l];
                (f32_at(b, pt + 4 * p), f32_at(b, bt + 4 * bo))
            }
            None => {
                let p = f32::from_bits(read_bits(b, at, 31) as u32 | 0x8000_0000);
                let bo = f32::from_bits(read_bits(b, at + 31, 32) as u32);
                (p, bo)
            }
        }
    }

    fn longest_prob(&self, index: u64) -> f32 {
        let at = self.longest.bit(index) + self.longest.word_bits as u64;
        let b = self.b();
        match &self.quant {
            Some(q) => f32_at(b, q.longest + 4 * read_bits(b, at, q.prob_bits) as usize),
            None => f32::from_bits(read_bits(b, at, 31) as u32 | 0x8000_0000),
        }
    }

    /// The state at the start of a sentence (after `<s>`).
    pub fn begin_state(&self) -> State {
        let mut s = State { words: [0; MAX_ORDER - 1], backoff: [0.0; MAX_ORDER - 1], len: 1 };
        s.words[0] = self.begin;
        s.backoff[0] = self.unigram(self.begin).1;
        s
    }

    /// A state without context.
    pub fn null_state(&self) -> State {
        State { words: [0; MAX_ORDER - 1], backoff: [0.0; MAX_ORDER - 1], len: 0 }
    }

    /// log10 p(`w` | `state`) and the state after `w` (KenLM's `FullScore`).
    pub fn score(&self, state: &State, w: u32) -> (f32, State) {
        let w = if (w as usize) < self.vocab.len() { w } else { 0 };
        let b = self.b();
        let mut out = State { words: [0; MAX_ORDER - 1], backoff: [0.0; MAX_ORDER - 1], len: 0 };
        let (mut prob, bo) = self.unigram(w);
        out.words[0] = w;
        out.backoff[0] = bo;
        // A backoff of exactly -0.0 marks an n-gram that nothing extends.
        let extends = |x: f32| x.to_bits() != 0x8000_0000;
        let mut next_use = if extends(bo) { 1 } else { 0 };
        let mut ngram_len = 1usize;
        let (mut begin, mut end) = self.unigram_next(w);
        let mut independent = begin == end;
        let order = self.order as usize;
        for (i, &ctx) in state.words().iter().enumerate() {
            if independent {
                break;
            }
            if i + 2 == order {
                if let Some(idx) = self.longest.find(b, begin, end, ctx) {
                    prob = self.longest_prob(idx);
                    ngram_len = order;
                }
                break;
            }
            let level = &self.middles[i];
            let Some(idx) = level.find(b, begin, end, ctx) else { break };
            let (p, bo) = self.middle_value(i, idx);
            out.backoff[i + 1] = bo;
            prob = p;
            ngram_len = i + 2;
            (begin, end) = level.next(b, idx);
            independent = begin == end;
            if extends(bo) {
                next_use = ngram_len;
            }
        }
        // The context words the next word may use (the rest stay 0).
        out.len = next_use as u8;
        if out.len == 0 {
            out.words[0] = 0;
        }
        for i in 1..out.len as usize {
            out.words[i] = state.words[i - 1];
        }
        // Back off over the context lengths that were not matched.
        for &x in &state.backoff[ngram_len - 1..state.len as usize] {
            prob += x;
        }
        (prob, out)
    }

    /// log10 of a whole word sequence, from the sentence start to `</s>` if `eos`.
    pub fn sentence(&self, words: &[u32], eos: bool) -> f32 {
        let mut s = self.begin_state();
        let mut total = 0.0;
        for &w in words {
            let (p, next) = self.score(&s, w);
            total += p;
            s = next;
        }
        if eos {
            total += self.score(&s, self.end).0;
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_read_little_endian_across_bytes() {
        let b = [0b1010_1100u8, 0b0000_0011, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(read_bits(&b, 2, 4), 0b1011);
        assert_eq!(read_bits(&b, 6, 4), 0b1110);
        // Near the end the read is padded with zeros, not out of bounds.
        assert_eq!(read_bits(&b, 64, 8), 0);
        assert_eq!(read_bits(&b, 1000, 8), 0);
    }

    #[test]
    fn files_that_are_not_kenlm_tries_are_refused_with_a_reason() {
        for (bytes, want) in [
            (b"\\data\\\nngram 1=3\n".to_vec(), "不是 KenLM"),
            (INCOMPLETE.to_vec(), "没有生成完"),
            (MAGIC.to_vec(), "校验值"),
            (Vec::new(), "不是 KenLM"),
        ] {
            let e = NgramModel::from_bytes(bytes).unwrap_err().to_string();
            assert!(e.contains(want), "{e}");
        }
    }

    #[test]
    fn a_truncated_model_is_refused_not_read_out_of_bounds() {
        let Some(path) = crate::model::system_model_path() else { panic!("the language model is not installed: apt-get install libime-data-language-model (scripts/test installs it)") };
        let full = std::fs::read(&path).unwrap();
        assert!(NgramModel::from_bytes(full[..200].to_vec()).is_err());
        for cut in [full.len() / 3, full.len() - 2_000_000, full.len() - 10] {
            let e = NgramModel::from_bytes(full[..cut].to_vec()).unwrap_err().to_string();
            assert!(e.contains("字节") || e.contains("词表"), "{cut}: {e}");
        }
        assert!(NgramModel::from_bytes(full).is_ok());
    }
}
