//! End to end in headless Chromium: a correspondent uploads a Word story with a photo and
//! submits it; three reviewers approve at their levels; the editor publishes; the article
//! shows on the public site with its photo and meta line. A correspondent imported from
//! Excel earns points that reach the ranking and the half-year report. Screenshots go to
//! target/screenshots/.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};

use crate::helpers::{libreoffice_docx, spawn_app, PASSWORD};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn browser() -> (Driver, Client) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver must be installed for the browser test: apt-get install chromium chromium-driver");
    let driver = Driver(child);
    let profile = tempfile::tempdir().unwrap().keep();
    let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1280,1000", format!("--user-data-dir={}", profile.display())]
        }
    }))
    .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        let mut b = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
        b.capabilities(caps.clone());
        if let Ok(c) = b.connect(&url).await {
            return (driver, c);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("could not start a Chromium session through chromedriver");
}

fn shots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn login(c: &Client, base: &str, user: &str) {
    c.goto(&format!("{base}/admin/login")).await.unwrap();
    c.find(Locator::Css("input[name=username]")).await.unwrap().send_keys(user).await.unwrap();
    c.find(Locator::Css("input[name=password]")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    c.find(Locator::Css(".login button[type=submit]")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("header nav")).await.unwrap();
}

async fn logout(c: &Client) {
    c.find(Locator::Css("form[action='/admin/logout'] button")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css(".login")).await.unwrap();
}

async fn click_button(c: &Client, text: &str) {
    let xpath = format!("//button[normalize-space()='{text}']");
    c.find(Locator::XPath(&xpath)).await.unwrap_or_else(|_| panic!("no button {text}")).click().await.unwrap();
}

#[tokio::test]
async fn correspondent_to_public_article_in_chromium() {
    let app = spawn_app().await;
    let base = app.base.clone();
    let work = tempfile::tempdir().unwrap();
    let docx = libreoffice_docx(work.path(), "骨科开展关爱骨骼健康义诊");
    let (_driver, c) = browser().await;

    login(&c, &base, "corr_a").await;
    c.goto(&format!("{base}/admin/manuscripts/new")).await.unwrap();
    c.find(Locator::Css("details.import input[type=file]")).await.unwrap().send_keys(&docx.display().to_string()).await.unwrap();
    c.find(Locator::Css("details.import button")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css(".paper h1")).await.unwrap();
    let url = c.current_url().await.unwrap();
    let path = url.path().to_string();
    assert!(c.find(Locator::Css(".paper .body img")).await.is_ok(), "the photo came in from Word");
    // The editor offers the manuscript's photo for insertion at the cursor.
    c.goto(&format!("{base}{path}/edit")).await.unwrap();
    let before = c.find_all(Locator::Css(".rich img")).await.unwrap().len();
    c.find(Locator::Css(".library .insert-existing")).await.unwrap().click().await.unwrap();
    assert_eq!(c.find_all(Locator::Css(".rich img")).await.unwrap().len(), before + 1, "one click inserts the photo");
    std::fs::write(shots().join("editor.png"), c.screenshot().await.unwrap()).unwrap();
    c.goto(&format!("{base}{path}")).await.unwrap();
    click_button(&c, "提交审核").await;
    c.wait().for_element(Locator::Css(".flash")).await.unwrap();
    assert!(c.source().await.unwrap().contains("待初审"));
    logout(&c).await;

    for (i, user) in ["editor", "reviewer", "chief"].into_iter().enumerate() {
        login(&c, &base, user).await;
        c.goto(&format!("{base}/admin/review")).await.unwrap();
        c.find(Locator::LinkText("骨科开展关爱骨骼健康义诊")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Css("form.decide")).await.unwrap();
        if i == 2 {
            let png = c.screenshot().await.unwrap();
            std::fs::write(shots().join("review-final-level.png"), png).unwrap();
        }
        c.find(Locator::Css("form.decide textarea")).await.unwrap().send_keys("同意发布").await.unwrap();
        click_button(&c, "审核通过").await;
        c.wait().for_element(Locator::Css(".flash")).await.unwrap();
        logout(&c).await;
    }

    login(&c, &base, "editor").await;
    c.goto(&format!("{base}{path}")).await.unwrap();
    c.find(Locator::Css("form.publish button")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css(".flash")).await.unwrap();
    let link = c.find(Locator::Css("a[href^='/news/']")).await.unwrap().attr("href").await.unwrap().unwrap();
    logout(&c).await;

    c.goto(&format!("{base}{link}")).await.unwrap();
    let h1 = c.find(Locator::Css(".story h1")).await.unwrap().text().await.unwrap();
    assert_eq!(h1, "骨科开展关爱骨骼健康义诊");
    let meta = c.find(Locator::Css(".story .meta")).await.unwrap().text().await.unwrap();
    for part in ["发布日期", "来源：骨科", "编辑：王编辑", "责任编辑：赵总编", "浏览次数"] {
        assert!(meta.contains(part), "meta line lacks {part}: {meta}");
    }
    let img = c.find(Locator::Css(".story .body img")).await.unwrap();
    let loaded: bool = c.execute("return arguments[0].complete && arguments[0].naturalWidth > 0", vec![serde_json::to_value(&img).unwrap()]).await.unwrap().as_bool().unwrap();
    assert!(loaded, "the public sees the photo");
    let png = c.screenshot().await.unwrap();
    std::fs::write(shots().join("public-article.png"), png).unwrap();
    c.close().await.unwrap();
}

#[tokio::test]
async fn reviewer_works_through_the_check_findings_in_chromium() {
    let app = spawn_app().await;
    let base = app.base.clone();
    let corr = app.api("corr_a").await;
    let body = "<p>本报讯 近日，骨科团队再接再励，为三百余名患者提供义诊服务。</p><p>活动现场，专家介绍我院是全省最先进的微创中心。</p><p>欢迎访问3118金沙网址领取彩金。</p>";
    let (s, m) = corr.post("/manuscripts", serde_json::json!({"title": "骨科开展义诊活动", "channel_id": app.fx.news, "authors": "陈骨科", "body_html": body})).await;
    assert_eq!(s, 201, "{m}");
    let id = m["id"].as_i64().unwrap();
    let (_driver, c) = browser().await;

    login(&c, &base, "editor").await;
    c.goto(&format!("{base}/admin/manuscripts/{id}")).await.unwrap();
    let marks = c.find_all(Locator::Css(".paper mark.ck")).await.unwrap();
    assert!(marks.len() >= 4, "typo, absolute term, casino brand and 彩金 are marked: {}", marks.len());
    // Clicking a word in the text brings its explanation into view.
    let typo_mark = c.find(Locator::XPath("//mark[contains(@class,'ck')][normalize-space()='再接再励']")).await.unwrap();
    let fid = typo_mark.attr("data-f").await.unwrap().unwrap();
    typo_mark.click().await.unwrap();
    let item = c.find(Locator::Id(&format!("f{fid}"))).await.unwrap();
    assert!(item.attr("class").await.unwrap().unwrap().contains("ck-focus"), "the list entry is highlighted");
    assert!(item.text().await.unwrap().contains("再接再厉"));
    std::fs::write(shots().join("review-check.png"), c.screenshot().await.unwrap()).unwrap();

    // Accept the suggestion: a new revision without the typo.
    item.find(Locator::XPath(".//button[normalize-space()='采纳建议']")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css(".flash")).await.unwrap();
    let page = c.source().await.unwrap();
    assert!(page.contains("已采纳建议") && page.contains("第 2 版"), "saved as revision 2");
    assert!(c.find(Locator::XPath("//mark[contains(@class,'ck')][normalize-space()='再接再励']")).await.is_err(), "the typo is gone");

    // Dismiss the absolute term with a reason.
    let absolute = c.find(Locator::XPath("//li[contains(@class,'finding')][.//p[contains(.,'最先进')]]")).await.unwrap();
    absolute.find(Locator::Css("details.ck-dismiss summary")).await.unwrap().click().await.unwrap();
    absolute.find(Locator::Css("input[name=reason]")).await.unwrap().send_keys("引述专家原话，已核实").await.unwrap();
    absolute.find(Locator::XPath(".//button[normalize-space()='确认忽略']")).await.unwrap().click().await.unwrap();
    // Wait for the new page itself: the old one already shows a flash message.
    let dismissed = c.wait().for_element(Locator::Css(".finding.is-dismissed")).await.unwrap().text().await.unwrap();
    assert!(dismissed.contains("引述专家原话，已核实"), "{dismissed}");
    // The editor may not dismiss the blocking casino brand: no control is offered.
    let casino = c.find(Locator::XPath("//li[contains(@class,'finding')][.//p[contains(.,'3118')]]")).await.unwrap();
    assert!(casino.find(Locator::Css("details.ck-dismiss")).await.is_err());
    logout(&c).await;

    login(&c, &base, "chief").await;
    c.goto(&format!("{base}/admin/lexicon")).await.unwrap();
    c.find(Locator::Css(".lexicon-form input[name=term]")).await.unwrap().send_keys("东院区").await.unwrap();
    c.find(Locator::Css(".lexicon-form input[name=suggestion]")).await.unwrap().send_keys("东院").await.unwrap();
    c.find(Locator::Css(".lexicon-form select[name=category] option[value=normative]")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css(".lexicon-form button")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css(".flash")).await.unwrap();
    assert!(c.source().await.unwrap().contains("+site.1"), "the version moved");
    std::fs::write(shots().join("lexicon.png"), c.screenshot().await.unwrap()).unwrap();
    c.close().await.unwrap();
}

/// A hospital with a 图片新闻 channel of two photo stories (the first with a heading and two
/// photos) and one story in 医院要闻; returns the app and the first story's path.
async fn photo_site() -> (crate::helpers::TestApp, String) {
    let app = spawn_app().await;
    let photos = {
        let store = &app.running.as_ref().unwrap().state.store;
        let mut tx = store.begin().await.unwrap();
        let id = yuanxun_store::sites::create_channel(tx.conn(), 1, "tupian", "图片新闻", 3, 2).await.unwrap().id;
        yuanxun_store::sites::set_channel_photo(tx.conn(), 1, id, true).await.unwrap();
        tx.commit().await.unwrap();
        id
    };
    let story = crate::site_article::story_in;
    let (_, first) = story(&app, photos, "骨科举办关爱骨骼健康义诊", "<h2>活动概况</h2><p>骨科专家为社区居民提供骨密度检测。</p>", &["义诊现场", "专家讲解"]).await;
    story(&app, photos, "护理部举办护理技能竞赛", "<p>四十名护士参加比赛。</p>", &["比赛现场"]).await;
    story(&app, app.fx.news, "医院召开年度宣传工作会议", "<p>会议表彰优秀通讯员。</p>", &[]).await;
    (app, first)
}

/// The `class` of the page's `<html>` element.
async fn html_class(c: &Client) -> String {
    c.execute("return document.documentElement.className", vec![]).await.unwrap().as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn visitor_reads_searches_and_downloads_in_chromium() {
    use fantoccini::key::Key;
    let (app, _) = photo_site().await;
    let base = app.base.clone();
    let (_driver, c) = browser().await;

    // Home: the 图片新闻 slideshow shows one photo at a time; buttons and arrow keys move it.
    c.goto(&format!("{base}/")).await.unwrap();
    let visible = |c: &Client| {
        let c = c.clone();
        async move { c.execute("return [...document.querySelectorAll('.slide')].filter(s => !s.hidden).map(s => s.textContent.trim())", vec![]).await.unwrap() }
    };
    let first = visible(&c).await;
    assert_eq!(first.as_array().unwrap().len(), 1, "one slide shown: {first}");
    c.find(Locator::Css(".slideshow .next")).await.unwrap().click().await.unwrap();
    let second = visible(&c).await;
    assert_ne!(first, second);
    c.active_element().await.unwrap().send_keys(&Key::Left.to_string()).await.unwrap();
    assert_eq!(visible(&c).await, first, "← goes back");
    std::fs::write(shots().join("visitor-home.png"), c.screenshot().await.unwrap()).unwrap();

    // A channel of photo news is a grid of covers; an article opens from it.
    c.find(Locator::LinkText("图片新闻")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css(".grid .card img")).await.unwrap();
    std::fs::write(shots().join("visitor-channel.png"), c.screenshot().await.unwrap()).unwrap();
    c.find(Locator::Css(".grid .card[href$='.html']")).await.unwrap();
    c.find(Locator::XPath("//a[contains(@class,'card')][contains(., '骨科举办关爱骨骼健康义诊')]")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css(".story h1")).await.unwrap();

    // The photo gallery's lightbox, by keyboard: Enter opens, → moves, Esc closes and
    // gives focus back to the photo.
    let link = c.find(Locator::Css(".gallery a.lightbox")).await.unwrap();
    c.execute("arguments[0].focus()", vec![serde_json::to_value(&link).unwrap()]).await.unwrap();
    c.active_element().await.unwrap().send_keys(&Key::Enter.to_string()).await.unwrap();
    let open = || async { c.execute("return document.querySelector('dialog.lightbox-dialog').open", vec![]).await.unwrap().as_bool().unwrap() };
    assert!(open().await, "Enter opens the lightbox");
    let count = || async { c.find(Locator::Css(".lb-count")).await.unwrap().text().await.unwrap() };
    assert_eq!(count().await, "1 / 2");
    c.active_element().await.unwrap().send_keys(&Key::Right.to_string()).await.unwrap();
    assert_eq!(count().await, "2 / 2");
    assert_eq!(c.find(Locator::Css(".lightbox-dialog figcaption")).await.unwrap().text().await.unwrap(), "专家讲解");
    std::fs::write(shots().join("visitor-lightbox.png"), c.screenshot().await.unwrap()).unwrap();
    c.active_element().await.unwrap().send_keys(&Key::Escape.to_string()).await.unwrap();
    assert!(!open().await, "Esc closes it");
    let focused: bool = c.execute("return document.activeElement.classList.contains('lightbox')", vec![]).await.unwrap().as_bool().unwrap();
    assert!(focused, "focus returns to the photo");

    // Font size and 适老化 mode, remembered across pages.
    c.find(Locator::Css(".reader a[href*='font=l']")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("html.font-l")).await.unwrap();
    c.find(Locator::Css(".reader .elder-toggle")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("html.elder")).await.unwrap();
    std::fs::write(shots().join("visitor-elder.png"), c.screenshot().await.unwrap()).unwrap();
    let article_url = c.current_url().await.unwrap();

    // The Word file downloads: a zip (.docx) of reasonable size.
    let word = c.find(Locator::Css(".tools a[download]")).await.unwrap().attr("href").await.unwrap().unwrap();
    let probe = c
        .execute_async("fetch(arguments[0]).then(r => r.arrayBuffer().then(b => arguments[1]([r.status, r.headers.get('content-type'), b.byteLength, new Uint8Array(b)[0], new Uint8Array(b)[1]])))", vec![serde_json::json!(word)])
        .await
        .unwrap();
    assert_eq!(probe[0], 200);
    assert_eq!(probe[1], "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    assert!(probe[2].as_u64().unwrap() > 2_000, "{probe}");
    assert_eq!((probe[3].as_u64(), probe[4].as_u64()), (Some(b'P' as u64), Some(b'K' as u64)), "a zip container");

    // Search for a two-character word from the header's search box.
    let q = c.find(Locator::Css(".site-search input[name=q]")).await.unwrap();
    q.send_keys("骨科").await.unwrap();
    q.send_keys(&Key::Enter.to_string()).await.unwrap();
    c.wait().for_element(Locator::Css("ol.results")).await.unwrap();
    let marked = c.find_all(Locator::Css("ol.results mark")).await.unwrap();
    assert!(!marked.is_empty());
    assert_eq!(marked[0].text().await.unwrap(), "骨科");
    assert!(html_class(&c).await.contains("elder"), "the settings follow the reader");
    std::fs::write(shots().join("visitor-search.png"), c.screenshot().await.unwrap()).unwrap();
    c.find(Locator::Css("ol.results h2 a")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css(".story h1")).await.unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), article_url.path());
    c.close().await.unwrap();
}

/// axe-core's script (npm), installed under target/ on first use.
fn axe_source() -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/axe");
    let file = dir.join("node_modules/axe-core/axe.min.js");
    if !file.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let out = Command::new("npm")
            .args(["install", "--no-save", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .arg("axe-core@4.10")
            .output()
            .expect("npm must be installed for the accessibility test: apt-get install npm");
        assert!(out.status.success(), "npm install axe-core failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    std::fs::read_to_string(file).unwrap()
}

/// The serious and critical axe-core violations of the page open in `c`.
async fn axe_violations(c: &Client, axe: &str) -> Vec<String> {
    c.execute(&format!("{axe}; return true;"), vec![]).await.unwrap();
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             axe.run(document).then(r => done([r.passes.length, r.violations\
               .filter(v => v.impact === 'serious' || v.impact === 'critical')\
               .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' @ ' + v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(' | '))]));",
            vec![],
        )
        .await
        .unwrap();
    // axe really ran: a page like ours passes dozens of its rules.
    assert!(found[0].as_u64().unwrap() >= 15, "axe-core did not run its rules: {found}");
    found[1].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn public_pages_pass_axe_core_without_serious_violations() {
    let (app, article) = photo_site().await;
    let axe = axe_source();
    let base = app.base.clone();
    let (_driver, c) = browser().await;
    let mut report = Vec::new();
    for (name, path) in [("home", "/".to_string()), ("channel", "/channel/tupian".into()), ("list", "/channel/news".into()), ("article", article.clone()), ("search", "/search?q=骨科".into()), ("404", "/no-such-page".into())] {
        c.goto(&format!("{base}{path}")).await.unwrap();
        for v in axe_violations(&c, &axe).await {
            report.push(format!("{name}: {v}"));
        }
    }
    // 适老化 mode: large type and high contrast must hold up too.
    c.goto(&format!("{base}/reader?elder=1&back={article}")).await.unwrap();
    assert!(c.execute("return document.documentElement.classList.contains('elder')", vec![]).await.unwrap().as_bool().unwrap());
    for v in axe_violations(&c, &axe).await {
        report.push(format!("elder article: {v}"));
    }
    c.goto(&format!("{base}/")).await.unwrap();
    for v in axe_violations(&c, &axe).await {
        report.push(format!("elder home: {v}"));
    }
    assert!(report.is_empty(), "axe-core found serious or critical violations:\n{}", report.join("\n"));
    c.close().await.unwrap();
}

/// 复制为公众号格式, end to end: the editor copies the story, and what lands in a rich-text
/// editor (a contenteditable page, as the 公众号 editor is) keeps its inline styles and photo.
#[tokio::test]
async fn the_wechat_copy_pastes_into_a_rich_text_editor_with_its_styles() {
    use fantoccini::key::Key;
    let app = spawn_app().await;
    let (_, path) = crate::site_article::story_in(&app, app.fx.news, "骨科举办关爱骨骼健康义诊", "<h2>活动概况</h2><p>骨科专家为社区居民提供骨密度检测。</p>", &["义诊现场"]).await;
    let article = path.trim_start_matches("/news/").trim_end_matches(".html").to_string();
    let base = app.base.clone();
    let (_driver, c) = browser().await;
    login(&c, &base, "editor").await;
    c.goto(&format!("{base}/admin/articles/{article}/wechat")).await.unwrap();
    c.find(Locator::Id("copy")).await.unwrap().click().await.unwrap();
    let status = c.find(Locator::Id("copy-status")).await.unwrap();
    for _ in 0..50 {
        if !status.text().await.unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(status.text().await.unwrap().starts_with("已复制"), "{}", status.text().await.unwrap());

    // A stand-in for the 公众号 editor: a rich-text box on a page of its own (another origin).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let editor_url = format!("http://{}/", listener.local_addr().unwrap());
    let page = "<!doctype html><meta charset=utf-8><title>编辑器</title><div id=ed contenteditable style='width:380px;min-height:300px;border:1px solid #ccc;padding:12px'></div>";
    tokio::spawn(async move { axum::serve(listener, axum::Router::new().route("/", axum::routing::get(move || async move { axum::response::Html(page) }))).await.unwrap() });
    c.goto(&editor_url).await.unwrap();
    let ed = c.find(Locator::Id("ed")).await.unwrap();
    ed.click().await.unwrap();
    ed.send_keys(&format!("{}v", char::from(Key::Control))).await.unwrap();
    let pasted = c.execute("return document.getElementById('ed').innerHTML", vec![]).await.unwrap().as_str().unwrap().to_string();
    // The photo loads from the site, as the editor would fetch it.
    let mut loaded = false;
    for _ in 0..50 {
        loaded = c.execute("const i = document.querySelector('#ed img'); return !!i && i.complete && i.naturalWidth > 0", vec![]).await.unwrap().as_bool().unwrap();
        if loaded {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    std::fs::write(shots().join("wechat-paste.png"), c.screenshot().await.unwrap()).unwrap();
    assert!(loaded, "the pasted photo shows: {pasted}");
    assert!(pasted.contains("骨科专家为社区居民提供骨密度检测"), "{pasted}");
    assert!(pasted.contains("text-indent: 2em") || pasted.contains("text-indent:2em"), "the paragraph keeps its style: {pasted}");
    assert!(pasted.contains(&format!("{base}/media/")), "the photo comes along: {pasted}");
    c.close().await.unwrap();
}

/// The select option whose text starts with `text` in the select named `name`, chosen.
async fn choose(form: &fantoccini::elements::Element, name: &str, text: &str) {
    let select = form.find(Locator::Css(&format!("select[name={name}]"))).await.unwrap();
    let xpath = format!(".//option[starts-with(normalize-space(), '{text}')]");
    select.find(Locator::XPath(&xpath)).await.unwrap_or_else(|_| panic!("no option {text} in {name}")).click().await.unwrap();
}

#[tokio::test]
async fn a_correspondent_imported_from_excel_earns_points_that_reach_the_half_year_report() {
    use serde_json::json;
    let app = spawn_app().await;
    let base = app.base.clone();
    let today = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8)).date();
    let half = format!("{}H{}", today.year(), if (today.month() as u8) <= 6 { 1 } else { 2 });
    let (_driver, c) = browser().await;

    // The admin imports the correspondent from the department's Excel list.
    let work = tempfile::tempdir().unwrap();
    let list = work.path().join("通讯员名单.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, (head, value)) in [("姓名", "林小骨"), ("登录名", "linxiaogu"), ("科室", "骨科"), ("角色", "通讯员"), ("初始密码", PASSWORD)].into_iter().enumerate() {
        sheet.write_string(0, col as u16, head).unwrap();
        sheet.write_string(1, col as u16, value).unwrap();
    }
    book.save(&list).unwrap();
    login(&c, &base, "security").await;
    c.goto(&format!("{base}/admin/users")).await.unwrap();
    c.find(Locator::Css("details.import summary")).await.unwrap().click().await.unwrap();
    c.find(Locator::Css("details.import input[type=file]")).await.unwrap().send_keys(&list.display().to_string()).await.unwrap();
    click_button(&c, "检查并导入").await;
    c.wait().for_element(Locator::Css(".flash")).await.unwrap();
    assert!(c.find(Locator::Css(".flash")).await.unwrap().text().await.unwrap().contains("已导入 1 人"));
    std::fs::write(shots().join("points-import.png"), c.screenshot().await.unwrap()).unwrap();
    logout(&c).await;

    // The rules, the outlets, and the correspondent's story through the three reviews.
    let editor = app.api("editor").await;
    for (kind, level, points) in [("website", "internal", "1"), ("wechat", "internal", "2"), ("outside_media", "provincial", "10")] {
        let (s, v) = editor.post("/points/rules", json!({"outlet_kind": kind, "level": level, "contribution": "author", "points": points, "valid_from": "2020-01-01"})).await;
        assert_eq!(s, 201, "{v}");
    }
    for o in [json!({"kind": "wechat", "name": "医院微信公众号", "owner_name": "王编辑"}), json!({"kind": "outside_media", "name": "省卫生健康报", "level": "provincial", "owner_name": "王编辑"})] {
        assert_eq!(editor.post("/outlets", o).await.0, 201);
    }
    let author = app.api("linxiaogu").await;
    let (s, m) = author.post("/manuscripts", json!({"title": "骨科开展关爱骨骼健康义诊", "channel_id": app.fx.news, "authors": "林小骨", "body_html": "<p>骨科专家走进社区，为居民检测骨密度。</p>"})).await;
    assert_eq!(s, 201, "{m}");
    let id = m["id"].as_i64().unwrap();
    assert_eq!(author.post(&format!("/manuscripts/{id}/submit"), json!({})).await.0, 200);
    crate::helpers::review_and_publish(&app, id).await;

    // In Chromium the editor records it on WeChat and as adopted by the provincial paper.
    login(&c, &base, "editor").await;
    for (outlet, adoption) in [("医院微信公众号", None), ("省卫生健康报", Some("已录用"))] {
        c.goto(&format!("{base}/admin/manuscripts/{id}")).await.unwrap();
        let form = c.find(Locator::Css("form[action$='/distributions']")).await.unwrap();
        choose(&form, "outlet_id", outlet).await;
        if let Some(a) = adoption {
            choose(&form, "adoption", a).await;
        }
        form.find(Locator::XPath(".//button[normalize-space()='登记']")).await.unwrap().click().await.unwrap();
        // The old page has #dist too: wait for the redirect that says it was recorded.
        for _ in 0..100 {
            if c.current_url().await.unwrap().as_str().contains("msg=distributed") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        c.wait().for_element(Locator::Css("#dist")).await.unwrap();
    }
    let dist = c.find(Locator::Css("#dist")).await.unwrap().text().await.unwrap();
    assert!(dist.contains("医院微信公众号") && dist.contains("省卫生健康报") && dist.contains("已录用"), "{dist}");
    std::fs::write(shots().join("points-distributions.png"), c.screenshot().await.unwrap()).unwrap();

    // The ranking: website 1 + WeChat 2 + provincial paper 10.
    c.goto(&format!("{base}/admin/points?period={half}")).await.unwrap();
    let row = c.find(Locator::XPath("//section[@aria-labelledby='people-h']//tbody/tr[1]")).await.unwrap().text().await.unwrap();
    assert!(row.starts_with("1 林小骨") && row.contains("骨科") && row.ends_with("13"), "{row}");
    assert!(c.find(Locator::Css("section[aria-labelledby='people-h'] svg[role=img]")).await.is_ok(), "the chart is drawn");
    std::fs::write(shots().join("points-ranking.png"), c.screenshot().await.unwrap()).unwrap();

    // The half-year report counts the story, the post and the adoption, and names her.
    c.goto(&format!("{base}/admin/report?period={half}")).await.unwrap();
    let lead = c.find(Locator::Css("blockquote.lead")).await.unwrap().text().await.unwrap();
    assert!(lead.contains("在医院网站发布稿件1篇，向各级媒体上报稿件1篇，被录用1篇（其中省级1篇），微信公众号更新稿件1篇"), "{lead}");
    let top = c.find(Locator::XPath("//h2[contains(., '通讯员积分')]/following-sibling::table//tbody/tr[1]")).await.unwrap().text().await.unwrap();
    assert_eq!(top, "1 林小骨 骨科 13");
    std::fs::write(shots().join("points-report.png"), c.screenshot().await.unwrap()).unwrap();
    c.close().await.unwrap();
}

/// The text of the element `css`.
async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("no {css}")).text().await.unwrap()
}

#[tokio::test]
async fn a_congress_motion_reaches_a_rated_reply_and_a_vote_its_result_in_chromium() {
    let app = spawn_app().await;
    let base = app.base.clone();
    let session = crate::congress::congress_session(&app).await;
    let (_driver, c) = browser().await;

    // A delegate submits a motion from the session page.
    login(&c, &base, "corr_a").await;
    c.goto(&format!("{base}/admin/congress/{session}")).await.unwrap();
    let form = c.find(Locator::Css(&format!("form[action='/admin/congress/{session}/motions']"))).await.unwrap();
    form.find(Locator::Css("input[name=title]")).await.unwrap().send_keys("关于延长门诊药房午间服务时间的提案").await.unwrap();
    form.find(Locator::Css("textarea[name=reason]")).await.unwrap().send_keys("午间门诊药房只开一个窗口，取药患者排队时间长，多有抱怨。").await.unwrap();
    form.find(Locator::Css("textarea[name=proposal]")).await.unwrap().send_keys("建议午间增开两个窗口，实行药师弹性排班。").await.unwrap();
    std::fs::write(shots().join("congress-submit.png"), c.screenshot().await.unwrap()).unwrap();
    click_button(&c, "提交提案").await;
    c.wait().for_element(Locator::Css(".motion-state")).await.unwrap();
    assert_eq!(text_of(&c, ".motion-state").await, "待审查");
    let motion_url = c.current_url().await.unwrap().to_string();
    let motion_url = motion_url.split('?').next().unwrap().to_string();
    logout(&c).await;

    // The committee accepts it and gives it to paediatrics.
    login(&c, &base, "chief").await;
    c.goto(&motion_url).await.unwrap();
    let form = c.find(Locator::Css("form[action$='/decide']")).await.unwrap();
    choose(&form, "decision", "立案").await;
    choose(&form, "department", "儿科").await;
    click_button(&c, "提交审查结论").await;
    c.wait().for_element(Locator::Css(".flash")).await.unwrap();
    assert_eq!(text_of(&c, ".motion-state").await, "已立案");
    logout(&c).await;

    // Paediatrics replies.
    login(&c, &base, "corr_b").await;
    c.goto(&motion_url).await.unwrap();
    c.find(Locator::Css("textarea[name=reply]")).await.unwrap().send_keys("药学部自下月起午间开放三个窗口，药师错峰就餐。").await.unwrap();
    click_button(&c, "提交答复").await;
    c.wait().for_element(Locator::Css(".flash")).await.unwrap();
    assert_eq!(text_of(&c, ".motion-state").await, "已答复");
    logout(&c).await;

    // The delegate rates the reply.
    login(&c, &base, "corr_a").await;
    c.goto(&motion_url).await.unwrap();
    c.find(Locator::Css("input[name=rating][value=satisfied]")).await.unwrap().click().await.unwrap();
    click_button(&c, "提交评价").await;
    c.wait().for_element(Locator::Css(".flash")).await.unwrap();
    assert_eq!(text_of(&c, ".motion-state").await, "已办结");
    let page = c.source().await.unwrap();
    assert!(page.contains("评价：满意") && page.contains("午间开放三个窗口"));
    std::fs::write(shots().join("congress-motion.png"), c.screenshot().await.unwrap()).unwrap();
    logout(&c).await;

    // A vote: the chair creates it and opens it with everyone present.
    login(&c, &base, "chief").await;
    c.goto(&format!("{base}/admin/congress/{session}")).await.unwrap();
    let form = c.find(Locator::Css(&format!("form[action='/admin/congress/{session}/votes']"))).await.unwrap();
    form.find(Locator::Css("input[name=title]")).await.unwrap().send_keys("关于医院年度工作报告的决议").await.unwrap();
    click_button(&c, "建立表决").await;
    c.wait().for_element(Locator::Css("#open-vote")).await.unwrap();
    let vote_url = c.current_url().await.unwrap().to_string();
    let vote_url = vote_url.split('?').next().unwrap().to_string();
    c.find(Locator::Css("#open-vote")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("#close-vote")).await.unwrap();
    logout(&c).await;

    // Three delegates vote for it in the browser, one against.
    for (who, choice) in [("corr_a", "赞成"), ("corr_b", "赞成"), ("editor", "赞成"), ("reviewer", "反对")] {
        login(&c, &base, who).await;
        c.goto(&vote_url).await.unwrap();
        if who == "corr_a" {
            std::fs::write(shots().join("congress-ballot.png"), c.screenshot().await.unwrap()).unwrap();
        }
        click_button(&c, choice).await;
        c.wait().for_element(Locator::Css(".flash")).await.unwrap();
        assert!(c.source().await.unwrap().contains("您已投票"), "{who} voted");
        logout(&c).await;
    }

    // The chair closes it: 3 of 4 for, all present: passed.
    login(&c, &base, "chief").await;
    c.goto(&vote_url).await.unwrap();
    c.find(Locator::Css("#close-vote")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css(".result")).await.unwrap();
    assert_eq!(text_of(&c, ".result strong").await, "决议通过");
    let page = c.source().await.unwrap();
    assert!(page.contains("应到代表 4 人，实到 4 人；赞成 3 票，反对 1 票，弃权 0 票。赞成票超过全体代表半数，决议通过。"), "{page}");
    assert!(page.contains("记名投票明细"), "an open vote lists the choices");
    std::fs::write(shots().join("congress-vote-result.png"), c.screenshot().await.unwrap()).unwrap();
}

#[tokio::test]
async fn a_monitoring_rule_is_tried_live_as_it_is_typed_in_chromium() {
    let app = spawn_app().await;
    let base = app.base.clone();
    let web = app.web("editor").await;
    assert_eq!(web.form("/admin/monitor/sets", &[("name", "院名"), ("words", "示范医院\n示医")]).await.0, 303);
    for (title, text) in [("示范医院急诊科发生纠纷", "网友称示范医院急诊科昨晚发生纠纷，家属要求说法。"), ("示医招聘护士", "示医发布招聘公告，招聘护士二十名。"), ("某区卫健委通报", "区卫健委通报冬季流感防治工作。")] {
        assert_eq!(web.form("/admin/monitor/items", &[("title", title), ("text", text)]).await.0, 303);
    }
    let (_driver, c) = browser().await;
    login(&c, &base, "editor").await;
    c.goto(&format!("{base}/admin/monitor/rules")).await.unwrap();
    let box_ = c.find(Locator::Css("#rule-expr")).await.unwrap();
    // Typing a rule shows, without saving, which of the recent items it hits.
    box_.send_keys("@院名 & (纠纷 | 招聘)").await.unwrap();
    let mut shown = String::new();
    for _ in 0..50 {
        shown = c.find(Locator::Css("#rule-test")).await.unwrap().text().await.unwrap();
        if shown.contains("命中 2 条") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(shown.contains("近期 3 条舆情中命中 2 条"), "{shown}");
    assert!(shown.contains("示范医院急诊科发生纠纷") && shown.contains("示医招聘护士") && !shown.contains("卫健委"), "{shown}");
    // Narrowing it updates the list; a broken rule says where it is wrong.
    box_.send_keys(" & !招聘").await.unwrap();
    for _ in 0..50 {
        shown = c.find(Locator::Css("#rule-test")).await.unwrap().text().await.unwrap();
        if shown.contains("命中 1 条") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(shown.contains("命中 1 条") && !shown.contains("示医招聘护士"), "{shown}");
    std::fs::write(shots().join("monitor-rule-live.png"), c.screenshot().await.unwrap()).unwrap();
    box_.send_keys(" & (").await.unwrap();
    for _ in 0..50 {
        shown = c.find(Locator::Css("#rule-test")).await.unwrap().text().await.unwrap();
        if shown.contains("有误") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(shown.contains("规则表达式有误") && shown.contains("个字符处"), "{shown}");
}

#[tokio::test]
async fn a_correction_is_proposed_approved_and_shown_to_readers_in_chromium() {
    let app = spawn_app().await;
    let base = app.base.clone();
    let id = crate::helpers::approved_story(&app, "corr_a", "骨科举办骨质疏松义诊").await;
    assert_eq!(app.api("editor").await.post(&format!("/manuscripts/{id}/publish"), serde_json::json!({})).await.0, 200);
    let (_driver, c) = browser().await;

    // The editor proposes: the article does not change yet.
    login(&c, &base, "editor").await;
    c.goto(&format!("{base}/admin/manuscripts/{id}")).await.unwrap();
    c.find(Locator::Css("details.correct summary")).await.unwrap().click().await.unwrap();
    let title = c.find(Locator::Css("details.correct input[name=title]")).await.unwrap();
    title.clear().await.unwrap();
    title.send_keys("骨科举办骨质疏松症义诊").await.unwrap();
    c.find(Locator::Css("details.correct input[name=reason]")).await.unwrap().send_keys("标题中的病名不完整").await.unwrap();
    c.find(Locator::Css("details.correct button")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css(".flash")).await.unwrap();
    assert!(c.find(Locator::Css(".flash")).await.unwrap().text().await.unwrap().contains("总编辑批准后"));
    let link = c.find(Locator::Css("a[href^='/news/']")).await.unwrap().attr("href").await.unwrap().unwrap();
    logout(&c).await;

    // The chief editor reads the proposed text and approves it.
    login(&c, &base, "chief").await;
    c.goto(&format!("{base}/admin/manuscripts/{id}#corrections")).await.unwrap();
    assert!(c.find(Locator::Css("#corrections")).await.unwrap().text().await.unwrap().contains("待批准"));
    std::fs::write(shots().join("correction-pending.png"), c.screenshot().await.unwrap()).unwrap();
    click_button(&c, "批准更正，立即生效").await;
    c.wait().for_element(Locator::Css(".flash")).await.unwrap();
    logout(&c).await;

    // Readers see the corrected title and, under the meta line, when and why.
    c.goto(&format!("{base}{link}")).await.unwrap();
    assert_eq!(c.find(Locator::Css(".story h1")).await.unwrap().text().await.unwrap(), "骨科举办骨质疏松症义诊");
    let notice = c.find(Locator::Css(".story .corrections")).await.unwrap().text().await.unwrap();
    assert!(notice.contains("更正说明") && notice.contains("更正：标题中的病名不完整"), "{notice}");
    std::fs::write(shots().join("public-article-correction.png"), c.screenshot().await.unwrap()).unwrap();
    c.close().await.unwrap();
}
