//! Login throttling, per account and per address. Failures are rows in `login_failures`, so the
//! limits hold across server instances. An attempt is reserved (written as a failure) before its
//! password is checked, in a transaction that holds the account's lock, so simultaneous attempts
//! see each other and "at most `HOURLY_CAP` failures per account per hour" holds under any
//! concurrency; a successful login takes its reservation back.
//!
//! An address's failures never refuse anyone: behind a shared address (a mobile carrier's NAT, a
//! campus) the owner of an account must still get in with the right password. They slow down
//! the failures instead: a wrong password from an address over `IP_CAP` is answered late.
use super::password::{Gate, Turn};
use crate::db::{Db, Sql};
use crate::error::AppError;

/// The advisory-lock spaces (`WriteTx::lock_key`) of an account's attempts and of an address's
/// quotas (inquiries use 17).
const LOGIN_LOCKS: i32 = 18;
const QUOTA_LOCKS: i32 = 19;

/// Failures within this window make an account wait before its next attempt.
const BACKOFF_WINDOW_SECS: i64 = 15 * 60;
/// This many failures in the window are free; each further one doubles the wait.
const FREE_FAILURES: i64 = 5;
const MAX_BACKOFF_SECS: i64 = 15 * 60;
/// At most this many failed attempts per account per hour are honoured.
pub const HOURLY_CAP: i64 = 100;
/// Failures from one address within the backoff window before its failures are answered late.
const IP_CAP: i64 = 50;
/// The longest an address's failed attempt is held before it is answered.
const MAX_IP_DELAY_SECS: u64 = 8;

/// What the failure history says about the next attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct History {
    /// Failures for the account in the last hour, and the oldest of them.
    pub account_hour: i64,
    pub account_hour_oldest: Option<i64>,
    /// Failures for the account in the backoff window, and the latest of them.
    pub account_window: i64,
    pub account_latest: Option<i64>,
    /// Failures from the address in the backoff window.
    pub ip_window: i64,
}

/// `Some(seconds to wait)` when the account has failed too often to be tried now.
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
    (wait > 0).then_some(wait)
}

/// How long a failed attempt from this address is held before its answer: nothing under
/// `IP_CAP` failures in the window, then 1, 2, 4, … up to `MAX_IP_DELAY_SECS` seconds.
pub fn failure_delay(h: &History) -> std::time::Duration {
    if h.ip_window < IP_CAP {
        return std::time::Duration::ZERO;
    }
    let exponent = (h.ip_window - IP_CAP).min(8) as u32;
    std::time::Duration::from_secs(2_u64.pow(exponent).min(MAX_IP_DELAY_SECS))
}

#[derive(sqlx::FromRow)]
struct Window {
    n: i64,
    oldest: Option<i64>,
    latest: Option<i64>,
}

async fn window(
    conn: &mut sqlx::AnyConnection,
    column: &'static str,
    key: &str,
    since: i64,
) -> Result<Window, sqlx::Error> {
    let mut sql =
        Sql::new("SELECT COUNT(*) AS n, MIN(at) AS oldest, MAX(at) AS latest FROM login_failures WHERE ");
    sql.push(column).push(" = ").bind(key.to_owned()).push(" AND at > ").bind(since);
    sql.query_as()?.fetch_one(conn).await
}

/// An attempt that was allowed and is counted as a failure until `succeeded` takes it back.
#[derive(Debug)]
pub struct Attempt {
    /// The failure row that holds the reservation.
    pub id: i64,
    /// How long to hold the answer if the password turns out wrong.
    pub failure_delay: std::time::Duration,
}

/// Takes an attempt for `account` from `ip`, or refuses it with the time to wait when the account
/// has failed too often. The check and the reservation are one step under the account's lock
/// (SQLite's write lock; a transaction-scoped advisory lock on PostgreSQL).
pub async fn reserve(db: &Db, account: &str, ip: &str, now: i64) -> Result<Attempt, AppError> {
    let mut tx = db.begin_write().await?;
    tx.lock_key(LOGIN_LOCKS, account).await?;
    let hour = window(&mut tx, "account", account, now - 3600).await?;
    let recent = window(&mut tx, "account", account, now - BACKOFF_WINDOW_SECS).await?;
    let by_ip = window(&mut tx, "ip", ip, now - BACKOFF_WINDOW_SECS).await?;
    let history = History {
        account_hour: hour.n,
        account_hour_oldest: hour.oldest,
        account_window: recent.n,
        account_latest: recent.latest,
        ip_window: by_ip.n,
    };
    if let Some(secs) = wait_secs(&history, now) {
        tracing::warn!(account_failures = hour.n, "login throttled");
        return Err(AppError::TooManyAttempts(secs));
    }
    let id: i64 =
        sqlx::query_scalar("INSERT INTO login_failures (account, ip, at) VALUES ($1, $2, $3) RETURNING id")
            .bind(account)
            .bind(ip)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
    // Rows older than the longest window are no longer read.
    sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(now - 3600).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(Attempt { id, failure_delay: failure_delay(&history) })
}

/// Takes an attempt for `account` and a turn to check its password, or gives the attempt back
/// when the server is too busy to check it now (so a refusal at the gate costs no failure).
pub async fn attempt_with_turn(
    db: &Db,
    account: &str,
    ip: &str,
    now: i64,
) -> Result<(Attempt, Turn<'static>), AppError> {
    let attempt = reserve(db, account, ip, now).await?;
    match Gate::global().turn(ip).await {
        Ok(turn) => Ok((attempt, turn)),
        Err(e) => {
            release(db, &attempt).await?;
            Err(e)
        }
    }
}

/// Gives back an attempt that never reached the password check (the server was too busy).
pub async fn release(db: &Db, attempt: &Attempt) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE id = $1").bind(attempt.id).execute(&db.pool).await?;
    Ok(())
}

/// Something an address may do at most `cap` times in `window_secs`, such as signing up.
#[derive(Debug, Clone, Copy)]
pub struct Quota {
    pub action: &'static str,
    pub cap: i64,
    pub window_secs: i64,
}

/// Sign-ups (and cooperative applications, which create an account) per address per hour.
pub const SIGN_UPS: Quota = Quota { action: "sign_up", cap: 10, window_secs: 3600 };

/// Takes one of `quota` for `address`, or refuses with the seconds until one is free again. The
/// count and the new row are one step under the (action, address) lock.
pub async fn take_quota(db: &Db, quota: Quota, address: &str, now: i64) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    tx.lock_key(QUOTA_LOCKS, &format!("{}:{address}", quota.action)).await?;
    let since = now - quota.window_secs;
    let taken: Window = sqlx::query_as(
        "SELECT COUNT(*) AS n, MIN(at) AS oldest, MAX(at) AS latest FROM address_quotas \
         WHERE action = $1 AND address = $2 AND at > $3",
    )
    .bind(quota.action)
    .bind(address)
    .bind(since)
    .fetch_one(&mut *tx)
    .await?;
    if taken.n >= quota.cap {
        let wait = taken.oldest.map_or(quota.window_secs, |t| t + quota.window_secs - now).max(1);
        tracing::warn!(action = quota.action, "address quota used up");
        return Err(AppError::TooManyAttempts(wait));
    }
    sqlx::query("INSERT INTO address_quotas (action, address, at) VALUES ($1, $2, $3)")
        .bind(quota.action)
        .bind(address)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM address_quotas WHERE action = $1 AND at <= $2")
        .bind(quota.action)
        .bind(since)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A successful login starts the account's backoff afresh (the address's count stays).
pub async fn clear_account(db: &Db, account: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE account = $1").bind(account).execute(&db.pool).await?;
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
        };
        assert_eq!(wait_secs(&h, NOW), Some(600));
        assert_eq!(wait_secs(&History { account_hour: HOURLY_CAP - 1, ..h }, NOW), None);
    }

    #[test]
    fn an_address_failing_across_many_accounts_is_slowed_down_never_refused() {
        let h = History {
            account_hour: 0,
            account_hour_oldest: None,
            account_window: 0,
            account_latest: None,
            ip_window: IP_CAP - 1,
        };
        assert_eq!(wait_secs(&History { ip_window: 10 * IP_CAP, ..h }, NOW), None, "never refused");
        assert_eq!(failure_delay(&h), std::time::Duration::ZERO);
        let secs = |n| failure_delay(&History { ip_window: n, ..h }).as_secs();
        assert_eq!([secs(IP_CAP), secs(IP_CAP + 1), secs(IP_CAP + 2), secs(IP_CAP + 3)], [1, 2, 4, 8]);
        assert_eq!(secs(i64::MAX), MAX_IP_DELAY_SECS);
    }
}
