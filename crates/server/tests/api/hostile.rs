//! What an attacker would send, and that each is refused with nothing stored or fetched.
//!
//! Here: SSRF (monitoring sources and alert robots pointed at this machine or the intranet,
//! in every spelling, directly or by a redirect, refused before any connection; open and
//! closed ports answered alike), the security headers and no inline script, forwarded
//! headers believed only from the configured proxy, sessions ended by a password change and
//! by idleness, the `/reader` redirect and the CSRF token never in a URL, Word downloads
//! built once per version (twenty readers, one build), rate limits (429, `Retry-After`,
//! nothing done; a forged `X-Forwarded-For` buys no new budget), stored script in every
//! field of a story, and paths that climb out of `/static`, `/media` and `/news`.
//!
//! The rest of the attack list lives beside the feature it attacks, each asserting the
//! refusal and that nothing was stored:
//! - `gate.rs`: photos, captions, the cover and removals after approval restart review;
//!   corrections wait for the chief editor; an editor cannot loosen the lexicons to pass a
//!   blocked story.
//! - `export.rs::exports_trust_only_the_database_never_the_folder`: a tampered manifest's
//!   address, an unsigned manifest on update, `..` paths and symbolic links.
//! - `access.rs`: CSRF without a token, lockout per name and address (unknown names alike),
//!   三员分立, expired passwords, who sees which manuscript.
//! - `uploads.rs` and `people.rs`: renamed, broken, oversized and zip-bomb files, pasted
//!   picture bombs; `search.rs`: script in the search box.
//! - `crates/docx/tests/read.rs`: zip bombs, picture bombs, a picture referenced forty
//!   times (decoded once), the per-document picture budget, XML entities (billion laughs,
//!   XXE); `crates/net`: every spelling of an internal address, as properties.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::routing::get;
use axum::Router;

use crate::helpers::{spawn_app_with, TestApp};

/// A loopback listener that counts the connections it is offered (and answers nothing).
async fn counting_listener(ip: &str) -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(AtomicUsize::new(0));
    let s = seen.clone();
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            s.fetch_add(1, Ordering::SeqCst);
            drop(conn);
        }
    });
    (port, seen)
}

async fn source_error(app: &TestApp, id: i64) -> Option<String> {
    let state = &app.running.as_ref().unwrap().state;
    for _ in 0..50 {
        let mut c = state.store.conn().await.unwrap();
        let s = yuanxun_store::monitor::list_sources(&mut c, state.site_id()).await.unwrap().into_iter().find(|s| s.id == id).unwrap();
        if s.last_error.is_some() || s.last_ok_at.is_some() {
            return s.last_error;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("source {id} was never fetched");
}

async fn source_id(app: &TestApp, name: &str) -> i64 {
    let state = &app.running.as_ref().unwrap().state;
    let mut c = state.store.conn().await.unwrap();
    yuanxun_store::monitor::list_sources(&mut c, state.site_id()).await.unwrap().into_iter().find(|s| s.name == name).expect("stored").id
}

fn form<'a>(name: &'a str, url: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("name", name), ("kind", "rss"), ("url", url), ("reach", "3"), ("interval", "30"), ("enabled", "1")]
}

#[tokio::test]
async fn internal_addresses_in_any_spelling_are_refused_before_any_connection() {
    // No allow-list: the server as a hospital runs it.
    let app = spawn_app_with(|c| c.outbound = yuanxun_net::Outbound::default()).await;
    let (port, seen) = counting_listener("127.0.0.1").await;
    let web = app.web("editor").await;
    let spellings = [
        format!("http://127.0.0.1:{port}/feed.xml"),
        format!("http://127.1:{port}/feed.xml"),
        format!("http://0.0.0.0:{port}/feed.xml"),
        format!("http://2130706433:{port}/feed.xml"),
        format!("http://0177.0.0.1:{port}/feed.xml"),
        format!("http://0x7f000001:{port}/feed.xml"),
        format!("http://[::1]:{port}/feed.xml"),
        format!("http://[::]:{port}/feed.xml"),
        format!("http://[::ffff:127.0.0.1]:{port}/feed.xml"),
        format!("http://10.0.0.1:{port}/feed.xml"),
        "http://169.254.169.254/latest/meta-data/".to_string(),
    ];
    for url in &spellings {
        let (status, _, body) = web.form("/admin/monitor/sources", &form("内网", url)).await;
        assert_eq!(status, 422, "{url} refused when saved: {body}");
        assert!(body.contains(yuanxun_net::REFUSED), "{url}: {body}");
    }
    let state = &app.running.as_ref().unwrap().state;
    let mut c = state.store.conn().await.unwrap();
    assert!(yuanxun_store::monitor::list_sources(&mut c, state.site_id()).await.unwrap().iter().all(|s| s.kind == "manual"), "nothing stored");
    drop(c);

    // A name that resolves to this machine passes the form, and is refused when fetched,
    // in the same words whether or not anything listens there.
    // A port nothing listens on (bound, then let go).
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    for (name, p) in [("本机名", port), ("本机名关闭端口", closed)] {
        let url = format!("http://localhost:{p}/feed.xml");
        let (status, _, body) = web.form("/admin/monitor/sources", &form(name, &url)).await;
        assert_eq!(status, 303, "{body}");
        let id = source_id(&app, name).await;
        web.form(&format!("/admin/monitor/sources/{id}/fetch"), &[]).await;
        assert_eq!(source_error(&app, id).await.as_deref(), Some(yuanxun_net::REFUSED), "{name}");
    }

    // Alert robots: an address is refused when saved, a name when the test message is sent.
    let (status, _, body) = web.form("/admin/monitor/channels", &[("name", "群"), ("kind", "wecom"), ("target", &format!("http://127.0.0.1:{port}/robot")), ("enabled", "on")]).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains(yuanxun_net::REFUSED));
    let (status, _, body) = web.form("/admin/monitor/channels", &[("name", "群"), ("kind", "dingtalk"), ("target", &format!("http://localhost:{port}/robot")), ("enabled", "on")]).await;
    assert_eq!(status, 303, "{body}");
    let channel = {
        let mut c = state.store.conn().await.unwrap();
        yuanxun_store::incidents::list_channels(&mut c, state.site_id()).await.unwrap()[0].id
    };
    let (status, _, body) = web.form(&format!("/admin/monitor/channels/{channel}/test"), &[]).await;
    assert_eq!(status, 502, "{body}");
    assert!(body.contains(yuanxun_net::REFUSED), "{body}");

    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(seen.load(Ordering::SeqCst), 0, "the loopback listener saw no connection");
}

#[tokio::test]
async fn a_redirect_from_an_allowed_host_to_an_internal_one_is_refused() {
    // The administrator allows one intranet host, 127.0.0.2; it redirects to 127.0.0.1.
    let app = spawn_app_with(|c| c.outbound = yuanxun_net::Outbound::new(vec!["127.0.0.2/32".parse().unwrap()])).await;
    let (port, seen) = counting_listener("127.0.0.1").await;
    let to_ip = format!("http://127.0.0.1:{port}/feed.xml");
    let to_name = format!("http://localhost:{port}/feed.xml");
    let router = Router::new()
        .route("/ip", get(move || async move { (StatusCode::FOUND, [(header::LOCATION, to_ip)]) }))
        .route("/name", get(move || async move { (StatusCode::FOUND, [(header::LOCATION, to_name)]) }))
        .route("/feed.xml", get(|| async { ([(header::CONTENT_TYPE, "application/rss+xml")], "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>内网</title><item><guid>a</guid><title>示范医院内网通知</title></item></channel></rss>") }));
    let listener = tokio::net::TcpListener::bind("127.0.0.2:0").await.unwrap();
    let allowed = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let web = app.web("editor").await;
    for (name, path) in [("直接", "/feed.xml"), ("跳到地址", "/ip"), ("跳到主机名", "/name")] {
        let url = format!("{allowed}{path}");
        let (status, _, body) = web.form("/admin/monitor/sources", &form(name, &url)).await;
        assert_eq!(status, 303, "{body}");
        let id = source_id(&app, name).await;
        web.form(&format!("/admin/monitor/sources/{id}/fetch"), &[]).await;
        let error = source_error(&app, id).await;
        if name == "直接" {
            assert_eq!(error, None, "the allowed intranet host is fetched");
        } else {
            assert_eq!(error.as_deref(), Some(yuanxun_net::REFUSED), "{name}");
        }
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(seen.load(Ordering::SeqCst), 0, "no request reached 127.0.0.1");
}

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers().get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

/// `<script>` tags with content: our pages have none, so the policy can forbid them.
fn inline_scripts(html: &str) -> usize {
    html.match_indices("<script").filter(|(at, _)| {
        let tag_end = html[*at..].find('>').map(|e| at + e).unwrap_or(html.len());
        let tag = &html[*at..tag_end];
        !tag.contains(" src=")
    }).count()
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_no_page_needs_inline_script() {
    let app = crate::helpers::spawn_app().await;
    let id = crate::helpers::approved_story(&app, "corr_a", "骨科开展义诊").await;
    assert_eq!(app.api("editor").await.post(&format!("/manuscripts/{id}/publish"), serde_json::json!({})).await.0, 200);
    let web = app.web("editor").await;
    let (_, list) = app.api("editor").await.get("/articles").await;
    let article = list[0]["url"].as_str().unwrap().trim_start_matches(&app.base).to_string();
    let article_id = list[0]["id"].as_i64().unwrap();
    for path in ["/", article.as_str(), "/channel/news", "/search?q=%E9%AA%A8%E7%A7%91", "/nothing-here", "/admin/login", "/api/v1/openapi.json", "/feed.xml"] {
        let r = app.get(path).await;
        let csp = header(&r, "content-security-policy");
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-eval"), "{path}: {csp}");
        assert_eq!(header(&r, "x-frame-options"), "DENY", "{path}");
        assert_eq!(header(&r, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header(&r, "referrer-policy"), "strict-origin-when-cross-origin", "{path}");
        assert_eq!(header(&r, "strict-transport-security"), "", "{path}: no HSTS over plain HTTP");
        let html = r.text().await.unwrap();
        assert_eq!(inline_scripts(&html), 0, "{path}");
        assert!(!html.contains("javascript:"), "{path}: no javascript: links");
    }
    for path in [format!("/admin/manuscripts/{id}"), "/admin/manuscripts/new".into(), format!("/admin/manuscripts/{id}/edit"), "/admin/monitor/rules".into(), "/admin/monitor/sources".into(), format!("/admin/articles/{article_id}/wechat"), "/admin/lexicon".into()] {
        let (status, html) = web.get(&path).await;
        assert!(status == 200 || status == 403, "{path}: {status}");
        assert_eq!(inline_scripts(&html), 0, "{path}");
        assert!(html.replace("&#x2f;", "/").contains("<script src=\"/static/admin."), "{path}: the newsroom's script is loaded");
    }
}

#[tokio::test]
async fn forwarded_headers_are_believed_from_the_configured_proxy_only() {
    async fn login_ip(app: &TestApp, forwarded: &str, proto: &str) -> (String, reqwest::Response) {
        let r = app.client().post(format!("{}/api/v1/session", app.base)).header("X-Forwarded-For", forwarded).header("X-Forwarded-Proto", proto).json(&serde_json::json!({"username": "editor", "password": crate::helpers::PASSWORD})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let state = &app.running.as_ref().unwrap().state;
        let mut c = state.store.conn().await.unwrap();
        let q = yuanxun_store::audit::Query { action: Some("login".into()), ..Default::default() };
        let rows = yuanxun_store::audit::list(&mut c, state.site_id(), &q, 1).await.unwrap();
        (rows[0].ip.clone(), r)
    }
    // Without a configured proxy, a client cannot choose the address the audit log records,
    // nor claim HTTPS.
    let app = crate::helpers::spawn_app().await;
    let (ip, r) = login_ip(&app, "203.0.113.9", "https").await;
    assert_eq!(ip, "127.0.0.1");
    assert!(!header(&r, "set-cookie").contains("Secure") && header(&r, "strict-transport-security").is_empty());

    // Behind the configured proxy: the nearest address it reports (the left entries are the
    // client's own words), and HTTPS with HSTS.
    let app = spawn_app_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    let (ip, r) = login_ip(&app, "6.6.6.6, 198.51.100.7", "https").await;
    assert_eq!(ip, "198.51.100.7");
    assert!(header(&r, "set-cookie").contains("Secure"));
    assert_eq!(header(&r, "strict-transport-security"), "max-age=31536000");
}

#[tokio::test]
async fn a_password_change_ends_every_other_session_and_idle_sessions_expire() {
    let app = crate::helpers::spawn_app().await;
    let phone = app.api("corr_a").await;
    let other_browser = app.web("corr_a").await;
    let web = app.web("corr_a").await;
    assert_eq!(phone.get("/session").await.0, 200);
    let (s, loc, _) = web.form("/admin/password", &[("current", crate::helpers::PASSWORD), ("new", "NewPass2026x"), ("confirm", "NewPass2026x")]).await;
    assert_eq!((s, loc.as_str()), (303, "/admin/password?msg=password"));
    assert_eq!(phone.get("/session").await.0, 401, "the API session ended");
    assert_eq!(other_browser.get("/admin/manuscripts").await.0, 303, "the other browser is signed out");
    assert_eq!(web.get("/admin/manuscripts").await.0, 200, "the session it was changed in stays");

    // 等保: a session unused for longer than the idle limit ends.
    let app = spawn_app_with(|c| c.idle_timeout = Duration::from_secs(1)).await;
    let web = app.web("editor").await;
    assert_eq!(web.get("/admin/manuscripts").await.0, 200);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (s, _) = web.get("/admin/manuscripts").await;
    assert_eq!(s, 303, "sent to the login page after being idle");
}

#[tokio::test]
async fn the_reader_redirect_stays_on_the_site_and_the_csrf_token_never_rides_in_a_url() {
    let app = crate::helpers::spawn_app().await;
    for back in ["/%09/evil.example/", "//evil.example/", "/%5Cevil.example", "https://evil.example/", "/%0A/evil.example"] {
        let r = app.get(&format!("/reader?font=l&back={back}")).await;
        assert_eq!(r.status(), 303);
        let to = header(&r, "location");
        let resolved = url::Url::parse(&app.base).unwrap().join(&to).unwrap();
        assert_eq!(resolved.host_str(), Some("127.0.0.1"), "{back} → {to}");
    }
    assert_eq!(header(&app.get("/reader?font=l&back=/news/3.html").await, "location"), "/news/3.html");

    // A multipart form with the token only in its URL is refused, and nothing is stored.
    let web = app.web("corr_a").await;
    let before = app.count(yuanxun_store::manuscripts::Table::Manuscripts).await;
    let form = reqwest::multipart::Form::new().text("channel_id", app.fx.news.to_string()).part("file", reqwest::multipart::Part::bytes(b"PK".to_vec()).file_name("a.docx"));
    let r = web.client.post(format!("{}/admin/manuscripts/import?csrf={}", app.base, web.csrf)).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(app.count(yuanxun_store::manuscripts::Table::Manuscripts).await, before);
}

/// A 2,400×1,800 photo of noise (what a phone camera sends, big on the web and in Word).
fn large_photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(2_400, 1_800, |x, y| image::Rgb([(x * 7 + y * 13) as u8, (x ^ y) as u8, (x.wrapping_mul(y) >> 3) as u8]));
    let mut jpg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpg, 95).encode_image(&img).unwrap();
    jpg
}

#[tokio::test]
async fn word_downloads_are_built_once_per_published_version_with_photos_scaled_for_print() {
    use serde_json::json;
    let app = crate::helpers::spawn_app().await;
    let web = app.web("corr_a").await;
    let fields = [("title", "骨科举办“关爱骨骼健康”义诊"), ("channel_id", &*app.fx.news.to_string()), ("authors", "陈骨科"), ("body_html", "<p>骨科专家为居民提供骨密度检测。</p>")];
    let (_, loc, _) = web.form("/admin/manuscripts", &fields).await;
    let id: i64 = loc.trim_start_matches("/admin/manuscripts/").split('?').next().unwrap().parse().unwrap();
    for caption in ["义诊现场", "专家讲解"] {
        let (s, _, page) = web.upload(&format!("/admin/manuscripts/{id}/media"), "现场.jpg", large_photo(), &[("caption", caption.to_string())]).await;
        assert_eq!(s, 303, "{page}");
    }
    assert_eq!(app.api("corr_a").await.post(&format!("/manuscripts/{id}/submit"), json!({})).await.0, 200);
    crate::helpers::review_and_publish(&app, id).await;
    let (_, list) = app.api("editor").await.get("/articles").await;
    let word = list[0]["url"].as_str().unwrap().trim_start_matches(&app.base).replace(".html", ".docx");
    let state = &app.running.as_ref().unwrap().state;
    let before = state.words.builds();

    // Twenty readers at once: one document built, the same bytes for all.
    let client = app.client();
    let gets = (0..20).map(|_| {
        let (client, url) = (client.clone(), format!("{}{word}", app.base));
        async move {
            let r = client.get(url).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.bytes().await.unwrap()
        }
    });
    let files = futures::future::join_all(gets).await;
    assert!(files.iter().all(|f| f == &files[0]), "every reader gets the same file");
    assert_eq!(state.words.builds() - before, 1, "built once for twenty readers");
    assert_eq!(app.get(&word).await.bytes().await.unwrap(), files[0], "and served from memory afterwards");
    assert_eq!(state.words.builds() - before, 1);

    // The photos are in it, scaled for print (the web copies are 2,400 pixels wide).
    let back = yuanxun_docx::read_docx(&files[0], &yuanxun_docx::Limits::default()).unwrap();
    assert_eq!(back.images.len(), 2);
    for img in &back.images {
        assert_eq!((img.image.width, img.image.height), (1_600, 1_200), "{}", img.name);
    }
    let uploaded = 2 * large_photo().len();
    assert!(files[0].len() * 2 < uploaded, "print copies are a fraction of the photos: {} of {uploaded} bytes", files[0].len());

    // A correction is a new version: a new document, with the corrected text.
    let chief = app.api("chief").await;
    let (s, v) = chief.post(&format!("/manuscripts/{id}/correction"), json!({"title": "骨科举办“关爱骨骼健康”义诊", "body_html": "<p>骨科专家为两百名居民提供骨密度检测。</p>", "reason": "补充人数"})).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("approved")), "{v}");
    let corrected = app.get(&word).await.bytes().await.unwrap();
    assert_eq!(state.words.builds() - before, 2);
    let back = yuanxun_docx::read_docx(&corrected, &yuanxun_docx::Limits::default()).unwrap();
    assert!(back.body_html.contains("两百名居民"), "{}", back.body_html);
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_after_and_do_nothing() {
    use yuanxun_server::ratelimit::RateLimits;
    // Small budgets (a new attempt every 20 s, a search every 12 s), so the test does not
    // depend on how fast this machine hashes passwords; the defaults are the same code.
    let app = spawn_app_with(|c| c.rate_limits = RateLimits::parse("login=3,search=5").unwrap()).await;
    let login = |client: reqwest::Client, forged: Option<&'static str>| {
        let url = format!("{}/api/v1/session", app.base);
        async move {
            let mut r = client.post(url).json(&serde_json::json!({"username": "editor", "password": crate::helpers::PASSWORD}));
            if let Some(ip) = forged {
                r = r.header("X-Forwarded-For", ip);
            }
            r.send().await.unwrap()
        }
    };
    for i in 0..3 {
        assert_eq!(login(app.client(), None).await.status(), 200, "login {i} is within the budget");
    }
    let refused = login(app.client(), None).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = header(&refused, "retry-after").parse().unwrap();
    assert!((1..=20).contains(&wait), "one more attempt every twenty seconds: {wait}");
    assert!(refused.headers().get(header::SET_COOKIE).is_none(), "no session was made");
    let v: serde_json::Value = refused.json().await.unwrap();
    assert!(v["message"].as_str().unwrap().contains("登录尝试过于频繁"), "{v}");
    // A header the client writes does not buy a new budget (no proxy is configured).
    assert_eq!(login(app.client(), Some("203.0.113.9")).await.status(), StatusCode::TOO_MANY_REQUESTS);
    // The newsroom's form says it in a page, in Chinese.
    let r = app.client().post(format!("{}/admin/login", app.base)).form(&[("username", "editor"), ("password", "x")]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(!header(&r, "retry-after").is_empty() && header(&r, "content-security-policy").contains("default-src"));
    let page = r.text().await.unwrap();
    assert!(page.contains("请稍后再试") && page.contains("秒后再试") && page.contains("没有被执行"), "{page}");
    // Reading the site is not limited.
    assert_eq!(app.get("/").await.status(), 200);

    // Searches have their own budget.
    for i in 0..5 {
        assert_eq!(app.get("/search?q=义诊").await.status(), 200, "search {i}");
    }
    assert_eq!(app.get("/search?q=义诊").await.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn behind_a_configured_proxy_each_reader_has_a_budget_of_their_own() {
    use yuanxun_server::ratelimit::RateLimits;
    let app = spawn_app_with(|c| {
        c.rate_limits = RateLimits::parse("download=2,api=3").unwrap();
        c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let get = |path: &'static str, reader: &'static str| {
        let url = format!("{}{path}", app.base);
        let client = app.client();
        async move { client.get(url).header("X-Forwarded-For", reader).send().await.unwrap().status() }
    };
    // Downloads (a missing article still counts: the budget is for asking).
    assert_eq!(get("/news/999.docx", "198.51.100.1").await, 404);
    assert_eq!(get("/news/999.docx", "198.51.100.1").await, 404);
    assert_eq!(get("/news/999.docx", "198.51.100.1").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(get("/news/999.docx", "198.51.100.2").await, 404, "another reader behind the proxy is not held back");
    // The API answers in JSON.
    for _ in 0..3 {
        assert_eq!(get("/api/v1/articles", "198.51.100.3").await, 200);
    }
    let r = app.client().get(format!("{}/api/v1/articles", app.base)).header("X-Forwarded-For", "198.51.100.3").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["error"], "too_many_requests");
    assert!(v["retry_after"].as_u64().unwrap() >= 1 && v["message"].as_str().unwrap().contains("接口调用过于频繁"), "{v}");
}

#[tokio::test]
async fn stored_script_in_a_story_never_reaches_a_reader_or_a_reviewer() {
    use serde_json::json;
    let app = crate::helpers::spawn_app().await;
    let body = concat!(
        "<p>义诊活动<script>alert(1)</script></p>",
        "<p><img src=x onerror=alert(2)></p>",
        "<p><a href=\"javascript:alert(3)\">详情</a> <a href=\"https://www.example.gov.cn/\" onclick=\"alert(4)\">通知</a></p>",
        "<svg onload=alert(5)></svg><iframe src=\"https://evil.example/\"></iframe>",
        "<p style=\"background:url(javascript:alert(6))\">样式</p><form action=\"https://evil.example/\"><input name=p></form>",
    );
    let a = app.api("corr_a").await;
    let (s, m) = a.post("/manuscripts", json!({"title": "骨科义诊<script>alert(7)</script>", "channel_id": app.fx.news, "authors": "陈骨科\"><img src=x onerror=alert(8)>", "body_html": body})).await;
    assert_eq!(s, 201, "{m}");
    let id = m["id"].as_i64().unwrap();
    assert_eq!(a.post(&format!("/manuscripts/{id}/submit"), json!({})).await.0, 200);
    crate::helpers::review_and_publish(&app, id).await;
    let (_, list) = app.api("editor").await.get("/articles").await;
    let path = list[0]["url"].as_str().unwrap().trim_start_matches(&app.base).to_string();

    let reader = app.get(&path).await.text().await.unwrap();
    let reviewer = app.web("editor").await.get(&format!("/admin/manuscripts/{id}")).await.1;
    for (what, html) in [("the article page", &reader), ("the reviewer's page", &reviewer)] {
        // Read as a browser would: text that merely spells a payload is harmless.
        let doc = scraper::Html::parse_document(html);
        for el in doc.root_element().descendants().filter_map(scraper::ElementRef::wrap) {
            let name = el.value().name();
            assert!(!["iframe", "object", "embed"].contains(&name), "{what}: a <{name}>");
            assert!(!(name == "script" && el.text().any(|t| t.contains("alert"))), "{what}: the script runs");
            assert!(!(name == "form" && el.value().attr("action").is_some_and(|a| a.contains("evil"))), "{what}: a form posting away");
            for (attr, value) in el.value().attrs() {
                assert!(!attr.starts_with("on"), "{what}: <{name} {attr}={value}>");
                let links = ["href", "src", "action", "formaction", "style", "xlink:href"].contains(&attr);
                assert!(!(links && value.to_ascii_lowercase().contains("javascript:")), "{what}: <{name} {attr}={value}>");
            }
        }
    }
    // The page's own pictures (the QR code) are SVG; the story's body has none.
    let doc = scraper::Html::parse_document(&reader);
    let body = doc.select(&scraper::Selector::parse("div.body").unwrap()).next().expect("the story's body");
    assert_eq!(body.select(&scraper::Selector::parse("svg, script, form, input, style").unwrap()).count(), 0, "{}", body.html());
    let feed = app.get("/feed.xml").await.text().await.unwrap();
    assert!(!feed.contains("<script>") && !feed.contains("&lt;script&gt;alert(1)"), "the feed carries the body's script");
    // What the correspondent meant is still there, as text.
    assert!(reader.contains("义诊活动") && reader.contains("https://www.example.gov.cn/") && reader.contains("骨科义诊&lt;script&gt;"), "{reader}");
}

#[tokio::test]
async fn paths_that_climb_out_find_nothing() {
    let app = crate::helpers::spawn_app().await;
    let db = app.data().join("yuanxun.db");
    assert!(db.exists(), "the database the attacks aim at");
    for path in [
        "/static/..%2f..%2fyuanxun.db",
        "/static/%2e%2e/%2e%2e/yuanxun.db",
        "/static/..%5c..%5cyuanxun.db",
        "/media/..%2fyuanxun.db",
        "/media/1%2f..%2f..%2fyuanxun.db",
        "/news/..%2f..%2fyuanxun.db",
        "/channel/..%2f..%2fetc%2fpasswd",
        "/static/....//....//etc/passwd",
    ] {
        let r = app.client().get(format!("{}{path}", app.base)).send().await.unwrap();
        let status = r.status();
        let body = r.bytes().await.unwrap();
        assert!(status == StatusCode::NOT_FOUND || status == StatusCode::BAD_REQUEST, "{path}: {status}");
        assert!(!body.starts_with(b"SQLite format") && !body.windows(5).any(|w| w == b"root:"), "{path} leaked a file");
    }
}
