//! Punctuation: unbalanced pairs (“” ‘’ 《》 （） 【】 「」 『』) within a paragraph,
//! half-width marks between Chinese characters, doubled marks.

use super::Raw;
use crate::normalize::{han_at, is_han};
use crate::report::{Category, Severity};
use crate::source::Stream;

const PAIRS: &[(char, char)] = &[('“', '”'), ('‘', '’'), ('《', '》'), ('（', '）'), ('【', '】'), ('「', '」'), ('『', '』')];

/// The full-width form of a half-width mark, with the finding's reason.
fn full_width(c: char) -> Option<(&'static str, &'static str)> {
    Some(match c {
        ',' => ("，", "中文句子中应使用全角“，”"),
        ';' => ("；", "中文句子中应使用全角“；”"),
        ':' => ("：", "中文句子中应使用全角“：”"),
        '?' => ("？", "中文句子中应使用全角“？”"),
        '!' => ("！", "中文句子中应使用全角“！”"),
        '(' => ("（", "中文句子中应使用全角“（”"),
        ')' => ("）", "中文句子中应使用全角“）”"),
        '.' => ("。", "中文句子中应使用全角“。”"),
        _ => return None,
    })
}

pub fn check(s: &Stream, out: &mut Vec<Raw>) {
    for (pos, line) in s.paragraphs() {
        paragraph(s, pos, line, out);
    }
}

fn opening(c: char) -> Option<char> {
    PAIRS.iter().find(|(o, _)| *o == c).map(|p| p.1)
}

fn closing(c: char) -> Option<char> {
    PAIRS.iter().find(|(_, cl)| *cl == c).map(|p| p.0)
}

/// One paragraph in one pass: `base` is its stream offset. Chinese characters, the bulk of
/// the text, are skipped a byte at a time without being decoded.
fn paragraph(s: &Stream, base: usize, line: &str, out: &mut Vec<Raw>) {
    let at = |i: usize, c: char| -> (usize, usize) { s.original(base + i, base + i + c.len_utf8()) };
    // Balance, with a stack (position, opening mark, its closing mark) so that 《“…”》 nests.
    let mut stack: Vec<(usize, char, char)> = Vec::new();
    let unclosed = |&(k, o, cl): &(usize, char, char)| Raw::new("punctuation.unbalanced", Category::Punctuation, Severity::Warn, at(k, o), format!("“{o}”没有对应的“{cl}”"));
    // Half-width marks inside Chinese text: the first few one by one, then one summary, so
    // that a paragraph typed with an English keyboard layout does not bury everything else.
    const SHOWN: usize = 3;
    let mut half = 0;
    // A run of one repeated mark: (start, mark, length).
    let mut run: Option<(usize, char, usize)> = None;
    let mut prev_han = false;
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if han_at(bytes, i) {
            // Chinese characters: no mark among them, and they end a run.
            if let Some(r) = run.take() {
                doubled(s, base, r, out);
            }
            i += 3;
            while i < bytes.len() && han_at(bytes, i) {
                i += 3;
            }
            prev_han = true;
            continue;
        }
        let c = line[i..].chars().next().expect("a char boundary");
        let next = line[i + c.len_utf8()..].chars().next();
        if !is_han(c) {
            if let Some(close) = opening(c) {
                stack.push((i, c, close));
            } else if let Some(open) = closing(c) {
                match stack.iter().rposition(|&(_, _, cl)| cl == c) {
                    Some(p) => {
                        out.extend(stack[p + 1..].iter().map(unclosed));
                        stack.truncate(p);
                    }
                    None => {
                        out.push(Raw::new("punctuation.unbalanced", Category::Punctuation, Severity::Warn, at(i, c), format!("“{c}”前面没有对应的“{open}”")))
                    }
                }
            }
            if let Some((fw, reason)) = full_width(c) {
                let chinese = match c {
                    '(' => next.is_some_and(is_han) && prev_han,
                    ')' => prev_han && next.is_none_or(|n| is_han(n) || "，。；：、".contains(n)),
                    _ => prev_han && next.is_none_or(is_han),
                };
                if chinese {
                    half += 1;
                    if half <= SHOWN {
                        out.push(Raw::new("punctuation.half_width", Category::Punctuation, Severity::Info, at(i, c), reason).suggest(fw));
                    }
                }
            }
        }
        // Doubled marks.
        let doubling = matches!(c, '，' | '。' | '、' | '；' | '：' | ',');
        match run {
            Some((start, m, n)) if doubling && m == c => run = Some((start, m, n + 1)),
            _ => {
                if let Some(r) = run.take() {
                    doubled(s, base, r, out);
                }
                if doubling {
                    run = Some((i, c, 1));
                }
            }
        }
        prev_han = is_han(c);
        i += c.len_utf8();
    }
    if let Some(r) = run {
        doubled(s, base, r, out);
    }
    out.extend(stack.iter().map(unclosed));
    if half > SHOWN {
        out.push(Raw::new(
            "punctuation.half_width_paragraph",
            Category::Punctuation,
            Severity::Info,
            s.original(base, base + line.len()),
            format!("本段共有 {half} 处半角标点，请统一改为全角"),
        ));
    }
}

fn doubled(s: &Stream, base: usize, (start, c, n): (usize, char, usize), out: &mut Vec<Raw>) {
    if n < 2 {
        return;
    }
    let span = s.original(base + start, base + start + n * c.len_utf8());
    if c == '。' && n >= 3 {
        out.push(Raw::new("punctuation.ellipsis", Category::Punctuation, Severity::Warn, span, "省略号应为“……”").suggest("……"));
    } else {
        out.push(Raw::new("punctuation.doubled", Category::Punctuation, Severity::Warn, span, format!("标点“{c}”重复")).suggest(c.to_string()));
    }
}
