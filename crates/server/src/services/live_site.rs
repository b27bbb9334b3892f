//! What follows a change to the live site: after publishing, correcting or retracting
//! commits, the search index, the render cache and the static export (when `serve --export`
//! keeps one) are brought up to date before the request that made the change returns.
//!
//! Several `serve` processes may share one database (behind a load balancer). Each change
//! writes its row in the change feed (`store::changes`) in its own transaction — an outbox:
//! the change and the news of it commit together — and every process [`follow`]s the feed,
//! refreshing its own cache, index and export for the changes the others made. A process
//! that dies between the commit and its own refresh loses nothing: the others have the row,
//! and at its next start it mends its search index and export from the database (its page
//! cache starts empty).

use yuanxun_core::clock;
use yuanxun_store::{changes, AnyConnection};

use crate::error::ServiceResult;
use crate::AppState;

/// Writes the feed's row for a change to the article of `manuscript_id`, in the caller's
/// transaction (last, just before its commit); after the commit, [`article_changed`].
pub async fn record_article(c: &mut AnyConnection, state: &AppState, site_id: i64, manuscript_id: i64) -> ServiceResult<()> {
    changes::record(c, site_id, &state.node, "article", Some(manuscript_id), clock::now()).await?;
    Ok(())
}

/// Writes the feed's row for a change every public page shows (the channels, the theme), in
/// the caller's transaction; after the commit, [`site_changed`].
pub async fn record_site(c: &mut AnyConnection, state: &AppState) -> ServiceResult<()> {
    changes::record(c, state.site_id(), &state.node, "site", None, clock::now()).await?;
    Ok(())
}

/// Brings this process's index, render cache and export up to date with the article of
/// `manuscript_id`, once the change and its feed row ([`record_article`]) have committed.
/// Failures are logged, not returned: the change itself has been committed, `yuanxun
/// reindex` repairs the index and `yuanxun export` the export.
pub async fn article_changed(state: &AppState, site_id: i64, manuscript_id: i64) {
    crash_point();
    refresh_article(state, site_id, manuscript_id).await;
}

/// Something every public page shows changed and committed with its feed row
/// ([`record_site`]): this process's render cache is cleared.
pub async fn site_changed(state: &AppState) {
    crash_point();
    state.pages.clear();
}

/// The process dies here, between a change's commit and its refresh, when
/// `YUANXUN_CRASH_POINT=after-commit` is set: for the test that such a crash loses nothing.
fn crash_point() {
    if std::env::var_os("YUANXUN_CRASH_POINT").is_some_and(|v| v == "after-commit") {
        eprintln!("YUANXUN_CRASH_POINT=after-commit: aborting after the commit");
        std::process::abort();
    }
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
