//! Daily and weekly opinion briefings (舆情日报 / 周报): how much was said about the hospital,
//! how it leaned and moved through the period, the loudest stories, the negative ones by
//! kind, and the incidents opened, closed and still open, as a page and as a Word document
//! for the leaders. The figures are `yuanxun_monitor::briefing` (pure).

use serde::Serialize;
use time::{Date, Duration, Weekday};
use yuanxun_core::clock;
use yuanxun_monitor::briefing::{brief, Briefing, Mention};
use yuanxun_monitor::{AlertLevel, Category};
use yuanxun_store::monitor::{self as items, ItemQuery};

use super::incidents::IncidentRow;
use crate::auth::Actor;
use crate::chart::{self, Datum};
use crate::error::{ServiceError, ServiceResult};
use crate::AppState;

/// A day or a week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Span {
    Daily,
    Weekly,
}

impl Span {
    pub fn parse(s: &str) -> Span {
        if s == "weekly" {
            Span::Weekly
        } else {
            Span::Daily
        }
    }

    fn label(self) -> &'static str {
        match self {
            Span::Daily => "舆情日报",
            Span::Weekly => "舆情周报",
        }
    }
}

/// The most items a briefing reads (a busy week of a large hospital is a few thousand).
const MAX_ITEMS: i64 = 200_000;
/// Stories listed as the period's loudest.
const TOP: usize = 10;

/// A briefing with everything the page and the document show.
#[derive(Debug, Clone, Serialize)]
pub struct BriefingView {
    pub span: Span,
    pub title: String,
    /// 2026年11月24日（星期二）, or 2026年11月23日至11月29日.
    pub period: String,
    /// The day (or the week's Monday) as `2026-11-24`, and the neighbours for the page's links.
    pub date: String,
    pub prev: String,
    pub next: String,
    pub figures: Briefing,
    /// The opening paragraph, every figure in a sentence.
    pub lead: String,
    pub trend: Vec<TrendRow>,
    pub top: Vec<TopRow>,
    pub categories: Vec<(String, usize)>,
    pub open_incidents: Vec<IncidentRow>,
    pub opened: usize,
    pub closed: usize,
    pub chart: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrendRow {
    pub label: String,
    pub total: usize,
    pub negative: usize,
    pub mean: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TopRow {
    pub id: i64,
    pub title: String,
    pub level: Option<&'static str>,
    pub level_label: &'static str,
    pub sentiment: String,
    pub items: usize,
    pub sources: usize,
}

fn weekday(d: Weekday) -> &'static str {
    ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"][d.number_days_from_monday() as usize]
}

fn ymd(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day())
}

/// The briefing of the day `day` (or of the week holding it, Monday to Sunday).
pub async fn briefing(state: &AppState, actor: &Actor, span: Span, day: Option<&str>) -> ServiceResult<BriefingView> {
    super::require_publicity_staff(actor, "查看舆情报告")?;
    let today = clock::date(clock::now());
    let day = match day.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => clock::parse_date(s).ok_or_else(|| ServiceError::Invalid(format!("日期“{s}”看不懂：请写成 2026-11-24")))?,
        None => today,
    };
    let (first, days) = match span {
        Span::Daily => (day, 1),
        Span::Weekly => (day - Duration::days(i64::from(day.weekday().number_days_from_monday())), 7),
    };
    let last = first + Duration::days(days - 1);
    let from = clock::start_of_day(first);
    let to = clock::start_of_day(first + Duration::days(days));
    let site = state.site_id();
    let mut c = state.store.conn().await?;
    let stored = items::list_items(&mut c, site, &ItemQuery { since: Some(from), until: Some(to), ..Default::default() }, MAX_ITEMS).await?;
    let mentions: Vec<Mention> = stored
        .iter()
        .map(|i| Mention {
            id: i.id,
            at: i.fetched_at,
            sentiment: i.sentiment as f32 / 1000.0,
            level: i.level.as_deref().and_then(AlertLevel::from_key),
            category: Category::from_key(&i.category).unwrap_or(Category::Other),
            copy_of: i.copy_of,
            source_id: i.source_id,
            title: if i.title.is_empty() { i.body.chars().take(40).collect() } else { i.title.clone() },
        })
        .collect();
    let bucket = if span == Span::Daily { 3600 } else { 86_400 };
    let figures = brief(&mentions, from, to, bucket, TOP);
    let all = super::incidents::rows(&mut c, site, false).await?;
    let opened = all.iter().filter(|r| (from..to).contains(&r.incident.created_at)).count();
    let closed = all.iter().filter(|r| r.incident.closed_at.is_some_and(|t| (from..to).contains(&t))).count();
    // Open at the end of the period: opened before it ended, not closed by then.
    let open_incidents: Vec<IncidentRow> = all.into_iter().filter(|r| r.incident.created_at < to && r.incident.closed_at.is_none_or(|t| t >= to)).collect();
    let trend: Vec<TrendRow> = figures
        .trend
        .iter()
        .map(|b| TrendRow {
            label: match span {
                Span::Daily => format!("{:02}时", (b.from - from) / 3600),
                Span::Weekly => {
                    let d = clock::date(b.from);
                    format!("{}月{}日{}", u8::from(d.month()), d.day(), weekday(d.weekday()).replace("星期", "周"))
                }
            },
            total: b.total,
            negative: b.negative,
            mean: if b.total == 0 { "—".into() } else { format!("{:.2}", b.mean_sentiment) },
        })
        .collect();
    let top = figures
        .top
        .iter()
        .map(|t| TopRow { id: t.id, title: t.title.clone(), level: t.level.map(|l| l.key()), level_label: t.level.map_or("—", |l| l.label()), sentiment: format!("{:.2}", t.sentiment), items: t.items, sources: t.sources })
        .collect();
    let categories = figures.by_category.iter().map(|(c, n)| (c.label().to_string(), *n)).collect();
    let period = match span {
        Span::Daily => format!("{}（{}）", ymd(first), weekday(first.weekday())),
        Span::Weekly => format!("{}至{}月{}日", ymd(first), u8::from(last.month()), last.day()),
    };
    let unit = if span == Span::Daily { "本日" } else { "本周" };
    let overdue = open_incidents.iter().filter(|r| r.overdue).count();
    let levels = figures.by_level.iter().map(|(l, n)| format!("{} {n} 条", l.label())).collect::<Vec<_>>().join("、");
    let lead = format!(
        "{unit}共监测到涉及我院的网络信息 {} 条（首发 {} 条、转载 {} 条），其中负面 {} 条（占 {:.1}%）、中性 {} 条、正面 {} 条；命中监测规则 {} 条（{levels}）。新立舆情事件 {opened} 起，办结 {closed} 起，目前在办 {} 起{}。",
        figures.total,
        figures.originals,
        figures.total - figures.originals,
        figures.negative,
        figures.negative_percent(),
        figures.neutral,
        figures.positive,
        figures.hits(),
        open_incidents.len(),
        if overdue > 0 { format!("（其中逾期 {overdue} 起）") } else { String::new() },
    );
    // Columns are narrow: a week's are named by the weekday alone (周一), a day's by the hour.
    let short = |l: &str| if span == Span::Weekly { l.chars().skip(l.chars().count().saturating_sub(2)).collect() } else { l.to_string() };
    let data: Vec<Datum> = trend.iter().map(|t| Datum { label: short(&t.label), value: t.total as f64, value_text: t.total.to_string() }).collect();
    let chart = chart::columns(&format!("{}信息量走势（条）", if span == Span::Daily { "逐时" } else { "逐日" }), &data);
    let (prev, next) = match span {
        Span::Daily => (first - Duration::days(1), first + Duration::days(1)),
        Span::Weekly => (first - Duration::days(7), first + Duration::days(7)),
    };
    let fmt = |d: Date| clock::format_date(clock::start_of_day(d));
    Ok(BriefingView {
        span,
        title: format!("{}{}", state.site.name, span.label()),
        period,
        date: fmt(first),
        prev: fmt(prev),
        next: fmt(next),
        figures,
        lead,
        trend,
        top,
        categories,
        open_incidents,
        opened,
        closed,
        chart,
    })
}

/// The briefing as a Word document: the lead, the trend (chart and table), the loudest
/// stories, the negative ones by kind, the open incidents.
pub fn docx(v: &BriefingView, site_name: &str) -> ServiceResult<Vec<u8>> {
    use yuanxun_docx::{ArticleDoc, Block, Picture};
    let mut blocks = vec![Block::Paragraph(v.lead.clone()), Block::Heading("一、信息量走势".into())];
    if let Some((bytes, width, height)) = chart::png(&v.chart, 2.0) {
        blocks.push(Block::Picture(Picture { bytes, ext: "png", width: width / 2, height: height / 2, caption: format!("图：{}信息量走势", v.period) }));
    }
    let rows: Vec<Vec<String>> = v.trend.iter().filter(|t| v.span == Span::Weekly || t.total > 0).map(|t| vec![t.label.clone(), t.total.to_string(), t.negative.to_string(), t.mean.clone()]).collect();
    push_table(&mut blocks, &["时段", "信息量", "负面", "平均情感"], rows);
    blocks.push(Block::Heading("二、重点信息".into()));
    let rows = v.top.iter().enumerate().map(|(i, t)| vec![(i + 1).to_string(), t.level_label.to_string(), t.title.clone(), t.items.to_string(), t.sources.to_string(), t.sentiment.clone()]).collect();
    push_table(&mut blocks, &["序号", "预警级别", "标题", "条数", "来源数", "情感"], rows);
    blocks.push(Block::Heading("三、负面信息分类".into()));
    let rows = v.categories.iter().map(|(c, n)| vec![c.clone(), n.to_string()]).collect();
    push_table(&mut blocks, &["类别", "条数"], rows);
    blocks.push(Block::Heading("四、在办舆情事件".into()));
    let rows = v
        .open_incidents
        .iter()
        .map(|r| {
            let i = &r.incident;
            vec![
                i.title.clone(),
                r.level_label.to_string(),
                r.state_label.to_string(),
                i.owner_name.clone().unwrap_or_else(|| "未指定".into()),
                i.deadline.map(clock::format_minute).unwrap_or_else(|| "未定".into()) + if r.overdue { "（已逾期）" } else { "" },
            ]
        })
        .collect();
    push_table(&mut blocks, &["事件", "级别", "阶段", "负责人", "办结期限"], rows);
    let doc = ArticleDoc { title: v.title.clone(), subtitle: String::new(), meta: v.period.clone(), blocks, footer: String::new(), creator: site_name.to_string(), landscape: false };
    yuanxun_docx::write_docx(&doc).map_err(|e| ServiceError::Internal(format!("docx: {e}")))
}

fn push_table(blocks: &mut Vec<yuanxun_docx::Block>, header: &[&str], rows: Vec<Vec<String>>) {
    if rows.is_empty() {
        blocks.push(yuanxun_docx::Block::Paragraph("本期暂无。".into()));
    } else {
        blocks.push(yuanxun_docx::Block::Table { header: header.iter().map(|h| h.to_string()).collect(), rows });
    }
}
