//! Unfilled template blanks and leftovers: `___`, `***`, `XXX`, `某某` where no name is
//! being anonymised, `【待补充】`-style notes, and file names left in the text
//! (`未命名.jpg`, `截屏2024-05-01.png`, `IMG_2034.JPG`).

use super::Raw;
use crate::normalize::is_han;
use crate::report::{Category, Severity};
use crate::rules::privacy::SURNAMES;
use crate::source::Stream;

const NOTES: &[&str] = &["待补充", "待完善", "待定", "待填写", "待核实", "待确认", "此处插入", "此处填写", "插入图片", "图片待补", "补充内容", "填写内容"];
const EXTENSIONS: &[&str] = &["jpeg", "jpg", "png", "gif", "bmp", "webp", "heic", "tif", "tiff", "docx", "doc", "xlsx", "xls", "pptx", "ppt", "pdf", "wps", "mp4", "mov", "avi"];

pub fn check(s: &Stream, out: &mut Vec<Raw>) {
    // One paragraph at a time, its chars in a reused buffer.
    let mut chars: Vec<(usize, char)> = Vec::new();
    for (pos, line) in s.paragraphs() {
        chars.clear();
        chars.extend(line.char_indices().map(|(i, c)| (pos + i, c)));
        paragraph(s, &chars, pos + line.len(), out);
    }
}

/// The placeholders in one paragraph: its chars (stream offsets) and where it ends.
fn paragraph(s: &Stream, chars: &[(usize, char)], line_end: usize, out: &mut Vec<Raw>) {
    let n = chars.len();
    let end_of = |k: usize| if k < n { chars[k].0 } else { line_end };
    let mut k = 0;
    while k < n {
        let (i, c) = chars[k];
        // Runs of blank markers.
        let run_of = |pred: &dyn Fn(char) -> bool| chars[k..].iter().take_while(|(_, x)| pred(*x)).count();
        match c {
            '_' | '＿' | '*' | '＊' => {
                let (marks, what) = if matches!(c, '_' | '＿') { (['_', '＿'], "下划线") } else { (['*', '＊'], "星号") };
                let r = run_of(&|x| marks.contains(&x));
                // Two half-width underscores count next to Chinese (__月__日, 共__人).
                let by_han = (k > 0 && is_han(chars[k - 1].1)) || chars.get(k + r).is_some_and(|x| is_han(x.1));
                if r >= 3 || (r == 2 && (c == '＿' || (c == '_' && by_han))) {
                    let reason = format!("未填写的空白（{what}），请补全内容");
                    out.push(Raw::new("placeholder.blank", Category::Placeholder, Severity::Block, s.original(i, end_of(k + r)), reason));
                }
                k += r;
                continue;
            }
            'X' | 'x' | 'Ｘ' | 'ｘ' | '×' => {
                let r = run_of(&|x| matches!(x, 'X' | 'x' | 'Ｘ' | 'ｘ' | '×'));
                let upper = chars[k..k + r].iter().filter(|(_, x)| matches!(x, 'X' | 'Ｘ' | '×')).count();
                let before_ok = k == 0 || !chars[k - 1].1.is_ascii_alphanumeric();
                let after_ok = k + r >= n || !chars[k + r].1.is_ascii_alphanumeric();
                if before_ok && after_ok && (r >= 3 || (r == 2 && upper == 2)) {
                    out.push(Raw::new("placeholder.xxx", Category::Placeholder, Severity::Block, s.original(i, end_of(k + r)), "模板占位符“XX”未替换，请填写实际内容"));
                }
                k += r;
                continue;
            }
            '某' if k + 1 < n && chars[k + 1].1 == '某' => {
                // 张某某 anonymises a name; 某某医院 / 在某某 is an unfilled blank.
                let prev = if k > 0 { Some(chars[k - 1].1) } else { None };
                let anonymised = prev.is_some_and(|p| SURNAMES.contains(p));
                if !anonymised {
                    out.push(Raw::new("placeholder.mouomou", Category::Placeholder, Severity::Warn, s.original(i, end_of(k + 2)), "“某某”像是未替换的占位词（不是化名），请填写实际名称"));
                }
                k += 2;
                continue;
            }
            '【' | '[' | '〔' | '（' | '(' => {
                let close = match c {
                    '【' => '】',
                    '[' => ']',
                    '〔' => '〕',
                    '（' => '）',
                    _ => ')',
                };
                if let Some(len) = chars[k + 1..].iter().take(16).position(|(_, x)| *x == close) {
                    let inner: String = chars[k + 1..k + 1 + len].iter().map(|(_, x)| *x).collect();
                    if NOTES.iter().any(|w| inner.contains(w)) || inner.eq_ignore_ascii_case("todo") || inner.eq_ignore_ascii_case("tbd") {
                        out.push(Raw::new("placeholder.note", Category::Placeholder, Severity::Block, s.original(i, end_of(k + len + 2)), "编辑备注未删除，请补全内容并删去备注"));
                        k += len + 2;
                        continue;
                    }
                }
            }
            '.' => {
                if let Some(fr) = file_name_at(chars, k) {
                    out.push(Raw::new("placeholder.file_name", Category::Placeholder, Severity::Block, s.original(chars[fr.0].0, end_of(fr.1)), "正文中残留文件名，请删除或换成图片说明"));
                    k = fr.1;
                    continue;
                }
            }
            // TODO-style notes written without brackets.
            'T' => {
                let word = ["TODO", "TBD"].into_iter().find(|w| chars[k..].iter().map(|x| x.1).take(w.len()).eq(w.chars()));
                if let Some(w) = word {
                    let before = k.checked_sub(1).map(|p| chars[p].1);
                    let after = chars.get(k + w.len()).map(|x| x.1);
                    if !before.is_some_and(|c| c.is_ascii_alphanumeric()) && !after.is_some_and(|c| c.is_ascii_alphanumeric()) {
                        out.push(Raw::new("placeholder.note", Category::Placeholder, Severity::Block, s.original(i, i + w.len()), "编辑备注未删除"));
                        k += w.len();
                        continue;
                    }
                }
            }
            _ => {}
        }
        k += 1;
    }
}

/// A file name whose extension dot is at char `k`: (first char, one past the last char).
fn file_name_at(chars: &[(usize, char)], k: usize) -> Option<(usize, usize)> {
    let ext_len = chars[k + 1..].iter().take_while(|(_, c)| c.is_ascii_alphanumeric()).count();
    if !(2..=4).contains(&ext_len) {
        return None;
    }
    let ext: String = chars[k + 1..k + 1 + ext_len].iter().map(|(_, c)| c.to_ascii_lowercase()).collect();
    if !EXTENSIONS.contains(&ext.as_str()) {
        return None;
    }
    let end = k + 1 + ext_len;
    // The name: letters, digits, Chinese, and _-()（） and dots, back to a space or punctuation.
    let name_ok = |c: char| c.is_ascii_alphanumeric() || is_han(c) || matches!(c, '_' | '-' | '(' | ')' | '（' | '）' | '.' | '—');
    let mut start = k;
    let mut han = 0;
    while start > 0 && name_ok(chars[start - 1].1) && k - start < 60 {
        if is_han(chars[start - 1].1) {
            han += 1;
            if han > 8 {
                break;
            }
        }
        start -= 1;
    }
    // Screenshots carry a time after a space: 截屏2024-05-01 10.23.45.png
    if start >= 2 && chars[start - 1].1 == ' ' && chars[start - 2].1.is_ascii_digit() {
        let mut s2 = start - 1;
        while s2 > 0 && name_ok(chars[s2 - 1].1) && k - s2 < 60 {
            s2 -= 1;
        }
        start = s2;
    }
    if start == k {
        return None;
    }
    // Part of a web address: not a leftover.
    if start > 0 && matches!(chars[start - 1].1, '/' | ':' | '=') {
        return None;
    }
    Some((start, end))
}
