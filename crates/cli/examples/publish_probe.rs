//! Publish-to-live at scale (`bench/million.sh`): a story is written, reviewed at three levels
//! and published COUNT times on a running `serve`; each publish is timed, and as soon as it
//! returns the story must be live everywhere: its page, the home page, its channel's list,
//! the site and channel feeds, the sitemap, the search results and the static export (file
//! and signed manifest). Prints the publish p50/p99/max and what was not live, if anything.
//!
//! Usage: publish_probe BASE PASSWORD EXPORT_DIR COUNT   (EXPORT_DIR `-`: serve keeps no export)
//! (PASSWORD: the demo accounts' password, `YUANXUN_DEMO_PASSWORD` of the server.)

use std::time::{Duration, Instant};

use serde_json::{json, Value};

struct Staff {
    client: reqwest::Client,
    base: String,
    csrf: String,
}

impl Staff {
    async fn sign_in(base: &str, user: &str, password: &str) -> Staff {
        let client = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).timeout(Duration::from_secs(60)).build().unwrap();
        let r = client.post(format!("{base}/api/v1/session")).json(&json!({"username": user, "password": password})).send().await.unwrap();
        assert!(r.status().is_success(), "{user} signs in: {}", r.status());
        let v: Value = r.json().await.unwrap();
        Staff { client, base: base.to_string(), csrf: v["csrf_token"].as_str().unwrap().to_string() }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let r = self.client.request(method, format!("{}/api/v1{path}", self.base)).header("X-CSRF-Token", &self.csrf).json(&body).send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, password, export, count, ..] = &args[..] else {
        eprintln!("usage: publish_probe BASE PASSWORD EXPORT_DIR COUNT");
        std::process::exit(2);
    };
    let count: usize = count.parse().unwrap();
    let export = std::path::Path::new(export);
    let writer = Staff::sign_in(base, "correspondent", password).await;
    let levels = [Staff::sign_in(base, "editor", password).await, Staff::sign_in(base, "reviewer", password).await, Staff::sign_in(base, "chief", password).await];
    let reader = reqwest::Client::new();
    let mut times = Vec::new();
    let mut not_live: Vec<String> = Vec::new();
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    for k in 0..count {
        // A word no other story has, for the search.
        let mark = format!("探针{}号", stamp * 100 + k as u64);
        let title = format!("心血管内科开展义诊活动{mark}");
        let body = format!("<p>近日，心血管内科在社区卫生服务中心开展义诊活动，为群众提供冠心病筛查和咨询服务一百二十人次。{mark}</p>");
        let m = writer.call(reqwest::Method::POST, "/manuscripts", json!({"title": title, "channel_id": 1, "authors": "通讯员", "body_html": body})).await;
        let id = m["id"].as_i64().expect("manuscript id");
        writer.call(reqwest::Method::POST, &format!("/manuscripts/{id}/submit"), json!({})).await;
        for s in &levels {
            s.call(reqwest::Method::POST, &format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve", "comment": "同意"})).await;
        }
        let t = Instant::now();
        levels[0].call(reqwest::Method::POST, &format!("/manuscripts/{id}/publish"), json!({})).await;
        times.push(t.elapsed());
        // Live the moment the publish returned: nothing below waits or retries.
        let newest = levels[0].call(reqwest::Method::GET, "/articles?limit=1", Value::Null).await;
        let article = newest[0]["id"].as_i64().expect("article id");
        assert_eq!(newest[0]["title"], title.as_str(), "the newest article is the one just published");
        let path = format!("/news/{article}.html");
        let get = |p: String| {
            let reader = reader.clone();
            let base = base.clone();
            async move { reader.get(format!("{base}{p}")).send().await.unwrap().text().await.unwrap() }
        };
        let search = get(format!("/search?q={mark}")).await;
        // The sitemap is an index of parts by article id.
        let part = yuanxun_server::routes::public::SitemapPart::of(article).path();
        let checks = [
            ("page", get(path.clone()).await.contains(&mark)),
            ("home", get("/".into()).await.contains(&path)),
            ("channel list", get("/channel/news".into()).await.contains(&path)),
            ("site feed", get("/feed.xml".into()).await.contains(&path)),
            ("channel feed", get("/channel/news/feed.xml".into()).await.contains(&path)),
            ("sitemap", get("/sitemap.xml".into()).await.contains(&part) && get(part.clone()).await.contains(&path)),
            ("search", search.contains(&path)),
            ("export page", std::fs::read_to_string(export.join(format!("news/{article}.html"))).is_ok_and(|s| s.contains(&mark))),
            ("export manifest", std::fs::read_to_string(export.join(yuanxun_guard::part_of(&path[1..]).unwrap())).is_ok_and(|s| s.contains(&format!("news/{article}.html")))),
            ("export list", std::fs::read_to_string(export.join("channel/news/index.html")).is_ok_and(|s| s.contains(&format!("{article}.html")))),
        ];
        for (what, ok) in checks {
            if !ok && !(what.starts_with("export") && export.as_os_str() == "-") {
                not_live.push(format!("{what} of article {article}"));
            }
        }
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pick = |q: f64| ms(times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1]);
    println!("publish-to-live over {count} publishes: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (the publish request; page, lists, feeds, sitemap, search and export all checked right after it returned)", pick(0.5), pick(0.99), pick(1.0));
    if not_live.is_empty() {
        println!("live everywhere after every publish: yes");
    } else {
        println!("NOT live right after publishing: {}", not_live.join("; "));
    }
}
