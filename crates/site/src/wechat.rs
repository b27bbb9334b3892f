//! An article as the WeChat official-account editor (公众号后台) wants it pasted: every style
//! inline (the editor drops stylesheets and classes), images at absolute addresses and at
//! most the screen's width, paragraphs indented two characters with the line height readers
//! of 公众号 stories expect, headings in the hospital's red, and the credits line
//! (文字 / 摄影 / 编辑 / 审核) at the end. Links become plain text: 公众号 posts cannot link
//! outside WeChat.
//!
//! The input is the sanitised article HTML (quoted attributes, a known set of tags), so a
//! tag-by-tag rewrite is enough; anything unexpected is dropped, never passed through.

use std::fmt::Write;

/// The credits printed under the story.
#[derive(Debug, Clone, Default)]
pub struct Credits<'a> {
    pub authors: &'a str,
    pub photographers: &'a str,
    pub editor: &'a str,
    pub reviewer: &'a str,
    pub source: &'a str,
}

const RED: &str = "#b71c1c";

fn style(tag: &str) -> Option<&'static str> {
    Some(match tag {
        "p" => "margin:0 0 1em;text-indent:2em;text-align:justify;line-height:1.75;font-size:16px;color:#333;letter-spacing:0.5px;",
        "h2" => "margin:1.5em 0 1em;padding-left:8px;border-left:4px solid #b71c1c;font-size:18px;font-weight:bold;line-height:1.5;color:#b71c1c;",
        "h3" | "h4" => "margin:1.2em 0 0.8em;font-size:17px;font-weight:bold;line-height:1.5;color:#333;",
        "strong" | "b" => "font-weight:bold;",
        "em" | "i" => "font-style:italic;",
        "u" => "text-decoration:underline;",
        "ul" | "ol" => "margin:0 0 1em;padding-left:2em;font-size:16px;line-height:1.75;color:#333;",
        "li" => "margin:0 0 0.3em;",
        "blockquote" => "margin:0 0 1em;padding:0.5em 1em;border-left:3px solid #ddd;color:#666;background:#f7f7f7;",
        "figure" => "margin:0 0 1em;",
        "figcaption" => "margin:0.5em 0 1em;text-align:center;font-size:14px;line-height:1.5;color:#888;",
        "img" => "display:block;max-width:100%;height:auto;margin:0 auto;",
        "table" => "width:100%;margin:0 0 1em;border-collapse:collapse;font-size:14px;line-height:1.5;",
        "thead" | "tbody" | "tr" => "",
        "th" => "padding:6px;border:1px solid #ddd;background:#f5f5f5;font-weight:bold;",
        "td" => "padding:6px;border:1px solid #ddd;",
        "br" | "span" | "sub" | "sup" => "",
        _ => return None,
    })
}

/// The value of attribute `name` in a tag's attribute text (`src="…" alt="…"`).
fn attr<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = attrs;
    while let Some(i) = rest.find(name) {
        let before_ok = i == 0 || rest.as_bytes()[i - 1].is_ascii_whitespace();
        let after = &rest[i + name.len()..];
        if before_ok && after.starts_with("=\"") {
            return after[2..].split('"').next();
        }
        rest = &rest[i + name.len()..];
    }
    None
}

/// An attribute value safe to write inside double quotes.
fn quoted(v: &str) -> String {
    v.replace('"', "&quot;").replace('<', "&lt;")
}

/// The WeChat-ready HTML of an article body: `base` makes `/media/…` addresses absolute.
pub fn wechat_html(body_html: &str, base: &str, credits: &Credits<'_>) -> String {
    let mut out = String::with_capacity(body_html.len() * 2);
    out.push_str("<section style=\"font-size:16px;line-height:1.75;color:#333;letter-spacing:0.5px;\">");
    let mut rest = body_html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let Some(gt) = rest[lt..].find('>') else {
            // An unclosed `<`: text, escaped.
            out.push_str("&lt;");
            rest = &rest[lt + 1..];
            continue;
        };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        let closing = tag.starts_with('/');
        let body = tag.trim_start_matches('/').trim_end_matches('/').trim();
        let (name, attrs) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
        let name = name.to_ascii_lowercase();
        if name == "a" {
            // 公众号 posts cannot link outside WeChat: the text stays, the link goes.
            continue;
        }
        let Some(css) = style(&name) else { continue };
        if closing {
            if !matches!(name.as_str(), "img" | "br") {
                let _ = write!(out, "</{name}>");
            }
            continue;
        }
        match name.as_str() {
            "img" => {
                let Some(src) = attr(attrs, "src") else { continue };
                let src = if src.starts_with('/') { format!("{}{src}", base.trim_end_matches('/')) } else { src.to_string() };
                let alt = attr(attrs, "alt").unwrap_or("");
                let _ = write!(out, "<img src=\"{}\" alt=\"{}\" style=\"{css}\">", quoted(&src), quoted(alt));
            }
            "br" => out.push_str("<br>"),
            "td" | "th" => {
                let _ = write!(out, "<{name} style=\"{css}\"");
                for span in ["colspan", "rowspan"] {
                    if let Some(n) = attr(attrs, span).filter(|n| n.bytes().all(|b| b.is_ascii_digit())) {
                        let _ = write!(out, " {span}=\"{n}\"");
                    }
                }
                out.push('>');
            }
            _ if css.is_empty() => {
                let _ = write!(out, "<{name}>");
            }
            _ => {
                let _ = write!(out, "<{name} style=\"{css}\">");
            }
        }
    }
    out.push_str(rest);
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let parts: Vec<String> = [("来源", credits.source), ("文字", credits.authors), ("摄影", credits.photographers), ("编辑", credits.editor), ("审核", credits.reviewer)]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}：{}", esc(v.trim())))
        .collect();
    if !parts.is_empty() {
        let _ = write!(out, "<p style=\"margin:2em 0 0;text-align:right;font-size:14px;line-height:1.75;color:{RED};\">{}</p>", parts.join("　"));
    }
    out.push_str("</section>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_element_is_styled_inline_and_images_are_absolute() {
        let body = "<h2>活动概况</h2><p>骨科专家为居民<strong>免费</strong>检测。</p><figure><img src=\"/media/3.jpg\" alt=\"义诊现场\"><figcaption>义诊现场</figcaption></figure><table><tbody><tr><td colspan=\"2\">合计</td></tr></tbody></table>";
        let html = wechat_html(body, "https://news.example.cn/", &Credits { authors: "陈骨科", photographers: "黄磊", editor: "王编辑", reviewer: "赵总编", source: "骨科" });
        assert!(html.starts_with("<section style="));
        assert!(html.contains("<h2 style=\"margin:1.5em 0 1em;padding-left:8px;border-left:4px solid #b71c1c;"));
        assert!(html.contains("<p style=\"margin:0 0 1em;text-indent:2em;"));
        assert!(html.contains("<img src=\"https://news.example.cn/media/3.jpg\" alt=\"义诊现场\" style=\"display:block;max-width:100%;"));
        assert!(html.contains("<td style=\"padding:6px;border:1px solid #ddd;\" colspan=\"2\">合计</td>"));
        assert!(html.contains("来源：骨科　文字：陈骨科　摄影：黄磊　编辑：王编辑　审核：赵总编"));
        assert!(!html.contains("class="), "no classes: the editor drops them");
        // Every opened element is closed in order: the tag sequence is balanced.
        let opened = html.matches("<p ").count() + html.matches("<p>").count();
        assert_eq!(opened, html.matches("</p>").count());
    }

    #[test]
    fn links_become_text_and_unknown_markup_is_dropped() {
        let html = wechat_html("<p>详见<a href=\"https://x.example/\">医院官网</a>。<script>alert(1)</script><iframe src=\"x\"></iframe></p>", "https://h", &Credits::default());
        assert!(html.contains("详见医院官网。"), "{html}");
        assert!(!html.contains("<a") && !html.contains("<script") && !html.contains("<iframe"), "{html}");
        assert!(!html.contains("审核："), "no empty credits line");
        // A quote in an attribute cannot break out.
        let html = wechat_html("<img src=\"/media/1.jpg\" alt=\"a&quot; onerror=&quot;x\">", "https://h", &Credits::default());
        assert!(!html.contains("onerror=\""), "{html}");
    }
}
