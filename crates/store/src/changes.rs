//! The change feed and leases that let several `serve` processes share one database.
//!
//! A process that changes what the public sees appends a row; every process follows the
//! feed and refreshes its own caches for the rows other processes wrote. A lease makes one
//! process at a time run a job (the publishing scheduler): taking it succeeds when nobody
//! holds it, it has expired, or the taker holds it already.

use sqlx::Row;

use crate::{AnyConnection, Result};

/// One change, as followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: i64,
    pub site_id: i64,
    pub node: String,
    /// `article` (with the manuscript) or `site` (channels, theme: every page).
    pub kind: String,
    pub manuscript_id: Option<i64>,
}

/// The advisory lock that orders the feed's writers on PostgreSQL (an arbitrary constant:
/// "yx-feed").
const FEED_LOCK: i64 = 0x7978_2d66_6565_64;

/// Appends a change, in the caller's transaction: the change and its row commit together
/// (an outbox), so no crash between them can leave the other processes unaware of it. Call
/// it last, just before the commit.
///
/// Followers read the feed by id, so ids must become visible in the order they were given:
/// on PostgreSQL a sequence hands out 10 to one transaction and 11 to another that commits
/// first, and a follower that read 11 would never see 10. A transaction-scoped advisory lock,
/// taken before the row and held until the commit, makes the feed's writers take their ids
/// one after another, each visible before the next is given. (SQLite has one writer.)
pub async fn record(c: &mut AnyConnection, site_id: i64, node: &str, kind: &str, manuscript_id: Option<i64>, now: i64) -> Result<i64> {
    if c.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(FEED_LOCK).execute(&mut *c).await?;
    }
    let row = sqlx::query("INSERT INTO site_changes (site_id, node, kind, manuscript_id, at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(site_id).bind(node).bind(kind).bind(manuscript_id).bind(now)
        .fetch_one(&mut *c).await?;
    Ok(row.try_get("id")?)
}

/// The changes after `after`, oldest first, at most `limit`.
pub async fn since(c: &mut AnyConnection, after: i64, limit: i64) -> Result<Vec<Change>> {
    let rows = sqlx::query("SELECT id, site_id, node, kind, manuscript_id FROM site_changes WHERE id > $1 ORDER BY id LIMIT $2").bind(after).bind(limit).fetch_all(&mut *c).await?;
    rows.iter()
        .map(|r| Ok(Change { id: r.try_get("id")?, site_id: r.try_get("site_id")?, node: r.try_get("node")?, kind: r.try_get("kind")?, manuscript_id: r.try_get("manuscript_id")? }))
        .collect()
}

/// The newest change's id (0 when there is none).
pub async fn latest(c: &mut AnyConnection) -> Result<i64> {
    let row = sqlx::query("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS n FROM site_changes").fetch_one(&mut *c).await?;
    Ok(row.try_get("n")?)
}

/// Forgets changes older than `before` (Unix seconds): a process down longer than that
/// rebuilds its search index when it starts.
pub async fn prune(c: &mut AnyConnection, before: i64) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM site_changes WHERE at < $1").bind(before).execute(&mut *c).await?.rows_affected())
}

/// Takes (or keeps) the lease `name` for `holder` until `until`; whether `holder` has it.
pub async fn take_lease(c: &mut AnyConnection, name: &str, holder: &str, now: i64, until: i64) -> Result<bool> {
    sqlx::query(
        "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
         WHERE leases.holder = excluded.holder OR leases.expires_at < $4",
    )
    .bind(name).bind(holder).bind(until).bind(now)
    .execute(&mut *c).await?;
    let row = sqlx::query("SELECT holder FROM leases WHERE name = $1").bind(name).fetch_one(&mut *c).await?;
    Ok(row.try_get::<String, _>("holder")? == holder)
}

/// Hands the lease `name` back if `holder` has it.
pub async fn release_lease(c: &mut AnyConnection, name: &str, holder: &str) -> Result<()> {
    sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2").bind(name).bind(holder).execute(&mut *c).await?;
    Ok(())
}
