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
}
