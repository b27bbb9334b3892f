//! The tamper check (防篡改): is what is on disk or served exactly what the newsroom
//! published, and does any page carry what defacers inject into hospital sites?
//!
//! - [`Manifest`] (written by the export): every file's SHA-256 and size, signed with the
//!   site's Ed25519 key, stored as a small signed index and parts ([`Stored`], so that a
//!   publication rewrites a few small files). [`compare`] finds modified, missing and extra
//!   files.
//! - [`scan_page`] looks inside a page for what the manifest cannot explain away when the
//!   manifest itself is not to be trusted, and for what a visitor would never see: links
//!   hidden by CSS (display:none, visibility:hidden, off-screen positions, zero size, text
//!   the colour of its background, `<marquee>`), links to hosts outside an allowlist,
//!   gambling and pornography vocabulary, and scripts that redirect depending on the referrer
//!   or the user agent (the trick that shows search engines a casino and readers the news).
//!
//! Pure functions over bytes and text: the server and the CLI do the reading and fetching.

mod parts;
mod scan;

use std::collections::BTreeMap;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use parts::{article_page, part_of, Index, ManifestError, Part, Stored, Written, PART_SIZE};
pub use scan::{scan_page, BAD_WORDS};

/// One file of an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

impl Entry {
    pub fn of(path: &str, bytes: &[u8]) -> Entry {
        Entry { path: path.to_string(), sha256: hex::encode(Sha256::digest(bytes)), size: bytes.len() as u64 }
    }
}

/// What the manifest says, all its parts together ([`Stored::whole`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub site: String,
    pub base_url: String,
    pub generated_at: i64,
    /// The hex public key that signed it.
    pub public_key: String,
    pub files: Vec<Entry>,
    /// The version of every live article the export holds (article id → `articles.version`),
    /// so that `serve` can tell after a crash which pages are behind the database.
    /// Manifests written before it was kept have none.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub articles: std::collections::BTreeMap<i64, i64>,
}

/// Signs manifest bytes: the hex signature stored as `manifest.sig`.
pub fn sign(manifest: &[u8], key: &SigningKey) -> String {
    hex::encode(key.sign(manifest).to_bytes())
}

/// Checks manifest bytes against a hex signature with the site's public key.
pub fn verify_signature(manifest: &[u8], sig_hex: &str, key: &VerifyingKey) -> bool {
    let Some(bytes) = hex::decode(sig_hex.trim()).ok().and_then(|b| <[u8; 64]>::try_from(b).ok()) else { return false };
    key.verify_strict(manifest, &Signature::from_bytes(&bytes)).is_ok()
}

/// Something wrong with the published site. `path` is relative to the site's root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// manifest.json does not carry the site's signature (or is missing or unreadable).
    BadManifest { reason: String },
    Modified { path: String },
    Missing { path: String },
    Extra { path: String },
    HiddenLink { path: String, href: String, how: String },
    ForeignLink { path: String, href: String },
    Vocabulary { path: String, word: String },
    Redirect { path: String, how: String },
    /// A page served differently to a search-engine spider or a visitor from a search engine.
    Cloaking { path: String, to: String },
    /// A path that climbs out of the export or is absolute (in the manifest or on disk):
    /// never followed, written or deleted.
    UnsafePath { path: String },
    /// A symbolic link (or other special file) inside the export: never followed.
    Link { path: String },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::BadManifest { reason } => write!(f, "清单不可信：{reason}"),
            Problem::Modified { path } => write!(f, "{path}：文件被修改"),
            Problem::Missing { path } => write!(f, "{path}：文件缺失"),
            Problem::Extra { path } => write!(f, "{path}：多出的文件（不是发布系统生成的）"),
            Problem::HiddenLink { path, href, how } => write!(f, "{path}：隐藏链接 {href}（{how}）"),
            Problem::ForeignLink { path, href } => write!(f, "{path}：指向白名单以外网站的链接 {href}"),
            Problem::Vocabulary { path, word } => write!(f, "{path}：出现涉赌涉黄词语“{word}”"),
            Problem::Redirect { path, how } => write!(f, "{path}：可疑跳转脚本（{how}）"),
            Problem::Cloaking { path, to } => write!(f, "{path}：对{to}显示的内容与普通访客不同"),
            Problem::UnsafePath { path } => write!(f, "{path}：路径指向导出目录以外（含 .. 或绝对路径），不予处理"),
            Problem::Link { path } => write!(f, "{path}：符号链接或特殊文件（发布系统不会生成），未跟随读取"),
        }
    }
}

impl Problem {
    /// The file a problem is in, if it is about one.
    pub fn path(&self) -> Option<&str> {
        match self {
            Problem::BadManifest { .. } => None,
            Problem::Modified { path }
            | Problem::Missing { path }
            | Problem::Extra { path }
            | Problem::HiddenLink { path, .. }
            | Problem::ForeignLink { path, .. }
            | Problem::Vocabulary { path, .. }
            | Problem::Redirect { path, .. }
            | Problem::Cloaking { path, .. }
            | Problem::UnsafePath { path }
            | Problem::Link { path } => Some(path),
        }
    }
}

/// Whether `path` is a plain relative path inside the export: `/`-separated normal parts,
/// no `..`, `.`, empty part, backslash, drive letter, NUL or leading `/`.
pub fn safe_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= 1024
        && !path.contains(['\\', '\0', ':'])
        && path.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
}

/// Files that are not in the manifest because they carry it.
pub fn is_manifest_file(path: &str) -> bool {
    path == "manifest.json" || path == "manifest.sig"
}

/// Compares what is there (path → SHA-256 hex; `None` for a path that could not be read)
/// with the manifest. `extras` says whether files outside the manifest can be seen (on
/// disk, yes; over HTTP, no).
pub fn compare(manifest: &[Entry], found: &BTreeMap<String, Option<String>>, extras: bool) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut listed: BTreeMap<&str, &Entry> = BTreeMap::new();
    for e in manifest {
        if safe_path(&e.path) {
            listed.insert(e.path.as_str(), e);
        } else {
            out.push(Problem::UnsafePath { path: e.path.clone() });
        }
    }
    for (path, entry) in &listed {
        match found.get(*path) {
            Some(Some(sha)) if *sha == entry.sha256 => {}
            Some(Some(_)) => out.push(Problem::Modified { path: path.to_string() }),
            _ => out.push(Problem::Missing { path: path.to_string() }),
        }
    }
    if extras {
        for path in found.keys() {
            if !listed.contains_key(path.as_str()) && !is_manifest_file(path) {
                out.push(Problem::Extra { path: path.clone() });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
