//! The pages that act on what the monitor found: alerts (预警) and where they are sent
//! (预警通道), incidents (舆情事件) from 发现 to 办结, the daily and weekly briefings
//! (舆情报告), and every user's notifications (消息).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use minijinja::context;
use serde::Deserialize;
use yuanxun_core::incident::IncidentState;
use yuanxun_monitor::AlertLevel;

use super::admin::{error_page, page_status};
use crate::auth::Auth;
use crate::services::alerts::{self, ChannelInput};
use crate::services::briefing::{self, Span};
use crate::services::incidents::{self, IncidentInput, RECORD_KINDS};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/monitor/alerts", get(alerts_page))
        .route("/admin/monitor/alerts/{id}/ack", post(ack))
        .route("/admin/monitor/channels", get(channels_page).post(create_channel))
        .route("/admin/monitor/channels/{id}", post(update_channel))
        .route("/admin/monitor/channels/{id}/test", post(test_channel))
        .route("/admin/monitor/briefing", get(briefing_page))
        .route("/admin/monitor/briefing.docx", get(briefing_docx))
        .route("/admin/incidents", get(incidents_page).post(create_incident))
        .route("/admin/incidents/{id}", get(incident_page).post(save_incident))
        .route("/admin/incidents/{id}/records", post(add_record))
        .route("/admin/incidents/{id}/items", post(add_item))
        .route("/admin/incidents/join", post(join))
        .route("/admin/incidents/{id}/statement", post(draft_statement))
        .route("/admin/notifications", get(notifications_page))
        .route("/admin/notifications/read", post(read_notifications))
}

#[derive(Deserialize, Default)]
struct MsgQuery {
    msg: Option<String>,
    #[serde(default)]
    all: String,
}

pub(super) fn levels() -> Vec<minijinja::Value> {
    AlertLevel::ALL.iter().map(|l| context! { key => l.key(), label => l.label() }).collect()
}

// ---------------------------------------------------------------- alerts

async fn alerts_page(State(state): State<AppState>, auth: Auth, Query(q): Query<MsgQuery>) -> Response {
    let open_only = q.all.is_empty();
    let list = match alerts::alerts(&state, &auth.1, open_only).await {
        Ok(l) => l,
        Err(e) => return error_page(&state, &auth, e),
    };
    let mut rows = Vec::new();
    for a in list {
        // Where an alert has not gone out yet, or failed, say so and why.
        let deliveries = if a.waiting > 0 || a.failed > 0 { alerts::deliveries(&state, &auth.1, a.id).await.unwrap_or_default() } else { Vec::new() };
        let level_label = AlertLevel::from_key(&a.level).map_or("", |l| l.label());
        rows.push(context! { level_label, deliveries, ..minijinja::Value::from_serialize(&a) });
    }
    let flash = (q.msg.as_deref() == Some("acked")).then_some("已标记为已知悉。");
    page_status(&state, &auth, "admin/monitor_alerts.html", StatusCode::OK, context! { alerts => rows, open_only, flash })
}

async fn ack(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> Response {
    match alerts::ack(&state, &auth.1, id).await {
        Ok(()) => Redirect::to("/admin/monitor/alerts?msg=acked").into_response(),
        Err(e) => error_page(&state, &auth, e),
    }
}

// ---------------------------------------------------------------- channels

async fn channels_view(state: &AppState, auth: &Auth, form: minijinja::Value, status: StatusCode, error: Option<String>, flash: Option<String>) -> Response {
    let channels = match alerts::channels(state, &auth.1).await {
        Ok(c) => c,
        Err(e) => return error_page(state, auth, e),
    };
    let smtp = state.config.smtp_url.is_some();
    page_status(state, auth, "admin/monitor_channels.html", status, context! { channels, c => form, kinds => alerts::KINDS, levels => levels(), smtp, error, flash })
}

fn channel_form(f: &ChannelInput) -> minijinja::Value {
    context! { name => f.name, kind => f.kind, target => f.target, secret => f.secret, min_level => f.min_level, quiet => f.quiet, enabled => !f.enabled.is_empty() }
}

async fn channels_page(State(state): State<AppState>, auth: Auth, Query(q): Query<MsgQuery>) -> Response {
    let flash = match q.msg.as_deref() {
        Some("saved") => Some("已保存。之后的预警将按此发送。".to_string()),
        Some("tested") => Some("测试消息已发出，请到群里或邮箱查看是否收到。".to_string()),
        _ => None,
    };
    let blank = context! { kind => "wecom", min_level => "orange", quiet => "22:00-07:30", enabled => true };
    channels_view(&state, &auth, blank, StatusCode::OK, None, flash).await
}

async fn create_channel(State(state): State<AppState>, auth: Auth, Form(f): Form<ChannelInput>) -> Response {
    match alerts::save_channel(&state, &auth.1, None, &f).await {
        Ok(_) => Redirect::to("/admin/monitor/channels?msg=saved").into_response(),
        Err(e) => channels_view(&state, &auth, channel_form(&f), e.status(), Some(e.to_string()), None).await,
    }
}

async fn update_channel(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<ChannelInput>) -> Response {
    match alerts::save_channel(&state, &auth.1, Some(id), &f).await {
        Ok(_) => Redirect::to("/admin/monitor/channels?msg=saved").into_response(),
        Err(e) => channels_view(&state, &auth, context! { kind => "wecom", min_level => "orange", enabled => true }, e.status(), Some(e.to_string()), None).await,
    }
}

async fn test_channel(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> Response {
    let blank = context! { kind => "wecom", min_level => "orange", enabled => true };
    match alerts::test_channel(&state, &auth.1, id).await {
        Ok(Ok(())) => Redirect::to("/admin/monitor/channels?msg=tested").into_response(),
        Ok(Err(why)) => channels_view(&state, &auth, blank, StatusCode::BAD_GATEWAY, Some(format!("测试消息没有发出：{why}")), None).await,
        Err(e) => error_page(&state, &auth, e),
    }
}

// ---------------------------------------------------------------- briefings

#[derive(Deserialize, Default)]
struct BriefingQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    date: String,
}

async fn briefing_page(State(state): State<AppState>, auth: Auth, Query(q): Query<BriefingQuery>) -> Response {
    match briefing::briefing(&state, &auth.1, Span::parse(&q.kind), Some(&q.date)).await {
        Ok(b) => page_status(&state, &auth, "admin/monitor_briefing.html", StatusCode::OK, context! { b }),
        Err(e) => error_page(&state, &auth, e),
    }
}

async fn briefing_docx(State(state): State<AppState>, auth: Auth, Query(q): Query<BriefingQuery>) -> Response {
    let b = match briefing::briefing(&state, &auth.1, Span::parse(&q.kind), Some(&q.date)).await {
        Ok(b) => b,
        Err(e) => return error_page(&state, &auth, e),
    };
    let name = state.site.name.clone();
    let kind = if b.span == Span::Weekly { "weekly" } else { "daily" };
    let (ascii, shown) = (format!("briefing-{kind}-{}.docx", b.date), format!("{}-{}.docx", b.title, b.date));
    match crate::heavy::run(move || briefing::docx(&b, &name)).await {
        Ok(Ok(bytes)) => super::attachment(bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", &ascii, &shown),
        Ok(Err(e)) => error_page(&state, &auth, e),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "生成 Word 文档失败").into_response(),
    }
}

// ---------------------------------------------------------------- incidents

/// The editors and chief editors who may own an incident.
pub(super) async fn owners(state: &AppState) -> Vec<minijinja::Value> {
    let Ok(mut c) = state.store.conn().await else { return Vec::new() };
    yuanxun_store::users::list(&mut c, state.site_id())
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|u| u.active && u.role.runs_outlets() && u.role != yuanxun_core::Role::Admin)
        .map(|u| context! { id => u.id, name => format!("{}（{}）", u.display_name, u.role.label()) })
        .collect()
}

async fn incidents_view(state: &AppState, auth: &Auth, all: bool, form: minijinja::Value, status: StatusCode, error: Option<String>) -> Response {
    let rows = match incidents::list(state, &auth.1, !all).await {
        Ok(r) => r,
        Err(e) => return error_page(state, auth, e),
    };
    page_status(state, auth, "admin/incidents.html", status, context! { incidents => rows, all, f => form, levels => levels(), owners => owners(state).await, error })
}

async fn incidents_page(State(state): State<AppState>, auth: Auth, Query(q): Query<MsgQuery>) -> Response {
    incidents_view(&state, &auth, !q.all.is_empty(), context! { level => "yellow", owner => auth.1.user.id }, StatusCode::OK, None).await
}

#[derive(Deserialize, Default)]
struct IncidentForm {
    #[serde(flatten)]
    input: IncidentInput,
    /// The item it starts from (the item page's 立为事件).
    #[serde(default)]
    item: Option<String>,
    /// A move to take after saving (the page's buttons).
    #[serde(default)]
    action: Option<String>,
}

fn incident_form(f: &IncidentInput) -> minijinja::Value {
    context! { title => f.title, level => f.level, owner => f.owner.parse::<i64>().ok(), deadline => f.deadline, assessment => f.assessment, summary => f.summary }
}

async fn create_incident(State(state): State<AppState>, auth: Auth, Form(f): Form<IncidentForm>) -> Response {
    let items: Vec<i64> = f.item.as_deref().and_then(|s| s.parse().ok()).into_iter().collect();
    match incidents::create(&state, &auth.1, &f.input, &items).await {
        Ok(id) => Redirect::to(&format!("/admin/incidents/{id}?msg=created")).into_response(),
        Err(e) => incidents_view(&state, &auth, false, incident_form(&f.input), e.status(), Some(e.to_string())).await,
    }
}

async fn incident_view(state: &AppState, auth: &Auth, id: i64, form: Option<minijinja::Value>, status: StatusCode, error: Option<String>, flash: Option<&str>) -> Response {
    let v = match incidents::view(state, &auth.1, id).await {
        Ok(v) => v,
        Err(e) => return error_page(state, auth, e),
    };
    let i = &v.incident;
    let form = form.unwrap_or_else(|| {
        context! { title => i.title, level => i.level, owner => i.owner_id, deadline => i.deadline.map(yuanxun_core::clock::format_local_input).unwrap_or_default(), assessment => i.assessment, summary => i.summary }
    });
    let channels = match state.store.conn().await {
        Ok(mut c) => yuanxun_store::sites::list_channels(&mut c, state.site_id()).await.unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    // A statement most often goes under notices (通知公告) when the site has them.
    let default_channel = channels.iter().find(|c| c.name.contains("公告") || c.name.contains("通知")).or(channels.first()).map(|c| c.id);
    let channels: Vec<_> = channels.iter().map(|c| context! { id => c.id, name => c.name }).collect();
    let closed = v.incident.state == IncidentState::Closed.code();
    // The rectifications it gave rise to, and the departments for registering one.
    let rectifications = crate::services::ledgers::of_incident(state, &auth.1, id).await.unwrap_or_default();
    let departments = super::ledgers::departments(state).await;
    page_status(
        state,
        auth,
        "admin/incident.html",
        status,
        context! { v, f => form, levels => levels(), owners => owners(state).await, record_kinds => RECORD_KINDS, channels, default_channel, closed, rectifications, departments, error, flash },
    )
}

async fn incident_page(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Query(q): Query<MsgQuery>) -> Response {
    let flash = match q.msg.as_deref() {
        Some("created") => Some("舆情事件已建立。请指定负责人并开始研判。"),
        Some("saved") => Some("已保存。"),
        Some("recorded") => Some("记录已添加。"),
        Some("item") => Some("已关联。"),
        _ => None,
    };
    incident_view(&state, &auth, id, None, StatusCode::OK, None, flash).await
}

async fn save_incident(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<IncidentForm>) -> Response {
    match incidents::save(&state, &auth.1, id, &f.input, f.action.as_deref()).await {
        Ok(_) => Redirect::to(&format!("/admin/incidents/{id}?msg=saved")).into_response(),
        Err(e) => incident_view(&state, &auth, id, Some(incident_form(&f.input)), e.status(), Some(e.to_string()), None).await,
    }
}

#[derive(Deserialize)]
struct RecordForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    text: String,
}

async fn add_record(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<RecordForm>) -> Response {
    match incidents::record(&state, &auth.1, id, &f.kind, &f.text).await {
        Ok(()) => Redirect::to(&format!("/admin/incidents/{id}?msg=recorded")).into_response(),
        Err(e) => incident_view(&state, &auth, id, None, e.status(), Some(e.to_string()), None).await,
    }
}

#[derive(Deserialize)]
struct ItemForm {
    #[serde(default)]
    item: String,
}

async fn add_item(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<ItemForm>) -> Response {
    let item = f.item.trim().trim_start_matches('#').parse::<i64>();
    let result = match item {
        Ok(item) => incidents::add_item(&state, &auth.1, id, item).await,
        Err(_) => Err(crate::ServiceError::Invalid("请填写舆情信息的编号（列表中 # 后的数字）".into())),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/admin/incidents/{id}?msg=item")).into_response(),
        Err(e) => incident_view(&state, &auth, id, None, e.status(), Some(e.to_string()), None).await,
    }
}

#[derive(Deserialize)]
struct JoinForm {
    #[serde(default)]
    incident: String,
    #[serde(default)]
    item: String,
}

/// The item page's 加入在办事件: the incident is chosen in the form.
async fn join(State(state): State<AppState>, auth: Auth, Form(f): Form<JoinForm>) -> Response {
    let (Ok(id), Ok(item)) = (f.incident.parse::<i64>(), f.item.parse::<i64>()) else {
        return error_page(&state, &auth, crate::ServiceError::Invalid("请选择要加入的事件".into()));
    };
    match incidents::add_item(&state, &auth.1, id, item).await {
        Ok(()) => Redirect::to(&format!("/admin/incidents/{id}?msg=item")).into_response(),
        Err(e) => error_page(&state, &auth, e),
    }
}

#[derive(Deserialize)]
struct StatementForm {
    #[serde(default)]
    channel: String,
}

async fn draft_statement(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<StatementForm>) -> Response {
    let Ok(channel) = f.channel.parse::<i64>() else {
        return incident_view(&state, &auth, id, None, StatusCode::UNPROCESSABLE_ENTITY, Some("请选择回应稿发布的栏目".into()), None).await;
    };
    match incidents::draft_statement(&state, &auth.1, id, channel).await {
        Ok(m) => Redirect::to(&format!("/admin/manuscripts/{m}/edit")).into_response(),
        Err(e) => incident_view(&state, &auth, id, None, e.status(), Some(e.to_string()), None).await,
    }
}

// ---------------------------------------------------------------- notifications

async fn notifications_page(State(state): State<AppState>, auth: Auth) -> Response {
    match crate::services::notifications::list(&state, &auth.1).await {
        Ok(list) => page_status(&state, &auth, "admin/notifications.html", StatusCode::OK, context! { list }),
        Err(e) => error_page(&state, &auth, e),
    }
}

#[derive(Deserialize)]
struct ReadForm {
    /// One notification, or all when absent.
    #[serde(default)]
    id: Option<String>,
    /// Where to go afterwards (the notification's link), only within the newsroom.
    #[serde(default)]
    next: Option<String>,
}

async fn read_notifications(State(state): State<AppState>, auth: Auth, Form(f): Form<ReadForm>) -> Response {
    let id = f.id.as_deref().and_then(|s| s.parse().ok());
    match crate::services::notifications::read(&state, &auth.1, id).await {
        Ok(_) => {
            let next = f.next.filter(|n| n.starts_with("/admin/") && !n.starts_with("//")).unwrap_or_else(|| "/admin/notifications".into());
            Redirect::to(&next).into_response()
        }
        Err(e) => error_page(&state, &auth, e),
    }
}
