//! How loudly to raise the alarm for an item (预警级别): red, orange, yellow, blue, from the
//! weight of the rules it hit, how negative it is, how far its source reaches, and how many
//! sources repeat it within the spread window. Points add up; the thresholds are in one
//! table so the reasoning can be shown beside every alert ("规则 4 + 负面 3 + 来源 2 + 扩散 2").

/// The four levels, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum AlertLevel {
    Red,
    Orange,
    Yellow,
    Blue,
}

impl AlertLevel {
    pub const ALL: [AlertLevel; 4] = [AlertLevel::Red, AlertLevel::Orange, AlertLevel::Yellow, AlertLevel::Blue];

    pub fn label(self) -> &'static str {
        match self {
            AlertLevel::Red => "红色",
            AlertLevel::Orange => "橙色",
            AlertLevel::Yellow => "黄色",
            AlertLevel::Blue => "蓝色",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            AlertLevel::Red => "red",
            AlertLevel::Orange => "orange",
            AlertLevel::Yellow => "yellow",
            AlertLevel::Blue => "blue",
        }
    }

    pub fn from_key(s: &str) -> Option<AlertLevel> {
        AlertLevel::ALL.into_iter().find(|l| l.key() == s)
    }
}

/// What the level is computed from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Signals {
    /// The largest weight among the rules hit, 1..=5 (0: no rule hit).
    pub rule_weight: u8,
    /// The sentiment score, -1..1.
    pub sentiment: f32,
    /// The source's reach, 1 (a small forum) ..= 5 (a national outlet, a large account).
    pub reach: u8,
    /// Distinct sources carrying it (or a copy) within the window, this one included.
    pub sources: u32,
}

/// The points behind a level, for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Points {
    pub rule: i32,
    pub sentiment: i32,
    pub reach: i32,
    pub spread: i32,
}

impl Points {
    pub fn total(&self) -> i32 {
        self.rule + self.sentiment + self.reach + self.spread
    }

    pub fn explain(&self) -> String {
        format!("规则 {} + 情感 {} + 来源 {} + 扩散 {} = {}", self.rule, self.sentiment, self.reach, self.spread, self.total())
    }
}

/// Totals at or above these are red, orange, yellow; anything else that hit a rule is blue.
pub const THRESHOLDS: [(i32, AlertLevel); 3] = [(13, AlertLevel::Red), (10, AlertLevel::Orange), (7, AlertLevel::Yellow)];

/// The points for `s`.
pub fn points(s: &Signals) -> Points {
    let sentiment = if s.sentiment <= -0.6 {
        4
    } else if s.sentiment <= -0.2 {
        2
    } else if s.sentiment >= 0.2 {
        -2
    } else {
        0
    };
    let spread = match s.sources {
        0 | 1 => 0,
        2..=3 => 2,
        4..=9 => 3,
        _ => 5,
    };
    Points { rule: i32::from(s.rule_weight.min(5)), sentiment, reach: i32::from(s.reach.clamp(1, 5)) - 1, spread }
}

/// The level for `s`, or none when no rule was hit (nothing to alert on).
pub fn level(s: &Signals) -> Option<AlertLevel> {
    if s.rule_weight == 0 {
        return None;
    }
    let total = points(s).total();
    Some(THRESHOLDS.iter().find(|(t, _)| total >= *t).map_or(AlertLevel::Blue, |(_, l)| *l))
}

/// Whether an alert at `new` is sent for a family (an item and its copies) whose loudest
/// alert so far was `sent`: the first one, and afterwards only a louder one. A copy at the
/// same level, or a quieter one, is a repeat and is not sent again.
pub fn worth_sending(sent: Option<AlertLevel>, new: AlertLevel) -> bool {
    sent.is_none_or(|s| new < s)
}

/// China Standard Time, in seconds east of UTC: quiet hours are read on the hospital's clock.
const CST_SECS: i64 = 8 * 3600;

/// Hours in which a channel is not disturbed (免打扰), such as 22:00–07:30, on the
/// hospital's clock; red alerts go out regardless, the others wait for the morning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct QuietHours {
    /// Minutes after midnight the quiet starts and ends; `from > to` spans midnight.
    pub from: u16,
    pub to: u16,
}

impl QuietHours {
    /// Reads `22:00-07:30` (also with `–`, `~`, `至` or full-width colons); none when empty.
    pub fn parse(s: &str) -> Result<Option<QuietHours>, String> {
        let s = s.trim().replace('：', ":").replace(' ', "");
        if s.is_empty() {
            return Ok(None);
        }
        let bad = || format!("免打扰时段“{s}”看不懂：请写成 22:00-07:30 的样子");
        let (a, b) = s.split_once(['-', '–', '~', '～', '至']).ok_or_else(bad)?;
        let minute = |t: &str| -> Option<u16> {
            let (h, m) = t.split_once(':').unwrap_or((t, "0"));
            let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
            (h < 24 && m < 60).then_some(h * 60 + m)
        };
        let (from, to) = (minute(a).ok_or_else(bad)?, minute(b).ok_or_else(bad)?);
        if from == to {
            return Err("免打扰的开始和结束不能是同一时刻".into());
        }
        Ok(Some(QuietHours { from, to }))
    }

    /// `22:00-07:30`.
    pub fn label(&self) -> String {
        format!("{:02}:{:02}-{:02}:{:02}", self.from / 60, self.from % 60, self.to / 60, self.to % 60)
    }

    fn contains(&self, minute: u16) -> bool {
        if self.from < self.to {
            (self.from..self.to).contains(&minute)
        } else {
            minute >= self.from || minute < self.to
        }
    }

    /// When an alert of `level` raised at `now` (Unix seconds) goes out: red at once, the
    /// others at once outside the quiet hours and at their end inside them.
    pub fn release(&self, level: AlertLevel, now: i64) -> i64 {
        let into_day = (now + CST_SECS).rem_euclid(86_400);
        if level == AlertLevel::Red || !self.contains((into_day / 60) as u16) {
            return now;
        }
        let end = now - into_day + i64::from(self.to) * 60;
        if end <= now {
            end + 86_400
        } else {
            end
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(rule_weight: u8, sentiment: f32, reach: u8, sources: u32) -> Option<AlertLevel> {
        level(&Signals { rule_weight, sentiment, reach, sources })
    }

    #[test]
    fn levels_rise_with_weight_negativity_reach_and_spread() {
        use AlertLevel::*;
        // Nothing hit: no alert whatever else.
        assert_eq!(s(0, -1.0, 5, 50), None);
        // A light rule, neutral, a small forum: blue.
        assert_eq!(s(1, 0.0, 1, 1), Some(Blue));
        // A heavy rule, very negative, one local account: yellow (5 + 4 + 0 + 0 = 9).
        assert_eq!(s(5, -0.8, 1, 1), Some(Yellow));
        // Same, repeated by three sources: orange (9 + 2).
        assert_eq!(s(5, -0.8, 1, 3), Some(Orange));
        // Same on a large outlet and spreading widely: red.
        assert_eq!(s(5, -0.8, 4, 12), Some(Red));
        // Praise never climbs past blue on its own.
        assert_eq!(s(3, 0.9, 3, 3), Some(Blue));
        // Monotone: more sources never lowers the level.
        for n in 1..30 {
            assert!(s(4, -0.5, 3, n + 1) <= s(4, -0.5, 3, n));
        }
        assert_eq!(points(&Signals { rule_weight: 4, sentiment: -0.7, reach: 3, sources: 2 }).explain(), "规则 4 + 情感 4 + 来源 2 + 扩散 2 = 12");
    }

    #[test]
    fn a_family_alerts_once_per_level_and_only_louder() {
        use AlertLevel::*;
        assert!(worth_sending(None, Blue));
        assert!(!worth_sending(Some(Orange), Orange));
        assert!(!worth_sending(Some(Orange), Yellow));
        assert!(worth_sending(Some(Orange), Red));
    }

    #[test]
    fn quiet_hours_hold_all_but_red_until_they_end() {
        let q = QuietHours::parse("22:00-07:30").unwrap().unwrap();
        assert_eq!(q.label(), "22:00-07:30");
        // 2026-11-24 23:10 in China is 15:10 UTC.
        let late = 1_795_478_400 + 15 * 3600 + 600;
        let morning = 1_795_478_400 + 23 * 3600 + 1800; // 07:30 on the 25th, China time
        assert_eq!(q.release(AlertLevel::Orange, late), morning);
        assert_eq!(q.release(AlertLevel::Red, late), late);
        // 03:00 China time: the same morning.
        let small_hours = morning - 4 * 3600 - 1800;
        assert_eq!(q.release(AlertLevel::Blue, small_hours), morning);
        // 12:00: not quiet.
        let noon = morning + 4 * 3600 + 1800;
        assert_eq!(q.release(AlertLevel::Yellow, noon), noon);
        // A window inside one day.
        let lunch = QuietHours::parse("12：00 至 13:30").unwrap().unwrap();
        assert_eq!(lunch.release(AlertLevel::Yellow, noon), noon + 5400);
        assert_eq!(QuietHours::parse("").unwrap(), None);
        assert!(QuietHours::parse("晚上").unwrap_err().contains("22:00-07:30"));
        assert!(QuietHours::parse("25:00-07:00").is_err());
        assert!(QuietHours::parse("08:00-08:00").is_err());
    }
}
