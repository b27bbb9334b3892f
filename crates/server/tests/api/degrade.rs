//! The database goes away (PostgreSQL unreachable: every connection cut, new ones refused)
//! and comes back. Readers keep getting pages from the render cache, however old; a page
//! that cannot be rendered is a 503 that is never cached; the newsroom says in Chinese what
//! is wrong and saves nothing half; once the database is back everything works and no view
//! is lost.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use sqlx::Connection;

use crate::helpers::{approved_story, spawn_app_on};

/// A TCP relay to `target` that can be cut: while down it drops every connection it holds
/// and every new one, as a network failure or a stopped server would.
struct Relay {
    port: u16,
    up: Arc<AtomicBool>,
    cut: tokio::sync::watch::Sender<u64>,
}

impl Relay {
    async fn to(target: SocketAddr) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let (cut, _) = tokio::sync::watch::channel(0u64);
        let (flag, cuts) = (up.clone(), cut.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else { return };
                if !flag.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let mut cutting = cuts.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await else { return };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cutting.changed() => {}
                    }
                });
            }
        });
        Relay { port, up, cut }
    }

    fn down(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.cut.send_modify(|n| *n += 1);
    }

    fn up(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn readers_are_served_from_the_cache_while_the_database_is_away_and_nothing_is_lost() {
    sqlx::any::install_default_drivers();
    let admin = std::env::var("YUANXUN_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1/postgres".into());
    let mut c = sqlx::AnyConnection::connect(&admin).await.unwrap_or_else(|e| panic!("PostgreSQL at {admin} is required: {e} (scripts/test installs and starts it)"));
    let name = format!("yx_degrade_{}", rand::random::<u32>());
    sqlx::Executor::execute(&mut c, format!("CREATE DATABASE {name}").as_str()).await.unwrap();
    // The relay stands between the app and the server the admin URL names.
    let parsed = url::Url::parse(&admin).unwrap();
    let host = parsed.host_str().unwrap_or("127.0.0.1");
    let server: SocketAddr = tokio::net::lookup_host((host, parsed.port().unwrap_or(5432))).await.unwrap().next().unwrap();
    let relay = Relay::to(server).await;
    let mut url = parsed.clone();
    url.set_host(Some("127.0.0.1")).unwrap();
    url.set_port(Some(relay.port)).unwrap();
    url.set_path(&name);
    let url = url.to_string();
    let app = spawn_app_on(Some(&url), |c| {
        c.views_refresh = Duration::from_millis(200);
        c.views_flush_every = Duration::from_secs(3600);
    })
    .await;

    let title = "骨科开展“关爱骨骼健康”义诊";
    let id = approved_story(&app, "corr_a", title).await;
    let editor = app.api("editor").await;
    assert_eq!(editor.post(&format!("/manuscripts/{id}/publish"), json!({})).await.0, 200);
    let (_, list) = editor.get("/articles").await;
    let path = list[0]["url"].as_str().unwrap().trim_start_matches(&app.base).to_string();
    let article_id: i64 = list[0]["id"].as_i64().unwrap();
    let web = app.web("editor").await;
    let mut views = 0;
    for page in [path.as_str(), "/"] {
        let r = app.get(page).await;
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("关爱骨骼健康"));
    }
    views += 1;
    let manuscripts_before = app.count(yuanxun_store::manuscripts::Table::Manuscripts).await;

    // The database goes away. The article's cached copy is out of date by now: it is
    // served all the same (its view counted), and so is the home page.
    relay.down();
    tokio::time::sleep(Duration::from_millis(300)).await;
    for page in [path.as_str(), "/", path.as_str()] {
        let r = app.get(page).await;
        assert_eq!(r.status(), 200, "{page} while the database is away");
        assert!(r.text().await.unwrap().contains("关爱骨骼健康"), "{page}");
    }
    views += 2;
    // A page never rendered cannot be made up: 503, in Chinese, with Retry-After.
    let r = app.get("/channel/news").await;
    assert_eq!(r.status(), 503);
    assert!(!r.headers()["retry-after"].is_empty());
    assert!(r.text().await.unwrap().contains("网站暂时无法访问"));
    // The newsroom says what is wrong, and the save it refuses leaves nothing behind.
    let (s, page) = web.get("/admin/manuscripts").await;
    assert!(s == 503 && page.contains("暂时无法连接数据库") && page.contains("没有保存任何内容"), "{s} {page}");
    let (s, _, page) = web.form("/admin/manuscripts", &[("title", "停电时写的稿件"), ("channel_id", &app.fx.news.to_string()), ("body_html", "<p>正文</p>")]).await;
    assert_eq!(s, 503, "{page}");
    let (s, v) = editor.get("/manuscripts").await;
    assert_eq!((s, v["error"].as_str()), (503, Some("unavailable")), "{v}");

    // Back: everything works again, the 503 was not kept, nothing half-saved exists.
    relay.up();
    let mut back = false;
    for _ in 0..50 {
        if web.get("/admin/manuscripts").await.0 == 200 {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(back, "the newsroom works again once the database is back");
    let r = app.get("/channel/news").await;
    assert_eq!(r.status(), 200, "the refusal was never cached as the channel page");
    assert!(r.text().await.unwrap().contains("关爱骨骼健康"));
    assert_eq!(app.count(yuanxun_store::manuscripts::Table::Manuscripts).await, manuscripts_before, "the refused save left nothing");
    // Every view counted while the database was away reaches it.
    let state = &app.running.as_ref().unwrap().state;
    state.views.flush(&state.store).await.unwrap();
    let mut c2 = state.store.conn().await.unwrap();
    let a = yuanxun_store::articles::get(&mut c2, 1, article_id).await.unwrap();
    assert_eq!(a.view_count, views, "views counted while the database was away are kept");
    drop(c2);

    let mut app = app;
    app.stop().await;
    sqlx::Executor::execute(&mut c, format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await.ok();
}
