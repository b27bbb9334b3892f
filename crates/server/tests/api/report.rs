//! The work summary (工作总结数据): built from known stories, distributions, adoptions and
//! other work, every figure checked; the Word file opens in LibreOffice (converted to PDF,
//! and read back as LibreOffice reads it).

use serde_json::json;

use crate::helpers::{spawn_app, TestApp};
use crate::points::published_story;

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8)).date()
}

/// The current half-year's code (`2026H2`), the period the test's data falls in.
fn this_half() -> String {
    let t = today();
    format!("{}H{}", t.year(), if (t.month() as u8) <= 6 { 1 } else { 2 })
}

/// Converts `file` with LibreOffice to `to` (`pdf`, `txt:Text`) in `work`; the output's path.
fn soffice(work: &std::path::Path, file: &std::path::Path, to: &str, ext: &str) -> std::path::PathBuf {
    let out = std::process::Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", work.join("lo-profile").display()))
        .args(["--headless", "--convert-to", to, "--outdir"])
        .arg(work)
        .arg(file)
        .output()
        .expect("LibreOffice (soffice) must be installed: apt-get install libreoffice-writer-nogui");
    assert!(out.status.success(), "soffice failed: {}", String::from_utf8_lossy(&out.stderr));
    let converted = work.join(file.file_stem().unwrap()).with_extension(ext);
    assert!(converted.exists(), "soffice wrote no {ext}: {}", String::from_utf8_lossy(&out.stdout));
    converted
}

/// Known data: three stories (one retracted), four outside and two WeChat distributions,
/// other work (one entry last year), points rules.
async fn known_data(app: &TestApp) {
    let editor = app.api("editor").await;
    let long_ago = (today() - time::Duration::days(400)).to_string();
    for (kind, level, points) in [("website", "internal", "1"), ("outside_media", "provincial", "10"), ("outside_media", "national", "20")] {
        let (s, _) = editor.post("/points/rules", json!({"outlet_kind": kind, "level": level, "contribution": "author", "points": points, "valid_from": long_ago})).await;
        assert_eq!(s, 201);
    }
    let first = published_story(app, "骨科开展骨质疏松义诊", "陈骨科", "").await;
    let second = published_story(app, "骨科举办康复讲座", "陈骨科、王儿科", "").await;
    let gone = published_story(app, "一篇后来撤下的稿件", "陈骨科", "").await;
    let manuscript = editor.get(&format!("/articles/{gone}")).await.1["manuscript_id"].as_i64().unwrap();
    assert_eq!(editor.post(&format!("/manuscripts/{manuscript}/retract"), json!({"reason": "重复发布"})).await.0, 200);

    let outlet = |kind: &str, name: &str, level: &str| json!({"kind": kind, "name": name, "level": level, "owner_name": "王编辑"});
    let mut ids = Vec::new();
    for o in [outlet("wechat", "医院微信公众号", ""), outlet("outside_media", "省卫生健康报", "provincial"), outlet("outside_media", "健康报", "national"), outlet("outside_media", "市日报", "municipal")] {
        let (s, v) = editor.post("/outlets", o).await;
        assert_eq!(s, 201, "{v}");
        ids.push(v["id"].as_i64().unwrap());
    }
    let (wechat, provincial, national, municipal) = (ids[0], ids[1], ids[2], ids[3]);
    for (article, outlet, adoption) in [(first, wechat, ""), (first, provincial, "adopted"), (second, wechat, ""), (second, national, "pending"), (second, municipal, "declined"), (first, national, "adopted")] {
        let (s, v) = editor.post(&format!("/articles/{article}/distributions"), json!({"outlet_id": outlet, "adoption": adoption})).await;
        assert_eq!(s, 201, "{v}");
    }
    let last_year = time::Date::from_calendar_date(today().year() - 1, time::Month::December, 31).unwrap().to_string();
    for (kind, title, quantity, on) in [("expert_notice", "专家坐诊信息", 30, today().to_string()), ("expert_notice", "专家坐诊信息", 18, today().to_string()), ("video", "科普短视频", 2, today().to_string()), ("video", "去年的宣传片", 7, last_year)] {
        let (s, v) = editor.post("/work", json!({"kind": kind, "title": title, "quantity": quantity, "done_on": on})).await;
        assert_eq!(s, 201, "{v}");
    }
}

#[tokio::test]
async fn the_summary_counts_every_figure_from_the_work_and_opens_in_libreoffice() {
    let app = spawn_app().await;
    known_data(&app).await;
    let web = app.web("editor").await;
    let half = this_half();
    let month = format!("{}月", today().month() as u8);

    // Markdown: every figure, section by section.
    let r = web.client.get(format!("{}/admin/report.md?period={half}", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains(&format!("summary-{half}.md")));
    let md = r.text().await.unwrap();
    let lead = md.lines().find(|l| l.contains("在医院网站发布稿件")).expect("the lead paragraph");
    // Three published, one retracted; four submitted, two adopted (national 1, provincial 1).
    assert!(lead.ends_with("在医院网站发布稿件2篇，向各级媒体上报稿件4篇，被录用2篇（其中国家级1篇、省级1篇），微信公众号更新稿件2篇，制作宣传片/短视频2部，发布专家坐诊信息48次。"), "{lead}");
    for line in [
        "| 医院要闻 | 2 |",
        "| 合计 | 2 |",
        "| 国家级 | 2 | 1 |",
        "| 省级 | 1 | 1 |",
        "| 市级 | 1 | 0 |",
        "| 县级 | 0 | 0 |",
        "| 合计 | 4 | 2 |",
        "| 微信公众号 | 2 |",
        "| 宣传片/短视频 | 2部 |",
        "| 专家坐诊信息 | 48次 |",
        // 陈骨科: website 1 + 0.5, provincial 10, national 20; 王儿科 (a name) 0.5; both 骨科.
        "| 1 | 骨科 | 2 | 32 |",
        "| 1 | 陈骨科 | 骨科 | 2 | 31.5 |",
        "| 2 | 王儿科 | 骨科 | 1 | 0.5 |",
        &format!("| {month} | 2 | 2 | 2 |"),
    ] {
        assert!(md.contains(line), "{line} in\n{md}");
    }
    assert_eq!(md.matches("| 通知公告 | 0 |").count(), 1, "every channel is listed, zero included");
    let month_rows = md.lines().filter(|l| l.starts_with("| ") && l.contains("月 |")).count();
    assert_eq!(month_rows, 6, "six months in a half-year");
    assert!(!md.contains("去年的宣传片") && !md.contains("| 宣传片/短视频 | 9部 |"), "last year's work is not counted");

    // The page shows the same lead and the chart, with the buttons.
    let (s, page) = web.get(&format!("/admin/report?period={half}")).await;
    assert_eq!(s, 200);
    assert!(page.replace("&#x2f;", "/").contains(lead) && page.contains("<svg") && page.contains("下载 Word"), "{page}");

    // Word: LibreOffice opens it, prints it to PDF, and reads the same figures out of it.
    let r = web.client.get(format!("{}/admin/report.docx?period={half}", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    let bytes = r.bytes().await.unwrap().to_vec();
    let work = tempfile::tempdir().unwrap();
    let docx = work.path().join("summary.docx");
    std::fs::write(&docx, &bytes).unwrap();
    let pdf = std::fs::read(soffice(work.path(), &docx, "pdf", "pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF") && pdf.len() > 10_000, "a real PDF ({} bytes)", pdf.len());
    let text = std::fs::read_to_string(soffice(work.path(), &docx, "txt:Text", "txt")).unwrap();
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for figures in ["在医院网站发布稿件2篇，向各级媒体上报稿件4篇，被录用2篇", "合计 4 2", "国家级 2 1", "陈骨科 骨科 2 31.5", "专家坐诊信息 48次", "逐月情况"] {
        assert!(flat.contains(figures), "{figures} in {flat}");
    }
    // The month-by-month chart is in it as a picture.
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    assert!(zip.file_names().any(|n| n.starts_with("word/media/") && n.ends_with(".png")));

    // Another period counts only its own; a bad one says how to write it; staff only.
    let last_year = today().year() - 1;
    let md = web.client.get(format!("{}/admin/report.md?period={last_year}", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(md.contains(&format!("{last_year}年，在医院网站发布稿件0篇，制作宣传片/短视频7部。")), "{md}");
    let (s, page) = web.get("/admin/report?period=2026H3").await;
    assert_eq!(s, 422);
    assert!(page.contains("2026H1（上半年）"), "{page}");
    assert_eq!(app.web("corr_a").await.get("/admin/report").await.0, 403);
}
