//! The content-risk check as a step of the review: every save is checked, findings show in
//! the text and beside it, suggestions are accepted as revisions, dismissals need a reason,
//! blocking findings stop final approval, and the site's lexicons apply without a restart.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, Api, TestApp};

const BODY: &str = "<p>全院职工再接再励，为患者提供优质服务。</p><p>欢迎访问3118金沙网址领取彩金。</p>";

async fn story(app: &TestApp, author: &Api, body: &str) -> i64 {
    let (s, m) = author.post("/manuscripts", json!({"title": "骨科开展义诊活动", "channel_id": app.fx.news, "authors": "陈骨科", "body_html": body})).await;
    assert_eq!(s, 201, "{m}");
    m["id"].as_i64().unwrap()
}

fn item<'a>(check: &'a Value, rule: &str) -> Option<&'a Value> {
    check["items"].as_array().unwrap().iter().find(|i| i["rule"] == rule)
}

fn rules(check: &Value) -> Vec<String> {
    check["items"].as_array().unwrap().iter().map(|i| i["rule"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn every_save_is_checked_and_the_findings_show_in_the_text_and_beside_it() {
    let app = spawn_app().await;
    let corr = app.api("corr_a").await;
    let id = story(&app, &corr, BODY).await;

    let (s, check) = corr.get(&format!("/manuscripts/{id}/check")).await;
    assert_eq!(s, 200, "{check}");
    assert_eq!(check["revision"], 1);
    let typo = item(&check, "typo.lexicon").expect("typo found on save");
    assert_eq!((typo["surface"].as_str(), typo["replacement"].as_str(), typo["field"].as_str()), (Some("再接再励"), Some("再接再厉"), Some("body")));
    let casino = item(&check, "sensitive.gambling_brand").expect("casino brand found");
    assert_eq!(casino["severity"], "block");
    assert_eq!(check["open"]["block"], 1);
    assert!(check["lexicon_version"].as_str().unwrap().ends_with("+site.0"), "{check}");

    // The reviewer's page marks the words in the text and lists them beside it.
    let web = app.web("editor").await;
    let (_, page) = web.get(&format!("/admin/manuscripts/{id}")).await;
    let typo_id = typo["id"].as_i64().unwrap();
    assert!(page.contains(&format!("<mark class=\"ck ck-warn\" data-f=\"{typo_id}\">再接再励</mark>")), "typo marked inline");
    assert!(page.contains("<mark class=\"ck ck-block\""), "block marked inline");
    assert!(page.contains(&format!("id=\"f{typo_id}\"")), "listed in the sidebar");
    assert!(page.contains("1 处必须修改"));
    assert!(page.contains("<title>骨科开展义诊活动 - 院讯</title>"), "the page title is just the title");
    assert!(page.contains("采纳建议"), "editors may accept suggestions");
    // The list of manuscripts shows what the check found.
    let (_, list) = web.get("/admin/manuscripts").await;
    assert!(list.contains("必须修改 1"), "list shows the blocking count");

    // Fixing the text in an edit checks the new revision.
    let fixed = "<p>全院职工再接再厉，为患者提供优质服务。</p>";
    let (s, m) = corr.put(&format!("/manuscripts/{id}"), json!({"title": "骨科开展义诊活动", "channel_id": app.fx.news, "body_html": fixed, "base_revision": 1})).await;
    assert_eq!(s, 200, "{m}");
    let (_, check) = corr.get(&format!("/manuscripts/{id}/check")).await;
    assert_eq!(check["revision"], 2);
    assert!(check["items"].as_array().unwrap().is_empty(), "clean after the fix: {check}");
}

#[tokio::test]
async fn accepting_a_suggestion_saves_it_as_a_new_revision() {
    let app = spawn_app().await;
    let corr = app.api("corr_a").await;
    let id = story(&app, &corr, "<p>全院职工再接再励，为患者提供<b>优质</b>服务。</p>").await;
    let (_, check) = corr.get(&format!("/manuscripts/{id}/check")).await;
    let typo = item(&check, "typo.lexicon").unwrap().clone();
    let web = app.web("editor").await;
    let (key, start) = (typo["key"].as_str().unwrap(), typo["byte_start"].to_string());
    let fields = |rev: &'static str| [("revision", rev), ("field", "body"), ("key", key), ("byte_start", start.as_str())];

    // Looking at an old revision: refused, nothing changes.
    let (s, _, body) = web.form(&format!("/admin/manuscripts/{id}/check/accept"), &fields("7")).await;
    assert_eq!(s, 409, "{body}");

    let ok = fields("1");
    let (s, loc, _) = web.form(&format!("/admin/manuscripts/{id}/check/accept"), &ok).await;
    assert_eq!((s, loc.as_str()), (303, format!("/admin/manuscripts/{id}?msg=accepted#check").as_str()));
    let (_, v) = corr.get(&format!("/manuscripts/{id}")).await;
    assert_eq!(v["manuscript"]["revision"], 2);
    assert_eq!(v["manuscript"]["body_html"], "<p>全院职工再接再厉，为患者提供<b>优质</b>服务。</p>", "only the word changed, formatting kept");
    let note = v["revisions"].as_array().unwrap().iter().find(|r| r["number"] == 2).unwrap()["note"].as_str().unwrap().to_string();
    assert!(note.contains("采纳审校建议") && note.contains("再接再厉"), "{note}");
    let (_, check) = corr.get(&format!("/manuscripts/{id}/check")).await;
    assert!(item(&check, "typo.lexicon").is_none());

    // Once submitted, the correspondent can no longer change the text this way.
    let (_, check) = corr.get(&format!("/manuscripts/{id}/check")).await;
    assert_eq!(check["revision"], 2);
    corr.post(&format!("/manuscripts/{id}/submit"), json!({})).await;
    let corr_web = app.web("corr_a").await;
    let (s, _, _) = corr_web.form(&format!("/admin/manuscripts/{id}/check/accept"), &ok).await;
    assert!(s == 403 || s == 409, "{s}");
}

#[tokio::test]
async fn a_dismissal_needs_a_reason_and_stays_for_that_manuscript() {
    let app = spawn_app().await;
    let corr = app.api("corr_a").await;
    let id = story(&app, &corr, BODY).await;
    let other = story(&app, &corr, BODY).await;
    let (_, check) = corr.get(&format!("/manuscripts/{id}/check")).await;
    let typo_key = item(&check, "typo.lexicon").unwrap()["key"].as_str().unwrap().to_string();
    let warn_before = check["open"]["warn"].as_i64().unwrap();
    let casino_key = item(&check, "sensitive.gambling_brand").unwrap()["key"].as_str().unwrap().to_string();

    assert_eq!(corr.post(&format!("/manuscripts/{id}/check/dismissals"), json!({"key": typo_key, "reason": "不改"})).await.0, 403, "authors fix, they do not dismiss");
    let reviewer = app.api("reviewer").await;
    let (s, e) = reviewer.post(&format!("/manuscripts/{id}/check/dismissals"), json!({"key": typo_key, "reason": " "})).await;
    assert_eq!(s, 422, "{e}");
    assert!(e["message"].as_str().unwrap().contains("理由"));
    let (s, e) = reviewer.post(&format!("/manuscripts/{id}/check/dismissals"), json!({"key": casino_key, "reason": "不是赌博"})).await;
    assert_eq!(s, 403, "only the chief editor dismisses blocking findings: {e}");

    let (s, check) = reviewer.post(&format!("/manuscripts/{id}/check/dismissals"), json!({"key": typo_key, "reason": "引用原文，保留"})).await;
    assert_eq!(s, 200, "{check}");
    let typo = item(&check, "typo.lexicon").unwrap();
    assert_eq!(typo["dismissed"]["reason"], "引用原文，保留");
    assert_eq!(typo["dismissed"]["user_name"], "李审核");
    assert_eq!((check["open"]["warn"].as_i64(), check["open"]["dismissed"].as_i64()), (Some(warn_before - 1), Some(1)), "{check}");

    // A new revision that keeps the word: still dismissed. Another manuscript: not dismissed.
    let body = format!("{BODY}<p>新增一段。</p>");
    let (s, _) = corr.put(&format!("/manuscripts/{id}"), json!({"title": "骨科开展义诊活动", "channel_id": app.fx.news, "body_html": body})).await;
    assert_eq!(s, 200);
    let (_, check) = corr.get(&format!("/manuscripts/{id}/check")).await;
    assert_eq!(check["revision"], 2);
    assert!(item(&check, "typo.lexicon").unwrap()["dismissed"].is_object());
    let (_, check) = corr.get(&format!("/manuscripts/{other}/check")).await;
    assert!(item(&check, "typo.lexicon").unwrap()["dismissed"].is_null());

    // The chief editor may dismiss a blocking finding; both are in the audit log.
    let chief = app.api("chief").await;
    assert_eq!(chief.post(&format!("/manuscripts/{id}/check/dismissals"), json!({"key": casino_key, "reason": "测试页面，文字为示例"})).await.0, 200);
    let web = app.web("auditor").await;
    let (_, audit) = web.get("/admin/audit?action=check_dismiss").await;
    assert!(audit.contains("引用原文，保留") && audit.contains("测试页面，文字为示例"), "dismissals audited");
}

#[tokio::test]
async fn blocking_findings_stop_final_approval_unless_the_chief_editor_overrides_in_writing() {
    let app = spawn_app().await;
    let corr = app.api("corr_a").await;
    let id = story(&app, &corr, BODY).await;
    corr.post(&format!("/manuscripts/{id}/submit"), json!({})).await;
    for who in ["editor", "reviewer"] {
        let (s, v) = app.api(who).await.post(&format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve"})).await;
        assert_eq!(s, 200, "levels before the last are not gated: {v}");
    }
    let chief = app.api("chief").await;
    let (s, e) = chief.post(&format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve"})).await;
    assert_eq!(s, 409, "{e}");
    let msg = e["message"].as_str().unwrap();
    assert!(msg.contains("1 处“必须修改”") && msg.contains("3118金沙网址") && msg.contains("放行理由"), "{msg}");
    let (_, v) = chief.get(&format!("/manuscripts/{id}")).await;
    assert_eq!(v["manuscript"]["status"], "in_review", "nothing changed");

    // The review page tells the chief editor and offers the reason field.
    let web = app.web("chief").await;
    let (_, page) = web.get(&format!("/admin/manuscripts/{id}")).await;
    assert!(page.contains("name=\"override_reason\""));

    let (s, m) = chief.post(&format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve", "override_reason": "已与作者核实，此段为反诈宣传引用的截图文字"})).await;
    assert_eq!((s, m["status"].as_str()), (200, Some("approved")), "{m}");
    let (_, audit) = app.web("auditor").await.get("/admin/audit?action=check_override").await;
    assert!(audit.contains("已与作者核实") && audit.contains("3118金沙网址"), "override audited with reason and findings");
}

#[tokio::test]
async fn a_reviewer_who_is_not_chief_cannot_override() {
    let app = spawn_app().await;
    let corr = app.api("corr_a").await;
    let (_, m) = corr.post("/manuscripts", json!({"title": "通知", "channel_id": app.fx.notices, "body_html": BODY})).await;
    let id = m["id"].as_i64().unwrap();
    corr.post(&format!("/manuscripts/{id}/submit"), json!({})).await;
    // Notices have two levels: the reviewer (level 2) gives the final approval.
    assert_eq!(app.api("editor").await.post(&format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve"})).await.0, 200);
    let (s, e) = app.api("reviewer").await.post(&format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve", "override_reason": "我来放行"})).await;
    assert_eq!(s, 409, "{e}");
    assert!(e["message"].as_str().unwrap().contains("请总编辑"));
}

#[tokio::test]
async fn site_lexicon_changes_apply_to_the_next_check_without_a_restart() {
    let app = spawn_app().await;
    let corr = app.api("corr_a").await;
    let body = "<p>院长张建华出席。东院区门诊楼投入使用。全院再接再励。咨询电话 138 0013 8000。</p>";
    let id = story(&app, &corr, body).await;
    let (_, before) = corr.get(&format!("/manuscripts/{id}/check")).await;
    assert!(rules(&before).contains(&"typo.lexicon".to_string()));
    assert!(rules(&before).iter().any(|r| r.starts_with("privacy.")), "{before}");

    let corr_web = app.web("corr_a").await;
    let (s, _, _) = corr_web.form("/admin/lexicon/items", &[("list", "allow"), ("term", "再接再励")]).await;
    assert_eq!(s, 403, "correspondents do not edit lexicons");

    let web = app.web("chief").await;
    // A wrong entry is refused with a message saying what to fix.
    let (s, _, page) = web.form("/admin/lexicon/items", &[("list", "entry"), ("category", "typo"), ("term", "东院区"), ("suggestion", ""), ("severity", "warn")]).await;
    assert_eq!(s, 422);
    assert!(page.contains("请填写正确写法"));
    // The site's own name for a campus, the old name flagged.
    let (s, loc, _) = web.form("/admin/lexicon/items", &[("list", "entry"), ("category", "normative"), ("term", "东院区"), ("suggestion", "东院"), ("severity", "warn"), ("reason", "本院院区统一称“东院”")]).await;
    assert_eq!((s, loc.as_str()), (303, "/admin/lexicon?msg=saved_item#entries"));
    // Switch off a built-in typo, add the public phone, and the leader roster.
    let (s, _, _) = web.form("/admin/lexicon/items", &[("list", "removed"), ("category", "typo"), ("term", "再接再励")]).await;
    assert_eq!(s, 303);
    let (s, _, _) = web.form("/admin/lexicon/items", &[("list", "phone"), ("term", "138-0013-8000")]).await;
    assert_eq!(s, 303);
    let (s, _, _) = web.form("/admin/lexicon/leaders", &[("name", "张建华"), ("titles", "党委书记"), ("sort", "1")]).await;
    assert_eq!(s, 303);

    let (_, after) = corr.get(&format!("/manuscripts/{id}/check")).await;
    assert!(after["lexicon_version"].as_str().unwrap().ends_with("+site.4"), "four changes: {}", after["lexicon_version"]);
    let r = rules(&after);
    assert!(!r.contains(&"typo.lexicon".to_string()), "built-in switched off: {r:?}");
    assert!(!r.iter().any(|r| r.starts_with("privacy.")), "public phone allowed: {r:?}");
    let campus = item(&after, "normative.lexicon").expect("site entry applies");
    assert_eq!((campus["surface"].as_str(), campus["replacement"].as_str()), (Some("东院区"), Some("东院")));
    let leader = item(&after, "normative.leader_title").expect("roster applies");
    assert_eq!((leader["surface"].as_str(), leader["suggestion"].as_str()), (Some("院长"), Some("党委书记")));

    // The page lists it all, with the version.
    let (_, page) = web.get("/admin/lexicon").await;
    for expected in ["东院区", "再接再励", "13800138000", "张建华", after["lexicon_version"].as_str().unwrap()] {
        assert!(page.contains(expected), "lexicon page lacks {expected}");
    }
    let (_, found) = web.get("/admin/lexicon?q=%E5%86%8D%E6%8E%A5").await;
    assert!(found.contains("本站停用") || found.contains("没有包含"), "built-in search answers");

    // Deleting the site entry: gone from the next check.
    let item_id = {
        let i = page.find("/admin/lexicon/items/").unwrap() + "/admin/lexicon/items/".len();
        page[i..].split('/').next().unwrap().to_string()
    };
    let (s, _, _) = web.form(&format!("/admin/lexicon/items/{item_id}/delete"), &[]).await;
    assert_eq!(s, 303);
    let (_, last) = corr.get(&format!("/manuscripts/{id}/check")).await;
    assert!(last["lexicon_version"].as_str().unwrap().ends_with("+site.5"));
    let (_, audit) = app.web("auditor").await.get("/admin/audit?object_type=lexicon").await;
    assert!(audit.contains("lexicon_add") && audit.contains("lexicon_delete") && audit.contains("leader_add"));
}

#[tokio::test]
async fn a_title_naming_another_organisation_in_the_sites_place_blocks_until_the_name_is_registered_as_ours() {
    let app = spawn_app().await;
    let corr = app.api("corr_a").await;
    let titled = |title: &'static str| json!({"title": title, "channel_id": app.fx.news, "authors": "陈骨科", "body_html": "<p>骨科开展义诊活动。</p>"});
    let (_, ours) = corr.post("/manuscripts", titled("骨科开展义诊活动 - 院讯示范医院")).await;
    let (_, copied) = corr.post("/manuscripts", titled("骨科开展义诊活动 - 示范市第一人民医院")).await;
    let check = |id: i64| {
        let corr = &corr;
        async move { corr.get(&format!("/manuscripts/{id}/check")).await.1 }
    };
    // The site's name is its own; another organisation's name in its place is a block.
    assert!(item(&check(ours["id"].as_i64().unwrap()).await, "sensitive.hijack_title").is_none());
    let before = check(copied["id"].as_i64().unwrap()).await;
    let hijack = item(&before, "sensitive.hijack_title").unwrap_or_else(|| panic!("{before}"));
    assert_eq!((hijack["field"].as_str(), hijack["surface"].as_str(), hijack["severity"].as_str()), (Some("title"), Some("示范市第一人民医院"), Some("block")));
    assert!(hijack["reason"].as_str().unwrap().contains("登记为本院名称"), "{hijack}");

    // Only those who may loosen the check register a name as the site's own; a bad one is refused.
    let (s, _, _) = app.web("corr_a").await.form("/admin/lexicon/items", &[("list", "name"), ("term", "示范市第一人民医院")]).await;
    assert_eq!(s, 403);
    let web = app.web("chief").await;
    let (s, _, page) = web.form("/admin/lexicon/items", &[("list", "name"), ("term", "一院 - 首页")]).await;
    assert_eq!(s, 422);
    assert!(page.contains("不含空格和分隔符"), "{page}");
    let (s, loc, _) = web.form("/admin/lexicon/items", &[("list", "name"), ("term", "示范市第一人民医院")]).await;
    assert_eq!((s, loc.as_str()), (303, "/admin/lexicon?msg=saved_item#names"));
    let (_, page) = web.get("/admin/lexicon").await;
    assert!(page.contains("本院名称与简称") && page.contains("示范市第一人民医院"));
    let after = check(copied["id"].as_i64().unwrap()).await;
    assert!(item(&after, "sensitive.hijack_title").is_none(), "{after}");
    let (_, audit) = app.web("auditor").await.get("/admin/audit?object_type=lexicon").await;
    assert!(audit.contains("本院名称“示范市第一人民医院”"), "the registration is in the audit log");
}

fn language_model() -> std::sync::Arc<yuanxun_check::ContextModel> {
    static MODEL: std::sync::OnceLock<std::sync::Arc<yuanxun_check::ContextModel>> = std::sync::OnceLock::new();
    MODEL.get_or_init(|| std::sync::Arc::new(yuanxun_check::ContextModel::system().expect("the language model is not installed: apt-get install libime-data-language-model (scripts/test does)").expect("readable"))).clone()
}

#[tokio::test]
async fn with_a_language_model_the_review_finds_slips_no_list_holds_and_says_what_it_reads_with() {
    let app = crate::helpers::spawn_app_with(|c| c.check_model = yuanxun_server::CheckModel::ready(language_model())).await;
    let corr = app.api("corr_a").await;
    let id = story(&app, &corr, "<p>大会表障了一批先进集体和先进个人。</p><p>院长冯世庆出席会议。</p>").await;
    let (s, check) = corr.get(&format!("/manuscripts/{id}/check")).await;
    assert_eq!(s, 200, "{check}");
    let typo = item(&check, "typo.model").unwrap_or_else(|| panic!("the model finds 表障: {check}"));
    assert_eq!((typo["surface"].as_str(), typo["replacement"].as_str(), typo["severity"].as_str()), (Some("表障"), Some("表彰"), Some("warn")));
    assert!(typo["reason"].as_str().unwrap().starts_with("按语言模型，此处“表彰”的可能性约为“表障”的"), "{typo}");
    assert_eq!(rules(&check).iter().filter(|r| r.contains("model")).count(), 1, "the name is left alone: {check}");
    assert!(check["model"].as_str().unwrap().contains("zh_CN.lm"), "{check}");
    assert!(check["lexicon_version"].as_str().unwrap().ends_with("+lm"), "{check}");
    let web = app.web("editor").await;
    let (_, page) = web.get(&format!("/admin/manuscripts/{id}")).await;
    assert!(page.contains("语境审校：已启用语言模型"), "the sidebar names the model");

    // A reviewer dismisses it (a ward's own term, say): the allowlist is proposed to the
    // chief editor; once accepted, the model leaves the word alone in every story.
    let reviewer = app.api("reviewer").await;
    let (s, after) = reviewer.post(&format!("/manuscripts/{id}/check/dismissals"), json!({"key": typo["key"], "reason": "科室内部用语，无误"})).await;
    assert_eq!(s, 200, "{after}");
    let proposals = {
        let mut c = app.running.as_ref().unwrap().state.store.conn().await.unwrap();
        yuanxun_store::checks::proposals(&mut c, 1, 50).await.unwrap()
    };
    let p = proposals.iter().find(|p| p.status == "pending" && p.summary.contains("把“表障”加入白名单")).unwrap_or_else(|| panic!("proposed: {proposals:?}"));
    // Dismissing it again elsewhere proposes nothing new.
    let other = story(&app, &corr, "<p>会议表障了先进集体。</p>").await;
    let (_, check2) = corr.get(&format!("/manuscripts/{other}/check")).await;
    let again = item(&check2, "typo.model").unwrap_or_else(|| panic!("still found before the allowlist: {check2}"));
    assert_eq!(reviewer.post(&format!("/manuscripts/{other}/check/dismissals"), json!({"key": again["key"], "reason": "同上"})).await.0, 200);
    let pending = {
        let mut c = app.running.as_ref().unwrap().state.store.conn().await.unwrap();
        yuanxun_store::checks::proposals(&mut c, 1, 50).await.unwrap().iter().filter(|p| p.status == "pending").count()
    };
    assert_eq!(pending, 1);
    let chief = app.web("chief").await;
    let (s, _, _) = chief.form(&format!("/admin/lexicon/proposals/{}", p.id), &[("verdict", "accept")]).await;
    assert_eq!(s, 303);
    let third = story(&app, &corr, "<p>大会表障了一批先进个人。</p>").await;
    let (_, check3) = corr.get(&format!("/manuscripts/{third}/check")).await;
    assert!(item(&check3, "typo.model").is_none(), "allowed now: {check3}");

    // Without a model the sidebar says the check reads with lexicons and rules only.
    let plain = spawn_app().await;
    let corr = plain.api("corr_a").await;
    let id = story(&plain, &corr, "<p>大会表障了一批先进集体。</p>").await;
    let (_, check) = corr.get(&format!("/manuscripts/{id}/check")).await;
    assert!(check["model"].is_null(), "{check}");
    assert!(item(&check, "typo.model").is_none());
    let web = plain.web("editor").await;
    let (_, page) = web.get(&format!("/admin/manuscripts/{id}")).await;
    assert!(page.contains("未安装语言模型，仅按词库和规则检查"));
}
