//! Manuscripts, their revisions, review decisions and media.

use sqlx::AnyConnection;
use yuanxun_core::{clock, Status};

use crate::{found, models, Decision, Manuscript, ManuscriptSummary, Media, Result, Revision, StoreError};

const COLS: &str = "id, site_id, author_id, department_id, channel_id, title, subtitle, authors, photographers, body_html, cover_media_id, status, review_level, review_levels, revision, scheduled_at, created_at, updated_at";

/// The editable fields of a manuscript; each save stores them as a new revision.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct Content {
    pub title: String,
    pub subtitle: String,
    pub authors: String,
    pub photographers: String,
    pub body_html: String,
}

/// Creates a draft with its first revision.
pub async fn create(c: &mut AnyConnection, site_id: i64, author_id: i64, department_id: i64, channel_id: i64, content: &Content) -> Result<Manuscript> {
    let now = clock::now();
    let (status, level, of) = Status::Draft.to_parts();
    let sql = format!("INSERT INTO manuscripts (site_id, author_id, department_id, channel_id, title, subtitle, authors, photographers, body_html, status, review_level, review_levels, revision, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14) RETURNING {COLS}");
    let row = sqlx::query(&sql)
        .bind(site_id).bind(author_id).bind(department_id).bind(channel_id)
        .bind(&content.title).bind(&content.subtitle).bind(&content.authors).bind(&content.photographers).bind(&content.body_html)
        .bind(status).bind(level).bind(of).bind(now).bind(now)
        .fetch_one(&mut *c).await?;
    let m = models::manuscript(&row)?;
    insert_revision(c, site_id, m.id, 1, content, "", author_id, "").await?;
    Ok(m)
}

#[allow(clippy::too_many_arguments)]
async fn insert_revision(c: &mut AnyConnection, site_id: i64, manuscript_id: i64, number: i64, content: &Content, media: &str, editor_id: i64, note: &str) -> Result<()> {
    sqlx::query("INSERT INTO revisions (site_id, manuscript_id, number, title, subtitle, authors, photographers, body_html, media, editor_id, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
        .bind(site_id).bind(manuscript_id).bind(number)
        .bind(&content.title).bind(&content.subtitle).bind(&content.authors).bind(&content.photographers).bind(&content.body_html)
        .bind(media).bind(editor_id).bind(note).bind(clock::now())
        .execute(&mut *c).await?;
    Ok(())
}

/// Records what the media of a revision were (one line a medium), for a revision saved
/// before its media were attached (a new manuscript's first).
pub async fn set_revision_media(c: &mut AnyConnection, site_id: i64, manuscript_id: i64, number: i64, media: &str) -> Result<()> {
    sqlx::query("UPDATE revisions SET media = $1 WHERE site_id = $2 AND manuscript_id = $3 AND number = $4").bind(media).bind(site_id).bind(manuscript_id).bind(number).execute(&mut *c).await?;
    Ok(())
}

/// Saves new content as the next revision and sets the status the workflow decided;
/// `media` lists the manuscript's media as they are with this revision. Returns the new
/// revision number.
#[allow(clippy::too_many_arguments)]
pub async fn save_revision(c: &mut AnyConnection, m: &Manuscript, content: &Content, media: &str, channel_id: i64, editor_id: i64, status: Status, note: &str) -> Result<i64> {
    let number = m.revision + 1;
    let (s, level, of) = status.to_parts();
    let r = sqlx::query("UPDATE manuscripts SET title = $1, subtitle = $2, authors = $3, photographers = $4, body_html = $5, channel_id = $6, status = $7, review_level = $8, review_levels = $9, revision = $10, updated_at = $11 WHERE site_id = $12 AND id = $13 AND revision = $14")
        .bind(&content.title).bind(&content.subtitle).bind(&content.authors).bind(&content.photographers).bind(&content.body_html)
        .bind(channel_id).bind(s).bind(level).bind(of).bind(number).bind(clock::now())
        .bind(m.site_id).bind(m.id).bind(m.revision)
        .execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Conflict("稿件已被他人修改，请刷新后再保存（您的内容仍在表单中）".into()));
    }
    insert_revision(c, m.site_id, m.id, number, content, media, editor_id, note).await?;
    Ok(number)
}

/// Sets the status (and clears a schedule unless the status is Approved).
pub async fn set_status(c: &mut AnyConnection, m: &Manuscript, status: Status) -> Result<()> {
    let (s, level, of) = status.to_parts();
    let r = sqlx::query("UPDATE manuscripts SET status = $1, review_level = $2, review_levels = $3, updated_at = $4, scheduled_at = CASE WHEN $5 = 'approved' THEN scheduled_at ELSE NULL END WHERE site_id = $6 AND id = $7 AND status = $8 AND review_level = $9")
        .bind(s).bind(level).bind(of).bind(clock::now()).bind(s)
        .bind(m.site_id).bind(m.id).bind(m.status.name()).bind(m.status.to_parts().1)
        .execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Conflict("稿件状态已被他人改变，请刷新后再操作".into()));
    }
    Ok(())
}

/// Sets or clears the time the scheduler publishes an approved manuscript.
pub async fn set_schedule(c: &mut AnyConnection, site_id: i64, id: i64, at: Option<i64>) -> Result<()> {
    sqlx::query("UPDATE manuscripts SET scheduled_at = $1 WHERE site_id = $2 AND id = $3").bind(at).bind(site_id).bind(id).execute(&mut *c).await?;
    Ok(())
}

/// Sets the cover image.
pub async fn set_cover(c: &mut AnyConnection, site_id: i64, id: i64, media_id: Option<i64>) -> Result<()> {
    sqlx::query("UPDATE manuscripts SET cover_media_id = $1 WHERE site_id = $2 AND id = $3").bind(media_id).bind(site_id).bind(id).execute(&mut *c).await?;
    Ok(())
}

/// One manuscript of the site.
pub async fn get(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Manuscript> {
    let sql = format!("SELECT {COLS} FROM manuscripts WHERE site_id = $1 AND id = $2");
    let row = sqlx::query(&sql).bind(site_id).bind(id).fetch_optional(&mut *c).await?;
    models::manuscript(&found(row)?)
}

/// Which manuscripts a list shows.
#[derive(Debug, Clone, Copy)]
pub enum Filter {
    /// Everything of the site.
    All,
    /// Written by this user.
    Author(i64),
    /// Waiting for a decision at this level.
    Level(i64),
    /// Approved, waiting to be published.
    Approved,
}

const SUMMARY: &str = "SELECT m.id, m.title, m.status, m.review_level, m.review_levels, m.updated_at, m.scheduled_at, u.display_name AS author_name, d.name AS department_name, ch.name AS channel_name, cr.block_count, cr.warn_count FROM manuscripts m JOIN users u ON u.id = m.author_id JOIN departments d ON d.id = m.department_id JOIN channels ch ON ch.id = m.channel_id LEFT JOIN check_reports cr ON cr.site_id = m.site_id AND cr.manuscript_id = m.id AND cr.revision = m.revision WHERE m.site_id = $1";

/// A list of manuscripts, newest change first.
pub async fn list(c: &mut AnyConnection, site_id: i64, filter: Filter, limit: i64) -> Result<Vec<ManuscriptSummary>> {
    let (cond, arg) = match filter {
        Filter::All => ("", None),
        Filter::Author(id) => (" AND m.author_id = $2", Some(id)),
        Filter::Level(l) => (" AND m.status IN ('submitted', 'in_review') AND m.review_level = $2", Some(l)),
        Filter::Approved => (" AND m.status = 'approved'", None),
    };
    let lim = if arg.is_some() { "$3" } else { "$2" };
    let sql = format!("{SUMMARY}{cond} ORDER BY m.updated_at DESC, m.id DESC LIMIT {lim}");
    let mut q = sqlx::query(&sql).bind(site_id);
    if let Some(a) = arg {
        q = q.bind(a);
    }
    let rows = q.bind(limit).fetch_all(&mut *c).await?;
    rows.iter().map(models::summary).collect()
}

/// Approved manuscripts whose scheduled time has come, across all sites.
pub async fn due_for_publishing(c: &mut AnyConnection, now: i64) -> Result<Vec<(i64, i64)>> {
    let rows = sqlx::query("SELECT site_id, id FROM manuscripts WHERE status = 'approved' AND scheduled_at IS NOT NULL AND scheduled_at <= $1 ORDER BY scheduled_at")
        .bind(now).fetch_all(&mut *c).await?;
    use sqlx::Row;
    rows.iter().map(|r| Ok((r.try_get("site_id")?, r.try_get("id")?))).collect()
}

const REV_SELECT: &str = "SELECT r.id, r.manuscript_id, r.number, r.title, r.subtitle, r.authors, r.photographers, r.body_html, r.media, r.editor_id, u.display_name AS editor_name, r.note, r.created_at FROM revisions r JOIN users u ON u.id = r.editor_id WHERE r.site_id = $1 AND r.manuscript_id = $2";

/// Every revision of a manuscript, oldest first.
pub async fn revisions(c: &mut AnyConnection, site_id: i64, manuscript_id: i64) -> Result<Vec<Revision>> {
    let sql = format!("{REV_SELECT} ORDER BY r.number");
    let rows = sqlx::query(&sql).bind(site_id).bind(manuscript_id).fetch_all(&mut *c).await?;
    rows.iter().map(models::revision).collect()
}

/// One revision by number.
pub async fn revision(c: &mut AnyConnection, site_id: i64, manuscript_id: i64, number: i64) -> Result<Revision> {
    let sql = format!("{REV_SELECT} AND r.number = $3");
    let row = sqlx::query(&sql).bind(site_id).bind(manuscript_id).bind(number).fetch_optional(&mut *c).await?;
    models::revision(&found(row)?)
}

/// A decision to record.
#[derive(Debug, Clone)]
pub struct NewDecision<'a> {
    pub revision: i64,
    pub level: i64,
    pub levels: i64,
    pub action: &'a str,
    pub comment: &'a str,
    pub user_id: i64,
    pub round: i64,
}

/// Records a decision.
pub async fn add_decision(c: &mut AnyConnection, site_id: i64, manuscript_id: i64, d: &NewDecision<'_>) -> Result<()> {
    sqlx::query("INSERT INTO decisions (site_id, manuscript_id, revision, level, levels, action, comment, user_id, round, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(site_id).bind(manuscript_id).bind(d.revision).bind(d.level).bind(d.levels)
        .bind(d.action).bind(d.comment).bind(d.user_id).bind(d.round).bind(clock::now())
        .execute(&mut *c).await?;
    Ok(())
}

/// Every decision on a manuscript, oldest first.
pub async fn decisions(c: &mut AnyConnection, site_id: i64, manuscript_id: i64) -> Result<Vec<Decision>> {
    let rows = sqlx::query("SELECT d.id, d.manuscript_id, d.revision, d.level, d.levels, d.action, d.comment, d.user_id, u.display_name AS user_name, d.round, d.created_at FROM decisions d JOIN users u ON u.id = d.user_id WHERE d.site_id = $1 AND d.manuscript_id = $2 ORDER BY d.id")
        .bind(site_id).bind(manuscript_id).fetch_all(&mut *c).await?;
    rows.iter().map(models::decision).collect()
}

const MEDIA_COLS: &str = "id, site_id, manuscript_id, kind, file_name, content_type, storage_key, sha256, size, width, height, caption, photographer";

/// A media row to add.
#[derive(Debug, Clone)]
pub struct NewMedia<'a> {
    pub manuscript_id: Option<i64>,
    pub kind: &'a str,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub storage_key: &'a str,
    pub sha256: &'a str,
    pub size: i64,
    pub width: i64,
    pub height: i64,
    pub caption: &'a str,
    pub photographer: &'a str,
    pub created_by: i64,
}

/// Records a stored blob.
pub async fn add_media(c: &mut AnyConnection, site_id: i64, m: &NewMedia<'_>) -> Result<Media> {
    let sql = format!("INSERT INTO media (site_id, manuscript_id, kind, file_name, content_type, storage_key, sha256, size, width, height, caption, photographer, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING {MEDIA_COLS}");
    let row = sqlx::query(&sql)
        .bind(site_id).bind(m.manuscript_id).bind(m.kind).bind(m.file_name).bind(m.content_type)
        .bind(m.storage_key).bind(m.sha256).bind(m.size).bind(m.width).bind(m.height)
        .bind(m.caption).bind(m.photographer).bind(m.created_by).bind(clock::now())
        .fetch_one(&mut *c).await?;
    models::media(&row)
}

/// One media row of the site.
/// The storage key of every media row of every site: the blobs that must be kept.
pub async fn media_keys(c: &mut AnyConnection) -> Result<std::collections::HashSet<String>> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT storage_key FROM media").fetch_all(&mut *c).await?;
    Ok(rows.into_iter().map(|(k,)| k).collect())
}

pub async fn get_media(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Media> {
    let sql = format!("SELECT {MEDIA_COLS} FROM media WHERE site_id = $1 AND id = $2");
    let row = sqlx::query(&sql).bind(site_id).bind(id).fetch_optional(&mut *c).await?;
    models::media(&found(row)?)
}

/// The media attached to a manuscript.
pub async fn media_of(c: &mut AnyConnection, site_id: i64, manuscript_id: i64) -> Result<Vec<Media>> {
    let sql = format!("SELECT {MEDIA_COLS} FROM media WHERE site_id = $1 AND manuscript_id = $2 ORDER BY id");
    let rows = sqlx::query(&sql).bind(site_id).bind(manuscript_id).fetch_all(&mut *c).await?;
    rows.iter().map(models::media).collect()
}

/// The photos and files of many manuscripts at once, in manuscript and upload order.
pub async fn media_of_many(c: &mut AnyConnection, site_id: i64, manuscript_ids: &[i64]) -> Result<Vec<Media>> {
    if manuscript_ids.is_empty() {
        return Ok(Vec::new());
    }
    // Integers only, so the list can be written into the statement.
    let ids = manuscript_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!("SELECT {MEDIA_COLS} FROM media WHERE site_id = $1 AND manuscript_id IN ({ids}) ORDER BY manuscript_id, id");
    let rows = sqlx::query(&sql).bind(site_id).fetch_all(&mut *c).await?;
    rows.iter().map(models::media).collect()
}

/// Counts rows in a table of the site; for tests and checks that nothing was half-written.
pub async fn count(c: &mut AnyConnection, site_id: i64, table: Table) -> Result<i64> {
    let sql = format!("SELECT COUNT(*) AS n FROM {} WHERE site_id = $1", table.name());
    let row = sqlx::query(&sql).bind(site_id).fetch_one(&mut *c).await?;
    Ok(sqlx::Row::try_get(&row, "n")?)
}

/// Tables that [`count`] may name.
#[derive(Debug, Clone, Copy)]
pub enum Table {
    Manuscripts,
    Revisions,
    Media,
    Articles,
    AuditLog,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Manuscripts => "manuscripts",
            Table::Revisions => "revisions",
            Table::Media => "media",
            Table::Articles => "articles",
            Table::AuditLog => "audit_log",
        }
    }
}

/// Changes a medium's caption and photographer.
pub async fn update_media(c: &mut AnyConnection, site_id: i64, id: i64, caption: &str, photographer: &str) -> Result<()> {
    sqlx::query("UPDATE media SET caption = $1, photographer = $2 WHERE site_id = $3 AND id = $4").bind(caption).bind(photographer).bind(site_id).bind(id).execute(&mut *c).await?;
    Ok(())
}

/// Removes a medium's row (its blob stays: blobs are shared by content and kept for the
/// revisions that showed it). Refused while a live article uses it as its cover.
pub async fn delete_media(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<()> {
    sqlx::query("UPDATE manuscripts SET cover_media_id = NULL WHERE site_id = $1 AND cover_media_id = $2").bind(site_id).bind(id).execute(&mut *c).await?;
    let r = sqlx::query("DELETE FROM media WHERE site_id = $1 AND id = $2 AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.site_id = $1 AND a.cover_media_id = $2)").bind(site_id).bind(id).execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Conflict("这张图片是已发布文章的封面，不能删除".into()));
    }
    Ok(())
}

/// Attaches a media row stored before its manuscript existed (Word import).
pub async fn attach_media(c: &mut AnyConnection, site_id: i64, media_id: i64, manuscript_id: i64) -> Result<()> {
    sqlx::query("UPDATE media SET manuscript_id = $1 WHERE site_id = $2 AND id = $3").bind(manuscript_id).bind(site_id).bind(media_id).execute(&mut *c).await?;
    Ok(())
}
