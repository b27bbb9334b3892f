//! Who is asking, and whether the request is genuine.
//!
//! - Passwords are argon2id hashes (the `argon2` crate's defaults).
//! - A session is a random 256-bit token in an HttpOnly, SameSite=Lax cookie (Secure behind
//!   HTTPS); the database keeps only its SHA-256.
//! - Every request that is not GET/HEAD/OPTIONS must present the CSRF token: in the form field
//!   `csrf` (url-encoded and multipart forms alike) or the `X-CSRF-Token` header (API); never
//!   in the URL, where it would end up in logs and Referer headers.
//!   With a session it is the session's token; before login, a double-submit cookie.
//!   [`session_layer`] checks this for every route, so no handler can forget it.

use std::net::SocketAddr;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::{header, request::Parts, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use yuanxun_store::users::Session;
use yuanxun_store::User;

use crate::AppState;

/// The session cookie.
pub const SESSION_COOKIE: &str = "yx_session";
/// The pre-login CSRF cookie (double submit).
pub const CSRF_COOKIE: &str = "yx_csrf";
/// How long a session lasts.
pub const SESSION_SECONDS: i64 = 12 * 3600;

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters hashes any input")
        .to_string()
}

/// Checks a password against a stored hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// A fresh random token, hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// What the database keeps of a session token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The person acting and where from: what services need for checks and the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    pub ip: String,
}

/// The session found for this request (None when signed out), set by [`session_layer`].
#[derive(Debug, Clone)]
pub struct CurrentSession(pub Option<Session>);

/// The client's address, set by [`session_layer`].
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

/// Whether `ip` is one of the configured reverse proxies (`--trusted-proxy`).
pub fn is_trusted_proxy(state: &AppState, ip: std::net::IpAddr) -> bool {
    let ip = match ip {
        std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map(std::net::IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    };
    state.config.trusted_proxies.iter().any(|n| n.contains(&ip))
}

/// The client's address: the peer's, or, from a configured proxy, the nearest address in
/// `X-Forwarded-For` that is not itself a configured proxy (read from the right: the left
/// entries are whatever the client wrote). Forwarding headers from anyone else were dropped
/// at the edge.
pub(crate) fn client_ip(state: &AppState, req: &Request) -> String {
    let Some(peer) = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()) else { return String::new() };
    if !is_trusted_proxy(state, peer) {
        return peer.to_string();
    }
    let forwarded = req.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).map(str::trim).collect::<Vec<_>>();
    for hop in forwarded.iter().rev() {
        match hop.parse::<std::net::IpAddr>() {
            Ok(ip) if is_trusted_proxy(state, ip) => continue,
            Ok(ip) => return ip.to_string(),
            Err(_) => break,
        }
    }
    peer.to_string()
}

/// Whether cookies must be `Secure`: configured so, or the request came through HTTPS (as
/// a configured proxy says; the header from anyone else was dropped at the edge).
pub fn is_https(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.secure_cookies
        || headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https")
}

/// A cookie with the attributes every Yuanxun cookie has.
pub fn cookie(name: &'static str, value: String, secure: bool, max_age: Option<i64>) -> Cookie<'static> {
    let mut c = Cookie::new(name, value);
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_secure(secure);
    if let Some(s) = max_age {
        c.set_max_age(time::Duration::seconds(s));
    }
    c
}

/// Loads the session and checks the CSRF token of state-changing requests.
pub async fn session_layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let jar = CookieJar::from_headers(req.headers());
    let ip = client_ip(&state, &req);
    let path = req.uri().path();
    let is_api = path.starts_with("/api/");
    let newsroom = is_api || path.starts_with("/admin");
    let looked_up = match jar.get(SESSION_COOKIE) {
        Some(c) => match state.store.conn().await {
            Ok(mut conn) => yuanxun_store::users::session(&mut conn, state.site_id(), &token_hash(c.value()), state.config.idle_timeout.as_secs() as i64).await,
            Err(e) => Err(e),
        },
        None => Ok(None),
    };
    let session = match looked_up {
        Ok(s) => s,
        // The newsroom cannot tell who is asking: it says so, rather than treating a
        // signed-in editor as signed out (and their form as a forgery). The public site
        // goes on without a session.
        Err(e) if newsroom => {
            tracing::error!("session lookup failed: {e}");
            return unavailable(is_api);
        }
        Err(e) => {
            tracing::error!("session lookup failed: {e}");
            None
        }
    };
    let mut req = req;
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        let expected = session
            .as_ref()
            .map(|s| s.csrf_token.clone())
            .or_else(|| jar.get(CSRF_COOKIE).map(|c| c.value().to_string()));
        // Logging in through the API needs no token: it has no session to ride on, and the
        // answer (a new token) is useless to a cross-site page that cannot read it.
        let exempt = is_api && req.uri().path() == "/api/v1/session" && *req.method() == Method::POST;
        let (presented, rebuilt) = presented_token(req, state.config.max_upload).await;
        req = rebuilt;
        let ok = match (expected, presented) {
            (Some(e), Some(p)) => !e.is_empty() && bool::from(e.as_bytes().ct_eq(p.as_bytes())),
            _ => false,
        };
        if !ok && !exempt {
            return csrf_failure(is_api);
        }
    }
    req.extensions_mut().insert(CurrentSession(session));
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

/// Finds the CSRF token: the header, or the `csrf` field of a url-encoded or multipart form
/// (whose body is buffered, at most `max_upload` bytes, and put back for the handler).
async fn presented_token(req: Request, max_upload: usize) -> (Option<String>, Request) {
    if let Some(v) = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        let v = v.to_string();
        return (Some(v), req);
    }
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let multipart = multer::parse_boundary(&content_type).ok();
    if multipart.is_none() && !content_type.starts_with("application/x-www-form-urlencoded") {
        return (None, req);
    }
    let (parts, body) = req.into_parts();
    let limit = if multipart.is_some() { max_upload } else { 4 * 1024 * 1024 };
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return (None, Request::from_parts(parts, Body::empty()));
    };
    let token = match multipart {
        None => form_urlencoded::parse(&bytes).find(|(k, _)| k == "csrf").map(|(_, v)| v.into_owned()),
        Some(boundary) => multipart_field(bytes.clone(), boundary, "csrf").await,
    };
    (token, Request::from_parts(parts, Body::from(bytes)))
}

/// The text of the first field called `name` in a buffered multipart body (the forms put
/// `csrf` first, so the files after it are not looked at).
async fn multipart_field(bytes: bytes::Bytes, boundary: String, name: &str) -> Option<String> {
    let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(bytes) });
    let mut mp = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = mp.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

/// The newsroom's answer while the database cannot be reached.
fn unavailable(is_api: bool) -> Response {
    let e = crate::ServiceError::Unavailable;
    let mut r = if is_api {
        crate::routes::api::error_response(&e)
    } else {
        crate::routes::plain_page(StatusCode::SERVICE_UNAVAILABLE, "暂时无法连接数据库", &format!("<p>{e}</p><p><a href=\"/admin\">返回工作台</a></p>"))
    };
    r.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("10"));
    r
}

fn csrf_failure(is_api: bool) -> Response {
    if is_api {
        let body = serde_json::json!({"error": "csrf", "message": "缺少或错误的 X-CSRF-Token 请求头（登录时返回的 csrf_token）"});
        (StatusCode::FORBIDDEN, axum::Json(body)).into_response()
    } else {
        crate::routes::plain_page(StatusCode::FORBIDDEN, "页面已过期", "<p>为了安全，表单只能在打开后的登录期内提交。您填写的内容没有保存，请返回上一页，刷新后重新提交。</p><p><a href=\"/admin\">返回工作台</a></p>")
    }
}

/// A signed-in user of the newsroom; signed-out visitors are sent to the login page.
pub struct Auth(pub Session, pub Actor);

impl FromRequestParts<AppState> for Auth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match signed_in(parts) {
            // An expired password leaves only the page that changes it (and signing out).
            Some((s, _)) if password_expired(state, &s.user) && !matches!(parts.uri.path(), "/admin/password" | "/admin/logout") => Err(Redirect::to("/admin/password?msg=password_expired").into_response()),
            Some((s, actor)) => Ok(Auth(s, actor)),
            None => {
                let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/admin");
                let to = format!("/admin/login?next={}", form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>());
                Err(Redirect::to(&to).into_response())
            }
        }
    }
}

/// The session that [`session_layer`] found, with the actor it makes.
fn signed_in(parts: &Parts) -> Option<(Session, Actor)> {
    let ip = parts.extensions.get::<ClientIp>().map(|c| c.0.clone()).unwrap_or_default();
    let s = parts.extensions.get::<CurrentSession>().and_then(|s| s.0.clone())?;
    let actor = Actor { user: s.user.clone(), ip };
    Some((s, actor))
}

/// A signed-in API caller; otherwise 401 with a JSON error.
pub struct ApiAuth(pub Session, pub Actor);

impl FromRequestParts<AppState> for ApiAuth {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let (s, actor) = signed_in(parts).ok_or_else(|| crate::routes::api::error_response(&crate::ServiceError::Unauthenticated))?;
        if password_expired(state, &s.user) && parts.uri.path() != "/api/v1/session" {
            let days = state.config.password_max_age.map_or(0, |a| a.as_secs() / 86_400);
            return Err(crate::routes::api::error_response(&crate::ServiceError::Forbidden(format!("密码已超过 {days} 天未修改，请先在网页端“修改密码”后再使用"))));
        }
        Ok(ApiAuth(s, actor))
    }
}

/// Whether `user`'s password is older than the configured maximum age (`serve
/// --password-days`; none by default).
pub fn password_expired(state: &AppState, user: &yuanxun_store::User) -> bool {
    state.config.password_max_age.is_some_and(|age| user.password_changed_at + age.as_secs() as i64 <= yuanxun_core::clock::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_hashes_verify() {
        let h = hash_password("正确的密码123");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("正确的密码123", &h));
        assert!(!verify_password("错误的密码123", &h));
        assert!(!verify_password("x", "not a hash"));
    }
}
