//! Rows as the rest of the program sees them.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use yuanxun_core::{Role, Status};

use crate::{Result, StoreError};

/// One hospital's publicity space.
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub host: String,
}

/// A clinical or administrative unit.
#[derive(Debug, Clone, Serialize)]
pub struct Department {
    pub id: i64,
    pub site_id: i64,
    pub name: String,
    /// The grid (网格) it belongs to, if any.
    pub grid_id: Option<i64>,
}

/// A section of the public site with its number of review levels.
#[derive(Debug, Clone, Serialize)]
pub struct Channel {
    pub id: i64,
    pub site_id: i64,
    pub slug: String,
    pub name: String,
    pub review_levels: i64,
    pub sort: i64,
    /// A channel of photo news: the home page's slideshow, a grid of covers.
    pub photo: bool,
}

/// A person who signs in.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub site_id: i64,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub role: Role,
    pub department_id: Option<i64>,
    /// The review level this editor or reviewer decides at (1 = 初审); none for others.
    pub review_level: Option<u8>,
    /// When the password was last set (for the optional expiry).
    #[serde(skip)]
    pub password_changed_at: i64,
    pub active: bool,
}

/// A story in the workflow.
#[derive(Debug, Clone, Serialize)]
pub struct Manuscript {
    pub id: i64,
    pub site_id: i64,
    pub author_id: i64,
    pub department_id: i64,
    pub channel_id: i64,
    pub title: String,
    pub subtitle: String,
    pub authors: String,
    pub photographers: String,
    pub body_html: String,
    pub cover_media_id: Option<i64>,
    #[serde(flatten)]
    pub status: Status,
    /// The number of the newest revision.
    pub revision: i64,
    pub scheduled_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A manuscript with the names a list shows.
#[derive(Debug, Clone, Serialize)]
pub struct ManuscriptSummary {
    pub id: i64,
    pub title: String,
    #[serde(flatten)]
    pub status: Status,
    pub status_label: String,
    pub author_name: String,
    pub department_name: String,
    pub channel_name: String,
    pub updated_at: i64,
    pub scheduled_at: Option<i64>,
    /// Blocking and warning findings of the newest revision's check (none before the first check).
    pub check_block: Option<i64>,
    pub check_warn: Option<i64>,
}

/// A saved version of a manuscript.
#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    pub id: i64,
    pub manuscript_id: i64,
    pub number: i64,
    pub title: String,
    pub subtitle: String,
    pub authors: String,
    pub photographers: String,
    pub body_html: String,
    /// The manuscript's media with this revision, one line each (written by the service).
    pub media: String,
    pub editor_id: i64,
    pub editor_name: String,
    pub note: String,
    pub created_at: i64,
}

/// A reviewer's decision (or the author's submission) on one revision.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub id: i64,
    pub manuscript_id: i64,
    pub revision: i64,
    pub level: i64,
    pub levels: i64,
    pub action: String,
    pub comment: String,
    pub user_id: i64,
    pub user_name: String,
    /// Submission round: every (re)submission starts a new one.
    pub round: i64,
    pub created_at: i64,
}

/// A photo or file.
#[derive(Debug, Clone, Serialize)]
pub struct Media {
    pub id: i64,
    pub site_id: i64,
    pub manuscript_id: Option<i64>,
    /// `image` or `file`.
    pub kind: String,
    pub file_name: String,
    pub content_type: String,
    #[serde(skip)]
    pub storage_key: String,
    pub sha256: String,
    pub size: i64,
    pub width: i64,
    pub height: i64,
    pub caption: String,
    pub photographer: String,
}

/// A published story with a permanent URL.
#[derive(Debug, Clone, Serialize)]
pub struct Article {
    pub id: i64,
    pub site_id: i64,
    pub manuscript_id: i64,
    pub channel_id: i64,
    pub channel_slug: String,
    pub channel_name: String,
    pub title: String,
    pub subtitle: String,
    pub authors: String,
    pub photographers: String,
    pub body_html: String,
    /// 来源: the department that wrote it.
    pub source: String,
    pub editor: String,
    pub responsible_editor: String,
    pub cover_media_id: Option<i64>,
    pub published_at: i64,
    pub view_count: i64,
    pub retracted: bool,
    pub retract_reason: String,
    /// 1 when published, one more for every correction or change of date.
    pub version: i64,
}

/// One row of the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub site_id: i64,
    pub seq: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub detail: String,
    pub ip: String,
    pub prev_hash: String,
    pub hash: String,
}

pub(crate) fn site(r: &AnyRow) -> Result<Site> {
    Ok(Site { id: r.try_get("id")?, slug: r.try_get("slug")?, name: r.try_get("name")?, host: r.try_get("host")? })
}

pub(crate) fn department(r: &AnyRow) -> Result<Department> {
    Ok(Department { id: r.try_get("id")?, site_id: r.try_get("site_id")?, name: r.try_get("name")?, grid_id: r.try_get("grid_id")? })
}

pub(crate) fn channel(r: &AnyRow) -> Result<Channel> {
    Ok(Channel {
        id: r.try_get("id")?,
        site_id: r.try_get("site_id")?,
        slug: r.try_get("slug")?,
        name: r.try_get("name")?,
        review_levels: r.try_get("review_levels")?,
        photo: r.try_get::<i64, _>("photo")? != 0,
        sort: r.try_get("sort")?,
    })
}

pub(crate) fn user(r: &AnyRow) -> Result<User> {
    let role: String = r.try_get("role")?;
    let level: i64 = r.try_get("review_level")?;
    Ok(User {
        id: r.try_get("id")?,
        site_id: r.try_get("site_id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        password_hash: r.try_get("password_hash")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("unknown role {role}")))?,
        department_id: r.try_get("department_id")?,
        review_level: u8::try_from(level).ok().filter(|l| *l > 0),
        password_changed_at: r.try_get("password_changed_at")?,
        active: r.try_get::<i64, _>("active")? != 0,
    })
}

pub(crate) fn status(r: &AnyRow) -> Result<Status> {
    let name: String = r.try_get("status")?;
    let level: i64 = r.try_get("review_level")?;
    let of: i64 = r.try_get("review_levels")?;
    Status::from_parts(&name, level, of)
        .ok_or_else(|| StoreError::Corrupt(format!("invalid status {name} {level}/{of}")))
}

pub(crate) fn manuscript(r: &AnyRow) -> Result<Manuscript> {
    Ok(Manuscript {
        id: r.try_get("id")?,
        site_id: r.try_get("site_id")?,
        author_id: r.try_get("author_id")?,
        department_id: r.try_get("department_id")?,
        channel_id: r.try_get("channel_id")?,
        title: r.try_get("title")?,
        subtitle: r.try_get("subtitle")?,
        authors: r.try_get("authors")?,
        photographers: r.try_get("photographers")?,
        body_html: r.try_get("body_html")?,
        cover_media_id: r.try_get("cover_media_id")?,
        status: status(r)?,
        revision: r.try_get("revision")?,
        scheduled_at: r.try_get("scheduled_at")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub(crate) fn summary(r: &AnyRow) -> Result<ManuscriptSummary> {
    let status = status(r)?;
    Ok(ManuscriptSummary {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        status,
        status_label: status.label(),
        author_name: r.try_get("author_name")?,
        department_name: r.try_get("department_name")?,
        channel_name: r.try_get("channel_name")?,
        updated_at: r.try_get("updated_at")?,
        scheduled_at: r.try_get("scheduled_at")?,
        check_block: r.try_get("block_count")?,
        check_warn: r.try_get("warn_count")?,
    })
}

pub(crate) fn revision(r: &AnyRow) -> Result<Revision> {
    Ok(Revision {
        id: r.try_get("id")?,
        manuscript_id: r.try_get("manuscript_id")?,
        number: r.try_get("number")?,
        title: r.try_get("title")?,
        subtitle: r.try_get("subtitle")?,
        authors: r.try_get("authors")?,
        photographers: r.try_get("photographers")?,
        body_html: r.try_get("body_html")?,
        media: r.try_get("media")?,
        editor_id: r.try_get("editor_id")?,
        editor_name: r.try_get("editor_name")?,
        note: r.try_get("note")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(crate) fn decision(r: &AnyRow) -> Result<Decision> {
    Ok(Decision {
        id: r.try_get("id")?,
        manuscript_id: r.try_get("manuscript_id")?,
        revision: r.try_get("revision")?,
        level: r.try_get("level")?,
        levels: r.try_get("levels")?,
        action: r.try_get("action")?,
        comment: r.try_get("comment")?,
        user_id: r.try_get("user_id")?,
        user_name: r.try_get("user_name")?,
        round: r.try_get("round")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(crate) fn media(r: &AnyRow) -> Result<Media> {
    Ok(Media {
        id: r.try_get("id")?,
        site_id: r.try_get("site_id")?,
        manuscript_id: r.try_get("manuscript_id")?,
        kind: r.try_get("kind")?,
        file_name: r.try_get("file_name")?,
        content_type: r.try_get("content_type")?,
        storage_key: r.try_get("storage_key")?,
        sha256: r.try_get("sha256")?,
        size: r.try_get("size")?,
        width: r.try_get("width")?,
        height: r.try_get("height")?,
        caption: r.try_get("caption")?,
        photographer: r.try_get("photographer")?,
    })
}

pub(crate) fn article(r: &AnyRow) -> Result<Article> {
    Ok(Article {
        id: r.try_get("id")?,
        site_id: r.try_get("site_id")?,
        manuscript_id: r.try_get("manuscript_id")?,
        channel_id: r.try_get("channel_id")?,
        channel_slug: r.try_get("channel_slug")?,
        channel_name: r.try_get("channel_name")?,
        title: r.try_get("title")?,
        subtitle: r.try_get("subtitle")?,
        authors: r.try_get("authors")?,
        photographers: r.try_get("photographers")?,
        body_html: r.try_get("body_html")?,
        source: r.try_get("source")?,
        editor: r.try_get("editor")?,
        responsible_editor: r.try_get("responsible_editor")?,
        cover_media_id: r.try_get("cover_media_id")?,
        published_at: r.try_get("published_at")?,
        view_count: r.try_get("view_count")?,
        retracted: r.try_get::<i64, _>("retracted")? != 0,
        retract_reason: r.try_get("retract_reason")?,
        version: r.try_get("version")?,
    })
}

pub(crate) fn audit_entry(r: &AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        id: r.try_get("id")?,
        site_id: r.try_get("site_id")?,
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        actor_id: r.try_get("actor_id")?,
        actor_name: r.try_get("actor_name")?,
        action: r.try_get("action")?,
        object_type: r.try_get("object_type")?,
        object_id: r.try_get("object_id")?,
        detail: r.try_get("detail")?,
        ip: r.try_get("ip")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}
