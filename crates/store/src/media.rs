//! Media blobs (photos, attachments, clippings), addressed by content hash, through
//! object_store: a local folder by default, or an S3-compatible bucket when a deployment
//! serves many hospitals from several nodes (`YUANXUN_MEDIA_URL=s3://bucket/prefix`).
//!
//! Keys look like `{site}/{ab}/{sha256}.{ext}`: the same bytes are stored once per site, and
//! a put of bytes already there writes nothing. The local store writes under a temporary
//! name and renames, so a crash never leaves half a photo behind a key; S3 puts are atomic.

use std::path::PathBuf;
use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, PutPayload};
use sha2::{Digest, Sha256};

use crate::{Result, StoreError};

/// Where media blobs live.
#[derive(Debug, Clone)]
pub struct MediaStore {
    inner: Arc<dyn ObjectStore>,
    /// For messages and logs: the folder or the bucket address.
    location: String,
    /// The folder, for a local store (swept directly, staging files included).
    root: Option<PathBuf>,
}

fn failed(e: object_store::Error) -> StoreError {
    match e {
        object_store::Error::NotFound { .. } => StoreError::NotFound,
        e => StoreError::Media(e.to_string()),
    }
}

impl MediaStore {
    /// A local folder (created when needed).
    pub fn new(root: PathBuf) -> Result<MediaStore> {
        std::fs::create_dir_all(&root)?;
        let fs = LocalFileSystem::new_with_prefix(&root).map_err(failed)?;
        Ok(MediaStore { inner: Arc::new(fs), location: root.display().to_string(), root: Some(root) })
    }

    /// The store `url` names: `s3://bucket` or `s3://bucket/prefix` (credentials, region
    /// and endpoint from the usual `AWS_*` variables: `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT` for an S3-compatible server,
    /// `AWS_ALLOW_HTTP=true` for one without TLS), or `file:///path` for a local folder.
    pub fn from_url(url: &str) -> Result<MediaStore> {
        if let Some(path) = url.strip_prefix("file://") {
            return MediaStore::new(PathBuf::from(path));
        }
        let Some(rest) = url.strip_prefix("s3://") else {
            return Err(StoreError::Media(format!("媒体存储地址须为 s3://存储桶/前缀 或 file:///目录（现为 {url}）")));
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(StoreError::Media(format!("媒体存储地址缺少存储桶名：{url}")));
        }
        // Path-style requests (bucket in the path) unless the environment says otherwise:
        // what S3-compatible servers on a private network expect.
        let virtual_hosted = std::env::var("AWS_VIRTUAL_HOSTED_STYLE_REQUEST").is_ok_and(|v| v == "true");
        let s3 = AmazonS3Builder::from_env().with_bucket_name(bucket).with_virtual_hosted_style_request(virtual_hosted).build().map_err(failed)?;
        let prefix = prefix.trim_matches('/');
        let inner: Arc<dyn ObjectStore> = if prefix.is_empty() { Arc::new(s3) } else { Arc::new(PrefixStore::new(s3, prefix)) };
        Ok(MediaStore { inner, location: url.to_string(), root: None })
    }

    /// Where the blobs are (a folder or a bucket address), for messages.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// Stores `bytes` for `site_id` and returns the key and the SHA-256 in hex.
    pub async fn put(&self, site_id: i64, bytes: &[u8], ext: &str) -> Result<(String, String)> {
        let sha = hex::encode(Sha256::digest(bytes));
        let ext: String = ext.chars().filter(|c| c.is_ascii_alphanumeric()).take(8).collect();
        let key = format!("{site_id}/{}/{sha}.{ext}", &sha[..2]);
        let path = object_path(&key)?;
        match self.inner.head(&path).await {
            Ok(_) => {}
            Err(object_store::Error::NotFound { .. }) => {
                self.inner.put(&path, PutPayload::from(bytes.to_vec())).await.map_err(failed)?;
            }
            Err(e) => return Err(failed(e)),
        }
        Ok((key, sha))
    }

    /// Stores `bytes` under `key` as it was (a restore puts blobs back where they were).
    pub async fn put_at(&self, key: &str, bytes: &[u8]) -> Result<()> {
        self.inner.put(&object_path(key)?, PutPayload::from(bytes.to_vec())).await.map_err(failed)?;
        Ok(())
    }

    /// Reads the blob behind `key`.
    pub async fn get(&self, key: &str) -> Result<Vec<u8>> {
        let r = self.inner.get(&object_path(key)?).await.map_err(failed)?;
        Ok(r.bytes().await.map_err(failed)?.to_vec())
    }

    /// Reads the blob behind `key` from a thread that may block (the export's renderers,
    /// which run under `spawn_blocking`); never from async code.
    pub fn get_blocking(&self, key: &str) -> Result<Vec<u8>> {
        tokio::runtime::Handle::current().block_on(self.get(key))
    }
}

impl MediaStore {
    /// Deletes the blobs no media row refers to (`keep`: every key the database holds) that
    /// are older than `grace`: what a crash leaves when a photo was stored but the
    /// transaction that would have recorded it never committed (blobs are written first, so
    /// a row never points at nothing), and the staging files of a local write cut off
    /// half-way. `grace` covers uploads still in flight on other processes. Returns how
    /// many were deleted.
    pub async fn sweep(&self, keep: &std::collections::HashSet<String>, grace: std::time::Duration) -> Result<usize> {
        let cutoff = std::time::SystemTime::now().checked_sub(grace).unwrap_or(std::time::UNIX_EPOCH);
        if let Some(root) = &self.root {
            let root = root.clone();
            let keep = keep.clone();
            return tokio::task::spawn_blocking(move || sweep_dir(&root, &root, &keep, cutoff)).await.map_err(|e| StoreError::Media(e.to_string()))?;
        }
        use futures::TryStreamExt;
        let cutoff = cutoff.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
        let listed: Vec<object_store::ObjectMeta> = self.inner.list(None).try_collect().await.map_err(failed)?;
        let mut n = 0;
        for meta in listed {
            if !keep.contains(meta.location.as_ref()) && meta.last_modified.timestamp() < cutoff {
                self.inner.delete(&meta.location).await.map_err(failed)?;
                n += 1;
            }
        }
        Ok(n)
    }
}

fn sweep_dir(root: &std::path::Path, dir: &std::path::Path, keep: &std::collections::HashSet<String>, cutoff: std::time::SystemTime) -> Result<usize> {
    let mut n = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let meta = entry.metadata()?;
        if meta.is_dir() {
            n += sweep_dir(root, &path, keep, cutoff)?;
            continue;
        }
        let key = path.strip_prefix(root).ok().and_then(|k| k.to_str()).map(|k| k.replace('\\', "/")).unwrap_or_default();
        if !keep.contains(&key) && meta.modified().map_or(false, |m| m <= cutoff) {
            std::fs::remove_file(&path)?;
            n += 1;
        }
    }
    Ok(n)
}

/// The object path of a key. Keys are made by `put`; anything that could climb out of the
/// store (`..`, empty or absolute parts) is refused ([`is_safe_key`]).
fn object_path(key: &str) -> Result<ObjectPath> {
    if !is_safe_key(key) {
        return Err(StoreError::NotFound);
    }
    ObjectPath::parse(key).map_err(|_| StoreError::NotFound)
}

/// Whether `key` stays inside the store: no empty, `.` or `..` parts, no backslashes.
pub fn is_safe_key(key: &str) -> bool {
    !key.split('/').any(|p| p.is_empty() || p == "." || p == ".." || p.contains('\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn blobs_are_stored_once_by_content_and_keys_cannot_climb_out() {
        let dir = tempfile::tempdir().unwrap();
        let store = MediaStore::new(dir.path().join("media")).unwrap();
        let (key, sha) = store.put(3, b"photo", "jpg").await.unwrap();
        assert_eq!(key, format!("3/{}/{sha}.jpg", &sha[..2]));
        assert_eq!(store.put(3, b"photo", "j/../pg").await.unwrap().0, key, "the extension is cleaned");
        assert_eq!(store.get(&key).await.unwrap(), b"photo");
        assert!(dir.path().join("media").join(&key).exists(), "a plain file in the folder");
        std::fs::write(dir.path().join("secret.txt"), b"x").unwrap();
        for bad in ["../secret.txt", "3/../../secret.txt", "/etc/passwd", "3//x", ""] {
            assert!(matches!(store.get(bad).await, Err(StoreError::NotFound)), "{bad}");
        }
        assert!(matches!(store.get("3/ab/missing.jpg").await, Err(StoreError::NotFound)));
        assert!(MediaStore::from_url("ftp://x").is_err() && MediaStore::from_url("s3://").is_err());
    }
}
