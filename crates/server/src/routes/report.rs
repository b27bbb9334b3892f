//! The work summary page (工作总结): a period's figures on screen, with the month-by-month
//! chart, and the buttons that download them as Word or Markdown.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use minijinja::context;

use super::admin::{error_page, page_status};
use super::points::PeriodQuery;
use crate::auth::Auth;
use crate::services::report;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/report", get(report_page)).route("/admin/report.docx", get(report_docx)).route("/admin/report.md", get(report_md))
}

async fn report_page(State(state): State<AppState>, auth: Auth, Query(q): Query<PeriodQuery>) -> Response {
    let data = match report::summary(&state, &auth.1, &q.period).await {
        Ok(d) => d,
        Err(e) => return error_page(&state, &auth, e),
    };
    let lead = report::lead(&data);
    let chart = report::month_chart(&data);
    page_status(&state, &auth, "admin/report.html", StatusCode::OK, context! { data, lead, chart, quick => super::points::quick_periods() })
}

async fn report_docx(State(state): State<AppState>, auth: Auth, Query(q): Query<PeriodQuery>) -> Response {
    let result = async {
        let s = report::summary(&state, &auth.1, &q.period).await?;
        let bytes = crate::heavy::run({
            let s = s.clone();
            move || report::docx(&s)
        })
        .await
        .map_err(|e| crate::error::ServiceError::Internal(e.to_string()))??;
        Ok::<_, crate::error::ServiceError>((s, bytes))
    }
    .await;
    match result {
        Ok((s, bytes)) => super::attachment(bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", &format!("summary-{}.docx", s.period), &format!("工作总结数据-{}.docx", s.period)),
        Err(e) => error_page(&state, &auth, e),
    }
}

async fn report_md(State(state): State<AppState>, auth: Auth, Query(q): Query<PeriodQuery>) -> Response {
    match report::summary(&state, &auth.1, &q.period).await {
        Ok(s) => super::attachment(report::markdown(&s).into_bytes(), "text/markdown; charset=utf-8", &format!("summary-{}.md", s.period), &format!("工作总结数据-{}.md", s.period)),
        Err(e) => error_page(&state, &auth, e),
    }
}
