//! The tamper check of a static export (`yuanxun verify --dir`, and `serve --export` on a
//! schedule): the signed manifest against the files, and every page scanned for injected
//! links, words and redirects ([`yuanxun_guard`]). `restore` writes the site anew from the
//! database.

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};
use yuanxun_guard::{compare, scan_page, Manifest, Problem};

use crate::error::{ServiceError, ServiceResult};
use crate::AppState;

/// The hosts pages may link to: the export's own, and those configured as trusted.
fn allowlist(state: &AppState, manifest: Option<&Manifest>) -> Vec<String> {
    let mut hosts: Vec<String> = state.config.link_allowlist.clone();
    for base in manifest.map(|m| m.base_url.as_str()).into_iter().chain(state.config.public_url.as_deref()) {
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

/// Every file under `root`: relative path → bytes.
fn read_tree(root: &Path) -> std::io::Result<BTreeMap<String, Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir)? {
            let e = e?;
            let p = e.path();
            if e.file_type()?.is_dir() {
                stack.push(p);
            } else if let Ok(rel) = p.strip_prefix(root) {
                out.insert(rel.to_string_lossy().replace('\\', "/"), std::fs::read(&p)?);
            }
        }
    }
    Ok(out)
}

/// Checks the export in `dir`. An empty list means it is exactly what was published.
pub async fn verify_dir(state: &AppState, dir: &Path) -> ServiceResult<Vec<Problem>> {
    let key = super::export::signing_key(state).await?.verifying_key();
    let dir = dir.to_path_buf();
    let state = state.clone();
    tokio::task::spawn_blocking(move || {
        let files = read_tree(&dir).map_err(|e| ServiceError::Invalid(format!("无法读取 {}：{e}", dir.display())))?;
        let mut problems = Vec::new();
        let manifest = match (files.get("manifest.json"), files.get("manifest.sig")) {
            (Some(json), Some(sig)) if yuanxun_guard::verify_signature(json, &String::from_utf8_lossy(sig), &key) => serde_json::from_slice::<Manifest>(json).ok(),
            (Some(_), Some(_)) => {
                problems.push(Problem::BadManifest { reason: "manifest.json 的签名与站点密钥不符（清单被改动，或不是本站导出的）".into() });
                None
            }
            _ => {
                problems.push(Problem::BadManifest { reason: "缺少 manifest.json 或 manifest.sig".into() });
                None
            }
        };
        if let Some(m) = &manifest {
            let found: BTreeMap<String, Option<String>> = files.iter().map(|(p, b)| (p.clone(), Some(hex::encode(Sha256::digest(b))))).collect();
            problems.extend(compare(&m.files, &found, true));
        }
        let allow = allowlist(&state, manifest.as_ref());
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
/// is set right), keeping the address it was made for.
pub async fn restore(state: &AppState, dir: &Path) -> ServiceResult<super::export::Report> {
    let base = std::fs::read(dir.join("manifest.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<Manifest>(&b).ok())
        .map(|m| m.base_url)
        .or_else(|| state.config.public_url.clone())
        .unwrap_or_else(|| "http://localhost".into());
    super::export::export(state, dir, &base, |_, _| {}).await
}
