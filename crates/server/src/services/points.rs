//! Points rules (积分规则): set by the publicity staff per outlet kind × media level ×
//! contribution, each effective from a date. A change is a new rule with a later start, so
//! points earned under the old one stay as they were. Every addition is audited.

use serde::{Deserialize, Serialize};
use yuanxun_core::clock;
use yuanxun_core::outlet::{parse_date, MediaLevel, OutletKind};
use yuanxun_core::points::{self, Contribution, Rule};
use yuanxun_store::points as repo;

use super::audit;
use crate::auth::Actor;
use crate::error::{ServiceError, ServiceResult};
use crate::AppState;

/// A rule as forms and the API submit it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RuleInput {
    #[serde(default, deserialize_with = "super::loose_text")]
    pub outlet_kind: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub level: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub contribution: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub points: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub valid_from: String,
}

/// A rule with its labels, and whether it is the one in effect today.
#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    #[serde(flatten)]
    pub rule: repo::RuleRow,
    pub kind_label: &'static str,
    pub level_label: &'static str,
    pub contribution_label: &'static str,
    pub points_text: String,
    pub in_effect: bool,
}

fn core_rule(r: &repo::RuleRow) -> Option<Rule> {
    Some(Rule {
        kind: OutletKind::parse(&r.outlet_kind)?,
        level: MediaLevel::parse(&r.level)?,
        contribution: Contribution::parse(&r.contribution)?,
        points: r.points,
        valid_from: parse_date(&r.valid_from)?,
    })
}

/// Adds a rule.
pub async fn add_rule(state: &AppState, actor: &Actor, input: &RuleInput) -> ServiceResult<()> {
    super::require_publicity_staff(actor, "设置积分规则")?;
    let kind = OutletKind::parse(&input.outlet_kind).ok_or_else(|| ServiceError::Invalid("请选择阵地类型".into()))?;
    let level = MediaLevel::parse(&input.level).ok_or_else(|| ServiceError::Invalid("请选择媒体级别（本院阵地选“院内”）".into()))?;
    let contribution = Contribution::parse(&input.contribution).ok_or_else(|| ServiceError::Invalid("请选择贡献（文字或摄影）".into()))?;
    let value = points::parse(&input.points).ok_or_else(|| ServiceError::Invalid("分值须为 0 到 10000 之间的数，最多两位小数，例如 2 或 2.5".into()))?;
    let from = super::date_or_today(&input.valid_from, "生效日期")?;
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let from_text = from.to_string();
    let new = repo::NewRule { outlet_kind: kind.code(), level: level.code(), contribution: contribution.code(), points: value, valid_from: &from_text, created_by: Some(actor.user.id) };
    repo::add_rule(tx.conn(), site, &new, clock::now()).await.map_err(|e| {
        if e.is_unique_violation() {
            ServiceError::Conflict("同一阵地类型、级别和贡献在这一天已有规则；如需调整，请选择新的生效日期".into())
        } else {
            e.into()
        }
    })?;
    let detail = format!("{}·{}·{}：{} 分，自 {from} 起", kind.label(), level.label(), contribution.label(), points::format(value));
    audit(tx.conn(), site, actor, "points_rule_add", "site", site, detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Every rule, with the ones in effect today marked.
pub async fn rules(state: &AppState, actor: &Actor) -> ServiceResult<Vec<RuleView>> {
    super::require_publicity_staff(actor, "查看积分规则")?;
    let mut c = state.store.conn().await?;
    let rows = repo::rules(&mut c, state.site_id()).await?;
    let all: Vec<Rule> = rows.iter().filter_map(core_rule).collect();
    let today = clock::date(clock::now());
    Ok(rows
        .into_iter()
        .map(|r| {
            let rule = core_rule(&r);
            let in_effect = rule.as_ref().is_some_and(|x| points::rule_for(&all, x.kind, x.level, x.contribution, today) == Some(x));
            RuleView {
                kind_label: rule.as_ref().map_or("", |x| x.kind.label()),
                level_label: rule.as_ref().map_or("", |x| x.level.label()),
                contribution_label: rule.as_ref().map_or("", |x| x.contribution.label()),
                points_text: points::format(r.points),
                in_effect,
                rule: r,
            }
        })
        .collect())
}
