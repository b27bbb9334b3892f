//! Outlets (阵地) and distributions (分发 / 上报 / 录用): what the hospital publishes through
//! and what happened to each story there. Kinds, media levels and statuses have a stable
//! English code (stored, and used by the API) and a Chinese label (shown).
//!
//! An outlet is reviewed by its owner at a fixed interval (谁建立谁负责); [`review_state`]
//! says whether that review is due, overdue or has never been done.

use serde::Serialize;
use time::Date;

coded!(
    /// What kind of outlet.
    OutletKind {
        Website = "website", "网站";
        Wechat = "wechat", "微信公众号";
        Weibo = "weibo", "微博";
        Video = "video", "抖音/视频号";
        Led = "led", "LED屏";
        WaitingTv = "waiting_tv", "候诊区电视";
        Print = "print", "院报/印刷品";
        /// Newspapers, television and sites outside the hospital (上报 and 录用).
        OutsideMedia = "outside_media", "外部媒体";
    }
);

impl OutletKind {
    /// Outlets the hospital runs itself; stories sent to the others are submissions that the
    /// outlet may or may not adopt.
    pub fn is_own(self) -> bool {
        self != OutletKind::OutsideMedia
    }
}

coded!(
    /// How far an outside outlet reaches (媒体级别).
    MediaLevel {
        National = "national", "国家级";
        Provincial = "provincial", "省级";
        Municipal = "municipal", "市级";
        County = "county", "县级";
        Internal = "internal", "院内";
    }
);

coded!(
    /// Whether an outlet is in use.
    OutletStatus {
        Active = "active", "运行中";
        Paused = "paused", "暂停更新";
        Closed = "closed", "已关停";
    }
);

coded!(
    /// What an outside outlet did with a submission.
    Adoption {
        Pending = "pending", "待反馈";
        Adopted = "adopted", "已录用";
        Declined = "declined", "未录用";
    }
);

/// Where an outlet's periodic review stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ReviewState {
    /// Reviewed; the next review is due on `due_on`.
    Current {
        #[serde(serialize_with = "ymd")]
        due_on: Date,
    },
    /// The review was due on `due_on`, `days` days ago.
    Overdue {
        #[serde(serialize_with = "ymd")]
        due_on: Date,
        days: i64,
    },
    /// Never reviewed since it was registered.
    Never,
    /// Closed outlets need no review.
    NotNeeded,
}

/// A date as `2026-03-05`.
fn ymd<S: serde::Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

impl ReviewState {
    /// Whether the owner must act (overdue or never reviewed).
    pub fn needs_attention(self) -> bool {
        matches!(self, ReviewState::Overdue { .. } | ReviewState::Never)
    }

    /// One line for the outlet list.
    pub fn describe(self) -> String {
        match self {
            ReviewState::Current { due_on } => format!("下次检查：{due_on}"),
            ReviewState::Overdue { due_on, days } => format!("逾期 {days} 天未检查（应于 {due_on} 前）"),
            ReviewState::Never => "登记后尚未检查".into(),
            ReviewState::NotNeeded => "已关停，无需检查".into(),
        }
    }
}

/// The review state of an outlet last reviewed on `last`, to be reviewed every `every_days`
/// days, on `today`. The review is due on the day the interval ends; overdue from the day
/// after.
pub fn review_state(status: OutletStatus, last: Option<Date>, every_days: i64, today: Date) -> ReviewState {
    if status == OutletStatus::Closed {
        return ReviewState::NotNeeded;
    }
    let Some(last) = last else { return ReviewState::Never };
    let due_on = last.checked_add(time::Duration::days(every_days.max(1))).unwrap_or(Date::MAX);
    if today > due_on {
        ReviewState::Overdue { due_on, days: (today - due_on).whole_days() }
    } else {
        ReviewState::Current { due_on }
    }
}

/// Parses a date as forms and spreadsheets write it: `2026-03-05`, `2026/3/5`, `2026.3.5` or
/// `2026年3月5日`.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim().trim_end_matches('日');
    let parts: Vec<&str> = s.split(['-', '/', '.', '年', '月']).collect();
    let [y, m, d] = parts.as_slice() else { return None };
    let month = time::Month::try_from(m.trim().parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.trim().parse().ok()?, month, d.trim().parse().ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn codes_and_labels_read_back() {
        for k in OutletKind::ALL {
            assert_eq!(OutletKind::parse(k.code()), Some(*k));
            assert_eq!(OutletKind::parse(k.label()), Some(*k));
        }
        assert_eq!(MediaLevel::parse(" 省级 "), Some(MediaLevel::Provincial));
        assert_eq!(Adoption::parse("adopted"), Some(Adoption::Adopted));
        assert_eq!(OutletStatus::parse("unknown"), None);
        assert!(OutletKind::Wechat.is_own() && !OutletKind::OutsideMedia.is_own());
    }

    #[test]
    fn a_review_is_due_on_the_last_day_and_overdue_after() {
        let every = 90;
        let last = date!(2026 - 01 - 01);
        let due = date!(2026 - 04 - 01);
        assert_eq!(review_state(OutletStatus::Active, Some(last), every, date!(2026 - 03 - 31)), ReviewState::Current { due_on: due });
        assert_eq!(review_state(OutletStatus::Active, Some(last), every, due), ReviewState::Current { due_on: due });
        assert_eq!(review_state(OutletStatus::Paused, Some(last), every, date!(2026 - 04 - 11)), ReviewState::Overdue { due_on: due, days: 10 });
        assert_eq!(review_state(OutletStatus::Active, None, every, due), ReviewState::Never);
        assert_eq!(review_state(OutletStatus::Closed, None, every, due), ReviewState::NotNeeded);
        assert!(ReviewState::Never.needs_attention() && !ReviewState::NotNeeded.needs_attention());
        assert_eq!(ReviewState::Overdue { due_on: due, days: 10 }.describe(), "逾期 10 天未检查（应于 2026-04-01 前）");
    }

    #[test]
    fn dates_are_read_as_people_write_them() {
        for s in ["2026-03-05", "2026/3/5", "2026.3.5", "2026年3月5日", " 2026-3-05 "] {
            assert_eq!(parse_date(s), Some(date!(2026 - 03 - 05)), "{s}");
        }
        for s in ["2026-02-30", "3/5", "", "2026-13-01", "昨天"] {
            assert_eq!(parse_date(s), None, "{s}");
        }
    }
}
