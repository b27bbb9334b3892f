//! What a check returns: findings with exact spans, and the report around them. The JSON
//! form of these types is the stable schema documented in `crates/check/REPORT.md`.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// The kind of risk a finding is about (see the glossary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 敏感词: political, gambling, pornography, violence.
    Sensitive,
    /// 规范表述: official names, fixed phrases, respectful terms, leader titles.
    Normative,
    /// 错别字: a wrong word with its correction.
    Typo,
    /// 极限词: absolute terms the Advertising Law forbids.
    AdAbsolute,
    /// 医疗广告违规: cure rates, guarantees, testimonials.
    MedicalClaim,
    /// 隐私: ID, phone and bank-card numbers, patients' names.
    Privacy,
    /// 占位符: unfilled template blanks, leftover file names.
    Placeholder,
    /// 重复: a paragraph or passage that appears twice.
    Duplicate,
    /// 标点: unbalanced pairs, half-width marks in Chinese, doubled marks.
    Punctuation,
    /// 过时表述: a name or phrase superseded before the document's date.
    Outdated,
    /// 日期: a weekday that does not fit its date, an event after the document date.
    Date,
    /// 语病: characters in the wrong order, a character written twice.
    Grammar,
}

impl Category {
    pub const ALL: [Category; 12] = [
        Category::Sensitive,
        Category::Normative,
        Category::Typo,
        Category::AdAbsolute,
        Category::MedicalClaim,
        Category::Privacy,
        Category::Placeholder,
        Category::Duplicate,
        Category::Punctuation,
        Category::Outdated,
        Category::Date,
        Category::Grammar,
    ];

    /// The snake_case name used in JSON, lexicon files and rule ids.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Sensitive => "sensitive",
            Category::Normative => "normative",
            Category::Typo => "typo",
            Category::AdAbsolute => "ad_absolute",
            Category::MedicalClaim => "medical_claim",
            Category::Privacy => "privacy",
            Category::Placeholder => "placeholder",
            Category::Duplicate => "duplicate",
            Category::Punctuation => "punctuation",
            Category::Outdated => "outdated",
            Category::Date => "date",
            Category::Grammar => "grammar",
        }
    }

    /// The Chinese label shown to reviewers.
    pub fn label(self) -> &'static str {
        match self {
            Category::Sensitive => "敏感词",
            Category::Normative => "规范表述",
            Category::Typo => "错别字",
            Category::AdAbsolute => "极限词",
            Category::MedicalClaim => "医疗广告违规",
            Category::Privacy => "隐私",
            Category::Placeholder => "占位符",
            Category::Duplicate => "重复内容",
            Category::Punctuation => "标点",
            Category::Outdated => "过时表述",
            Category::Date => "日期",
            Category::Grammar => "语病",
        }
    }

    /// Whether the category is driven by a word list a site can extend (the others are
    /// structural rules).
    pub fn is_lexicon(self) -> bool {
        matches!(self, Category::Sensitive | Category::Normative | Category::Typo | Category::AdAbsolute | Category::MedicalClaim | Category::Outdated)
    }

    /// Parses the snake_case name.
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth a look; never stops anything.
    Info,
    /// Probably wrong; the reviewer decides.
    Warn,
    /// Must not be published as is: stops final approval unless overridden with a reason.
    Block,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Block => "block",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "提示",
            Severity::Warn => "警告",
            Severity::Block => "必须修改",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warn" => Some(Severity::Warn),
            "block" => Some(Severity::Block),
            _ => None,
        }
    }
}

/// One risk found in the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule id, `category.rule` (e.g. `typo.lexicon`, `privacy.id_number`).
    pub rule: Cow<'static, str>,
    pub category: Category,
    pub severity: Severity,
    /// Span in the original input, in characters (Unicode scalar values), end exclusive.
    pub start: usize,
    pub end: usize,
    /// The same span in UTF-8 bytes of the original input.
    pub byte_start: usize,
    pub byte_end: usize,
    /// 1-based line and column (in characters) of `start` in the original input.
    pub line: usize,
    pub column: usize,
    /// 1-based paragraph of the visible text (a run between line breaks or block tags) in
    /// which the finding starts: where a reviewer looks in the rendered story.
    #[serde(default)]
    pub paragraph: usize,
    /// Exactly `input[byte_start..byte_end]` (for HTML input it may contain markup).
    pub surface: String,
    /// The text a reader sees in that span (markup removed, entities decoded).
    pub text: String,
    /// The replacement for `text`, when there is one.
    pub suggestion: Option<Cow<'static, str>>,
    /// One line in Chinese saying why.
    pub reason: Cow<'static, str>,
    /// Identifies the finding across revisions of a document (`rule` + text), so that a
    /// dismissal sticks to the manuscript rather than to one offset.
    pub key: String,
}

impl Finding {
    /// The text that replaces the surface when a reviewer accepts the suggestion, or `None`
    /// when the suggestion is advice (written in parentheses, e.g. “（删去，或写明来源）”)
    /// rather than a replacement.
    pub fn replacement(&self) -> Option<&str> {
        self.suggestion.as_deref().filter(|s| !s.is_empty() && !s.starts_with('（') && !s.starts_with('(') && *s != self.surface)
    }
}

/// The result of checking one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckReport {
    /// Schema version of this JSON; bumped only on incompatible change.
    pub schema: u32,
    /// The lexicon version the check ran with (built-in version plus site revision).
    pub lexicon_version: String,
    /// The document date the date-aware rules used, `YYYY-MM-DD`.
    pub document_date: Option<String>,
    /// Findings ordered by position.
    pub findings: Vec<Finding>,
    /// Findings left out because a reviewer dismissed them (by key) for this document.
    pub dismissed: usize,
    pub counts: Counts,
    /// The language model the check read the text with, or null when none is installed
    /// (lexicons and rules only).
    #[serde(default)]
    pub model: Option<String>,
}

/// How many findings of each severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub block: usize,
    pub warn: usize,
    pub info: usize,
}

impl CheckReport {
    /// The worst severity present, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// Whether anything must be fixed before publication.
    pub fn blocks(&self) -> bool {
        self.counts.block > 0
    }
}
