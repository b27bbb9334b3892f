//! The service layer: every rule of the newsroom, shared by the HTML UI and the JSON API.
//! Each state change is one write transaction with its audit row.

pub mod accounts;
pub mod admin;
pub mod checks;
pub mod export;
pub mod guard;
pub mod live_site;
pub mod manuscripts;
pub mod outlets;
pub mod people;
pub mod points;
pub mod search;
pub mod work;

use yuanxun_store::audit::NewEntry;
use yuanxun_store::AnyConnection;

use crate::auth::Actor;
use crate::error::ServiceResult;

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
