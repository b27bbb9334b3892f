//! One `spawn_app()` for every HTTP test: the real application on a random loopback port,
//! with a fresh SQLite data folder and a small hospital of users, one per role.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};
use tempfile::TempDir;
use yuanxun_core::Role;
use yuanxun_server::{AppState, Config, Running};
use yuanxun_store::{sites, users, Store};

pub const PASSWORD: &str = "Test1234pass";

/// Ids of the fixture's rows.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub ortho: i64,
    pub paeds: i64,
    pub news: i64,
    pub notices: i64,
}

pub struct TestApp {
    pub base: String,
    pub dir: TempDir,
    pub running: Option<Running>,
    pub fx: Fixture,
}

/// The test configuration: a theme folder in the data folder, looked at often.
fn config(data: &Path) -> Config {
    Config {
        scheduler_every: Duration::from_millis(500),
        views_flush_every: Duration::from_secs(3600),
        theme_dir: Some(data.join("theme")),
        theme_check_every: Duration::from_millis(100),
        export_dir: Some(data.join("export")),
        verify_every: Duration::from_millis(300),
        monitor_every: Duration::from_millis(300),
        monitor_limits: yuanxun_server::services::monitor_fetch::Limits { timeout: Duration::from_secs(2), max_body: 1024 * 1024, max_redirects: 5 },
        // The tests' stand-ins for the internet listen on loopback: allowed explicitly, as an
        // administrator would allow an intranet source (the guard itself is not weakened).
        outbound: yuanxun_net::Outbound::new(vec!["127.0.0.0/8".parse().unwrap()]),
        // Every test's clients share one loopback address and sign in many people in
        // seconds; the rate limits are tested on their own (`hostile::rate_limits_…`) with
        // the defaults `serve` runs with.
        rate_limits: yuanxun_server::ratelimit::RateLimits::OFF,
        ..Config::default()
    }
}

static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// A fresh application with the fixture hospital.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A fresh application whose configuration `tweak` changes (an SMTP server, say).
pub async fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_on(None, tweak).await
}

/// A fresh application on the database at `url` (a PostgreSQL one, say; `None`: SQLite in
/// the data folder), media in the data folder.
pub async fn spawn_app_on(url: Option<&str>, tweak: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let store = match url {
        Some(url) => Store::open(url, dir.path().join("media")).await.unwrap(),
        None => Store::open_dir(dir.path()).await.unwrap(),
    };
    let mut cfg = config(dir.path());
    tweak(&mut cfg);
    let state = AppState::new(store.clone(), cfg).await.unwrap();
    let site = state.site_id();
    let hash = HASH.get_or_init(|| yuanxun_server::auth::hash_password(PASSWORD)).clone();
    let mut tx = store.begin().await.unwrap();
    let ortho = sites::create_department(tx.conn(), site, "骨科").await.unwrap().id;
    let paeds = sites::create_department(tx.conn(), site, "儿科").await.unwrap().id;
    let publicity = sites::create_department(tx.conn(), site, "党委宣传部").await.unwrap().id;
    let news = sites::create_channel(tx.conn(), site, "news", "医院要闻", 3, 0).await.unwrap().id;
    let notices = sites::create_channel(tx.conn(), site, "notices", "通知公告", 2, 1).await.unwrap().id;
    let people: &[(&str, &str, Role, i64, Option<u8>)] = &[
        ("admin", "管理员", Role::Admin, publicity, None),
        ("editor", "王编辑", Role::Editor, publicity, Some(1)),
        ("reviewer", "李审核", Role::Reviewer, publicity, Some(2)),
        ("chief", "赵总编", Role::ChiefEditor, publicity, Some(3)),
        ("corr_a", "陈骨科", Role::Correspondent, ortho, None),
        ("corr_b", "林儿科", Role::Correspondent, paeds, None),
        ("auditor", "周审计", Role::Auditor, publicity, None),
        ("security", "孙安全", Role::SecurityAdmin, publicity, None),
    ];
    for (u, name, role, dept, level) in people {
        let new = users::NewUser { username: u, display_name: name, password_hash: &hash, role: *role, department_id: Some(*dept), review_level: *level };
        users::create(tx.conn(), site, &new).await.unwrap();
    }
    tx.commit().await.unwrap();
    let running = yuanxun_server::start(state, "127.0.0.1:0".parse().unwrap(), false).await.unwrap();
    TestApp { base: format!("http://{}", running.addr), dir, running: Some(running), fx: Fixture { ortho, paeds, news, notices } }
}

impl TestApp {
    /// Stops the server (gracefully, flushing views) and starts a new one on the same data.
    pub async fn restart(&mut self) {
        self.stop().await;
        let store = Store::open_dir(self.dir.path()).await.unwrap();
        let state = AppState::new(store, config(self.dir.path())).await.unwrap();
        let running = yuanxun_server::start(state, "127.0.0.1:0".parse().unwrap(), false).await.unwrap();
        self.base = format!("http://{}", running.addr);
        self.running = Some(running);
    }

    pub async fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            let store = r.state.store.clone();
            r.shutdown().await;
            store.close().await;
        }
    }

    pub fn data(&self) -> &Path {
        self.dir.path()
    }

    /// A browser-like client: cookies, no automatic redirects (tests look at them).
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
    }

    /// Signs in through the API.
    pub async fn api(&self, username: &str) -> Api {
        let client = self.client();
        let r = client.post(format!("{}/api/v1/session", self.base)).json(&json!({"username": username, "password": PASSWORD})).send().await.unwrap();
        assert_eq!(r.status(), 200, "login {username}");
        let v: Value = r.json().await.unwrap();
        Api { client, base: self.base.clone(), csrf: v["csrf_token"].as_str().unwrap().to_string() }
    }

    /// Signs in through the login form, the way a browser does; returns the client and the
    /// session's CSRF token (read from a page).
    pub async fn web(&self, username: &str) -> Web {
        let client = self.client();
        let page = client.get(format!("{}/admin/login", self.base)).send().await.unwrap().text().await.unwrap();
        let csrf = hidden_csrf(&page);
        let r = client.post(format!("{}/admin/login", self.base)).form(&[("csrf", csrf.as_str()), ("username", username), ("password", PASSWORD), ("next", "")]).send().await.unwrap();
        assert_eq!(r.status(), 303, "form login {username}");
        let page = client.get(format!("{}/admin/password", self.base)).send().await.unwrap().text().await.unwrap();
        Web { client, base: self.base.clone(), csrf: hidden_csrf(&page) }
    }

    pub async fn count(&self, table: yuanxun_store::manuscripts::Table) -> i64 {
        let store = &self.running.as_ref().unwrap().state.store;
        let mut c = store.conn().await.unwrap();
        yuanxun_store::manuscripts::count(&mut c, 1, table).await.unwrap()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client().get(format!("{}{path}", self.base)).send().await.unwrap()
    }
}

pub fn hidden_csrf(page: &str) -> String {
    let i = page.find("name=\"csrf\" value=\"").expect("page has a csrf field") + 19;
    page[i..i + 64].to_string()
}

pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
    pub csrf: String,
}

impl Api {
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self.client.get(format!("{}/api/v1{path}", self.base)).send().await.unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let r = self.client.request(method, format!("{}/api/v1{path}", self.base)).header("X-CSRF-Token", &self.csrf).json(&body).send().await.unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, body).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::PUT, path, body).await
    }
}

pub struct Web {
    pub client: reqwest::Client,
    pub base: String,
    pub csrf: String,
}

impl Web {
    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self.client.get(format!("{}{path}", self.base)).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    pub async fn form(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String, String) {
        let mut all: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        let r = self.client.post(format!("{}{path}", self.base)).form(&all).send().await.unwrap();
        let loc = r.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        (r.status().as_u16(), loc, r.text().await.unwrap())
    }

    pub async fn upload(&self, path: &str, file_name: &str, bytes: Vec<u8>, fields: &[(&str, String)]) -> (u16, String, String) {
        // The token as the forms send it: the first field, never in the URL.
        let mut form = reqwest::multipart::Form::new().text("csrf", self.csrf.clone());
        for (k, v) in fields {
            form = form.text(k.to_string(), v.clone());
        }
        form = form.part("file", reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string()));
        let r = self.client.post(format!("{}{path}", self.base)).multipart(form).send().await.unwrap();
        let loc = r.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        (r.status().as_u16(), loc, r.text().await.unwrap())
    }
}

/// A submitted manuscript approved at the three levels and published by the editor.
pub async fn review_and_publish(app: &TestApp, id: i64) {
    for who in ["editor", "reviewer", "chief"] {
        let (s, v) = app.api(who).await.post(&format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve", "comment": "同意"})).await;
        assert_eq!(s, 200, "{who}: {v}");
    }
    assert_eq!(app.api("editor").await.post(&format!("/manuscripts/{id}/publish"), json!({})).await.0, 200);
}

/// A story through the API up to Approved: created by `author`, approved at three levels.
pub async fn approved_story(app: &TestApp, author: &str, title: &str) -> i64 {
    let a = app.api(author).await;
    let (s, m) = a.post("/manuscripts", json!({"title": title, "channel_id": app.fx.news, "authors": "陈骨科", "body_html": "<p>骨科在门诊大厅开展义诊活动。</p>"})).await;
    assert_eq!(s, 201, "{m}");
    let id = m["id"].as_i64().unwrap();
    assert_eq!(a.post(&format!("/manuscripts/{id}/submit"), json!({})).await.0, 200);
    for who in ["editor", "reviewer", "chief"] {
        let r = app.api(who).await;
        let (s, v) = r.post(&format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve", "comment": "同意"})).await;
        assert_eq!(s, 200, "{who}: {v}");
    }
    id
}

/// A .docx the way Word users' files look: LibreOffice converts an HTML page with a heading,
/// paragraphs, a list, a table and an embedded photo (with EXIF) to Word 2007 XML.
pub fn libreoffice_docx(work: &Path, title: &str) -> PathBuf {
    use base64::Engine;
    let jpeg = photo_with_exif();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&jpeg);
    let html = format!(
        "<html><head><meta charset=\"utf-8\"></head><body><h1>{title}</h1>\
         <p>本报讯 11月20日，骨科在门诊大厅开展<b>关爱骨骼健康</b>义诊活动。</p>\
         <ul><li>骨密度检测</li><li>用药咨询</li></ul>\
         <table border=\"1\"><tr><td>项目</td><td>人数</td></tr><tr><td>咨询</td><td>120</td></tr></table>\
         <p><img src=\"data:image/jpeg;base64,{b64}\" width=\"320\" height=\"240\"></p>\
         <p>活动受到居民欢迎。</p></body></html>"
    );
    let src = work.join("story.html");
    std::fs::write(&src, html).unwrap();
    let profile = work.join("lo-profile");
    let out = std::process::Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--convert-to", "docx:MS Word 2007 XML", "--outdir"])
        .arg(work)
        .arg(&src)
        .output()
        .expect("LibreOffice (soffice) must be installed for this test: apt-get install libreoffice-writer-nogui");
    assert!(out.status.success(), "soffice failed: {}", String::from_utf8_lossy(&out.stderr));
    let docx = work.join("story.docx");
    assert!(docx.exists(), "soffice wrote no docx: {}", String::from_utf8_lossy(&out.stdout));
    docx
}

/// A JPEG photo carrying an EXIF block with a GPS marker.
pub fn photo_with_exif() -> Vec<u8> {
    let img = image::RgbImage::from_fn(320, 240, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 150]));
    let mut jpg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut jpg).encode_image(&img).unwrap();
    let payload = b"Exif\0\0MM\0*\0\0\0\x08GPS-LAT-36.66-LON-117.0";
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&jpg[2..]);
    out
}
