//! `serve` killed with SIGKILL at random moments while a client drives the spine's writes —
//! create, edit, photo upload, submit, the three review levels, publish — then restarted.
//! After every restart: the SQLite file passes `PRAGMA integrity_check`, `yuanxun audit
//! verify` passes, every operation the client saw acknowledged (2xx) is there exactly once,
//! and nothing is half-applied (a manuscript without its revision, a revision count behind
//! the manuscript's, a published article missing from search or its page, a media row
//! without its file).
//!
//! A short run here (`YUANXUN_CRASH_OPS`, default 60); `bench/crash.sh` runs 200 and more.
//! The seed is printed; `YUANXUN_CRASH_SEED` repeats a run.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use sqlx::Connection;

const BIN: &str = env!("CARGO_BIN_EXE_yuanxun");
const PASSWORD: &str = "Crash2026pass";

struct Server(std::process::Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(data: &std::path::Path) -> Server {
    let log = data.with_extension("log");
    let stderr = std::fs::OpenOptions::new().create(true).append(true).open(&log).unwrap();
    let mut child = Command::new(BIN)
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--rate-limits", "off", "--data"])
        .arg(data)
        .env("YUANXUN_DEMO_PASSWORD", PASSWORD)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut said = String::new();
    loop {
        let Some(Ok(line)) = lines.next() else {
            panic!("serve did not start: {said}\n{}", std::fs::read_to_string(&log).unwrap_or_default());
        };
        said.push_str(&line);
        said.push('\n');
        if let Some(rest) = line.split("网站 ").nth(1) {
            let base = rest.split_whitespace().next().unwrap().trim_end_matches('/').to_string();
            // Keep reading its output so it never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines.by_ref() {});
            return Server(child, base);
        }
    }
}

/// A task aborted when dropped.
struct Abort(tokio::task::JoinHandle<()>);

impl Drop for Abort {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// SplitMix64: reproducible from the printed seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Session {
    client: reqwest::Client,
    csrf: String,
    form_csrf: String,
}

async fn login(base: &str, user: &str) -> Option<Session> {
    let client = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).timeout(Duration::from_secs(20)).build().unwrap();
    let r = client.post(format!("{base}/api/v1/session")).json(&json!({"username": user, "password": PASSWORD})).send().await.ok()?;
    let v: Value = r.json().await.ok()?;
    let csrf = v["csrf_token"].as_str()?.to_string();
    let page = client.get(format!("{base}/admin/password")).send().await.ok()?.text().await.ok()?;
    let at = page.find("name=\"csrf\" value=\"")? + 19;
    let form_csrf = page.get(at..at + 64)?.to_string();
    Some(Session { client, csrf, form_csrf })
}

impl Session {
    /// Posts JSON; `Some(answer)` only when the server acknowledged it (2xx).
    async fn post(&self, base: &str, path: &str, body: Value) -> Option<Value> {
        let r = self.client.post(format!("{base}/api/v1{path}")).header("X-CSRF-Token", &self.csrf).json(&body).send().await.ok()?;
        if !r.status().is_success() {
            return None;
        }
        r.json().await.ok()
    }

    async fn put(&self, base: &str, path: &str, body: Value) -> Option<Value> {
        let r = self.client.put(format!("{base}/api/v1{path}")).header("X-CSRF-Token", &self.csrf).json(&body).send().await.ok()?;
        if !r.status().is_success() {
            return None;
        }
        r.json().await.ok()
    }
}

const DEPTS: [&str; 8] = ["心内科", "骨科", "儿科", "眼科", "口腔科", "皮肤科", "急诊科", "药学部"];
const ACTS: [&str; 8] = ["义诊", "讲座", "培训", "演练", "查房", "随访", "科普", "巡诊"];

/// What the client was told about one story.
#[derive(Debug, Default, Clone)]
struct Story {
    title: String,
    id: Option<i64>,
    /// Acknowledged saves after the first version.
    edits: i64,
    photos: i64,
    /// The next step of the spine: 0 edit/photo, 1 submit, 2–4 the three levels, 5 publish, 6 done.
    step: u8,
    published: bool,
}

fn photo(n: u64) -> Vec<u8> {
    let img = image::RgbImage::from_fn(200, 150, |x, y| image::Rgb([(x as u64 + n) as u8, y as u8, (x ^ y) as u8]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut out).encode_image(&img).unwrap();
    out
}

/// One operation on a story; whether the server acknowledged it.
async fn operate(base: &str, who: &[Session; 4], s: &mut Story, rng: &mut Rng, n: usize) -> bool {
    let [author, editor, reviewer, chief] = who;
    let Some(id) = s.id else {
        let body = json!({"title": s.title, "channel_id": 1, "authors": "陈通讯员", "body_html": format!("<p>{}开展活动，第{n}次操作。</p>", s.title)});
        return match author.post(base, "/manuscripts", body).await {
            Some(m) => {
                s.id = m["id"].as_i64();
                true
            }
            None => false,
        };
    };
    match s.step {
        0 if rng.below(2) == 0 => {
            // A photo through the newsroom's form.
            let form = reqwest::multipart::Form::new().text("csrf", author.form_csrf.clone()).text("caption", "活动现场").part("file", reqwest::multipart::Part::bytes(photo(rng.next())).file_name("现场.jpg"));
            let ok = author.client.post(format!("{base}/admin/manuscripts/{id}/media")).multipart(form).send().await.is_ok_and(|r| r.status().as_u16() == 303);
            s.photos += ok as i64;
            s.step = 1;
            ok
        }
        0 => {
            let body = json!({"title": s.title, "channel_id": 1, "authors": "陈通讯员", "body_html": format!("<p>{}开展活动，修改于第{n}次操作。</p>", s.title)});
            let ok = author.put(base, &format!("/manuscripts/{id}"), body).await.is_some();
            s.edits += ok as i64;
            s.step = 1;
            ok
        }
        1 => {
            let ok = author.post(base, &format!("/manuscripts/{id}/submit"), json!({})).await.is_some();
            s.step += ok as u8;
            ok
        }
        2..=4 => {
            let r = [editor, reviewer, chief][(s.step - 2) as usize];
            let ok = r.post(base, &format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve", "comment": "同意"})).await.is_some();
            s.step += ok as u8;
            ok
        }
        5 => {
            let ok = editor.post(base, &format!("/manuscripts/{id}/publish"), json!({})).await.is_some();
            s.published |= ok;
            s.step += ok as u8;
            ok
        }
        _ => false,
    }
}

/// Re-reads where each story really stands after a restart (a write may have committed
/// though its answer was lost to the kill).
async fn resync(db: &mut sqlx::AnyConnection, s: &mut Story) {
    let Some(id) = s.id else { return };
    let (status, level): (String, i64) = sqlx::query_as("SELECT status, review_level FROM manuscripts WHERE id = $1").bind(id).fetch_one(&mut *db).await.unwrap();
    s.step = match status.as_str() {
        "draft" => s.step.min(1),
        "submitted" => 2,
        "in_review" => 2 + (level as u8 - 1).min(2),
        "approved" => 5,
        "published" => 6,
        other => panic!("manuscript {id} is {other}"),
    };
    s.published |= status == "published";
}

async fn check_after_restart(base: &str, data: &std::path::Path, stories: &[Story]) {
    let url = format!("sqlite://{}", data.join("yuanxun.db").display());
    let mut db = sqlx::AnyConnection::connect(&url).await.unwrap();
    let (ok,): (String,) = sqlx::query_as("PRAGMA integrity_check").fetch_one(&mut db).await.unwrap();
    assert_eq!(ok, "ok", "the database file is sound");
    let out = Command::new(BIN).args(["audit", "verify", "--data"]).arg(data).output().unwrap();
    assert!(out.status.success(), "the audit chain holds: {}", String::from_utf8_lossy(&out.stdout));
    let (orphans,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM manuscripts m WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE r.manuscript_id = m.id AND r.number = m.revision)").fetch_one(&mut db).await.unwrap();
    assert_eq!(orphans, 0, "every manuscript has the revision it points at");
    let keys: Vec<(String,)> = sqlx::query_as("SELECT storage_key FROM media").fetch_all(&mut db).await.unwrap();
    for (key,) in keys {
        assert!(data.join("media").join(&key).exists(), "media row {key} has its file");
    }
    for s in stories {
        let rows: Vec<(i64, i64)> = sqlx::query_as("SELECT id, revision FROM manuscripts WHERE title = $1").bind(&s.title).fetch_all(&mut db).await.unwrap();
        let Some(id) = s.id else {
            assert!(rows.len() <= 1, "an unacknowledged create happened at most once: {}", s.title);
            continue;
        };
        assert_eq!(rows.len(), 1, "an acknowledged create is there exactly once: {}", s.title);
        assert_eq!(rows[0].0, id);
        assert!(rows[0].1 > s.edits, "acknowledged edits are kept: {} has revision {} after {} edits", s.title, rows[0].1, s.edits);
        let (photos,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM media WHERE manuscript_id = $1").bind(id).fetch_one(&mut db).await.unwrap();
        assert!(photos >= s.photos, "acknowledged photos are kept: {}", s.title);
        if s.published {
            let (aid,): (i64,) = sqlx::query_as("SELECT id FROM articles WHERE manuscript_id = $1").bind(id).fetch_one(&mut db).await.unwrap();
            let page = reqwest::get(format!("{base}/news/{aid}.html")).await.unwrap();
            assert_eq!(page.status(), 200, "published {} has its page", s.title);
            let words = s.title.split('（').next().unwrap();
            let found = reqwest::get(format!("{base}/search?q={words}")).await.unwrap().text().await.unwrap();
            assert!(found.contains(&format!("/news/{aid}.html")), "published {} is in search", s.title);
        }
    }
    db.close().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_nothing_it_acknowledged_and_leaves_nothing_half_done() {
    let ops: usize = std::env::var("YUANXUN_CRASH_OPS").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
    let seed: u64 = std::env::var("YUANXUN_CRASH_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64);
    eprintln!("crash harness: {ops} operations, seed {seed}");
    sqlx::any::install_default_drivers();
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut server = start(&data);
    let mut stories: Vec<Story> = Vec::new();
    let (mut kills, mut acked, mut done) = (0, 0, 0);
    while done < ops {
        let base = server.1.clone();
        let (Some(a), Some(e), Some(r), Some(c)) = (login(&base, "correspondent").await, login(&base, "editor").await, login(&base, "reviewer").await, login(&base, "chief").await) else { panic!("the restarted server signs people in") };
        let who = [a, e, r, c];
        // A kill somewhere in the next few operations, at a random moment inside one.
        let burst = 3 + rng.below(6) as usize;
        let pid = server.0.id();
        let delay = Duration::from_millis(20 + rng.below(400));
        // Aborted if this test fails first: the pid must never be signalled once the child
        // is reaped (another process may have it by then).
        let mut killer = Abort(tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
        }));
        for _ in 0..burst {
            // Work on an unfinished story, or start a new one.
            let open: Vec<usize> = (0..stories.len()).filter(|i| stories[*i].step < 6).collect();
            let i = if open.is_empty() || rng.below(4) == 0 {
                let n = stories.len();
                stories.push(Story { title: format!("{}{}（{n}）", DEPTS[n % 8], ACTS[(n / 8) % 8]), ..Default::default() });
                n
            } else {
                open[rng.below(open.len() as u64) as usize]
            };
            done += 1;
            if operate(&base, &who, &mut stories[i], &mut rng, done).await {
                acked += 1;
            }
        }
        (&mut killer.0).await.unwrap();
        let _ = server.0.wait();
        kills += 1;
        drop(server);
        server = start(&data);
        let url = format!("sqlite://{}", data.join("yuanxun.db").display());
        let mut db = sqlx::AnyConnection::connect(&url).await.unwrap();
        for s in &mut stories {
            resync(&mut db, s).await;
        }
        db.close().await.ok();
        check_after_restart(&server.1, &data, &stories).await;
    }
    let published = stories.iter().filter(|s| s.published).count();
    eprintln!("crash harness: {done} operations, {acked} acknowledged, {kills} kills, {} stories ({published} published), 0 losses", stories.len());
    assert!(kills >= 3 && acked > 0);
}
