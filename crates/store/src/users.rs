//! Users and sessions.

use sqlx::AnyConnection;
use yuanxun_core::{clock, Role};

use crate::{found, models, Result, StoreError, User};

const USER_COLS: &str = "id, site_id, username, display_name, password_hash, role, department_id, review_level, failed_logins, locked_until, active";

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
    let sql = format!("INSERT INTO users (site_id, username, display_name, password_hash, role, department_id, review_level, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {USER_COLS}");
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
    sqlx::query("UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = 0 WHERE site_id = $2 AND id = $3")
        .bind(hash).bind(site_id).bind(id).execute(&mut *c).await?;
    Ok(())
}

/// Records a failed login; returns the new count. Locks the account until `lock_until`
/// when the count reaches `max`.
pub async fn record_failed_login(c: &mut AnyConnection, site_id: i64, id: i64, max: i64, lock_until: i64) -> Result<i64> {
    let row = sqlx::query("UPDATE users SET failed_logins = failed_logins + 1 WHERE site_id = $1 AND id = $2 RETURNING failed_logins")
        .bind(site_id).bind(id).fetch_one(&mut *c).await?;
    let n: i64 = sqlx::Row::try_get(&row, "failed_logins")?;
    if n >= max {
        sqlx::query("UPDATE users SET locked_until = $1, failed_logins = 0 WHERE site_id = $2 AND id = $3")
            .bind(lock_until).bind(site_id).bind(id).execute(&mut *c).await?;
    }
    Ok(n)
}

/// Clears failed logins after a successful one.
pub async fn record_login(c: &mut AnyConnection, site_id: i64, id: i64) -> Result<()> {
    sqlx::query("UPDATE users SET failed_logins = 0, locked_until = 0 WHERE site_id = $1 AND id = $2")
        .bind(site_id).bind(id).execute(&mut *c).await?;
    Ok(())
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
    sqlx::query("INSERT INTO sessions (site_id, token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(site_id).bind(token_hash).bind(user_id).bind(csrf).bind(clock::now()).bind(expires_at)
        .execute(&mut *c).await?;
    Ok(())
}

/// The live session for a token hash, with its active user.
pub async fn session(c: &mut AnyConnection, site_id: i64, token_hash: &str) -> Result<Option<Session>> {
    let row = sqlx::query(
        "SELECT s.id, s.user_id, s.csrf_token, s.expires_at, \
         CAST((SELECT COUNT(*) FROM notifications n WHERE n.user_id = s.user_id AND n.read_at IS NULL) AS BIGINT) AS unread \
         FROM sessions s WHERE s.site_id = $1 AND s.token_hash = $2 AND s.expires_at > $3",
    )
    .bind(site_id).bind(token_hash).bind(clock::now()).fetch_optional(&mut *c).await?;
    let Some(row) = row else { return Ok(None) };
    use sqlx::Row;
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

/// Ends every session of a user (after a password change, or when disabled).
pub async fn delete_user_sessions(c: &mut AnyConnection, site_id: i64, user_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE site_id = $1 AND user_id = $2").bind(site_id).bind(user_id).execute(&mut *c).await?;
    Ok(())
}
