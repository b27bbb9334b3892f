//! Punctuation: unbalanced pairs (“” ‘’ 《》 （） 【】 「」 『』) within a paragraph,
//! half-width marks between Chinese characters, doubled marks.

use super::Raw;
use crate::normalize::is_han;
use crate::report::{Category, Severity};
use crate::source::Stream;

const PAIRS: &[(char, char)] = &[('“', '”'), ('‘', '’'), ('《', '》'), ('（', '）'), ('【', '】'), ('「', '」'), ('『', '』')];

fn full_width(c: char) -> Option<char> {
    Some(match c {
        ',' => '，',
        ';' => '；',
        ':' => '：',
        '?' => '？',
        '!' => '！',
        '(' => '（',
        ')' => '）',
        '.' => '。',
        _ => return None,
    })
}

pub fn check(s: &Stream, out: &mut Vec<Raw>) {
    let t = &s.text;
    let mut pos = 0;
    for line in t.split('\n') {
        paragraph(s, pos, line, out);
        pos += line.len() + 1;
    }
}

fn paragraph(s: &Stream, base: usize, line: &str, out: &mut Vec<Raw>) {
    let chars: Vec<(usize, char)> = line.char_indices().map(|(i, c)| (base + i, c)).collect();
    let at = |k: usize| -> (usize, usize) { s.original(chars[k].0, chars[k].0 + chars[k].1.len_utf8()) };
    // Balance, with a stack so that 《“…”》 nests.
    let mut stack: Vec<(usize, char)> = Vec::new();
    for (k, &(_, c)) in chars.iter().enumerate() {
        if let Some(&(_, close)) = PAIRS.iter().find(|(o, _)| *o == c) {
            stack.push((k, close));
        } else if let Some(&(open, _)) = PAIRS.iter().find(|(_, cl)| *cl == c) {
            match stack.iter().rposition(|(_, cl)| *cl == c) {
                Some(p) => {
                    for &(k2, cl) in &stack[p + 1..] {
                        out.push(Raw::new("punctuation.unbalanced", Category::Punctuation, Severity::Warn, at(k2), format!("“{}”没有对应的“{cl}”", chars[k2].1)));
                    }
                    stack.truncate(p);
                }
                None => out.push(Raw::new("punctuation.unbalanced", Category::Punctuation, Severity::Warn, at(k), format!("“{c}”前面没有对应的“{open}”"))),
            }
        }
    }
    for &(k, cl) in &stack {
        out.push(Raw::new("punctuation.unbalanced", Category::Punctuation, Severity::Warn, at(k), format!("“{}”没有对应的“{cl}”", chars[k].1)));
    }
    // Half-width marks inside Chinese text: the first few one by one, then one summary, so
    // that a paragraph typed with an English keyboard layout does not bury everything else.
    const SHOWN: usize = 3;
    let mut half = 0;
    for k in 0..chars.len() {
        let c = chars[k].1;
        let Some(fw) = full_width(c) else { continue };
        let prev = k.checked_sub(1).map(|p| chars[p].1);
        let next = chars.get(k + 1).map(|x| x.1);
        let chinese = match c {
            '(' => next.is_some_and(is_han) && prev.is_some_and(is_han),
            ')' => prev.is_some_and(is_han) && next.is_none_or(|n| is_han(n) || "，。；：、".contains(n)),
            _ => prev.is_some_and(is_han) && next.is_none_or(is_han),
        };
        if chinese {
            half += 1;
            if half <= SHOWN {
                out.push(Raw::new("punctuation.half_width", Category::Punctuation, Severity::Info, at(k), format!("中文句子中应使用全角“{fw}”")).suggest(fw.to_string()));
            }
        }
    }
    if half > SHOWN {
        let first = chars.first().map(|c| c.0).unwrap_or(base);
        let last = chars.last().map(|c| c.0 + c.1.len_utf8()).unwrap_or(base);
        out.push(Raw::new("punctuation.half_width_paragraph", Category::Punctuation, Severity::Info, s.original(first, last), format!("本段共有 {half} 处半角标点，请统一改为全角")));
    }
    // Doubled marks.
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k].1;
        if "，。、；：,".contains(c) {
            let run = chars[k..].iter().take_while(|x| x.1 == c).count();
            if run >= 2 {
                let span = s.original(chars[k].0, chars[k + run - 1].0 + c.len_utf8());
                if c == '。' && run >= 3 {
                    out.push(Raw::new("punctuation.ellipsis", Category::Punctuation, Severity::Warn, span, "省略号应为“……”").suggest("……"));
                } else {
                    out.push(Raw::new("punctuation.doubled", Category::Punctuation, Severity::Warn, span, format!("标点“{c}”重复")).suggest(c.to_string()));
                }
            }
            k += run;
            continue;
        }
        k += 1;
    }
}
