//! Assessment points (积分) for distributions: rules by outlet kind × media level ×
//! contribution (author or photographer), each effective from a date, so that a new rule
//! applies to what is distributed from then on and never silently changes past points.
//! Points are kept exactly, in hundredths (a story by three authors shares its points
//! 0.34 / 0.33 / 0.33, never 0.333…).

use time::Date;

use crate::outlet::{MediaLevel, OutletKind};

coded!(
    /// What a person contributed to a story.
    Contribution {
        Author = "author", "文字";
        Photographer = "photographer", "摄影";
    }
);

coded!(
    /// Work that earns points without a story (recorded by hand, with evidence).
    ManualKind {
        Training = "training", "参加培训";
        Clue = "clue", "提供新闻线索";
        Video = "video", "制作视频";
        Event = "event", "组织宣传活动";
        Other = "other", "其他";
    }
);

/// A points rule: `points` hundredths for a `contribution` to a story on an outlet of `kind`
/// at `level`, for distributions on or after `valid_from` (until a later rule for the same
/// kind, level and contribution takes over).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The stored rule's id (0 for one not stored).
    pub id: i64,
    pub kind: OutletKind,
    pub level: MediaLevel,
    pub contribution: Contribution,
    pub points: i64,
    pub valid_from: Date,
}

/// The rule in effect on `on` for a contribution to a story on an outlet of `kind` at
/// `level`: of those that match, the one with the latest `valid_from` not after `on`.
pub fn rule_for(rules: &[Rule], kind: OutletKind, level: MediaLevel, contribution: Contribution, on: Date) -> Option<&Rule> {
    rules.iter().filter(|r| r.kind == kind && r.level == level && r.contribution == contribution && r.valid_from <= on).max_by_key(|r| r.valid_from)
}

/// The people named in a credits field (`陈骨科、张三` · `陈骨科 张三` · `陈骨科，张三`), in
/// order, each once.
pub fn names(field: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in field.split(|c: char| "、，,;；/／".contains(c) || c.is_whitespace()) {
        let n = n.trim();
        if !n.is_empty() && !out.iter().any(|o| o == n) {
            out.push(n.to_string());
        }
    }
    out
}

/// `total` hundredths shared by `n` people: equal parts, the hundredths left over going one
/// each to the first in order. The parts always add up to `total`.
pub fn shares(total: i64, n: usize) -> Vec<i64> {
    if n == 0 {
        return Vec::new();
    }
    let n = n as i64;
    let (each, left) = (total / n, total % n);
    (0..n).map(|i| each + i64::from(i < left)).collect()
}

/// What one person earns for one distribution, and the rule that priced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Earned<'r> {
    pub name: String,
    pub contribution: Contribution,
    pub points: i64,
    pub rule: &'r Rule,
}

/// What each person earns for one distribution: authors share the author rule's points,
/// photographers the photographer rule's. No rule, no points.
pub fn earned<'r>(rules: &'r [Rule], kind: OutletKind, level: MediaLevel, on: Date, authors: &str, photographers: &str) -> Vec<Earned<'r>> {
    let mut out = Vec::new();
    for (contribution, field) in [(Contribution::Author, authors), (Contribution::Photographer, photographers)] {
        let people = names(field);
        let Some(rule) = rule_for(rules, kind, level, contribution, on) else { continue };
        let parts = shares(rule.points, people.len());
        for (name, points) in people.into_iter().zip(parts) {
            out.push(Earned { name, contribution, points, rule });
        }
    }
    out
}

/// Points as people type them (`12`, `2.5`, `0.33`) in hundredths: at most two decimals,
/// from 0 to 10,000.
pub fn parse(s: &str) -> Option<i64> {
    let s = s.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok().filter(|w| *w <= 10_000)?;
    let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().ok()? };
    Some(whole * 100 + frac).filter(|p| *p <= 1_000_000)
}

/// Hundredths as people read points: `12`, `2.5`, `0.33`.
pub fn format(points: i64) -> String {
    let sign = if points < 0 { "-" } else { "" };
    let (whole, frac) = (points.abs() / 100, points.abs() % 100);
    match frac {
        0 => format!("{sign}{whole}"),
        f if f % 10 == 0 => format!("{sign}{whole}.{}", f / 10),
        f => format!("{sign}{whole}.{f:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn rule(kind: OutletKind, level: MediaLevel, contribution: Contribution, points: i64, valid_from: Date) -> Rule {
        Rule { id: points, kind, level, contribution, points, valid_from }
    }

    #[test]
    fn the_rule_in_effect_is_the_latest_one_started_by_that_day() {
        use Contribution::*;
        let rules = vec![
            rule(OutletKind::OutsideMedia, MediaLevel::Provincial, Author, 1000, date!(2025 - 01 - 01)),
            rule(OutletKind::OutsideMedia, MediaLevel::Provincial, Author, 1500, date!(2026 - 01 - 01)),
            rule(OutletKind::OutsideMedia, MediaLevel::National, Author, 2000, date!(2025 - 01 - 01)),
            rule(OutletKind::OutsideMedia, MediaLevel::Provincial, Photographer, 500, date!(2025 - 01 - 01)),
        ];
        let at = |on| rule_for(&rules, OutletKind::OutsideMedia, MediaLevel::Provincial, Author, on).map(|r| r.points);
        assert_eq!(at(date!(2024 - 12 - 31)), None, "before any rule");
        assert_eq!(at(date!(2025 - 06 - 30)), Some(1000));
        assert_eq!(at(date!(2025 - 12 - 31)), Some(1000), "the new rule does not reach back");
        assert_eq!(at(date!(2026 - 01 - 01)), Some(1500));
        // Two authors share 15 points; the photographer has his own 5.
        let got = earned(&rules, OutletKind::OutsideMedia, MediaLevel::Provincial, date!(2026 - 03 - 05), "陈骨科、张三", "黄磊");
        let got: Vec<_> = got.into_iter().map(|e| (e.name, e.contribution, e.points, e.rule.id)).collect();
        assert_eq!(got, vec![("陈骨科".into(), Author, 750, 1500), ("张三".into(), Author, 750, 1500), ("黄磊".into(), Photographer, 500, 500)]);
        assert!(earned(&rules, OutletKind::Wechat, MediaLevel::Internal, date!(2026 - 03 - 05), "陈骨科", "").is_empty(), "no rule, no points");
    }

    #[test]
    fn credits_fields_name_each_person_once() {
        assert_eq!(names("陈骨科、张三，李四 王五;陈骨科 / 赵六"), ["陈骨科", "张三", "李四", "王五", "赵六"]);
        assert!(names(" 、 ").is_empty());
    }

    #[test]
    fn points_read_as_people_write_them() {
        assert_eq!([format(1200), format(250), format(33), format(5), format(-150)], ["12", "2.5", "0.33", "0.05", "-1.5"]);
        assert_eq!(shares(100, 3), [34, 33, 33]);
        for p in [0, 5, 33, 250, 1200, 1_000_000] {
            assert_eq!(parse(&format(p)), Some(p), "{p}");
        }
        for bad in ["", "-1", "1.234", "abc", "1e3", ".5", "10001", " 2.5x"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert!(shares(100, 0).is_empty());
    }

    proptest! {
        #[test]
        fn shares_always_add_up_and_differ_by_at_most_one(total in 0i64..1_000_000, n in 1usize..40) {
            let s = shares(total, n);
            prop_assert_eq!(s.len(), n);
            prop_assert_eq!(s.iter().sum::<i64>(), total);
            prop_assert!(s.iter().max().unwrap() - s.iter().min().unwrap() <= 1);
        }
    }
}
