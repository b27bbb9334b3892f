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

    // The security administrator sees the lock and lifts it.
    let admin = app.web("security").await;
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
    let security = app.web("security").await;
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
    let (s, _, html) = security.form("/admin/users", &[("username", "newcorr"), ("display_name", "新通讯员"), ("role", "correspondent"), ("department_id", &dept), ("password", "Welcome2026")]).await;
    assert_eq!(s, 303, "{html}");
    assert_eq!(app.api("admin").await.get("/session").await.0, 200);
    let r = app.client().post(format!("{}/api/v1/session", app.base)).json(&json!({"username": "newcorr", "password": "Welcome2026"})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // Not for other roles.
    let editor = app.web("editor").await;
    assert_eq!(editor.get("/admin/users").await.0, 403);
    assert_eq!(editor.form("/admin/departments", &[("name", "x")]).await.0, 403);
}

/// 三员分立 (等保 level 3): the system administrator, the security administrator and the
/// auditor each do their own work and nothing of the others'; the auditor reads and exports
/// the audit log of any range of days and changes nothing.
#[tokio::test]
async fn the_three_administrators_have_three_separate_duties() {
    let app = spawn_app().await;
    let (admin, security, auditor) = (app.web("admin").await, app.web("security").await, app.web("auditor").await);
    let dept = app.fx.paeds.to_string();
    let user = |name: &'static str| vec![("username", name), ("display_name", "新同事"), ("role", "correspondent"), ("department_id", dept.as_str()), ("password", "Welcome2026")];

    // The system administrator: departments, channels, the theme; not accounts, not the log.
    assert_eq!(admin.form("/admin/departments", &[("name", "眼科")]).await.0, 303);
    assert_eq!(admin.get("/admin/users").await.0, 403);
    let (s, _, page) = admin.form("/admin/users", &user("byadmin")).await;
    assert!(s == 403 && page.contains("无权管理用户"), "{s} {page}");
    assert_eq!(admin.get("/admin/audit").await.0, 403);
    assert_eq!(admin.get("/admin/audit.xlsx").await.0, 403);

    // The security administrator: accounts and roles; not the site's structure, not the log.
    assert_eq!(security.form("/admin/users", &user("bysecurity")).await.0, 303);
    assert_eq!(security.form("/admin/departments", &[("name", "口腔科")]).await.0, 403);
    assert_eq!(security.form("/admin/channels", &[("slug", "x"), ("name", "x"), ("review_levels", "2")]).await.0, 403);
    assert_eq!(security.get("/admin/audit").await.0, 403);
    // …and cannot make themselves something else (another security administrator must).
    let me = {
        let mut c = app.running.as_ref().unwrap().state.store.conn().await.unwrap();
        yuanxun_store::users::by_username(&mut c, 1, "security").await.unwrap().unwrap().id
    };
    let (s, _, page) = security.form(&format!("/admin/users/{me}"), &[("display_name", "孙安全"), ("role", "auditor"), ("department_id", dept.as_str()), ("active", "on")]).await;
    assert!(s == 422 && page.contains("不能停用自己或更改自己的角色"), "{s}");

    // The auditor: reads and filters the log by days…
    let today = yuanxun_core::clock::format_date(yuanxun_core::clock::now());
    let (s, page) = auditor.get(&format!("/admin/audit?action=user_create&from={today}&to={today}")).await;
    assert!(s == 200 && page.contains("bysecurity") && !page.contains("byadmin"), "{page}");
    let (_, page) = auditor.get("/admin/audit?action=user_create&to=2020-01-01").await;
    assert!(!page.contains("bysecurity"), "a range before the change has none of it");
    let (s, page) = auditor.get("/admin/audit?from=2026-13-01").await;
    assert!(s == 200 && page.contains("开始日期“2026-13-01”不是日期"), "{page}");

    // …exports it as a spreadsheet and as CSV, oldest first…
    let r = auditor.client.get(format!("{}/admin/audit.xlsx?from={today}&to={today}", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("audit-log.xlsx"));
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = calamine::Reader::worksheet_range(&mut book, "审计日志").unwrap();
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows[2][..4], ["序号", "时间", "操作人", "操作"]);
    let created = rows.iter().position(|r| r.get(3).is_some_and(|a| a == "user_create") && r[6].contains("bysecurity")).expect("the new account is in the export");
    let dept_made = rows.iter().position(|r| r.get(3).is_some_and(|a| a == "department_create")).expect("the department too");
    assert!(dept_made < created, "oldest first");
    let csv = auditor.client.get(format!("{}/admin/audit.csv?action=user_create", app.base)).send().await.unwrap().bytes().await.unwrap().to_vec();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "a byte-order mark, so Excel reads the Chinese");
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert!(text.starts_with("序号,时间,操作人,操作") && text.contains("bysecurity") && !text.contains("department_create"), "{text}");
    // …and every export is itself in the log.
    let (_, page) = auditor.get("/admin/audit?action=audit_export").await;
    assert_eq!(page.matches("导出 ").count(), 2, "{page}");

    // The auditor changes nothing, and there is nothing that deletes a row.
    assert_eq!(auditor.form("/admin/users", &user("byauditor")).await.0, 403);
    assert_eq!(auditor.form("/admin/departments", &[("name", "x")]).await.0, 403);
    assert_eq!(auditor.form("/admin/audit", &[("id", "1")]).await.0, 405);
    assert_eq!(auditor.client.delete(format!("{}/admin/audit", app.base)).header("X-CSRF-Token", &auditor.csrf).send().await.unwrap().status(), 405);
}

/// With `--password-days`, a password older than that leaves its owner only the page that
/// changes it (the API says why); a new password lets them back in. Others are unaffected.
#[tokio::test]
async fn an_expired_password_must_be_changed_before_anything_else() {
    let app = spawn_app_with(|c| c.password_max_age = Some(std::time::Duration::from_secs(90 * 86_400))).await;
    {
        let mut c = app.running.as_ref().unwrap().state.store.conn().await.unwrap();
        let long_ago = yuanxun_core::clock::now() - 91 * 86_400;
        sqlx::query("UPDATE users SET password_changed_at = $1 WHERE username = 'editor'").bind(long_ago).execute(&mut *c).await.unwrap();
    }
    let web = app.web("editor").await;
    let r = web.client.get(format!("{}/admin/manuscripts", app.base)).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/admin/password?msg=password_expired"));
    let (s, page) = web.get("/admin/password?msg=password_expired").await;
    assert!(s == 200 && page.contains("您的密码已到期"), "{page}");
    let api = app.api("editor").await;
    let (s, v) = api.get("/manuscripts").await;
    assert!(s == 403 && v["message"].as_str().unwrap().contains("密码已超过 90 天未修改"), "{v}");
    assert_eq!(app.api("chief").await.get("/manuscripts").await.0, 200, "others are unaffected");

    let (s, loc, _) = web.form("/admin/password", &[("current", PASSWORD), ("new", "Renewed2027pass"), ("confirm", "Renewed2027pass")]).await;
    assert_eq!((s, loc.as_str()), (303, "/admin/password?msg=password"));
    assert_eq!(web.get("/admin/manuscripts").await.0, 200, "a new password lets them back in");
}
