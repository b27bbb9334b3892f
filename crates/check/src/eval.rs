//! Measuring the check against a labelled corpus: documents written by the team with every
//! error marked inline as `{{surface|category}}` (the surface stays in the text; the category
//! is the one the checker should report). A document without marks is a clean near-miss: any
//! finding in it is a false alarm. Header lines `# date: YYYY-MM-DD` set the document date;
//! other `#` lines at the top are comments.
//!
//! A finding matches a label when the categories agree and the character spans overlap; each
//! label and each finding is matched at most once. Recall = matched labels / labels,
//! precision = matched findings / findings, per category and overall.

use std::collections::BTreeMap;

use time::Date;

use crate::{lexicon, Category, CheckInput, Checker};

/// One labelled error: a character span of the plain text and its category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub start: usize,
    pub end: usize,
    pub category: Category,
    pub surface: String,
}

/// A corpus document with the marks taken out.
#[derive(Debug, Clone)]
pub struct Document {
    pub text: String,
    pub date: Option<Date>,
    pub labels: Vec<Label>,
}

/// A malformed corpus line.
#[derive(Debug, thiserror::Error)]
#[error("第 {line} 行：{message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// Parses an annotated document.
pub fn parse(src: &str) -> Result<Document, ParseError> {
    let mut date = None;
    let mut body_start = 0;
    for (i, l) in src.split_inclusive('\n').enumerate() {
        let t = l.trim();
        if let Some(rest) = t.strip_prefix('#') {
            if let Some(d) = rest.trim().strip_prefix("date:") {
                date = Some(lexicon::parse_date(d.trim()).ok_or_else(|| ParseError { line: i + 1, message: format!("日期格式应为 YYYY-MM-DD：{d}") })?);
            }
            body_start += l.len();
        } else {
            break;
        }
    }
    let body = &src[body_start..];
    let mut text = String::with_capacity(body.len());
    let mut labels = Vec::new();
    let mut chars = 0usize;
    let mut rest = body;
    let line_of = |s: &str| src[..src.len() - s.len()].matches('\n').count() + 1;
    while let Some(open) = rest.find("{{") {
        let before = &rest[..open];
        text.push_str(before);
        chars += before.chars().count();
        let after = &rest[open + 2..];
        let close = after.find("}}").ok_or_else(|| ParseError { line: line_of(after), message: "“{{” 没有对应的 “}}”".into() })?;
        let inner = &after[..close];
        let (surface, cat) = inner.rsplit_once('|').ok_or_else(|| ParseError { line: line_of(after), message: format!("标注应写成 {{{{原文|类别}}}}：{inner}") })?;
        let category = Category::parse(cat.trim()).ok_or_else(|| ParseError { line: line_of(after), message: format!("未知类别：{cat}") })?;
        if surface.is_empty() || surface.contains("{{") {
            return Err(ParseError { line: line_of(after), message: format!("标注的原文为空或嵌套：{inner}") });
        }
        let n = surface.chars().count();
        labels.push(Label { start: chars, end: chars + n, category, surface: surface.to_string() });
        text.push_str(surface);
        chars += n;
        rest = &after[close + 2..];
    }
    text.push_str(rest);
    Ok(Document { text, date, labels })
}

/// Counts for one category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub labels: usize,
    pub findings: usize,
    /// Labels found.
    pub hits: usize,
    /// Findings that match a label.
    pub correct: usize,
}

impl Tally {
    pub fn recall(&self) -> f64 {
        if self.labels == 0 { 1.0 } else { self.hits as f64 / self.labels as f64 }
    }

    pub fn precision(&self) -> f64 {
        if self.findings == 0 { 1.0 } else { self.correct as f64 / self.findings as f64 }
    }

    fn add(&mut self, o: Tally) {
        self.labels += o.labels;
        self.findings += o.findings;
        self.hits += o.hits;
        self.correct += o.correct;
    }
}

/// A missed label or a false alarm, for the report.
#[derive(Debug, Clone)]
pub struct Miss {
    pub category: Category,
    pub surface: String,
    /// `rule` of the finding for a false alarm; empty for a missed label.
    pub rule: String,
}

/// The score of one document.
#[derive(Debug, Clone, Default)]
pub struct Score {
    pub by_category: BTreeMap<Category, Tally>,
    pub missed: Vec<Miss>,
    pub false_alarms: Vec<Miss>,
}

impl Score {
    pub fn total(&self) -> Tally {
        let mut t = Tally::default();
        for v in self.by_category.values() {
            t.add(*v);
        }
        t
    }

    pub fn merge(&mut self, o: Score) {
        for (c, t) in o.by_category {
            self.by_category.entry(c).or_default().add(t);
        }
        self.missed.extend(o.missed);
        self.false_alarms.extend(o.false_alarms);
    }
}

/// Checks a document and scores the findings against its labels.
pub fn score(checker: &Checker, doc: &Document) -> Score {
    let mut input = CheckInput::text(&doc.text);
    input.date = doc.date;
    let report = checker.check(&input);
    let mut s = Score::default();
    let mut used = vec![false; report.findings.len()];
    for l in &doc.labels {
        let t = s.by_category.entry(l.category).or_default();
        t.labels += 1;
        let hit = report.findings.iter().enumerate().find(|(i, f)| !used[*i] && f.category == l.category && f.start < l.end && l.start < f.end);
        match hit {
            Some((i, _)) => {
                used[i] = true;
                t.hits += 1;
            }
            None => s.missed.push(Miss { category: l.category, surface: l.surface.clone(), rule: String::new() }),
        }
    }
    for (i, f) in report.findings.iter().enumerate() {
        let t = s.by_category.entry(f.category).or_default();
        t.findings += 1;
        if used[i] {
            t.correct += 1;
        } else {
            s.false_alarms.push(Miss { category: f.category, surface: f.text.clone(), rule: f.rule.to_string() });
        }
    }
    s
}

/// A sentence pair: the text as written (with one or more wrong characters, or none) and as
/// it should read.
#[derive(Debug, Clone)]
pub struct Pair {
    pub wrong: String,
    pub right: String,
}

/// Parses `wrong TAB right`, one pair a line (`#` lines and blank lines skipped).
pub fn parse_pairs(src: &str) -> Result<Vec<Pair>, ParseError> {
    let mut out = Vec::new();
    for (i, l) in src.lines().enumerate() {
        let l = l.trim_end_matches('\r');
        if l.trim().is_empty() || l.starts_with('#') {
            continue;
        }
        let (w, r) = l.split_once('\t').ok_or_else(|| ParseError { line: i + 1, message: "每行应为“错句<TAB>正句”".into() })?;
        out.push(Pair { wrong: w.to_string(), right: r.to_string() });
    }
    Ok(out)
}

/// The char positions where `wrong` differs from `right` (for pairs of different lengths, the
/// span between their common prefix and suffix).
pub fn differences(wrong: &str, right: &str) -> Vec<usize> {
    let w: Vec<char> = wrong.chars().collect();
    let r: Vec<char> = right.chars().collect();
    if w.len() == r.len() {
        return (0..w.len()).filter(|&i| w[i] != r[i]).collect();
    }
    let pre = w.iter().zip(&r).take_while(|(a, b)| a == b).count();
    let suf = w.iter().rev().zip(r.iter().rev()).take_while(|(a, b)| a == b).count().min(w.len().saturating_sub(pre)).min(r.len().saturating_sub(pre));
    let end = (w.len() - suf).max(pre + 1).min(w.len().max(1));
    (pre.min(w.len().saturating_sub(1))..end).collect()
}

/// Sentence-level detection on pairs, counting findings of warn level and above.
#[derive(Debug, Clone, Default)]
pub struct PairScore {
    /// Pairs whose sides differ (the wrong sentences).
    pub wrong: usize,
    /// Wrong sentences with a finding on a wrong character.
    pub detected: usize,
    /// Wrong sentences with findings, none of them on a wrong character.
    pub misplaced: usize,
    /// Clean sentences (the right side of every pair).
    pub clean: usize,
    /// Clean sentences with a finding.
    pub false_alarms: usize,
    /// Wrong sentences whose finding's suggestion gives exactly the right text there.
    pub corrected: usize,
    /// Findings per rule on the clean sentences, for tuning.
    pub false_rules: BTreeMap<String, usize>,
    /// Missed wrong sentences and false alarms, as (sentence, what was said), for reading.
    pub missed: Vec<String>,
    pub alarms: Vec<(String, String)>,
}

impl PairScore {
    /// Detected wrong sentences / wrong sentences.
    pub fn recall(&self) -> f64 {
        ratio(self.detected, self.wrong)
    }

    /// Flagged clean sentences / clean sentences.
    pub fn false_alarm_rate(&self) -> f64 {
        ratio(self.false_alarms, self.clean)
    }

    /// Correctly detected / all flagged sentences (wrong ones flagged in the wrong place and
    /// flagged clean ones count against it).
    pub fn precision(&self) -> f64 {
        let flagged = self.detected + self.misplaced + self.false_alarms;
        if flagged == 0 { 1.0 } else { self.detected as f64 / flagged as f64 }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Checks both sides of every pair (on every core) and counts detections and false alarms.
pub fn score_pairs(checker: &Checker, pairs: &[Pair]) -> PairScore {
    let inputs: Vec<CheckInput<'_>> = pairs.iter().flat_map(|p| [CheckInput::text(&p.wrong), CheckInput::text(&p.right)]).collect();
    let reports = checker.check_many_with(&inputs, |_, r| r.findings.into_iter().filter(|f| f.severity >= crate::Severity::Warn).collect::<Vec<_>>());
    let mut s = PairScore::default();
    for (k, p) in pairs.iter().enumerate() {
        let (on_wrong, on_right) = (&reports[2 * k], &reports[2 * k + 1]);
        s.clean += 1;
        if !on_right.is_empty() {
            s.false_alarms += 1;
            for f in on_right {
                *s.false_rules.entry(f.rule.to_string()).or_default() += 1;
            }
            s.alarms.push((p.right.clone(), on_right.iter().map(|f| format!("{}→{}（{}）", f.text, f.suggestion.as_deref().unwrap_or(""), f.rule)).collect::<Vec<_>>().join("；")));
        }
        if p.wrong == p.right {
            continue;
        }
        s.wrong += 1;
        let diff = differences(&p.wrong, &p.right);
        let hit: Vec<_> = on_wrong.iter().filter(|f| diff.iter().any(|&d| f.start <= d && d < f.end)).collect();
        if !hit.is_empty() {
            s.detected += 1;
            let chars: Vec<char> = p.wrong.chars().collect();
            let fixed = hit.iter().any(|f| {
                let Some(sug) = f.suggestion.as_deref() else { return false };
                let mut t: String = chars[..f.start].iter().collect();
                t.push_str(sug);
                t.extend(&chars[f.end.min(chars.len())..]);
                // Other wrong characters may remain; the fix is right where it applies.
                differences(&t, &p.right).len() < diff.len() && t.chars().count() == p.right.chars().count()
            });
            if fixed {
                s.corrected += 1;
            }
        } else {
            if on_wrong.is_empty() {
                s.missed.push(format!("{}\t{}", p.wrong, p.right));
            } else {
                s.misplaced += 1;
                s.missed.push(format!("{}\t{}\t（报在别处：{}）", p.wrong, p.right, on_wrong.iter().map(|f| f.text.as_str()).collect::<Vec<_>>().join("、")));
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_become_labels_over_the_plain_text() {
        let d = parse("# date: 2026-11-24\n# 说明\n全院职工{{再接再励|typo}}，{{3118金沙|sensitive}}。\n").unwrap();
        assert_eq!(d.text, "全院职工再接再励，3118金沙。\n");
        assert_eq!(d.date, lexicon::parse_date("2026-11-24"));
        assert_eq!(d.labels.len(), 2);
        let l = &d.labels[0];
        assert_eq!((l.start, l.end, l.category), (4, 8, Category::Typo));
        let chars: Vec<char> = d.text.chars().collect();
        let second = &d.labels[1];
        assert_eq!(chars[second.start..second.end].iter().collect::<String>(), "3118金沙");
        assert!(parse("{{缺少类别}}").is_err());
        assert!(parse("{{x|nonsense}}").is_err());
        assert!(parse("{{未闭合|typo").is_err());
    }

    #[test]
    fn scores_count_hits_misses_and_false_alarms() {
        let c = Checker::builtin();
        let d = parse("全院职工{{再接再励|typo}}。我院{{全省第一|ad_absolute}}。{{按步就班|placeholder}}。").unwrap();
        let s = score(&c, &d);
        let typo = s.by_category[&Category::Typo];
        assert_eq!((typo.labels, typo.hits), (1, 1));
        assert_eq!(s.by_category[&Category::AdAbsolute].hits, 1);
        // The typo labelled as a placeholder: a miss and a false alarm.
        assert_eq!(s.missed.len(), 1);
        assert!(s.false_alarms.iter().any(|m| m.surface == "按步就班"));
    }

    #[test]
    fn pairs_are_scored_by_where_they_differ() {
        assert_eq!(differences("医院招开会议", "医院召开会议"), vec![2]);
        assert_eq!(differences("相同", "相同"), Vec::<usize>::new());
        // A missing character: the place where the sides part.
        assert_eq!(differences("医院开会议", "医院召开会议"), vec![2]);
        let pairs = parse_pairs("# 注释\n全院职工再接再励。\t全院职工再接再厉。\n\n今天开会。\t今天开会。\n").unwrap();
        assert_eq!(pairs.len(), 2);
        assert!(parse_pairs("没有制表符").is_err());
        let s = score_pairs(&Checker::builtin(), &pairs);
        assert_eq!((s.wrong, s.detected, s.corrected, s.clean, s.false_alarms), (1, 1, 1, 2, 0));
        assert_eq!(s.recall(), 1.0);
        assert_eq!(s.precision(), 1.0);
    }
}
