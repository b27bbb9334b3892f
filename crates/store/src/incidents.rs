//! Alerts of opinion monitoring (who was told, where, when) and the incidents staff handle.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{found, AnyConnection, Result, StoreError};

// ---------------------------------------------------------------- channels

/// Where alerts are sent.
#[derive(Debug, Clone, Serialize)]
pub struct Channel {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub target: String,
    pub secret: String,
    pub min_level: String,
    pub quiet_from: Option<i64>,
    pub quiet_to: Option<i64>,
    pub enabled: bool,
}

/// A channel's settings as written.
#[derive(Debug, Clone)]
pub struct ChannelFields<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub target: &'a str,
    pub secret: &'a str,
    pub min_level: &'a str,
    pub quiet: Option<(i64, i64)>,
    pub enabled: bool,
}

const CHANNEL: &str = "SELECT id, name, kind, target, secret, min_level, quiet_from, quiet_to, enabled FROM monitor_channels";

fn channel(r: &AnyRow) -> Result<Channel> {
    Ok(Channel {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        target: r.try_get("target")?,
        secret: r.try_get("secret")?,
        min_level: r.try_get("min_level")?,
        quiet_from: r.try_get("quiet_from")?,
        quiet_to: r.try_get("quiet_to")?,
        enabled: r.try_get::<i64, _>("enabled")? != 0,
    })
}

pub async fn list_channels(c: &mut AnyConnection, site_id: i64) -> Result<Vec<Channel>> {
    let sql = format!("{CHANNEL} WHERE site_id = $1 ORDER BY id");
    sqlx::query(&sql).bind(site_id).fetch_all(&mut *c).await?.iter().map(channel).collect()
}

pub async fn get_channel(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Channel> {
    let sql = format!("{CHANNEL} WHERE site_id = $1 AND id = $2");
    channel(&found(sqlx::query(&sql).bind(site_id).bind(id).fetch_optional(&mut *c).await?)?)
}

pub async fn create_channel(c: &mut AnyConnection, site_id: i64, f: &ChannelFields<'_>, now: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO monitor_channels (site_id, name, kind, target, secret, min_level, quiet_from, quiet_to, enabled, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(site_id).bind(f.name).bind(f.kind).bind(f.target).bind(f.secret).bind(f.min_level).bind(f.quiet.map(|q| q.0)).bind(f.quiet.map(|q| q.1)).bind(i64::from(f.enabled)).bind(now)
    .fetch_one(&mut *c).await?;
    Ok(row.try_get("id")?)
}

pub async fn update_channel(c: &mut AnyConnection, site_id: i64, id: i64, f: &ChannelFields<'_>) -> Result<()> {
    let r = sqlx::query(
        "UPDATE monitor_channels SET name = $1, kind = $2, target = $3, secret = $4, min_level = $5, quiet_from = $6, quiet_to = $7, enabled = $8 \
         WHERE site_id = $9 AND id = $10",
    )
    .bind(f.name).bind(f.kind).bind(f.target).bind(f.secret).bind(f.min_level).bind(f.quiet.map(|q| q.0)).bind(f.quiet.map(|q| q.1)).bind(i64::from(f.enabled)).bind(site_id).bind(id)
    .execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

// ---------------------------------------------------------------- alerts

/// An alert with what the list shows of its item.
#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    pub id: i64,
    pub family_id: i64,
    pub item_id: i64,
    pub level: String,
    pub reason: String,
    pub created_at: i64,
    pub acked_by: Option<i64>,
    pub acked_at: Option<i64>,
    pub title: String,
    pub url: String,
    pub source_name: String,
    pub sentiment: i64,
    pub category: String,
    /// Deliveries sent, waiting, failed.
    pub sent: i64,
    pub waiting: i64,
    pub failed: i64,
}

/// The loudest level a family was alerted at (levels compare by the monitor crate's order;
/// the caller picks the loudest of what is returned).
pub async fn family_levels(c: &mut AnyConnection, site_id: i64, family_id: i64) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT level FROM monitor_alerts WHERE site_id = $1 AND family_id = $2").bind(site_id).bind(family_id).fetch_all(&mut *c).await?;
    rows.iter().map(|r| Ok(r.try_get("level")?)).collect()
}

pub async fn insert_alert(c: &mut AnyConnection, site_id: i64, family_id: i64, item_id: i64, level: &str, reason: &str, now: i64) -> Result<i64> {
    let row = sqlx::query("INSERT INTO monitor_alerts (site_id, family_id, item_id, level, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(site_id).bind(family_id).bind(item_id).bind(level).bind(reason).bind(now)
        .fetch_one(&mut *c).await?;
    Ok(row.try_get("id")?)
}

pub async fn insert_delivery(c: &mut AnyConnection, alert_id: i64, channel_id: i64, due_at: i64) -> Result<()> {
    sqlx::query("INSERT INTO monitor_deliveries (alert_id, channel_id, due_at, attempts) VALUES ($1, $2, $3, 0)").bind(alert_id).bind(channel_id).bind(due_at).execute(&mut *c).await?;
    Ok(())
}

const ALERT: &str = "SELECT a.id, a.family_id, a.item_id, a.level, a.reason, a.created_at, a.acked_by, a.acked_at, i.title, i.url, s.name AS source_name, i.sentiment, i.category, \
     CAST((SELECT COUNT(*) FROM monitor_deliveries d WHERE d.alert_id = a.id AND d.sent_at IS NOT NULL) AS BIGINT) AS sent, \
     CAST((SELECT COUNT(*) FROM monitor_deliveries d WHERE d.alert_id = a.id AND d.sent_at IS NULL AND d.last_error IS NULL) AS BIGINT) AS waiting, \
     CAST((SELECT COUNT(*) FROM monitor_deliveries d WHERE d.alert_id = a.id AND d.sent_at IS NULL AND d.last_error IS NOT NULL) AS BIGINT) AS failed \
     FROM monitor_alerts a JOIN monitor_items i ON i.id = a.item_id JOIN monitor_sources s ON s.id = i.source_id";

fn alert(r: &AnyRow) -> Result<Alert> {
    Ok(Alert {
        id: r.try_get("id")?,
        family_id: r.try_get("family_id")?,
        item_id: r.try_get("item_id")?,
        level: r.try_get("level")?,
        reason: r.try_get("reason")?,
        created_at: r.try_get("created_at")?,
        acked_by: r.try_get("acked_by")?,
        acked_at: r.try_get("acked_at")?,
        title: r.try_get("title")?,
        url: r.try_get("url")?,
        source_name: r.try_get("source_name")?,
        sentiment: r.try_get("sentiment")?,
        category: r.try_get("category")?,
        sent: r.try_get("sent")?,
        waiting: r.try_get("waiting")?,
        failed: r.try_get("failed")?,
    })
}

/// Alerts newest first; with `open_only`, those nobody has acknowledged.
pub async fn list_alerts(c: &mut AnyConnection, site_id: i64, open_only: bool, limit: i64) -> Result<Vec<Alert>> {
    let sql = format!("{ALERT} WHERE a.site_id = $1{} ORDER BY a.created_at DESC, a.id DESC LIMIT $2", if open_only { " AND a.acked_at IS NULL" } else { "" });
    sqlx::query(&sql).bind(site_id).bind(limit).fetch_all(&mut *c).await?.iter().map(alert).collect()
}

pub async fn get_alert(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Alert> {
    let sql = format!("{ALERT} WHERE a.site_id = $1 AND a.id = $2");
    alert(&found(sqlx::query(&sql).bind(site_id).bind(id).fetch_optional(&mut *c).await?)?)
}

/// Acknowledges an alert (已知悉); false when it already was.
pub async fn ack_alert(c: &mut AnyConnection, site_id: i64, id: i64, user_id: i64, now: i64) -> Result<bool> {
    let r = sqlx::query("UPDATE monitor_alerts SET acked_by = $1, acked_at = $2 WHERE site_id = $3 AND id = $4 AND acked_at IS NULL").bind(user_id).bind(now).bind(site_id).bind(id).execute(&mut *c).await?;
    Ok(r.rows_affected() == 1)
}

/// A delivery due to be sent, with what the message says.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub id: i64,
    pub attempts: i64,
    pub channel: Channel,
    pub alert: Alert,
    pub body: String,
}

/// Deliveries of the site due by `now`, not sent, with fewer than `max_attempts` tries.
pub async fn due_deliveries(c: &mut AnyConnection, site_id: i64, now: i64, max_attempts: i64, limit: i64) -> Result<Vec<DueDelivery>> {
    let rows = sqlx::query(
        "SELECT d.id, d.attempts, d.channel_id, d.alert_id, i.body FROM monitor_deliveries d JOIN monitor_alerts a ON a.id = d.alert_id \
         JOIN monitor_items i ON i.id = a.item_id WHERE a.site_id = $1 AND d.sent_at IS NULL AND d.due_at <= $2 AND d.attempts < $3 ORDER BY d.due_at, d.id LIMIT $4",
    )
    .bind(site_id).bind(now).bind(max_attempts).bind(limit)
    .fetch_all(&mut *c).await?;
    let mut out = Vec::new();
    for r in rows {
        let (channel_id, alert_id): (i64, i64) = (r.try_get("channel_id")?, r.try_get("alert_id")?);
        out.push(DueDelivery { id: r.try_get("id")?, attempts: r.try_get("attempts")?, channel: get_channel(c, site_id, channel_id).await?, alert: get_alert(c, site_id, alert_id).await?, body: r.try_get("body")? });
    }
    Ok(out)
}

pub async fn delivered(c: &mut AnyConnection, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE monitor_deliveries SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2").bind(now).bind(id).execute(&mut *c).await?;
    Ok(())
}

pub async fn delivery_failed(c: &mut AnyConnection, id: i64, error: &str, next_at: i64) -> Result<()> {
    sqlx::query("UPDATE monitor_deliveries SET attempts = attempts + 1, last_error = $1, due_at = $2 WHERE id = $3").bind(error).bind(next_at).bind(id).execute(&mut *c).await?;
    Ok(())
}

/// How one alert went to each channel, for its page.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryLine {
    pub channel_name: String,
    pub channel_kind: String,
    pub due_at: i64,
    pub sent_at: Option<i64>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

pub async fn deliveries_of(c: &mut AnyConnection, alert_id: i64) -> Result<Vec<DeliveryLine>> {
    let rows = sqlx::query(
        "SELECT ch.name, ch.kind, d.due_at, d.sent_at, d.attempts, d.last_error FROM monitor_deliveries d JOIN monitor_channels ch ON ch.id = d.channel_id \
         WHERE d.alert_id = $1 ORDER BY d.id",
    )
    .bind(alert_id)
    .fetch_all(&mut *c).await?;
    rows.iter()
        .map(|r| {
            Ok(DeliveryLine {
                channel_name: r.try_get("name")?,
                channel_kind: r.try_get("kind")?,
                due_at: r.try_get("due_at")?,
                sent_at: r.try_get("sent_at")?,
                attempts: r.try_get("attempts")?,
                last_error: r.try_get("last_error")?,
            })
        })
        .collect()
}

// ---------------------------------------------------------------- incidents

/// An incident as stored, with its owner's name.
#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    pub id: i64,
    pub title: String,
    pub level: String,
    pub state: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub deadline: Option<i64>,
    pub assessment: String,
    pub summary: String,
    pub statement_id: Option<i64>,
    pub created_by: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
    pub escalated_at: Option<i64>,
    pub items: i64,
}

const INCIDENT: &str = "SELECT n.id, n.title, n.level, n.state, n.owner_id, u.display_name AS owner_name, n.deadline, n.assessment, n.summary, n.statement_id, \
     n.created_by, n.created_at, n.updated_at, n.closed_at, n.escalated_at, \
     CAST((SELECT COUNT(*) FROM incident_items x WHERE x.incident_id = n.id) AS BIGINT) AS items \
     FROM incidents n LEFT JOIN users u ON u.id = n.owner_id";

fn incident(r: &AnyRow) -> Result<Incident> {
    Ok(Incident {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        level: r.try_get("level")?,
        state: r.try_get("state")?,
        owner_id: r.try_get("owner_id")?,
        owner_name: r.try_get("owner_name")?,
        deadline: r.try_get("deadline")?,
        assessment: r.try_get("assessment")?,
        summary: r.try_get("summary")?,
        statement_id: r.try_get("statement_id")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        closed_at: r.try_get("closed_at")?,
        escalated_at: r.try_get("escalated_at")?,
        items: r.try_get("items")?,
    })
}

/// A new incident's first fields.
#[derive(Debug, Clone)]
pub struct NewIncident<'a> {
    pub title: &'a str,
    pub level: &'a str,
    pub owner_id: Option<i64>,
    pub deadline: Option<i64>,
    pub created_by: i64,
}

pub async fn create_incident(c: &mut AnyConnection, site_id: i64, n: &NewIncident<'_>, now: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO incidents (site_id, title, level, state, owner_id, deadline, assessment, summary, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, 'found', $4, $5, '', '', $6, $7, $8) RETURNING id",
    )
    .bind(site_id).bind(n.title).bind(n.level).bind(n.owner_id).bind(n.deadline).bind(n.created_by).bind(now).bind(now)
    .fetch_one(&mut *c).await?;
    Ok(row.try_get("id")?)
}

pub async fn get_incident(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Incident> {
    let sql = format!("{INCIDENT} WHERE n.site_id = $1 AND n.id = $2");
    incident(&found(sqlx::query(&sql).bind(site_id).bind(id).fetch_optional(&mut *c).await?)?)
}

/// Incidents, open ones first (by deadline), then closed ones newest first; with `open_only`
/// only those not closed.
pub async fn list_incidents(c: &mut AnyConnection, site_id: i64, open_only: bool, limit: i64) -> Result<Vec<Incident>> {
    let sql = format!(
        "{INCIDENT} WHERE n.site_id = $1{} ORDER BY CASE WHEN n.state = 'closed' THEN 1 ELSE 0 END, \
         CASE WHEN n.deadline IS NULL THEN 1 ELSE 0 END, n.deadline, n.updated_at DESC LIMIT $2",
        if open_only { " AND n.state <> 'closed'" } else { "" }
    );
    sqlx::query(&sql).bind(site_id).bind(limit).fetch_all(&mut *c).await?.iter().map(incident).collect()
}

/// Open incidents whose deadline has passed and that were not escalated yet.
pub async fn overdue_unescalated(c: &mut AnyConnection, site_id: i64, now: i64) -> Result<Vec<Incident>> {
    let sql = format!("{INCIDENT} WHERE n.site_id = $1 AND n.state <> 'closed' AND n.deadline IS NOT NULL AND n.deadline < $2 AND n.escalated_at IS NULL ORDER BY n.deadline");
    sqlx::query(&sql).bind(site_id).bind(now).fetch_all(&mut *c).await?.iter().map(incident).collect()
}

/// What staff change on an incident (all of it at once, as the form holds it).
#[derive(Debug, Clone)]
pub struct IncidentFields<'a> {
    pub title: &'a str,
    pub level: &'a str,
    pub state: &'a str,
    pub owner_id: Option<i64>,
    pub deadline: Option<i64>,
    pub assessment: &'a str,
    pub summary: &'a str,
    pub closed_at: Option<i64>,
}

/// Saves the fields; a moved deadline clears the escalation so the new one can escalate.
pub async fn update_incident(c: &mut AnyConnection, site_id: i64, id: i64, f: &IncidentFields<'_>, now: i64) -> Result<()> {
    let r = sqlx::query(
        "UPDATE incidents SET title = $1, level = $2, state = $3, owner_id = $4, \
         escalated_at = CASE WHEN deadline IS NOT DISTINCT FROM $5 THEN escalated_at ELSE NULL END, deadline = $6, \
         assessment = $7, summary = $8, closed_at = $9, updated_at = $10 WHERE site_id = $11 AND id = $12",
    )
    .bind(f.title).bind(f.level).bind(f.state).bind(f.owner_id).bind(f.deadline).bind(f.deadline).bind(f.assessment).bind(f.summary).bind(f.closed_at).bind(now).bind(site_id).bind(id)
    .execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn set_statement(c: &mut AnyConnection, site_id: i64, id: i64, manuscript_id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE incidents SET statement_id = $1, updated_at = $2 WHERE site_id = $3 AND id = $4").bind(manuscript_id).bind(now).bind(site_id).bind(id).execute(&mut *c).await?;
    Ok(())
}

pub async fn mark_escalated(c: &mut AnyConnection, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE incidents SET escalated_at = $1 WHERE id = $2").bind(now).bind(id).execute(&mut *c).await?;
    Ok(())
}

/// Adds an item to an incident; false when it was already there.
pub async fn add_item(c: &mut AnyConnection, incident_id: i64, item_id: i64, now: i64) -> Result<bool> {
    let r = sqlx::query("INSERT INTO incident_items (incident_id, item_id, added_at) VALUES ($1, $2, $3) ON CONFLICT (incident_id, item_id) DO NOTHING")
        .bind(incident_id).bind(item_id).bind(now)
        .execute(&mut *c).await?;
    Ok(r.rows_affected() == 1)
}

/// The ids of an incident's items, in the order they were added.
pub async fn item_ids(c: &mut AnyConnection, incident_id: i64) -> Result<Vec<i64>> {
    let rows = sqlx::query("SELECT item_id FROM incident_items WHERE incident_id = $1 ORDER BY added_at, item_id").bind(incident_id).fetch_all(&mut *c).await?;
    rows.iter().map(|r| Ok(r.try_get("item_id")?)).collect()
}

/// The incidents an item belongs to.
pub async fn incidents_of_item(c: &mut AnyConnection, site_id: i64, item_id: i64) -> Result<Vec<(i64, String, String)>> {
    let rows = sqlx::query("SELECT n.id, n.title, n.state FROM incidents n JOIN incident_items x ON x.incident_id = n.id WHERE n.site_id = $1 AND x.item_id = $2 ORDER BY n.id")
        .bind(site_id).bind(item_id)
        .fetch_all(&mut *c).await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("title")?, r.try_get("state")?))).collect()
}

/// One line of an incident's record.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub at: i64,
    pub user_name: Option<String>,
    pub kind: String,
    pub body: String,
}

pub async fn add_event(c: &mut AnyConnection, incident_id: i64, user_id: Option<i64>, kind: &str, body: &str, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO incident_events (incident_id, at, user_id, kind, body) VALUES ($1, $2, $3, $4, $5)").bind(incident_id).bind(now).bind(user_id).bind(kind).bind(body).execute(&mut *c).await?;
    Ok(())
}

pub async fn events(c: &mut AnyConnection, incident_id: i64) -> Result<Vec<Event>> {
    let rows = sqlx::query("SELECT e.at, u.display_name, e.kind, e.body FROM incident_events e LEFT JOIN users u ON u.id = e.user_id WHERE e.incident_id = $1 ORDER BY e.at, e.id")
        .bind(incident_id)
        .fetch_all(&mut *c).await?;
    rows.iter().map(|r| Ok(Event { at: r.try_get("at")?, user_name: r.try_get("display_name")?, kind: r.try_get("kind")?, body: r.try_get("body")? })).collect()
}
