//! Published articles: what the public site reads.

use sqlx::AnyConnection;
use yuanxun_core::clock;

use crate::{found, models, Article, Result, StoreError};

const SELECT: &str = "SELECT a.id, a.site_id, a.manuscript_id, a.channel_id, ch.slug AS channel_slug, ch.name AS channel_name, a.title, a.subtitle, a.authors, a.photographers, a.body_html, a.source, a.editor, a.responsible_editor, a.cover_media_id, a.published_at, a.view_count, a.retracted, a.retract_reason, a.version FROM articles a JOIN channels ch ON ch.id = a.channel_id WHERE a.site_id = $1";

/// The snapshot of a manuscript that goes live.
#[derive(Debug, Clone)]
pub struct NewArticle<'a> {
    pub manuscript_id: i64,
    pub channel_id: i64,
    pub title: &'a str,
    pub subtitle: &'a str,
    pub authors: &'a str,
    pub photographers: &'a str,
    pub body_html: &'a str,
    pub source: &'a str,
    pub editor: &'a str,
    pub responsible_editor: &'a str,
    pub cover_media_id: Option<i64>,
    pub published_at: i64,
}

/// Publishes: inserts the article for a manuscript. A manuscript is published once; its
/// article id (and so its URL) never changes.
pub async fn publish(c: &mut AnyConnection, site_id: i64, a: &NewArticle<'_>) -> Result<i64> {
    let row = sqlx::query("INSERT INTO articles (site_id, manuscript_id, channel_id, title, subtitle, authors, photographers, body_html, source, editor, responsible_editor, cover_media_id, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id")
        .bind(site_id).bind(a.manuscript_id).bind(a.channel_id).bind(a.title).bind(a.subtitle)
        .bind(a.authors).bind(a.photographers).bind(a.body_html).bind(a.source).bind(a.editor)
        .bind(a.responsible_editor).bind(a.cover_media_id).bind(a.published_at)
        .fetch_one(&mut *c).await?;
    Ok(sqlx::Row::try_get(&row, "id")?)
}

/// Takes an article down with a reason.
pub async fn retract(c: &mut AnyConnection, site_id: i64, id: i64, reason: &str) -> Result<()> {
    let r = sqlx::query("UPDATE articles SET retracted = 1, retract_reason = $1, retracted_at = $2 WHERE site_id = $3 AND id = $4 AND retracted = 0")
        .bind(reason).bind(clock::now()).bind(site_id).bind(id).execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Conflict("文章已撤下或不存在".into()));
    }
    Ok(())
}

/// Corrects a live article in place (更正): its URL and publication time stay.
pub async fn correct(c: &mut AnyConnection, site_id: i64, id: i64, title: &str, subtitle: &str, body_html: &str) -> Result<()> {
    let r = sqlx::query("UPDATE articles SET title = $1, subtitle = $2, body_html = $3, version = version + 1 WHERE site_id = $4 AND id = $5 AND retracted = 0")
        .bind(title).bind(subtitle).bind(body_html).bind(site_id).bind(id).execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Conflict("文章已撤下或不存在，不能更正".into()));
    }
    Ok(())
}

/// One article, live or retracted.
pub async fn get(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Article> {
    let sql = format!("{SELECT} AND a.id = $2");
    let row = sqlx::query(&sql).bind(site_id).bind(id).fetch_optional(&mut *c).await?;
    models::article(&found(row)?)
}

/// The article of a manuscript, if it was published.
pub async fn by_manuscript(c: &mut AnyConnection, site_id: i64, manuscript_id: i64) -> Result<Option<Article>> {
    let sql = format!("{SELECT} AND a.manuscript_id = $2");
    let row = sqlx::query(&sql).bind(site_id).bind(manuscript_id).fetch_optional(&mut *c).await?;
    row.as_ref().map(models::article).transpose()
}

/// Live articles, newest first, optionally of one channel: page by page for readers who
/// jump to page 50. The rows skipped are counted in the index alone (it holds every column
/// the inner query reads), and only the page's own rows are fetched whole.
pub async fn list(c: &mut AnyConnection, site_id: i64, channel_id: Option<i64>, offset: i64, limit: i64) -> Result<Vec<Article>> {
    let rows = match channel_id {
        Some(ch) => {
            let sql = format!("{SELECT} AND a.id IN (SELECT id FROM articles WHERE site_id = $1 AND retracted = 0 AND channel_id = $2 ORDER BY published_at DESC, id DESC LIMIT $3 OFFSET $4) ORDER BY a.published_at DESC, a.id DESC");
            sqlx::query(&sql).bind(site_id).bind(ch).bind(limit).bind(offset).fetch_all(&mut *c).await?
        }
        None => {
            let sql = format!("{SELECT} AND a.id IN (SELECT id FROM articles WHERE site_id = $1 AND retracted = 0 ORDER BY published_at DESC, id DESC LIMIT $2 OFFSET $3) ORDER BY a.published_at DESC, a.id DESC");
            sqlx::query(&sql).bind(site_id).bind(limit).bind(offset).fetch_all(&mut *c).await?
        }
    };
    rows.iter().map(models::article).collect()
}

/// Live articles published before `before` (published_at, id), newest first, of one channel
/// or the whole site: walked page by page without OFFSET's cost (the static export, the
/// search rebuild).
pub async fn list_before(c: &mut AnyConnection, site_id: i64, channel_id: Option<i64>, before: Option<(i64, i64)>, limit: i64) -> Result<Vec<Article>> {
    let (at, id) = before.unwrap_or((i64::MAX, i64::MAX));
    let rows = match channel_id {
        Some(ch) => {
            let sql = format!("{SELECT} AND a.retracted = 0 AND a.channel_id = $2 AND (a.published_at, a.id) < ($3, $4) ORDER BY a.published_at DESC, a.id DESC LIMIT $5");
            sqlx::query(&sql).bind(site_id).bind(ch).bind(at).bind(id).bind(limit).fetch_all(&mut *c).await?
        }
        None => {
            let sql = format!("{SELECT} AND a.retracted = 0 AND (a.published_at, a.id) < ($2, $3) ORDER BY a.published_at DESC, a.id DESC LIMIT $4");
            sqlx::query(&sql).bind(site_id).bind(at).bind(id).bind(limit).fetch_all(&mut *c).await?
        }
    };
    rows.iter().map(models::article).collect()
}

/// The live articles of the same channel published just before and just after `a`
/// (上一篇 / 下一篇), as (id, title).
pub async fn neighbours(c: &mut AnyConnection, a: &Article) -> Result<(Option<(i64, String)>, Option<(i64, String)>)> {
    let older = sqlx::query("SELECT id, title FROM articles WHERE site_id = $1 AND channel_id = $2 AND retracted = 0 AND (published_at, id) < ($3, $4) ORDER BY published_at DESC, id DESC LIMIT 1")
        .bind(a.site_id).bind(a.channel_id).bind(a.published_at).bind(a.id).fetch_optional(&mut *c).await?;
    let newer = sqlx::query("SELECT id, title FROM articles WHERE site_id = $1 AND channel_id = $2 AND retracted = 0 AND (published_at, id) > ($3, $4) ORDER BY published_at ASC, id ASC LIMIT 1")
        .bind(a.site_id).bind(a.channel_id).bind(a.published_at).bind(a.id).fetch_optional(&mut *c).await?;
    let pair = |r: Option<sqlx::any::AnyRow>| -> Result<Option<(i64, String)>> {
        r.map(|r| Ok((sqlx::Row::try_get(&r, "id")?, sqlx::Row::try_get(&r, "title")?))).transpose()
    };
    Ok((pair(older)?, pair(newer)?))
}

/// The live articles published from `from` up to (not including) `to` (Unix seconds): their
/// channel's id and name and when they were published, oldest first.
pub async fn published_between(c: &mut AnyConnection, site_id: i64, from: i64, to: i64) -> Result<Vec<(i64, String, i64)>> {
    let rows = sqlx::query("SELECT a.channel_id, ch.name AS channel_name, a.published_at FROM articles a JOIN channels ch ON ch.id = a.channel_id WHERE a.site_id = $1 AND a.retracted = 0 AND a.published_at >= $2 AND a.published_at < $3 ORDER BY a.published_at")
        .bind(site_id).bind(from).bind(to).fetch_all(&mut *c).await?;
    rows.iter().map(|r| Ok((sqlx::Row::try_get(r, "channel_id")?, sqlx::Row::try_get(r, "channel_name")?, sqlx::Row::try_get(r, "published_at")?))).collect()
}

/// How many live articles a channel (or the whole site) has.
pub async fn count_live(c: &mut AnyConnection, site_id: i64, channel_id: Option<i64>) -> Result<i64> {
    let row = match channel_id {
        Some(ch) => sqlx::query("SELECT COUNT(*) AS n FROM articles WHERE site_id = $1 AND retracted = 0 AND channel_id = $2").bind(site_id).bind(ch).fetch_one(&mut *c).await?,
        None => sqlx::query("SELECT COUNT(*) AS n FROM articles WHERE site_id = $1 AND retracted = 0").bind(site_id).fetch_one(&mut *c).await?,
    };
    Ok(sqlx::Row::try_get(&row, "n")?)
}

/// How many live articles of the channel come before (published_at, id) `key`: a story's
/// place counted from the channel's oldest (the static export numbers its archive pages
/// that way, so that they stay as they are when newer stories arrive).
pub async fn rank(c: &mut AnyConnection, site_id: i64, channel_id: i64, key: (i64, i64)) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM articles WHERE site_id = $1 AND retracted = 0 AND channel_id = $2 AND (published_at, id) < ($3, $4)").bind(site_id).bind(channel_id).bind(key.0).bind(key.1).fetch_one(&mut *c).await?;
    Ok(sqlx::Row::try_get(&row, "n")?)
}

/// The lowest and highest ids of the site's live articles (which parts the sitemap has).
pub async fn id_span(c: &mut AnyConnection, site_id: i64) -> Result<Option<(i64, i64)>> {
    let row = sqlx::query("SELECT MIN(id) AS lo, MAX(id) AS hi FROM articles WHERE site_id = $1 AND retracted = 0").bind(site_id).fetch_one(&mut *c).await?;
    let (lo, hi): (Option<i64>, Option<i64>) = (sqlx::Row::try_get(&row, "lo")?, sqlx::Row::try_get(&row, "hi")?);
    Ok(lo.zip(hi))
}

/// The live articles with ids from `from` up to (not including) `to`, as (id, published_at),
/// by id: one part of the sitemap.
pub async fn ids_between(c: &mut AnyConnection, site_id: i64, from: i64, to: i64) -> Result<Vec<(i64, i64)>> {
    Ok(sqlx::query_as("SELECT id, published_at FROM articles WHERE site_id = $1 AND retracted = 0 AND id >= $2 AND id < $3 ORDER BY id").bind(site_id).bind(from).bind(to).fetch_all(&mut *c).await?)
}

/// The id and version of every live article of the site (what its search index should hold).
pub async fn versions(c: &mut AnyConnection, site_id: i64) -> Result<Vec<(i64, i64)>> {
    Ok(sqlx::query_as("SELECT id, version FROM articles WHERE site_id = $1 AND retracted = 0").bind(site_id).fetch_all(&mut *c).await?)
}

/// What a copy of the live articles (the search index, the static export) must change to
/// match `live` (from [`versions`]): the ids it lacks or holds at another version, and the
/// ids it holds that are no longer live.
pub fn difference<'a>(live: &[(i64, i64)], held: impl IntoIterator<Item = (&'a i64, &'a i64)>) -> (Vec<i64>, Vec<i64>) {
    let held_map: std::collections::HashMap<i64, i64> = held.into_iter().map(|(id, v)| (*id, *v)).collect();
    let behind = live.iter().filter(|(id, v)| held_map.get(id) != Some(v)).map(|(id, _)| *id).collect();
    let live_ids: std::collections::HashSet<i64> = live.iter().map(|(id, _)| *id).collect();
    let mut gone: Vec<i64> = held_map.keys().filter(|id| !live_ids.contains(id)).copied().collect();
    gone.sort_unstable();
    (behind, gone)
}

/// Adds counted views (flushed in batches from memory).
pub async fn add_views(c: &mut AnyConnection, site_id: i64, id: i64, n: i64) -> Result<()> {
    sqlx::query("UPDATE articles SET view_count = view_count + $1 WHERE site_id = $2 AND id = $3").bind(n).bind(site_id).bind(id).execute(&mut *c).await?;
    Ok(())
}

/// Sets the publication time (used by the demo to spread stories over past weeks).
pub async fn set_published_at(c: &mut AnyConnection, site_id: i64, id: i64, at: i64) -> Result<()> {
    sqlx::query("UPDATE articles SET published_at = $1, version = version + 1 WHERE site_id = $2 AND id = $3").bind(at).bind(site_id).bind(id).execute(&mut *c).await?;
    Ok(())
}
