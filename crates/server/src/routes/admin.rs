//! The newsroom UI at `/admin`. Handlers parse forms, call the services and render; a failed
//! save re-renders the form with what the user typed.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use axum_extra::extract::cookie::CookieJar;
use minijinja::{context, Environment, Value};
use serde::Deserialize;
use yuanxun_core::{clock, role, Role};
use yuanxun_store::{sites, users, Media};

use crate::auth::{cookie, is_https, random_token, Auth, ClientIp, CSRF_COOKIE, SESSION_COOKIE};
use crate::services::manuscripts::{self as ms, ManuscriptInput, Verdict};
use crate::services::{accounts, admin as adm, audit_log, checks};
use yuanxun_check::highlight::{self, Mark};
use yuanxun_check::{Category, Severity};
use crate::{AppState, ServiceError};

const FILES: &[(&str, &str)] = &[
    ("admin/base.html", include_str!("../../templates/admin/base.html")),
    ("admin/login.html", include_str!("../../templates/admin/login.html")),
    ("admin/manuscripts.html", include_str!("../../templates/admin/manuscripts.html")),
    ("admin/edit.html", include_str!("../../templates/admin/edit.html")),
    ("admin/manuscript.html", include_str!("../../templates/admin/manuscript.html")),
    ("admin/outlets.html", include_str!("../../templates/admin/outlets.html")),
    ("admin/outlet.html", include_str!("../../templates/admin/outlet.html")),
    ("admin/outlet_fields.html", include_str!("../../templates/admin/outlet_fields.html")),
    ("admin/work.html", include_str!("../../templates/admin/work.html")),
    ("admin/monitor.html", include_str!("../../templates/admin/monitor.html")),
    ("admin/monitor_item.html", include_str!("../../templates/admin/monitor_item.html")),
    ("admin/monitor_sources.html", include_str!("../../templates/admin/monitor_sources.html")),
    ("admin/monitor_source.html", include_str!("../../templates/admin/monitor_source.html")),
    ("admin/monitor_source_fields.html", include_str!("../../templates/admin/monitor_source_fields.html")),
    ("admin/monitor_rules.html", include_str!("../../templates/admin/monitor_rules.html")),
    ("admin/monitor_rule_test.html", include_str!("../../templates/admin/monitor_rule_test.html")),
    ("admin/monitor_nav.html", include_str!("../../templates/admin/monitor_nav.html")),
    ("admin/monitor_alerts.html", include_str!("../../templates/admin/monitor_alerts.html")),
    ("admin/monitor_channels.html", include_str!("../../templates/admin/monitor_channels.html")),
    ("admin/monitor_channel_fields.html", include_str!("../../templates/admin/monitor_channel_fields.html")),
    ("admin/monitor_briefing.html", include_str!("../../templates/admin/monitor_briefing.html")),
    ("admin/incidents.html", include_str!("../../templates/admin/incidents.html")),
    ("admin/incident.html", include_str!("../../templates/admin/incident.html")),
    ("admin/notifications.html", include_str!("../../templates/admin/notifications.html")),
    ("admin/ledger_nav.html", include_str!("../../templates/admin/ledger_nav.html")),
    ("admin/responsibilities.html", include_str!("../../templates/admin/responsibilities.html")),
    ("admin/meetings.html", include_str!("../../templates/admin/meetings.html")),
    ("admin/meeting.html", include_str!("../../templates/admin/meeting.html")),
    ("admin/meeting_fields.html", include_str!("../../templates/admin/meeting_fields.html")),
    ("admin/rectifications.html", include_str!("../../templates/admin/rectifications.html")),
    ("admin/rectification.html", include_str!("../../templates/admin/rectification.html")),
    ("admin/rectification_fields.html", include_str!("../../templates/admin/rectification_fields.html")),
    ("admin/congress.html", include_str!("../../templates/admin/congress.html")),
    ("admin/congress_session.html", include_str!("../../templates/admin/congress_session.html")),
    ("admin/congress_motion.html", include_str!("../../templates/admin/congress_motion.html")),
    ("admin/congress_vote.html", include_str!("../../templates/admin/congress_vote.html")),
    ("admin/import.html", include_str!("../../templates/admin/import.html")),
    ("admin/wechat.html", include_str!("../../templates/admin/wechat.html")),
    ("admin/points.html", include_str!("../../templates/admin/points.html")),
    ("admin/standings.html", include_str!("../../templates/admin/standings.html")),
    ("admin/report.html", include_str!("../../templates/admin/report.html")),
    ("admin/diff.html", include_str!("../../templates/admin/diff.html")),
    ("admin/users.html", include_str!("../../templates/admin/users.html")),
    ("admin/departments.html", include_str!("../../templates/admin/departments.html")),
    ("admin/channels.html", include_str!("../../templates/admin/channels.html")),
    ("admin/audit.html", include_str!("../../templates/admin/audit.html")),
    ("admin/password.html", include_str!("../../templates/admin/password.html")),
    ("admin/error.html", include_str!("../../templates/admin/error.html")),
    ("admin/lexicon.html", include_str!("../../templates/admin/lexicon.html")),
    ("admin/theme.html", include_str!("../../templates/admin/theme.html")),
];

/// The newsroom templates.
pub fn templates() -> Environment<'static> {
    let mut env = Environment::new();
    for (name, src) in FILES {
        env.add_template(name, src).expect("admin templates parse");
    }
    env.add_filter("minute", |ts: i64| clock::format_minute(ts));
    env.add_filter("date", |ts: i64| clock::format_date(ts));
    // A text's non-empty lines, for paragraphs of what people typed.
    env.add_filter("lines", |s: String| s.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect::<Vec<_>>());
    env.add_global("admin_css", admin_css().path.clone());
    env.add_global("admin_js", admin_js().path.clone());
    env
}

/// The newsroom's script (every page's behaviour, no inline script), under its hashed name.
pub fn admin_js() -> &'static yuanxun_site::Asset {
    static JS: std::sync::OnceLock<yuanxun_site::Asset> = std::sync::OnceLock::new();
    JS.get_or_init(|| yuanxun_site::Asset::new("admin", "js", include_str!("../../static/admin.js"), "text/javascript; charset=utf-8"))
}

/// The newsroom's stylesheet, under its hashed name.
pub fn admin_css() -> &'static yuanxun_site::Asset {
    static CSS: std::sync::OnceLock<yuanxun_site::Asset> = std::sync::OnceLock::new();
    CSS.get_or_init(|| yuanxun_site::Asset::new("admin", "css", include_str!("../../static/admin.css"), "text/css; charset=utf-8"))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(home))
        .route("/admin/login", get(login_page).post(login))
        .route("/admin/logout", post(logout))
        .route("/admin/password", get(password_page).post(password))
        .route("/admin/manuscripts", get(list).post(create))
        .route("/admin/manuscripts/new", get(new_page))
        .route("/admin/manuscripts/import", post(import))
        .route("/admin/manuscripts/{id}", get(show))
        .route("/admin/manuscripts/{id}/edit", get(edit_page).post(edit))
        .route("/admin/manuscripts/{id}/submit", post(submit))
        .route("/admin/manuscripts/{id}/withdraw", post(withdraw))
        .route("/admin/manuscripts/{id}/decide", post(decide))
        .route("/admin/manuscripts/{id}/publish", post(publish))
        .route("/admin/manuscripts/{id}/retract", post(retract))
        .route("/admin/manuscripts/{id}/correction", post(correct))
        .route("/admin/manuscripts/{id}/media", post(upload_media))
        .route("/admin/manuscripts/{id}/media/{media_id}", post(change_media))
        .route("/admin/manuscripts/{id}/corrections/{correction_id}/approve", post(approve_correction))
        .route("/admin/manuscripts/{id}/corrections/{correction_id}/decline", post(decline_correction))
        .route("/admin/manuscripts/{id}/diff", get(diff))
        .route("/admin/manuscripts/{id}/check/accept", post(check_accept))
        .route("/admin/manuscripts/{id}/check/dismiss", post(check_dismiss))
        .route("/admin/manuscripts/{id}/check/restore", post(check_restore))
        .route("/admin/lexicon", get(lexicon_page))
        .route("/admin/lexicon/items", post(lexicon_add))
        .route("/admin/lexicon/items/{id}", post(lexicon_edit))
        .route("/admin/lexicon/items/{id}/delete", post(lexicon_delete))
        .route("/admin/lexicon/proposals/{id}", post(lexicon_decide))
        .route("/admin/lexicon/leaders", post(leader_add))
        .route("/admin/lexicon/leaders/{id}", post(leader_edit))
        .route("/admin/lexicon/leaders/{id}/delete", post(leader_delete))
        .route("/admin/review", get(review))
        .route("/admin/users", get(users_page).post(create_user))
        .route("/admin/users/import", post(import_people))
        .route("/admin/theme", get(theme_page))
        .route("/admin/theme/reload", post(theme_reload))
        .route("/admin/users/{id}", get(user_page).post(update_user))
        .route("/admin/users/{id}/unlock", post(unlock_user))
        .route("/admin/departments", get(departments_page).post(create_department))
        .route("/admin/departments/{id}", post(rename_department))
        .route("/admin/departments/{id}/grid", post(assign_grid))
        .route("/admin/grids", post(create_grid))
        .route("/admin/grids/{id}", post(update_grid))
        .route("/admin/channels", get(channels_page).post(create_channel))
        .route("/admin/channels/{id}", post(update_channel))
        .route("/admin/audit", get(audit_page))
        .route("/admin/audit.xlsx", get(audit_xlsx))
        .route("/admin/audit.csv", get(audit_csv))
}

fn me(auth: &Auth) -> Value {
    let u = &auth.0.user;
    context! {
        display_name => u.display_name,
        role_label => u.role.label(),
        writes => u.role.writes(),
        reviews => u.review_level.is_some() || u.role == Role::ChiefEditor || u.role.publishes(),
        admin => u.role.administers(),
        accounts => u.role.manages_accounts(),
        audit => u.role.reads_audit(),
        lexicon => checks::may_edit_lexicons(u.role),
        outlets => u.role.runs_outlets(),
        unread => auth.0.unread,
    }
}

pub(super) fn render(state: &AppState, name: &str, status: StatusCode, ctx: Value) -> Response {
    let full = context! { site => &*state.site, ..ctx };
    match state.templates.get_template(name).and_then(|t| t.render(full)) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!("admin template {name} failed: {e:#}");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面渲染失败，请联系系统管理员").into_response()
        }
    }
}

/// A page for a signed-in user: adds `me` and `csrf`.
pub(super) fn page(state: &AppState, auth: &Auth, name: &str, ctx: Value) -> Response {
    page_status(state, auth, name, StatusCode::OK, ctx)
}

pub(super) fn page_status(state: &AppState, auth: &Auth, name: &str, status: StatusCode, ctx: Value) -> Response {
    // Admins see a broken theme folder on every page until it is fixed.
    let admin = auth.0.user.role.administers();
    let theme_error = admin.then(|| state.theme.error()).flatten().map(|e| e.to_string());
    let tamper: Vec<String> = if admin { state.tamper.read().unwrap_or_else(|e| e.into_inner()).clone() } else { Vec::new() };
    render(state, name, status, context! { me => me(auth), csrf => auth.0.csrf_token, theme_error, tamper, ..ctx })
}

pub(super) fn error_page(state: &AppState, auth: &Auth, e: ServiceError) -> Response {
    let heading = match e.status() {
        StatusCode::FORBIDDEN => "没有权限",
        StatusCode::NOT_FOUND => "没有找到",
        StatusCode::CONFLICT => "操作未完成",
        _ => "出错了",
    };
    page_status(state, auth, "admin/error.html", e.status(), context! { heading, message => e.to_string() })
}

/// The choices of an outside outlet's answer, for forms.
pub(super) fn adoption_choices() -> Vec<Value> {
    options(yuanxun_core::outlet::Adoption::choices())
}

/// (code, label) pairs as the `<option>`s of a form: `{code, label}` each.
/// The site's departments and its active people (as `{id, name}`), for the forms that
/// pick one.
pub(super) async fn departments_and_people(state: &AppState) -> (Vec<yuanxun_store::Department>, Vec<Value>) {
    let (depts, people) = match state.store.conn().await {
        Ok(mut c) => (sites::list_departments(&mut c, state.site_id()).await.unwrap_or_default(), users::list(&mut c, state.site_id()).await.unwrap_or_default()),
        Err(_) => Default::default(),
    };
    (depts, people.into_iter().filter(|u| u.active).map(|u| minijinja::context! { id => u.id, name => u.display_name }).collect())
}

pub(super) fn options(pairs: impl Iterator<Item = (&'static str, &'static str)>) -> Vec<Value> {
    pairs.map(|(code, label)| context! { code, label }).collect()
}

fn flash_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "password_expired" => "您的密码已到期，请先修改密码，再继续使用。",
        "created" => "稿件已保存为草稿。",
        "saved" => "已保存为新版本。",
        "imported" => "已从 Word 导入，请核对内容后提交审核。",
        "submitted" => "已提交审核。",
        "withdrawn" => "已撤回，稿件回到草稿状态。",
        "approve" => "已审核通过。",
        "return" => "已退回作者修改。",
        "reject" => "已驳回。",
        "published" => "已发布到网站。",
        "scheduled" => "已设置定时发布。",
        "retracted" => "已撤稿，文章地址将显示“已撤下”。",
        "corrected" => "更正已生效，网站和站内搜索已更新，文章下方显示更正说明。",
        "correction_proposed" => "更正已提交，总编辑批准后才会在网站生效。",
        "correction_declined" => "已退回这份更正，提出人会收到理由。",
        "media_changed" => "已保存为新版本。",
        "unlocked" => "已解除登录锁定。",
        "lexicon_proposed" => "这项修改会放宽审校（今后少报出问题），已提请总编辑批准，批准后生效。",
        "lexicon_accepted" => "已批准，词库已修改，下一次审校即生效。",
        "lexicon_declined" => "已退回这项提请，词库未改动。",
        "theme" => "已重新加载网站主题，公众网站已使用新版本。",
        "uploaded" => "已上传。",
        "password" => "密码已修改。",
        "user" => "用户已保存。",
        "saved_item" => "已保存。",
        "accepted" => "已采纳建议，保存为新版本。",
        "dismissed" => "已忽略这条提示，理由已记录。",
        "restored" => "已恢复这条提示。",
        "deleted" => "已删除。",
        "distributed" => "已登记分发。",
        "reviewed" => "已记录本次检查。",
        _ => return None,
    })
}

#[derive(Deserialize, Default)]
pub(super) struct Msg {
    msg: Option<String>,
}

impl Msg {
    pub(super) fn text(&self) -> Option<&'static str> {
        self.msg.as_deref().and_then(flash_text)
    }
}

// ----- sign in -----

#[derive(Deserialize, Default)]
struct LoginQuery {
    next: Option<String>,
}

async fn login_page(State(state): State<AppState>, jar: CookieJar, headers: axum::http::HeaderMap, Query(q): Query<LoginQuery>) -> Response {
    let token = jar.get(CSRF_COOKIE).map(|c| c.value().to_string()).unwrap_or_else(random_token);
    let jar = jar.add(cookie(CSRF_COOKIE, token.clone(), is_https(&state, &headers), None));
    let resp = render(&state, "admin/login.html", StatusCode::OK, context! { csrf => token, next => q.next.unwrap_or_default(), username => "" });
    (jar, resp).into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

async fn login(State(state): State<AppState>, jar: CookieJar, headers: axum::http::HeaderMap, Extension(ip): Extension<ClientIp>, Form(f): Form<LoginForm>) -> Response {
    match accounts::login(&state, &f.username, &f.password, &ip.0).await {
        Ok(s) => {
            let secure = is_https(&state, &headers);
            let jar = jar.add(cookie(SESSION_COOKIE, s.token, secure, Some(crate::auth::SESSION_SECONDS)));
            let next = if f.next.starts_with("/admin") && !f.next.starts_with("//") { f.next } else { "/admin".into() };
            (jar, Redirect::to(&next)).into_response()
        }
        Err(e) => {
            let csrf = jar.get(CSRF_COOKIE).map(|c| c.value().to_string()).unwrap_or_default();
            render(&state, "admin/login.html", e.status(), context! { csrf, next => f.next, username => f.username, error => e.to_string() })
        }
    }
}

async fn logout(State(state): State<AppState>, jar: CookieJar, auth: Auth) -> Response {
    if let Some(c) = jar.get(SESSION_COOKIE) {
        if let Err(e) = accounts::logout(&state, &auth.1, c.value()).await {
            return error_page(&state, &auth, e);
        }
    }
    (jar.remove(axum_extra::extract::cookie::Cookie::build(SESSION_COOKIE).path("/")), Redirect::to("/admin/login")).into_response()
}

async fn password_page(State(state): State<AppState>, auth: Auth, Query(m): Query<Msg>) -> Response {
    page(&state, &auth, "admin/password.html", context! { flash => m.text() })
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

async fn password(State(state): State<AppState>, auth: Auth, Form(f): Form<PasswordForm>) -> Response {
    match accounts::change_password(&state, &auth.1, auth.0.id, &f.current, &f.new, &f.confirm).await {
        Ok(()) => Redirect::to("/admin/password?msg=password").into_response(),
        Err(e) => page_status(&state, &auth, "admin/password.html", e.status(), context! { error => e.to_string() }),
    }
}

// ----- manuscripts -----

async fn home(auth: Auth) -> Response {
    let r = auth.0.user.role;
    let to = match r {
        Role::Admin => "/admin/departments",
        Role::SecurityAdmin => "/admin/users",
        Role::Auditor => "/admin/audit",
        Role::Reviewer => "/admin/review",
        _ => "/admin/manuscripts",
    };
    Redirect::to(to).into_response()
}

async fn list(State(state): State<AppState>, auth: Auth, Query(m): Query<Msg>) -> Response {
    let sees_all = auth.0.user.role.sees_all_manuscripts();
    match ms::list(&state, &auth.1, false).await {
        Ok(items) => {
            let heading = if sees_all { "全部稿件" } else { "我的稿件" };
            page(&state, &auth, "admin/manuscripts.html", context! { heading, sections => vec![context! { title => heading, items }], flash => m.text() })
        }
        Err(e) => error_page(&state, &auth, e),
    }
}

async fn review(State(state): State<AppState>, auth: Auth) -> Response {
    match ms::queue(&state, &auth.1).await {
        Ok((waiting, approved)) => {
            let mut sections = vec![context! { title => "待我审核", items => waiting }];
            if auth.0.user.role.publishes() {
                sections.push(context! { title => "已通过待发布", items => approved });
            }
            page(&state, &auth, "admin/manuscripts.html", context! { heading => "审核工作台", sections })
        }
        Err(e) => error_page(&state, &auth, e),
    }
}

async fn form_lists(state: &AppState, auth: &Auth) -> (Vec<yuanxun_store::Channel>, Vec<yuanxun_store::Department>) {
    let Ok(mut c) = state.store.conn().await else { return (Vec::new(), Vec::new()) };
    let chans = sites::list_channels(&mut c, state.site_id()).await.unwrap_or_default();
    // Correspondents write for their own department only: no choice to show.
    let depts = if auth.0.user.role == Role::Correspondent { Vec::new() } else { sites::list_departments(&mut c, state.site_id()).await.unwrap_or_default() };
    (chans, depts)
}

/// The editor page; `media` is the manuscript's media, whose photos it offers for insertion.
#[allow(clippy::too_many_arguments)]
async fn editor(state: &AppState, auth: &Auth, id: Option<i64>, base_revision: i64, form: &ManuscriptInput, media: &[Media], status: StatusCode, error: Option<String>) -> Response {
    let (channels, departments) = form_lists(state, auth).await;
    let images: Vec<_> = media.iter().filter(|m| m.kind == "image").map(|m| context! { url => ms::media_url(m), caption => m.caption.clone(), name => m.file_name.clone() }).collect();
    page_status(state, auth, "admin/edit.html", status, context! { id, base_revision, form, channels, departments, error, images })
}

async fn new_page(State(state): State<AppState>, auth: Auth) -> Response {
    let form = ManuscriptInput { department_id: auth.0.user.department_id, ..Default::default() };
    editor(&state, &auth, None, 0, &form, &[], StatusCode::OK, None).await
}

#[derive(Deserialize)]
struct EditForm {
    title: String,
    #[serde(default)]
    subtitle: String,
    channel_id: i64,
    #[serde(default)]
    department_id: Option<i64>,
    #[serde(default)]
    authors: String,
    #[serde(default)]
    photographers: String,
    #[serde(default)]
    body_html: String,
    #[serde(default)]
    base_revision: Option<i64>,
}

impl EditForm {
    fn input(&self) -> ManuscriptInput {
        ManuscriptInput {
            title: self.title.clone(),
            subtitle: self.subtitle.clone(),
            channel_id: self.channel_id,
            department_id: self.department_id,
            authors: self.authors.clone(),
            photographers: self.photographers.clone(),
            body_html: self.body_html.clone(),
        }
    }
}

async fn create(State(state): State<AppState>, auth: Auth, Form(f): Form<EditForm>) -> Response {
    let input = f.input();
    match ms::create(&state, &auth.1, &input).await {
        Ok(m) => Redirect::to(&format!("/admin/manuscripts/{}?msg=created", m.id)).into_response(),
        Err(e) => editor(&state, &auth, None, 0, &input, &[], e.status(), Some(e.to_string())).await,
    }
}

async fn edit_page(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> Response {
    match ms::view(&state, &auth.1, id).await {
        Ok(v) if v.can.edit => {
            let form = ManuscriptInput::from(&v.manuscript);
            editor(&state, &auth, Some(id), v.manuscript.revision, &form, &v.media, StatusCode::OK, None).await
        }
        Ok(v) => error_page(&state, &auth, ServiceError::Forbidden(format!("稿件{}，不能修改", v.status_label))),
        Err(e) => error_page(&state, &auth, e),
    }
}

async fn edit(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<EditForm>) -> Response {
    let input = f.input();
    match ms::update(&state, &auth.1, id, &input, f.base_revision).await {
        Ok(_) => Redirect::to(&format!("/admin/manuscripts/{id}?msg=saved")).into_response(),
        Err(e) => {
            let media = ms::view(&state, &auth.1, id).await.map(|v| v.media).unwrap_or_default();
            editor(&state, &auth, Some(id), f.base_revision.unwrap_or(0), &input, &media, e.status(), Some(e.to_string())).await
        }
    }
}

async fn show(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Query(msg): Query<Msg>) -> Response {
    let v = match ms::view(&state, &auth.1, id).await {
        Ok(v) => v,
        Err(e) => return error_page(&state, &auth, e),
    };
    let mut value = serde_json::to_value(&v).unwrap_or_default();
    if let Some(list) = value.get_mut("media").and_then(|m| m.as_array_mut()) {
        for (item, m) in list.iter_mut().zip(&v.media) {
            item["url"] = ms::media_url(m).into();
        }
    }
    if let Some(list) = value.get_mut("decisions").and_then(|m| m.as_array_mut()) {
        for (item, d) in list.iter_mut().zip(&v.decisions) {
            let lv = role::level_label(d.level as u8, d.levels as u8);
            item["label"] = match d.action.as_str() {
                "submit" => "提交审核".to_string(),
                "edit" => "送审后修改，重新送审".to_string(),
                "approve" => format!("{lv}通过"),
                "return" => format!("{lv}退回修改"),
                "reject" => format!("{lv}驳回"),
                other => other.to_string(),
            }
            .into();
        }
    }
    let level_label = v.manuscript.status.pending_level().map(|(l, n)| role::level_label(l, n)).unwrap_or_default();
    let final_level = v.manuscript.status.pending_level().is_some_and(|(l, n)| l == n);
    let scheduled_input = v.manuscript.scheduled_at.map(clock::format_local_input).unwrap_or_default();
    let check = match checks::current_of(&state, &v.manuscript).await {
        Ok(c) => c,
        Err(e) => return error_page(&state, &auth, e),
    };
    let marks = |field: checks::Field| -> Vec<Mark> {
        check.items.iter().filter(|i| i.field == field && i.dismissed.is_none()).map(|i| Mark { start: i.finding.byte_start, end: i.finding.byte_end, id: i.id, severity: i.finding.severity }).collect()
    };
    let m = &v.manuscript;
    let marked = context! {
        title => highlight::mark_text(&m.title, &marks(checks::Field::Title)),
        subtitle => highlight::mark_text(&m.subtitle, &marks(checks::Field::Subtitle)),
        body => highlight::mark_html(&m.body_html, &marks(checks::Field::Body)),
    };
    let u = &auth.0.user;
    let judge = context! { any => checks::may_dismiss(u.role, Severity::Warn), block => checks::may_dismiss(u.role, Severity::Block) };
    let flash = msg.text();
    // Where the published story went (分发与上报), for the publicity staff.
    let (dists, outlet_choices) = match (&v.article, u.role.runs_outlets()) {
        (Some(a), true) => (
            crate::services::outlets::of_article(&state, &auth.1, a.id).await.unwrap_or_default(),
            crate::services::outlets::list(&state, &auth.1).await.unwrap_or_default().into_iter().filter(|o| o.outlet.status != "closed").collect(),
        ),
        _ => (Vec::new(), Vec::new()),
    };
    let today = clock::format_date(clock::now());
    // Each correction with its status in words and, while it waits, what the check found.
    let corrections: Vec<Value> = v
        .corrections
        .iter()
        .map(|c| {
            let status_label = match c.status.as_str() {
                "pending" => "待批准",
                "approved" => "已生效",
                _ => "已退回",
            };
            let findings: Vec<checks::Item> = match serde_json::from_str::<checks::ManuscriptCheck>(&c.report) {
                Ok(r) if c.status == "pending" => r.items.into_iter().filter(|i| i.dismissed.is_none() && i.finding.severity != Severity::Info).collect(),
                _ => Vec::new(),
            };
            context! { status_label, findings, ..Value::from_serialize(c) }
        })
        .collect();
    page(&state, &auth, "admin/manuscript.html", context! { v => Value::from_serialize(&value), corrections, level_label, final_level, scheduled_input, flash, check, marked, judge, dists, outlet_choices, today, adoptions => adoption_choices() })
}

#[derive(Deserialize)]
struct DismissForm {
    key: String,
    #[serde(default)]
    reason: String,
}

async fn check_dismiss(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<DismissForm>) -> Response {
    match checks::dismiss(&state, &auth.1, id, &f.key, &f.reason).await {
        Ok(_) => Redirect::to(&format!("/admin/manuscripts/{id}?msg=dismissed#check")).into_response(),
        Err(e) => error_page(&state, &auth, e),
    }
}

async fn check_restore(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<DismissForm>) -> Response {
    match checks::restore(&state, &auth.1, id, &f.key).await {
        Ok(_) => Redirect::to(&format!("/admin/manuscripts/{id}?msg=restored#check")).into_response(),
        Err(e) => error_page(&state, &auth, e),
    }
}

async fn check_accept(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<checks::Accept>) -> Response {
    match checks::accept(&state, &auth.1, id, &f).await {
        Ok(_) => Redirect::to(&format!("/admin/manuscripts/{id}?msg=accepted#check")).into_response(),
        Err(e) => error_page(&state, &auth, e),
    }
}

fn after(state: &AppState, auth: &Auth, id: i64, r: Result<yuanxun_store::Manuscript, ServiceError>, msg: &str) -> Response {
    match r {
        Ok(_) => Redirect::to(&format!("/admin/manuscripts/{id}?msg={msg}")).into_response(),
        Err(e) => error_page(state, auth, e),
    }
}

async fn submit(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> Response {
    let r = ms::submit(&state, &auth.1, id).await;
    after(&state, &auth, id, r, "submitted")
}

async fn withdraw(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> Response {
    let r = ms::withdraw(&state, &auth.1, id).await;
    after(&state, &auth, id, r, "withdrawn")
}

#[derive(Deserialize)]
struct DecideForm {
    verdict: Verdict,
    #[serde(default)]
    comment: String,
    revision: Option<i64>,
    #[serde(default)]
    override_reason: String,
}

async fn decide(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<DecideForm>) -> Response {
    let r = ms::decide(&state, &auth.1, id, f.verdict, &f.comment, f.revision, &f.override_reason).await;
    let msg = match f.verdict {
        Verdict::Approve => "approve",
        Verdict::Return => "return",
        Verdict::Reject => "reject",
    };
    after(&state, &auth, id, r, msg)
}

#[derive(Deserialize)]
struct PublishForm {
    #[serde(default)]
    at: String,
}

async fn publish(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<PublishForm>) -> Response {
    let at = if f.at.trim().is_empty() {
        None
    } else {
        match clock::parse_local(&f.at) {
            Some(t) => Some(t),
            None => return error_page(&state, &auth, ServiceError::Invalid("定时发布的时间格式不正确，请重新选择".into())),
        }
    };
    let r = ms::publish(&state, &auth.1, id, at).await;
    let scheduled = matches!(&r, Ok(m) if m.scheduled_at.is_some() && m.status == yuanxun_core::Status::Approved);
    after(&state, &auth, id, r, if scheduled { "scheduled" } else { "published" })
}

#[derive(Deserialize)]
struct RetractForm {
    reason: String,
}

async fn retract(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<RetractForm>) -> Response {
    let r = ms::retract(&state, &auth.1, id, &f.reason).await;
    after(&state, &auth, id, r, "retracted")
}

async fn correct(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<ms::Correction>) -> Response {
    match ms::correct(&state, &auth.1, id, &f).await {
        Ok(c) => Redirect::to(&format!("/admin/manuscripts/{id}?msg={}#corrections", if c.status == "approved" { "corrected" } else { "correction_proposed" })).into_response(),
        Err(e) => error_page(&state, &auth, e),
    }
}

#[derive(Deserialize)]
struct CorrectionDecision {
    #[serde(default)]
    override_reason: String,
    #[serde(default)]
    comment: String,
}

async fn approve_correction(State(state): State<AppState>, auth: Auth, Path((id, cid)): Path<(i64, i64)>, Form(f): Form<CorrectionDecision>) -> Response {
    match ms::approve_correction(&state, &auth.1, id, cid, &f.override_reason).await {
        Ok(_) => Redirect::to(&format!("/admin/manuscripts/{id}?msg=corrected#corrections")).into_response(),
        Err(e) => error_page(&state, &auth, e),
    }
}

async fn decline_correction(State(state): State<AppState>, auth: Auth, Path((id, cid)): Path<(i64, i64)>, Form(f): Form<CorrectionDecision>) -> Response {
    match ms::decline_correction(&state, &auth.1, id, cid, &f.comment).await {
        Ok(_) => Redirect::to(&format!("/admin/manuscripts/{id}?msg=correction_declined#corrections")).into_response(),
        Err(e) => error_page(&state, &auth, e),
    }
}

async fn change_media(State(state): State<AppState>, auth: Auth, Path((id, mid)): Path<(i64, i64)>, Form(f): Form<ms::MediaChange>) -> Response {
    let r = ms::change_media(&state, &auth.1, id, mid, &f).await;
    after(&state, &auth, id, r, "media_changed")
}

/// Reads the fields of a multipart upload: the file (name and bytes) and the text fields.
pub(crate) async fn read_multipart(state: &AppState, mut mp: Multipart) -> Result<(Option<(String, Vec<u8>)>, std::collections::HashMap<String, String>), ServiceError> {
    let mut file = None;
    let mut fields = std::collections::HashMap::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(upload_error(state, e)),
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let fname = field.file_name().unwrap_or("upload").to_string();
            let bytes = field.bytes().await.map_err(|e| upload_error(state, e))?;
            file = Some((fname, bytes.to_vec()));
        } else {
            let text = field.text().await.map_err(|e| upload_error(state, e))?;
            fields.insert(name, text);
        }
    }
    Ok((file, fields))
}

fn upload_error(state: &AppState, e: axum::extract::multipart::MultipartError) -> ServiceError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ServiceError::Invalid(format!("上传的文件过大，单次上传不能超过 {} MB。请压缩图片后重新上传；什么也没有保存。", state.config.max_upload >> 20))
    } else {
        ServiceError::Invalid("上传中断或格式不正确，请重新选择文件上传".into())
    }
}

async fn import(State(state): State<AppState>, auth: Auth, mp: Multipart) -> Response {
    let result = async {
        let (file, fields) = read_multipart(&state, mp).await?;
        let (_, bytes) = file.ok_or_else(|| ServiceError::Invalid("请选择要上传的 Word 文件".into()))?;
        let channel_id = fields.get("channel_id").and_then(|v| v.parse().ok()).ok_or_else(|| ServiceError::Invalid("请选择栏目".into()))?;
        let department_id = fields.get("department_id").and_then(|v| v.parse().ok());
        ms::import_docx(&state, &auth.1, bytes, channel_id, department_id).await
    }
    .await;
    match result {
        Ok(m) => Redirect::to(&format!("/admin/manuscripts/{}?msg=imported", m.id)).into_response(),
        Err(e) => {
            let form = ManuscriptInput { department_id: auth.0.user.department_id, ..Default::default() };
            editor(&state, &auth, None, 0, &form, &[], e.status(), Some(e.to_string())).await
        }
    }
}

/// 批量导入: checks every row, imports only a file without problems, and shows the report
/// (with any generated passwords, once).
async fn import_people(State(state): State<AppState>, auth: Auth, mp: Multipart) -> Response {
    let result = async {
        let (file, _) = read_multipart(&state, mp).await?;
        let (name, bytes) = file.ok_or_else(|| ServiceError::Invalid("请选择要导入的 .xlsx 或 .csv 文件".into()))?;
        crate::services::people::import_people(&state, &auth.1, &name, &bytes).await
    }
    .await;
    match result {
        Ok(r) => {
            let status = if r.imported { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
            page_status(&state, &auth, "admin/import.html", status, context! { r })
        }
        Err(e) => error_page(&state, &auth, e),
    }
}

async fn upload_media(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, mp: Multipart) -> Response {
    let result = async {
        let (file, fields) = read_multipart(&state, mp).await?;
        let (name, bytes) = file.ok_or_else(|| ServiceError::Invalid("请选择要上传的文件".into()))?;
        let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
        ms::add_media(&state, &auth.1, id, &name, bytes, &get("caption"), &get("photographer"), fields.contains_key("cover")).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&format!("/admin/manuscripts/{id}?msg=uploaded#media")).into_response(),
        Err(e) => error_page(&state, &auth, e),
    }
}

#[derive(Deserialize)]
struct DiffQuery {
    from: i64,
    to: i64,
}

async fn diff(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Query(q): Query<DiffQuery>) -> Response {
    match ms::diff(&state, &auth.1, id, q.from, q.to).await {
        Ok((a, b, d)) => page(&state, &auth, "admin/diff.html", context! { id, a, b, diff => d }),
        Err(e) => error_page(&state, &auth, e),
    }
}

// ----- administration -----

fn require(auth: &Auth, ok: bool, what: &str) -> Result<(), ServiceError> {
    if ok { Ok(()) } else { Err(ServiceError::Forbidden(format!("{}无权{what}", auth.0.user.role.label()))) }
}

async fn users_view(state: &AppState, auth: &Auth, edit: Option<yuanxun_store::User>, form: Value, status: StatusCode, error: Option<String>, flash: Option<&str>) -> Response {
    if let Err(e) = require(auth, auth.0.user.role.manages_accounts(), "管理用户") {
        return error_page(state, auth, e);
    }
    let Ok(mut c) = state.store.conn().await else { return error_page(state, auth, ServiceError::Internal(String::new())) };
    let depts = sites::list_departments(&mut c, state.site_id()).await.unwrap_or_default();
    let list: Vec<Value> = users::list(&mut c, state.site_id()).await.unwrap_or_default().into_iter().map(|u| {
        let department_name = depts.iter().find(|d| Some(d.id) == u.department_id).map(|d| d.name.clone()).unwrap_or_default();
        let level_label = u.review_level.map(|l| format!("第 {l} 级")).unwrap_or_default();
        context! { id => u.id, username => u.username, display_name => u.display_name, role_label => u.role.label(), department_name, level_label, active => u.active }
    }).collect();
    let roles: Vec<Value> = Role::ALL.iter().map(|r| context! { value => r.as_str(), label => r.label() }).collect();
    page_status(state, auth, "admin/users.html", status, context! { users => list, departments => depts, roles, edit, form, error, flash })
}

/// 网站主题: the theme folder, the files it overrides, and its error if any.
async fn theme_page(State(state): State<AppState>, auth: Auth, Query(m): Query<Msg>) -> Response {
    theme_view(&state, &auth, StatusCode::OK, m.text(), None)
}

fn theme_view(state: &AppState, auth: &Auth, status: StatusCode, flash: Option<&str>, error: Option<String>) -> Response {
    if let Err(e) = require(auth, auth.0.user.role.administers(), "管理网站主题") {
        return error_page(state, auth, e);
    }
    let theme = state.theme.get();
    let dir = state.theme.dir().map(|d| d.display().to_string());
    page_status(state, auth, "admin/theme.html", status, context! { dir, files => yuanxun_site::THEME_FILES, overridden => &theme.overridden, problem => state.theme.error(), flash, error })
}

async fn theme_reload(State(state): State<AppState>, auth: Auth) -> Response {
    match adm::reload_theme(&state, &auth.1).await {
        Ok(_) => Redirect::to("/admin/theme?msg=theme").into_response(),
        Err(e @ ServiceError::Invalid(_)) => theme_view(&state, &auth, StatusCode::UNPROCESSABLE_ENTITY, None, Some(e.to_string())),
        Err(e) => error_page(&state, &auth, e),
    }
}

async fn users_page(State(state): State<AppState>, auth: Auth, Query(m): Query<Msg>) -> Response {
    users_view(&state, &auth, None, context! { role => "correspondent" }, StatusCode::OK, None, m.text()).await
}

async fn user_page(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> Response {
    if let Err(e) = require(&auth, auth.0.user.role.manages_accounts(), "管理用户") {
        return error_page(&state, &auth, e);
    }
    let u = match state.store.conn().await {
        Ok(mut c) => users::get(&mut c, state.site_id(), id).await,
        Err(e) => Err(e),
    };
    match u {
        Ok(u) => {
            let locks: Vec<Value> = crate::services::accounts::locks(&state, &u).await.unwrap_or_default().into_iter().map(|(ip, until)| context! { ip, until }).collect();
            let form = context! { display_name => u.display_name, role => u.role.as_str(), department_id => u.department_id, review_level => u.review_level, active => u.active, locks };
            users_view(&state, &auth, Some(u), form, StatusCode::OK, None, None).await
        }
        Err(e) => error_page(&state, &auth, e.into()),
    }
}

fn user_form_value(f: &adm::UserInput) -> Value {
    context! {
        username => f.username, display_name => f.display_name, role => f.role,
        department_id => f.department_id.as_deref().and_then(|d| d.parse::<i64>().ok()),
        review_level => f.review_level.as_deref().and_then(|d| d.parse::<i64>().ok()),
        active => f.active.is_some(),
    }
}

async fn create_user(State(state): State<AppState>, auth: Auth, Form(f): Form<adm::UserInput>) -> Response {
    match adm::create_user(&state, &auth.1, &f).await {
        Ok(_) => Redirect::to("/admin/users?msg=user").into_response(),
        Err(e) => users_view(&state, &auth, None, user_form_value(&f), e.status(), Some(e.to_string()), None).await,
    }
}

async fn unlock_user(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> Response {
    match crate::services::accounts::unlock(&state, &auth.1, id).await {
        Ok(_) => Redirect::to(&format!("/admin/users/{id}?msg=unlocked")).into_response(),
        Err(e) => error_page(&state, &auth, e),
    }
}

async fn update_user(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<adm::UserInput>) -> Response {
    match adm::update_user(&state, &auth.1, id, &f).await {
        Ok(_) => Redirect::to("/admin/users?msg=user").into_response(),
        Err(e) => {
            let edit = match state.store.conn().await {
                Ok(mut c) => users::get(&mut c, state.site_id(), id).await.ok(),
                Err(_) => None,
            };
            users_view(&state, &auth, edit, user_form_value(&f), e.status(), Some(e.to_string()), None).await
        }
    }
}

async fn departments_page(State(state): State<AppState>, auth: Auth, Query(m): Query<Msg>) -> Response {
    departments_view(&state, &auth, StatusCode::OK, None, m.text()).await
}

async fn departments_view(state: &AppState, auth: &Auth, status: StatusCode, error: Option<String>, flash: Option<&str>) -> Response {
    if let Err(e) = require(auth, auth.0.user.role.administers(), "管理科室") {
        return error_page(state, auth, e);
    }
    let (depts, grids, people) = match state.store.conn().await {
        Ok(mut c) => (
            sites::list_departments(&mut c, state.site_id()).await.unwrap_or_default(),
            sites::list_grids(&mut c, state.site_id()).await.unwrap_or_default(),
            users::list(&mut c, state.site_id()).await.unwrap_or_default(),
        ),
        Err(_) => Default::default(),
    };
    // Each department with its grid and its correspondents (通讯员), by name.
    let rows: Vec<Value> = depts
        .iter()
        .map(|d| {
            let correspondents: Vec<&str> = people.iter().filter(|u| u.active && u.role == Role::Correspondent && u.department_id == Some(d.id)).map(|u| u.display_name.as_str()).collect();
            let grid = grids.iter().find(|g| Some(g.id) == d.grid_id).map(|g| g.name.clone());
            context! { id => d.id, name => d.name, grid_id => d.grid_id, grid, correspondents }
        })
        .collect();
    let grid_rows: Vec<Value> = grids
        .iter()
        .map(|g| {
            let members: Vec<&str> = depts.iter().filter(|d| d.grid_id == Some(g.id)).map(|d| d.name.as_str()).collect();
            context! { id => g.id, name => g.name, liaison_id => g.liaison_id, liaison_name => g.liaison_name, members }
        })
        .collect();
    let liaisons: Vec<Value> = people.iter().filter(|u| u.active).map(|u| context! { id => u.id, name => u.display_name, role => u.role.label() }).collect();
    page_status(state, auth, "admin/departments.html", status, context! { departments => rows, grids => grid_rows, liaisons, error, flash })
}

#[derive(Deserialize)]
struct GridForm {
    name: String,
    #[serde(default)]
    liaison_id: String,
}

async fn create_grid(State(state): State<AppState>, auth: Auth, Form(f): Form<GridForm>) -> Response {
    match adm::save_grid(&state, &auth.1, None, &f.name, &f.liaison_id).await {
        Ok(_) => Redirect::to("/admin/departments?msg=saved_item").into_response(),
        Err(e) => departments_view(&state, &auth, e.status(), Some(e.to_string()), None).await,
    }
}

async fn update_grid(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<GridForm>) -> Response {
    match adm::save_grid(&state, &auth.1, Some(id), &f.name, &f.liaison_id).await {
        Ok(_) => Redirect::to("/admin/departments?msg=saved_item").into_response(),
        Err(e) => departments_view(&state, &auth, e.status(), Some(e.to_string()), None).await,
    }
}

#[derive(Deserialize)]
struct AssignForm {
    #[serde(default)]
    grid_id: String,
}

async fn assign_grid(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<AssignForm>) -> Response {
    match adm::assign_grid(&state, &auth.1, id, &f.grid_id).await {
        Ok(()) => Redirect::to("/admin/departments?msg=saved_item").into_response(),
        Err(e) => departments_view(&state, &auth, e.status(), Some(e.to_string()), None).await,
    }
}

#[derive(Deserialize)]
struct NameForm {
    name: String,
}

async fn create_department(State(state): State<AppState>, auth: Auth, Form(f): Form<NameForm>) -> Response {
    match adm::save_department(&state, &auth.1, None, &f.name).await {
        Ok(_) => Redirect::to("/admin/departments?msg=saved_item").into_response(),
        Err(e) => departments_view(&state, &auth, e.status(), Some(e.to_string()), None).await,
    }
}

async fn rename_department(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<NameForm>) -> Response {
    match adm::save_department(&state, &auth.1, Some(id), &f.name).await {
        Ok(_) => Redirect::to("/admin/departments?msg=saved_item").into_response(),
        Err(e) => departments_view(&state, &auth, e.status(), Some(e.to_string()), None).await,
    }
}

async fn channels_view(state: &AppState, auth: &Auth, status: StatusCode, error: Option<String>, flash: Option<&str>) -> Response {
    if let Err(e) = require(auth, auth.0.user.role.administers(), "管理栏目") {
        return error_page(state, auth, e);
    }
    let chans = match state.store.conn().await {
        Ok(mut c) => sites::list_channels(&mut c, state.site_id()).await.unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    page_status(state, auth, "admin/channels.html", status, context! { channels => chans, error, flash })
}

async fn channels_page(State(state): State<AppState>, auth: Auth, Query(m): Query<Msg>) -> Response {
    channels_view(&state, &auth, StatusCode::OK, None, m.text()).await
}

async fn create_channel(State(state): State<AppState>, auth: Auth, Form(f): Form<adm::ChannelInput>) -> Response {
    match adm::save_channel(&state, &auth.1, None, &f).await {
        Ok(_) => Redirect::to("/admin/channels?msg=saved_item").into_response(),
        Err(e) => channels_view(&state, &auth, e.status(), Some(e.to_string()), None).await,
    }
}

async fn update_channel(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<adm::ChannelInput>) -> Response {
    match adm::save_channel(&state, &auth.1, Some(id), &f).await {
        Ok(_) => Redirect::to("/admin/channels?msg=saved_item").into_response(),
        Err(e) => channels_view(&state, &auth, e.status(), Some(e.to_string()), None).await,
    }
}

async fn audit_page(State(state): State<AppState>, auth: Auth, Query(f): Query<audit_log::Filter>) -> Response {
    let shown = 500;
    let (entries, error) = match audit_log::list(&state, &auth.1, &f, shown).await {
        Ok(entries) => (entries, None),
        Err(e @ ServiceError::Invalid(_)) => (Vec::new(), Some(e.to_string())),
        Err(e) => return error_page(&state, &auth, e),
    };
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("actor", &f.actor), ("action", &f.action), ("object_type", &f.object_type), ("from", &f.from), ("to", &f.to)].into_iter().filter(|(_, v)| !v.trim().is_empty()))
        .finish();
    let capped = entries.len() as i64 == shown;
    page(&state, &auth, "admin/audit.html", context! { entries, q => f, query, error, capped, shown })
}

/// The audit log as a file, filtered as the page is (`/admin/audit.xlsx?from=2026-01-01&to=…`).
async fn audit_xlsx(State(state): State<AppState>, auth: Auth, Query(f): Query<audit_log::Filter>) -> Response {
    audit_export(&state, &auth, &f, audit_log::Format::Xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "audit-log.xlsx").await
}

async fn audit_csv(State(state): State<AppState>, auth: Auth, Query(f): Query<audit_log::Filter>) -> Response {
    audit_export(&state, &auth, &f, audit_log::Format::Csv, "text/csv; charset=utf-8", "audit-log.csv").await
}

async fn audit_export(state: &AppState, auth: &Auth, f: &audit_log::Filter, format: audit_log::Format, content_type: &'static str, ascii_name: &str) -> Response {
    match audit_log::export(state, &auth.1, f, format).await {
        Ok((bytes, name)) => super::attachment(bytes, content_type, ascii_name, &name),
        Err(e) => error_page(state, auth, e),
    }
}

// ----- the site's check lexicons -----

#[derive(Deserialize, Default)]
struct LexiconQuery {
    msg: Option<String>,
    category: Option<String>,
    edit: Option<i64>,
    leader: Option<i64>,
    #[serde(default)]
    q: String,
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "political" => "政治",
        "gambling" => "赌博",
        "pornography" => "色情",
        "violence" => "暴力",
        _ => "",
    }
}

fn category_label(c: &str) -> &'static str {
    yuanxun_check::Category::parse(c).map(|c| c.label()).unwrap_or("")
}

/// The lexicon page; `entry_form` and `leader_form` carry what the user typed after an error.
async fn lexicon_view(state: &AppState, auth: &Auth, q: LexiconQuery, status: StatusCode, error: Option<String>, entry_form: Option<Value>, leader_form: Option<Value>) -> Response {
    let (rows, checker) = match checks::overview(state, &auth.1).await {
        Ok(x) => x,
        Err(e) => return error_page(state, auth, e),
    };
    let version = checker.version();
    let counts: Vec<(Category, usize)> = Category::ALL.into_iter().filter(|c| c.is_lexicon()).map(|cat| (cat, checker.entries().iter().filter(|e| e.category == cat).count())).collect();
    let of = |list: &'static str| rows.items.iter().filter(move |i| i.list == list);
    let categories: Vec<Value> = counts
        .iter()
        .map(|(c, total)| {
            let added = of("entry").filter(|i| i.category == c.as_str()).count();
            let removed = of("removed").filter(|i| i.category == c.as_str()).count();
            context! { value => c.as_str(), label => c.label(), total, added, removed }
        })
        .collect();
    let filter = q.category.clone().filter(|c| Category::parse(c).is_some());
    let entries: Vec<Value> = of("entry")
        .filter(|i| filter.as_deref().is_none_or(|c| i.category == c))
        .map(|i| {
            let severity_label = Severity::parse(&i.severity).map(|s| s.label()).unwrap_or("");
            context! { id => i.id, category_label => category_label(&i.category), term => i.term, suggestion => i.suggestion, severity_label, kind_label => kind_label(&i.kind), since => i.since, reason => i.reason }
        })
        .collect();
    let removed: Vec<Value> = of("removed").map(|i| context! { id => i.id, term => i.term, category_label => category_label(&i.category) }).collect();
    let allow: Vec<_> = of("allow").cloned().collect();
    let phones: Vec<_> = of("phone").cloned().collect();
    let names: Vec<_> = of("name").cloned().collect();
    let site_name = rows.site_name.clone();
    let edit = q.edit.and_then(|id| rows.items.iter().find(|i| i.id == id && i.list == "entry").cloned());
    let form = entry_form.unwrap_or_else(|| match &edit {
        Some(e) => Value::from_serialize(e),
        None => context! { category => filter.clone().unwrap_or_else(|| "typo".into()), severity => "warn" },
    });
    let leader = q.leader.and_then(|id| rows.leaders.iter().find(|l| l.id == id).cloned());
    let leader_form = leader_form.unwrap_or_else(|| match &leader {
        Some(l) => context! { name => l.name, titles => l.titles.join("、"), sort => l.sort },
        None => context! { sort => 0 },
    });
    // Looking up built-in terms, to switch one off for this site.
    let found: Vec<Value> = if q.q.trim().is_empty() {
        Vec::new()
    } else {
        let needle = q.q.trim();
        let site_terms: std::collections::HashSet<(&str, &str)> = of("entry").map(|i| (i.category.as_str(), i.term.as_str())).collect();
        checker
            .entries()
            .iter()
            .filter(|e| e.term.contains(needle) || e.suggestion.as_deref().is_some_and(|s| s.contains(needle)))
            .take(50)
            .map(|e| {
                let builtin = !site_terms.contains(&(e.category.as_str(), e.term.as_str()));
                context! { category => e.category.as_str(), category_label => e.category.label(), term => e.term, suggestion => e.suggestion, severity_label => e.severity.label(), builtin }
            })
            .collect()
    };
    let severities: Vec<Value> = [Severity::Block, Severity::Warn, Severity::Info].iter().map(|s| context! { value => s.as_str(), label => s.label() }).collect();
    let kinds: Vec<Value> = ["political", "gambling", "pornography", "violence"].iter().map(|k| context! { value => k, label => kind_label(k) }).collect();
    let flash = q.msg.as_deref().and_then(flash_text);
    let proposals = checks::proposals(state, &auth.1).await.unwrap_or_default();
    let decides = checks::may_loosen(auth.0.user.role);
    page_status(
        state,
        auth,
        "admin/lexicon.html",
        status,
        context! {
            version, categories, entries, removed, allow, phones, names, site_name, edit, form, leader, leader_form, leaders => rows.leaders,
            found, q => q.q, severities, kinds, category_label => filter.as_deref().map(category_label), error, flash, proposals, decides,
        },
    )
}

async fn lexicon_page(State(state): State<AppState>, auth: Auth, Query(q): Query<LexiconQuery>) -> Response {
    lexicon_view(&state, &auth, q, StatusCode::OK, None, None, None).await
}

fn lexicon_saved(change: checks::LexiconChange, anchor: &str) -> Response {
    match change {
        checks::LexiconChange::Applied { .. } => Redirect::to(&format!("/admin/lexicon?msg=saved_item#{anchor}")).into_response(),
        checks::LexiconChange::Proposed { .. } => Redirect::to("/admin/lexicon?msg=lexicon_proposed#proposals").into_response(),
    }
}

#[derive(Deserialize)]
struct ProposalDecision {
    verdict: String,
}

async fn lexicon_decide(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<ProposalDecision>) -> Response {
    let accept = f.verdict == "accept";
    match checks::decide_proposal(&state, &auth.1, id, accept).await {
        Ok(_) => Redirect::to(&format!("/admin/lexicon?msg={}#proposals", if accept { "lexicon_accepted" } else { "lexicon_declined" })).into_response(),
        Err(e) => error_page(&state, &auth, e),
    }
}

fn anchor_of(list: &str) -> &'static str {
    match list {
        "removed" => "builtin",
        "allow" => "allow",
        "phone" => "phones",
        "name" => "names",
        _ => "entries",
    }
}

async fn lexicon_add(State(state): State<AppState>, auth: Auth, Form(f): Form<checks::ItemInput>) -> Response {
    match checks::save_item(&state, &auth.1, 0, &f).await {
        Ok(change) => lexicon_saved(change, anchor_of(&f.list)),
        Err(e) => {
            let form = (f.list == "entry").then(|| Value::from_serialize(&f));
            lexicon_view(&state, &auth, LexiconQuery::default(), e.status(), Some(e.to_string()), form, None).await
        }
    }
}

async fn lexicon_edit(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<checks::ItemInput>) -> Response {
    match checks::save_item(&state, &auth.1, id, &f).await {
        Ok(change) => lexicon_saved(change, anchor_of(&f.list)),
        Err(e) => {
            let q = LexiconQuery { edit: Some(id), ..Default::default() };
            lexicon_view(&state, &auth, q, e.status(), Some(e.to_string()), Some(Value::from_serialize(&f)), None).await
        }
    }
}

async fn lexicon_delete(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> Response {
    match checks::delete_item(&state, &auth.1, id).await {
        Ok(change @ checks::LexiconChange::Proposed { .. }) => lexicon_saved(change, ""),
        Ok(_) => Redirect::to("/admin/lexicon?msg=deleted").into_response(),
        Err(e) => error_page(&state, &auth, e),
    }
}

async fn leader_add(State(state): State<AppState>, auth: Auth, Form(f): Form<checks::LeaderInput>) -> Response {
    leader_save(state, auth, 0, f).await
}

async fn leader_edit(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<checks::LeaderInput>) -> Response {
    leader_save(state, auth, id, f).await
}

async fn leader_save(state: AppState, auth: Auth, id: i64, f: checks::LeaderInput) -> Response {
    match checks::save_leader(&state, &auth.1, id, &f).await {
        Ok(_) => Redirect::to("/admin/lexicon?msg=saved_item#leaders").into_response(),
        Err(e) => {
            let q = LexiconQuery { leader: (id != 0).then_some(id), ..Default::default() };
            lexicon_view(&state, &auth, q, e.status(), Some(e.to_string()), None, Some(Value::from_serialize(&f))).await
        }
    }
}

async fn leader_delete(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> Response {
    match checks::delete_leader(&state, &auth.1, id).await {
        Ok(_) => Redirect::to("/admin/lexicon?msg=deleted#leaders").into_response(),
        Err(e) => error_page(&state, &auth, e),
    }
}
