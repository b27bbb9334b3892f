//! The public site's render cache as browsers and proxies see it: ETag and Last-Modified with
//! 304s, gzip and brotli bodies, hashed stylesheet names cached for a year, pages that change
//! exactly when a story is published, corrected or retracted, and views counted on cached
//! pages.

use std::io::Read;

use serde_json::json;

use crate::helpers::{spawn_app, TestApp};

/// Publishes a story; returns (manuscript id, the article's path).
async fn publish(app: &TestApp, title: &str) -> (i64, String) {
    let (id, url) = crate::site_feeds::publish(app, title).await;
    (id, url.trim_start_matches(&app.base).to_string())
}

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut r = app.client().get(format!("{}{path}", app.base));
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.send().await.unwrap()
}

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers().get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

#[tokio::test]
async fn pages_revalidate_and_come_compressed() {
    let app = spawn_app().await;
    publish(&app, "心内科开展胸痛中心质控培训").await;

    let plain = get(&app, "/", &[]).await;
    assert_eq!(plain.status(), 200);
    let (etag, modified) = (header(&plain, "etag"), header(&plain, "last-modified"));
    assert!(etag.starts_with("W/\"") && !modified.is_empty(), "{etag} {modified}");
    assert_eq!(header(&plain, "content-encoding"), "");
    let html = plain.text().await.unwrap();
    assert!(html.contains("心内科开展胸痛中心质控培训"));

    // The same page, compressed: brotli preferred, gzip otherwise; both decode to it.
    let br = get(&app, "/", &[("accept-encoding", "gzip, deflate, br")]).await;
    assert_eq!(header(&br, "content-encoding"), "br");
    assert!(header(&br, "vary").contains("Accept-Encoding"));
    let mut decoded = String::new();
    brotli::Decompressor::new(&br.bytes().await.unwrap()[..], 4096).read_to_string(&mut decoded).unwrap();
    assert_eq!(decoded, html);
    let gz = get(&app, "/", &[("accept-encoding", "gzip")]).await;
    assert_eq!(header(&gz, "content-encoding"), "gzip");
    let bytes = gz.bytes().await.unwrap();
    assert!(bytes.len() * 2 < html.len(), "compressed: {} of {}", bytes.len(), html.len());
    let mut decoded = String::new();
    flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut decoded).unwrap();
    assert_eq!(decoded, html);

    // A browser that has the page gets 304 and no body, by ETag or by date.
    let again = get(&app, "/", &[("if-none-match", &etag)]).await;
    assert_eq!(again.status(), 304);
    assert_eq!(header(&again, "etag"), etag);
    assert!(again.bytes().await.unwrap().is_empty());
    assert_eq!(get(&app, "/", &[("if-modified-since", &modified)]).await.status(), 304);
    assert_eq!(get(&app, "/", &[("if-none-match", "W/\"stale\"")]).await.status(), 200);

    // Pages differ by display settings; each has its own ETag.
    let large = get(&app, "/", &[("cookie", "yx_font=l")]).await;
    assert_ne!(header(&large, "etag"), etag);
    assert!(large.text().await.unwrap().contains("class=\"font-l"));
}

#[tokio::test]
async fn pages_change_exactly_when_stories_do() {
    let mut app = spawn_app().await;
    let (id, path) = publish(&app, "护理部开展静脉治疗专项培训").await;
    let etag = header(&get(&app, "/", &[]).await, "etag");
    let article_etag = header(&get(&app, &path, &[]).await, "etag");
    assert_eq!(header(&get(&app, "/", &[]).await, "etag"), etag, "unchanged until something is published");

    // Publishing another story changes the home page at once.
    publish(&app, "急诊科开展批量伤员救治演练").await;
    let home = get(&app, "/", &[("if-none-match", &etag)]).await;
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("急诊科开展批量伤员救治演练"));

    // A correction shows on the article page at once.
    let chief = app.api("chief").await;
    let fix = json!({"title": "护理部开展静脉治疗专项技能培训", "body_html": "<p>培训覆盖全院护理单元。</p>", "reason": "标题补充"});
    let (s, v) = chief.post(&format!("/manuscripts/{id}/correction"), fix).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("approved")), "the chief editor's own correction goes live: {v}");
    let page = get(&app, &path, &[("if-none-match", &article_etag)]).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("护理部开展静脉治疗专项技能培训"));

    // Views are counted on cached pages too (two reads above), and written at shutdown.
    for _ in 0..6 {
        assert_eq!(get(&app, &path, &[]).await.status(), 200);
    }
    assert_eq!(get(&app, &path, &[("if-none-match", &header(&get(&app, &path, &[]).await, "etag"))]).await.status(), 304);
    app.restart().await;
    let editor = app.api("editor").await;
    let (_, after) = editor.get(&format!("/articles/{}", path.trim_start_matches("/news/").trim_end_matches(".html"))).await;
    assert_eq!(after["view_count"].as_i64().unwrap(), 10, "two earlier reads, six, one to read the ETag, one answered 304");

    // A retraction answers 410 at once, even to a browser holding the old page.
    assert_eq!(editor.post(&format!("/manuscripts/{id}/retract"), json!({"reason": "重复发布"})).await.0, 200);
    assert_eq!(get(&app, &path, &[]).await.status(), 410);
}

#[tokio::test]
async fn stylesheets_have_hashed_names_cached_for_a_year() {
    let app = spawn_app().await;
    let home = get(&app, "/", &[]).await.text().await.unwrap();
    let at = home.find("href=\"/static/site.").expect("a stylesheet link") + 6;
    let css_path = &home[at..at + home[at..].find('"').unwrap()];
    assert!(css_path.len() > "/static/site.css".len() && css_path.ends_with(".css"), "{css_path}");
    let css = get(&app, css_path, &[]).await;
    assert_eq!(css.status(), 200);
    assert!(header(&css, "cache-control").contains("immutable") && header(&css, "cache-control").contains("max-age=31536000"));
    assert!(header(&css, "content-type").starts_with("text/css"));
    let body = css.text().await.unwrap();
    assert!(body.contains("适老化") || body.contains(".elder"));
    let plain = get(&app, "/static/site.css", &[]).await;
    assert_eq!((plain.status().as_u16(), header(&plain, "cache-control")), (200, "no-cache".to_string()));
    assert_eq!(get(&app, "/static/site.0000.css", &[]).await.status(), 404);
    let login = get(&app, "/admin/login", &[]).await.text().await.unwrap().replace("&#x2f;", "/");
    assert!(login.contains("href=\"/static/admin.") && !login.contains("href=\"/static/admin.css\""), "the newsroom's stylesheet is hashed too");
}
