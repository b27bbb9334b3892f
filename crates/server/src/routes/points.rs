//! The points pages (积分): a period's rankings of people and departments with their charts
//! and a spreadsheet of them, the entries, the form for manual entries with evidence, and the
//! rules with the explicit recompute.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use minijinja::context;
use serde::Deserialize;
use yuanxun_core::outlet::{MediaLevel, OutletKind};
use yuanxun_core::points::{Contribution, ManualKind};

use super::admin::{error_page, options, page_status};
use crate::auth::Auth;
use crate::error::ServiceError;
use crate::services::points::{self, ManualInput, RuleInput, Standings};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/points", get(standings_page))
        .route("/admin/points/export.xlsx", get(export_xlsx))
        .route("/admin/points/manual", post(add_manual))
        .route("/admin/points/entries/{id}/delete", post(delete_manual))
        .route("/admin/points/rules", get(rules_page).post(add_rule))
        .route("/admin/points/recompute", post(recompute))
}

#[derive(Deserialize, Default)]
pub(crate) struct PeriodQuery {
    #[serde(default)]
    pub period: String,
    pub msg: Option<String>,
}

/// How many lines of a ranking the chart shows.
const CHART_LINES: usize = 10;

/// The ranking's top lines as a bar chart.
pub(crate) fn ranking_chart(title: &str, lines: &[points::RankLine], by_person: bool) -> String {
    let data: Vec<crate::chart::Datum> = lines
        .iter()
        .take(CHART_LINES)
        .map(|l| crate::chart::Datum {
            label: if by_person { format!("{}·{}", l.total.person_name, l.total.department_name.as_deref().unwrap_or("")).trim_end_matches('·').to_string() } else { l.total.department_name.clone().unwrap_or_else(|| "未归属科室".into()) },
            value: l.total.points as f64 / 100.0,
            value_text: format!("{} 分", l.points_text),
        })
        .collect();
    crate::chart::bars(title, &data)
}

/// Quick links to the periods people ask for most: this month, quarter, half-year and year,
/// and the last half-year and year.
pub(crate) fn quick_periods() -> Vec<minijinja::Value> {
    use yuanxun_core::period::Period;
    let today = yuanxun_core::clock::date(yuanxun_core::clock::now());
    let (y, m) = (today.year(), today.month() as u8);
    let half = Period::half_of(today);
    let last_half = Period::half_of(half.start.previous_day().unwrap_or(half.start));
    [format!("{y}-{m:02}"), format!("{y}Q{}", (m - 1) / 3 + 1), half.code(), format!("{y}"), last_half.code(), format!("{}", y - 1)]
        .into_iter()
        .filter_map(|code| Period::parse(&code).map(|p| context! { code => p.code(), label => p.to_string() }))
        .collect()
}

async fn standings_view(state: &AppState, auth: &Auth, period: &str, status: StatusCode, error: Option<String>, flash: Option<String>) -> Response {
    let data: Standings = match points::standings(state, &auth.1, period).await {
        Ok(d) => d,
        Err(e) => return error_page(state, auth, e),
    };
    let people_chart = ranking_chart(&format!("{} 个人积分前 {CHART_LINES} 名", data.period_label), &data.people, true);
    let departments_chart = ranking_chart(&format!("{} 科室积分前 {CHART_LINES} 名", data.period_label), &data.departments, false);
    let (departments, people) = super::admin::departments_and_people(state).await;
    let today = yuanxun_core::clock::format_date(yuanxun_core::clock::now());
    page_status(
        state,
        auth,
        "admin/standings.html",
        status,
        context! { data, people_chart, departments_chart, kinds => options(ManualKind::choices()), departments, people, today, quick => quick_periods(), error, flash },
    )
}

async fn standings_page(State(state): State<AppState>, auth: Auth, Query(q): Query<PeriodQuery>) -> Response {
    let flash = match q.msg.as_deref() {
        Some("added") => Some("已登记积分。".to_string()),
        Some("deleted") => Some("已删除这条积分。".to_string()),
        _ => None,
    };
    standings_view(&state, &auth, &q.period, StatusCode::OK, None, flash).await
}

async fn export_xlsx(State(state): State<AppState>, auth: Auth, Query(q): Query<PeriodQuery>) -> Response {
    let data = match points::standings(&state, &auth.1, &q.period).await {
        Ok(d) => d,
        Err(e) => return error_page(&state, &auth, e),
    };
    match points::standings_xlsx(&data) {
        Ok(bytes) => super::attachment(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &format!("points-{}.xlsx", data.period), &format!("积分排名-{}.xlsx", data.period)),
        Err(e) => error_page(&state, &auth, e),
    }
}

async fn add_manual(State(state): State<AppState>, auth: Auth, mp: Multipart) -> Response {
    let result = async {
        let (file, fields) = super::admin::read_multipart(&state, mp).await?;
        let input: ManualInput = serde_json::to_value(&fields).and_then(serde_json::from_value).map_err(|_| ServiceError::Invalid("表单内容不完整，请刷新页面后重试".into()))?;
        points::add_manual(&state, &auth.1, &input, file).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to("/admin/points?msg=added").into_response(),
        Err(e) => standings_view(&state, &auth, "", e.status(), Some(e.to_string()), None).await,
    }
}

async fn delete_manual(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> Response {
    match points::delete_manual(&state, &auth.1, id).await {
        Ok(()) => Redirect::to("/admin/points?msg=deleted").into_response(),
        Err(e) => error_page(&state, &auth, e),
    }
}

async fn rules_view(state: &AppState, auth: &Auth, status: StatusCode, error: Option<String>, flash: Option<String>) -> Response {
    let rules = match points::rules(state, &auth.1).await {
        Ok(r) => r,
        Err(e) => return error_page(state, auth, e),
    };
    let (kinds, levels, contributions) = (options(OutletKind::choices()), options(MediaLevel::choices()), options(Contribution::choices()));
    let today = yuanxun_core::clock::format_date(yuanxun_core::clock::now());
    page_status(state, auth, "admin/points.html", status, context! { rules, kinds, levels, contributions, today, quick => quick_periods(), error, flash })
}

async fn rules_page(State(state): State<AppState>, auth: Auth, Query(q): Query<PeriodQuery>) -> Response {
    let flash = (q.msg.as_deref() == Some("rule")).then(|| "已新增规则。此前的积分不受影响；如需按新规则重算某一期间，请使用下方“重新计算”。".to_string());
    rules_view(&state, &auth, StatusCode::OK, None, flash).await
}

async fn add_rule(State(state): State<AppState>, auth: Auth, Form(f): Form<RuleInput>) -> Response {
    match points::add_rule(&state, &auth.1, &f).await {
        Ok(()) => Redirect::to("/admin/points/rules?msg=rule").into_response(),
        Err(e) => rules_view(&state, &auth, e.status(), Some(e.to_string()), None).await,
    }
}

#[derive(Deserialize)]
struct RecomputeForm {
    #[serde(default)]
    period: String,
}

async fn recompute(State(state): State<AppState>, auth: Auth, Form(f): Form<RecomputeForm>) -> Response {
    match points::recompute(&state, &auth.1, &f.period).await {
        Ok(r) => {
            let msg = format!("已按现行规则重新计算{}的 {} 条分发记录：{} 条有变化，积分合计 {} → {} 分。已记入审计日志。", r.period, r.distributions, r.changed, r.before_text, r.after_text);
            rules_view(&state, &auth, StatusCode::OK, None, Some(msg)).await
        }
        Err(e) => rules_view(&state, &auth, e.status(), Some(e.to_string()), None).await,
    }
}
