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

/// Words an organisation's name ends with: where a hijacker puts another name in the place of
/// the hospital's own (a casino's 官网, a private clinic's 医院).
const ORGANISATION: &[&str] = &[
    "医院", "卫生院", "保健院", "诊所", "门诊部", "集团", "公司", "官网", "官方网站", "网站", "娱乐城", "娱乐", "平台", "中心", "研究院", "研究所", "大学", "学院",
];

/// Words that make a stretch a sentence about an organisation, not its name (我院专家赴某县人民医院).
const NOT_A_NAME: &[&str] = &[
    "的", "了", "在", "赴", "到", "与", "和", "及", "同", "对", "向", "为", "把", "被", "给", "从", "是", "来", "去", "进", "我院", "本院", "我们", "举办", "开展", "召开", "签约",
    "调研", "交流", "慰问", "获评", "荣获", "授予", "启动", "参观", "考察", "指导", "帮扶", "支援", "义诊", "合作", "联合", "携手", "共建", "走进",
];

/// Between the parts of a page title (文章标题 - 医院名称, 医院名称_首页).
pub const TITLE_SEPARATORS: &[char] = &['-', '－', '_', '＿', '|', '｜', '–', '—'];

/// The first line of a text is where a page says whose it is (a title ending in the site's
/// name, a masthead). When that place holds an organisation's bare name and the site's own
/// names are nowhere on the line, the page has been taken over or copied from someone else:
/// blocking. `own` are the site's names and short names, folded; without them the rule is off.
pub fn check_title(s: &Stream, own: &[String], out: &mut Vec<Raw>) {
    if own.is_empty() {
        return;
    }
    let Some((base, line)) = s.paragraphs().find(|(_, l)| !l.trim().is_empty()) else { return };
    if own.iter().any(|n| line.contains(n.as_str())) {
        return;
    }
    // The parts at the ends of the line are the site's place; a line of one part is a masthead.
    let parts: Vec<(usize, &str)> = {
        let mut v = Vec::new();
        let mut from = 0;
        for (i, c) in line.char_indices() {
            if TITLE_SEPARATORS.contains(&c) {
                v.push((from, &line[from..i]));
                from = i + c.len_utf8();
            }
        }
        v.push((from, &line[from..]));
        v.into_iter().filter(|(_, p)| !p.trim().is_empty()).collect()
    };
    let ends = match parts.len() {
        0 => return,
        1 => vec![parts[0]],
        n => vec![parts[0], parts[n - 1]],
    };
    for (at, part) in ends {
        let lead = part.len() - part.trim_start().len();
        let name = part.trim();
        if !is_organisation(name) || own.iter().any(|n| n.contains(name)) {
            continue;
        }
        let a = base + at + lead;
        let (a, z) = s.original(a, a + name.len());
        if out.iter().any(|r| r.category == Category::Sensitive && r.start < z && a < r.end) {
            continue;
        }
        let reason = format!("标题或首行中本应是本站名称的位置写着另一个机构“{name}”：网页可能已被劫持或内容转自他处，请核实来源；确属本院的名称请在词库中登记为本院名称");
        out.push(Raw::new("sensitive.hijack_title", Category::Sensitive, Severity::Block, (a, z), reason));
    }
}

/// A bare organisation name: 3–24 chars of letters, digits and Chinese, ending in an
/// organisation word, with nothing that makes it a sentence.
fn is_organisation(name: &str) -> bool {
    let n = name.chars().count();
    (3..=24).contains(&n)
        && name.chars().all(|c| is_han(c) || c.is_ascii_alphanumeric())
        && ORGANISATION.iter().any(|w| name.ends_with(w) && name.len() > w.len())
        && !NOT_A_NAME.iter().any(|w| name.contains(w))
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

    fn found_title(text: &str, own: &[&str]) -> Vec<String> {
        let s = Stream::from_text(text);
        let own: Vec<String> = own.iter().map(|n| n.to_string()).collect();
        let mut out = Vec::new();
        check_title(&s, &own, &mut out);
        out.iter().map(|r| text[r.start..r.end].to_string()).collect()
    }

    #[test]
    fn another_name_where_the_site_name_belongs_is_a_hijack() {
        let own = ["示范医院", "示范市第一人民医院", "市一院"];
        // The site's place at the end or the start of a title, or a masthead of its own.
        assert_eq!(found_title("骨科举办义诊 - 澳门威尼斯人官方网站", &own), vec!["澳门威尼斯人官方网站"]);
        assert_eq!(found_title("某某国际集团官网_首页", &own), vec!["某某国际集团官网"]);
        assert_eq!(found_title("某市仁爱男科医院\n正文第一段", &own), vec!["某市仁爱男科医院"]);
        assert_eq!(found_title("\n  骨科举办义诊｜某某健康平台", &own), vec!["某某健康平台"]);
        // The site's own names, in full or short, anywhere on the line; other organisations
        // named in a sentence; lines that name no organisation; later lines.
        for fine in [
            "骨科举办义诊 - 示范医院",
            "市一院 | 首页",
            "我院与某县人民医院签约 - 示范市第一人民医院",
            "对口支援 | 我院专家赴某县人民医院开展义诊",
            "健康科普｜冬季如何预防流感",
            "第一人民医院",
            "示范医院心内科举办健康讲座\n澳门威尼斯人官方网站",
        ] {
            assert_eq!(found_title(fine, &own), Vec::<String>::new(), "{fine}");
        }
        // Without the site's names the rule cannot tell and says nothing.
        assert_eq!(found_title("骨科举办义诊 - 澳门威尼斯人官方网站", &[]), Vec::<String>::new());
    }
}
