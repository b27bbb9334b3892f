//! What machines read from the public site: Atom feeds (read back with feed-rs, a real feed
//! parser), sitemap.xml, robots.txt; and the head of every page: title, description,
//! canonical link, OpenGraph tags, feed links.

use quick_xml::events::Event;
use serde_json::json;

use crate::helpers::{approved_story, spawn_app, TestApp};

/// Publishes a story through the review; returns (manuscript id, the article's absolute URL).
pub(crate) async fn publish(app: &TestApp, title: &str) -> (i64, String) {
    let id = approved_story(app, "corr_a", title).await;
    let editor = app.api("editor").await;
    let (s, m) = editor.post(&format!("/manuscripts/{id}/publish"), json!({})).await;
    assert_eq!(s, 200, "{m}");
    let (_, list) = editor.get("/articles").await;
    let url = list.as_array().unwrap().iter().find(|a| a["title"] == title).expect("listed")["url"].as_str().unwrap().to_string();
    (id, url)
}

fn locs(xml: &str) -> Vec<String> {
    let mut r = quick_xml::Reader::from_str(xml);
    let (mut out, mut in_loc) = (Vec::new(), false);
    loop {
        match r.read_event().expect("well-formed sitemap") {
            Event::Start(e) if e.name().as_ref() == b"loc" => in_loc = true,
            Event::Text(t) if in_loc => out.push(t.unescape().unwrap().into_owned()),
            Event::End(_) => in_loc = false,
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// The value of `<meta property|name="key" content="…">` or `<link rel="key" href="…">`.
fn head_value(html: &str, attr: &str, key: &str, value_attr: &str) -> Option<String> {
    let at = html.find(&format!("{attr}=\"{key}\""))?;
    let tag_start = html[..at].rfind('<')?;
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>')?];
    let v = tag.find(&format!("{value_attr}=\""))? + value_attr.len() + 2;
    Some(tag[v..v + tag[v..].find('"')?].to_string())
}

#[tokio::test]
async fn feeds_sitemap_and_robots_follow_what_is_published() {
    let app = spawn_app().await;
    let (_, first) = publish(&app, "心内科开展世界心脏日义诊").await;
    let (_, second) = publish(&app, "护理部举办 <护理技能> 竞赛 & 表彰").await;
    let (gone_id, gone) = publish(&app, "一篇随后撤下的稿件").await;
    let editor = app.api("editor").await;
    assert_eq!(editor.post(&format!("/manuscripts/{gone_id}/retract"), json!({"reason": "信息有误"})).await.0, 200);

    // The site-wide feed: a real Atom parser reads it; newest first; absolute links; the
    // retracted story is gone; titles with markup characters survive escaping.
    let res = app.get("/feed.xml").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/atom+xml"));
    let feed = feed_rs::parser::parse(res.bytes().await.unwrap().as_ref()).expect("a valid Atom feed");
    let titles: Vec<String> = feed.entries.iter().map(|e| e.title.as_ref().unwrap().content.clone()).collect();
    assert_eq!(titles, ["护理部举办 <护理技能> 竞赛 & 表彰", "心内科开展世界心脏日义诊"], "newest first, retracted left out");
    let e = &feed.entries[1];
    assert_eq!(e.links[0].href, format!("{}{first}", app.base));
    assert_eq!(e.authors[0].name.as_deref(), Some("陈骨科"));
    assert!(e.published.is_some() && e.content.as_ref().unwrap().body.as_deref().unwrap().contains("义诊活动"));
    assert!(feed.title.unwrap().content.contains("新闻中心"));

    // Per channel: only that channel's stories; an unknown channel is a 404.
    let news = feed_rs::parser::parse(app.get("/channel/news/feed.xml").await.bytes().await.unwrap().as_ref()).unwrap();
    assert_eq!(news.entries.len(), 2);
    let notices = feed_rs::parser::parse(app.get("/channel/notices/feed.xml").await.bytes().await.unwrap().as_ref()).unwrap();
    assert!(notices.entries.is_empty());
    assert_eq!(app.get("/channel/nope/feed.xml").await.status(), 404);

    // The sitemap lists the home page, the channels and every live article, nothing retracted.
    // sitemap.xml is an index of its parts (pages, then articles by id range).
    let index = app.get("/sitemap.xml").await.text().await.unwrap();
    assert!(index.contains("<sitemapindex"), "{index}");
    let mut urls = Vec::new();
    for part in locs(&index) {
        let res = app.get(part.strip_prefix(&app.base).expect("a part on this site")).await;
        assert_eq!(res.status(), 200, "{part}");
        urls.extend(locs(&res.text().await.unwrap()));
    }
    assert_eq!(app.get("/sitemaps/x.xml").await.status(), 404);
    for expected in ["/".to_string(), "/channel/news".into(), "/channel/notices".into(), first.clone(), second.clone()] {
        assert!(urls.contains(&format!("{}{expected}", app.base)), "sitemap lacks {expected}: {urls:?}");
    }
    assert!(!urls.iter().any(|u| u.ends_with(&gone)), "retracted story in the sitemap");

    let robots = app.get("/robots.txt").await.text().await.unwrap();
    assert!(robots.contains("Disallow: /admin") && robots.contains("Disallow: /api/"));
    assert!(robots.contains(&format!("Sitemap: {}/sitemap.xml", app.base)), "{robots}");
}

#[tokio::test]
async fn every_page_has_its_own_title_description_canonical_and_opengraph() {
    let app = spawn_app().await;
    let (_, url) = publish(&app, "骨科举办关爱骨骼健康义诊").await;

    let article = app.get(&url).await.text().await.unwrap();
    assert!(article.contains("<title>骨科举办关爱骨骼健康义诊 - 医院要闻 - "), "{}", &article[..400]);
    assert_eq!(head_value(&article, "rel", "canonical", "href").unwrap(), format!("{}{url}", app.base));
    assert_eq!(head_value(&article, "property", "og:type", "content").as_deref(), Some("article"));
    assert!(head_value(&article, "property", "og:title", "content").unwrap().starts_with("骨科举办关爱骨骼健康义诊"));
    assert!(head_value(&article, "name", "description", "content").unwrap().contains("骨科在门诊大厅开展义诊活动"));
    assert_eq!(head_value(&article, "type", "application/atom+xml", "href").as_deref(), Some("/channel/news/feed.xml"));
    // The sharing QR code encodes the article's canonical address.
    let expected = yuanxun_site::qr_svg(&format!("{}{url}", app.base)).unwrap();
    assert!(expected.starts_with("<svg") && article.contains(&expected), "the page carries the QR code of its own URL");
    assert!(article.contains("微信扫一扫"));

    let mut seen = std::collections::HashSet::new();
    for path in ["/", "/channel/news", "/channel/notices", url.as_str()] {
        let html = app.get(path).await.text().await.unwrap();
        let title = &html[html.find("<title>").unwrap() + 7..html.find("</title>").unwrap()];
        let description = head_value(&html, "name", "description", "content").unwrap();
        assert!(!title.is_empty() && !description.is_empty(), "{path}");
        assert!(seen.insert(title.to_string()), "{path} repeats the title {title}");
        let canonical = head_value(&html, "rel", "canonical", "href").unwrap();
        assert!(canonical.starts_with(&app.base), "{path}: canonical {canonical}");
        assert!(head_value(&html, "property", "og:title", "content").is_some(), "{path}");
    }
    // A later page of a channel is its own canonical page.
    let p2 = app.get("/channel/news?page=1").await.text().await.unwrap();
    assert_eq!(head_value(&p2, "rel", "canonical", "href").unwrap(), format!("{}/channel/news", app.base));
}

#[tokio::test]
async fn reader_settings_are_remembered_in_cookies_and_only_lead_back_to_the_site() {
    let app = spawn_app().await;
    let (_, url) = publish(&app, "内分泌科举办糖尿病健康讲座").await;
    let page = app.get(&url).await.text().await.unwrap();
    assert!(page.contains("<html lang=\"zh-CN\" class=\"font-m\">"), "default size");
    assert!(page.contains(&format!("/reader?font=l&amp;back={url}")), "controls work as plain links: {}", &page[page.find("class=\"reader\"").unwrap()..][..400]);

    // Without redirects followed: the answer sets the cookies and points back to the page.
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = client.get(format!("{}/reader?font=l&elder=1&back={url}", app.base)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], url.as_str());
    let cookies: Vec<String> = res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
    assert!(cookies.iter().any(|c| c.starts_with("yx_font=l;") && c.contains("Max-Age=31536000")), "{cookies:?}");
    assert!(cookies.iter().any(|c| c.starts_with("yx_elder=1;")), "{cookies:?}");

    // The next visit renders large type in 适老化 mode, with the way out offered.
    let page = client.get(format!("{}{url}", app.base)).header("cookie", "yx_font=l; yx_elder=1").send().await.unwrap().text().await.unwrap();
    assert!(page.contains("class=\"font-l elder\""), "{}", &page[..200]);
    assert!(page.contains("退出适老化"));
    // Garbage in cookies is ignored.
    let page = client.get(format!("{}{url}", app.base)).header("cookie", "yx_font=<script>; yx_elder=yes").send().await.unwrap().text().await.unwrap();
    assert!(page.contains("class=\"font-m\""));

    // Never an open redirect.
    for bad in ["//evil.example/x", "https://evil.example/", "javascript:alert(1)", "/\\evil.example"] {
        let res = client.get(format!("{}/reader", app.base)).query(&[("font", "s"), ("back", bad)]).send().await.unwrap();
        assert_eq!(res.headers()["location"], "/", "{bad}");
    }
}
