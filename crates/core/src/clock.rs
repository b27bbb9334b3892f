//! Time as the hospital reads it: timestamps are stored as Unix seconds (UTC) and shown in
//! China Standard Time (UTC+8, no daylight saving), which is what every reader expects.

use time::{macros::format_description, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// China Standard Time.
pub const CST: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(o) => o,
    Err(_) => panic!("valid offset"),
};

/// Now, as Unix seconds.
pub fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

fn cst(ts: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(ts)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(CST)
}

/// `2026-11-24 09:30`, the form used in lists and meta lines.
pub fn format_minute(ts: i64) -> String {
    cst(ts)
        .format(format_description!("[year]-[month]-[day] [hour]:[minute]"))
        .unwrap_or_default()
}

/// The calendar date in China of a timestamp.
pub fn date(ts: i64) -> time::Date {
    cst(ts).date()
}

/// The first second of a day in China, as Unix seconds.
pub fn start_of_day(day: time::Date) -> i64 {
    day.midnight().assume_offset(CST).unix_timestamp()
}

/// The last second of a day in China (a deadline given as a day means the whole day).
pub fn end_of_day(day: time::Date) -> i64 {
    start_of_day(day) + 86_400 - 1
}

/// Parses a day as forms send it: `2026-11-24`.
pub fn parse_date(input: &str) -> Option<time::Date> {
    time::Date::parse(input.trim(), format_description!("[year]-[month]-[day]")).ok()
}

/// `2026-11-24`.
pub fn format_date(ts: i64) -> String {
    cst(ts)
        .format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

/// `2026-11-24T09:30:00+08:00` (RFC 3339 in China time), for feeds and sitemaps.
pub fn format_rfc3339(ts: i64) -> String {
    cst(ts).format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// `2026-11-24T09:30`, the value of an `<input type="datetime-local">`.
pub fn format_local_input(ts: i64) -> String {
    cst(ts)
        .format(format_description!("[year]-[month]-[day]T[hour]:[minute]"))
        .unwrap_or_default()
}

/// Parses what a person types for a time in China: `2026-11-24T09:30`, `2026-11-24 09:30`
/// (from `<input type="datetime-local">`) or an RFC 3339 timestamp with its own offset.
pub fn parse_local(input: &str) -> Option<i64> {
    let s = input.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        return Some(t.unix_timestamp());
    }
    let s = s.replacen(' ', "T", 1);
    let fmts = [
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
        format_description!("[year]-[month]-[day]T[hour]:[minute]"),
    ];
    fmts.iter()
        .find_map(|f| PrimitiveDateTime::parse(&s, f).ok())
        .map(|p| p.assume_offset(CST).unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_input_round_trips_in_china_time() {
        let ts = parse_local("2026-11-24T09:30").unwrap();
        assert_eq!(ts, 1_795_483_800);
        assert_eq!(format_local_input(ts), "2026-11-24T09:30");
        assert_eq!(format_minute(ts), "2026-11-24 09:30");
        assert_eq!(parse_local("2026-11-24 09:30"), Some(ts));
        assert_eq!(parse_local("2026-11-24T01:30:00Z"), Some(ts));
        assert_eq!(parse_local("明天"), None);
    }
}
