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

/// How long a lock lasts after `failures` failed logins of one name from one address: none
/// before the fifth, then 15 minutes, doubling with every further failure, at most a day.
pub fn lock_seconds(failures: i64) -> i64 {
    if failures < MAX_FAILED {
        0
    } else {
        (LOCK_SECONDS << (failures - MAX_FAILED).min(7)).min(24 * 3600)
    }
}

/// Checks the password and opens a session. Failures are counted per name (as typed) and
/// client address, for names that exist and names that do not alike, with the same answer
/// and the same work (an argon2 check and one write), so neither the answer nor its timing
/// tells which names exist; one address cannot lock an account for everyone else.
pub async fn login(state: &AppState, username: &str, password: &str, ip: &str) -> ServiceResult<NewSession> {
    let site = state.site_id();
    let wrong = || ServiceError::Invalid("登录名或密码错误。连续输错 5 次，将暂停登录 15 分钟。".into());
    let name = username.trim().to_lowercase();
    if name.is_empty() || name.chars().count() > 64 || password.len() > 1024 {
        let _ = verify_password(password.get(..64).unwrap_or(password), dummy_hash());
        return Err(wrong());
    }
    let (user, standing) = {
        let mut c = state.store.conn().await?;
        (users::by_username(&mut c, site, username.trim()).await?, users::throttle(&mut c, site, &name, ip).await?)
    };
    let now = clock::now();
    if standing.locked_until > now {
        return Err(locked(standing.locked_until));
    }
    let user = user.filter(|u| u.active);
    let ok = {
        let p = password.to_string();
        let h = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| dummy_hash().to_string());
        let known = user.is_some();
        crate::heavy::run(move || verify_password(&p, &h) && known).await?
    };
    let mut tx = state.store.begin().await?;
    let Some(user) = user.clone().filter(|_| ok) else {
        let t = users::throttle_failure(tx.conn(), site, &name, ip, |n| match lock_seconds(n) {
            0 => 0,
            s => now + s,
        })
        .await?;
        // Recorded for unknown names too (someone guessing names), so both cost the same.
        let (actor_id, who, object_id) = match &user {
            Some(u) => (Some(u.id), format!("{}（{}）", u.display_name, u.username), u.id.to_string()),
            None => (None, format!("（不存在的登录名“{}”）", name.chars().take(32).collect::<String>()), String::new()),
        };
        let lock = if t.locked_until > 0 { format!("，锁定至 {}", clock::format_minute(t.locked_until)) } else { String::new() };
        let detail = format!("从 {ip} 第 {} 次密码错误{lock}", t.failures);
        let entry = NewEntry { actor_id, actor_name: &who, action: "login_failed", object_type: "user", object_id, detail, ip };
        yuanxun_store::audit::append(tx.conn(), site, &entry).await?;
        tx.commit().await?;
        return Err(if t.locked_until > 0 { locked(t.locked_until) } else { wrong() });
    };
    users::throttle_clear(tx.conn(), site, &name, ip).await?;
    let token = random_token();
    let csrf_token = random_token();
    users::create_session(tx.conn(), site, user.id, &token_hash(&token), &csrf_token, now + SESSION_SECONDS).await?;
    let who = format!("{}（{}）", user.display_name, user.username);
    let entry = NewEntry { actor_id: Some(user.id), actor_name: &who, action: "login", object_type: "user", object_id: user.id.to_string(), detail: String::new(), ip };
    yuanxun_store::audit::append(tx.conn(), site, &entry).await?;
    tx.commit().await?;
    Ok(NewSession { token, csrf_token, user })
}

fn locked(until: i64) -> ServiceError {
    let minutes = ((until - clock::now()) as f64 / 60.0).ceil().max(1.0) as i64;
    ServiceError::Forbidden(format!(
        "密码连续输错 {MAX_FAILED} 次以上，从这台设备登录已锁定 {minutes} 分钟，请在 {} 之后再试；如需立即登录，请系统管理员解除锁定或重置密码。",
        clock::format_minute(until)
    ))
}

/// The administrator lifts every login lock of a user (解除锁定).
pub async fn unlock(state: &AppState, actor: &Actor, user_id: i64) -> ServiceResult<u64> {
    if !actor.user.role.manages_accounts() {
        return Err(ServiceError::Forbidden("只有安全管理员可以解除登录锁定".into()));
    }
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let u = users::get(tx.conn(), site, user_id).await?;
    let n = users::unlock(tx.conn(), site, &u.username.to_lowercase()).await?;
    super::audit(tx.conn(), site, actor, "user_unlock", "user", user_id, format!("解除 {} 的登录锁定（{n} 处）", u.username)).await?;
    tx.commit().await?;
    Ok(n)
}

/// Where a user is locked out now: (client address, until when).
pub async fn locks(state: &AppState, user: &User) -> ServiceResult<Vec<(String, i64)>> {
    let mut c = state.store.conn().await?;
    Ok(users::locks_of(&mut c, state.site_id(), &user.username.to_lowercase()).await?)
}

/// Ends the session behind `token`.
pub async fn logout(state: &AppState, actor: &Actor, token: &str) -> ServiceResult<()> {
    let mut tx = state.store.begin().await?;
    users::delete_session(tx.conn(), state.site_id(), &token_hash(token)).await?;
    super::audit(tx.conn(), state.site_id(), actor, "logout", "user", actor.user.id, "").await?;
    tx.commit().await?;
    Ok(())
}

/// The password rules (等保 level 3): at least 10 characters, at least three of the four
/// kinds (lower-case letters, upper-case letters, digits, symbols), not the login name nor
/// containing it, at most 256 bytes.
pub fn check_password_policy(p: &str, username: &str) -> ServiceResult<()> {
    let kinds = [
        p.chars().any(|c| c.is_ascii_lowercase()),
        p.chars().any(|c| c.is_ascii_uppercase()),
        p.chars().any(|c| c.is_ascii_digit()),
        p.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|k| **k)
    .count();
    if p.chars().count() < 10 || kinds < 3 || p.len() > 256 {
        return Err(ServiceError::Invalid("密码至少 10 位，并包含大写字母、小写字母、数字、符号中的至少三种（例如 Yuanxun#2026）".into()));
    }
    let name = username.trim().to_lowercase();
    if !name.is_empty() && p.to_lowercase().contains(&name) {
        return Err(ServiceError::Invalid("密码不能包含登录名，请换一个".into()));
    }
    Ok(())
}

/// Changes the actor's own password; every other session of theirs (newsroom and API) ends,
/// `session` (the one they changed it in) stays.
pub async fn change_password(state: &AppState, actor: &Actor, session: i64, current: &str, new: &str, confirm: &str) -> ServiceResult<()> {
    let site = state.site_id();
    let user = {
        let mut c = state.store.conn().await?;
        users::get(&mut c, site, actor.user.id).await?
    };
    if new != confirm {
        return Err(ServiceError::Invalid("两次输入的新密码不一致".into()));
    }
    check_password_policy(new, &user.username)?;
    // argon2 is slow on purpose: off the async threads.
    let (current, new, stored) = (current.to_string(), new.to_string(), user.password_hash.clone());
    let hash = crate::heavy::run(move || verify_password(&current, &stored).then(|| hash_password(&new)))
        .await?
        .ok_or_else(|| ServiceError::Invalid("当前密码不正确".into()))?;
    let mut tx = state.store.begin().await?;
    users::set_password(tx.conn(), site, user.id, &hash).await?;
    let ended = users::delete_other_sessions(tx.conn(), site, user.id, session).await?;
    super::audit(tx.conn(), site, actor, "password_change", "user", user.id, format!("其他 {ended} 个登录已退出")).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_password_policy;

    #[test]
    fn the_password_policy_wants_ten_characters_of_three_kinds_without_the_login_name() {
        for ok in ["Yuanxun#2026", "abcdEFGH12", "abcdefgh1!", "ABCDEFGH1!", "医院Abc12345"] {
            assert!(check_password_policy(ok, "wangfang").is_ok(), "{ok}");
        }
        for weak in ["Abc1234", "abcdefgh12", "ABCDEFGHIJ", "1234567890!", "abcdefghij"] {
            let e = check_password_policy(weak, "wangfang").unwrap_err().to_string();
            assert!(e.contains("至少 10 位") && e.contains("三种"), "{weak}: {e}");
        }
        let e = check_password_policy("WangFang2026!", "wangfang").unwrap_err().to_string();
        assert!(e.contains("不能包含登录名"), "{e}");
    }
}
