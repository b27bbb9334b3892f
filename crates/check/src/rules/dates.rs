//! Dates: a weekday that does not match its date (`2024年3月5日（星期三）` when the 5th was a
//! Tuesday), a date that does not exist (`2月30日`), and an event date after the document's
//! own date in a report (unless the sentence announces something: 将于, 定于, 截至 …).
//! Reads the folded stream, so full-width digits and brackets count too.

use std::sync::OnceLock;

use time::{Date, Month, Weekday};

use super::{Needles, Raw};
use crate::report::{Category, Severity};
use crate::source::Stream;

const WEEKDAY_NAMES: [char; 7] = ['一', '二', '三', '四', '五', '六', '日'];
const FUTURE_BEFORE: &[&str] = &["将于", "将在", "拟于", "拟在", "定于", "计划于", "计划在", "预计", "截至", "截止", "至", "即将", "届时", "报名", "下周", "下月"];
const FUTURE_AFTER: &[&str] = &["前", "起", "之前", "以前", "截止", "止", "至"];

fn weekday_index(w: Weekday) -> usize {
    w.number_days_from_monday() as usize
}

/// Reads up to `max` ASCII digits at byte `i`: (value, digits read).
fn digits(t: &[u8], i: usize, max: usize) -> Option<(u32, usize)> {
    let n = t[i..].iter().take(max + 1).take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || n > max {
        return None;
    }
    let v = std::str::from_utf8(&t[i..i + n]).ok()?.parse().ok()?;
    Some((v, n))
}

pub fn check(s: &Stream, doc: Option<Date>, out: &mut Vec<Raw>) {
    let t = s.text.as_str();
    let b = t.as_bytes();
    static MONTH: OnceLock<Needles> = OnceLock::new();
    for (yue, _) in MONTH.get_or_init(|| Needles::new(&["月"])).find(t) {
        // The month: 1–2 digits right before 月, not part of a longer number.
        let mstart = (yue.saturating_sub(2)..yue).find(|&i| b[i..yue].iter().all(u8::is_ascii_digit) && (i == 0 || !b[i - 1].is_ascii_digit()));
        let Some(mstart) = mstart else { continue };
        if mstart == yue {
            continue;
        }
        let month: u32 = t[mstart..yue].parse().unwrap_or(0);
        let dstart = yue + '月'.len_utf8();
        let Some((day, dn)) = digits(b, dstart, 2) else { continue };
        let ri = dstart + dn;
        if !(t[ri..].starts_with('日') || t[ri..].starts_with('号')) {
            continue;
        }
        let date_end = ri + '日'.len_utf8();
        // The year, when written: 4 digits and 年 right before the month.
        let (year, start) = match t[..mstart].strip_suffix('年') {
            Some(pre) if pre.len() >= 4 && pre.as_bytes()[pre.len() - 4..].iter().all(u8::is_ascii_digit) && (pre.len() == 4 || !pre.as_bytes()[pre.len() - 5].is_ascii_digit()) => {
                (Some(pre[pre.len() - 4..].parse::<i32>().unwrap_or(0)), pre.len() - 4)
            }
            _ => (None, mstart),
        };
        let Ok(m) = Month::try_from(month as u8) else {
            out.push(Raw::new("date.invalid", Category::Date, Severity::Warn, s.original(start, date_end), format!("{month}月不存在，请核对日期")));
            continue;
        };
        let probe_year = year.or(doc.map(|d| d.year())).unwrap_or(2024);
        let date = match Date::from_calendar_date(probe_year, m, day as u8) {
            Ok(d) => d,
            Err(_) => {
                // Leap days are only wrong when we know the year.
                if !(month == 2 && day == 29 && year.is_none() && doc.is_none()) {
                    out.push(Raw::new("date.invalid", Category::Date, Severity::Warn, s.original(start, date_end), format!("{month}月没有{day}日，请核对日期")));
                }
                continue;
            }
        };
        // A year left out is the document's year, or the one before for December in January.
        let date = match (year, doc) {
            (None, Some(d)) if date > d && (date - d).whole_days() > 183 => date.replace_year(date.year() - 1).unwrap_or(date),
            _ => date,
        };
        let known_year = year.is_some() || doc.is_some();
        if known_year {
            weekday(s, date, date_end, out);
        }
        if let Some(d) = doc {
            if date > d && !announces(t, start, date_end) {
                out.push(Raw::new(
                    "date.after_document",
                    Category::Date,
                    Severity::Info,
                    s.original(start, date_end),
                    format!("报道的事件日期晚于稿件日期（{}），请核对", crate::lexicon::format_date(d)),
                ));
            }
        }
    }
}

/// Checks a weekday written right after a date ending at byte `at`.
fn weekday(s: &Stream, date: Date, at: usize, out: &mut Vec<Raw>) {
    let t = &s.text;
    let rest = &t[at..];
    let skip = rest.len() - rest.trim_start_matches([' ', ',', '(', '，', '、']).len();
    let rest2 = &rest[skip..];
    let word = ["星期", "礼拜", "周"].into_iter().find(|w| rest2.starts_with(w));
    let Some(word) = word else { return };
    let wstart = at + skip;
    let dchar_at = wstart + word.len();
    let Some(dc) = t[dchar_at..].chars().next() else { return };
    let written = match dc {
        '天' => 6,
        c => match WEEKDAY_NAMES.iter().position(|w| *w == c) {
            Some(i) => i,
            None => return,
        },
    };
    let actual = weekday_index(date.weekday());
    if written != actual {
        let right = format!("{word}{}", WEEKDAY_NAMES[actual]);
        out.push(
            Raw::new(
                "date.weekday",
                Category::Date,
                Severity::Warn,
                s.original(wstart, dchar_at + dc.len_utf8()),
                format!("{}年{}月{}日是{right}，与所写不符", date.year(), u8::from(date.month()), date.day()),
            )
            .suggest(right),
        );
    }
}

/// Whether the date at `start..end` is announced rather than reported.
fn announces(t: &str, start: usize, end: usize) -> bool {
    let before: String = t[..start].chars().rev().take(12).collect::<Vec<_>>().into_iter().rev().collect();
    let after: String = t[end..].chars().take(10).collect();
    FUTURE_BEFORE.iter().any(|w| before.contains(w)) || FUTURE_AFTER.iter().any(|w| after.contains(w)) || after.starts_with('-') || after.starts_with('—') || after.starts_with('至')
}
