//! Persistence for Yuanxun: one place that opens the database (SQLite embedded by default,
//! PostgreSQL by URL), embedded migrations per engine, repositories per entity, the audit
//! chain, and the media folder.
//!
//! Queries go through sqlx's `Any` driver and are written in the SQL both engines share
//! (`$1` placeholders in order, `RETURNING`, no engine-only functions); engine-specific SQL
//! lives only in `migrations/<engine>/`. Every row belongs to a site and every query names it.

pub mod articles;
pub mod audit;
pub mod backup;
pub mod changes;
pub mod checks;
pub mod congress;
pub mod corrections;
pub mod incidents;
pub mod ledgers;
pub mod manuscripts;
pub mod media;
pub mod migrate;
pub mod monitor;
pub mod notifications;
pub mod models;
pub mod outlets;
pub mod points;
pub mod sites;
pub mod users;
pub mod work;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Connection, Executor, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

pub use models::*;
pub use sqlx::AnyConnection;

/// What went wrong in the store, in terms a service can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
    #[error("数据库迁移失败：{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("文件读写失败：{0}")]
    Io(#[from] std::io::Error),
    #[error("记录不存在")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("数据已损坏：{0}")]
    Corrupt(String),
    #[error("媒体存储出错：{0}")]
    Media(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    /// Whether the database refused a row because it repeats a unique key.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Db(sqlx::Error::Database(e)) if e.is_unique_violation())
    }

    /// Whether the database could not be reached (stopped, unreachable, the connection
    /// lost, no connection free in time): nothing was done, and trying again later may work.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Db(sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) | sqlx::Error::WorkerCrashed))
    }
}

/// Maps a missing row to [`StoreError::NotFound`].
pub(crate) fn found<T>(row: Option<T>) -> Result<T> {
    row.ok_or(StoreError::NotFound)
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The database and the media folder of one deployment.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    /// Serialises write transactions: the audit chain needs each append to see the last one,
    /// and SQLite has one writer anyway.
    write_lock: Arc<Mutex<()>>,
    pub media: media::MediaStore,
    backend: Backend,
}

/// Which database engine is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default: one file, WAL mode.
    Sqlite,
    /// For many hospitals and several app nodes.
    Postgres,
}

/// A write transaction holding the store's write lock until commit or drop.
pub struct WriteTx {
    pub tx: Transaction<'static, Any>,
    _guard: OwnedMutexGuard<()>,
}

impl WriteTx {
    /// The connection to run statements on.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Makes every statement of the transaction durable at once.
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// Opens (creating when needed) the data folder: `yuanxun.db` and `media/`.
    pub async fn open_dir(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir)?;
        let db = dir.join("yuanxun.db");
        let url = format!("sqlite://{}?mode=rwc", db.display());
        Store::open(&url, dir.join("media")).await
    }

    /// Opens the database at `url` (`sqlite://…` or `postgres://…`) with media in the
    /// folder `media_dir`.
    pub async fn open(url: &str, media_dir: PathBuf) -> Result<Store> {
        Store::open_with(url, media::MediaStore::new(media_dir)?).await
    }

    /// Opens the database at `url` (`sqlite://…` or `postgres://…`), applies the pragmas
    /// SQLite needs, and runs the embedded migrations; media in `media`.
    pub async fn open_with(url: &str, media: media::MediaStore) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        let opts: AnyConnectOptions = url.parse()?;
        if backend == Backend::Sqlite {
            // journal_mode is stored in the file: set it once on a connection of its own.
            let mut c = sqlx::AnyConnection::connect_with(&opts).await?;
            c.execute("PRAGMA journal_mode=WAL").await?;
            c.close().await?;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            // A PostgreSQL server that is down is reported within seconds, not after the
            // default 30 s per request; SQLite waits longer for a busy writer.
            .acquire_timeout(std::time::Duration::from_secs(if backend == Backend::Sqlite { 30 } else { 3 }))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // FULL: a commit is on disk before the request that made it is
                        // answered, so a power cut loses nothing anyone was told was saved
                        // (NORMAL keeps the file sound but may lose the last commits).
                        conn.execute(
                            "PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await?;
        match backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await?,
        }
        Ok(Store {
            pool,
            write_lock: Arc::new(Mutex::new(())),
            media,
            backend,
        })
    }

    /// Whether the PostgreSQL database at `url` already holds tables (a restore goes into an
    /// empty one only).
    pub async fn open_probe(url: &str) -> Result<bool> {
        sqlx::any::install_default_drivers();
        let mut c = sqlx::AnyConnection::connect(url).await?;
        let row = sqlx::query("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public'").fetch_one(&mut c).await?;
        let n: i64 = sqlx::Row::try_get(&row, "n")?;
        c.close().await.ok();
        Ok(n > 0)
    }

    /// The engine behind this store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A pooled connection for reads.
    pub async fn conn(&self) -> Result<sqlx::pool::PoolConnection<Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// Starts a write transaction; other writers wait until it commits or is dropped. On
    /// SQLite it takes the database's write lock at once (`BEGIN IMMEDIATE`, waiting up to
    /// the busy timeout for another process's writer, such as `yuanxun backup`): a deferred
    /// transaction that read first would fail with `SQLITE_BUSY_SNAPSHOT` the moment it
    /// wrote, if another process had committed since its first read.
    pub async fn begin(&self) -> Result<WriteTx> {
        let guard = self.write_lock.clone().lock_owned().await;
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx { tx, _guard: guard })
    }

    /// Closes the pool, waiting for connections to return.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
