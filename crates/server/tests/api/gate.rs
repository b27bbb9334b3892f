//! The review gate holds (审核把关): nothing a reader sees changes without review. Photos,
//! attachments, captions and the cover changed after submission restart review at 初审 and
//! show in the diff; a correction (更正) is checked and goes live only when the chief
//! editor approves it, with a dated notice for readers.

use serde_json::json;

use crate::helpers::{approved_story, photo_with_exif, spawn_app, TestApp};

async fn status(app: &TestApp, id: i64) -> (String, i64, i64) {
    let (_, m) = app.api("editor").await.get(&format!("/manuscripts/{id}")).await;
    let m = &m["manuscript"];
    let status = m["status"].as_str().unwrap().to_string();
    // A submitted manuscript waits at 初审; in review, at its level.
    let level = m["level"].as_i64().unwrap_or(if status == "submitted" { 1 } else { 0 });
    (status, level, m["revision"].as_i64().unwrap())
}

#[tokio::test]
async fn a_photo_added_after_final_approval_restarts_review_and_shows_in_the_diff() {
    let app = spawn_app().await;
    let id = approved_story(&app, "corr_a", "骨科开展关爱骨骼健康义诊").await;
    let (s, _, rev) = status(&app, id).await;
    assert_eq!(s, "approved");

    // The author adds a photo to the approved manuscript: it is a new revision, back at 初审.
    let author = app.web("corr_a").await;
    let (code, loc, body) = author.upload(&format!("/admin/manuscripts/{id}/media"), "义诊现场.jpg", photo_with_exif(), &[("caption", "义诊现场".into()), ("cover", "1".into())]).await;
    assert_eq!(code, 303, "{body}");
    assert!(loc.contains("msg=uploaded"), "{loc}");
    let (s, level, rev2) = status(&app, id).await;
    assert_eq!((s.as_str(), level, rev2), ("submitted", 1, rev + 1), "review restarts at 初审 with a new revision");

    // It cannot be published as it was approved.
    let (code, v) = app.api("editor").await.post(&format!("/manuscripts/{id}/publish"), json!({})).await;
    assert_eq!(code, 409, "{v}");
    assert!(app.api("editor").await.get("/articles").await.1.as_array().unwrap().is_empty(), "nothing went live");

    // The reviewers see the photo in the diff, and in the history why review restarted.
    let editor = app.web("editor").await;
    let (_, diff) = editor.get(&format!("/admin/manuscripts/{id}/diff?from={rev}&to={rev2}")).await;
    assert!(diff.contains("【图片】义诊现场.jpg；说明：义诊现场；封面"), "the diff lists the new photo: {diff}");
    let (_, page) = editor.get(&format!("/admin/manuscripts/{id}")).await;
    assert!(page.contains("添加图片“义诊现场.jpg”并设为封面；送审后修改，审核从初审重新开始"), "the revision says why");

    // The 初审 reviewer is told in 消息.
    let (_, inbox) = editor.get("/admin/notifications").await;
    assert!(inbox.contains("待初审：骨科开展关爱骨骼健康义诊"), "{inbox}");
}

#[tokio::test]
async fn captions_cover_and_removal_during_review_each_restart_it() {
    let app = spawn_app().await;
    let author = app.api("corr_a").await;
    let (s, m) = author.post("/manuscripts", json!({"title": "儿科开展春季义诊", "channel_id": app.fx.news, "authors": "陈骨科", "body_html": "<p>儿科专家为家长答疑。</p>"})).await;
    assert_eq!(s, 201, "{m}");
    let id = m["id"].as_i64().unwrap();
    let web = app.web("corr_a").await;
    for name in ["一.jpg", "二.jpg"] {
        assert_eq!(web.upload(&format!("/admin/manuscripts/{id}/media"), name, photo_with_exif(), &[]).await.0, 303);
    }
    let (_, v) = author.get(&format!("/manuscripts/{id}")).await;
    let media: Vec<i64> = v["media"].as_array().unwrap().iter().map(|m| m["id"].as_i64().unwrap()).collect();
    assert_eq!(media.len(), 2);
    assert_eq!(v["manuscript"]["cover_media_id"].as_i64(), Some(media[0]), "the first photo is the cover");
    assert_eq!(author.post(&format!("/manuscripts/{id}/submit"), json!({})).await.0, 200);

    // Each change at 复审 goes back to 初审: a caption, the cover, a removal.
    let changes = [
        json!({"op": "describe", "caption": "专家答疑", "photographer": "陈骨科"}),
        json!({"op": "cover"}),
        json!({"op": "remove"}),
    ];
    for (i, change) in changes.iter().enumerate() {
        let (s, v) = app.api("editor").await.post(&format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve", "comment": "同意"})).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(status(&app, id).await.1, 2, "at 复审");
        let target = if i == 2 { media[0] } else { media[1] };
        let (s, v) = author.post(&format!("/manuscripts/{id}/media/{target}"), change.clone()).await;
        assert_eq!(s, 200, "{change}: {v}");
        let (st, level, _) = status(&app, id).await;
        assert_eq!((st.as_str(), level), ("submitted", 1), "{change} restarts review");
    }
    let (_, v) = author.get(&format!("/manuscripts/{id}")).await;
    assert_eq!(v["media"].as_array().unwrap().len(), 1, "one photo left");
    assert_eq!(v["media"][0]["caption"], "专家答疑");
    assert_eq!(v["manuscript"]["cover_media_id"].as_i64(), Some(media[1]));
    let notes: Vec<&str> = v["revisions"].as_array().unwrap().iter().map(|r| r["note"].as_str().unwrap()).collect();
    assert!(notes.iter().any(|n| n.starts_with("修改“二.jpg”的说明：专家答疑")), "{notes:?}");
    assert!(notes.iter().any(|n| n.starts_with("封面改为“二.jpg”")), "{notes:?}");
    assert!(notes.iter().any(|n| n.starts_with("删除图片“一.jpg”")), "{notes:?}");

    // Another correspondent may not touch it; an attachment cannot be a cover; foreign ids are not found.
    let other = app.api("corr_b").await;
    assert_eq!(other.post(&format!("/manuscripts/{id}/media/{}", media[1]), json!({"op": "remove"})).await.0, 404);
    let (s, _) = author.post(&format!("/manuscripts/{id}/media/999999"), json!({"op": "remove"})).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn a_correction_goes_live_only_when_the_chief_editor_approves_it_and_readers_see_a_notice() {
    let app = spawn_app().await;
    let id = approved_story(&app, "corr_a", "骨科举办骨质疏松义诊").await;
    let editor = app.api("editor").await;
    assert_eq!(editor.post(&format!("/manuscripts/{id}/publish"), json!({})).await.0, 200);
    let (_, list) = editor.get("/articles").await;
    let path = list[0]["url"].as_str().unwrap().trim_start_matches(&app.base).to_string();

    // An editor's correction with a gambling brand in it: checked, and it waits.
    let bad = json!({"title": "骨科举办骨质疏松义诊", "body_html": "<p>详情见3118金沙网址。</p>", "reason": "补充链接"});
    let (s, v) = editor.post(&format!("/manuscripts/{id}/correction"), bad).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("pending")), "{v}");
    assert_eq!(v["block_count"], 1, "the proposed text was checked: {v}");
    let cid = v["id"].as_i64().unwrap();
    let page = app.get(&path).await.text().await.unwrap();
    assert!(!page.contains("金沙") && !page.contains("更正说明"), "nothing changed for readers");

    // Only one waits at a time; neither the author nor the editor approves it.
    let (s, _) = editor.post(&format!("/manuscripts/{id}/correction"), json!({"title": "骨科举办骨质疏松义诊", "body_html": "<p>另一稿。</p>", "reason": "再改"})).await;
    assert_eq!(s, 409);
    assert_eq!(app.api("corr_a").await.post(&format!("/manuscripts/{id}/corrections/{cid}/approve"), json!({})).await.0, 403);
    assert_eq!(editor.post(&format!("/manuscripts/{id}/corrections/{cid}/approve"), json!({})).await.0, 403);

    // The chief editor is told, and cannot let the blocking finding through without a reason.
    let chief = app.api("chief").await;
    let (s, v) = chief.post(&format!("/manuscripts/{id}/corrections/{cid}/approve"), json!({})).await;
    assert_eq!(s, 409, "{v}");
    assert!(v["message"].as_str().unwrap().contains("3118金沙网址"), "{v}");
    let (s, v) = chief.post(&format!("/manuscripts/{id}/corrections/{cid}/decline"), json!({"comment": "含赌博网站名称"})).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("declined")), "{v}");
    assert!(!app.get(&path).await.text().await.unwrap().contains("金沙"), "a declined correction never goes live");

    // A clean correction, approved: the page changes in place and says so, with the date.
    let good = json!({"title": "骨科举办骨质疏松症义诊", "body_html": "<p>骨科专家为居民提供骨密度检测。</p>", "reason": "标题中的病名不完整"});
    let (_, v) = editor.post(&format!("/manuscripts/{id}/correction"), good).await;
    let cid = v["id"].as_i64().unwrap();
    let (s, v) = chief.post(&format!("/manuscripts/{id}/corrections/{cid}/approve"), json!({})).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("approved")), "{v}");
    let page = app.get(&path).await.text().await.unwrap();
    assert!(page.contains("骨科举办骨质疏松症义诊"), "the correction is live");
    assert!(page.contains("更正说明") && page.contains("更正：标题中的病名不完整"), "readers see the notice");
    let today = yuanxun_core::clock::format_date(yuanxun_core::clock::now());
    assert!(page.contains(&format!("本文于 <time>{today}")), "the notice is dated");

    // The newsroom page lists all three with who decided.
    let (_, html) = app.web("chief").await.get(&format!("/admin/manuscripts/{id}")).await;
    assert!(html.contains("已生效") && html.contains("已退回") && html.contains("含赌博网站名称"), "{html}");
}

#[tokio::test]
async fn the_chief_editors_own_correction_with_a_blocking_finding_needs_a_written_reason() {
    let app = spawn_app().await;
    let id = approved_story(&app, "corr_a", "骨科举办骨质疏松义诊").await;
    let chief = app.api("chief").await;
    assert_eq!(chief.post(&format!("/manuscripts/{id}/publish"), json!({})).await.0, 200);
    let bad = json!({"title": "骨科举办骨质疏松义诊", "body_html": "<p>详情见3118金沙网址。</p>", "reason": "补充"});
    let (s, v) = chief.post(&format!("/manuscripts/{id}/correction"), bad.clone()).await;
    assert_eq!(s, 409, "refused, and nothing stored: {v}");
    let (_, m) = chief.get(&format!("/manuscripts/{id}")).await;
    assert!(m["corrections"].as_array().unwrap().is_empty(), "{m}");
    let mut with_reason = bad;
    with_reason["override_reason"] = json!("案例报道中引用的诈骗网站名称，经核实须保留");
    let (s, v) = chief.post(&format!("/manuscripts/{id}/correction"), with_reason).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("approved")), "{v}");
    let mut c = app.running.as_ref().unwrap().state.store.conn().await.unwrap();
    let q = yuanxun_store::audit::Query { action: Some("check_override".into()), ..Default::default() };
    let rows = yuanxun_store::audit::list(&mut c, 1, &q, 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].detail.contains("经核实须保留"), "{:?}", rows[0]);
}

/// A story with a gambling brand in it, approved at 初审 and 复审: it waits at 终审, blocked.
async fn blocked_at_final(app: &TestApp) -> i64 {
    let corr = app.api("corr_a").await;
    let (s, m) = corr.post("/manuscripts", json!({"title": "反诈宣传进社区", "channel_id": app.fx.news, "body_html": "<p>民警提醒：澳门金沙是诈骗网站。</p>"})).await;
    assert_eq!(s, 201, "{m}");
    let id = m["id"].as_i64().unwrap();
    assert_eq!(corr.post(&format!("/manuscripts/{id}/submit"), json!({})).await.0, 200);
    for who in ["editor", "reviewer"] {
        assert_eq!(app.api(who).await.post(&format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve"})).await.0, 200);
    }
    id
}

async fn open_blocks(app: &TestApp, id: i64) -> i64 {
    let (_, check) = app.api("chief").await.get(&format!("/manuscripts/{id}/check")).await;
    check["open"]["block"].as_i64().unwrap()
}

#[tokio::test]
async fn an_editor_cannot_make_a_blocked_story_pass_by_loosening_the_lexicons() {
    let app = spawn_app().await;
    let id = blocked_at_final(&app).await;
    assert_eq!(open_blocks(&app, id).await, 1);
    let editor = app.web("editor").await;
    let proposed = "/admin/lexicon?msg=lexicon_proposed#proposals";

    // Every way an editor could make the finding disappear becomes a proposal.
    let attempts: &[&[(&str, &str)]] = &[
        &[("list", "allow"), ("term", "澳门金沙")],
        &[("list", "removed"), ("category", "sensitive"), ("term", "金沙")],
        // A longer entry at a milder level would shadow the built-in one (longest match wins).
        &[("list", "entry"), ("category", "typo"), ("term", "澳门金沙"), ("suggestion", "某诈骗网站"), ("severity", "info")],
    ];
    for fields in attempts {
        let (s, loc, body) = editor.form("/admin/lexicon/items", fields).await;
        assert_eq!((s, loc.as_str()), (303, proposed), "{fields:?}: {body}");
    }
    assert_eq!(open_blocks(&app, id).await, 1, "still blocked: nothing applied");
    let (s, v) = app.api("chief").await.post(&format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve"})).await;
    assert_eq!(s, 409, "{v}");

    // An editor tightens freely, but deleting or lowering an entry is a proposal too.
    let (s, loc, _) = editor.form("/admin/lexicon/items", &[("list", "entry"), ("category", "sensitive"), ("kind", "gambling"), ("term", "博彩平台"), ("severity", "block")]).await;
    assert_eq!((s, loc.as_str()), (303, "/admin/lexicon?msg=saved_item#entries"), "adding a stricter term needs nobody");
    let item_id = {
        let mut c = app.running.as_ref().unwrap().state.store.conn().await.unwrap();
        yuanxun_store::checks::load(&mut c, 1).await.unwrap().items.iter().find(|i| i.term == "博彩平台").unwrap().id
    };
    let (s, loc, _) = editor.form(&format!("/admin/lexicon/items/{item_id}"), &[("list", "entry"), ("category", "sensitive"), ("kind", "gambling"), ("term", "博彩平台"), ("severity", "warn")]).await;
    assert_eq!((s, loc.as_str()), (303, proposed), "lowering a severity");
    let (s, loc, _) = editor.form(&format!("/admin/lexicon/items/{item_id}/delete"), &[]).await;
    assert_eq!((s, loc.as_str()), (303, proposed), "deleting an entry");

    // The proposals wait; the editor cannot accept them, the chief editor can.
    let proposals = {
        let mut c = app.running.as_ref().unwrap().state.store.conn().await.unwrap();
        yuanxun_store::checks::proposals(&mut c, 1, 50).await.unwrap()
    };
    assert_eq!(proposals.iter().filter(|p| p.status == "pending").count(), 5);
    let remove = proposals.iter().find(|p| p.summary.contains("从内置词库中移除“金沙”")).expect("the removal is described in words");
    let (s, _, _) = editor.form(&format!("/admin/lexicon/proposals/{}", remove.id), &[("verdict", "accept")]).await;
    assert_eq!(s, 403, "an editor does not accept proposals");
    let (_, inbox) = app.web("chief").await.get("/admin/notifications").await;
    assert!(inbox.contains("待批准的词库修改"), "the chief editor is told");
    let (_, page) = app.web("chief").await.get("/admin/lexicon").await;
    assert!(page.contains("把“博彩平台”的级别从“必须修改”降为“警告”"), "the page lists what each proposal does");

    let chief = app.web("chief").await;
    let (s, loc, _) = chief.form(&format!("/admin/lexicon/proposals/{}", remove.id), &[("verdict", "accept")]).await;
    assert_eq!((s, loc.as_str()), (303, "/admin/lexicon?msg=lexicon_accepted#proposals"));
    assert_eq!(open_blocks(&app, id).await, 0, "the chief editor's lexicon change lets it through");
    let (s, v) = app.api("chief").await.post(&format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve"})).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("approved")), "{v}");

    // Every change is audited with before and after, and who asked.
    let mut c = app.running.as_ref().unwrap().state.store.conn().await.unwrap();
    let all = yuanxun_store::audit::list(&mut c, 1, &yuanxun_store::audit::Query::default(), 200).await.unwrap();
    let add = all.iter().find(|r| r.action == "lexicon_add" && r.detail.contains("移除的内置词“金沙”")).expect("the accepted removal");
    assert!(add.detail.contains("（王编辑 提请，赵总编 批准）") && add.actor_name.contains("赵总编"), "{add:?}");
    assert_eq!(all.iter().filter(|r| r.action == "lexicon_propose").count(), 5);
    let declined = proposals.iter().find(|p| p.summary.contains("降为")).unwrap();
    let (s, _, _) = chief.form(&format!("/admin/lexicon/proposals/{}", declined.id), &[("verdict", "decline")]).await;
    assert_eq!(s, 303);
    let items = yuanxun_store::checks::load(&mut c, 1).await.unwrap().items;
    assert_eq!(items.iter().find(|i| i.term == "博彩平台").unwrap().severity, "block", "a declined proposal changes nothing");
}

#[test]
fn loosening_is_told_apart_from_tightening() {
    use yuanxun_server::services::checks::loosening;
    use yuanxun_store::checks::LexiconItem;
    let builtin = yuanxun_check::Checker::builtin();
    let entries = builtin.entries();
    let item = |list: &str, term: &str, severity: &str| LexiconItem { list: list.into(), category: "typo".into(), term: term.into(), suggestion: "x".into(), severity: severity.into(), ..Default::default() };
    // Stricter or unrelated: nobody needs to approve.
    assert_eq!(loosening(None, Some(&item("entry", "东院区", "warn")), entries), None);
    assert_eq!(loosening(Some(&item("allow", "骨科", "")), None, entries), None, "deleting from the allowlist tightens");
    assert_eq!(loosening(Some(&item("entry", "东院区", "warn")), Some(&item("entry", "东院区", "block")), entries), None);
    // Looser: each says why.
    assert!(loosening(None, Some(&item("allow", "骨科", "")), entries).unwrap().contains("白名单"));
    assert!(loosening(None, Some(&item("phone", "13800138000", "")), entries).unwrap().contains("公开电话"));
    assert!(loosening(Some(&item("entry", "东院区", "block")), Some(&item("entry", "东院区", "info")), entries).unwrap().contains("降为"));
    assert!(loosening(Some(&item("entry", "东院区", "warn")), Some(&item("entry", "西院区", "warn")), entries).unwrap().contains("不再报出"));
    assert!(loosening(Some(&item("entry", "东院区", "warn")), None, entries).unwrap().contains("删除"));
    assert!(loosening(None, Some(&item("entry", "澳门金沙娱乐场", "info")), entries).unwrap().contains("盖过"));
}
