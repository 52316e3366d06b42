//! The clock: what "now" is, Vietnam's offset from UTC, and the Vietnam day. Every date rule goes
//! through here (certificate badges, order numbers, daily figures, fair times), so a day always
//! turns at midnight in Vietnam, never at 07:00 when the UTC date changes. Moments are stored as
//! Unix seconds; days as `YYYY-MM-DD` strings of the Vietnam calendar. Services take `now` or
//! `today` as arguments, so tests set the time by passing it.
use time::{Date, OffsetDateTime, UtcOffset};

/// Vietnam has one time zone, UTC+7, and no daylight saving.
pub const VIETNAM_OFFSET_SECS: i64 = 7 * 3600;

/// The same offset as `time` takes it.
pub const VIETNAM: UtcOffset = match UtcOffset::from_whole_seconds(VIETNAM_OFFSET_SECS as i32) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// Seconds in a day (Vietnam has no daylight saving, so every day has them all).
pub const DAY_SECS: i64 = 86_400;

/// Now, as Unix seconds.
pub fn now_unix() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// The moment `unix` in Vietnam time; `None` for a moment `time` cannot hold.
pub fn vietnam_moment(unix: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(unix).ok().map(|t| t.to_offset(VIETNAM))
}

/// The moment `unix` in Vietnam time (the Unix epoch for a moment `time` cannot hold).
pub fn in_vietnam(unix: i64) -> OffsetDateTime {
    vietnam_moment(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The Vietnam calendar date of the moment `unix`.
pub fn vietnam_date(unix: i64) -> Date {
    in_vietnam(unix).date()
}

/// The Vietnam date of `unix` as `YYYY-MM-DD`, the form dates are stored and compared in
/// (certificate expiry, batches, inquiries' target dates).
pub fn today_at(unix: i64) -> String {
    vietnam_date(unix).to_string()
}

/// Today in Vietnam, `YYYY-MM-DD`.
pub fn vietnam_today() -> String {
    today_at(now_unix())
}

/// The Vietnam day of a moment, as days since 1970-01-01 in UTC+7: the key of the daily figures.
pub fn vietnam_day(unix: i64) -> i64 {
    (unix + VIETNAM_OFFSET_SECS).div_euclid(DAY_SECS)
}

/// The moment a Vietnam day ([`vietnam_day`]) starts.
pub fn day_start(day: i64) -> i64 {
    day * DAY_SECS - VIETNAM_OFFSET_SECS
}

/// The Julian day of 1970-01-01.
const UNIX_EPOCH_JULIAN: i64 = 2_440_588;

/// The calendar date of a Vietnam day.
pub fn day_date(day: i64) -> Option<Date> {
    i32::try_from(day + UNIX_EPOCH_JULIAN).ok().and_then(|j| Date::from_julian_day(j).ok())
}

/// The Vietnam day of a calendar date.
pub fn date_day(date: Date) -> i64 {
    i64::from(date.to_julian_day()) - UNIX_EPOCH_JULIAN
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-05 23:59 and 2026-12-06 00:01 in Vietnam (16:59 and 17:01 UTC on the 5th).
    const BEFORE_MIDNIGHT: i64 = 1_796_489_940;
    const AFTER_MIDNIGHT: i64 = BEFORE_MIDNIGHT + 120;

    #[test]
    fn the_day_turns_at_midnight_in_vietnam_not_in_utc() {
        assert_eq!(today_at(BEFORE_MIDNIGHT), "2026-12-05");
        assert_eq!(today_at(AFTER_MIDNIGHT), "2026-12-06");
        // The UTC date is still the 5th at 00:01 in Vietnam: that is the rule this replaces.
        let utc = OffsetDateTime::from_unix_timestamp(AFTER_MIDNIGHT).map(|t| t.date().to_string());
        assert_eq!(utc.ok().as_deref(), Some("2026-12-05"));
        assert_eq!(vietnam_day(AFTER_MIDNIGHT), vietnam_day(BEFORE_MIDNIGHT) + 1);
        assert_eq!(day_start(vietnam_day(AFTER_MIDNIGHT)), AFTER_MIDNIGHT - 60);
    }

    #[test]
    fn vietnam_days_start_at_seven_in_the_morning_utc_of_the_day_before() {
        // 2026-12-01 00:00 in Hanoi is 2026-11-30 17:00 UTC.
        let midnight = 1_796_058_000;
        let day = vietnam_day(midnight);
        assert_eq!(day_start(day), midnight);
        assert_eq!(vietnam_day(midnight - 1), day - 1);
        assert_eq!(day_date(day).map(|d| d.to_string()).as_deref(), Some("2026-12-01"));
        assert_eq!(day_date(day).map(date_day), Some(day));
    }

    #[test]
    fn a_vietnam_moment_reads_seven_hours_ahead_of_utc() {
        let t = in_vietnam(BEFORE_MIDNIGHT);
        assert_eq!((t.hour(), t.minute()), (23, 59));
        assert_eq!(VIETNAM.whole_hours(), 7);
    }
}
