//! The staff congress over HTTP: who may set up, submit, decide, reply, rate and vote; a
//! motion through rework to a rated reply; a secret vote with attendance, one ballot each,
//! the quorum rule, and a record the database itself keeps final.

use crate::helpers::{spawn_app, TestApp};

/// A session with four delegates (two correspondents, the editor, the reviewer) and the
/// chief editor on the motions committee; its id.
pub async fn congress_session(app: &TestApp) -> i64 {
    let admin = app.web("admin").await;
    let (status, loc, body) = admin.form("/admin/congress", &[("term", "5"), ("sitting", "3"), ("opens_on", "2026-12-08"), ("agenda", "一、听取和审议院长工作报告\n二、表决有关决议")]).await;
    assert_eq!(status, 303, "{body}");
    let id: i64 = loc.trim_start_matches("/admin/congress/").split('?').next().unwrap().parse().unwrap();
    let (status, _, body) = admin.form(&format!("/admin/congress/{id}/delegates"), &[("people", "corr_a 第一代表团\ncorr_b 第一代表团\neditor 第二代表团\nreviewer 第二代表团")]).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(admin.form(&format!("/admin/congress/{id}/committee"), &[("people", "chief")]).await.0, 303);
    id
}

#[tokio::test]
async fn a_motion_goes_through_rework_to_a_rated_reply_and_only_the_right_people_act() {
    let app = spawn_app().await;
    // Only the administrator sets up sessions; the same one twice is refused.
    assert_eq!(app.web("editor").await.form("/admin/congress", &[("term", "5"), ("sitting", "3"), ("opens_on", "2026-12-08")]).await.0, 403);
    let session = congress_session(&app).await;
    let admin = app.web("admin").await;
    let (status, _, body) = admin.form("/admin/congress", &[("term", "5"), ("sitting", "3"), ("opens_on", "2026-12-08")]).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("第五届职工代表大会第三次会议已经设立"), "{body}");
    // An unknown user name is refused with its line, and nobody of that list is added.
    let (status, _, body) = admin.form(&format!("/admin/congress/{session}/delegates"), &[("people", "auditor\nnobody")]).await;
    assert_eq!(status, 422);
    assert!(body.contains("第 2 行") && body.contains("nobody"), "{body}");
    let (_, page) = admin.get(&format!("/admin/congress/{session}")).await;
    assert!(page.contains("代表 4 人"), "the failed list added nobody");

    // A delegate submits; a non-delegate cannot; too short is refused.
    let corr_a = app.web("corr_a").await;
    let path = format!("/admin/congress/{session}/motions");
    let reason = "门诊楼职工停车位不足，早班职工经常找不到车位，影响准时到岗。";
    let proposal = "建议在后勤楼北侧空地增设职工停车位，并实行错峰停车。";
    let (status, _, _) = app.web("auditor").await.form(&path, &[("title", "x"), ("reason", reason), ("proposal", proposal)]).await;
    assert_eq!(status, 403);
    let (status, _, body) = corr_a.form(&path, &[("title", "关于增设职工停车位的提案"), ("reason", "车位少"), ("proposal", proposal)]).await;
    assert_eq!(status, 422);
    assert!(body.contains("至少 10 个字"), "{body}");
    let (status, loc, body) = corr_a.form(&path, &[("title", "关于增设职工停车位的提案"), ("reason", reason), ("proposal", proposal), ("co_signers", "林儿科")]).await;
    assert_eq!(status, 303, "{body}");
    let motion = loc.trim_start_matches("/admin/congress/motions/").split('?').next().unwrap().to_string();
    let mpath = format!("/admin/congress/motions/{motion}");
    let chief = app.web("chief").await;
    let (_, notes) = chief.get("/admin/notifications").await;
    assert!(notes.contains("新提案待审查：关于增设职工停车位的提案"), "the committee is told");

    // Only the committee decides; declining needs a reason; accepting numbers it and assigns it.
    let decide = format!("{mpath}/decide");
    let ortho = app.fx.ortho.to_string();
    assert_eq!(corr_a.form(&decide, &[("decision", "accept"), ("department", &ortho), ("deadline", "2027-01-31")]).await.0, 403);
    let (status, _, body) = chief.form(&decide, &[("decision", "decline")]).await;
    assert_eq!(status, 422);
    assert!(body.contains("不予立案时请写明理由"), "{body}");
    // The replying department is the paediatrics one here.
    let paeds = app.fx.paeds.to_string();
    let (status, _, body) = chief.form(&decide, &[("decision", "accept"), ("department", &paeds), ("deadline", "2027-01-31"), ("note", "同意立案")]).await;
    assert_eq!(status, 303, "{body}");
    let (_, page) = corr_a.get(&mpath).await;
    assert!(page.contains("编号 T-001") && page.contains("已立案") && page.contains("2027-01-31 前答复"), "{page}");
    let corr_b = app.web("corr_b").await;
    let (_, notes) = corr_b.get("/admin/notifications").await;
    assert!(notes.contains("请答复职代会提案：关于增设职工停车位的提案"), "the department is told");
    // Deciding twice is refused.
    assert_eq!(chief.form(&decide, &[("decision", "accept"), ("department", &paeds), ("deadline", "2027-01-31")]).await.0, 409);

    // Only the handling department replies.
    let reply = format!("{mpath}/reply");
    assert_eq!(app.web("editor").await.form(&reply, &[("reply", "已经安排后勤处研究，近期答复。")]).await.0, 403);
    assert_eq!(corr_b.form(&reply, &[("reply", "收到")]).await.0, 422);
    assert_eq!(corr_b.form(&reply, &[("reply", "后勤处已完成选址，将于明年三月前增设车位四十个。")]).await.0, 303);
    // Only the proposer rates; 不满意 needs a reason and sends it back.
    let rate = format!("{mpath}/rate");
    assert_eq!(corr_b.form(&rate, &[("rating", "satisfied")]).await.0, 403);
    let (status, _, body) = corr_a.form(&rate, &[("rating", "unsatisfied")]).await;
    assert_eq!(status, 422);
    assert!(body.contains("不满意时请写明原因"), "{body}");
    assert_eq!(corr_a.form(&rate, &[("rating", "unsatisfied"), ("comment", "四十个车位不够，请说明错峰停车安排。")]).await.0, 303);
    let (_, page) = corr_b.get(&mpath).await;
    assert!(page.contains("重新办理"), "back with the department");
    let (_, notes) = corr_b.get("/admin/notifications").await;
    assert!(notes.contains("提案答复不满意，请重新办理"), "{notes}");
    assert_eq!(corr_b.form(&reply, &[("reply", "增设车位六十个，并自明年一月起实行早晚班错峰停车，已在院内网公布。")]).await.0, 303);
    assert_eq!(corr_a.form(&rate, &[("rating", "basic")]).await.0, 303);
    let (_, page) = corr_a.get(&mpath).await;
    assert!(page.contains("已办结") && page.contains("答复（第 2 次）") && page.contains("错峰停车"), "{page}");
    assert_eq!(corr_a.form(&rate, &[("rating", "satisfied")]).await.0, 409, "rated once it is closed");

    // A second motion, accepted with a reply deadline that has passed: the department and
    // the committee are reminded once.
    let (status, loc, _) = corr_a.form(&path, &[("title", "关于改善职工食堂夜班供餐的提案"), ("reason", "夜班职工下班时食堂已关门，只能点外卖。"), ("proposal", "建议食堂为夜班职工保留简餐窗口至凌晨。")]).await;
    assert_eq!(status, 303);
    let late = loc.trim_start_matches("/admin/congress/motions/").split('?').next().unwrap().to_string();
    assert_eq!(chief.form(&format!("/admin/congress/motions/{late}/decide"), &[("decision", "convert"), ("department", &paeds), ("deadline", "2026-01-10")]).await.0, 303);
    let mut told = false;
    for _ in 0..50 {
        let (_, notes) = corr_b.get("/admin/notifications").await;
        if notes.contains("职代会提案答复逾期：关于改善职工食堂夜班供餐的提案") {
            told = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(told, "the department is reminded of the overdue reply");
    tokio::time::sleep(std::time::Duration::from_millis(900)).await;
    let (_, page) = chief.get(&format!("/admin/congress/motions/{late}")).await;
    assert_eq!(page.matches("已超过答复期限").count(), 1, "once");
    assert!(page.contains("编号 J-001") && page.contains("逾期未答复"), "{page}");

    // The session's statistics.
    let (_, page) = admin.get(&format!("/admin/congress/{session}")).await;
    assert!(page.contains("立案 1 件，转为意见建议 1 件，不予立案 0 件，待审查 0 件；已答复 1 件，已办结 1 件；评价满意 0、基本满意 1、不满意 0；"), "{page}");
    assert!(page.contains("逾期未答复 1 件"), "{page}");
    assert!(page.contains("儿科 2 件（已答复 1）"));
    // Someone neither delegate nor of the handling department does not see it.
    let admin_user = app.web("auditor").await;
    assert_eq!(admin_user.get(&mpath).await.0, 200, "auditors read everything");
    let (_, audit) = admin_user.get("/admin/audit").await;
    for a in ["motion_submit", "motion_decide", "motion_reply", "motion_rate"] {
        assert!(audit.contains(a), "audit has {a}");
    }
}

#[tokio::test]
async fn a_secret_vote_counts_one_ballot_per_delegate_present_and_its_record_is_final() {
    let app = spawn_app().await;
    let session = congress_session(&app).await;
    let chief = app.web("chief").await;
    assert_eq!(app.web("corr_a").await.form(&format!("/admin/congress/{session}/votes"), &[("title", "x")]).await.0, 403);
    let (status, loc, body) = chief.form(&format!("/admin/congress/{session}/votes"), &[("title", "关于院长工作报告的决议"), ("body", "大会同意院长工作报告。"), ("secret", "on")]).await;
    assert_eq!(status, 303, "{body}");
    let vote: i64 = loc.trim_start_matches("/admin/congress/votes/").split('?').next().unwrap().parse().unwrap();
    let vpath = format!("/admin/congress/votes/{vote}");
    let cast = format!("{vpath}/cast");
    // Not open yet.
    let corr_a = app.web("corr_a").await;
    let (status, _, body) = corr_a.form(&cast, &[("choice", "yes")]).await;
    assert_eq!(status, 409);
    assert!(body.contains("表决还没有开始"), "{body}");

    // Three of four present (the reviewer is away): a quorum (3 × 3 ≥ 4 × 2).
    let state = app.running.as_ref().unwrap().state.clone();
    let delegates = {
        let mut c = state.store.conn().await.unwrap();
        yuanxun_store::congress::delegates(&mut c, session).await.unwrap()
    };
    let id_of = |name: &str| delegates.iter().find(|d| d.name == name).unwrap().id.to_string();
    let present = format!("csrf={}&present={}&present={}&present={}", chief.csrf, id_of("陈骨科"), id_of("林儿科"), id_of("王编辑"));
    let r = chief.client.post(format!("{}{vpath}/open", app.base)).header("content-type", "application/x-www-form-urlencoded").body(present.clone()).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let r = chief.client.post(format!("{}{vpath}/open", app.base)).header("content-type", "application/x-www-form-urlencoded").body(present).send().await.unwrap();
    assert_eq!(r.status(), 409, "opened once");

    assert_eq!(corr_a.form(&cast, &[("choice", "yes")]).await.0, 303);
    let (status, _, body) = corr_a.form(&cast, &[("choice", "no")]).await;
    assert_eq!(status, 409, "one ballot each");
    assert!(body.contains("已经投过票"), "{body}");
    let (status, _, body) = app.web("reviewer").await.form(&cast, &[("choice", "no")]).await;
    assert_eq!(status, 403, "absent delegates do not vote");
    assert!(body.contains("出席名单"), "{body}");
    assert_eq!(app.web("auditor").await.form(&cast, &[("choice", "no")]).await.0, 403, "not a delegate");
    assert_eq!(app.web("corr_b").await.form(&cast, &[("choice", "yes")]).await.0, 303);
    assert_eq!(app.web("editor").await.form(&cast, &[("choice", "bogus")]).await.0, 422);
    assert_eq!(app.web("editor").await.form(&cast, &[("choice", "abstain")]).await.0, 303);
    // The chair sees how many have voted, not how.
    let (_, page) = chief.get(&vpath).await;
    assert!(page.contains("已投 3 票"), "{page}");

    // Only the chair closes; 2 for out of 4 delegates is not more than half: not passed.
    assert_eq!(corr_a.form(&format!("{vpath}/close"), &[]).await.0, 403);
    assert_eq!(chief.form(&format!("{vpath}/close"), &[]).await.0, 303);
    let (_, page) = corr_a.get(&vpath).await;
    assert!(page.contains("应到代表 4 人，实到 3 人；赞成 2 票，反对 0 票，弃权 1 票。赞成票未超过全体代表半数，决议未通过。"), "{page}");
    assert!(!page.contains("记名投票明细"), "a secret vote lists nobody's choice");
    assert_eq!(app.web("editor").await.form(&cast, &[("choice", "yes")]).await.0, 409, "closed");

    // The record: secret ballots carry no delegate; the database refuses to change ballots or
    // a closed vote; the audit chain says who voted, not how.
    let mut c = state.store.conn().await.unwrap();
    let rows: Vec<(Option<i64>,)> = sqlx::query_as("SELECT delegate_id FROM ballots WHERE vote_id = $1").bind(vote).fetch_all(&mut *c).await.unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.0.is_none()));
    assert!(sqlx::query("UPDATE ballots SET choice = 'yes'").execute(&mut *c).await.is_err());
    assert!(sqlx::query("DELETE FROM ballot_receipts").execute(&mut *c).await.is_err());
    assert!(sqlx::query("UPDATE votes SET ayes = 4 WHERE id = $1").bind(vote).execute(&mut *c).await.is_err());
    drop(c);
    let (_, audit) = app.web("auditor").await.get("/admin/audit").await;
    assert_eq!(audit.matches("已投票（无记名）").count(), 3, "{audit}");
    assert!(audit.contains("vote_close"));
    assert!(!audit.contains("：赞成") && !audit.contains("：弃权"), "no choice in the audit of a secret vote");
}
