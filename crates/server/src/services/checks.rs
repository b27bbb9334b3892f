//! The content-risk check as a step of every review: each save checks the title, subtitle
//! and body of the new revision and stores the report; reviewers dismiss findings with a
//! reason (per manuscript, by finding key) or accept a suggestion as a new revision; the
//! site's lexicons and LeaderRoster are edited here and apply to the next check.
//!
//! The compiled [`Checker`] is cached per process and rebuilt when the site's lexicon
//! revision in the database moves on, so a change made through any server node applies to
//! the next check without a restart.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use serde::{Deserialize, Serialize};
use yuanxun_check::lexicon::{format_date, parse_date};
use yuanxun_check::{Category, CheckInput, Checker, Entry, Finding, Format, Leader, Severity, SiteLexicon};
use yuanxun_core::{clock, Role, Status};
use yuanxun_store::checks::{self as repo, LexiconItem, List, SiteLexiconRows, StoredReport};
use yuanxun_store::{articles, AnyConnection, Manuscript};

use super::{audit, line};
use crate::auth::Actor;
use crate::error::{ServiceError, ServiceResult};
use crate::AppState;

/// The compiled lexicons of the site, with the revision they were built from, and the
/// reports of texts checked ahead of a write ([`warm`]).
#[derive(Default)]
pub struct CheckerCache {
    /// The site's checker: built for a lexicon revision, with or without the model.
    inner: RwLock<Option<(i64, bool, Arc<Checker>)>>,
    ahead: Mutex<HashMap<[u8; 32], yuanxun_check::CheckReport>>,
}

/// Reports checked ahead and not yet used that are kept (a save uses its own at once).
const AHEAD_KEPT: usize = 256;

fn ahead_key(version: &str, date: time::Date, format: Format, text: &str) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(version.as_bytes());
    h.update([0]);
    h.update(format_date(date).as_bytes());
    h.update([matches!(format, Format::Html) as u8]);
    h.update(text.as_bytes());
    h.finalize().into()
}

/// Checks `texts` (title, subtitle, body …) as of `date` on the blocking pool, before the
/// caller begins its write transaction; [`run`] inside the transaction then finds the
/// reports ready, so the check — the costly part of a save — never runs while the store's
/// write lock is held. A text changed in between is simply checked again there.
pub async fn warm(state: &AppState, texts: &[(&str, Format)], date: time::Date) -> ServiceResult<()> {
    let checker = {
        let mut c = state.store.conn().await?;
        checker(state, &mut c).await?
    };
    let texts: Vec<(String, Format)> = texts.iter().filter(|(t, _)| !t.is_empty()).map(|(t, f)| (t.to_string(), *f)).collect();
    let reports = crate::heavy::run(move || {
        texts
            .iter()
            .map(|(text, format)| (ahead_key(checker.version(), date, *format, text), checker.check(&CheckInput { text, format: *format, date: Some(date), dismissed: &[] })))
            .collect::<Vec<_>>()
    })
    .await?;
    let mut ahead = state.checkers.ahead.lock().map_err(|_| ServiceError::Internal("check cache poisoned".into()))?;
    if ahead.len() + reports.len() > AHEAD_KEPT {
        ahead.clear();
    }
    ahead.extend(reports);
    Ok(())
}

/// The checker for the site's current lexicon revision.
pub async fn checker(state: &AppState, c: &mut AnyConnection) -> ServiceResult<Arc<Checker>> {
    let revision = repo::revision(c, state.site_id()).await?;
    let model = state.config.check_model.get();
    if let Some((r, with_model, ch)) = state.checkers.inner.read().map_err(|_| ServiceError::Internal("checker cache poisoned".into()))?.as_ref() {
        if *r == revision && *with_model == model.is_some() {
            return Ok(ch.clone());
        }
    }
    let rows = repo::load(c, state.site_id()).await?;
    let lexicon = site_lexicon(&rows);
    let with_model = model.is_some();
    let built = tokio::task::spawn_blocking(move || Checker::new(&lexicon).with_model(model)).await.map_err(|e| ServiceError::Internal(e.to_string()))?;
    let built = Arc::new(built);
    if let Ok(mut slot) = state.checkers.inner.write() {
        *slot = Some((rows.revision, with_model, built.clone()));
    }
    Ok(built)
}

/// The engine's view of the site's rows. Rows the engine cannot read (an unknown category
/// left by an older version) are skipped rather than breaking every check.
pub fn site_lexicon(rows: &SiteLexiconRows) -> SiteLexicon {
    let mut lex = SiteLexicon { revision: rows.revision.max(0) as u64, own_names: vec![rows.site_name.clone()], ..Default::default() };
    for it in &rows.items {
        match List::parse(&it.list) {
            Some(List::Entry) => {
                if let Some(e) = entry_of(it) {
                    lex.entries.push(e);
                }
            }
            Some(List::Removed) => {
                if let Some(cat) = Category::parse(&it.category) {
                    lex.removed.push((cat, it.term.clone()));
                }
            }
            Some(List::Allow) => lex.allow.push(it.term.clone()),
            Some(List::Phone) => lex.public_phones.push(it.term.clone()),
            Some(List::Name) => lex.own_names.push(it.term.clone()),
            None => {}
        }
    }
    lex.leaders = rows.leaders.iter().map(|l| Leader { name: l.name.clone(), titles: l.titles.clone() }).collect();
    lex
}

fn nonempty(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

fn entry_of(it: &LexiconItem) -> Option<Entry> {
    Some(Entry {
        category: Category::parse(&it.category)?,
        term: it.term.clone(),
        suggestion: nonempty(&it.suggestion),
        severity: Severity::parse(&it.severity).unwrap_or(Severity::Warn),
        kind: nonempty(&it.kind),
        since: parse_date(&it.since),
        reason: nonempty(&it.reason),
        brand: false,
        in_context: false,
        exceptions: Vec::new(),
    })
}

// ----- the check of a manuscript -----

/// Which part of the manuscript a finding is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Title,
    Subtitle,
    Body,
}

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Field::Title => "标题",
            Field::Subtitle => "副标题",
            Field::Body => "正文",
        }
    }

    pub fn parse(s: &str) -> Option<Field> {
        match s {
            "title" => Some(Field::Title),
            "subtitle" => Some(Field::Subtitle),
            "body" => Some(Field::Body),
            _ => None,
        }
    }
}

/// Who dismissed a finding and why.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DismissedBy {
    pub reason: String,
    pub user_name: String,
    pub at: i64,
}

/// One finding in one field of the manuscript.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Item {
    /// Position in the list (the id marks in the text point to).
    pub id: usize,
    pub field: Field,
    pub field_label: String,
    pub category_label: String,
    pub severity_label: String,
    #[serde(flatten)]
    pub finding: Finding,
    /// What “accept” writes in place of the surface, when the suggestion is a replacement.
    pub replacement: Option<String>,
    pub dismissed: Option<DismissedBy>,
}

/// Counts of findings still open (not dismissed).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Open {
    pub block: usize,
    pub warn: usize,
    pub info: usize,
    pub dismissed: usize,
}

/// The check of one manuscript revision, as stored and shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManuscriptCheck {
    pub revision: i64,
    pub lexicon_version: String,
    /// The language model the check read with; none: lexicons and rules only.
    #[serde(default)]
    pub model: Option<String>,
    pub document_date: String,
    pub checked_at: i64,
    pub items: Vec<Item>,
    pub open: Open,
}

impl ManuscriptCheck {
    /// Blocking findings nobody dismissed.
    pub fn open_blocks(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| i.dismissed.is_none() && i.finding.severity == Severity::Block)
    }
}

/// The date the date-aware rules judge against: the publication date once published, else today.
async fn document_date(c: &mut AnyConnection, m: &Manuscript) -> ServiceResult<time::Date> {
    let ts = if matches!(m.status, Status::Published | Status::Retracted) {
        articles::by_manuscript(c, m.site_id, m.id).await?.map(|a| a.published_at).unwrap_or_else(clock::now)
    } else {
        clock::now()
    };
    Ok(clock::date(ts))
}

/// Checks the manuscript's current revision (no storing).
pub async fn run(state: &AppState, c: &mut AnyConnection, m: &Manuscript) -> ServiceResult<ManuscriptCheck> {
    let checker = checker(state, c).await?;
    let dismissals = repo::dismissals(c, state.site_id(), m.id).await?;
    let date = document_date(c, m).await?;
    let mut items = Vec::new();
    let mut open = Open::default();
    for (field, text, format) in [(Field::Title, &m.title, Format::Text), (Field::Subtitle, &m.subtitle, Format::Text), (Field::Body, &m.body_html, Format::Html)] {
        let ready = state.checkers.ahead.lock().ok().and_then(|mut a| a.remove(&ahead_key(checker.version(), date, format, text)));
        let report = ready.unwrap_or_else(|| checker.check(&CheckInput { text, format, date: Some(date), dismissed: &[] }));
        for finding in report.findings {
            let dismissed = dismissals.iter().find(|d| d.key == finding.key).map(|d| DismissedBy { reason: d.reason.clone(), user_name: d.user_name.clone(), at: d.created_at });
            match (&dismissed, finding.severity) {
                (Some(_), _) => open.dismissed += 1,
                (None, Severity::Block) => open.block += 1,
                (None, Severity::Warn) => open.warn += 1,
                (None, Severity::Info) => open.info += 1,
            }
            items.push(Item {
                id: items.len(),
                field,
                field_label: field.label().into(),
                category_label: finding.category.label().into(),
                severity_label: finding.severity.label().into(),
                replacement: finding.replacement().map(str::to_string),
                finding,
                dismissed,
            });
        }
    }
    Ok(ManuscriptCheck { revision: m.revision, lexicon_version: checker.version().to_string(), model: checker.model().map(|m| m.name().to_string()), document_date: format_date(date), checked_at: clock::now(), items, open })
}

/// Checks the manuscript's current revision and stores the report (inside the caller's
/// write transaction, so a save and its check commit together).
pub async fn refresh(state: &AppState, c: &mut AnyConnection, m: &Manuscript) -> ServiceResult<ManuscriptCheck> {
    let check = run(state, c, m).await?;
    let stored = StoredReport {
        revision: check.revision,
        lexicon_version: check.lexicon_version.clone(),
        block: check.open.block as i64,
        warn: check.open.warn as i64,
        info: check.open.info as i64,
        report: serde_json::to_string(&check).map_err(|e| ServiceError::Internal(e.to_string()))?,
        created_at: check.checked_at,
    };
    repo::save_report(c, state.site_id(), m.id, &stored).await?;
    Ok(check)
}

/// The check of the manuscript's current revision: the stored one while the lexicons are
/// unchanged, else a fresh one (stored for the lists).
pub async fn current(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<ManuscriptCheck> {
    let m = {
        let mut c = state.store.conn().await?;
        super::manuscripts::load(&mut c, state, actor, id).await?
    };
    current_of(state, &m).await
}

/// [`current`] for a manuscript the caller already loaded for a viewer allowed to see it.
pub async fn current_of(state: &AppState, m: &Manuscript) -> ServiceResult<ManuscriptCheck> {
    {
        let mut c = state.store.conn().await?;
        let version = checker(state, &mut c).await?.version().to_string();
        if let Some(s) = repo::report(&mut c, state.site_id(), m.id, m.revision).await? {
            if s.lexicon_version == version {
                if let Ok(check) = serde_json::from_str::<ManuscriptCheck>(&s.report) {
                    return Ok(check);
                }
            }
        }
    }
    let mut tx = state.store.begin().await?;
    // Re-read inside the write lock: a save may have landed since.
    let m = yuanxun_store::manuscripts::get(tx.conn(), state.site_id(), m.id).await?;
    let check = refresh(state, tx.conn(), &m).await?;
    tx.commit().await?;
    Ok(check)
}

/// Who may dismiss a finding of this severity: editors, reviewers and the chief editor judge
/// findings (authors fix them), and only the chief editor dismisses blocking ones.
pub fn may_dismiss(role: Role, severity: Severity) -> bool {
    match severity {
        Severity::Block => role == Role::ChiefEditor,
        _ => role.sees_all_manuscripts(),
    }
}

fn require_judge(actor: &Actor) -> ServiceResult<()> {
    if may_dismiss(actor.user.role, Severity::Warn) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("只有编辑、审核人和总编辑可以忽略审校提示；请按提示修改稿件".into()))
    }
}

/// Dismisses a finding (every occurrence of its key) for this manuscript, with a reason.
/// Blocking findings may be dismissed only by the chief editor.
pub async fn dismiss(state: &AppState, actor: &Actor, id: i64, key: &str, reason: &str) -> ServiceResult<ManuscriptCheck> {
    require_judge(actor)?;
    if reason.trim().is_empty() {
        return Err(ServiceError::Invalid("请写明忽略这条提示的理由（例如“专有名称，无误”），其他审核人会看到".into()));
    }
    let reason = line(reason, "忽略理由", true, 500)?;
    let mut tx = state.store.begin().await?;
    let m = super::manuscripts::load(tx.conn(), state, actor, id).await?;
    let check = run(state, tx.conn(), &m).await?;
    let Some(item) = check.items.iter().find(|i| i.finding.key == key) else {
        return Err(ServiceError::Conflict("这条提示已不存在（稿件可能刚被修改），请刷新页面".into()));
    };
    if item.dismissed.is_some() {
        return Err(ServiceError::Conflict("这条提示已被忽略".into()));
    }
    if !may_dismiss(actor.user.role, item.finding.severity) {
        return Err(ServiceError::Forbidden("“必须修改”级别的问题只有总编辑可以忽略；请修改稿件，或请总编辑处理".into()));
    }
    repo::dismiss(tx.conn(), state.site_id(), id, key, &reason, actor.user.id).await?;
    let detail = format!("{}·{}「{}」：{reason}", item.category_label, item.severity_label, item.finding.surface);
    audit(tx.conn(), state.site_id(), actor, "check_dismiss", "manuscript", id, detail).await?;
    teach_allowlist(tx.conn(), state, actor, &item.finding, &reason).await?;
    let check = refresh(state, tx.conn(), &m).await?;
    tx.commit().await?;
    Ok(check)
}

/// A dismissed language-model finding (the model did not know a name, a term, a new word)
/// teaches the site's allowlist, so no other story is held up by it: the word is allowed at
/// once when the dismisser may loosen the check (the chief editor), else proposed to them.
/// A word already allowed or already proposed is left as it is.
async fn teach_allowlist(c: &mut AnyConnection, state: &AppState, actor: &Actor, f: &Finding, reason: &str) -> ServiceResult<()> {
    if !f.rule.ends_with(".model") && !f.rule.starts_with("grammar.model") {
        return Ok(());
    }
    let term = f.text.trim();
    if term.is_empty() || term.chars().count() > 20 {
        return Ok(());
    }
    let rows = repo::load(c, state.site_id()).await?;
    if rows.items.iter().any(|i| i.list == List::Allow.as_str() && i.term == term) {
        return Ok(());
    }
    let proposed = |p: &repo::Proposal| {
        let v: serde_json::Value = serde_json::from_str(&p.item).unwrap_or_default();
        p.status == "pending" && v["list"] == List::Allow.as_str() && v["term"] == term
    };
    if repo::proposals(c, state.site_id(), 500).await?.iter().any(proposed) {
        return Ok(());
    }
    let it = LexiconItem { id: 0, list: List::Allow.as_str().into(), term: term.to_string(), reason: format!("审校时忽略语言模型提示：{reason}"), ..Default::default() };
    if may_loosen(actor.user.role) {
        apply_save(c, state, actor, &it, None, "（忽略语言模型提示时加入）").await?;
    } else {
        let why = format!("把“{term}”加入白名单：审核时忽略了语言模型对它的提示（{reason}），今后不再提示");
        propose(c, state, actor, "save", 0, &it, None, &why, reason).await?;
    }
    Ok(())
}

/// Takes a dismissal back: the finding counts again.
pub async fn restore(state: &AppState, actor: &Actor, id: i64, key: &str) -> ServiceResult<ManuscriptCheck> {
    require_judge(actor)?;
    let mut tx = state.store.begin().await?;
    let m = super::manuscripts::load(tx.conn(), state, actor, id).await?;
    repo::undismiss(tx.conn(), state.site_id(), id, key).await.map_err(|e| match e {
        yuanxun_store::StoreError::NotFound => ServiceError::Conflict("这条提示没有被忽略".into()),
        e => e.into(),
    })?;
    audit(tx.conn(), state.site_id(), actor, "check_restore", "manuscript", id, key.to_string()).await?;
    let check = refresh(state, tx.conn(), &m).await?;
    tx.commit().await?;
    Ok(check)
}

/// What a reviewer clicked “accept” on.
#[derive(Debug, Clone, Deserialize)]
pub struct Accept {
    /// The revision the reviewer looked at.
    pub revision: i64,
    pub field: String,
    pub key: String,
    pub byte_start: usize,
}

/// Applies a finding's suggested replacement as a new revision (same rules as any edit).
pub async fn accept(state: &AppState, actor: &Actor, id: i64, a: &Accept) -> ServiceResult<Manuscript> {
    let field = Field::parse(&a.field).ok_or_else(|| ServiceError::Invalid("字段不正确".into()))?;
    let (m, item) = {
        let mut c = state.store.conn().await?;
        let m = super::manuscripts::load(&mut c, state, actor, id).await?;
        if m.revision != a.revision {
            return Err(ServiceError::Conflict("稿件在您查看之后又被修改了，请刷新后再采纳建议".into()));
        }
        let check = run(state, &mut c, &m).await?;
        let item = check.items.into_iter().find(|i| i.field == field && i.finding.key == a.key && i.finding.byte_start == a.byte_start);
        (m, item.ok_or_else(|| ServiceError::Conflict("这条提示已不存在，请刷新页面".into()))?)
    };
    let Some(replacement) = item.replacement.clone() else {
        return Err(ServiceError::Invalid("这条提示没有可直接替换的写法，请点“修改”手动改正".into()));
    };
    let (s, e) = (item.finding.byte_start, item.finding.byte_end);
    let source = match field {
        Field::Title => &m.title,
        Field::Subtitle => &m.subtitle,
        Field::Body => &m.body_html,
    };
    let original = source.get(s..e).ok_or_else(|| ServiceError::Conflict("这条提示已不存在，请刷新页面".into()))?;
    if field == Field::Body && (original.contains('<') || original.contains('&')) {
        return Err(ServiceError::Invalid("这一处跨越了格式（加粗、换段或特殊符号），请点“修改”手动改正".into()));
    }
    let written = if field == Field::Body { yuanxun_check::highlight::escape(&replacement) } else { replacement.clone() };
    let changed = format!("{}{}{}", &source[..s], written, &source[e..]);
    let mut input = super::manuscripts::ManuscriptInput::from(&m);
    match field {
        Field::Title => input.title = changed,
        Field::Subtitle => input.subtitle = changed,
        Field::Body => input.body_html = changed,
    }
    let note = format!("采纳审校建议：{}「{}」改为「{}」", field.label(), item.finding.surface, replacement);
    super::manuscripts::update_noted(state, actor, id, &input, Some(a.revision), &note).await
}

/// The final-approval gate: blocking findings nobody dismissed stop the last level, unless
/// the chief editor writes a reason to let the manuscript through (recorded in the audit log).
pub async fn gate_final_approval(state: &AppState, c: &mut AnyConnection, actor: &Actor, m: &Manuscript, override_reason: &str) -> ServiceResult<()> {
    let check = run(state, c, m).await?;
    let blocks: Vec<&Item> = check.open_blocks().collect();
    if blocks.is_empty() {
        return Ok(());
    }
    let list = blocks.iter().take(5).map(|i| format!("{}「{}」", i.category_label, i.finding.surface)).collect::<Vec<_>>().join("、");
    let more = if blocks.len() > 5 { "等" } else { "" };
    let reason = override_reason.trim();
    if actor.user.role == Role::ChiefEditor && !reason.is_empty() {
        let reason = line(reason, "放行理由", true, 1000)?;
        audit(c, state.site_id(), actor, "check_override", "manuscript", m.id, format!("第 {} 版，{} 处必须修改的问题（{list}{more}）：{reason}", m.revision, blocks.len())).await?;
        return Ok(());
    }
    let who = if actor.user.role == Role::ChiefEditor { "如确需放行，请在“放行理由”中写明理由后再终审通过" } else { "请退回作者修改，或请总编辑写明理由后放行" };
    Err(ServiceError::Conflict(format!("稿件还有 {} 处“必须修改”的问题未处理：{list}{more}。{who}", blocks.len())))
}

// ----- the site's lexicons -----

/// Who may edit the site's lexicons: the chief editor and editors (the newsroom's own word
/// lists), and the security administrator.
pub fn may_edit_lexicons(role: Role) -> bool {
    matches!(role, Role::ChiefEditor | Role::Editor | Role::SecurityAdmin)
}

fn require_lexicon_editor(actor: &Actor) -> ServiceResult<()> {
    if may_edit_lexicons(actor.user.role) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(format!("{}无权修改审校词库", actor.user.role.label())))
    }
}

/// A lexicon item as submitted by the form or the API.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ItemInput {
    pub list: String,
    #[serde(default)]
    pub category: String,
    pub term: String,
    #[serde(default)]
    pub suggestion: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub since: String,
    #[serde(default)]
    pub reason: String,
}

/// Checks an item; the messages say what to fix.
fn validate_item(input: &ItemInput, id: i64) -> ServiceResult<LexiconItem> {
    let list = List::parse(&input.list).ok_or_else(|| ServiceError::Invalid("请选择词表".into()))?;
    let term = line(&input.term, "词条", true, 100)?;
    let mut it = LexiconItem { id, list: list.as_str().into(), term, ..Default::default() };
    match list {
        List::Entry | List::Removed => {
            let cat = Category::parse(&input.category).filter(|c| c.is_lexicon()).ok_or_else(|| ServiceError::Invalid("请选择词库类别（敏感词、规范表述、错别字、绝对化用语、医疗违规、过时表述）".into()))?;
            it.category = cat.as_str().into();
            if list == List::Entry {
                it.suggestion = line(&input.suggestion, "建议改为", false, 200)?;
                it.severity = Severity::parse(&input.severity).ok_or_else(|| ServiceError::Invalid("请选择级别：必须修改、警告或提示".into()))?.as_str().into();
                it.reason = line(&input.reason, "原因", false, 300)?;
                if cat == Category::Sensitive {
                    let kind = input.kind.trim();
                    if !["political", "gambling", "pornography", "violence"].contains(&kind) {
                        return Err(ServiceError::Invalid("敏感词请选择类型：政治、赌博、色情或暴力".into()));
                    }
                    it.kind = kind.into();
                }
                if cat == Category::Outdated {
                    let since = parse_date(input.since.trim()).ok_or_else(|| ServiceError::Invalid("过时表述请填写停用日期，格式 2018-03-27：此日期以后的稿件才会报出".into()))?;
                    it.since = format_date(since);
                    if it.suggestion.is_empty() {
                        return Err(ServiceError::Invalid("过时表述请填写现行表述".into()));
                    }
                }
                if matches!(cat, Category::Typo | Category::Normative) && it.suggestion.is_empty() {
                    return Err(ServiceError::Invalid("错别字和规范表述请填写正确写法".into()));
                }
                if it.suggestion == it.term {
                    return Err(ServiceError::Invalid("建议写法与词条相同，请检查".into()));
                }
            }
        }
        List::Allow => {}
        List::Phone => {
            let digits: String = it.term.chars().filter(char::is_ascii_digit).collect();
            if digits.len() < 7 || it.term.chars().any(|c| !(c.is_ascii_digit() || "-— ()（）+".contains(c))) {
                return Err(ServiceError::Invalid("请填写电话号码，例如 0571-88888888 或 13800000000".into()));
            }
            it.term = digits;
        }
        List::Name => {
            let n = it.term.chars().count();
            if !(2..=40).contains(&n) || it.term.chars().any(|c| c.is_whitespace() || yuanxun_check::rules::hijack::TITLE_SEPARATORS.contains(&c)) {
                return Err(ServiceError::Invalid("请填写本院的一个名称或简称（2～40 个字，不含空格和分隔符），例如“市一院”".into()));
            }
        }
    }
    Ok(it)
}

/// How strict a severity is, for comparing two.
fn strictness(severity: &str) -> u8 {
    match Severity::parse(severity) {
        Some(Severity::Block) => 3,
        Some(Severity::Warn) => 2,
        Some(Severity::Info) => 1,
        None => 0,
    }
}

/// Whether `role` may loosen the check (remove a built-in term, allowlist, lower a
/// severity, delete an entry): the chief editor and the security administrator (the
/// check's lexicon policy is theirs under 三员分立); editors propose.
pub fn may_loosen(role: Role) -> bool {
    matches!(role, Role::ChiefEditor | Role::SecurityAdmin)
}

/// Why a change to the site's lists (`before` → `after`; `None` for an addition or a
/// deletion) would let the check find less, in words the chief editor reads; `None` when
/// it can only make the check stricter. `entries` are the terms checked now (built-in and
/// the site's): a new term that contains a stricter one would shadow it, because the
/// matcher takes the longest match.
pub fn loosening(before: Option<&LexiconItem>, after: Option<&LexiconItem>, entries: &[Entry]) -> Option<String> {
    use yuanxun_check::normalize::fold_str;
    let shadows = |new: &LexiconItem| -> Option<String> {
        let term = fold_str(&new.term);
        entries
            .iter()
            .filter(|e| strictness(e.severity.as_str()) > strictness(&new.severity))
            .find(|e| term.contains(&fold_str(&e.term)))
            .map(|e| format!("新词条“{}”（{}）会盖过更严格的“{}”（{}），后者将不再按原级别报出", new.term, severity_label(&new.severity), e.term, e.severity.label()))
    };
    match (before, after) {
        (None, None) => None,
        (None, Some(new)) => match List::parse(&new.list)? {
            List::Removed => Some(format!("从内置词库中移除“{}”，今后不再报出", new.term)),
            List::Allow => Some(format!("把“{}”加入白名单，今后不再报出", new.term)),
            List::Phone => Some(format!("把 {} 登记为公开电话，今后不再按个人信息报出", new.term)),
            List::Name => Some(format!("把“{}”登记为本院名称，标题或首行中写着它时不再按网页劫持报出", new.term)),
            List::Entry => shadows(new),
        },
        (Some(old), None) => (List::parse(&old.list) == Some(List::Entry)).then(|| format!("删除词条“{}”（{}），今后不再报出", old.term, severity_label(&old.severity))),
        (Some(old), Some(new)) => match List::parse(&new.list)? {
            List::Entry if old.term != new.term || old.category != new.category => Some(format!("把词条“{}”改为“{}”，原词条今后不再报出", old.term, new.term)),
            List::Entry if strictness(&new.severity) < strictness(&old.severity) => Some(format!("把“{}”的级别从“{}”降为“{}”", new.term, severity_label(&old.severity), severity_label(&new.severity))),
            List::Entry => shadows(new),
            _ if old.term != new.term => Some(format!("把“{}”改为“{}”，今后不再报出", old.term, new.term)),
            _ => None,
        },
    }
}

fn severity_label(s: &str) -> &'static str {
    Severity::parse(s).map(Severity::label).unwrap_or("未定级")
}

/// An item in the words of the audit log: list, category, term, suggestion, severity.
fn describe(it: &LexiconItem) -> String {
    let list = List::parse(&it.list).map(|l| match l {
        List::Entry => "词条",
        List::Removed => "移除的内置词",
        List::Allow => "白名单",
        List::Phone => "公开电话",
        List::Name => "本院名称",
    });
    let mut s = format!("{}“{}”", list.unwrap_or("词表"), it.term);
    if let Some(c) = Category::parse(&it.category) {
        s.push_str(&format!("，{}", c.label()));
    }
    if !it.suggestion.is_empty() {
        s.push_str(&format!("，建议“{}”", it.suggestion));
    }
    if !it.severity.is_empty() {
        s.push_str(&format!("，{}", severity_label(&it.severity)));
    }
    s
}

/// What a change to the lexicons came to: applied (the new lexicon revision), or waiting
/// for the chief editor (the proposal's id).
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LexiconChange {
    Applied { revision: i64 },
    Proposed { proposal: i64 },
}

/// Adds (`id` 0) or changes an item of the site's lists. A change that loosens the check
/// (see [`loosening`]) is applied only for the chief editor or the administrator; from an
/// editor it becomes a proposal they accept. Every change is audited with before and after.
pub async fn save_item(state: &AppState, actor: &Actor, id: i64, input: &ItemInput) -> ServiceResult<LexiconChange> {
    require_lexicon_editor(actor)?;
    let it = validate_item(input, id)?;
    let mut tx = state.store.begin().await?;
    let before = if id != 0 {
        let old = repo::get_item(tx.conn(), state.site_id(), id).await?;
        if old.list != it.list {
            return Err(ServiceError::Invalid("不能把词条移到另一个词表，请删除后重新添加".into()));
        }
        Some(old)
    } else {
        None
    };
    let checker = checker(state, tx.conn()).await?;
    if let Some(why) = loosening(before.as_ref(), Some(&it), checker.entries()).filter(|_| !may_loosen(actor.user.role)) {
        let proposal = propose(tx.conn(), state, actor, "save", id, &it, before.as_ref(), &why, &input.reason).await?;
        tx.commit().await?;
        return Ok(LexiconChange::Proposed { proposal });
    }
    let revision = apply_save(tx.conn(), state, actor, &it, before.as_ref(), "").await?;
    tx.commit().await?;
    Ok(LexiconChange::Applied { revision })
}

async fn apply_save(c: &mut AnyConnection, state: &AppState, actor: &Actor, it: &LexiconItem, before: Option<&LexiconItem>, via: &str) -> ServiceResult<i64> {
    let revision = repo::save_item(c, state.site_id(), it, actor.user.id).await?;
    let (action, detail) = match before {
        None => ("lexicon_add", format!("新增{}{via}", describe(it))),
        Some(old) => ("lexicon_edit", format!("修改前：{}；修改后：{}{via}", describe(old), describe(it))),
    };
    audit(c, state.site_id(), actor, action, "lexicon", revision, detail).await?;
    Ok(revision)
}

async fn apply_delete(c: &mut AnyConnection, state: &AppState, actor: &Actor, old: &LexiconItem, via: &str) -> ServiceResult<i64> {
    let revision = repo::delete_item(c, state.site_id(), old.id).await?;
    audit(c, state.site_id(), actor, "lexicon_delete", "lexicon", revision, format!("删除前：{}{via}", describe(old))).await?;
    Ok(revision)
}

/// Stores an editor's loosening change as a proposal and tells those who may accept it.
#[allow(clippy::too_many_arguments)]
async fn propose(c: &mut AnyConnection, state: &AppState, actor: &Actor, op: &str, item_id: i64, it: &LexiconItem, before: Option<&LexiconItem>, why: &str, note: &str) -> ServiceResult<i64> {
    let json = |it: &LexiconItem| serde_json::to_string(it).map_err(|e| ServiceError::Internal(e.to_string()));
    let before_json = before.map(json).transpose()?.unwrap_or_default();
    let note = line(note, "说明", false, 300)?;
    let new = repo::NewProposal { op, item_id, item: &json(it)?, before: &before_json, summary: why, note: &note, proposed_by: actor.user.id };
    let id = repo::propose(c, state.site_id(), &new).await?;
    audit(c, state.site_id(), actor, "lexicon_propose", "lexicon", id, format!("提请总编辑批准：{why}")).await?;
    let users = yuanxun_store::users::list(c, state.site_id()).await?;
    for u in users.iter().filter(|u| u.active && may_loosen(u.role) && u.id != actor.user.id) {
        yuanxun_store::notifications::notify(c, state.site_id(), u.id, "lexicon", "待批准的词库修改", &format!("{}：{why}", actor.user.display_name), "/admin/lexicon#proposals", clock::now()).await?;
    }
    Ok(id)
}

/// Removes an item of the site's lists; deleting an entry (the check finds less) is the
/// chief editor's or administrator's, and an editor's request becomes a proposal.
pub async fn delete_item(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<LexiconChange> {
    require_lexicon_editor(actor)?;
    let mut tx = state.store.begin().await?;
    let old = repo::get_item(tx.conn(), state.site_id(), id).await?;
    if let Some(why) = loosening(Some(&old), None, &[]).filter(|_| !may_loosen(actor.user.role)) {
        let proposal = propose(tx.conn(), state, actor, "delete", id, &old, Some(&old), &why, "").await?;
        tx.commit().await?;
        return Ok(LexiconChange::Proposed { proposal });
    }
    let revision = apply_delete(tx.conn(), state, actor, &old, "").await?;
    tx.commit().await?;
    Ok(LexiconChange::Applied { revision })
}

/// The chief editor (or the administrator) accepts or declines an editor's proposal. It is
/// applied only if the item is still as the editor saw it.
pub async fn decide_proposal(state: &AppState, actor: &Actor, id: i64, accept: bool) -> ServiceResult<LexiconChange> {
    if !may_loosen(actor.user.role) {
        return Err(ServiceError::Forbidden("放宽审校词库（移除内置词、加白名单、降低级别、删除词条）须由总编辑或系统管理员批准".into()));
    }
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let p = repo::proposal_by_id(tx.conn(), site, id).await?;
    if p.status != "pending" {
        return Err(ServiceError::Conflict("这项修改已被处理，请刷新页面".into()));
    }
    let parse = |s: &str| serde_json::from_str::<LexiconItem>(s).map_err(|e| ServiceError::Internal(format!("proposal {id}: {e}")));
    let item = parse(&p.item)?;
    let via = format!("（{} 提请，{} 批准）", p.proposer_name, actor.user.display_name);
    let revision = if !accept {
        repo::decide_proposal(tx.conn(), site, id, "declined", actor.user.id).await?;
        audit(tx.conn(), site, actor, "lexicon_decline", "lexicon", id, format!("未批准 {} 的提请：{}", p.proposer_name, p.summary)).await?;
        None
    } else {
        let before = if p.item_id != 0 {
            let now = repo::get_item(tx.conn(), site, p.item_id).await.map_err(|_| ServiceError::Conflict("这个词条已被删除，提请不再适用".into()))?;
            let expected = if p.before.is_empty() { None } else { Some(parse(&p.before)?) };
            if expected.as_ref() != Some(&now) {
                return Err(ServiceError::Conflict("这个词条在提请之后又被修改过，请退回提请，让提出人重新提交".into()));
            }
            Some(now)
        } else {
            None
        };
        repo::decide_proposal(tx.conn(), site, id, "accepted", actor.user.id).await?;
        let r = match p.op.as_str() {
            "delete" => apply_delete(tx.conn(), state, actor, before.as_ref().unwrap_or(&item), &via).await?,
            _ => apply_save(tx.conn(), state, actor, &item, before.as_ref(), &via).await?,
        };
        Some(r)
    };
    let verdict = if accept { "已批准" } else { "未批准" };
    yuanxun_store::notifications::notify(tx.conn(), site, p.proposed_by, "lexicon", &format!("词库修改{verdict}"), &p.summary, "/admin/lexicon#proposals", clock::now()).await?;
    tx.commit().await?;
    Ok(match revision {
        Some(revision) => LexiconChange::Applied { revision },
        None => LexiconChange::Proposed { proposal: id },
    })
}

/// A leader as submitted: titles one per line (or separated by 、，,；).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct LeaderInput {
    pub name: String,
    pub titles: String,
    #[serde(default)]
    pub sort: Option<String>,
}

/// Adds (`id` 0) or changes a leader of the roster.
pub async fn save_leader(state: &AppState, actor: &Actor, id: i64, input: &LeaderInput) -> ServiceResult<i64> {
    require_lexicon_editor(actor)?;
    let name = line(&input.name, "姓名", true, 20)?;
    if name.chars().count() < 2 || !name.chars().all(|c| c.is_alphabetic() || c == '·') {
        return Err(ServiceError::Invalid("姓名应为 2 个字以上的中文姓名".into()));
    }
    let titles: Vec<String> = input.titles.split(['\n', '、', '，', ',', '；', ';']).map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect();
    if titles.is_empty() {
        return Err(ServiceError::Invalid("请填写职务，多个职务用顿号或换行分开".into()));
    }
    if let Some(t) = titles.iter().find(|t| t.chars().count() > 40) {
        return Err(ServiceError::Invalid(format!("职务“{t}”过长（不超过 40 个字）")));
    }
    let sort = input.sort.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| s.parse::<i64>().map_err(|_| ServiceError::Invalid("排序请填写数字".into()))).transpose()?.unwrap_or(0);
    let mut tx = state.store.begin().await?;
    let revision = repo::save_leader(tx.conn(), state.site_id(), id, &name, &titles, sort).await?;
    audit(tx.conn(), state.site_id(), actor, if id == 0 { "leader_add" } else { "leader_edit" }, "lexicon", revision, format!("{name}：{}", titles.join("、"))).await?;
    tx.commit().await?;
    Ok(revision)
}

/// Removes a leader from the roster.
pub async fn delete_leader(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<i64> {
    require_lexicon_editor(actor)?;
    let mut tx = state.store.begin().await?;
    let revision = repo::delete_leader(tx.conn(), state.site_id(), id).await?;
    audit(tx.conn(), state.site_id(), actor, "leader_delete", "lexicon", revision, id.to_string()).await?;
    tx.commit().await?;
    Ok(revision)
}

/// The lexicon page's data: the site's rows and the checker in force (its version, and the
/// entries it checks with).
pub async fn overview(state: &AppState, actor: &Actor) -> ServiceResult<(SiteLexiconRows, Arc<Checker>)> {
    require_lexicon_editor(actor)?;
    let mut c = state.store.conn().await?;
    let rows = repo::load(&mut c, state.site_id()).await?;
    let checker = checker(state, &mut c).await?;
    Ok((rows, checker))
}

/// The newest proposals to loosen the lexicons (pending first), for the lexicon page.
pub async fn proposals(state: &AppState, actor: &Actor) -> ServiceResult<Vec<repo::Proposal>> {
    require_lexicon_editor(actor)?;
    let mut c = state.store.conn().await?;
    Ok(repo::proposals(&mut c, state.site_id(), 50).await?)
}
