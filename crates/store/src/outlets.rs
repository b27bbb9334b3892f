//! Outlets (阵地) and the distributions of articles to them. Kinds, levels, statuses and
//! adoption are stored as the codes of `yuanxun_core::outlet`; dates as `YYYY-MM-DD`.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{found, AnyConnection, Result};

/// An outlet as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Outlet {
    pub id: i64,
    pub site_id: i64,
    pub kind: String,
    pub name: String,
    pub url: String,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub owner_id: Option<i64>,
    /// The person who answers for it: a user's display name, or a name typed in.
    pub owner_name: String,
    pub level: String,
    pub status: String,
    pub review_every_days: i64,
    pub last_reviewed_on: Option<String>,
    pub created_at: i64,
}

/// An outlet's fields as written.
#[derive(Debug, Clone)]
pub struct OutletFields<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub url: &'a str,
    pub department_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub owner_name: &'a str,
    pub level: &'a str,
    pub status: &'a str,
    pub review_every_days: i64,
}

const OUTLET_SELECT: &str = "SELECT o.id, o.site_id, o.kind, o.name, o.url, o.department_id, d.name AS department_name, o.owner_id, o.owner_name, o.level, o.status, o.review_every_days, o.last_reviewed_on, o.created_at FROM outlets o LEFT JOIN departments d ON d.id = o.department_id WHERE o.site_id = $1";

fn outlet(r: &AnyRow) -> Result<Outlet> {
    Ok(Outlet {
        id: r.try_get("id")?,
        site_id: r.try_get("site_id")?,
        kind: r.try_get("kind")?,
        name: r.try_get("name")?,
        url: r.try_get("url")?,
        department_id: r.try_get("department_id")?,
        department_name: r.try_get("department_name")?,
        owner_id: r.try_get("owner_id")?,
        owner_name: r.try_get("owner_name")?,
        level: r.try_get("level")?,
        status: r.try_get("status")?,
        review_every_days: r.try_get("review_every_days")?,
        last_reviewed_on: r.try_get("last_reviewed_on")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Registers an outlet.
pub async fn create(c: &mut AnyConnection, site_id: i64, f: &OutletFields<'_>, now: i64) -> Result<i64> {
    let row = sqlx::query("INSERT INTO outlets (site_id, kind, name, url, department_id, owner_id, owner_name, level, status, review_every_days, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id")
        .bind(site_id).bind(f.kind).bind(f.name).bind(f.url).bind(f.department_id).bind(f.owner_id).bind(f.owner_name).bind(f.level).bind(f.status).bind(f.review_every_days).bind(now)
        .fetch_one(&mut *c).await?;
    Ok(row.try_get("id")?)
}

/// Changes an outlet's fields.
pub async fn update(c: &mut AnyConnection, site_id: i64, id: i64, f: &OutletFields<'_>) -> Result<()> {
    let r = sqlx::query("UPDATE outlets SET kind = $1, name = $2, url = $3, department_id = $4, owner_id = $5, owner_name = $6, level = $7, status = $8, review_every_days = $9 WHERE site_id = $10 AND id = $11")
        .bind(f.kind).bind(f.name).bind(f.url).bind(f.department_id).bind(f.owner_id).bind(f.owner_name).bind(f.level).bind(f.status).bind(f.review_every_days).bind(site_id).bind(id)
        .execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(crate::StoreError::NotFound);
    }
    Ok(())
}

/// Records that the outlet was reviewed on `on` (`YYYY-MM-DD`).
pub async fn set_reviewed(c: &mut AnyConnection, site_id: i64, id: i64, on: &str) -> Result<()> {
    let r = sqlx::query("UPDATE outlets SET last_reviewed_on = $1 WHERE site_id = $2 AND id = $3").bind(on).bind(site_id).bind(id).execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(crate::StoreError::NotFound);
    }
    Ok(())
}

/// One outlet.
pub async fn get(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Outlet> {
    let sql = format!("{OUTLET_SELECT} AND o.id = $2");
    let row = sqlx::query(&sql).bind(site_id).bind(id).fetch_optional(&mut *c).await?;
    outlet(&found(row)?)
}

/// The site's outlets, by kind and name.
pub async fn list(c: &mut AnyConnection, site_id: i64) -> Result<Vec<Outlet>> {
    let sql = format!("{OUTLET_SELECT} ORDER BY o.kind, o.name");
    let rows = sqlx::query(&sql).bind(site_id).fetch_all(&mut *c).await?;
    rows.iter().map(outlet).collect()
}

/// The first outlet of a kind (the site's own website, for automatic distributions).
pub async fn first_of_kind(c: &mut AnyConnection, site_id: i64, kind: &str) -> Result<Option<Outlet>> {
    let sql = format!("{OUTLET_SELECT} AND o.kind = $2 ORDER BY o.id LIMIT 1");
    let row = sqlx::query(&sql).bind(site_id).bind(kind).fetch_optional(&mut *c).await?;
    row.as_ref().map(outlet).transpose()
}

/// An article on an outlet, as stored, with the outlet's name and kind.
#[derive(Debug, Clone, Serialize)]
pub struct Distribution {
    pub id: i64,
    pub site_id: i64,
    pub article_id: i64,
    pub outlet_id: i64,
    pub outlet_name: String,
    pub outlet_kind: String,
    pub level: String,
    pub distributed_on: String,
    pub url: String,
    pub adoption: String,
    pub clipping_media_id: Option<i64>,
    pub note: String,
    pub created_at: i64,
}

/// A distribution's fields as written.
#[derive(Debug, Clone)]
pub struct DistributionFields<'a> {
    pub level: &'a str,
    pub distributed_on: &'a str,
    pub url: &'a str,
    pub adoption: &'a str,
    pub clipping_media_id: Option<i64>,
    pub note: &'a str,
}

const DIST_SELECT: &str = "SELECT x.id, x.site_id, x.article_id, x.outlet_id, o.name AS outlet_name, o.kind AS outlet_kind, x.level, x.distributed_on, x.url, x.adoption, x.clipping_media_id, x.note, x.created_at FROM distributions x JOIN outlets o ON o.id = x.outlet_id WHERE x.site_id = $1";

fn distribution(r: &AnyRow) -> Result<Distribution> {
    Ok(Distribution {
        id: r.try_get("id")?,
        site_id: r.try_get("site_id")?,
        article_id: r.try_get("article_id")?,
        outlet_id: r.try_get("outlet_id")?,
        outlet_name: r.try_get("outlet_name")?,
        outlet_kind: r.try_get("outlet_kind")?,
        level: r.try_get("level")?,
        distributed_on: r.try_get("distributed_on")?,
        url: r.try_get("url")?,
        adoption: r.try_get("adoption")?,
        clipping_media_id: r.try_get("clipping_media_id")?,
        note: r.try_get("note")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Records an article on an outlet. An article is on an outlet once: recording it again
/// fails with a conflict (change the existing record instead).
pub async fn distribute(c: &mut AnyConnection, site_id: i64, article_id: i64, outlet_id: i64, f: &DistributionFields<'_>, created_by: Option<i64>, now: i64) -> Result<i64> {
    let row = sqlx::query("INSERT INTO distributions (site_id, article_id, outlet_id, level, distributed_on, url, adoption, clipping_media_id, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id")
        .bind(site_id).bind(article_id).bind(outlet_id).bind(f.level).bind(f.distributed_on).bind(f.url).bind(f.adoption).bind(f.clipping_media_id).bind(f.note).bind(created_by).bind(now)
        .fetch_one(&mut *c).await?;
    Ok(row.try_get("id")?)
}

/// Changes a distribution's date, link, level, adoption, clipping and note.
pub async fn update_distribution(c: &mut AnyConnection, site_id: i64, id: i64, f: &DistributionFields<'_>) -> Result<()> {
    let r = sqlx::query("UPDATE distributions SET level = $1, distributed_on = $2, url = $3, adoption = $4, clipping_media_id = $5, note = $6 WHERE site_id = $7 AND id = $8")
        .bind(f.level).bind(f.distributed_on).bind(f.url).bind(f.adoption).bind(f.clipping_media_id).bind(f.note).bind(site_id).bind(id)
        .execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(crate::StoreError::NotFound);
    }
    Ok(())
}

/// One distribution.
pub async fn get_distribution(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Distribution> {
    let sql = format!("{DIST_SELECT} AND x.id = $2");
    let row = sqlx::query(&sql).bind(site_id).bind(id).fetch_optional(&mut *c).await?;
    distribution(&found(row)?)
}

/// An article's distributions, oldest first.
pub async fn of_article(c: &mut AnyConnection, site_id: i64, article_id: i64) -> Result<Vec<Distribution>> {
    let sql = format!("{DIST_SELECT} AND x.article_id = $2 ORDER BY x.distributed_on, x.id");
    let rows = sqlx::query(&sql).bind(site_id).bind(article_id).fetch_all(&mut *c).await?;
    rows.iter().map(distribution).collect()
}

/// The distributions dated from `from` up to (not including) `to` (`YYYY-MM-DD`), oldest
/// first.
pub async fn between(c: &mut AnyConnection, site_id: i64, from: &str, to: &str) -> Result<Vec<Distribution>> {
    let sql = format!("{DIST_SELECT} AND x.distributed_on >= $2 AND x.distributed_on < $3 ORDER BY x.distributed_on, x.id");
    let rows = sqlx::query(&sql).bind(site_id).bind(from).bind(to).fetch_all(&mut *c).await?;
    rows.iter().map(distribution).collect()
}

/// How many distributions each outlet has (for the outlet list).
pub async fn counts_by_outlet(c: &mut AnyConnection, site_id: i64) -> Result<Vec<(i64, i64)>> {
    let rows = sqlx::query("SELECT outlet_id, COUNT(*) AS n FROM distributions WHERE site_id = $1 GROUP BY outlet_id").bind(site_id).fetch_all(&mut *c).await?;
    rows.iter().map(|r| Ok((r.try_get("outlet_id")?, r.try_get("n")?))).collect()
}

/// Moves an article's distributions on outlets of `kind`, and the points they earned, to the
/// day `on` (the demo backdates its stories, and their website distributions with them).
pub async fn redate(c: &mut AnyConnection, site_id: i64, article_id: i64, kind: &str, on: &str) -> Result<()> {
    sqlx::query("UPDATE distributions SET distributed_on = $1 WHERE site_id = $2 AND article_id = $3 AND outlet_id IN (SELECT id FROM outlets WHERE site_id = $4 AND kind = $5)")
        .bind(on).bind(site_id).bind(article_id).bind(site_id).bind(kind).execute(&mut *c).await?;
    sqlx::query("UPDATE points_entries SET earned_on = $1 WHERE site_id = $2 AND distribution_id IN (SELECT x.id FROM distributions x JOIN outlets o ON o.id = x.outlet_id WHERE x.site_id = $3 AND x.article_id = $4 AND o.kind = $5)")
        .bind(on).bind(site_id).bind(site_id).bind(article_id).bind(kind).execute(&mut *c).await?;
    Ok(())
}

/// Sets (or clears) the clipping photo of a distribution.
pub async fn set_clipping(c: &mut AnyConnection, site_id: i64, id: i64, media_id: Option<i64>) -> Result<()> {
    let r = sqlx::query("UPDATE distributions SET clipping_media_id = $1 WHERE site_id = $2 AND id = $3").bind(media_id).bind(site_id).bind(id).execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(crate::StoreError::NotFound);
    }
    Ok(())
}

/// Whether a media item is part of the department's bookkeeping: the clipping of a
/// distribution or the evidence of a points entry.
pub async fn is_bookkeeping(c: &mut AnyConnection, site_id: i64, media_id: i64) -> Result<bool> {
    let row = sqlx::query("SELECT (SELECT COUNT(*) FROM distributions WHERE site_id = $1 AND clipping_media_id = $2) + (SELECT COUNT(*) FROM points_entries WHERE site_id = $3 AND evidence_media_id = $4) AS n")
        .bind(site_id).bind(media_id).bind(site_id).bind(media_id).fetch_one(&mut *c).await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}
