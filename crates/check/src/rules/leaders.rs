//! Leader name ↔ title: when a name from the site's LeaderRoster stands next to a title
//! (`副院长张三`, `张三院长`, `党委副书记、院长李四`), the title must be one the roster gives
//! that person.

use super::Raw;
use crate::lexicon::Leader;
use crate::report::{Category, Severity};
use crate::source::Stream;

/// Titles recognised next to a name even when no roster entry uses them, longest first when
/// matching.
const TITLES: &[&str] = &[
    "党委书记", "党委副书记", "纪委书记", "院长", "副院长", "执行院长", "常务副院长", "名誉院长", "工会主席", "总会计师", "院长助理", "总经济师", "总护理师",
    "书记", "副书记", "主任", "副主任", "主席", "副主席", "处长", "副处长", "科长", "副科长", "部长", "副部长", "护士长",
];

/// Short forms that stand for a longer roster title.
const ALIASES: &[(&str, &str)] = &[("书记", "党委书记"), ("副书记", "党委副书记"), ("主席", "工会主席")];

fn accepted(found: &str, leader: &Leader) -> bool {
    leader.titles.iter().any(|t| t == found || ALIASES.iter().any(|(short, long)| *short == found && t == long))
}

/// The longest title ending exactly at byte `end` of `t`.
fn title_before<'a>(t: &str, end: usize, titles: &'a [String]) -> Option<&'a str> {
    titles.iter().filter(|x| t[..end].ends_with(x.as_str())).max_by_key(|x| x.len()).map(String::as_str)
}

/// The longest title starting exactly at byte `start` of `t`.
fn title_after<'a>(t: &str, start: usize, titles: &'a [String]) -> Option<&'a str> {
    titles.iter().filter(|x| t[start..].starts_with(x.as_str())).max_by_key(|x| x.len()).map(String::as_str)
}

pub fn check(s: &Stream, roster: &[Leader], out: &mut Vec<Raw>) {
    if roster.is_empty() {
        return;
    }
    let mut titles: Vec<String> = TITLES.iter().map(|x| x.to_string()).collect();
    for l in roster {
        for x in &l.titles {
            if !titles.contains(x) {
                titles.push(x.clone());
            }
        }
    }
    let t = &s.text;
    for leader in roster {
        if leader.name.chars().count() < 2 {
            continue;
        }
        for (i, _) in t.match_indices(leader.name.as_str()) {
            let end = i + leader.name.len();
            // Titles before the name, possibly a list joined by 、: 党委副书记、院长张三.
            let mut cursor = i;
            let mut found = Vec::new();
            while let Some(x) = title_before(t, cursor, &titles) {
                found.push((cursor - x.len(), cursor, x));
                cursor -= x.len();
                if t[..cursor].ends_with('、') {
                    cursor -= '、'.len_utf8();
                } else {
                    break;
                }
            }
            if found.is_empty() {
                if let Some(x) = title_after(t, end, &titles) {
                    found.push((end, end + x.len(), x));
                }
            }
            for (a, b, x) in found {
                if !accepted(x, leader) {
                    let right = leader.titles.join("、");
                    out.push(
                        Raw::new("normative.leader_title", Category::Normative, Severity::Block, s.original(a, b), format!("{}的职务是“{right}”，不是“{x}”", leader.name))
                            .suggest(leader.titles.first().cloned().unwrap_or_default()),
                    );
                }
            }
        }
    }
}
