//! Publicity work that is not a story (其他宣传工作): recorded by the publicity staff as dated
//! quantities by kind, listed and totalled over a period (a year, half, quarter or month),
//! and counted in the statistics and summaries. Every change is audited.

use serde::{Deserialize, Serialize};
use yuanxun_core::clock;
use yuanxun_core::work::{WorkKind, MAX_QUANTITY};
use yuanxun_store::work::{self, WorkEntry, WorkFields};

use super::{audit, line};
use crate::auth::Actor;
use crate::error::{ServiceError, ServiceResult};
use crate::AppState;

fn require_staff(actor: &Actor) -> ServiceResult<()> {
    super::require_publicity_staff(actor, "登记宣传工作")
}

/// An entry as forms and the API submit it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct WorkInput {
    #[serde(default, deserialize_with = "super::loose_text")]
    pub kind: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub title: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub quantity: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub done_on: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub department_id: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub person_name: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub note: String,
}

/// An entry with its kind's label and unit.
#[derive(Debug, Clone, Serialize)]
pub struct WorkView {
    #[serde(flatten)]
    pub entry: WorkEntry,
    pub kind_label: &'static str,
    pub unit: &'static str,
}

fn view(entry: WorkEntry) -> WorkView {
    let kind = WorkKind::parse(&entry.kind).unwrap_or(WorkKind::Other);
    WorkView { kind_label: kind.label(), unit: kind.unit(), entry }
}

/// One kind's total over a period.
#[derive(Debug, Clone, Serialize)]
pub struct KindTotal {
    pub kind: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    pub entries: i64,
    pub quantity: i64,
}

/// A period's work: the entries and every kind's total (zero included, in the kinds' order).
#[derive(Debug, Clone, Serialize)]
pub struct PeriodWork {
    pub period: String,
    pub period_label: String,
    pub from: String,
    pub to: String,
    pub totals: Vec<KindTotal>,
    pub entries: Vec<WorkView>,
}

/// Records an entry.
pub async fn record(state: &AppState, actor: &Actor, input: &WorkInput) -> ServiceResult<WorkView> {
    require_staff(actor)?;
    let kind = WorkKind::parse(&input.kind).ok_or_else(|| ServiceError::Invalid("请选择工作类型（宣传片/短视频、宣传册/折页、LED屏标语、专家坐诊信息、宣传活动、通讯员培训、接待媒体采访或其他）".into()))?;
    let title = line(&input.title, "内容", true, 100)?;
    let quantity: i64 = input.quantity.trim().replace([',', '，'], "").parse().ok().filter(|q| (1..=MAX_QUANTITY).contains(q))
        .ok_or_else(|| ServiceError::Invalid(format!("数量须为 1 到 {MAX_QUANTITY} 之间的整数（单位：{}）", kind.unit())))?;
    let day = super::date_or_today(&input.done_on, "日期")?;
    if day > clock::date(clock::now()) {
        return Err(ServiceError::Invalid("日期不能晚于今天：请在工作完成后登记".into()));
    }
    let person_name = line(&input.person_name, "完成人", false, 40)?;
    let note = line(&input.note, "备注", false, 200)?;
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let department_id = super::optional_department(tx.conn(), site, &input.department_id, "科室").await?;
    let done_on = day.to_string();
    let f = WorkFields { kind: kind.code(), title: &title, quantity, done_on: &done_on, department_id, person_name: &person_name, note: &note };
    let id = work::create(tx.conn(), site, &f, Some(actor.user.id), clock::now()).await?;
    audit(tx.conn(), site, actor, "work_create", "work", id, format!("{done_on} {}「{title}」{quantity}{}", kind.label(), kind.unit())).await?;
    let e = work::get(tx.conn(), site, id).await?;
    tx.commit().await?;
    Ok(view(e))
}

/// Removes an entry recorded by mistake (the audit log keeps what it said).
pub async fn delete(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<()> {
    require_staff(actor)?;
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let e = work::get(tx.conn(), site, id).await?;
    work::delete(tx.conn(), site, id).await?;
    let unit = WorkKind::parse(&e.kind).map_or("", WorkKind::unit);
    audit(tx.conn(), site, actor, "work_delete", "work", id, format!("删除 {} 「{}」{}{unit}", e.done_on, e.title, e.quantity)).await?;
    tx.commit().await?;
    Ok(())
}

/// A period's entries and totals; `period` as `2026H1`, `2026`, `2026Q3` or `2026-03`, the
/// current half-year when empty.
pub async fn of_period(state: &AppState, actor: &Actor, period: &str) -> ServiceResult<PeriodWork> {
    require_staff(actor)?;
    let p = super::period_or_this_half(period)?;
    let (from, to) = (p.start.to_string(), p.end.to_string());
    let mut c = state.store.conn().await?;
    let sums = work::totals(&mut c, state.site_id(), &from, &to).await?;
    let totals = WorkKind::ALL
        .iter()
        .map(|k| {
            let (entries, quantity) = sums.iter().find(|(code, _, _)| code == k.code()).map_or((0, 0), |(_, n, q)| (*n, *q));
            KindTotal { kind: k.code(), label: k.label(), unit: k.unit(), entries, quantity }
        })
        .collect();
    let entries = work::between(&mut c, state.site_id(), &from, &to).await?.into_iter().map(view).collect();
    Ok(PeriodWork { period: p.code(), period_label: p.to_string(), from, to: p.last_day().to_string(), totals, entries })
}
