//! Sign-in, lockout, CSRF, cookies and who may see what.

use serde_json::json;

use crate::helpers::{hidden_csrf, spawn_app, spawn_app_with, PASSWORD};

#[tokio::test]
async fn a_correspondent_sees_only_their_own_manuscripts() {
    let app = spawn_app().await;
    let a = app.api("corr_a").await;
    let (_, m) = a.post("/manuscripts", json!({"title": "骨科的稿件", "channel_id": app.fx.news, "body_html": "<p>正文</p>"})).await;
    let id = m["id"].as_i64().unwrap();
    let b = app.api("corr_b").await;
    assert_eq!(b.get(&format!("/manuscripts/{id}")).await.0, 404);
    assert_eq!(b.put(&format!("/manuscripts/{id}"), json!({"title": "改", "channel_id": app.fx.news})).await.0, 404);
    assert_eq!(b.post(&format!("/manuscripts/{id}/submit"), json!({})).await.0, 404);
    let (_, list) = b.get("/manuscripts").await;
    assert!(list.as_array().unwrap().is_empty());
    let web_b = app.web("corr_b").await;
    let (s, html) = web_b.get(&format!("/admin/manuscripts/{id}")).await;
    assert_eq!(s, 404);
    assert!(!html.contains("骨科的稿件"));
    assert_eq!(web_b.form(&format!("/admin/manuscripts/{id}/submit"), &[]).await.0, 404);
    // Nor may a correspondent write for another department.
    let (s, e) = b.post("/manuscripts", json!({"title": "冒名", "channel_id": app.fx.news, "department_id": app.fx.ortho, "body_html": "<p>x</p>"})).await;
    assert_eq!(s, 403, "{e}");
    // Admins and auditors manage people and read logs, not manuscripts.
    assert_eq!(app.api("admin").await.get(&format!("/manuscripts/{id}")).await.0, 404);
    assert_eq!(app.api("auditor").await.post("/manuscripts", json!({"title": "x", "channel_id": app.fx.news})).await.0, 403);
    // Signed out: the API says 401, the newsroom redirects to the login page.
    assert_eq!(app.get("/api/v1/manuscripts").await.status(), 401);
    let r = app.get("/admin/manuscripts").await;
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/admin/login?next="));
}

#[tokio::test]
async fn unpublished_photos_are_not_public() {
    let app = spawn_app().await;
    let web = app.web("corr_a").await;
    let (_, loc, _) = web.form("/admin/manuscripts", &[("title", "带图稿件"), ("channel_id", &app.fx.news.to_string()), ("body_html", "<p>正文</p>")]).await;
    let id: i64 = loc.trim_start_matches("/admin/manuscripts/").split('?').next().unwrap().parse().unwrap();
    let (s, _, body) = web.upload(&format!("/admin/manuscripts/{id}/media"), "现场.jpg", crate::helpers::photo_with_exif(), &[("caption", "义诊现场".into())]).await;
    assert_eq!(s, 303, "{body}");
    let (_, v) = app.api("corr_a").await.get(&format!("/manuscripts/{id}")).await;
    let url = format!("/media/{}.jpg", v["media"][0]["id"]);
    let (_, page) = web.get(&format!("/admin/manuscripts/{id}")).await;
    assert!(page.contains(&url.replace('/', "&#x2f;")), "the manuscript page shows the photo");
    let own = web.client.get(format!("{}{url}", app.base)).send().await.unwrap();
    assert_eq!(own.status(), 200);
    let bytes = own.bytes().await.unwrap();
    assert!(!bytes.windows(4).any(|w| w == b"Exif"), "EXIF removed by re-encoding");
    assert_eq!(app.get(&url).await.status(), 404, "the public cannot see it before publication");
    assert_eq!(app.web("corr_b").await.get(&url).await.0, 404);
}

#[tokio::test]
async fn five_failed_logins_lock_the_account_for_fifteen_minutes() {
    // Clients told apart by the address the (configured) proxy reports.
    let app = spawn_app_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    let c = app.client();
    let login = |user: &'static str, p: &'static str, from: &'static str| {
        let c = c.clone();
        let url = format!("{}/api/v1/session", app.base);
        async move {
            let r = c.post(url).header("X-Forwarded-For", from).json(&json!({"username": user, "password": p})).send().await.unwrap();
            (r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap())
        }
    };
    for i in 1..=4 {
        let (s, e) = login("corr_a", "wrong-password-1", "198.51.100.1").await;
        assert_eq!(s, 422, "attempt {i}");
        assert!(e["message"].as_str().unwrap().contains("登录名或密码错误"));
    }
    let (s, e) = login("corr_a", "wrong-password-1", "198.51.100.1").await;
    assert_eq!(s, 403);
    assert!(e["message"].as_str().unwrap().contains("锁定 15 分钟"), "{e}");
    let (s, e) = login("corr_a", PASSWORD, "198.51.100.1").await;
    assert_eq!(s, 403, "even the right password is refused from there while locked");
    assert!(e["message"].as_str().unwrap().contains("锁定"));
    // The attacker's address is locked, not the account: she signs in from her own desk.
    assert_eq!(login("corr_a", PASSWORD, "198.51.100.2").await.0, 200);
    // Others are unaffected, and an unknown name gets exactly the same answers.
    assert_eq!(app.api("corr_b").await.get("/session").await.0, 200);
    let mut unknown = Vec::new();
    for _ in 0..6 {
        let (s, e) = login("nobody", "wrong-password-1", "198.51.100.1").await;
        unknown.push((s, e["message"].as_str().unwrap().replace(char::is_numeric, "#")));
    }
    let mut known = Vec::new();
    for _ in 0..6 {
        let (s, e) = login("corr_b", "wrong-password-1", "198.51.100.1").await;
        known.push((s, e["message"].as_str().unwrap().replace(char::is_numeric, "#")));
    }
    assert_eq!(unknown, known, "no answer tells which names exist");
    assert_eq!(known.last().unwrap().0, 403);

    // The administrator sees the lock and lifts it.
    let admin = app.web("admin").await;
    let corr_b = {
        let mut c = app.running.as_ref().unwrap().state.store.conn().await.unwrap();
        yuanxun_store::users::by_username(&mut c, 1, "corr_b").await.unwrap().unwrap().id
    };
    let (_, page) = admin.get(&format!("/admin/users/{corr_b}")).await;
    assert!(page.contains("从 198.51.100.1 登录已锁定至"), "{page}");
    assert_eq!(app.web("editor").await.form(&format!("/admin/users/{corr_b}/unlock"), &[]).await.0, 403, "only the administrator unlocks");
    let (s, loc, _) = admin.form(&format!("/admin/users/{corr_b}/unlock"), &[]).await;
    assert_eq!((s, loc.as_str()), (303, format!("/admin/users/{corr_b}?msg=unlocked").as_str()));
    assert_eq!(login("corr_b", PASSWORD, "198.51.100.1").await.0, 200);
}

#[test]
fn each_lock_after_the_fifth_failure_lasts_longer() {
    use yuanxun_server::services::accounts::lock_seconds;
    assert_eq!((1..5).map(lock_seconds).collect::<Vec<_>>(), vec![0, 0, 0, 0]);
    assert_eq!((5..9).map(lock_seconds).collect::<Vec<_>>(), vec![900, 1800, 3600, 7200]);
    assert_eq!(lock_seconds(40), 24 * 3600, "at most a day");
}

#[tokio::test]
async fn state_changes_need_the_csrf_token() {
    let app = spawn_app().await;
    let api = app.api("corr_a").await;
    let body = json!({"title": "x", "channel_id": app.fx.news});
    let r = api.client.post(format!("{}/api/v1/manuscripts", app.base)).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 403, "no token");
    let r = api.client.post(format!("{}/api/v1/manuscripts", app.base)).header("X-CSRF-Token", "0".repeat(64)).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 403, "wrong token");
    // A form posted from another site carries the cookie but not the token.
    let web = app.web("corr_a").await;
    let r = web.client.post(format!("{}/admin/manuscripts", app.base)).form(&[("title", "伪造"), ("channel_id", "1")]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("页面已过期"));
    // Login forms too (double-submit cookie).
    let fresh = app.client();
    let r = fresh.post(format!("{}/admin/login", app.base)).form(&[("username", "corr_a"), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(app.count(yuanxun_store::manuscripts::Table::Manuscripts).await, 0);
}

#[tokio::test]
async fn session_cookie_is_httponly_lax_and_secure_behind_https() {
    // X-Forwarded-Proto is believed from the configured proxy (here: loopback) only.
    let app = spawn_app_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    let c = app.client();
    let page = c.get(format!("{}/admin/login", app.base)).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_csrf(&page);
    let r = c.post(format!("{}/admin/login", app.base)).header("X-Forwarded-Proto", "https").form(&[("csrf", csrf.as_str()), ("username", "editor"), ("password", PASSWORD)]).send().await.unwrap();
    let set = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).find(|v| v.starts_with("yx_session=")).unwrap();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Secure"), "{set}");
    let r = app.client().post(format!("{}/api/v1/session", app.base)).json(&json!({"username": "editor", "password": PASSWORD})).send().await.unwrap();
    let set = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(set.contains("HttpOnly") && !set.contains("Secure"), "plain HTTP on loopback: {set}");
}

#[tokio::test]
async fn password_change_and_logout() {
    let app = spawn_app().await;
    let web = app.web("corr_a").await;
    let (s, _, html) = web.form("/admin/password", &[("current", PASSWORD), ("new", "short"), ("confirm", "short")]).await;
    assert_eq!(s, 422);
    assert!(html.contains("至少 10 位"));
    let (s, _, html) = web.form("/admin/password", &[("current", PASSWORD), ("new", "corr_a2026X!"), ("confirm", "corr_a2026X!")]).await;
    assert_eq!(s, 422, "a password with the login name in it");
    assert!(html.contains("不能包含登录名"));
    let (s, _, _) = web.form("/admin/password", &[("current", PASSWORD), ("new", "alllowercase1"), ("confirm", "alllowercase1")]).await;
    assert_eq!(s, 422, "two kinds of characters only");
    let (s, loc, _) = web.form("/admin/password", &[("current", PASSWORD), ("new", "NewPass2026"), ("confirm", "NewPass2026")]).await;
    assert_eq!((s, loc.as_str()), (303, "/admin/password?msg=password"));
    let (s, _, _) = web.form("/admin/logout", &[]).await;
    assert_eq!(s, 303);
    assert_eq!(web.get("/admin/manuscripts").await.0, 303, "signed out");
    let r = app.client().post(format!("{}/api/v1/session", app.base)).json(&json!({"username": "corr_a", "password": "NewPass2026"})).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn admins_manage_users_departments_and_channels() {
    let app = spawn_app().await;
    let admin = app.web("admin").await;
    let (s, loc, body) = admin.form("/admin/departments", &[("name", "眼科")]).await;
    assert_eq!(s, 303, "{body} {loc}");
    let (_, html) = admin.get("/admin/departments").await;
    assert!(html.contains("眼科"));
    let (s, _, _) = admin.form("/admin/channels", &[("slug", "health"), ("name", "健康科普"), ("review_levels", "2"), ("sort", "5")]).await;
    assert_eq!(s, 303);
    let (s, _, html) = admin.form("/admin/channels", &[("slug", "Bad Slug"), ("name", "x"), ("review_levels", "2")]).await;
    assert_eq!(s, 422);
    assert!(html.contains("小写字母"));
    let dept = app.fx.paeds.to_string();
    let (s, _, html) = admin.form("/admin/users", &[("username", "newcorr"), ("display_name", "新通讯员"), ("role", "correspondent"), ("department_id", &dept), ("password", "Welcome2026")]).await;
    assert_eq!(s, 303, "{html}");
    assert_eq!(app.api("admin").await.get("/session").await.0, 200);
    let r = app.client().post(format!("{}/api/v1/session", app.base)).json(&json!({"username": "newcorr", "password": "Welcome2026"})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // Not for other roles.
    let editor = app.web("editor").await;
    assert_eq!(editor.get("/admin/users").await.0, 403);
    assert_eq!(editor.form("/admin/departments", &[("name", "x")]).await.0, 403);
}
