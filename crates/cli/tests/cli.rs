//! The binary as people run it: `serve --demo` on a fresh folder, and `audit verify`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_yuanxun");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_creates_a_hospital_in_a_fresh_folder() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("yuanxun-data");
    let mut child = Command::new(BIN)
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .env("YUANXUN_DEMO_PASSWORD", "Demo2026pass")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    let base = loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if let Some(rest) = line.split("网站 ").nth(1) {
            break rest.split_whitespace().next().unwrap().trim_end_matches('/').to_string();
        }
    };
    assert!(printed.contains("correspondent") && printed.contains("YUANXUN_DEMO_PASSWORD"), "{printed}");
    assert!(!printed.contains("Demo2026pass"), "a password from the environment is not echoed");
    assert!(data.join("yuanxun.db").exists() && data.join("media").is_dir());
    assert!(data.join("yuanxun.db-wal").exists(), "SQLite runs in WAL mode");

    let client = reqwest::Client::new();
    let list: serde_json::Value = client.get(format!("{base}/api/v1/articles?limit=100")).send().await.unwrap().json().await.unwrap();
    assert!(list.as_array().unwrap().len() >= 20, "about twenty demo stories");
    let home = client.get(format!("{base}/")).send().await.unwrap().text().await.unwrap();
    for ch in ["医院要闻", "图片新闻", "医院动态", "党建工作", "通知公告"] {
        assert!(home.contains(ch), "{ch}");
    }
    assert!(home.contains("src=\"/media/"), "stories have photos");
    for user in ["admin", "editor", "reviewer", "chief", "correspondent", "auditor"] {
        let r = client.post(format!("{base}/api/v1/session")).json(&serde_json::json!({"username": user, "password": "Demo2026pass"})).send().await.unwrap();
        assert_eq!(r.status(), 200, "{user} signs in with the demo password");
    }
    // The story waiting for 初审 shows what the check is for, against the demo's own roster
    // and phone number (three leaders and one number: site revision 4).
    let editor = reqwest::Client::builder().cookie_store(true).build().unwrap();
    editor.post(format!("{base}/api/v1/session")).json(&serde_json::json!({"username": "editor", "password": "Demo2026pass"})).send().await.unwrap();
    let mine: serde_json::Value = editor.get(format!("{base}/api/v1/manuscripts")).send().await.unwrap().json().await.unwrap();
    let waiting = mine.as_array().unwrap().iter().find(|m| m["title"] == "骨科开展膝关节置换术后康复讲座").expect("the waiting story").clone();
    let check: serde_json::Value = editor.get(format!("{base}/api/v1/manuscripts/{}/check", waiting["id"])).send().await.unwrap().json().await.unwrap();
    let rules: Vec<&str> = check["items"].as_array().unwrap().iter().map(|i| i["rule"].as_str().unwrap()).collect();
    for rule in ["placeholder.xxx", "typo.lexicon", "ad_absolute.lexicon"] {
        assert!(rules.contains(&rule), "{rule} in {rules:?}");
    }
    // Five lexicon changes (the demo's four items and the site's name, one of its own names);
    // "+lm" follows once the language model has loaded beside the running server.
    assert!(check["lexicon_version"].as_str().unwrap().contains("+site.5"), "{}", check["lexicon_version"]);

    // Site search works on the demo, from an index kept in the data folder.
    let found = client.get(format!("{base}/search?q=%E9%AA%A8%E7%A7%91")).send().await.unwrap().text().await.unwrap();
    assert!(found.contains("<mark>骨科</mark>"), "{found}");
    assert!(data.join("search").is_dir());

    // Views are counted in memory; SIGTERM writes every one of them before serve exits.
    let id = list[0]["id"].as_i64().unwrap();
    let article: serde_json::Value = client.get(format!("{base}/api/v1/articles/{id}")).send().await.unwrap().json().await.unwrap();
    let before = article["view_count"].as_i64().expect("the article says how often it was read");
    for _ in 0..7 {
        assert_eq!(client.get(format!("{base}/news/{id}.html")).send().await.unwrap().status(), 200);
    }
    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(term.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "serve stops cleanly on SIGTERM: {exit:?}");
    let url = format!("sqlite://{}", data.join("yuanxun.db").display());
    let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url).await.unwrap();
    let after: i64 = sqlx::query_scalar("SELECT view_count FROM articles WHERE id = ?").bind(id).fetch_one(&mut c).await.unwrap();
    assert_eq!(after, before + 7, "no counted view is lost at shutdown");
    drop(c);

    // `reindex` rebuilds the search index from the database (serve is stopped now).
    let out = Command::new(BIN).args(["reindex", "--data"]).arg(&data).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text} {}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains(&format!("搜索索引已重建：{} 篇文章", list.as_array().unwrap().len())), "{text}");

    // `export` writes the static site with a signed manifest.
    let site = dir.path().join("static-site");
    let out = Command::new(BIN).args(["export", "--public-url", "https://news.example.cn", "--data"]).arg(&data).arg("--out").arg(&site).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text} {}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains(&format!("{} 篇文章", list.as_array().unwrap().len())) && text.contains("公钥："), "{text}");
    for file in ["index.html", "manifest.json", "manifest.sig", "sitemap.xml"] {
        assert!(site.join(file).exists(), "{file}");
    }
    // `verify` finds an injected hidden link; `--restore` puts the page right.
    let ok = Command::new(BIN).args(["verify", "--data"]).arg(&data).arg("--dir").arg(&site).output().unwrap();
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stdout));
    let home = std::fs::read_to_string(site.join("index.html")).unwrap();
    std::fs::write(site.join("index.html"), home.replacen("<body>", "<body><div style=\"position:absolute;left:-9999px\"><a href=\"https://bet.example/\">百家乐</a></div>", 1)).unwrap();
    let found = Command::new(BIN).args(["verify", "--data"]).arg(&data).arg("--dir").arg(&site).output().unwrap();
    let text = String::from_utf8_lossy(&found.stdout);
    assert_eq!(found.status.code(), Some(1), "{text}");
    assert!(text.contains("index.html：文件被修改") && text.contains("隐藏链接 https://bet.example/") && text.contains("“百家乐”"), "{text}");
    let fixed = Command::new(BIN).args(["verify", "--restore", "--data"]).arg(&data).arg("--dir").arg(&site).output().unwrap();
    let text = String::from_utf8_lossy(&fixed.stdout);
    assert_eq!(fixed.status.code(), Some(0), "{text}");
    assert!(text.contains("已从数据库恢复") && text.contains("复查：无问题"), "{text}");

    // `report` writes the period's summary: this year's and last year's stories add up to
    // the demo's (they span some weeks back, perhaps across New Year).
    let year = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8)).year();
    let mut stories = 0;
    for y in [year, year - 1] {
        let out = Command::new(BIN).args(["report", "--format", "md", "--period", &y.to_string(), "--data"]).arg(&data).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{text} {}", String::from_utf8_lossy(&out.stderr));
        assert!(text.contains(&format!("{y}年宣传工作数据汇总")) && text.contains("## 七、逐月情况"), "{text}");
        let n = text.split("在医院网站发布稿件").nth(1).and_then(|t| t.split('篇').next()).and_then(|n| n.parse::<usize>().ok()).expect("the count of stories");
        stories += n;
    }
    assert_eq!(stories, list.as_array().unwrap().len());
    let word = dir.path().join("summary.docx");
    let out = Command::new(BIN).args(["report", "--period", &year.to_string(), "--data"]).arg(&data).arg("--out").arg(&word).output().unwrap();
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("已写出"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read(&word).unwrap().starts_with(b"PK"), "a .docx is a zip");
    let bad = Command::new(BIN).args(["report", "--period", "2025H3", "--data"]).arg(&data).output().unwrap();
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("统计期间无效"), "{}", String::from_utf8_lossy(&bad.stderr));

    // `backup` then `restore` into a fresh folder: the same articles, every media file whole.
    let stories = list.as_array().unwrap().len();
    backup_and_restore(&dir.path().join("backup"), &data, &dir.path().join("restored"), &[], stories).await;

    let bad = Command::new(BIN).args(["export", "--public-url", "news.example.cn", "--data"]).arg(&data).arg("--out").arg(&site).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--public-url 应以 http:// 或 https:// 开头"));
}

#[tokio::test]
async fn audit_verify_reports_the_first_broken_link() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = yuanxun_store::Store::open_dir(dir.path()).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let site = yuanxun_store::sites::create_site(tx.conn(), "t", "测试医院", "").await.unwrap();
        for i in 0..4 {
            let e = yuanxun_store::audit::NewEntry { actor_name: "测试", action: "test", object_type: "x", object_id: i.to_string(), ip: "127.0.0.1", ..Default::default() };
            yuanxun_store::audit::append(tx.conn(), site.id, &e).await.unwrap();
        }
        tx.commit().await.unwrap();
        store.close().await;
    }
    let ok = Command::new(BIN).args(["audit", "verify", "--data"]).arg(dir.path()).output().unwrap();
    assert_eq!(ok.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("4 条记录的哈希链全部吻合"));

    let url = format!("sqlite://{}", dir.path().join("yuanxun.db").display());
    let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url).await.unwrap();
    sqlx::query("DROP TRIGGER audit_log_no_delete").execute(&mut c).await.unwrap();
    sqlx::query("DELETE FROM audit_log WHERE seq = 2").execute(&mut c).await.unwrap();
    drop(c);
    let bad = Command::new(BIN).args(["audit", "verify", "--data"]).arg(dir.path()).output().unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let out = String::from_utf8_lossy(&bad.stdout);
    assert!(out.contains("第 3 条") && out.contains("有记录被删除"), "{out}");

    let missing = Command::new(BIN).args(["audit", "verify", "--data", "/nonexistent-folder"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("--data"));
}

#[test]
fn check_reports_findings_with_carets_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("稿件.txt");
    std::fs::write(&bad, "骨科举行义诊\n2024年3月5日，专家们再接再励。联系人：___\n").unwrap();
    let warn = dir.path().join("warn.md");
    std::fs::write(&warn, "专家们再接再励，服务群众。\n").unwrap();
    let clean = dir.path().join("clean.html");
    std::fs::write(&clean, "<p>专家们再接再厉，服务群众。</p>").unwrap();
    let bin = env!("CARGO_BIN_EXE_yuanxun");

    let out = std::process::Command::new(bin).args(["check", "--date", "2024-03-06"]).arg(&bad).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains(":2:14: 警告 [错别字·typo.lexicon]"), "{text}");
    assert!(text.contains("    2024年3月5日，专家们再接再励。联系人：___\n                        ^^^^^^^^\n    建议：再接再厉"), "{text}");
    assert!(text.contains("[占位符·placeholder.blank]"));

    let out = std::process::Command::new(bin).arg("check").arg(&warn).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = std::process::Command::new(bin).args(["check", "--format", "json"]).arg(&clean).arg(&warn).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["report"]["findings"].as_array().unwrap().len(), 0);
    assert_eq!(v[1]["report"]["findings"][0]["suggestion"], "再接再厉");
    let out = std::process::Command::new(bin).arg("check").arg(&clean).output().unwrap();
    assert_eq!(out.status.code(), Some(0));

    // An archive of many files is checked on every core and reported in the order given.
    let many: Vec<std::path::PathBuf> = (0..60)
        .map(|i| {
            let p = dir.path().join(format!("archive-{i:02}.txt"));
            std::fs::write(&p, if i % 3 == 0 { format!("第{i}篇，专家们再接再励。\n") } else { format!("第{i}篇，专家们再接再厉。\n") }).unwrap();
            p
        })
        .collect();
    let out = std::process::Command::new(bin).args(["check", "--format", "json"]).args(&many).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for (i, entry) in v.as_array().unwrap().iter().enumerate() {
        assert!(entry["file"].as_str().unwrap().ends_with(&format!("archive-{i:02}.txt")), "{entry}");
        let n = entry["report"]["findings"].as_array().unwrap().len();
        assert_eq!(n, usize::from(i % 3 == 0), "{entry}");
    }

    // A downloaded page of the site whose title names another organisation where the
    // hospital's name belongs: blocking once the check knows the site's names.
    let page = dir.path().join("page.html");
    std::fs::write(&page, "<title>骨科举办义诊 - 华夏仁爱男科医院</title><p>专家们再接再厉，服务群众。</p>").unwrap();
    let out = std::process::Command::new(bin).args(["check", "--site-name", "示范医院", "--site-name", "市一院"]).arg(&page).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("[敏感词·sensitive.hijack_title]") && text.contains("华夏仁爱男科医院"), "{text}");
    let out = std::process::Command::new(bin).arg("check").arg(&page).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "without the site's names the title is not judged");

    let out = std::process::Command::new(bin).args(["check", "--date", "2024-13-01"]).arg(&clean).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("日期“2024-13-01”无效"));
    let out = std::process::Command::new(bin).arg("check").arg(dir.path().join("missing.txt")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("无法读取"));
}

#[test]
fn check_eval_prints_recall_and_precision_per_category() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../check/tests/corpus");
    let out = std::process::Command::new(BIN).arg("check-eval").arg(&corpus).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    for expected in ["召回率", "准确率", "typo", "privacy", "total"] {
        assert!(text.contains(expected), "lacks {expected}: {text}");
    }
    // A corpus with a mislabelled error: a miss and a false alarm, and exit code 1.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "全院职工{{再接再励|placeholder}}。\n").unwrap();
    let out = std::process::Command::new(BIN).arg("check-eval").arg(dir.path()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("漏报") && text.contains("误报"), "{text}");
}

#[test]
fn check_eval_on_sentence_pairs_prints_detection_false_alarms_and_precision() {
    let pairs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../check/tests/pairs/hospital.tsv");
    let out = std::process::Command::new(BIN).arg("check-eval").arg("--pairs").arg(&pairs).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    for expected in ["检出率", "误报率", "准确率", "zh_CN.lm"] {
        assert!(text.contains(expected), "lacks {expected}: {text}");
    }
    // Without the model the same pairs are read by lexicons and rules only, and it says so.
    let out = std::process::Command::new(BIN).args(["check-eval", "--no-model", "--pairs"]).arg(&pairs).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("无（仅词库和规则）"), "{text}");
    // A line without a tab is refused with its number.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.tsv");
    std::fs::write(&bad, "错句\t正句\n没有制表符\n").unwrap();
    let out = std::process::Command::new(BIN).arg("check-eval").arg("--pairs").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("第 2 行"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn monitor_eval_prints_accuracy_and_negative_recall() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("neg.txt"), "质量太差，很失望\n医生态度恶劣，再也不来了\n").unwrap();
    std::fs::write(dir.path().join("pos.txt"), "非常好，推荐\n医生很耐心，谢谢\n").unwrap();
    let out = std::process::Command::new(BIN).arg("monitor-eval").arg("--corpus").arg(dir.path()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("十折交叉验证") && text.contains("留出集"), "{text}");
    assert!(text.contains("条目 317，"), "the team's set: {text}");
    // The small corpus is read right: four items, both negatives found.
    assert!(text.contains("条目 4，准确率 1.000，负面召回率 1.000"), "{text}");
    let out = std::process::Command::new(BIN).arg("monitor-eval").arg("--corpus").arg(dir.path().join("missing")).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("neg.txt 和 pos.txt"));
}

/// Backs `data` up into `backup`, restores it into the new folder `restored` (with `env`,
/// e.g. a DATABASE_URL), and checks what came back independently of the restore's own
/// check: the articles (SQLite only, read from the file), every media file's content against
/// the SHA-256 its name carries, and the audit chain (`audit verify`). Then a damaged
/// backup restores with its damage reported, and a second restore into the same place is
/// refused.
async fn backup_and_restore(backup: &std::path::Path, data: &std::path::Path, restored: &std::path::Path, env: &[(&str, &str)], articles: usize) {
    use sha2::Digest;
    let out = Command::new(BIN).args(["backup", "--data"]).arg(data).arg("--out").arg(backup).envs(env.iter().copied()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text} {}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains(&format!("{articles} 篇文章")) && backup.join("manifest.json").exists(), "{text}");
    let out = Command::new(BIN).args(["restore", "--from"]).arg(backup).arg("--data").arg(restored).envs(env.iter().copied()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text} {}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains(&format!("{articles} 篇文章")) && text.contains("哈希全部吻合") && text.contains("哈希链完整"), "{text}");

    let mut files = Vec::new();
    collect(&restored.join("media"), &mut files);
    assert!(files.len() >= 10, "the demo's photos came back");
    for f in &files {
        let sha = hex::encode(sha2::Sha256::digest(std::fs::read(f).unwrap()));
        assert_eq!(f.file_stem().unwrap().to_string_lossy(), sha, "{}", f.display());
    }
    if env.is_empty() {
        use sqlx::{Connection, Row};
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", restored.join("yuanxun.db").display())).await.unwrap();
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM articles").fetch_one(&mut c).await.unwrap().get("n");
        assert_eq!(n as usize, articles);
    }
    let audit = Command::new(BIN).args(["audit", "verify", "--data"]).arg(restored).envs(env.iter().copied()).output().unwrap();
    assert!(audit.status.success() && String::from_utf8_lossy(&audit.stdout).contains("哈希链全部吻合"), "{}", String::from_utf8_lossy(&audit.stdout));

    // Refused: restoring over what is there, or backing up into a folder that exists.
    let again = Command::new(BIN).args(["restore", "--from"]).arg(backup).arg("--data").arg(restored).envs(env.iter().copied()).output().unwrap();
    assert!(!again.status.success(), "{}", String::from_utf8_lossy(&again.stdout));
    let over = Command::new(BIN).args(["backup", "--data"]).arg(data).arg("--out").arg(backup).envs(env.iter().copied()).output().unwrap();
    assert!(!over.status.success() && String::from_utf8_lossy(&over.stderr).contains("已存在"));

    // A photo damaged in the backup: restored, and reported by the check (exit 1).
    if env.is_empty() {
        let mut in_backup = Vec::new();
        collect(&backup.join("media"), &mut in_backup);
        std::fs::write(&in_backup[0], b"damaged").unwrap();
        let other = restored.with_extension("damaged");
        let out = Command::new(BIN).args(["restore", "--from"]).arg(backup).arg("--data").arg(&other).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(text.contains("SHA-256 不符"), "{text}");
    }
}

fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        if e.path().is_dir() {
            collect(&e.path(), out);
        } else {
            out.push(e.path());
        }
    }
}

/// `DATABASE_URL=postgres://…` runs the product on PostgreSQL: the demo hospital is created,
/// its public pages, newsroom pages, points and summary answer, and the command-line
/// report reads the same database. Needs the PostgreSQL server scripts/test starts.
#[tokio::test]
async fn serve_runs_on_postgresql_when_database_url_says_so() {
    use sqlx::Executor;
    let mut c = postgres().await;
    let name = new_database(&mut c, "cli").await;
    let url = database_url(&name);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (child, base) = start_demo(&data, &[("DATABASE_URL", &url)]);
    assert!(!data.join("yuanxun.db").exists(), "no SQLite file: the data is in PostgreSQL");
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let list: serde_json::Value = client.get(format!("{base}/api/v1/articles?limit=100")).send().await.unwrap().json().await.unwrap();
    let stories = list.as_array().unwrap().len();
    assert!(stories >= 20, "{list}");
    let login = client.post(format!("{base}/api/v1/session")).json(&serde_json::json!({"username": "editor", "password": "Demo2026pass"})).send().await.unwrap();
    assert_eq!(login.status(), 200);
    for path in ["/", "/channel/news", &list[0]["url"].as_str().unwrap().to_string(), "/search?q=骨科", "/feed.xml", "/admin/manuscripts", "/admin/outlets", "/admin/points", "/admin/report", "/admin/work"] {
        let r = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
    let points: serde_json::Value = client.get(format!("{base}/api/v1/points?period={}", time::OffsetDateTime::now_utc().year())).send().await.unwrap().json().await.unwrap();
    assert!(!points["people"].as_array().unwrap().is_empty(), "{points}");
    stop(child);

    let year = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8)).year();
    let mut counted = 0;
    for y in [year, year - 1] {
        let out = Command::new(BIN).args(["report", "--format", "md", "--period", &y.to_string(), "--data"]).arg(&data).env("DATABASE_URL", &url).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        counted += text.split("在医院网站发布稿件").nth(1).and_then(|t| t.split('篇').next()).and_then(|n| n.parse::<usize>().ok()).expect("the count of stories");
    }
    assert_eq!(counted, stories);

    // Backed up with pg_dump, restored with pg_restore into a second, empty database.
    let copy = new_database(&mut c, "restored").await;
    let copy_url = database_url(&copy);
    let out = Command::new(BIN).args(["backup", "--data"]).arg(&data).arg("--out").arg(dir.path().join("pg-backup")).env("DATABASE_URL", &url).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("pg-backup/postgres.dump").exists());
    let restored = dir.path().join("pg-restored");
    let out = Command::new(BIN).args(["restore", "--from"]).arg(dir.path().join("pg-backup")).arg("--data").arg(&restored).env("DATABASE_URL", &copy_url).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains(&format!("{stories} 篇文章")) && text.contains("哈希链完整"), "{text} {}", String::from_utf8_lossy(&out.stderr));
    let again = Command::new(BIN).args(["restore", "--from"]).arg(dir.path().join("pg-backup")).arg("--data").arg(dir.path().join("pg-again")).env("DATABASE_URL", &copy_url).output().unwrap();
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("不是空的"), "{}", String::from_utf8_lossy(&again.stderr));
    for db in [name, copy] {
        c.execute(format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)").as_str()).await.unwrap();
    }
}

/// The moto S3 server scripts/test installs (PyPI `moto[server]` in target/venv-s3), or the
/// one `YUANXUN_TEST_MOTO` names.
fn moto_server() -> std::path::PathBuf {
    let path = std::env::var("YUANXUN_TEST_MOTO").map(std::path::PathBuf::from).unwrap_or_else(|_| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/venv-s3/bin/moto_server"));
    assert!(path.exists(), "the S3 test server is required: no {} (scripts/test installs it)", path.display());
    path
}

fn postgres_admin_url() -> String {
    std::env::var("YUANXUN_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1/postgres".into())
}

/// A connection to the PostgreSQL server scripts/test starts.
async fn postgres() -> sqlx::AnyConnection {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let admin = postgres_admin_url();
    sqlx::AnyConnection::connect(&admin).await.unwrap_or_else(|e| panic!("PostgreSQL at {admin} is required: {e} (scripts/test installs and starts it)"))
}

/// Creates a new, empty database and returns its name.
async fn new_database(c: &mut sqlx::AnyConnection, tag: &str) -> String {
    use sqlx::Executor;
    let name = format!("yx_{tag}_{}_{}", std::process::id(), std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos());
    c.execute(format!("CREATE DATABASE {name}").as_str()).await.unwrap();
    name
}

fn database_url(name: &str) -> String {
    let admin = postgres_admin_url();
    format!("{}/{name}", &admin[..admin.rfind('/').unwrap()])
}

/// Starts `serve --demo` on a free port with `env` and returns it with the site's address
/// once it says it is up.
fn start_demo(data: &std::path::Path, env: &[(&str, &str)]) -> (Killed, String) {
    let child = Command::new(BIN)
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .env("YUANXUN_DEMO_PASSWORD", "Demo2026pass")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = Killed(child);
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines();
    loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        if let Some(rest) = line.split("网站 ").nth(1) {
            return (child, rest.split_whitespace().next().unwrap().trim_end_matches('/').to_string());
        }
    }
}

/// Stops a serve as systemd would (SIGTERM) and waits for it.
fn stop(mut child: Killed) {
    let term = Command::new("kill").args(["-TERM", &child.0.id().to_string()]).status().unwrap();
    assert!(term.success());
    child.0.wait().unwrap();
}

struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A process that dies between a publish's commit and its refresh loses nothing: the change
/// feed's row commits with the publish (an outbox), so the other process shows the story on
/// its cached home page and in its search, and the dead one, started again, mends its own
/// index. (With the row written after the refresh, as before, B never heard of it.)
#[tokio::test]
async fn a_crash_between_a_publish_and_its_refresh_loses_nothing() {
    use serde_json::json;
    use sqlx::Executor;
    let mut c = postgres().await;
    let name = new_database(&mut c, "outbox").await;
    let url = database_url(&name);
    let dir = tempfile::tempdir().unwrap();
    let media = format!("file://{}", dir.path().join("shared-media").display());
    let env = [("DATABASE_URL", url.as_str()), ("YUANXUN_MEDIA_URL", media.as_str())];
    let (b, base_b) = start_demo(&dir.path().join("b"), &env);
    let crashing = [env[0], env[1], ("YUANXUN_CRASH_POINT", "after-commit")];
    let (mut a, base_a) = start_demo(&dir.path().join("a"), &crashing);
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let title = "提交之后进程崩溃的新闻";
    let home_b = client.get(format!("{base_b}/")).send().await.unwrap().text().await.unwrap();
    assert!(home_b.contains("医院要闻") && !home_b.contains(title), "B has cached its home page without the story");

    let api = |path: &str| format!("{base_a}/api/v1{path}");
    let login = async |user: &str| -> String {
        let r = client.post(api("/session")).json(&json!({"username": user, "password": "Demo2026pass"})).send().await.unwrap();
        r.json::<serde_json::Value>().await.unwrap()["csrf_token"].as_str().unwrap().to_string()
    };
    let csrf = login("correspondent").await;
    let m: serde_json::Value = client.post(api("/manuscripts")).header("X-CSRF-Token", &csrf).json(&json!({"title": title, "channel_id": 1, "authors": "陈通讯员", "body_html": "<p>骨科专家走进社区开展义诊。</p>"})).send().await.unwrap().json().await.unwrap();
    let id = m["id"].as_i64().expect("created");
    client.post(api(&format!("/manuscripts/{id}/submit"))).header("X-CSRF-Token", &csrf).json(&json!({})).send().await.unwrap();
    for who in ["editor", "reviewer", "chief"] {
        let csrf = login(who).await;
        let r = client.post(api(&format!("/manuscripts/{id}/decisions"))).header("X-CSRF-Token", &csrf).json(&json!({"verdict": "approve", "comment": "同意"})).send().await.unwrap();
        assert_eq!(r.status(), 200, "{who}");
    }
    let csrf = login("editor").await;
    let publish = client.post(api(&format!("/manuscripts/{id}/publish"))).header("X-CSRF-Token", &csrf).json(&json!({})).send().await;
    assert!(publish.is_err(), "A died before answering: {:?}", publish.map(|r| r.status()));
    let died = a.0.wait().unwrap();
    assert!(!died.success(), "A aborted at the crash point");

    let mut seen = false;
    for _ in 0..200 {
        if client.get(format!("{base_b}/")).send().await.unwrap().text().await.unwrap().contains(title) {
            seen = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(seen, "B's cached home page shows the story A published and died");
    let found = client.get(format!("{base_b}/search?q=崩溃")).send().await.unwrap().text().await.unwrap();
    assert!(found.contains("<mark>崩溃</mark>"), "B's search index has it");

    // A again, without the crash point: its index was behind and is mended at start.
    let (a, base_a) = start_demo(&dir.path().join("a"), &env);
    let found = client.get(format!("{base_a}/search?q=崩溃")).send().await.unwrap().text().await.unwrap();
    assert!(found.contains("<mark>崩溃</mark>"), "A's own search index has it after the restart");
    stop(a);
    stop(b);
    c.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await.unwrap();
}

/// `YUANXUN_MEDIA_URL=s3://bucket/prefix` keeps every photo in S3-compatible storage (here
/// a local moto server): the demo's photos are uploaded there, the pages and the Word
/// download read them back, and nothing is written to the data folder's media/.
#[tokio::test]
async fn serve_keeps_media_in_s3_compatible_storage_when_told() {
    let moto = moto_server();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let _moto = Killed(Command::new(moto).args(["-H", "127.0.0.1", "-p", &port.to_string()]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap());
    let s3 = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let mut up = false;
    for _ in 0..100 {
        if client.put(format!("{s3}/yuanxun-media")).send().await.is_ok_and(|r| r.status().is_success()) {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(up, "moto_server answered and created the bucket");

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let env = [("YUANXUN_MEDIA_URL", "s3://yuanxun-media/hospital-a"), ("AWS_ACCESS_KEY_ID", "test"), ("AWS_SECRET_ACCESS_KEY", "test"), ("AWS_REGION", "us-east-1"), ("AWS_ALLOW_HTTP", "true"), ("AWS_ENDPOINT", &s3)];
    let (child, base) = start_demo(&data, &env);

    // The bucket holds the photos, under the prefix; the data folder holds none.
    let listing = client.get(format!("{s3}/yuanxun-media?list-type=2&prefix=hospital-a/")).send().await.unwrap().text().await.unwrap();
    let keys: Vec<&str> = listing.split("<Key>").skip(1).filter_map(|k| k.split("</Key>").next()).collect();
    assert!(keys.len() >= 10 && keys.iter().all(|k| k.starts_with("hospital-a/") && k.ends_with(".jpg")), "{listing}");
    let local: usize = walk_files(&data.join("media"));
    assert_eq!(local, 0, "nothing under data/media");

    // A story's page shows its photo, read back from the bucket; so does its Word file.
    let list: serde_json::Value = client.get(format!("{base}/api/v1/articles?channel=news&limit=5")).send().await.unwrap().json().await.unwrap();
    let path = list[0]["url"].as_str().unwrap().to_string();
    let page = client.get(format!("{base}{path}")).send().await.unwrap().text().await.unwrap();
    let photo = page.split("src=\"/media/").nth(1).and_then(|s| s.split('"').next()).expect("a photo on the page");
    let r = client.get(format!("{base}/media/{photo}")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(&[0xFF, 0xD8]) && bytes.len() > 1000);
    let word = client.get(format!("{base}{}", path.replace(".html", ".docx"))).send().await.unwrap().bytes().await.unwrap();
    // Zip entry names are stored uncompressed: the photo is in the package.
    assert!(String::from_utf8_lossy(&word).contains("word/media/image1.jpg"), "the Word file embeds the photo from the bucket");
    stop(child);
}

/// How many files are under `dir` (0 when it does not exist).
fn walk_files(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries.flatten().map(|e| if e.path().is_dir() { walk_files(&e.path()) } else { 1 }).sum()
}

/// `yuanxun migrate` moves a SQLite hospital to an empty PostgreSQL database: every row, the
/// audit chain intact; serve then runs on PostgreSQL with the same stories and photos, and
/// new rows get new ids (the sequences moved past the copied ones). A second migrate into
/// the filled database is refused.
#[tokio::test]
async fn migrate_moves_a_sqlite_hospital_to_postgresql() {
    use sqlx::Executor;
    let mut c = postgres().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (child, base) = start_demo(&data, &[]);
    let list: serde_json::Value = reqwest::get(format!("{base}/api/v1/articles?limit=100")).await.unwrap().json().await.unwrap();
    stop(child);

    let name = new_database(&mut c, "migrate").await;
    let url = database_url(&name);
    let from = format!("sqlite:{}", data.display());
    let out = Command::new(BIN).args(["migrate", "--from", &from, "--to", &url]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text} {}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("逐表行数一致") && text.contains(&format!("{} 篇文章", list.as_array().unwrap().len())) && text.contains("哈希链完整"), "{text}");
    let again = Command::new(BIN).args(["migrate", "--from", &from, "--to", &url]).output().unwrap();
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("已有数据"), "{}", String::from_utf8_lossy(&again.stderr));

    // serve on PostgreSQL (with the SQLite file moved away): the same stories and photos,
    // and a new manuscript and audit row written after the copied ones.
    std::fs::rename(data.join("yuanxun.db"), dir.path().join("old.db")).unwrap();
    let (child, base) = start_demo(&data, &[("DATABASE_URL", &url)]);
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let moved: serde_json::Value = client.get(format!("{base}/api/v1/articles?limit=100")).send().await.unwrap().json().await.unwrap();
    assert_eq!(moved, list, "the same articles, ids and all");
    let page = client.get(format!("{base}{}", list[0]["url"].as_str().unwrap())).send().await.unwrap().text().await.unwrap();
    if let Some(photo) = page.split("src=\"/media/").nth(1).and_then(|s| s.split('"').next()) {
        assert_eq!(client.get(format!("{base}/media/{photo}")).send().await.unwrap().status(), 200);
    }
    let r = client.post(format!("{base}/api/v1/session")).json(&serde_json::json!({"username": "correspondent", "password": "Demo2026pass"})).send().await.unwrap();
    let csrf = r.json::<serde_json::Value>().await.unwrap()["csrf_token"].as_str().unwrap().to_string();
    // Were the sequences still at 1, the new row's id would collide with a copied one.
    let r = client
        .post(format!("{base}/api/v1/manuscripts"))
        .header("X-CSRF-Token", &csrf)
        .json(&serde_json::json!({"title": "迁移后的第一篇稿件", "channel_id": 1, "body_html": "<p>骨科开展义诊。</p>"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    stop(child);
    let audit = Command::new(BIN).args(["audit", "verify", "--data"]).arg(&data).env("DATABASE_URL", &url).output().unwrap();
    assert!(audit.status.success(), "{}", String::from_utf8_lossy(&audit.stdout));
    c.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await.unwrap();
}

/// Two `serve` processes on one PostgreSQL database (and one media folder) behave as one: a
/// story published through A shows on B's cached pages and in B's search within moments
/// (B follows the change feed); views counted by both add up; a story scheduled for
/// publication is published once, by the holder of the scheduler's lease.
#[tokio::test]
async fn two_serve_processes_on_one_database_behave_as_one() {
    use sqlx::{Connection, Executor, Row};
    use serde_json::json;
    let mut c = postgres().await;
    let name = new_database(&mut c, "nodes").await;
    let url = database_url(&name);
    let dir = tempfile::tempdir().unwrap();
    let media = format!("file://{}", dir.path().join("shared-media").display());
    let env = [("DATABASE_URL", url.as_str()), ("YUANXUN_MEDIA_URL", media.as_str())];
    let (a, base_a) = start_demo(&dir.path().join("a"), &env);
    let (b, base_b) = start_demo(&dir.path().join("b"), &env);
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let home_b = client.get(format!("{base_b}/")).send().await.unwrap().text().await.unwrap();
    assert!(home_b.contains("医院要闻"), "B serves the same hospital");

    // Published through A (every step on A).
    let api = |path: &str| format!("{base_a}/api/v1{path}");
    let mut csrf = String::new();
    let story = |title: &str| json!({"title": title, "channel_id": 1, "authors": "陈通讯员", "body_html": "<p>骨科专家走进社区开展义诊。</p>"});
    let login = |user: &'static str| {
        let client = client.clone();
        let api = api("/session");
        async move {
            let r = client.post(api).json(&json!({"username": user, "password": "Demo2026pass"})).send().await.unwrap();
            r.json::<serde_json::Value>().await.unwrap()["csrf_token"].as_str().unwrap().to_string()
        }
    };
    let mut through_review = async |title: &str, at: Option<String>| -> i64 {
        csrf = login("correspondent").await;
        let m: serde_json::Value = client.post(api("/manuscripts")).header("X-CSRF-Token", &csrf).json(&story(title)).send().await.unwrap().json().await.unwrap();
        let id = m["id"].as_i64().expect("created");
        client.post(api(&format!("/manuscripts/{id}/submit"))).header("X-CSRF-Token", &csrf).json(&json!({})).send().await.unwrap();
        for who in ["editor", "reviewer", "chief"] {
            csrf = login(who).await;
            let r = client.post(api(&format!("/manuscripts/{id}/decisions"))).header("X-CSRF-Token", &csrf).json(&json!({"verdict": "approve", "comment": "同意"})).send().await.unwrap();
            assert_eq!(r.status(), 200, "{who}");
        }
        csrf = login("editor").await;
        let body = match at {
            Some(t) => json!({ "at": t }),
            None => json!({}),
        };
        let r = client.post(api(&format!("/manuscripts/{id}/publish"))).header("X-CSRF-Token", &csrf).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 200);
        id
    };
    through_review("两个节点之间同步的新闻", None).await;
    let started = std::time::Instant::now();
    let mut seen = None;
    while started.elapsed() < std::time::Duration::from_secs(10) {
        let home = client.get(format!("{base_b}/")).send().await.unwrap().text().await.unwrap();
        if home.contains("两个节点之间同步的新闻") {
            seen = Some(started.elapsed());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let seen = seen.expect("B's cached home page shows the story published through A");
    eprintln!("published on A, on B's home page after {} ms", seen.as_millis());
    // (The result marks the words searched for: 两个<mark>节点</mark>之间….)
    let hit = "<mark>节点</mark>之间同步的新闻";
    let mut found = String::new();
    for _ in 0..40 {
        found = client.get(format!("{base_b}/search?q=节点")).send().await.unwrap().text().await.unwrap();
        if found.contains(hit) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(found.contains(hit), "B's search index has it");

    // Views counted on both nodes add up once both have written them (at shutdown).
    let list: serde_json::Value = client.get(format!("{base_b}/api/v1/articles?limit=1")).send().await.unwrap().json().await.unwrap();
    let (article, path) = (list[0]["id"].as_i64().unwrap(), list[0]["url"].as_str().unwrap().to_string());
    for (base, n) in [(&base_a, 3), (&base_b, 4)] {
        for _ in 0..n {
            assert_eq!(client.get(format!("{base}{path}")).send().await.unwrap().status(), 200);
        }
    }

    // Scheduled a few seconds ahead: both schedulers look, one publishes.
    let at = time::OffsetDateTime::now_utc() + time::Duration::seconds(2);
    let scheduled = through_review("定时发布只发一次", Some(at.format(&time::format_description::well_known::Rfc3339).unwrap())).await;
    let mut published = false;
    for _ in 0..100 {
        let list: serde_json::Value = client.get(format!("{base_b}/api/v1/articles?limit=5")).send().await.unwrap().json().await.unwrap();
        if list.as_array().unwrap().iter().any(|a| a["title"] == "定时发布只发一次") {
            published = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    assert!(published, "the scheduled story was published");
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    stop(a);
    stop(b);

    let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
    let views: i64 = sqlx::query("SELECT view_count FROM articles WHERE id = $1").bind(article).fetch_one(&mut db).await.unwrap().get(0);
    assert_eq!(views, 7, "3 views on A and 4 on B");
    let publishes: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log WHERE action = 'manuscript_publish' AND object_id = $1").bind(scheduled.to_string()).fetch_one(&mut db).await.unwrap().get(0);
    assert_eq!(publishes, 1, "published once");
    let articles: i64 = sqlx::query("SELECT COUNT(*) FROM articles WHERE manuscript_id = $1").bind(scheduled).fetch_one(&mut db).await.unwrap().get(0);
    assert_eq!(articles, 1);
    db.close().await.unwrap();
    c.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await.unwrap();
}

/// `yuanxun site add` makes a second hospital on the same deployment: its administrator's
/// password is printed once, serve answers its host name with its own site (and the first
/// hospital's at every other name), and `--site` picks it for export.
#[tokio::test]
async fn site_add_makes_a_second_hospital_answered_at_its_host_name() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (child, _) = start_demo(&data, &[]);
    stop(child);
    let add = |slug: &str, host: &str| Command::new(BIN).args(["site", "add", "--slug", slug, "--name", "市第二医院", "--host", host, "--admin", "cityadmin", "--data"]).arg(&data).output().unwrap();
    let out = add("city", "News.City-Hospital.example");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{text} {}", String::from_utf8_lossy(&out.stderr));
    let password = text.split("初始密码：").nth(1).and_then(|t| t.split('（').next()).expect("the password, once").to_string();
    for (slug, host, says) in [("City", "x.example", "--slug"), ("city", "y.example", "已有简称"), ("town", "news.city-hospital.example", "已属于另一个站点"), ("town", "http://t.example", "--host")] {
        let bad = add(slug, host);
        assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains(says), "{slug} {host}: {}", String::from_utf8_lossy(&bad.stderr));
    }
    let list = Command::new(BIN).args(["site", "list", "--data"]).arg(&data).output().unwrap();
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(text.contains("默认站点") && text.contains("city  市第二医院  news.city-hospital.example"), "{text}");

    let (child, base) = start_demo(&data, &[]);
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let city = |path: &str| client.get(format!("{base}{path}")).header(reqwest::header::HOST, "news.city-hospital.example:8080");
    let home = city("/").send().await.unwrap().text().await.unwrap();
    assert!(home.contains("市第二医院") && !home.contains("院讯示范医院"), "{home}");
    let first = client.get(format!("{base}/")).send().await.unwrap().text().await.unwrap();
    assert!(first.contains("院讯示范医院") && !first.contains("市第二医院"));
    let login = |host: &'static str| client.post(format!("{base}/api/v1/session")).header(reqwest::header::HOST, host).json(&serde_json::json!({"username": "cityadmin", "password": password}));
    assert_eq!(login("news.city-hospital.example").send().await.unwrap().status(), 200);
    assert_ne!(login("127.0.0.1").send().await.unwrap().status(), 200, "the first hospital has no such person");
    stop(child);

    let out = Command::new(BIN).args(["export", "--site", "city", "--public-url", "https://news.city-hospital.example", "--data"]).arg(&data).arg("--out").arg(dir.path().join("city-site")).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success() && text.contains("0 篇文章"), "{text} {}", String::from_utf8_lossy(&out.stderr));
    let index = std::fs::read_to_string(dir.path().join("city-site/index.html")).unwrap();
    assert!(index.contains("市第二医院") && !index.contains("院讯示范医院"), "{index}");
    // Each hospital signs its export with its own key.
    let first = Command::new(BIN).args(["export", "--public-url", "https://news.example.cn", "--data"]).arg(&data).arg("--out").arg(dir.path().join("first-site")).output().unwrap();
    let key = |t: &str| t.split("公钥：").nth(1).map(|k| k.trim().to_string()).expect("a public key");
    assert_ne!(key(&text), key(&String::from_utf8_lossy(&first.stdout)));
    let crossed = Command::new(BIN).args(["verify", "--site", "city", "--data"]).arg(&data).arg("--dir").arg(dir.path().join("first-site")).output().unwrap();
    assert_eq!(crossed.status.code(), Some(1), "the first hospital's export does not verify as the second's: {}", String::from_utf8_lossy(&crossed.stdout));
    let bad = Command::new(BIN).args(["report", "--site", "nowhere", "--period", "2025", "--data"]).arg(&data).output().unwrap();
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("没有简称为 nowhere 的站点"));
}

/// `serve` reads manuscripts with the system's language model: it answers at once and
/// loads the model beside (seconds); a model path that cannot be read stops the start
/// with the reason, before anything is created.
#[test]
fn serve_loads_the_language_model_beside_and_refuses_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("not-a-model.lm");
    std::fs::write(&bad, b"this is not a KenLM file").unwrap();
    let out = Command::new(BIN).args(["serve", "--listen", "127.0.0.1:0", "--model"]).arg(&bad).arg("--data").arg(dir.path().join("a")).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("无法读取语言模型") && err.contains("not-a-model.lm"), "{err}");
    assert!(!dir.path().join("a").join("yuanxun.db").exists(), "nothing was created");

    let mut child = Killed(
        Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(dir.path().join("b"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let lines = BufReader::new(child.0.stderr.take().unwrap()).lines();
    let loaded = lines.map(|l| l.unwrap()).find(|l| l.contains("语言模型已载入")).expect("serve says when the model is loaded");
    assert!(loaded.contains("zh_CN.lm"), "{loaded}");
}
