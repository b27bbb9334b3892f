//! Media files in a local folder, addressed by content hash. Files are written under a
//! temporary name and renamed, so a crash never leaves half a photo behind a key.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::Result;

/// The folder that holds media blobs.
#[derive(Debug, Clone)]
pub struct MediaStore {
    root: PathBuf,
}

impl MediaStore {
    /// Uses (and creates) `root`.
    pub fn new(root: PathBuf) -> Result<MediaStore> {
        std::fs::create_dir_all(&root)?;
        Ok(MediaStore { root })
    }

    /// Stores `bytes` for `site_id` and returns the key and the SHA-256 in hex.
    pub fn put(&self, site_id: i64, bytes: &[u8], ext: &str) -> Result<(String, String)> {
        let sha = hex::encode(Sha256::digest(bytes));
        let ext: String = ext.chars().filter(|c| c.is_ascii_alphanumeric()).take(8).collect();
        let key = format!("{site_id}/{}/{sha}.{ext}", &sha[..2]);
        let path = self.path(&key);
        if !path.exists() {
            let dir = path.parent().expect("key has a folder");
            std::fs::create_dir_all(dir)?;
            let tmp = dir.join(format!(".{sha}.{}.tmp", rand::random::<u64>()));
            std::fs::write(&tmp, bytes)?;
            std::fs::rename(&tmp, &path)?;
        }
        Ok((key, sha))
    }

    /// Reads the blob behind `key`.
    pub fn get(&self, key: &str) -> Result<Vec<u8>> {
        Ok(std::fs::read(self.path(key))?)
    }

    fn path(&self, key: &str) -> PathBuf {
        // Keys are made by `put`; refuse anything that could climb out of the root.
        let clean: PathBuf = Path::new(key)
            .components()
            .filter(|c| matches!(c, std::path::Component::Normal(_)))
            .collect();
        self.root.join(clean)
    }
}
