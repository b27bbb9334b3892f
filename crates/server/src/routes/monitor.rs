//! The opinion-monitoring pages (舆情监测): the item list with manual entry, an item's reading,
//! the sources with their status, the rules and word sets with a live test.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use minijinja::context;
use serde::{Deserialize, Serialize};
use yuanxun_monitor::{AlertLevel, Category, Polarity, Scorer};
use yuanxun_store::monitor::{Item, ItemQuery, Source};

use super::admin::{error_page, page_status, render};
use crate::auth::Auth;
use crate::services::monitor::{self, ManualInput, RuleInput, SourceInput, KINDS};
use crate::services::monitor_fetch::{HtmlRecipe, JsonMapping};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/monitor", get(items_page))
        .route("/admin/monitor/items", post(add_manual))
        .route("/admin/monitor/items/{id}", get(item_page))
        .route("/admin/monitor/sources", get(sources_page).post(create_source))
        .route("/admin/monitor/sources/{id}", get(source_page).post(update_source))
        .route("/admin/monitor/sources/{id}/fetch", post(fetch_now))
        .route("/admin/monitor/rules", get(rules_page).post(create_rule))
        .route("/admin/monitor/rules/test", get(rule_test))
        .route("/admin/monitor/rules/{id}/delete", post(delete_rule))
        .route("/admin/monitor/sets", post(put_set))
}

/// The reach choices, as forms show them.
fn reaches() -> Vec<minijinja::Value> {
    [(1, "1 小论坛、个人账号"), (2, "2 本地社区、普通自媒体"), (3, "3 本地媒体、较大账号"), (4, "4 省级媒体、大V"), (5, "5 央媒、全国性平台")].iter().map(|(v, l)| context! { value => v, label => l }).collect()
}

/// An item as the list and detail show it.
#[derive(Serialize)]
struct ItemView {
    #[serde(flatten)]
    item: Item,
    excerpt: String,
    score: String,
    polarity: &'static str,
    polarity_key: &'static str,
    category_label: &'static str,
    level_label: &'static str,
}

fn view(item: Item) -> ItemView {
    let score = item.sentiment as f32 / 1000.0;
    let p = Polarity::of(score);
    ItemView {
        excerpt: item.body.chars().take(80).collect(),
        score: format!("{score:+.2}"),
        polarity: p.label(),
        polarity_key: match p {
            Polarity::Negative => "neg",
            Polarity::Neutral => "neu",
            Polarity::Positive => "pos",
        },
        category_label: match Category::from_key(&item.category) {
            Some(Category::Other) | None if p != Polarity::Negative => "—",
            c => c.map_or("其他", Category::label),
        },
        level_label: item.level.as_deref().and_then(AlertLevel::from_key).map_or("", AlertLevel::label),
        item,
    }
}

#[derive(Deserialize, Default, Serialize)]
struct ListQuery {
    #[serde(default)]
    level: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    hits: String,
    #[serde(default)]
    negative: String,
    msg: Option<String>,
}

async fn list_view(state: &AppState, auth: &Auth, q: &ListQuery, status: StatusCode, error: Option<String>, flash: Option<&str>) -> Response {
    let query = ItemQuery {
        hits_only: !q.hits.is_empty(),
        negative_only: !q.negative.is_empty(),
        level: AlertLevel::from_key(&q.level).map(|l| l.key().to_string()),
        category: Category::from_key(&q.category).map(|c| c.key().to_string()),
        source_id: q.source.parse().ok(),
        since: None,
        until: None,
    };
    let items = match monitor::items(state, &auth.1, &query).await {
        Ok(i) => i.into_iter().map(view).collect::<Vec<_>>(),
        Err(e) => return error_page(state, auth, e),
    };
    let sources = monitor::sources(state, &auth.1).await.unwrap_or_default();
    let levels: Vec<_> = AlertLevel::ALL.iter().map(|l| context! { key => l.key(), label => l.label() }).collect();
    let categories: Vec<_> = Category::ALL.iter().map(|c| context! { key => c.key(), label => c.label() }).collect();
    let q = context! { level => q.level, category => q.category, source => q.source.parse::<i64>().ok(), hits => !q.hits.is_empty(), negative => !q.negative.is_empty() };
    page_status(state, auth, "admin/monitor.html", status, context! { items, sources, levels, categories, q, reaches => reaches(), error, flash })
}

async fn items_page(State(state): State<AppState>, auth: Auth, Query(q): Query<ListQuery>) -> Response {
    let flash = match q.msg.as_deref() {
        Some("added") => Some("已录入，并已判断情感、类别和预警级别。"),
        _ => None,
    };
    list_view(&state, &auth, &q, StatusCode::OK, None, flash).await
}

async fn add_manual(State(state): State<AppState>, auth: Auth, Form(f): Form<ManualInput>) -> Response {
    match monitor::add_manual(&state, &auth.1, &f).await {
        Ok(id) => Redirect::to(&format!("/admin/monitor/items/{id}?msg=added")).into_response(),
        Err(e) => list_view(&state, &auth, &ListQuery::default(), e.status(), Some(e.to_string()), None).await,
    }
}

async fn item_page(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> Response {
    let item = match monitor::item(&state, &auth.1, id).await {
        Ok(i) => i,
        Err(e) => return error_page(&state, &auth, e),
    };
    let reading = Scorer::builtin().read(&format!("{}\n{}", item.title, item.body));
    let words: Vec<_> = reading.words.iter().map(|(w, v)| context! { word => w, negative => *v < 0.0, shown => format!("{v:+.1}") }).collect();
    let (all_rules, _) = monitor::rules(&state, &auth.1).await.unwrap_or_default();
    let ids: Vec<i64> = item.rules.split(',').filter_map(|s| s.parse().ok()).collect();
    let rules: Vec<_> = all_rules.iter().filter(|r| ids.contains(&r.rule.id)).map(|r| context! { name => r.rule.name, weight => r.rule.weight }).collect();
    let paragraphs: Vec<String> = item.body.split('\n').map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect();
    let incidents = crate::services::incidents::of_item(&state, &auth.1, id).await.unwrap_or_default();
    let open_incidents = crate::services::incidents::list(&state, &auth.1, true).await.unwrap_or_default();
    let (levels, owners) = (super::incidents::levels(), super::incidents::owners(&state).await);
    page_status(
        &state,
        &auth,
        "admin/monitor_item.html",
        StatusCode::OK,
        context! { item => view(item), words, rules, paragraphs, incidents, open_incidents, levels, owners, me_id => auth.1.user.id },
    )
}

/// A source as its form shows it.
fn source_form(s: Option<&Source>) -> minijinja::Value {
    match s {
        Some(s) => {
            let json: JsonMapping = if s.kind == "json" { serde_json::from_str(&s.mapping).unwrap_or_default() } else { JsonMapping::default() };
            let html: HtmlRecipe = if s.kind == "html" { serde_json::from_str(&s.mapping).unwrap_or_default() } else { HtmlRecipe::default() };
            context! { id => s.id, name => s.name, kind => s.kind, url => s.url, reach => s.reach, interval_minutes => s.interval_secs / 60, enabled => s.enabled,
                json, html, last_error => s.last_error, failures => s.failures, last_ok_at => s.last_ok_at, items_total => s.items_total }
        }
        None => context! { kind => "rss", reach => 2, interval_minutes => 15, enabled => true, json => JsonMapping::default(), html => HtmlRecipe::default() },
    }
}

fn input_form(f: &SourceInput) -> minijinja::Value {
    let json = JsonMapping { items: f.json_items.clone(), title: f.json_title.clone(), url: f.json_url.clone(), text: f.json_text.clone(), guid: f.json_guid.clone(), author: f.json_author.clone(), time: f.json_time.clone() };
    let html = HtmlRecipe { item: f.html_item.clone(), title: f.html_title.clone(), link: f.html_link.clone(), text: f.html_text.clone() };
    context! { name => f.name, kind => f.kind, url => f.url, reach => f.reach.parse::<i64>().unwrap_or(2), interval_minutes => f.interval, enabled => !f.enabled.is_empty(), json, html }
}

#[derive(Deserialize, Default)]
struct MsgQuery {
    msg: Option<String>,
}

async fn sources_view(state: &AppState, auth: &Auth, form: minijinja::Value, status: StatusCode, error: Option<String>, flash: Option<&str>) -> Response {
    let sources = match monitor::sources(state, &auth.1).await {
        Ok(s) => s,
        Err(e) => return error_page(state, auth, e),
    };
    let sources: Vec<_> = sources
        .into_iter()
        .map(|s| {
            let kind_label = KINDS.iter().find(|(k, _)| *k == s.kind).map_or("", |(_, l)| *l);
            context! { kind_label, ..minijinja::Value::from_serialize(&s) }
        })
        .collect();
    page_status(state, auth, "admin/monitor_sources.html", status, context! { sources, s => form, kinds => KINDS, reaches => reaches(), error, flash })
}

async fn sources_page(State(state): State<AppState>, auth: Auth, Query(q): Query<MsgQuery>) -> Response {
    let flash = match q.msg.as_deref() {
        Some("added") => Some("已添加，将在一分钟内开始抓取。"),
        Some("saved") => Some("已保存。"),
        Some("queued") => Some("已安排立即抓取，稍后刷新本页查看结果。"),
        _ => None,
    };
    sources_view(&state, &auth, source_form(None), StatusCode::OK, None, flash).await
}

async fn create_source(State(state): State<AppState>, auth: Auth, Form(f): Form<SourceInput>) -> Response {
    match monitor::create_source(&state, &auth.1, &f).await {
        Ok(_) => Redirect::to("/admin/monitor/sources?msg=added").into_response(),
        Err(e) => sources_view(&state, &auth, input_form(&f), e.status(), Some(e.to_string()), None).await,
    }
}

async fn source_page(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> Response {
    match monitor::source(&state, &auth.1, id).await {
        Ok(s) => page_status(&state, &auth, "admin/monitor_source.html", StatusCode::OK, context! { s => source_form(Some(&s)), kinds => KINDS, reaches => reaches() }),
        Err(e) => error_page(&state, &auth, e),
    }
}

async fn update_source(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>, Form(f): Form<SourceInput>) -> Response {
    match monitor::update_source(&state, &auth.1, id, &f).await {
        Ok(()) => Redirect::to("/admin/monitor/sources?msg=saved").into_response(),
        Err(e) => {
            let form = context! { id, ..input_form(&f) };
            page_status(&state, &auth, "admin/monitor_source.html", e.status(), context! { s => form, kinds => KINDS, reaches => reaches(), error => e.to_string() })
        }
    }
}

async fn fetch_now(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> Response {
    match monitor::fetch_soon(&state, &auth.1, id).await {
        Ok(()) => Redirect::to("/admin/monitor/sources?msg=queued").into_response(),
        Err(e) => error_page(&state, &auth, e),
    }
}

#[derive(Deserialize, Default)]
struct RulesQuery {
    msg: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    expr: String,
    #[serde(default)]
    weight: String,
    #[serde(default)]
    test: String,
}

async fn rules_view(state: &AppState, auth: &Auth, draft: minijinja::Value, test: Option<monitor::RuleTest>, status: StatusCode, error: Option<String>, flash: Option<&str>) -> Response {
    let (rules, sets) = match monitor::rules(state, &auth.1).await {
        Ok(r) => r,
        Err(e) => return error_page(state, auth, e),
    };
    page_status(state, auth, "admin/monitor_rules.html", status, context! { rules, sets, draft, test, error, flash })
}

async fn rules_page(State(state): State<AppState>, auth: Auth, Query(q): Query<RulesQuery>) -> Response {
    let flash = match q.msg.as_deref() {
        Some("saved") => Some("规则已保存，对之后抓取的内容生效。"),
        Some("deleted") => Some("规则已删除。"),
        Some("set") => Some("词组已保存。"),
        _ => None,
    };
    let test = if q.test.is_empty() {
        None
    } else {
        match monitor::test_rule(&state, &auth.1, &q.expr).await {
            Ok(t) => Some(t),
            Err(e) => return error_page(&state, &auth, e),
        }
    };
    let draft = context! { name => q.name, expr => q.expr, weight => q.weight.parse::<i64>().unwrap_or(3) };
    rules_view(&state, &auth, draft, test, StatusCode::OK, None, flash).await
}

async fn create_rule(State(state): State<AppState>, auth: Auth, Form(f): Form<RuleInput>) -> Response {
    match monitor::create_rule(&state, &auth.1, &f).await {
        Ok(_) => Redirect::to("/admin/monitor/rules?msg=saved").into_response(),
        Err(e) => {
            let draft = context! { name => f.name, expr => f.expr, weight => f.weight.parse::<i64>().unwrap_or(3) };
            rules_view(&state, &auth, draft, None, e.status(), Some(e.to_string()), None).await
        }
    }
}

#[derive(Deserialize)]
struct TestQuery {
    #[serde(default)]
    expr: String,
}

/// The live test under the rule box: a fragment of HTML.
async fn rule_test(State(state): State<AppState>, auth: Auth, Query(q): Query<TestQuery>) -> Response {
    match monitor::test_rule(&state, &auth.1, &q.expr).await {
        Ok(test) => render(&state, "admin/monitor_rule_test.html", StatusCode::OK, context! { test }),
        Err(e) => (e.status(), e.to_string()).into_response(),
    }
}

async fn delete_rule(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> Response {
    match monitor::delete_rule(&state, &auth.1, id).await {
        Ok(()) => Redirect::to("/admin/monitor/rules?msg=deleted").into_response(),
        Err(e) => error_page(&state, &auth, e),
    }
}

#[derive(Deserialize)]
struct SetForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    words: String,
}

async fn put_set(State(state): State<AppState>, auth: Auth, Form(f): Form<SetForm>) -> Response {
    match monitor::put_set(&state, &auth.1, &f.name, &f.words).await {
        Ok(()) => Redirect::to("/admin/monitor/rules?msg=set").into_response(),
        Err(e) => rules_view(&state, &auth, context! { weight => 3 }, None, e.status(), Some(e.to_string()), None).await,
    }
}
