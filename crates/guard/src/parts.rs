//! The manifest as it is stored: `manifest.json` (signed, small) names the files that are
//! not numbered and the parts that hold the rest; `manifest/{folder}/{k}.json` holds the
//! entries of the numbered files `{folder}/{n}.{ext}` with `n / PART_SIZE == k` (article
//! pages `news/{id}.html`, photos `media/{id}.jpg`, archive pages, sitemap parts), and for
//! article pages the version of each article. The index records each part's SHA-256, so one
//! signature covers every part; a publication rewrites the parts it touches and the index,
//! not an entry for every file of the site.
//!
//! Pure over bytes: [`Stored`] reads through the function it is given and hands back the
//! files to write.

use std::collections::{BTreeMap, BTreeSet};

use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::{sign, verify_signature, Entry, Manifest};

/// Numbered files per part.
pub const PART_SIZE: u64 = 1000;

/// The page of article `id` in an export (and on the live site, with a leading `/`).
pub fn article_page(id: i64) -> String {
    format!("news/{id}.html")
}

/// The part file that holds `path`'s entry, if `path` is a numbered file.
pub fn part_of(path: &str) -> Option<String> {
    if !crate::safe_path(path) {
        return None;
    }
    let (dir, file) = path.rsplit_once('/')?;
    let (stem, ext) = file.split_once('.')?;
    if dir.is_empty() || ext.is_empty() || stem.is_empty() || stem.len() > 18 || !stem.bytes().all(|b| b.is_ascii_digit()) || dir == "manifest" || dir.starts_with("manifest/") {
        return None;
    }
    let n: u64 = stem.parse().ok()?;
    Some(format!("manifest/{dir}/{}.json", n / PART_SIZE))
}

/// `manifest.json`: what signs the export.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Index {
    pub site: String,
    pub base_url: String,
    pub generated_at: i64,
    pub public_key: String,
    /// The files not in a part.
    pub files: Vec<Entry>,
    /// Article versions; only manifests written before parts existed hold them here.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub articles: BTreeMap<i64, i64>,
    /// The part files, with their hashes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Entry>,
}

/// One part file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Part {
    pub files: Vec<Entry>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub articles: BTreeMap<i64, i64>,
}

/// Why a stored manifest cannot be believed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestError {
    /// manifest.json or manifest.sig is not there.
    Missing,
    /// manifest.json does not carry the key's signature.
    Unsigned,
    /// A file of the manifest cannot be read or parsed, or a part is not the one the index names.
    Damaged(String),
}

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ManifestError::Missing => write!(f, "缺少 manifest.json 或 manifest.sig"),
            ManifestError::Unsigned => write!(f, "manifest.json 的签名与站点密钥不符（清单被改动，或不是本站导出的）"),
            ManifestError::Damaged(why) => write!(f, "{why}"),
        }
    }
}

/// What a save writes: each file's new bytes (parts first, `manifest.json` and
/// `manifest.sig` last), and the part files no longer used.
#[derive(Debug, Default)]
pub struct Written {
    pub files: Vec<(String, Vec<u8>)>,
    pub gone: Vec<String>,
}

/// A manifest read from (or to be written to) an export, its parts read when needed.
pub struct Stored<R> {
    index: Index,
    /// Index entries of the parts, by path.
    listed: BTreeMap<String, Entry>,
    parts: BTreeMap<String, Part>,
    dirty: BTreeSet<String>,
    read: R,
}

impl<R: Fn(&str) -> Option<Vec<u8>>> Stored<R> {
    /// An empty manifest, for a new export.
    pub fn new(read: R, site: &str, base_url: &str, public_key: &VerifyingKey) -> Stored<R> {
        let index = Index { site: site.into(), base_url: base_url.into(), generated_at: 0, public_key: hex::encode(public_key.to_bytes()), files: Vec::new(), articles: BTreeMap::new(), parts: Vec::new() };
        Stored { index, listed: BTreeMap::new(), parts: BTreeMap::new(), dirty: BTreeSet::new(), read }
    }

    /// The manifest of an export, if `manifest.json` carries `key`'s signature. Parts are
    /// read (and checked against the index) when first needed. A manifest written before
    /// parts existed is taken apart on reading, and written back in parts.
    pub fn open(read: R, key: &VerifyingKey) -> Result<Stored<R>, ManifestError> {
        let (Some(json), Some(sig)) = (read("manifest.json"), read("manifest.sig")) else { return Err(ManifestError::Missing) };
        if !verify_signature(&json, &String::from_utf8_lossy(&sig), key) {
            return Err(ManifestError::Unsigned);
        }
        let mut index: Index = serde_json::from_slice(&json).map_err(|e| ManifestError::Damaged(format!("manifest.json 无法解析：{e}")))?;
        let listed = index.parts.drain(..).map(|e| (e.path.clone(), e)).collect();
        let mut stored = Stored { index, listed, parts: BTreeMap::new(), dirty: BTreeSet::new(), read };
        if stored.index.files.iter().any(|e| part_of(&e.path).is_some()) || !stored.index.articles.is_empty() {
            let (files, articles) = (std::mem::take(&mut stored.index.files), std::mem::take(&mut stored.index.articles));
            for e in files {
                stored.put(e)?;
            }
            for (id, v) in articles {
                stored.set_version(id, Some(v))?;
            }
        }
        Ok(stored)
    }

    pub fn site(&self) -> &str {
        &self.index.site
    }

    pub fn base_url(&self) -> &str {
        &self.index.base_url
    }

    /// The part at `path`, read and checked against the index if not yet read (a part the
    /// index does not name is empty).
    fn part(&mut self, path: &str) -> Result<&mut Part, ManifestError> {
        if !self.parts.contains_key(path) {
            let part = match self.listed.get(path) {
                None => Part::default(),
                Some(entry) => {
                    let bytes = (self.read)(path).ok_or_else(|| ManifestError::Damaged(format!("清单分卷 {path} 缺失")))?;
                    if Entry::of(path, &bytes).sha256 != entry.sha256 {
                        return Err(ManifestError::Damaged(format!("清单分卷 {path} 与 manifest.json 所记不符（被改动过）")));
                    }
                    serde_json::from_slice(&bytes).map_err(|e| ManifestError::Damaged(format!("清单分卷 {path} 无法解析：{e}")))?
                }
            };
            self.parts.insert(path.to_string(), part);
        }
        Ok(self.parts.get_mut(path).expect("just inserted"))
    }

    /// The entry of `path`, if the manifest lists it.
    pub fn get(&mut self, path: &str) -> Result<Option<Entry>, ManifestError> {
        Ok(match part_of(path) {
            Some(p) => self.part(&p)?.files.iter().find(|e| e.path == path).cloned(),
            None => self.index.files.iter().find(|e| e.path == path).cloned(),
        })
    }

    pub fn contains(&mut self, path: &str) -> Result<bool, ManifestError> {
        Ok(self.get(path)?.is_some())
    }

    /// Lists `entry` (in place of an entry for the same path).
    pub fn put(&mut self, entry: Entry) -> Result<(), ManifestError> {
        let files = match part_of(&entry.path) {
            Some(p) => {
                self.dirty.insert(p.clone());
                &mut self.part(&p)?.files
            }
            None => &mut self.index.files,
        };
        match files.iter_mut().find(|e| e.path == entry.path) {
            Some(e) => *e = entry,
            None => files.push(entry),
        }
        Ok(())
    }

    /// Takes `path` off the list.
    pub fn remove(&mut self, path: &str) -> Result<(), ManifestError> {
        match part_of(path) {
            Some(p) => {
                if self.listed.contains_key(&p) || self.parts.contains_key(&p) {
                    self.dirty.insert(p.clone());
                    self.part(&p)?.files.retain(|e| e.path != path);
                }
            }
            None => self.index.files.retain(|e| e.path != path),
        }
        Ok(())
    }

    /// The version of article `id` the export holds.
    pub fn version(&mut self, id: i64) -> Result<Option<i64>, ManifestError> {
        let p = part_of(&article_page(id)).expect("article pages are numbered");
        Ok(self.part(&p)?.articles.get(&id).copied())
    }

    /// Records (or, with `None`, forgets) the version of article `id` the export holds.
    pub fn set_version(&mut self, id: i64, version: Option<i64>) -> Result<(), ManifestError> {
        let p = part_of(&article_page(id)).expect("article pages are numbered");
        self.dirty.insert(p.clone());
        let part = self.part(&p)?;
        match version {
            Some(v) => part.articles.insert(id, v),
            None => part.articles.remove(&id),
        };
        Ok(())
    }

    /// The paths listed under folder `dir` (not in its subfolders' parts: `channel/a/archive`
    /// reads the parts of that folder only).
    pub fn paths_in(&mut self, dir: &str) -> Result<Vec<String>, ManifestError> {
        let prefix = format!("{dir}/");
        let mut out: Vec<String> = self.index.files.iter().filter(|e| e.path.strip_prefix(&prefix).is_some_and(|rest| !rest.contains('/'))).map(|e| e.path.clone()).collect();
        let part_prefix = format!("manifest/{dir}/");
        let parts: Vec<String> = self.listed.keys().chain(self.parts.keys()).filter(|p| p.strip_prefix(&part_prefix).is_some_and(|rest| !rest.contains('/'))).cloned().collect::<BTreeSet<_>>().into_iter().collect();
        for p in parts {
            out.extend(self.part(&p)?.files.iter().map(|e| e.path.clone()));
        }
        Ok(out)
    }

    /// The whole manifest: every part read and checked.
    pub fn whole(mut self) -> Result<(Manifest, Vec<Entry>), ManifestError> {
        let paths: Vec<String> = self.listed.keys().cloned().collect();
        for p in &paths {
            self.part(p)?;
        }
        let mut files = std::mem::take(&mut self.index.files);
        let mut articles = BTreeMap::new();
        for part in self.parts.into_values() {
            files.extend(part.files);
            articles.extend(part.articles);
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let parts = self.listed.into_values().collect();
        let i = self.index;
        Ok((Manifest { site: i.site, base_url: i.base_url, generated_at: i.generated_at, public_key: i.public_key, files, articles }, parts))
    }

    /// The files that save the manifest: every changed part (an emptied one goes), then the
    /// index with the parts' hashes, then its signature.
    pub fn save(mut self, key: &SigningKey, generated_at: i64) -> Result<Written, ManifestError> {
        let mut out = Written::default();
        for p in std::mem::take(&mut self.dirty) {
            let mut part = self.parts.remove(&p).unwrap_or_default();
            if part.files.is_empty() && part.articles.is_empty() {
                if self.listed.remove(&p).is_some() {
                    out.gone.push(p);
                }
                continue;
            }
            part.files.sort_by(|a, b| a.path.cmp(&b.path));
            let bytes = serde_json::to_vec(&part).map_err(|e| ManifestError::Damaged(e.to_string()))?;
            self.listed.insert(p.clone(), Entry::of(&p, &bytes));
            out.files.push((p, bytes));
        }
        let mut index = self.index;
        index.generated_at = generated_at;
        // A path that climbs out of the export is reported by the check, never written again.
        index.files.retain(|e| crate::safe_path(&e.path));
        index.files.sort_by(|a, b| a.path.cmp(&b.path));
        index.parts = self.listed.into_values().collect();
        let json = serde_json::to_vec_pretty(&index).map_err(|e| ManifestError::Damaged(e.to_string()))?;
        let sig = sign(&json, key);
        out.files.push(("manifest.json".into(), json));
        out.files.push(("manifest.sig".into(), sig.into_bytes()));
        Ok(out)
    }
}
