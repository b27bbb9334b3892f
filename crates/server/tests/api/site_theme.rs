//! Theme folders: a template or stylesheet dropped into the site's theme folder replaces the
//! default within seconds; a broken one is shown to the admin with its file and line while
//! readers keep getting the last good version.

use std::time::Duration;

use crate::helpers::{spawn_app, TestApp};

async fn home_with(app: &TestApp, cookie: &str) -> String {
    app.client().get(format!("{}/", app.base)).header("cookie", cookie).send().await.unwrap().text().await.unwrap()
}

/// Waits (up to 5 s) until `check` holds, as the theme watcher looks every 100 ms.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..50 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not happen within 5 s");
}

const HOME_V1: &str = "{% extends \"base.html\" %}\n{% block main %}<p class=\"theme-mark\">本院主题 v1</p>{% endblock %}";

#[tokio::test]
async fn theme_files_override_and_a_broken_one_keeps_the_last_good_version() {
    let app = spawn_app().await;
    let dir = app.data().join("theme");
    std::fs::create_dir_all(&dir).unwrap();
    assert!(!home_with(&app, "").await.contains("theme-mark"), "the default theme first");

    // A template and a stylesheet in the folder replace the defaults, without a restart.
    std::fs::write(dir.join("home.html"), HOME_V1).unwrap();
    std::fs::write(dir.join("site.css"), "body{background:#fef}").unwrap();
    eventually("the new home template", || async { home_with(&app, "").await.contains("本院主题 v1") }).await;
    let home = home_with(&app, "").await;
    let at = home.find("href=\"/static/site.").unwrap() + 6;
    let css = &home[at..at + home[at..].find('"').unwrap()];
    assert_eq!(app.get(css).await.text().await.unwrap(), "body{background:#fef}");

    // A syntax error on line 2: the admin is told where; readers keep v1, even for a page
    // rendered after the break (another font size is not in the cache yet).
    std::fs::write(dir.join("home.html"), "{% extends \"base.html\" %}\n{% block main %}{{ oops }</p>{% endblock %}").unwrap();
    let admin = app.web("admin").await;
    eventually("the admin's warning", || async { admin.get("/admin/manuscripts").await.1.contains("网站主题有错误：home.html 第 2 行") }).await;
    assert!(home_with(&app, "yx_font=l").await.contains("本院主题 v1"), "the last good version is served");
    let (_, theme_page) = admin.get("/admin/theme").await;
    assert!(theme_page.contains("home.html") && theme_page.contains("第 2 行") && theme_page.contains("模板语法错误"), "{theme_page}");
    let (s, _, body) = admin.form("/admin/theme/reload", &[]).await;
    assert_eq!(s, 422, "reloading a broken theme is refused with the reason");
    assert!(body.contains("第 2 行"));
    // Editors are not bothered with it, and may not reload themes.
    let editor = app.web("editor").await;
    assert!(!editor.get("/admin/manuscripts").await.1.contains("网站主题有错误"));
    assert_eq!(editor.form("/admin/theme/reload", &[]).await.0, 403);

    // Fixed: served at once after 重新加载, the warning gone, the reload audited.
    std::fs::write(dir.join("home.html"), HOME_V1.replace("v1", "v2")).unwrap();
    let (s, loc, _) = admin.form("/admin/theme/reload", &[]).await;
    assert_eq!((s, loc.as_str()), (303, "/admin/theme?msg=theme"));
    assert!(home_with(&app, "").await.contains("本院主题 v2"), "the page cache was cleared");
    assert!(!admin.get("/admin/manuscripts").await.1.contains("网站主题有错误"));
    let mut c = app.running.as_ref().unwrap().state.store.conn().await.unwrap();
    let q = yuanxun_store::audit::Query { action: Some("theme_reload".into()), ..Default::default() };
    let rows = yuanxun_store::audit::list(&mut c, 1, &q, 10).await.unwrap();
    assert!(rows.iter().any(|r| r.detail.contains("有错误")) && rows.iter().any(|r| r.detail.contains("已加载：home.html、site.css")), "{rows:?}");
}
