//! Backups (备份) and restores, on either engine.
//!
//! A backup is a folder a person can look into and copy anywhere:
//! - `yuanxun.db`: SQLite's own online copy (`VACUUM INTO`), consistent while `serve` keeps
//!   writing; or `postgres.dump`: `pg_dump --format=custom` of the PostgreSQL database;
//! - `media/`: every blob the database names, under its key, each checked against the
//!   SHA-256 the database holds as it is copied;
//! - `manifest.json`: what it holds (engine, counts, every site's last audit hash), written
//!   last, so a folder without one is an unfinished backup.
//!
//! A restore goes into a fresh place only (an empty data folder, or an empty PostgreSQL
//! database): it never overwrites. [`verify`] then checks the restored copy against the
//! manifest: the counts, every media blob's hash, and the audit chain.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::media::MediaStore;
use crate::{audit, AnyConnection, Backend, Result, Store, StoreError};

/// What a backup holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// `sqlite` or `postgres`.
    pub engine: String,
    pub created_at: i64,
    pub sites: i64,
    pub articles: i64,
    pub manuscripts: i64,
    pub users: i64,
    pub media: i64,
    pub media_bytes: i64,
    pub audit_rows: i64,
    /// Every site's last audit hash, as `(site id, hash)`.
    pub audit_heads: Vec<(i64, String)>,
}

/// A media row as the backup copies it.
struct Blob {
    key: String,
    sha256: String,
}

async fn count(c: &mut AnyConnection, table: &str) -> Result<i64> {
    let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}")).fetch_one(&mut *c).await?;
    Ok(row.try_get("n")?)
}

async fn blobs(c: &mut AnyConnection) -> Result<Vec<Blob>> {
    let rows = sqlx::query("SELECT storage_key, sha256 FROM media ORDER BY id").fetch_all(&mut *c).await?;
    rows.iter().map(|r| Ok(Blob { key: r.try_get("storage_key")?, sha256: r.try_get("sha256")? })).collect()
}

/// What the database holds now, for the manifest and for the check after a restore.
pub async fn inventory(store: &Store) -> Result<Manifest> {
    let mut c = store.conn().await?;
    let heads = sqlx::query("SELECT a.site_id, a.hash FROM audit_log a WHERE a.seq = (SELECT MAX(b.seq) FROM audit_log b WHERE b.site_id = a.site_id) ORDER BY a.site_id").fetch_all(&mut *c).await?;
    let size = sqlx::query("SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS n FROM media").fetch_one(&mut *c).await?;
    Ok(Manifest {
        engine: match store.backend() {
            Backend::Sqlite => "sqlite".into(),
            Backend::Postgres => "postgres".into(),
        },
        created_at: yuanxun_core::clock::now(),
        sites: count(&mut c, "sites").await?,
        articles: count(&mut c, "articles").await?,
        manuscripts: count(&mut c, "manuscripts").await?,
        users: count(&mut c, "users").await?,
        media: count(&mut c, "media").await?,
        media_bytes: size.try_get("n")?,
        audit_rows: count(&mut c, "audit_log").await?,
        audit_heads: heads.iter().map(|r| Ok((r.try_get("site_id")?, r.try_get("hash")?))).collect::<Result<_>>()?,
    })
}

fn sha_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The path of a media key inside a backup's `media/` (keys are `site/ab/sha.ext`).
fn blob_path(dir: &Path, key: &str) -> Result<PathBuf> {
    if !crate::media::is_safe_key(key) {
        return Err(StoreError::Corrupt(format!("媒体键不合法：{key}")));
    }
    Ok(dir.join("media").join(key))
}

/// Writes a backup of `store` into the new folder `dir` (which must not exist yet), calling
/// `progress(done, total)` as media are copied. `database_url` is the PostgreSQL address
/// `pg_dump` connects to (unused for SQLite).
pub async fn backup(store: &Store, database_url: &str, dir: &Path, mut progress: impl FnMut(u64, u64)) -> Result<Manifest> {
    if dir.exists() {
        return Err(StoreError::Conflict(format!("{} 已存在：备份只写入新目录，请换一个目录名", dir.display())));
    }
    let work = dir.with_extension("partial");
    if work.exists() {
        std::fs::remove_dir_all(&work)?;
    }
    std::fs::create_dir_all(work.join("media"))?;
    // The inventory first: the copy holds at least what it lists (rows only grow meanwhile).
    let manifest = inventory(store).await?;
    match store.backend() {
        Backend::Sqlite => {
            let target = work.join("yuanxun.db");
            let quoted = target.display().to_string().replace('\'', "''");
            let mut c = store.conn().await?;
            sqlx::query(&format!("VACUUM INTO '{quoted}'")).execute(&mut *c).await?;
        }
        Backend::Postgres => {
            let out = std::process::Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(work.join("postgres.dump"))
                .arg(database_url)
                .output()
                .map_err(|e| StoreError::Conflict(format!("需要 pg_dump（Debian 软件包 postgresql-client）才能备份 PostgreSQL：{e}")))?;
            if !out.status.success() {
                return Err(StoreError::Conflict(format!("pg_dump 失败：{}", String::from_utf8_lossy(&out.stderr).trim())));
            }
        }
    }
    let list = {
        let mut c = store.conn().await?;
        blobs(&mut c).await?
    };
    let total = list.len() as u64;
    for (i, b) in list.iter().enumerate() {
        let bytes = store.media.get(&b.key).await.map_err(|e| StoreError::Corrupt(format!("媒体文件 {} 无法读取：{e}", b.key)))?;
        if sha_hex(&bytes) != b.sha256 {
            return Err(StoreError::Corrupt(format!("媒体文件 {} 与数据库记录的 SHA-256 不符，未完成备份", b.key)));
        }
        let path = blob_path(&work, &b.key)?;
        std::fs::create_dir_all(path.parent().expect("a key has a folder"))?;
        std::fs::write(&path, &bytes)?;
        progress(i as u64 + 1, total);
    }
    std::fs::write(work.join("manifest.json"), serde_json::to_vec_pretty(&manifest).map_err(|e| StoreError::Corrupt(e.to_string()))?)?;
    std::fs::rename(&work, dir)?;
    Ok(manifest)
}

/// Reads a backup's manifest.
pub fn manifest(dir: &Path) -> Result<Manifest> {
    let bytes = std::fs::read(dir.join("manifest.json")).map_err(|_| StoreError::Conflict(format!("{} 中没有 manifest.json：这不是一个完整的院讯备份", dir.display())))?;
    serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt(format!("manifest.json 无法读取：{e}")))
}

/// Restores the backup in `from` to the database at `url` (a SQLite file that must not exist
/// yet, or an empty PostgreSQL database) and the media store `media`, then opens it.
pub async fn restore(from: &Path, url: &str, media: MediaStore, mut progress: impl FnMut(u64, u64)) -> Result<(Store, Manifest)> {
    let m = manifest(from)?;
    if url.starts_with("postgres") {
        if m.engine != "postgres" {
            return Err(StoreError::Conflict("这是 SQLite 的备份，只能恢复到数据目录；迁移到 PostgreSQL 请用 yuanxun migrate".into()));
        }
        // The target must be empty: a restore never merges into live data.
        let probe = Store::open_probe(url).await?;
        if probe {
            return Err(StoreError::Conflict("目标 PostgreSQL 数据库不是空的：恢复只写入新建的空数据库".into()));
        }
        let out = std::process::Command::new("pg_restore")
            .args(["--no-owner", "--exit-on-error", "--dbname", url])
            .arg(from.join("postgres.dump"))
            .output()
            .map_err(|e| StoreError::Conflict(format!("需要 pg_restore（Debian 软件包 postgresql-client）才能恢复 PostgreSQL 备份：{e}")))?;
        if !out.status.success() {
            return Err(StoreError::Conflict(format!("pg_restore 失败：{}", String::from_utf8_lossy(&out.stderr).trim())));
        }
    } else {
        if m.engine != "sqlite" {
            return Err(StoreError::Conflict("这是 PostgreSQL 的备份：请设置 DATABASE_URL 指向一个新建的空数据库再恢复".into()));
        }
        let path = url.trim_start_matches("sqlite://").split('?').next().unwrap_or_default();
        if Path::new(path).exists() {
            return Err(StoreError::Conflict(format!("{path} 已存在：恢复只写入新的数据目录，不覆盖现有数据")));
        }
        std::fs::copy(from.join("yuanxun.db"), path)?;
    }
    let list: Vec<PathBuf> = walk(&from.join("media"))?;
    let total = list.len() as u64;
    for (i, path) in list.iter().enumerate() {
        let key = path.strip_prefix(from.join("media")).expect("under media/").components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/");
        media.put_at(&key, &std::fs::read(path)?).await?;
        progress(i as u64 + 1, total);
    }
    let store = Store::open_with(url, media).await?;
    Ok((store, m))
}

fn walk(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            out.extend(walk(&p)?);
        } else {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

/// What a check of a restored (or any) store found: nothing when it holds what the manifest
/// lists, every blob matches its hash, and the audit chain is whole.
pub async fn verify(store: &Store, expected: &Manifest) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let now = inventory(store).await?;
    for (what, want, got) in [
        ("站点", expected.sites, now.sites),
        ("文章", expected.articles, now.articles),
        ("稿件", expected.manuscripts, now.manuscripts),
        ("用户", expected.users, now.users),
        ("媒体文件", expected.media, now.media),
        ("审计日志", expected.audit_rows, now.audit_rows),
    ] {
        if got < want {
            problems.push(format!("{what}：备份清单 {want} 条，恢复后只有 {got} 条"));
        }
    }
    for (site, hash) in &expected.audit_heads {
        let mut c = store.conn().await?;
        let found = sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE site_id = $1 AND hash = $2").bind(site).bind(hash).fetch_one(&mut *c).await?;
        if found.try_get::<i64, _>("n")? == 0 {
            problems.push(format!("站点 {site} 的审计日志缺少备份时的最后一条（{}…）", &hash[..hash.len().min(12)]));
        }
    }
    let list = {
        let mut c = store.conn().await?;
        blobs(&mut c).await?
    };
    for b in &list {
        match store.media.get(&b.key).await {
            Ok(bytes) if sha_hex(&bytes) == b.sha256 => {}
            Ok(_) => problems.push(format!("媒体文件 {} 的内容与记录的 SHA-256 不符", b.key)),
            Err(_) => problems.push(format!("媒体文件 {} 缺失", b.key)),
        }
    }
    let mut c = store.conn().await?;
    if let audit::Verdict::Broken { site_id, seq, reason, .. } = audit::verify(&mut c).await? {
        problems.push(format!("审计日志哈希链断裂：站点 {site_id} 第 {seq} 条：{reason}"));
    }
    Ok(problems)
}
