//! The outbox's worker: claims due emails, sends them, and marks them sent, or keeps them for a
//! later attempt (backing off), or gives up and leaves them `failed` for an admin to see and send
//! again. Safe with several server instances: a claim is a lease (`claim`, `claimed_until`) taken
//! in one statement, on PostgreSQL skipping rows another worker holds (`FOR UPDATE SKIP LOCKED`),
//! on SQLite in the process's one write turn. A worker killed mid-send leaves its rows leased; when
//! the lease runs out another worker (or the same one restarted) sends them. An email whose SMTP
//! exchange finished just before such a kill is sent again: delivery is at least once, and the
//! copy has the same `Message-ID` (`<outbox-<id>@…>`), by which mail systems drop duplicates.
use std::time::Duration;

use tracing::instrument;

use super::compose::compose;
use super::mail::{Postman, render};
use super::model::{Kind, MailStatus, Message, OutboxItem, OutboxPage};
use crate::db::{Backend, Db};
use crate::error::AppError;
use crate::lang::Lang;

/// How long a claim holds its rows: longer than an SMTP exchange may take (`SMTP_TIMEOUT`).
pub const LEASE_SECS: i64 = 120;
/// Emails one claim takes.
pub const BATCH: i64 = 20;
/// Attempts before an email is given up (`failed`): over about four hours with the backoff.
pub const MAX_ATTEMPTS: i64 = 8;
/// Sent emails are kept this long (for the admin's list), then deleted.
pub const KEEP_SENT_SECS: i64 = 30 * 86_400;
/// Read notices are kept this long, and a user's newest this many.
pub const KEEP_READ_NOTICES_SECS: i64 = 180 * 86_400;
pub const NOTICES_PER_USER: i64 = 500;
/// How often the worker looks for due emails when nothing wakes it.
const POLL: Duration = Duration::from_secs(5);
/// How often old rows are purged.
const PURGE_EVERY: Duration = Duration::from_secs(3600);
/// The most of an error message kept.
const ERROR_CHARS: usize = 500;

/// The wait after the `attempts`-th failed attempt: one minute, doubling, at most an hour.
pub fn backoff_secs(attempts: i64) -> i64 {
    (60i64 << attempts.clamp(1, 7).saturating_sub(1)).min(3600)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub kind: String,
    pub user_id: Option<i64>,
    pub recipient: String,
    pub recipient_name: String,
    pub lang: String,
    pub payload: String,
    pub attempts: i64,
}

/// A lease on some due emails.
#[derive(Debug)]
pub struct Claim {
    pub token: String,
    pub rows: Vec<Claimed>,
}

/// Leases up to `limit` due emails until `now + LEASE_SECS`.
pub async fn claim(db: &Db, now: i64, limit: i64) -> Result<Claim, sqlx::Error> {
    let (token, _) = crate::token::new_token();
    let skip_locked = if db.backend == Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
    let mut tx = db.begin_write().await?;
    let rows: Vec<Claimed> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE outbox SET claim = $1, claimed_until = $2, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $3 \
         AND (claimed_until IS NULL OR claimed_until <= $3) ORDER BY id LIMIT $4{skip_locked}) \
         RETURNING id, kind, user_id, recipient, recipient_name, lang, payload, attempts"
    )))
    .bind(&token)
    .bind(now + LEASE_SECS)
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Claim { token, rows })
}

/// What one round of the worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub claimed: usize,
    pub sent: usize,
    /// Failed, to be tried again later.
    pub deferred: usize,
    /// Failed for the last time.
    pub failed: usize,
}

/// Sends one claim's emails and records each outcome.
pub async fn send_claimed(db: &Db, postman: &Postman, claim: Claim, now: i64) -> Result<Round, sqlx::Error> {
    let mut round = Round { claimed: claim.rows.len(), ..Round::default() };
    for row in &claim.rows {
        match send_one(db, postman, row).await {
            Ok(()) => {
                mark_sent(db, row, &claim.token, now).await?;
                round.sent += 1;
            }
            Err(error) => {
                tracing::warn!(id = row.id, attempts = row.attempts, %error, "an email could not be sent");
                if mark_failed(db, row, &claim.token, &error, now).await? {
                    round.failed += 1;
                } else {
                    round.deferred += 1;
                }
            }
        }
    }
    Ok(round)
}

/// One round: claims the due emails and sends them.
#[instrument(skip(db, postman))]
pub async fn deliver_due(db: &Db, postman: &Postman, now: i64) -> Result<Round, sqlx::Error> {
    let claim = claim(db, now, BATCH).await?;
    if claim.rows.is_empty() {
        return Ok(Round::default());
    }
    send_claimed(db, postman, claim, now).await
}

async fn send_one(db: &Db, postman: &Postman, row: &Claimed) -> Result<(), String> {
    let message: Message =
        serde_json::from_str(&row.payload).map_err(|e| format!("unreadable message: {e}"))?;
    let kind = message.kind();
    let lang = Lang::from_code(&row.lang).unwrap_or_default();
    let unsubscribe = match (kind.is_essential(), row.user_id) {
        (false, Some(user)) => {
            Some(super::service::unsubscribe_query(db, user, kind).await.map_err(|e| e.to_string())?)
        }
        _ => None,
    };
    let rendered =
        render(&compose(&message, lang), &row.recipient_name, lang, postman.site(), unsubscribe.as_deref());
    postman.send(row.id, &row.recipient, &row.recipient_name, &rendered).await.map_err(|e| e.to_string())
}

async fn mark_sent(db: &Db, row: &Claimed, token: &str, now: i64) -> Result<(), sqlx::Error> {
    // A link that works once is not kept once it has gone.
    let forget = Kind::from_key(&row.kind).is_some_and(Kind::carries_secret);
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE outbox SET status = 'sent', sent_at = $1, claim = NULL, claimed_until = NULL, \
         last_error = NULL, payload = CASE WHEN $2 = 1 THEN '' ELSE payload END \
         WHERE id = $3 AND claim = $4",
    )
    .bind(now)
    .bind(i64::from(forget))
    .bind(row.id)
    .bind(token)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    if done == 0 {
        tracing::warn!(
            id = row.id,
            "an email was sent after its lease ran out; another worker may send it again"
        );
    }
    Ok(())
}

/// Records a failed attempt; true when it was the last one.
async fn mark_failed(
    db: &Db,
    row: &Claimed,
    token: &str,
    error: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let last = row.attempts >= MAX_ATTEMPTS;
    let error: String = error.chars().take(ERROR_CHARS).collect();
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE outbox SET status = $1, next_attempt_at = $2, claim = NULL, claimed_until = NULL, \
         last_error = $3 WHERE id = $4 AND claim = $5",
    )
    .bind(if last { "failed" } else { "pending" })
    .bind(now + backoff_secs(row.attempts))
    .bind(error)
    .bind(row.id)
    .bind(token)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(last)
}

/// Deletes sent emails older than `KEEP_SENT_SECS`, and old read notices.
pub async fn purge(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let sent = sqlx::query("DELETE FROM outbox WHERE status = 'sent' AND sent_at < $1")
        .bind(now - KEEP_SENT_SECS)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    let notices = super::service::purge_notices(db, now, KEEP_READ_NOTICES_SECS, NOTICES_PER_USER).await?;
    Ok(sent + notices)
}

/// Runs the worker for the life of the process: a round whenever an email is queued here, and
/// every few seconds for those queued by other instances or waiting for their next attempt.
pub fn spawn(db: Db, postman: Postman) {
    tokio::spawn(async move {
        let wake = db.shared::<super::service::Wake>();
        let mut last_purge = std::time::Instant::now();
        loop {
            match deliver_due(&db, &postman, crate::clock::now_unix()).await {
                // A full batch: more may be due at once.
                Ok(round) if round.claimed as i64 == BATCH => continue,
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "the outbox worker could not run"),
            }
            if last_purge.elapsed() >= PURGE_EVERY {
                last_purge = std::time::Instant::now();
                if let Err(error) = purge(&db, crate::clock::now_unix()).await {
                    tracing::error!(%error, "could not purge old emails and notices");
                }
            }
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
    });
}

// ---------------------------------------------------------------------------------------------
// The admins' view

/// Sends a failed email again: it is due now, with its attempts counted afresh.
pub async fn retry(db: &Db, id: i64, now: i64) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1, claim = NULL, \
         claimed_until = NULL WHERE id = $2 AND status = 'failed'",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    if changed == 0 {
        return Err(AppError::Conflict(crate::error::ConflictCode::MailNotFailed));
    }
    super::service::wake(db);
    Ok(())
}

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: i64,
    kind: String,
    recipient: String,
    status: String,
    attempts: i64,
    last_error: Option<String>,
    created_at: i64,
    sent_at: Option<i64>,
}

/// The newest emails of one status (all when `None`), and how many there are of each.
pub async fn list(db: &Db, status: Option<MailStatus>) -> Result<OutboxPage, AppError> {
    let rows: Vec<OutboxRow> = sqlx::query_as(
        "SELECT id, kind, recipient, status, attempts, last_error, created_at, sent_at FROM outbox \
         WHERE ($1 = '' OR status = $1) ORDER BY id DESC LIMIT $2",
    )
    .bind(status.map(MailStatus::key).unwrap_or(""))
    .bind(super::model::OUTBOX_SHOWN)
    .fetch_all(&db.pool)
    .await?;
    let counts: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetch_all(&db.pool).await?;
    let count = |s: MailStatus| counts.iter().find(|(k, _)| k == s.key()).map_or(0, |(_, n)| *n);
    Ok(OutboxPage {
        items: rows
            .into_iter()
            .filter_map(|r| {
                Some(OutboxItem {
                    id: r.id,
                    kind: Kind::from_key(&r.kind)?,
                    recipient: r.recipient,
                    status: MailStatus::from_key(&r.status)?,
                    attempts: r.attempts,
                    last_error: r.last_error,
                    created_at: r.created_at,
                    sent_at: r.sent_at,
                })
            })
            .collect(),
        pending: count(MailStatus::Pending),
        sent: count(MailStatus::Sent),
        failed: count(MailStatus::Failed),
    })
}
