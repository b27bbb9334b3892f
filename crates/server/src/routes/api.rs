//! The JSON API at `/api/v1`, described by `/api/v1/openapi.json`. Same services as the UI.
//! Authentication: `POST /session` sets the session cookie and returns `csrf_token`, which
//! every later POST/PUT/DELETE sends as `X-CSRF-Token`.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use serde_json::json;
use yuanxun_store::articles;

use crate::auth::{cookie, is_https, ApiAuth, ClientIp, SESSION_COOKIE};
use crate::services::outlets::{self, DistributionInput, OutletInput};
use crate::services::points;
use crate::services::work::{self, WorkInput};
use crate::services::{accounts, checks};
use crate::services::manuscripts::{self as ms, ManuscriptInput, Verdict};
use crate::{AppState, ServiceError};

/// The OpenAPI description of this API.
pub const OPENAPI: &str = include_str!("../../openapi.json");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(|| async { ([(header::CONTENT_TYPE, "application/json")], OPENAPI) }))
        .route("/session", post(login).delete(logout).get(whoami))
        .route("/manuscripts", get(list).post(create))
        .route("/manuscripts/{id}", get(get_one).put(update))
        .route("/manuscripts/{id}/submit", post(submit))
        .route("/manuscripts/{id}/decisions", post(decide))
        .route("/manuscripts/{id}/check", get(check))
        .route("/manuscripts/{id}/check/dismissals", post(dismiss))
        .route("/manuscripts/{id}/publish", post(publish))
        .route("/manuscripts/{id}/retract", post(retract))
        .route("/manuscripts/{id}/correction", post(correct))
        .route("/manuscripts/{id}/corrections/{correction_id}/approve", post(approve_correction))
        .route("/manuscripts/{id}/corrections/{correction_id}/decline", post(decline_correction))
        .route("/manuscripts/{id}/media/{media_id}", post(change_media))
        .route("/articles", get(list_articles))
        .route("/articles/{id}", get(get_article))
        .route("/articles/{id}/distributions", get(distributions).post(distribute))
        .route("/distributions/{id}", axum::routing::put(update_distribution))
        .route("/outlets", get(list_outlets).post(create_outlet))
        .route("/outlets/{id}", get(get_outlet).put(update_outlet))
        .route("/outlets/{id}/reviews", post(review_outlet))
        .route("/work", get(list_work).post(record_work))
        .route("/work/{id}", axum::routing::delete(delete_work))
        .route("/points", get(standings))
        .route("/points/rules", get(list_rules).post(add_rule))
        .route("/points/entries", axum::routing::post(add_manual_points))
        .route("/points/entries/{id}", axum::routing::delete(delete_manual_points))
        .route("/points/recompute", axum::routing::post(recompute_points))
        .fallback(|| async { error_response(&ServiceError::NotFound) })
}

/// A service error as JSON: `{"error": code, "message": 中文说明}`.
pub fn error_response(e: &ServiceError) -> Response {
    (e.status(), Json(json!({"error": e.code(), "message": e.to_string()}))).into_response()
}

fn reply<T: serde::Serialize>(r: Result<T, ServiceError>) -> Response {
    match r {
        Ok(v) => Json(v).into_response(),
        Err(e) => error_response(&e),
    }
}

#[derive(Deserialize)]
struct LoginBody {
    username: String,
    password: String,
}

async fn login(State(state): State<AppState>, jar: CookieJar, headers: axum::http::HeaderMap, Extension(ip): Extension<ClientIp>, Json(b): Json<LoginBody>) -> Response {
    match accounts::login(&state, &b.username, &b.password, &ip.0).await {
        Ok(s) => {
            let jar = jar.add(cookie(SESSION_COOKIE, s.token, is_https(&state, &headers), Some(crate::auth::SESSION_SECONDS)));
            (jar, Json(json!({"csrf_token": s.csrf_token, "user": s.user}))).into_response()
        }
        Err(e) => error_response(&e),
    }
}

async fn whoami(ApiAuth(s, _): ApiAuth) -> Response {
    Json(json!({"user": s.user, "csrf_token": s.csrf_token})).into_response()
}

async fn logout(State(state): State<AppState>, jar: CookieJar, ApiAuth(_, actor): ApiAuth) -> Response {
    if let Some(c) = jar.get(SESSION_COOKIE) {
        if let Err(e) = accounts::logout(&state, &actor, c.value()).await {
            return error_response(&e);
        }
    }
    (jar.remove(axum_extra::extract::cookie::Cookie::build(SESSION_COOKIE).path("/")), StatusCode::NO_CONTENT).into_response()
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    mine: bool,
}

async fn list(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Query(q): Query<ListQuery>) -> Response {
    reply(ms::list(&state, &actor, q.mine).await)
}

async fn create(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Json(b): Json<ManuscriptInput>) -> Response {
    match ms::create(&state, &actor, &b).await {
        Ok(m) => (StatusCode::CREATED, Json(m)).into_response(),
        Err(e) => error_response(&e),
    }
}

async fn get_one(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Path(id): Path<i64>) -> Response {
    reply(ms::view(&state, &actor, id).await)
}

#[derive(Deserialize)]
struct UpdateBody {
    #[serde(flatten)]
    input: ManuscriptInput,
    base_revision: Option<i64>,
}

async fn update(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Path(id): Path<i64>, Json(b): Json<UpdateBody>) -> Response {
    reply(ms::update(&state, &actor, id, &b.input, b.base_revision).await)
}

async fn submit(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Path(id): Path<i64>) -> Response {
    reply(ms::submit(&state, &actor, id).await)
}

#[derive(Deserialize)]
struct DecisionBody {
    verdict: Verdict,
    #[serde(default)]
    comment: String,
    revision: Option<i64>,
    /// The chief editor's reason to approve despite blocking findings.
    #[serde(default)]
    override_reason: String,
}

async fn decide(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Path(id): Path<i64>, Json(b): Json<DecisionBody>) -> Response {
    reply(ms::decide(&state, &actor, id, b.verdict, &b.comment, b.revision, &b.override_reason).await)
}

async fn check(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Path(id): Path<i64>) -> Response {
    reply(checks::current(&state, &actor, id).await)
}

#[derive(Deserialize)]
struct DismissBody {
    key: String,
    #[serde(default)]
    reason: String,
}

async fn dismiss(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Path(id): Path<i64>, Json(b): Json<DismissBody>) -> Response {
    reply(checks::dismiss(&state, &actor, id, &b.key, &b.reason).await)
}

#[derive(Deserialize, Default)]
struct PublishBody {
    /// RFC 3339 or `YYYY-MM-DDTHH:MM` in China time; absent = now.
    at: Option<String>,
}

async fn publish(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Path(id): Path<i64>, body: Option<Json<PublishBody>>) -> Response {
    let at = match body.and_then(|b| b.0.at) {
        Some(s) => match yuanxun_core::clock::parse_local(&s) {
            Some(t) => Some(t),
            None => return error_response(&ServiceError::Invalid("at 的时间格式不正确，应为 RFC 3339 或 YYYY-MM-DDTHH:MM".into())),
        },
        None => None,
    };
    reply(ms::publish(&state, &actor, id, at).await)
}

#[derive(Deserialize)]
struct RetractBody {
    reason: String,
}

async fn retract(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Path(id): Path<i64>, Json(b): Json<RetractBody>) -> Response {
    reply(ms::retract(&state, &actor, id, &b.reason).await)
}

async fn correct(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Path(id): Path<i64>, Json(b): Json<ms::Correction>) -> Response {
    reply(ms::correct(&state, &actor, id, &b).await)
}

#[derive(Deserialize, Default)]
struct CorrectionDecisionBody {
    #[serde(default)]
    override_reason: String,
    #[serde(default)]
    comment: String,
}

async fn approve_correction(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Path((id, cid)): Path<(i64, i64)>, Json(b): Json<CorrectionDecisionBody>) -> Response {
    reply(ms::approve_correction(&state, &actor, id, cid, &b.override_reason).await)
}

async fn decline_correction(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Path((id, cid)): Path<(i64, i64)>, Json(b): Json<CorrectionDecisionBody>) -> Response {
    reply(ms::decline_correction(&state, &actor, id, cid, &b.comment).await)
}

async fn change_media(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Path((id, mid)): Path<(i64, i64)>, Json(b): Json<ms::MediaChange>) -> Response {
    reply(ms::change_media(&state, &actor, id, mid, &b).await)
}

#[derive(Deserialize, Default)]
struct ArticleQuery {
    channel: Option<String>,
    #[serde(default)]
    offset: i64,
    limit: Option<i64>,
}

async fn list_articles(State(state): State<AppState>, Query(q): Query<ArticleQuery>) -> Response {
    let r = async {
        let mut c = state.store.conn().await?;
        let channel_id = match q.channel.as_deref() {
            Some(slug) => Some(yuanxun_store::sites::channel_by_slug(&mut c, state.site_id(), slug).await?.id),
            None => None,
        };
        let list = articles::list(&mut c, state.site_id(), channel_id, q.offset.max(0), q.limit.unwrap_or(20).clamp(1, 100)).await?;
        Ok::<_, ServiceError>(list.into_iter().map(|a| json!({"id": a.id, "title": a.title, "channel": a.channel_slug, "published_at": a.published_at, "url": super::public::article_path(a.id)})).collect::<Vec<_>>())
    }
    .await;
    reply(r)
}

async fn get_article(State(state): State<AppState>, Path(id): Path<i64>) -> Response {
    let r = async {
        let mut c = state.store.conn().await?;
        let a = articles::get(&mut c, state.site_id(), id).await?;
        if a.retracted {
            return Err(ServiceError::Conflict("文章已撤下".into()));
        }
        Ok(a)
    }
    .await;
    match r {
        Err(ServiceError::Conflict(m)) => (StatusCode::GONE, Json(json!({"error": "gone", "message": m}))).into_response(),
        other => reply(other),
    }
}

// ----- outlets (阵地) and distributions -----

async fn list_outlets(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth) -> Response {
    reply(outlets::list(&state, &actor).await)
}

async fn get_outlet(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Path(id): Path<i64>) -> Response {
    reply(outlets::get(&state, &actor, id).await)
}

async fn create_outlet(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Json(b): Json<OutletInput>) -> Response {
    match outlets::save(&state, &actor, None, &b).await {
        Ok(o) => (StatusCode::CREATED, Json(o)).into_response(),
        Err(e) => error_response(&e),
    }
}

async fn update_outlet(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Path(id): Path<i64>, Json(b): Json<OutletInput>) -> Response {
    reply(outlets::save(&state, &actor, Some(id), &b).await)
}

#[derive(Deserialize)]
struct ReviewBody {
    #[serde(default)]
    reviewed_on: String,
    #[serde(default)]
    note: String,
}

async fn review_outlet(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Path(id): Path<i64>, Json(b): Json<ReviewBody>) -> Response {
    match outlets::record_review(&state, &actor, id, &b.reviewed_on, &b.note).await {
        Ok(()) => reply(outlets::get(&state, &actor, id).await),
        Err(e) => error_response(&e),
    }
}

async fn distributions(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Path(id): Path<i64>) -> Response {
    reply(outlets::of_article(&state, &actor, id).await)
}

async fn distribute(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Path(id): Path<i64>, Json(b): Json<DistributionInput>) -> Response {
    match outlets::distribute(&state, &actor, id, &b).await {
        Ok(d) => (StatusCode::CREATED, Json(d)).into_response(),
        Err(e) => error_response(&e),
    }
}

async fn update_distribution(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Path(id): Path<i64>, Json(b): Json<DistributionInput>) -> Response {
    reply(outlets::update_distribution(&state, &actor, id, &b).await)
}

// ----- other publicity work -----

#[derive(Deserialize, Default)]
struct PeriodQuery {
    #[serde(default)]
    period: String,
}

async fn list_work(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Query(q): Query<PeriodQuery>) -> Response {
    reply(work::of_period(&state, &actor, &q.period).await)
}

async fn record_work(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Json(b): Json<WorkInput>) -> Response {
    match work::record(&state, &actor, &b).await {
        Ok(w) => (StatusCode::CREATED, Json(w)).into_response(),
        Err(e) => error_response(&e),
    }
}

async fn delete_work(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Path(id): Path<i64>) -> Response {
    match work::delete(&state, &actor, id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => error_response(&e),
    }
}

// ----- points -----

async fn standings(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Query(q): Query<PeriodQuery>) -> Response {
    reply(points::standings(&state, &actor, &q.period).await)
}

async fn list_rules(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth) -> Response {
    reply(points::rules(&state, &actor).await)
}

async fn add_rule(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Json(b): Json<points::RuleInput>) -> Response {
    match points::add_rule(&state, &actor, &b).await {
        Ok(()) => StatusCode::CREATED.into_response(),
        Err(e) => error_response(&e),
    }
}

/// A manual entry over the API carries its evidence as text; photos are uploaded on the page.
async fn add_manual_points(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Json(b): Json<points::ManualInput>) -> Response {
    match points::add_manual(&state, &actor, &b, None).await {
        Ok(e) => (StatusCode::CREATED, Json(e)).into_response(),
        Err(e) => error_response(&e),
    }
}

async fn delete_manual_points(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Path(id): Path<i64>) -> Response {
    match points::delete_manual(&state, &actor, id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => error_response(&e),
    }
}

async fn recompute_points(State(state): State<AppState>, ApiAuth(_, actor): ApiAuth, Json(b): Json<PeriodQuery>) -> Response {
    reply(points::recompute(&state, &actor, &b.period).await)
}
