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
    let pass = |h: &str| builder().clean(h).to_string().replace("<p></p>", "").replace("<p><br></p>", "");
    // What ammonia writes is read back the same way, except for nesting the HTML parser
    // repairs (a heading inside a heading, found by fuzzing): cleaned until it stays as it
    // is, so a story saved twice is the story saved once.
    let mut out = pass(html);
    for _ in 0..3 {
        let again = pass(&out);
        if again == out {
            break;
        }
        out = again;
    }
    out
}

/// The most pictures one save may carry pasted into the body.
pub const MAX_INLINE_IMAGES: usize = 30;

/// What a pasted `data:` picture becomes until the service has stored it: `/media/inline-N.img`,
/// a path the sanitiser keeps and the service then replaces with the stored medium's URL.
pub fn inline_placeholder(i: usize) -> String {
    format!("/media/inline-{i}.img")
}

/// Takes pictures pasted into the editor (or from Word) as `src="data:image/…;base64,…"` out of
/// the HTML before sanitising: each becomes [`inline_placeholder`]`(i)` and its decoded bytes are
/// returned in order, to be cleaned and stored as media. Sources that are not base64 pictures
/// are emptied (the sanitiser then drops the image). Returns an error message in Chinese when a
/// body carries more than [`MAX_INLINE_IMAGES`].
pub fn take_data_images(html: &str) -> Result<(String, Vec<Vec<u8>>), String> {
    use base64::Engine;
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len().min(1 << 20));
    let mut images = Vec::new();
    let mut pos = 0;
    while let Some(found) = lower[pos..].find("data:") {
        let start = pos + found;
        // Only inside an attribute value: the character before is a quote or `=`.
        let before = html[..start].trim_end().chars().last();
        let quote = match before {
            Some(q @ ('"' | '\'')) => Some(q),
            Some('=') => None,
            _ => {
                out.push_str(&html[pos..start + 5]);
                pos = start + 5;
                continue;
            }
        };
        let end = match quote {
            Some(q) => html[start..].find(q).map(|i| start + i).unwrap_or(html.len()),
            None => html[start..].find(|c: char| c.is_whitespace() || c == '>').map(|i| start + i).unwrap_or(html.len()),
        };
        out.push_str(&html[pos..start]);
        let value = &html[start..end];
        let decoded = value
            .split_once(',')
            .filter(|(head, _)| {
                let head = head.to_ascii_lowercase();
                head.starts_with("data:image/") && head.ends_with(";base64")
            })
            .and_then(|(_, data)| {
                let data: String = data.chars().filter(|c| !c.is_whitespace()).collect();
                base64::engine::general_purpose::STANDARD.decode(data.as_bytes()).ok()
            });
        if let Some(bytes) = decoded {
            if images.len() == MAX_INLINE_IMAGES {
                return Err(format!("正文中粘贴的图片超过 {MAX_INLINE_IMAGES} 张。请删去一些，或在稿件页逐张上传；什么也没有保存，您的内容仍在表单中。"));
            }
            out.push_str(&inline_placeholder(images.len()));
            images.push(bytes);
        }
        pos = end;
    }
    out.push_str(&html[pos..]);
    Ok((out, images))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by `bench/fuzz.sh` (target `sanitize`): a heading opened inside a heading came
    /// out nested, and cleaning that again moved the inner one out.
    #[test]
    fn cleaning_what_was_cleaned_changes_nothing() {
        let html = "<figure>,img sul><li>一</li></ul><h2>小标题rc=\"\" alt=\"现场\"><f/table><ul><li>一</li></ul><h2>小标题</h2>";
        let once = clean(html);
        assert_eq!(clean(&once), once);
        assert!(!once.contains("<h2>小标题rc") || once.matches("<h2>").count() == once.matches("</h2>").count(), "{once}");
    }

    #[test]
    fn pasted_data_pictures_become_placeholders_and_the_rest_is_dropped() {
        let html = r#"<p>图一</p><img alt="a" src="data:image/png;base64,iVBO
Rw0K"><img src='data:text/html;base64,PHNjcmlwdD4='><p>data:image/png;base64,AAAA 是正文</p><img src=data:image/gif;base64,R0lG>"#;
        let (out, images) = take_data_images(html).unwrap();
        assert_eq!(images, vec![b"\x89PNG\r\n".to_vec(), b"GIF".to_vec()]);
        assert!(out.contains(r#"src="/media/inline-0.img""#), "{out}");
        assert!(out.contains("src=/media/inline-1.img>"), "{out}");
        assert!(out.contains("<p>data:image/png;base64,AAAA 是正文</p>"), "text is text: {out}");
        let cleaned = clean(&out);
        assert!(!cleaned.contains("text/html") && !cleaned.contains("src=\"data:"), "{cleaned}");
        assert!(cleaned.contains(r#"<img alt="a" src="/media/inline-0.img">"#), "{cleaned}");
    }

    #[test]
    fn too_many_pasted_pictures_are_refused() {
        let one = r#"<img src="data:image/png;base64,iVBORw0K">"#;
        assert!(take_data_images(&one.repeat(MAX_INLINE_IMAGES)).is_ok());
        let err = take_data_images(&one.repeat(MAX_INLINE_IMAGES + 1)).unwrap_err();
        assert!(err.contains("超过 30 张"), "{err}");
    }

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
