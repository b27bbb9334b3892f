//! What follows a change to the live site: after publishing, correcting or retracting
//! commits, the search index, the render cache and the static export (when `serve --export`
//! keeps one) are brought up to date before the request that made the change returns.
//!
//! Several `serve` processes may share one database (behind a load balancer). Each change
//! is also written to the change feed (`store::changes`), and every process [`follow`]s it,
//! refreshing its own cache, index and export for the changes the others made.

use yuanxun_core::clock;
use yuanxun_store::changes;

use crate::error::ServiceResult;
use crate::AppState;

/// Brings the index, the render cache and the export up to date with the article of
/// `manuscript_id`, and tells the other processes. Failures are logged, not returned: the
/// change itself has been committed, `yuanxun reindex` repairs the index and `yuanxun
/// export` the export.
pub async fn article_changed(state: &AppState, site_id: i64, manuscript_id: i64) {
    refresh_article(state, site_id, manuscript_id).await;
    record(state, site_id, "article", Some(manuscript_id)).await;
}

/// Something every public page shows changed (the channels, the theme): the render cache is
/// cleared here and in the other processes.
pub async fn site_changed(state: &AppState) {
    state.pages.clear();
    record(state, state.site_id(), "site", None).await;
}

async fn refresh_article(state: &AppState, site_id: i64, manuscript_id: i64) {
    // Home, channel and article pages may all show it.
    state.pages.clear();
    // The search index and the static export are independent: both at once.
    let search = async {
        if let Err(e) = super::search::index_article(state, site_id, manuscript_id).await {
            tracing::error!("search index not updated for manuscript {manuscript_id}: {e}");
        }
    };
    let export = async {
        if let Some(dir) = &state.config.export_dir {
            let _one_at_a_time = state.export_lock.lock().await;
            if let Err(e) = super::export::update(state, dir, manuscript_id).await {
                tracing::error!("static export not updated for manuscript {manuscript_id}: {e}");
            }
        }
    };
    tokio::join!(search, export);
}

async fn record(state: &AppState, site_id: i64, kind: &str, manuscript_id: Option<i64>) {
    let result = async {
        let mut tx = state.store.begin().await?;
        changes::record(tx.conn(), site_id, &state.node, kind, manuscript_id, clock::now()).await?;
        tx.commit().await
    }
    .await;
    if let Err(e) = result {
        tracing::error!("change feed not written ({kind} {manuscript_id:?}): {e}");
    }
}

/// Applies the changes other processes wrote after `after` to this process's cache, index
/// and export; returns the position to follow from next time.
pub async fn follow(state: &AppState, after: i64) -> ServiceResult<i64> {
    let batch = {
        let mut c = state.store.conn().await?;
        changes::since(&mut c, after, 200).await?
    };
    let mut pos = after;
    for ch in batch {
        pos = ch.id;
        if *ch.node == *state.node || ch.site_id != state.site_id() {
            continue;
        }
        match ch.manuscript_id {
            Some(mid) if ch.kind == "article" => refresh_article(state, ch.site_id, mid).await,
            _ => state.pages.clear(),
        }
    }
    Ok(pos)
}

/// Where this process starts following: where it stopped last time (kept beside its search
/// index), or the newest change for a process with nothing kept.
pub async fn start_position(state: &AppState) -> ServiceResult<i64> {
    if let Some(kept) = position_file(state).and_then(|f| std::fs::read_to_string(f).ok()).and_then(|s| s.trim().parse().ok()) {
        return Ok(kept);
    }
    let mut c = state.store.conn().await?;
    Ok(changes::latest(&mut c).await?)
}

/// Keeps the position for the next start.
pub fn keep_position(state: &AppState, pos: i64) {
    if let Some(f) = position_file(state) {
        let _ = std::fs::write(f, pos.to_string());
    }
}

fn position_file(state: &AppState) -> Option<std::path::PathBuf> {
    state.config.search_dir.as_ref().map(|d| d.join("change-feed.pos"))
}
