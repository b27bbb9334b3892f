//! Character folding for matching: full width → half width, traditional → simplified, ASCII
//! case; and which characters count as noise that evaders insert between the characters of a
//! sensitive term (`赌*博`, `新 葡 京`, `六.合.彩`). Folding is one character to one character,
//! so every folded character still knows the original character it came from.

use std::sync::OnceLock;

const CJK_START: u32 = 0x3400;
const CJK_END: u32 = 0x9FFF;
const COMPAT_START: u32 = 0xF900;
const COMPAT_END: u32 = 0xFAFF;

/// Whether `c` is one of the 6,763 characters of GB 2312, the basic simplified set.
fn in_gb2312(c: char) -> bool {
    let mut buf = [0u8; 4];
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(c.encode_utf8(&mut buf));
    !unmappable && bytes.len() == 2 && (0xB0..=0xF7).contains(&bytes[0]) && (0xA1..=0xFE).contains(&bytes[1])
}

/// Traditional → simplified for single characters, built once from `simplet2s`'s tables
/// (MIT): every character of the CJK blocks it converts one-to-one, except characters that
/// are themselves in the basic simplified set (GB 2312): 磐 or 著 are simplified characters
/// in their own right and stay as written. A bitmap says which characters change (6 KB, so
/// it stays in cache for ordinary text); a dense table, index = code point − start, gives the
/// simplified character of those that do.
struct T2s {
    changes: Vec<u64>,
    to: Vec<u32>,
}

fn t2s() -> &'static T2s {
    static T2S: OnceLock<T2s> = OnceLock::new();
    T2S.get_or_init(|| {
        let n = (COMPAT_END - CJK_START + 1) as usize;
        let mut to = vec![0u32; n];
        let mut changes = vec![0u64; n.div_ceil(64)];
        let mut buf = [0u8; 4];
        for cp in (CJK_START..=CJK_END).chain(COMPAT_START..=COMPAT_END) {
            let Some(c) = char::from_u32(cp) else { continue };
            let conv = simplet2s::convert(c.encode_utf8(&mut buf));
            let mut it = conv.chars();
            if let (Some(d), None) = (it.next(), it.next()) {
                if d != c && !in_gb2312(c) {
                    let i = (cp - CJK_START) as usize;
                    to[i] = d as u32;
                    changes[i / 64] |= 1 << (i % 64);
                }
            }
        }
        T2s { changes, to }
    })
}

/// Forces the traditional→simplified table to be built (it takes a few milliseconds).
pub fn warm_up() {
    let _ = t2s();
}

/// Folds one character for matching.
#[inline]
pub fn fold(c: char) -> char {
    Folder::get().fold(c)
}

/// [`fold`] with the table at hand, for loops over many characters.
#[derive(Clone, Copy)]
pub struct Folder(&'static T2s);

impl Folder {
    #[inline]
    pub fn get() -> Folder {
        Folder(t2s())
    }

    /// Whether the Chinese character at byte `i` of `b` (where [`han_at`] holds) folds to
    /// itself: the common case, answered from its bytes and the bitmap alone.
    #[inline(always)]
    pub fn han_stays(self, b: &[u8], i: usize) -> bool {
        let k = (han_code(b, i) - CJK_START) as usize;
        self.0.changes[k / 64] & (1 << (k % 64)) == 0
    }

    /// Folds one character for matching.
    #[inline]
    pub fn fold(self, c: char) -> char {
        let cp = c as u32;
        if cp < 0x80 {
            return c.to_ascii_lowercase();
        }
        if (CJK_START..=COMPAT_END).contains(&cp) {
            let i = (cp - CJK_START) as usize;
            if self.0.changes[i / 64] & (1 << (i % 64)) != 0 {
                return char::from_u32(self.0.to[i]).unwrap_or(c);
            }
            return c;
        }
        if (0xFF01..=0xFF5E).contains(&cp) {
            // Full-width ASCII forms.
            let a = char::from_u32(cp - 0xFEE0).unwrap_or(c);
            return a.to_ascii_lowercase();
        }
        if cp == 0x3000 {
            return ' ';
        }
        c
    }
}

/// Folds a whole string (used for lexicon terms).
pub fn fold_str(s: &str) -> String {
    s.chars().map(fold).collect()
}

/// Characters inserted between the characters of a sensitive term to dodge filters, skipped
/// when matching sensitive terms. Line breaks and Chinese sentence punctuation (，。；：！？ and
/// their half-width forms after folding, except `.`) are not noise: a term never spans them.
#[inline]
pub fn is_noise(c: char) -> bool {
    match c {
        '\n' | ',' | ';' | ':' | '!' | '?' | '(' | ')' => false,
        ' ' | '\t' | '\r' | '\u{a0}' => true,
        '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}' => true,
        '*' | '#' | '@' | '$' | '%' | '^' | '&' | '_' | '+' | '=' | '|' | '\\' | '/' | '~' | '-' | '\'' | '"' | '.' | '`' | '<' | '>' | '[' | ']' | '{' | '}' => true,
        '\u{b7}' | '\u{30fb}' | '\u{2022}' | '\u{2027}' => true,
        // Arrows, math, technical, box drawing, shapes, dingbats, misc symbols.
        '\u{2190}'..='\u{2BFF}' => true,
        // Emoji and pictographs.
        '\u{1F000}'..='\u{1FAFF}' => true,
        _ => false,
    }
}

/// Whether `c` is a Chinese character (CJK unified ideographs, extension A, compatibility).
#[inline]
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Whether the char starting at byte `i` of `b` (valid UTF-8, `i` a char boundary) is a
/// three-byte Chinese character (U+3400–U+4DBF, U+4E00–U+9FFF), read from its first two
/// bytes: rules skip the bulk of a story this way without decoding it.
#[inline(always)]
pub fn han_at(b: &[u8], i: usize) -> bool {
    let (lead, second) = (b[i], b.get(i + 1).copied().unwrap_or(0));
    // Without branches (which Chinese text, E4–E9 leads in any order, would mispredict):
    // U+5000–U+9FFF; U+4000–U+4FFF but for the hexagram symbols U+4DC0–U+4DFF; U+3400–U+3FFF.
    (lead.wrapping_sub(0xE5) <= 4) | ((lead == 0xE4) & (second != 0xB7)) | ((lead == 0xE3) & (second >= 0x90))
}

/// The code point of the three-byte char at byte `i` of `b` (where [`han_at`] holds), decoded
/// by hand.
#[inline(always)]
pub fn han_code(b: &[u8], i: usize) -> u32 {
    (b[i] as u32 & 0x0F) << 12 | (b[i + 1] as u32 & 0x3F) << 6 | (b[i + 2] as u32 & 0x3F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_case_and_script() {
        assert_eq!(fold_str("ＡＢＣ１２３　醫院 Bet"), "abc123 医院 bet");
        assert_eq!(fold_str("國務院衛生健康委員會"), "国务院卫生健康委员会");
        assert_eq!(fold_str("骨科"), "骨科");
        assert_eq!(fold_str("磐石"), "磐石", "simplified characters stay");
        assert_eq!(fold_str("，。"), ",。");
    }

    #[test]
    fn han_at_agrees_with_is_han() {
        for cp in 0x2000..0xA000u32 {
            let Some(c) = char::from_u32(cp) else { continue };
            let mut buf = [0u8; 4];
            let e = c.encode_utf8(&mut buf).as_bytes();
            if e.len() == 3 {
                assert_eq!(han_at(e, 0), is_han(c), "U+{cp:04X}");
                assert_eq!(han_code(e, 0), cp);
            }
        }
        assert!(!han_at(b"a", 0));
    }

    #[test]
    fn noise_is_what_evaders_insert_not_sentence_breaks() {
        assert!(is_noise('*') && is_noise(' ') && is_noise('.') && is_noise('★') && is_noise('\u{200b}'));
        assert!(!is_noise('，') && !is_noise(',') && !is_noise('。') && !is_noise('\n') && !is_noise('医'));
    }
}
