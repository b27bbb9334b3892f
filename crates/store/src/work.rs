//! Publicity work that is not a story (其他宣传工作), as dated quantities by kind.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{found, AnyConnection, Result};

/// One entry as stored.
#[derive(Debug, Clone, Serialize)]
pub struct WorkEntry {
    pub id: i64,
    pub site_id: i64,
    pub kind: String,
    pub title: String,
    pub quantity: i64,
    pub done_on: String,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub person_name: String,
    pub note: String,
    pub created_at: i64,
}

/// An entry's fields as written.
#[derive(Debug, Clone)]
pub struct WorkFields<'a> {
    pub kind: &'a str,
    pub title: &'a str,
    pub quantity: i64,
    pub done_on: &'a str,
    pub department_id: Option<i64>,
    pub person_name: &'a str,
    pub note: &'a str,
}

const SELECT: &str = "SELECT w.id, w.site_id, w.kind, w.title, w.quantity, w.done_on, w.department_id, d.name AS department_name, w.person_name, w.note, w.created_at FROM work_entries w LEFT JOIN departments d ON d.id = w.department_id WHERE w.site_id = $1";

fn entry(r: &AnyRow) -> Result<WorkEntry> {
    Ok(WorkEntry {
        id: r.try_get("id")?,
        site_id: r.try_get("site_id")?,
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        quantity: r.try_get("quantity")?,
        done_on: r.try_get("done_on")?,
        department_id: r.try_get("department_id")?,
        department_name: r.try_get("department_name")?,
        person_name: r.try_get("person_name")?,
        note: r.try_get("note")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Records an entry.
pub async fn create(c: &mut AnyConnection, site_id: i64, f: &WorkFields<'_>, created_by: Option<i64>, now: i64) -> Result<i64> {
    let row = sqlx::query("INSERT INTO work_entries (site_id, kind, title, quantity, done_on, department_id, person_name, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
        .bind(site_id).bind(f.kind).bind(f.title).bind(f.quantity).bind(f.done_on).bind(f.department_id).bind(f.person_name).bind(f.note).bind(created_by).bind(now)
        .fetch_one(&mut *c).await?;
    Ok(row.try_get("id")?)
}

/// One entry.
pub async fn get(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<WorkEntry> {
    let sql = format!("{SELECT} AND w.id = $2");
    let row = sqlx::query(&sql).bind(site_id).bind(id).fetch_optional(&mut *c).await?;
    entry(&found(row)?)
}

/// Removes an entry recorded by mistake.
pub async fn delete(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<()> {
    let r = sqlx::query("DELETE FROM work_entries WHERE site_id = $1 AND id = $2").bind(site_id).bind(id).execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(crate::StoreError::NotFound);
    }
    Ok(())
}

/// The entries done from `from` up to (not including) `to` (`YYYY-MM-DD`), newest first.
pub async fn between(c: &mut AnyConnection, site_id: i64, from: &str, to: &str) -> Result<Vec<WorkEntry>> {
    let sql = format!("{SELECT} AND w.done_on >= $2 AND w.done_on < $3 ORDER BY w.done_on DESC, w.id DESC");
    let rows = sqlx::query(&sql).bind(site_id).bind(from).bind(to).fetch_all(&mut *c).await?;
    rows.iter().map(entry).collect()
}

/// Per kind, the number of entries and the sum of their quantities, from `from` up to `to`.
pub async fn totals(c: &mut AnyConnection, site_id: i64, from: &str, to: &str) -> Result<Vec<(String, i64, i64)>> {
    let rows = sqlx::query("SELECT kind, COUNT(*) AS n, CAST(SUM(quantity) AS BIGINT) AS total FROM work_entries WHERE site_id = $1 AND done_on >= $2 AND done_on < $3 GROUP BY kind")
        .bind(site_id).bind(from).bind(to).fetch_all(&mut *c).await?;
    rows.iter().map(|r| Ok((r.try_get("kind")?, r.try_get("n")?, r.try_get("total")?))).collect()
}
