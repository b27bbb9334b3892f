//! URL layout: `/admin/…` the newsroom, `/api/v1/…` the JSON API, `/media/…` photos and
//! files, everything else the public site.

pub mod admin;
pub mod api;
pub mod media;
pub mod outlets;
pub mod points;
pub mod public;
pub mod report;
pub mod congress;
pub mod incidents;
pub mod ledgers;
pub mod monitor;
pub mod work;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::compression::CompressionLayer;

use crate::AppState;

/// The whole application.
pub fn router(state: AppState) -> Router {
    let max = state.config.max_upload;
    Router::new()
        .merge(admin::routes())
        .merge(outlets::routes())
        .merge(work::routes())
        .merge(monitor::routes())
        .merge(incidents::routes())
        .merge(ledgers::routes())
        .merge(congress::routes())
        .merge(points::routes())
        .merge(report::routes())
        .nest("/api/v1", api::routes())
        .route("/media/{file}", get(media::get_media))
        .merge(public::routes())
        .layer(middleware::from_fn_with_state(state.clone(), crate::auth::session_layer))
        .layer(middleware::from_fn_with_state(state.clone(), refuse_oversized))
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit))
        .layer(DefaultBodyLimit::max(max))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(state.clone(), edge))
        .with_state(state)
}

/// What every page may load: scripts and styles from this site only (our pages have no
/// inline script; inline style attributes are allowed for the 公众号 copy and photos),
/// images from here or `data:`, no plugins, no framing, forms posted only here.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Headers only a reverse proxy may set about the client; dropped from anyone else.
const FORWARDED: [&str; 5] = ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-real-ip", "forwarded"];

/// The edge of the application. A request's forwarding headers are kept only when it comes
/// from a configured proxy (so the client address in the audit log and the HTTPS flag cannot
/// be chosen by the client). Every answer carries the Content-Security-Policy, no framing,
/// no content sniffing, referrers cut to the origin across sites, and HSTS over HTTPS.
async fn edge(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    use header::HeaderValue;
    let peer = req.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    if !peer.is_some_and(|p| crate::auth::is_trusted_proxy(&state, p)) {
        for name in FORWARDED {
            req.headers_mut().remove(name);
        }
    }
    let https = crate::auth::is_https(&state, req.headers());
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    if https {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    res
}

/// The sites of a deployment, each answered at its host name (the port ignored); the first
/// site answers every other name.
pub fn by_host(states: &[AppState]) -> Router {
    let default = router(states[0].clone());
    if states.len() == 1 {
        return default;
    }
    let hosts: std::sync::Arc<Vec<(String, Router)>> = std::sync::Arc::new(
        states.iter().skip(1).filter(|s| !s.site.host.is_empty()).map(|s| (s.site.host.to_ascii_lowercase(), router(s.clone()))).collect(),
    );
    Router::new().fallback_service(tower::service_fn(move |req: Request| {
        let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).map(|h| h.rsplit_once(':').map_or(h, |(name, _)| name).to_ascii_lowercase());
        let site = host.and_then(|h| hosts.iter().find(|(name, _)| *name == h).map(|(_, r)| r.clone())).unwrap_or_else(|| default.clone());
        async move { tower::ServiceExt::oneshot(site, req).await }
    }))
}

/// A file to download (RFC 6266): `name` as the browser should save it (UTF-8, any
/// characters), `ascii_name` for clients that only read the plain form.
pub(crate) fn attachment(bytes: impl Into<bytes::Bytes>, content_type: &'static str, ascii_name: &str, name: &str) -> Response {
    // filename* is percent-encoded; form encoding writes spaces as `+`, which it is not.
    let encoded = form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>().replace('+', "%20");
    let mut r = ([(header::CONTENT_TYPE, content_type)], bytes.into()).into_response();
    if let Ok(v) = header::HeaderValue::from_str(&format!("attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// Refuses a request whose declared size is over the limit before reading any of it, with a
/// message that says what to do.
async fn refuse_oversized(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let len = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    match len {
        Some(n) if n > state.config.max_upload as u64 => too_large(req.uri().path().starts_with("/api/"), n, state.config.max_upload as u64),
        _ => next.run(req).await,
    }
}

/// A page for the answers given before any template or database is involved (a request
/// refused at the edge, the database away): `heading` as title and heading, then `body`
/// (HTML), readable on a phone.
pub(crate) fn plain_page(status: StatusCode, heading: &str, body: &str) -> Response {
    let html = format!("<!doctype html><html lang=zh-CN><meta charset=utf-8><meta name=viewport content=\"width=device-width,initial-scale=1\"><title>{heading}</title><body style=\"font-family:sans-serif;padding:2em;font-size:18px;line-height:1.7\"><h1>{heading}</h1>{body}");
    (status, Html(html)).into_response()
}

/// Refuses a request over its client's budget ([`crate::ratelimit`]) before any of its work
/// is done: 429, `Retry-After`, and in Chinese what happened and when to try again.
async fn rate_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let Some(kind) = crate::ratelimit::Kind::of(req.method(), path) else { return next.run(req).await };
    let Some(client) = crate::auth::client_ip(&state, &req).parse::<std::net::IpAddr>().ok() else { return next.run(req).await };
    let Err(wait) = state.limiter.check(kind, client) else { return next.run(req).await };
    let secs = wait.as_secs().max(1);
    let msg = format!("您的{}过于频繁，请 {secs} 秒后再试。", kind.label());
    tracing::info!("rate limit: {client} {} {path}", kind.label());
    let mut res = if path.starts_with("/api/") {
        (StatusCode::TOO_MANY_REQUESTS, axum::Json(serde_json::json!({"error": "too_many_requests", "message": msg, "retry_after": secs}))).into_response()
    } else {
        plain_page(StatusCode::TOO_MANY_REQUESTS, "请稍后再试", &format!("<p>{msg}</p><p>这是为保护网站正常运行而设的限制，您的操作没有被执行。<a href=\"/\">返回首页</a></p>"))
    };
    res.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
    res
}

/// The answer to an upload over the limit.
pub fn too_large(api: bool, size: u64, limit: u64) -> Response {
    let msg = format!(
        "上传的文件过大（约 {} MB），单次上传不能超过 {} MB。请压缩图片（或在 Word 中“压缩图片”）后重新上传；什么也没有保存。",
        size.div_ceil(1 << 20),
        limit >> 20
    );
    if api {
        (StatusCode::PAYLOAD_TOO_LARGE, axum::Json(serde_json::json!({"error": "too_large", "message": msg}))).into_response()
    } else {
        plain_page(StatusCode::PAYLOAD_TOO_LARGE, "文件过大", &format!("<p>{msg}</p><p>请返回上一页重新选择文件，或<a href=\"/admin\">回到工作台</a>。</p>"))
    }
}
