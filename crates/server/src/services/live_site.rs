//! What follows a change to the live site: after publishing, correcting or retracting
//! commits, the search index, the render cache and the static export (when `serve --export`
//! keeps one) are brought up to date before the request that made the change returns.

use crate::AppState;

/// Brings the index, the render cache and the export up to date with the article of
/// `manuscript_id`. Failures are logged, not returned: the change itself has been committed,
/// `yuanxun reindex` repairs the index and `yuanxun export` the export.
pub async fn article_changed(state: &AppState, site_id: i64, manuscript_id: i64) {
    // Home, channel and article pages may all show it.
    state.pages.clear();
    if let Err(e) = super::search::index_article(state, site_id, manuscript_id).await {
        tracing::error!("search index not updated for manuscript {manuscript_id}: {e}");
    }
    if let Some(dir) = &state.config.export_dir {
        let _one_at_a_time = state.export_lock.lock().await;
        if let Err(e) = super::export::update(state, dir, manuscript_id).await {
            tracing::error!("static export not updated for manuscript {manuscript_id}: {e}");
        }
    }
}
