//! A Party congress or plenary session cited as the current guidance after its successor met
//! (以党的十九大精神为指导 in a story of 2023): the guidance is the latest congress's.
//! Historical mentions stay: 十九大以来, 党的十九大报告指出, 十九大召开期间 — only a mention
//! followed by 精神 (the congress's guidance) in a clause that follows or studies it
//! (学习, 贯彻, 落实, 为指导, 指引 …) is reported, and only in documents dated on or after the
//! day the next congress opened. Without a document date nothing is reported.
//!
//! Dates (the opening day of each national congress, from the Party's published records;
//! each congress's plenary sessions are superseded with it):
//!
//! | congress | opened | source |
//! |---|---|---|
//! | 十六大 | 2002-11-08 | 新华社《中国共产党第十六次全国代表大会在京开幕》 |
//! | 十七大 | 2007-10-15 | 新华社《中国共产党第十七次全国代表大会在京开幕》 |
//! | 十八大 | 2012-11-08 | 新华社《中国共产党第十八次全国代表大会在京开幕》 |
//! | 十九大 | 2017-10-18 | 新华社《中国共产党第十九次全国代表大会在京开幕》 |
//! | 二十大 | 2022-10-16 | 新华社《中国共产党第二十次全国代表大会在京开幕》 |

use std::sync::OnceLock;

use time::{Date, Month};

use super::{Needles, Raw};
use crate::report::{Category, Severity};
use crate::source::Stream;

/// Each congress by its short name, the date its successor opened, and the successor.
const CONGRESSES: &[(&str, (i32, u8, u8), &str)] = &[
    ("十六", (2007, 10, 15), "十七"),
    ("十七", (2012, 11, 8), "十八"),
    ("十八", (2017, 10, 18), "十九"),
    ("十九", (2022, 10, 16), "二十"),
];

/// Words in the clause that make a mention the guidance followed now.
const GUIDANCE: &[&str] = &["学习", "贯彻", "落实", "领会", "宣传", "为指导", "指引", "引领", "遵循", "践行", "精神实质"];
/// Words right after the mention that make it history.
const HISTORY_AFTER: &[&str] = &["以来", "召开", "期间", "前", "后", "之后", "以前", "报告", "开幕", "闭幕", "代表", "提出", "作出", "确立", "描绘", "部署的"];

fn date((y, m, d): (i32, u8, u8)) -> Date {
    Date::from_calendar_date(y, Month::try_from(m).expect("a month"), d).expect("a date")
}

fn needles() -> &'static (Needles, Vec<(usize, bool)>) {
    static N: OnceLock<(Needles, Vec<(usize, bool)>)> = OnceLock::new();
    N.get_or_init(|| {
        // "十九大精神" and "十九届…全会精神" for each congress.
        let mut words: Vec<&'static str> = Vec::new();
        let mut meta = Vec::new();
        for (k, (name, _, _)) in CONGRESSES.iter().enumerate() {
            words.push(Box::leak(format!("{name}大").into_boxed_str()));
            meta.push((k, false));
            words.push(Box::leak(format!("{name}届").into_boxed_str()));
            meta.push((k, true));
        }
        (Needles::new(&words), meta)
    })
}

fn clause_bounds(t: &str, a: usize, b: usize) -> (usize, usize) {
    const STOPS: &[char] = &['。', '；', ';', '！', '？', '\n', '，', ','];
    (super::back(t, a, STOPS, usize::MAX), super::forward(t, b, STOPS, usize::MAX))
}

pub fn check(s: &Stream, doc: Option<Date>, out: &mut Vec<Raw>) {
    let Some(doc) = doc else { return };
    let t = s.text.as_str();
    let (n, meta) = needles();
    for (i, w) in n.find(t) {
        let (k, plenary) = meta[w];
        let (name, successor_opened, successor) = CONGRESSES[k];
        if doc < date(successor_opened) {
            continue;
        }
        let word_len = name.len() + "大".len();
        let mut end = i + word_len;
        if plenary {
            // 十九届六中全会精神: the session's name runs to 全会.
            let Some(q) = t[end..].find("全会").filter(|&q| q <= 4 * 3) else { continue };
            end += q + "全会".len();
        }
        let rest = &t[end..];
        if HISTORY_AFTER.iter().any(|h| rest.starts_with(h)) || !rest.starts_with("精神") {
            continue;
        }
        end += "精神".len();
        let (cs, ce) = clause_bounds(t, i, end);
        let clause = &t[cs..ce];
        if !GUIDANCE.iter().any(|g| clause.contains(g)) || clause.contains("以来") {
            continue;
        }
        // Widen to 党的 before the congress's name.
        let start = if t[..i].ends_with("党的") { i - "党的".len() } else { i };
        let (what, now) = if plenary { (format!("{name}届全会"), format!("二十届全会（请核对所引全会）")) } else { (format!("党的{name}大"), format!("党的{successor}大")) };
        let reason = format!("{what}精神作为当前指导思想引用时已过时：{}起应为{now}精神；若是回顾历史，请写明（如“{name}大以来”）", crate::lexicon::format_date(date(successor_opened)));
        let suggestion = if plenary { None } else { Some(format!("党的{successor}大精神")) };
        let mut raw = Raw::new("outdated.congress", Category::Outdated, Severity::Warn, s.original(start, end), reason);
        raw.suggestion = suggestion.map(Into::into);
        out.push(raw);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, doc: &str) -> Vec<String> {
        let s = Stream::from_text(text);
        let mut out = Vec::new();
        check(&s, crate::lexicon::parse_date(doc), &mut out);
        out.iter().map(|r| text[r.start..r.end].to_string()).collect()
    }

    #[test]
    fn a_superseded_congress_cited_as_guidance_is_reported_after_its_successor_met() {
        assert_eq!(found("全院以党的十九大精神为指导，扎实推进各项工作。", "2023-03-01"), vec!["党的十九大精神"]);
        assert_eq!(found("深入学习贯彻十九届六中全会精神。", "2023-03-01"), vec!["十九届六中全会精神"]);
        // Before the twentieth congress opened, the nineteenth was the guidance.
        assert_eq!(found("全院以党的十九大精神为指导，扎实推进各项工作。", "2022-10-15"), Vec::<String>::new());
        // History stays.
        for t in ["党的十九大以来，医院发展迅速。", "党的十九大报告指出，要实施健康中国战略。", "十九大召开期间，医院组织收看。", "学习贯彻党的二十大精神。"] {
            assert_eq!(found(t, "2024-05-01"), Vec::<String>::new(), "{t}");
        }
        // Without a document date nothing is said.
        let s = Stream::from_text("以党的十九大精神为指导。");
        let mut out = Vec::new();
        check(&s, None, &mut out);
        assert!(out.is_empty());
    }
}
