//! Where a text names people: the language model knows few names and would "correct" every
//! one of them (冯世庆 → 愤世情), so the model stage proposes nothing inside these spans.
//! A name is a common surname and one or two more characters, placed where news places
//! names: after a title or a byline (院长冯世庆, 摄影：饶经伦, 记者 王某), before what people
//! do in news (赵海平强调, 张立东致闭幕词), or alone between list marks (、孔令华、).

use std::sync::OnceLock;

use crate::normalize::is_han;
use crate::rules::privacy::SURNAMES;

fn surname(c: char) -> bool {
    static SET: OnceLock<rustc_hash::FxHashSet<char>> = OnceLock::new();
    SET.get_or_init(|| SURNAMES.chars().collect()).contains(&c)
}
use crate::rules::Needles;

/// Words a name follows.
const BEFORE: &[&str] = &[
    "书记", "院长", "主任", "部长", "委员", "主席", "处长", "科长", "局长", "厅长", "校长", "护士长", "医师", "教授", "记者", "摄影", "通讯员", "编辑", "作者", "供稿", "审核", "审稿",
    "责编", "校对", "撰稿", "文字", "图片", "视频", "文", "图", "专家", "博士", "老师", "医生", "护士", "主持人", "代表", "会长", "理事长", "秘书长", "总监", "经理", "组长", "队长",
    "同志", "患者", "家属", "市民", "老人", "学生", "志愿者", "院士", "董事长", "总经理", "主管", "干事", "团长",
];

/// Words a name precedes.
const AFTER: &[&str] = &[
    "强调", "表示", "指出", "主持", "致辞", "致", "作", "介绍", "说", "认为", "要求", "希望", "提出", "从", "代表", "同志", "一行", "等", "教授", "主任", "书记", "院长", "医生", "护士",
    "带领", "带队", "率队", "出席", "参加", "宣读", "传达", "讲话", "发言", "汇报", "总结", "解读", "分享", "讲解", "点评", "回顾", "宣布", "获得", "荣获", "当选", "为", "对",
];

fn needles(words: &'static [&'static str]) -> &'static Needles {
    static BEFORE_N: OnceLock<Needles> = OnceLock::new();
    static AFTER_N: OnceLock<Needles> = OnceLock::new();
    if std::ptr::eq(words, BEFORE) { BEFORE_N.get_or_init(|| Needles::new(BEFORE)) } else { AFTER_N.get_or_init(|| Needles::new(AFTER)) }
}

/// Adds the byte spans of `t` that are probably people's names.
pub fn spans(t: &str, out: &mut Vec<(usize, usize)>) {
    let b = t.as_bytes();
    let name_at = |start: usize| -> Option<usize> {
        // A surname, then one or two Chinese characters: the longest that stays inside the
        // run of Chinese characters (a name is cut by punctuation, digits and spaces).
        let mut it = t[start..].char_indices();
        let (_, first) = it.next()?;
        if !surname(first) {
            return None;
        }
        let mut end = start + first.len_utf8();
        let mut n = 0;
        for (k, c) in it {
            if n == 2 || !is_han(c) {
                break;
            }
            end = start + k + c.len_utf8();
            n += 1;
        }
        (n >= 1).then_some(end)
    };
    // After a title or byline word, possibly with a colon or spaces between.
    for (i, w) in needles(BEFORE).find(t) {
        let mut at = i + BEFORE[w].len();
        while let Some(c) = t[at..].chars().next().filter(|c| matches!(c, ':' | '：' | ' ' | '　' | '/')) {
            at += c.len_utf8();
        }
        if let Some(end) = name_at(at) {
            out.push((at, end));
        }
    }
    // Before what people do: the two or three chars before the word, starting at a surname
    // right after a clause boundary or a title.
    for (i, _) in needles(AFTER).find(t) {
        for len in [3usize, 2] {
            let start = i.checked_sub(3 * len);
            let Some(start) = start.filter(|&s| t.is_char_boundary(s)) else { continue };
            let name = &t[start..i];
            if name.chars().count() != len || !name.chars().all(is_han) || !name.chars().next().is_some_and(|c| surname(c)) {
                continue;
            }
            let before = t[..start].chars().next_back();
            if before.is_none_or(|c| !is_han(c)) || BEFORE.iter().any(|w| t[..start].ends_with(w)) {
                out.push((start, i));
                break;
            }
        }
    }
    // Alone between list marks or at the start of a line: 、孔令华、 or “张立东，”.
    let mut k = 0;
    while k < b.len() {
        let c = t[k..].chars().next().expect("a char boundary");
        let run_start = k;
        if is_han(c) {
            let mut end = k;
            let mut n = 0;
            for (j, d) in t[k..].char_indices() {
                if !is_han(d) {
                    break;
                }
                end = k + j + d.len_utf8();
                n += 1;
            }
            let before = t[..run_start].chars().next_back();
            let after = t[end..].chars().next();
            let listy = |c: Option<char>| c.is_none_or(|c| matches!(c, '、' | '，' | ',' | '\n' | ' ' | '　' | '（' | '(' | '）' | ')'));
            let ends = |c: Option<char>| listy(c) || c.is_some_and(|c| matches!(c, '。' | '；' | ';'));
            if (2..=3).contains(&n) && surname(c) && listy(before) && ends(after) {
                out.push((run_start, end));
            }
            k = end;
        } else {
            k += c.len_utf8();
        }
    }
}

#[cfg(test)]
mod tests {
    fn names(t: &str) -> Vec<&str> {
        let mut v = Vec::new();
        super::spans(t, &mut v);
        v.sort();
        v.dedup();
        v.into_iter().map(|(a, b)| &t[a..b]).collect()
    }

    #[test]
    fn names_are_found_where_news_puts_them() {
        assert_eq!(names("院长冯世庆及全体在院院领导出席会议"), vec!["冯世庆"]);
        assert_eq!(names("摄影：饶经伦"), vec!["饶经伦"]);
        assert_eq!(names("会上，赵海平作题为《踔厉奋发》的报告"), vec!["赵海平"]);
        assert_eq!(names("出席会议的有孔令华、王厚江、丁印鲁。"), vec!["王厚江", "丁印鲁"]);
        assert_eq!(names("医院召开职工代表大会"), Vec::<&str>::new());
    }
}
