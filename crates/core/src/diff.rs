//! Differences between two revisions, the way an editor reads Chinese: first by paragraph,
//! then character by character inside each changed paragraph (Chinese has no spaces, so a
//! word diff would mark whole sentences).

use serde::Serialize;
use similar::{ChangeTag, DiffTag, TextDiff};

/// One run of characters inside a changed paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// `equal`, `insert` or `delete`.
    pub kind: &'static str,
    pub text: String,
}

/// One paragraph of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ParagraphDiff {
    /// Unchanged.
    Equal { text: String },
    /// Only in the newer revision.
    Insert { text: String },
    /// Only in the older revision.
    Delete { text: String },
    /// In both, changed: the segments give the characters kept, added and removed.
    Changed { segments: Vec<Segment> },
}

/// Compares two revisions given as paragraphs of plain text.
pub fn diff_paragraphs(old: &[String], new: &[String]) -> Vec<ParagraphDiff> {
    let ops = similar::capture_diff_slices(similar::Algorithm::Patience, old, new);
    let mut out = Vec::new();
    for op in ops {
        let (tag, o, n) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => out.extend(old[o].iter().map(|t| ParagraphDiff::Equal { text: t.clone() })),
            DiffTag::Delete => out.extend(old[o].iter().map(|t| ParagraphDiff::Delete { text: t.clone() })),
            DiffTag::Insert => out.extend(new[n].iter().map(|t| ParagraphDiff::Insert { text: t.clone() })),
            DiffTag::Replace => {
                let (olds, news) = (&old[o], &new[n]);
                let pairs = olds.len().min(news.len());
                for i in 0..pairs {
                    out.push(changed(&olds[i], &news[i]));
                }
                out.extend(olds[pairs..].iter().map(|t| ParagraphDiff::Delete { text: t.clone() }));
                out.extend(news[pairs..].iter().map(|t| ParagraphDiff::Insert { text: t.clone() }));
            }
        }
    }
    out
}

fn changed(old: &str, new: &str) -> ParagraphDiff {
    let diff = TextDiff::configure().algorithm(similar::Algorithm::Myers).diff_chars(old, new);
    let mut segments: Vec<Segment> = Vec::new();
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => "equal",
            ChangeTag::Insert => "insert",
            ChangeTag::Delete => "delete",
        };
        match segments.last_mut() {
            Some(last) if last.kind == kind => last.text.push_str(change.value()),
            _ => segments.push(Segment { kind, text: change.value().to_string() }),
        }
    }
    ParagraphDiff::Changed { segments }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn character_level_inside_changed_paragraphs() {
        let old = v(&["医院召开宣传工作会议", "会议由党委副书记主持", "全体中层干部参加"]);
        let new = v(&["医院召开宣传工作会议", "会议由党委书记主持", "全体中层干部参加", "新增一段"]);
        let d = diff_paragraphs(&old, &new);
        assert_eq!(d[0], ParagraphDiff::Equal { text: "医院召开宣传工作会议".into() });
        assert_eq!(
            d[1],
            ParagraphDiff::Changed {
                segments: vec![
                    Segment { kind: "equal", text: "会议由党委".into() },
                    Segment { kind: "delete", text: "副".into() },
                    Segment { kind: "equal", text: "书记主持".into() },
                ]
            }
        );
        assert_eq!(d[2], ParagraphDiff::Equal { text: "全体中层干部参加".into() });
        assert_eq!(d[3], ParagraphDiff::Insert { text: "新增一段".into() });
    }

    #[test]
    fn removed_and_identical() {
        let a = v(&["甲", "乙"]);
        assert!(diff_paragraphs(&a, &a).iter().all(|p| matches!(p, ParagraphDiff::Equal { .. })));
        let d = diff_paragraphs(&a, &v(&["甲"]));
        assert_eq!(d[1], ParagraphDiff::Delete { text: "乙".into() });
    }
}
