//! The article page's reader tools beyond the text: 下载Word文档 (a real .docx with the
//! photos, read back by our reader and by LibreOffice), 上一篇/下一篇 within the channel, and
//! 相关文章 by shared words.

use serde_json::json;

use crate::helpers::{spawn_app, TestApp};

/// Writes (with an optional photo), reviews and publishes a story in 医院要闻; returns
/// (manuscript id, article path).
async fn story(app: &TestApp, title: &str, body: &str, photo: bool) -> (i64, String) {
    let captions: &[&str] = if photo { &["义诊现场"] } else { &[] };
    story_in(app, app.fx.news, title, body, captions).await
}

/// Writes a story in `channel` (three review levels) with one uploaded photo per caption
/// (the first is the cover), reviews and publishes it; returns (manuscript id, article path).
pub async fn story_in(app: &TestApp, channel: i64, title: &str, body: &str, captions: &[&str]) -> (i64, String) {
    let web = app.web("corr_a").await;
    let (_, loc, _) = web.form("/admin/manuscripts", &[("title", title), ("channel_id", &channel.to_string()), ("authors", "陈骨科"), ("body_html", body)]).await;
    let id: i64 = loc.trim_start_matches("/admin/manuscripts/").split('?').next().unwrap().parse().unwrap();
    for caption in captions {
        let (s, _, page) = web.upload(&format!("/admin/manuscripts/{id}/media"), "现场.jpg", crate::helpers::photo_with_exif(), &[("caption", caption.to_string())]).await;
        assert_eq!(s, 303, "{page}");
    }
    let author = app.api("corr_a").await;
    assert_eq!(author.post(&format!("/manuscripts/{id}/submit"), json!({})).await.0, 200);
    crate::helpers::review_and_publish(app, id).await;
    let (_, list) = app.api("editor").await.get("/articles?limit=100").await;
    let url = list.as_array().unwrap().iter().find(|a| a["title"] == title).expect("listed")["url"].as_str().unwrap().to_string();
    (id, url.trim_start_matches(&app.base).to_string())
}

#[tokio::test]
async fn word_download_is_a_real_docx_with_the_photos() {
    let app = spawn_app().await;
    let (id, path) = story(&app, "骨科举办“关爱骨骼健康”义诊", "<h2>活动概况</h2><p>骨科专家为居民提供骨密度检测。</p><p>活动受到居民欢迎 &amp; 好评。</p>", true).await;
    let page = app.get(&path).await.text().await.unwrap();
    let word = path.replace(".html", ".docx");
    assert!(page.contains(&format!("href=\"{word}\"")) && page.contains("下载Word文档"), "the page links the Word file");

    let r = app.get(&word).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    let disposition = r.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''%E9%AA%A8%E7%A7%91"), "{disposition}");
    let bytes = r.bytes().await.unwrap().to_vec();

    // Our own reader (the one that imports correspondents' files) reads it back whole.
    let back = yuanxun_docx::read_docx(&bytes, &yuanxun_docx::Limits::default()).expect("a valid .docx");
    assert_eq!(back.title, "骨科举办“关爱骨骼健康”义诊");
    for text in ["活动概况", "骨科专家为居民提供骨密度检测。", "活动受到居民欢迎 &amp; 好评。", "作者：陈骨科", "义诊现场", &format!("原文地址：{}{path}", app.base)] {
        assert!(back.body_html.contains(text), "{text} in {}", back.body_html);
    }
    assert_eq!(back.images.len(), 1, "the photo is in the document");

    // LibreOffice opens it as Word would, and finds the same text.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("article.docx");
    std::fs::write(&file, &bytes).unwrap();
    let out = std::process::Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", dir.path().join("lo").display()))
        .args(["--headless", "--convert-to", "txt:Text (encoded):UTF8", "--outdir"])
        .arg(dir.path())
        .arg(&file)
        .output()
        .expect("LibreOffice (soffice) must be installed for this test");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(dir.path().join("article.txt")).expect("LibreOffice converted the file");
    assert!(text.contains("骨科举办“关爱骨骼健康”义诊") && text.contains("骨科专家为居民提供骨密度检测。"), "{text}");

    // Retracted: no more downloads; unknown: 404.
    let editor = app.api("editor").await;
    assert_eq!(editor.post(&format!("/manuscripts/{id}/retract"), json!({"reason": "撤下"})).await.0, 200);
    assert_eq!(app.get(&word).await.status(), 410);
    assert_eq!(app.get("/news/999999.docx").await.status(), 404);
}

#[tokio::test]
async fn articles_link_their_neighbours_and_related_stories() {
    let app = spawn_app().await;
    let (_, first) = story(&app, "骨科开展膝关节置换术后康复讲座", "<p>讲座面向术后患者。</p>", false).await;
    let (_, second) = story(&app, "儿科开设冬季夜间门诊", "<p>方便家长带孩子就诊。</p>", false).await;
    let (_, third) = story(&app, "骨科专家走进社区开展义诊", "<p>为居民提供咨询。</p>", false).await;
    let middle = app.get(&second).await.text().await.unwrap();
    assert!(middle.contains(&format!("上一篇：<a href=\"{first}\" rel=\"prev\">")), "{middle}");
    assert!(middle.contains(&format!("下一篇：<a href=\"{third}\" rel=\"next\">")));
    let oldest = app.get(&first).await.text().await.unwrap();
    assert!(oldest.contains("上一篇：没有了"));
    // 相关文章: the other 骨科 story, not the unrelated one, not itself.
    let newest = app.get(&third).await.text().await.unwrap();
    let related = &newest[newest.find("相关文章").expect("a related list")..];
    assert!(related.contains(&format!("href=\"{first}\"")) && !related.contains(&format!("href=\"{second}\"")) && !related.contains(&format!("href=\"{third}\"")), "{related}");
}

/// An administrator marks a channel as photo news (图片栏目): its newest stories with photos
/// become the home page's slideshow under the channel's name and its pages a grid of covers;
/// unmarked, it lists titles again. A channel whose stories merely have photos stays a list.
#[tokio::test]
async fn a_channel_marked_as_photo_news_is_the_slideshow_and_a_grid() {
    let app = spawn_app().await;
    let admin = app.web("admin").await;
    let form = |photo: bool| {
        let mut f = vec![("name", "图片报道"), ("review_levels", "3"), ("sort", "3")];
        if photo {
            f.push(("photo", "1"));
        }
        f
    };
    let mut new = form(true);
    new.push(("slug", "gallery"));
    assert_eq!(admin.form("/admin/channels", &new).await.0, 303);
    let gallery = {
        let mut c = app.running.as_ref().unwrap().state.store.conn().await.unwrap();
        yuanxun_store::sites::channel_by_slug(&mut c, 1, "gallery").await.unwrap().id
    };
    assert!(admin.get("/admin/channels").await.1.contains("value=\"1\" checked>图片栏目"), "the box shows ticked");
    story_in(&app, gallery, "骨科举办关爱骨骼健康义诊", "<p>骨科专家为居民提供骨密度检测。</p>", &["义诊现场"]).await;
    story(&app, "护理部举办护理技能竞赛", "<p>四十名护士参加比赛。</p>", true).await;

    let home = app.get("/").await.text().await.unwrap();
    let slideshow = home.split("<section class=\"pictures\"").nth(1).expect("a slideshow").split("</section>").next().unwrap();
    assert!(slideshow.contains("图片报道</a></h2>") && slideshow.contains("骨科举办关爱骨骼健康义诊"), "{slideshow}");
    assert!(!slideshow.contains("护理部举办护理技能竞赛"), "a 医院要闻 story with a photo stays in its list");
    assert!(app.get("/channel/gallery").await.text().await.unwrap().contains("<div class=\"grid\">"));
    assert!(!app.get("/channel/news").await.text().await.unwrap().contains("<div class=\"grid\">"));

    assert_eq!(admin.form(&format!("/admin/channels/{gallery}"), &form(false)).await.0, 303);
    let home = app.get("/").await.text().await.unwrap();
    assert!(!home.contains("<section class=\"pictures\"") && home.contains("骨科举办关爱骨骼健康义诊"), "a list of titles again");
    assert!(!app.get("/channel/gallery").await.text().await.unwrap().contains("<div class=\"grid\">"));
}
