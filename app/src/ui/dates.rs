//! Moments as shoppers in Vietnam read them: stored as Unix seconds (UTC), shown in Vietnam time.
use time::{OffsetDateTime, UtcOffset};

/// Vietnam has one time zone, UTC+7, and no daylight saving.
pub const VIETNAM: UtcOffset = match UtcOffset::from_hms(7, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// `29/11/2026 18:30`, day first as in Vietnam (and Britain).
pub fn format_datetime(unix: i64) -> String {
    match OffsetDateTime::from_unix_timestamp(unix) {
        Ok(t) => {
            let t = t.to_offset(VIETNAM);
            format!("{:02}/{:02}/{} {:02}:{:02}", t.day(), t.month() as u8, t.year(), t.hour(), t.minute())
        }
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::format_datetime;

    #[test]
    fn shows_vietnam_time_day_first() {
        // 2026-11-29 18:30 UTC is 01:30 on 30 November in Vietnam.
        assert_eq!(format_datetime(1_795_977_000), "30/11/2026 01:30");
    }
}
