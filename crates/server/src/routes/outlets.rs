//! The newsroom's pages for outlets (宣传阵地): the register with its review warnings, one
//! outlet's form and its checks, and the distribution forms on a published manuscript's page.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use minijinja::context;
use serde::Deserialize;
use yuanxun_core::outlet::{MediaLevel, OutletKind, OutletStatus};
use yuanxun_store::articles;

use super::admin::{error_page, options, page_status, Msg};
use crate::auth::Auth;
use crate::services::outlets::{self, DistributionInput, OutletInput};
use crate::{AppState, ServiceError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/outlets", get(list_page).post(create))
        .route("/admin/outlets/{id}", get(outlet_page).post(update))
        .route("/admin/outlets/{id}/review", post(review))
        .route("/admin/articles/{id}/distributions", post(distribute))
        .route("/admin/distributions/{id}", post(update_distribution))
        .route("/admin/articles/{id}/wechat", get(wechat_page))
        .route("/admin/distributions/{id}/clipping", post(upload_clipping))
}

/// The kinds, levels and statuses, and the site's departments and people, for the forms.
async fn choices(state: &AppState) -> minijinja::Value {
    let (depts, people) = super::admin::departments_and_people(state).await;
    context! {
        kinds => options(OutletKind::choices()),
        levels => options(MediaLevel::choices()),
        statuses => options(OutletStatus::choices()),
        departments => depts,
        people,
    }
}

async fn list_view(state: &AppState, auth: &Auth, status: StatusCode, error: Option<String>, flash: Option<&str>) -> Response {
    let list = match outlets::list(state, &auth.1).await {
        Ok(l) => l,
        Err(e) => return error_page(state, auth, e),
    };
    let attention = list.iter().filter(|o| o.needs_review).count();
    page_status(state, auth, "admin/outlets.html", status, context! { outlets => list, attention, choices => choices(state).await, error, flash })
}

async fn list_page(State(state): State<AppState>, auth: Auth, Query(m): Query<Msg>) -> Response {
    list_view(&state, &auth, StatusCode::OK, None, m.text()).await
}

async fn create(State(state): State<AppState>, auth: Auth, Form(f): Form<OutletInput>) -> Response {
    match outlets::save(&state, &auth.1, None, &f).await {
        Ok(_) => Redirect::to("/admin/outlets?msg=saved_item").into_response(),
        Err(e) => list_view(&state, &auth, e.status(), Some(e.to_string()), None).await,
    }
}

async fn outlet_view(state: &AppState, auth: &Auth, id: i64, status: StatusCode, error: Option<String>, flash: Option<&str>) -> Response {
    match outlets::get(state, &auth.1, id).await {
        Ok(o) => page_status(state, auth, "admin/outlet.html", status, context! { o, choices => choices(state).await, today => yuanxun_core::clock::format_date(yuanxun_core::clock::now()), error, flash }),
        Err(e) => error_page(state, auth, e),
    }
}

async fn outlet_page(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Query(m): Query<Msg>) -> Response {
    outlet_view(&state, &auth, id, StatusCode::OK, None, m.text()).await
}

async fn update(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<OutletInput>) -> Response {
    match outlets::save(&state, &auth.1, Some(id), &f).await {
        Ok(_) => Redirect::to(&format!("/admin/outlets/{id}?msg=saved_item")).into_response(),
        Err(e) => outlet_view(&state, &auth, id, e.status(), Some(e.to_string()), None).await,
    }
}

#[derive(Deserialize)]
struct ReviewForm {
    #[serde(default)]
    reviewed_on: String,
    #[serde(default)]
    note: String,
}

async fn review(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<ReviewForm>) -> Response {
    match outlets::record_review(&state, &auth.1, id, &f.reviewed_on, &f.note).await {
        Ok(()) => Redirect::to(&format!("/admin/outlets/{id}?msg=reviewed")).into_response(),
        Err(e) => outlet_view(&state, &auth, id, e.status(), Some(e.to_string()), None).await,
    }
}

/// Back to the manuscript page of an article, at its distributions, or an error page that
/// says what was wrong (the form's values are few and shown again there).
async fn back_to_manuscript(state: &AppState, auth: &Auth, article_id: i64, r: Result<(), ServiceError>) -> Response {
    let manuscript = match state.store.conn().await {
        Ok(mut c) => articles::get(&mut c, state.site_id(), article_id).await.ok().map(|a| a.manuscript_id),
        Err(_) => None,
    };
    match (r, manuscript) {
        (Ok(()), Some(m)) => Redirect::to(&format!("/admin/manuscripts/{m}?msg=distributed#dist")).into_response(),
        (Ok(()), None) => Redirect::to("/admin/manuscripts").into_response(),
        (Err(e), _) => error_page(state, auth, e),
    }
}

async fn distribute(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<DistributionInput>) -> Response {
    let r = outlets::distribute(&state, &auth.1, id, &f).await.map(|_| ());
    back_to_manuscript(&state, &auth, id, r).await
}

async fn update_distribution(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<DistributionInput>) -> Response {
    match outlets::update_distribution(&state, &auth.1, id, &f).await {
        Ok(d) => back_to_manuscript(&state, &auth, d.distribution.article_id, Ok(())).await,
        Err(e) => error_page(&state, &auth, e),
    }
}

/// 复制为公众号格式: a preview of the WeChat-ready article and a button that copies it.
async fn wechat_page(State(state): State<AppState>, auth: Auth, headers: axum::http::HeaderMap, Path(id): Path<i64>) -> Response {
    let base = super::public::base_url(&state, &headers);
    match outlets::wechat_html(&state, &auth.1, id, &base).await {
        Ok((title, html, manuscript)) => page_status(&state, &auth, "admin/wechat.html", StatusCode::OK, context! { title, html => minijinja::Value::from_safe_string(html), manuscript }),
        Err(e) => error_page(&state, &auth, e),
    }
}

async fn upload_clipping(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, mp: axum::extract::Multipart) -> Response {
    let result = async {
        let (file, _) = super::admin::read_multipart(&state, mp).await?;
        let (name, bytes) = file.ok_or_else(|| ServiceError::Invalid("请选择剪报图片".into()))?;
        outlets::add_clipping(&state, &auth.1, id, &name, bytes).await
    }
    .await;
    match result {
        Ok(d) => back_to_manuscript(&state, &auth, d.distribution.article_id, Ok(())).await,
        Err(e) => error_page(&state, &auth, e),
    }
}
