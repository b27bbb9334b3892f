//! What each user is told in the newsroom (消息): stories waiting for them, alerts,
//! incidents, rectifications and congress motions; read and unread.

use serde::Serialize;
use sqlx::Row;

use crate::{AnyConnection, Result};

/// A notification as its user sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

pub async fn notify(c: &mut AnyConnection, site_id: i64, user_id: i64, kind: &str, title: &str, body: &str, link: &str, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO notifications (site_id, user_id, kind, title, body, link, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(site_id).bind(user_id).bind(kind).bind(title).bind(body).bind(link).bind(now)
        .execute(&mut *c).await?;
    Ok(())
}

/// A user's notifications, unread first, then newest first.
pub async fn notifications(c: &mut AnyConnection, site_id: i64, user_id: i64, limit: i64) -> Result<Vec<Notification>> {
    let rows = sqlx::query(
        "SELECT id, kind, title, body, link, created_at, read_at FROM notifications WHERE site_id = $1 AND user_id = $2 \
         ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id DESC LIMIT $3",
    )
    .bind(site_id).bind(user_id).bind(limit)
    .fetch_all(&mut *c).await?;
    rows.iter()
        .map(|r| {
            Ok(Notification {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                title: r.try_get("title")?,
                body: r.try_get("body")?,
                link: r.try_get("link")?,
                created_at: r.try_get("created_at")?,
                read_at: r.try_get("read_at")?,
            })
        })
        .collect()
}

/// Marks one notification (or, with `id` none, all of them) read.
pub async fn mark_read(c: &mut AnyConnection, site_id: i64, user_id: i64, id: Option<i64>, now: i64) -> Result<u64> {
    let r = match id {
        Some(id) => sqlx::query("UPDATE notifications SET read_at = $1 WHERE site_id = $2 AND user_id = $3 AND id = $4 AND read_at IS NULL").bind(now).bind(site_id).bind(user_id).bind(id).execute(&mut *c).await?,
        None => sqlx::query("UPDATE notifications SET read_at = $1 WHERE site_id = $2 AND user_id = $3 AND read_at IS NULL").bind(now).bind(site_id).bind(user_id).execute(&mut *c).await?,
    };
    Ok(r.rows_affected())
}
