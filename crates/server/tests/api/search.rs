//! Site search as readers use it: /search finds two-character words, filters by channel and
//! date, pages through results, and follows publish, correction and retraction at once.

use serde_json::json;

use crate::helpers::{spawn_app, Api, TestApp};

/// The newsroom's people, signed in once.
struct Desk {
    author: Api,
    editor: Api,
    reviewer: Api,
    chief: Api,
}

async fn desk(app: &TestApp) -> Desk {
    Desk { author: app.api("corr_a").await, editor: app.api("editor").await, reviewer: app.api("reviewer").await, chief: app.api("chief").await }
}

/// Writes, reviews and publishes a story; returns (manuscript id, article URL path).
async fn publish(app: &TestApp, d: &Desk, channel: i64, title: &str, body: &str) -> (i64, String) {
    let (s, m) = d.author.post("/manuscripts", json!({"title": title, "channel_id": channel, "authors": "陈骨科", "body_html": body})).await;
    assert_eq!(s, 201, "{m}");
    let id = m["id"].as_i64().unwrap();
    assert_eq!(d.author.post(&format!("/manuscripts/{id}/submit"), json!({})).await.0, 200);
    let levels: &[&Api] = if channel == app.fx.news { &[&d.editor, &d.reviewer, &d.chief] } else { &[&d.editor, &d.chief] };
    for who in levels {
        let (s, v) = who.post(&format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve", "comment": "同意"})).await;
        assert_eq!(s, 200, "{v}");
    }
    let (s, v) = d.editor.post(&format!("/manuscripts/{id}/publish"), json!({})).await;
    assert_eq!(s, 200, "{v}");
    let (_, list) = d.editor.get("/articles?limit=100").await;
    let url = list.as_array().unwrap().iter().find(|a| a["title"] == title).expect("listed")["url"].as_str().unwrap().to_string();
    let path = url.trim_start_matches(&app.base).to_string();
    (id, path)
}

async fn search(app: &TestApp, query: &str) -> String {
    let r = app.client().get(format!("{}/search", app.base)).query(&[("q", query)]).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

async fn search_with(app: &TestApp, params: &[(&str, &str)]) -> String {
    let r = app.client().get(format!("{}/search", app.base)).query(params).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

fn found(page: &str, path: &str) -> bool {
    page.contains(&format!("href=\"{path}\""))
}

#[tokio::test]
async fn readers_find_two_character_words_with_marked_snippets_and_filters() {
    let app = spawn_app().await;
    let d = desk(&app).await;
    let (_, ortho) = publish(&app, &d, app.fx.news, "骨科完成首例机器人辅助关节置换手术", "<p>骨科团队为一名患者完成膝关节置换，护士长带领护理团队做好围术期护理。</p>").await;
    let (_, party) = publish(&app, &d, app.fx.notices, "党建引领促发展 党支部开展主题党日活动", "<p>党委书记为全体党员讲授专题党课。</p>").await;

    // Found as soon as publishing returned; the word is marked in title and snippet.
    let page = search(&app, "骨科").await;
    assert!(found(&page, &ortho) && !found(&page, &party), "{page}");
    assert!(page.contains("<mark>骨科</mark>完成首例") && page.contains("<mark>骨科</mark>团队"), "{page}");
    assert!(page.contains("找到 1 篇与“骨科”有关的文章"));
    // Two-character words inside longer ones: 护士 in 护士长, 党建 in 党建引领.
    assert!(found(&search(&app, "护士").await, &ortho));
    assert!(found(&search(&app, "党建").await, &party));
    assert!(!found(&search(&app, "儿科").await, &ortho));

    // Channel and date filters.
    let in_notices = search_with(&app, &[("q", "骨科"), ("channel", "notices")]).await;
    assert!(!found(&in_notices, &ortho) && in_notices.contains("没有找到与“骨科”有关的文章"), "{in_notices}");
    let today = yuanxun_core::clock::format_date(yuanxun_core::clock::now());
    let tomorrow = yuanxun_core::clock::format_date(yuanxun_core::clock::now() + 86_400);
    assert!(found(&search_with(&app, &[("q", "骨科"), ("from", &today), ("to", &today)]).await, &ortho), "`to` includes its whole day");
    assert!(!found(&search_with(&app, &[("q", "骨科"), ("from", &tomorrow)]).await, &ortho));
    let bad = search_with(&app, &[("q", "骨科"), ("from", "明天")]).await;
    assert!(bad.contains("开始日期格式不对") && !found(&bad, &ortho), "{bad}");
    let reversed = search_with(&app, &[("q", "骨科"), ("from", &tomorrow), ("to", &today)]).await;
    assert!(reversed.contains("开始日期晚于结束日期"), "{reversed}");

    // What readers type is text, never markup or query syntax.
    let hostile = search(&app, "<script>alert(1)</script>").await;
    assert!(!hostile.contains("<script>alert") && hostile.contains("&lt;script&gt;"), "{hostile}");
    assert!(found(&search(&app, "骨科:(").await, &ortho));
    // The search page is not for search engines, and every page has the search box.
    assert!(hostile.contains("<meta name=\"robots\" content=\"noindex, follow\">"));
    let home = app.get("/").await.text().await.unwrap();
    assert!(home.contains("action=\"/search\""));
}

#[tokio::test]
async fn corrections_and_retractions_change_results_before_the_request_returns() {
    let mut app = spawn_app().await;
    let d = desk(&app).await;
    let (id, path) = publish(&app, &d, app.fx.news, "骨科举办关爱骨骼健康义诊", "<p>骨科专家为居民提供骨密度检测。</p>").await;
    assert!(found(&search(&app, "骨密度").await, &path));

    // 更正: a correspondent may not; an editor may, with a reason, and it is audited.
    let correction = json!({"title": "关节外科举办关爱骨骼健康义诊", "body_html": "<p>关节外科专家为居民提供健康咨询。</p>", "reason": "科室名称更正"});
    assert_eq!(d.author.post(&format!("/manuscripts/{id}/correction"), correction.clone()).await.0, 403);
    let (s, v) = d.editor.post(&format!("/manuscripts/{id}/correction"), json!({"title": "x", "body_html": "<p>y</p>", "reason": " "})).await;
    assert_eq!(s, 422, "a reason is required: {v}");
    assert!(found(&search(&app, "骨密度").await, &path), "a refused correction changes nothing");
    let (s, v) = d.editor.post(&format!("/manuscripts/{id}/correction"), correction).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("pending")), "an editor's correction waits for the chief editor: {v}");
    assert!(found(&search(&app, "骨密度").await, &path), "nothing changes before it is approved");
    let cid = v["id"].as_i64().unwrap();
    let (s, v) = d.chief.post(&format!("/manuscripts/{id}/corrections/{cid}/approve"), json!({})).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("approved")), "{v}");
    assert!(!found(&search(&app, "骨密度").await, &path), "the old words are gone from the index");
    let page = search(&app, "关节外科").await;
    assert!(found(&page, &path) && page.contains("<mark>关节外科</mark>"), "{page}");
    let article = app.get(&path).await.text().await.unwrap();
    assert!(article.contains("关节外科举办关爱骨骼健康义诊") && !article.contains("骨密度"));
    {
        let mut c = app.running.as_ref().unwrap().state.store.conn().await.unwrap();
        let q = yuanxun_store::audit::Query { action: Some("article_correct".into()), ..Default::default() };
        let rows = yuanxun_store::audit::list(&mut c, 1, &q, 10).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert!(rows[0].actor_name.contains("赵总编") && rows[0].detail.contains("更正标题、正文：科室名称更正（王编辑 提出）"), "{:?}", rows[0]);
    }

    // The index survives a restart (rebuilt from the database), then a retraction empties it.
    app.restart().await;
    assert!(found(&search(&app, "关节外科").await, &path), "found after a restart");
    let editor = app.api("editor").await;
    assert_eq!(editor.post(&format!("/manuscripts/{id}/retract"), json!({"reason": "活动取消"})).await.0, 200);
    let page = search(&app, "关节外科").await;
    assert!(!found(&page, &path), "a retracted article is not found: {page}");
}

#[tokio::test]
async fn results_come_ten_to_a_page() {
    let app = spawn_app().await;
    let d = desk(&app).await;
    let mut paths = Vec::new();
    for i in 1..=12 {
        paths.push(publish(&app, &d, app.fx.notices, &format!("第{i}期护理查房通知"), &format!("<p>本期护理查房由第{i}病区承办。</p>")).await.1);
    }
    let first = search(&app, "查房").await;
    assert!(first.contains("找到 12 篇") && first.contains("第 1 / 2 页"), "{first}");
    let second = search_with(&app, &[("q", "查房"), ("page", "2")]).await;
    assert!(second.contains("第 2 / 2 页") && second.contains("start=\"11\""), "{second}");
    let on = |page: &str| paths.iter().filter(|p| found(page, p)).count();
    assert_eq!((on(&first), on(&second)), (10, 2));
    let next = first.find("下一页").map(|i| &first[first[..i].rfind("href").unwrap()..i]).unwrap_or_default();
    assert!(next.contains("q=%E6%9F%A5%E6%88%BF") && next.contains("page=2"), "a link to the next page keeps the query: {next}");
}
