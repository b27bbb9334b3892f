//! Other publicity work (其他宣传工作): dated quantities by kind, totalled over the period a
//! summary is written for, with bad input refused and every change audited.

use serde_json::json;

use crate::helpers::spawn_app;

/// A day `days` from today as the hospital counts days (China Standard Time).
fn day(days: i64) -> time::Date {
    (time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8)) + time::Duration::days(days)).date()
}

#[tokio::test]
async fn work_is_recorded_totalled_by_period_and_audited() {
    let app = spawn_app().await;
    let editor = app.api("editor").await;
    let today = day(0);
    // Last year's entries fall outside this year's totals.
    let last_year = time::Date::from_calendar_date(today.year() - 1, time::Month::December, 31).unwrap().to_string();
    let paeds = app.fx.paeds;
    for (kind, title, quantity, on) in [
        ("video", "冬季呼吸道疾病防治科普短视频", json!(2), today.to_string()),
        ("video", "医院形象宣传片", json!("1"), today.to_string()),
        ("brochure", "儿童用药安全折页", json!("50,000"), today.to_string()),
        ("expert_notice", "专家坐诊信息", json!(48), today.to_string()),
        ("video", "去年的宣传片", json!(5), last_year.clone()),
    ] {
        let (s, v) = editor.post("/work", json!({"kind": kind, "title": title, "quantity": quantity, "done_on": on, "department_id": paeds})).await;
        assert_eq!(s, 201, "{v}");
    }
    // Refused, each with what to do; nothing recorded.
    for (body, says) in [
        (json!({"kind": "drone", "title": "x", "quantity": 1}), "工作类型"),
        (json!({"kind": "video", "title": "", "quantity": 1}), "内容"),
        (json!({"kind": "video", "title": "x", "quantity": 0}), "数量"),
        (json!({"kind": "brochure", "title": "x", "quantity": "100000000"}), "数量"),
        (json!({"kind": "video", "title": "x", "quantity": 1, "done_on": day(1).to_string()}), "不能晚于今天"),
        (json!({"kind": "video", "title": "x", "quantity": 1, "done_on": "2026-02-30"}), "日期无效"),
        (json!({"kind": "video", "title": "x", "quantity": 1, "department_id": 999}), "科室不存在"),
    ] {
        let (s, v) = editor.post("/work", body).await;
        assert_eq!(s, 422, "{v}");
        assert!(v["message"].as_str().unwrap().contains(says), "{says}: {v}");
    }

    let year = today.year().to_string();
    let (s, v) = editor.get(&format!("/work?period={year}")).await;
    assert_eq!(s, 200, "{v}");
    let total = |kind: &str| v["totals"].as_array().unwrap().iter().find(|t| t["kind"] == kind).map(|t| (t["quantity"].as_i64().unwrap(), t["entries"].as_i64().unwrap())).unwrap();
    assert_eq!(total("video"), (3, 2), "two entries, three videos; last year's not counted");
    assert_eq!(total("brochure"), (50_000, 1));
    assert_eq!(total("expert_notice"), (48, 1));
    assert_eq!(total("event"), (0, 0), "every kind is listed");
    assert_eq!(v["entries"].as_array().unwrap().len(), 4);
    assert_eq!(v["period_label"], format!("{year}年"));
    let (_, v) = editor.get(&format!("/work?period={}", today.year() - 1)).await;
    assert_eq!(v["entries"].as_array().unwrap().len(), 1);
    assert_eq!(editor.get("/work?period=2026H3").await.0, 422);
    // With no period: the current half-year.
    let half = if (today.month() as u8) <= 6 { "H1" } else { "H2" };
    assert_eq!(editor.get("/work").await.1["period"], format!("{year}{half}"));

    // The page shows the totals with units; a mistaken entry can be deleted, and the audit
    // log keeps what it said.
    let web = app.web("editor").await;
    let (s, html) = web.get(&format!("/admin/work?period={year}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("50000 份") && html.contains("3 部") && html.contains("48 次"), "{html}");
    let (_, v) = editor.get(&format!("/work?period={year}")).await;
    let id = v["entries"].as_array().unwrap().iter().find(|e| e["title"] == "医院形象宣传片").unwrap()["id"].as_i64().unwrap();
    let (s, _, _) = web.form(&format!("/admin/work/{id}/delete"), &[]).await;
    assert_eq!(s, 303);
    let (_, v) = editor.get(&format!("/work?period={year}")).await;
    assert_eq!(v["totals"].as_array().unwrap().iter().find(|t| t["kind"] == "video").unwrap()["quantity"], 2);
    let (_, log) = app.web("auditor").await.get("/admin/audit?action=work_delete").await;
    assert!(log.contains("医院形象宣传片"), "{log}");

    // Correspondents neither see nor record it.
    let corr = app.api("corr_a").await;
    assert_eq!(corr.get("/work").await.0, 403);
    assert_eq!(corr.post("/work", json!({"kind": "video", "title": "x", "quantity": 1})).await.0, 403);
}

#[tokio::test]
async fn points_rules_take_effect_from_their_date_and_never_rewrite_the_past() {
    let app = spawn_app().await;
    let web = app.web("editor").await;
    let rule = |points: &str, days: i64| {
        let from = day(days).to_string();
        let web = &web;
        let points = points.to_string();
        async move { web.form("/admin/points/rules", &[("outlet_kind", "outside_media"), ("level", "provincial"), ("contribution", "author"), ("points", &points), ("valid_from", &from)]).await }
    };
    assert_eq!(rule("10", -400).await.0, 303);
    assert_eq!(rule("12.5", -30).await.0, 303);
    assert_eq!(rule("15", 30).await.0, 303);
    let (s, _, page) = rule("2.345", 0).await;
    assert_eq!(s, 422);
    assert!(page.contains("最多两位小数"), "{page}");
    assert_eq!(rule("11", -30).await.0, 409, "one rule per start date: a change is a new date");

    let (_, page) = web.get("/admin/points/rules").await;
    let rows: Vec<&str> = page.split("<tr><td>外部媒体</td>").skip(1).collect();
    assert_eq!(rows.len(), 3, "{page}");
    assert!(rows[0].contains("<td>10</td>") && rows[0].contains("已被新规则取代"), "{}", rows[0]);
    assert!(rows[1].contains("<td>12.5</td>") && rows[1].contains("<strong>现行</strong>"), "{}", rows[1]);
    assert!(rows[2].contains("<td>15</td>") && rows[2].contains("待生效"), "{}", rows[2]);
    let (_, log) = app.web("auditor").await.get("/admin/audit?action=points_rule_add").await;
    assert!(log.contains("外部媒体·省级·文字：12.5 分"), "{log}");
    assert_eq!(app.web("corr_a").await.get("/admin/points/rules").await.0, 403);
}
