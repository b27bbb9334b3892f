//! `serve` killed with SIGKILL at random moments while a client drives every kind of write —
//! create, edit, photo upload, Word import with photos, submit, the three review levels,
//! publish now and scheduled, correction (proposed and approved), retraction, distribution,
//! points entry, monitoring fetch, rectification report, vote, the static export's updates,
//! backup (and its restore), page views — then restarted. After every restart: the SQLite
//! file passes `PRAGMA integrity_check`, `yuanxun audit verify` passes, the export verifies
//! or `verify --restore` repairs it, every operation the client saw acknowledged (2xx) is
//! there exactly once, and nothing is half-applied (a manuscript without its revision, a
//! published article missing from search, its page or the export, a media row without its
//! file or a file without its row, points without their distribution, a ballot without its
//! receipt); view counts lost are at most the last flush interval's.
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

fn start(db: &Db, data: &std::path::Path, export: &std::path::Path) -> Server {
    let log = data.with_extension("log");
    let stderr = std::fs::OpenOptions::new().create(true).append(true).open(&log).unwrap();
    let mut child = db
        .command()
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--rate-limits", "off", "--allow-fetch", "127.0.0.1/32", "--data"])
        .arg(data)
        .arg("--export")
        .arg(export)
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

/// Where the server under test keeps its data: the SQLite file in its data folder, or a
/// database of its own on the PostgreSQL server scripts/test starts.
enum Db {
    Sqlite(std::path::PathBuf),
    Postgres { admin: String, name: String },
}

impl Db {
    fn url(&self) -> String {
        match self {
            Db::Sqlite(file) => format!("sqlite://{}", file.display()),
            Db::Postgres { admin, name } => format!("{}/{name}", &admin[..admin.rfind('/').unwrap()]),
        }
    }

    /// Whether several servers may share it (and its media).
    fn shared(&self) -> bool {
        matches!(self, Db::Postgres { .. })
    }

    async fn connect(&self) -> sqlx::AnyConnection {
        sqlx::AnyConnection::connect(&self.url()).await.unwrap()
    }

    /// `yuanxun …` on this database.
    fn command(&self) -> Command {
        let mut c = Command::new(BIN);
        match self {
            Db::Sqlite(_) => c.env_remove("DATABASE_URL"),
            Db::Postgres { .. } => c.env("DATABASE_URL", self.url()),
        };
        c
    }

    /// Where a backup is restored to: a new data folder (and, on PostgreSQL, a new database).
    async fn for_restore(&self, folder: &std::path::Path, n: usize) -> Db {
        match self {
            Db::Sqlite(_) => Db::Sqlite(folder.join("yuanxun.db")),
            Db::Postgres { admin, name } => {
                let copy = format!("{name}_r{n}");
                on_server(admin, &format!("CREATE DATABASE {copy}")).await;
                Db::Postgres { admin: admin.clone(), name: copy }
            }
        }
    }

    async fn drop_database(&self) {
        if let Db::Postgres { admin, name } = self {
            on_server(admin, &format!("DROP DATABASE {name} WITH (FORCE)")).await;
        }
    }

    /// The database's own consistency checks: SQLite's integrity and foreign-key checks, or
    /// on PostgreSQL amcheck over every B-tree index (each entry matched against the table:
    /// heapallindexed) and every table's heap, and no constraint left unvalidated.
    async fn check_consistency(&self, c: &mut sqlx::AnyConnection) {
        match self {
            Db::Sqlite(_) => {
                let (ok,): (String,) = sqlx::query_as("PRAGMA integrity_check").fetch_one(&mut *c).await.unwrap();
                assert_eq!(ok, "ok", "the database file is sound");
                let (fk,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM pragma_foreign_key_check").fetch_one(&mut *c).await.unwrap();
                assert_eq!(fk, 0, "no row points at a row that is not there");
            }
            Db::Postgres { .. } => {
                // (The harness connects as the server's administrator, who may create it.)
                sqlx::Executor::execute(&mut *c, "CREATE EXTENSION IF NOT EXISTS amcheck").await.unwrap();
                let (indexes,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM (SELECT bt_index_check(c.oid, true) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam WHERE am.amname = 'btree' AND c.relnamespace = 'public'::regnamespace) x").fetch_one(&mut *c).await.unwrap();
                assert!(indexes > 50, "amcheck looked at every index ({indexes})");
                let corrupt: Vec<(String, String)> = sqlx::query_as("SELECT c.relname::text, v.msg FROM pg_class c, LATERAL verify_heapam(c.oid) v WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace").fetch_all(&mut *c).await.unwrap();
                assert!(corrupt.is_empty(), "every table's heap is sound: {corrupt:?}");
                let (unvalidated,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM pg_constraint WHERE NOT convalidated AND connamespace = 'public'::regnamespace").fetch_one(&mut *c).await.unwrap();
                assert_eq!(unvalidated, 0, "every constraint holds for every row");
            }
        }
    }
}

/// Runs one statement on the PostgreSQL server as its administrator.
async fn on_server(admin: &str, sql: &str) {
    let mut c = sqlx::AnyConnection::connect(admin).await.unwrap();
    sqlx::Executor::execute(&mut c, sql).await.unwrap();
    c.close().await.ok();
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

    /// Posts a newsroom form; `Some(Location)` when the server acknowledged it (303).
    async fn form(&self, base: &str, path: &str, fields: &[(&str, String)]) -> Option<String> {
        let mut all: Vec<(&str, String)> = vec![("csrf", self.form_csrf.clone())];
        all.extend(fields.iter().cloned());
        let r = self.client.post(format!("{base}{path}")).form(&all).send().await.ok()?;
        if r.status().as_u16() != 303 {
            return None;
        }
        r.headers().get("location").and_then(|l| l.to_str().ok()).map(str::to_string)
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
/// The monitored feed's entries (served by a local stand-in for a news site).
const FEED_GUIDS: [&str; 4] = ["crash-feed-1", "crash-feed-2", "crash-feed-3", "crash-feed-4"];

/// What the client was told about one story.
#[derive(Debug, Default, Clone)]
struct Story {
    title: String,
    id: Option<i64>,
    /// Acknowledged saves after the first version.
    edits: i64,
    photos: i64,
    /// The next step of the spine: 0 edit/photo, 1 submit, 2–4 the three levels, 5 publish,
    /// 6 published (corrections, distribution, views, retraction), 7 retracted.
    step: u8,
    published: bool,
    /// Publication was acknowledged for a time a few seconds ahead.
    scheduled: bool,
    article: Option<i64>,
    /// The title readers see: the last one acknowledged (published or corrected).
    live_title: String,
    /// A correction waiting for the chief editor, and the title it proposes.
    pending: Option<(i64, String)>,
    corrections: i64,
    retracted: bool,
    distributed: bool,
    /// Page views acknowledged (200): when, and by which run of the server (0 the first).
    views: Vec<(std::time::Instant, usize)>,
}

/// Everything else the client was told was done.
#[derive(Debug, Default)]
struct Ledger {
    /// Manual points entries by their unique title: acknowledged or not.
    points: Vec<(String, bool)>,
    /// Rectification reports by their unique text.
    reports: Vec<(i64, String, bool)>,
    /// The vote being cast and who was told their ballot counted.
    vote: Option<i64>,
    cast: Vec<(i64, usize)>,
    votes_made: usize,
    fetch_acked: bool,
    backups: usize,
    exports_repaired: usize,
}

fn photo(n: u64) -> Vec<u8> {
    let img = image::RgbImage::from_fn(200, 150, |x, y| image::Rgb([(x as u64 + n) as u8, y as u8, (x ^ y) as u8]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut out).encode_image(&img).unwrap();
    out
}

/// A Word file as a correspondent sends it: a title, two paragraphs and two photos.
fn word_file(title: &str, n: u64) -> Vec<u8> {
    use yuanxun_docx::{write_docx, ArticleDoc, Block, Picture};
    let pic = |k: u64| Picture { bytes: photo(n.wrapping_mul(2).wrapping_add(k)), ext: "jpg", width: 200, height: 150, caption: format!("活动现场{k}") };
    let blocks = vec![Block::Paragraph(format!("{title}：本院专家为群众提供咨询。")), Block::Picture(pic(0)), Block::Paragraph("活动得到群众好评。".into()), Block::Picture(pic(1))];
    write_docx(&ArticleDoc { title: title.to_string(), blocks, ..Default::default() }).unwrap()
}

fn rfc3339(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts).unwrap().format(&time::format_description::well_known::Rfc3339).unwrap()
}

/// The people who work the newsroom in the harness.
struct People {
    author: Session,
    editor: Session,
    reviewer: Session,
    chief: Session,
}

impl People {
    fn by_index(&self, i: usize) -> &Session {
        [&self.author, &self.editor, &self.reviewer, &self.chief][i]
    }
}

/// One operation on a story; whether the server acknowledged it.
async fn operate(base: &str, p: &People, s: &mut Story, rng: &mut Rng, n: usize, run: usize) -> bool {
    let Some(id) = s.id else {
        if rng.below(4) == 0 {
            // A Word file with two photos, imported through the newsroom's form.
            let form = reqwest::multipart::Form::new().text("csrf", p.author.form_csrf.clone()).text("channel_id", "1").part("file", reqwest::multipart::Part::bytes(word_file(&s.title, rng.next())).file_name("稿件.docx"));
            let r = p.author.client.post(format!("{base}/admin/manuscripts/import")).multipart(form).send().await;
            let location = r.ok().filter(|r| r.status().as_u16() == 303).and_then(|r| r.headers().get("location").and_then(|l| l.to_str().ok()).map(str::to_string));
            return match location.and_then(|l| l.trim_start_matches("/admin/manuscripts/").split('?').next().and_then(|i| i.parse().ok())) {
                Some(m) => {
                    (s.id, s.photos, s.step) = (Some(m), 2, 1);
                    true
                }
                None => false,
            };
        }
        let body = json!({"title": s.title, "channel_id": 1, "authors": "陈通讯员", "body_html": format!("<p>{}开展活动，第{n}次操作。</p>", s.title)});
        return match p.author.post(base, "/manuscripts", body).await {
            Some(m) => {
                s.id = m["id"].as_i64();
                true
            }
            None => false,
        };
    };
    match s.step {
        0 if rng.below(2) == 0 => {
            let form = reqwest::multipart::Form::new().text("csrf", p.author.form_csrf.clone()).text("caption", "活动现场").part("file", reqwest::multipart::Part::bytes(photo(rng.next())).file_name("现场.jpg"));
            let ok = p.author.client.post(format!("{base}/admin/manuscripts/{id}/media")).multipart(form).send().await.is_ok_and(|r| r.status().as_u16() == 303);
            s.photos += ok as i64;
            s.step = 1;
            ok
        }
        0 => {
            let body = json!({"title": s.title, "channel_id": 1, "authors": "陈通讯员", "body_html": format!("<p>{}开展活动，修改于第{n}次操作。</p>", s.title)});
            let ok = p.author.put(base, &format!("/manuscripts/{id}"), body).await.is_some();
            s.edits += ok as i64;
            s.step = 1;
            ok
        }
        1 => {
            let ok = p.author.post(base, &format!("/manuscripts/{id}/submit"), json!({})).await.is_some();
            s.step += ok as u8;
            ok
        }
        2..=4 => {
            let r = [&p.editor, &p.reviewer, &p.chief][(s.step - 2) as usize];
            let ok = r.post(base, &format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve", "comment": "同意"})).await.is_some();
            s.step += ok as u8;
            ok
        }
        5 if s.scheduled => false, // the scheduler publishes it
        5 => {
            // Now, or (one in three) a few seconds ahead, for the scheduler.
            let later = rng.below(3) == 0;
            let body = if later { json!({"at": rfc3339(yuanxun_core::clock::now() + 2)}) } else { json!({}) };
            let ok = p.editor.post(base, &format!("/manuscripts/{id}/publish"), body).await.is_some();
            if ok && later {
                s.scheduled = true;
            } else if ok {
                s.published = true;
                s.live_title = s.title.clone();
                s.step = 6;
            }
            ok
        }
        6 => {
            let Some(aid) = s.article else { return false };
            match rng.below(10) {
                0..=3 => {
                    // Readers: a few page views.
                    let mut ok = false;
                    for _ in 0..3 {
                        if reqwest::get(format!("{base}/news/{aid}.html")).await.is_ok_and(|r| r.status() == 200) {
                            s.views.push((std::time::Instant::now(), run));
                            ok = true;
                        }
                    }
                    ok
                }
                4..=6 => match s.pending.clone() {
                    None => {
                        let title = format!("{}更正{}", s.title, s.corrections + 1);
                        let body = json!({"title": title, "body_html": format!("<p>{title}：更正后的正文。</p>"), "reason": "更正标题"});
                        match p.editor.post(base, &format!("/manuscripts/{id}/correction"), body).await {
                            Some(v) => {
                                s.pending = Some((v["id"].as_i64().unwrap(), title));
                                true
                            }
                            None => false,
                        }
                    }
                    Some((cid, title)) => {
                        let ok = p.chief.post(base, &format!("/manuscripts/{id}/corrections/{cid}/approve"), json!({})).await.is_some();
                        if ok {
                            s.pending = None;
                            s.corrections += 1;
                            s.live_title = title;
                        }
                        ok
                    }
                },
                7 | 8 if !s.distributed => {
                    let outlets: Value = match p.editor.client.get(format!("{base}/api/v1/outlets")).send().await {
                        Ok(r) => r.json().await.unwrap_or(Value::Null),
                        Err(_) => return false,
                    };
                    let Some(outlet) = outlets.as_array().and_then(|a| a.iter().find(|o| o["kind"] != "website")).and_then(|o| o["id"].as_i64()) else { return false };
                    let ok = p.editor.post(base, &format!("/articles/{aid}/distributions"), json!({"outlet_id": outlet, "url": format!("https://mp.weixin.qq.com/s/crash{aid}")})).await.is_some();
                    s.distributed |= ok;
                    ok
                }
                9 if rng.below(2) == 0 => {
                    let ok = p.chief.post(base, &format!("/manuscripts/{id}/retract"), json!({"reason": "内容需要核实"})).await.is_some();
                    if ok {
                        s.retracted = true;
                        s.step = 7;
                    }
                    ok
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// One operation outside the stories; whether it was acknowledged.
async fn operate_other(base: &str, db: &Db, data: &std::path::Path, p: &People, l: &mut Ledger, rng: &mut Rng, n: usize, stories: &[Story]) -> bool {
    match rng.below(5) {
        0 => {
            let (user,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE username = 'correspondent'").fetch_one(&mut db.connect().await).await.unwrap();
            let title = format!("参加通讯员培训（第{n}次操作）");
            let ok = p.editor.post(base, "/points/entries", json!({"user_id": user, "kind": "training", "points": "1", "title": title, "evidence": "培训签到表"})).await.is_some();
            l.points.push((title, ok));
            ok
        }
        1 => {
            let open: Vec<(i64,)> = sqlx::query_as("SELECT id FROM rectifications WHERE status <> 'done' ORDER BY id").fetch_all(&mut db.connect().await).await.unwrap();
            let Some(&(id,)) = open.first() else { return false };
            let text = format!("已完成第{n}次整改检查，记录存档");
            let ok = p.editor.form(base, &format!("/admin/rectifications/{id}/progress"), &[("evidence", text.clone())]).await.is_some();
            l.reports.push((id, text, ok));
            ok
        }
        2 => {
            // A ballot in the open vote, or a new vote put to the delegates.
            let voted: Vec<usize> = l.cast.iter().filter(|(v, _)| Some(*v) == l.vote).map(|(_, u)| *u).collect();
            match l.vote {
                Some(vote) if voted.len() < 4 => {
                    let who = (0..4).find(|u| !voted.contains(u)).unwrap();
                    let choice = ["yes", "no", "abstain"][rng.below(3) as usize];
                    let ok = p.by_index(who).form(base, &format!("/admin/congress/votes/{vote}/cast"), &[("choice", choice.to_string())]).await.is_some();
                    // A cast the server did not answer may still have counted: it is read
                    // back after the restart.
                    if ok {
                        l.cast.push((vote, who));
                    }
                    ok
                }
                _ => {
                    let mut c = db.connect().await;
                    let (session,): (i64,) = sqlx::query_as("SELECT id FROM congress_sessions ORDER BY id LIMIT 1").fetch_one(&mut c).await.unwrap();
                    l.votes_made += 1;
                    let title = format!("关于第{}项议题的决议", l.votes_made);
                    let Some(location) = p.chief.form(base, &format!("/admin/congress/{session}/votes"), &[("title", title), ("body", "大会同意。".into()), ("secret", "on".into())]).await else { return false };
                    let vote: i64 = location.trim_start_matches("/admin/congress/votes/").split('?').next().unwrap().parse().unwrap();
                    let present: Vec<(i64,)> = sqlx::query_as("SELECT id FROM congress_delegates WHERE session_id = $1").bind(session).fetch_all(&mut c).await.unwrap();
                    let fields: Vec<(&str, String)> = present.iter().map(|(d,)| ("present", d.to_string())).collect();
                    let ok = p.chief.form(base, &format!("/admin/congress/votes/{vote}/open"), &fields).await.is_some();
                    if ok {
                        l.vote = Some(vote);
                    }
                    ok
                }
            }
        }
        3 => {
            let sources: Vec<(i64,)> = sqlx::query_as("SELECT id FROM monitor_sources WHERE name = '本地新闻站'").fetch_all(&mut db.connect().await).await.unwrap();
            let Some(&(id,)) = sources.first() else { return false };
            let ok = p.editor.form(base, &format!("/admin/monitor/sources/{id}/fetch"), &[]).await.is_some();
            l.fetch_acked |= ok;
            ok
        }
        _ => {
            // A backup while the server works (and may be killed), restored and checked.
            let before: Vec<String> = stories.iter().filter(|s| s.id.is_some()).map(|s| s.title.clone()).collect();
            let out = data.with_file_name(format!("backup-{n}"));
            let made = tokio::process::Command::from(db.command()).args(["backup", "--data"]).arg(data).arg("--out").arg(&out).output().await.unwrap();
            if !made.status.success() {
                return false;
            }
            let restored = data.with_file_name(format!("restored-{n}"));
            let into = db.for_restore(&restored, n).await;
            let r = tokio::process::Command::from(into.command()).args(["restore", "--from"]).arg(&out).arg("--data").arg(&restored).output().await.unwrap();
            assert!(r.status.success(), "an acknowledged backup restores and verifies: {}{}", String::from_utf8_lossy(&r.stdout), String::from_utf8_lossy(&r.stderr));
            let mut c = into.connect().await;
            for title in before {
                let (k,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM manuscripts WHERE title = $1").bind(&title).fetch_one(&mut c).await.unwrap();
                assert_eq!(k, 1, "the backup holds {title}, acknowledged before it began");
            }
            c.close().await.ok();
            into.drop_database().await;
            let _ = std::fs::remove_dir_all(&out);
            let _ = std::fs::remove_dir_all(&restored);
            l.backups += 1;
            true
        }
    }
}

/// Re-reads where each story really stands after a restart (a write may have committed
/// though its answer was lost to the kill).
async fn resync(db: &mut sqlx::AnyConnection, s: &mut Story) {
    if s.id.is_none() {
        // A create (or Word import) that committed though its answer was lost.
        let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM manuscripts WHERE title = $1").bind(&s.title).fetch_optional(&mut *db).await.unwrap();
        s.id = row.map(|(id,)| id);
    }
    let Some(id) = s.id else { return };
    let (status, level): (String, i64) = sqlx::query_as("SELECT status, review_level FROM manuscripts WHERE id = $1").bind(id).fetch_one(&mut *db).await.unwrap();
    s.step = match status.as_str() {
        "draft" => s.step.min(1),
        "submitted" => 2,
        "in_review" => 2 + (level as u8 - 1).min(2),
        "approved" => 5,
        "published" => 6,
        "retracted" => 7,
        other => panic!("manuscript {id} is {other}"),
    };
    let article: Option<(i64, String, i64)> = sqlx::query_as("SELECT id, title, retracted FROM articles WHERE manuscript_id = $1").bind(id).fetch_optional(&mut *db).await.unwrap();
    if let Some((aid, title, retracted)) = article {
        s.article = Some(aid);
        if !s.published {
            // Published by the scheduler, or by a publish whose answer was lost.
            s.published = true;
            s.live_title = title.clone();
        }
        if title != s.live_title {
            // A correction approved though the answer was lost.
            assert_eq!(s.pending.as_ref().map(|p| p.1.as_str()), Some(title.as_str()), "{} shows a title nobody approved", s.title);
            s.live_title = title;
            s.corrections += 1;
        }
        if retracted != 0 {
            s.retracted = true;
            s.step = 7;
        }
    }
    let pending: Option<(i64, String)> = sqlx::query_as("SELECT id, title FROM corrections WHERE manuscript_id = $1 AND status = 'pending'").bind(id).fetch_optional(&mut *db).await.unwrap();
    s.pending = pending;
    let (d,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM distributions d JOIN articles a ON a.id = d.article_id WHERE a.manuscript_id = $1 AND d.url LIKE '%crash%'").bind(id).fetch_one(&mut *db).await.unwrap();
    s.distributed = d > 0;
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut inside = false;
    for c in html.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// Runs `verify` on the export while the server is down; a broken one must be repaired by
/// `verify --restore`. Whether it needed repairing.
fn check_export(db: &Db, data: &std::path::Path, export: &std::path::Path) -> bool {
    if !export.join("manifest.json").exists() {
        return false; // nothing published yet
    }
    let verify = |restore: bool| {
        let mut c = db.command();
        c.args(["verify", "--data"]).arg(data).arg("--dir").arg(export);
        if restore {
            c.arg("--restore");
        }
        c.output().unwrap()
    };
    if verify(false).status.success() {
        return false;
    }
    let repaired = verify(true);
    assert!(repaired.status.success(), "verify --restore repairs the export: {}", String::from_utf8_lossy(&repaired.stdout));
    let again = verify(false);
    assert!(again.status.success(), "the repaired export verifies: {}", String::from_utf8_lossy(&again.stdout));
    true
}

/// `ends[r]`: when run `r` of the server was killed (the last entry: now, for the run still going).
/// How many media files wait for the sweep (PostgreSQL only).
async fn check_after_restart(base: &str, db: &Db, data: &std::path::Path, export: &std::path::Path, stories: &[Story], l: &Ledger, ends: &[std::time::Instant], flush: Duration) -> usize {
    let mut c = db.connect().await;
    db.check_consistency(&mut c).await;
    let out = db.command().args(["audit", "verify", "--data"]).arg(data).output().unwrap();
    assert!(out.status.success(), "the audit chain holds: {}", String::from_utf8_lossy(&out.stdout));
    let (orphans,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM manuscripts m WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE r.manuscript_id = m.id AND r.number = m.revision)").fetch_one(&mut c).await.unwrap();
    assert_eq!(orphans, 0, "every manuscript has the revision it points at");
    // Media rows and files, both ways (the restart sweeps files a cut-off upload left).
    let keys: std::collections::HashSet<String> = sqlx::query_as::<_, (String,)>("SELECT storage_key FROM media").fetch_all(&mut c).await.unwrap().into_iter().map(|(k,)| k).collect();
    for key in &keys {
        assert!(data.join("media").join(key).exists(), "media row {key} has its file");
    }
    fn files(dir: &std::path::Path, root: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                files(&e.path(), root, out);
            } else {
                out.push(e.path().strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut on_disk = Vec::new();
    files(&data.join("media"), &data.join("media"), &mut on_disk);
    // On SQLite a starting server deletes every file no row refers to. On PostgreSQL other
    // nodes may share the media and be uploading, so it leaves those younger than the
    // sweep's hour: they must be young, and are counted.
    let mut waiting = 0;
    for f in &on_disk {
        if keys.contains(f) {
            continue;
        }
        let age = std::fs::metadata(data.join("media").join(f)).and_then(|m| m.modified()).map(|t| t.elapsed().unwrap_or_default()).unwrap();
        assert!(db.shared() && age < Duration::from_secs(3600), "media file {f} has its row");
        waiting += 1;
    }
    let (loose,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM points_entries p WHERE p.distribution_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM distributions d WHERE d.id = p.distribution_id)").fetch_one(&mut c).await.unwrap();
    assert_eq!(loose, 0, "no points without their distribution");
    let (unmatched,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM votes v WHERE (SELECT COUNT(*) FROM ballots b WHERE b.vote_id = v.id) <> (SELECT COUNT(*) FROM ballot_receipts r WHERE r.vote_id = v.id)").fetch_one(&mut c).await.unwrap();
    assert_eq!(unmatched, 0, "every ballot has its receipt and every receipt its ballot");
    for (title, acked) in &l.points {
        let (k,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM points_entries WHERE title = $1").bind(title).fetch_one(&mut c).await.unwrap();
        assert!(k <= 1 && (k == 1 || !acked), "points entry {title}: {k} rows, acknowledged {acked}");
    }
    for (id, text, acked) in &l.reports {
        let (k,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM rectification_events WHERE rectification_id = $1 AND body LIKE $2").bind(id).bind(format!("%{text}")).fetch_one(&mut c).await.unwrap();
        assert!(k <= 1 && (k == 1 || !acked), "rectification report {text}: {k} rows, acknowledged {acked}");
    }
    for (vote, who) in &l.cast {
        let username = ["correspondent", "editor", "reviewer", "chief"][*who];
        let (k,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM ballot_receipts r JOIN congress_delegates d ON d.id = r.delegate_id JOIN users u ON u.id = d.user_id WHERE r.vote_id = $1 AND u.username = $2").bind(vote).bind(username).fetch_one(&mut c).await.unwrap();
        assert_eq!(k, 1, "{username}'s acknowledged ballot in vote {vote} counted once");
    }
    let (dupes,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM (SELECT guid FROM monitor_items GROUP BY source_id, guid HAVING COUNT(*) > 1) x").fetch_one(&mut c).await.unwrap();
    assert_eq!(dupes, 0, "a monitored item is stored once however often it is fetched");
    for s in stories {
        let rows: Vec<(i64, i64)> = sqlx::query_as("SELECT id, revision FROM manuscripts WHERE title = $1").bind(&s.title).fetch_all(&mut c).await.unwrap();
        let Some(id) = s.id else {
            assert!(rows.len() <= 1, "an unacknowledged create happened at most once: {}", s.title);
            continue;
        };
        assert_eq!(rows.len(), 1, "an acknowledged create is there exactly once: {}", s.title);
        assert_eq!(rows[0].0, id);
        assert!(rows[0].1 > s.edits, "acknowledged edits are kept: {} has revision {} after {} edits", s.title, rows[0].1, s.edits);
        let (photos,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM media WHERE manuscript_id = $1").bind(id).fetch_one(&mut c).await.unwrap();
        assert!(photos >= s.photos, "acknowledged photos are kept: {} has {photos} of {}", s.title, s.photos);
        if s.scheduled && !s.published {
            // Still waiting, or published by the scheduler since the resync.
            let (at, status): (Option<i64>, String) = sqlx::query_as("SELECT scheduled_at, status FROM manuscripts WHERE id = $1").bind(id).fetch_one(&mut c).await.unwrap();
            assert!(at.is_some() || status == "published", "an acknowledged scheduled publish is kept: {}", s.title);
        }
        if !s.published {
            continue;
        }
        let aid = s.article.expect("a published story has its article");
        let (title, views): (String, i64) = sqlx::query_as("SELECT title, view_count FROM articles WHERE id = $1").bind(aid).fetch_one(&mut c).await.unwrap();
        assert_eq!(title, s.live_title, "readers see the last acknowledged version of {}", s.title);
        let seen = s.views.len() as i64;
        // A view must have been written if the server that counted it ran a flush interval
        // (and a second) longer; the rest may be lost with the kill.
        let flushed = s.views.iter().filter(|(t, run)| ends[*run].saturating_duration_since(*t) > flush + Duration::from_secs(1)).count() as i64;
        // (A view counted and flushed whose answer the kill cut off may count too: a few.)
        assert!(views >= flushed && views <= seen + 3, "{}: {views} views counted; {seen} served, {flushed} of them before the last flush", s.title);
        let page = reqwest::get(format!("{base}/news/{aid}.html")).await.unwrap();
        let in_export = export.join(format!("news/{aid}.html")).exists();
        let results = reqwest::get(format!("{base}/search?q={}", s.live_title)).await.unwrap().text().await.unwrap();
        let listed = results.contains(&format!("/news/{aid}.html"));
        let found = strip_tags(&results);
        if s.retracted {
            assert_ne!(page.status(), 200, "retracted {} is gone from the site", s.title);
            assert!(!listed, "retracted {} is gone from search", s.title);
            assert!(!in_export, "retracted {} is gone from the export", s.title);
        } else {
            assert_eq!(page.status(), 200, "published {} has its page", s.title);
            assert!(listed && found.contains(&s.live_title), "published {} is in search as it now reads", s.live_title);
            assert!(in_export, "published {} is in the export", s.title);
        }
    }
    c.close().await.ok();
    waiting
}

/// A stand-in for a news site the monitor follows: the same four entries every time.
async fn feed_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { continue };
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let items: String = FEED_GUIDS.iter().enumerate().map(|(i, g)| format!("<item><title>示范医院第{i}条报道</title><link>http://news.example/{g}</link><guid>{g}</guid><description>市民称赞示范医院服务。</description></item>")).collect();
                let body = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>本地新闻</title>{items}</channel></rss>");
                let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(body.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}/feed.xml")
}

async fn sign_in(base: &str) -> People {
    let (Some(author), Some(editor), Some(reviewer), Some(chief)) = (login(base, "correspondent").await, login(base, "editor").await, login(base, "reviewer").await, login(base, "chief").await) else { panic!("the server signs people in") };
    People { author, editor, reviewer, chief }
}

fn harness_ops(default: usize) -> usize {
    std::env::var("YUANXUN_CRASH_OPS").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_nothing_it_acknowledged_and_leaves_nothing_half_done() {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    harness(&Db::Sqlite(data.join("yuanxun.db")), dir.path(), harness_ops(60)).await;
}

/// The same on PostgreSQL (a database of its own, media in the data folder). Needs the
/// PostgreSQL server scripts/test starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_on_postgresql_loses_nothing_it_acknowledged_and_leaves_nothing_half_done() {
    sqlx::any::install_default_drivers();
    let admin = std::env::var("YUANXUN_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1/postgres".into());
    if let Err(e) = sqlx::AnyConnection::connect(&admin).await {
        panic!("PostgreSQL at {admin} is required: {e} (scripts/test installs and starts it)");
    }
    let name = format!("yx_crash_{}_{}", std::process::id(), std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos());
    on_server(&admin, &format!("CREATE DATABASE {name}")).await;
    let dir = tempfile::tempdir().unwrap();
    let db = Db::Postgres { admin, name };
    harness(&db, dir.path(), harness_ops(40)).await;
    db.drop_database().await;
}

async fn harness(db: &Db, dir: &std::path::Path, ops: usize) {
    let seed: u64 = std::env::var("YUANXUN_CRASH_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64);
    let backend = if db.shared() { "PostgreSQL" } else { "SQLite" };
    eprintln!("crash harness ({backend}): {ops} operations, seed {seed}");
    let mut rng = Rng(seed);
    let (data, export) = (dir.join("data"), dir.join("export"));
    let flush = Duration::from_secs(10); // serve's view-count flush interval
    let mut server = start(&db, &data, &export);
    // The monitored source, before any kill: a news site on this machine.
    let feed = feed_server().await;
    let editor = login(&server.1, "editor").await.unwrap();
    let added = editor.form(&server.1, "/admin/monitor/sources", &[("name", "本地新闻站".into()), ("kind", "rss".into()), ("url", feed), ("reach", "3".into()), ("interval", "30".into()), ("enabled", "1".into())]).await;
    assert!(added.is_some(), "the monitored source is added");
    let mut stories: Vec<Story> = Vec::new();
    let mut ledger = Ledger::default();
    let (mut kills, mut acked, mut done) = (0, 0, 0);
    let mut ends: Vec<std::time::Instant> = Vec::new();
    let mut waiting_blobs = 0;
    while done < ops {
        let base = server.1.clone();
        let people = sign_in(&base).await;
        // A kill somewhere in the next few operations, at a random moment inside one.
        let burst = 3 + rng.below(6) as usize;
        let pid = server.0.id();
        let delay = Duration::from_millis(20 + rng.below(600));
        let killed = std::sync::Arc::new(std::sync::Mutex::new(None::<std::time::Instant>));
        let mark = killed.clone();
        // Aborted if this test fails first: the pid must never be signalled once the child
        // is reaped (another process may have it by then).
        let mut killer = Abort(tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            *mark.lock().unwrap() = Some(std::time::Instant::now());
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
        }));
        for _ in 0..burst {
            done += 1;
            let ok = if rng.below(4) == 0 {
                operate_other(&base, &db, &data, &people, &mut ledger, &mut rng, done, &stories).await
            } else {
                // Work on an unfinished story, or start a new one.
                let open: Vec<usize> = (0..stories.len()).filter(|i| stories[*i].step < 7).collect();
                let i = if open.is_empty() || rng.below(6) == 0 {
                    let n = stories.len();
                    stories.push(Story { title: format!("{}{}（{n}）", DEPTS[n % 8], ACTS[(n / 8) % 8]), ..Default::default() });
                    n
                } else {
                    open[rng.below(open.len() as u64) as usize]
                };
                operate(&base, &people, &mut stories[i], &mut rng, done, kills).await
            };
            acked += ok as usize;
        }
        (&mut killer.0).await.unwrap();
        ends.push(killed.lock().unwrap().unwrap());
        let _ = server.0.wait();
        kills += 1;
        drop(server);
        ledger.exports_repaired += check_export(&db, &data, &export) as usize;
        server = start(&db, &data, &export);
        let mut c = db.connect().await;
        for s in &mut stories {
            resync(&mut c, s).await;
        }
        // Ballots that counted though their answer was lost.
        let cast: Vec<(i64, String)> = sqlx::query_as("SELECT r.vote_id, u.username FROM ballot_receipts r JOIN congress_delegates d ON d.id = r.delegate_id JOIN users u ON u.id = d.user_id").fetch_all(&mut c).await.unwrap();
        for (vote, username) in cast {
            let who = ["correspondent", "editor", "reviewer", "chief"].iter().position(|u| *u == username).unwrap();
            if !ledger.cast.contains(&(vote, who)) {
                ledger.cast.push((vote, who));
            }
        }
        let open: Option<(i64,)> = sqlx::query_as("SELECT id FROM votes WHERE status = 'open' ORDER BY id DESC LIMIT 1").fetch_optional(&mut c).await.unwrap();
        ledger.vote = open.map(|(v,)| v);
        c.close().await.ok();
        waiting_blobs = waiting_blobs.max(check_after_restart(&server.1, &db, &data, &export, &stories, &ledger, &ends, flush).await);
    }
    // Once the server has run a while undisturbed: what was scheduled is published, and
    // the fetch it was asked for brought the feed's entries in, each once.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let mut c = db.connect().await;
        let (waiting,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM manuscripts WHERE scheduled_at IS NOT NULL AND status = 'approved'").fetch_one(&mut c).await.unwrap();
        let (items,): (i64,) = sqlx::query_as("SELECT COUNT(DISTINCT guid) FROM monitor_items WHERE guid LIKE 'crash-feed-%'").fetch_one(&mut c).await.unwrap();
        c.close().await.ok();
        if waiting == 0 && (!ledger.fetch_acked || items == FEED_GUIDS.len() as i64) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{waiting} scheduled stories unpublished, {items} of the feed's entries fetched");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let mut c = db.connect().await;
    for s in &mut stories {
        resync(&mut c, s).await;
    }
    c.close().await.ok();
    ends.push(std::time::Instant::now());
    waiting_blobs = waiting_blobs.max(check_after_restart(&server.1, &db, &data, &export, &stories, &ledger, &ends, flush).await);
    let published = stories.iter().filter(|s| s.published).count();
    let (corrected, retracted, scheduled, views) = (stories.iter().map(|s| s.corrections).sum::<i64>(), stories.iter().filter(|s| s.retracted).count(), stories.iter().filter(|s| s.scheduled).count(), stories.iter().map(|s| s.views.len()).sum::<usize>());
    eprintln!(
        "crash harness ({backend}): {done} operations, {acked} acknowledged, {kills} kills, {} stories ({published} published, {scheduled} scheduled, {corrected} corrections, {retracted} retracted), {views} page views, {} points entries, {} rectification reports, {} ballots, {} backups restored, {} exports repaired by verify --restore, at most {waiting_blobs} media files of cut-off uploads waiting for the hourly sweep, 0 losses",
        stories.len(),
        ledger.points.iter().filter(|p| p.1).count(),
        ledger.reports.iter().filter(|r| r.2).count(),
        ledger.cast.len(),
        ledger.backups,
        ledger.exports_repaired
    );
    assert!(kills >= 3 && acked > 0);
}
