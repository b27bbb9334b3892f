//! Page views counted in memory and written to the database in batches (on a timer and at
//! shutdown), never one write per page view.

use std::collections::HashMap;
use std::sync::Mutex;

use yuanxun_store::Store;

/// Views not yet written, per (site, article).
#[derive(Default)]
pub struct ViewCounter {
    pending: Mutex<HashMap<(i64, i64), i64>>,
}

impl ViewCounter {
    /// Counts one view.
    pub fn hit(&self, site_id: i64, article_id: i64) {
        *self.pending.lock().expect("view counter lock").entry((site_id, article_id)).or_default() += 1;
    }

    /// Views counted but not yet written for an article.
    pub fn pending(&self, site_id: i64, article_id: i64) -> i64 {
        self.pending.lock().expect("view counter lock").get(&(site_id, article_id)).copied().unwrap_or(0)
    }

    /// Writes the counted views in one transaction. On failure they are put back, and so
    /// they are when the flush is dropped half-way (the timer's flush cut off by shutdown,
    /// a caller's timeout): the views are counted again, not lost. One cut off inside its
    /// commit may count a batch twice; for a reader count that is the lesser error.
    pub async fn flush(&self, store: &Store) -> yuanxun_store::Result<usize> {
        let batch: HashMap<(i64, i64), i64> = std::mem::take(&mut *self.pending.lock().expect("view counter lock"));
        if batch.is_empty() {
            return Ok(0);
        }
        let mut unwritten = PutBack { counter: self, batch: Some(batch) };
        let batch = unwritten.batch.as_ref().expect("the batch is held until written");
        let result = async {
            let mut tx = store.begin().await?;
            for ((site, id), n) in batch {
                yuanxun_store::articles::add_views(tx.conn(), *site, *id, *n).await?;
            }
            tx.commit().await
        }
        .await;
        result?;
        // Written: nothing to put back.
        Ok(unwritten.batch.take().map_or(0, |b| b.len()))
    }
}

/// A batch taken from the counter and not yet written: handed back when dropped.
struct PutBack<'a> {
    counter: &'a ViewCounter,
    batch: Option<HashMap<(i64, i64), i64>>,
}

impl Drop for PutBack<'_> {
    fn drop(&mut self) {
        let Some(batch) = self.batch.take() else { return };
        // A poisoned lock means a panic elsewhere already lost the counts; do not panic in drop.
        if let Ok(mut p) = self.counter.pending.lock() {
            for (k, n) in batch {
                *p.entry(k).or_default() += n;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shutdown race that lost a whole batch: the timer's flush had taken the counts and
    /// was waiting for the database when it was cut off.
    #[tokio::test]
    async fn a_flush_cut_off_before_it_writes_keeps_the_views() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_dir(dir.path()).await.unwrap();
        let views = ViewCounter::default();
        for _ in 0..3 {
            views.hit(1, 7);
        }
        // Another writer holds the database, so the flush waits; then it is dropped.
        let busy = store.begin().await.unwrap();
        let cut = tokio::time::timeout(std::time::Duration::from_millis(100), views.flush(&store)).await;
        assert!(cut.is_err(), "the flush waited for the writer");
        assert_eq!(views.pending(1, 7), 3, "the counts are back in the counter");
        views.hit(1, 7);
        drop(busy);
        // Once the database is free, the next flush writes them all.
        assert_eq!(views.flush(&store).await.unwrap(), 1);
        assert_eq!(views.pending(1, 7), 0);
        store.close().await;
    }
}
