//! Corrections (更正) of published articles: proposed with a reason and a check, live only
//! once approved; the approved ones are the article's correction notices.

use serde::Serialize;
use sqlx::{AnyConnection, Row};
use yuanxun_core::clock;

use crate::{found, Result, StoreError};

/// A proposed, approved or declined correction.
#[derive(Debug, Clone, Serialize)]
pub struct Correction {
    pub id: i64,
    pub manuscript_id: i64,
    pub article_id: i64,
    pub title: String,
    pub subtitle: String,
    pub body_html: String,
    pub reason: String,
    /// What changed, in words (标题、正文).
    pub changed: String,
    /// `pending`, `approved` or `declined`.
    pub status: String,
    pub block_count: i64,
    pub warn_count: i64,
    /// The check of the proposed text (JSON as the service wrote it).
    pub report: String,
    pub proposed_by: i64,
    pub proposer_name: String,
    pub proposed_at: i64,
    pub decided_by: Option<i64>,
    pub decider_name: Option<String>,
    pub decided_at: Option<i64>,
    pub comment: String,
}

/// A correction to propose.
#[derive(Debug, Clone)]
pub struct NewCorrection<'a> {
    pub manuscript_id: i64,
    pub article_id: i64,
    pub title: &'a str,
    pub subtitle: &'a str,
    pub body_html: &'a str,
    pub reason: &'a str,
    pub changed: &'a str,
    pub block_count: i64,
    pub warn_count: i64,
    pub report: &'a str,
    pub proposed_by: i64,
}

const SELECT: &str = "SELECT c.id, c.manuscript_id, c.article_id, c.title, c.subtitle, c.body_html, c.reason, c.changed, c.status, c.block_count, c.warn_count, c.report, c.proposed_by, p.display_name AS proposer_name, c.proposed_at, c.decided_by, d.display_name AS decider_name, c.decided_at, c.comment FROM corrections c JOIN users p ON p.id = c.proposed_by LEFT JOIN users d ON d.id = c.decided_by WHERE c.site_id = $1";

fn row(r: &sqlx::any::AnyRow) -> Result<Correction> {
    Ok(Correction {
        id: r.try_get("id")?,
        manuscript_id: r.try_get("manuscript_id")?,
        article_id: r.try_get("article_id")?,
        title: r.try_get("title")?,
        subtitle: r.try_get("subtitle")?,
        body_html: r.try_get("body_html")?,
        reason: r.try_get("reason")?,
        changed: r.try_get("changed")?,
        status: r.try_get("status")?,
        block_count: r.try_get("block_count")?,
        warn_count: r.try_get("warn_count")?,
        report: r.try_get("report")?,
        proposed_by: r.try_get("proposed_by")?,
        proposer_name: r.try_get("proposer_name")?,
        proposed_at: r.try_get("proposed_at")?,
        decided_by: r.try_get("decided_by")?,
        decider_name: r.try_get("decider_name")?,
        decided_at: r.try_get("decided_at")?,
        comment: r.try_get("comment")?,
    })
}

/// Stores a pending correction; refused while another one of the article waits.
pub async fn propose(c: &mut AnyConnection, site_id: i64, n: &NewCorrection<'_>) -> Result<i64> {
    if !pending_of(c, site_id, n.article_id).await?.is_empty() {
        return Err(StoreError::Conflict("这篇文章已有一份更正在等待批准，请先批准或退回它".into()));
    }
    let r = sqlx::query("INSERT INTO corrections (site_id, manuscript_id, article_id, title, subtitle, body_html, reason, changed, status, block_count, warn_count, report, proposed_by, proposed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10, $11, $12, $13) RETURNING id")
        .bind(site_id).bind(n.manuscript_id).bind(n.article_id).bind(n.title).bind(n.subtitle).bind(n.body_html)
        .bind(n.reason).bind(n.changed).bind(n.block_count).bind(n.warn_count).bind(n.report).bind(n.proposed_by).bind(clock::now())
        .fetch_one(&mut *c).await?;
    Ok(r.try_get("id")?)
}

/// One correction of the site.
pub async fn get(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Correction> {
    let sql = format!("{SELECT} AND c.id = $2");
    let r = sqlx::query(&sql).bind(site_id).bind(id).fetch_optional(&mut *c).await?;
    row(&found(r)?)
}

/// Decides a pending correction (`approved` or `declined`); refused if it was decided already.
pub async fn decide(c: &mut AnyConnection, site_id: i64, id: i64, status: &str, by: i64, comment: &str) -> Result<()> {
    let r = sqlx::query("UPDATE corrections SET status = $1, decided_by = $2, decided_at = $3, comment = $4 WHERE site_id = $5 AND id = $6 AND status = 'pending'")
        .bind(status).bind(by).bind(clock::now()).bind(comment).bind(site_id).bind(id)
        .execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Conflict("这份更正已被处理，请刷新页面".into()));
    }
    Ok(())
}

/// Every correction of a manuscript's article, oldest first.
pub async fn of_manuscript(c: &mut AnyConnection, site_id: i64, manuscript_id: i64) -> Result<Vec<Correction>> {
    let sql = format!("{SELECT} AND c.manuscript_id = $2 ORDER BY c.id");
    let rows = sqlx::query(&sql).bind(site_id).bind(manuscript_id).fetch_all(&mut *c).await?;
    rows.iter().map(row).collect()
}

async fn pending_of(c: &mut AnyConnection, site_id: i64, article_id: i64) -> Result<Vec<i64>> {
    let rows = sqlx::query("SELECT id FROM corrections WHERE site_id = $1 AND article_id = $2 AND status = 'pending'").bind(site_id).bind(article_id).fetch_all(&mut *c).await?;
    rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
}

/// A correction notice as readers see it under the article: when, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Notice {
    pub article_id: i64,
    pub at: i64,
    pub reason: String,
}

/// The approved corrections of these articles (the notices readers see), oldest first.
pub async fn notices(c: &mut AnyConnection, site_id: i64, article_ids: &[i64]) -> Result<Vec<Notice>> {
    if article_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = article_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    let sql = format!("SELECT article_id, decided_at, reason FROM corrections WHERE site_id = $1 AND status = 'approved' AND article_id IN ({ids}) ORDER BY article_id, decided_at, id");
    let rows = sqlx::query(&sql).bind(site_id).fetch_all(&mut *c).await?;
    rows.iter().map(|r| Ok(Notice { article_id: r.try_get("article_id")?, at: r.try_get::<Option<i64>, _>("decided_at")?.unwrap_or(0), reason: r.try_get("reason")? })).collect()
}
