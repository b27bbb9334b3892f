//! Points (积分): the rules set by the publicity staff per outlet kind × media level ×
//! contribution, each effective from a date; the entries they price; the manual entries for
//! work that is not a story; and the rankings.
//!
//! A distribution is priced when it is recorded, and again when its adoption, level or date
//! change: one entry per person credited on the article, from the rule in effect on the
//! distribution's date. A new rule (a later start) leaves every entry as it was; only an
//! explicit recompute of a period prices its distributions again, and it is audited with the
//! totals before and after. Every change is audited.

use serde::{Deserialize, Serialize};
use yuanxun_core::clock;
use yuanxun_core::outlet::{parse_date, Adoption, MediaLevel, OutletKind};
use yuanxun_core::period::Period;
use yuanxun_core::points::{self, Contribution, ManualKind, Rule};
use yuanxun_store::models::User;
use yuanxun_store::outlets::Distribution;
use yuanxun_store::points as repo;
use yuanxun_store::{articles, manuscripts, outlets, users, AnyConnection};

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
        id: r.id,
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

/// What pricing needs, loaded once for many distributions: the rules and the people who may
/// be named in credits.
pub(crate) struct Pricing {
    rules: Vec<Rule>,
    users: Vec<User>,
}

impl Pricing {
    pub(crate) async fn load(c: &mut AnyConnection, site: i64) -> ServiceResult<Pricing> {
        let rules = repo::rules(c, site).await?.iter().filter_map(core_rule).collect();
        Ok(Pricing { rules, users: users::list(c, site).await? })
    }

    /// The user a name in a credits line stands for, and the department the points count
    /// for: a user of that name (the one in the story's department when several share it),
    /// counted for their own department; otherwise just the name, counted for the story's.
    fn credited(&self, name: &str, story_department: i64) -> (Option<i64>, Option<i64>) {
        let same: Vec<&User> = self.users.iter().filter(|u| u.display_name == name).collect();
        let user = match same.as_slice() {
            [one] => Some(*one),
            many => many.iter().find(|u| u.department_id == Some(story_department)).copied(),
        };
        match user {
            Some(u) => (Some(u.id), u.department_id.or(Some(story_department))),
            None => (None, Some(story_department)),
        }
    }
}

/// Prices a distribution: replaces what it earned with one entry per person credited on its
/// article, from the rules in effect on its date; nothing when it is not adopted or the
/// article was retracted. Returns the total before and after, in hundredths.
pub(crate) async fn price(c: &mut AnyConnection, site: i64, pricing: &Pricing, d: &Distribution, by: Option<i64>, now: i64) -> ServiceResult<(i64, i64)> {
    let before: i64 = repo::of_distribution(c, site, d.id).await?.iter().map(|e| e.points).sum();
    repo::delete_of_distribution(c, site, d.id).await?;
    let a = articles::get(c, site, d.article_id).await?;
    let (Some(kind), Some(level), Some(on)) = (OutletKind::parse(&d.outlet_kind), MediaLevel::parse(&d.level), parse_date(&d.distributed_on)) else {
        return Ok((before, 0));
    };
    if a.retracted || d.adoption != Adoption::Adopted.code() {
        return Ok((before, 0));
    }
    let department = manuscripts::get(c, site, a.manuscript_id).await?.department_id;
    let title = format!("「{}」{}", a.title, d.outlet_name);
    let mut after = 0;
    for e in points::earned(&pricing.rules, kind, level, on, &a.authors, &a.photographers) {
        let (user_id, department_id) = pricing.credited(&e.name, department);
        let new = repo::NewEntry {
            earned_on: &d.distributed_on,
            person_name: &e.name,
            user_id,
            department_id,
            points: e.points,
            contribution: e.contribution.code(),
            title: &title,
            distribution_id: Some(d.id),
            article_id: Some(a.id),
            rule_id: Some(e.rule.id),
            evidence: "",
            evidence_media_id: None,
            created_by: by,
        };
        repo::add_entry(c, site, &new, now).await?;
        after += e.points;
    }
    Ok((before, after))
}

/// What a recompute did.
#[derive(Debug, Clone, Serialize)]
pub struct Recomputed {
    pub period: String,
    pub distributions: usize,
    /// Distributions whose points changed.
    pub changed: usize,
    pub before: i64,
    pub after: i64,
    pub before_text: String,
    pub after_text: String,
}

/// Prices every distribution of a period again with the rules as they now stand (after a
/// rule was added with a start in the past, or a mistake in one was put right). Manual
/// entries are left as they are. Audited with the totals before and after.
pub async fn recompute(state: &AppState, actor: &Actor, period: &str) -> ServiceResult<Recomputed> {
    super::require_publicity_staff(actor, "重新计算积分")?;
    let p = super::period_or_this_half(period)?;
    let site = state.site_id();
    let now = clock::now();
    let mut tx = state.store.begin().await?;
    let pricing = Pricing::load(tx.conn(), site).await?;
    let all = outlets::between(tx.conn(), site, &p.start.to_string(), &p.end.to_string()).await?;
    let (mut before, mut after, mut changed) = (0, 0, 0);
    for d in &all {
        let (b, a) = price(tx.conn(), site, &pricing, d, Some(actor.user.id), now).await?;
        before += b;
        after += a;
        changed += usize::from(a != b);
    }
    let (before_text, after_text) = (points::format(before), points::format(after));
    let detail = format!("{p}：重新计算 {} 条分发的积分（{changed} 条有变化），合计 {before_text} → {after_text} 分", all.len());
    audit(tx.conn(), site, actor, "points_recompute", "site", site, detail).await?;
    tx.commit().await?;
    Ok(Recomputed { period: p.to_string(), distributions: all.len(), changed, before, after, before_text, after_text })
}

/// A manual entry as forms and the API submit it: a user (`user_id`) or a name typed in with
/// a department, the kind of work, its date, points, what was done and the evidence.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ManualInput {
    #[serde(default, deserialize_with = "super::loose_text")]
    pub user_id: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub person_name: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub department_id: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub kind: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub earned_on: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub points: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub title: String,
    #[serde(default, deserialize_with = "super::loose_text")]
    pub evidence: String,
}

/// Records points for work that is not a story, with its evidence: a line saying what proves
/// it (签到表, 视频链接, 活动通知) and, optionally, a photo or scan of it.
pub async fn add_manual(state: &AppState, actor: &Actor, input: &ManualInput, photo: Option<(String, Vec<u8>)>) -> ServiceResult<EntryView> {
    super::require_publicity_staff(actor, "登记积分")?;
    let kind = ManualKind::parse(&input.kind).ok_or_else(|| ServiceError::Invalid("请选择积分事项（参加培训、提供新闻线索、制作视频、组织宣传活动或其他）".into()))?;
    let value = points::parse(&input.points).filter(|p| *p > 0).ok_or_else(|| ServiceError::Invalid("分值须为大于 0、不超过 10000 的数，最多两位小数，例如 2 或 2.5".into()))?;
    let day = super::date_or_today(&input.earned_on, "日期")?;
    if day > clock::date(clock::now()) {
        return Err(ServiceError::Invalid("日期不能晚于今天：请在事情完成后登记".into()));
    }
    let title = super::line(&input.title, "事项内容", true, 100)?;
    let evidence = super::line(&input.evidence, "证明材料", false, 200)?;
    let photo = photo.filter(|(_, b)| !b.is_empty());
    if evidence.is_empty() && photo.is_none() {
        return Err(ServiceError::Invalid("请写明证明材料（如“培训签到表”“视频链接”），或上传证明照片".into()));
    }
    let site = state.site_id();
    let img = match photo {
        Some((name, bytes)) => Some(super::manuscripts::uploaded_photo(&name, bytes, "证明照片请上传 JPG 或 PNG 图片（拍照或扫描签到表、通知等）").await?),
        None => None,
    };
    let mut tx = state.store.begin().await?;
    let (user_id, person_name, department_id) = match super::optional_id(&input.user_id, "人员")? {
        Some(id) => {
            let u = users::get(tx.conn(), site, id).await.map_err(|_| ServiceError::Invalid("人员不存在，请从列表中选择".into()))?;
            let department = super::optional_department(tx.conn(), site, &input.department_id, "科室").await?.or(u.department_id);
            (Some(u.id), u.display_name, department)
        }
        None => {
            let name = super::line(&input.person_name, "姓名", true, 40)?;
            (None, name, super::optional_department(tx.conn(), site, &input.department_id, "科室").await?)
        }
    };
    let evidence_media_id = match &img {
        Some((name, img)) => Some(super::manuscripts::store_image(tx.conn(), state, actor, None, img, name, "积分证明").await?.id),
        None => None,
    };
    let on = day.to_string();
    let new = repo::NewEntry {
        earned_on: &on,
        person_name: &person_name,
        user_id,
        department_id,
        points: value,
        contribution: kind.code(),
        title: &title,
        distribution_id: None,
        article_id: None,
        rule_id: None,
        evidence: &evidence,
        evidence_media_id,
        created_by: Some(actor.user.id),
    };
    let id = repo::add_entry(tx.conn(), site, &new, clock::now()).await?;
    audit(tx.conn(), site, actor, "points_manual_add", "points", id, format!("{on} {person_name}：{}「{title}」{} 分（证明：{}）", kind.label(), points::format(value), if evidence.is_empty() { "照片" } else { &evidence })).await?;
    let e = repo::get_entry(tx.conn(), site, id).await?;
    tx.commit().await?;
    Ok(entry_view(e))
}

/// Removes a manual entry recorded by mistake (the audit log keeps what it said). Entries a
/// story earned change only with their distribution or a recompute.
pub async fn delete_manual(state: &AppState, actor: &Actor, id: i64) -> ServiceResult<()> {
    super::require_publicity_staff(actor, "删除积分")?;
    let site = state.site_id();
    let mut tx = state.store.begin().await?;
    let e = repo::get_entry(tx.conn(), site, id).await?;
    if e.distribution_id.is_some() {
        return Err(ServiceError::Conflict("稿件积分随分发记录计算，不能单独删除；请修改分发记录，或在积分规则页重新计算".into()));
    }
    repo::delete_manual(tx.conn(), site, id).await?;
    audit(tx.conn(), site, actor, "points_manual_delete", "points", id, format!("删除 {} {}「{}」{} 分", e.earned_on, e.person_name, e.title, points::format(e.points))).await?;
    tx.commit().await?;
    Ok(())
}

/// An entry with its labels.
#[derive(Debug, Clone, Serialize)]
pub struct EntryView {
    #[serde(flatten)]
    pub entry: repo::Entry,
    pub contribution_label: &'static str,
    pub points_text: String,
    pub manual: bool,
}

fn entry_view(entry: repo::Entry) -> EntryView {
    let contribution_label = Contribution::parse(&entry.contribution).map(Contribution::label).or_else(|| ManualKind::parse(&entry.contribution).map(ManualKind::label)).unwrap_or("");
    EntryView { contribution_label, points_text: points::format(entry.points), manual: entry.distribution_id.is_none(), entry }
}

/// One line of a ranking, with its place (equal points, equal place).
#[derive(Debug, Clone, Serialize)]
pub struct RankLine {
    pub place: usize,
    #[serde(flatten)]
    pub total: repo::Total,
    pub points_text: String,
}

fn ranked(totals: Vec<repo::Total>) -> Vec<RankLine> {
    let mut out: Vec<RankLine> = Vec::with_capacity(totals.len());
    for (i, total) in totals.into_iter().enumerate() {
        let place = match out.last() {
            Some(prev) if prev.total.points == total.points => prev.place,
            _ => i + 1,
        };
        out.push(RankLine { place, points_text: points::format(total.points), total });
    }
    out
}

/// A period's points: the ranking of people and of departments, and every entry.
#[derive(Debug, Clone, Serialize)]
pub struct Standings {
    pub period: String,
    pub period_label: String,
    pub from: String,
    pub to: String,
    pub people: Vec<RankLine>,
    pub departments: Vec<RankLine>,
    pub entries: Vec<EntryView>,
    pub total_text: String,
}

/// The standings of a period (`2026H1`, `2026`, `2026Q3`, `2026-03`; the current half-year
/// when empty).
pub async fn standings(state: &AppState, actor: &Actor, period: &str) -> ServiceResult<Standings> {
    super::require_publicity_staff(actor, "查看积分")?;
    let p = super::period_or_this_half(period)?;
    let mut c = state.store.conn().await?;
    let site = state.site_id();
    let (people, departments) = rankings(&mut c, site, p).await?;
    let (from, to) = (p.start.to_string(), p.end.to_string());
    let entries: Vec<EntryView> = repo::entries_between(&mut c, site, &from, &to).await?.into_iter().map(entry_view).collect();
    let total_text = points::format(entries.iter().map(|e| e.entry.points).sum());
    Ok(Standings { period: p.code(), period_label: p.to_string(), from, to: p.last_day().to_string(), people, departments, entries, total_text })
}

/// A period's rankings of people and of departments (for the page, the spreadsheet and the
/// summary report, which needs no entries).
pub(crate) async fn rankings(c: &mut AnyConnection, site: i64, p: Period) -> ServiceResult<(Vec<RankLine>, Vec<RankLine>)> {
    let (from, to) = (p.start.to_string(), p.end.to_string());
    Ok((ranked(repo::totals_by_person(c, site, &from, &to).await?), ranked(repo::totals_by_department(c, site, &from, &to).await?)))
}

/// The standings as a spreadsheet: 个人排名, 科室排名 and 积分明细, one sheet each, with a
/// title line, bold shaded headers, frozen header rows, filters and points to two decimals.
pub fn standings_xlsx(s: &Standings) -> ServiceResult<Vec<u8>> {
    use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
    let failed = |e: XlsxError| ServiceError::Internal(format!("xlsx: {e}"));
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new().set_bold().set_background_color(Color::RGB(0xF2DCDB)).set_border(FormatBorder::Thin).set_align(FormatAlign::Center);
    let cell = Format::new().set_border(FormatBorder::Thin);
    let number = Format::new().set_border(FormatBorder::Thin).set_num_format("0.00");
    let sheet = |name: &str, heading: String, columns: &[(&str, f64)]| -> Result<Worksheet, XlsxError> {
        let mut ws = Worksheet::new();
        ws.set_name(name)?;
        ws.write_string_with_format(0, 0, heading, &title)?;
        for (i, (h, width)) in columns.iter().enumerate() {
            ws.write_string_with_format(1, i as u16, *h, &head)?;
            ws.set_column_width(i as u16, *width)?;
        }
        ws.set_freeze_panes(2, 0)?;
        Ok(ws)
    };
    let mut wb = Workbook::new();
    let build = |wb: &mut Workbook| -> Result<(), XlsxError> {
        let mut people = sheet("个人排名", format!("{} 个人积分排名（{} 至 {}）", s.period_label, s.from, s.to), &[("名次", 8.0), ("姓名", 14.0), ("科室", 18.0), ("稿件数", 10.0), ("其他事项", 10.0), ("积分", 10.0)])?;
        for (i, l) in s.people.iter().enumerate() {
            let r = i as u32 + 2;
            people.write_number_with_format(r, 0, l.place as f64, &cell)?;
            people.write_string_with_format(r, 1, &l.total.person_name, &cell)?;
            people.write_string_with_format(r, 2, l.total.department_name.as_deref().unwrap_or(""), &cell)?;
            people.write_number_with_format(r, 3, l.total.stories as f64, &cell)?;
            people.write_number_with_format(r, 4, l.total.manual as f64, &cell)?;
            people.write_number_with_format(r, 5, l.total.points as f64 / 100.0, &number)?;
        }
        people.autofilter(1, 0, (s.people.len() as u32 + 1).max(2), 5)?;
        let mut depts = sheet("科室排名", format!("{} 科室积分排名（{} 至 {}）", s.period_label, s.from, s.to), &[("名次", 8.0), ("科室", 18.0), ("人数", 8.0), ("稿件数", 10.0), ("其他事项", 10.0), ("积分", 10.0)])?;
        for (i, l) in s.departments.iter().enumerate() {
            let r = i as u32 + 2;
            depts.write_number_with_format(r, 0, l.place as f64, &cell)?;
            depts.write_string_with_format(r, 1, l.total.department_name.as_deref().unwrap_or("未归属科室"), &cell)?;
            depts.write_number_with_format(r, 2, l.total.people as f64, &cell)?;
            depts.write_number_with_format(r, 3, l.total.stories as f64, &cell)?;
            depts.write_number_with_format(r, 4, l.total.manual as f64, &cell)?;
            depts.write_number_with_format(r, 5, l.total.points as f64 / 100.0, &number)?;
        }
        let mut entries = sheet("积分明细", format!("{} 积分明细（合计 {} 分）", s.period_label, s.total_text), &[("日期", 12.0), ("姓名", 14.0), ("科室", 18.0), ("事项", 14.0), ("内容", 48.0), ("证明材料", 24.0), ("积分", 10.0)])?;
        for (i, e) in s.entries.iter().enumerate() {
            let r = i as u32 + 2;
            entries.write_string_with_format(r, 0, &e.entry.earned_on, &cell)?;
            entries.write_string_with_format(r, 1, &e.entry.person_name, &cell)?;
            entries.write_string_with_format(r, 2, e.entry.department_name.as_deref().unwrap_or(""), &cell)?;
            entries.write_string_with_format(r, 3, e.contribution_label, &cell)?;
            entries.write_string_with_format(r, 4, &e.entry.title, &cell)?;
            entries.write_string_with_format(r, 5, &e.entry.evidence, &cell)?;
            entries.write_number_with_format(r, 6, e.entry.points as f64 / 100.0, &number)?;
        }
        entries.autofilter(1, 0, (s.entries.len() as u32 + 1).max(2), 6)?;
        wb.push_worksheet(people);
        wb.push_worksheet(depts);
        wb.push_worksheet(entries);
        Ok(())
    };
    build(&mut wb).map_err(failed)?;
    wb.save_to_buffer().map_err(failed)
}
