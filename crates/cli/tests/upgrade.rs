//! A data folder an earlier release left behind opens with this binary: the migrations since
//! run, and nothing is lost. Each fixture (`tests/fixtures/data-<date>.tar.gz`, made by
//! `fixtures/make.sh COMMIT DATE` from that commit's `serve --demo`) carries the row count of
//! every table; after the upgrade every table still has at least as many rows (the new
//! migrations only add), the audit chain verifies, the people sign in with their passwords,
//! the published stories are on the site with their photos and found by search (the index
//! is rebuilt), and the manuscripts keep their revisions.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;
use sqlx::Connection;

const BIN: &str = env!("CARGO_BIN_EXE_yuanxun");

struct Server(std::process::Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(data: &std::path::Path) -> Server {
    let mut child = Command::new(BIN).args(["serve", "--listen", "127.0.0.1:0", "--rate-limits", "off", "--data"]).arg(data).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    loop {
        let line = lines.next().expect("serve started").unwrap();
        if let Some(rest) = line.split("网站 ").nth(1) {
            let base = rest.split_whitespace().next().unwrap().trim_end_matches('/').to_string();
            std::thread::spawn(move || for _ in lines.by_ref() {});
            return Server(child, base);
        }
    }
}

async fn upgrades_without_loss(name: &str) {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let meta: Value = serde_json::from_str(&std::fs::read_to_string(fixtures.join(format!("data-{name}.json"))).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let untar = Command::new("tar").arg("-C").arg(&data).arg("-xzf").arg(fixtures.join(format!("data-{name}.tar.gz"))).status().unwrap();
    assert!(untar.success());

    // The audit chain of the old release verifies under the new one (which migrates first).
    let out = Command::new(BIN).args(["audit", "verify", "--data"]).arg(&data).output().unwrap();
    assert!(out.status.success(), "audit verify after the upgrade: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));

    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}", data.join("yuanxun.db").display());
    let mut db = sqlx::AnyConnection::connect(&url).await.unwrap();
    let (ok,): (String,) = sqlx::query_as("PRAGMA integrity_check").fetch_one(&mut db).await.unwrap();
    assert_eq!(ok, "ok");
    let (latest,): (i64,) = sqlx::query_as("SELECT MAX(version) FROM _sqlx_migrations").fetch_one(&mut db).await.unwrap();
    assert!(latest > meta["migration"].as_i64().unwrap(), "the migrations since {name} ran (now at {latest})");
    for (table, before) in meta["counts"].as_object().unwrap() {
        let (now,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM \"{table}\"")).fetch_one(&mut db).await.unwrap();
        assert!(now >= before.as_i64().unwrap(), "{table}: {now} rows after the upgrade, {before} before");
    }
    let (orphans,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM manuscripts m WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE r.manuscript_id = m.id AND r.number = m.revision)").fetch_one(&mut db).await.unwrap();
    assert_eq!(orphans, 0, "every manuscript keeps its revision");
    let articles: Vec<(i64, String, Option<i64>)> = sqlx::query_as("SELECT id, title, cover_media_id FROM articles WHERE retracted = 0 ORDER BY id").fetch_all(&mut db).await.unwrap();
    assert!(!articles.is_empty());
    db.close().await.unwrap();

    let server = serve(&data);
    let base = &server.1;
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    for user in ["editor", "chief", "correspondent", "admin"] {
        let r = client.post(format!("{base}/api/v1/session")).json(&serde_json::json!({"username": user, "password": meta["password"]})).send().await.unwrap();
        assert!(r.status().is_success(), "{user} signs in with the password of {name}: {}", r.status());
    }
    let home = reqwest::get(format!("{base}/")).await.unwrap().text().await.unwrap();
    for (id, title, cover) in &articles {
        let page = reqwest::get(format!("{base}/news/{id}.html")).await.unwrap();
        assert_eq!(page.status(), 200, "{title}");
        let html = page.text().await.unwrap();
        assert!(html.contains(title.as_str()), "{title}");
        if cover.is_some() {
            let src = html.split("src=\"/media/").nth(1).map(|s| s.split('"').next().unwrap().to_string()).expect("the cover is shown");
            let img = reqwest::get(format!("{base}/media/{src}")).await.unwrap();
            assert_eq!(img.status(), 200, "{title}'s photo /media/{src}");
        }
    }
    assert!(articles.iter().any(|(_, t, _)| home.contains(t.as_str())), "the home page lists the old stories");
    for (id, title, _) in articles.iter().take(5) {
        let found = reqwest::get(format!("{base}/search?q={title}")).await.unwrap().text().await.unwrap();
        assert!(found.contains(&format!("/news/{id}.html")), "search finds {title}");
    }
}

#[tokio::test]
async fn a_data_folder_of_the_2026_11_25_release_upgrades_without_loss() {
    upgrades_without_loss("2026-11-25").await;
}
