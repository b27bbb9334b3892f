//! Opinion monitoring (舆情监测): sources, the items fetched from them, rules and word sets.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{found, AnyConnection, Result};

/// A source as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub id: i64,
    pub site_id: i64,
    pub name: String,
    pub kind: String,
    pub url: String,
    pub mapping: String,
    pub reach: i64,
    pub interval_secs: i64,
    pub enabled: bool,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub next_at: i64,
    pub last_ok_at: Option<i64>,
    pub last_error: Option<String>,
    pub failures: i64,
    pub items_total: i64,
}

/// A source's settings as written.
#[derive(Debug, Clone)]
pub struct SourceFields<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub url: &'a str,
    pub mapping: &'a str,
    pub reach: i64,
    pub interval_secs: i64,
    pub enabled: bool,
}

const SOURCE: &str = "SELECT id, site_id, name, kind, url, mapping, reach, interval_secs, enabled, etag, last_modified, next_at, last_ok_at, last_error, failures, items_total FROM monitor_sources";

fn source(r: &AnyRow) -> Result<Source> {
    Ok(Source {
        id: r.try_get("id")?,
        site_id: r.try_get("site_id")?,
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        url: r.try_get("url")?,
        mapping: r.try_get("mapping")?,
        reach: r.try_get("reach")?,
        interval_secs: r.try_get("interval_secs")?,
        enabled: r.try_get::<i64, _>("enabled")? != 0,
        etag: r.try_get("etag")?,
        last_modified: r.try_get("last_modified")?,
        next_at: r.try_get("next_at")?,
        last_ok_at: r.try_get("last_ok_at")?,
        last_error: r.try_get("last_error")?,
        failures: r.try_get("failures")?,
        items_total: r.try_get("items_total")?,
    })
}

pub async fn create_source(c: &mut AnyConnection, site_id: i64, f: &SourceFields<'_>, now: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO monitor_sources (site_id, name, kind, url, mapping, reach, interval_secs, enabled, next_at, failures, items_total, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 0, $10) RETURNING id",
    )
    .bind(site_id).bind(f.name).bind(f.kind).bind(f.url).bind(f.mapping).bind(f.reach).bind(f.interval_secs).bind(i64::from(f.enabled)).bind(now).bind(now)
    .fetch_one(&mut *c).await?;
    Ok(row.try_get("id")?)
}

/// Changes a source's settings; a changed address forgets the conditional-GET validators.
pub async fn update_source(c: &mut AnyConnection, site_id: i64, id: i64, f: &SourceFields<'_>, now: i64) -> Result<()> {
    let r = sqlx::query(
        "UPDATE monitor_sources SET name = $1, kind = $2, mapping = $3, reach = $4, interval_secs = $5, enabled = $6, \
         etag = CASE WHEN url = $7 THEN etag ELSE NULL END, last_modified = CASE WHEN url = $8 THEN last_modified ELSE NULL END, \
         url = $9, next_at = $10, failures = 0 WHERE site_id = $11 AND id = $12",
    )
    .bind(f.name).bind(f.kind).bind(f.mapping).bind(f.reach).bind(f.interval_secs).bind(i64::from(f.enabled)).bind(f.url).bind(f.url).bind(f.url).bind(now).bind(site_id).bind(id)
    .execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(crate::StoreError::NotFound);
    }
    Ok(())
}

pub async fn get_source(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Source> {
    let sql = format!("{SOURCE} WHERE site_id = $1 AND id = $2");
    source(&found(sqlx::query(&sql).bind(site_id).bind(id).fetch_optional(&mut *c).await?)?)
}

pub async fn list_sources(c: &mut AnyConnection, site_id: i64) -> Result<Vec<Source>> {
    let sql = format!("{SOURCE} WHERE site_id = $1 ORDER BY id");
    sqlx::query(&sql).bind(site_id).fetch_all(&mut *c).await?.iter().map(source).collect()
}

/// The enabled sources (not manual) whose time has come, soonest first.
pub async fn due_sources(c: &mut AnyConnection, site_id: i64, now: i64, limit: i64) -> Result<Vec<Source>> {
    let sql = format!("{SOURCE} WHERE site_id = $1 AND enabled = 1 AND kind <> 'manual' AND next_at <= $2 ORDER BY next_at LIMIT $3");
    sqlx::query(&sql).bind(site_id).bind(now).bind(limit).fetch_all(&mut *c).await?.iter().map(source).collect()
}

/// Takes the sources `ids` for a fetch: their next time is pushed to `until`, so a round
/// that outlasts the monitor's lease is not fetched a second time by another process. The
/// fetch's own outcome sets the real next time.
pub async fn claim(c: &mut AnyConnection, site_id: i64, ids: &[i64], until: i64) -> Result<()> {
    for id in ids {
        sqlx::query("UPDATE monitor_sources SET next_at = $1 WHERE site_id = $2 AND id = $3").bind(until).bind(site_id).bind(*id).execute(&mut *c).await?;
    }
    Ok(())
}

/// A fetch stored whole: the new validators, the next time, the error cleared.
pub async fn fetched(c: &mut AnyConnection, id: i64, etag: Option<&str>, last_modified: Option<&str>, new_items: i64, now: i64, next_at: i64) -> Result<()> {
    sqlx::query(
        "UPDATE monitor_sources SET etag = $1, last_modified = $2, last_ok_at = $3, last_error = NULL, failures = 0, \
         items_total = items_total + $4, next_at = $5 WHERE id = $6",
    )
    .bind(etag).bind(last_modified).bind(now).bind(new_items).bind(next_at).bind(id)
    .execute(&mut *c).await?;
    Ok(())
}

/// A fetch that failed: the error kept for the page, one more failure, the next try.
pub async fn failed(c: &mut AnyConnection, id: i64, error: &str, next_at: i64) -> Result<()> {
    sqlx::query("UPDATE monitor_sources SET last_error = $1, failures = failures + 1, next_at = $2 WHERE id = $3").bind(error).bind(next_at).bind(id).execute(&mut *c).await?;
    Ok(())
}

/// Asks for a fetch at once.
pub async fn fetch_now(c: &mut AnyConnection, site_id: i64, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE monitor_sources SET next_at = $1 WHERE site_id = $2 AND id = $3").bind(now).bind(site_id).bind(id).execute(&mut *c).await?;
    Ok(())
}

/// An item as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: i64,
    pub source_id: i64,
    pub source_name: String,
    pub guid: String,
    pub url: String,
    pub title: String,
    pub body: String,
    pub author: String,
    pub published_at: Option<i64>,
    pub fetched_at: i64,
    pub copy_of: Option<i64>,
    pub sentiment: i64,
    pub category: String,
    pub rules: String,
    pub weight: i64,
    pub level: Option<String>,
    pub level_reason: String,
}

/// A new item with how it was read.
#[derive(Debug, Clone)]
pub struct NewItem<'a> {
    pub source_id: i64,
    pub guid: &'a str,
    pub url: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub author: &'a str,
    pub published_at: Option<i64>,
    pub copy_of: Option<i64>,
    pub sentiment: i64,
    pub category: &'a str,
    pub rules: &'a str,
    pub weight: i64,
    pub level: Option<&'a str>,
    pub level_reason: &'a str,
    pub added_by: Option<i64>,
}

const ITEM: &str = "SELECT i.id, i.source_id, s.name AS source_name, i.guid, i.url, i.title, i.body, i.author, i.published_at, i.fetched_at, i.copy_of, \
     i.sentiment, i.category, i.rules, i.weight, i.level, i.level_reason FROM monitor_items i JOIN monitor_sources s ON s.id = i.source_id";

fn item(r: &AnyRow) -> Result<Item> {
    Ok(Item {
        id: r.try_get("id")?,
        source_id: r.try_get("source_id")?,
        source_name: r.try_get("source_name")?,
        guid: r.try_get("guid")?,
        url: r.try_get("url")?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        author: r.try_get("author")?,
        published_at: r.try_get("published_at")?,
        fetched_at: r.try_get("fetched_at")?,
        copy_of: r.try_get("copy_of")?,
        sentiment: r.try_get("sentiment")?,
        category: r.try_get("category")?,
        rules: r.try_get("rules")?,
        weight: r.try_get("weight")?,
        level: r.try_get("level")?,
        level_reason: r.try_get("level_reason")?,
    })
}

pub async fn insert_item(c: &mut AnyConnection, site_id: i64, i: &NewItem<'_>, now: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO monitor_items (site_id, source_id, guid, url, title, body, author, published_at, fetched_at, copy_of, sentiment, category, rules, weight, level, level_reason, added_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
    )
    .bind(site_id).bind(i.source_id).bind(i.guid).bind(i.url).bind(i.title).bind(i.body).bind(i.author).bind(i.published_at).bind(now)
    .bind(i.copy_of).bind(i.sentiment).bind(i.category).bind(i.rules).bind(i.weight).bind(i.level).bind(i.level_reason).bind(i.added_by)
    .fetch_one(&mut *c).await?;
    Ok(row.try_get("id")?)
}

pub async fn get_item(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Item> {
    let sql = format!("{ITEM} WHERE i.site_id = $1 AND i.id = $2");
    item(&found(sqlx::query(&sql).bind(site_id).bind(id).fetch_optional(&mut *c).await?)?)
}

/// What the item list shows.
#[derive(Debug, Clone, Default)]
pub struct ItemQuery {
    /// Only items that hit a rule.
    pub hits_only: bool,
    pub level: Option<String>,
    pub category: Option<String>,
    pub source_id: Option<i64>,
    /// Only negative items (sentiment at or below -200).
    pub negative_only: bool,
    pub since: Option<i64>,
    /// Only items fetched before this.
    pub until: Option<i64>,
}

/// Items newest first.
pub async fn list_items(c: &mut AnyConnection, site_id: i64, q: &ItemQuery, limit: i64) -> Result<Vec<Item>> {
    let mut sql = format!("{ITEM} WHERE i.site_id = $1");
    let mut n = 1;
    let mut next = || {
        n += 1;
        n
    };
    if q.hits_only {
        sql.push_str(" AND i.weight > 0");
    }
    if q.negative_only {
        sql.push_str(" AND i.sentiment <= -200");
    }
    if q.level.is_some() {
        sql.push_str(&format!(" AND i.level = ${}", next()));
    }
    if q.category.is_some() {
        sql.push_str(&format!(" AND i.category = ${}", next()));
    }
    if q.source_id.is_some() {
        sql.push_str(&format!(" AND i.source_id = ${}", next()));
    }
    if q.since.is_some() {
        sql.push_str(&format!(" AND i.fetched_at >= ${}", next()));
    }
    if q.until.is_some() {
        sql.push_str(&format!(" AND i.fetched_at < ${}", next()));
    }
    sql.push_str(&format!(" ORDER BY i.fetched_at DESC, i.id DESC LIMIT ${}", next()));
    let mut query = sqlx::query(&sql).bind(site_id);
    if let Some(l) = &q.level {
        query = query.bind(l.as_str());
    }
    if let Some(cat) = &q.category {
        query = query.bind(cat.as_str());
    }
    if let Some(s) = q.source_id {
        query = query.bind(s);
    }
    if let Some(s) = q.since {
        query = query.bind(s);
    }
    if let Some(u) = q.until {
        query = query.bind(u);
    }
    query.bind(limit).fetch_all(&mut *c).await?.iter().map(item).collect()
}

/// The sources carrying an item or a copy of it (the first of a family and its reposts) since `since`.
pub async fn family_sources(c: &mut AnyConnection, site_id: i64, first: i64, since: i64) -> Result<Vec<i64>> {
    let rows = sqlx::query("SELECT DISTINCT source_id FROM monitor_items WHERE site_id = $1 AND (id = $2 OR copy_of = $3) AND fetched_at >= $4")
        .bind(site_id).bind(first).bind(first).bind(since)
        .fetch_all(&mut *c).await?;
    rows.iter().map(|r| Ok(r.try_get("source_id")?)).collect()
}

/// A rule as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub id: i64,
    pub name: String,
    pub expr: String,
    pub weight: i64,
    pub enabled: bool,
}

fn rule(r: &AnyRow) -> Result<Rule> {
    Ok(Rule { id: r.try_get("id")?, name: r.try_get("name")?, expr: r.try_get("expr")?, weight: r.try_get("weight")?, enabled: r.try_get::<i64, _>("enabled")? != 0 })
}

pub async fn list_rules(c: &mut AnyConnection, site_id: i64) -> Result<Vec<Rule>> {
    sqlx::query("SELECT id, name, expr, weight, enabled FROM monitor_rules WHERE site_id = $1 ORDER BY id").bind(site_id).fetch_all(&mut *c).await?.iter().map(rule).collect()
}

pub async fn get_rule(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Rule> {
    rule(&found(sqlx::query("SELECT id, name, expr, weight, enabled FROM monitor_rules WHERE site_id = $1 AND id = $2").bind(site_id).bind(id).fetch_optional(&mut *c).await?)?)
}

pub async fn create_rule(c: &mut AnyConnection, site_id: i64, name: &str, expr: &str, weight: i64, enabled: bool, now: i64) -> Result<i64> {
    let row = sqlx::query("INSERT INTO monitor_rules (site_id, name, expr, weight, enabled, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(site_id).bind(name).bind(expr).bind(weight).bind(i64::from(enabled)).bind(now)
        .fetch_one(&mut *c).await?;
    Ok(row.try_get("id")?)
}

pub async fn update_rule(c: &mut AnyConnection, site_id: i64, id: i64, name: &str, expr: &str, weight: i64, enabled: bool) -> Result<()> {
    let r = sqlx::query("UPDATE monitor_rules SET name = $1, expr = $2, weight = $3, enabled = $4 WHERE site_id = $5 AND id = $6")
        .bind(name).bind(expr).bind(weight).bind(i64::from(enabled)).bind(site_id).bind(id)
        .execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(crate::StoreError::NotFound);
    }
    Ok(())
}

pub async fn delete_rule(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<()> {
    let r = sqlx::query("DELETE FROM monitor_rules WHERE site_id = $1 AND id = $2").bind(site_id).bind(id).execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(crate::StoreError::NotFound);
    }
    Ok(())
}

/// A word set: its name and words, one a line.
#[derive(Debug, Clone, Serialize)]
pub struct WordSet {
    pub id: i64,
    pub name: String,
    pub words: String,
}

pub async fn list_sets(c: &mut AnyConnection, site_id: i64) -> Result<Vec<WordSet>> {
    let rows = sqlx::query("SELECT id, name, words FROM monitor_sets WHERE site_id = $1 ORDER BY name").bind(site_id).fetch_all(&mut *c).await?;
    rows.iter().map(|r| Ok(WordSet { id: r.try_get("id")?, name: r.try_get("name")?, words: r.try_get("words")? })).collect()
}

/// Creates or replaces the set `name`.
pub async fn put_set(c: &mut AnyConnection, site_id: i64, name: &str, words: &str) -> Result<()> {
    sqlx::query("INSERT INTO monitor_sets (site_id, name, words) VALUES ($1, $2, $3) ON CONFLICT (site_id, name) DO UPDATE SET words = excluded.words")
        .bind(site_id).bind(name).bind(words)
        .execute(&mut *c).await?;
    Ok(())
}

pub async fn delete_set(c: &mut AnyConnection, site_id: i64, name: &str) -> Result<()> {
    let r = sqlx::query("DELETE FROM monitor_sets WHERE site_id = $1 AND name = $2").bind(site_id).bind(name).execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(crate::StoreError::NotFound);
    }
    Ok(())
}
