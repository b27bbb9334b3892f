//! The figures of a daily or weekly briefing (舆情日报 / 周报): how much was said, how it
//! leaned, how it moved through the period, what was loudest, from the items as stored.
//! The server adds the open incidents and writes the page and the Word document.

use crate::{AlertLevel, Category, Polarity};

/// One stored item, as much of it as a briefing needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub id: i64,
    /// When it was fetched (Unix seconds).
    pub at: i64,
    pub sentiment: f32,
    pub level: Option<AlertLevel>,
    pub category: Category,
    /// The first item it repeats, if it is a copy.
    pub copy_of: Option<i64>,
    pub source_id: i64,
    pub title: String,
}

/// A slice of the period (an hour of a day, a day of a week).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Bucket {
    pub from: i64,
    pub total: usize,
    pub negative: usize,
    /// Mean sentiment of the bucket's items (0 when empty).
    pub mean_sentiment: f32,
}

/// A story of the period: an item and its copies.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Top {
    /// The first item of the family.
    pub id: i64,
    pub title: String,
    /// The loudest level among the family's items in the period.
    pub level: Option<AlertLevel>,
    /// The most negative reading among them.
    pub sentiment: f32,
    /// Items of the family in the period (the first one included).
    pub items: usize,
    /// Distinct sources carrying it.
    pub sources: usize,
}

/// The figures of one period.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Briefing {
    pub from: i64,
    pub to: i64,
    pub total: usize,
    /// Items that are not copies of an earlier one.
    pub originals: usize,
    pub negative: usize,
    pub neutral: usize,
    pub positive: usize,
    /// Items that hit a rule, by level, most urgent first.
    pub by_level: Vec<(AlertLevel, usize)>,
    /// Negative items by what they are about, largest first (only the categories seen).
    pub by_category: Vec<(Category, usize)>,
    pub trend: Vec<Bucket>,
    pub top: Vec<Top>,
}

impl Briefing {
    /// Items that hit at least one rule.
    pub fn hits(&self) -> usize {
        self.by_level.iter().map(|(_, n)| n).sum()
    }

    /// The share of negative items, in percent (0 when there were none).
    pub fn negative_percent(&self) -> f32 {
        if self.total == 0 {
            0.0
        } else {
            self.negative as f32 * 100.0 / self.total as f32
        }
    }
}

/// The briefing of `[from, to)` from `items` (others are ignored), in buckets of
/// `bucket_secs`, with the `top_n` loudest stories: by level, then by how many items carry
/// them, then by how negative they are.
pub fn brief(items: &[Mention], from: i64, to: i64, bucket_secs: i64, top_n: usize) -> Briefing {
    let bucket_secs = bucket_secs.max(1);
    let n_buckets = ((to - from + bucket_secs - 1) / bucket_secs).max(0) as usize;
    let mut trend: Vec<(usize, usize, f32)> = vec![(0, 0, 0.0); n_buckets];
    let mut b = Briefing { from, to, total: 0, originals: 0, negative: 0, neutral: 0, positive: 0, by_level: AlertLevel::ALL.iter().map(|l| (*l, 0)).collect(), by_category: Vec::new(), trend: Vec::new(), top: Vec::new() };
    let mut categories = [0usize; Category::ALL.len()];
    struct Family {
        first_seen: i64,
        title: String,
        has_root: bool,
        level: Option<AlertLevel>,
        sentiment: f32,
        items: usize,
        sources: Vec<i64>,
    }
    let mut families: rustc_hash::FxHashMap<i64, Family> = Default::default();
    for m in items.iter().filter(|m| m.at >= from && m.at < to) {
        b.total += 1;
        if m.copy_of.is_none() {
            b.originals += 1;
        }
        match Polarity::of(m.sentiment) {
            Polarity::Negative => {
                b.negative += 1;
                let i = Category::ALL.iter().position(|c| *c == m.category).unwrap_or(0);
                categories[i] += 1;
            }
            Polarity::Neutral => b.neutral += 1,
            Polarity::Positive => b.positive += 1,
        }
        if let Some(l) = m.level {
            if let Some(slot) = b.by_level.iter_mut().find(|(x, _)| *x == l) {
                slot.1 += 1;
            }
        }
        let t = &mut trend[((m.at - from) / bucket_secs) as usize];
        t.0 += 1;
        t.1 += usize::from(Polarity::of(m.sentiment) == Polarity::Negative);
        t.2 += m.sentiment;
        let root = m.copy_of.unwrap_or(m.id);
        let f = families.entry(root).or_insert(Family { first_seen: m.at, title: m.title.clone(), has_root: false, level: None, sentiment: 1.0, items: 0, sources: Vec::new() });
        if m.id == root && !f.has_root {
            f.title = m.title.clone();
            f.has_root = true;
        }
        f.first_seen = f.first_seen.min(m.at);
        f.level = match (f.level, m.level) {
            (Some(a), Some(c)) => Some(a.min(c)),
            (a, c) => a.or(c),
        };
        f.sentiment = f.sentiment.min(m.sentiment);
        f.items += 1;
        if !f.sources.contains(&m.source_id) {
            f.sources.push(m.source_id);
        }
    }
    b.trend = trend
        .into_iter()
        .enumerate()
        .map(|(i, (total, negative, sum))| Bucket { from: from + i as i64 * bucket_secs, total, negative, mean_sentiment: if total == 0 { 0.0 } else { sum / total as f32 } })
        .collect();
    let mut cats: Vec<(Category, usize)> = Category::ALL.iter().copied().zip(categories).filter(|(_, n)| *n > 0).collect();
    cats.sort_by(|a, b| b.1.cmp(&a.1));
    b.by_category = cats;
    // Loudest first: a level beats none and red beats orange; then the widest spread; then
    // the most negative; then the earliest.
    let mut fams: Vec<(i64, Family)> = families.into_iter().collect();
    fams.sort_by(|(_, x), (_, y)| {
        let rank = |l: Option<AlertLevel>| l.map_or(0, |l| 4 - AlertLevel::ALL.iter().position(|a| *a == l).unwrap_or(3));
        rank(y.level)
            .cmp(&rank(x.level))
            .then(y.items.cmp(&x.items))
            .then(x.sentiment.total_cmp(&y.sentiment))
            .then(x.first_seen.cmp(&y.first_seen))
    });
    b.top = fams
        .into_iter()
        .take(top_n)
        .map(|(id, f)| Top { id, title: f.title, level: f.level, sentiment: f.sentiment, items: f.items, sources: f.sources.len() })
        .collect();
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(id: i64, at: i64, sentiment: f32, level: Option<AlertLevel>, category: Category, copy_of: Option<i64>, source_id: i64) -> Mention {
        Mention { id, at, sentiment, level, category, copy_of, source_id, title: format!("第{id}条") }
    }

    #[test]
    fn a_day_is_counted_in_hours_with_its_loudest_stories_first() {
        use AlertLevel::*;
        let day = 1_000_000;
        let items = vec![
            m(1, day + 100, -0.8, Some(Orange), Category::MedicalDispute, None, 1),
            m(2, day + 3700, -0.7, Some(Red), Category::MedicalDispute, Some(1), 2),
            m(3, day + 3800, -0.6, Some(Orange), Category::MedicalDispute, Some(1), 1),
            m(4, day + 7300, 0.9, Some(Blue), Category::Other, None, 3),
            m(5, day + 7400, 0.0, None, Category::Other, None, 3),
            m(6, day + 8000, -0.5, Some(Yellow), Category::Price, None, 4),
            // Outside the day: ignored.
            m(7, day - 1, -0.9, Some(Red), Category::Safety, None, 1),
            m(8, day + 86_400, -0.9, Some(Red), Category::Safety, None, 1),
        ];
        let b = brief(&items, day, day + 86_400, 3600, 10);
        assert_eq!((b.total, b.originals, b.hits()), (6, 4, 5));
        assert_eq!((b.negative, b.neutral, b.positive), (4, 1, 1));
        assert!((b.negative_percent() - 66.666).abs() < 0.01);
        assert_eq!(b.by_level, vec![(Red, 1), (Orange, 2), (Yellow, 1), (Blue, 1)]);
        assert_eq!(b.by_category, vec![(Category::MedicalDispute, 3), (Category::Price, 1)]);
        assert_eq!(b.trend.len(), 24);
        assert_eq!((b.trend[0].total, b.trend[1].total, b.trend[2].total, b.trend[3].total), (1, 2, 3, 0));
        assert_eq!(b.trend[1].negative, 2);
        assert!((b.trend[1].mean_sentiment + 0.65).abs() < 1e-5);
        // The dispute and its two copies are one story, red (its loudest), on two sources.
        assert_eq!(b.top[0], Top { id: 1, title: "第1条".into(), level: Some(Red), sentiment: -0.8, items: 3, sources: 2 });
        assert_eq!(b.top.iter().map(|t| t.id).collect::<Vec<_>>(), vec![1, 6, 4, 5]);
        assert_eq!(brief(&items, day, day + 86_400, 3600, 2).top.len(), 2);
    }

    #[test]
    fn an_empty_week_has_seven_empty_days() {
        let b = brief(&[], 0, 7 * 86_400, 86_400, 10);
        assert_eq!(b.trend.len(), 7);
        assert!(b.trend.iter().all(|t| t.total == 0 && t.mean_sentiment == 0.0));
        assert_eq!((b.total, b.hits(), b.negative_percent()), (0, 0, 0.0));
        assert!(b.top.is_empty());
    }
}
