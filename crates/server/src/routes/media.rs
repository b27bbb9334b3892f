//! `/media/{id}.{ext}`: photos and attachments. Public once their article is live; before
//! that only for those who may see the manuscript.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Extension;

use crate::auth::{Actor, ClientIp, CurrentSession};
use crate::AppState;

pub async fn get_media(State(state): State<AppState>, Path(file): Path<String>, Extension(session): Extension<CurrentSession>, Extension(ip): Extension<ClientIp>) -> Response {
    let id: Option<i64> = file.split('.').next().and_then(|s| s.parse().ok());
    let Some(id) = id else { return crate::routes::public::not_found(&state) };
    let actor = session.0.map(|s| Actor { user: s.user, ip: ip.0 });
    match crate::services::manuscripts::media_for(&state, actor.as_ref(), id).await {
        Ok((m, bytes)) => {
            let mut r = bytes.into_response();
            let h = r.headers_mut();
            let ct = HeaderValue::from_str(&m.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
            h.insert(header::CONTENT_TYPE, ct);
            h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=3600"));
            if m.kind != "image" {
                let name: String = form_urlencoded::byte_serialize(m.file_name.as_bytes()).collect();
                if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename*=UTF-8''{name}")) {
                    h.insert(header::CONTENT_DISPOSITION, v);
                }
            }
            r
        }
        Err(_) => crate::routes::public::not_found(&state),
    }
}
