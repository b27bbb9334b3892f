//! Manuscript HTML sanitising: what correspondents paste from Word or type in the editor is
//! reduced to the tags a news story needs. Styles, classes, scripts, event handlers, Office
//! markup and images from outside the media library are dropped; text is kept.

use std::borrow::Cow;
use std::sync::OnceLock;

use ammonia::Builder;

fn builder() -> &'static Builder<'static> {
    static B: OnceLock<Builder<'static>> = OnceLock::new();
    B.get_or_init(|| {
        let mut b = Builder::empty();
        b.add_tags([
            "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "h2", "h3", "h4", "ul", "ol", "li",
            "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "blockquote", "figure",
            "figcaption", "img", "a", "hr",
        ])
        .add_tag_attributes("a", ["href"])
        .add_tag_attributes("img", ["src", "alt"])
        .add_tag_attributes("td", ["colspan", "rowspan"])
        .add_tag_attributes("th", ["colspan", "rowspan"])
        .add_url_schemes(["http", "https", "mailto"])
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer"))
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            // Only pictures from our own media library: no hot-linking, no tracking pixels,
            // no file:// paths left over from Word.
            ("img", "src") if value.starts_with("/media/") => Some(Cow::Owned(value.to_string())),
            ("img", "src") => None,
            _ => Some(Cow::Owned(value.to_string())),
        })
        .clean_content_tags(["script", "style", "title", "head"].into_iter().collect());
        b
    })
}

/// Cleans manuscript HTML. Empty paragraphs left by Word are removed.
pub fn clean(html: &str) -> String {
    let out = builder().clean(html).to_string();
    out.replace("<p></p>", "").replace("<p><br></p>", "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_paste_keeps_structure_and_drops_the_rest() {
        let pasted = r#"<p class=MsoNormal style="text-indent:2em"><span lang=ZH-CN style='font-family:宋体'>医院<b>召开</b>会议<o:p></o:p></span></p>
<ul><li>第一项</li></ul><table class=MsoTable><tr><td colspan="2" style="x">合计</td></tr></table>
<p onclick="alert(1)">点我<script>alert(2)</script></p><img src="file:///C:/Users/a/image001.png"><img src="/media/3.jpg" onerror="x()">
<a href="javascript:alert(3)">链接</a><style>p{}</style><p></p>"#;
        let out = clean(pasted);
        assert!(out.contains("<p>医院<b>召开</b>会议</p>"), "{out}");
        assert!(out.contains("<ul><li>第一项</li></ul>"));
        assert!(out.contains(r#"<td colspan="2">合计</td>"#));
        assert!(out.contains("<p>点我</p>"));
        assert!(out.contains(r#"<img src="/media/3.jpg">"#));
        assert!(!out.contains("file:") && !out.contains("script") && !out.contains("onerror") && !out.contains("style"));
        assert!(!out.contains("javascript"));
        assert!(!out.contains("<p></p>"));
    }
}
