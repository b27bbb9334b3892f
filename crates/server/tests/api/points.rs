//! Points (积分): stories earn them by the rule in effect on the day they went out, shared
//! among their authors; a new rule never rewrites the past, an explicit recompute does and is
//! audited; manual entries need evidence; rankings by person and department, on the page, as
//! SVG charts and as a spreadsheet read back cell by cell.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

/// A day `days` from today as the hospital counts days (China Standard Time).
fn day(days: i64) -> time::Date {
    (time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8)) + time::Duration::days(days)).date()
}

/// A story by 陈骨科 of 骨科, credited to `authors` and `photographers`, through the three
/// reviews to the website. Returns the article's id.
pub async fn published_story(app: &TestApp, title: &str, authors: &str, photographers: &str) -> i64 {
    let web = app.web("corr_a").await;
    let channel = app.fx.news.to_string();
    let (s, loc, page) = web.form("/admin/manuscripts", &[("title", title), ("channel_id", &channel), ("authors", authors), ("photographers", photographers), ("body_html", "<p>骨科团队开展义诊，为居民检测骨密度。</p>")]).await;
    assert_eq!(s, 303, "{page}");
    let id: i64 = loc.trim_start_matches("/admin/manuscripts/").split('?').next().unwrap().parse().unwrap();
    assert_eq!(app.api("corr_a").await.post(&format!("/manuscripts/{id}/submit"), json!({})).await.0, 200);
    crate::helpers::review_and_publish(app, id).await;
    let (_, list) = app.api("editor").await.get("/articles?limit=100").await;
    list.as_array().unwrap().iter().find(|a| a["title"] == title).expect("listed")["id"].as_i64().unwrap()
}

/// A person's points in a standings reply, as text (`12.5`); absent people have none.
fn points_of(standings: &Value, name: &str) -> Option<String> {
    standings["people"].as_array().unwrap().iter().find(|l| l["person_name"] == name).map(|l| l["points_text"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn stories_earn_points_by_the_rule_of_their_day_and_only_a_recompute_reprices_them() {
    let app = spawn_app().await;
    let editor = app.api("editor").await;
    let long_ago = day(-400).to_string();
    for (kind, level, contribution, points) in [("website", "internal", "author", "1"), ("outside_media", "provincial", "author", "10"), ("outside_media", "provincial", "photographer", "5")] {
        let (s, v) = editor.post("/points/rules", json!({"outlet_kind": kind, "level": level, "contribution": contribution, "points": points, "valid_from": long_ago})).await;
        assert_eq!(s, 201, "{v}");
    }

    // Published: the website distribution pays its two authors half a point each.
    let article = published_story(&app, "骨科开展骨质疏松义诊", "陈骨科、张三", "李摄影").await;
    let (_, v) = editor.get("/points").await;
    assert_eq!((points_of(&v, "陈骨科"), points_of(&v, "张三"), points_of(&v, "李摄影")), (Some("0.5".into()), Some("0.5".into()), None), "{v}");

    // Submitted to a provincial paper: nothing until it is adopted.
    let (_, paper) = editor.post("/outlets", json!({"kind": "outside_media", "name": "省卫生健康报", "level": "provincial", "owner_name": "王编辑"})).await;
    let (s, d) = editor.post(&format!("/articles/{article}/distributions"), json!({"outlet_id": paper["id"]})).await;
    assert_eq!(s, 201, "{d}");
    assert_eq!(points_of(&editor.get("/points").await.1, "陈骨科").as_deref(), Some("0.5"), "a pending submission earns nothing");
    let (s, d) = editor.put(&format!("/distributions/{}", d["id"]), json!({"adoption": "adopted", "url": "https://paper.example.cn/a/1"})).await;
    assert_eq!(s, 200, "{d}");
    let (_, v) = editor.get("/points").await;
    assert_eq!((points_of(&v, "陈骨科"), points_of(&v, "张三"), points_of(&v, "李摄影")), (Some("5.5".into()), Some("5.5".into()), Some("5".into())), "{v}");
    // 陈骨科 is a user of 骨科; 张三 and 李摄影 are names only, counted for the story's department.
    let line = v["people"].as_array().unwrap().iter().find(|l| l["person_name"] == "陈骨科").unwrap().clone();
    assert!(line["user_id"].is_i64() && line["department_name"] == "骨科" && line["stories"] == 1, "{line}");
    let dept = &v["departments"][0];
    assert_eq!((dept["department_name"].as_str(), dept["points_text"].as_str(), dept["people"].as_i64(), dept["stories"].as_i64()), (Some("骨科"), Some("16"), Some(3), Some(1)), "{v}");

    // A rule started in the past changes nothing already counted…
    let (s, _) = editor.post("/points/rules", json!({"outlet_kind": "outside_media", "level": "provincial", "contribution": "author", "points": "20", "valid_from": day(-10).to_string()})).await;
    assert_eq!(s, 201);
    assert_eq!(points_of(&editor.get("/points").await.1, "陈骨科").as_deref(), Some("5.5"));
    // …a recompute of the period does, and the audit log says how much.
    let (s, r) = editor.post("/points/recompute", json!({"period": ""})).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!((r["distributions"].as_i64(), r["changed"].as_i64(), r["before_text"].as_str(), r["after_text"].as_str()), (Some(2), Some(1), Some("16"), Some("26")), "{r}");
    assert_eq!(points_of(&editor.get("/points").await.1, "陈骨科").as_deref(), Some("10.5"));
    let (_, log) = app.web("auditor").await.get("/admin/audit?action=points_recompute").await;
    assert!(log.contains("合计 16 → 26 分"), "{log}");

    // Work that is not a story, with its evidence; without evidence it is refused.
    let corr_id = app.api("corr_a").await.get("/session").await.1["user"]["id"].as_i64().unwrap();
    let (s, v) = editor.post("/points/entries", json!({"user_id": corr_id, "kind": "training", "points": "2", "title": "参加通讯员写作培训"})).await;
    assert_eq!(s, 422, "{v}");
    assert!(v["message"].as_str().unwrap().contains("证明材料"), "{v}");
    for (body, says) in [
        (json!({"person_name": "赵六", "kind": "dance", "points": "2", "title": "x", "evidence": "y"}), "积分事项"),
        (json!({"person_name": "赵六", "kind": "video", "points": "0", "title": "x", "evidence": "y"}), "分值"),
        (json!({"person_name": "", "kind": "video", "points": "1", "title": "x", "evidence": "y"}), "姓名"),
        (json!({"person_name": "赵六", "kind": "video", "points": "1", "title": "x", "evidence": "y", "earned_on": day(1).to_string()}), "不能晚于今天"),
    ] {
        let (s, v) = editor.post("/points/entries", body).await;
        assert_eq!(s, 422, "{v}");
        assert!(v["message"].as_str().unwrap().contains(says), "{says}: {v}");
    }
    let (s, manual) = editor.post("/points/entries", json!({"user_id": corr_id, "kind": "training", "points": "2", "title": "参加通讯员写作培训", "evidence": "培训签到表"})).await;
    assert_eq!(s, 201, "{manual}");
    let (_, v) = editor.get("/points").await;
    assert_eq!(points_of(&v, "陈骨科").as_deref(), Some("12.5"));
    // Story points change only with their distribution; a manual entry can be taken back.
    let story_entry = v["entries"].as_array().unwrap().iter().find(|e| e["distribution_id"].is_i64()).unwrap()["id"].clone();
    assert_eq!(editor.send(reqwest::Method::DELETE, &format!("/points/entries/{story_entry}"), json!({})).await.0, 409);
    assert_eq!(editor.send(reqwest::Method::DELETE, &format!("/points/entries/{}", manual["id"]), json!({})).await.0, 204);
    assert_eq!(points_of(&editor.get("/points").await.1, "陈骨科").as_deref(), Some("10.5"));

    // Last year's period has none of it; a correspondent sees none of it.
    let (_, v) = editor.get(&format!("/points?period={}", day(0).year() - 1)).await;
    assert!(v["people"].as_array().unwrap().is_empty(), "{v}");
    let corr = app.api("corr_a").await;
    assert_eq!(corr.get("/points").await.0, 403);
    assert_eq!(corr.post("/points/recompute", json!({})).await.0, 403);

    // A retracted story takes its points with it.
    let manuscript = editor.get(&format!("/articles/{article}")).await.1["manuscript_id"].as_i64().unwrap();
    let (s, v) = editor.post(&format!("/manuscripts/{manuscript}/retract"), json!({"reason": "数据有误"})).await;
    assert_eq!(s, 200, "{v}");
    assert!(editor.get("/points").await.1["people"].as_array().unwrap().is_empty());
    let (_, log) = app.web("auditor").await.get("/admin/audit?action=manuscript_retract").await;
    assert!(log.contains("收回积分 26"), "{log}");
}

#[tokio::test]
async fn rankings_show_as_charts_and_a_spreadsheet_that_reads_back() {
    use calamine::{Data, DataType, Reader};
    let app = spawn_app().await;
    let editor = app.api("editor").await;
    let (s, _) = editor.post("/points/rules", json!({"outlet_kind": "website", "level": "internal", "contribution": "author", "points": "3", "valid_from": day(-30).to_string()})).await;
    assert_eq!(s, 201);
    published_story(&app, "骨科健康讲座走进社区", "陈骨科", "").await;
    published_story(&app, "儿科开展儿童用药安全宣传", "陈骨科、王儿科", "").await;
    let (s, v) = editor.post("/points/entries", json!({"person_name": "刘护士", "department_id": app.fx.paeds, "kind": "video", "points": "0.25", "title": "拍摄科普短视频", "evidence": "视频号链接"})).await;
    assert_eq!(s, 201, "{v}");

    // On the page, the evidence can be a photo of the sign-in sheet: kept for the staff only.
    let web = app.web("editor").await;
    let fields = [("person_name", "赵六".to_string()), ("kind", "training".into()), ("points", "0.1".into()), ("title", "参加新闻写作培训".into()), ("earned_on", day(-400).to_string())];
    let (s, _, page) = web.upload("/admin/points/manual", "签到表.jpg", crate::helpers::photo_with_exif(), &fields).await;
    assert_eq!(s, 303, "{page}");
    let (s, _, page) = web.upload("/admin/points/manual", "签到表.jpg", b"<script>".to_vec(), &fields).await;
    assert_eq!(s, 422, "{page}");
    assert!(page.contains("JPG 或 PNG"), "{page}");
    let (_, v) = editor.get(&format!("/points?period={}", day(-400).year())).await;
    let photo = v["entries"][0]["evidence_media_id"].as_i64().expect("the photo is kept");
    assert_eq!(web.get(&format!("/media/{photo}.jpg")).await.0, 200);
    assert_eq!(app.get(&format!("/media/{photo}.jpg")).await.status(), 404, "not for the public");

    let (s, page) = web.get("/admin/points").await;
    assert_eq!(s, 200, "{page}");
    // Two charts, their bars in ranking order with the values written beside them.
    assert_eq!(page.matches("<svg").count(), 2, "{page}");
    let people = &page[page.find("个人积分前").unwrap()..];
    let (a, b, c) = (people.find("陈骨科").unwrap(), people.find("王儿科").unwrap(), people.find("刘护士").unwrap());
    assert!(a < b && b < c, "陈骨科 4.5, 王儿科 1.5, 刘护士 0.25");
    assert!(people.contains("4.5 分") && people.contains("0.25 分"));

    let r = web.client.get(format!("{}/admin/points/export.xlsx", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains(".xlsx"));
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("a valid .xlsx");
    assert_eq!(book.sheet_names(), ["个人排名", "科室排名", "积分明细"]);
    let sheet = book.worksheet_range("个人排名").unwrap();
    let row = |r: u32| -> Vec<String> { (0..6).map(|c| sheet.get_value((r, c)).map(Data::to_string).unwrap_or_default()).collect() };
    assert_eq!(row(1), ["名次", "姓名", "科室", "稿件数", "其他事项", "积分"]);
    assert_eq!(row(2), ["1", "陈骨科", "骨科", "2", "0", "4.5"]);
    assert_eq!(row(3)[1..], ["王儿科".to_string(), "骨科".into(), "1".into(), "0".into(), "1.5".into()], "a name, counted for the story's department");
    assert_eq!(row(4)[1..], ["刘护士".to_string(), "儿科".into(), "0".into(), "1".into(), "0.25".into()]);
    let depts = book.worksheet_range("科室排名").unwrap();
    let drow = |r: u32| -> Vec<String> { (0..6).map(|c| depts.get_value((r, c)).map(Data::to_string).unwrap_or_default()).collect() };
    assert_eq!(drow(2), ["1", "骨科", "2", "2", "0", "6"]);
    assert_eq!(drow(3), ["2", "儿科", "1", "0", "1", "0.25"]);
    let entries = book.worksheet_range("积分明细").unwrap();
    let total: f64 = (2..entries.height() as u32).map(|r| entries.get_value((r, 6)).and_then(|d| d.get_float()).unwrap()).sum();
    assert!((total - 6.25).abs() < 1e-9, "{total}");
}
