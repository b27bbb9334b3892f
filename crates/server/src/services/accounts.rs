//! Signing in and out, lockout after failed attempts, password changes.

use yuanxun_core::clock;
use yuanxun_store::{audit::NewEntry, users, User};

use crate::auth::{hash_password, random_token, token_hash, verify_password, Actor, SESSION_SECONDS};
use crate::error::{ServiceError, ServiceResult};
use crate::AppState;

/// Failed logins that lock an account.
pub const MAX_FAILED: i64 = 5;
/// How long a locked account stays locked.
pub const LOCK_SECONDS: i64 = 15 * 60;

/// A new session: the cookie token (only ever shown to the client) and its CSRF token.
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub user: User,
}

/// A hash to verify against when the user does not exist, so that timing does not tell
/// which user names exist.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password("no such user"))
}

/// Checks the password and opens a session; counts failures and locks after five.
pub async fn login(state: &AppState, username: &str, password: &str, ip: &str) -> ServiceResult<NewSession> {
    let site = state.site_id();
    let wrong = || ServiceError::Invalid("用户名或密码错误。连续输错 5 次，账户将被锁定 15 分钟。".into());
    let user = {
        let mut c = state.store.conn().await?;
        users::by_username(&mut c, site, username.trim()).await?
    };
    let Some(user) = user.filter(|u| u.active) else {
        let _ = verify_password(password, dummy_hash());
        return Err(wrong());
    };
    let now = clock::now();
    if user.locked_until > now {
        return Err(locked(user.locked_until));
    }
    let ok = {
        let (p, h) = (password.to_string(), user.password_hash.clone());
        tokio::task::spawn_blocking(move || verify_password(&p, &h)).await.map_err(|e| ServiceError::Internal(e.to_string()))?
    };
    let mut tx = state.store.begin().await?;
    let name = format!("{}（{}）", user.display_name, user.username);
    let entry = |action: &'static str, detail: String| NewEntry { actor_id: Some(user.id), actor_name: &name, action, object_type: "user", object_id: user.id.to_string(), detail, ip };
    if !ok {
        let lock_until = now + LOCK_SECONDS;
        let n = users::record_failed_login(tx.conn(), site, user.id, MAX_FAILED, lock_until).await?;
        let locked_now = n >= MAX_FAILED;
        let detail = if locked_now { format!("第 {n} 次密码错误，账户锁定 15 分钟") } else { format!("第 {n} 次密码错误") };
        yuanxun_store::audit::append(tx.conn(), site, &entry("login_failed", detail)).await?;
        tx.commit().await?;
        return Err(if locked_now { locked(lock_until) } else { wrong() });
    }
    users::record_login(tx.conn(), site, user.id).await?;
    let token = random_token();
    let csrf_token = random_token();
    users::create_session(tx.conn(), site, user.id, &token_hash(&token), &csrf_token, now + SESSION_SECONDS).await?;
    yuanxun_store::audit::append(tx.conn(), site, &entry("login", String::new())).await?;
    tx.commit().await?;
    Ok(NewSession { token, csrf_token, user })
}

fn locked(until: i64) -> ServiceError {
    ServiceError::Forbidden(format!(
        "密码连续输错 {MAX_FAILED} 次，账户已锁定 15 分钟。请在 {} 之后再试，或请系统管理员重置密码。",
        clock::format_minute(until)
    ))
}

/// Ends the session behind `token`.
pub async fn logout(state: &AppState, actor: &Actor, token: &str) -> ServiceResult<()> {
    let mut tx = state.store.begin().await?;
    users::delete_session(tx.conn(), state.site_id(), &token_hash(token)).await?;
    super::audit(tx.conn(), state.site_id(), actor, "logout", "user", actor.user.id, "").await?;
    tx.commit().await?;
    Ok(())
}

/// The password rules: at least 8 characters, with letters and digits.
pub fn check_password_strength(p: &str) -> ServiceResult<()> {
    let long = p.chars().count() >= 8;
    let letters = p.chars().any(|c| c.is_alphabetic());
    let digits = p.chars().any(|c| c.is_ascii_digit());
    if long && letters && digits && p.len() <= 256 {
        Ok(())
    } else {
        Err(ServiceError::Invalid("新密码至少 8 位，并且同时包含字母和数字".into()))
    }
}

/// Changes the actor's own password; every other session of theirs ends.
pub async fn change_password(state: &AppState, actor: &Actor, current: &str, new: &str, confirm: &str) -> ServiceResult<()> {
    let site = state.site_id();
    let user = {
        let mut c = state.store.conn().await?;
        users::get(&mut c, site, actor.user.id).await?
    };
    if !verify_password(current, &user.password_hash) {
        return Err(ServiceError::Invalid("当前密码不正确".into()));
    }
    if new != confirm {
        return Err(ServiceError::Invalid("两次输入的新密码不一致".into()));
    }
    check_password_strength(new)?;
    let hash = hash_password(new);
    let mut tx = state.store.begin().await?;
    users::set_password(tx.conn(), site, user.id, &hash).await?;
    super::audit(tx.conn(), site, actor, "password_change", "user", user.id, "").await?;
    tx.commit().await?;
    Ok(())
}
