//! What the content-risk check keeps per site: the site's own lexicon items and
//! LeaderRoster (with a revision that increases on every change), reviewers' dismissals of
//! findings per manuscript, and the stored report of each manuscript revision.
//!
//! The store speaks plain strings here; turning rows into the check engine's types is the
//! server's job, so the store does not depend on the engine.

use serde::Serialize;
use sqlx::{AnyConnection, Row};
use yuanxun_core::clock;

use crate::{found, Result, StoreError};

/// Which of the site's lists an item belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum List {
    /// A term the site adds to a category.
    Entry,
    /// A built-in term the site switches off.
    Removed,
    /// A word never flagged on this site.
    Allow,
    /// One of the site's own public phone numbers.
    Phone,
    /// One of the site's own names (a short name, a former name): the page titles and
    /// mastheads that may name it in the site's place.
    Name,
}

impl List {
    pub fn as_str(self) -> &'static str {
        match self {
            List::Entry => "entry",
            List::Removed => "removed",
            List::Allow => "allow",
            List::Phone => "phone",
            List::Name => "name",
        }
    }

    pub fn parse(s: &str) -> Option<List> {
        [List::Entry, List::Removed, List::Allow, List::Phone, List::Name].into_iter().find(|l| l.as_str() == s)
    }
}

/// One row of the site's lists. Fields a list does not use are empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LexiconItem {
    pub id: i64,
    pub list: String,
    pub category: String,
    pub term: String,
    pub suggestion: String,
    pub severity: String,
    pub kind: String,
    /// `YYYY-MM-DD` for outdated terms.
    pub since: String,
    pub reason: String,
    pub updated_at: i64,
}

/// A leader of the hospital with the titles they hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeaderRow {
    pub id: i64,
    pub name: String,
    pub titles: Vec<String>,
    pub sort: i64,
}

/// Everything the site keeps for its checks, read in one go.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SiteLexiconRows {
    pub revision: i64,
    /// The site's name (the masthead's), always one of its own names.
    pub site_name: String,
    pub items: Vec<LexiconItem>,
    pub leaders: Vec<LeaderRow>,
}

/// The site's lexicon revision.
pub async fn revision(c: &mut AnyConnection, site_id: i64) -> Result<i64> {
    let row = sqlx::query("SELECT lexicon_revision FROM sites WHERE id = $1").bind(site_id).fetch_optional(&mut *c).await?;
    Ok(found(row)?.try_get("lexicon_revision")?)
}

async fn bump(c: &mut AnyConnection, site_id: i64) -> Result<i64> {
    sqlx::query("UPDATE sites SET lexicon_revision = lexicon_revision + 1 WHERE id = $1").bind(site_id).execute(&mut *c).await?;
    revision(c, site_id).await
}

/// An INSERT or UPDATE's outcome: no row touched is `NotFound`, a repeated unique key is a
/// `Conflict` saying `duplicate`.
fn written(r: std::result::Result<sqlx::any::AnyQueryResult, sqlx::Error>, duplicate: &str) -> Result<()> {
    match r {
        Ok(done) if done.rows_affected() == 0 => Err(StoreError::NotFound),
        Ok(_) => Ok(()),
        Err(e) => {
            let e = StoreError::from(e);
            Err(if e.is_unique_violation() { StoreError::Conflict(duplicate.into()) } else { e })
        }
    }
}

const ITEM_COLS: &str = "id, list, category, term, suggestion, severity, kind, since, reason, updated_at";

fn item(r: &sqlx::any::AnyRow) -> Result<LexiconItem> {
    Ok(LexiconItem {
        id: r.try_get("id")?,
        list: r.try_get("list")?,
        category: r.try_get("category")?,
        term: r.try_get("term")?,
        suggestion: r.try_get("suggestion")?,
        severity: r.try_get("severity")?,
        kind: r.try_get("kind")?,
        since: r.try_get("since")?,
        reason: r.try_get("reason")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// The site's lists and roster with their revision.
pub async fn load(c: &mut AnyConnection, site_id: i64) -> Result<SiteLexiconRows> {
    let row = sqlx::query("SELECT lexicon_revision, name FROM sites WHERE id = $1").bind(site_id).fetch_optional(&mut *c).await?;
    let row = found(row)?;
    let (revision, site_name): (i64, String) = (row.try_get("lexicon_revision")?, row.try_get("name")?);
    let rows = sqlx::query(&format!("SELECT {ITEM_COLS} FROM lexicon_items WHERE site_id = $1 ORDER BY list, category, id"))
        .bind(site_id).fetch_all(&mut *c).await?;
    let items = rows.iter().map(item).collect::<Result<Vec<_>>>()?;
    let rows = sqlx::query("SELECT id, name, titles, sort FROM leaders WHERE site_id = $1 ORDER BY sort, id").bind(site_id).fetch_all(&mut *c).await?;
    let leaders = rows
        .iter()
        .map(|r| {
            let titles: String = r.try_get("titles")?;
            Ok(LeaderRow { id: r.try_get("id")?, name: r.try_get("name")?, titles: titles.lines().map(str::to_string).filter(|t| !t.is_empty()).collect(), sort: r.try_get("sort")? })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(SiteLexiconRows { revision, site_name, items, leaders })
}

/// One item of the site's lists.
pub async fn get_item(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<LexiconItem> {
    let row = sqlx::query(&format!("SELECT {ITEM_COLS} FROM lexicon_items WHERE site_id = $1 AND id = $2")).bind(site_id).bind(id).fetch_optional(&mut *c).await?;
    item(&found(row)?)
}

/// Adds an item (`id` 0) or changes one; returns the new lexicon revision. A second item with
/// the same list, category and term is refused as a conflict.
pub async fn save_item(c: &mut AnyConnection, site_id: i64, it: &LexiconItem, user_id: i64) -> Result<i64> {
    let now = clock::now();
    let r = if it.id == 0 {
        sqlx::query("INSERT INTO lexicon_items (site_id, list, category, term, suggestion, severity, kind, since, reason, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
            .bind(site_id).bind(&it.list).bind(&it.category).bind(&it.term).bind(&it.suggestion).bind(&it.severity).bind(&it.kind).bind(&it.since).bind(&it.reason).bind(user_id).bind(now)
            .execute(&mut *c).await
    } else {
        sqlx::query("UPDATE lexicon_items SET category = $1, term = $2, suggestion = $3, severity = $4, kind = $5, since = $6, reason = $7, updated_by = $8, updated_at = $9 WHERE site_id = $10 AND id = $11")
            .bind(&it.category).bind(&it.term).bind(&it.suggestion).bind(&it.severity).bind(&it.kind).bind(&it.since).bind(&it.reason).bind(user_id).bind(now).bind(site_id).bind(it.id)
            .execute(&mut *c).await
    };
    written(r, "词库中已有这个词条")?;
    bump(c, site_id).await
}

/// Removes an item; returns the new lexicon revision.
pub async fn delete_item(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<i64> {
    delete_and_bump(c, site_id, "lexicon_items", id).await
}

/// Deletes one row of a site's lexicon table and moves the lexicon revision.
async fn delete_and_bump(c: &mut AnyConnection, site_id: i64, table: &'static str, id: i64) -> Result<i64> {
    let r = sqlx::query(&format!("DELETE FROM {table} WHERE site_id = $1 AND id = $2")).bind(site_id).bind(id).execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    bump(c, site_id).await
}

/// Adds a leader (`id` 0) or changes one; returns the new lexicon revision.
pub async fn save_leader(c: &mut AnyConnection, site_id: i64, id: i64, name: &str, titles: &[String], sort: i64) -> Result<i64> {
    let now = clock::now();
    let titles = titles.join("\n");
    let r = if id == 0 {
        sqlx::query("INSERT INTO leaders (site_id, name, titles, sort, updated_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(site_id).bind(name).bind(&titles).bind(sort).bind(now).execute(&mut *c).await
    } else {
        sqlx::query("UPDATE leaders SET name = $1, titles = $2, sort = $3, updated_at = $4 WHERE site_id = $5 AND id = $6")
            .bind(name).bind(&titles).bind(sort).bind(now).bind(site_id).bind(id).execute(&mut *c).await
    };
    written(r, "名单中已有这位领导")?;
    bump(c, site_id).await
}

/// Removes a leader; returns the new lexicon revision.
pub async fn delete_leader(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<i64> {
    delete_and_bump(c, site_id, "leaders", id).await
}

/// A reviewer's dismissal of a finding.
#[derive(Debug, Clone, Serialize)]
pub struct Dismissal {
    pub key: String,
    pub reason: String,
    pub user_id: i64,
    pub user_name: String,
    pub created_at: i64,
}

/// The dismissals of one manuscript, oldest first.
pub async fn dismissals(c: &mut AnyConnection, site_id: i64, manuscript_id: i64) -> Result<Vec<Dismissal>> {
    let rows = sqlx::query("SELECT x.finding_key, x.reason, x.user_id, u.display_name, x.created_at FROM check_dismissals x JOIN users u ON u.id = x.user_id WHERE x.site_id = $1 AND x.manuscript_id = $2 ORDER BY x.id")
        .bind(site_id).bind(manuscript_id).fetch_all(&mut *c).await?;
    rows.iter()
        .map(|r| Ok(Dismissal { key: r.try_get(0)?, reason: r.try_get(1)?, user_id: r.try_get(2)?, user_name: r.try_get(3)?, created_at: r.try_get(4)? }))
        .collect()
}

/// Records a dismissal; dismissing the same finding again changes nothing and says so.
pub async fn dismiss(c: &mut AnyConnection, site_id: i64, manuscript_id: i64, key: &str, reason: &str, user_id: i64) -> Result<()> {
    let r = sqlx::query("INSERT INTO check_dismissals (site_id, manuscript_id, finding_key, reason, user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(site_id).bind(manuscript_id).bind(key).bind(reason).bind(user_id).bind(clock::now())
        .execute(&mut *c).await;
    written(r, "这条提示已被忽略")
}

/// Takes a dismissal back, so the finding counts again.
pub async fn undismiss(c: &mut AnyConnection, site_id: i64, manuscript_id: i64, key: &str) -> Result<()> {
    let r = sqlx::query("DELETE FROM check_dismissals WHERE site_id = $1 AND manuscript_id = $2 AND finding_key = $3").bind(site_id).bind(manuscript_id).bind(key).execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The stored check of one revision.
#[derive(Debug, Clone, Serialize)]
pub struct StoredReport {
    pub revision: i64,
    pub lexicon_version: String,
    pub block: i64,
    pub warn: i64,
    pub info: i64,
    /// The report as JSON (the server's own shape).
    pub report: String,
    pub created_at: i64,
}

/// Stores (or replaces) the check of a revision.
pub async fn save_report(c: &mut AnyConnection, site_id: i64, manuscript_id: i64, r: &StoredReport) -> Result<()> {
    sqlx::query("INSERT INTO check_reports (site_id, manuscript_id, revision, lexicon_version, block_count, warn_count, info_count, report, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (site_id, manuscript_id, revision) DO UPDATE SET lexicon_version = excluded.lexicon_version, block_count = excluded.block_count, warn_count = excluded.warn_count, info_count = excluded.info_count, report = excluded.report, created_at = excluded.created_at")
        .bind(site_id).bind(manuscript_id).bind(r.revision).bind(&r.lexicon_version).bind(r.block).bind(r.warn).bind(r.info).bind(&r.report).bind(r.created_at)
        .execute(&mut *c).await?;
    Ok(())
}

/// The stored check of a revision, if there is one.
pub async fn report(c: &mut AnyConnection, site_id: i64, manuscript_id: i64, revision: i64) -> Result<Option<StoredReport>> {
    let row = sqlx::query("SELECT revision, lexicon_version, block_count, warn_count, info_count, report, created_at FROM check_reports WHERE site_id = $1 AND manuscript_id = $2 AND revision = $3")
        .bind(site_id).bind(manuscript_id).bind(revision).fetch_optional(&mut *c).await?;
    row.map(|r| {
        Ok(StoredReport {
            revision: r.try_get(0)?,
            lexicon_version: r.try_get(1)?,
            block: r.try_get(2)?,
            warn: r.try_get(3)?,
            info: r.try_get(4)?,
            report: r.try_get(5)?,
            created_at: r.try_get(6)?,
        })
    })
    .transpose()
}

/// A change to the site's lexicons that loosens the check, waiting for the chief editor.
#[derive(Debug, Clone, Serialize)]
pub struct Proposal {
    pub id: i64,
    /// `save` (with `item_id` 0: an addition) or `delete`.
    pub op: String,
    pub item_id: i64,
    /// The item as proposed (JSON).
    pub item: String,
    /// The item before (JSON), empty for an addition.
    pub before: String,
    /// The change in words, as the chief editor reads it.
    pub summary: String,
    /// Why the editor asks.
    pub note: String,
    /// `pending`, `accepted` or `declined`.
    pub status: String,
    pub proposed_by: i64,
    pub proposer_name: String,
    pub proposed_at: i64,
    pub decider_name: Option<String>,
    pub decided_at: Option<i64>,
}

/// A proposal to store.
#[derive(Debug, Clone)]
pub struct NewProposal<'a> {
    pub op: &'a str,
    pub item_id: i64,
    pub item: &'a str,
    pub before: &'a str,
    pub summary: &'a str,
    pub note: &'a str,
    pub proposed_by: i64,
}

const PROPOSAL_SELECT: &str = "SELECT p.id, p.op, p.item_id, p.item, p.before, p.summary, p.note, p.status, p.proposed_by, u.display_name AS proposer_name, p.proposed_at, d.display_name AS decider_name, p.decided_at FROM lexicon_proposals p JOIN users u ON u.id = p.proposed_by LEFT JOIN users d ON d.id = p.decided_by WHERE p.site_id = $1";

fn proposal(r: &sqlx::any::AnyRow) -> Result<Proposal> {
    use sqlx::Row;
    Ok(Proposal {
        id: r.try_get("id")?,
        op: r.try_get("op")?,
        item_id: r.try_get("item_id")?,
        item: r.try_get("item")?,
        before: r.try_get("before")?,
        summary: r.try_get("summary")?,
        note: r.try_get("note")?,
        status: r.try_get("status")?,
        proposed_by: r.try_get("proposed_by")?,
        proposer_name: r.try_get("proposer_name")?,
        proposed_at: r.try_get("proposed_at")?,
        decider_name: r.try_get("decider_name")?,
        decided_at: r.try_get("decided_at")?,
    })
}

/// Stores a pending proposal; returns its id.
pub async fn propose(c: &mut AnyConnection, site_id: i64, p: &NewProposal<'_>) -> Result<i64> {
    let r = sqlx::query("INSERT INTO lexicon_proposals (site_id, op, item_id, item, before, summary, note, status, proposed_by, proposed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9) RETURNING id")
        .bind(site_id).bind(p.op).bind(p.item_id).bind(p.item).bind(p.before).bind(p.summary).bind(p.note).bind(p.proposed_by).bind(clock::now())
        .fetch_one(&mut *c).await?;
    Ok(sqlx::Row::try_get(&r, "id")?)
}

/// One proposal of the site.
pub async fn proposal_by_id(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Proposal> {
    let sql = format!("{PROPOSAL_SELECT} AND p.id = $2");
    let r = sqlx::query(&sql).bind(site_id).bind(id).fetch_optional(&mut *c).await?;
    proposal(&crate::found(r)?)
}

/// The newest proposals (pending first), at most `limit`.
pub async fn proposals(c: &mut AnyConnection, site_id: i64, limit: i64) -> Result<Vec<Proposal>> {
    let sql = format!("{PROPOSAL_SELECT} ORDER BY CASE WHEN p.status = 'pending' THEN 0 ELSE 1 END, p.id DESC LIMIT $2");
    let rows = sqlx::query(&sql).bind(site_id).bind(limit).fetch_all(&mut *c).await?;
    rows.iter().map(proposal).collect()
}

/// Decides a pending proposal (`accepted` or `declined`); refused if it was decided already.
pub async fn decide_proposal(c: &mut AnyConnection, site_id: i64, id: i64, status: &str, by: i64) -> Result<()> {
    let r = sqlx::query("UPDATE lexicon_proposals SET status = $1, decided_by = $2, decided_at = $3 WHERE site_id = $4 AND id = $5 AND status = 'pending'")
        .bind(status).bind(by).bind(clock::now()).bind(site_id).bind(id)
        .execute(&mut *c).await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::Conflict("这项修改已被处理，请刷新页面".into()));
    }
    Ok(())
}
