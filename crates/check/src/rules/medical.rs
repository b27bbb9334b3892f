//! Medical-advertising claims that a word list cannot catch alone: cure or efficacy rates
//! with a figure (`治愈率达98%`, `有效率百分之九十`), and "100%" guarantees next to treatment
//! words. (Promises like 根治 and 药到病除 are in the `medical_claim` lexicon.)

use std::sync::OnceLock;

use super::{Needles, Raw};
use crate::report::{Category, Severity};
use crate::source::Stream;

const RATES: &[&str] = &["治愈率", "有效率", "痊愈率", "根治率", "好转率", "康复率", "治疗成功率", "成功率", "总有效率", "治疗有效率", "控制率", "缓解率"];
const GUARANTEE_NEAR: &[&str] = &["治愈", "有效", "康复", "根治", "成功", "无效", "痊愈", "见效", "无副作用", "安全"];

/// What the rules below look for: 率 (every rate word ends in it), "100%", and the last
/// characters of the cure verbs.
fn needles() -> &'static [Needles; 3] {
    static NEEDLES: OnceLock<[Needles; 3]> = OnceLock::new();
    NEEDLES.get_or_init(|| [Needles::new(&["率"]), Needles::new(&["100%"]), Needles::new(&["愈", "效", "根"])])
}

pub fn check(s: &Stream, out: &mut Vec<Raw>) {
    let t = &s.text;
    // Visible spans of rate claims: a "100%" inside one is that claim, not a second finding.
    let mut rate_spans: Vec<(usize, usize)> = Vec::new();
    let [rate, hundred, _] = needles();
    // Every rate word ends in 率: one scan for it, then the longest rate word ending there.
    for (p, _) in rate.find(t) {
        let end = p + '率'.len_utf8();
        let Some(r) = RATES.iter().filter(|r| t[..end].ends_with(*r)).max_by_key(|r| r.len()) else { continue };
        let i = end - r.len();
        let window: String = t[end..].chars().take(8).collect();
        if let Some(fig_end) = figure_in(&window) {
            let full = window[..fig_end].contains("100%") || window[..fig_end].contains("百分之百");
            let (severity, reason) = if full {
                (Severity::Block, "不得承诺或保证疗效：“100%”的治愈率、成功率等属于保证性宣传（《广告法》第十六条），请删除")
            } else {
                (Severity::Warn, "医疗宣传中不得出现治愈率、有效率等疗效数据（《广告法》第十六条），如属学术数据请注明来源或删除")
            };
            rate_spans.push((i, end + fig_end));
            out.push(Raw::new("medical_claim.rate", Category::MedicalClaim, severity, s.original(i, end + fig_end), reason));
        }
    }
    for (i, _) in hundred.find(t) {
        if rate_spans.iter().any(|&(a, b)| a <= i && i + 4 <= b) {
            continue;
        }
        let before: String = t[..i].chars().rev().take(6).collect::<Vec<_>>().into_iter().rev().collect();
        let after: String = t[i + 4..].chars().take(6).collect();
        if GUARANTEE_NEAR.iter().any(|w| before.contains(w) || after.contains(w)) {
            out.push(Raw::new("medical_claim.guarantee", Category::MedicalClaim, Severity::Block, s.original(i, i + 4), "不得承诺或保证疗效（“100%”）"));
        }
    }
    quick_cures(s, out);
}

/// Verbs of a promised cure that a time or dose in front turns into a claim.
const CURE_VERBS: &[&str] = &["治愈", "见效", "除根", "断根"];
/// Units of that time or dose (longest first).
const CURE_UNITS: &[&str] = &["个疗程", "个月", "疗程", "天", "日", "周", "次", "针", "剂", "贴"];
const NUMERALS: &str = "0123456789一二三四五六七八九十两半百";

/// A cure promised within a time or dose: 三天治愈, 一针见效, 2个疗程除根. A verb after
/// anything else (术后七天后治愈出院, 逐渐见效) is a report, not a promise.
fn quick_cures(s: &Stream, out: &mut Vec<Raw>) {
    let t = &s.text;
    let [.., cure] = needles();
    for (i, _) in cure.find(t) {
        let Some(verb) = CURE_VERBS.iter().find(|v| t[..i + 3].ends_with(*v)) else { continue };
        let vs = i + 3 - verb.len();
        let Some(unit) = CURE_UNITS.iter().find(|u| t[..vs].ends_with(*u)) else { continue };
        let us = vs - unit.len();
        let num: usize = t[..us].chars().rev().take_while(|c| NUMERALS.contains(*c)).map(char::len_utf8).sum();
        if num == 0 {
            continue;
        }
        let reason = format!("不得承诺疗效或治愈时间（“{}”），请删除", &t[us - num..i + 3]);
        out.push(Raw::new("medical_claim.quick_cure", Category::MedicalClaim, Severity::Block, s.original(us - num, i + 3), reason));
    }
}

/// Byte end within `w` of a figure (`98%`, `98.5%`, `百分之九十`), if one is there.
fn figure_in(w: &str) -> Option<usize> {
    if let Some(p) = w.find("百分之") {
        let tail = &w[p + "百分之".len()..];
        let n = tail.chars().take_while(|c| "零一二三四五六七八九十百点".contains(*c)).map(char::len_utf8).sum::<usize>();
        if n > 0 {
            return Some(p + "百分之".len() + n);
        }
    }
    let pct = w.find('%')?;
    let head = &w[..pct];
    let digits = head.chars().rev().take_while(|c| c.is_ascii_digit() || *c == '.').count();
    (digits > 0).then_some(pct + 1)
}
