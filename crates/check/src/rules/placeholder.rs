//! Unfilled template blanks and leftovers: `___`, `***`, `XXX`, `某某` where no name is
//! being anonymised, `【待补充】`-style notes, and file names left in the text
//! (`未命名.jpg`, `截屏2024-05-01.png`, `IMG_2034.JPG`).

use super::{LineRule, Raw};
use crate::normalize::is_han;
use crate::report::{Category, Severity};
use crate::rules::privacy::SURNAMES;
use crate::source::Stream;

const NOTES: &[&str] = &["待补充", "待完善", "待定", "待填写", "待核实", "待确认", "此处插入", "此处填写", "插入图片", "图片待补", "补充内容", "填写内容"];
const EXTENSIONS: &[&str] = &["jpeg", "jpg", "png", "gif", "bmp", "webp", "heic", "tif", "tiff", "docx", "doc", "xlsx", "xls", "pptx", "ppt", "pdf", "wps", "mp4", "mov", "avi"];

pub fn check(s: &Stream, out: &mut Vec<Raw>) {
    super::scan(s, &mut Placeholders::new(s), out);
}

/// The rule within a paragraph (`base`: its stream offset): a placeholder found at one char
/// is read to its end, and the rule looks again only from `next` on.
pub struct Placeholders<'s> {
    s: &'s Stream,
    base: usize,
    line: &'s str,
    next: usize,
}

impl<'s> Placeholders<'s> {
    pub fn new(s: &'s Stream) -> Self {
        Placeholders { s, base: 0, line: "", next: 0 }
    }
}

impl<'s> LineRule<'s> for Placeholders<'s> {
    fn begin(&mut self, base: usize, line: &'s str) {
        (self.base, self.line, self.next) = (base, line, 0);
    }

    #[inline(always)]
    fn han(&mut self, i: usize, c: char, out: &mut Vec<Raw>) {
        if c == '某' && i >= self.next {
            self.next = placeholder_at(self.s, self.base, self.line, i, c, out);
        }
    }

    #[inline(always)]
    fn other(&mut self, i: usize, c: char, out: &mut Vec<Raw>) {
        if i >= self.next && matches!(c, '_' | '＿' | '*' | '＊' | 'X' | 'x' | 'Ｘ' | 'ｘ' | '×' | '【' | '[' | '〔' | '（' | '(' | '.' | 'T') {
            self.next = placeholder_at(self.s, self.base, self.line, i, c, out);
        }
    }

    fn end(&mut self, _: &mut Vec<Raw>) {}
}

/// The chars of `line` from byte `i` on: how many in a row satisfy `pred`, and the byte
/// just past them.
fn run_from(line: &str, i: usize, pred: impl Fn(char) -> bool) -> (usize, usize) {
    let mut n = 0;
    let mut end = i;
    for c in line[i..].chars().take_while(|&c| pred(c)) {
        n += 1;
        end += c.len_utf8();
    }
    (n, end)
}

/// The placeholder, if any, that starts with `c` at byte `i` of `line` (a paragraph at stream
/// offset `base`): where to look again.
fn placeholder_at(s: &Stream, base: usize, line: &str, i: usize, c: char, out: &mut Vec<Raw>) -> usize {
    let span = |a: usize, z: usize| s.original(base + a, base + z);
    let prev_of = |i: usize| line[..i].chars().next_back();
    match c {
        '_' | '＿' | '*' | '＊' => {
            let (marks, what) = if matches!(c, '_' | '＿') { (['_', '＿'], "下划线") } else { (['*', '＊'], "星号") };
            let (r, end) = run_from(line, i, |x| marks.contains(&x));
            // Two half-width underscores count next to Chinese (__月__日, 共__人).
            let by_han = prev_of(i).is_some_and(is_han) || line[end..].chars().next().is_some_and(is_han);
            if r >= 3 || (r == 2 && (c == '＿' || (c == '_' && by_han))) {
                let reason = if what == "下划线" { "未填写的空白（下划线），请补全内容" } else { "未填写的空白（星号），请补全内容" };
                out.push(Raw::new("placeholder.blank", Category::Placeholder, Severity::Block, span(i, end), reason));
            }
            return end;
        }
        'X' | 'x' | 'Ｘ' | 'ｘ' | '×' => {
            let (r, end) = run_from(line, i, |x| matches!(x, 'X' | 'x' | 'Ｘ' | 'ｘ' | '×'));
            let upper = line[i..end].chars().filter(|x| matches!(x, 'X' | 'Ｘ' | '×')).count();
            let before_ok = !prev_of(i).is_some_and(|p| p.is_ascii_alphanumeric());
            let after_ok = !line[end..].chars().next().is_some_and(|n| n.is_ascii_alphanumeric());
            if before_ok && after_ok && (r >= 3 || (r == 2 && upper == 2)) {
                out.push(Raw::new("placeholder.xxx", Category::Placeholder, Severity::Block, span(i, end), "模板占位符“XX”未替换，请填写实际内容"));
            }
            return end;
        }
        '某' if line[i + 3..].starts_with('某') => {
            // 张某某 anonymises a name; 某某医院 / 在某某 is an unfilled blank.
            let anonymised = prev_of(i).is_some_and(|p| SURNAMES.contains(p));
            if !anonymised {
                out.push(Raw::new("placeholder.mouomou", Category::Placeholder, Severity::Warn, span(i, i + 6), "“某某”像是未替换的占位词（不是化名），请填写实际名称"));
            }
            return i + 6;
        }
        '【' | '[' | '〔' | '（' | '(' => {
            let close = match c {
                '【' => '】',
                '[' => ']',
                '〔' => '〕',
                '（' => '）',
                _ => ')',
            };
            let after = i + c.len_utf8();
            if let Some(len) = line[after..].chars().take(16).position(|x| x == close) {
                let inner_end = after + line[after..].chars().take(len).map(char::len_utf8).sum::<usize>();
                let inner = &line[after..inner_end];
                if NOTES.iter().any(|w| inner.contains(w)) || inner.eq_ignore_ascii_case("todo") || inner.eq_ignore_ascii_case("tbd") {
                    let end = inner_end + close.len_utf8();
                    out.push(Raw::new("placeholder.note", Category::Placeholder, Severity::Block, span(i, end), "编辑备注未删除，请补全内容并删去备注"));
                    return end;
                }
            }
        }
        '.' => {
            if let Some((a, z)) = file_name_at(line, i) {
                out.push(Raw::new("placeholder.file_name", Category::Placeholder, Severity::Block, span(a, z), "正文中残留文件名，请删除或换成图片说明"));
                return z;
            }
        }
        // TODO-style notes written without brackets.
        'T' => {
            let word = ["TODO", "TBD"].into_iter().find(|w| line[i..].starts_with(w));
            if let Some(w) = word {
                let before = prev_of(i);
                let after = line[i + w.len()..].chars().next();
                if !before.is_some_and(|c| c.is_ascii_alphanumeric()) && !after.is_some_and(|c| c.is_ascii_alphanumeric()) {
                    out.push(Raw::new("placeholder.note", Category::Placeholder, Severity::Block, span(i, i + w.len()), "编辑备注未删除"));
                    return i + w.len();
                }
            }
        }
        _ => {}
    }
    i + c.len_utf8()
}

/// A file name whose extension dot is at byte `k` of `line`: its byte span.
fn file_name_at(line: &str, k: usize) -> Option<(usize, usize)> {
    let ext_len = line[k + 1..].bytes().take_while(u8::is_ascii_alphanumeric).count();
    if !(2..=4).contains(&ext_len) {
        return None;
    }
    let ext = &line[k + 1..k + 1 + ext_len];
    if !EXTENSIONS.iter().any(|e| e.eq_ignore_ascii_case(ext)) {
        return None;
    }
    let end = k + 1 + ext_len;
    // The name: letters, digits, Chinese, and _-()（） and dots, back to a space or punctuation,
    // at most 60 chars and 8 Chinese characters.
    let name_ok = |c: char| c.is_ascii_alphanumeric() || is_han(c) || matches!(c, '_' | '-' | '(' | ')' | '（' | '）' | '.' | '—');
    let back = |from: usize, max_han: usize, taken: usize| -> (usize, usize) {
        let (mut start, mut n, mut han) = (from, taken, 0);
        for c in line[..from].chars().rev() {
            if !name_ok(c) || n >= 60 {
                break;
            }
            if is_han(c) {
                han += 1;
                if han > max_han {
                    break;
                }
            }
            start -= c.len_utf8();
            n += 1;
        }
        (start, n)
    };
    let (mut start, n) = back(k, 8, 0);
    // Screenshots carry a time after a space: 截屏2024-05-01 10.23.45.png
    let mut before = line[..start].chars().rev();
    if let (Some(' '), Some(d)) = (before.next(), before.next()) {
        if d.is_ascii_digit() {
            start = back(start - 1, usize::MAX, n + 1).0;
        }
    }
    if start == k {
        return None;
    }
    // Part of a web address: not a leftover.
    if line[..start].ends_with(['/', ':', '=']) {
        return None;
    }
    Some((start, end))
}
