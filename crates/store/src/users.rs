//! Users and sessions.

use sqlx::AnyConnection;
use yuanxun_core::{clock, Role};

use crate::{found, models, Result, StoreError, User};

const USER_COLS: &str = "id, site_id, username, display_name, password_hash, role, department_id, review_level, password_changed_at, active";

/// What an admin fills in for a new user.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub department_id: Option<i64>,
    pub review_level: Option<u8>,
}

/// Adds a user.
pub async fn create(c: &mut AnyConnection, site_id: i64, u: &NewUser<'_>) -> Result<User> {
    let sql = format!("INSERT INTO users (site_id, username, display_name, password_hash, role, department_id, review_level, created_at, password_changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING {USER_COLS}");
    let row = sqlx::query(&sql)
        .bind(site_id).bind(u.username).bind(u.display_name).bind(u.password_hash)
        .bind(u.role.as_str()).bind(u.department_id).bind(u.review_level.map(i64::from).unwrap_or(0)).bind(clock::now())
        .fetch_one(&mut *c).await?;
    models::user(&row)
}

/// Changes a user's profile, role, department, level and whether they may sign in.
pub async fn update(c: &mut AnyConnection, site_id: i64, id: i64, display_name: &str, role: Role, department_id: Option<i64>, review_level: Option<u8>, active: bool) -> Result<()> {
    let r = sqlx::query("UPDATE users SET display_name = $1, role = $2, department_id = $3, review_level = $4, active = $5 WHERE site_id = $6 AND id = $7")
        .bind(display_name).bind(role.as_str()).bind(department_id).bind(review_level.map(i64::from).unwrap_or(0))
        .bind(i64::from(active)).bind(site_id).bind(id)
        .execute(&mut *c).await?;
    if r.rows_affected() == 0 { return Err(StoreError::NotFound) }
    Ok(())
}

/// Replaces a user's password hash and clears any lock.
pub async fn set_password(c: &mut AnyConnection, site_id: i64, id: i64, hash: &str) -> Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = 0, password_changed_at = $2 WHERE site_id = $3 AND id = $4")
        .bind(hash).bind(clock::now()).bind(site_id).bind(id).execute(&mut *c).await?;
    Ok(())
}

/// Where a name and client address stand with failed logins.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Throttle {
    pub failures: i64,
    /// Until when logins for this name from this address are refused (0: not locked).
    pub locked_until: i64,
}

/// The failed logins of `username` (as typed, folded) from `ip`.
pub async fn throttle(c: &mut AnyConnection, site_id: i64, username: &str, ip: &str) -> Result<Throttle> {
    let row = sqlx::query("SELECT failures, locked_until FROM login_throttle WHERE site_id = $1 AND username = $2 AND ip = $3").bind(site_id).bind(username).bind(ip).fetch_optional(&mut *c).await?;
    use sqlx::Row;
    Ok(match row {
        Some(r) => Throttle { failures: r.try_get("failures")?, locked_until: r.try_get("locked_until")? },
        None => Throttle::default(),
    })
}

/// Counts one more failed login of `username` from `ip`; `lock` says, from the count, until
/// when to lock (0: not yet). Returns the new standing.
pub async fn throttle_failure(c: &mut AnyConnection, site_id: i64, username: &str, ip: &str, lock: impl Fn(i64) -> i64) -> Result<Throttle> {
    let now = clock::now();
    let row = sqlx::query("INSERT INTO login_throttle (site_id, username, ip, failures, locked_until, updated_at) VALUES ($1, $2, $3, 1, 0, $4) ON CONFLICT (site_id, username, ip) DO UPDATE SET failures = login_throttle.failures + 1, updated_at = $4 RETURNING failures")
        .bind(site_id).bind(username).bind(ip).bind(now).fetch_one(&mut *c).await?;
    let failures: i64 = sqlx::Row::try_get(&row, "failures")?;
    let locked_until = lock(failures);
    if locked_until > 0 {
        sqlx::query("UPDATE login_throttle SET locked_until = $1 WHERE site_id = $2 AND username = $3 AND ip = $4").bind(locked_until).bind(site_id).bind(username).bind(ip).execute(&mut *c).await?;
    }
    Ok(Throttle { failures, locked_until })
}

/// Forgets the failed logins of `username` from `ip` (after a successful one).
pub async fn throttle_clear(c: &mut AnyConnection, site_id: i64, username: &str, ip: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_throttle WHERE site_id = $1 AND username = $2 AND ip = $3").bind(site_id).bind(username).bind(ip).execute(&mut *c).await?;
    Ok(())
}

/// The addresses `username` is locked for now, with until when (the administrator's view).
pub async fn locks_of(c: &mut AnyConnection, site_id: i64, username: &str) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query("SELECT ip, locked_until FROM login_throttle WHERE site_id = $1 AND username = $2 AND locked_until > $3 ORDER BY locked_until DESC").bind(site_id).bind(username).bind(clock::now()).fetch_all(&mut *c).await?;
    use sqlx::Row;
    rows.iter().map(|r| Ok((r.try_get("ip")?, r.try_get("locked_until")?))).collect()
}

/// Unlocks `username` from every address (an administrator's 解除锁定); how many locks.
pub async fn unlock(c: &mut AnyConnection, site_id: i64, username: &str) -> Result<u64> {
    let r = sqlx::query("DELETE FROM login_throttle WHERE site_id = $1 AND username = $2").bind(site_id).bind(username).execute(&mut *c).await?;
    Ok(r.rows_affected())
}

/// One user of the site.
pub async fn get(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<User> {
    let sql = format!("SELECT {USER_COLS} FROM users WHERE site_id = $1 AND id = $2");
    let row = sqlx::query(&sql).bind(site_id).bind(id).fetch_optional(&mut *c).await?;
    models::user(&found(row)?)
}

/// A user by the name they sign in with.
pub async fn by_username(c: &mut AnyConnection, site_id: i64, username: &str) -> Result<Option<User>> {
    let sql = format!("SELECT {USER_COLS} FROM users WHERE site_id = $1 AND username = $2");
    let row = sqlx::query(&sql).bind(site_id).bind(username).fetch_optional(&mut *c).await?;
    row.as_ref().map(models::user).transpose()
}

/// The site's users.
pub async fn list(c: &mut AnyConnection, site_id: i64) -> Result<Vec<User>> {
    let sql = format!("SELECT {USER_COLS} FROM users WHERE site_id = $1 ORDER BY id");
    let rows = sqlx::query(&sql).bind(site_id).fetch_all(&mut *c).await?;
    rows.iter().map(models::user).collect()
}

/// A signed-in session, found by the hash of its cookie token.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub user: User,
    pub csrf_token: String,
    pub expires_at: i64,
    /// The user's unread notifications (the newsroom's 消息 badge).
    pub unread: i64,
}

/// Stores a new session.
pub async fn create_session(c: &mut AnyConnection, site_id: i64, user_id: i64, token_hash: &str, csrf: &str, expires_at: i64) -> Result<()> {
    let now = clock::now();
    sqlx::query("INSERT INTO sessions (site_id, token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(site_id).bind(token_hash).bind(user_id).bind(csrf).bind(now).bind(expires_at).bind(now)
        .execute(&mut *c).await?;
    Ok(())
}

/// The live session for a token hash, with its active user: not expired, and used within
/// the last `idle_secs` (each use moves that on, written at most once a minute).
pub async fn session(c: &mut AnyConnection, site_id: i64, token_hash: &str, idle_secs: i64) -> Result<Option<Session>> {
    let now = clock::now();
    let row = sqlx::query(
        "SELECT s.id, s.user_id, s.csrf_token, s.expires_at, s.last_seen_at, \
         CAST((SELECT COUNT(*) FROM notifications n WHERE n.user_id = s.user_id AND n.read_at IS NULL) AS BIGINT) AS unread \
         FROM sessions s WHERE s.site_id = $1 AND s.token_hash = $2 AND s.expires_at > $3 AND s.last_seen_at > $4",
    )
    .bind(site_id).bind(token_hash).bind(now).bind(now - idle_secs).fetch_optional(&mut *c).await?;
    let Some(row) = row else { return Ok(None) };
    use sqlx::Row;
    let last_seen: i64 = row.try_get("last_seen_at")?;
    if now - last_seen >= 60 {
        // Best effort: a busy database must not sign anyone out; the next request tries again.
        let touched = sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2").bind(now).bind(row.try_get::<i64, _>("id")?).execute(&mut *c).await;
        if let Err(e) = touched {
            tracing::debug!("session {} not touched: {e}", row.try_get::<i64, _>("id")?);
        }
    }
    let user = get(c, site_id, row.try_get("user_id")?).await?;
    if !user.active {
        return Ok(None);
    }
    Ok(Some(Session { id: row.try_get("id")?, user, csrf_token: row.try_get("csrf_token")?, expires_at: row.try_get("expires_at")?, unread: row.try_get("unread")? }))
}

/// Ends a session.
pub async fn delete_session(c: &mut AnyConnection, site_id: i64, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE site_id = $1 AND token_hash = $2").bind(site_id).bind(token_hash).execute(&mut *c).await?;
    Ok(())
}

/// Ends every session of a user but `keep` (after they changed their own password there).
pub async fn delete_other_sessions(c: &mut AnyConnection, site_id: i64, user_id: i64, keep: i64) -> Result<u64> {
    let r = sqlx::query("DELETE FROM sessions WHERE site_id = $1 AND user_id = $2 AND id <> $3").bind(site_id).bind(user_id).bind(keep).execute(&mut *c).await?;
    Ok(r.rows_affected())
}

/// Ends every session of a user (after a password change, or when disabled).
pub async fn delete_user_sessions(c: &mut AnyConnection, site_id: i64, user_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE site_id = $1 AND user_id = $2").bind(site_id).bind(user_id).execute(&mut *c).await?;
    Ok(())
}
