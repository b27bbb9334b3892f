//! What machines read: Atom feeds (site-wide and per channel), sitemap.xml and robots.txt.
//! Pure functions from data to text; the server gathers the articles and the base URL.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use yuanxun_core::clock::format_rfc3339;

/// A feed: its title, where it lives and the page it describes.
#[derive(Debug, Clone)]
pub struct Feed<'a> {
    pub title: &'a str,
    pub subtitle: &'a str,
    /// Absolute URL of the feed itself.
    pub self_url: &'a str,
    /// Absolute URL of the HTML page the feed follows (home or channel).
    pub page_url: &'a str,
}

/// One story in a feed.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub title: &'a str,
    /// Absolute URL of the article page (also the entry's id: it never changes).
    pub url: &'a str,
    pub published: i64,
    pub authors: &'a str,
    pub channel: &'a str,
    pub summary: &'a str,
    /// The article body as published (sanitised HTML).
    pub content_html: &'a str,
}

type W = Writer<Vec<u8>>;

fn text(w: &mut W, name: &str, value: &str) {
    let _ = w.write_event(Event::Start(BytesStart::new(name)));
    let _ = w.write_event(Event::Text(BytesText::new(value)));
    let _ = w.write_event(Event::End(BytesEnd::new(name)));
}

fn link(w: &mut W, rel: &str, href: &str, kind: Option<&str>) {
    let mut e = BytesStart::new("link");
    e.push_attribute(("rel", rel));
    e.push_attribute(("href", href));
    if let Some(k) = kind {
        e.push_attribute(("type", k));
    }
    let _ = w.write_event(Event::Empty(e));
}

/// An Atom 1.0 document (RFC 4287). The feed's `updated` is the newest entry's date.
pub fn atom(feed: &Feed<'_>, entries: &[Entry<'_>]) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 1);
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)));
    let mut root = BytesStart::new("feed");
    root.push_attribute(("xmlns", "http://www.w3.org/2005/Atom"));
    root.push_attribute(("xml:lang", "zh-CN"));
    let _ = w.write_event(Event::Start(root));
    text(&mut w, "title", feed.title);
    text(&mut w, "subtitle", feed.subtitle);
    text(&mut w, "id", feed.self_url);
    link(&mut w, "self", feed.self_url, Some("application/atom+xml"));
    link(&mut w, "alternate", feed.page_url, Some("text/html"));
    let updated = entries.iter().map(|e| e.published).max().unwrap_or(0);
    text(&mut w, "updated", &format_rfc3339(updated));
    text(&mut w, "generator", "Yuanxun");
    for e in entries {
        let _ = w.write_event(Event::Start(BytesStart::new("entry")));
        text(&mut w, "title", e.title);
        text(&mut w, "id", e.url);
        link(&mut w, "alternate", e.url, Some("text/html"));
        text(&mut w, "published", &format_rfc3339(e.published));
        text(&mut w, "updated", &format_rfc3339(e.published));
        for name in e.authors.split(['、', '，', ',', ' ']).map(str::trim).filter(|n| !n.is_empty()) {
            let _ = w.write_event(Event::Start(BytesStart::new("author")));
            text(&mut w, "name", name);
            let _ = w.write_event(Event::End(BytesEnd::new("author")));
        }
        let mut cat = BytesStart::new("category");
        cat.push_attribute(("term", e.channel));
        let _ = w.write_event(Event::Empty(cat));
        text(&mut w, "summary", e.summary);
        let mut content = BytesStart::new("content");
        content.push_attribute(("type", "html"));
        let _ = w.write_event(Event::Start(content));
        let _ = w.write_event(Event::Text(BytesText::new(e.content_html)));
        let _ = w.write_event(Event::End(BytesEnd::new("content")));
        let _ = w.write_event(Event::End(BytesEnd::new("entry")));
    }
    let _ = w.write_event(Event::End(BytesEnd::new("feed")));
    String::from_utf8(w.into_inner()).unwrap_or_default()
}

/// The largest number of URLs one sitemap file may list (sitemaps.org).
pub const SITEMAP_LIMIT: usize = 50_000;

/// A sitemap (sitemaps.org 0.9) of absolute URLs with their last modification time.
pub fn sitemap(urls: &[(String, Option<i64>)]) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 1);
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)));
    let mut root = BytesStart::new("urlset");
    root.push_attribute(("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9"));
    let _ = w.write_event(Event::Start(root));
    for (loc, lastmod) in urls.iter().take(SITEMAP_LIMIT) {
        let _ = w.write_event(Event::Start(BytesStart::new("url")));
        text(&mut w, "loc", loc);
        if let Some(t) = lastmod {
            text(&mut w, "lastmod", &format_rfc3339(*t));
        }
        let _ = w.write_event(Event::End(BytesEnd::new("url")));
    }
    let _ = w.write_event(Event::End(BytesEnd::new("urlset")));
    String::from_utf8(w.into_inner()).unwrap_or_default()
}

/// How many article ids one part of the sitemap covers (ids `k * SITEMAP_PART` up to
/// `(k + 1) * SITEMAP_PART`): never more URLs than a sitemap file may list, and a story's
/// part never changes, so a publication, correction or retraction rewrites one part.
pub const SITEMAP_PART: i64 = SITEMAP_LIMIT as i64;

/// A sitemap index (sitemaps.org 0.9) of the sitemap files at these absolute URLs.
pub fn sitemap_index(locs: &[String]) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 1);
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)));
    let mut root = BytesStart::new("sitemapindex");
    root.push_attribute(("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9"));
    let _ = w.write_event(Event::Start(root));
    for loc in locs {
        let _ = w.write_event(Event::Start(BytesStart::new("sitemap")));
        text(&mut w, "loc", loc);
        let _ = w.write_event(Event::End(BytesEnd::new("sitemap")));
    }
    let _ = w.write_event(Event::End(BytesEnd::new("sitemapindex")));
    String::from_utf8(w.into_inner()).unwrap_or_default()
}

/// robots.txt: the public site is open to crawlers; the newsroom, the API and uploads in
/// review are not; the sitemap is announced.
pub fn robots(base_url: &str) -> String {
    format!("User-agent: *\nDisallow: /admin\nDisallow: /api/\nDisallow: /login\nAllow: /\n\nSitemap: {base_url}/sitemap.xml\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atom_escapes_and_dates_in_china_time() {
        let feed = Feed { title: "示范医院 · 医院要闻", subtitle: "新闻中心", self_url: "https://h.example/feed.xml", page_url: "https://h.example/" };
        let e = Entry {
            title: "心内科 <义诊> & 讲座",
            url: "https://h.example/news/7.html",
            published: 1_764_000_000,
            authors: "陈骨科、李护士",
            channel: "医院要闻",
            summary: "摘要",
            content_html: "<p>正文 &amp; 图片</p>",
        };
        let xml = atom(&feed, &[e]);
        assert!(xml.contains("<title>心内科 &lt;义诊&gt; &amp; 讲座</title>"), "{xml}");
        assert!(xml.contains("&lt;p&gt;正文 &amp;amp; 图片&lt;/p&gt;"), "content is escaped HTML: {xml}");
        assert!(xml.contains("+08:00</published>"), "{xml}");
        assert_eq!(xml.matches("<author>").count(), 2);
        let map = sitemap(&[("https://h.example/a?x=1&y=2".into(), None)]);
        assert!(map.contains("<loc>https://h.example/a?x=1&amp;y=2</loc>"), "{map}");
        let index = sitemap_index(&["https://h.example/sitemaps/pages.xml".into(), "https://h.example/sitemaps/0.xml".into()]);
        assert!(index.contains("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">") && index.matches("<sitemap>").count() == 2, "{index}");
    }
}
