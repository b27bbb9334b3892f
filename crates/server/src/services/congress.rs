//! The staff congress (职工代表大会): a session (届/次) with its agenda, delegates in groups
//! and a motions committee; motions (提案) submitted by delegates online, accepted (立案),
//! converted to suggestions or declined by the committee, assigned to a department that
//! replies by a deadline, rated by the delegate (an unsatisfactory reply goes back for
//! rework); votes on resolutions by the delegates present, one ballot each, secret where
//! set, counted by `yuanxun_core::congress` and final once closed.
//!
//! Who does what: the system administrator sets up sessions, delegates and the committee;
//! the committee (and the administrator) decide on motions and run votes; the handling
//! department's own people reply; the proposer rates. Every step is in the audit chain; a
//! secret ballot records that a delegate voted, never how.

use serde::{Deserialize, Serialize};
use yuanxun_core::clock;
use yuanxun_core::congress::{self as rules, MotionAction, MotionState, Rating, Tally};
use yuanxun_core::Role;
use yuanxun_store::congress::{self as store, Delegate, Motion, Session, Vote};
use yuanxun_store::AnyConnection;

use super::notifications::tell_department;
use super::{audit, line};
use crate::auth::Actor;
use crate::error::{ServiceError, ServiceResult};
use crate::AppState;

/// What the actor is to a session.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Standing {
    pub admin: bool,
    pub committee: bool,
    /// The actor's delegate id in the session.
    pub delegate: Option<i64>,
}

impl Standing {
    fn runs(&self) -> bool {
        self.admin || self.committee
    }
}

async fn standing(c: &mut AnyConnection, actor: &Actor, session_id: i64) -> ServiceResult<Standing> {
    let committee = store::committee(c, session_id).await?.iter().any(|(id, _)| *id == actor.user.id);
    Ok(Standing { admin: actor.user.role.administers(), committee, delegate: store::delegate_of(c, session_id, actor.user.id).await? })
}

fn notify_link(id: i64) -> String {
    format!("/admin/congress/motions/{id}")
}

async fn notify(c: &mut AnyConnection, site: i64, user: i64, title: &str, body: &str, link: &str) -> ServiceResult<()> {
    yuanxun_store::notifications::notify(c, site, user, "congress", title, body, link, clock::now()).await?;
    Ok(())
}

// ---------------------------------------------------------------- sessions

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SessionInput {
    #[serde(default)]
    pub term: String,
    #[serde(default)]
    pub sitting: String,
    #[serde(default)]
    pub opens_on: String,
    #[serde(default)]
    pub agenda: String,
}

fn chinese_number(n: i64) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n as usize].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { D[(n - 10) as usize] }),
        20..=99 => format!("{}十{}", D[(n / 10) as usize], if n % 10 == 0 { "" } else { D[(n % 10) as usize] }),
        _ => n.to_string(),
    }
}

pub async fn create_session(state: &AppState, actor: &Actor, input: &SessionInput) -> ServiceResult<i64> {
    if !actor.user.role.administers() {
        return Err(ServiceError::Forbidden("只有系统管理员可以设立职代会会议".into()));
    }
    let term: i64 = input.term.trim().parse().ok().filter(|t| (1..=99).contains(t)).ok_or_else(|| ServiceError::Invalid("届次请填 1 到 99 的数字，如第五届填 5".into()))?;
    let sitting: i64 = input.sitting.trim().parse().ok().filter(|t| (1..=99).contains(t)).ok_or_else(|| ServiceError::Invalid("会次请填 1 到 99 的数字，如第三次会议填 3".into()))?;
    let opens_on = line(&input.opens_on, "开幕日期", true, 20)?;
    let agenda = input.agenda.trim().to_string();
    let name = format!("第{}届职工代表大会第{}次会议", chinese_number(term), chinese_number(sitting));
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    if store::list_sessions(tx.conn(), site).await?.iter().any(|s| s.term == term && s.sitting == sitting) {
        return Err(ServiceError::Conflict(format!("{name}已经设立")));
    }
    let id = store::create_session(tx.conn(), site, &name, term, sitting, &opens_on, &agenda, clock::now()).await?;
    audit(tx.conn(), site, actor, "congress_session_create", "congress_session", id, name).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn sessions(state: &AppState, _actor: &Actor) -> ServiceResult<Vec<Session>> {
    let mut c = state.store.conn().await?;
    Ok(store::list_sessions(&mut c, state.site_id()).await?)
}

/// Adds delegates (by user name, one a line, optionally `用户名 代表团`), or committee members.
pub async fn add_people(state: &AppState, actor: &Actor, session_id: i64, lines: &str, committee: bool) -> ServiceResult<usize> {
    if !actor.user.role.administers() {
        return Err(ServiceError::Forbidden("只有系统管理员可以确定代表和提案工作委员会".into()));
    }
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let session = store::get_session(tx.conn(), site, session_id).await?;
    let mut n = 0;
    for (i, l) in lines.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let mut parts = l.split_whitespace();
        let username = parts.next().unwrap_or_default();
        let group = parts.collect::<Vec<_>>().join(" ");
        let user = yuanxun_store::users::by_username(tx.conn(), site, username).await?.ok_or_else(|| ServiceError::Invalid(format!("第 {} 行：没有用户名为“{username}”的用户", i + 1)))?;
        if committee {
            store::add_committee_member(tx.conn(), session_id, user.id).await?;
        } else {
            let group_id = if group.is_empty() { None } else { Some(store::group(tx.conn(), session_id, &group).await?) };
            store::add_delegate(tx.conn(), session_id, user.id, group_id).await.map_err(|e| match e {
                yuanxun_store::StoreError::Conflict(_) => ServiceError::Invalid(format!("第 {} 行：{}已是本次大会的代表", i + 1, user.display_name)),
                e => e.into(),
            })?;
        }
        n += 1;
    }
    if n == 0 {
        return Err(ServiceError::Invalid("请每行填写一个用户名（代表可在用户名后空一格写代表团）".into()));
    }
    audit(tx.conn(), site, actor, if committee { "congress_committee_add" } else { "congress_delegates_add" }, "congress_session", session_id, format!("{}：{n} 人", session.name)).await?;
    tx.commit().await?;
    Ok(n)
}

pub async fn set_motions_open(state: &AppState, actor: &Actor, session_id: i64, open: bool) -> ServiceResult<()> {
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let session = store::get_session(tx.conn(), site, session_id).await?;
    if !standing(tx.conn(), actor, session_id).await?.runs() {
        return Err(ServiceError::Forbidden("只有提案工作委员会或系统管理员可以开始或截止征集提案".into()));
    }
    store::set_motions_open(tx.conn(), session_id, open).await?;
    audit(tx.conn(), site, actor, "congress_motions_open", "congress_session", session_id, format!("{}：{}", session.name, if open { "开始征集提案" } else { "截止征集提案" })).await?;
    tx.commit().await?;
    Ok(())
}

/// Counts of a session's motions, for its page and the report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MotionStats {
    pub total: usize,
    pub accepted: usize,
    pub suggestions: usize,
    pub declined: usize,
    pub pending: usize,
    pub replied: usize,
    pub closed: usize,
    pub satisfied: usize,
    pub basic: usize,
    pub unsatisfied: usize,
    pub overdue: usize,
    /// Per handling department: (name, motions, replied).
    pub by_department: Vec<(String, usize, usize)>,
}

pub fn stats(motions: &[Motion], now: i64) -> MotionStats {
    let mut s = MotionStats { total: motions.len(), ..Default::default() };
    for m in motions {
        let state = MotionState::parse(&m.state).unwrap_or(MotionState::Submitted);
        match state {
            MotionState::Submitted => s.pending += 1,
            MotionState::Declined => s.declined += 1,
            _ => {}
        }
        if m.number.as_deref().is_some_and(|n| n.starts_with('T')) {
            s.accepted += 1;
        } else if m.number.is_some() {
            s.suggestions += 1;
        }
        if m.replied_at.is_some() {
            s.replied += 1;
        }
        if state == MotionState::Closed {
            s.closed += 1;
        }
        match m.rating.as_deref().and_then(Rating::parse) {
            Some(Rating::Satisfied) => s.satisfied += 1,
            Some(Rating::Basic) => s.basic += 1,
            Some(Rating::Unsatisfied) => s.unsatisfied += 1,
            None => {}
        }
        if rules::awaits_reply(state) && m.reply_deadline.is_some_and(|d| d < now) {
            s.overdue += 1;
        }
        if let Some(d) = &m.department_name {
            match s.by_department.iter_mut().find(|(n, _, _)| n == d) {
                Some(e) => {
                    e.1 += 1;
                    e.2 += usize::from(m.replied_at.is_some());
                }
                None => s.by_department.push((d.clone(), 1, usize::from(m.replied_at.is_some()))),
            }
        }
    }
    s
}

/// A session's page: who is who, the motions the actor may see, the votes, the counts.
#[derive(Debug, Clone, Serialize)]
pub struct SessionView {
    pub session: Session,
    pub standing: Standing,
    pub delegates: Vec<Delegate>,
    pub committee: Vec<(i64, String)>,
    pub motions: Vec<MotionRow>,
    pub stats: MotionStats,
    pub votes: Vec<Vote>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MotionRow {
    #[serde(flatten)]
    pub m: Motion,
    pub state_label: &'static str,
    pub overdue: bool,
}

fn motion_row(m: Motion) -> MotionRow {
    let state = MotionState::parse(&m.state).unwrap_or(MotionState::Submitted);
    MotionRow { state_label: state.label(), overdue: rules::awaits_reply(state) && m.reply_deadline.is_some_and(|d| d < clock::now()), m }
}

/// May the actor read this motion? Delegates, the committee, the administrator and auditors
/// read all of a session's; a handling department's people read those assigned to it.
fn may_read(actor: &Actor, st: &Standing, m: &Motion) -> bool {
    st.runs() || st.delegate.is_some() || actor.user.role == Role::Auditor || (m.department_id.is_some() && actor.user.department_id == m.department_id)
}

pub async fn session(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<SessionView> {
    let site = state.site_id();
    let mut c = state.store.conn().await?;
    let session = store::get_session(&mut c, site, id).await?;
    let st = standing(&mut c, actor, id).await?;
    let all = store::list_motions(&mut c, site, id).await?;
    let stats = stats(&all, clock::now());
    let motions = all.into_iter().filter(|m| may_read(actor, &st, m)).map(motion_row).collect();
    Ok(SessionView { delegates: store::delegates(&mut c, id).await?, committee: store::committee(&mut c, id).await?, votes: store::list_votes(&mut c, site, id).await?, session, standing: st, motions, stats })
}

// ---------------------------------------------------------------- motions

#[derive(Debug, Clone, Default, Deserialize)]
pub struct MotionInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub proposal: String,
    #[serde(default)]
    pub co_signers: String,
}

/// A delegate submits a motion while the session takes them.
pub async fn submit(state: &AppState, actor: &Actor, session_id: i64, input: &MotionInput) -> ServiceResult<i64> {
    let site = state.site_id();
    let title = line(&input.title, "提案标题", true, 100)?;
    let reason = input.reason.trim().to_string();
    let proposal = input.proposal.trim().to_string();
    if reason.chars().count() < 10 || proposal.chars().count() < 10 {
        return Err(ServiceError::Invalid("请写明案由（存在的问题）和建议措施，各至少 10 个字".into()));
    }
    if reason.chars().count() > 5000 || proposal.chars().count() > 5000 {
        return Err(ServiceError::Invalid("案由和建议措施各不能超过 5000 字".into()));
    }
    let co_signers = line(&input.co_signers, "附议代表", false, 300)?;
    let now = clock::now();
    let mut tx = state.store.begin().await?;
    let session = store::get_session(tx.conn(), site, session_id).await?;
    if standing(tx.conn(), actor, session_id).await?.delegate.is_none() {
        return Err(ServiceError::Forbidden(format!("只有{}的代表可以提交提案", session.name)));
    }
    if !session.motions_open {
        return Err(ServiceError::Conflict("提案征集已截止，如有意见建议请联系工会".into()));
    }
    let id = store::create_motion(tx.conn(), site, session_id, &title, &reason, &proposal, actor.user.id, &co_signers, now).await?;
    store::add_motion_event(tx.conn(), id, Some(actor.user.id), "提交提案", now).await?;
    for (u, _) in store::committee(tx.conn(), session_id).await? {
        notify(tx.conn(), site, u, &format!("新提案待审查：{title}"), &format!("{}提交", actor.user.display_name), &notify_link(id)).await?;
    }
    audit(tx.conn(), site, actor, "motion_submit", "motion", id, title).await?;
    tx.commit().await?;
    Ok(id)
}

/// A motion with what the actor may do to it.
#[derive(Debug, Clone, Serialize)]
pub struct MotionView {
    pub row: MotionRow,
    pub session: Session,
    pub events: Vec<store::MotionEvent>,
    pub can_decide: bool,
    pub can_reply: bool,
    pub can_rate: bool,
}

pub async fn motion(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<MotionView> {
    let site = state.site_id();
    let mut c = state.store.conn().await?;
    let m = store::get_motion(&mut c, site, id).await?;
    let st = standing(&mut c, actor, m.session_id).await?;
    if !may_read(actor, &st, &m) {
        return Err(ServiceError::NotFound);
    }
    let state_now = MotionState::parse(&m.state).unwrap_or(MotionState::Submitted);
    let can_reply = rules::awaits_reply(state_now) && m.department_id.is_some() && actor.user.department_id == m.department_id && actor.user.role != Role::Auditor;
    Ok(MotionView {
        session: store::get_session(&mut c, site, m.session_id).await?,
        events: store::motion_events(&mut c, id).await?,
        can_decide: st.runs() && state_now == MotionState::Submitted,
        can_reply,
        can_rate: state_now == MotionState::Replied && m.proposer_id == actor.user.id,
        row: motion_row(m),
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct DecisionInput {
    /// accept, convert, decline
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub department: String,
    /// `2026-12-31`.
    #[serde(default)]
    pub deadline: String,
}

/// The committee's decision: 立案 or 转为意见建议 (both numbered, assigned to a department
/// with a reply deadline), or 不予立案 with the reason.
pub async fn decide(state: &AppState, actor: &Actor, id: i64, input: &DecisionInput) -> ServiceResult<()> {
    let site = state.site_id();
    let now = clock::now();
    let mut tx = state.store.begin().await?;
    let m = store::get_motion(tx.conn(), site, id).await?;
    if !standing(tx.conn(), actor, m.session_id).await?.runs() {
        return Err(ServiceError::Forbidden("只有提案工作委员会可以审查提案".into()));
    }
    let action = match input.decision.as_str() {
        "accept" => MotionAction::Accept,
        "convert" => MotionAction::Convert,
        "decline" => MotionAction::Decline,
        _ => return Err(ServiceError::Invalid("请选择立案、转为意见建议或不予立案".into())),
    };
    let next = rules::next(MotionState::parse(&m.state).unwrap_or(MotionState::Submitted), action).map_err(ServiceError::Conflict)?;
    let note = input.note.trim().to_string();
    if note.chars().count() > 2000 {
        return Err(ServiceError::Invalid("审查意见不能超过 2000 字".into()));
    }
    let (number, department, deadline) = if action == MotionAction::Decline {
        if note.is_empty() {
            return Err(ServiceError::Invalid("不予立案时请写明理由，代表将看到这段意见".into()));
        }
        (None, None, None)
    } else {
        let d: i64 = input.department.trim().parse().map_err(|_| ServiceError::Invalid("请选择承办科室".into()))?;
        let dept = yuanxun_store::sites::get_department(tx.conn(), site, d).await.map_err(|_| ServiceError::Invalid("承办科室不存在".into()))?;
        let day = clock::parse_date(&input.deadline).ok_or_else(|| ServiceError::Invalid("请填写答复期限（如 2026-12-31）".into()))?;
        // 提案 T-001, 意见建议 J-001, numbered in the order decided.
        let prefix = if action == MotionAction::Accept { "T-" } else { "J-" };
        let n = store::numbered(tx.conn(), m.session_id, prefix).await? + 1;
        (Some(format!("{prefix}{n:03}")), Some(dept), Some(clock::end_of_day(day)))
    };
    store::decide_motion(tx.conn(), id, next.code(), number.as_deref(), &note, department.as_ref().map(|d| d.id), deadline, now).await?;
    let what = match (&department, deadline) {
        (Some(d), Some(dl)) => format!("{}（{}），交{}办理，{} 前答复。{note}", next.label(), number.clone().unwrap_or_default(), d.name, clock::format_date(dl)),
        _ => format!("{}：{note}", next.label()),
    };
    store::add_motion_event(tx.conn(), id, Some(actor.user.id), &what, now).await?;
    notify(tx.conn(), site, m.proposer_id, &format!("您的提案{}：{}", next.label(), m.title), &what, &notify_link(id)).await?;
    if let Some(d) = &department {
        let (title, body) = (format!("请答复职代会提案：{}", m.title), format!("{} 前答复", clock::format_date(deadline.unwrap_or(now))));
        tell_department(tx.conn(), site, d.id, None, "congress", &title, &body, &notify_link(id), now).await?;
    }
    audit(tx.conn(), site, actor, "motion_decide", "motion", id, format!("{}：{}", m.title, next.label())).await?;
    tx.commit().await?;
    Ok(())
}

/// The handling department replies (again, after an unsatisfactory rating).
pub async fn reply(state: &AppState, actor: &Actor, id: i64, text: &str) -> ServiceResult<()> {
    let site = state.site_id();
    let now = clock::now();
    let text = text.trim();
    if text.chars().count() < 10 {
        return Err(ServiceError::Invalid("请写明办理情况（采取了哪些措施、何时完成），至少 10 个字".into()));
    }
    if text.chars().count() > 5000 {
        return Err(ServiceError::Invalid("答复不能超过 5000 字".into()));
    }
    let mut tx = state.store.begin().await?;
    let m = store::get_motion(tx.conn(), site, id).await?;
    if m.department_id.is_none() || actor.user.department_id != m.department_id || actor.user.role == Role::Auditor {
        return Err(ServiceError::Forbidden(format!("只有承办科室{}的人员可以答复这件提案", m.department_name.clone().unwrap_or_default())));
    }
    rules::next(MotionState::parse(&m.state).unwrap_or(MotionState::Submitted), MotionAction::Reply).map_err(ServiceError::Conflict)?;
    store::reply_motion(tx.conn(), id, text, now).await?;
    store::add_motion_event(tx.conn(), id, Some(actor.user.id), &format!("{}答复：{text}", m.department_name.clone().unwrap_or_default()), now).await?;
    notify(tx.conn(), site, m.proposer_id, &format!("您的提案已答复，请评价：{}", m.title), &format!("{}答复", m.department_name.clone().unwrap_or_default()), &notify_link(id)).await?;
    audit(tx.conn(), site, actor, "motion_reply", "motion", id, m.title.clone()).await?;
    tx.commit().await?;
    Ok(())
}

/// The proposer rates the reply; 不满意 sends it back to the department.
pub async fn rate(state: &AppState, actor: &Actor, id: i64, rating: &str, comment: &str) -> ServiceResult<MotionState> {
    let site = state.site_id();
    let now = clock::now();
    let rating = Rating::parse(rating).ok_or_else(|| ServiceError::Invalid("请选择满意、基本满意或不满意".into()))?;
    let comment = comment.trim();
    if rating == Rating::Unsatisfied && comment.is_empty() {
        return Err(ServiceError::Invalid("不满意时请写明原因，承办科室将据此重新办理".into()));
    }
    let mut tx = state.store.begin().await?;
    let m = store::get_motion(tx.conn(), site, id).await?;
    if m.proposer_id != actor.user.id {
        return Err(ServiceError::Forbidden("只有提案人可以评价答复".into()));
    }
    let next = rules::next(MotionState::parse(&m.state).unwrap_or(MotionState::Submitted), MotionAction::Rate(rating)).map_err(ServiceError::Conflict)?;
    store::rate_motion(tx.conn(), id, next.code(), rating.code(), now).await?;
    let what = if comment.is_empty() { format!("评价：{}", rating.label()) } else { format!("评价：{}。{comment}", rating.label()) };
    store::add_motion_event(tx.conn(), id, Some(actor.user.id), &what, now).await?;
    if let (MotionState::Rework, Some(d)) = (next, m.department_id) {
        tell_department(tx.conn(), site, d, None, "congress", &format!("提案答复不满意，请重新办理：{}", m.title), comment, &notify_link(id), now).await?;
    }
    audit(tx.conn(), site, actor, "motion_rate", "motion", id, format!("{}：{}", m.title, rating.label())).await?;
    tx.commit().await?;
    Ok(next)
}

/// Reminds the handling departments (and the committee) of motions whose reply is overdue,
/// once each. How many.
pub async fn remind_overdue(state: &AppState) -> ServiceResult<usize> {
    let site = state.site_id();
    let now = clock::now();
    let mut tx = state.store.begin().await?;
    let due = store::overdue_motions(tx.conn(), site, now).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let users = yuanxun_store::users::list(tx.conn(), site).await?;
    for m in &due {
        store::mark_motion_reminded(tx.conn(), m.id, now).await?;
        let deadline = m.reply_deadline.map(clock::format_date).unwrap_or_default();
        let dept = m.department_name.clone().unwrap_or_default();
        store::add_motion_event(tx.conn(), m.id, None, &format!("已超过答复期限（{deadline}），已提醒{dept}和提案工作委员会"), now).await?;
        let mut told: Vec<i64> = users.iter().filter(|u| u.active && u.department_id == m.department_id).map(|u| u.id).collect();
        for (u, _) in store::committee(tx.conn(), m.session_id).await? {
            if !told.contains(&u) {
                told.push(u);
            }
        }
        for u in told {
            notify(tx.conn(), site, u, &format!("职代会提案答复逾期：{}", m.title), &format!("{dept}，期限 {deadline}"), &notify_link(m.id)).await?;
        }
    }
    tx.commit().await?;
    Ok(due.len())
}

// ---------------------------------------------------------------- votes

#[derive(Debug, Clone, Default, Deserialize)]
pub struct VoteInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub secret: String,
}

async fn require_runs(c: &mut AnyConnection, actor: &Actor, session_id: i64) -> ServiceResult<()> {
    if standing(c, actor, session_id).await?.runs() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("只有大会主持方（提案工作委员会或系统管理员）可以组织表决".into()))
    }
}

pub async fn create_vote(state: &AppState, actor: &Actor, session_id: i64, input: &VoteInput) -> ServiceResult<i64> {
    let site = state.site_id();
    let title = line(&input.title, "表决事项", true, 200)?;
    let body = input.body.trim().to_string();
    let secret = matches!(input.secret.as_str(), "on" | "1" | "true");
    let mut tx = state.store.begin().await?;
    store::get_session(tx.conn(), site, session_id).await?;
    require_runs(tx.conn(), actor, session_id).await?;
    let id = store::create_vote(tx.conn(), site, session_id, &title, &body, secret, actor.user.id, clock::now()).await?;
    audit(tx.conn(), site, actor, "vote_create", "vote", id, format!("{title}（{}）", if secret { "无记名" } else { "记名" })).await?;
    tx.commit().await?;
    Ok(id)
}

/// Opens a vote with the delegates present (签到), who alone may vote.
pub async fn open_vote(state: &AppState, actor: &Actor, id: i64, present: &[i64]) -> ServiceResult<()> {
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let v = store::get_vote(tx.conn(), site, id).await?;
    require_runs(tx.conn(), actor, v.session_id).await?;
    let delegates = store::delegates(tx.conn(), v.session_id).await?;
    if delegates.is_empty() {
        return Err(ServiceError::Invalid("本次大会还没有代表".into()));
    }
    let mut present: Vec<i64> = present.to_vec();
    present.sort_unstable();
    present.dedup();
    if let Some(bad) = present.iter().find(|p| !delegates.iter().any(|d| d.id == **p)) {
        return Err(ServiceError::Invalid(format!("出席名单中的 {bad} 不是本次大会的代表")));
    }
    if !store::open_vote(tx.conn(), id, delegates.len() as i64, &present, clock::now()).await? {
        return Err(ServiceError::Conflict("这项表决已经开始或已经结束".into()));
    }
    audit(tx.conn(), site, actor, "vote_open", "vote", id, format!("{}：应到 {} 人，实到 {} 人", v.title, delegates.len(), present.len())).await?;
    let users: Vec<i64> = delegates.iter().filter(|d| present.contains(&d.id)).map(|d| d.user_id).collect();
    for u in users {
        notify(tx.conn(), site, u, &format!("请投票：{}", v.title), "表决已开始", &format!("/admin/congress/votes/{id}")).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A delegate present casts one ballot: yes, no or abstain.
pub async fn cast(state: &AppState, actor: &Actor, id: i64, choice: &str) -> ServiceResult<()> {
    let site = state.site_id();
    let label = match choice {
        "yes" => "赞成",
        "no" => "反对",
        "abstain" => "弃权",
        _ => return Err(ServiceError::Invalid("请选择赞成、反对或弃权".into())),
    };
    let mut tx = state.store.begin().await?;
    let v = store::get_vote(tx.conn(), site, id).await?;
    if v.status != "open" {
        return Err(ServiceError::Conflict(if v.status == "closed" { "表决已经结束".into() } else { "表决还没有开始".into() }));
    }
    let Some(delegate) = store::delegate_of(tx.conn(), v.session_id, actor.user.id).await? else {
        return Err(ServiceError::Forbidden("只有本次大会的代表可以投票".into()));
    };
    if !store::attended(tx.conn(), id, delegate).await? {
        return Err(ServiceError::Forbidden("您不在本项表决的出席名单中，不能投票".into()));
    }
    if store::has_voted(tx.conn(), id, delegate).await? {
        return Err(ServiceError::Conflict("您已经投过票，每位代表只能投一次".into()));
    }
    store::cast(tx.conn(), id, delegate, v.secret, &crate::auth::random_token(), choice).await?;
    // The audit chain records that the delegate voted; how, only on an open (记名) vote.
    let detail = if v.secret { format!("{}：已投票（无记名）", v.title) } else { format!("{}：{label}", v.title) };
    audit(tx.conn(), site, actor, "vote_cast", "vote", id, detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Closes a vote: counts the ballots and states the result by the quorum rule. Final.
pub async fn close_vote(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<Tally> {
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let v = store::get_vote(tx.conn(), site, id).await?;
    require_runs(tx.conn(), actor, v.session_id).await?;
    if v.status != "open" {
        return Err(ServiceError::Conflict("只有进行中的表决可以结束".into()));
    }
    let (yes, no, abstain, _) = store::count(tx.conn(), id).await?;
    let tally = Tally { delegates: v.delegates as u32, present: v.present as u32, yes: yes as u32, no: no as u32, abstain: abstain as u32 };
    let result = tally.result();
    store::close_vote(tx.conn(), id, yes, no, abstain, tally.passed(), &result, clock::now()).await?;
    audit(tx.conn(), site, actor, "vote_close", "vote", id, format!("{}：{result}", v.title)).await?;
    tx.commit().await?;
    Ok(tally)
}

/// A vote as its page shows it to the actor.
#[derive(Debug, Clone, Serialize)]
pub struct VoteView {
    pub vote: Vote,
    pub session: Session,
    pub standing: Standing,
    pub delegates: Vec<Delegate>,
    pub present: bool,
    pub voted: bool,
    /// Ballots cast so far (receipts), for the chair while it is open.
    pub cast: i64,
    /// How each delegate voted, on a closed open (记名) vote.
    pub ballots: Vec<(String, String)>,
}

pub async fn vote(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<VoteView> {
    let site = state.site_id();
    let mut c = state.store.conn().await?;
    let v = store::get_vote(&mut c, site, id).await?;
    let st = standing(&mut c, actor, v.session_id).await?;
    if !(st.runs() || st.delegate.is_some() || actor.user.role == Role::Auditor) {
        return Err(ServiceError::NotFound);
    }
    let (present, voted) = match st.delegate {
        Some(d) => (store::attended(&mut c, id, d).await?, store::has_voted(&mut c, id, d).await?),
        None => (false, false),
    };
    let (_, _, _, cast) = store::count(&mut c, id).await?;
    let ballots = if v.status == "closed" && !v.secret { store::open_ballots(&mut c, id).await? } else { Vec::new() };
    Ok(VoteView { session: store::get_session(&mut c, site, v.session_id).await?, delegates: store::delegates(&mut c, v.session_id).await?, standing: st, present, voted, cast, ballots, vote: v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_named_in_chinese_numerals() {
        assert_eq!(chinese_number(5), "五");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(13), "十三");
        assert_eq!(chinese_number(21), "二十一");
        assert_eq!(chinese_number(30), "三十");
    }
}
