//! Incidents of opinion monitoring (舆情事件): 发现 → 研判 → 处置 → 办结. An incident gathers
//! items, has an owner and a deadline, a judgement, a record of contacts made and notes, a
//! statement drafted as an ordinary manuscript (so it passes the same three-level review as
//! every story), and a closing summary. Past its deadline an open incident is escalated once:
//! its owner and the chief editors are told. The moves themselves are
//! `yuanxun_core::incident` (pure).

use serde::{Deserialize, Serialize};
use yuanxun_core::clock;
use yuanxun_core::incident::{self as flow, Facts, IncidentAction, IncidentState};
use yuanxun_core::Role;
use yuanxun_monitor::AlertLevel;
use yuanxun_store::incidents::{self as store, Incident, IncidentFields, NewIncident};
use yuanxun_store::monitor::{self as items, Item};
use yuanxun_store::AnyConnection;

use super::{audit, line};
use crate::auth::Actor;
use crate::error::{ServiceError, ServiceResult};
use crate::AppState;

fn require_staff(actor: &Actor) -> ServiceResult<()> {
    super::require_publicity_staff(actor, "处置舆情事件")
}

/// The incident form's fields (all text, as forms send them).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IncidentInput {
    #[serde(default, deserialize_with = "super::loose_text")]
    pub title: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub level: String,
    /// The owner's user id; empty for none yet.
    #[serde(default, deserialize_with = "super::loose_text")]
    pub owner: String,
    /// `2026-11-25T18:00`.
    #[serde(default, deserialize_with = "super::loose_text")]
    pub deadline: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub assessment: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub summary: String,
}

struct Checked {
    title: String,
    level: AlertLevel,
    owner: Option<i64>,
    deadline: Option<i64>,
    assessment: String,
    summary: String,
}

async fn checked(c: &mut AnyConnection, site: i64, input: &IncidentInput) -> ServiceResult<Checked> {
    let title = line(&input.title, "事件名称", true, 120)?;
    let level = AlertLevel::from_key(input.level.trim()).unwrap_or(AlertLevel::Yellow);
    let owner = match input.owner.trim() {
        "" => None,
        s => {
            let id: i64 = s.parse().map_err(|_| ServiceError::Invalid("负责人无效，请从列表中选择".into()))?;
            let u = yuanxun_store::users::get(c, site, id).await.map_err(|_| ServiceError::Invalid("负责人不存在，请从列表中选择".into()))?;
            if !u.active || !u.role.runs_outlets() {
                return Err(ServiceError::Invalid(format!("{}不能负责舆情事件：请选择宣传部的编辑或总编辑", u.display_name)));
            }
            Some(id)
        }
    };
    let deadline = match input.deadline.trim() {
        "" => None,
        s => Some(clock::parse_local(s).ok_or_else(|| ServiceError::Invalid(format!("办结期限“{s}”看不懂：请用日期时间选择器，如 2026-11-25 18:00")))?),
    };
    let assessment = input.assessment.trim().to_string();
    let summary = input.summary.trim().to_string();
    if assessment.chars().count() > 5000 || summary.chars().count() > 5000 {
        return Err(ServiceError::Invalid("研判意见和办结总结各不能超过 5000 字".into()));
    }
    Ok(Checked { title, level, owner, deadline, assessment, summary })
}

fn link(id: i64) -> String {
    format!("/admin/incidents/{id}")
}

async fn tell_owner(c: &mut AnyConnection, site: i64, actor: &Actor, owner: Option<i64>, id: i64, title: &str, now: i64) -> ServiceResult<()> {
    if let Some(owner) = owner.filter(|o| *o != actor.user.id) {
        yuanxun_store::notifications::notify(c, site, owner, "incident", &format!("您负责舆情事件：{title}"), &format!("由{}指定", actor.user.display_name), &link(id), now).await?;
    }
    Ok(())
}

/// Opens an incident (发现) with the items it starts from.
pub async fn create(state: &AppState, actor: &Actor, input: &IncidentInput, item_ids: &[i64]) -> ServiceResult<i64> {
    require_staff(actor)?;
    let site = state.site_id();
    let now = clock::now();
    let mut tx = state.store.begin().await?;
    let f = checked(tx.conn(), site, input).await?;
    for id in item_ids {
        items::get_item(tx.conn(), site, *id).await.map_err(|_| ServiceError::Invalid(format!("舆情信息 {id} 不存在")))?;
    }
    let id = store::create_incident(tx.conn(), site, &NewIncident { title: &f.title, level: f.level.key(), owner_id: f.owner, deadline: f.deadline, created_by: actor.user.id }, now).await?;
    for item in item_ids {
        store::add_item(tx.conn(), id, *item, now).await?;
    }
    store::add_event(tx.conn(), id, Some(actor.user.id), "state", &format!("发现：立为{}舆情事件，关联信息 {} 条", f.level.label(), item_ids.len()), now).await?;
    tell_owner(tx.conn(), site, actor, f.owner, id, &f.title, now).await?;
    audit(tx.conn(), site, actor, "incident_create", "incident", id, f.title.clone()).await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves the form; with `action`, also takes the move it names (the fields are saved first,
/// so a judgement typed and "进入处置" pressed in one go both count).
pub async fn save(state: &AppState, actor: &Actor, id: i64, input: &IncidentInput, action: Option<&str>) -> ServiceResult<IncidentState> {
    require_staff(actor)?;
    let site = state.site_id();
    let now = clock::now();
    let mut tx = state.store.begin().await?;
    let old = store::get_incident(tx.conn(), site, id).await?;
    let f = checked(tx.conn(), site, input).await?;
    let current = IncidentState::parse(&old.state).unwrap_or(IncidentState::Found);
    let mut next = current;
    if let Some(a) = action.filter(|a| !a.is_empty()) {
        let a = IncidentAction::parse(a).ok_or_else(|| ServiceError::Invalid("未知的操作".into()))?;
        let facts = Facts { has_owner: f.owner.is_some(), has_deadline: f.deadline.is_some_and(|d| a != IncidentAction::Reopen || d > now), assessment_len: f.assessment.chars().count(), summary_len: f.summary.chars().count() };
        next = flow::next(current, a, &facts).map_err(|e| ServiceError::Invalid(e.0))?;
    }
    let closed_at = match next {
        IncidentState::Closed => old.closed_at.or(Some(now)),
        _ => None,
    };
    store::update_incident(tx.conn(), site, id, &IncidentFields { title: &f.title, level: f.level.key(), state: next.code(), owner_id: f.owner, deadline: f.deadline, assessment: &f.assessment, summary: &f.summary, closed_at }, now).await?;
    if f.owner != old.owner_id {
        let name = match f.owner {
            Some(o) => yuanxun_store::users::get(tx.conn(), site, o).await?.display_name,
            None => "（无）".into(),
        };
        store::add_event(tx.conn(), id, Some(actor.user.id), "assign", &format!("负责人改为{name}"), now).await?;
        tell_owner(tx.conn(), site, actor, f.owner, id, &f.title, now).await?;
    }
    if f.deadline != old.deadline {
        let d = f.deadline.map(clock::format_minute).unwrap_or_else(|| "（无）".into());
        store::add_event(tx.conn(), id, Some(actor.user.id), "deadline", &format!("办结期限改为{d}"), now).await?;
    }
    if next != current {
        let what = match next {
            IncidentState::Assessing => "开始研判".to_string(),
            IncidentState::Handling if current == IncidentState::Closed => "重新处置".to_string(),
            IncidentState::Handling => format!("进入处置。研判意见：{}", f.assessment),
            IncidentState::Closed => format!("办结。{}", f.summary),
            IncidentState::Found => String::new(),
        };
        store::add_event(tx.conn(), id, Some(actor.user.id), "state", &what, now).await?;
        audit(tx.conn(), site, actor, "incident_state", "incident", id, format!("{}：{} → {}", f.title, current.label(), next.label())).await?;
    } else {
        audit(tx.conn(), site, actor, "incident_update", "incident", id, f.title.clone()).await?;
    }
    tx.commit().await?;
    Ok(next)
}

/// Kinds of record staff add by hand.
pub const RECORD_KINDS: [(&str, &str); 2] = [("contact", "联系记录"), ("note", "工作备注")];

/// Adds a contact made (with the poster, the family, a reporter, the authorities) or a note.
pub async fn record(state: &AppState, actor: &Actor, id: i64, kind: &str, text: &str) -> ServiceResult<()> {
    require_staff(actor)?;
    let kind = RECORD_KINDS.iter().find(|(k, _)| *k == kind).map(|(k, _)| *k).ok_or_else(|| ServiceError::Invalid("请选择记录类型".into()))?;
    let text = text.trim();
    if text.is_empty() {
        return Err(ServiceError::Invalid("请写下记录内容：联系了谁、怎么联系的、结果如何".into()));
    }
    if text.chars().count() > 3000 {
        return Err(ServiceError::Invalid("一条记录不能超过 3000 字".into()));
    }
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let inc = store::get_incident(tx.conn(), site, id).await?;
    store::add_event(tx.conn(), id, Some(actor.user.id), kind, text, clock::now()).await?;
    audit(tx.conn(), site, actor, "incident_record", "incident", id, format!("{}：{}", inc.title, text.chars().take(60).collect::<String>())).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds an item to an incident.
pub async fn add_item(state: &AppState, actor: &Actor, id: i64, item_id: i64) -> ServiceResult<()> {
    require_staff(actor)?;
    let site = state.site_id();
    let now = clock::now();
    let mut tx = state.store.begin().await?;
    let inc = store::get_incident(tx.conn(), site, id).await?;
    let item = items::get_item(tx.conn(), site, item_id).await?;
    if store::add_item(tx.conn(), id, item_id, now).await? {
        store::add_event(tx.conn(), id, Some(actor.user.id), "item", &format!("关联信息：{}（{}）", item.title, item.source_name), now).await?;
        audit(tx.conn(), site, actor, "incident_item", "incident", id, format!("{}：+{}", inc.title, item.title)).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Drafts the incident's statement (情况说明) as a manuscript in `channel_id`, to be written
/// and passed through the normal review; the incident links to it. Refused when it has one.
pub async fn draft_statement(state: &AppState, actor: &Actor, id: i64, channel_id: i64) -> ServiceResult<i64> {
    require_staff(actor)?;
    let site = state.site_id();
    let inc = {
        let mut c = state.store.conn().await?;
        store::get_incident(&mut c, site, id).await?
    };
    if let Some(m) = inc.statement_id {
        return Err(ServiceError::Conflict(format!("这个事件已有回应稿（稿件 {m}），请在稿件中修改")));
    }
    let department_id = match actor.user.department_id {
        Some(d) => Some(d),
        None => {
            let mut c = state.store.conn().await?;
            let depts = yuanxun_store::sites::list_departments(&mut c, site).await?;
            depts.iter().find(|d| d.name.contains("宣传")).or(depts.first()).map(|d| d.id)
        }
    };
    let date = clock::date(clock::now());
    let body_html = format!(
        "<p>近日，网络上出现关于{title}的信息。我院高度重视，第一时间组织核查。现将有关情况说明如下：</p>\
         <h2>一、基本情况</h2><p>（请写明经核实的事实：时间、地点、经过，不作推测。）</p>\
         <h2>二、处置情况</h2><p>（请写明已采取的措施：与当事人的沟通、调查、整改。）</p>\
         <h2>三、下一步工作</h2><p>（请写明后续安排和联系渠道。）</p>\
         <p>感谢社会各界对我院工作的关心和监督。</p><p>{site}</p><p>{y}年{m}月{d}日</p>",
        title = yuanxun_core::text::escape_html(&inc.title),
        site = yuanxun_core::text::escape_html(&state.site.name),
        y = date.year(),
        m = u8::from(date.month()),
        d = date.day()
    );
    let input = super::manuscripts::ManuscriptInput { title: format!("关于{}的情况说明", inc.title), channel_id, department_id, body_html, ..Default::default() };
    let m = super::manuscripts::create(state, actor, &input).await?;
    let now = clock::now();
    let mut tx = state.store.begin().await?;
    store::set_statement(tx.conn(), site, id, m.id, now).await?;
    store::add_event(tx.conn(), id, Some(actor.user.id), "statement", &format!("起草回应稿《{}》（稿件 {}），按正常流程送审", m.title, m.id), now).await?;
    audit(tx.conn(), site, actor, "incident_statement", "incident", id, format!("{}：回应稿 {}", inc.title, m.id)).await?;
    tx.commit().await?;
    Ok(m.id)
}

/// An incident as its page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentView {
    pub incident: Incident,
    pub state_label: &'static str,
    pub level_label: &'static str,
    pub overdue: bool,
    /// The moves open now, as (code, label).
    pub actions: Vec<(&'static str, &'static str)>,
    pub items: Vec<Item>,
    pub events: Vec<EventView>,
    /// The statement: manuscript id, title, where it is in review.
    pub statement: Option<(i64, String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    #[serde(flatten)]
    pub event: store::Event,
    pub kind_label: &'static str,
}

fn event_label(kind: &str) -> &'static str {
    match kind {
        "state" => "进展",
        "contact" => "联系记录",
        "note" => "工作备注",
        "statement" => "回应稿",
        "escalate" => "逾期升级",
        "assign" => "负责人",
        "deadline" => "期限",
        "item" => "关联信息",
        _ => "记录",
    }
}

pub async fn view(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<IncidentView> {
    require_staff(actor)?;
    let site = state.site_id();
    let mut c = state.store.conn().await?;
    let incident = store::get_incident(&mut c, site, id).await?;
    let st = IncidentState::parse(&incident.state).unwrap_or(IncidentState::Found);
    let mut list = Vec::new();
    for i in store::item_ids(&mut c, id).await? {
        list.push(items::get_item(&mut c, site, i).await?);
    }
    let events = store::events(&mut c, id).await?.into_iter().map(|e| EventView { kind_label: event_label(&e.kind), event: e }).collect();
    let statement = match incident.statement_id {
        Some(m) => {
            let m = yuanxun_store::manuscripts::get(&mut c, site, m).await?;
            Some((m.id, m.title.clone(), m.status.label()))
        }
        None => None,
    };
    Ok(IncidentView {
        state_label: st.label(),
        level_label: AlertLevel::from_key(&incident.level).map_or("", |l| l.label()),
        overdue: flow::overdue(st, incident.deadline, clock::now()),
        actions: flow::actions(st).iter().map(|a| (a.code(), a.label())).collect(),
        items: list,
        events,
        statement,
        incident,
    })
}

/// A line of the incident list.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentRow {
    #[serde(flatten)]
    pub incident: Incident,
    pub state_label: &'static str,
    pub level_label: &'static str,
    pub overdue: bool,
}

pub async fn list(state: &AppState, actor: &Actor, open_only: bool) -> ServiceResult<Vec<IncidentRow>> {
    require_staff(actor)?;
    let mut c = state.store.conn().await?;
    rows(&mut c, state.site_id(), open_only).await
}

pub(crate) async fn rows(c: &mut AnyConnection, site: i64, open_only: bool) -> ServiceResult<Vec<IncidentRow>> {
    let now = clock::now();
    Ok(store::list_incidents(c, site, open_only, 500)
        .await?
        .into_iter()
        .map(|i| {
            let st = IncidentState::parse(&i.state).unwrap_or(IncidentState::Found);
            IncidentRow { state_label: st.label(), level_label: AlertLevel::from_key(&i.level).map_or("", |l| l.label()), overdue: flow::overdue(st, i.deadline, now), incident: i }
        })
        .collect())
}

/// Escalates the open incidents past their deadline (once per deadline): an event on the
/// incident, and notifications for its owner and the chief editors. How many.
pub async fn escalate_overdue(state: &AppState) -> ServiceResult<usize> {
    let site = state.site_id();
    let now = clock::now();
    let mut tx = state.store.begin().await?;
    let due = store::overdue_unescalated(tx.conn(), site, now).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let chiefs: Vec<i64> = yuanxun_store::users::list(tx.conn(), site).await?.into_iter().filter(|u| u.active && u.role == Role::ChiefEditor).map(|u| u.id).collect();
    for inc in &due {
        let st = IncidentState::parse(&inc.state).unwrap_or(IncidentState::Found);
        if !flow::escalation_due(st, inc.deadline, inc.escalated_at, now) {
            continue;
        }
        let deadline = inc.deadline.map(clock::format_minute).unwrap_or_default();
        let owner = inc.owner_name.clone().unwrap_or_else(|| "（未指定）".into());
        store::mark_escalated(tx.conn(), inc.id, now).await?;
        store::add_event(tx.conn(), inc.id, None, "escalate", &format!("已超过办结期限（{deadline}）仍在“{}”阶段，已提醒负责人{owner}和总编辑", st.label()), now).await?;
        let title = format!("舆情事件逾期：{}", inc.title);
        let body = format!("办结期限 {deadline}，现处于“{}”阶段，负责人{owner}", st.label());
        let mut told: Vec<i64> = chiefs.clone();
        if let Some(o) = inc.owner_id {
            if !told.contains(&o) {
                told.push(o);
            }
        }
        for u in told {
            yuanxun_store::notifications::notify(tx.conn(), site, u, "escalation", &title, &body, &link(inc.id), now).await?;
        }
    }
    tx.commit().await?;
    Ok(due.len())
}

/// The incidents an item belongs to, for the item's page.
pub async fn of_item(state: &AppState, actor: &Actor, item_id: i64) -> ServiceResult<Vec<(i64, String, String)>> {
    require_staff(actor)?;
    let mut c = state.store.conn().await?;
    Ok(store::incidents_of_item(&mut c, state.site_id(), item_id)
        .await?
        .into_iter()
        .map(|(id, title, st)| (id, title, IncidentState::parse(&st).map_or("", |s| s.label()).to_string()))
        .collect())
}
