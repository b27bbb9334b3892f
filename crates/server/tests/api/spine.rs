//! A story from draft to article and back down, through the API and the public site.

use serde_json::json;
use yuanxun_store::manuscripts::Table;

use crate::helpers::{approved_story, spawn_app};

#[tokio::test]
async fn draft_to_published_article_with_meta_line_then_retracted() {
    let mut app = spawn_app().await;
    let id = approved_story(&app, "corr_a", "骨科举办关爱骨骼健康义诊").await;
    let corr = app.api("corr_a").await;
    let (_, v) = corr.get(&format!("/manuscripts/{id}")).await;
    assert_eq!(v["manuscript"]["status"], "approved");
    assert_eq!(v["decisions"].as_array().unwrap().len(), 4, "submit + three approvals, each stored: {v}");
    assert_eq!(v["decisions"][1]["user_name"], "王编辑");
    assert_eq!(v["decisions"][3]["level"], 3);

    // Correspondents do not publish.
    assert_eq!(corr.post(&format!("/manuscripts/{id}/publish"), json!({})).await.0, 403);
    let editor = app.api("editor").await;
    let (s, m) = editor.post(&format!("/manuscripts/{id}/publish"), json!({})).await;
    assert_eq!((s, m["status"].as_str()), (200, Some("published")), "{m}");

    let (_, list) = editor.get("/articles").await;
    let article = list.as_array().unwrap().iter().find(|a| a["title"] == "骨科举办关爱骨骼健康义诊").expect("listed").clone();
    let url = article["url"].as_str().unwrap().to_string();
    let page = app.get(&url).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for expected in ["发布日期：", "作者：陈骨科", "来源：骨科", "编辑：王编辑", "责任编辑：赵总编", "浏览次数：", "骨科在门诊大厅开展义诊活动。"] {
        assert!(html.contains(expected), "article page lacks {expected}");
    }
    let home = app.get("/").await.text().await.unwrap();
    assert!(home.contains("骨科举办关爱骨骼健康义诊"));
    let channel = app.get("/channel/news").await.text().await.unwrap();
    assert!(channel.contains(&url));

    // Views are counted in memory and reach the database at graceful shutdown.
    for _ in 0..3 {
        app.get(&url).await;
    }
    app.restart().await;
    let html = app.get(&url).await.text().await.unwrap();
    assert!(html.contains("浏览次数：<b class=\"views\">5</b>"), "4 counted + this one: {}", &html[html.find("浏览次数").unwrap()..][..60]);

    let editor = app.api("editor").await;
    assert_eq!(editor.post(&format!("/manuscripts/{id}/retract"), json!({"reason": ""})).await.0, 422, "a reason is required");
    let (s, _) = editor.post(&format!("/manuscripts/{id}/retract"), json!({"reason": "数据有误，待核实"})).await;
    assert_eq!(s, 200);
    let gone = app.get(&url).await;
    assert_eq!(gone.status(), 410);
    assert!(gone.text().await.unwrap().contains("已撤下"));
    assert!(!app.get("/").await.text().await.unwrap().contains("骨科举办关爱骨骼健康义诊"));
    assert_eq!(editor.get(&format!("/articles/{}", article["id"])).await.0, 410);
    assert_eq!(app.count(Table::Articles).await, 1);
}

#[tokio::test]
async fn return_with_reasons_then_edit_and_resubmit() {
    let app = spawn_app().await;
    let corr = app.api("corr_a").await;
    let (_, m) = corr.post("/manuscripts", json!({"title": "骨科义诊", "channel_id": app.fx.news, "body_html": "<p>第一版正文。</p>"})).await;
    let id = m["id"].as_i64().unwrap();
    corr.post(&format!("/manuscripts/{id}/submit"), json!({})).await;
    let editor = app.api("editor").await;
    assert_eq!(editor.post(&format!("/manuscripts/{id}/decisions"), json!({"verdict": "return"})).await.0, 422, "returning needs a reason");
    let (s, m) = editor.post(&format!("/manuscripts/{id}/decisions"), json!({"verdict": "return", "comment": "请补充义诊人数"})).await;
    assert_eq!((s, m["status"].as_str()), (200, Some("returned")));
    let (_, v) = corr.get(&format!("/manuscripts/{id}")).await;
    assert_eq!(v["last_reason"], "请补充义诊人数");
    assert_eq!(v["status_label"], "退回修改");
    let (s, m) = corr.put(&format!("/manuscripts/{id}"), json!({"title": "骨科义诊", "channel_id": app.fx.news, "body_html": "<p>第二版正文，共接待一百二十人。</p>", "base_revision": 1})).await;
    assert_eq!((s, m["revision"].as_i64()), (200, Some(2)), "{m}");
    let (_, m) = corr.post(&format!("/manuscripts/{id}/submit"), json!({})).await;
    assert_eq!((m["status"].as_str(), m["level"].as_i64()), (Some("submitted"), None));
    // A stale save is refused and loses nothing.
    let (s, e) = corr.put(&format!("/manuscripts/{id}"), json!({"title": "x", "channel_id": app.fx.news, "body_html": "<p>旧</p>", "base_revision": 1})).await;
    assert_eq!(s, 409, "{e}");
}

#[tokio::test]
async fn edit_during_review_restarts_at_level_one_and_diff_is_character_level() {
    let app = spawn_app().await;
    let corr = app.api("corr_a").await;
    let (_, m) = corr.post("/manuscripts", json!({"title": "会议报道", "channel_id": app.fx.news, "body_html": "<p>会议由党委副书记主持。</p><p>全体中层干部参加。</p>"})).await;
    let id = m["id"].as_i64().unwrap();
    corr.post(&format!("/manuscripts/{id}/submit"), json!({})).await;
    let editor = app.api("editor").await;
    let (_, m) = editor.post(&format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve"})).await;
    assert_eq!((m["status"].as_str(), m["level"].as_i64()), (Some("in_review"), Some(2)));
    let (s, m) = corr.put(&format!("/manuscripts/{id}"), json!({"title": "会议报道", "channel_id": app.fx.news, "body_html": "<p>会议由党委书记主持。</p><p>全体中层干部参加。</p>"})).await;
    assert_eq!(s, 200);
    assert_eq!(m["status"], "submitted", "back to 初审: {m}");
    // The level-2 reviewer no longer has it; the level-1 editor does, and must approve again.
    let reviewer = app.api("reviewer").await;
    assert_eq!(reviewer.post(&format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve"})).await.0, 403);
    let web = app.web("editor").await;
    let (s, html) = web.get(&format!("/admin/manuscripts/{id}/diff?from=1&to=2")).await;
    assert_eq!(s, 200);
    assert!(html.contains("会议由党委<del>副</del>书记主持。"), "{html}");
    let (_, queue) = web.get("/admin/review").await;
    assert!(queue.contains("会议报道"));
}

#[tokio::test]
async fn three_levels_need_three_people_at_their_own_levels() {
    let app = spawn_app().await;
    let corr = app.api("corr_a").await;
    let (_, m) = corr.post("/manuscripts", json!({"title": "护理竞赛", "channel_id": app.fx.news, "body_html": "<p>正文</p>"})).await;
    let id = m["id"].as_i64().unwrap();
    corr.post(&format!("/manuscripts/{id}/submit"), json!({})).await;
    let reviewer = app.api("reviewer").await;
    let (s, e) = reviewer.post(&format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve"})).await;
    assert_eq!(s, 403, "a level-2 reviewer cannot do 初审: {e}");
    let chief = app.api("chief").await;
    assert_eq!(chief.post(&format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve"})).await.0, 200);
    let (s, e) = chief.post(&format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve"})).await;
    assert_eq!(s, 403, "the same person cannot pass two levels: {e}");
    assert!(e["message"].as_str().unwrap().contains("不同的人"));
    assert_eq!(corr.post(&format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve"})).await.0, 403);

    // The number of levels is the channel's: 通知公告 needs two.
    let (_, m) = corr.post("/manuscripts", json!({"title": "停诊通知", "channel_id": app.fx.notices, "body_html": "<p>正文</p>"})).await;
    let id = m["id"].as_i64().unwrap();
    let (_, m) = corr.post(&format!("/manuscripts/{id}/submit"), json!({})).await;
    assert_eq!(m["of"], 2);
    app.api("editor").await.post(&format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve"})).await;
    let (_, m) = reviewer.post(&format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve"})).await;
    assert_eq!(m["status"], "approved");
}

#[tokio::test]
async fn scheduled_publishing_survives_a_restart() {
    let mut app = spawn_app().await;
    let id = approved_story(&app, "corr_a", "定时发布的稿件").await;
    let editor = app.api("editor").await;
    let at = yuanxun_core::clock::now() + 3;
    let at_text = time::OffsetDateTime::from_unix_timestamp(at).unwrap().format(&time::format_description::well_known::Rfc3339).unwrap();
    let (s, m) = editor.post(&format!("/manuscripts/{id}/publish"), json!({"at": at_text})).await;
    assert_eq!((s, m["status"].as_str()), (200, Some("approved")), "{m}");
    assert_eq!(m["scheduled_at"].as_i64(), Some(at));
    app.restart().await;
    let mut published = false;
    for _ in 0..40 {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        let (_, list) = app.api("editor").await.get("/articles").await;
        if list.as_array().unwrap().iter().any(|a| a["title"] == "定时发布的稿件") {
            published = true;
            break;
        }
    }
    assert!(published, "the scheduler of the restarted server published it");
    let (_, v) = app.api("editor").await.get(&format!("/manuscripts/{id}")).await;
    assert_eq!(v["manuscript"]["status"], "published");
}

#[tokio::test]
async fn openapi_describes_the_api() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/openapi.json").await;
    assert_eq!(r.status(), 200);
    let spec: serde_json::Value = r.json().await.unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    let paths = spec["paths"].as_object().unwrap();
    for (path, method) in [
        ("/session", "post"), ("/session", "delete"), ("/manuscripts", "get"), ("/manuscripts", "post"),
        ("/manuscripts/{id}", "get"), ("/manuscripts/{id}", "put"), ("/manuscripts/{id}/submit", "post"),
        ("/manuscripts/{id}/decisions", "post"), ("/manuscripts/{id}/publish", "post"), ("/manuscripts/{id}/retract", "post"),
        ("/articles", "get"), ("/articles/{id}", "get"),
    ] {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} undocumented");
    }
    // Every documented path answers (not the API's 404 fallback) for a signed-in user.
    let api = app.api("editor").await;
    for path in paths.keys() {
        let concrete = path.replace("{id}", "999999");
        let r = api.client.get(format!("{}/api/v1{concrete}", app.base)).send().await.unwrap();
        let body: serde_json::Value = r.json().await.unwrap_or_default();
        assert!(!(body["error"] == "not_found" && !concrete.contains("999999")), "{path} is not routed");
    }
}

/// Everyone learns in 消息 when a story waits for them: each review level its reviewers, the
/// publishers once approved, the author when it is returned (with the reason) or published.
#[tokio::test]
async fn the_newsroom_tells_whoever_acts_next_on_a_story() {
    let app = crate::helpers::spawn_app().await;
    let notes = |who: &'static str| {
        let app = &app;
        async move { app.web(who).await.get("/admin/notifications").await.1 }
    };
    let author = app.api("corr_a").await;
    let (s, m) = author.post("/manuscripts", serde_json::json!({"title": "骨科开展义诊", "channel_id": app.fx.news, "authors": "陈骨科", "body_html": "<p>骨科在门诊大厅开展义诊活动。</p>"})).await;
    assert_eq!(s, 201, "{m}");
    let id = m["id"].as_i64().unwrap();
    assert_eq!(author.post(&format!("/manuscripts/{id}/submit"), serde_json::json!({})).await.0, 200);
    assert!(notes("editor").await.contains("待初审：骨科开展义诊"), "the first level's reviewer");
    assert!(!notes("reviewer").await.contains("骨科开展义诊"), "not yet the second");
    assert!(!notes("chief").await.contains("骨科开展义诊"), "nor the chief before the last level");
    // The editor sends it back with a reason; the author reads it.
    let editor = app.api("editor").await;
    let (s, v) = editor.post(&format!("/manuscripts/{id}/decisions"), serde_json::json!({"verdict": "return", "comment": "请补充义诊人数"})).await;
    assert_eq!(s, 200, "{v}");
    let mine = notes("corr_a").await;
    assert!(mine.contains("稿件退回修改：骨科开展义诊") && mine.contains("请补充义诊人数"), "{mine}");
    // Resubmitted, it goes up the levels, each told in turn, then to publishing.
    assert_eq!(author.post(&format!("/manuscripts/{id}/submit"), serde_json::json!({})).await.0, 200);
    for (who, next, told) in [("editor", "待复审", "reviewer"), ("reviewer", "待终审", "chief")] {
        let (s, v) = app.api(who).await.post(&format!("/manuscripts/{id}/decisions"), serde_json::json!({"verdict": "approve"})).await;
        assert_eq!(s, 200, "{who}: {v}");
        assert!(notes(told).await.contains(&format!("{next}：骨科开展义诊")), "{told} is told");
    }
    let (s, v) = app.api("chief").await.post(&format!("/manuscripts/{id}/decisions"), serde_json::json!({"verdict": "approve"})).await;
    assert_eq!(s, 200, "{v}");
    assert!(notes("editor").await.contains("已通过审核，待发布：骨科开展义诊"));
    let (s, v) = editor.post(&format!("/manuscripts/{id}/publish"), serde_json::json!({})).await;
    assert_eq!(s, 200, "{v}");
    assert!(notes("corr_a").await.contains("稿件已发布：骨科开展义诊"), "the author hears it went out");
}
