//! OCOP certificates: which council gave one, when it expires (36 months from its issue date),
//! and where it stands today.
use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// How long an OCOP certificate is valid.
pub const VALID_MONTHS: i32 = 36;

/// `issued` plus 36 months; a 29 February issue date ends on 28 February.
pub fn expiry(issued: Date) -> Date {
    let months = issued.year() * 12 + (issued.month() as i32 - 1) + VALID_MONTHS;
    let (year, month0) = (months.div_euclid(12), months.rem_euclid(12));
    let month = Month::try_from(month0 as u8 + 1).unwrap_or(Month::December);
    let mut day = issued.day();
    loop {
        if let Ok(d) = Date::from_calendar_date(year, month, day) {
            return d;
        }
        day -= 1;
    }
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<Date> {
    let mut parts = s.trim().splitn(3, '-');
    let year = parts.next()?.parse::<i32>().ok()?;
    let month = Month::try_from(parts.next()?.parse::<u8>().ok()?).ok()?;
    let day = parts.next()?.parse::<u8>().ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// `date` (`YYYY-MM-DD`) plus `days`, in the same form.
pub fn add_days(date: &str, days: i64) -> Option<String> {
    parse_date(date)?.checked_add(time::Duration::days(days)).map(|d| d.to_string())
}

/// Certificates expiring within this many days are flagged.
pub const EXPIRING_DAYS: i64 = 90;

/// Where a certificate stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CertificateState {
    Valid,
    /// Expires within `EXPIRING_DAYS`; the number of days left.
    ExpiringSoon(i64),
    Expired,
}

/// Where a certificate expiring on `expires_on` stands on `today` (both `YYYY-MM-DD`).
pub fn certificate_state(expires_on: &str, today: &str, days_left: Option<i64>) -> CertificateState {
    if expires_on < today {
        CertificateState::Expired
    } else {
        match days_left {
            Some(days) if days <= EXPIRING_DAYS => CertificateState::ExpiringSoon(days),
            _ => CertificateState::Valid,
        }
    }
}

/// Which OCOP council certified a product: the province's or the nation's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Council {
    Provincial,
    National,
}

impl Council {
    pub fn from_db(s: &str) -> Council {
        if s == "national" { Council::National } else { Council::Provincial }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap_or_else(|| panic!("bad date {s}"))
    }

    #[test]
    fn a_certificate_runs_thirty_six_months() {
        assert_eq!(expiry(d("2024-03-15")).to_string(), "2027-03-15");
        assert_eq!(expiry(d("2023-12-31")).to_string(), "2026-12-31");
    }

    #[test]
    fn a_leap_day_issue_ends_on_the_last_day_of_february() {
        assert_eq!(expiry(d("2024-02-29")).to_string(), "2027-02-28");
    }

    #[test]
    fn days_are_added_across_months_and_years() {
        assert_eq!(add_days("2026-11-29", 90).as_deref(), Some("2027-02-27"));
        assert_eq!(add_days("bad", 1), None);
    }

    #[test]
    fn dates_are_parsed_strictly() {
        assert!(parse_date("2024-02-30").is_none());
        assert!(parse_date("yesterday").is_none());
        assert_eq!(d("2024-01-05").to_string(), "2024-01-05");
    }
}
