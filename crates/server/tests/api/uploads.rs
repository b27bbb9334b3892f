//! Word uploads: a real LibreOffice .docx becomes a manuscript with its photo; hostile files
//! get a specific Chinese message and leave nothing behind.

use std::io::{Read, Write};

use yuanxun_store::manuscripts::Table;

use crate::helpers::{libreoffice_docx, spawn_app};

#[tokio::test]
async fn a_libreoffice_docx_becomes_a_manuscript_with_its_photo() {
    let app = spawn_app().await;
    let work = tempfile::tempdir().unwrap();
    let docx = std::fs::read(libreoffice_docx(work.path(), "骨科开展关爱骨骼健康义诊")).unwrap();
    let web = app.web("corr_a").await;
    let (s, loc, body) = web.upload("/admin/manuscripts/import", "义诊.docx", docx, &[("channel_id", app.fx.news.to_string())]).await;
    assert_eq!(s, 303, "{body}");
    assert!(loc.ends_with("?msg=imported"), "{loc}");
    let id: i64 = loc.trim_start_matches("/admin/manuscripts/").split('?').next().unwrap().parse().unwrap();
    let api = app.api("corr_a").await;
    let (_, v) = api.get(&format!("/manuscripts/{id}")).await;
    let m = &v["manuscript"];
    assert_eq!(m["title"], "骨科开展关爱骨骼健康义诊");
    let body = m["body_html"].as_str().unwrap();
    assert!(body.contains("<b>关爱骨骼健康</b>") || body.contains("<strong>关爱骨骼健康</strong>"), "{body}");
    assert!(body.contains("<li>骨密度检测</li>"), "{body}");
    assert!(body.contains("<td>咨询</td>"), "{body}");
    assert!(body.contains("<img src=\"/media/"), "{body}");
    let media = v["media"].as_array().unwrap();
    assert_eq!(media.len(), 1);
    assert_eq!(m["cover_media_id"], media[0]["id"]);
    let url = format!("/media/{}.jpg", media[0]["id"]);
    let photo = web.client.get(format!("{}{url}", app.base)).send().await.unwrap().bytes().await.unwrap();
    assert!(image::load_from_memory(&photo).is_ok());
    assert!(!photo.windows(4).any(|w| w == b"Exif"));
}

async fn refused(app: &crate::helpers::TestApp, name: &str, bytes: Vec<u8>, expect: &str) {
    let web = app.web("corr_a").await;
    let before = (app.count(Table::Manuscripts).await, app.count(Table::Media).await);
    let (s, _, html) = web.upload("/admin/manuscripts/import", name, bytes, &[("channel_id", app.fx.news.to_string())]).await;
    assert_eq!(s, 422, "{name}");
    assert!(html.contains(expect), "{name}: expected “{expect}” in the page");
    assert!(html.contains("<form"), "the form is shown again");
    assert_eq!((app.count(Table::Manuscripts).await, app.count(Table::Media).await), before, "{name} stored something");
}

fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (n, d) in parts {
        w.start_file(*n, o).unwrap();
        w.write_all(d).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[tokio::test]
async fn hostile_and_wrong_files_are_refused_with_specific_messages() {
    let app = spawn_app().await;
    refused(&app, "通知.docx", "这是一个改了扩展名的文本文件".as_bytes().to_vec(), "这不是 Word 文档").await;
    refused(&app, "旧文档.doc", vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0], "旧版 Word").await;
    refused(&app, "坏.docx", b"PK\x03\x04broken zip data".to_vec(), "文件已损坏").await;
    refused(&app, "表格.docx", zip_of(&[("xl/workbook.xml", b"<workbook/>")]), "缺少正文").await;
    let mut xml = b"<w:document xmlns:w=\"x\"><w:body><w:p><w:r><w:t>x</w:t></w:r></w:p></w:body></w:document>".to_vec();
    xml.extend(std::iter::repeat_n(b' ', 100 << 20));
    refused(&app, "炸弹.docx", zip_of(&[("word/document.xml", &xml)]), "压缩炸弹").await;
    let rels = br#"<Relationships xmlns="r"><Relationship Id="rId1" Target="media/image1.png"/></Relationships>"#;
    let doc = br#"<w:document xmlns:w="w" xmlns:a="a" xmlns:r="r"><w:body><w:p><w:r><w:t>Title</w:t></w:r></w:p><w:p><w:r><w:drawing><a:blip r:embed="rId1"/></w:drawing></w:r></w:p></w:body></w:document>"#;
    let bomb = yuanxun_docx::testdata::png_bomb(50_000, 50_000);
    refused(&app, "图片炸弹.docx", zip_of(&[("word/document.xml", doc), ("word/_rels/document.xml.rels", rels), ("word/media/image1.png", &bomb)]), "尺寸异常").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_200_mb_upload_is_refused_before_it_is_read() {
    let app = spawn_app().await;
    let web = app.web("corr_a").await;
    let before = app.count(Table::Media).await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    let req = format!(
        "POST /admin/manuscripts/import?csrf={} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary=X\r\nContent-Length: {}\r\n\r\n--X\r\n",
        web.csrf,
        200u64 << 20
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut resp = Vec::new();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    let mut buf = [0u8; 8192];
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 {
            break;
        }
        resp.extend_from_slice(&buf[..n]);
        if String::from_utf8_lossy(&resp).contains("</p><p>") {
            break;
        }
    }
    let text = String::from_utf8_lossy(&resp);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("文件过大") && text.contains("200 MB"), "{text}");
    assert_eq!(app.count(Table::Media).await, before);
}

fn data_uri(mime: &str, bytes: &[u8]) -> String {
    use base64::Engine;
    format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

#[tokio::test]
async fn pictures_pasted_into_the_body_become_media_without_exif() {
    let app = spawn_app().await;
    let web = app.web("corr_a").await;
    let body = format!(
        "<p>义诊现场：</p><p><img src=\"{}\" alt=\"义诊现场\"></p><p>专家讲解。</p>",
        data_uri("image/jpeg", &crate::helpers::photo_with_exif())
    );
    let news = app.fx.news.to_string();
    let (s, loc, html) = web.form("/admin/manuscripts", &[("title", "粘贴图片的稿件"), ("channel_id", &news), ("body_html", &body)]).await;
    assert_eq!(s, 303, "{html}");
    let id: i64 = loc.trim_start_matches("/admin/manuscripts/").split('?').next().unwrap().parse().unwrap();
    let (_, v) = app.api("corr_a").await.get(&format!("/manuscripts/{id}")).await;
    let media = v["media"].as_array().unwrap();
    assert_eq!(media.len(), 1, "{v}");
    let url = format!("/media/{}.jpg", media[0]["id"]);
    let stored = v["manuscript"]["body_html"].as_str().unwrap();
    assert!(stored.contains(&format!("<img src=\"{url}\" alt=\"义诊现场\">")) || stored.contains(&format!("<img alt=\"义诊现场\" src=\"{url}\">")), "{stored}");
    assert!(!stored.contains("data:"), "{stored}");
    assert_eq!(v["manuscript"]["cover_media_id"], media[0]["id"], "the first photo becomes the cover");
    let photo = web.client.get(format!("{}{url}", app.base)).send().await.unwrap().bytes().await.unwrap();
    assert!(image::load_from_memory(&photo).is_ok());
    assert!(!photo.windows(4).any(|w| w == b"Exif"), "EXIF removed");

    // A second picture pasted into an edit is stored with the same manuscript, as a new revision.
    let (_, edit) = web.get(&format!("/admin/manuscripts/{id}/edit")).await;
    assert!(edit.contains("本稿图片"), "the editor offers the photo for insertion");
    let png = {
        let img = image::RgbaImage::from_pixel(40, 30, image::Rgba([0, 120, 200, 128]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    let body2 = format!("{stored}<p><img src=\"{}\"></p>", data_uri("image/png", &png));
    let (s, _, html) = web.form(&format!("/admin/manuscripts/{id}/edit"), &[("title", "粘贴图片的稿件"), ("channel_id", &news), ("body_html", &body2), ("base_revision", "1")]).await;
    assert_eq!(s, 303, "{html}");
    let (_, v) = app.api("corr_a").await.get(&format!("/manuscripts/{id}")).await;
    assert_eq!(v["media"].as_array().unwrap().len(), 2);
    assert_eq!(v["manuscript"]["revision"], 2);
    assert!(v["manuscript"]["body_html"].as_str().unwrap().contains(&format!("/media/{}.png", v["media"][1]["id"])));
}

#[tokio::test]
async fn a_pasted_image_bomb_is_refused_and_the_text_is_kept() {
    let app = spawn_app().await;
    let web = app.web("corr_a").await;
    let bomb = yuanxun_docx::testdata::png_bomb(50_000, 50_000);
    let body = format!("<p>这段文字不能丢。</p><img src=\"{}\">", data_uri("image/png", &bomb));
    let before = (app.count(Table::Manuscripts).await, app.count(Table::Media).await);
    let news = app.fx.news.to_string();
    let (s, _, html) = web.form("/admin/manuscripts", &[("title", "带炸弹的稿件"), ("channel_id", &news), ("body_html", &body)]).await;
    assert_eq!(s, 422);
    assert!(html.contains("尺寸异常"), "specific message");
    assert!(html.contains("这段文字不能丢。"), "the text stays in the form");
    assert!(html.contains("带炸弹的稿件"));
    assert_eq!((app.count(Table::Manuscripts).await, app.count(Table::Media).await), before);
}

#[tokio::test]
async fn a_photo_a_word_file_shows_three_times_is_one_medium_shown_three_times() {
    let app = spawn_app().await;
    let web = app.web("corr_a").await;
    let photo = crate::helpers::photo_with_exif();
    let rels = br#"<Relationships xmlns="r"><Relationship Id="rId1" Target="media/image1.jpeg"/></Relationships>"#;
    let doc = br#"<w:document xmlns:w="w" xmlns:a="a" xmlns:r="r"><w:body><w:p><w:r><w:t>Title</w:t></w:r></w:p><w:p><w:r><w:drawing><a:blip r:embed="rId1"/></w:drawing></w:r></w:p><w:p><w:r><w:drawing><a:blip r:embed="rId1"/></w:drawing></w:r></w:p><w:p><w:r><w:drawing><a:blip r:embed="rId1"/></w:drawing></w:r></w:p></w:body></w:document>"#;
    let file = zip_of(&[("word/document.xml", doc), ("word/_rels/document.xml.rels", rels), ("word/media/image1.jpeg", &photo)]);
    let (s, loc, body) = web.upload("/admin/manuscripts/import", "三张同图.docx", file, &[("channel_id", app.fx.news.to_string())]).await;
    assert_eq!(s, 303, "{body}");
    let id: i64 = loc.trim_start_matches("/admin/manuscripts/").split('?').next().unwrap().parse().unwrap();
    let (_, v) = app.api("corr_a").await.get(&format!("/manuscripts/{id}")).await;
    assert_eq!(v["media"].as_array().unwrap().len(), 1, "one medium");
    let url = format!("/media/{}.jpg", v["media"][0]["id"]);
    let html = v["manuscript"]["body_html"].as_str().unwrap();
    assert_eq!(html.matches(&format!("src=\"{url}\"")).count(), 3, "shown in all three places: {html}");
    assert!(!html.contains("data-import"), "{html}");
}
