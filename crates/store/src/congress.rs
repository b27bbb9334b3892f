//! The staff congress (职代会): sessions, groups, delegates, the motions committee, motions
//! and their record, votes with attendance, receipts and ballots.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{found, AnyConnection, Result, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub id: i64,
    pub name: String,
    pub term: i64,
    pub sitting: i64,
    pub opens_on: String,
    pub agenda: String,
    pub motions_open: bool,
}

fn session(r: &AnyRow) -> Result<Session> {
    Ok(Session {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        term: r.try_get("term")?,
        sitting: r.try_get("sitting")?,
        opens_on: r.try_get("opens_on")?,
        agenda: r.try_get("agenda")?,
        motions_open: r.try_get::<i64, _>("motions_open")? != 0,
    })
}

pub async fn create_session(c: &mut AnyConnection, site_id: i64, name: &str, term: i64, sitting: i64, opens_on: &str, agenda: &str, now: i64) -> Result<i64> {
    let row = sqlx::query("INSERT INTO congress_sessions (site_id, name, term, sitting, opens_on, agenda, motions_open, created_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7) RETURNING id")
        .bind(site_id).bind(name).bind(term).bind(sitting).bind(opens_on).bind(agenda).bind(now)
        .fetch_one(&mut *c).await?;
    Ok(row.try_get("id")?)
}

pub async fn list_sessions(c: &mut AnyConnection, site_id: i64) -> Result<Vec<Session>> {
    let rows = sqlx::query("SELECT id, name, term, sitting, opens_on, agenda, motions_open FROM congress_sessions WHERE site_id = $1 ORDER BY term DESC, sitting DESC, id DESC").bind(site_id).fetch_all(&mut *c).await?;
    rows.iter().map(session).collect()
}

pub async fn get_session(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Session> {
    session(&found(sqlx::query("SELECT id, name, term, sitting, opens_on, agenda, motions_open FROM congress_sessions WHERE site_id = $1 AND id = $2").bind(site_id).bind(id).fetch_optional(&mut *c).await?)?)
}

pub async fn set_motions_open(c: &mut AnyConnection, id: i64, open: bool) -> Result<()> {
    sqlx::query("UPDATE congress_sessions SET motions_open = $1 WHERE id = $2").bind(i64::from(open)).bind(id).execute(&mut *c).await?;
    Ok(())
}

/// The group of that name in the session, made when missing.
pub async fn group(c: &mut AnyConnection, session_id: i64, name: &str) -> Result<i64> {
    if let Some(r) = sqlx::query("SELECT id FROM congress_groups WHERE session_id = $1 AND name = $2").bind(session_id).bind(name).fetch_optional(&mut *c).await? {
        return Ok(r.try_get("id")?);
    }
    let row = sqlx::query("INSERT INTO congress_groups (session_id, name) VALUES ($1, $2) RETURNING id").bind(session_id).bind(name).fetch_one(&mut *c).await?;
    Ok(row.try_get("id")?)
}

/// A delegate with the person's name and department, and the group.
#[derive(Debug, Clone, Serialize)]
pub struct Delegate {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub department_name: Option<String>,
    pub group_name: Option<String>,
}

/// Adds a delegate; `Conflict` when the person already is one in this session.
pub async fn add_delegate(c: &mut AnyConnection, session_id: i64, user_id: i64, group_id: Option<i64>) -> Result<i64> {
    if sqlx::query("SELECT id FROM congress_delegates WHERE session_id = $1 AND user_id = $2").bind(session_id).bind(user_id).fetch_optional(&mut *c).await?.is_some() {
        return Err(StoreError::Conflict("此人已是本次大会的代表".into()));
    }
    let row = sqlx::query("INSERT INTO congress_delegates (session_id, group_id, user_id) VALUES ($1, $2, $3) RETURNING id").bind(session_id).bind(group_id).bind(user_id).fetch_one(&mut *c).await?;
    Ok(row.try_get("id")?)
}

pub async fn delegates(c: &mut AnyConnection, session_id: i64) -> Result<Vec<Delegate>> {
    let rows = sqlx::query(
        "SELECT d.id, d.user_id, u.display_name, dep.name AS department_name, g.name AS group_name FROM congress_delegates d JOIN users u ON u.id = d.user_id \
         LEFT JOIN departments dep ON dep.id = u.department_id LEFT JOIN congress_groups g ON g.id = d.group_id WHERE d.session_id = $1 ORDER BY g.name, d.id",
    )
    .bind(session_id)
    .fetch_all(&mut *c).await?;
    rows.iter()
        .map(|r| Ok(Delegate { id: r.try_get("id")?, user_id: r.try_get("user_id")?, name: r.try_get("display_name")?, department_name: r.try_get("department_name")?, group_name: r.try_get("group_name")? }))
        .collect()
}

/// The delegate id of `user_id` in the session, if a delegate.
pub async fn delegate_of(c: &mut AnyConnection, session_id: i64, user_id: i64) -> Result<Option<i64>> {
    let r = sqlx::query("SELECT id FROM congress_delegates WHERE session_id = $1 AND user_id = $2").bind(session_id).bind(user_id).fetch_optional(&mut *c).await?;
    r.map(|r| Ok(r.try_get("id")?)).transpose()
}

pub async fn add_committee_member(c: &mut AnyConnection, session_id: i64, user_id: i64) -> Result<()> {
    sqlx::query("INSERT INTO congress_committee (session_id, user_id) VALUES ($1, $2) ON CONFLICT (session_id, user_id) DO NOTHING").bind(session_id).bind(user_id).execute(&mut *c).await?;
    Ok(())
}

pub async fn committee(c: &mut AnyConnection, session_id: i64) -> Result<Vec<(i64, String)>> {
    let rows = sqlx::query("SELECT u.id, u.display_name FROM congress_committee m JOIN users u ON u.id = m.user_id WHERE m.session_id = $1 ORDER BY u.id").bind(session_id).fetch_all(&mut *c).await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("display_name")?))).collect()
}

// ---------------------------------------------------------------- motions

#[derive(Debug, Clone, Serialize)]
pub struct Motion {
    pub id: i64,
    pub session_id: i64,
    pub number: Option<String>,
    pub title: String,
    pub reason: String,
    pub proposal: String,
    pub proposer_id: i64,
    pub proposer_name: String,
    pub co_signers: String,
    pub state: String,
    pub committee_note: String,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub reply_deadline: Option<i64>,
    pub reply: String,
    pub replied_at: Option<i64>,
    pub rounds: i64,
    pub rating: Option<String>,
    pub rated_at: Option<i64>,
    pub created_at: i64,
}

const MOTION: &str = "SELECT m.id, m.session_id, m.number, m.title, m.reason, m.proposal, m.proposer_id, u.display_name AS proposer_name, m.co_signers, m.state, \
     m.committee_note, m.department_id, d.name AS department_name, m.reply_deadline, m.reply, m.replied_at, m.rounds, m.rating, m.rated_at, m.created_at \
     FROM motions m JOIN users u ON u.id = m.proposer_id LEFT JOIN departments d ON d.id = m.department_id";

fn motion(r: &AnyRow) -> Result<Motion> {
    Ok(Motion {
        id: r.try_get("id")?,
        session_id: r.try_get("session_id")?,
        number: r.try_get("number")?,
        title: r.try_get("title")?,
        reason: r.try_get("reason")?,
        proposal: r.try_get("proposal")?,
        proposer_id: r.try_get("proposer_id")?,
        proposer_name: r.try_get("proposer_name")?,
        co_signers: r.try_get("co_signers")?,
        state: r.try_get("state")?,
        committee_note: r.try_get("committee_note")?,
        department_id: r.try_get("department_id")?,
        department_name: r.try_get("department_name")?,
        reply_deadline: r.try_get("reply_deadline")?,
        reply: r.try_get("reply")?,
        replied_at: r.try_get("replied_at")?,
        rounds: r.try_get("rounds")?,
        rating: r.try_get("rating")?,
        rated_at: r.try_get("rated_at")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn create_motion(c: &mut AnyConnection, site_id: i64, session_id: i64, title: &str, reason: &str, proposal: &str, proposer_id: i64, co_signers: &str, now: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO motions (site_id, session_id, title, reason, proposal, proposer_id, co_signers, state, committee_note, reply, rounds, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'submitted', '', '', 0, $8, $9) RETURNING id",
    )
    .bind(site_id).bind(session_id).bind(title).bind(reason).bind(proposal).bind(proposer_id).bind(co_signers).bind(now).bind(now)
    .fetch_one(&mut *c).await?;
    Ok(row.try_get("id")?)
}

pub async fn get_motion(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Motion> {
    let sql = format!("{MOTION} WHERE m.site_id = $1 AND m.id = $2");
    motion(&found(sqlx::query(&sql).bind(site_id).bind(id).fetch_optional(&mut *c).await?)?)
}

pub async fn list_motions(c: &mut AnyConnection, site_id: i64, session_id: i64) -> Result<Vec<Motion>> {
    let sql = format!("{MOTION} WHERE m.site_id = $1 AND m.session_id = $2 ORDER BY m.id");
    sqlx::query(&sql).bind(site_id).bind(session_id).fetch_all(&mut *c).await?.iter().map(motion).collect()
}

/// The committee's decision: the state, a number (accepted and converted ones), a note, the
/// handling department and its deadline.
pub async fn decide_motion(c: &mut AnyConnection, id: i64, state: &str, number: Option<&str>, note: &str, department_id: Option<i64>, deadline: Option<i64>, now: i64) -> Result<()> {
    sqlx::query("UPDATE motions SET state = $1, number = $2, committee_note = $3, department_id = $4, reply_deadline = $5, updated_at = $6 WHERE id = $7")
        .bind(state).bind(number).bind(note).bind(department_id).bind(deadline).bind(now).bind(id)
        .execute(&mut *c).await?;
    Ok(())
}

/// How many motions of the session already have a number with this prefix (for the next).
pub async fn numbered(c: &mut AnyConnection, session_id: i64, prefix: &str) -> Result<i64> {
    let row = sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM motions WHERE session_id = $1 AND number LIKE $2").bind(session_id).bind(format!("{prefix}%")).fetch_one(&mut *c).await?;
    Ok(row.try_get("n")?)
}

pub async fn reply_motion(c: &mut AnyConnection, id: i64, reply: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE motions SET state = 'replied', reply = $1, replied_at = $2, rounds = rounds + 1, updated_at = $3 WHERE id = $4").bind(reply).bind(now).bind(now).bind(id).execute(&mut *c).await?;
    Ok(())
}

pub async fn rate_motion(c: &mut AnyConnection, id: i64, state: &str, rating: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE motions SET state = $1, rating = $2, rated_at = $3, updated_at = $4 WHERE id = $5").bind(state).bind(rating).bind(now).bind(now).bind(id).execute(&mut *c).await?;
    Ok(())
}

/// Motions waiting for a reply past their deadline whose department was not reminded yet.
pub async fn overdue_motions(c: &mut AnyConnection, site_id: i64, now: i64) -> Result<Vec<Motion>> {
    let sql = format!("{MOTION} WHERE m.site_id = $1 AND m.state IN ('accepted', 'suggestion', 'rework') AND m.reply_deadline < $2 AND m.reminded_at IS NULL ORDER BY m.id");
    sqlx::query(&sql).bind(site_id).bind(now).fetch_all(&mut *c).await?.iter().map(motion).collect()
}

pub async fn mark_motion_reminded(c: &mut AnyConnection, id: i64, now: i64) -> Result<()> {
    sqlx::query("UPDATE motions SET reminded_at = $1 WHERE id = $2").bind(now).bind(id).execute(&mut *c).await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct MotionEvent {
    pub at: i64,
    pub user_name: Option<String>,
    pub body: String,
}

pub async fn add_motion_event(c: &mut AnyConnection, motion_id: i64, user_id: Option<i64>, body: &str, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO motion_events (motion_id, at, user_id, body) VALUES ($1, $2, $3, $4)").bind(motion_id).bind(now).bind(user_id).bind(body).execute(&mut *c).await?;
    Ok(())
}

pub async fn motion_events(c: &mut AnyConnection, motion_id: i64) -> Result<Vec<MotionEvent>> {
    let rows = sqlx::query("SELECT e.at, u.display_name, e.body FROM motion_events e LEFT JOIN users u ON u.id = e.user_id WHERE e.motion_id = $1 ORDER BY e.at, e.id").bind(motion_id).fetch_all(&mut *c).await?;
    rows.iter().map(|r| Ok(MotionEvent { at: r.try_get("at")?, user_name: r.try_get("display_name")?, body: r.try_get("body")? })).collect()
}

// ---------------------------------------------------------------- votes

#[derive(Debug, Clone, Serialize)]
pub struct Vote {
    pub id: i64,
    pub session_id: i64,
    pub title: String,
    pub body: String,
    pub secret: bool,
    pub status: String,
    pub delegates: i64,
    pub present: i64,
    pub ayes: i64,
    pub noes: i64,
    pub abstentions: i64,
    pub passed: Option<bool>,
    pub result: String,
    pub opened_at: Option<i64>,
    pub closed_at: Option<i64>,
}

const VOTE: &str = "SELECT id, session_id, title, body, secret, status, delegates, present, ayes, noes, abstentions, passed, result, opened_at, closed_at FROM votes";

fn vote(r: &AnyRow) -> Result<Vote> {
    Ok(Vote {
        id: r.try_get("id")?,
        session_id: r.try_get("session_id")?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        secret: r.try_get::<i64, _>("secret")? != 0,
        status: r.try_get("status")?,
        delegates: r.try_get("delegates")?,
        present: r.try_get("present")?,
        ayes: r.try_get("ayes")?,
        noes: r.try_get("noes")?,
        abstentions: r.try_get("abstentions")?,
        passed: r.try_get::<Option<i64>, _>("passed")?.map(|p| p != 0),
        result: r.try_get("result")?,
        opened_at: r.try_get("opened_at")?,
        closed_at: r.try_get("closed_at")?,
    })
}

pub async fn create_vote(c: &mut AnyConnection, site_id: i64, session_id: i64, title: &str, body: &str, secret: bool, by: i64, now: i64) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO votes (site_id, session_id, title, body, secret, status, delegates, present, ayes, noes, abstentions, result, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'draft', 0, 0, 0, 0, 0, '', $6, $7) RETURNING id",
    )
    .bind(site_id).bind(session_id).bind(title).bind(body).bind(i64::from(secret)).bind(by).bind(now)
    .fetch_one(&mut *c).await?;
    Ok(row.try_get("id")?)
}

pub async fn get_vote(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<Vote> {
    let sql = format!("{VOTE} WHERE site_id = $1 AND id = $2");
    vote(&found(sqlx::query(&sql).bind(site_id).bind(id).fetch_optional(&mut *c).await?)?)
}

pub async fn list_votes(c: &mut AnyConnection, site_id: i64, session_id: i64) -> Result<Vec<Vote>> {
    let sql = format!("{VOTE} WHERE site_id = $1 AND session_id = $2 ORDER BY id");
    sqlx::query(&sql).bind(site_id).bind(session_id).fetch_all(&mut *c).await?.iter().map(vote).collect()
}

/// Opens a draft vote with the delegates present; false when it was not a draft.
pub async fn open_vote(c: &mut AnyConnection, id: i64, delegates: i64, present: &[i64], now: i64) -> Result<bool> {
    let r = sqlx::query("UPDATE votes SET status = 'open', delegates = $1, present = $2, opened_at = $3 WHERE id = $4 AND status = 'draft'")
        .bind(delegates).bind(present.len() as i64).bind(now).bind(id)
        .execute(&mut *c).await?;
    if r.rows_affected() != 1 {
        return Ok(false);
    }
    for d in present {
        sqlx::query("INSERT INTO vote_attendance (vote_id, delegate_id) VALUES ($1, $2)").bind(id).bind(*d).execute(&mut *c).await?;
    }
    Ok(true)
}

pub async fn attended(c: &mut AnyConnection, vote_id: i64, delegate_id: i64) -> Result<bool> {
    Ok(sqlx::query("SELECT 1 AS x FROM vote_attendance WHERE vote_id = $1 AND delegate_id = $2").bind(vote_id).bind(delegate_id).fetch_optional(&mut *c).await?.is_some())
}

pub async fn has_voted(c: &mut AnyConnection, vote_id: i64, delegate_id: i64) -> Result<bool> {
    Ok(sqlx::query("SELECT 1 AS x FROM ballot_receipts WHERE vote_id = $1 AND delegate_id = $2").bind(vote_id).bind(delegate_id).fetch_optional(&mut *c).await?.is_some())
}

/// Casts a ballot: the receipt (one per delegate, by the key) and the ballot under a random
/// token, with the delegate only when the vote is not secret.
pub async fn cast(c: &mut AnyConnection, vote_id: i64, delegate_id: i64, secret: bool, token: &str, choice: &str) -> Result<()> {
    sqlx::query("INSERT INTO ballot_receipts (vote_id, delegate_id) VALUES ($1, $2)").bind(vote_id).bind(delegate_id).execute(&mut *c).await?;
    sqlx::query("INSERT INTO ballots (token, vote_id, delegate_id, choice) VALUES ($1, $2, $3, $4)").bind(token).bind(vote_id).bind((!secret).then_some(delegate_id)).bind(choice).execute(&mut *c).await?;
    Ok(())
}

/// The ballots counted: (yes, no, abstain, cast).
pub async fn count(c: &mut AnyConnection, vote_id: i64) -> Result<(i64, i64, i64, i64)> {
    let rows = sqlx::query("SELECT choice, CAST(COUNT(*) AS BIGINT) AS n FROM ballots WHERE vote_id = $1 GROUP BY choice").bind(vote_id).fetch_all(&mut *c).await?;
    let (mut y, mut n, mut a) = (0, 0, 0);
    for r in rows {
        let k: i64 = r.try_get("n")?;
        match r.try_get::<String, _>("choice")?.as_str() {
            "yes" => y += k,
            "no" => n += k,
            _ => a += k,
        }
    }
    let receipts: i64 = sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM ballot_receipts WHERE vote_id = $1").bind(vote_id).fetch_one(&mut *c).await?.try_get("n")?;
    Ok((y, n, a, receipts))
}

/// How each delegate voted, on an open (not secret) vote: (delegate name, choice).
pub async fn open_ballots(c: &mut AnyConnection, vote_id: i64) -> Result<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT u.display_name, b.choice FROM ballots b JOIN congress_delegates d ON d.id = b.delegate_id JOIN users u ON u.id = d.user_id WHERE b.vote_id = $1 ORDER BY d.id",
    )
    .bind(vote_id)
    .fetch_all(&mut *c).await?;
    rows.iter().map(|r| Ok((r.try_get("display_name")?, r.try_get("choice")?))).collect()
}

/// Closes an open vote with its count and result; false when it was not open.
pub async fn close_vote(c: &mut AnyConnection, id: i64, ayes: i64, noes: i64, abstentions: i64, passed: bool, result: &str, now: i64) -> Result<bool> {
    let r = sqlx::query("UPDATE votes SET status = 'closed', ayes = $1, noes = $2, abstentions = $3, passed = $4, result = $5, closed_at = $6 WHERE id = $7 AND status = 'open'")
        .bind(ayes).bind(noes).bind(abstentions).bind(i64::from(passed)).bind(result).bind(now).bind(id)
        .execute(&mut *c).await?;
    Ok(r.rows_affected() == 1)
}
