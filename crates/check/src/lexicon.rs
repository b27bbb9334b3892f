//! Lexicons: the team's built-in word lists (data files under `crates/check/lexicons/`,
//! compiled into the binary with their version) plus each site's own entries, removals and
//! allowlist. Parsing is strict: a bad line is reported with its file and line number.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::report::{Category, Severity};

/// The version of the built-in lexicons; bump on every change to the data files.
pub const BUILTIN_VERSION: &str = include_str!("../lexicons/VERSION");

/// One lexicon entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub category: Category,
    /// The term as it is written in a document (matching folds width, script and case).
    pub term: String,
    /// The replacement, when there is one.
    #[serde(default)]
    pub suggestion: Option<String>,
    pub severity: Severity,
    /// Sub-kind: for `sensitive` one of political, gambling, pornography, violence; free
    /// text elsewhere (shown in the reason).
    #[serde(default)]
    pub kind: Option<String>,
    /// For `outdated`: the day the term was superseded; documents dated before it are fine.
    #[serde(default, with = "date_opt")]
    pub since: Option<Date>,
    /// Why, in one line of Chinese; a default is written from the category when empty.
    #[serde(default)]
    pub reason: Option<String>,
    /// A gambling brand that is also an ordinary word (金沙, 永利): flagged only with a
    /// digit prefix (`3118金沙`), after 澳门, or before a gambling word (娱乐, 官网 …).
    #[serde(default)]
    pub brand: bool,
    /// An absolute word that is also a plain fact (最佳, 国家级): flagged only where its
    /// sentence reads like promotion ([`crate::rules::advertising`]).
    #[serde(default)]
    pub in_context: bool,
    /// Longer legitimate words that contain the term and must not be flagged.
    #[serde(default)]
    pub exceptions: Vec<String>,
}

mod date_opt {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&super::format_date(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        s.map(|s| super::parse_date(&s).ok_or_else(|| serde::de::Error::custom(format!("bad date {s}")))).transpose()
    }
}

/// `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<Date> {
    let mut it = s.trim().splitn(3, '-');
    let y: i32 = it.next()?.parse().ok()?;
    let m: u8 = it.next()?.parse().ok()?;
    let d: u8 = it.next()?.parse().ok()?;
    Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
}

pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A leader of the site and the titles they hold (LeaderRoster).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leader {
    pub name: String,
    pub titles: Vec<String>,
}

/// Everything a check needs to know about a site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteLexicon {
    /// Added by the site's admins.
    pub entries: Vec<Entry>,
    /// Built-in terms this site switched off: (category, term).
    pub removed: Vec<(Category, String)>,
    /// Words never flagged on this site (and never inside which anything is flagged).
    pub allow: Vec<String>,
    /// The leaders, for name ↔ title checks.
    pub leaders: Vec<Leader>,
    /// The site's own public phone numbers (digits only), which privacy checks allow.
    pub public_phones: Vec<String>,
    /// The site's own names (the hospital's full name and short names): the only
    /// organisation a page's title or masthead may name in the site's place.
    pub own_names: Vec<String>,
    /// Increases with every change; part of the lexicon version on each report.
    pub revision: u64,
}

/// A line of a lexicon file that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{file} 第 {line} 行：{message}")]
pub struct LexiconError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// The built-in lexicon files, each with its category.
pub const BUILTIN_FILES: &[(&str, Category, &str)] = &[
    ("sensitive.tsv", Category::Sensitive, include_str!("../lexicons/sensitive.tsv")),
    ("normative.tsv", Category::Normative, include_str!("../lexicons/normative.tsv")),
    ("typo.tsv", Category::Typo, include_str!("../lexicons/typo.tsv")),
    ("ad_absolute.tsv", Category::AdAbsolute, include_str!("../lexicons/ad_absolute.tsv")),
    ("medical_claim.tsv", Category::MedicalClaim, include_str!("../lexicons/medical_claim.tsv")),
    ("outdated.tsv", Category::Outdated, include_str!("../lexicons/outdated.tsv")),
];

/// Built-in words that are never flagged (legitimate words containing flagged terms).
pub const BUILTIN_ALLOW: &str = include_str!("../lexicons/allow.tsv");

/// The built-in entries. Panics only if the compiled-in data is malformed, which the crate's
/// tests rule out.
pub fn builtin() -> Vec<Entry> {
    let mut all = Vec::new();
    for (file, cat, text) in BUILTIN_FILES {
        all.extend(parse(file, *cat, text).unwrap_or_else(|e| panic!("built-in lexicon: {e}")));
    }
    all
}

/// Words the language-model stage knows though its model does not (new words, terms, set
/// phrases of publicity news): it proposes no change inside them.
pub const BUILTIN_KNOWN: &str = include_str!("../lexicons/known_words.tsv");

/// The built-in known words of the language-model stage.
pub fn builtin_known() -> Vec<String> {
    BUILTIN_KNOWN.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(|l| l.split('\t').next().unwrap_or(l).to_string()).collect()
}

/// The built-in allowlist.
pub fn builtin_allow() -> Vec<String> {
    BUILTIN_ALLOW.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(|l| l.split('\t').next().unwrap_or(l).to_string()).collect()
}

/// Parses a lexicon file of one category. Columns are tab-separated; `#` starts a comment
/// line. Per category:
///
/// | category | columns |
/// |---|---|
/// | sensitive | term, kind, severity, mode (`word`/`brand`), reason? |
/// | normative | wrong, right, severity, reason? |
/// | typo | wrong, right, exceptions? (`、`-separated) |
/// | ad_absolute | term, suggestion?, exceptions?, `always`/`context`? |
/// | medical_claim | term, severity, reason?, exceptions? |
/// | outdated | term, replacement, since (YYYY-MM-DD), reason? |
pub fn parse(file: &str, category: Category, text: &str) -> Result<Vec<Entry>, LexiconError> {
    let mut out = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |message: String| LexiconError { file: file.to_string(), line: n + 1, message };
        let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
        let col = |i: usize| cols.get(i).copied().filter(|s| !s.is_empty());
        let term = col(0).ok_or_else(|| err("缺少词条".into()))?.to_string();
        let severity = |i: usize, default: Severity| -> Result<Severity, LexiconError> {
            match col(i) {
                None => Ok(default),
                Some(s) => Severity::parse(s).ok_or_else(|| err(format!("级别“{s}”无效，应为 block、warn 或 info"))),
            }
        };
        let list = |i: usize| col(i).map(|s| s.split('、').map(|w| w.trim().to_string()).filter(|w| !w.is_empty()).collect()).unwrap_or_default();
        let mut e = Entry { category, term, suggestion: None, severity: Severity::Warn, kind: None, since: None, reason: None, brand: false, in_context: false, exceptions: Vec::new() };
        match category {
            Category::Sensitive => {
                let kind = col(1).ok_or_else(|| err("缺少类别（political/gambling/pornography/violence）".into()))?;
                if !["political", "gambling", "pornography", "violence"].contains(&kind) {
                    return Err(err(format!("类别“{kind}”无效")));
                }
                e.kind = Some(kind.to_string());
                e.severity = severity(2, Severity::Block)?;
                e.brand = match col(3) {
                    None | Some("word") => false,
                    Some("brand") => true,
                    Some(m) => return Err(err(format!("匹配方式“{m}”无效，应为 word 或 brand"))),
                };
                e.reason = col(4).map(str::to_string);
            }
            Category::Normative => {
                e.suggestion = Some(col(1).ok_or_else(|| err("缺少规范写法".into()))?.to_string());
                e.severity = severity(2, Severity::Warn)?;
                e.reason = col(3).map(str::to_string);
            }
            Category::Typo => {
                e.suggestion = Some(col(1).ok_or_else(|| err("缺少正确写法".into()))?.to_string());
                e.exceptions = list(2);
            }
            Category::AdAbsolute => {
                e.suggestion = col(1).map(str::to_string);
                e.exceptions = list(2);
                e.in_context = match col(3) {
                    None | Some("always") => false,
                    Some("context") => true,
                    Some(m) => return Err(err(format!("语境“{m}”无效，应为 always（总是报）或 context（仅在宣传推销的语境中报）"))),
                };
            }
            Category::MedicalClaim => {
                e.severity = severity(1, Severity::Warn)?;
                e.reason = col(2).map(str::to_string);
                e.exceptions = list(3);
            }
            Category::Outdated => {
                e.suggestion = Some(col(1).ok_or_else(|| err("缺少现行写法".into()))?.to_string());
                let since = col(2).ok_or_else(|| err("缺少停用日期".into()))?;
                e.since = Some(parse_date(since).ok_or_else(|| err(format!("日期“{since}”无效，应为 YYYY-MM-DD")))?);
                e.reason = col(3).map(str::to_string);
            }
            _ => return Err(err(format!("{} 类没有词表", category.label()))),
        }
        if let Some(s) = &e.suggestion {
            if *s == e.term {
                return Err(err("建议与原词相同".into()));
            }
        }
        out.push(e);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_lexicons_parse_and_have_no_duplicates() {
        let all = builtin();
        let mut seen = std::collections::HashSet::new();
        for e in &all {
            assert!(seen.insert((e.category, e.term.clone())), "duplicate {:?} {}", e.category, e.term);
        }
        for e in &all {
            if let Some(s) = &e.suggestion {
                // Folding (traditional → simplified, width) must not make the wrong form equal
                // to the right one, or correct text would be flagged.
                assert_ne!(crate::normalize::fold_str(&e.term), crate::normalize::fold_str(s), "{} folds to its own correction", e.term);
            }
        }
        let typos = all.iter().filter(|e| e.category == Category::Typo).count();
        assert!(typos >= 1500, "{typos} typo entries");
        assert!(!builtin_allow().is_empty());
        assert!(!BUILTIN_VERSION.trim().is_empty());
    }

    #[test]
    fn bad_lines_name_file_and_line() {
        let e = parse("x.tsv", Category::Outdated, "# c\n卫计委\t卫健委\t2018-13-01\n").unwrap_err();
        assert_eq!((e.line, e.file.as_str()), (2, "x.tsv"));
        assert!(e.to_string().contains("日期"), "{e}");
        let e = parse("s.tsv", Category::Sensitive, "某词\tcasino\n").unwrap_err();
        assert!(e.to_string().contains("类别"), "{e}");
    }
}
