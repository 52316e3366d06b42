//! Single-use links by email: a password reset (30 minutes; using it ends every session of the
//! account) and the confirmation of an email address (a day; at sign-up, and before a changed
//! email takes effect). The link carries a random 256-bit token; only its hash is stored. Asking
//! for a reset answers the same whether or not the account exists, and is rate limited per client
//! address and per typed email.
use tracing::instrument;

use super::rules::{check_email, check_password, normalize_email};
use super::throttle::{self, Quota};
use super::{password, session};
use crate::db::{Db, WriteTx};
use crate::error::{AppError, ConflictCode, FieldCode, FieldError};
use crate::live::hub::Hub;
use crate::messages::model::Message;
use crate::messages::service::{To, tell, tell_address};
use crate::token::{new_token, token_hash};

pub const RESET_TTL_SECS: i64 = 30 * 60;
pub const VERIFY_TTL_SECS: i64 = 24 * 3600;
/// Reset requests from one client address, and for one typed email, per hour.
pub const RESETS_BY_ADDRESS: Quota = Quota { action: "reset_ip", cap: 10, window_secs: 3600 };
pub const RESETS_BY_ACCOUNT: Quota = Quota { action: "reset_account", cap: 3, window_secs: 3600 };
/// Confirmation links sent to one account per hour.
pub const VERIFY_SENDS: Quota = Quota { action: "verify_send", cap: 5, window_secs: 3600 };

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Reset,
    Verify,
}

impl Purpose {
    fn key(self) -> &'static str {
        match self {
            Purpose::Reset => "reset",
            Purpose::Verify => "verify",
        }
    }
}

/// Stores a new link for `user` (and `email`) and returns its token.
async fn new_link(
    tx: &mut WriteTx,
    purpose: Purpose,
    user: i64,
    email: &str,
    ttl: i64,
    now: i64,
) -> Result<String, sqlx::Error> {
    let (token, hash) = new_token();
    sqlx::query(
        "INSERT INTO account_links (purpose, token_hash, user_id, email, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(purpose.key())
    .bind(hash)
    .bind(user)
    .bind(email)
    .bind(now)
    .bind(now + ttl)
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// A live link of `purpose` for `token`: (link id, user, email).
async fn live_link(
    tx: &mut WriteTx,
    purpose: Purpose,
    token: &str,
    now: i64,
) -> Result<(i64, i64, String), AppError> {
    sqlx::query_as(
        "SELECT l.id, l.user_id, l.email FROM account_links l JOIN users u ON u.id = l.user_id \
         WHERE l.token_hash = $1 AND l.purpose = $2 AND l.used_at IS NULL AND l.expires_at > $3 \
         AND u.status = 'active'",
    )
    .bind(token_hash(token.trim()))
    .bind(purpose.key())
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| AppError::Validation(vec![FieldError::new("token", FieldCode::LinkInvalid)]))
}

/// "Forgot password": emails a reset link if an active account has this email. The answer is
/// the same either way (only the rate limits can refuse, and they count the typed email whether
/// or not it is an account's).
#[instrument(skip(db))]
pub async fn request_reset(db: &Db, email: &str, ip: &str, now: i64) -> Result<(), AppError> {
    let email = normalize_email(email);
    if let Some(e) = check_email(&email) {
        return Err(AppError::Validation(vec![e]));
    }
    throttle::take_quota(db, RESETS_BY_ADDRESS, ip, now).await?;
    throttle::take_quota(db, RESETS_BY_ACCOUNT, &email, now).await?;
    let mut tx = db.begin_write().await?;
    let user: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1 AND status = 'active'")
        .bind(&email)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(user) = user {
        let token = new_link(&mut tx, Purpose::Reset, user, &email, RESET_TTL_SECS, now).await?;
        let _ = tell(&mut tx, To::User(user), &Message::PasswordReset { token }, now).await?;
    }
    tx.commit().await?;
    crate::messages::service::wake(db);
    Ok(())
}

/// Sets a new password through a reset link. The link is used up, with every other reset link of
/// the account, and every session of the account ends (its live sockets too).
#[instrument(skip(db, hub, token, new_password))]
pub async fn reset_password(
    db: &Db,
    hub: &Hub,
    token: &str,
    new_password: &str,
    ip: &str,
    now: i64,
) -> Result<(), AppError> {
    if let Some(e) = check_password("new_password", new_password) {
        return Err(AppError::Validation(vec![e]));
    }
    // The link is checked before the (slow) hash, and once more, for use, after it.
    {
        let mut tx = db.begin_write().await?;
        live_link(&mut tx, Purpose::Reset, token, now).await?;
        tx.rollback().await?;
    }
    let turn = password::Gate::global().turn(ip).await?;
    let hash = password::hash(&turn, new_password.to_owned()).await?;
    drop(turn);
    let mut tx = db.begin_write().await?;
    let (link, user, email) = live_link(&mut tx, Purpose::Reset, token, now).await?;
    let used = sqlx::query("UPDATE account_links SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(link)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if used == 0 {
        return Err(AppError::Validation(vec![FieldError::new("token", FieldCode::LinkInvalid)]));
    }
    sqlx::query(
        "UPDATE account_links SET used_at = $1 WHERE user_id = $2 AND purpose = 'reset' AND used_at IS NULL",
    )
    .bind(now)
    .bind(user)
    .execute(&mut *tx)
    .await?;
    // Opening the link proves the address too.
    sqlx::query("UPDATE users SET password_hash = $1, email_verified = 1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now)
        .bind(user)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    session::delete_others(db, user, None).await?;
    throttle::clear_account(db, &email).await?;
    hub.revoke_user(user);
    Ok(())
}

/// Emails `user` a link that confirms `email` (their address, or the one they are changing to).
pub async fn send_verification(db: &Db, user: i64, email: &str, now: i64) -> Result<(), AppError> {
    throttle::take_quota(db, VERIFY_SENDS, &format!("user:{user}"), now).await?;
    let mut tx = db.begin_write().await?;
    let token = new_link(&mut tx, Purpose::Verify, user, email, VERIFY_TTL_SECS, now).await?;
    tell_address(&mut tx, user, email, &Message::VerifyEmail { token }, now).await?;
    tx.commit().await?;
    crate::messages::service::wake(db);
    Ok(())
}

/// The address a confirmation link confirms, if it is live (for its page to name it).
pub async fn verification_email(db: &Db, token: &str, now: i64) -> Result<Option<String>, AppError> {
    let mut tx = db.begin_write().await?;
    let found = match live_link(&mut tx, Purpose::Verify, token, now).await {
        Ok((_, _, email)) => Some(email),
        Err(AppError::Validation(_)) => None,
        Err(e) => return Err(e),
    };
    tx.rollback().await?;
    Ok(found)
}

/// Confirms the address of a link: the account's email is verified, and becomes the link's
/// address if it was a change (unless another account took that address meanwhile).
#[instrument(skip(db, token))]
pub async fn verify_email(db: &Db, token: &str, now: i64) -> Result<i64, AppError> {
    let mut tx = db.begin_write().await?;
    let (link, user, email) = live_link(&mut tx, Purpose::Verify, token, now).await?;
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1 AND id <> $2")
        .bind(&email)
        .bind(user)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(AppError::Validation(vec![FieldError::new("email", FieldCode::EmailTaken)]));
    }
    sqlx::query("UPDATE account_links SET used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(link)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE users SET email = $1, email_verified = 1, updated_at = $2 WHERE id = $3")
        .bind(&email)
        .bind(now)
        .bind(user)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(user)
}

/// Whether `user`'s email is confirmed, and the address.
pub async fn email_status(db: &Db, user: i64) -> Result<(bool, String), AppError> {
    let (verified, email): (i64, String) =
        sqlx::query_as("SELECT email_verified, email FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&db.pool)
            .await?
            .ok_or(AppError::Unauthorized)?;
    Ok((verified == 1, email))
}

/// Refuses an order from an account whose email is not confirmed, after sending the link again
/// (when the hourly limit allows).
pub async fn require_verified(db: &Db, user: i64, now: i64) -> Result<(), AppError> {
    let (verified, email) = email_status(db, user).await?;
    if verified {
        return Ok(());
    }
    match send_verification(db, user, &email, now).await {
        Ok(()) | Err(AppError::TooManyAttempts(_)) => {}
        Err(e) => return Err(e),
    }
    Err(AppError::Conflict(ConflictCode::EmailNotVerified))
}

/// Starts a change of email: checks the password (throttled like a login) and that the address is
/// free, then sends the confirmation link to the new address. The email changes when it is opened.
#[instrument(skip(db, current_password))]
pub async fn change_email(
    db: &Db,
    user: i64,
    new_email: &str,
    current_password: &str,
    ip: &str,
    now: i64,
) -> Result<(), AppError> {
    let email = normalize_email(new_email);
    if let Some(e) = check_email(&email) {
        return Err(AppError::Validation(vec![e]));
    }
    let (current, hash): (String, String) =
        sqlx::query_as("SELECT email, password_hash FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&db.pool)
            .await?
            .ok_or(AppError::Unauthorized)?;
    let (attempt, turn) = throttle::attempt_with_turn(db, &current, ip, now).await?;
    if !password::verify(&turn, current_password.to_owned(), hash).await? {
        drop(turn);
        tokio::time::sleep(attempt.failure_delay).await;
        return Err(AppError::Validation(vec![FieldError::new(
            "current_password",
            FieldCode::WrongPassword,
        )]));
    }
    drop(turn);
    throttle::clear_account(db, &current).await?;
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(&email)
        .fetch_optional(&db.pool)
        .await?;
    if taken.is_some() {
        return Err(AppError::Validation(vec![FieldError::new("email", FieldCode::EmailTaken)]));
    }
    send_verification(db, user, &email, now).await
}
