//! The ledger pages (台账): the responsibility matrix (`/admin/responsibilities`), analysis
//! meetings (`/admin/meetings`) and the rectification ledger (`/admin/rectifications`, with
//! `.xlsx` and `.docx`).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use minijinja::context;
use serde::Deserialize;

use super::admin::{error_page, page_status};
use crate::auth::Auth;
use crate::services::ledgers::{self, AreaInput, AssignInput, LedgerQuery, MeetingInput, ProgressInput, RectificationInput, ROLES, SOURCES};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/responsibilities", get(matrix_page))
        .route("/admin/responsibilities/areas", post(create_area))
        .route("/admin/responsibilities/assign", post(assign))
        .route("/admin/meetings", get(meetings_page).post(create_meeting))
        .route("/admin/meetings/{id}", get(meeting_page).post(update_meeting))
        .route("/admin/rectifications", get(ledger_page).post(create_rectification))
        .route("/admin/rectifications.xlsx", get(ledger_xlsx))
        .route("/admin/rectifications.docx", get(ledger_docx))
        .route("/admin/rectifications/{id}", get(rectification_page).post(update_rectification))
        .route("/admin/rectifications/{id}/progress", post(progress))
}

#[derive(Deserialize, Default)]
struct MsgQuery {
    msg: Option<String>,
}

/// The site's departments as `{id, name}`, for the forms that pick one.
pub(super) async fn departments(state: &AppState) -> Vec<minijinja::Value> {
    let Ok(mut c) = state.store.conn().await else { return Vec::new() };
    ledgers::departments(&mut c, state.site_id()).await.unwrap_or_default().into_iter().map(|(id, name)| context! { id, name }).collect()
}

// ---------------------------------------------------------------- responsibilities

async fn matrix_view(state: &AppState, auth: &Auth, status: StatusCode, error: Option<String>, flash: Option<&str>) -> Response {
    match ledgers::matrix(state, &auth.1).await {
        Ok(m) => page_status(state, auth, "admin/responsibilities.html", status, context! { m, roles => ROLES, departments => departments(state).await, error, flash }),
        Err(e) => error_page(state, auth, e),
    }
}

async fn matrix_page(State(state): State<AppState>, auth: Auth, Query(q): Query<MsgQuery>) -> Response {
    let flash = match q.msg.as_deref() {
        Some("area") => Some("责任领域已添加。"),
        Some("assigned") => Some("已更新；原责任人保留在历史记录中。"),
        _ => None,
    };
    matrix_view(&state, &auth, StatusCode::OK, None, flash).await
}

async fn create_area(State(state): State<AppState>, auth: Auth, Form(f): Form<AreaInput>) -> Response {
    match ledgers::create_area(&state, &auth.1, &f).await {
        Ok(_) => Redirect::to("/admin/responsibilities?msg=area").into_response(),
        Err(e) => matrix_view(&state, &auth, e.status(), Some(e.to_string()), None).await,
    }
}

async fn assign(State(state): State<AppState>, auth: Auth, Form(f): Form<AssignInput>) -> Response {
    match ledgers::assign(&state, &auth.1, &f).await {
        Ok(()) => Redirect::to("/admin/responsibilities?msg=assigned").into_response(),
        Err(e) => matrix_view(&state, &auth, e.status(), Some(e.to_string()), None).await,
    }
}

// ---------------------------------------------------------------- meetings

fn meeting_form(f: &MeetingInput) -> minijinja::Value {
    context! { title => f.title, scheduled_at => f.scheduled_at, place => f.place, chair => f.chair, attendees => f.attendees, minutes => f.minutes, conclusions => f.conclusions, held => !f.held.is_empty() }
}

async fn meetings_view(state: &AppState, auth: &Auth, form: minijinja::Value, status: StatusCode, error: Option<String>) -> Response {
    match ledgers::meetings(state, &auth.1).await {
        Ok(list) => page_status(state, auth, "admin/meetings.html", status, context! { list, f => form, error }),
        Err(e) => error_page(state, auth, e),
    }
}

async fn meetings_page(State(state): State<AppState>, auth: Auth) -> Response {
    meetings_view(&state, &auth, context! { title => "意识形态工作和舆情研判会" }, StatusCode::OK, None).await
}

async fn create_meeting(State(state): State<AppState>, auth: Auth, Form(f): Form<MeetingInput>) -> Response {
    match ledgers::save_meeting(&state, &auth.1, None, &f).await {
        Ok(id) => Redirect::to(&format!("/admin/meetings/{id}?msg=saved")).into_response(),
        Err(e) => meetings_view(&state, &auth, meeting_form(&f), e.status(), Some(e.to_string())).await,
    }
}

async fn meeting_view(state: &AppState, auth: &Auth, id: i64, form: Option<minijinja::Value>, status: StatusCode, error: Option<String>, flash: Option<&str>) -> Response {
    let (m, rows) = match ledgers::meeting(state, &auth.1, id).await {
        Ok(v) => v,
        Err(e) => return error_page(state, auth, e),
    };
    let form = form.unwrap_or_else(|| {
        context! { title => m.title, scheduled_at => yuanxun_core::clock::format_local_input(m.scheduled_at), place => m.place, chair => m.chair,
            attendees => m.attendees, minutes => m.minutes, conclusions => m.conclusions, held => m.status == "held" }
    });
    page_status(state, auth, "admin/meeting.html", status, context! { m, rows, f => form, departments => departments(state).await, error, flash })
}

async fn meeting_page(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Query(q): Query<MsgQuery>) -> Response {
    let flash = (q.msg.as_deref() == Some("saved")).then_some("已保存。");
    meeting_view(&state, &auth, id, None, StatusCode::OK, None, flash).await
}

async fn update_meeting(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<MeetingInput>) -> Response {
    match ledgers::save_meeting(&state, &auth.1, Some(id), &f).await {
        Ok(_) => Redirect::to(&format!("/admin/meetings/{id}?msg=saved")).into_response(),
        Err(e) => meeting_view(&state, &auth, id, Some(meeting_form(&f)), e.status(), Some(e.to_string()), None).await,
    }
}

// ---------------------------------------------------------------- rectifications

fn rect_form(f: &RectificationInput) -> minijinja::Value {
    context! { problem => f.problem, source => f.source, meeting => f.meeting, incident => f.incident, measure => f.measure,
        department => f.department.parse::<i64>().ok(), owner => f.owner, deadline => f.deadline }
}

#[derive(Deserialize, Default)]
struct LedgerPageQuery {
    #[serde(flatten)]
    q: LedgerQuery,
    msg: Option<String>,
}

async fn ledger_view(state: &AppState, auth: &Auth, q: &LedgerQuery, form: minijinja::Value, status: StatusCode, error: Option<String>, flash: Option<&str>) -> Response {
    let rows = match ledgers::ledger(state, &auth.1, q).await {
        Ok(r) => r,
        Err(e) => return error_page(state, auth, e),
    };
    let staff = auth.1.user.role.runs_outlets();
    let counts = context! { total => rows.len(), done => rows.iter().filter(|r| r.r.status == "done").count(), overdue => rows.iter().filter(|r| r.overdue).count() };
    let query = export_query(q);
    page_status(
        state,
        auth,
        "admin/rectifications.html",
        status,
        context! { rows, counts, staff, q, query, title => ledgers::ledger_title(state, q), f => form, sources => SOURCES, departments => departments(state).await, error, flash },
    )
}

/// The filters again, as the query string of the export links.
fn export_query(q: &LedgerQuery) -> String {
    form_urlencoded::Serializer::new(String::new()).append_pair("department", &q.department).append_pair("status", &q.status).append_pair("year", &q.year).finish()
}

async fn ledger_page(State(state): State<AppState>, auth: Auth, Query(q): Query<LedgerPageQuery>) -> Response {
    let flash = (q.msg.as_deref() == Some("saved")).then_some("已登记。");
    ledger_view(&state, &auth, &q.q, context! { source => "inspection" }, StatusCode::OK, None, flash).await
}

async fn create_rectification(State(state): State<AppState>, auth: Auth, Form(f): Form<RectificationInput>) -> Response {
    match ledgers::save_rectification(&state, &auth.1, None, &f).await {
        Ok(id) => {
            // From a meeting's page: back to the meeting.
            let back = match f.meeting.trim().parse::<i64>() {
                Ok(m) => format!("/admin/meetings/{m}?msg=saved"),
                Err(_) => format!("/admin/rectifications/{id}?msg=saved"),
            };
            Redirect::to(&back).into_response()
        }
        Err(e) => ledger_view(&state, &auth, &LedgerQuery::default(), rect_form(&f), e.status(), Some(e.to_string()), None).await,
    }
}

async fn ledger_export(state: &AppState, auth: &Auth, q: &LedgerQuery, word: bool) -> Response {
    let rows = match ledgers::ledger(state, &auth.1, q).await {
        Ok(r) => r,
        Err(e) => return error_page(state, auth, e),
    };
    let title = ledgers::ledger_title(state, q);
    let site = state.site.name.clone();
    let built = crate::heavy::run(move || if word { ledgers::ledger_docx(&title, &site, &rows).map(|b| (b, title)) } else { ledgers::ledger_xlsx(&title, &rows).map(|b| (b, title)) }).await;
    match built {
        Ok(Ok((bytes, title))) if word => super::attachment(bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "rectifications.docx", &format!("{title}.docx")),
        Ok(Ok((bytes, title))) => super::attachment(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "rectifications.xlsx", &format!("{title}.xlsx")),
        Ok(Err(e)) => error_page(state, auth, e),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "导出失败").into_response(),
    }
}

async fn ledger_xlsx(State(state): State<AppState>, auth: Auth, Query(q): Query<LedgerQuery>) -> Response {
    ledger_export(&state, &auth, &q, false).await
}

async fn ledger_docx(State(state): State<AppState>, auth: Auth, Query(q): Query<LedgerQuery>) -> Response {
    ledger_export(&state, &auth, &q, true).await
}

async fn rectification_view(state: &AppState, auth: &Auth, id: i64, form: Option<minijinja::Value>, status: StatusCode, error: Option<String>, flash: Option<&str>) -> Response {
    let (r, events) = match ledgers::rectification(state, &auth.1, id).await {
        Ok(v) => v,
        Err(e) => return error_page(state, auth, e),
    };
    let form = form.unwrap_or_else(|| {
        context! { problem => r.r.problem, source => r.r.source, meeting => r.r.meeting_id, incident => r.r.incident_id, measure => r.r.measure,
            department => r.r.department_id, owner => r.r.owner, deadline => yuanxun_core::clock::format_date(r.r.deadline) }
    });
    let staff = auth.1.user.role.runs_outlets();
    let reports = staff || auth.1.user.department_id == Some(r.r.department_id);
    page_status(
        state,
        auth,
        "admin/rectification.html",
        status,
        context! { r, events, f => form, staff, reports, sources => SOURCES, departments => departments(state).await, error, flash },
    )
}

async fn rectification_page(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Query(q): Query<MsgQuery>) -> Response {
    let flash = match q.msg.as_deref() {
        Some("saved") => Some("已保存。"),
        Some("progress") => Some("整改情况已填报。"),
        _ => None,
    };
    rectification_view(&state, &auth, id, None, StatusCode::OK, None, flash).await
}

async fn update_rectification(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<RectificationInput>) -> Response {
    match ledgers::save_rectification(&state, &auth.1, Some(id), &f).await {
        Ok(_) => Redirect::to(&format!("/admin/rectifications/{id}?msg=saved")).into_response(),
        Err(e) => rectification_view(&state, &auth, id, Some(rect_form(&f)), e.status(), Some(e.to_string()), None).await,
    }
}

async fn progress(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<ProgressInput>) -> Response {
    match ledgers::progress(&state, &auth.1, id, &f).await {
        Ok(()) => Redirect::to(&format!("/admin/rectifications/{id}?msg=progress")).into_response(),
        Err(e) => rectification_view(&state, &auth, id, None, e.status(), Some(e.to_string()), None).await,
    }
}
