//! What the monitor's findings lead to: alerts in the newsroom, by e-mail (to a mail server on
//! loopback) and to 企业微信 / 钉钉 group robots (a local server answering as they do), once
//! per family and level, held by quiet hours; incidents from 发现 to 办结 with a statement
//! through the normal review and escalation when overdue; daily and weekly briefings checked
//! against known data, on the page and in the Word document.

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use yuanxun_store::incidents as alerts_store;
use yuanxun_store::monitor as store;

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

const STORY: &str = "网友发帖称，示范医院急诊科昨晚发生医疗纠纷，患者家属情绪激动，与值班医生发生冲突并动手打人，医院保安随后报警，家属要求医院给个说法。";

/// One message as the mail server took it: the envelope's recipients and the whole text.
#[derive(Debug, Clone)]
struct Mail {
    to: Vec<String>,
    data: String,
}

/// The hospital's mail server, on a random loopback port: speaks enough SMTP to take mail.
async fn smtp_sink() -> (String, Arc<Mutex<Vec<Mail>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let kept = got.clone();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else { return };
            let got = kept.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 sink.test ESMTP\r\n").await.unwrap();
                let mut to = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 sink.test\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        to.push(line[8..].trim().trim_matches(['<', '>']).to_string());
                        b"250 OK\r\n"
                    } else if upper.starts_with("DATA") {
                        w.write_all(b"354 go ahead\r\n").await.unwrap();
                        let mut data = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push_str(&l);
                            data.push('\n');
                        }
                        got.lock().unwrap().push(Mail { to: std::mem::take(&mut to), data });
                        b"250 queued\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"250 OK\r\n"
                    };
                    w.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (url, got)
}

/// The text of a mail's body (lettre sends Chinese text base64-encoded).
fn mail_text(m: &Mail) -> String {
    use base64::Engine;
    let body = m.data.split("\n\n").skip(1).collect::<Vec<_>>().join("\n\n");
    if m.data.contains("Content-Transfer-Encoding: base64") {
        let joined: String = body.split_whitespace().collect();
        String::from_utf8(base64::engine::general_purpose::STANDARD.decode(joined).unwrap()).unwrap()
    } else {
        body
    }
}

type Posts = Arc<Mutex<Vec<(String, String, serde_json::Value)>>>;

/// Group robots as 企业微信 and 钉钉 run them (answering `errcode`), a broken one, and two
/// feeds that repeat the story, on a random loopback port.
async fn robots() -> (String, Posts) {
    let posts: Posts = Arc::default();
    async fn take(State(p): State<Posts>, uri: axum::http::Uri, Json(v): Json<serde_json::Value>) -> impl IntoResponse {
        p.lock().unwrap().push((uri.path().to_string(), uri.query().unwrap_or("").to_string(), v));
        Json(serde_json::json!({"errcode": 0, "errmsg": "ok"}))
    }
    let feed = |guid: &'static str| {
        move || async move {
            let body = format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title><link>https://x.example/</link><description>x</description><item><guid>{guid}</guid><title>示范医院急诊科发生纠纷</title><link>https://x.example/{guid}</link><description>{STORY}</description></item></channel></rss>"#
            );
            ([(header::CONTENT_TYPE, "application/rss+xml")], body)
        }
    };
    let app = Router::new()
        .route("/wecom", post(take))
        .route("/ding", post(take))
        .route("/bad", post(|| async { Json(serde_json::json!({"errcode": 93000, "errmsg": "invalid webhook url"})) }))
        .route("/small.xml", get(feed("s1")))
        .route("/big.xml", get(feed("b1")))
        .with_state(posts.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, posts)
}

async fn alerts(app: &TestApp) -> Vec<alerts_store::Alert> {
    let state = &app.running.as_ref().unwrap().state;
    let mut c = state.store.conn().await.unwrap();
    alerts_store::list_alerts(&mut c, state.site_id(), false, 100).await.unwrap()
}

/// Waits (up to ten seconds) until `done` holds.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..100 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("waited ten seconds for {what}");
}

/// A feed source of `reach`, due now.
async fn feed_source(app: &TestApp, name: &str, url: &str, reach: i64) -> i64 {
    let state = &app.running.as_ref().unwrap().state;
    let mut tx = state.store.begin().await.unwrap();
    let f = store::SourceFields { name, kind: "rss", url, mapping: "{}", reach, interval_secs: 3600, enabled: true };
    let id = store::create_source(tx.conn(), state.site_id(), &f, 0).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// A quiet window of two hours around now, on the hospital's clock.
fn quiet_now() -> String {
    let minute = ((yuanxun_core::clock::now() + 8 * 3600).rem_euclid(86_400) / 60) as i64;
    let (from, to) = ((minute - 60).rem_euclid(1440), (minute + 60).rem_euclid(1440));
    format!("{:02}:{:02}-{:02}:{:02}", from / 60, from % 60, to / 60, to % 60)
}

#[tokio::test]
async fn alerts_reach_the_newsroom_mail_and_robots_once_per_level_and_quiet_hours_hold_all_but_red() {
    let (smtp, mails) = smtp_sink().await;
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp)).await;
    let (robots, posts) = robots().await;
    let web = app.web("editor").await;
    assert_eq!(web.form("/admin/monitor/sets", &[("name", "院名"), ("words", "示范医院\n示医")]).await.0, 303);
    assert_eq!(web.form("/admin/monitor/rules", &[("name", "本院纠纷"), ("expr", "@院名 & (纠纷 | 打人)"), ("weight", "5"), ("enabled", "1")]).await.0, 303);

    // Channels: a wrong address is refused in words and nothing is saved.
    let (status, _, body) = web.form("/admin/monitor/channels", &[("name", "值班邮箱"), ("kind", "email"), ("target", "值班室"), ("min_level", "orange"), ("enabled", "on")]).await;
    assert_eq!(status, 422);
    assert!(body.contains("不是有效的电子邮件地址"), "{body}");
    let (status, _, body) = web.form("/admin/monitor/channels", &[("name", "群"), ("kind", "wecom"), ("target", "qyapi.weixin.qq.com/x"), ("enabled", "on")]).await;
    assert_eq!(status, 422);
    assert!(body.contains("Webhook 地址应以 https:"), "{body}");
    let (status, _, body) = web.form("/admin/monitor/channels", &[("name", "群"), ("kind", "dingtalk"), ("target", &format!("{robots}/ding")), ("quiet", "晚上十点"), ("enabled", "on")]).await;
    assert_eq!(status, 422);
    assert!(body.contains("22:00-07:30"), "{body}");
    let quiet = quiet_now();
    for (name, kind, target, secret, min, quiet) in [
        ("值班邮箱", "email", "duty@hospital.example\nchief@hospital.example", "", "orange", ""),
        ("宣传部企业微信群", "wecom", &*format!("{robots}/wecom?key=k1"), "", "blue", ""),
        ("领导钉钉群", "dingtalk", &*format!("{robots}/ding?access_token=t1"), "SEC1", "orange", &*quiet),
        ("旧群", "wecom", &*format!("{robots}/bad"), "", "blue", ""),
    ] {
        let (status, _, body) = web.form("/admin/monitor/channels", &[("name", name), ("kind", kind), ("target", target), ("secret", secret), ("min_level", min), ("quiet", quiet), ("enabled", "on")]).await;
        assert_eq!(status, 303, "{name}: {body}");
    }
    // The test button sends at once and says what the robot answered.
    let (_, page) = web.get("/admin/monitor/channels").await;
    assert!(page.contains(&quiet), "quiet hours shown");
    let state = app.running.as_ref().unwrap().state.clone();
    let channels = {
        let mut c = state.store.conn().await.unwrap();
        alerts_store::list_channels(&mut c, state.site_id()).await.unwrap()
    };
    assert_eq!(web.form(&format!("/admin/monitor/channels/{}/test", channels[1].id), &[]).await.0, 303);
    let (status, _, body) = web.form(&format!("/admin/monitor/channels/{}/test", channels[3].id), &[]).await;
    assert_eq!(status, 502);
    assert!(body.contains("群机器人拒收：93000"), "{body}");
    assert_eq!(posts.lock().unwrap().len(), 1);
    assert!(posts.lock().unwrap()[0].2["markdown"]["content"].as_str().unwrap().contains("测试"));
    posts.lock().unwrap().clear();

    // A dispute pasted in from a mid-sized account: orange (5 + 4 + 2 + 0).
    let (status, _, body) = web.form("/admin/monitor/items", &[("url", "https://weibo.example/1"), ("title", "示范医院急诊科昨晚有人打人"), ("text", STORY), ("reach", "3")]).await;
    assert_eq!(status, 303, "{body}");
    until("the orange alert by mail and to the robot", || mails.lock().unwrap().len() == 1 && posts.lock().unwrap().len() == 1).await;
    let first = alerts(&app).await;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].level, "orange");
    {
        let m = mails.lock().unwrap()[0].clone();
        assert_eq!(m.to, vec!["duty@hospital.example", "chief@hospital.example"]);
        let text = mail_text(&m);
        assert!(text.contains("【橙色预警】示范医院急诊科昨晚有人打人"), "{text}");
        assert!(text.contains("规则 5 + 情感 4 + 来源 2 + 扩散 0 = 11"), "{text}");
        assert!(text.contains("https://weibo.example/1"), "{text}");
        let p = posts.lock().unwrap()[0].clone();
        assert_eq!((p.0.as_str(), p.1.as_str()), ("/wecom", "key=k1"));
        assert_eq!(p.2["msgtype"], "markdown");
        assert!(p.2["markdown"]["content"].as_str().unwrap().contains("【橙色预警】示范医院急诊科昨晚有人打人"));
    }
    // The 钉钉 group is in its quiet hours: the orange waits; the broken robot's error is kept.
    let (_, page) = web.get("/admin/monitor/alerts").await;
    assert!(page.contains("免打扰"), "{page}");
    let mut tried = false;
    for _ in 0..50 {
        let (_, page) = web.get("/admin/monitor/alerts").await;
        if page.contains("群机器人拒收：93000") {
            tried = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(tried, "the failed delivery shows its reason");
    // Editors and the chief editor are told in the newsroom; correspondents are not.
    let (_, page) = web.get("/admin/notifications").await;
    assert!(page.contains("【橙色预警】示范医院急诊科昨晚有人打人"), "{page}");
    assert!(page.contains(r#"class="badge""#), "the unread badge");
    let (_, chief) = app.web("chief").await.get("/admin/notifications").await;
    assert!(chief.contains("【橙色预警】"));
    let (_, corr) = app.web("corr_a").await.get("/admin/notifications").await;
    assert!(!corr.contains("【橙色预警】"));

    // A small account repeats it: a copy, still orange (5 + 4 + 0 + 2): not alerted again.
    let small = feed_source(&app, "小论坛", &format!("{robots}/small.xml"), 1).await;
    let state2 = state.clone();
    let mut copied = false;
    for _ in 0..100 {
        let mut c = state2.store.conn().await.unwrap();
        if store::list_items(&mut c, state2.site_id(), &Default::default(), 10).await.unwrap().iter().any(|i| i.source_id == small) {
            copied = true;
            break;
        }
        drop(c);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(copied);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(alerts(&app).await.len(), 1, "a repeat at the same level is not raised again");
    assert_eq!(mails.lock().unwrap().len(), 1);
    // A national outlet carries it too: three sources and reach 5 make it red (5 + 4 + 4 + 2),
    // which goes everywhere at once, quiet hours or not.
    feed_source(&app, "全国平台", &format!("{robots}/big.xml"), 5).await;
    until("the red alert by mail", || mails.lock().unwrap().len() == 2).await;
    until("the red alert to both robots", || posts.lock().unwrap().iter().filter(|p| p.0 == "/ding").count() == 1 && posts.lock().unwrap().iter().filter(|p| p.0 == "/wecom").count() == 2).await;
    let all = alerts(&app).await;
    assert_eq!(all.iter().map(|a| a.level.as_str()).collect::<Vec<_>>(), vec!["red", "orange"]);
    assert_eq!(all[0].family_id, all[1].family_id, "one story, two levels");
    let ding = posts.lock().unwrap().iter().find(|p| p.0 == "/ding").cloned().unwrap();
    assert!(ding.1.starts_with("access_token=t1&timestamp=") && ding.1.contains("&sign="), "signed: {}", ding.1);
    assert!(ding.2["markdown"]["title"].as_str().unwrap().starts_with("【红色预警】"));
    assert!(mail_text(&mails.lock().unwrap()[1]).contains("【红色预警】"));

    // Acknowledged alerts leave the open list; reading a notification clears it from the badge.
    let (status, _, _) = web.form(&format!("/admin/monitor/alerts/{}/ack", all[0].id), &[]).await;
    assert_eq!(status, 303);
    let (_, open) = web.get("/admin/monitor/alerts").await;
    assert!(!open.contains(&format!("/admin/monitor/alerts/{}/ack", all[0].id)));
    assert!(open.contains(&format!("/admin/monitor/alerts/{}/ack", all[1].id)));
    let (status, loc, _) = web.form("/admin/notifications/read", &[]).await;
    assert_eq!((status, loc.as_str()), (303, "/admin/notifications"));
    let (_, page) = web.get("/admin/notifications").await;
    assert!(!page.contains(r#"class="badge""#), "all read");
    // Only the publicity staff manage channels.
    let (status, _, _) = app.web("corr_a").await.form("/admin/monitor/channels", &[("name", "x"), ("kind", "wecom"), ("target", "https://x.example/"), ("enabled", "on")]).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn an_incident_goes_from_found_to_closed_with_a_reviewed_statement_and_escalates_when_overdue() {
    let app = spawn_app().await;
    let web = app.web("editor").await;
    let (status, loc, _) = web.form("/admin/monitor/items", &[("url", "https://bbs.example/9"), ("title", "示范医院收费处多收费"), ("text", "在示范医院收费处被重复收费，退费要跑三个窗口，很失望。"), ("reach", "2")]).await;
    assert_eq!(status, 303);
    let item: i64 = loc.trim_start_matches("/admin/monitor/items/").split('?').next().unwrap().parse().unwrap();
    let (_, page) = web.get(&loc).await;
    assert!(page.contains("立为舆情事件"));

    // 发现: opened from the item, no owner yet.
    let (status, loc, body) = web.form("/admin/incidents", &[("title", "收费处重复收费网帖"), ("level", "yellow"), ("owner", ""), ("deadline", ""), ("item", &item.to_string())]).await;
    assert_eq!(status, 303, "{body}");
    let id: i64 = loc.trim_start_matches("/admin/incidents/").split('?').next().unwrap().parse().unwrap();
    let path = format!("/admin/incidents/{id}");
    let (_, page) = web.get(&path).await;
    assert!(page.contains("示范医院收费处多收费"), "the item is gathered");
    let (_, item_page) = web.get(&format!("/admin/monitor/items/{item}")).await;
    assert!(item_page.contains("收费处重复收费网帖"), "the item names its incident");

    // Each move asks for what it needs, and a refused move changes nothing.
    let state = app.running.as_ref().unwrap().state.clone();
    let users = {
        let mut c = state.store.conn().await.unwrap();
        yuanxun_store::users::list(&mut c, state.site_id()).await.unwrap()
    };
    let uid = |name: &str| users.iter().find(|u| u.username == name).unwrap().id.to_string();
    let base = |owner: &str, deadline: &str, assessment: &str, summary: &str| -> Vec<(String, String)> {
        [("title", "收费处重复收费网帖"), ("level", "yellow"), ("owner", owner), ("deadline", deadline), ("assessment", assessment), ("summary", summary)].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    };
    let send = |fields: Vec<(String, String)>, action: &'static str| {
        let web = &web;
        let path = path.clone();
        async move {
            let mut f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            f.push(("action", action));
            web.form(&path, &f).await
        }
    };
    let (status, _, body) = send(base("", "", "", ""), "assess").await;
    assert_eq!(status, 422);
    assert!(body.contains("请先指定负责人"), "{body}");
    let (status, _, body) = send(base("", "", "", ""), "close").await;
    assert_eq!(status, 422);
    assert!(body.contains("不能“办结”"), "{body}");
    // A correspondent cannot see or touch incidents.
    let corr = app.web("corr_a").await;
    assert_eq!(corr.get(&path).await.0, 403);
    assert_eq!(corr.form(&path, &[("title", "x"), ("action", "assess")]).await.0, 403);

    // 研判: the chief editor takes it; the owner is told.
    let future = yuanxun_core::clock::format_local_input(yuanxun_core::clock::now() + 2 * 86_400);
    let (status, _, body) = send(base(&uid("chief"), "", "", ""), "assess").await;
    assert_eq!(status, 303, "{body}");
    let chief = app.web("chief").await;
    let (_, notes) = chief.get("/admin/notifications").await;
    assert!(notes.contains("您负责舆情事件：收费处重复收费网帖"), "{notes}");
    let (status, _, body) = send(base(&uid("chief"), "", "", ""), "handle").await;
    assert_eq!(status, 422);
    assert!(body.contains("研判意见"), "{body}");
    let judged = "属实：收费系统重复扣费。影响小，本地论坛一帖。建议财务科退费并回复网友。";
    let (status, _, body) = send(base(&uid("chief"), "", judged, ""), "handle").await;
    assert_eq!(status, 422);
    assert!(body.contains("期限"), "{body}");
    // 处置.
    let (status, _, body) = send(base(&uid("chief"), &future, judged, ""), "handle").await;
    assert_eq!(status, 303, "{body}");
    // A contact on record, and the statement drafted as a manuscript in 通知公告.
    assert_eq!(web.form(&format!("{path}/records"), &[("kind", "contact"), ("text", "电话联系发帖网友，说明已退费，对方表示满意。")]).await.0, 303);
    let (status, _, _) = web.form(&format!("{path}/records"), &[("kind", "contact"), ("text", "  ")]).await;
    assert_eq!(status, 422);
    let (status, loc, body) = web.form(&format!("{path}/statement"), &[("channel", &app.fx.notices.to_string())]).await;
    assert_eq!(status, 303, "{body}");
    let m: i64 = loc.trim_start_matches("/admin/manuscripts/").trim_end_matches("/edit").parse().unwrap();
    let (status, _, body) = web.form(&format!("{path}/statement"), &[("channel", &app.fx.notices.to_string())]).await;
    assert_eq!(status, 409, "one statement per incident: {body}");
    let (_, page) = web.get(&path).await;
    assert!(page.contains("关于收费处重复收费网帖的情况说明") && page.contains("草稿"), "{page}");
    // It goes through the same review as every story.
    let api = app.api("editor").await;
    let (s, v) = api.post(&format!("/manuscripts/{m}/submit"), serde_json::json!({})).await;
    assert_eq!(s, 200, "{v}");
    let (_, page) = web.get(&path).await;
    assert!(page.contains("待初审"), "the statement's place in review is shown");

    // 办结 needs a summary.
    let (status, _, body) = send(base(&uid("chief"), &future, judged, "已处理"), "close").await;
    assert_eq!(status, 422);
    assert!(body.contains("办结总结"), "{body}");
    let summary = "已为网友退还重复收取的费用，财务科排查收费系统并修复重复扣费问题，网友删帖并致谢。";
    let (status, _, body) = send(base(&uid("chief"), &future, judged, summary), "close").await;
    assert_eq!(status, 303, "{body}");
    let (_, page) = web.get(&path).await;
    for line in ["开始研判", "进入处置。研判意见：属实", "电话联系发帖网友", "起草回应稿", "办结。已为网友退还"] {
        assert!(page.contains(line), "the record has {line}");
    }
    let (_, open) = web.get("/admin/incidents").await;
    assert!(!open.contains("收费处重复收费网帖"), "closed incidents leave the open list");

    // Reopened with a deadline already past: escalated once, to the owner and the chief editor.
    let past = yuanxun_core::clock::format_local_input(yuanxun_core::clock::now() - 3600);
    let (status, _, body) = send(base(&uid("editor"), &past, judged, summary), "reopen").await;
    assert_eq!(status, 422, "a new deadline must be ahead: {body}");
    let (status, _, body) = send(base(&uid("editor"), &future, judged, summary), "reopen").await;
    assert_eq!(status, 303, "{body}");
    let (status, _, body) = send(base(&uid("editor"), &past, judged, summary), "").await;
    assert_eq!(status, 303, "{body}");
    let mut escalated = false;
    for _ in 0..50 {
        let (_, page) = web.get(&path).await;
        if page.contains("逾期升级") {
            escalated = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(escalated, "the job escalates an overdue incident");
    tokio::time::sleep(Duration::from_millis(900)).await;
    let (_, page) = web.get(&path).await;
    assert_eq!(page.matches("逾期升级").count(), 1, "once per deadline");
    assert!(page.contains("已逾期"));
    let (_, notes) = chief.get("/admin/notifications").await;
    assert!(notes.contains("舆情事件逾期：收费处重复收费网帖"), "{notes}");
    let (_, notes) = web.get("/admin/notifications").await;
    assert_eq!(notes.matches("舆情事件逾期").count(), 1, "the owner is told once");
    // Every step is in the audit log.
    let (_, audit) = app.web("auditor").await.get("/admin/audit").await;
    for action in ["incident_create", "incident_state", "incident_record", "incident_statement"] {
        assert!(audit.contains(action), "audit has {action}");
    }
}

#[tokio::test]
async fn briefings_count_a_known_day_and_week_on_the_page_and_in_word() {
    let app = spawn_app().await;
    let state = app.running.as_ref().unwrap().state.clone();
    let site = state.site_id();
    // Thursday 2026-11-19, 00:00 in China.
    let day = 1_795_046_400 - 8 * 3600;
    let mut tx = state.store.begin().await.unwrap();
    let mk = |name: &'static str, reach: i64| store::SourceFields { name, kind: "rss", url: "https://x.example/", mapping: "{}", reach, interval_secs: 3600, enabled: false };
    let s1 = store::create_source(tx.conn(), site, &mk("本地论坛", 2), 0).await.unwrap();
    let s2 = store::create_source(tx.conn(), site, &mk("都市报", 4), 0).await.unwrap();
    let mut ids = Vec::new();
    // (title, sentiment, category, level, copy of (index), source, seconds into the day)
    let rows: [(&str, i64, &str, Option<&str>, Option<usize>, i64, i64); 7] = [
        ("急诊科纠纷网帖", -800, "dispute", Some("orange"), None, s1, 9 * 3600),
        ("急诊科纠纷网帖（转）", -750, "dispute", Some("red"), Some(0), s2, 10 * 3600),
        ("收费处多收费", -500, "price", Some("yellow"), None, s1, 10 * 3600 + 60),
        ("门诊排队时间长", -300, "service", None, None, s1, 15 * 3600),
        ("义诊进社区", 0, "other", None, None, s2, 15 * 3600 + 30),
        ("感谢心内科", 900, "other", Some("blue"), None, s2, 20 * 3600),
        // The next day (Friday): in the week, not in the day.
        ("网传儿科停诊", -900, "rumour", Some("yellow"), None, s1, 86_400 + 3600),
    ];
    for (title, sentiment, category, level, copy, source, at) in rows {
        let item = store::NewItem {
            source_id: source,
            guid: title,
            url: "",
            title,
            body: "",
            author: "",
            published_at: None,
            copy_of: copy.map(|i| ids[i]),
            sentiment,
            category,
            rules: "",
            weight: i64::from(level.is_some()) * 3,
            level,
            level_reason: "",
            added_by: None,
        };
        ids.push(store::insert_item(tx.conn(), site, &item, day + at).await.unwrap());
    }
    tx.commit().await.unwrap();
    let web = app.web("editor").await;
    let (status, loc, _) = web.form("/admin/incidents", &[("title", "急诊科纠纷"), ("level", "red"), ("item", &ids[0].to_string())]).await;
    assert_eq!(status, 303);
    assert!(loc.starts_with("/admin/incidents/"));

    let (status, page) = web.get("/admin/monitor/briefing?kind=daily&date=2026-11-19").await;
    assert_eq!(status, 200);
    let lead = "本日共监测到涉及我院的网络信息 6 条（首发 5 条、转载 1 条），其中负面 4 条（占 66.7%）、中性 1 条、正面 1 条；命中监测规则 4 条（红色 1 条、橙色 1 条、黄色 1 条、蓝色 1 条）。";
    assert!(page.contains(lead), "{page}");
    assert!(page.contains("2026年11月19日（星期四）"));
    // The incident opened today was not open on that day.
    assert!(page.contains("新立舆情事件 0 起，办结 0 起，目前在办 0 起。"), "{page}");
    let (_, today) = web.get("/admin/monitor/briefing").await;
    assert!(today.contains("新立舆情事件 1 起，办结 0 起，目前在办 1 起。"), "{today}");
    assert!(today.contains("急诊科纠纷</a>"), "listed among open incidents");
    // The dispute and its repost are one story, first, red, on two sources.
    let top = page.find("重点信息").unwrap();
    let first_row = &page[top..];
    assert!(first_row.find("急诊科纠纷网帖").unwrap() < first_row.find("收费处多收费").unwrap());
    assert!(page.contains("<td>10时</td><td>2</td><td>2</td><td>-0.62</td>"), "hour 10: two negative, mean -0.625");
    assert!(page.contains("医疗纠纷") && page.contains("价格收费") && page.contains("服务投诉"));

    let (_, week) = web.get("/admin/monitor/briefing?kind=weekly&date=2026-11-19").await;
    assert!(week.contains("2026年11月16日至11月22日"), "Monday to Sunday");
    assert!(week.contains("本周共监测到涉及我院的网络信息 7 条（首发 6 条、转载 1 条），其中负面 5 条（占 71.4%）"), "{week}");
    assert!(week.contains("11月20日周五</td><td>1</td><td>1</td>"), "{week}");

    // The same figures in the Word document.
    let r = web.client.get(format!("{}/admin/monitor/briefing.docx?kind=daily&date=2026-11-19", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()[header::CONTENT_TYPE].to_str().unwrap().contains("wordprocessingml"));
    let bytes = r.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    for text in [lead, "舆情日报", "重点信息", "急诊科纠纷网帖", "在办舆情事件", "负面信息分类", "医疗纠纷"] {
        assert!(xml.contains(text), "the document has {text}");
    }
    // A date nobody can read is refused in words.
    let (status, page) = web.get("/admin/monitor/briefing?kind=daily&date=昨天").await;
    assert_eq!(status, 422);
    assert!(page.contains("2026-11-24"), "{page}");
    assert_eq!(app.web("corr_a").await.get("/admin/monitor/briefing").await.0, 403);
}

#[tokio::test]
async fn a_channel_without_a_mail_server_says_so() {
    let app = spawn_app().await;
    let web = app.web("editor").await;
    assert_eq!(web.form("/admin/monitor/channels", &[("name", "邮箱"), ("kind", "email"), ("target", "duty@hospital.example"), ("min_level", "blue"), ("enabled", "on")]).await.0, 303);
    let (_, page) = web.get("/admin/monitor/channels").await;
    assert!(page.contains("没有配置发信服务器"));
    let state = app.running.as_ref().unwrap().state.clone();
    let id = {
        let mut c = state.store.conn().await.unwrap();
        alerts_store::list_channels(&mut c, state.site_id()).await.unwrap()[0].id
    };
    let (status, _, body) = web.form(&format!("/admin/monitor/channels/{id}/test"), &[]).await;
    assert_eq!(status, 502);
    assert!(body.contains("YUANXUN_SMTP_URL"), "{body}");
}
