//! Article pages while readers download Word files: publishes `ARTICLES` stories with ten
//! 2,400×1,800 photos each on a running `yuanxun serve --demo`, then measures the latency of
//! an article page (one keep-alive client, requests back to back) alone, during 20 parallel
//! first downloads of those stories' .docx (cold: built, photos scaled for print), and during
//! 20 more (warm: from memory). Prints p50/p99 and the downloads' times and sizes. The
//! server runs with its default rate limits behind `--trusted-proxy 127.0.0.1`: each
//! download comes from its own reader's address, as twenty readers' would.
//!
//! Usage: `bench/word.sh` (builds and starts the server), or
//! `cargo run --release -p yuanxun-server --example word_load -- BASE PASSWORD`.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

const ARTICLES: usize = 5;
const PHOTOS: usize = 10;
const DOWNLOADS: usize = 20;

fn photo(seed: u32) -> Vec<u8> {
    // A smooth scene with grain, so it compresses like a photo rather than like noise.
    let img = image::RgbImage::from_fn(2_400, 1_800, |x, y| {
        let grain = (x.wrapping_mul(2_654_435_761).wrapping_add(y.wrapping_mul(40_503)).wrapping_add(seed)) >> 28;
        image::Rgb([((x / 10 + seed) % 256) as u8 ^ grain as u8, ((y / 8) % 256) as u8, (((x + y) / 20) % 256) as u8])
    });
    let mut jpg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpg, 90).encode_image(&img).unwrap();
    jpg
}

struct Session {
    client: reqwest::Client,
    csrf: String,
}

async fn login(base: &str, user: &str, password: &str) -> Session {
    let client = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = client.post(format!("{base}/api/v1/session")).json(&json!({"username": user, "password": password})).send().await.unwrap();
    assert_eq!(r.status(), 200, "login {user}");
    let v: Value = r.json().await.unwrap();
    Session { client, csrf: v["csrf_token"].as_str().unwrap().to_string() }
}

impl Session {
    async fn post(&self, base: &str, path: &str, body: Value) -> Value {
        let r = self.client.post(format!("{base}/api/v1{path}")).header("X-CSRF-Token", &self.csrf).json(&body).send().await.unwrap();
        let status = r.status();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {v}");
        v
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

/// Requests `url` back to back until `stop` is set; returns the latencies.
async fn page_latencies(url: String, stop: tokio::sync::watch::Receiver<bool>) -> Vec<Duration> {
    let client = reqwest::Client::new();
    let mut out = Vec::new();
    while !*stop.borrow() {
        let t = Instant::now();
        let r = client.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 200);
        r.bytes().await.unwrap();
        out.push(t.elapsed());
    }
    out
}

async fn measure(label: &str, page: &str, downloads: Option<Vec<String>>) {
    let (tx, rx) = tokio::sync::watch::channel(false);
    let pages = tokio::spawn(page_latencies(page.to_string(), rx));
    let started = Instant::now();
    let mut sizes = Vec::new();
    match downloads {
        Some(urls) => {
            let client = reqwest::Client::new();
            let gets = urls.into_iter().enumerate().map(|(i, u)| {
                let client = client.clone();
                async move {
                    let t = Instant::now();
                    // Twenty readers, each at their own address behind the proxy.
                    let r = client.get(u).header("X-Forwarded-For", format!("198.51.100.{}", i + 1)).send().await.unwrap();
                    assert_eq!(r.status(), 200);
                    let n = r.bytes().await.unwrap().len();
                    (t.elapsed(), n)
                }
            });
            sizes = futures::future::join_all(gets).await;
        }
        None => tokio::time::sleep(Duration::from_secs(3)).await,
    }
    let took = started.elapsed();
    tx.send(true).unwrap();
    let mut lat = pages.await.unwrap();
    lat.sort();
    print!("{label}: {} page requests in {:.1} s, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms", lat.len(), took.as_secs_f64(), percentile(&lat, 0.5), percentile(&lat, 0.99), percentile(&lat, 1.0));
    if !sizes.is_empty() {
        let slowest = sizes.iter().map(|s| s.0).max().unwrap();
        let mb = sizes.iter().map(|s| s.1).max().unwrap() as f64 / 1e6;
        print!("; {} downloads, slowest {:.2} s, largest file {mb:.1} MB", sizes.len(), slowest.as_secs_f64());
    }
    println!();
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (base, password) = (args[1].trim_end_matches('/').to_string(), args[2].clone());
    let writer = login(&base, "correspondent", &password).await;
    let page = writer.client.get(format!("{base}/admin/password")).send().await.unwrap().text().await.unwrap();
    let at = page.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
    let form_csrf = page[at..at + 64].to_string();
    let reviewers = [login(&base, "editor", &password).await, login(&base, "reviewer", &password).await, login(&base, "chief", &password).await];
    let mut words = Vec::new();
    let mut article_page = String::new();
    for a in 0..ARTICLES {
        let title = format!("基准测试：第{}场义诊活动图集", a + 1);
        let m = writer.post(&base, "/manuscripts", json!({"title": title, "channel_id": 1, "authors": "陈通讯员", "body_html": "<p>专家为居民提供健康咨询和免费检查。</p>"})).await;
        let id = m["id"].as_i64().unwrap();
        for p in 0..PHOTOS {
            let form = reqwest::multipart::Form::new()
                .text("csrf", form_csrf.clone())
                .text("caption", format!("活动现场{}", p + 1))
                .part("file", reqwest::multipart::Part::bytes(photo((a * PHOTOS + p) as u32)).file_name("photo.jpg"));
            let r = writer.client.post(format!("{base}/admin/manuscripts/{id}/media")).multipart(form).send().await.unwrap();
            assert_eq!(r.status(), 303, "upload");
        }
        writer.post(&base, &format!("/manuscripts/{id}/submit"), json!({})).await;
        for r in &reviewers {
            r.post(&base, &format!("/manuscripts/{id}/decisions"), json!({"verdict": "approve", "comment": "同意"})).await;
        }
        reviewers[0].post(&base, &format!("/manuscripts/{id}/publish"), json!({})).await;
        let v: Value = writer.client.get(format!("{base}/api/v1/articles?limit=100")).send().await.unwrap().json().await.unwrap();
        let url = v.as_array().unwrap().iter().find(|x| x["title"] == title.as_str()).expect("published")["url"].as_str().unwrap().to_string();
        let path = url.split_once("://").map_or(url.as_str(), |(_, rest)| &rest[rest.find('/').unwrap()..]).to_string();
        words.push(format!("{base}{}", path.replace(".html", ".docx")));
        article_page = format!("{base}{path}");
    }
    println!("{ARTICLES} articles of {PHOTOS} photos (2400×1800) each; page {article_page}");
    let round: Vec<String> = (0..DOWNLOADS).map(|i| words[i % words.len()].clone()).collect();
    measure("page alone          ", &article_page, None).await;
    measure("20 downloads, cold  ", &article_page, Some(round.clone())).await;
    measure("20 downloads, cached", &article_page, Some(round)).await;
}
