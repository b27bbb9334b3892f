//! The service layer: every rule of the newsroom, shared by the HTML UI and the JSON API.
//! Each state change is one write transaction with its audit row.

pub mod accounts;
pub mod admin;
pub mod alerts;
pub mod audit_log;
pub mod checks;
pub mod congress;
pub mod export;
pub mod guard;
pub mod incidents;
pub mod ledgers;
pub mod briefing;
pub mod live_site;
pub mod manuscripts;
pub mod monitor;
pub mod monitor_fetch;
pub mod notifications;
pub mod outlets;
pub mod people;
pub mod points;
pub mod report;
pub mod search;
pub mod word;
pub mod work;

use yuanxun_store::audit::NewEntry;
use yuanxun_store::AnyConnection;

use crate::auth::Actor;
use crate::error::ServiceResult;

/// Deletes the media blobs no row refers to: what a crash between storing a photo and
/// committing its row leaves (the blob is always written first, so no row ever points at
/// nothing). At start on SQLite nothing else writes media (one process owns the database),
/// so every such blob goes; on PostgreSQL, and in the hourly sweep, only those older than
/// an hour, since another process may be between the two steps.
pub async fn media_sweep(state: &crate::AppState, at_start: bool) {
    let grace = if at_start && state.store.backend() == yuanxun_store::Backend::Sqlite { std::time::Duration::ZERO } else { std::time::Duration::from_secs(3600) };
    let swept = async {
        let keep = {
            let mut c = state.store.conn().await?;
            yuanxun_store::manuscripts::media_keys(&mut c).await?
        };
        Ok::<usize, yuanxun_store::StoreError>(state.store.media.sweep(&keep, grace).await?)
    }
    .await;
    match swept {
        Ok(0) => {}
        Ok(n) => tracing::warn!("{n} media files no row refers to (left by an interrupted upload) deleted from {}", state.store.media.location()),
        Err(e) => tracing::error!("media sweep of {}: {e}", state.store.media.location()),
    }
}

/// Appends an audit row for `actor` inside the caller's transaction.
pub async fn audit(c: &mut AnyConnection, site_id: i64, actor: &Actor, action: &str, object_type: &str, object_id: impl ToString, detail: impl Into<String>) -> ServiceResult<()> {
    let name = format!("{}（{}）", actor.user.display_name, actor.user.username);
    yuanxun_store::audit::append(
        c,
        site_id,
        &NewEntry {
            actor_id: Some(actor.user.id),
            actor_name: &name,
            action,
            object_type,
            object_id: object_id.to_string(),
            detail: detail.into(),
            ip: &actor.ip,
        },
    )
    .await?;
    Ok(())
}

/// Trims and bounds a one-line text field; `what` names it in the error.
pub fn line(value: &str, what: &str, required: bool, max: usize) -> ServiceResult<String> {
    let v = value.trim().to_string();
    if required && v.is_empty() {
        return Err(crate::ServiceError::Invalid(format!("请填写{what}")));
    }
    if v.chars().count() > max {
        return Err(crate::ServiceError::Invalid(format!("{what}不能超过 {max} 个字")));
    }
    if v.chars().any(|c| c.is_control()) {
        return Err(crate::ServiceError::Invalid(format!("{what}中含有不可见的控制字符，请删除后重试")));
    }
    Ok(v)
}

/// Only the publicity department's staff may do `what` (管理宣传阵地和稿件分发, 登记宣传工作, …).
pub fn require_publicity_staff(actor: &Actor, what: &str) -> ServiceResult<()> {
    if actor.user.role.runs_outlets() {
        Ok(())
    } else {
        Err(crate::ServiceError::Forbidden(format!("{}无权{what}（由宣传部编辑、总编辑或系统管理员办理）", actor.user.role.label())))
    }
}

/// A field as forms (always text) and JSON clients (text, a number or null) send it; for
/// `#[serde(deserialize_with = "…")]` on inputs whose fields are all kept as typed.
pub fn loose_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    use serde::Deserialize;
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Loose {
        Text(String),
        Int(i64),
        Float(f64),
        Null(()),
    }
    Ok(match Loose::deserialize(d)? {
        Loose::Text(s) => s,
        Loose::Int(n) => n.to_string(),
        Loose::Float(f) => f.to_string(),
        Loose::Null(()) => String::new(),
    })
}

/// An optional id typed into a form: empty is none, anything else must be a number.
pub fn optional_id(s: &str, what: &str) -> ServiceResult<Option<i64>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| crate::ServiceError::Invalid(format!("{what}无效，请从列表中选择")))
}

/// An optional department of the site chosen in a form (`what` names the field).
pub async fn optional_department(c: &mut AnyConnection, site_id: i64, s: &str, what: &str) -> ServiceResult<Option<i64>> {
    let id = optional_id(s, what)?;
    if let Some(d) = id {
        yuanxun_store::sites::get_department(c, site_id, d).await.map_err(|_| crate::ServiceError::Invalid(format!("{what}不存在，请从列表中选择")))?;
    }
    Ok(id)
}

/// A date typed into a form (`2026-03-05`, `2026/3/5`, `2026年3月5日`), today when empty.
pub fn date_or_today(s: &str, what: &str) -> ServiceResult<time::Date> {
    match s.trim() {
        "" => Ok(yuanxun_core::clock::date(yuanxun_core::clock::now())),
        s => yuanxun_core::outlet::parse_date(s).ok_or_else(|| crate::ServiceError::Invalid(format!("{what}无效，请按 2026-03-05 的格式填写"))),
    }
}

/// A statistics period as typed (`2026H1`, `2026`, `2026Q3`, `2026-03`); the current
/// half-year when empty.
pub fn period_or_this_half(s: &str) -> ServiceResult<yuanxun_core::period::Period> {
    use yuanxun_core::period::Period;
    match s.trim() {
        "" => Ok(Period::half_of(yuanxun_core::clock::date(yuanxun_core::clock::now()))),
        s => Period::parse(s).ok_or_else(|| crate::error::ServiceError::Invalid("统计期间无效，请写成 2026H1（上半年）、2026（全年）、2026Q3（季度）或 2026-03（月）".into())),
    }
}
