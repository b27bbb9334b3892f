//! The pages of other publicity work (其他宣传工作): a period's totals by kind, its entries,
//! the form that records one.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use minijinja::context;
use serde::Deserialize;
use yuanxun_core::work::WorkKind;
use yuanxun_store::sites;

use super::admin::{error_page, page_status};
use crate::auth::Auth;
use crate::services::work::{self, WorkInput};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/work", get(work_page).post(record))
        .route("/admin/work/{id}/delete", post(delete))
}

#[derive(Deserialize, Default)]
struct PeriodQuery {
    #[serde(default)]
    period: String,
    msg: Option<String>,
}

async fn view(state: &AppState, auth: &Auth, period: &str, status: StatusCode, error: Option<String>, flash: Option<&str>) -> Response {
    let data = match work::of_period(state, &auth.1, period).await {
        Ok(d) => d,
        Err(e) => return error_page(state, auth, e),
    };
    let departments = match state.store.conn().await {
        Ok(mut c) => sites::list_departments(&mut c, state.site_id()).await.unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let kinds: Vec<_> = WorkKind::ALL.iter().map(|k| context! { code => k.code(), label => k.label(), unit => k.unit() }).collect();
    let today = yuanxun_core::clock::format_date(yuanxun_core::clock::now());
    page_status(state, auth, "admin/work.html", status, context! { data, kinds, departments, today, error, flash })
}

async fn work_page(State(state): State<AppState>, auth: Auth, Query(q): Query<PeriodQuery>) -> Response {
    let flash = match q.msg.as_deref() {
        Some("recorded") => Some("已登记。"),
        Some("deleted") => Some("已删除。"),
        _ => None,
    };
    view(&state, &auth, &q.period, StatusCode::OK, None, flash).await
}

async fn record(State(state): State<AppState>, auth: Auth, Form(f): Form<WorkInput>) -> Response {
    match work::record(&state, &auth.1, &f).await {
        Ok(_) => Redirect::to("/admin/work?msg=recorded").into_response(),
        Err(e) => view(&state, &auth, "", e.status(), Some(e.to_string()), None).await,
    }
}

async fn delete(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> Response {
    match work::delete(&state, &auth.1, id).await {
        Ok(()) => Redirect::to("/admin/work?msg=deleted").into_response(),
        Err(e) => error_page(&state, &auth, e),
    }
}
