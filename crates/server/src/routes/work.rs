//! The newsroom's pages of the department's own bookkeeping: other publicity work
//! (其他宣传工作: a period's totals by kind, its entries, the form that records one) and the
//! points rules (积分规则) that will count the stories.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use minijinja::context;
use serde::Deserialize;
use yuanxun_core::work::WorkKind;
use yuanxun_store::sites;

use super::admin::{error_page, options, page_status};
use crate::auth::Auth;
use crate::services::work::{self, WorkInput};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/work", get(work_page).post(record))
        .route("/admin/work/{id}/delete", post(delete))
        .route("/admin/points", get(points_page).post(add_rule))
}

async fn points_view(state: &AppState, auth: &Auth, status: StatusCode, error: Option<String>, flash: Option<&str>) -> Response {
    let rules = match crate::services::points::rules(state, &auth.1).await {
        Ok(r) => r,
        Err(e) => return error_page(state, auth, e),
    };
    use yuanxun_core::outlet::{MediaLevel, OutletKind};
    use yuanxun_core::points::Contribution;
    let (kinds, levels, contributions) = (options(OutletKind::choices()), options(MediaLevel::choices()), options(Contribution::choices()));
    let today = yuanxun_core::clock::format_date(yuanxun_core::clock::now());
    page_status(state, auth, "admin/points.html", status, context! { rules, kinds, levels, contributions, today, error, flash })
}

async fn points_page(State(state): State<AppState>, auth: Auth, Query(q): Query<PeriodQuery>) -> Response {
    let flash = (q.msg.as_deref() == Some("rule")).then_some("已新增规则。此前的积分不受影响。");
    points_view(&state, &auth, StatusCode::OK, None, flash).await
}

async fn add_rule(State(state): State<AppState>, auth: Auth, Form(f): Form<crate::services::points::RuleInput>) -> Response {
    match crate::services::points::add_rule(&state, &auth.1, &f).await {
        Ok(()) => Redirect::to("/admin/points?msg=rule").into_response(),
        Err(e) => points_view(&state, &auth, e.status(), Some(e.to_string()), None).await,
    }
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
