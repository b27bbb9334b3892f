//! CPU-heavy work — Word documents read and written, pictures cleaned and scaled, password
//! hashes, the content check of long texts — runs on tokio's blocking pool, at most one job
//! per core at a time across the whole process. A burst of uploads or downloads then waits
//! its turn instead of starving the async runtime that answers every other page, and no
//! such job ever runs while the store's write transaction is held.

use std::sync::LazyLock;

use tokio::sync::Semaphore;

use crate::error::{ServiceError, ServiceResult};

static PERMITS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(capacity()));

/// Runs `f` on the blocking pool once a permit is free.
pub async fn run<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> ServiceResult<T> {
    let _permit = PERMITS.acquire().await.map_err(|e| ServiceError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(f).await.map_err(|e| ServiceError::Internal(e.to_string()))
}

/// How many heavy jobs may run at once (one per core).
pub fn capacity() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()).max(2)
}
