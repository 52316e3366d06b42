//! Telling people, in the transaction of what happened: `tell` writes the recipients' notices
//! (the bell) and their emails (the outbox) with the change, so a change that rolls back tells no
//! one and one that commits is never lost. After the commit, `announce` rings the bells live.
//! Also the bell's page, the email choices, and the signed one-click unsubscribe links.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tracing::instrument;

use super::model::*;
use crate::db::{Db, WriteTx};
use crate::error::AppError;
use crate::lang::Lang;
use crate::live::hub::Hub;
use crate::live::model::Event;

/// Who a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum To {
    /// One account.
    User(i64),
    /// Every active member (owner and staff) of a cooperative.
    Cooperative(i64),
    /// Every active admin of the department.
    Admins,
}

impl To {
    /// The condition on `users` (aliased `u`) that picks the recipients, with its one parameter.
    fn filter(self) -> (&'static str, i64) {
        match self {
            To::User(id) => ("u.id = $4", id),
            To::Cooperative(id) => ("u.cooperative_id = $4 AND u.role = 'member'", id),
            To::Admins => ("u.role = 'admin' AND $4 = $4", 0),
        }
    }
}

/// The users a message was told to, whose bells `announce` rings once the change committed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use = "announce the notices once the transaction committed"]
pub struct Told {
    pub users: Vec<i64>,
}

impl Told {
    pub fn and(mut self, other: Told) -> Told {
        self.users.extend(other.users);
        self
    }
}

/// Tells `to` about `message` inside `tx`: a notice on each active recipient's bell (not for an
/// account link), and an email to each, unless they turned this kind off (an essential kind is
/// sent regardless). Returns whose bells to ring after the commit.
#[instrument(skip(tx, message), fields(kind = message.kind().key()))]
pub async fn tell(tx: &mut WriteTx, to: To, message: &Message, now: i64) -> Result<Told, sqlx::Error> {
    let kind = message.kind();
    let payload = serde_json::to_string(message).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let (filter, param) = to.filter();
    let users: Vec<i64> = if kind.email_only() {
        Vec::new()
    } else {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "INSERT INTO notifications (user_id, kind, payload, created_at) \
             SELECT u.id, $1, $2, $3 FROM users u WHERE u.status = 'active' AND {filter} \
             RETURNING user_id"
        )))
        .bind(kind.key())
        .bind(&payload)
        .bind(now)
        .bind(param)
        .fetch_all(&mut **tx)
        .await?
    };
    let essential = if kind.is_essential() { 1i64 } else { 0 };
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO outbox (kind, user_id, recipient, recipient_name, lang, payload, next_attempt_at, created_at) \
         SELECT $1, u.id, u.email, u.display_name, u.preferred_lang, $2, $3, $3 FROM users u \
         WHERE u.status = 'active' AND {filter} \
         AND ($5 = 1 OR NOT EXISTS (SELECT 1 FROM mail_optouts m WHERE m.user_id = u.id AND m.kind = $1))"
    )))
    .bind(kind.key())
    .bind(&payload)
    .bind(now)
    .bind(param)
    .bind(essential)
    .execute(&mut **tx)
    .await?;
    Ok(Told { users })
}

/// Emails `message` to `email`, an address of `user` not yet theirs (a new address being
/// confirmed), in their name and language, inside `tx`. No notice: the bell is the account's.
pub async fn tell_address(
    tx: &mut WriteTx,
    user: i64,
    email: &str,
    message: &Message,
    now: i64,
) -> Result<(), sqlx::Error> {
    let payload = serde_json::to_string(message).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "INSERT INTO outbox (kind, user_id, recipient, recipient_name, lang, payload, next_attempt_at, created_at) \
         SELECT $1, u.id, $2, u.display_name, u.preferred_lang, $3, $4, $4 FROM users u WHERE u.id = $5",
    )
    .bind(message.kind().key())
    .bind(email)
    .bind(&payload)
    .bind(now)
    .bind(user)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Wakes this instance's outbox worker when an email was queued here.
#[derive(Default)]
pub struct Wake(tokio::sync::Notify);

impl Wake {
    pub async fn notified(&self) {
        self.0.notified().await;
    }
}

pub fn wake(db: &Db) {
    db.shared::<Wake>().0.notify_one();
}

/// After the commit of what `told` was told in: rings the bells (each user's open tabs hear that
/// something came) and wakes this instance's outbox worker for the emails.
pub fn announce(db: &Db, hub: &Hub, told: Told) {
    wake(db);
    let mut users = told.users;
    users.sort_unstable();
    users.dedup();
    for user in users {
        hub.publish(Event::Notified { user });
    }
}

#[derive(sqlx::FromRow)]
struct NoticeRow {
    id: i64,
    payload: String,
    created_at: i64,
    read_at: Option<i64>,
}

/// A user's newest notices, and how many are unread.
pub async fn notices(db: &Db, user: i64) -> Result<Notices, AppError> {
    let rows: Vec<NoticeRow> = sqlx::query_as(
        "SELECT id, payload, created_at, read_at FROM notifications WHERE user_id = $1 \
         ORDER BY id DESC LIMIT $2",
    )
    .bind(user)
    .bind(NOTICES_SHOWN)
    .fetch_all(&db.pool)
    .await?;
    let items = rows
        .into_iter()
        .filter_map(|r| {
            Some(Notice {
                id: r.id,
                message: serde_json::from_str(&r.payload).ok()?,
                at: r.created_at,
                read: r.read_at.is_some(),
            })
        })
        .collect();
    Ok(Notices { items, unread: unread(db, user).await? })
}

/// How many of a user's notices are unread.
pub async fn unread(db: &Db, user: i64) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
        .bind(user)
        .fetch_one(&db.pool)
        .await?)
}

/// Marks one of a user's notices read (`Some(id)`), or all of them; someone else's is untouched.
pub async fn mark_read(db: &Db, user: i64, id: Option<i64>, now: i64) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    match id {
        Some(id) => {
            sqlx::query(
                "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND id = $3 AND read_at IS NULL",
            )
            .bind(now)
            .bind(user)
            .bind(id)
            .execute(&mut *tx)
            .await?
        }
        None => {
            sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
                .bind(now)
                .bind(user)
                .execute(&mut *tx)
                .await?
        }
    };
    tx.commit().await?;
    Ok(())
}

/// Opens one of a user's notices: marks it read and gives where it leads (`None`: not theirs).
pub async fn open_notice(db: &Db, user: i64, id: i64, now: i64) -> Result<Option<String>, AppError> {
    let payload: Option<String> =
        sqlx::query_scalar("SELECT payload FROM notifications WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user)
            .fetch_optional(&db.pool)
            .await?;
    let Some(message) = payload.and_then(|p| serde_json::from_str::<Message>(&p).ok()) else {
        return Ok(None);
    };
    mark_read(db, user, Some(id), now).await?;
    Ok(Some(message.href()))
}

/// The language of `user`'s emails, and the kinds of email of `audiences` they may turn off,
/// with whether each is on.
pub async fn mail_settings(db: &Db, user: i64, audiences: &[Audience]) -> Result<MailSettings, AppError> {
    let off: Vec<String> = sqlx::query_scalar("SELECT kind FROM mail_optouts WHERE user_id = $1")
        .bind(user)
        .fetch_all(&db.pool)
        .await?;
    let lang: Option<String> = sqlx::query_scalar("SELECT preferred_lang FROM users WHERE id = $1")
        .bind(user)
        .fetch_optional(&db.pool)
        .await?;
    Ok(MailSettings {
        lang: lang.as_deref().and_then(Lang::from_code).unwrap_or_default(),
        choices: Kind::ALL
            .into_iter()
            .filter(|k| audiences.contains(&k.audience()) && !k.is_essential())
            .map(|kind| MailChoice { kind, on: !off.iter().any(|o| o == kind.key()) })
            .collect(),
    })
}

/// Sets which optional kinds of email `user` receives (`on`: the kinds kept on; every other
/// optional kind of `audiences` is turned off), and the language of their emails.
pub async fn save_mail_choices(
    db: &Db,
    user: i64,
    audiences: &[Audience],
    on: &[Kind],
    lang: Lang,
    now: i64,
) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE users SET preferred_lang = $1, updated_at = $2 WHERE id = $3")
        .bind(lang.code())
        .bind(now)
        .bind(user)
        .execute(&mut *tx)
        .await?;
    for kind in Kind::ALL.into_iter().filter(|k| audiences.contains(&k.audience()) && !k.is_essential()) {
        set_optout(&mut tx, user, kind, !on.contains(&kind), now).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn set_optout(tx: &mut WriteTx, user: i64, kind: Kind, off: bool, now: i64) -> Result<(), sqlx::Error> {
    if off {
        sqlx::query(
            "INSERT INTO mail_optouts (user_id, kind, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, kind) DO NOTHING",
        )
        .bind(user)
        .bind(kind.key())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    } else {
        sqlx::query("DELETE FROM mail_optouts WHERE user_id = $1 AND kind = $2")
            .bind(user)
            .bind(kind.key())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// One-click unsubscribe (RFC 8058): a link signed with the site's key, so it needs no sign-in and
// cannot be made for someone else.

type HmacSha256 = Hmac<Sha256>;

/// This process's copy of the key, read once.
#[derive(Default)]
struct UnsubscribeKey(std::sync::OnceLock<Vec<u8>>);

/// The site's key for unsubscribe links, made on first use and kept in the database (so every
/// instance signs alike); read from the database once per process, not per email.
async fn unsubscribe_key(db: &Db) -> Result<Vec<u8>, sqlx::Error> {
    let cached = db.shared::<UnsubscribeKey>();
    if let Some(key) = cached.0.get() {
        return Ok(key.clone());
    }
    let (fresh, _) = crate::token::new_token();
    sqlx::query(
        "INSERT INTO site_keys (name, secret, created_at) VALUES ('unsubscribe', $1, $2) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(fresh)
    .bind(crate::clock::now_unix())
    .execute(&db.pool)
    .await?;
    let secret: String = sqlx::query_scalar("SELECT secret FROM site_keys WHERE name = 'unsubscribe'")
        .fetch_one(&db.pool)
        .await?;
    Ok(cached.0.get_or_init(|| secret.into_bytes()).clone())
}

fn signature(key: &[u8], user: i64, kind: Kind) -> String {
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        // HMAC takes a key of any length.
        Err(_) => return String::new(),
    };
    mac.update(format!("unsubscribe:{user}:{}", kind.key()).as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// The query of the links that turn `kind` off for `user`: the page `/mail/unsubscribe?…` (a
/// button to confirm), and the one-click address `/mail/unsubscribe/one-click?…` that mail
/// programs POST to (RFC 8058).
pub async fn unsubscribe_query(db: &Db, user: i64, kind: Kind) -> Result<String, sqlx::Error> {
    let key = unsubscribe_key(db).await?;
    Ok(format!("u={user}&k={}&s={}", kind.key(), signature(&key, user, kind)))
}

/// What an unsubscribe link names, once its signature is checked.
pub async fn check_unsubscribe(db: &Db, user: i64, kind: &str, sig: &str) -> Result<Option<Kind>, AppError> {
    let Some(kind) = Kind::from_key(kind).filter(|k| !k.is_essential()) else { return Ok(None) };
    let key = unsubscribe_key(db).await?;
    let mut mac = HmacSha256::new_from_slice(&key).map_err(|_| AppError::Internal)?;
    mac.update(format!("unsubscribe:{user}:{}", kind.key()).as_bytes());
    let Ok(given) = URL_SAFE_NO_PAD.decode(sig) else { return Ok(None) };
    // Compared in constant time.
    Ok(mac.verify_slice(&given).is_ok().then_some(kind))
}

/// Turns `kind` off for `user`, from a checked link.
pub async fn unsubscribe(db: &Db, user: i64, kind: Kind, now: i64) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    set_optout(&mut tx, user, kind, true, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes read notices older than `keep_secs`, and a user's oldest beyond `per_user`, so the
/// table stays bounded whatever happens.
pub async fn purge_notices(db: &Db, now: i64, keep_secs: i64, per_user: i64) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let old = sqlx::query("DELETE FROM notifications WHERE read_at IS NOT NULL AND created_at < $1")
        .bind(now - keep_secs)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let over = sqlx::query(
        "DELETE FROM notifications WHERE id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER \
         (PARTITION BY user_id ORDER BY id DESC) AS n FROM notifications) ranked WHERE n > $1)",
    )
    .bind(per_user)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(old + over)
}
