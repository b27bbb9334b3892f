//! Reporting periods as the publicity department names them: a year (`2025`), a half
//! (`2025H1`, 上半年), a quarter (`2025Q3`) or a month (`2025-03`). Statistics, rankings and
//! the half-year and annual summaries all count over one of these.

use std::fmt;

use time::{Date, Month};

/// A span of whole days, `start` inclusive, `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: Date,
    pub end: Date,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Year,
    Half(u8),
    Quarter(u8),
    Month,
}

fn first(year: i32, month: u8) -> Option<Date> {
    Date::from_calendar_date(year, Month::try_from(month).ok()?, 1).ok()
}

impl Period {
    /// Months `from..from+n` of `year`.
    fn months(year: i32, from: u8, n: u8, kind: Kind) -> Option<Period> {
        let start = first(year, from)?;
        let end = if from + n > 12 { first(year + 1, from + n - 12)? } else { first(year, from + n)? };
        Some(Period { start, end, kind })
    }

    /// Reads `2025`, `2025H1`, `2025Q3` or `2025-03` (case and surrounding spaces ignored).
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim().to_ascii_uppercase();
        let year = |y: &str| y.parse::<i32>().ok().filter(|y| (1900..=9999).contains(y));
        if let Some((y, h)) = s.split_once('H') {
            let h: u8 = h.parse().ok().filter(|h| (1..=2).contains(h))?;
            return Period::months(year(y)?, 1 + (h - 1) * 6, 6, Kind::Half(h));
        }
        if let Some((y, q)) = s.split_once('Q') {
            let q: u8 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
            return Period::months(year(y)?, 1 + (q - 1) * 3, 3, Kind::Quarter(q));
        }
        if let Some((y, m)) = s.split_once('-') {
            let m: u8 = m.parse().ok().filter(|m| (1..=12).contains(m))?;
            return Period::months(year(y)?, m, 1, Kind::Month);
        }
        Period::months(year(&s)?, 1, 12, Kind::Year)
    }

    /// The half-year that contains `day` (the period a summary is usually written for).
    pub fn half_of(day: Date) -> Period {
        let h = if (day.month() as u8) <= 6 { 1 } else { 2 };
        Period::months(day.year(), 1 + (h - 1) * 6, 6, Kind::Half(h)).expect("a half-year of a valid date")
    }

    /// Whether `day` falls within the period.
    pub fn contains(&self, day: Date) -> bool {
        self.start <= day && day < self.end
    }

    /// The code that [`Period::parse`] reads back (`2025H1`).
    pub fn code(&self) -> String {
        let y = self.start.year();
        match self.kind {
            Kind::Year => format!("{y}"),
            Kind::Half(h) => format!("{y}H{h}"),
            Kind::Quarter(q) => format!("{y}Q{q}"),
            Kind::Month => format!("{y}-{:02}", self.start.month() as u8),
        }
    }

    /// The last day within the period.
    pub fn last_day(&self) -> Date {
        self.end.previous_day().unwrap_or(self.end)
    }
}

impl fmt::Display for Period {
    /// As a summary's title writes it: `2025年上半年`, `2025年第三季度`, `2025年3月`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let y = self.start.year();
        match self.kind {
            Kind::Year => write!(f, "{y}年"),
            Kind::Half(1) => write!(f, "{y}年上半年"),
            Kind::Half(_) => write!(f, "{y}年下半年"),
            Kind::Quarter(q) => write!(f, "{y}年第{}季度", ["一", "二", "三", "四"][q as usize - 1]),
            Kind::Month => write!(f, "{y}年{}月", self.start.month() as u8),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn periods_read_back_and_cover_whole_days() {
        for (code, start, end, label) in [
            ("2025", date!(2025 - 01 - 01), date!(2026 - 01 - 01), "2025年"),
            ("2025H1", date!(2025 - 01 - 01), date!(2025 - 07 - 01), "2025年上半年"),
            ("2025h2", date!(2025 - 07 - 01), date!(2026 - 01 - 01), "2025年下半年"),
            ("2025Q3", date!(2025 - 07 - 01), date!(2025 - 10 - 01), "2025年第三季度"),
            ("2025Q4", date!(2025 - 10 - 01), date!(2026 - 01 - 01), "2025年第四季度"),
            ("2025-03", date!(2025 - 03 - 01), date!(2025 - 04 - 01), "2025年3月"),
            (" 2025-12 ", date!(2025 - 12 - 01), date!(2026 - 01 - 01), "2025年12月"),
        ] {
            let p = Period::parse(code).unwrap_or_else(|| panic!("{code}"));
            assert_eq!((p.start, p.end, p.to_string()), (start, end, label.to_string()), "{code}");
            assert_eq!(Period::parse(&p.code()), Some(p));
            assert!(p.contains(start) && p.contains(p.last_day()) && !p.contains(end));
        }
        for bad in ["", "2025H3", "2025Q0", "2025-13", "25", "去年", "2025H", "H1"] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        assert_eq!(Period::half_of(date!(2026 - 11 - 24)).code(), "2026H2");
        assert_eq!(Period::half_of(date!(2026 - 06 - 30)).code(), "2026H1");
    }
}
