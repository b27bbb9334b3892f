//! Manuscripts from draft to article: create, edit (every save a revision), Word import,
//! media, submit, review decisions, publish (now or scheduled), retract.

use serde::{Deserialize, Serialize};
use yuanxun_core::diff::{diff_paragraphs, ParagraphDiff};
use yuanxun_core::workflow::{apply, Action};
use yuanxun_core::{clock, role, text, Role, Status};
use yuanxun_check::Format;
use yuanxun_docx::Limits;
use yuanxun_store::manuscripts::{self as repo, Content, Filter, NewDecision, NewMedia};
use yuanxun_store::{articles, sites, AnyConnection, Article, Decision, Manuscript, ManuscriptSummary, Media, Revision, User};

use super::{audit, checks, line};
use crate::auth::Actor;
use crate::error::{ServiceError, ServiceResult};
use crate::sanitize;
use crate::AppState;

/// What a writer submits from the form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ManuscriptInput {
    pub title: String,
    #[serde(default)]
    pub subtitle: String,
    pub channel_id: i64,
    #[serde(default)]
    pub department_id: Option<i64>,
    #[serde(default)]
    pub authors: String,
    #[serde(default)]
    pub photographers: String,
    #[serde(default)]
    pub body_html: String,
}

impl From<&Manuscript> for ManuscriptInput {
    /// The manuscript's current content, as the editor form shows it.
    fn from(m: &Manuscript) -> Self {
        ManuscriptInput {
            title: m.title.clone(),
            subtitle: m.subtitle.clone(),
            channel_id: m.channel_id,
            department_id: Some(m.department_id),
            authors: m.authors.clone(),
            photographers: m.photographers.clone(),
            body_html: m.body_html.clone(),
        }
    }
}

/// A review decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Approve,
    Return,
    Reject,
}

/// Everything the manuscript page shows.
#[derive(Debug, Clone, Serialize)]
pub struct ManuscriptView {
    pub manuscript: Manuscript,
    pub status_label: String,
    pub author_name: String,
    pub department_name: String,
    pub channel_name: String,
    pub revisions: Vec<Revision>,
    pub decisions: Vec<Decision>,
    pub media: Vec<Media>,
    pub article: Option<Article>,
    /// What the viewer may do now.
    pub can: Permissions,
    /// The last return or rejection, for the author to read.
    pub last_reason: Option<String>,
    /// Corrections of its article (更正), proposed, approved or declined, oldest first.
    pub corrections: Vec<yuanxun_store::corrections::Correction>,
}

/// Buttons the viewer sees.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Permissions {
    pub edit: bool,
    pub submit: bool,
    pub withdraw: bool,
    pub decide: bool,
    pub publish: bool,
    pub retract: bool,
    /// Propose a correction of the live article (更正).
    pub correct: bool,
    /// Approve or decline proposed corrections.
    pub approve_correction: bool,
}

fn can_view(user: &User, m: &Manuscript) -> bool {
    m.site_id == user.site_id && (m.author_id == user.id || user.role.sees_all_manuscripts())
}

fn can_edit(user: &User, m: &Manuscript) -> bool {
    m.status.is_editable() && ((m.author_id == user.id && user.role.writes()) || user.role.edits_others())
}

/// Loads a manuscript the actor may see; others get NotFound, so ids reveal nothing.
pub(crate) async fn load(c: &mut AnyConnection, state: &AppState, actor: &Actor, id: i64) -> ServiceResult<Manuscript> {
    let m = repo::get(c, state.site_id(), id).await?;
    if can_view(&actor.user, &m) {
        Ok(m)
    } else {
        Err(ServiceError::NotFound)
    }
}

fn round_of(decisions: &[Decision]) -> i64 {
    decisions.iter().map(|d| d.round).max().unwrap_or(0)
}

fn permissions(user: &User, m: &Manuscript, decisions: &[Decision], levels: u8) -> Permissions {
    let decide = match m.status.pending_level() {
        Some((level, _)) => role::may_decide_at(user.role, user.review_level, level) && !decided_this_round(user, decisions, level),
        None => false,
    };
    Permissions {
        edit: can_edit(user, m),
        submit: matches!(m.status, Status::Draft | Status::Returned) && (m.author_id == user.id || user.role.edits_others()),
        withdraw: matches!(m.status, Status::Submitted { .. }) && m.author_id == user.id,
        decide,
        publish: m.status == Status::Approved && user.role.publishes(),
        retract: m.status == Status::Published && user.role.publishes(),
        correct: m.status == Status::Published && user.role.publishes(),
        approve_correction: m.status == Status::Published && approves_corrections(user, levels),
    }
}

/// Whether `user` already passed this manuscript at another level in the current round:
/// three-level review needs three people.
fn decided_this_round(user: &User, decisions: &[Decision], level: u8) -> bool {
    let round = round_of(decisions);
    decisions.iter().any(|d| d.round == round && d.user_id == user.id && d.action == "approve" && d.level != i64::from(level))
}

async fn validate(c: &mut AnyConnection, state: &AppState, actor: &Actor, input: &ManuscriptInput) -> ServiceResult<(Content, i64, i64)> {
    let title = line(&input.title, "标题", true, 200)?;
    let subtitle = line(&input.subtitle, "副标题", false, 200)?;
    let authors = line(&input.authors, "作者", false, 200)?;
    let photographers = line(&input.photographers, "摄影", false, 200)?;
    if input.body_html.len() > 4 * 1024 * 1024 {
        return Err(ServiceError::Invalid("正文文字过长（超过 4 MB），请分成几篇稿件；您的内容仍在表单中".into()));
    }
    let body_html = sanitize::clean(&input.body_html);
    let channel = sites::get_channel(c, state.site_id(), input.channel_id).await.map_err(|_| ServiceError::Invalid("请选择栏目".into()))?;
    let department_id = match (actor.user.role, input.department_id, actor.user.department_id) {
        (Role::Correspondent, Some(d), Some(own)) if d != own => {
            return Err(ServiceError::Forbidden("通讯员只能为本科室投稿".into()));
        }
        (Role::Correspondent, _, Some(own)) => own,
        (_, Some(d), _) => d,
        (_, None, Some(own)) => own,
        (_, None, None) => return Err(ServiceError::Invalid("请选择来源科室".into())),
    };
    sites::get_department(c, state.site_id(), department_id).await.map_err(|_| ServiceError::Invalid("来源科室不存在".into()))?;
    Ok((Content { title, subtitle, authors, photographers, body_html }, channel.id, department_id))
}

fn require_writer(actor: &Actor) -> ServiceResult<()> {
    if actor.user.role.writes() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(format!("{}不能撰写稿件", actor.user.role.label())))
    }
}

/// Creates a draft.
pub async fn create(state: &AppState, actor: &Actor, input: &ManuscriptInput) -> ServiceResult<Manuscript> {
    require_writer(actor)?;
    let (input, pasted) = pasted_images(state, input).await?;
    check_ahead(state, &input.title, &input.subtitle, &sanitize::clean(&input.body_html), None).await?;
    let mut tx = state.store.begin().await?;
    let (mut content, channel_id, department_id) = validate(tx.conn(), state, actor, &input).await?;
    let media = store_pasted(tx.conn(), state, actor, None, &pasted, &mut content).await?;
    let m = repo::create(tx.conn(), state.site_id(), actor.user.id, department_id, channel_id, &content).await?;
    let media_ids: Vec<i64> = media.iter().map(|md| md.id).collect();
    adopt_media(tx.conn(), state.site_id(), m.id, &media_ids).await?;
    audit(tx.conn(), state.site_id(), actor, "manuscript_create", "manuscript", m.id, content.title.clone()).await?;
    let m = repo::get(tx.conn(), state.site_id(), m.id).await?;
    checks::refresh(state, tx.conn(), &m).await?;
    tx.commit().await?;
    Ok(m)
}

/// Saves an edit as a new revision. After submission this restarts review at level 1.
/// `base_revision` is the revision the editor started from: if someone saved in between,
/// the save is refused rather than silently overwriting their work.
pub async fn update(state: &AppState, actor: &Actor, id: i64, input: &ManuscriptInput, base_revision: Option<i64>) -> ServiceResult<Manuscript> {
    update_noted(state, actor, id, input, base_revision, "").await
}

/// [`update`] with a note on the revision and in the audit log (e.g. an accepted suggestion).
pub(crate) async fn update_noted(state: &AppState, actor: &Actor, id: i64, input: &ManuscriptInput, base_revision: Option<i64>, why: &str) -> ServiceResult<Manuscript> {
    let (input, pasted) = pasted_images(state, input).await?;
    check_ahead(state, &input.title, &input.subtitle, &sanitize::clean(&input.body_html), None).await?;
    let mut tx = state.store.begin().await?;
    let m = load_editable(tx.conn(), state, actor, id, "不能修改").await?;
    if base_revision.is_some_and(|b| b != m.revision) {
        return Err(ServiceError::Conflict("稿件已被他人修改，请刷新后再保存（您的内容仍在表单中，可先复制保存）".into()));
    }
    let (mut content, channel_id, _) = validate(tx.conn(), state, actor, &input).await?;
    let media = store_pasted(tx.conn(), state, actor, Some(id), &pasted, &mut content).await?;
    if let (None, Some(first)) = (m.cover_media_id, media.first()) {
        repo::set_cover(tx.conn(), state.site_id(), id, Some(first.id)).await?;
    }
    let m = save_in(tx.conn(), state, actor, &m, &content, channel_id, why).await?;
    tx.commit().await?;
    Ok(m)
}

/// Loads a manuscript the actor may change now (`refusal` says what they cannot do otherwise).
async fn load_editable(c: &mut AnyConnection, state: &AppState, actor: &Actor, id: i64, refusal: &str) -> ServiceResult<Manuscript> {
    let m = load(c, state, actor, id).await?;
    if !can_edit(&actor.user, &m) {
        return Err(ServiceError::Forbidden(format!("稿件{}，{refusal}", m.status.label())));
    }
    Ok(m)
}

/// Checks a manuscript's texts (trimmed as a save keeps them) before the caller's write
/// transaction begins, as of `published` (a correction) or today: [`save_in`] then finds the
/// report ready ([`checks::warm`]).
async fn check_ahead(state: &AppState, title: &str, subtitle: &str, body_html: &str, published: Option<i64>) -> ServiceResult<()> {
    let date = clock::date(published.unwrap_or_else(clock::now));
    checks::warm(state, &[(title.trim(), Format::Text), (subtitle.trim(), Format::Text), (body_html, Format::Html)], date).await
}

/// Saves `content` as the next revision of `m`, in the caller's transaction, with the
/// media as they now are: the workflow's edit move (after submission review restarts at
/// 初审, and approvals given to the old version no longer count), the audit row and the
/// check. Every change a reader would see goes through here: text, photos, attachments,
/// captions and the cover.
async fn save_in(c: &mut AnyConnection, state: &AppState, actor: &Actor, m: &Manuscript, content: &Content, channel_id: i64, why: &str) -> ServiceResult<Manuscript> {
    let site = state.site_id();
    let id = m.id;
    let levels = sites::get_channel(c, site, channel_id).await?.review_levels as u8;
    let next = apply(m.status, Action::Edit { levels })?;
    let restarted = m.status.pending_level().is_some_and(|(l, _)| l > 1) || m.status == Status::Approved;
    let restart_note = if restarted { "送审后修改，审核从初审重新开始" } else { "" };
    let note = [why, restart_note].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join("；");
    let note = note.as_str();
    let cover = repo::get(c, site, id).await?.cover_media_id;
    let media = media_lines(&repo::media_of(c, site, id).await?, cover);
    let number = repo::save_revision(c, m, content, &media, channel_id, actor.user.id, next, note).await?;
    if m.status.pending_level().is_some() || m.status == Status::Approved {
        // A new round: approvals given to the old version no longer count.
        let decisions = repo::decisions(c, site, id).await?;
        let d = NewDecision { revision: number, level: 0, levels: levels.into(), action: "edit", comment: note, user_id: actor.user.id, round: round_of(&decisions) + 1 };
        repo::add_decision(c, site, id, &d).await?;
        if m.status == Status::Approved && m.scheduled_at.is_some() {
            repo::set_schedule(c, site, id, None).await?;
        }
        tell_next(c, m, next, Some(actor.user.id), "").await?;
    }
    audit(c, site, actor, "manuscript_edit", "manuscript", id, format!("第 {number} 版{}", if note.is_empty() { String::new() } else { format!("，{note}") })).await?;
    let m = repo::get(c, site, id).await?;
    checks::refresh(state, c, &m).await?;
    Ok(m)
}

/// The media of a manuscript as a revision records them, one line each, in the words the
/// diff shows reviewers: kind, file name, caption, photographer, cover.
pub fn media_lines(media: &[Media], cover: Option<i64>) -> String {
    media
        .iter()
        .map(|f| {
            let mut line = format!("【{}】{}", if f.kind == "image" { "图片" } else { "附件" }, f.file_name);
            if !f.caption.is_empty() {
                line.push_str(&format!("；说明：{}", f.caption));
            }
            if !f.photographer.is_empty() {
                line.push_str(&format!("；摄影：{}", f.photographer));
            }
            if cover == Some(f.id) {
                line.push_str("；封面");
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The manuscript's current content, as a new revision keeps it when only its media change.
fn content_of(m: &Manuscript) -> Content {
    Content { title: m.title.clone(), subtitle: m.subtitle.clone(), authors: m.authors.clone(), photographers: m.photographers.clone(), body_html: m.body_html.clone() }
}

/// Sends a draft (or a returned manuscript) to review.
pub async fn submit(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<Manuscript> {
    let mut tx = state.store.begin().await?;
    let m = load(tx.conn(), state, actor, id).await?;
    let decisions = repo::decisions(tx.conn(), state.site_id(), id).await?;
    if !permissions(&actor.user, &m, &decisions, 0).submit {
        return Err(ServiceError::Forbidden(format!("稿件{}，您不能提交审核", m.status.label())));
    }
    if text::plain(&m.body_html).trim().is_empty() && m.cover_media_id.is_none() {
        return Err(ServiceError::Invalid("正文为空，请先填写正文再提交审核".into()));
    }
    let levels = sites::get_channel(tx.conn(), state.site_id(), m.channel_id).await?.review_levels as u8;
    let next = apply(m.status, Action::Submit { levels })?;
    repo::set_status(tx.conn(), &m, next).await?;
    let d = NewDecision { revision: m.revision, level: 0, levels: levels.into(), action: "submit", comment: "", user_id: actor.user.id, round: round_of(&decisions) + 1 };
    repo::add_decision(tx.conn(), state.site_id(), id, &d).await?;
    audit(tx.conn(), state.site_id(), actor, "manuscript_submit", "manuscript", id, format!("第 {} 版，{levels} 级审核", m.revision)).await?;
    tell_next(tx.conn(), &m, next, Some(actor.user.id), "").await?;
    let m = repo::get(tx.conn(), state.site_id(), id).await?;
    tx.commit().await?;
    Ok(m)
}

/// Tells whoever acts next on manuscript `m`, now at `next`, in the newsroom's 消息: the
/// reviewers of its pending level (chief editors only at the last level, or when nobody
/// else reviews at that one), the publishers once it is approved, the author when it is
/// returned, rejected or published. `by` (who moved it) is not told.
async fn tell_next(c: &mut AnyConnection, m: &Manuscript, next: Status, by: Option<i64>, comment: &str) -> ServiceResult<()> {
    let users = yuanxun_store::users::list(c, m.site_id).await?;
    let mut told: Vec<(i64, String, String)> = Vec::new();
    match next {
        Status::Submitted { .. } | Status::InReview { .. } => {
            let Some((level, of)) = next.pending_level() else { return Ok(()) };
            let named: Vec<&User> = users.iter().filter(|u| u.active && u.review_level == Some(level) && matches!(u.role, Role::Editor | Role::Reviewer)).collect();
            let chiefs: Vec<&User> = users.iter().filter(|u| u.active && u.role == Role::ChiefEditor && (level == of || named.is_empty())).collect();
            for u in named.into_iter().chain(chiefs) {
                told.push((u.id, format!("待{}：{}", role::level_label(level, of), m.title), format!("作者：{}", m.authors)));
            }
        }
        Status::Approved => {
            for u in users.iter().filter(|u| u.active && u.role.publishes()) {
                told.push((u.id, format!("已通过审核，待发布：{}", m.title), String::new()));
            }
        }
        Status::Returned => told.push((m.author_id, format!("稿件退回修改：{}", m.title), comment.to_string())),
        Status::Rejected => told.push((m.author_id, format!("稿件未被采用：{}", m.title), comment.to_string())),
        Status::Published => told.push((m.author_id, format!("稿件已发布：{}", m.title), "已在医院网站刊出".into())),
        _ => {}
    }
    let (link, now) = (format!("/admin/manuscripts/{}", m.id), clock::now());
    for (user, title, body) in told.into_iter().filter(|(u, _, _)| by != Some(*u)) {
        yuanxun_store::notifications::notify(c, m.site_id, user, "manuscript", &title, &body, &link, now).await?;
    }
    Ok(())
}

/// The author takes a submission back before anyone decided.
pub async fn withdraw(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<Manuscript> {
    let mut tx = state.store.begin().await?;
    let m = load(tx.conn(), state, actor, id).await?;
    if m.author_id != actor.user.id {
        return Err(ServiceError::Forbidden("只有作者本人可以撤回稿件".into()));
    }
    let next = apply(m.status, Action::Withdraw)?;
    repo::set_status(tx.conn(), &m, next).await?;
    audit(tx.conn(), state.site_id(), actor, "manuscript_withdraw", "manuscript", id, "").await?;
    let m = repo::get(tx.conn(), state.site_id(), id).await?;
    tx.commit().await?;
    Ok(m)
}

/// A reviewer's decision at the manuscript's pending level. Returning or rejecting needs a
/// reason, which the author sees.
/// Final approval is gated by the check: see [`checks::gate_final_approval`]; `override_reason`
/// is the chief editor's written reason to let blocking findings through.
pub async fn decide(state: &AppState, actor: &Actor, id: i64, verdict: Verdict, comment: &str, reviewed_revision: Option<i64>, override_reason: &str) -> ServiceResult<Manuscript> {
    let comment = line(comment, "审核意见", matches!(verdict, Verdict::Return | Verdict::Reject), 2000)
        .map_err(|e| match verdict {
            Verdict::Approve => e,
            _ => ServiceError::Invalid("退回或驳回时请写明原因，作者将看到这段意见".into()),
        })?;
    let mut tx = state.store.begin().await?;
    let m = load(tx.conn(), state, actor, id).await?;
    let Some((level, of)) = m.status.pending_level() else {
        return Err(ServiceError::Conflict(format!("稿件{}，不在审核中", m.status.label())));
    };
    if reviewed_revision.is_some_and(|r| r != m.revision) {
        return Err(ServiceError::Conflict("您审阅之后稿件又被修改了，请查看最新版本后再决定".into()));
    }
    if !role::may_decide_at(actor.user.role, actor.user.review_level, level) {
        return Err(ServiceError::Forbidden(format!("您不是这份稿件{}的审核人", role::level_label(level, of))));
    }
    let decisions = repo::decisions(tx.conn(), state.site_id(), id).await?;
    if decided_this_round(&actor.user, &decisions, level) {
        return Err(ServiceError::Forbidden("您已在本轮审核的其他级别通过了这份稿件，三审须由不同的人完成".into()));
    }
    let action = match verdict {
        Verdict::Approve => Action::Approve { level },
        Verdict::Return => Action::Return { level },
        Verdict::Reject => Action::Reject { level },
    };
    let next = apply(m.status, action)?;
    if verdict == Verdict::Approve && level == of {
        checks::gate_final_approval(state, tx.conn(), actor, &m, override_reason).await?;
    }
    repo::set_status(tx.conn(), &m, next).await?;
    let d = NewDecision { revision: m.revision, level: level.into(), levels: of.into(), action: action.name(), comment: &comment, user_id: actor.user.id, round: round_of(&decisions) };
    repo::add_decision(tx.conn(), state.site_id(), id, &d).await?;
    audit(tx.conn(), state.site_id(), actor, &format!("review_{}", action.name()), "manuscript", id, format!("{}，第 {} 版：{comment}", role::level_label(level, of), m.revision)).await?;
    tell_next(tx.conn(), &m, next, Some(actor.user.id), &comment).await?;
    let m = repo::get(tx.conn(), state.site_id(), id).await?;
    tx.commit().await?;
    Ok(m)
}

/// Publishes an approved manuscript now, or schedules it when `at` is in the future.
pub async fn publish(state: &AppState, actor: &Actor, id: i64, at: Option<i64>) -> ServiceResult<Manuscript> {
    if !actor.user.role.publishes() {
        return Err(ServiceError::Forbidden("只有编辑和总编辑可以发布稿件".into()));
    }
    let mut tx = state.store.begin().await?;
    let m = load(tx.conn(), state, actor, id).await?;
    if m.status != Status::Approved {
        return Err(apply(m.status, Action::Publish).err().map(Into::into).unwrap_or(ServiceError::Conflict("稿件不能发布".into())));
    }
    let now = clock::now();
    match at.filter(|t| *t > now) {
        Some(t) => {
            repo::set_schedule(tx.conn(), state.site_id(), id, Some(t)).await?;
            audit(tx.conn(), state.site_id(), actor, "manuscript_schedule", "manuscript", id, format!("定时发布：{}", clock::format_minute(t))).await?;
        }
        None => {
            publish_in(tx.conn(), &m, now).await?;
            audit(tx.conn(), state.site_id(), actor, "manuscript_publish", "manuscript", id, m.title.clone()).await?;
        }
    }
    let m = repo::get(tx.conn(), state.site_id(), id).await?;
    if m.status == Status::Published {
        super::live_site::record_article(tx.conn(), state, m.site_id, m.id).await?;
    }
    tx.commit().await?;
    if m.status == Status::Published {
        super::live_site::article_changed(state, m.site_id, m.id).await;
    }
    Ok(m)
}

/// Turns an approved manuscript into its article (in the caller's transaction).
async fn publish_in(c: &mut AnyConnection, m: &Manuscript, now: i64) -> ServiceResult<i64> {
    let next = apply(m.status, Action::Publish)?;
    let decisions = repo::decisions(c, m.site_id, m.id).await?;
    let round = round_of(&decisions);
    let approvals: Vec<&Decision> = decisions.iter().filter(|d| d.round == round && d.action == "approve").collect();
    let editor = approvals.iter().find(|d| d.level == 1).map(|d| d.user_name.clone()).unwrap_or_default();
    let responsible = approvals.iter().max_by_key(|d| d.level).map(|d| d.user_name.clone()).unwrap_or_default();
    let source = sites::get_department(c, m.site_id, m.department_id).await?.name;
    repo::set_status(c, m, next).await?;
    tell_next(c, m, next, None, "").await?;
    let new = articles::NewArticle {
        manuscript_id: m.id,
        channel_id: m.channel_id,
        title: &m.title,
        subtitle: &m.subtitle,
        authors: &m.authors,
        photographers: &m.photographers,
        body_html: &m.body_html,
        source: &source,
        editor: &editor,
        responsible_editor: &responsible,
        cover_media_id: m.cover_media_id,
        published_at: now,
    };
    let id = articles::publish(c, m.site_id, &new).await?;
    // The website is the first outlet every story reaches.
    super::outlets::record_on_website(c, m.site_id, id, now).await?;
    Ok(id)
}

/// Publishes every approved manuscript whose scheduled time has come. Returns how many.
pub async fn publish_due(state: &AppState) -> ServiceResult<usize> {
    let now = clock::now();
    let due = {
        let mut c = state.store.conn().await?;
        repo::due_for_publishing(&mut c, now).await?
    };
    let mut n = 0;
    // Each site's scheduler publishes its own (its state refreshes its own pages).
    for (site_id, id) in due.into_iter().filter(|(site, _)| *site == state.site_id()) {
        let mut tx = state.store.begin().await?;
        let m = repo::get(tx.conn(), site_id, id).await?;
        if m.status != Status::Approved || m.scheduled_at.is_none_or(|t| t > now) {
            continue; // changed since we looked
        }
        let article = publish_in(tx.conn(), &m, now).await?;
        yuanxun_store::audit::append(
            tx.conn(),
            site_id,
            &yuanxun_store::audit::NewEntry {
                actor_id: None,
                actor_name: "定时发布任务",
                action: "manuscript_publish",
                object_type: "manuscript",
                object_id: id.to_string(),
                detail: format!("按计划发布，文章 {article}"),
                ip: "",
            },
        )
        .await?;
        super::live_site::record_article(tx.conn(), state, site_id, id).await?;
        tx.commit().await?;
        super::live_site::article_changed(state, site_id, id).await;
        n += 1;
    }
    Ok(n)
}

/// Takes a published article down with a reason; its URL then answers 410.
pub async fn retract(state: &AppState, actor: &Actor, id: i64, reason: &str) -> ServiceResult<Manuscript> {
    if !actor.user.role.publishes() {
        return Err(ServiceError::Forbidden("只有编辑和总编辑可以撤稿".into()));
    }
    let reason = line(reason, "撤稿原因", true, 500)?;
    let mut tx = state.store.begin().await?;
    let m = load(tx.conn(), state, actor, id).await?;
    let next = apply(m.status, Action::Retract)?;
    let article = articles::by_manuscript(tx.conn(), state.site_id(), id).await?.ok_or(ServiceError::NotFound)?;
    repo::set_status(tx.conn(), &m, next).await?;
    articles::retract(tx.conn(), state.site_id(), article.id, &reason).await?;
    // A retracted story earns nobody anything: its points go with it, and the log says so.
    let lost: i64 = yuanxun_store::points::of_article(tx.conn(), state.site_id(), article.id).await?.iter().map(|e| e.points).sum();
    yuanxun_store::points::delete_of_article(tx.conn(), state.site_id(), article.id).await?;
    audit(tx.conn(), state.site_id(), actor, "manuscript_retract", "manuscript", id, format!("文章 {}：{reason}（收回积分 {}）", article.id, yuanxun_core::points::format(lost))).await?;
    let m = repo::get(tx.conn(), state.site_id(), id).await?;
    super::live_site::record_article(tx.conn(), state, m.site_id, m.id).await?;
    tx.commit().await?;
    super::live_site::article_changed(state, m.site_id, m.id).await;
    Ok(m)
}

/// A correction of a published article (更正): the new title, subtitle and body, and why.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Correction {
    pub title: String,
    #[serde(default)]
    pub subtitle: String,
    pub body_html: String,
    pub reason: String,
    /// The chief editor's written reason to let blocking findings through (when they
    /// approve their own correction).
    #[serde(default)]
    pub override_reason: String,
}

/// The number of review levels of the manuscript's channel.
async fn channel_levels(c: &mut AnyConnection, m: &Manuscript) -> ServiceResult<u8> {
    Ok(sites::get_channel(c, m.site_id, m.channel_id).await?.review_levels as u8)
}

/// Who approves corrections of a manuscript's channel: the chief editor, or a reviewer of
/// the channel's last level.
fn approves_corrections(user: &User, levels: u8) -> bool {
    user.role == Role::ChiefEditor || role::may_decide_at(user.role, user.review_level, levels)
}

/// Proposes a correction of the live article of a published manuscript (更正): it is
/// checked like any save and goes live — same URL, same publication time, with a dated
/// correction notice for readers — only when the chief editor (or a reviewer of the
/// channel's last level) approves it. A correction proposed by someone who may approve
/// it goes live at once (blocking findings still need the chief editor's written reason).
pub async fn correct(state: &AppState, actor: &Actor, id: i64, input: &Correction) -> ServiceResult<yuanxun_store::corrections::Correction> {
    use yuanxun_store::corrections::{self as corr, NewCorrection};
    if !actor.user.role.publishes() {
        return Err(ServiceError::Forbidden("只有编辑和总编辑可以更正已发布的文章".into()));
    }
    let title = line(&input.title, "标题", true, 200)?;
    let subtitle = line(&input.subtitle, "副标题", false, 200)?;
    let reason = line(&input.reason, "更正原因", true, 500)?;
    if input.body_html.len() > 4 * 1024 * 1024 {
        return Err(ServiceError::Invalid("正文文字过长（超过 4 MB）".into()));
    }
    let body_html = sanitize::clean(&input.body_html);
    if text::plain(&body_html).trim().is_empty() {
        return Err(ServiceError::Invalid("正文不能为空；要撤下文章请用“撤稿”".into()));
    }
    let site = state.site_id();
    let published = {
        let mut c = state.store.conn().await?;
        articles::by_manuscript(&mut c, site, id).await?.map(|a| a.published_at)
    };
    check_ahead(state, &title, &subtitle, &body_html, published).await?;
    let mut tx = state.store.begin().await?;
    let m = load(tx.conn(), state, actor, id).await?;
    if m.status != Status::Published {
        return Err(ServiceError::Conflict("只有已发布的文章可以更正".into()));
    }
    let article = articles::by_manuscript(tx.conn(), site, id).await?.ok_or(ServiceError::NotFound)?;
    let what: Vec<&str> = [(article.title != title, "标题"), (article.subtitle != subtitle, "副标题"), (article.body_html != body_html, "正文")].into_iter().filter(|(changed, _)| *changed).map(|(_, w)| w).collect();
    if what.is_empty() {
        return Err(ServiceError::Invalid("标题、副标题和正文都没有改动，无需更正".into()));
    }
    let changed = what.join("、");
    // The proposed text is checked as the manuscript would be, on its publication date.
    let probe = Manuscript { title: title.clone(), subtitle: subtitle.clone(), body_html: body_html.clone(), ..m.clone() };
    let check = checks::run(state, tx.conn(), &probe).await?;
    let report = serde_json::to_string(&check).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let new = NewCorrection {
        manuscript_id: id,
        article_id: article.id,
        title: &title,
        subtitle: &subtitle,
        body_html: &body_html,
        reason: &reason,
        changed: &changed,
        block_count: check.open.block as i64,
        warn_count: check.open.warn as i64,
        report: &report,
        proposed_by: actor.user.id,
    };
    let cid = corr::propose(tx.conn(), site, &new).await?;
    audit(tx.conn(), site, actor, "correction_propose", "manuscript", id, format!("文章 {}，更正{changed}：{reason}", article.id)).await?;
    let levels = channel_levels(tx.conn(), &m).await?;
    if approves_corrections(&actor.user, levels) {
        let done = approve_in(tx.conn(), state, actor, &m, cid, &input.override_reason, Some(check)).await?;
        super::live_site::record_article(tx.conn(), state, site, id).await?;
        tx.commit().await?;
        super::live_site::article_changed(state, site, id).await;
        return Ok(done);
    }
    let users = yuanxun_store::users::list(tx.conn(), site).await?;
    let link = format!("/admin/manuscripts/{id}#corrections");
    for u in users.iter().filter(|u| u.active && u.id != actor.user.id && approves_corrections(u, levels)) {
        yuanxun_store::notifications::notify(tx.conn(), site, u.id, "manuscript", &format!("待批准更正：{}", article.title), &format!("{}：{reason}", actor.user.display_name), &link, clock::now()).await?;
    }
    let done = corr::get(tx.conn(), site, cid).await?;
    tx.commit().await?;
    Ok(done)
}

/// Approves a pending correction: the article changes in place and shows the notice.
pub async fn approve_correction(state: &AppState, actor: &Actor, id: i64, correction_id: i64, override_reason: &str) -> ServiceResult<yuanxun_store::corrections::Correction> {
    {
        let mut c = state.store.conn().await?;
        let site = state.site_id();
        if let (Ok(p), Some(a)) = (yuanxun_store::corrections::get(&mut c, site, correction_id).await, articles::by_manuscript(&mut c, site, id).await?) {
            drop(c);
            check_ahead(state, &p.title, &p.subtitle, &p.body_html, Some(a.published_at)).await?;
        }
    }
    let mut tx = state.store.begin().await?;
    let m = load(tx.conn(), state, actor, id).await?;
    if !approves_corrections(&actor.user, channel_levels(tx.conn(), &m).await?) {
        return Err(ServiceError::Forbidden("更正须由总编辑（或本栏目终审人）批准".into()));
    }
    let done = approve_in(tx.conn(), state, actor, &m, correction_id, override_reason, None).await?;
    super::live_site::record_article(tx.conn(), state, m.site_id, m.id).await?;
    tx.commit().await?;
    super::live_site::article_changed(state, m.site_id, m.id).await;
    Ok(done)
}

/// [`approve_correction`] in the caller's transaction, for an approver already checked;
/// `checked` is the check of the correction's text when the caller just ran it.
async fn approve_in(c: &mut AnyConnection, state: &AppState, actor: &Actor, m: &Manuscript, correction_id: i64, override_reason: &str, checked: Option<checks::ManuscriptCheck>) -> ServiceResult<yuanxun_store::corrections::Correction> {
    use yuanxun_store::corrections as corr;
    let site = state.site_id();
    let p = corr::get(c, site, correction_id).await?;
    if p.manuscript_id != m.id {
        return Err(ServiceError::NotFound);
    }
    if m.status != Status::Published {
        return Err(ServiceError::Conflict("文章已撤下，这份更正不能再生效".into()));
    }
    // Checked again when approved later: the lexicons may have changed since it was proposed.
    let check = match checked {
        Some(check) => check,
        None => {
            let probe = Manuscript { title: p.title.clone(), subtitle: p.subtitle.clone(), body_html: p.body_html.clone(), ..m.clone() };
            checks::run(state, c, &probe).await?
        }
    };
    let blocks: Vec<String> = check.open_blocks().take(5).map(|i| format!("{}「{}」", i.category_label, i.finding.surface)).collect();
    if !blocks.is_empty() {
        let reason = override_reason.trim();
        if actor.user.role != Role::ChiefEditor || reason.is_empty() {
            let who = if actor.user.role == Role::ChiefEditor { "如确需放行，请写明放行理由" } else { "请修改后重新提交更正，或请总编辑写明理由后放行" };
            return Err(ServiceError::Conflict(format!("更正稿还有 {} 处“必须修改”的问题：{}。{who}", check.open.block, blocks.join("、"))));
        }
        let reason = line(reason, "放行理由", true, 1000)?;
        audit(c, site, actor, "check_override", "manuscript", m.id, format!("更正 {correction_id}，{} 处必须修改的问题（{}）：{reason}", check.open.block, blocks.join("、"))).await?;
    }
    corr::decide(c, site, correction_id, "approved", actor.user.id, "").await?;
    articles::correct(c, site, p.article_id, &p.title, &p.subtitle, &p.body_html).await?;
    audit(c, site, actor, "article_correct", "manuscript", m.id, format!("文章 {}，更正{}：{}（{} 提出）", p.article_id, p.changed, p.reason, p.proposer_name)).await?;
    if p.proposed_by != actor.user.id {
        yuanxun_store::notifications::notify(c, site, p.proposed_by, "manuscript", &format!("更正已批准：{}", p.title), &p.reason, &format!("/admin/manuscripts/{}", m.id), clock::now()).await?;
    }
    Ok(corr::get(c, site, correction_id).await?)
}

/// Declines a pending correction with a reason the proposer reads; the article stays.
pub async fn decline_correction(state: &AppState, actor: &Actor, id: i64, correction_id: i64, comment: &str) -> ServiceResult<yuanxun_store::corrections::Correction> {
    use yuanxun_store::corrections as corr;
    let comment = line(comment, "退回理由", true, 500)?;
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let m = load(tx.conn(), state, actor, id).await?;
    if !approves_corrections(&actor.user, channel_levels(tx.conn(), &m).await?) {
        return Err(ServiceError::Forbidden("更正须由总编辑（或本栏目终审人）处理".into()));
    }
    let p = corr::get(tx.conn(), site, correction_id).await?;
    if p.manuscript_id != id {
        return Err(ServiceError::NotFound);
    }
    corr::decide(tx.conn(), site, correction_id, "declined", actor.user.id, &comment).await?;
    audit(tx.conn(), site, actor, "correction_decline", "manuscript", id, format!("文章 {}，更正{}：{comment}", p.article_id, p.changed)).await?;
    yuanxun_store::notifications::notify(tx.conn(), site, p.proposed_by, "manuscript", &format!("更正未获批准：{}", p.title), &comment, &format!("/admin/manuscripts/{id}"), clock::now()).await?;
    let done = corr::get(tx.conn(), site, correction_id).await?;
    tx.commit().await?;
    Ok(done)
}

/// The manuscript with its history and what the viewer may do.
pub async fn view(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<ManuscriptView> {
    let mut c = state.store.conn().await?;
    let m = load(&mut c, state, actor, id).await?;
    let site = state.site_id();
    let decisions = repo::decisions(&mut c, site, id).await?;
    let author_name = yuanxun_store::users::get(&mut c, site, m.author_id).await?.display_name;
    let department_name = sites::get_department(&mut c, site, m.department_id).await?.name;
    let channel = sites::get_channel(&mut c, site, m.channel_id).await?;
    let channel_name = channel.name;
    let last_reason = decisions.iter().rev().find(|d| d.action == "return" || d.action == "reject").filter(|_| matches!(m.status, Status::Returned | Status::Rejected)).map(|d| d.comment.clone());
    Ok(ManuscriptView {
        status_label: m.status.label(),
        can: permissions(&actor.user, &m, &decisions, channel.review_levels as u8),
        corrections: yuanxun_store::corrections::of_manuscript(&mut c, site, id).await?,
        revisions: repo::revisions(&mut c, site, id).await?,
        media: repo::media_of(&mut c, site, id).await?,
        article: articles::by_manuscript(&mut c, site, id).await?,
        author_name,
        department_name,
        channel_name,
        decisions,
        last_reason,
        manuscript: m,
    })
}

/// The manuscripts the actor works on: their own (correspondents), or all of the site.
pub async fn list(state: &AppState, actor: &Actor, mine_only: bool) -> ServiceResult<Vec<ManuscriptSummary>> {
    let filter = if mine_only || !actor.user.role.sees_all_manuscripts() { Filter::Author(actor.user.id) } else { Filter::All };
    let mut c = state.store.conn().await?;
    Ok(repo::list(&mut c, state.site_id(), filter, 500).await?)
}

/// The review queue: manuscripts waiting at a level the actor decides at, and (for those who
/// publish) approved manuscripts waiting to go live.
pub async fn queue(state: &AppState, actor: &Actor) -> ServiceResult<(Vec<ManuscriptSummary>, Vec<ManuscriptSummary>)> {
    let mut c = state.store.conn().await?;
    let site = state.site_id();
    let mut waiting = Vec::new();
    for level in 1..=yuanxun_core::workflow::MAX_LEVELS {
        if role::may_decide_at(actor.user.role, actor.user.review_level, level) {
            waiting.extend(repo::list(&mut c, site, Filter::Level(level.into()), 500).await?);
        }
    }
    let approved = if actor.user.role.publishes() { repo::list(&mut c, site, Filter::Approved, 500).await? } else { Vec::new() };
    Ok((waiting, approved))
}

/// The paragraph- and character-level difference between two revisions.
pub async fn diff(state: &AppState, actor: &Actor, id: i64, from: i64, to: i64) -> ServiceResult<(Revision, Revision, Vec<ParagraphDiff>)> {
    let mut c = state.store.conn().await?;
    load(&mut c, state, actor, id).await?;
    let a = repo::revision(&mut c, state.site_id(), id, from).await?;
    let b = repo::revision(&mut c, state.site_id(), id, to).await?;
    // The media lines come after the text, so a new photo, a changed caption or another
    // cover shows in the diff like a changed paragraph.
    let lines = |r: &Revision| {
        let mut p = vec![r.title.clone()];
        p.extend(text::paragraphs(&r.body_html));
        p.extend(r.media.lines().map(str::to_string));
        p
    };
    let (pa, pb) = (lines(&a), lines(&b));
    let d = diff_paragraphs(&pa, &pb);
    Ok((a, b, d))
}

/// The URL a stored medium is served at.
pub fn media_url(m: &Media) -> String {
    let ext = m.storage_key.rsplit('.').next().unwrap_or("bin");
    format!("/media/{}.{ext}", m.id)
}

/// Pictures pasted into the body as `data:` URIs: taken out of the HTML, cleaned like any
/// upload (format check, pixel limits, EXIF removed by re-encoding) and their files written,
/// all before the write transaction (which adds their rows). A refused save leaves at most
/// files no row names, never a row without its file.
async fn pasted_images(state: &AppState, input: &ManuscriptInput) -> ServiceResult<(ManuscriptInput, Vec<(yuanxun_docx::CleanImage, (String, String))>)> {
    let (body_html, raw) = sanitize::take_data_images(&input.body_html).map_err(ServiceError::Invalid)?;
    let input = ManuscriptInput { body_html, ..input.clone() };
    if raw.is_empty() {
        return Ok((input, Vec::new()));
    }
    let cleaned = crate::heavy::run(move || {
        raw.iter()
            .enumerate()
            .map(|(i, bytes)| yuanxun_docx::clean_image(&format!("正文中粘贴的第 {} 张图片", i + 1), bytes, &Limits::default()))
            .collect::<Result<Vec<_>, _>>()
    })
    .await??;
    // Their files are written before any transaction begins; the rows follow in it.
    let mut stored = Vec::with_capacity(cleaned.len());
    for img in cleaned {
        let file = state.store.media.put(state.site_id(), &img.bytes, img.ext).await?;
        stored.push((img, file));
    }
    Ok((input, stored))
}

/// Stores one cleaned picture (file, then media row) for a manuscript, or unattached for a
/// manuscript about to be created.
pub(crate) async fn store_image(c: &mut AnyConnection, state: &AppState, actor: &Actor, manuscript_id: Option<i64>, img: &yuanxun_docx::CleanImage, file_name: &str, caption: &str) -> ServiceResult<Media> {
    let stored = state.store.media.put(state.site_id(), &img.bytes, img.ext).await?;
    image_row(c, state, actor, manuscript_id, img, stored, file_name, caption).await
}

/// The media row of a picture whose file is already stored (`stored`: its key and digest).
#[allow(clippy::too_many_arguments)]
async fn image_row(c: &mut AnyConnection, state: &AppState, actor: &Actor, manuscript_id: Option<i64>, img: &yuanxun_docx::CleanImage, stored: (String, String), file_name: &str, caption: &str) -> ServiceResult<Media> {
    let site = state.site_id();
    let (key, sha) = stored;
    let new = NewMedia {
        manuscript_id,
        kind: "image",
        file_name,
        content_type: img.content_type,
        storage_key: &key,
        sha256: &sha,
        size: img.bytes.len() as i64,
        width: img.width.into(),
        height: img.height.into(),
        caption,
        photographer: "",
        created_by: actor.user.id,
    };
    Ok(repo::add_media(c, site, &new).await?)
}

/// Attaches pictures stored before their manuscript existed; the first becomes the cover.
async fn adopt_media(c: &mut AnyConnection, site: i64, manuscript_id: i64, media_ids: &[i64]) -> ServiceResult<()> {
    for mid in media_ids {
        repo::attach_media(c, site, *mid, manuscript_id).await?;
    }
    if let Some(first) = media_ids.first() {
        repo::set_cover(c, site, manuscript_id, Some(*first)).await?;
        let media = media_lines(&repo::media_of(c, site, manuscript_id).await?, Some(*first));
        repo::set_revision_media(c, site, manuscript_id, 1, &media).await?;
    }
    Ok(())
}

/// Stores cleaned pasted pictures as media of the manuscript (or unattached, for a manuscript
/// about to be created) and points the body's placeholders at them.
async fn store_pasted(c: &mut AnyConnection, state: &AppState, actor: &Actor, manuscript_id: Option<i64>, images: &[(yuanxun_docx::CleanImage, (String, String))], content: &mut Content) -> ServiceResult<Vec<Media>> {
    let mut stored = Vec::with_capacity(images.len());
    for (i, (img, file)) in images.iter().enumerate() {
        let media = image_row(c, state, actor, manuscript_id, img, file.clone(), &format!("pasted-{}.{}", i + 1, img.ext), "").await?;
        content.body_html = content.body_html.replace(&sanitize::inline_placeholder(i), &media_url(&media));
        stored.push(media);
    }
    Ok(stored)
}

/// Creates a manuscript from a Word upload: text, headings, lists, tables and photos (the
/// first photo becomes the cover). Nothing is stored when the file is refused.
pub async fn import_docx(state: &AppState, actor: &Actor, bytes: Vec<u8>, channel_id: i64, department_id: Option<i64>) -> ServiceResult<Manuscript> {
    require_writer(actor)?;
    let limits = Limits { max_file: state.config.max_upload, ..Limits::default() };
    let imported = crate::heavy::run(move || yuanxun_docx::read_docx(&bytes, &limits)).await??;
    let site = state.site_id();
    let probe = ManuscriptInput { title: imported.title.clone(), channel_id, department_id, ..Default::default() };
    let title = if imported.title.is_empty() { "（无标题）".to_string() } else { imported.title.chars().take(200).collect() };
    let probe = ManuscriptInput { title: title.clone(), ..probe };
    // Refused before anything is stored when the channel or department is wrong (neither
    // is ever deleted, so the answer holds for the transaction below).
    let (_, channel_id, department_id) = {
        let mut c = state.store.conn().await?;
        validate(&mut c, state, actor, &probe).await?
    };
    // The photos first: their files (no lock held while they are written, to a disk or to
    // S3), then their rows in one short transaction, not yet attached to anything (a
    // failure below leaves unattached media, never a manuscript missing its photos)…
    let mut files = Vec::with_capacity(imported.images.len());
    for img in &imported.images {
        files.push(state.store.media.put(site, &img.image.bytes, img.image.ext).await?);
    }
    let mut body = imported.body_html.clone();
    let mut media_ids = Vec::new();
    {
        let mut tx = state.store.begin().await?;
        for (i, (img, stored)) in imported.images.iter().zip(files).enumerate() {
            let name = format!("{}.{}", img.name.rsplit_once('.').map(|p| p.0).unwrap_or(&img.name), img.image.ext);
            let media = image_row(tx.conn(), state, actor, None, &img.image, stored, &name, &img.caption).await?;
            // Every place the document shows this picture (a picture used twice is one medium).
            body = body.replace(&format!("data-import=\"{i}\""), &format!("src=\"{}\"", media_url(&media)));
            media_ids.push(media.id);
        }
        tx.commit().await?;
    }
    // …then the check of the whole text, outside the write lock, then the manuscript.
    let content = Content { title, body_html: sanitize::clean(&body), ..Default::default() };
    check_ahead(state, &content.title, "", &content.body_html, None).await?;
    let mut tx = state.store.begin().await?;
    let m = repo::create(tx.conn(), site, actor.user.id, department_id, channel_id, &content).await?;
    adopt_media(tx.conn(), site, m.id, &media_ids).await?;
    audit(tx.conn(), site, actor, "manuscript_import", "manuscript", m.id, format!("从 Word 导入，{} 张图片", media_ids.len())).await?;
    let m = repo::get(tx.conn(), site, m.id).await?;
    checks::refresh(state, tx.conn(), &m).await?;
    tx.commit().await?;
    Ok(m)
}

/// Extensions accepted as attachments (documents people download from an article).
const ATTACHMENT_EXTS: &[&str] = &["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "zip", "rar", "wps", "et"];

/// An uploaded file's name as kept: its last path part (browsers on Windows send the whole
/// path), without control characters, at most 120 characters.
pub(crate) fn upload_name(file_name: &str) -> String {
    file_name.rsplit(['/', '\\']).next().unwrap_or_default().chars().filter(|c| !c.is_control()).take(120).collect()
}

/// Decodes, size-checks and re-encodes an uploaded photo off the async threads.
async fn clean_photo(file_name: &str, bytes: Vec<u8>) -> ServiceResult<yuanxun_docx::CleanImage> {
    let name = file_name.to_string();
    crate::heavy::run(move || yuanxun_docx::clean_image(&name, &bytes, &Limits::default())).await?.map_err(Into::into)
}

/// A photo uploaded as bookkeeping (a clipping, a points entry's evidence): refused with
/// `refusal` unless it is a JPG or PNG, then cleaned like every photo. Returns the name to
/// keep and the cleaned image.
pub(crate) async fn uploaded_photo(file_name: &str, bytes: Vec<u8>, refusal: &str) -> ServiceResult<(String, yuanxun_docx::CleanImage)> {
    if bytes.is_empty() || !image_like(&bytes) {
        return Err(ServiceError::Invalid(refusal.into()));
    }
    let name = upload_name(file_name);
    let img = clean_photo(&name, bytes).await?;
    Ok((name, img))
}

/// Adds a photo (cleaned and re-encoded) or an attachment to a manuscript, as a new
/// revision: once submitted, review restarts at 初审.
pub async fn add_media(state: &AppState, actor: &Actor, id: i64, file_name: &str, bytes: Vec<u8>, caption: &str, photographer: &str, as_cover: bool) -> ServiceResult<Media> {
    let site = state.site_id();
    let before = {
        let mut c = state.store.conn().await?;
        load_editable(&mut c, state, actor, id, "不能再添加图片或附件").await?
    };
    let caption = line(caption, "图片说明", false, 300)?;
    let photographer = line(photographer, "摄影", false, 60)?;
    let file_name = upload_name(file_name);
    let ext = file_name.rsplit_once('.').map(|p| p.1.to_ascii_lowercase()).unwrap_or_default();
    if bytes.is_empty() {
        return Err(ServiceError::Invalid("没有收到文件，请重新选择".into()));
    }
    let is_image = image_like(&bytes);
    let stored = if is_image {
        let img = clean_photo(&file_name, bytes).await?;
        let (key, sha) = state.store.media.put(site, &img.bytes, img.ext).await?;
        (key, sha, img.content_type.to_string(), img.bytes.len(), img.width, img.height, "image")
    } else if ATTACHMENT_EXTS.contains(&ext.as_str()) {
        let (key, sha) = state.store.media.put(site, &bytes, &ext).await?;
        (key, sha, "application/octet-stream".to_string(), bytes.len(), 0, 0, "file")
    } else {
        return Err(ServiceError::Invalid(format!("不支持的文件类型“.{ext}”。图片请用 JPG/PNG；附件支持 {}", ATTACHMENT_EXTS.join("、"))));
    };
    let (key, sha, content_type, size, w, h, kind) = stored;
    check_ahead(state, &before.title, &before.subtitle, &before.body_html, None).await?;
    let mut tx = state.store.begin().await?;
    // Looked at again under the write lock: it may have moved on while the file was cleaned.
    let m = load_editable(tx.conn(), state, actor, id, "不能再添加图片或附件").await?;
    let new = NewMedia {
        manuscript_id: Some(id),
        kind,
        file_name: &file_name,
        content_type: &content_type,
        storage_key: &key,
        sha256: &sha,
        size: size as i64,
        width: w.into(),
        height: h.into(),
        caption: &caption,
        photographer: &photographer,
        created_by: actor.user.id,
    };
    let media = repo::add_media(tx.conn(), site, &new).await?;
    let cover = kind == "image" && (as_cover || m.cover_media_id.is_none());
    if cover {
        repo::set_cover(tx.conn(), site, id, Some(media.id)).await?;
    }
    audit(tx.conn(), site, actor, "media_add", "manuscript", id, format!("{file_name}（{kind}）")).await?;
    let what = format!("添加{}“{file_name}”{}", if kind == "image" { "图片" } else { "附件" }, if cover { "并设为封面" } else { "" });
    save_in(tx.conn(), state, actor, &m, &content_of(&m), m.channel_id, &what).await?;
    tx.commit().await?;
    Ok(media)
}

/// What may change about a medium of a manuscript (the photo strip's buttons).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", tag = "op")]
pub enum MediaChange {
    /// New caption and photographer.
    Describe {
        #[serde(default)]
        caption: String,
        #[serde(default)]
        photographer: String,
    },
    /// Make this photo the cover (封面, the list's picture and the share image).
    Cover,
    /// Take the photo or attachment out of the manuscript (and out of its body).
    Remove,
}

/// Changes a medium of a manuscript as a new revision (once submitted, review restarts at
/// 初审): its caption and photographer, the cover, or its removal.
pub async fn change_media(state: &AppState, actor: &Actor, id: i64, media_id: i64, change: &MediaChange) -> ServiceResult<Manuscript> {
    let site = state.site_id();
    {
        let mut c = state.store.conn().await?;
        let m = load_editable(&mut c, state, actor, id, "不能再修改图片或附件").await?;
        let body = match change {
            MediaChange::Remove => repo::get_media(&mut c, site, media_id).await.map(|f| without_image(&m.body_html, &media_url(&f))).unwrap_or(m.body_html.clone()),
            _ => m.body_html.clone(),
        };
        check_ahead(state, &m.title, &m.subtitle, &body, None).await?;
    }
    let mut tx = state.store.begin().await?;
    let m = load_editable(tx.conn(), state, actor, id, "不能再修改图片或附件").await?;
    let media = repo::get_media(tx.conn(), site, media_id).await?;
    if media.manuscript_id != Some(id) {
        return Err(ServiceError::NotFound);
    }
    let mut content = content_of(&m);
    let what = match change {
        MediaChange::Describe { caption, photographer } => {
            let caption = line(caption, "图片说明", false, 300)?;
            let photographer = line(photographer, "摄影", false, 60)?;
            if caption == media.caption && photographer == media.photographer {
                return Err(ServiceError::Invalid("说明和摄影都没有改动".into()));
            }
            repo::update_media(tx.conn(), site, media_id, &caption, &photographer).await?;
            format!("修改“{}”的说明：{}", media.file_name, if caption.is_empty() { "（无）" } else { caption.as_str() })
        }
        MediaChange::Cover => {
            if media.kind != "image" {
                return Err(ServiceError::Invalid("附件不能作为封面，请选择一张图片".into()));
            }
            if m.cover_media_id == Some(media_id) {
                return Err(ServiceError::Invalid("这张图片已经是封面".into()));
            }
            repo::set_cover(tx.conn(), site, id, Some(media_id)).await?;
            format!("封面改为“{}”", media.file_name)
        }
        MediaChange::Remove => {
            repo::delete_media(tx.conn(), site, media_id).await?;
            content.body_html = without_image(&content.body_html, &media_url(&media));
            if m.cover_media_id == Some(media_id) {
                // The next photo, if any, becomes the cover.
                let next = repo::media_of(tx.conn(), site, id).await?.into_iter().find(|f| f.kind == "image").map(|f| f.id);
                repo::set_cover(tx.conn(), site, id, next).await?;
            }
            format!("删除{}“{}”", if media.kind == "image" { "图片" } else { "附件" }, media.file_name)
        }
    };
    audit(tx.conn(), site, actor, "media_change", "manuscript", id, what.clone()).await?;
    let m = save_in(tx.conn(), state, actor, &m, &content, m.channel_id, &what).await?;
    tx.commit().await?;
    Ok(m)
}

/// The body without the `<img>` tags that show `url` (a removed photo).
fn without_image(body: &str, url: &str) -> String {
    let needle = format!("src=\"{url}\"");
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find("<img") {
        let end = rest[at..].find('>').map(|e| at + e + 1).unwrap_or(rest.len());
        out.push_str(&rest[..at]);
        let tag = &rest[at..end];
        if !tag.contains(&needle) {
            out.push_str(tag);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

pub(crate) fn image_like(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        || bytes.starts_with(b"\x89PNG")
        || bytes.starts_with(b"GIF8")
        || bytes.starts_with(b"BM")
        || (bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP")
}

/// A medium and its bytes, if the viewer may see it: anyone, once its article is live;
/// otherwise only those who may see the manuscript.
pub async fn media_for(state: &AppState, viewer: Option<&Actor>, id: i64) -> ServiceResult<(Media, Vec<u8>)> {
    let site = state.site_id();
    let mut c = state.store.conn().await?;
    let media = repo::get_media(&mut c, site, id).await?;
    let Some(mid) = media.manuscript_id else {
        // Not part of a story: a clipping or a points entry's evidence, for the publicity staff only.
        drop(c);
        if super::outlets::may_see_bookkeeping(state, viewer, id).await? {
            let bytes = state.store.media.get(&media.storage_key).await.map_err(|_| ServiceError::NotFound)?;
            return Ok((media, bytes));
        }
        return Err(ServiceError::NotFound);
    };
    let public = articles::by_manuscript(&mut c, site, mid).await?.is_some_and(|a| !a.retracted);
    if !public {
        let Some(actor) = viewer else { return Err(ServiceError::NotFound) };
        load(&mut c, state, actor, mid).await?;
    }
    let bytes = state.store.media.get(&media.storage_key).await.map_err(|_| ServiceError::NotFound)?;
    Ok((media, bytes))
}
