//! Refused plain forms keep what was typed, whichever form it was. A form sent without JavaScript
//! that a server function refuses goes back to the page it came from: Leptos adds why to that
//! address (`__path`, `__err`), and the server's form layer (`server/src/forms.rs`) keeps the
//! posted fields here under a random token for `TTL_SECS` and adds `draft=<token>`. When the
//! page is asked for with it, the fields are in the page's context (`ui::forms::Refill`), where
//! `ui::forms::TextField` and the forms with fields of their own (the fair editor, the inquiry
//! form, through [`Posted::decode`]) read them. Only the token's SHA-256 is stored, and no field
//! whose name says `password` is kept.
//!
//! Anyone can be refused, as often as they like, so drafts are bounded: at most `MAX_FIELDS`
//! fields of at most `MAX_VALUE_CHARS` characters, a stored body of at most `MAX_BODY_BYTES`, at
//! most `PER_ADDRESS` drafts per client address and `MAX_DRAFTS` in all (the oldest go first: a
//! draft is read by the redirect that follows it), and expired ones are purged by a task
//! (`spawn_purge`), not only skipped on read.
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::clock::now_unix;
use crate::db::Db;
use crate::error::{AppError, FieldCode, FieldError};
use crate::token::{new_token, token_hash};

pub const TTL_SECS: i64 = 3600;
/// Drafts one client address keeps; its older ones make way.
pub const PER_ADDRESS: i64 = 5;
/// Drafts in all; the oldest make way. With `MAX_BODY_BYTES`, the table holds at most 128 MB of
/// bodies even when every refusal comes from a new address, and 320 KB per address.
pub const MAX_DRAFTS: i64 = 2_000;
/// A stored body (the fields and the refusal, as JSON) is at most this long.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Fields kept of one form (the fair editor has one per booth it may take, up to 500).
pub const MAX_FIELDS: usize = 600;
/// A field's value is kept up to this many characters (longer than any field the forms accept).
pub const MAX_VALUE_CHARS: usize = 10_000;
/// How often the purge task runs.
const PURGE_EVERY: Duration = Duration::from_secs(300);

/// A refused form as it was posted: the server function it went to (its path), its fields in
/// order, and the refusal as Leptos put it in the address (`__err`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posted {
    pub form: String,
    pub fields: Vec<(String, String)>,
    pub refusal: Option<String>,
}

impl Posted {
    /// What is worth keeping of a posted form: passwords never, and the fields cut to the bounds.
    pub fn kept(
        form: &str,
        fields: impl IntoIterator<Item = (String, String)>,
        refusal: Option<String>,
    ) -> Posted {
        Posted {
            form: cut(form, 200),
            fields: fields
                .into_iter()
                .filter(|(name, _)| !name.to_lowercase().contains("password"))
                .take(MAX_FIELDS)
                .map(|(name, value)| (cut(&name, 200), cut(&value, MAX_VALUE_CHARS)))
                .collect(),
            refusal: refusal.map(|r| cut(&r, 8 * 1024)),
        }
    }

    /// The fields as the server function's arguments (`form[company]=…` decodes into a struct
    /// with a `form` field), the way the server function decoded them.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&self.fields).finish();
        serde_qs::Config::new(5, false).deserialize_str(&query).ok()
    }

    /// Why the form was refused.
    pub fn error(&self) -> Option<AppError> {
        use leptos::server_fn::error::ServerFnUrlError;
        self.refusal.as_deref().map(ServerFnUrlError::<AppError>::decode_err)
    }

    /// The refusal as errors beside the fields; one that is not about a field is the form's.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self.error() {
            None => Vec::new(),
            Some(AppError::Validation(fields)) => fields,
            Some(AppError::TooManyAttempts(_)) => vec![FieldError::new("form", FieldCode::RateLimited)],
            Some(_) => vec![FieldError::new("form", FieldCode::Invalid)],
        }
    }
}

/// `text` cut to its first `max` characters.
pub fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// Stores `posted` for the client at `ip`; returns the token for the page address, or `None`
/// when even the cut form is too large to keep (the page then comes back without it).
pub async fn save(db: &Db, posted: &Posted, ip: &str, now: i64) -> Result<Option<String>, sqlx::Error> {
    let body = match serde_json::to_string(&(&posted.fields, &posted.refusal)) {
        Ok(body) if body.len() <= MAX_BODY_BYTES => body,
        Ok(body) => {
            tracing::warn!(form = %posted.form, bytes = body.len(), "a draft too large to keep");
            return Ok(None);
        }
        Err(e) => {
            tracing::error!(error = %e, form = %posted.form, "could not serialise a draft");
            return Ok(None);
        }
    };
    let ip = cut(ip, 64);
    let (token, hash) = new_token();
    sqlx::query(
        "INSERT INTO form_drafts (token_hash, form, body, ip, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hash)
    .bind(&posted.form)
    .bind(body)
    .bind(&ip)
    .bind(now)
    .execute(&db.pool)
    .await?;
    // Trimmed after the insert, so that concurrent saves still end at the caps: each one's
    // trim runs after its own row is in. `id` is the order of arrival.
    sqlx::query(
        "DELETE FROM form_drafts WHERE ip = $1 \
         AND id <= (SELECT id FROM form_drafts WHERE ip = $2 ORDER BY id DESC LIMIT 1 OFFSET $3)",
    )
    .bind(&ip)
    .bind(&ip)
    .bind(PER_ADDRESS)
    .execute(&db.pool)
    .await?;
    sqlx::query(
        "DELETE FROM form_drafts WHERE id <= (SELECT id FROM form_drafts ORDER BY id DESC LIMIT 1 OFFSET $1)",
    )
    .bind(MAX_DRAFTS)
    .execute(&db.pool)
    .await?;
    Ok(Some(token))
}

/// The draft under `token`, if it is still there.
pub async fn load(db: &Db, token: &str, now: i64) -> Result<Option<Posted>, sqlx::Error> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT form, body FROM form_drafts WHERE token_hash = $1 AND created_at >= $2")
            .bind(token_hash(token))
            .bind(now - TTL_SECS)
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.and_then(|(form, body)| {
        let (fields, refusal) = serde_json::from_str(&body).ok()?;
        Some(Posted { form, fields, refusal })
    }))
}

/// Deletes the drafts expired at `now`; returns how many.
pub async fn purge_expired(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM form_drafts WHERE created_at < $1")
        .bind(now - TTL_SECS)
        .execute(&db.pool)
        .await?
        .rows_affected())
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

    /// A password is never kept, whatever the form calls it; other fields are kept in order, cut
    /// to their bounds, and decode as the server function's arguments.
    #[test]
    fn a_kept_form_leaves_out_passwords_and_decodes_as_it_was_posted() {
        let posted = Posted::kept(
            "/api/accounts/sign_up",
            [
                ("form[email]", "lan@example.vn"),
                ("form[password]", "hunter2hunter2"),
                ("form[new_password]", "hunter3hunter3"),
                ("form[display_name]", &"L".repeat(MAX_VALUE_CHARS + 5)),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
            None,
        );
        let names: Vec<&str> = posted.fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["form[email]", "form[display_name]"]);
        assert_eq!(posted.fields[1].1.chars().count(), MAX_VALUE_CHARS);
        #[derive(serde::Deserialize)]
        struct Args {
            form: std::collections::BTreeMap<String, String>,
        }
        let args: Args = posted.decode().expect("decodes");
        assert_eq!(args.form.get("email").map(String::as_str), Some("lan@example.vn"));
        assert_eq!(posted.field_errors(), Vec::new());

        let many =
            Posted::kept("/api/x", (0..MAX_FIELDS + 50).map(|i| (format!("f{i}"), "v".to_owned())), None);
        assert_eq!(many.fields.len(), MAX_FIELDS);
    }

    /// The refusal Leptos put in the address comes back as the form's errors.
    #[test]
    fn the_refusal_comes_back_as_the_errors_beside_the_fields() {
        use leptos::server_fn::error::ServerFnUrlError;
        let in_address = |refused: AppError| {
            let url =
                ServerFnUrlError::new("/api/accounts/sign_up", refused).to_url("http://shop.test/signup");
            url.expect("url").query_pairs().find(|(k, _)| k == "__err").map(|(_, v)| v.into_owned())
        };
        let refused = AppError::Validation(vec![FieldError::new("email", FieldCode::EmailTaken)]);
        let posted = Posted::kept("/api/accounts/sign_up", Vec::new(), in_address(refused.clone()));
        assert_eq!(posted.error(), Some(refused));
        assert_eq!(posted.field_errors(), [FieldError::new("email", FieldCode::EmailTaken)]);
        let busy =
            Posted::kept("/api/accounts/sign_up", Vec::new(), in_address(AppError::TooManyAttempts(30)));
        assert_eq!(busy.field_errors(), [FieldError::new("form", FieldCode::RateLimited)]);
    }

    #[test]
    fn cut_keeps_whole_characters() {
        assert_eq!(cut("Công ty Chè", 4), "Công");
        assert_eq!(cut("abc", 10), "abc");
        assert_eq!(cut("", 3), "");
    }
}
