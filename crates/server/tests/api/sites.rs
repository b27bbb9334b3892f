//! Several hospitals on one deployment, told apart by host name: each has its own channels,
//! users, stories, photos, search, feeds, outlets and sessions, and nothing one does is seen
//! or changed through the other's name.

use reqwest::header::HOST;
use serde_json::{json, Value};
use yuanxun_core::Role;
use yuanxun_store::{sites, users, Store};

use crate::helpers::{spawn_app, PASSWORD};

const B_HOST: &str = "news.b-hospital.example";

/// A client that always asks for one host name (as a browser would, through DNS).
struct Host {
    client: reqwest::Client,
    base: String,
    host: &'static str,
    csrf: String,
}

impl Host {
    fn new(base: &str, host: &'static str) -> Host {
        let client = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Host { client, base: base.to_string(), host, csrf: String::new() }
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let r = self.client.get(format!("{}{path}", self.base)).header(HOST, self.host).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    async fn json(&self, path: &str) -> (u16, Value) {
        let (s, body) = self.get(&format!("/api/v1{path}")).await;
        (s, serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let r = self.client.request(method, format!("{}/api/v1{path}", self.base)).header(HOST, self.host).header("X-CSRF-Token", &self.csrf).json(&body).send().await.unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    async fn form(&self, path: &str, fields: &[(&str, &str)]) -> u16 {
        let r = self.client.post(format!("{}{path}", self.base)).header(HOST, self.host).header("X-CSRF-Token", &self.csrf).form(fields).send().await.unwrap();
        r.status().as_u16()
    }

    async fn login(&mut self, user: &str) -> u16 {
        let (s, v) = self.send(reqwest::Method::POST, "/session", json!({"username": user, "password": PASSWORD})).await;
        self.csrf = v["csrf_token"].as_str().unwrap_or_default().to_string();
        s
    }
}

#[tokio::test]
async fn two_hospitals_on_one_server_never_see_each_other() {
    let mut app = spawn_app().await;
    // Hospital A (the first site, answering every other name): a story with a photo.
    let (a_manuscript, a_path) = crate::site_article::story_in(&app, app.fx.news, "甲医院骨科开展义诊", "<p>甲医院骨科专家在东院区为居民义诊。</p>", &["义诊现场"]).await;
    let a_page = app.get(&a_path).await.text().await.unwrap();
    let a_photo = a_page.split("src=\"/media/").nth(1).and_then(|s| s.split('"').next()).expect("A's photo").to_string();
    let a_article: i64 = a_path.trim_start_matches("/news/").trim_end_matches(".html").parse().unwrap();

    // Hospital B, as `yuanxun site add` makes it, with a channel of the same address and
    // people whose login names are A's too; then serve restarts to answer its name.
    {
        let store = Store::open_dir(app.data()).await.unwrap();
        let hash = yuanxun_server::auth::hash_password(PASSWORD);
        let mut tx = store.begin().await.unwrap();
        let b = sites::create_site(tx.conn(), "b", "乙医院", B_HOST).await.unwrap();
        let dept = sites::create_department(tx.conn(), b.id, "宣传科").await.unwrap().id;
        sites::create_channel(tx.conn(), b.id, "news", "乙院新闻", 1, 0).await.unwrap();
        for (name, display, role, level) in [("editor", "乙编辑", Role::Editor, Some(1)), ("corr_b2", "乙通讯员", Role::Correspondent, None), ("chief", "乙总编", Role::ChiefEditor, None)] {
            users::create(tx.conn(), b.id, &users::NewUser { username: name, display_name: display, password_hash: &hash, role, department_id: Some(dept), review_level: level }).await.unwrap();
        }
        tx.commit().await.unwrap();
        store.close().await;
    }
    app.restart().await;
    let a = Host::new(&app.base, "127.0.0.1");
    let mut b = Host::new(&app.base, B_HOST);

    // B's public site shows B, and nothing of A: pages, search, feeds, sitemap, API, photos.
    let (s, home) = b.get("/").await;
    assert_eq!(s, 200);
    assert!(home.contains("乙医院") && home.contains("乙院新闻") && !home.contains("甲医院骨科开展义诊") && !home.contains("医院要闻"), "{home}");
    assert_eq!(b.get(&a_path).await.0, 404, "A's article is not at B's address");
    assert_eq!(b.get(&format!("/media/{a_photo}")).await.0, 404, "nor A's photo");
    assert!(!b.get("/search?q=义诊").await.1.contains("甲医院"));
    for path in ["/feed.xml", "/sitemap.xml", "/channel/news"] {
        let (_, body) = b.get(path).await;
        assert!(!body.contains("甲医院骨科开展义诊") && !body.contains(&a_path), "{path}: {body}");
    }
    assert_eq!(b.json("/articles").await.1, json!([]));
    assert_eq!(b.json(&format!("/articles/{a_article}")).await.0, 404);
    // A still has it all.
    assert!(a.get("/").await.1.contains("甲医院骨科开展义诊"));
    assert_eq!(a.get(&format!("/media/{a_photo}")).await.0, 200);

    // Each hospital has its own theme folder (B's beside A's: theme-b).
    std::fs::write(app.data().join("theme-b").join("site.css"), "body{background:#eef}/*b-theme*/").unwrap();
    let stylesheet = |home: &str| {
        let at = home.find("href=\"/static/site.").unwrap() + 6;
        home[at..at + home[at..].find('"').unwrap()].to_string()
    };
    let mut themed = false;
    for _ in 0..100 {
        let css = stylesheet(&b.get("/").await.1);
        if b.get(&css).await.1.contains("b-theme") {
            themed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(themed, "B's stylesheet comes from B's theme folder");
    let a_css = stylesheet(&a.get("/").await.1);
    assert!(!a.get(&a_css).await.1.contains("b-theme"), "A keeps its own");

    // Accounts are per hospital: A's correspondent does not exist at B; B's editor (same
    // login name as A's) sees none of A's manuscripts and cannot touch them.
    assert_ne!(b.login("corr_a").await, 200, "no such person at B");
    assert_eq!(b.login("editor").await, 200);
    assert_eq!(b.json("/session").await.1["user"]["display_name"], "乙编辑");
    assert_eq!(b.json("/manuscripts").await.1.as_array().map(Vec::len), Some(0));
    assert_eq!(b.json(&format!("/manuscripts/{a_manuscript}")).await.0, 404);
    let (s, _) = b.send(reqwest::Method::PUT, &format!("/manuscripts/{a_manuscript}"), json!({"title": "改了", "channel_id": 3, "body_html": "<p>改了。</p>", "revision": 1})).await;
    assert_eq!(s, 404);
    assert_eq!(b.send(reqwest::Method::POST, &format!("/manuscripts/{a_manuscript}/retract"), json!({"reason": "x"})).await.0, 404);
    assert_eq!(b.json("/outlets").await.1.as_array().map(Vec::len), Some(0), "A's website outlet is A's");
    assert!(b.json("/points").await.1["entries"].as_array().unwrap().is_empty());
    // A session from A's name is no session at B's (the cookie is sent, the site differs).
    let mut both = Host::new(&app.base, "127.0.0.1");
    assert_eq!(both.login("editor").await, 200);
    both.host = B_HOST;
    assert_eq!(both.json("/manuscripts").await.0, 401);

    // Check lexicons are per hospital: B's chief adds 东院区 → 东院; B's story is flagged, A's
    // (which says 东院区 too) is not.
    let mut b_chief = Host::new(&app.base, B_HOST);
    assert_eq!(b_chief.login("chief").await, 200);
    let entry = [("list", "entry"), ("category", "normative"), ("term", "东院区"), ("suggestion", "东院"), ("severity", "warn"), ("reason", "乙医院院区统一称“东院”")];
    assert_eq!(b_chief.form("/admin/lexicon/items", &entry).await, 303);

    // B publishes its own story: on B, not on A.
    let mut corr = Host::new(&app.base, B_HOST);
    assert_eq!(corr.login("corr_b2").await, 200);
    let channel = 3; // B's channel: A's fixture made channels 1 and 2.
    let (s, m) = corr.send(reqwest::Method::POST, "/manuscripts", json!({"title": "乙医院护理部举办技能比赛", "channel_id": channel, "body_html": "<p>乙医院护理部在东院区举办技能比赛。</p>"})).await;
    assert_eq!(s, 201, "{m}");
    let id = m["id"].as_i64().unwrap();
    let flagged = |v: &Value| v["items"].as_array().into_iter().flatten().any(|f| f["rule"] == "normative.lexicon" && f["surface"] == "东院区");
    let (_, check) = corr.json(&format!("/manuscripts/{id}/check")).await;
    assert!(flagged(&check), "B's entry applies at B: {check}");
    assert_eq!(corr.send(reqwest::Method::POST, &format!("/manuscripts/{id}/submit"), json!({})).await.0, 200);
    assert_eq!(b.send(reqwest::Method::POST, &format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve", "comment": "同意"})).await.0, 200);
    assert_eq!(b.send(reqwest::Method::POST, &format!("/manuscripts/{id}/publish"), json!({})).await.0, 200);
    assert!(b.get("/").await.1.contains("乙医院护理部举办技能比赛"));
    assert!(b.get("/search?q=技能比赛").await.1.contains("技能比赛"));
    let (_, a_home) = a.get("/").await;
    assert!(!a_home.contains("乙医院护理部举办技能比赛"), "B's story is not on A");
    assert!(!a.get("/search?q=技能比赛").await.1.contains("乙医院"));
    assert!(!a.get("/feed.xml").await.1.contains("乙医院护理部"));
    let (_, list) = a.json("/articles").await;
    assert!(list.as_array().unwrap().iter().all(|x| x["title"] != "乙医院护理部举办技能比赛"));
    // A's editor cannot reach B's manuscript either, by id.
    let mut a_editor = Host::new(&app.base, "127.0.0.1");
    assert_eq!(a_editor.login("editor").await, 200);
    assert_eq!(a_editor.json(&format!("/manuscripts/{id}")).await.0, 404);
    // A manuscript written at A now, saying 东院区, is checked with A's lexicons only.
    let mut a_corr = Host::new(&app.base, "127.0.0.1");
    assert_eq!(a_corr.login("corr_a").await, 200);
    let (s, m) = a_corr.send(reqwest::Method::POST, "/manuscripts", json!({"title": "甲医院东院区开诊", "channel_id": app.fx.news, "body_html": "<p>甲医院东院区今日开诊。</p>"})).await;
    assert_eq!(s, 201, "{m}");
    let (s, check) = a_corr.json(&format!("/manuscripts/{}/check", m["id"])).await;
    assert_eq!(s, 200);
    assert!(!flagged(&check) && check["lexicon_version"].as_str().unwrap().ends_with("+site.0"), "B's entry is not A's: {check}");
}
