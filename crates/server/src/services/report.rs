//! The half-year and annual work summary (工作总结): the figures a publicity department
//! otherwise counts by hand in spreadsheets, counted from the work itself: stories published
//! by channel, outside submissions and adoptions by media level, posts on the hospital's own
//! outlets (the WeChat account first), expert-clinic notices and the other work by kind, the
//! top departments and correspondents, and the period month by month.
//!
//! [`summary_of`] gathers the figures; [`markdown`] and [`docx`] write them out, both from
//! the same [`Summary`], with the same opening paragraph the department pastes into its
//! report ("上报信息186篇，更新稿件135篇 …").

use serde::Serialize;
use yuanxun_core::clock;
use yuanxun_core::outlet::{Adoption, MediaLevel, OutletKind};
use yuanxun_core::period::Period;
use yuanxun_core::work::WorkKind;
use yuanxun_store::{articles, outlets, sites, work, AnyConnection};

use super::points::RankLine;
use crate::auth::Actor;
use crate::chart::{self, Datum};
use crate::error::{ServiceError, ServiceResult};
use crate::AppState;

/// How many departments and correspondents the summary names.
pub const TOP: usize = 10;

/// A label and a count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub label: String,
    pub count: i64,
}

/// Outside submissions at one media level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelLine {
    pub level: &'static str,
    pub label: &'static str,
    pub submitted: i64,
    pub adopted: i64,
}

/// Other work of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkLine {
    pub kind: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    pub quantity: i64,
}

/// One month of the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Month {
    /// `3月`.
    pub label: String,
    pub stories: i64,
    pub own_posts: i64,
    pub adopted: i64,
}

/// A period's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub site_name: String,
    pub period: String,
    pub period_label: String,
    pub from: String,
    pub to: String,
    /// Stories published on the website, by channel in the site's order (every channel).
    pub by_channel: Vec<Count>,
    pub stories: i64,
    /// Outside media, national to county (every level).
    pub submissions: Vec<LevelLine>,
    pub submitted: i64,
    pub adopted: i64,
    /// Posts on the hospital's own outlets other than the website, by kind (those with any).
    pub own_outlets: Vec<Count>,
    pub wechat_posts: i64,
    pub expert_notices: i64,
    /// Other work by kind (those with any), in the kinds' order.
    pub work: Vec<WorkLine>,
    pub top_departments: Vec<RankLine>,
    pub top_people: Vec<RankLine>,
    pub months: Vec<Month>,
}

/// The months of a period, as `(first day, label)`.
fn months_of(p: &Period) -> Vec<(time::Date, String)> {
    let mut out = Vec::new();
    let mut d = p.start;
    while d < p.end {
        out.push((d, format!("{}月", d.month() as u8)));
        let next = d.month().next();
        let year = if next == time::Month::January { d.year() + 1 } else { d.year() };
        d = time::Date::from_calendar_date(year, next, 1).expect("the first of a month");
    }
    out
}

/// Which month of `months` a day falls in.
fn month_index(months: &[(time::Date, String)], day: time::Date) -> Option<usize> {
    months.iter().rposition(|(start, _)| *start <= day)
}

/// Gathers a period's figures.
pub(crate) async fn summary_of(c: &mut AnyConnection, site: i64, p: Period) -> ServiceResult<Summary> {
    let site_name = sites::list_sites(c).await?.into_iter().find(|s| s.id == site).map(|s| s.name).unwrap_or_default();
    let (from, to) = (p.start.to_string(), p.end.to_string());
    let mut months: Vec<Month> = months_of(&p).into_iter().map(|(_, label)| Month { label, stories: 0, own_posts: 0, adopted: 0 }).collect();
    let month_starts: Vec<(time::Date, String)> = months_of(&p);

    // Stories on the website, by channel and month.
    let channels = sites::list_channels(c, site).await?;
    let published = articles::published_between(c, site, clock::start_of_day(p.start), clock::start_of_day(p.end)).await?;
    let by_channel: Vec<Count> = channels.iter().map(|ch| Count { label: ch.name.clone(), count: published.iter().filter(|(id, _, _)| *id == ch.id).count() as i64 }).collect();
    for (_, _, at) in &published {
        if let Some(i) = month_index(&month_starts, clock::date(*at)) {
            months[i].stories += 1;
        }
    }

    // Distributions: outside submissions by level; own outlets (not the website) by kind.
    let levels = [MediaLevel::National, MediaLevel::Provincial, MediaLevel::Municipal, MediaLevel::County];
    let mut submissions: Vec<LevelLine> = levels.iter().map(|l| LevelLine { level: l.code(), label: l.label(), submitted: 0, adopted: 0 }).collect();
    let mut own: Vec<(OutletKind, i64)> = Vec::new();
    for d in outlets::between(c, site, &from, &to).await? {
        let Some(kind) = OutletKind::parse(&d.outlet_kind) else { continue };
        let month = yuanxun_core::outlet::parse_date(&d.distributed_on).and_then(|day| month_index(&month_starts, day));
        if kind == OutletKind::OutsideMedia {
            let adopted = d.adoption == Adoption::Adopted.code();
            if let Some(line) = submissions.iter_mut().find(|l| l.level == d.level) {
                line.submitted += 1;
                line.adopted += i64::from(adopted);
            }
            if let (Some(i), true) = (month, adopted) {
                months[i].adopted += 1;
            }
        } else if kind != OutletKind::Website {
            match own.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => *n += 1,
                None => own.push((kind, 1)),
            }
            if let Some(i) = month {
                months[i].own_posts += 1;
            }
        }
    }
    own.sort_by_key(|(k, _)| OutletKind::ALL.iter().position(|x| x == k));
    let wechat_posts = own.iter().find(|(k, _)| *k == OutletKind::Wechat).map_or(0, |(_, n)| *n);
    let own_outlets = own.into_iter().map(|(k, n)| Count { label: k.label().into(), count: n }).collect();

    // Other work by kind.
    let sums = work::totals(c, site, &from, &to).await?;
    let work: Vec<WorkLine> = WorkKind::ALL
        .iter()
        .filter_map(|k| {
            let q = sums.iter().find(|(code, _, _)| code == k.code()).map_or(0, |(_, _, q)| *q);
            (q > 0).then(|| WorkLine { kind: k.code(), label: k.label(), unit: k.unit(), quantity: q })
        })
        .collect();
    let expert_notices = work.iter().find(|w| w.kind == WorkKind::ExpertNotice.code()).map_or(0, |w| w.quantity);

    let (people, departments) = super::points::rankings(c, site, p).await?;
    let top_departments = departments.into_iter().filter(|l| l.total.department_id.is_some()).take(TOP).collect();
    let top_people = people.into_iter().take(TOP).collect();

    Ok(Summary {
        site_name,
        period: p.code(),
        period_label: p.to_string(),
        from,
        to: p.last_day().to_string(),
        stories: published.len() as i64,
        by_channel,
        submitted: submissions.iter().map(|l| l.submitted).sum(),
        adopted: submissions.iter().map(|l| l.adopted).sum(),
        submissions,
        own_outlets,
        wechat_posts,
        expert_notices,
        work,
        top_departments,
        top_people,
        months,
    })
}

/// The summary of a period (`2025H1`, `2025`, …; the current half-year when empty).
pub async fn summary(state: &AppState, actor: &Actor, period: &str) -> ServiceResult<Summary> {
    super::require_publicity_staff(actor, "生成工作总结")?;
    let p = super::period_or_this_half(period)?;
    let mut c = state.store.conn().await?;
    summary_of(&mut c, state.site_id(), p).await
}

/// The summary of a period for the command line (run on the server by its operator, who
/// holds the database itself: no account is asked for).
pub async fn of_period(state: &AppState, p: Period) -> ServiceResult<Summary> {
    let mut c = state.store.conn().await?;
    summary_of(&mut c, state.site_id(), p).await
}

/// The opening paragraph, in the words a summary uses.
pub fn lead(s: &Summary) -> String {
    let mut parts = vec![format!("{}，在医院网站发布稿件{}篇", s.period_label, s.stories)];
    let levels: Vec<String> = s.submissions.iter().filter(|l| l.adopted > 0).map(|l| format!("{}{}篇", l.label, l.adopted)).collect();
    if s.submitted > 0 {
        let mut t = format!("向各级媒体上报稿件{}篇，被录用{}篇", s.submitted, s.adopted);
        if !levels.is_empty() {
            t.push_str(&format!("（其中{}）", levels.join("、")));
        }
        parts.push(t);
    }
    if s.wechat_posts > 0 {
        parts.push(format!("微信公众号更新稿件{}篇", s.wechat_posts));
    }
    for o in s.own_outlets.iter().filter(|o| o.label != OutletKind::Wechat.label()) {
        parts.push(format!("{}发布{}条", o.label, o.count));
    }
    for w in &s.work {
        parts.push(WorkKind::parse(w.kind).map_or_else(|| format!("{}{}{}", w.label, w.quantity, w.unit), |k| k.phrase(w.quantity)));
    }
    let mut text = parts.join("，");
    text.push('。');
    text
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn md_table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    out.push_str(&format!("| {} |\n", header.join(" | ")));
    out.push_str(&format!("|{}\n", " --- |".repeat(header.len())));
    for r in rows {
        out.push_str(&format!("| {} |\n", r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")));
    }
    out.push('\n');
}

/// The report's sections as tables: heading, header and rows, shared by both formats.
fn sections(s: &Summary) -> Vec<(String, Vec<&'static str>, Vec<Vec<String>>)> {
    let mut out = Vec::new();
    let mut channels: Vec<Vec<String>> = s.by_channel.iter().map(|c| vec![c.label.clone(), c.count.to_string()]).collect();
    channels.push(vec!["合计".into(), s.stories.to_string()]);
    out.push(("一、网站发稿".to_string(), vec!["栏目", "篇数"], channels));
    let mut levels: Vec<Vec<String>> = s.submissions.iter().map(|l| vec![l.label.to_string(), l.submitted.to_string(), l.adopted.to_string()]).collect();
    levels.push(vec!["合计".into(), s.submitted.to_string(), s.adopted.to_string()]);
    out.push(("二、对外投稿（上报与录用）".to_string(), vec!["媒体级别", "上报篇数", "录用篇数"], levels));
    let own: Vec<Vec<String>> = if s.own_outlets.is_empty() { vec![vec!["（无）".into(), "0".into()]] } else { s.own_outlets.iter().map(|o| vec![o.label.clone(), o.count.to_string()]).collect() };
    out.push(("三、自有阵地发布".to_string(), vec!["阵地类型", "发布条数"], own));
    let work: Vec<Vec<String>> = if s.work.is_empty() { vec![vec!["（无）".into(), "0".into()]] } else { s.work.iter().map(|w| vec![w.label.to_string(), format!("{}{}", w.quantity, w.unit)]).collect() };
    out.push(("四、其他宣传工作".to_string(), vec!["类型", "数量"], work));
    let depts: Vec<Vec<String>> = s.top_departments.iter().map(|l| vec![l.place.to_string(), l.total.department_name.clone().unwrap_or_default(), l.total.stories.to_string(), l.points_text.clone()]).collect();
    out.push((format!("五、科室积分前{TOP}名"), vec!["名次", "科室", "稿件数", "积分"], depts));
    let people: Vec<Vec<String>> = s.top_people.iter().map(|l| vec![l.place.to_string(), l.total.person_name.clone(), l.total.department_name.clone().unwrap_or_default(), l.total.stories.to_string(), l.points_text.clone()]).collect();
    out.push((format!("六、通讯员积分前{TOP}名"), vec!["名次", "姓名", "科室", "稿件数", "积分"], people));
    let months: Vec<Vec<String>> = s.months.iter().map(|m| vec![m.label.clone(), m.stories.to_string(), m.own_posts.to_string(), m.adopted.to_string()]).collect();
    out.push(("七、逐月情况".to_string(), vec!["月份", "网站发稿", "自有阵地发布", "外部媒体录用"], months));
    out
}

fn title(s: &Summary) -> String {
    format!("{}{}宣传工作数据汇总", s.site_name, s.period_label)
}

fn subtitle(s: &Summary) -> String {
    format!("统计期间：{} 至 {}　生成于 {}", s.from, s.to, clock::format_minute(clock::now()))
}

/// The month-by-month chart: stories on the website.
pub fn month_chart(s: &Summary) -> String {
    let data: Vec<Datum> = s.months.iter().map(|m| Datum { label: m.label.clone(), value: m.stories as f64, value_text: m.stories.to_string() }).collect();
    chart::columns(&format!("{} 网站逐月发稿（篇）", s.period_label), &data)
}

/// The summary as Markdown.
pub fn markdown(s: &Summary) -> String {
    let mut out = format!("# {}\n\n{}\n\n{}\n\n", title(s), subtitle(s), lead(s));
    for (heading, header, rows) in sections(s) {
        out.push_str(&format!("## {heading}\n\n"));
        if rows.is_empty() {
            out.push_str("本期暂无。\n\n");
        } else {
            md_table(&mut out, &header, &rows);
        }
    }
    out
}

/// The summary as a Word document: the opening paragraph, the tables, and the
/// month-by-month chart as a picture.
pub fn docx(s: &Summary) -> ServiceResult<Vec<u8>> {
    use yuanxun_docx::{ArticleDoc, Block, Picture};
    let mut blocks = vec![Block::Paragraph(lead(s))];
    for (heading, header, rows) in sections(s) {
        let chart_here = heading.starts_with("七");
        blocks.push(Block::Heading(heading));
        if chart_here {
            if let Some((bytes, width, height)) = chart::png(&month_chart(s), 2.0) {
                // Drawn at twice the size for print; shown at its own.
                blocks.push(Block::Picture(Picture { bytes, ext: "png", width: width / 2, height: height / 2, caption: format!("图：{}网站逐月发稿", s.period_label) }));
            }
        }
        if rows.is_empty() {
            blocks.push(Block::Paragraph("本期暂无。".into()));
        } else {
            blocks.push(Block::Table { header: header.iter().map(|h| h.to_string()).collect(), rows });
        }
    }
    let doc = ArticleDoc { title: title(s), subtitle: String::new(), meta: subtitle(s), blocks, footer: String::new(), creator: s.site_name.clone(), landscape: false };
    yuanxun_docx::write_docx(&doc).map_err(|e| ServiceError::Internal(format!("docx: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary() -> Summary {
        Summary {
            site_name: "示例医院".into(),
            period: "2025H1".into(),
            period_label: "2025年上半年".into(),
            from: "2025-01-01".into(),
            to: "2025-06-30".into(),
            by_channel: vec![Count { label: "医院新闻".into(), count: 120 }, Count { label: "通知公告".into(), count: 15 }],
            stories: 135,
            submissions: vec![
                LevelLine { level: "national", label: "国家级", submitted: 10, adopted: 3 },
                LevelLine { level: "provincial", label: "省级", submitted: 176, adopted: 40 },
                LevelLine { level: "municipal", label: "市级", submitted: 0, adopted: 0 },
                LevelLine { level: "county", label: "县级", submitted: 0, adopted: 0 },
            ],
            submitted: 186,
            adopted: 43,
            own_outlets: vec![Count { label: "微信公众号".into(), count: 135 }, Count { label: "抖音/视频号".into(), count: 54 }],
            wechat_posts: 135,
            expert_notices: 48,
            work: vec![WorkLine { kind: "expert_notice", label: "专家坐诊信息", unit: "次", quantity: 48 }, WorkLine { kind: "brochure", label: "宣传册/折页", unit: "份", quantity: 100_000 }],
            top_departments: vec![],
            top_people: vec![],
            months: months_of(&Period::parse("2025H1").unwrap()).into_iter().map(|(_, label)| Month { label, stories: 1, own_posts: 0, adopted: 0 }).collect(),
        }
    }

    #[test]
    fn the_lead_reads_as_a_summary_is_written() {
        assert_eq!(
            lead(&summary()),
            "2025年上半年，在医院网站发布稿件135篇，向各级媒体上报稿件186篇，被录用43篇（其中国家级3篇、省级40篇），微信公众号更新稿件135篇，抖音/视频号发布54条，发布专家坐诊信息48次，印制宣传册/折页100000份。"
        );
    }

    #[test]
    fn markdown_has_every_section_and_escapes_cells() {
        let mut s = summary();
        s.by_channel[0].label = "新闻|动态".into();
        let md = markdown(&s);
        for h in ["## 一、网站发稿", "## 二、对外投稿", "## 七、逐月情况", "| 新闻\\|动态 | 120 |", "| 合计 | 186 | 43 |", "| 6月 | 1 | 0 | 0 |"] {
            assert!(md.contains(h), "{h} in {md}");
        }
        assert!(md.contains("## 五、科室积分前10名\n\n本期暂无。"), "{md}");
    }

    #[test]
    fn a_year_has_twelve_months_and_days_fall_in_theirs() {
        let p = Period::parse("2025").unwrap();
        let m = months_of(&p);
        assert_eq!(m.len(), 12);
        assert_eq!(month_index(&m, time::macros::date!(2025 - 03 - 31)), Some(2));
        assert_eq!(month_index(&m, time::macros::date!(2025 - 12 - 31)), Some(11));
        assert_eq!(months_of(&Period::parse("2025H2").unwrap()).first().map(|x| x.1.clone()), Some("7月".into()));
    }
}
