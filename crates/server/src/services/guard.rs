//! The tamper check of a static export (`yuanxun verify --dir`, and `serve --export` on a
//! schedule): the signed manifest against the files, and every page scanned for injected
//! links, words and redirects ([`yuanxun_guard`]). `restore` writes the site anew from the
//! database.

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};
use yuanxun_guard::{compare, scan_page, Problem};

use crate::error::{ServiceError, ServiceResult};
use crate::AppState;

/// The hosts pages may link to: the site's own (from configuration or the database, never
/// from the export being checked), and those configured as trusted.
fn allowlist(state: &AppState, base: &str) -> Vec<String> {
    let mut hosts: Vec<String> = state.config.link_allowlist.clone();
    for base in std::iter::once(base).chain(state.config.public_url.as_deref()) {
        if let Some(h) = url_host(base) {
            hosts.push(h);
        }
    }
    hosts
}

fn url_host(u: &str) -> Option<String> {
    let rest = u.split_once("://")?.1;
    let host = rest.split(['/', ':']).next()?;
    (!host.is_empty()).then(|| host.to_string())
}

/// Every regular file under `root` (relative path → bytes), and the paths of symbolic links
/// and other special files, which are reported and never followed (a link could lead out
/// of the export, a FIFO would block the read).
fn read_tree(root: &Path) -> std::io::Result<(BTreeMap<String, Vec<u8>>, Vec<String>)> {
    let mut out = BTreeMap::new();
    let mut links = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir)? {
            let e = e?;
            let p = e.path();
            let rel = p.strip_prefix(root).map(|r| r.to_string_lossy().replace('\\', "/")).unwrap_or_default();
            // DirEntry::file_type does not follow links.
            let t = e.file_type()?;
            if t.is_dir() {
                stack.push(p);
            } else if t.is_file() {
                out.insert(rel, std::fs::read(&p)?);
            } else {
                links.push(rel);
            }
        }
    }
    Ok((out, links))
}

/// An export folder as read at one moment: every regular file (relative path → bytes), and
/// the paths of symbolic links and other special files.
pub struct Snapshot {
    files: BTreeMap<String, Vec<u8>>,
    links: Vec<String>,
}

/// Reads the export in `dir`: the only part of the check that must not overlap an update
/// (the scheduled check holds the export lock for this, not for the scan of every page).
pub async fn read_dir(dir: &Path) -> ServiceResult<Snapshot> {
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || read_tree(&dir).map(|(files, links)| Snapshot { files, links }).map_err(|e| ServiceError::Invalid(format!("无法读取 {}：{e}", dir.display()))))
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
}

/// Checks the export in `dir`. An empty list means it is exactly what was published.
pub async fn verify_dir(state: &AppState, dir: &Path) -> ServiceResult<Vec<Problem>> {
    check(state, read_dir(dir).await?).await
}

/// Checks an export as read by [`read_dir`]: the manifest's signature and every file
/// against it, then every page scanned.
pub async fn check(state: &AppState, snapshot: Snapshot) -> ServiceResult<Vec<Problem>> {
    let key = super::export::signing_key(state).await?.verifying_key();
    let base = super::export::site_address(state).await?;
    let state = state.clone();
    tokio::task::spawn_blocking(move || {
        let Snapshot { files, links } = snapshot;
        let mut problems: Vec<Problem> = links.into_iter().map(|path| Problem::Link { path }).collect();
        let manifest = match yuanxun_guard::Stored::open(|p: &str| files.get(p).cloned(), &key).and_then(|m| m.whole()) {
            Ok(m) => Some(m),
            Err(e) => {
                problems.push(Problem::BadManifest { reason: e.to_string() });
                None
            }
        };
        if let Some((m, parts)) = &manifest {
            let found: BTreeMap<String, Option<String>> = files.iter().map(|(p, b)| (p.clone(), Some(hex::encode(Sha256::digest(b))))).collect();
            problems.extend(compare(&[&m.files[..], parts].concat(), &found, true));
        }
        let allow = allowlist(&state, &base);
        for (path, bytes) in &files {
            if path.ends_with(".html") {
                problems.extend(scan_page(path, &String::from_utf8_lossy(bytes), &allow));
            }
        }
        Ok(problems)
    })
    .await
    .map_err(|e| ServiceError::Internal(e.to_string()))?
}

/// Writes the export in `dir` anew from the database (every damaged, missing or extra file
/// is set right) for the site's address as configuration or the database knows it: nothing
/// in the (possibly tampered) folder is believed.
pub async fn restore(state: &AppState, dir: &Path) -> ServiceResult<super::export::Report> {
    let base = super::export::site_address(state).await?;
    super::export::export(state, dir, &base, |_, _| {}).await
}

/// How a normal reader's browser, a search engine's spider, and a reader arriving from a
/// search engine ask for a page: defacers serve each differently.
const BROWSER_UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";
const SPIDER_UA: &str = "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)";
const SEARCH_REFERER: &str = "https://www.baidu.com/s?wd=%E5%8C%BB%E9%99%A2";

/// One file as a browser, a spider and a visitor from a search engine got it (`None`: not
/// fetched or not there).
struct Fetched {
    path: String,
    browser: Option<Vec<u8>>,
    spider: Option<Vec<u8>>,
    referred: Option<Vec<u8>>,
}

/// Pages fetched at once.
const PARALLEL: usize = 8;

/// Checks a site served at `base` (a static copy on a web server) against the manifest it
/// serves, which must carry the site's signature: every file fetched as a browser and
/// compared, every page scanned, and every page fetched again as a spider and as a visitor
/// from a search engine (cloaking). Extra files cannot be seen over HTTP.
pub async fn verify_url(state: &AppState, base: &str) -> ServiceResult<Vec<Problem>> {
    use futures::StreamExt;
    let key = super::export::signing_key(state).await?.verifying_key();
    let base = base.trim_end_matches('/').to_string();
    state.config.outbound.check(&base).map_err(|e| match e {
        yuanxun_net::UrlProblem::Refused => ServiceError::Invalid(format!("{}；检查内网中的网站，请用 --allow-fetch 列出它的网段", yuanxun_net::REFUSED)),
        e => ServiceError::Invalid(e.to_string()),
    })?;
    let opts = yuanxun_net::ClientOptions { timeout: std::time::Duration::from_secs(30), max_redirects: 0, ..Default::default() };
    let client = state.config.outbound.client(&opts);
    let get = |path: String, ua: &'static str, referer: Option<&'static str>| {
        let client = client.clone();
        let url = format!("{base}/{path}");
        async move {
            let mut req = client.get(&url).header(reqwest::header::USER_AGENT, ua);
            if let Some(r) = referer {
                req = req.header(reqwest::header::REFERER, r);
            }
            match req.send().await {
                Ok(r) if r.status().is_success() => r.bytes().await.ok().map(|b| b.to_vec()),
                _ => None,
            }
        }
    };
    // The signed index, then the parts it names; all checked before anything is believed.
    let mut got: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for name in ["manifest.json", "manifest.sig"] {
        if let Some(b) = get(name.into(), BROWSER_UA, None).await {
            got.insert(name.into(), b);
        }
    }
    let index = match (got.get("manifest.json"), got.get("manifest.sig")) {
        (Some(j), Some(s)) if yuanxun_guard::verify_signature(j, &String::from_utf8_lossy(s), &key) => serde_json::from_slice::<yuanxun_guard::Index>(j).map_err(|e| ServiceError::Invalid(format!("manifest.json 无法解析：{e}")))?,
        (Some(_), Some(_)) => return Ok(vec![Problem::BadManifest { reason: format!("{base}/manifest.json 的签名与站点密钥不符") }]),
        _ => return Ok(vec![Problem::BadManifest { reason: format!("无法从 {base} 取得 manifest.json 和 manifest.sig") }]),
    };
    let parts: Vec<(String, Option<Vec<u8>>)> = futures::stream::iter(index.parts.iter().filter(|e| yuanxun_guard::safe_path(&e.path)).map(|e| e.path.clone())).map(|p| async { let b = get(p.clone(), BROWSER_UA, None).await; (p, b) }).buffer_unordered(PARALLEL).collect().await;
    got.extend(parts.into_iter().filter_map(|(p, b)| Some((p, b?))));
    // (A part not the one the index names fails here: whole() checks each part's hash.)
    let manifest = match yuanxun_guard::Stored::open(|p: &str| got.get(p).cloned(), &key).and_then(|m| m.whole()) {
        Ok((m, _)) => m,
        Err(e) => return Ok(vec![Problem::BadManifest { reason: format!("{base}：{e}") }]),
    };
    let allow = allowlist(state, &super::export::site_address(state).await?);
    let fetched: Vec<Fetched> = futures::stream::iter(manifest.files.iter().map(|e| e.path.clone()))
        .map(|path| {
            let page = path.ends_with(".html");
            let (a, b, c) = (get(path.clone(), BROWSER_UA, None), get(path.clone(), SPIDER_UA, None), get(path.clone(), BROWSER_UA, Some(SEARCH_REFERER)));
            async move {
                let browser = a.await;
                let (spider, referred) = if page { (b.await, c.await) } else { (None, None) };
                Fetched { path, browser, spider, referred }
            }
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    let found: BTreeMap<String, Option<String>> = fetched.iter().map(|f| (f.path.clone(), f.browser.as_ref().map(|b| hex::encode(Sha256::digest(b))))).collect();
    let mut problems = compare(&manifest.files, &found, false);
    for Fetched { path, browser, spider, referred } in &fetched {
        let Some(body) = browser else { continue };
        if !path.ends_with(".html") {
            continue;
        }
        problems.extend(scan_page(path, &String::from_utf8_lossy(body), &allow));
        if spider.as_ref().is_some_and(|s| s != body) {
            problems.push(Problem::Cloaking { path: path.clone(), to: "搜索引擎爬虫".into() });
        }
        if referred.as_ref().is_some_and(|s| s != body) {
            problems.push(Problem::Cloaking { path: path.clone(), to: "从搜索引擎点进来的访客".into() });
        }
    }
    problems.sort_by(|a, b| a.path().cmp(&b.path()));
    Ok(problems)
}
