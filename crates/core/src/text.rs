//! Plain text out of sanitised manuscript HTML: paragraphs for diffs and summaries.
//!
//! The input is HTML that the server already passed through its sanitiser, so it is
//! well-formed and tag names are lower case; this is a reader of that, not a general parser.

/// Block-level tags: each starts a new paragraph.
const BLOCK: &[&str] = &[
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "br", "table", "ul", "ol",
    "blockquote", "figure", "figcaption", "hr", "pre",
];

/// Splits sanitised HTML into its non-empty paragraphs of plain text. Table cells in one row
/// are joined by a tab.
pub fn paragraphs(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        cur.push_str(&decode_entities(&rest[..lt]));
        let Some(gt) = rest[lt..].find('>') else {
            rest = &rest[lt..];
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if BLOCK.contains(&name.as_str()) {
            flush(&mut cur, &mut out);
        } else if (name == "td" || name == "th") && !tag.starts_with('/') && !cur.trim().is_empty() {
            cur.push('\t');
        }
        rest = &rest[lt + gt + 1..];
    }
    cur.push_str(&decode_entities(rest));
    flush(&mut cur, &mut out);
    out
}

/// All the text, paragraphs separated by newlines.
pub fn plain(html: &str) -> String {
    paragraphs(html).join("\n")
}

/// The first `max` characters of the text, for list summaries.
pub fn excerpt(html: &str, max: usize) -> String {
    clip(&paragraphs(html).join(" "), max)
}

/// The first `max` characters of `s`, with an ellipsis when there were more.
pub fn clip(s: &str, max: usize) -> String {
    let mut t: String = s.chars().take(max).collect();
    if s.chars().nth(max).is_some() {
        t.push('…');
    }
    t
}

fn flush(cur: &mut String, out: &mut Vec<String>) {
    let t = cur.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    if !t.is_empty() {
        out.push(t.to_string());
    }
    cur.clear();
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        match tail.find(';').filter(|&i| i <= 10) {
            Some(semi) => {
                let ent = &tail[1..semi];
                let ch = match ent {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "nbsp" => Some(' '),
                    _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                        u32::from_str_radix(&ent[2..], 16).ok().and_then(char::from_u32)
                    }
                    _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
                    _ => None,
                };
                match ch {
                    Some(c) => {
                        out.push(c);
                        rest = &tail[semi + 1..];
                    }
                    None => {
                        out.push('&');
                        rest = &tail[1..];
                    }
                }
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `s` escaped for HTML text and quoted attribute values: `& < > " '`.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_escaped(&mut out, s);
    out
}

/// Appends `s` to `out`, escaped as [`escape_html`] does.
pub fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_from_blocks_and_entities() {
        let html = "<h2>标题</h2><p>第一段<strong>加粗</strong>&amp;文字</p><ul><li>甲</li><li>乙</li></ul>\
                    <table><tbody><tr><td>科室</td><td>人数</td></tr></tbody></table><p>&#20013;&#x6587;&nbsp;</p><p> </p>";
        assert_eq!(
            paragraphs(html),
            vec!["标题", "第一段加粗&文字", "甲", "乙", "科室\t人数", "中文"]
        );
        assert_eq!(excerpt(html, 4), "标题 第…");
        assert_eq!(plain("没有标签"), "没有标签");
    }

    #[test]
    fn clip_marks_only_what_it_cut() {
        assert_eq!(clip("骨科义诊", 4), "骨科义诊");
        assert_eq!(clip("骨科义诊活动", 4), "骨科义诊…");
        assert_eq!(clip("", 4), "");
    }
}
