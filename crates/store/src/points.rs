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
