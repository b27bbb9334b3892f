//! Keeping the public site's search index in step with the articles, and searching it.
//!
//! Publishing, correcting and retracting reach [`index_article`] through
//! [`super::live_site::article_changed`] after their transaction commits, so the index shows
//! the change before the request that made it returns.
//! [`reindex`] rebuilds a site's part of the index from the database (`yuanxun reindex`, and
//! `serve` when it finds no index).

use std::sync::Arc;

use yuanxun_core::text;
use yuanxun_search::{Doc, Results, SearchIndex, SearchQuery};
use yuanxun_store::{articles, Article};

use crate::error::{ServiceError, ServiceResult};
use crate::AppState;

/// Articles read from the database at a time while rebuilding.
const BATCH: i64 = 500;

/// What the index holds of an article.
pub fn doc_of(a: &Article) -> Doc {
    Doc {
        site_id: a.site_id,
        id: a.id,
        channel_id: a.channel_id,
        channel_name: a.channel_name.clone(),
        title: a.title.clone(),
        subtitle: a.subtitle.clone(),
        body: text::plain(&a.body_html),
        published_at: a.published_at,
        version: a.version,
    }
}

/// Runs blocking index work off the async threads.
async fn blocking<T: Send + 'static>(ix: &Arc<SearchIndex>, f: impl FnOnce(&SearchIndex) -> yuanxun_search::Result<T> + Send + 'static) -> ServiceResult<T> {
    let ix = ix.clone();
    tokio::task::spawn_blocking(move || f(&ix))
        .await
        .map_err(|e| ServiceError::Internal(format!("search task failed: {e}")))?
        .map_err(|e| ServiceError::Internal(e.to_string()))
}

/// Puts the article of `manuscript_id` into the index as it now is, or takes it out once
/// retracted.
pub async fn index_article(state: &AppState, site_id: i64, manuscript_id: i64) -> ServiceResult<()> {
    let article = {
        let mut c = state.store.conn().await?;
        articles::by_manuscript(&mut c, site_id, manuscript_id).await?
    };
    match article {
        Some(a) if !a.retracted => {
            let d = doc_of(&a);
            blocking(&state.search, move |ix| ix.upsert(&d)).await
        }
        Some(a) => blocking(&state.search, move |ix| ix.remove(a.site_id, a.id)).await,
        None => Ok(()),
    }
}

/// Brings the index in step with the database after an interrupted run: every live article
/// missing from the index or held at an older version (a publish, correction or change of
/// date that committed just before a crash, while the index had not yet taken it in) is put
/// in as it now is, and every article the index holds that is no longer live (retracted) is
/// taken out, in one commit. Returns how many documents were put in and taken out.
pub async fn mend(state: &AppState) -> ServiceResult<(usize, usize)> {
    let site = state.site_id();
    let live = {
        let mut c = state.store.conn().await?;
        articles::versions(&mut c, site).await?
    };
    let held = blocking(&state.search, move |ix| ix.versions(site)).await?;
    let (behind, gone) = articles::difference(&live, &held);
    if behind.is_empty() && gone.is_empty() {
        return Ok((0, 0));
    }
    let counts = (behind.len(), gone.len());
    // In batches, so that an index far behind (a copy restored from last month) is mended
    // in bounded memory.
    for batch in behind.chunks(BATCH as usize) {
        let mut docs = Vec::with_capacity(batch.len());
        {
            let mut c = state.store.conn().await?;
            for id in batch {
                docs.push(doc_of(&articles::get(&mut c, site, *id).await?));
            }
        }
        blocking(&state.search, move |ix| ix.mend(site, &docs, &[])).await?;
    }
    if !gone.is_empty() {
        blocking(&state.search, move |ix| ix.mend(site, &[], &gone)).await?;
    }
    Ok(counts)
}

/// Rebuilds the site's part of the index from every live article, calling `progress(done,
/// total)` as it goes. Searches keep seeing the old index until the rebuild commits.
pub async fn reindex(state: &AppState, progress: impl Fn(usize, usize) + Send + 'static) -> ServiceResult<usize> {
    let site = state.site_id();
    let total = {
        let mut c = state.store.conn().await?;
        articles::count_live(&mut c, site, None).await? as usize
    };
    // The database is read here, page by page; the index is written on a blocking thread
    // that holds the writer for the whole rebuild (a publish meanwhile waits for it).
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Doc>>(2);
    let writer = {
        let ix = state.search.clone();
        tokio::task::spawn_blocking(move || ix.rebuild(site, rx.into_iter().flatten(), |n| progress(n, total)))
    };
    // Keyset paging: each page starts where the last ended, so a million articles cost no
    // more per page than a thousand (OFFSET would read every skipped row again).
    let mut before = None;
    let mut c = state.store.conn().await?;
    loop {
        let page = articles::list_before(&mut c, site, None, before, BATCH).await?;
        let Some(last) = page.last() else { break };
        before = Some((last.published_at, last.id));
        let docs: Vec<Doc> = page.iter().map(doc_of).collect();
        let tx = tx.clone();
        // The channel is bounded: wait for the writer without blocking this thread.
        if tokio::task::spawn_blocking(move || tx.send(docs)).await.map_or(true, |r| r.is_err()) {
            break; // the writer stopped; its error is reported below
        }
    }
    drop(tx);
    writer.await.map_err(|e| ServiceError::Internal(format!("search rebuild failed: {e}")))?.map_err(|e| ServiceError::Internal(e.to_string()))
}

/// Searches the site's live articles.
pub async fn search(state: &AppState, text: String, channel_id: Option<i64>, from: Option<i64>, to: Option<i64>, offset: usize, limit: usize) -> ServiceResult<Results> {
    let site_id = state.site_id();
    blocking(&state.search, move |ix| ix.search(&SearchQuery { site_id, text: &text, channel_id, from, to, offset, limit })).await
}

/// Up to `limit` live articles related to `a` by the words of its title.
pub async fn related(state: &AppState, a: &Article, limit: usize) -> Vec<yuanxun_search::Hit> {
    let (site, id, title) = (a.site_id, a.id, a.title.clone());
    blocking(&state.search, move |ix| ix.related(site, id, &title, limit)).await.unwrap_or_else(|e| {
        tracing::error!("related articles of {id}: {e}");
        Vec::new()
    })
}
