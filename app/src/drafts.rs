//! Refused plain forms (sent without JavaScript) keep what was typed: the form and its errors
//! are stored under a random token for `TTL_SECS`, the browser is redirected to the form's page
//! with `?draft=<token>`, and the page fills the fields in again. Only the token's SHA-256 is
//! stored.
//!
//! Anyone can be refused, as often as they like, so drafts are bounded: each form cuts its fields
//! to their own limits before it is stored (`Draft`), a stored body is at most `MAX_BODY_BYTES`,
//! one client address keeps at most `PER_ADDRESS` drafts and the table at most `MAX_DRAFTS` (the
//! oldest go first: a draft is read by the redirect that follows it), and expired ones are purged
//! by a task (`spawn_purge`), not only skipped on read.
use std::time::Duration;

use serde::Serialize;

use crate::clock::now_unix;
use crate::db::{Db, Sql};
use crate::error::FieldError;
use crate::token::{new_token, token_hash};

pub const TTL_SECS: i64 = 3600;
/// Drafts one client address keeps; its older ones make way.
pub const PER_ADDRESS: i64 = 5;
/// Drafts in all; the oldest make way. With `MAX_BODY_BYTES`, the table holds at most 128 MB of
/// bodies even when every refusal comes from a new address, and 320 KB per address.
pub const MAX_DRAFTS: i64 = 2_000;
/// A stored body (the form and its errors, as JSON) is at most this long, whatever a form's cut.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// How often the purge task runs.
const PURGE_EVERY: Duration = Duration::from_secs(300);

/// A form that can be kept as a draft: it knows its fields' limits.
pub trait Draft: Serialize {
    /// The form name the draft is stored under (the page that loads it asks for the same).
    const FORM: &'static str;

    /// The form with every field cut to its own limit: what is worth showing again.
    fn cut_to_limits(&self) -> Self;
}

/// `text` cut to its first `max` characters.
pub fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// Stores `form` (cut to its limits) and `errors` for the client at `ip`; returns the token for
/// the page address, or `None` when even the cut form is too large to keep (the page is then shown
/// again without it).
pub async fn save<F: Draft>(
    db: &Db,
    form: &F,
    errors: &[FieldError],
    ip: &str,
    now: i64,
) -> Result<Option<String>, sqlx::Error> {
    let body = match serde_json::to_string(&(form.cut_to_limits(), errors)) {
        Ok(body) if body.len() <= MAX_BODY_BYTES => body,
        Ok(body) => {
            tracing::warn!(form = F::FORM, bytes = body.len(), "a draft too large to keep");
            return Ok(None);
        }
        Err(e) => {
            tracing::error!(error = %e, form = F::FORM, "could not serialise a draft");
            return Ok(None);
        }
    };
    let ip = cut(ip, 64);
    let (token, hash) = new_token();
    let mut sql = Sql::new("INSERT INTO form_drafts (token_hash, form, body, ip, created_at) VALUES (");
    sql.bind(hash).push(", ").bind(F::FORM.to_owned()).push(", ").bind(body).push(", ");
    sql.bind(ip.clone()).push(", ").bind(now).push(")");
    sql.query()?.execute(&db.pool).await?;
    // Trimmed after the insert, so that concurrent saves still end at the caps: each one's
    // trim runs after its own row is in. `id` is the order of arrival.
    let mut sql = Sql::new("DELETE FROM form_drafts WHERE ip = ");
    sql.bind(ip.clone()).push(" AND id <= (SELECT id FROM form_drafts WHERE ip = ").bind(ip);
    sql.push(" ORDER BY id DESC LIMIT 1 OFFSET ").bind(PER_ADDRESS).push(")");
    sql.query()?.execute(&db.pool).await?;
    let mut sql = Sql::new(
        "DELETE FROM form_drafts WHERE id <= (SELECT id FROM form_drafts ORDER BY id DESC LIMIT 1 OFFSET ",
    );
    sql.bind(MAX_DRAFTS).push(")");
    sql.query()?.execute(&db.pool).await?;
    Ok(Some(token))
}

/// The draft of `form` under `token`, if it is still there.
pub async fn load(db: &Db, form: &'static str, token: &str, now: i64) -> Result<Option<String>, sqlx::Error> {
    let mut sql = Sql::new("SELECT body FROM form_drafts WHERE token_hash = ");
    sql.bind(token_hash(token))
        .push(" AND form = ")
        .bind(form.to_owned())
        .push(" AND created_at >= ")
        .bind(now - TTL_SECS);
    sql.query_scalar()?.fetch_optional(&db.pool).await
}

/// Deletes the drafts expired at `now`; returns how many.
pub async fn purge_expired(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM form_drafts WHERE created_at < ");
    sql.bind(now - TTL_SECS);
    Ok(sql.query()?.execute(&db.pool).await?.rows_affected())
}

/// Purges expired drafts every `PURGE_EVERY`, for as long as the server runs.
pub fn spawn_purge(db: Db) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(PURGE_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match purge_expired(&db, now_unix()).await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(purged = n, "expired form drafts purged"),
                Err(e) => tracing::warn!(error = %e, "could not purge expired form drafts"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_keeps_whole_characters() {
        assert_eq!(cut("Công ty Chè", 4), "Công");
        assert_eq!(cut("abc", 10), "abc");
        assert_eq!(cut("", 3), "");
    }
}
