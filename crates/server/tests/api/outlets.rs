//! Outlets (宣传阵地) and distributions (分发 / 上报 / 录用): the register with its owner and
//! review warnings, the website's automatic distribution on publish, and stories recorded on
//! WeChat and submitted to outside media until adopted. Publicity staff only; audited.

use serde_json::json;

use crate::helpers::spawn_app;

/// A day `days` from today as the hospital counts days (China Standard Time).
fn day(days: i64) -> String {
    (time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8)) + time::Duration::days(days)).date().to_string()
}
use crate::site_article::story_in;

#[tokio::test]
async fn outlets_have_owners_and_warn_when_their_review_is_overdue() {
    let app = spawn_app().await;
    let editor = app.api("editor").await;
    let (s, wechat) = editor.post("/outlets", json!({"kind": "wechat", "name": "医院微信公众号", "owner_name": "王编辑", "review_every_days": 30, "url": "https://mp.weixin.qq.com/"})).await;
    assert_eq!(s, 201, "{wechat}");
    assert_eq!(wechat["kind_label"], "微信公众号");
    assert_eq!(wechat["needs_review"], true, "never reviewed since registered");
    assert_eq!(wechat["review_text"], "登记后尚未检查");

    // Bad input is refused with what to do, and nothing is registered.
    for (body, says) in [
        (json!({"kind": "outside_media", "name": "健康报", "owner_name": "王编辑"}), "媒体级别"),
        (json!({"kind": "weibo", "name": "医院微博"}), "谁建立谁负责"),
        (json!({"kind": "wechat", "name": "x", "owner_name": "王", "url": "javascript:alert(1)"}), "http"),
        (json!({"kind": "fax", "name": "x", "owner_name": "王"}), "阵地类型"),
        (json!({"kind": "led", "name": "门诊大厅LED屏", "owner_name": "王", "review_every_days": 2}), "检查周期"),
    ] {
        let (s, v) = editor.post("/outlets", body).await;
        assert_eq!(s, 422, "{v}");
        assert!(v["message"].as_str().unwrap().contains(says), "{v}");
    }
    let (s, v) = editor.post("/outlets", json!({"kind": "weibo", "name": "医院微信公众号", "owner_name": "李"})).await;
    assert_eq!(s, 409, "{v}");
    assert_eq!(editor.get("/outlets").await.1.as_array().unwrap().len(), 1);

    // A review today clears the warning; one 40 days ago on a 30-day cycle is overdue.
    let id = wechat["id"].as_i64().unwrap();
    let (s, v) = editor.post(&format!("/outlets/{id}/reviews"), json!({"note": "内容合规"})).await;
    assert_eq!((s, &v["needs_review"]), (200, &json!(false)), "{v}");
    let (_, v) = editor.post(&format!("/outlets/{id}/reviews"), json!({"reviewed_on": day(-40)})).await;
    assert_eq!(v["needs_review"], true, "{v}");
    assert!(v["review_text"].as_str().unwrap().starts_with("逾期 10 天未检查"), "{v}");
    assert_eq!(v["review"], json!({"state": "overdue", "due_on": day(-10), "days": 10}));
    assert_eq!(editor.post(&format!("/outlets/{id}/reviews"), json!({"reviewed_on": day(1)})).await.0, 422);

    // The register shows the warning to the staff; correspondents may not see it at all.
    let (s, html) = app.web("editor").await.get("/admin/outlets").await;
    assert_eq!(s, 200);
    assert!(html.contains("1 个阵地逾期未检查") && html.contains("⚠ 逾期 10 天未检查"), "{html}");
    assert_eq!(app.api("corr_a").await.get("/outlets").await.0, 403);
    assert_eq!(app.web("corr_a").await.get("/admin/outlets").await.0, 403);
    let (s, _, _) = app.web("corr_a").await.form("/admin/outlets", &[("kind", "weibo"), ("name", "冒名微博"), ("owner_name", "陈")]).await;
    assert_eq!(s, 403);

    // Every change is in the audit log.
    let (_, log) = app.web("auditor").await.get("/admin/audit?action=outlet_review").await;
    assert!(log.contains("「医院微信公众号」") && log.contains("内容合规"), "{log}");
}

#[tokio::test]
async fn a_story_goes_to_the_website_then_wechat_and_an_adopting_newspaper() {
    let app = spawn_app().await;
    let (_, path) = story_in(&app, app.fx.news, "骨科举办关爱骨骼健康义诊", "<p>骨科专家为居民提供骨密度检测。</p>", &[]).await;
    let article: i64 = path.trim_start_matches("/news/").trim_end_matches(".html").parse().unwrap();
    let editor = app.api("editor").await;

    // Publishing put it on the website, registered on first use.
    let (s, list) = editor.get(&format!("/articles/{article}/distributions")).await;
    assert_eq!(s, 200, "{list}");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!((list[0]["outlet_kind"].as_str(), list[0]["adoption"].as_str(), list[0]["url"].as_str()), (Some("website"), Some("adopted"), Some(path.as_str())));

    let (_, wechat) = editor.post("/outlets", json!({"kind": "wechat", "name": "医院微信公众号", "owner_name": "王编辑"})).await;
    let (_, paper) = editor.post("/outlets", json!({"kind": "outside_media", "name": "健康报", "level": "national", "owner_name": "王编辑"})).await;
    let (s, d) = editor.post(&format!("/articles/{article}/distributions"), json!({"outlet_id": wechat["id"], "url": "https://mp.weixin.qq.com/s/abc"})).await;
    assert_eq!(s, 201, "{d}");
    assert_eq!((d["adoption"].as_str(), d["submission"].as_bool()), (Some("adopted"), Some(false)), "on an own outlet it is simply published");
    let (s, d) = editor.post(&format!("/articles/{article}/distributions"), json!({"outlet_id": paper["id"].to_string()})).await;
    assert_eq!(s, 201, "{d}");
    assert_eq!((d["adoption"].as_str(), d["level_label"].as_str(), d["submission"].as_bool()), (Some("pending"), Some("国家级"), Some(true)), "{d}");

    // The newspaper adopts it: the record is changed, not duplicated.
    let (s, again) = editor.post(&format!("/articles/{article}/distributions"), json!({"outlet_id": paper["id"]})).await;
    assert_eq!(s, 409, "{again}");
    assert_eq!(editor.put(&format!("/distributions/{}", d["id"]), json!({"adoption": "adopted", "distributed_on": day(1)})).await.0, 422);
    let (s, d) = editor.put(&format!("/distributions/{}", d["id"]), json!({"adoption": "adopted", "url": "https://www.jkb.com.cn/a/1", "note": "刊于第3版"})).await;
    assert_eq!((s, d["adoption_label"].as_str()), (200, Some("已录用")), "{d}");
    assert_eq!(editor.get(&format!("/articles/{article}/distributions")).await.1.as_array().unwrap().len(), 3);

    // A clipping of the printed page: cleaned like any photo, seen only by the staff.
    let web = app.web("editor").await;
    let clip = format!("/admin/distributions/{}/clipping", d["id"]);
    let (s, _, page) = web.upload(&clip, "版面.txt", b"not a picture".to_vec(), &[]).await;
    assert_eq!(s, 422, "{page}");
    assert!(page.contains("剪报请上传 JPG 或 PNG 图片"), "{page}");
    assert_eq!(web.upload(&clip, "健康报第3版.jpg", crate::helpers::photo_with_exif(), &[]).await.0, 303);
    let (_, list) = editor.get(&format!("/articles/{article}/distributions")).await;
    let media = list.as_array().unwrap().iter().find(|x| x["outlet_name"] == "健康报").unwrap()["clipping_media_id"].as_i64().expect("a clipping");
    let (s, _) = web.get(&format!("/media/{media}.jpg")).await;
    assert_eq!(s, 200, "the staff see it");
    assert_eq!(app.get(&format!("/media/{media}.jpg")).await.status(), 404, "the public does not");
    assert_eq!(app.web("corr_a").await.get(&format!("/media/{media}.jpg")).await.0, 404, "nor a correspondent");

    // The manuscript page shows them to the editor, with a form that records another.
    let (_, weibo) = editor.post("/outlets", json!({"kind": "weibo", "name": "医院微博", "owner_name": "王编辑"})).await;
    let manuscript = {
        let mut c = app.running.as_ref().unwrap().state.store.conn().await.unwrap();
        yuanxun_store::articles::get(&mut c, 1, article).await.unwrap().manuscript_id
    };
    let (s, loc, _) = web.form(&format!("/admin/articles/{article}/distributions"), &[("outlet_id", &weibo["id"].to_string()), ("url", "https://weibo.com/1"), ("adoption", "pending")]).await;
    assert_eq!((s, loc.as_str()), (303, format!("/admin/manuscripts/{manuscript}?msg=distributed#dist").as_str()));
    let (_, html) = web.get(&format!("/admin/manuscripts/{manuscript}")).await;
    let section = html.split("<section id=\"dist\"").nth(1).expect("分发与上报").split("</section>").next().unwrap();
    for name in ["医院官方网站", "医院微信公众号", "健康报", "医院微博", "已录用", "刊于第3版", ">剪报<"] {
        assert!(section.contains(name), "{name} in {section}");
    }
    // A correspondent sees none of it, even of their own story.
    assert!(!app.web("corr_a").await.get(&format!("/admin/manuscripts/{manuscript}")).await.1.contains("分发与上报"));
    assert_eq!(app.api("corr_a").await.get(&format!("/articles/{article}/distributions")).await.0, 403);

    // A retracted story takes no new distributions.
    assert_eq!(editor.post(&format!("/manuscripts/{manuscript}/retract"), json!({"reason": "信息有误"})).await.0, 200);
    let (_, tv) = editor.post("/outlets", json!({"kind": "waiting_tv", "name": "候诊区电视", "owner_name": "门诊部"})).await;
    assert_eq!(editor.post(&format!("/articles/{article}/distributions"), json!({"outlet_id": tv["id"]})).await.0, 409);
}

#[tokio::test]
async fn a_story_is_ready_for_the_wechat_editor_with_inline_styles() {
    let app = spawn_app().await;
    let (manuscript, path) = story_in(&app, app.fx.news, "骨科举办关爱骨骼健康义诊", "<h2>活动概况</h2><p>骨科专家为居民提供<a href=\"https://x.example/\">骨密度</a>检测。</p>", &["义诊现场"]).await;
    let article: i64 = path.trim_start_matches("/news/").trim_end_matches(".html").parse().unwrap();
    let web = app.web("editor").await;
    let (_, page) = web.get(&format!("/admin/manuscripts/{manuscript}")).await;
    assert!(page.contains(&format!("/admin/articles/{article}/wechat")), "offered on the manuscript page");
    let (s, page) = web.get(&format!("/admin/articles/{article}/wechat")).await;
    assert_eq!(s, 200, "{page}");
    let html = page.split("<div id=\"wechat\">").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(html.contains("<h2 style=") && html.contains("<p style=\"margin:0 0 1em;text-indent:2em;"), "{html}");
    assert!(html.contains("骨科专家为居民提供骨密度检测。"), "the link is plain text: {html}");
    assert!(html.contains(&format!("<img src=\"{}/media/", app.base)) && html.contains("<figcaption style="), "the photo, at an absolute address: {html}");
    assert!(html.contains("文字：陈骨科") && html.contains("审核："), "{html}");
    assert_eq!(app.web("corr_a").await.get(&format!("/admin/articles/{article}/wechat")).await.0, 403);
}
