//! Opinion monitoring (舆情监测): the sources staff set up, the rules and word sets that say
//! what concerns the hospital, fetching on schedule (per-source interval with jitter,
//! conditional GET, Retry-After, back-off, a concurrency limit), and reading every new item:
//! is it a repeat, which rules it hits, how it speaks of the hospital, what it is about, and
//! how loud an alert it deserves. The reading itself is `yuanxun-monitor` (pure).

use std::sync::Arc;

use rand::Rng;
use serde::{Deserialize, Serialize};
use yuanxun_core::clock;
use yuanxun_monitor::{alert, Expr, Repeat, RuleSet, Scorer, Seen, Sets, Signals};
use yuanxun_store::monitor::{self as store, ItemQuery, NewItem, Source, SourceFields};
use yuanxun_store::AnyConnection;

use super::monitor_fetch::{self, Entry, Fetched, Limits};
use super::{audit, line};
use crate::auth::Actor;
use crate::error::{ServiceError, ServiceResult};
use crate::AppState;

/// How far back a new item is compared for repeats and counted for spread.
pub const WINDOW_SECS: i64 = 7 * 86_400;
/// How far back copies count toward an item's spread.
pub const SPREAD_SECS: i64 = 86_400;
/// How long a round holds the sources it fetches.
const CLAIM_SECS: i64 = 600;
/// The longest back-off after failures.
const MAX_BACKOFF: i64 = 6 * 3600;
/// The longest wait a Retry-After is obeyed for.
const MAX_RETRY_AFTER: i64 = 24 * 3600;

fn require_staff(actor: &Actor) -> ServiceResult<()> {
    super::require_publicity_staff(actor, "使用舆情监测")
}

/// The kinds of source, as forms name them.
pub const KINDS: [(&str, &str); 4] = [("rss", "RSS/Atom 订阅"), ("json", "JSON 接口"), ("html", "网页（CSS 选择器）"), ("manual", "手工录入")];

/// A source as the form submits it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SourceInput {
    #[serde(default, deserialize_with = "super::loose_text")]
    pub name: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub kind: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub url: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub reach: String,
    /// Minutes between fetches.
    #[serde(default, deserialize_with = "super::loose_text")]
    pub interval: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub enabled: String,
    // JSON mapping
    #[serde(default, deserialize_with = "super::loose_text")]
    pub json_items: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub json_title: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub json_url: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub json_text: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub json_guid: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub json_author: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub json_time: String,
    // HTML recipe
    #[serde(default, deserialize_with = "super::loose_text")]
    pub html_item: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub html_title: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub html_link: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub html_text: String,
}

/// A source's settings once checked, owned.
struct CheckedSource {
    name: String,
    kind: &'static str,
    url: String,
    mapping: String,
    reach: i64,
    interval_secs: i64,
    enabled: bool,
}

impl CheckedSource {
    fn fields(&self) -> SourceFields<'_> {
        SourceFields { name: &self.name, kind: self.kind, url: &self.url, mapping: &self.mapping, reach: self.reach, interval_secs: self.interval_secs, enabled: self.enabled }
    }
}

fn checked_source(input: &SourceInput, outbound: &yuanxun_net::Outbound) -> ServiceResult<CheckedSource> {
    let name = line(&input.name, "来源名称", true, 60)?;
    let kind = KINDS.iter().find(|(k, _)| *k == input.kind.trim()).map(|(k, _)| *k).ok_or_else(|| ServiceError::Invalid("请选择来源类型：RSS/Atom 订阅、JSON 接口、网页或手工录入".into()))?;
    let url = line(&input.url, "地址", kind != "manual", 2000)?;
    if kind != "manual" {
        // The same check as every fetch: an internal address is refused now, not at the
        // first fetch (a name that resolves inside is refused when it is fetched).
        outbound.check(&url).map_err(|e| match e {
            yuanxun_net::UrlProblem::Refused => ServiceError::Invalid(format!("{}；如确需监测内网来源，请系统管理员在启动参数 --allow-fetch 中列出它的网段", yuanxun_net::REFUSED)),
            e => ServiceError::Invalid(e.to_string()),
        })?;
    }
    let mapping = match kind {
        "json" => {
            let m = monitor_fetch::JsonMapping {
                items: input.json_items.trim().into(),
                title: input.json_title.trim().into(),
                url: input.json_url.trim().into(),
                text: input.json_text.trim().into(),
                guid: input.json_guid.trim().into(),
                author: input.json_author.trim().into(),
                time: input.json_time.trim().into(),
            };
            if m.title.is_empty() && m.text.is_empty() {
                return Err(ServiceError::Invalid("JSON 接口至少要填写标题或正文对应的字段".into()));
            }
            serde_json::to_string(&m).expect("a mapping serialises")
        }
        "html" => {
            let r = monitor_fetch::HtmlRecipe { item: input.html_item.trim().into(), title: input.html_title.trim().into(), link: input.html_link.trim().into(), text: input.html_text.trim().into() };
            for (sel, what) in [(&r.item, "条目"), (&r.title, "标题"), (&r.link, "链接"), (&r.text, "正文")] {
                if (what == "条目" || !sel.is_empty()) && scraper::Selector::parse(sel).is_err() {
                    return Err(ServiceError::Invalid(format!("{what}选择器“{sel}”写法有误：请写成 CSS 选择器，如 ul.news li")));
                }
            }
            serde_json::to_string(&r).expect("a recipe serialises")
        }
        _ => "{}".to_string(),
    };
    let reach: i64 = input.reach.trim().parse().ok().filter(|r| (1..=5).contains(r)).ok_or_else(|| ServiceError::Invalid("影响力请选 1 到 5（1 小论坛，5 央媒或大V）".into()))?;
    let interval: i64 = input.interval.trim().parse().ok().filter(|m| (1..=1440).contains(m)).ok_or_else(|| ServiceError::Invalid("抓取间隔请填 1 到 1440 之间的分钟数".into()))?;
    let enabled = matches!(input.enabled.trim(), "1" | "on" | "true");
    Ok(CheckedSource { name, kind, url, mapping, reach, interval_secs: interval * 60, enabled })
}

/// Adds a source; its first fetch is due at once.
pub async fn create_source(state: &AppState, actor: &Actor, input: &SourceInput) -> ServiceResult<i64> {
    require_staff(actor)?;
    let c = checked_source(input, &state.config.outbound)?;
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let id = store::create_source(tx.conn(), site, &c.fields(), clock::now()).await?;
    audit(tx.conn(), site, actor, "monitor_source_create", "monitor_source", id, format!("{}（{}）{}", c.name, c.kind, c.url)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a source.
pub async fn update_source(state: &AppState, actor: &Actor, id: i64, input: &SourceInput) -> ServiceResult<()> {
    require_staff(actor)?;
    let c = checked_source(input, &state.config.outbound)?;
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    store::update_source(tx.conn(), site, id, &c.fields(), clock::now()).await?;
    audit(tx.conn(), site, actor, "monitor_source_update", "monitor_source", id, format!("{}（{}）{}{}", c.name, c.kind, c.url, if c.enabled { "" } else { "，已停用" })).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn sources(state: &AppState, actor: &Actor) -> ServiceResult<Vec<Source>> {
    require_staff(actor)?;
    let mut c = state.store.conn().await?;
    Ok(store::list_sources(&mut c, state.site_id()).await?)
}

pub async fn source(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<Source> {
    require_staff(actor)?;
    let mut c = state.store.conn().await?;
    Ok(store::get_source(&mut c, state.site_id(), id).await?)
}

/// A rule as the form submits it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RuleInput {
    #[serde(default, deserialize_with = "super::loose_text")]
    pub name: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub expr: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub weight: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub enabled: String,
}

async fn word_sets(c: &mut AnyConnection, site: i64) -> ServiceResult<Sets> {
    Ok(store::list_sets(c, site).await?.into_iter().map(|s| (s.name, s.words.lines().map(str::trim).filter(|w| !w.is_empty()).map(str::to_string).collect())).collect())
}

fn checked_rule(input: &RuleInput, sets: &Sets) -> ServiceResult<(String, String, i64, bool)> {
    let name = line(&input.name, "规则名称", true, 60)?;
    let expr = input.expr.trim().to_string();
    if expr.is_empty() {
        return Err(ServiceError::Invalid("请填写规则表达式，如 (@院名) & (纠纷 | 投诉) & !招聘".into()));
    }
    if expr.chars().count() > 2000 {
        return Err(ServiceError::Invalid("规则表达式不能超过 2000 个字".into()));
    }
    Expr::parse(&expr, sets).map_err(|e| ServiceError::Invalid(format!("规则表达式有误，{e}")))?;
    let weight: i64 = input.weight.trim().parse().ok().filter(|w| (1..=5).contains(w)).ok_or_else(|| ServiceError::Invalid("权重请选 1 到 5（5 最紧急）".into()))?;
    Ok((name, expr, weight, matches!(input.enabled.trim(), "1" | "on" | "true")))
}

pub async fn create_rule(state: &AppState, actor: &Actor, input: &RuleInput) -> ServiceResult<i64> {
    require_staff(actor)?;
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let sets = word_sets(tx.conn(), site).await?;
    let (name, expr, weight, enabled) = checked_rule(input, &sets)?;
    let id = store::create_rule(tx.conn(), site, &name, &expr, weight, enabled, clock::now()).await?;
    audit(tx.conn(), site, actor, "monitor_rule_create", "monitor_rule", id, format!("{name}：{expr}（权重 {weight}）")).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_rule(state: &AppState, actor: &Actor, id: i64, input: &RuleInput) -> ServiceResult<()> {
    require_staff(actor)?;
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let sets = word_sets(tx.conn(), site).await?;
    let (name, expr, weight, enabled) = checked_rule(input, &sets)?;
    let before = store::get_rule(tx.conn(), site, id).await?;
    store::update_rule(tx.conn(), site, id, &name, &expr, weight, enabled).await?;
    audit(tx.conn(), site, actor, "monitor_rule_update", "monitor_rule", id, format!("{} → {name}：{expr}（权重 {weight}{}）", before.expr, if enabled { "" } else { "，已停用" })).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete_rule(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<()> {
    require_staff(actor)?;
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let before = store::get_rule(tx.conn(), site, id).await?;
    store::delete_rule(tx.conn(), site, id).await?;
    audit(tx.conn(), site, actor, "monitor_rule_delete", "monitor_rule", id, format!("删除 {}：{}", before.name, before.expr)).await?;
    tx.commit().await?;
    Ok(())
}

/// Saves a word set (one word a line; a set named in rules cannot be emptied).
pub async fn put_set(state: &AppState, actor: &Actor, name: &str, words: &str) -> ServiceResult<()> {
    require_staff(actor)?;
    let name = line(name.trim_start_matches('@'), "词组名称", true, 30)?;
    if name.chars().any(|c| !(c.is_alphanumeric() || c == '_')) {
        return Err(ServiceError::Invalid("词组名称只能用汉字、字母、数字和下划线（规则中写作 @名称）".into()));
    }
    let words: Vec<&str> = words.lines().map(str::trim).filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        return Err(ServiceError::Invalid("请至少填写一个词，每行一个".into()));
    }
    if words.len() > 500 || words.iter().any(|w| w.chars().count() > 50) {
        return Err(ServiceError::Invalid("一个词组最多 500 个词，每个词不超过 50 个字".into()));
    }
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    store::put_set(tx.conn(), site, &name, &words.join("\n")).await?;
    audit(tx.conn(), site, actor, "monitor_set_put", "monitor_set", &name, format!("@{name}：{}", words.join("、"))).await?;
    tx.commit().await?;
    Ok(())
}

/// What the rules page shows of each rule: whether it still parses with today's sets.
#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    #[serde(flatten)]
    pub rule: store::Rule,
    pub error: Option<String>,
}

pub async fn rules(state: &AppState, actor: &Actor) -> ServiceResult<(Vec<RuleView>, Vec<store::WordSet>)> {
    require_staff(actor)?;
    let mut c = state.store.conn().await?;
    let site = state.site_id();
    let sets = word_sets(&mut c, site).await?;
    let rules = store::list_rules(&mut c, site).await?.into_iter().map(|r| RuleView { error: Expr::parse(&r.expr, &sets).err().map(|e| e.to_string()), rule: r }).collect();
    Ok((rules, store::list_sets(&mut c, site).await?))
}

/// The result of trying a rule on recent items.
#[derive(Debug, Clone, Serialize)]
pub struct RuleTest {
    pub error: Option<String>,
    /// Where the error is (a character index from 1), for the page to point at.
    pub error_at: Option<usize>,
    pub tried: usize,
    pub matched: Vec<store::Item>,
}

/// Tries `expr` on the newest 1,000 items (nothing is saved).
pub async fn test_rule(state: &AppState, actor: &Actor, expr: &str) -> ServiceResult<RuleTest> {
    require_staff(actor)?;
    let mut c = state.store.conn().await?;
    let site = state.site_id();
    let sets = word_sets(&mut c, site).await?;
    let parsed = match Expr::parse(expr, &sets) {
        Ok(p) => p,
        Err(e) => return Ok(RuleTest { error_at: Some(e.at), error: Some(e.to_string()), tried: 0, matched: Vec::new() }),
    };
    let items = store::list_items(&mut c, site, &ItemQuery::default(), 1000).await?;
    let tried = items.len();
    let matched = items.into_iter().filter(|i| parsed.matches(&format!("{}\n{}", i.title, i.body))).take(100).collect();
    Ok(RuleTest { error: None, error_at: None, tried, matched })
}

/// Items for the list page.
pub async fn items(state: &AppState, actor: &Actor, q: &ItemQuery) -> ServiceResult<Vec<store::Item>> {
    require_staff(actor)?;
    let mut c = state.store.conn().await?;
    Ok(store::list_items(&mut c, state.site_id(), q, 200).await?)
}

pub async fn item(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<store::Item> {
    require_staff(actor)?;
    let mut c = state.store.conn().await?;
    Ok(store::get_item(&mut c, state.site_id(), id).await?)
}

/// A mention staff paste in (a link and its text), read like a fetched one.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ManualInput {
    #[serde(default, deserialize_with = "super::loose_text")]
    pub url: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub title: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub text: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub author: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub reach: String,
}

/// Records a pasted mention under the site's manual source (made on first use). A repeat of
/// something already recorded (same link, or the same text) is refused with its number.
pub async fn add_manual(state: &AppState, actor: &Actor, input: &ManualInput) -> ServiceResult<i64> {
    require_staff(actor)?;
    let url = line(&input.url, "链接", false, 2000)?;
    if !url.is_empty() && !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(ServiceError::Invalid("链接须以 http:// 或 https:// 开头（没有链接可以不填）".into()));
    }
    let title = line(&input.title, "标题", false, 300)?;
    let text = input.text.trim().to_string();
    if title.is_empty() && text.is_empty() {
        return Err(ServiceError::Invalid("请粘贴标题或正文".into()));
    }
    if text.chars().count() > 20_000 {
        return Err(ServiceError::Invalid("正文不能超过 20000 个字：请只粘贴与医院有关的部分".into()));
    }
    let author = line(&input.author, "发布者", false, 100)?;
    let reach: i64 = input.reach.trim().parse().ok().filter(|r| (1..=5).contains(r)).unwrap_or(2);
    let site = state.site_id();
    let now = clock::now();
    let mut tx = state.store.begin().await?;
    let sources = store::list_sources(tx.conn(), site).await?;
    let source = match sources.into_iter().find(|s| s.kind == "manual") {
        Some(s) => s,
        None => {
            let f = SourceFields { name: "手工录入", kind: "manual", url: "", mapping: "{}", reach, interval_secs: 3600, enabled: true };
            let id = store::create_source(tx.conn(), site, &f, now).await?;
            store::get_source(tx.conn(), site, id).await?
        }
    };
    let source = Source { reach, ..source };
    let entry = Entry { guid: url.clone(), url: url.clone(), title: monitor_fetch::plain(&title), body: monitor_fetch::plain(&text), author, published_at: None };
    let ctx = Reader::load(tx.conn(), site, now).await?;
    let stored = ctx.ingest(tx.conn(), site, &source, &[entry], now, Some(actor.user.id)).await?;
    let Some(&id) = stored.first() else {
        return Err(ServiceError::Conflict("这条内容已经录入过（同一链接或相同文字）：请在舆情列表中查看".into()));
    };
    audit(tx.conn(), site, actor, "monitor_item_add", "monitor_item", id, format!("手工录入：{}", if title.is_empty() { text.chars().take(40).collect::<String>() } else { title.clone() })).await?;
    tx.commit().await?;
    Ok(id)
}

/// What reads new items: the site's compiled rules, the scorer, what was seen lately.
struct Reader {
    rules: RuleSet,
    rule_ids: Vec<(i64, i64)>,
    seen: Seen<i64>,
    /// The first item of each remembered one's family (itself, or what it copies).
    roots: rustc_hash::FxHashMap<i64, i64>,
}

impl Reader {
    async fn load(c: &mut AnyConnection, site: i64, now: i64) -> ServiceResult<Reader> {
        let sets = word_sets(c, site).await?;
        let mut exprs = Vec::new();
        let mut rule_ids = Vec::new();
        for r in store::list_rules(c, site).await?.into_iter().filter(|r| r.enabled) {
            match Expr::parse(&r.expr, &sets) {
                Ok(e) => {
                    exprs.push(e);
                    rule_ids.push((r.id, r.weight));
                }
                Err(e) => tracing::warn!("monitor rule {} no longer parses: {e}", r.id),
            }
        }
        let mut seen = Seen::default();
        let mut roots = rustc_hash::FxHashMap::default();
        let recent = store::list_items(c, site, &ItemQuery { since: Some(now - WINDOW_SECS), ..Default::default() }, 20_000).await?;
        for i in recent.iter().rev() {
            seen.insert(Some(&i.guid), Some(&i.url), &format!("{}\n{}", i.title, i.body), i.id);
            roots.insert(i.id, i.copy_of.unwrap_or(i.id));
        }
        Ok(Reader { rules: RuleSet::new(&exprs), rule_ids, seen, roots })
    }

    /// Reads and stores the new ones among `entries`; the ids stored.
    async fn ingest(mut self, c: &mut AnyConnection, site: i64, source: &Source, entries: &[Entry], now: i64, added_by: Option<i64>) -> ServiceResult<Vec<i64>> {
        let scorer = Scorer::builtin();
        let mut stored = Vec::new();
        for e in entries {
            let text = format!("{}\n{}", e.title, e.body);
            let (guid, url) = ((!e.guid.is_empty()).then_some(e.guid.as_str()), (!e.url.is_empty()).then_some(e.url.as_str()));
            let copy_of = match self.seen.check(guid, url, &text) {
                Repeat::Same(_) => continue,
                Repeat::Copy(of) => Some(*self.roots.get(&of).unwrap_or(&of)),
                Repeat::New => None,
            };
            let hit: Vec<(i64, i64)> = self.rules.matching(&text).into_iter().map(|i| self.rule_ids[i]).collect();
            let weight = hit.iter().map(|(_, w)| *w).max().unwrap_or(0);
            let sentiment = scorer.score(&text);
            // What it is about matters for complaints; praise and news have no category.
            let category = if sentiment > -0.2 { yuanxun_monitor::Category::Other } else { scorer.category(&text) };
            let spread = match copy_of {
                Some(first) => {
                    let carrying = store::family_sources(c, site, first, now - SPREAD_SECS).await?;
                    carrying.len() as i64 + i64::from(!carrying.contains(&source.id))
                }
                None => 1,
            };
            let signals = Signals { rule_weight: weight as u8, sentiment, reach: source.reach as u8, sources: spread as u32 };
            let level = alert::level(&signals);
            let reason = if weight > 0 { alert::points(&signals).explain() } else { String::new() };
            let rules = hit.iter().map(|(id, _)| id.to_string()).collect::<Vec<_>>().join(",");
            let item = NewItem {
                source_id: source.id,
                guid: &e.guid,
                url: &e.url,
                title: &e.title,
                body: &e.body,
                author: &e.author,
                published_at: e.published_at,
                copy_of,
                sentiment: (sentiment * 1000.0).round() as i64,
                category: category.key(),
                rules: &rules,
                weight,
                level: level.map(|l| l.key()),
                level_reason: &reason,
                added_by,
            };
            let id = store::insert_item(c, site, &item, now).await?;
            if let Some(level) = level {
                let raised = super::alerts::Raised { item_id: id, family_id: copy_of.unwrap_or(id), level, reason: &reason, title: if e.title.is_empty() { &e.body } else { &e.title }, source_name: &source.name };
                super::alerts::raise(c, site, &raised, now).await?;
            }
            self.seen.insert(guid, url, &text, id);
            self.roots.insert(id, copy_of.unwrap_or(id));
            stored.push(id);
        }
        Ok(stored)
    }
}

/// What one fetch of a source came to, for the page and the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    NotModified,
    Stored { entries: usize, new: usize },
    Failed(String),
}

/// When to try again after `failures` failures in a row (the interval doubled each time,
/// at most six hours), or when the server asked.
pub fn next_try(interval: i64, failures: i64, retry_after: Option<u64>, now: i64) -> i64 {
    if let Some(s) = retry_after {
        return now + (s as i64).clamp(interval.min(60), MAX_RETRY_AFTER);
    }
    let backoff = interval.saturating_mul(1i64 << failures.clamp(0, 16)).min(MAX_BACKOFF.max(interval));
    now + backoff
}

/// The next regular fetch: the interval, give or take a tenth, so sources set up together
/// do not all come due in the same second.
fn jittered(interval: i64, now: i64) -> i64 {
    let spread = (interval / 10).max(1);
    now + interval + rand::thread_rng().gen_range(-spread..=spread)
}

/// Fetches one source now and stores what is new; records success or the error on the source.
/// The validators (ETag, Last-Modified) are saved only with the items, in one transaction.
pub async fn fetch_source(state: &AppState, client: &reqwest::Client, limits: &Limits, source: &Source) -> ServiceResult<Outcome> {
    let site = state.site_id();
    let fetched = monitor_fetch::fetch(client, &state.config.outbound, limits, &source.url, source.etag.as_deref(), source.last_modified.as_deref()).await;
    let now = clock::now();
    let result = match fetched {
        Ok(Fetched::NotModified) => Ok((Vec::new(), source.etag.clone(), source.last_modified.clone(), true)),
        Ok(Fetched::Body { text, etag, last_modified, final_url }) => {
            let (kind, mapping) = (source.kind.clone(), source.mapping.clone());
            // Parsing a hostile 5 MB document is CPU work: off the async threads.
            match tokio::task::spawn_blocking(move || monitor_fetch::parse(&kind, &mapping, &text, &final_url)).await {
                Ok(Ok(entries)) => Ok((entries, etag, last_modified, false)),
                Ok(Err(e)) => Err(e),
                Err(_) => Err(monitor_fetch::SourceError { message: "解析内容时出错，已跳过这一次".into(), retry_after: None }),
            }
        }
        Err(e) => Err(e),
    };
    match result {
        Ok((entries, etag, last_modified, not_modified)) => {
            let mut tx = state.store.begin().await?;
            let reader = Reader::load(tx.conn(), site, now).await?;
            let new = reader.ingest(tx.conn(), site, source, &entries, now, None).await?;
            store::fetched(tx.conn(), source.id, etag.as_deref(), last_modified.as_deref(), new.len() as i64, now, jittered(source.interval_secs, now)).await?;
            tx.commit().await?;
            Ok(if not_modified { Outcome::NotModified } else { Outcome::Stored { entries: entries.len(), new: new.len() } })
        }
        Err(e) => {
            let mut tx = state.store.begin().await?;
            store::failed(tx.conn(), source.id, &e.message, next_try(source.interval_secs, source.failures + 1, e.retry_after, now)).await?;
            tx.commit().await?;
            Ok(Outcome::Failed(e.message))
        }
    }
}

/// Fetches the sources whose time has come, at most `concurrency` at once; how many ran.
pub async fn fetch_due(state: &AppState, limits: &Limits, concurrency: usize) -> ServiceResult<usize> {
    let due = {
        let now = clock::now();
        let mut tx = state.store.begin().await?;
        let due = store::due_sources(tx.conn(), state.site_id(), now, 100).await?;
        // Claimed in the same transaction: if this process dies mid-round, they are tried
        // again in ten minutes; otherwise each fetch sets its own next time.
        let ids: Vec<i64> = due.iter().map(|s| s.id).collect();
        store::claim(tx.conn(), state.site_id(), &ids, now + CLAIM_SECS).await?;
        tx.commit().await?;
        due
    };
    if due.is_empty() {
        return Ok(0);
    }
    let client = monitor_fetch::client(limits, &state.config.outbound);
    let permits = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let mut tasks = Vec::new();
    for s in due {
        let (state, client, limits, permits) = (state.clone(), client.clone(), *limits, permits.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = permits.acquire_owned().await;
            match fetch_source(&state, &client, &limits, &s).await {
                Ok(Outcome::Failed(e)) => tracing::warn!("monitor source {} ({}): {e}", s.id, s.url),
                Ok(o) => tracing::debug!("monitor source {}: {o:?}", s.id),
                Err(e) => tracing::error!("monitor source {}: {e}", s.id),
            }
        }));
    }
    let n = tasks.len();
    for t in tasks {
        let _ = t.await;
    }
    Ok(n)
}

/// Asks for a source to be fetched at the next round (the 立即抓取 button).
pub async fn fetch_soon(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<()> {
    require_staff(actor)?;
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    store::get_source(tx.conn(), site, id).await?;
    store::fetch_now(tx.conn(), site, id, clock::now()).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_up_to_six_hours_and_retry_after_wins() {
        assert_eq!(next_try(600, 1, None, 0), 1200);
        assert_eq!(next_try(600, 3, None, 0), 4800);
        assert_eq!(next_try(600, 30, None, 0), 6 * 3600);
        // A daily source is never retried sooner than its interval by the back-off cap.
        assert_eq!(next_try(86_400, 2, None, 0), 86_400);
        assert_eq!(next_try(600, 1, Some(120), 0), 120);
        assert_eq!(next_try(600, 1, Some(10 * 86_400), 0), 86_400);
    }
}
