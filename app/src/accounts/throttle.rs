//! Login throttling, per account and per IP. Failures are rows in `login_failures`, so the
//! limits hold across server instances. An attempt refused here is neither verified nor counted,
//! which is what caps the honoured failures at `HOURLY_CAP` per account per hour.
use crate::db::{Db, Sql};
use crate::error::AppError;

/// Failures within this window make an account wait before its next attempt.
const BACKOFF_WINDOW_SECS: i64 = 15 * 60;
/// This many failures in the window are free; each further one doubles the wait.
const FREE_FAILURES: i64 = 5;
const MAX_BACKOFF_SECS: i64 = 15 * 60;
/// At most this many failed attempts per account per hour are honoured.
pub const HOURLY_CAP: i64 = 100;
/// Failures from one IP within the backoff window before that IP must wait the window out.
const IP_CAP: i64 = 50;

/// What the failure history says about the next attempt: `Some(seconds to wait)` or go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct History {
    /// Failures for the account in the last hour, and the oldest of them.
    pub account_hour: i64,
    pub account_hour_oldest: Option<i64>,
    /// Failures for the account in the backoff window, and the latest of them.
    pub account_window: i64,
    pub account_latest: Option<i64>,
    /// Failures from the IP in the backoff window, and the oldest of them.
    pub ip_window: i64,
    pub ip_oldest: Option<i64>,
}

pub fn wait_secs(h: &History, now: i64) -> Option<i64> {
    let mut wait = 0;
    if h.account_hour >= HOURLY_CAP
        && let Some(oldest) = h.account_hour_oldest
    {
        wait = wait.max(oldest + 3600 - now);
    }
    if h.account_window >= FREE_FAILURES
        && let Some(latest) = h.account_latest
    {
        let exponent = (h.account_window - FREE_FAILURES).min(20) as u32;
        let backoff = 2_i64.pow(exponent).min(MAX_BACKOFF_SECS);
        wait = wait.max(latest + backoff - now);
    }
    if h.ip_window >= IP_CAP
        && let Some(oldest) = h.ip_oldest
    {
        wait = wait.max(oldest + BACKOFF_WINDOW_SECS - now);
    }
    (wait > 0).then_some(wait)
}

#[derive(sqlx::FromRow)]
struct Window {
    n: i64,
    oldest: Option<i64>,
    latest: Option<i64>,
}

async fn window(db: &Db, column: &'static str, key: &str, since: i64) -> Result<Window, sqlx::Error> {
    let mut sql =
        Sql::new("SELECT COUNT(*) AS n, MIN(at) AS oldest, MAX(at) AS latest FROM login_failures WHERE ");
    sql.push(column).push(" = ").bind(key.to_owned()).push(" AND at > ").bind(since);
    sql.query_as()?.fetch_one(&db.pool).await
}

/// Refuses the attempt with the time to wait when the account or the IP has failed too often.
pub async fn check(db: &Db, account: &str, ip: &str, now: i64) -> Result<(), AppError> {
    let hour = window(db, "account", account, now - 3600).await?;
    let recent = window(db, "account", account, now - BACKOFF_WINDOW_SECS).await?;
    let by_ip = window(db, "ip", ip, now - BACKOFF_WINDOW_SECS).await?;
    let history = History {
        account_hour: hour.n,
        account_hour_oldest: hour.oldest,
        account_window: recent.n,
        account_latest: recent.latest,
        ip_window: by_ip.n,
        ip_oldest: by_ip.oldest,
    };
    match wait_secs(&history, now) {
        Some(secs) => {
            tracing::warn!(account_failures = hour.n, ip_failures = by_ip.n, "login throttled");
            Err(AppError::TooManyAttempts(secs))
        }
        None => Ok(()),
    }
}

pub async fn record_failure(db: &Db, account: &str, ip: &str, now: i64) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("INSERT INTO login_failures (account, ip, at) VALUES (");
    sql.bind(account.to_owned()).push(", ").bind(ip.to_owned()).push(", ").bind(now).push(")");
    sql.query()?.execute(&db.pool).await?;
    // Rows older than the longest window are no longer read.
    let mut sql = Sql::new("DELETE FROM login_failures WHERE at < ");
    sql.bind(now - 3600);
    sql.query()?.execute(&db.pool).await?;
    Ok(())
}

/// A successful login starts the account's backoff afresh (the IP's count stays).
pub async fn clear_account(db: &Db, account: &str) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM login_failures WHERE account = ");
    sql.bind(account.to_owned());
    sql.query()?.execute(&db.pool).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn history(account_window: i64, latest_ago: i64) -> History {
        History {
            account_hour: account_window,
            account_hour_oldest: Some(NOW - 600),
            account_window,
            account_latest: Some(NOW - latest_ago),
            ip_window: account_window,
            ip_oldest: Some(NOW - 600),
        }
    }

    #[test]
    fn the_first_five_failures_cost_nothing() {
        assert_eq!(wait_secs(&history(4, 0), NOW), None);
    }

    #[test]
    fn each_failure_past_five_doubles_the_wait() {
        assert_eq!(wait_secs(&history(5, 0), NOW), Some(1));
        assert_eq!(wait_secs(&history(8, 0), NOW), Some(8));
        assert_eq!(wait_secs(&history(8, 3), NOW), Some(5));
        assert_eq!(wait_secs(&history(8, 8), NOW), None);
        assert_eq!(wait_secs(&history(40, 0), NOW), Some(MAX_BACKOFF_SECS));
    }

    #[test]
    fn a_hundred_failures_in_an_hour_lock_the_account_until_the_oldest_leaves_the_hour() {
        let h = History {
            account_hour: HOURLY_CAP,
            account_hour_oldest: Some(NOW - 3000),
            account_window: 0,
            account_latest: None,
            ip_window: 0,
            ip_oldest: None,
        };
        assert_eq!(wait_secs(&h, NOW), Some(600));
        assert_eq!(wait_secs(&History { account_hour: HOURLY_CAP - 1, ..h }, NOW), None);
    }

    #[test]
    fn one_ip_failing_across_many_accounts_is_stopped() {
        let h = History {
            account_hour: 0,
            account_hour_oldest: None,
            account_window: 0,
            account_latest: None,
            ip_window: IP_CAP,
            ip_oldest: Some(NOW - 100),
        };
        assert_eq!(wait_secs(&h, NOW), Some(BACKOFF_WINDOW_SECS - 100));
    }
}
