//! Gambling sites that hijack hospital pages write their brand as a number and a name with a
//! casino word (3118金沙娱乐, 8888XX集团官网, 365体育官网): a number of three or more digits,
//! one to four Chinese or Latin letters, then a word only such sites use. Any brand, not just
//! the ones a lexicon lists: blocking, like the lexicon's gambling brands. Ordinary numbers
//! before ordinary words (120急救平台, 12345政务服务热线) end in none of these words.

use std::sync::OnceLock;

use super::{Needles, Raw};
use crate::normalize::is_han;
use crate::report::{Category, Severity};
use crate::source::Stream;

/// Words after the brand that only gambling sites use (平台 and 集团 alone are ordinary).
const CASINO: &[&str] = &["集团官网", "官网", "官方网站", "娱乐城", "娱乐场", "娱乐", "国际娱乐", "棋牌", "彩票", "网投", "真人", "体育官网", "网址", "彩金", "开户", "注册送"];

pub fn check(s: &Stream, out: &mut Vec<Raw>) {
    static WORDS: OnceLock<Needles> = OnceLock::new();
    let t = s.text.as_str();
    let b = t.as_bytes();
    let mut last_end = 0;
    for (i, w) in WORDS.get_or_init(|| Needles::new(CASINO)).find(t) {
        if i < last_end {
            continue;
        }
        // The brand name right before: 1–4 Chinese or Latin letters, right after the number.
        let mut start = i;
        let mut n = 0;
        for (k, c) in t[..i].char_indices().rev() {
            if n == 4 || !(is_han(c) || c.is_ascii_alphabetic()) {
                break;
            }
            start = k;
            n += 1;
        }
        if n == 0 {
            continue;
        }
        // Then three or more digits, not part of a date or an amount.
        let digits = b[..start].iter().rev().take_while(|c| c.is_ascii_digit()).count();
        if digits < 3 {
            continue;
        }
        let name = &t[start..i];
        if name.starts_with(['年', '月', '日', '号', '元', '万', '人', '名', '个', '次', '份', '岁']) {
            continue;
        }
        let from = start - digits;
        let end = i + CASINO[w].len();
        last_end = end;
        let (a, z) = s.original(from, end);
        // A brand the lexicon knows is reported once, by the lexicon.
        if out.iter().any(|r| r.category == Category::Sensitive && r.start < z && a < r.end) {
            continue;
        }
        out.push(Raw::new("sensitive.hijack_brand", Category::Sensitive, Severity::Block, (a, z), "疑似博彩网站的品牌名（数字＋名称＋官网/娱乐等）：网页可能已被劫持挂马，请立即删除并检查网站是否被篡改"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let s = Stream::from_text(text);
        let mut out = Vec::new();
        check(&s, &mut out);
        out.iter().map(|r| text[r.start..r.end].to_string()).collect()
    }

    #[test]
    fn number_brand_casino_word_is_a_hijacker_whatever_the_brand() {
        assert_eq!(found("欢迎访问8888XX集团官网领取彩金"), vec!["8888XX集团官网"]);
        assert_eq!(found("3118金沙娱乐城"), vec!["3118金沙娱乐城"]);
        assert_eq!(found("365体育官网注册"), vec!["365体育官网"]);
        for ordinary in ["拨打120急救平台", "12345政务服务热线", "2024年官网改版", "医院官网", "共有300名职工参加娱乐活动", "共有300位职工参加娱乐活动"] {
            assert_eq!(found(ordinary), Vec::<String>::new(), "{ordinary}");
        }
    }
}
