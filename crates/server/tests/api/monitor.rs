//! Opinion monitoring: sources fetched on schedule from a local server that misbehaves in
//! every way the internet does (broken XML, huge bodies, slow answers, redirect loops, GBK,
//! 429 with Retry-After, conditional GET), rules with word sets and a live test, and items
//! read for sentiment, category, repeats and alert level.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use yuanxun_store::monitor as store;

use crate::helpers::{spawn_app, TestApp};

const STORY: &str = "网友发帖称，示范医院急诊科昨晚发生医疗纠纷，患者家属情绪激动，与值班医生发生冲突并动手打人，医院保安随后报警，家属要求医院给个说法。";

fn rss(items: &[(&str, &str, &str)]) -> String {
    let mut s = String::from(r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>本地论坛</title><link>https://bbs.example/</link><description>x</description>"#);
    for (guid, title, body) in items {
        s.push_str(&format!("<item><guid>{guid}</guid><title>{title}</title><link>https://bbs.example/t/{guid}</link><description><![CDATA[<p>{body}</p>]]></description></item>"));
    }
    s.push_str("</channel></rss>");
    s
}

/// The misbehaving internet, on a random loopback port. Counts conditional requests.
async fn hostile_server(conditional: Arc<AtomicUsize>) -> String {
    let c = conditional.clone();
    let app = Router::new()
        .route(
            "/feed.xml",
            get(move |h: HeaderMap| {
                let c = c.clone();
                async move {
                    if h.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some("\"v1\"") {
                        c.fetch_add(1, Ordering::SeqCst);
                        return StatusCode::NOT_MODIFIED.into_response();
                    }
                    let body = rss(&[("t1", "示范医院急诊科发生纠纷", STORY), ("t2", "示范医院开展义诊活动", "医院志愿者走进社区开展义诊，为居民测量血压，受到欢迎。")]);
                    ([(header::CONTENT_TYPE, "application/rss+xml"), (header::ETAG, "\"v1\"")], body).into_response()
                }
            }),
        )
        .route(
            "/gbk.xml",
            get(|| async {
                let text = rss(&[("g1", "示医收费处多收费", "在示医看病，收费处重复收费，退费要跑三个地方，很失望。")]).replace("UTF-8", "gb2312");
                let (bytes, _, _) = encoding_rs::GBK.encode(&text);
                ([(header::CONTENT_TYPE, "text/xml; charset=GBK")], bytes.into_owned()).into_response()
            }),
        )
        .route("/broken.xml", get(|| async { ([(header::CONTENT_TYPE, "application/rss+xml"), (header::ETAG, "\"b1\"")], "<?xml version=\"1.0\"?><rss><channel><item><title>没有结束") }))
        .route("/huge.xml", get(|| async { ([(header::CONTENT_TYPE, "application/rss+xml")], "<rss>".to_string() + &"x".repeat(3 * 1024 * 1024)) }))
        .route(
            "/slow.xml",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(6)).await;
                rss(&[])
            }),
        )
        .route("/loop", get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/loop2")]) }))
        .route("/loop2", get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/loop")]) }))
        .route("/busy", get(|| async { (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "120")], "slow down") }))
        .route("/gone", get(|| async { StatusCode::NOT_FOUND }))
        .route(
            "/api.json",
            get(|| async {
                let doc = serde_json::json!({"code": 0, "data": {"list": [
                    {"id": 101, "title": "示范医院停车难", "content": "在示范医院门口排队停车一个小时，太折腾了", "user": {"name": "市民甲"}, "ctime": "2026-11-24 09:15"},
                    {"id": 102, "title": "感谢示范医院产科", "content": "医生护士非常耐心，感谢", "user": {"name": "市民乙"}, "ctime": "2026-11-24 10:00"}
                ]}});
                ([(header::CONTENT_TYPE, "application/json")], doc.to_string())
            }),
        )
        .route(
            "/forum.html",
            get(|| async {
                let html = r#"<html><head><meta charset="gbk"><title>论坛</title></head><body><ul class="threads">
                    <li><a href="/thread/1">示医护士态度恶劣</a><p class="summary">护士对老人呵斥，态度恶劣，投诉无门</p></li>
                    <li><a href="thread/2">周末去哪玩</a><p class="summary">城郊公园不错</p></li></ul></body></html>"#;
                let (bytes, _, _) = encoding_rs::GBK.encode(html);
                ([(header::CONTENT_TYPE, "text/html")], bytes.into_owned()).into_response()
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

async fn sources(app: &TestApp) -> Vec<store::Source> {
    let state = &app.running.as_ref().unwrap().state;
    let mut c = state.store.conn().await.unwrap();
    store::list_sources(&mut c, state.site_id()).await.unwrap()
}

async fn items(app: &TestApp) -> Vec<store::Item> {
    let state = &app.running.as_ref().unwrap().state;
    let mut c = state.store.conn().await.unwrap();
    store::list_items(&mut c, state.site_id(), &store::ItemQuery::default(), 1000).await.unwrap()
}

/// Waits until every source has been tried (succeeded or failed) since `after`.
async fn wait_until_tried(app: &TestApp, after: i64) -> Vec<store::Source> {
    for _ in 0..100 {
        let s = sources(app).await;
        if s.iter().filter(|s| s.kind != "manual").all(|s| s.last_ok_at.is_some_and(|t| t >= after) || s.failures > 0) {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("sources were not all tried: {:#?}", sources(app).await);
}

fn source_form<'a>(name: &'a str, kind: &'a str, url: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![("name", name), ("kind", kind), ("url", url), ("reach", "3"), ("interval", "30"), ("enabled", "1")];
    f.extend_from_slice(extra);
    f
}

#[tokio::test]
async fn hostile_sources_each_end_in_a_clear_error_and_the_good_ones_are_read() {
    let app = spawn_app().await;
    let conditional = Arc::new(AtomicUsize::new(0));
    let base = hostile_server(conditional.clone()).await;
    let web = app.web("editor").await;
    let url = |p: &str| format!("{base}{p}");
    let (feed, gbk, broken, huge, slow, looped, busy, gone, api, forum) =
        (url("/feed.xml"), url("/gbk.xml"), url("/broken.xml"), url("/huge.xml"), url("/slow.xml"), url("/loop"), url("/busy"), url("/gone"), url("/api.json"), url("/forum.html"));
    let started = yuanxun_core::clock::now();
    for (name, kind, u, extra) in [
        ("论坛订阅", "rss", &feed, vec![]),
        ("GBK 订阅", "rss", &gbk, vec![]),
        ("坏 XML", "rss", &broken, vec![]),
        ("巨大", "rss", &huge, vec![]),
        ("很慢", "rss", &slow, vec![]),
        ("循环", "rss", &looped, vec![]),
        ("限流", "rss", &busy, vec![]),
        ("失效", "rss", &gone, vec![]),
        ("问政接口", "json", &api, vec![("json_items", "data.list"), ("json_title", "title"), ("json_text", "content"), ("json_guid", "id"), ("json_author", "user.name"), ("json_time", "ctime")]),
        ("本地论坛", "html", &forum, vec![("html_item", "ul.threads li"), ("html_title", "a"), ("html_text", "p.summary")]),
    ] {
        let (status, loc, body) = web.form("/admin/monitor/sources", &source_form(name, kind, u, &extra)).await;
        assert_eq!((status, loc.as_str()), (303, "/admin/monitor/sources?msg=added"), "{name}: {body}");
    }
    // A bad selector and a bad address are refused before anything is saved.
    let (status, _, body) = web.form("/admin/monitor/sources", &source_form("坏选择器", "html", &forum, &[("html_item", "ul..x")])).await;
    assert_eq!(status, 422);
    assert!(body.contains("写法有误"), "{body}");
    let (status, _, body) = web.form("/admin/monitor/sources", &source_form("坏地址", "rss", "ftp://x", &[])).await;
    assert_eq!(status, 422);
    assert!(body.contains("地址须以"), "{body}");

    let tried = wait_until_tried(&app, started).await;
    let by_name = |n: &str| tried.iter().find(|s| s.name == n).unwrap().clone();
    let error_of = |n: &str| by_name(n).last_error.unwrap_or_else(|| panic!("{n} should have failed"));
    assert!(error_of("坏 XML").contains("不是有效的 RSS/Atom"), "{}", error_of("坏 XML"));
    assert!(error_of("巨大").contains("超过 1 MB"), "{}", error_of("巨大"));
    assert!(error_of("很慢").contains("超时"), "{}", error_of("很慢"));
    assert!(error_of("循环").contains("重定向"), "{}", error_of("循环"));
    assert!(error_of("失效").contains("HTTP 404"), "{}", error_of("失效"));
    let busy = by_name("限流");
    assert!(busy.last_error.as_deref().unwrap().contains("120 秒后再来"), "{busy:?}");
    assert!((busy.next_at - started - 120).abs() <= 5, "Retry-After obeyed: next at +{}", busy.next_at - started);
    // Validators are kept only with a whole success: the broken feed's ETag was not saved.
    assert_eq!(by_name("坏 XML").etag, None);
    for ok in ["论坛订阅", "GBK 订阅", "问政接口", "本地论坛"] {
        assert_eq!(by_name(ok).last_error, None, "{ok}");
    }
    assert_eq!(by_name("论坛订阅").etag.as_deref(), Some("\"v1\""));

    let all = items(&app).await;
    let titles: Vec<&str> = all.iter().map(|i| i.title.as_str()).collect();
    for t in ["示范医院急诊科发生纠纷", "示范医院开展义诊活动", "示医收费处多收费", "示范医院停车难", "感谢示范医院产科", "示医护士态度恶劣", "周末去哪玩"] {
        assert!(titles.contains(&t), "{t} missing from {titles:?}");
    }
    let find = |t: &str| all.iter().find(|i| i.title == t).unwrap();
    // GBK decoded, HTML stripped, JSON fields mapped, links made absolute.
    assert!(find("示医收费处多收费").body.contains("重复收费"));
    assert!(!find("示范医院急诊科发生纠纷").body.contains("<p>"));
    assert_eq!(find("示范医院停车难").author, "市民甲");
    assert_eq!(find("示范医院停车难").guid, "101");
    assert_eq!(find("示医护士态度恶劣").url, format!("{base}/thread/1"));
    assert_eq!(find("周末去哪玩").url, format!("{base}/thread/2"));
    // Read as they speak.
    assert!(find("示医收费处多收费").sentiment <= -200 && find("示医收费处多收费").category == "price");
    assert!(find("感谢示范医院产科").sentiment >= 200);
    assert!(find("示医护士态度恶劣").sentiment <= -200 && find("示医护士态度恶劣").category == "service");

    // Fetched again: a conditional GET, 304, nothing stored twice, the ETag kept.
    let feed_source = by_name("论坛订阅");
    let count = all.len();
    let again = yuanxun_core::clock::now();
    let (status, _, _) = web.form(&format!("/admin/monitor/sources/{}/fetch", feed_source.id), &[]).await;
    assert_eq!(status, 303);
    for _ in 0..50 {
        if conditional.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(conditional.load(Ordering::SeqCst), 1, "If-None-Match sent");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let s = sources(&app).await.into_iter().find(|s| s.id == feed_source.id).unwrap();
    assert!(s.last_ok_at.unwrap() >= again && s.etag.as_deref() == Some("\"v1\""), "{s:?}");
    assert_eq!(items(&app).await.len(), count);

    // The page shows each source's state in words; the server is still well.
    let (status, page) = web.get("/admin/monitor/sources").await;
    assert_eq!(status, 200);
    for text in ["超时", "重定向", "不是有效的 RSS", "正常"] {
        assert!(page.contains(text), "sources page lacks {text}");
    }
    let (status, page) = web.get("/admin/monitor").await;
    assert_eq!(status, 200);
    assert!(page.contains("示医护士态度恶劣"));
    // Correspondents do not see the monitor.
    let corr = app.web("corr_a").await;
    assert_eq!(corr.get("/admin/monitor").await.0, 403);
    assert_eq!(corr.get("/admin/monitor/sources").await.0, 403);
}

#[tokio::test]
async fn rules_with_word_sets_are_tried_live_and_raise_alerts_that_grow_with_spread() {
    let app = spawn_app().await;
    let web = app.web("editor").await;
    // Word sets and a rule over them.
    let (status, _, body) = web.form("/admin/monitor/sets", &[("name", "院名"), ("words", "示范医院\n示医\n")]).await;
    assert_eq!(status, 303, "{body}");
    let rule = "(@院名) & (纠纷 | 打人 | 投诉) & !招聘";
    let (status, _, body) = web.form("/admin/monitor/rules", &[("name", "本院纠纷"), ("expr", rule), ("weight", "5"), ("enabled", "1")]).await;
    assert_eq!(status, 303, "{body}");
    // A broken rule is refused with where it is wrong; a rule naming an unknown set too.
    let (status, _, body) = web.form("/admin/monitor/rules", &[("name", "坏"), ("expr", "(示医 & 纠纷"), ("weight", "3")]).await;
    assert_eq!(status, 422);
    assert!(body.contains("第 ") && body.contains("个字符处"), "{body}");
    let (status, _, body) = web.form("/admin/monitor/rules", &[("name", "坏"), ("expr", "@领导 & 投诉"), ("weight", "3")]).await;
    assert_eq!(status, 422);
    assert!(body.contains("领导"), "{body}");

    // A mention pasted in by hand: a hit, negative, a dispute, an alert.
    let (status, loc, body) = web.form("/admin/monitor/items", &[("url", "https://weibo.example/1"), ("title", "示范医院急诊科昨晚有人打人"), ("text", STORY), ("reach", "3")]).await;
    assert_eq!(status, 303, "{body}");
    let (_, page) = web.get(&loc).await;
    assert!(page.contains("本院纠纷（权重 5）"), "{page}");
    assert!(page.contains("医疗纠纷"), "category shown");
    assert!(page.contains("规则 5 + 情感"), "the level's reasoning is shown");
    let first = items(&app).await.into_iter().next().unwrap();
    assert_eq!(first.weight, 5);
    assert!(first.sentiment <= -600, "{}", first.sentiment);
    assert_eq!(first.category, "dispute");
    // 5 + 4 + (3 - 1) + 0 = 11: orange.
    assert_eq!(first.level.as_deref(), Some("orange"), "{}", first.level_reason);
    // Pasting the same link again is refused and stores nothing.
    let (status, _, body) = web.form("/admin/monitor/items", &[("url", "https://weibo.example/1"), ("text", "别的文字")]).await;
    assert_eq!(status, 409);
    assert!(body.contains("已经录入过"), "{body}");
    assert_eq!(items(&app).await.len(), 1);

    // The same story reposted by a big account elsewhere: a copy of the first, and the
    // spread of two sources lifts it to red (5 + 4 + 4 + 2 = 15).
    let state = app.running.as_ref().unwrap().state.clone();
    let big = {
        let mut tx = state.store.begin().await.unwrap();
        let f = store::SourceFields { name: "某大V", kind: "rss", url: "https://big.example/feed", mapping: "{}", reach: 5, interval_secs: 3600, enabled: false };
        let id = store::create_source(tx.conn(), state.site_id(), &f, 0).await.unwrap();
        tx.commit().await.unwrap();
        id
    };
    let server = hostile_server(Arc::new(AtomicUsize::new(0))).await;
    {
        let mut tx = state.store.begin().await.unwrap();
        let f = store::SourceFields { name: "某大V", kind: "rss", url: &format!("{server}/feed.xml"), mapping: "{}", reach: 5, interval_secs: 3600, enabled: true };
        store::update_source(tx.conn(), state.site_id(), big, &f, yuanxun_core::clock::now()).await.unwrap();
        tx.commit().await.unwrap();
    }
    let mut repost = None;
    for _ in 0..50 {
        repost = items(&app).await.into_iter().find(|i| i.source_id == big && i.title.contains("纠纷"));
        if repost.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let repost = repost.expect("the big account's feed was fetched");
    assert_eq!(repost.copy_of, Some(first.id), "recognised as a repost");
    assert_eq!(repost.level.as_deref(), Some("red"), "{}", repost.level_reason);
    assert!(repost.level_reason.contains("扩散 2"), "{}", repost.level_reason);
    // The praise in the same feed hit no rule: no alert.
    let praise = items(&app).await.into_iter().find(|i| i.title.contains("义诊")).unwrap();
    assert_eq!((praise.weight, praise.level.as_deref()), (0, None));

    // The live test: counts on recent items, and errors with their place.
    let (status, html) = web.get(&format!("/admin/monitor/rules/test?expr={}", urlencode("@院名 & 纠纷"))).await;
    assert_eq!(status, 200);
    assert!(html.contains("命中 2 条"), "{html}");
    let (_, html) = web.get(&format!("/admin/monitor/rules/test?expr={}", urlencode("义诊 & !示范医院"))).await;
    assert!(html.contains("命中 0 条"), "{html}");
    let (_, html) = web.get(&format!("/admin/monitor/rules/test?expr={}", urlencode("纠纷 &"))).await;
    assert!(html.contains("个字符处"), "{html}");
    // The list filters by level.
    let (_, page) = web.get("/admin/monitor?level=red").await;
    assert!(page.contains("level-red") && !page.contains("示范医院开展义诊活动"), "{page}");
    // Who changed rules is in the audit log.
    let mut c = state.store.conn().await.unwrap();
    let log = yuanxun_store::audit::list(&mut c, state.site_id(), &Default::default(), 100).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for a in ["monitor_set_put", "monitor_rule_create", "monitor_item_add"] {
        assert!(actions.contains(&a), "{a} not audited: {actions:?}");
    }
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
