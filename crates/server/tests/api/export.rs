//! The static export: every public page, feed and photo as files, a manifest of their
//! SHA-256 and sizes signed with the site's Ed25519 key, and a new copy that replaces the old
//! one only when complete.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::json;
use sha2::{Digest, Sha256};
use yuanxun_server::services::export;

use crate::helpers::spawn_app;
use crate::site_article::story_in;

/// Checks an export folder against its signed manifest: same files, same hashes.
async fn assert_consistent(state: &yuanxun_server::AppState, out: &Path) -> BTreeMap<String, Vec<u8>> {
    let files = walk(out);
    let key = export::signing_key(state).await.unwrap().verifying_key();
    let (manifest, parts) = export::read_manifest(out, &key).expect("the manifest's signature verifies, and so does every part's hash");
    let listed: BTreeMap<String, (String, u64)> = manifest.files.iter().chain(&parts).map(|f| (f.path.clone(), (f.sha256.clone(), f.size))).collect();
    let actual: BTreeMap<String, (String, u64)> = files.iter().map(|(p, b)| (p.clone(), (hex::encode(Sha256::digest(b)), b.len() as u64))).collect();
    assert_eq!(listed, actual, "the manifest lists exactly the files (and its own parts), with their hashes");
    files
}

/// Every file under `root` (relative path → bytes), manifest files excluded.
fn walk(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                if !rel.starts_with("manifest.") {
                    out.insert(rel, std::fs::read(&p).unwrap());
                }
            }
        }
    }
    out
}

/// Publishes story `i` of a long run straight through the store (no review: these tests
/// are about the export of many stories), written by the author of manuscript `like`, in
/// `channel`, dated `at`. Returns the manuscript and article ids.
async fn publish_numbered(state: &yuanxun_server::AppState, like: i64, i: i64, channel: i64, at: i64) -> (i64, i64) {
    use yuanxun_store::{articles, manuscripts};
    let site = state.site_id();
    let mut c = state.store.conn().await.unwrap();
    let m = manuscripts::get(&mut c, site, like).await.unwrap();
    let title = format!("第{i}篇：门诊楼启用新的自助服务区");
    let content = manuscripts::Content { title: title.clone(), subtitle: String::new(), authors: "宣传部".into(), photographers: String::new(), body_html: format!("<p>第{i}篇报道的正文。</p>") };
    let ms = manuscripts::create(&mut c, site, m.author_id, m.department_id, channel, &content).await.unwrap();
    let a = articles::NewArticle { manuscript_id: ms.id, channel_id: channel, title: &title, subtitle: "", authors: "宣传部", photographers: "", body_html: &content.body_html, source: "", editor: "", responsible_editor: "", cover_media_id: None, published_at: at };
    (ms.id, articles::publish(&mut c, site, &a).await.unwrap())
}

#[tokio::test]
async fn the_site_exports_as_signed_static_files_replaced_whole() {
    let app = spawn_app().await;
    let (_, with_photo) = story_in(&app, app.fx.news, "骨科举办关爱骨骼健康义诊", "<p>骨科专家为居民提供骨密度检测。</p>", &["义诊现场"]).await;
    let (_, plain) = story_in(&app, app.fx.news, "护理部举办护理技能竞赛", "<p>四十名护士参加比赛。</p>", &[]).await;
    let (gone_id, gone) = story_in(&app, app.fx.news, "一篇随后撤下的稿件", "<p>内容有误。</p>", &[]).await;
    let editor = app.api("editor").await;
    assert_eq!(editor.post(&format!("/manuscripts/{gone_id}/retract"), json!({"reason": "信息有误"})).await.0, 200);

    let state = app.running.as_ref().unwrap().state.clone();
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("site");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("stale.html"), "an old file").unwrap();
    let seen = std::sync::Mutex::new(Vec::new());
    let report = export::export(&state, &out, "https://news.example.cn/", |d, t| seen.lock().unwrap().push((d, t))).await.unwrap();
    assert_eq!(report.articles, 2);
    assert_eq!(seen.lock().unwrap().last(), Some(&(2, 2)), "progress reaches the end");

    // Pages, feeds, sitemap, styles and the photo; not the retracted story, not the old file.
    let files = walk(&out);
    for path in ["index.html", "404.html", "channel/news/index.html", "channel/notices/index.html", "feed.xml", "channel/news/feed.xml", "sitemap.xml", "robots.txt"] {
        assert!(files.contains_key(path), "{path} in {:?}", files.keys().collect::<Vec<_>>());
    }
    assert!(files.contains_key(&with_photo[1..]) && files.contains_key(&plain[1..]));
    assert!(!files.contains_key(&gone[1..]), "a retracted story is not exported");
    assert!(!files.contains_key("stale.html"), "the old copy was replaced whole");
    assert!(files.keys().any(|p| p.starts_with("media/") && p.ends_with(".jpg")), "the photo is exported");
    assert!(files.keys().any(|p| p.starts_with("static/site.") && p.ends_with(".css")));
    let home = String::from_utf8(files["index.html"].clone()).unwrap();
    assert!(home.contains("<link rel=\"canonical\" href=\"https://news.example.cn/\">"), "addresses use the public URL");
    assert!(!home.contains("action=\"/search\"") && !home.contains("/reader?"), "no server-only features in a static copy");
    let page = String::from_utf8(files[&with_photo[1..]].clone()).unwrap();
    assert!(page.contains("骨科专家为居民提供骨密度检测") && !page.contains("浏览次数") && !page.contains("下载Word文档"));
    let index = String::from_utf8(files["sitemap.xml"].clone()).unwrap();
    assert!(index.contains("<loc>https://news.example.cn/sitemaps/pages.xml</loc>") && index.contains("<loc>https://news.example.cn/sitemaps/0.xml</loc>"), "{index}");
    let sitemap = String::from_utf8(files["sitemaps/0.xml"].clone()).unwrap();
    assert!(sitemap.contains(&format!("https://news.example.cn{plain}")) && !sitemap.contains(&gone));

    // The manifest lists exactly these files with their hashes and sizes, and its signature
    // verifies with the site's key; a changed manifest does not.
    // The article pages and photos are listed in parts (manifest/news/0.json, …) whose hashes
    // the signed manifest.json records.
    let json = std::fs::read(out.join("manifest.json")).unwrap();
    let sig = std::fs::read_to_string(out.join("manifest.sig")).unwrap();
    let key = export::signing_key(&state).await.unwrap().verifying_key();
    let (manifest, parts) = export::read_manifest(&out, &key).unwrap();
    assert!(parts.iter().any(|p| p.path == "manifest/news/0.json") && files.contains_key("manifest/news/0.json"), "{parts:?}");
    let listed: BTreeMap<String, (String, u64)> = manifest.files.iter().chain(&parts).map(|f| (f.path.clone(), (f.sha256.clone(), f.size))).collect();
    let actual: BTreeMap<String, (String, u64)> = files.iter().map(|(p, b)| (p.clone(), (hex::encode(Sha256::digest(b)), b.len() as u64))).collect();
    assert_eq!(listed, actual);
    assert_eq!(manifest.public_key, hex::encode(key.to_bytes()));
    assert!(export::verify_signature(&json, &sig, &key));
    let mut forged = json.clone();
    let at = forged.iter().position(|&b| b == b'0').unwrap();
    forged[at] = b'1';
    assert!(!export::verify_signature(&forged, &sig, &key), "any change breaks the signature");

    // Exporting again keeps the key and leaves no temporary folders behind.
    let again = export::export(&state, &out, "https://news.example.cn", |_, _| {}).await.unwrap();
    assert_eq!(again.public_key, report.public_key);
    let names: Vec<String> = std::fs::read_dir(parent.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["site"]);
}

/// The export walks each channel in batches (neighbours and list pages carried across
/// them); every page must still be exactly what the site renders for that address on its
/// own. 500 stories in one channel (two batches and a part), some published in the same
/// second, one retracted between batches, one with a photo; a few in another channel.
#[tokio::test]
async fn a_large_channel_exports_page_for_page_as_the_site_renders_it() {
    use yuanxun_server::routes::public::{self, View};
    use yuanxun_store::articles;
    let app = spawn_app().await;
    let (first, _) = story_in(&app, app.fx.news, "骨科举办关爱骨骼健康义诊", "<p>骨科专家为居民提供骨密度检测。</p>", &["义诊现场"]).await;
    let state = app.running.as_ref().unwrap().state.clone();
    let site = state.site_id();
    let mut ids = Vec::new();
    for i in 0..504i64 {
        let channel = if i % 100 == 7 { app.fx.notices } else { app.fx.news };
        ids.push(publish_numbered(&state, first, i, channel, 1_700_000_000 + (i / 3) * 60).await.1);
    }
    let mut c = state.store.conn().await.unwrap();
    articles::retract(&mut c, site, ids[250], "测试撤下").await.unwrap();
    drop(c);

    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("site");
    let report = export::export(&state, &out, "https://news.example.cn", |_, _| {}).await.unwrap();
    assert_eq!(report.articles, 504, "504 live: 500 new, less one retracted, and the first");
    let files = assert_consistent(&state, &out).await;
    let view = View::export("https://news.example.cn");
    let mut pages = 0;
    for (path, bytes) in &files {
        let html = String::from_utf8_lossy(bytes);
        let expected = if let Some(id) = path.strip_prefix("news/").and_then(|p| p.strip_suffix(".html")) {
            public::render_article(&state, &view, id.parse().unwrap()).await
        } else if let Some(rest) = path.strip_prefix("channel/").filter(|p| p.ends_with(".html")) {
            let (slug, page) = match rest.split_once('/') {
                Some((slug, "index.html")) => (slug, public::ExportPage::Index),
                Some((slug, p)) => (slug, public::ExportPage::Archive(p.strip_prefix("archive/").unwrap().trim_end_matches(".html").parse().unwrap())),
                None => unreachable!(),
            };
            let mut c = state.store.conn().await.unwrap();
            let chans = yuanxun_store::sites::list_channels(&mut c, site).await.unwrap();
            let ch = chans.iter().find(|c| c.slug == slug).unwrap().clone();
            let total = articles::count_live(&mut c, site, Some(ch.id)).await.unwrap();
            drop(c);
            Ok::<_, axum::response::Response>((axum::http::StatusCode::OK, public::render_export_channel(&state, &view, &ch, &chans, public::ExportPages { total }, page).await.unwrap()))
        } else {
            continue;
        };
        let expected = expected.unwrap().1;
        if html != expected {
            let (got, want) = html.lines().zip(expected.lines()).find(|(a, b)| a != b).unwrap_or_default();
            panic!("{path} differs from the site's page:\n export: {got}\n   site: {want}");
        }
        pages += 1;
    }
    // 504 article pages; the news channel's 499 live stories make its index (the newest 39)
    // and 23 archive pages of 20, the notices' five one page.
    assert_eq!(pages, 504 + 24 + 1);
    assert!(files.contains_key("channel/news/archive/23.html") && !files.contains_key("channel/news/archive/24.html"));
    let oldest = String::from_utf8_lossy(&files["channel/news/archive/1.html"]).into_owned();
    // The oldest 20 are 第0篇 to 第20篇 less 第7篇 (in the other channel); the story made
    // through the newsroom was published last.
    assert!(oldest.contains("第0篇：") && oldest.contains("第20篇：") && !oldest.contains("第21篇：") && !oldest.contains("下一页"), "the first archive page holds the oldest 20, and nothing is older: {oldest}");
    assert!(!files.contains_key(&format!("news/{}.html", ids[250])));
}

#[tokio::test]
async fn serve_keeps_its_export_up_to_date_on_publish_and_retract() {
    let app = spawn_app().await;
    let state = app.running.as_ref().unwrap().state.clone();
    let out = app.data().join("export");
    let (_, oldest) = story_in(&app, app.fx.news, "药学部开展合理用药宣传周活动", "<p>活动持续一周。</p>", &[]).await;
    let files = assert_consistent(&state, &out).await;
    assert!(files.contains_key(&oldest[1..]), "the first publish made the export");
    let (_, first) = story_in(&app, app.fx.news, "心内科开展胸痛中心质控培训", "<p>培训覆盖全院。</p>", &[]).await;
    let untouched = std::fs::metadata(out.join(&oldest[1..])).unwrap().modified().unwrap();

    let (id, second) = story_in(&app, app.fx.news, "急诊科开展批量伤员救治演练", "<p>演练模拟交通事故。</p>", &["演练现场"]).await;
    let files = assert_consistent(&state, &out).await;
    assert!(files.contains_key(&second[1..]), "a publish adds its page");
    assert!(String::from_utf8_lossy(&files["index.html"]).contains("急诊科开展批量伤员救治演练"), "and updates the home page");
    assert!(String::from_utf8_lossy(&files["feed.xml"]).contains("急诊科开展批量伤员救治演练"));
    assert!(files.keys().any(|p| p.starts_with("media/")), "with its photo");
    assert_eq!(std::fs::metadata(out.join(&oldest[1..])).unwrap().modified().unwrap(), untouched, "other articles are not rewritten");
    assert!(String::from_utf8_lossy(&files[&first[1..]]).contains("急诊科开展批量伤员救治演练"), "but the one before it links to it (下一篇)");

    let editor = app.api("editor").await;
    assert_eq!(editor.post(&format!("/manuscripts/{id}/retract"), json!({"reason": "演练信息有误"})).await.0, 200);
    let files = assert_consistent(&state, &out).await;
    assert!(!files.contains_key(&second[1..]), "a retraction removes its page");
    assert!(!files.keys().any(|p| p.starts_with("media/")), "and its photo");
    assert!(!String::from_utf8_lossy(&files["index.html"]).contains("急诊科开展批量伤员救治演练"));
}

#[tokio::test]
async fn the_tamper_check_reports_five_kinds_of_defacement_and_restore_undoes_them() {
    let app = spawn_app().await;
    let state = app.running.as_ref().unwrap().state.clone();
    let out = app.data().join("export");
    let (_, story) = story_in(&app, app.fx.news, "骨科举办关爱骨骼健康义诊", "<p>骨科专家为居民提供骨密度检测。</p>", &["义诊现场"]).await;
    story_in(&app, app.fx.news, "护理部举办护理技能竞赛", "<p>四十名护士参加比赛。</p>", &[]).await;
    assert_eq!(yuanxun_server::services::guard::verify_dir(&state, &out).await.unwrap(), vec![], "a fresh export is clean");

    // What defacers do to hospital sites.
    let page = out.join(&story[1..]);
    let html = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, html.replacen("<title>骨科举办关爱骨骼健康义诊", "<title>澳门葡京娱乐城官方网站", 1)).unwrap();
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    std::fs::write(out.join("index.html"), home.replacen("</footer>", "</footer><div style=\"display:none\"><a href=\"https://casino.example/\">在线娱乐</a></div>", 1)).unwrap();
    let list = std::fs::read_to_string(out.join("channel/news/index.html")).unwrap();
    let script = "<script>if(document.referrer.indexOf('baidu')>-1){window.location.href='https://casino.example/'}</script>";
    std::fs::write(out.join("channel/news/index.html"), list.replacen("</head>", &format!("{script}</head>"), 1)).unwrap();
    std::fs::remove_file(out.join("feed.xml")).unwrap();
    std::fs::write(out.join("news/shell.html"), "<p>hello</p>").unwrap();

    let problems: Vec<String> = yuanxun_server::services::guard::verify_dir(&state, &out).await.unwrap().iter().map(|p| p.to_string()).collect();
    for expected in [
        format!("{}：出现涉赌涉黄词语“葡京”", &story[1..]),
        format!("{}：文件被修改", &story[1..]),
        "index.html：隐藏链接 https://casino.example/（display:none）".to_string(),
        "channel/news/index.html：可疑跳转脚本（按来源页（document.referrer）跳转）".to_string(),
        "feed.xml：文件缺失".to_string(),
        "news/shell.html：多出的文件（不是发布系统生成的）".to_string(),
    ] {
        assert!(problems.contains(&expected), "{expected} in {problems:#?}");
    }

    // serve's scheduled check shows it to admins (not to editors).
    let admin = app.web("admin").await;
    let mut shown = false;
    for _ in 0..50 {
        if admin.get("/admin/manuscripts").await.1.contains("网站文件检查发现") {
            shown = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(shown, "the admin is alerted");
    assert!(!app.web("editor").await.get("/admin/manuscripts").await.1.contains("网站文件检查发现"));

    // Restore from the database: every damaged file rewritten, the extra one gone.
    yuanxun_server::services::guard::restore(&state, &out).await.unwrap();
    assert_eq!(yuanxun_server::services::guard::verify_dir(&state, &out).await.unwrap(), vec![]);
    assert!(!out.join("news/shell.html").exists() && out.join("feed.xml").exists());
    assert!(std::fs::read_to_string(&page).unwrap().contains("<title>骨科举办关爱骨骼健康义诊"));

    // A manifest edited to cover the tracks no longer carries the site's signature.
    let json = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    std::fs::write(out.join("manifest.json"), json.replacen("\"size\": ", "\"size\":  ", 1)).unwrap();
    let problems = yuanxun_server::services::guard::verify_dir(&state, &out).await.unwrap();
    assert!(matches!(problems.first(), Some(yuanxun_guard::Problem::BadManifest { .. })), "{problems:?}");

    // So does a part of it edited to match a defaced page: the signed index holds each
    // part's hash.
    yuanxun_server::services::guard::restore(&state, &out).await.unwrap();
    let part = out.join("manifest/news/0.json");
    let defaced = "<html><body>澳门葡京</body></html>";
    std::fs::write(&page, defaced).unwrap();
    let mut listing: serde_json::Value = serde_json::from_slice(&std::fs::read(&part).unwrap()).unwrap();
    let rel = page.strip_prefix(&out).unwrap().to_string_lossy().replace('\\', "/");
    for e in listing["files"].as_array_mut().unwrap().iter_mut().filter(|e| e["path"] == rel.as_str()) {
        e["sha256"] = json!(hex::encode(Sha256::digest(defaced)));
        e["size"] = json!(defaced.len());
    }
    std::fs::write(&part, serde_json::to_vec(&listing).unwrap()).unwrap();
    let problems: Vec<String> = yuanxun_server::services::guard::verify_dir(&state, &out).await.unwrap().iter().map(|p| p.to_string()).collect();
    assert!(problems.contains(&"清单不可信：清单分卷 manifest/news/0.json 与 manifest.json 所记不符（被改动过）".to_string()), "{problems:#?}");
}

/// A web server for an export folder that cloaks: spiders and visitors from search engines
/// get a casino page, readers the real one — what the file check alone cannot see.
async fn cloaking_server(root: std::path::PathBuf) -> String {
    use axum::http::{header, HeaderMap, Uri};
    let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap| {
        let root = root.clone();
        async move {
            let path = uri.path().trim_start_matches('/');
            let path = if path.is_empty() { "index.html" } else { path };
            let Ok(mut body) = std::fs::read(root.join(path)) else { return (axum::http::StatusCode::NOT_FOUND, Vec::new()) };
            let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
            let referer = headers.get(header::REFERER).and_then(|v| v.to_str().ok()).unwrap_or_default();
            if path == "index.html" && (ua.contains("Baiduspider") || referer.contains("baidu.com")) {
                body = String::from_utf8_lossy(&body).replacen("<title>", "<title>皇冠体育-", 1).into_bytes();
            }
            (axum::http::StatusCode::OK, body)
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn the_tamper_check_over_http_catches_cloaking_and_changed_files() {
    let app = spawn_app().await;
    let state = app.running.as_ref().unwrap().state.clone();
    let (_, story) = story_in(&app, app.fx.news, "儿科开设冬季夜间门诊", "<p>接诊时间延长至晚上九点。</p>", &["候诊区"]).await;
    // A copy deployed elsewhere (the serve-kept export is still being checked by serve).
    let copy = tempfile::tempdir().unwrap();
    let site = copy.path().join("site");
    export::export(&state, &site, "http://news.example.cn", |_, _| {}).await.unwrap();
    let base = cloaking_server(site.clone()).await;

    let problems: Vec<String> = yuanxun_server::services::guard::verify_url(&state, &base).await.unwrap().iter().map(|p| p.to_string()).collect();
    assert!(problems.contains(&"index.html：对搜索引擎爬虫显示的内容与普通访客不同".to_string()), "{problems:#?}");
    assert!(problems.contains(&"index.html：对从搜索引擎点进来的访客显示的内容与普通访客不同".to_string()), "{problems:#?}");
    assert_eq!(problems.len(), 2, "nothing else: {problems:#?}");

    // Files changed or removed on the web server are seen too.
    std::fs::write(site.join(&story[1..]), "<html><body>被篡改</body></html>").unwrap();
    std::fs::remove_file(site.join("robots.txt")).unwrap();
    let problems: Vec<String> = yuanxun_server::services::guard::verify_url(&state, &base).await.unwrap().iter().map(|p| p.to_string()).collect();
    assert!(problems.contains(&format!("{}：文件被修改", &story[1..])) && problems.contains(&"robots.txt：文件缺失".to_string()), "{problems:#?}");

    // A manifest without the site's signature is not believed.
    std::fs::write(site.join("manifest.sig"), "00").unwrap();
    let problems = yuanxun_server::services::guard::verify_url(&state, &base).await.unwrap();
    assert!(matches!(problems.as_slice(), [yuanxun_guard::Problem::BadManifest { .. }]), "{problems:?}");
}

#[tokio::test]
async fn exports_trust_only_the_database_never_the_folder() {
    use yuanxun_guard::Problem;
    use yuanxun_server::services::guard;
    let app = spawn_app().await;
    let state = app.running.as_ref().unwrap().state.clone();
    story_in(&app, app.fx.news, "骨科举办关爱骨骼健康义诊", "<p>骨科专家为居民提供骨密度检测。</p>", &[]).await;

    // `export --public-url` is remembered in the database; a manifest edited to point the
    // site elsewhere is not believed by `verify --restore`.
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("site");
    export::export(&state, &out, "https://news.hospital.example", |_, _| {}).await.unwrap();
    let json = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    std::fs::write(out.join("manifest.json"), json.replace("https://news.hospital.example", "https://evil.example")).unwrap();
    assert!(matches!(guard::verify_dir(&state, &out).await.unwrap().first(), Some(Problem::BadManifest { .. })));
    guard::restore(&state, &out).await.unwrap();
    let restored = export::read_manifest(&out, &export::signing_key(&state).await.unwrap().verifying_key()).unwrap().0;
    assert_eq!(restored.base_url, "https://news.hospital.example", "the address comes from the database");
    let feed = std::fs::read_to_string(out.join("feed.xml")).unwrap();
    assert!(!feed.contains("evil.example") && feed.contains("https://news.hospital.example/news/"), "{feed}");
    assert_eq!(guard::verify_dir(&state, &out).await.unwrap(), vec![]);

    // serve's kept export: an unsigned manifest on disk (here hiding a planted page) is not
    // updated in place but written anew at the next publish.
    let kept = app.data().join("export");
    std::fs::write(kept.join("news/planted.html"), "<p>澳门葡京</p>").unwrap();
    let mut m: export::Manifest = serde_json::from_slice(&std::fs::read(kept.join("manifest.json")).unwrap()).unwrap();
    m.files.push(export::Entry { path: "news/planted.html".into(), sha256: hex::encode(Sha256::digest(b"<p>\xe6\xbe\xb3\xe9\x97\xa8\xe8\x91\xa1\xe4\xba\xac</p>")), size: 20 });
    m.base_url = "https://evil.example".into();
    std::fs::write(kept.join("manifest.json"), serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    story_in(&app, app.fx.news, "护理部举办护理技能竞赛", "<p>四十名护士参加比赛。</p>", &[]).await;
    assert!(!kept.join("news/planted.html").exists(), "the whole export was written anew");
    assert_consistent(&state, &kept).await;
    let m = export::read_manifest(&kept, &export::signing_key(&state).await.unwrap().verifying_key()).unwrap().0;
    assert_eq!(m.base_url, "https://news.hospital.example", "its address is the database's (the last export's), not the planted manifest's");

    // A path that climbs out, even in a manifest signed with the site's own key, is a
    // finding and is never deleted; links inside the folder are findings, never followed.
    let victim = app.data().join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    let key = export::signing_key(&state).await.unwrap();
    let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(kept.join("manifest.json")).unwrap()).unwrap();
    m["files"].as_array_mut().unwrap().push(json!({"path": "channel/news/page/../../../victim.txt", "sha256": "0".repeat(64), "size": 7}));
    let json = serde_json::to_vec_pretty(&m).unwrap();
    std::fs::write(kept.join("manifest.sig"), yuanxun_guard::sign(&json, &key)).unwrap();
    std::fs::write(kept.join("manifest.json"), &json).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/etc", kept.join("news/etc")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", kept.join("news/passwd.html")).unwrap();
    }
    let problems: Vec<String> = guard::verify_dir(&state, &kept).await.unwrap().iter().map(|p| p.to_string()).collect();
    assert!(problems.iter().any(|p| p.starts_with("channel/news/page/../../../victim.txt：路径指向导出目录以外")), "{problems:#?}");
    #[cfg(unix)]
    for link in ["news/etc", "news/passwd.html"] {
        assert!(problems.contains(&format!("{link}：符号链接或特殊文件（发布系统不会生成），未跟随读取")), "{link}: {problems:#?}");
    }
    story_in(&app, app.fx.news, "急诊科开展批量伤员救治演练", "<p>演练模拟交通事故。</p>", &[]).await;
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me", "nothing outside the export is touched");
}

/// A publication rewrites only what it changes (its page and its neighbours', the index and
/// the newest archive pages of its channel, its sitemap part), and what it leaves must still
/// be right: after each step the updated export holds exactly the files a fresh export of
/// the same database would write. Steps: stories arriving until an archive page fills,
/// one published between older ones, an old one retracted (every later page moves), an old
/// one corrected.
#[tokio::test]
async fn an_updated_export_equals_a_fresh_one_after_every_kind_of_change() {
    use yuanxun_store::articles;
    let app = spawn_app().await;
    let (first, _) = story_in(&app, app.fx.news, "骨科举办关爱骨骼健康义诊", "<p>骨科专家为居民提供骨密度检测。</p>", &["义诊现场"]).await;
    let state = app.running.as_ref().unwrap().state.clone();
    let site = state.site_id();
    let publish = |i: i64, at: i64| publish_numbered(&state, first, i, app.fx.news, at);
    let mut made = Vec::new();
    for i in 0..37 {
        made.push(publish(i, 1_700_000_000 + i * 60).await);
    }
    let parent = tempfile::tempdir().unwrap();
    let (out, fresh) = (parent.path().join("site"), parent.path().join("fresh"));
    export::export(&state, &out, "https://news.example.cn", |_, _| {}).await.unwrap();
    let same = |step: &'static str| {
        let (state, out, fresh) = (state.clone(), out.clone(), fresh.clone());
        async move {
            export::export(&state, &fresh, "https://news.example.cn", |_, _| {}).await.unwrap();
            let (got, want) = (assert_consistent(&state, &out).await, walk(&fresh));
            let paths = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
            assert_eq!(paths(&got), paths(&want), "{step}: the same files");
            for (path, bytes) in &want {
                assert!(got[path] == *bytes, "{step}: {path} differs from a fresh export's:\n{}", String::from_utf8_lossy(&got[path]));
            }
        }
    };
    // 38 stories in the channel (the index shows 38); the 39th and 40th fill the second
    // block: archive page 1 appears and the index shows 20; on to archive page 3.
    for i in 37..81 {
        let (ms, _) = publish(i, 1_800_000_000 + i).await;
        export::update(&state, &out, ms).await.unwrap();
        same("a new story").await;
    }
    assert!(out.join("channel/news/archive/3.html").exists() && !out.join("channel/news/archive/4.html").exists());
    // An archive page missing from the export and its manifest (as in an export made before
    // archive pages) is written by the next update.
    {
        let key = export::signing_key(&state).await.unwrap();
        let mut m = yuanxun_guard::Stored::open(|p: &str| std::fs::read(out.join(p)).ok(), &key.verifying_key()).unwrap();
        m.remove("channel/news/archive/1.html").unwrap();
        for (path, bytes) in m.save(&key, 0).unwrap().files {
            std::fs::write(out.join(path), bytes).unwrap();
        }
        std::fs::remove_file(out.join("channel/news/archive/1.html")).unwrap();
    }
    let (ms, _) = publish(81, 1_800_000_081).await;
    export::update(&state, &out, ms).await.unwrap();
    same("an archive page the export lacked").await;
    // One dated between older stories: it lands on archive page 1.
    let (ms, _) = publish(99, 1_700_000_030).await;
    export::update(&state, &out, ms).await.unwrap();
    same("a story between older ones").await;
    // An old one retracted: every later page moves by one.
    {
        let mut c = state.store.conn().await.unwrap();
        articles::retract(&mut c, site, made[3].1, "测试撤下").await.unwrap();
    }
    export::update(&state, &out, made[3].0).await.unwrap();
    same("an old story retracted").await;
    // An old one corrected: its title changes on its list page and its neighbours' pages.
    {
        let mut c = state.store.conn().await.unwrap();
        articles::correct(&mut c, site, made[10].1, "更正后的标题：门诊楼自助服务区启用", "", "<p>更正后的正文。</p>").await.unwrap();
    }
    export::update(&state, &out, made[10].0).await.unwrap();
    same("an old story corrected").await;
    // Retractions until archive page 3 is gone again.
    for (ms, id) in made.iter().take(8).skip(4) {
        let mut c = state.store.conn().await.unwrap();
        articles::retract(&mut c, site, *id, "测试撤下").await.unwrap();
        drop(c);
        export::update(&state, &out, *ms).await.unwrap();
        same("a page fewer").await;
    }
    assert!(!out.join("channel/news/archive/3.html").exists() && out.join("channel/news/archive/2.html").exists());
}
