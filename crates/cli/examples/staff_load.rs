//! The newsroom's side of `bench/load.sh`: simulated staff working a running `serve` for a
//! fixed time while wrk plays the public. 40 correspondents (imported as a people list at
//! the start) write, save with the check, upload photos and submit; 10 reviewers (the demo's
//! editor, reviewer and chief, several sessions each) open their queue, approve at their
//! level and publish; everyone searches. Every action is timed; the summary (per action:
//! count, p50, p99, max, refusals, 5xx) is printed as JSON.
//!
//! Usage: staff_load BASE PASSWORD SECONDS [STAFF] [THINK_MS]
//! (PASSWORD: the demo accounts' password, `YUANXUN_DEMO_PASSWORD` of the server.)
//!
//! THINK_MS (default 0) is how long a person pauses before each action, on average (from
//! half to one and a half times it): the time it takes to read a page, type a paragraph or
//! pick a photo. At 0 everyone acts as fast as the server answers — 50 people doing several
//! hundred actions a second, a stress test far beyond a newsroom's busiest hour; at 2000
//! each person acts every two seconds or so, which is still a brisk working pace, and signs
//! in at some moment of the first ten seconds rather than all in the same one.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[derive(Default)]
struct Timings {
    by_action: Mutex<BTreeMap<&'static str, (Vec<Duration>, usize, usize)>>,
}

impl Timings {
    fn record(&self, action: &'static str, took: Duration, status: u16) {
        let mut m = self.by_action.lock().unwrap();
        let e = m.entry(action).or_default();
        e.0.push(took);
        if status >= 400 || status == 0 {
            e.1 += 1;
        }
        if status >= 500 || status == 0 {
            e.2 += 1;
        }
    }
}

/// The manuscripts waiting at each level (0: submitted, waiting for 初审; 3: approved).
#[derive(Default)]
struct Queues {
    at: [Mutex<VecDeque<i64>>; 4],
}

struct Staff {
    client: reqwest::Client,
    base: String,
    csrf: String,
    form_csrf: String,
    timings: Arc<Timings>,
    think: Duration,
}

async fn sign_in(base: &str, user: &str, password: &str, timings: &Arc<Timings>, think: Duration) -> Staff {
    if !think.is_zero() {
        // People at work do not all sign in within the same second: over the first ten.
        let spread = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos() % 1000);
        tokio::time::sleep(Duration::from_millis(10 * spread as u64)).await;
    }
    let client = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).timeout(Duration::from_secs(30)).build().unwrap();
    let t = Instant::now();
    let r = client.post(format!("{base}/api/v1/session")).json(&json!({"username": user, "password": password})).send().await.unwrap();
    timings.record("login", t.elapsed(), r.status().as_u16());
    assert!(r.status().is_success(), "{user} signs in: {}", r.status());
    let v: Value = r.json().await.unwrap();
    let page = client.get(format!("{base}/admin/password")).send().await.unwrap().text().await.unwrap();
    let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
    Staff { client, base: base.to_string(), csrf: v["csrf_token"].as_str().unwrap().to_string(), form_csrf: page[at..at + 64].to_string(), timings: timings.clone(), think }
}

impl Staff {
    async fn send(&self, action: &'static str, req: reqwest::RequestBuilder) -> Option<Value> {
        if !self.think.is_zero() {
            // From half to one and a half times the pause, so the people do not act in step.
            let spread = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos() % 1000);
            tokio::time::sleep(self.think / 2 + self.think * spread / 1000).await;
        }
        let t = Instant::now();
        let r = req.header("X-CSRF-Token", &self.csrf).send().await;
        let status = r.as_ref().map_or(0, |r| r.status().as_u16());
        let body = match r {
            Ok(r) => r.bytes().await.ok(),
            Err(_) => None,
        };
        self.timings.record(action, t.elapsed(), status);
        if !(200..400).contains(&status) {
            return None;
        }
        body.and_then(|b| serde_json::from_slice(&b).ok()).or(Some(Value::Null))
    }

    fn api(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}/api/v1{path}", self.base))
    }
}

const WORDS: [&str; 8] = ["心内科", "骨科", "儿科", "护理部", "急诊", "药学部", "眼科", "口腔科"];
const DOINGS: [&str; 6] = ["开展义诊活动", "举办健康讲座", "完成疑难手术", "开展应急演练", "召开质量分析会", "走进社区宣传"];

fn body(n: u64) -> String {
    let mut s = String::new();
    for p in 0..6 {
        s.push_str(&format!("<p>{}{}，为群众提供咨询服务{}人次。专家详细讲解了常见病的预防和治疗知识，并发放宣传资料。第{p}段，编号{n}。</p>", WORDS[(n as usize + p) % 8], DOINGS[(n as usize + p) % 6], 50 + n % 100));
    }
    s
}

fn photo(n: u64) -> Vec<u8> {
    let img = image::RgbImage::from_fn(640, 480, |x, y| image::Rgb([(x as u64 + n) as u8, (y / 2) as u8, ((x ^ y) & 0xff) as u8]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80).encode_image(&img).unwrap();
    out
}

async fn correspondent(s: Staff, n: u64, until: Instant, q: Arc<Queues>) {
    let mut k = 0u64;
    while Instant::now() < until {
        k += 1;
        let seq = n * 100_000 + k;
        let title = format!("{}{}（{seq}）", WORDS[(seq % 8) as usize], DOINGS[(seq % 6) as usize]);
        let input = json!({"title": title, "channel_id": 1, "authors": "通讯员", "body_html": body(seq)});
        let Some(m) = s.send("save", s.api(reqwest::Method::POST, "/manuscripts").json(&input)).await else { continue };
        let Some(id) = m["id"].as_i64() else { continue };
        let edited = json!({"title": title, "channel_id": 1, "authors": "通讯员", "body_html": body(seq + 1)});
        s.send("save", s.api(reqwest::Method::PUT, &format!("/manuscripts/{id}")).json(&edited)).await;
        let form = reqwest::multipart::Form::new().text("csrf", s.form_csrf.clone()).text("caption", "活动现场").part("file", reqwest::multipart::Part::bytes(photo(seq)).file_name("现场.jpg"));
        s.send("upload photo", s.client.post(format!("{}/admin/manuscripts/{id}/media", s.base)).multipart(form)).await;
        if s.send("submit", s.api(reqwest::Method::POST, &format!("/manuscripts/{id}/submit")).json(&json!({}))).await.is_some() {
            q.at[0].lock().unwrap().push_back(id);
        }
        s.send("my manuscripts", s.api(reqwest::Method::GET, "/manuscripts?mine=true")).await;
        s.send("search", s.client.get(format!("{}/search?q={}", s.base, WORDS[(seq % 8) as usize]))).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Decides at `level` (1–3), or with `level` 4 publishes what is approved.
async fn reviewer(s: Staff, level: usize, until: Instant, q: Arc<Queues>) {
    while Instant::now() < until {
        s.send("review queue", s.client.get(format!("{}/admin/review", s.base))).await;
        let next = q.at[level - 1].lock().unwrap().pop_front();
        let Some(id) = next else {
            tokio::time::sleep(Duration::from_millis(300)).await;
            continue;
        };
        if level == 4 {
            s.send("publish", s.api(reqwest::Method::POST, &format!("/manuscripts/{id}/publish")).json(&json!({}))).await;
        } else {
            s.send("view manuscript", s.api(reqwest::Method::GET, &format!("/manuscripts/{id}"))).await;
            s.send("check", s.api(reqwest::Method::GET, &format!("/manuscripts/{id}/check"))).await;
            if s.send("review", s.api(reqwest::Method::POST, &format!("/manuscripts/{id}/decisions")).json(&json!({"verdict": "approve", "comment": "同意"}))).await.is_some() {
                q.at[level].lock().unwrap().push_back(id);
            }
        }
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, password, secs, ..] = &args[..] else {
        eprintln!("usage: staff_load BASE PASSWORD SECONDS [STAFF] [THINK_MS]");
        std::process::exit(2);
    };
    let secs: u64 = secs.parse().unwrap();
    let staff: u64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(50);
    let think = Duration::from_millis(args.get(5).and_then(|s| s.parse().ok()).unwrap_or(0));
    let (writers, reviewers) = (staff * 4 / 5, staff - staff * 4 / 5);
    let timings = Arc::new(Timings::default());

    // The correspondents, imported as the people list an administrator would upload.
    let security = sign_in(base, "security", password, &timings, Duration::ZERO).await;
    let mut csv = String::from("姓名,登录名,科室,角色,初始密码\n");
    for i in 0..writers {
        csv.push_str(&format!("通讯员{i},load{i},{},通讯员,Writer#2026-{i}\n", ["心血管内科", "骨科", "护理部", "儿科"][i as usize % 4]));
    }
    let form = reqwest::multipart::Form::new().text("csrf", security.form_csrf.clone()).part("file", reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("通讯员名单.csv"));
    let r = security.client.post(format!("{base}/admin/users/import")).multipart(form).send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap_or_default();
    assert!(status.is_success(), "the people list imports: {status} {}", text.chars().take(300).collect::<String>());

    let until = Instant::now() + Duration::from_secs(secs);
    let queues = Arc::new(Queues::default());
    let mut tasks = Vec::new();
    for i in 0..writers {
        let (t, q, b) = (timings.clone(), queues.clone(), base.clone());
        let pw = format!("Writer#2026-{i}"); // never holding the login name (load2 in Load2026… was refused)
        tasks.push(tokio::spawn(async move { correspondent(sign_in(&b, &format!("load{i}"), &pw, &t, think).await, i, until, q).await }));
    }
    for i in 0..reviewers {
        // 初审, 复审, 终审 and publishing, round the roles.
        let level = 1 + (i as usize % 4);
        let user = ["editor", "reviewer", "chief", "editor"][level - 1];
        let (t, q, b, pw) = (timings.clone(), queues.clone(), base.clone(), password.clone());
        tasks.push(tokio::spawn(async move { reviewer(sign_in(&b, user, &pw, &t, think).await, level, until, q).await }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut out = serde_json::Map::new();
    let (mut total, mut errors, mut server_errors) = (0, 0, 0);
    for (action, (mut times, refused, fivexx)) in std::mem::take(&mut *timings.by_action.lock().unwrap()) {
        times.sort();
        let pick = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1].as_secs_f64() * 1000.0;
        total += times.len();
        errors += refused;
        server_errors += fivexx;
        out.insert(action.to_string(), json!({"n": times.len(), "p50_ms": (pick(0.50) * 10.0).round() / 10.0, "p99_ms": (pick(0.99) * 10.0).round() / 10.0, "max_ms": (pick(1.0) * 10.0).round() / 10.0, "refused": refused, "server_errors": fivexx}));
    }
    let left: Vec<usize> = queues.at.iter().map(|q| q.lock().unwrap().len()).collect();
    println!("{}", serde_json::to_string_pretty(&json!({"staff": staff, "seconds": secs, "think_ms": think.as_millis() as u64, "actions": out, "total": total, "refused": errors, "server_errors": server_errors, "waiting_at_end": left})).unwrap());
}
