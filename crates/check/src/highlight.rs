//! Findings shown in the document itself: each stretch of text inside a finding's span is
//! wrapped in `<mark class="ck ck-{severity}" data-f="{ids}">`. In HTML the marks are cut at
//! tags, so a finding that crosses `<b>` or a paragraph break yields several marks and the
//! result stays well-formed; overlapping findings share a mark that lists both ids and takes
//! the higher severity.

use crate::Severity;

/// One span to mark (byte offsets into the document) and the id of its finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub start: usize,
    pub end: usize,
    pub id: usize,
    pub severity: Severity,
}

/// Marks a sanitised HTML fragment (tags are copied unchanged; only text is wrapped).
pub fn mark_html(html: &str, marks: &[Mark]) -> String {
    let mut out = String::with_capacity(html.len() + marks.len() * 48);
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < html.len() {
        if bytes[i] == b'<' {
            let end = html[i..].find('>').map_or(html.len(), |p| i + p + 1);
            out.push_str(&html[i..end]);
            i = end;
        } else {
            let end = html[i..].find('<').map_or(html.len(), |p| i + p);
            push_run(&mut out, html, i, end, marks, false);
            i = end;
        }
    }
    out
}

/// Marks plain text, escaping it for HTML.
pub fn mark_text(text: &str, marks: &[Mark]) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    push_run(&mut out, text, 0, text.len(), marks, true);
    out
}

/// Writes `doc[a..b]` (a run without tags), cut at every mark boundary inside it.
fn push_run(out: &mut String, doc: &str, a: usize, b: usize, marks: &[Mark], escape: bool) {
    let mut cuts: Vec<usize> = vec![a, b];
    for m in marks {
        for p in [m.start, m.end] {
            if p > a && p < b && doc.is_char_boundary(p) && !inside_entity(&doc[a..p], escape) {
                cuts.push(p);
            }
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    for w in cuts.windows(2) {
        let (s, e) = (w[0], w[1]);
        let piece = &doc[s..e];
        let covering: Vec<&Mark> = marks.iter().filter(|m| m.start <= s && e <= m.end && m.start < m.end).collect();
        if covering.is_empty() {
            push(out, piece, escape);
            continue;
        }
        let severity = covering.iter().map(|m| m.severity).max().unwrap_or(Severity::Info);
        let ids: Vec<String> = covering.iter().map(|m| m.id.to_string()).collect();
        out.push_str(&format!("<mark class=\"ck ck-{}\" data-f=\"{}\">", severity.as_str(), ids.join(" ")));
        push(out, piece, escape);
        out.push_str("</mark>");
    }
}

/// Whether the end of `run` is in the middle of an HTML entity such as `&amp;`.
fn inside_entity(run: &str, plain: bool) -> bool {
    if plain {
        return false;
    }
    match run.rfind('&') {
        Some(p) => !run[p..].contains(';') && run.len() - p <= 12,
        None => false,
    }
}

/// `s` escaped for HTML text or attribute values.
pub fn escape(s: &str) -> String {
    yuanxun_core::text::escape_html(s)
}

fn push(out: &mut String, s: &str, escape: bool) {
    if escape {
        yuanxun_core::text::push_escaped(out, s);
    } else {
        out.push_str(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(start: usize, end: usize, id: usize, severity: Severity) -> Mark {
        Mark { start, end, id, severity }
    }

    #[test]
    fn marks_are_cut_at_tags_and_keep_the_html_well_formed() {
        let html = "<p>再接<b>再励</b>，努力</p>";
        let a = html.find('再').unwrap();
        let b = html.find("</b>").unwrap();
        let out = mark_html(html, &[m(a, b, 0, Severity::Warn)]);
        assert_eq!(out, "<p><mark class=\"ck ck-warn\" data-f=\"0\">再接</mark><b><mark class=\"ck ck-warn\" data-f=\"0\">再励</mark></b>，努力</p>");
    }

    #[test]
    fn overlapping_findings_share_a_mark_with_the_higher_severity() {
        let text = "abcdef";
        let out = mark_text(text, &[m(0, 4, 0, Severity::Info), m(2, 6, 1, Severity::Block)]);
        assert_eq!(out, "<mark class=\"ck ck-info\" data-f=\"0\">ab</mark><mark class=\"ck ck-block\" data-f=\"0 1\">cd</mark><mark class=\"ck ck-block\" data-f=\"1\">ef</mark>");
    }

    #[test]
    fn plain_text_is_escaped_and_entities_are_never_cut() {
        assert_eq!(mark_text("<b>&", &[]), "&lt;b&gt;&amp;");
        let html = "<p>A&amp;B</p>";
        // A mark ending inside the entity is not cut there.
        let out = mark_html(html, &[m(3, 6, 0, Severity::Warn)]);
        assert!(out.contains("&amp;"), "{out}");
        assert!(!out.contains("&a<"), "{out}");
    }
}
