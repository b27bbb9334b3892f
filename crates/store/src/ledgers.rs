//! The publicity department's ledgers (台账): areas of responsibility and who answers for
//! them over time, analysis meetings (研判会), and the rectification ledger (整改台账).

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{found, AnyConnection, Result, StoreError};

// ---------------------------------------------------------------- responsibilities

#[derive(Debug, Clone, Serialize)]
pub struct Area {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub sort: i64,
}

pub async fn list_areas(c: &mut AnyConnection, site_id: i64) -> Result<Vec<Area>> {
    let rows = sqlx::query("SELECT id, name, description, sort FROM responsibility_areas WHERE site_id = $1 ORDER BY sort, id").bind(site_id).fetch_all(&mut *c).await?;
    rows.iter().map(|r| Ok(Area { id: r.try_get("id")?, name: r.try_get("name")?, description: r.try_get("description")?, sort: r.try_get("sort")? })).collect()
}

pub async fn get_area(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Area> {
    let r = found(sqlx::query("SELECT id, name, description, sort FROM responsibility_areas WHERE site_id = $1 AND id = $2").bind(site_id).bind(id).fetch_optional(&mut *c).await?)?;
    Ok(Area { id: r.try_get("id")?, name: r.try_get("name")?, description: r.try_get("description")?, sort: r.try_get("sort")? })
}

/// Adds an area; `Conflict` when the site has one of that name.
pub async fn create_area(c: &mut AnyConnection, site_id: i64, name: &str, description: &str, now: i64) -> Result<i64> {
    if sqlx::query("SELECT id FROM responsibility_areas WHERE site_id = $1 AND name = $2").bind(site_id).bind(name).fetch_optional(&mut *c).await?.is_some() {
        return Err(StoreError::Conflict(format!("已有名为“{name}”的责任领域")));
    }
    let row = sqlx::query(
        "INSERT INTO responsibility_areas (site_id, name, description, sort, created_at) \
         VALUES ($1, $2, $3, (SELECT COALESCE(MAX(sort), 0) + 1 FROM responsibility_areas WHERE site_id = $4), $5) RETURNING id",
    )
    .bind(site_id).bind(name).bind(description).bind(site_id).bind(now)
    .fetch_one(&mut *c).await?;
    Ok(row.try_get("id")?)
}

/// Who answers for an area in one role, over a stretch of time.
#[derive(Debug, Clone, Serialize)]
pub struct Responsibility {
    pub id: i64,
    pub area_id: i64,
    pub role: String,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub person: String,
    pub duty: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
}

const RESPONSIBILITY: &str = "SELECT r.id, r.area_id, r.role, r.department_id, d.name AS department_name, r.person, r.duty, r.started_at, r.ended_at \
     FROM responsibilities r LEFT JOIN departments d ON d.id = r.department_id";

fn responsibility(r: &AnyRow) -> Result<Responsibility> {
    Ok(Responsibility {
        id: r.try_get("id")?,
        area_id: r.try_get("area_id")?,
        role: r.try_get("role")?,
        department_id: r.try_get("department_id")?,
        department_name: r.try_get("department_name")?,
        person: r.try_get("person")?,
        duty: r.try_get("duty")?,
        started_at: r.try_get("started_at")?,
        ended_at: r.try_get("ended_at")?,
    })
}

/// Every assignment of the site (current and past), by area, role, then newest first.
pub async fn list_responsibilities(c: &mut AnyConnection, site_id: i64) -> Result<Vec<Responsibility>> {
    let sql = format!("{RESPONSIBILITY} WHERE r.site_id = $1 ORDER BY r.area_id, r.role, r.department_id, r.started_at DESC, r.id DESC");
    sqlx::query(&sql).bind(site_id).fetch_all(&mut *c).await?.iter().map(responsibility).collect()
}

/// Sets who answers for `area` in `role` (for `department` when the role is a department's
/// duty) from `now`: the current holder's row is closed, a new one opened. History stays.
pub async fn assign(c: &mut AnyConnection, site_id: i64, area_id: i64, role: &str, department_id: Option<i64>, person: &str, duty: &str, by: i64, now: i64) -> Result<i64> {
    sqlx::query(
        "UPDATE responsibilities SET ended_at = $1 WHERE site_id = $2 AND area_id = $3 AND role = $4 \
         AND department_id IS NOT DISTINCT FROM $5 AND ended_at IS NULL",
    )
    .bind(now).bind(site_id).bind(area_id).bind(role).bind(department_id)
    .execute(&mut *c).await?;
    let row = sqlx::query(
        "INSERT INTO responsibilities (site_id, area_id, role, department_id, person, duty, started_at, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(site_id).bind(area_id).bind(role).bind(department_id).bind(person).bind(duty).bind(now).bind(by).bind(now)
    .fetch_one(&mut *c).await?;
    Ok(row.try_get("id")?)
}

// ---------------------------------------------------------------- meetings

#[derive(Debug, Clone, Serialize)]
pub struct Meeting {
    pub id: i64,
    pub title: String,
    pub scheduled_at: i64,
    pub place: String,
    pub chair: String,
    pub attendees: String,
    pub minutes: String,
    pub conclusions: String,
    pub status: String,
    pub held_at: Option<i64>,
    pub rectifications: i64,
}

const MEETING: &str = "SELECT m.id, m.title, m.scheduled_at, m.place, m.chair, m.attendees, m.minutes, m.conclusions, m.status, m.held_at, \
     CAST((SELECT COUNT(*) FROM rectifications x WHERE x.meeting_id = m.id) AS BIGINT) AS rectifications FROM meetings m";

fn meeting(r: &AnyRow) -> Result<Meeting> {
    Ok(Meeting {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        scheduled_at: r.try_get("scheduled_at")?,
        place: r.try_get("place")?,
        chair: r.try_get("chair")?,
        attendees: r.try_get("attendees")?,
        minutes: r.try_get("minutes")?,
        conclusions: r.try_get("conclusions")?,
        status: r.try_get("status")?,
        held_at: r.try_get("held_at")?,
        rectifications: r.try_get("rectifications")?,
    })
}

/// A meeting's fields as staff write them.
#[derive(Debug, Clone)]
pub struct MeetingFields<'a> {
    pub title: &'a str,
    pub scheduled_at: i64,
    pub place: &'a str,
    pub chair: &'a str,
    pub attendees: &'a str,
    pub minutes: &'a str,
    pub conclusions: &'a str,
    pub status: &'a str,
    pub held_at: Option<i64>,
}

pub async fn create_meeting(c: &mut AnyConnection, site_id: i64, f: &MeetingFields<'_>, by: i64, now: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO meetings (site_id, title, scheduled_at, place, chair, attendees, minutes, conclusions, status, held_at, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(site_id).bind(f.title).bind(f.scheduled_at).bind(f.place).bind(f.chair).bind(f.attendees).bind(f.minutes).bind(f.conclusions).bind(f.status).bind(f.held_at).bind(by).bind(now)
    .fetch_one(&mut *c).await?;
    Ok(row.try_get("id")?)
}

pub async fn update_meeting(c: &mut AnyConnection, site_id: i64, id: i64, f: &MeetingFields<'_>) -> Result<()> {
    let r = sqlx::query(
        "UPDATE meetings SET title = $1, scheduled_at = $2, place = $3, chair = $4, attendees = $5, minutes = $6, conclusions = $7, status = $8, held_at = $9 \
         WHERE site_id = $10 AND id = $11",
    )
    .bind(f.title).bind(f.scheduled_at).bind(f.place).bind(f.chair).bind(f.attendees).bind(f.minutes).bind(f.conclusions).bind(f.status).bind(f.held_at).bind(site_id).bind(id)
    .execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn get_meeting(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Meeting> {
    let sql = format!("{MEETING} WHERE m.site_id = $1 AND m.id = $2");
    meeting(&found(sqlx::query(&sql).bind(site_id).bind(id).fetch_optional(&mut *c).await?)?)
}

/// Meetings, the coming ones first (soonest first), then the past ones (newest first).
pub async fn list_meetings(c: &mut AnyConnection, site_id: i64, limit: i64) -> Result<Vec<Meeting>> {
    let sql = format!("{MEETING} WHERE m.site_id = $1 ORDER BY CASE WHEN m.status = 'scheduled' THEN 0 ELSE 1 END, \
         CASE WHEN m.status = 'scheduled' THEN m.scheduled_at ELSE -m.scheduled_at END LIMIT $2");
    sqlx::query(&sql).bind(site_id).bind(limit).fetch_all(&mut *c).await?.iter().map(meeting).collect()
}

// ---------------------------------------------------------------- rectifications

#[derive(Debug, Clone, Serialize)]
pub struct Rectification {
    pub id: i64,
    pub problem: String,
    pub source: String,
    pub meeting_id: Option<i64>,
    pub incident_id: Option<i64>,
    pub measure: String,
    pub department_id: i64,
    pub department_name: String,
    pub owner: String,
    pub deadline: i64,
    pub evidence: String,
    pub status: String,
    pub done_at: Option<i64>,
    pub reminded_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const RECTIFICATION: &str = "SELECT x.id, x.problem, x.source, x.meeting_id, x.incident_id, x.measure, x.department_id, d.name AS department_name, x.owner, \
     x.deadline, x.evidence, x.status, x.done_at, x.reminded_at, x.created_at, x.updated_at FROM rectifications x JOIN departments d ON d.id = x.department_id";

fn rectification(r: &AnyRow) -> Result<Rectification> {
    Ok(Rectification {
        id: r.try_get("id")?,
        problem: r.try_get("problem")?,
        source: r.try_get("source")?,
        meeting_id: r.try_get("meeting_id")?,
        incident_id: r.try_get("incident_id")?,
        measure: r.try_get("measure")?,
        department_id: r.try_get("department_id")?,
        department_name: r.try_get("department_name")?,
        owner: r.try_get("owner")?,
        deadline: r.try_get("deadline")?,
        evidence: r.try_get("evidence")?,
        status: r.try_get("status")?,
        done_at: r.try_get("done_at")?,
        reminded_at: r.try_get("reminded_at")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// A rectification's fields as staff write them.
#[derive(Debug, Clone)]
pub struct RectificationFields<'a> {
    pub problem: &'a str,
    pub source: &'a str,
    pub meeting_id: Option<i64>,
    pub incident_id: Option<i64>,
    pub measure: &'a str,
    pub department_id: i64,
    pub owner: &'a str,
    pub deadline: i64,
}

pub async fn create_rectification(c: &mut AnyConnection, site_id: i64, f: &RectificationFields<'_>, by: i64, now: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO rectifications (site_id, problem, source, meeting_id, incident_id, measure, department_id, owner, deadline, evidence, status, \
         created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '', 'open', $10, $11, $12) RETURNING id",
    )
    .bind(site_id).bind(f.problem).bind(f.source).bind(f.meeting_id).bind(f.incident_id).bind(f.measure).bind(f.department_id).bind(f.owner).bind(f.deadline)
    .bind(by).bind(now).bind(now)
    .fetch_one(&mut *c).await?;
    Ok(row.try_get("id")?)
}

/// Changes what staff wrote; a moved deadline clears the reminder so the new one can remind.
pub async fn update_rectification(c: &mut AnyConnection, site_id: i64, id: i64, f: &RectificationFields<'_>, now: i64) -> Result<()> {
    let r = sqlx::query(
        "UPDATE rectifications SET problem = $1, source = $2, measure = $3, department_id = $4, owner = $5, \
         reminded_at = CASE WHEN deadline = $6 THEN reminded_at ELSE NULL END, deadline = $7, updated_at = $8 WHERE site_id = $9 AND id = $10",
    )
    .bind(f.problem).bind(f.source).bind(f.measure).bind(f.department_id).bind(f.owner).bind(f.deadline).bind(f.deadline).bind(now).bind(site_id).bind(id)
    .execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Records progress and proof, and the status (`done` with its time, or back to `open`).
pub async fn set_progress(c: &mut AnyConnection, site_id: i64, id: i64, evidence: &str, status: &str, done_at: Option<i64>, now: i64) -> Result<()> {
    sqlx::query("UPDATE rectifications SET evidence = $1, status = $2, done_at = $3, updated_at = $4 WHERE site_id = $5 AND id = $6")
        .bind(evidence).bind(status).bind(done_at).bind(now).bind(site_id).bind(id)
        .execute(&mut *c).await?;
    Ok(())
}

pub async fn get_rectification(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Rectification> {
    let sql = format!("{RECTIFICATION} WHERE x.site_id = $1 AND x.id = $2");
    rectification(&found(sqlx::query(&sql).bind(site_id).bind(id).fetch_optional(&mut *c).await?)?)
}

/// What the ledger lists.
#[derive(Debug, Clone, Default)]
pub struct RectificationQuery {
    pub department_id: Option<i64>,
    pub status: Option<String>,
    pub meeting_id: Option<i64>,
    pub incident_id: Option<i64>,
    /// Created in `[from, to)`.
    pub created: Option<(i64, i64)>,
}

/// The ledger in the order it is filed: by deadline, then by when it was entered.
pub async fn list_rectifications(c: &mut AnyConnection, site_id: i64, q: &RectificationQuery) -> Result<Vec<Rectification>> {
    let mut sql = format!("{RECTIFICATION} WHERE x.site_id = $1");
    let mut n = 1;
    let mut next = || {
        n += 1;
        n
    };
    if q.department_id.is_some() {
        sql.push_str(&format!(" AND x.department_id = ${}", next()));
    }
    if q.status.is_some() {
        sql.push_str(&format!(" AND x.status = ${}", next()));
    }
    if q.meeting_id.is_some() {
        sql.push_str(&format!(" AND x.meeting_id = ${}", next()));
    }
    if q.incident_id.is_some() {
        sql.push_str(&format!(" AND x.incident_id = ${}", next()));
    }
    if q.created.is_some() {
        sql.push_str(&format!(" AND x.created_at >= ${} AND x.created_at < ${}", next(), next()));
    }
    sql.push_str(" ORDER BY x.created_at, x.id");
    let mut query = sqlx::query(&sql).bind(site_id);
    if let Some(d) = q.department_id {
        query = query.bind(d);
    }
    if let Some(s) = &q.status {
        query = query.bind(s.as_str());
    }
    if let Some(m) = q.meeting_id {
        query = query.bind(m);
    }
    if let Some(i) = q.incident_id {
        query = query.bind(i);
    }
    if let Some((from, to)) = q.created {
        query = query.bind(from).bind(to);
    }
    query.fetch_all(&mut *c).await?.iter().map(rectification).collect()
}

/// Open rectifications past their deadline whose owner was not reminded yet.
pub async fn overdue_unreminded(c: &mut AnyConnection, site_id: i64, now: i64) -> Result<Vec<Rectification>> {
    let sql = format!("{RECTIFICATION} WHERE x.site_id = $1 AND x.status = 'open' AND x.deadline < $2 AND x.reminded_at IS NULL ORDER BY x.deadline");
    sqlx::query(&sql).bind(site_id).bind(now).fetch_all(&mut *c).await?.iter().map(rectification).collect()
}

pub async fn mark_reminded(c: &mut AnyConnection, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE rectifications SET reminded_at = $1 WHERE id = $2").bind(now).bind(id).execute(&mut *c).await?;
    Ok(())
}

/// One line of a rectification's history.
#[derive(Debug, Clone, Serialize)]
pub struct RectificationEvent {
    pub at: i64,
    pub user_name: Option<String>,
    pub body: String,
}

pub async fn add_rectification_event(c: &mut AnyConnection, id: i64, user_id: Option<i64>, body: &str, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO rectification_events (rectification_id, at, user_id, body) VALUES ($1, $2, $3, $4)").bind(id).bind(now).bind(user_id).bind(body).execute(&mut *c).await?;
    Ok(())
}

pub async fn rectification_events(c: &mut AnyConnection, id: i64) -> Result<Vec<RectificationEvent>> {
    let rows = sqlx::query("SELECT e.at, u.display_name, e.body FROM rectification_events e LEFT JOIN users u ON u.id = e.user_id WHERE e.rectification_id = $1 ORDER BY e.at, e.id")
        .bind(id)
        .fetch_all(&mut *c).await?;
    rows.iter().map(|r| Ok(RectificationEvent { at: r.try_get("at")?, user_name: r.try_get("display_name")?, body: r.try_get("body")? })).collect()
}
