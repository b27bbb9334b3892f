//! Points rules (积分规则) as stored: codes of `yuanxun_core::outlet` and `core::points`,
//! points in hundredths, start dates as `YYYY-MM-DD`. Rows are only ever added.

use serde::Serialize;
use sqlx::Row;

use crate::{AnyConnection, Result};

/// A rule as stored.
#[derive(Debug, Clone, Serialize)]
pub struct RuleRow {
    pub id: i64,
    pub outlet_kind: String,
    pub level: String,
    pub contribution: String,
    pub points: i64,
    pub valid_from: String,
    pub created_at: i64,
}

/// A rule to add.
#[derive(Debug, Clone)]
pub struct NewRule<'a> {
    pub outlet_kind: &'a str,
    pub level: &'a str,
    pub contribution: &'a str,
    pub points: i64,
    pub valid_from: &'a str,
    pub created_by: Option<i64>,
}

/// Adds a rule; the same kind, level, contribution and start date twice is a conflict.
pub async fn add_rule(c: &mut AnyConnection, site_id: i64, r: &NewRule<'_>, now: i64) -> Result<i64> {
    let row = sqlx::query("INSERT INTO points_rules (site_id, outlet_kind, level, contribution, points, valid_from, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
        .bind(site_id).bind(r.outlet_kind).bind(r.level).bind(r.contribution).bind(r.points).bind(r.valid_from).bind(r.created_by).bind(now)
        .fetch_one(&mut *c).await?;
    Ok(row.try_get("id")?)
}

/// Every rule of the site, by kind, level, contribution and start.
pub async fn rules(c: &mut AnyConnection, site_id: i64) -> Result<Vec<RuleRow>> {
    let rows = sqlx::query("SELECT id, outlet_kind, level, contribution, points, valid_from, created_at FROM points_rules WHERE site_id = $1 ORDER BY outlet_kind, level, contribution, valid_from")
        .bind(site_id).fetch_all(&mut *c).await?;
    rows.iter()
        .map(|r| Ok(RuleRow { id: r.try_get("id")?, outlet_kind: r.try_get("outlet_kind")?, level: r.try_get("level")?, contribution: r.try_get("contribution")?, points: r.try_get("points")?, valid_from: r.try_get("valid_from")?, created_at: r.try_get("created_at")? }))
        .collect()
}

/// A points entry (积分明细) as stored, with its department's name.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: i64,
    pub earned_on: String,
    pub person_name: String,
    pub user_id: Option<i64>,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub points: i64,
    /// `author` or `photographer` for a story; a `ManualKind` code otherwise.
    pub contribution: String,
    pub title: String,
    pub distribution_id: Option<i64>,
    pub article_id: Option<i64>,
    pub rule_id: Option<i64>,
    pub evidence: String,
    pub evidence_media_id: Option<i64>,
    pub created_at: i64,
}

/// An entry to add.
#[derive(Debug, Clone)]
pub struct NewEntry<'a> {
    pub earned_on: &'a str,
    pub person_name: &'a str,
    pub user_id: Option<i64>,
    pub department_id: Option<i64>,
    pub points: i64,
    pub contribution: &'a str,
    pub title: &'a str,
    pub distribution_id: Option<i64>,
    pub article_id: Option<i64>,
    pub rule_id: Option<i64>,
    pub evidence: &'a str,
    pub evidence_media_id: Option<i64>,
    pub created_by: Option<i64>,
}

const ENTRY_SELECT: &str = "SELECT e.id, e.earned_on, e.person_name, e.user_id, e.department_id, d.name AS department_name, e.points, e.contribution, e.title, e.distribution_id, e.article_id, e.rule_id, e.evidence, e.evidence_media_id, e.created_at FROM points_entries e LEFT JOIN departments d ON d.id = e.department_id WHERE e.site_id = $1";

fn entry(r: &sqlx::any::AnyRow) -> Result<Entry> {
    Ok(Entry {
        id: r.try_get("id")?,
        earned_on: r.try_get("earned_on")?,
        person_name: r.try_get("person_name")?,
        user_id: r.try_get("user_id")?,
        department_id: r.try_get("department_id")?,
        department_name: r.try_get("department_name")?,
        points: r.try_get("points")?,
        contribution: r.try_get("contribution")?,
        title: r.try_get("title")?,
        distribution_id: r.try_get("distribution_id")?,
        article_id: r.try_get("article_id")?,
        rule_id: r.try_get("rule_id")?,
        evidence: r.try_get("evidence")?,
        evidence_media_id: r.try_get("evidence_media_id")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Adds an entry.
pub async fn add_entry(c: &mut AnyConnection, site_id: i64, e: &NewEntry<'_>, now: i64) -> Result<i64> {
    let row = sqlx::query("INSERT INTO points_entries (site_id, earned_on, person_name, user_id, department_id, points, contribution, title, distribution_id, article_id, rule_id, evidence, evidence_media_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id")
        .bind(site_id).bind(e.earned_on).bind(e.person_name).bind(e.user_id).bind(e.department_id).bind(e.points).bind(e.contribution).bind(e.title)
        .bind(e.distribution_id).bind(e.article_id).bind(e.rule_id).bind(e.evidence).bind(e.evidence_media_id).bind(e.created_by).bind(now)
        .fetch_one(&mut *c).await?;
    Ok(row.try_get("id")?)
}

/// One entry.
pub async fn get_entry(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Entry> {
    let sql = format!("{ENTRY_SELECT} AND e.id = $2");
    let row = sqlx::query(&sql).bind(site_id).bind(id).fetch_optional(&mut *c).await?;
    entry(&crate::found(row)?)
}

/// The entries a distribution earned.
pub async fn of_distribution(c: &mut AnyConnection, site_id: i64, distribution_id: i64) -> Result<Vec<Entry>> {
    let sql = format!("{ENTRY_SELECT} AND e.distribution_id = $2 ORDER BY e.id");
    let rows = sqlx::query(&sql).bind(site_id).bind(distribution_id).fetch_all(&mut *c).await?;
    rows.iter().map(entry).collect()
}

/// The entries of an article's distributions.
pub async fn of_article(c: &mut AnyConnection, site_id: i64, article_id: i64) -> Result<Vec<Entry>> {
    let sql = format!("{ENTRY_SELECT} AND e.article_id = $2 ORDER BY e.id");
    let rows = sqlx::query(&sql).bind(site_id).bind(article_id).fetch_all(&mut *c).await?;
    rows.iter().map(entry).collect()
}

/// Removes what a distribution earned (before it is priced again).
pub async fn delete_of_distribution(c: &mut AnyConnection, site_id: i64, distribution_id: i64) -> Result<u64> {
    let r = sqlx::query("DELETE FROM points_entries WHERE site_id = $1 AND distribution_id = $2").bind(site_id).bind(distribution_id).execute(&mut *c).await?;
    Ok(r.rows_affected())
}

/// Removes what an article's distributions earned (it was retracted).
pub async fn delete_of_article(c: &mut AnyConnection, site_id: i64, article_id: i64) -> Result<u64> {
    let r = sqlx::query("DELETE FROM points_entries WHERE site_id = $1 AND article_id = $2").bind(site_id).bind(article_id).execute(&mut *c).await?;
    Ok(r.rows_affected())
}

/// Removes a manual entry; entries earned by a story are not removed one by one.
pub async fn delete_manual(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<()> {
    let r = sqlx::query("DELETE FROM points_entries WHERE site_id = $1 AND id = $2 AND distribution_id IS NULL").bind(site_id).bind(id).execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(crate::StoreError::NotFound);
    }
    Ok(())
}

/// The entries earned from `from` up to (not including) `to` (`YYYY-MM-DD`), newest first.
pub async fn entries_between(c: &mut AnyConnection, site_id: i64, from: &str, to: &str) -> Result<Vec<Entry>> {
    let sql = format!("{ENTRY_SELECT} AND e.earned_on >= $2 AND e.earned_on < $3 ORDER BY e.earned_on DESC, e.id DESC");
    let rows = sqlx::query(&sql).bind(site_id).bind(from).bind(to).fetch_all(&mut *c).await?;
    rows.iter().map(entry).collect()
}

/// One line of a ranking: a person (a user, or a name in a credits line that matches no
/// user) or a department, with their points, the stories they earned them with and the
/// manual entries.
#[derive(Debug, Clone, Serialize)]
pub struct Total {
    pub user_id: Option<i64>,
    pub person_name: String,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub points: i64,
    pub stories: i64,
    pub manual: i64,
    pub people: i64,
}

fn total(r: &sqlx::any::AnyRow, by_person: bool) -> Result<Total> {
    Ok(Total {
        user_id: if by_person { r.try_get("user_id")? } else { None },
        person_name: if by_person { r.try_get("person_name")? } else { String::new() },
        department_id: r.try_get("department_id")?,
        department_name: r.try_get("department_name")?,
        points: r.try_get("points")?,
        stories: r.try_get("stories")?,
        manual: r.try_get("manual")?,
        people: r.try_get("people")?,
    })
}

/// Points per person from `from` up to `to`, most first (ties by name).
pub async fn totals_by_person(c: &mut AnyConnection, site_id: i64, from: &str, to: &str) -> Result<Vec<Total>> {
    let rows = sqlx::query(
        "SELECT e.user_id, e.person_name, e.department_id, d.name AS department_name, CAST(SUM(e.points) AS BIGINT) AS points, \
         COUNT(DISTINCT e.article_id) AS stories, CAST(SUM(CASE WHEN e.distribution_id IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS manual, CAST(1 AS BIGINT) AS people \
         FROM points_entries e LEFT JOIN departments d ON d.id = e.department_id \
         WHERE e.site_id = $1 AND e.earned_on >= $2 AND e.earned_on < $3 \
         GROUP BY e.user_id, e.person_name, e.department_id, d.name ORDER BY points DESC, e.person_name",
    )
    .bind(site_id).bind(from).bind(to).fetch_all(&mut *c).await?;
    rows.iter().map(|r| total(r, true)).collect()
}

/// Points per department from `from` up to `to`, most first; entries with no department
/// come last as one line.
pub async fn totals_by_department(c: &mut AnyConnection, site_id: i64, from: &str, to: &str) -> Result<Vec<Total>> {
    let rows = sqlx::query(
        "SELECT e.department_id, d.name AS department_name, CAST(SUM(e.points) AS BIGINT) AS points, \
         COUNT(DISTINCT e.article_id) AS stories, CAST(SUM(CASE WHEN e.distribution_id IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS manual, \
         COUNT(DISTINCT e.person_name) AS people \
         FROM points_entries e LEFT JOIN departments d ON d.id = e.department_id \
         WHERE e.site_id = $1 AND e.earned_on >= $2 AND e.earned_on < $3 \
         GROUP BY e.department_id, d.name ORDER BY CASE WHEN e.department_id IS NULL THEN 1 ELSE 0 END, points DESC, d.name",
    )
    .bind(site_id).bind(from).bind(to).fetch_all(&mut *c).await?;
    rows.iter().map(|r| total(r, false)).collect()
}
