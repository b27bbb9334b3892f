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

    /// Writes the counted views in one transaction. On failure they are put back.
    pub async fn flush(&self, store: &Store) -> yuanxun_store::Result<usize> {
        let batch: HashMap<(i64, i64), i64> = std::mem::take(&mut *self.pending.lock().expect("view counter lock"));
        if batch.is_empty() {
            return Ok(0);
        }
        let result = async {
            let mut tx = store.begin().await?;
            for ((site, id), n) in &batch {
                yuanxun_store::articles::add_views(tx.conn(), *site, *id, *n).await?;
            }
            tx.commit().await
        }
        .await;
        if let Err(e) = result {
            let mut p = self.pending.lock().expect("view counter lock");
            for (k, n) in batch {
                *p.entry(k).or_default() += n;
            }
            return Err(e);
        }
        Ok(batch.len())
    }
}
