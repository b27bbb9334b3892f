//! The ledgers of ideology and publicity work (台账): the responsibility system (意识形态工作
//! 责任制: areas, the first- and directly-responsible persons, each department's duty, with
//! history when people change), analysis meetings (研判会) whose follow-up items become
//! rectifications, and the rectification ledger (整改台账) with overdue reminders and the
//! spreadsheet and Word forms institutions file.
//!
//! The publicity staff keep the ledgers. A department's own people see its rectifications
//! and report progress on them (what was done, and the proof); nobody else's.

use serde::{Deserialize, Serialize};
use yuanxun_core::clock;
use yuanxun_core::Role;
use yuanxun_store::ledgers::{self as store, Meeting, MeetingFields, Rectification, RectificationFields, RectificationQuery, Responsibility};
use yuanxun_store::AnyConnection;

use super::notifications::tell_department;
use super::{audit, line, require_publicity_staff};
use crate::auth::Actor;
use crate::error::{ServiceError, ServiceResult};
use crate::AppState;

/// The roles in an area, as forms and the matrix name them.
pub const ROLES: [(&str, &str); 3] = [("first", "第一责任人"), ("direct", "直接责任人"), ("department", "科室职责")];

/// Where a problem came from.
pub const SOURCES: [(&str, &str); 5] = [("inspection", "督导检查"), ("analysis", "研判会"), ("incident", "舆情事件"), ("audit", "巡察审计"), ("other", "其他")];

fn source_label(key: &str) -> &'static str {
    SOURCES.iter().find(|(k, _)| *k == key).map_or("其他", |(_, l)| l)
}

// ---------------------------------------------------------------- responsibilities

/// One row of the matrix: an area, who answers for it now, each department's duty, and who
/// answered before.
#[derive(Debug, Clone, Serialize)]
pub struct AreaRow {
    pub area: store::Area,
    pub first: Option<Responsibility>,
    pub direct: Option<Responsibility>,
    /// The current duty of each department in the matrix's columns (None: none set).
    pub departments: Vec<Option<Responsibility>>,
    pub history: Vec<Responsibility>,
}

/// The responsibility matrix: areas by rows, the two persons and the departments by columns.
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    pub columns: Vec<(i64, String)>,
    pub rows: Vec<AreaRow>,
}

pub async fn matrix(state: &AppState, actor: &Actor) -> ServiceResult<Matrix> {
    require_publicity_staff(actor, "查看意识形态工作责任制")?;
    let site = state.site_id();
    let mut c = state.store.conn().await?;
    let areas = store::list_areas(&mut c, site).await?;
    let all = store::list_responsibilities(&mut c, site).await?;
    // Departments with a duty in some area, in the site's order.
    let depts = yuanxun_store::sites::list_departments(&mut c, site).await?;
    let columns: Vec<(i64, String)> = depts.iter().filter(|d| all.iter().any(|r| r.department_id == Some(d.id) && r.ended_at.is_none())).map(|d| (d.id, d.name.clone())).collect();
    let rows = areas
        .into_iter()
        .map(|area| {
            let mine: Vec<&Responsibility> = all.iter().filter(|r| r.area_id == area.id).collect();
            let current = |role: &str| mine.iter().find(|r| r.role == role && r.ended_at.is_none()).map(|r| (*r).clone());
            AreaRow {
                first: current("first"),
                direct: current("direct"),
                departments: columns.iter().map(|(d, _)| mine.iter().find(|r| r.role == "department" && r.department_id == Some(*d) && r.ended_at.is_none()).map(|r| (*r).clone())).collect(),
                history: mine.iter().filter(|r| r.ended_at.is_some()).map(|r| (*r).clone()).collect(),
                area,
            }
        })
        .collect();
    Ok(Matrix { columns, rows })
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AreaInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
}

pub async fn create_area(state: &AppState, actor: &Actor, input: &AreaInput) -> ServiceResult<i64> {
    require_publicity_staff(actor, "设置责任领域")?;
    let name = line(&input.name, "责任领域名称", true, 60)?;
    let description = line(&input.description, "说明", false, 300)?;
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let id = store::create_area(tx.conn(), site, &name, &description, clock::now()).await?;
    audit(tx.conn(), site, actor, "responsibility_area_create", "responsibility_area", id, name).await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AssignInput {
    #[serde(default)]
    pub area: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub person: String,
    #[serde(default)]
    pub duty: String,
}

/// Sets who answers for an area in a role from today; the previous holder stays in history.
pub async fn assign(state: &AppState, actor: &Actor, input: &AssignInput) -> ServiceResult<()> {
    require_publicity_staff(actor, "设置责任人")?;
    let site = state.site_id();
    let role = ROLES.iter().find(|(k, _)| *k == input.role.trim()).ok_or_else(|| ServiceError::Invalid("请选择责任类型".into()))?;
    let area_id: i64 = input.area.trim().parse().map_err(|_| ServiceError::Invalid("请选择责任领域".into()))?;
    let person = line(&input.person, "责任人", role.0 != "department", 60)?;
    let duty = line(&input.duty, "职责", role.0 == "department", 500)?;
    let mut tx = state.store.begin().await?;
    let area = store::get_area(tx.conn(), site, area_id).await.map_err(|_| ServiceError::Invalid("责任领域不存在".into()))?;
    let department_id = if role.0 == "department" {
        let d: i64 = input.department.trim().parse().map_err(|_| ServiceError::Invalid("科室职责请选择科室".into()))?;
        yuanxun_store::sites::get_department(tx.conn(), site, d).await.map_err(|_| ServiceError::Invalid("科室不存在".into()))?;
        Some(d)
    } else {
        None
    };
    store::assign(tx.conn(), site, area_id, role.0, department_id, &person, &duty, actor.user.id, clock::now()).await?;
    audit(tx.conn(), site, actor, "responsibility_assign", "responsibility_area", area_id, format!("{}：{} {}", area.name, role.1, if person.is_empty() { &duty } else { &person })).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- meetings

#[derive(Debug, Clone, Default, Deserialize)]
pub struct MeetingInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub scheduled_at: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub chair: String,
    #[serde(default)]
    pub attendees: String,
    #[serde(default)]
    pub minutes: String,
    #[serde(default)]
    pub conclusions: String,
    /// `held` once it took place (minutes then required).
    #[serde(default)]
    pub held: String,
}

struct CheckedMeeting {
    title: String,
    scheduled_at: i64,
    place: String,
    chair: String,
    attendees: String,
    minutes: String,
    conclusions: String,
    held: bool,
}

fn checked_meeting(input: &MeetingInput) -> ServiceResult<CheckedMeeting> {
    let title = line(&input.title, "会议名称", true, 120)?;
    let at = input.scheduled_at.trim();
    let scheduled_at = clock::parse_local(at).ok_or_else(|| ServiceError::Invalid(if at.is_empty() { "请填写会议时间".into() } else { format!("会议时间“{at}”看不懂：请用日期时间选择器") }))?;
    let place = line(&input.place, "地点", false, 100)?;
    let chair = line(&input.chair, "主持人", false, 60)?;
    let attendees = input.attendees.trim().to_string();
    let minutes = input.minutes.trim().to_string();
    let conclusions = input.conclusions.trim().to_string();
    if [&attendees, &minutes, &conclusions].iter().any(|t| t.chars().count() > 20_000) {
        return Err(ServiceError::Invalid("参会人员、会议记录和研判结论各不能超过 20000 字".into()));
    }
    let held = matches!(input.held.as_str(), "on" | "1" | "true" | "held");
    if held && (minutes.is_empty() || conclusions.is_empty()) {
        return Err(ServiceError::Invalid("会议已召开的，请填写会议记录和研判结论".into()));
    }
    Ok(CheckedMeeting { title, scheduled_at, place, chair, attendees, minutes, conclusions, held })
}

pub async fn save_meeting(state: &AppState, actor: &Actor, id: Option<i64>, input: &MeetingInput) -> ServiceResult<i64> {
    require_publicity_staff(actor, "安排研判会")?;
    let m = checked_meeting(input)?;
    let site = state.site_id();
    let now = clock::now();
    let mut tx = state.store.begin().await?;
    let held_at = if m.held {
        match id {
            Some(id) => store::get_meeting(tx.conn(), site, id).await?.held_at.or(Some(now)),
            None => Some(now),
        }
    } else {
        None
    };
    let f = MeetingFields {
        title: &m.title,
        scheduled_at: m.scheduled_at,
        place: &m.place,
        chair: &m.chair,
        attendees: &m.attendees,
        minutes: &m.minutes,
        conclusions: &m.conclusions,
        status: if m.held { "held" } else { "scheduled" },
        held_at,
    };
    let id = match id {
        Some(id) => {
            store::update_meeting(tx.conn(), site, id, &f).await?;
            id
        }
        None => store::create_meeting(tx.conn(), site, &f, actor.user.id, now).await?,
    };
    audit(tx.conn(), site, actor, "meeting_save", "meeting", id, format!("{}（{}）", m.title, if m.held { "已召开" } else { "已安排" })).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn meetings(state: &AppState, actor: &Actor) -> ServiceResult<Vec<Meeting>> {
    require_publicity_staff(actor, "查看研判会")?;
    let mut c = state.store.conn().await?;
    Ok(store::list_meetings(&mut c, state.site_id(), 500).await?)
}

pub async fn meeting(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<(Meeting, Vec<RectificationRow>)> {
    require_publicity_staff(actor, "查看研判会")?;
    let site = state.site_id();
    let mut c = state.store.conn().await?;
    let m = store::get_meeting(&mut c, site, id).await?;
    let rows = store::list_rectifications(&mut c, site, &RectificationQuery { meeting_id: Some(id), ..Default::default() }).await?;
    Ok((m, rows.into_iter().map(row).collect()))
}

// ---------------------------------------------------------------- rectifications

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RectificationInput {
    #[serde(default)]
    pub problem: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub meeting: String,
    #[serde(default)]
    pub incident: String,
    #[serde(default)]
    pub measure: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub owner: String,
    /// `2026-12-31` or a date and time.
    #[serde(default)]
    pub deadline: String,
}

/// A deadline as typed: a day means the end of that day.
fn deadline_of(s: &str) -> ServiceResult<i64> {
    let s = s.trim();
    if s.is_empty() {
        return Err(ServiceError::Invalid("请填写整改时限".into()));
    }
    if let Some(d) = clock::parse_date(s) {
        return Ok(clock::end_of_day(d));
    }
    clock::parse_local(s).ok_or_else(|| ServiceError::Invalid(format!("整改时限“{s}”看不懂：请写成 2026-12-31")))
}

/// Creates (`id` none) or changes a rectification.
pub async fn save_rectification(state: &AppState, actor: &Actor, id: Option<i64>, input: &RectificationInput) -> ServiceResult<i64> {
    require_publicity_staff(actor, "登记整改事项")?;
    let site = state.site_id();
    let problem = input.problem.trim().to_string();
    if problem.is_empty() {
        return Err(ServiceError::Invalid("请写明存在的问题".into()));
    }
    let measure = input.measure.trim().to_string();
    if measure.is_empty() {
        return Err(ServiceError::Invalid("请写明整改措施".into()));
    }
    if problem.chars().count() > 2000 || measure.chars().count() > 2000 {
        return Err(ServiceError::Invalid("问题和整改措施各不能超过 2000 字".into()));
    }
    let source = SOURCES.iter().find(|(k, _)| *k == input.source.trim()).map_or("other", |(k, _)| *k);
    let owner = line(&input.owner, "责任人", true, 60)?;
    let deadline = deadline_of(&input.deadline)?;
    let now = clock::now();
    let mut tx = state.store.begin().await?;
    let department_id: i64 = input.department.trim().parse().map_err(|_| ServiceError::Invalid("请选择责任科室".into()))?;
    let dept = yuanxun_store::sites::get_department(tx.conn(), site, department_id).await.map_err(|_| ServiceError::Invalid("责任科室不存在".into()))?;
    let meeting_id = match super::optional_id(&input.meeting, "研判会")? {
        Some(m) => Some(store::get_meeting(tx.conn(), site, m).await.map_err(|_| ServiceError::Invalid("研判会不存在".into()))?.id),
        None => None,
    };
    let incident_id = match super::optional_id(&input.incident, "舆情事件")? {
        Some(i) => Some(yuanxun_store::incidents::get_incident(tx.conn(), site, i).await.map_err(|_| ServiceError::Invalid("舆情事件不存在".into()))?.id),
        None => None,
    };
    let source = if meeting_id.is_some() { "analysis" } else if incident_id.is_some() { "incident" } else { source };
    let f = RectificationFields { problem: &problem, source, meeting_id, incident_id, measure: &measure, department_id, owner: &owner, deadline };
    let id = match id {
        Some(id) => {
            let old = store::get_rectification(tx.conn(), site, id).await?;
            store::update_rectification(tx.conn(), site, id, &f, now).await?;
            if old.deadline != deadline {
                store::add_rectification_event(tx.conn(), id, Some(actor.user.id), &format!("整改时限由 {} 改为 {}", clock::format_date(old.deadline), clock::format_date(deadline)), now).await?;
            }
            id
        }
        None => {
            let id = store::create_rectification(tx.conn(), site, &f, actor.user.id, now).await?;
            store::add_rectification_event(tx.conn(), id, Some(actor.user.id), &format!("登记：{}，责任科室{}，责任人{owner}，时限 {}", source_label(source), dept.name, clock::format_date(deadline)), now).await?;
            // The department's people learn of it in the newsroom.
            let (title, body) = (format!("本科室有新的整改事项：{}", short(&problem)), format!("时限 {}", clock::format_date(deadline)));
            tell_department(tx.conn(), site, department_id, Some(actor.user.id), "rectification", &title, &body, &format!("/admin/rectifications/{id}"), now).await?;
            id
        }
    };
    audit(tx.conn(), site, actor, "rectification_save", "rectification", id, short(&problem)).await?;
    tx.commit().await?;
    Ok(id)
}

/// A rectification's problem as notifications and the audit log name it.
fn short(s: &str) -> String {
    yuanxun_core::text::clip(s, 40)
}

/// May `actor` see (and report on) the rectifications of `department_id`?
fn may_see(actor: &Actor, department_id: i64) -> bool {
    actor.user.role.runs_outlets() || actor.user.role == Role::Auditor || actor.user.department_id == Some(department_id)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProgressInput {
    #[serde(default)]
    pub evidence: String,
    /// `done` to mark it rectified, `open` to reopen (staff only).
    #[serde(default)]
    pub status: String,
}

/// Reports what was done and the proof; `done` closes it (整改到位), which needs the proof.
/// The department's own people and the publicity staff may; reopening is for the staff.
pub async fn progress(state: &AppState, actor: &Actor, id: i64, input: &ProgressInput) -> ServiceResult<()> {
    let site = state.site_id();
    let now = clock::now();
    let mut tx = state.store.begin().await?;
    let r = store::get_rectification(tx.conn(), site, id).await?;
    if !may_see(actor, r.department_id) || actor.user.role == Role::Auditor {
        return Err(ServiceError::Forbidden(format!("只有{}的人员和宣传部可以填报这项整改", r.department_name)));
    }
    let evidence = input.evidence.trim().to_string();
    if evidence.chars().count() > 5000 {
        return Err(ServiceError::Invalid("完成情况不能超过 5000 字".into()));
    }
    let (status, done_at, what) = match input.status.as_str() {
        "done" => {
            if evidence.chars().count() < 10 {
                return Err(ServiceError::Invalid("标记整改完成前，请写明完成情况和佐证材料（至少 10 个字）".into()));
            }
            ("done", r.done_at.or(Some(now)), format!("整改完成：{evidence}"))
        }
        "open" if r.status == "done" => {
            require_publicity_staff(actor, "退回整改")?;
            ("open", None, format!("退回继续整改：{evidence}"))
        }
        _ => (r.status.as_str(), r.done_at, format!("进展：{evidence}")),
    };
    if evidence.is_empty() && status == r.status {
        return Err(ServiceError::Invalid("请填写整改进展".into()));
    }
    let status = status.to_string();
    store::set_progress(tx.conn(), site, id, &evidence, &status, done_at, now).await?;
    store::add_rectification_event(tx.conn(), id, Some(actor.user.id), &what, now).await?;
    audit(tx.conn(), site, actor, "rectification_progress", "rectification", id, format!("{}：{}", short(&r.problem), if status == "done" { "已整改" } else { "整改中" })).await?;
    tx.commit().await?;
    Ok(())
}

/// A ledger line as pages and exports show it.
#[derive(Debug, Clone, Serialize)]
pub struct RectificationRow {
    #[serde(flatten)]
    pub r: Rectification,
    pub source_label: &'static str,
    pub status_label: &'static str,
    pub overdue: bool,
}

fn row(r: Rectification) -> RectificationRow {
    let overdue = r.status != "done" && r.deadline < clock::now();
    RectificationRow {
        source_label: source_label(&r.source),
        status_label: match (r.status.as_str(), overdue) {
            ("done", _) => "已整改",
            (_, true) => "逾期未整改",
            _ => "整改中",
        },
        overdue,
        r,
    }
}

/// The ledger's filters, as the page's query string has them.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct LedgerQuery {
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub status: String,
    /// A year (`2026`): entered that year.
    #[serde(default)]
    pub year: String,
}

/// The ledger: everything for the staff and auditors, a department's own lines for its people.
pub async fn ledger(state: &AppState, actor: &Actor, q: &LedgerQuery) -> ServiceResult<Vec<RectificationRow>> {
    let site = state.site_id();
    let mut department_id = q.department.trim().parse::<i64>().ok();
    if !(actor.user.role.runs_outlets() || actor.user.role == Role::Auditor) {
        // Their own department's, whatever they ask for.
        department_id = Some(actor.user.department_id.ok_or_else(|| ServiceError::Forbidden("没有所属科室，无法查看整改台账".into()))?);
    }
    let created = match q.year.trim().parse::<i32>() {
        Ok(y) => {
            let start = |y: i32| time::Date::from_calendar_date(y, time::Month::January, 1).map(clock::start_of_day);
            match (start(y), start(y + 1)) {
                (Ok(a), Ok(b)) => Some((a, b)),
                _ => return Err(ServiceError::Invalid("年份无效".into())),
            }
        }
        Err(_) => None,
    };
    let status = match q.status.as_str() {
        "open" | "done" => Some(q.status.clone()),
        _ => None,
    };
    let mut c = state.store.conn().await?;
    let rows = store::list_rectifications(&mut c, site, &RectificationQuery { department_id, status, created, ..Default::default() }).await?;
    Ok(rows.into_iter().map(row).collect())
}

/// The rectifications an incident gave rise to, for its page.
pub async fn of_incident(state: &AppState, actor: &Actor, incident_id: i64) -> ServiceResult<Vec<RectificationRow>> {
    require_publicity_staff(actor, "查看整改台账")?;
    let mut c = state.store.conn().await?;
    let rows = store::list_rectifications(&mut c, state.site_id(), &RectificationQuery { incident_id: Some(incident_id), ..Default::default() }).await?;
    Ok(rows.into_iter().map(row).collect())
}

/// One rectification with its history, for whoever may see it.
pub async fn rectification(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<(RectificationRow, Vec<store::RectificationEvent>)> {
    let site = state.site_id();
    let mut c = state.store.conn().await?;
    let r = store::get_rectification(&mut c, site, id).await?;
    if !may_see(actor, r.department_id) {
        // As if it did not exist: other departments' problems are not theirs to know.
        return Err(ServiceError::NotFound);
    }
    let events = store::rectification_events(&mut c, id).await?;
    Ok((row(r), events))
}

/// Reminds about open rectifications past their deadline, once per deadline: the
/// department's people and the publicity editors are told. How many.
pub async fn remind_overdue(state: &AppState) -> ServiceResult<usize> {
    let site = state.site_id();
    let now = clock::now();
    let mut tx = state.store.begin().await?;
    let due = store::overdue_unreminded(tx.conn(), site, now).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let users = yuanxun_store::users::list(tx.conn(), site).await?;
    for r in &due {
        store::mark_reminded(tx.conn(), r.id, now).await?;
        store::add_rectification_event(tx.conn(), r.id, None, &format!("已超过整改时限（{}），已提醒{}和宣传部", clock::format_date(r.deadline), r.department_name), now).await?;
        for u in users.iter().filter(|u| u.active && (u.department_id == Some(r.department_id) || matches!(u.role, Role::Editor | Role::ChiefEditor))) {
            yuanxun_store::notifications::notify(
                tx.conn(),
                site,
                u.id,
                "rectification",
                &format!("整改逾期：{}", short(&r.problem)),
                &format!("{}，责任人{}，时限 {}", r.department_name, r.owner, clock::format_date(r.deadline)),
                &format!("/admin/rectifications/{}", r.id),
                now,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(due.len())
}

const LEDGER_COLUMNS: [(&str, f64); 9] = [("序号", 6.0), ("存在问题", 36.0), ("问题来源", 10.0), ("整改措施", 36.0), ("责任科室", 14.0), ("责任人", 10.0), ("整改时限", 12.0), ("整改状态", 11.0), ("完成情况及佐证材料", 36.0)];

fn ledger_cells(i: usize, r: &RectificationRow) -> [String; 9] {
    [
        (i + 1).to_string(),
        r.r.problem.clone(),
        r.source_label.to_string(),
        r.r.measure.clone(),
        r.r.department_name.clone(),
        r.r.owner.clone(),
        clock::format_date(r.r.deadline),
        r.status_label.to_string(),
        r.r.evidence.clone(),
    ]
}

/// The ledger's title, as it heads the filed forms.
pub fn ledger_title(state: &AppState, q: &LedgerQuery) -> String {
    let year = q.year.trim().parse::<i32>().map(|y| format!("{y}年")).unwrap_or_default();
    format!("{}{year}意识形态工作问题整改台账", state.site.name)
}

/// The ledger as a spreadsheet: a title line, a header, one row per problem, wrapped text,
/// frozen header, a filter; overdue lines in red.
pub fn ledger_xlsx(title: &str, rows: &[RectificationRow]) -> ServiceResult<Vec<u8>> {
    use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};
    let failed = |e: XlsxError| ServiceError::Internal(format!("xlsx: {e}"));
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("整改台账")?;
        let heading = Format::new().set_bold().set_font_size(16).set_align(FormatAlign::Center);
        let head = Format::new().set_bold().set_background_color(Color::RGB(0xF2DCDB)).set_border(FormatBorder::Thin).set_align(FormatAlign::Center).set_text_wrap();
        let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap().set_align(FormatAlign::Top);
        let late = cell.clone().set_font_color(Color::RGB(0xB71C1C)).set_bold();
        ws.merge_range(0, 0, 0, LEDGER_COLUMNS.len() as u16 - 1, title, &heading)?;
        ws.write_string(1, 0, format!("导出时间：{}", clock::format_minute(clock::now())))?;
        for (i, (h, w)) in LEDGER_COLUMNS.iter().enumerate() {
            ws.write_string_with_format(2, i as u16, *h, &head)?;
            ws.set_column_width(i as u16, *w)?;
        }
        for (i, r) in rows.iter().enumerate() {
            let at = i as u32 + 3;
            for (j, v) in ledger_cells(i, r).iter().enumerate() {
                let f = if j == 7 && r.overdue { &late } else { &cell };
                ws.write_string_with_format(at, j as u16, v, f)?;
            }
        }
        ws.set_freeze_panes(3, 0)?;
        ws.autofilter(2, 0, (rows.len() as u32 + 2).max(3), LEDGER_COLUMNS.len() as u16 - 1)?;
        ws.set_landscape();
        ws.set_repeat_rows(2, 2)?;
        wb.save_to_buffer()
    };
    build().map_err(failed)
}

/// The ledger as a Word document (a table under the title, with counts in the lead).
pub fn ledger_docx(title: &str, site_name: &str, rows: &[RectificationRow]) -> ServiceResult<Vec<u8>> {
    use yuanxun_docx::{ArticleDoc, Block};
    let done = rows.iter().filter(|r| r.r.status == "done").count();
    let overdue = rows.iter().filter(|r| r.overdue).count();
    let lead = format!(
        "共梳理问题 {} 个，已整改到位 {done} 个，正在整改 {} 个{}。",
        rows.len(),
        rows.len() - done,
        if overdue > 0 { format!("（其中逾期 {overdue} 个）") } else { String::new() }
    );
    let mut blocks = vec![Block::Paragraph(lead)];
    if rows.is_empty() {
        blocks.push(Block::Paragraph("暂无整改事项。".into()));
    } else {
        blocks.push(Block::Table { header: LEDGER_COLUMNS.iter().map(|(h, _)| h.to_string()).collect(), rows: rows.iter().enumerate().map(|(i, r)| ledger_cells(i, r).to_vec()).collect() });
    }
    let doc = ArticleDoc { title: title.to_string(), subtitle: String::new(), meta: format!("截至 {}", clock::format_date(clock::now())), blocks, footer: String::new(), creator: site_name.to_string(), landscape: true };
    yuanxun_docx::write_docx(&doc).map_err(|e| ServiceError::Internal(format!("docx: {e}")))
}

/// Departments for the forms.
pub async fn departments(c: &mut AnyConnection, site: i64) -> ServiceResult<Vec<(i64, String)>> {
    Ok(yuanxun_store::sites::list_departments(c, site).await?.into_iter().map(|d| (d.id, d.name)).collect())
}
