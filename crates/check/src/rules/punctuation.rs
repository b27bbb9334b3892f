//! Punctuation: unbalanced pairs (“” ‘’ 《》 （） 【】 「」 『』) within a paragraph,
//! half-width marks between Chinese characters, doubled marks.

use super::{LineRule, Raw};
use crate::normalize::is_han;
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
    super::scan(s, &mut Punctuation::new(s), out);
}

fn opening(c: char) -> Option<char> {
    PAIRS.iter().find(|(o, _)| *o == c).map(|p| p.1)
}

fn closing(c: char) -> Option<char> {
    PAIRS.iter().find(|(_, cl)| *cl == c).map(|p| p.0)
}

/// Half-width marks inside Chinese text are shown one by one up to this many per paragraph,
/// then summed up once, so that a paragraph typed with an English keyboard layout does not
/// bury everything else.
const SHOWN: usize = 3;

/// The rule's state within a paragraph (`base`: its stream offset).
pub struct Punctuation<'s> {
    s: &'s Stream,
    base: usize,
    line: &'s str,
    /// Balance, with a stack (position, opening mark, its closing mark) so that 《“…”》 nests.
    stack: Vec<(usize, char, char)>,
    /// Half-width marks inside Chinese text so far.
    half: usize,
    /// A run of one repeated mark: (start, mark, length).
    run: Option<(usize, char, usize)>,
    prev_han: bool,
}

impl<'s> Punctuation<'s> {
    pub fn new(s: &'s Stream) -> Self {
        Punctuation { s, base: 0, line: "", stack: Vec::new(), half: 0, run: None, prev_han: false }
    }

    fn at(&self, i: usize, c: char) -> (usize, usize) {
        self.s.original(self.base + i, self.base + i + c.len_utf8())
    }

    fn unclosed(&self, &(k, o, cl): &(usize, char, char)) -> Raw {
        Raw::new("punctuation.unbalanced", Category::Punctuation, Severity::Warn, self.at(k, o), format!("“{o}”没有对应的“{cl}”"))
    }

    fn end_run(&mut self, out: &mut Vec<Raw>) {
        if let Some(r) = self.run.take() {
            doubled(self.s, self.base, r, out);
        }
    }
}

impl<'s> LineRule<'s> for Punctuation<'s> {
    fn begin(&mut self, base: usize, line: &'s str) {
        (self.base, self.line, self.half, self.run, self.prev_han) = (base, line, 0, None, false);
        self.stack.clear();
    }

    /// No mark is a Chinese character, and one ends a run of marks.
    #[inline(always)]
    fn han(&mut self, _: usize, _: char, out: &mut Vec<Raw>) {
        if self.run.is_some() {
            self.end_run(out);
        }
        self.prev_han = true;
    }

    fn other(&mut self, i: usize, c: char, out: &mut Vec<Raw>) {
        if !is_han(c) {
            if let Some(close) = opening(c) {
                self.stack.push((i, c, close));
            } else if let Some(open) = closing(c) {
                match self.stack.iter().rposition(|&(_, _, cl)| cl == c) {
                    Some(p) => {
                        out.extend(self.stack[p + 1..].iter().map(|x| self.unclosed(x)));
                        self.stack.truncate(p);
                    }
                    None => out.push(Raw::new("punctuation.unbalanced", Category::Punctuation, Severity::Warn, self.at(i, c), format!("“{c}”前面没有对应的“{open}”"))),
                }
            }
            if let Some((fw, reason)) = full_width(c) {
                let next = self.line[i + c.len_utf8()..].chars().next();
                let prev_han = self.prev_han;
                let chinese = match c {
                    '(' => next.is_some_and(is_han) && prev_han,
                    ')' => prev_han && next.is_none_or(|n| is_han(n) || "，。；：、".contains(n)),
                    _ => prev_han && next.is_none_or(is_han),
                };
                if chinese {
                    self.half += 1;
                    if self.half <= SHOWN {
                        out.push(Raw::new("punctuation.half_width", Category::Punctuation, Severity::Info, self.at(i, c), reason).suggest(fw));
                    }
                }
            }
        }
        // Doubled marks.
        let doubling = matches!(c, '，' | '。' | '、' | '；' | '：' | ',');
        match self.run {
            Some((start, m, n)) if doubling && m == c => self.run = Some((start, m, n + 1)),
            _ => {
                self.end_run(out);
                if doubling {
                    self.run = Some((i, c, 1));
                }
            }
        }
        self.prev_han = is_han(c);
    }

    fn end(&mut self, out: &mut Vec<Raw>) {
        self.end_run(out);
        out.extend(self.stack.iter().map(|x| self.unclosed(x)));
        if self.half > SHOWN {
            out.push(Raw::new(
                "punctuation.half_width_paragraph",
                Category::Punctuation,
                Severity::Info,
                self.s.original(self.base, self.base + self.line.len()),
                format!("本段共有 {} 处半角标点，请统一改为全角", self.half),
            ));
        }
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
