//! The staff congress pages (职代会): sessions, a session's delegates, motions and votes, a
//! motion from submission to its rated reply, and a vote from attendance to its result.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use minijinja::context;
use serde::Deserialize;

use super::admin::{error_page, page_status};
use crate::auth::Auth;
use crate::services::congress::{self, DecisionInput, MotionInput, SessionInput, VoteInput};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/congress", get(sessions_page).post(create_session))
        .route("/admin/congress/{id}", get(session_page))
        .route("/admin/congress/{id}/delegates", post(add_delegates))
        .route("/admin/congress/{id}/committee", post(add_committee))
        .route("/admin/congress/{id}/motions-open", post(motions_open))
        .route("/admin/congress/{id}/motions", post(submit_motion))
        .route("/admin/congress/{id}/votes", post(create_vote))
        .route("/admin/congress/motions/{id}", get(motion_page))
        .route("/admin/congress/motions/{id}/decide", post(decide))
        .route("/admin/congress/motions/{id}/reply", post(reply))
        .route("/admin/congress/motions/{id}/rate", post(rate))
        .route("/admin/congress/votes/{id}", get(vote_page))
        .route("/admin/congress/votes/{id}/open", post(open_vote))
        .route("/admin/congress/votes/{id}/cast", post(cast))
        .route("/admin/congress/votes/{id}/close", post(close_vote))
}

#[derive(Deserialize, Default)]
struct MsgQuery {
    msg: Option<String>,
}

fn flash(msg: Option<&str>) -> Option<&'static str> {
    match msg? {
        "created" => Some("已设立。请添加代表和提案工作委员会成员。"),
        "people" => Some("名单已更新。"),
        "submitted" => Some("提案已提交，提案工作委员会审查后会通知您。"),
        "decided" => Some("审查意见已保存，提案人和承办科室已收到通知。"),
        "replied" => Some("答复已提交，提案人将收到评价通知。"),
        "rated" => Some("评价已提交。"),
        "vote" => Some("表决事项已建立。请在表决开始时勾选出席代表。"),
        "opened" => Some("表决已开始，出席代表可以投票。"),
        "cast" => Some("您的票已投出。"),
        "closed" => Some("表决已结束，结果如下。"),
        "saved" => Some("已保存。"),
        _ => None,
    }
}

async fn sessions_view(state: &AppState, auth: &Auth, status: StatusCode, error: Option<String>) -> Response {
    match congress::sessions(state, &auth.1).await {
        Ok(list) => page_status(state, auth, "admin/congress.html", status, context! { list, error }),
        Err(e) => error_page(state, auth, e),
    }
}

async fn sessions_page(State(state): State<AppState>, auth: Auth) -> Response {
    sessions_view(&state, &auth, StatusCode::OK, None).await
}

async fn create_session(State(state): State<AppState>, auth: Auth, Form(f): Form<SessionInput>) -> Response {
    match congress::create_session(&state, &auth.1, &f).await {
        Ok(id) => Redirect::to(&format!("/admin/congress/{id}?msg=created")).into_response(),
        Err(e) => sessions_view(&state, &auth, e.status(), Some(e.to_string())).await,
    }
}

async fn session_view(state: &AppState, auth: &Auth, id: i64, status: StatusCode, error: Option<String>, flash: Option<&str>) -> Response {
    let v = match congress::session(state, &auth.1, id).await {
        Ok(v) => v,
        Err(e) => return error_page(state, auth, e),
    };
    page_status(state, auth, "admin/congress_session.html", status, context! { v, error, flash })
}

async fn session_page(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Query(q): Query<MsgQuery>) -> Response {
    session_view(&state, &auth, id, StatusCode::OK, None, flash(q.msg.as_deref())).await
}

#[derive(Deserialize)]
struct PeopleForm {
    #[serde(default)]
    people: String,
}

async fn add_people(state: AppState, auth: Auth, id: i64, f: PeopleForm, committee: bool) -> Response {
    match congress::add_people(&state, &auth.1, id, &f.people, committee).await {
        Ok(_) => Redirect::to(&format!("/admin/congress/{id}?msg=people")).into_response(),
        Err(e) => session_view(&state, &auth, id, e.status(), Some(e.to_string()), None).await,
    }
}

async fn add_delegates(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<PeopleForm>) -> Response {
    add_people(state, auth, id, f, false).await
}

async fn add_committee(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<PeopleForm>) -> Response {
    add_people(state, auth, id, f, true).await
}

#[derive(Deserialize)]
struct OpenForm {
    #[serde(default)]
    open: String,
}

async fn motions_open(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<OpenForm>) -> Response {
    match congress::set_motions_open(&state, &auth.1, id, f.open == "1").await {
        Ok(()) => Redirect::to(&format!("/admin/congress/{id}?msg=saved")).into_response(),
        Err(e) => error_page(&state, &auth, e),
    }
}

async fn submit_motion(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<MotionInput>) -> Response {
    match congress::submit(&state, &auth.1, id, &f).await {
        Ok(m) => Redirect::to(&format!("/admin/congress/motions/{m}?msg=submitted")).into_response(),
        Err(e) => session_view(&state, &auth, id, e.status(), Some(e.to_string()), None).await,
    }
}

async fn create_vote(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<VoteInput>) -> Response {
    match congress::create_vote(&state, &auth.1, id, &f).await {
        Ok(v) => Redirect::to(&format!("/admin/congress/votes/{v}?msg=vote")).into_response(),
        Err(e) => session_view(&state, &auth, id, e.status(), Some(e.to_string()), None).await,
    }
}

async fn motion_view(state: &AppState, auth: &Auth, id: i64, status: StatusCode, error: Option<String>, flash: Option<&str>) -> Response {
    let v = match congress::motion(state, &auth.1, id).await {
        Ok(v) => v,
        Err(e) => return error_page(state, auth, e),
    };
    let departments = super::ledgers::departments(state).await;
    let default_deadline = yuanxun_core::clock::format_date(yuanxun_core::clock::now() + 30 * 86_400);
    page_status(state, auth, "admin/congress_motion.html", status, context! { v, departments, default_deadline, error, flash })
}

async fn motion_page(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Query(q): Query<MsgQuery>) -> Response {
    motion_view(&state, &auth, id, StatusCode::OK, None, flash(q.msg.as_deref())).await
}

async fn decide(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<DecisionInput>) -> Response {
    match congress::decide(&state, &auth.1, id, &f).await {
        Ok(()) => Redirect::to(&format!("/admin/congress/motions/{id}?msg=decided")).into_response(),
        Err(e) => motion_view(&state, &auth, id, e.status(), Some(e.to_string()), None).await,
    }
}

#[derive(Deserialize)]
struct ReplyForm {
    #[serde(default)]
    reply: String,
}

async fn reply(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<ReplyForm>) -> Response {
    match congress::reply(&state, &auth.1, id, &f.reply).await {
        Ok(()) => Redirect::to(&format!("/admin/congress/motions/{id}?msg=replied")).into_response(),
        Err(e) => motion_view(&state, &auth, id, e.status(), Some(e.to_string()), None).await,
    }
}

#[derive(Deserialize)]
struct RateForm {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

async fn rate(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<RateForm>) -> Response {
    match congress::rate(&state, &auth.1, id, &f.rating, &f.comment).await {
        Ok(_) => Redirect::to(&format!("/admin/congress/motions/{id}?msg=rated")).into_response(),
        Err(e) => motion_view(&state, &auth, id, e.status(), Some(e.to_string()), None).await,
    }
}

async fn vote_view(state: &AppState, auth: &Auth, id: i64, status: StatusCode, error: Option<String>, flash: Option<&str>) -> Response {
    match congress::vote(state, &auth.1, id).await {
        Ok(v) => page_status(state, auth, "admin/congress_vote.html", status, context! { v, error, flash }),
        Err(e) => error_page(state, auth, e),
    }
}

async fn vote_page(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Query(q): Query<MsgQuery>) -> Response {
    vote_view(&state, &auth, id, StatusCode::OK, None, flash(q.msg.as_deref())).await
}

/// The attendance form sends one `present` field per delegate ticked.
async fn open_vote(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, body: Bytes) -> Response {
    let present: Vec<i64> = form_urlencoded::parse(&body).filter(|(k, _)| k == "present").filter_map(|(_, v)| v.parse().ok()).collect();
    match congress::open_vote(&state, &auth.1, id, &present).await {
        Ok(()) => Redirect::to(&format!("/admin/congress/votes/{id}?msg=opened")).into_response(),
        Err(e) => vote_view(&state, &auth, id, e.status(), Some(e.to_string()), None).await,
    }
}

#[derive(Deserialize)]
struct CastForm {
    #[serde(default)]
    choice: String,
}

async fn cast(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<CastForm>) -> Response {
    match congress::cast(&state, &auth.1, id, &f.choice).await {
        Ok(()) => Redirect::to(&format!("/admin/congress/votes/{id}?msg=cast")).into_response(),
        Err(e) => vote_view(&state, &auth, id, e.status(), Some(e.to_string()), None).await,
    }
}

async fn close_vote(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> Response {
    match congress::close_vote(&state, &auth.1, id).await {
        Ok(_) => Redirect::to(&format!("/admin/congress/votes/{id}?msg=closed")).into_response(),
        Err(e) => vote_view(&state, &auth, id, e.status(), Some(e.to_string()), None).await,
    }
}
