//! Moments as shoppers in Vietnam read them: stored as Unix seconds (UTC), shown in Vietnam time.
use crate::clock::{VIETNAM, vietnam_moment};

/// `29/11/2026 18:30`, day first as in Vietnam (and Britain).
pub fn format_datetime(unix: i64) -> String {
    vietnam_moment(unix)
        .map(|t| {
            format!("{:02}/{:02}/{} {:02}:{:02}", t.day(), t.month() as u8, t.year(), t.hour(), t.minute())
        })
        .unwrap_or_default()
}

/// `30/11/2026`: the day in Vietnam of a moment.
pub fn format_date(unix: i64) -> String {
    vietnam_moment(unix)
        .map(|t| format!("{:02}/{:02}/{}", t.day(), t.month() as u8, t.year()))
        .unwrap_or_default()
}

/// The moment a `datetime-local` input means in Vietnam (`2026-12-01T09:30`, seconds allowed),
/// as Unix seconds; `None` when it is not a real date and time.
pub fn parse_vietnam_local(input: &str) -> Option<i64> {
    let (date, clock) = input.trim().split_once(['T', ' '])?;
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i32>().ok());
    let (year, month, day) = (d.next()??, d.next()??, d.next()??);
    let mut c = clock.splitn(3, ':').map(|p| p.parse::<u8>().ok());
    let (hour, minute) = (c.next()??, c.next()??);
    let second = c.next().unwrap_or(Some(0))?;
    let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date = time::Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()?;
    let clock = time::Time::from_hms(hour, minute, second).ok()?;
    Some(time::PrimitiveDateTime::new(date, clock).assume_offset(VIETNAM).unix_timestamp())
}

/// `unix` as a `datetime-local` input shows it in Vietnam time (`2026-12-01T09:30`).
pub fn vietnam_local_input(unix: i64) -> String {
    vietnam_moment(unix)
        .map(|t| {
            format!("{}-{:02}-{:02}T{:02}:{:02}", t.year(), t.month() as u8, t.day(), t.hour(), t.minute())
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_typed_in_vietnam_is_stored_seven_hours_earlier_in_utc() {
        // 30/11/2026 01:30 in Vietnam is 2026-11-29 18:30 UTC.
        assert_eq!(parse_vietnam_local("2026-11-30T01:30"), Some(1_795_977_000));
        assert_eq!(parse_vietnam_local("2026-11-30 01:30:00"), Some(1_795_977_000));
        assert_eq!(vietnam_local_input(1_795_977_000), "2026-11-30T01:30");
    }

    #[test]
    fn impossible_dates_and_times_are_refused() {
        for bad in ["", "2026-11-30", "2026-02-30T10:00", "2026-11-30T24:00", "2026-13-01T10:00", "soon"] {
            assert_eq!(parse_vietnam_local(bad), None, "{bad}");
        }
    }

    #[test]
    fn shows_vietnam_time_day_first() {
        // 2026-11-29 18:30 UTC is 01:30 on 30 November in Vietnam.
        assert_eq!(format_datetime(1_795_977_000), "30/11/2026 01:30");
        assert_eq!(format_date(1_795_977_000), "30/11/2026");
    }
}
