//! Server-side sessions. The cookie holds a random 256-bit token; the database holds only its
//! SHA-256, so a leaked copy of the table cannot be replayed. Sessions end at logout, after an
//! idle period and at an absolute age, whichever comes first.
use cookie::{Cookie, SameSite};

use super::model::{CoopStatus, MemberRole, Membership, Role, Viewer};
use crate::db::{Db, Sql};
use crate::lang::Text;

pub const COOKIE_NAME: &str = "ocop_session";

/// How long sessions live. Time is always passed in, so tests can move the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub idle_secs: i64,
    pub absolute_secs: i64,
}

pub const POLICY: Policy = Policy { idle_secs: 7 * 24 * 3600, absolute_secs: 30 * 24 * 3600 };

/// `last_seen_at` is written at most this often, so browsing is not a stream of writes.
const TOUCH_EVERY_SECS: i64 = 60;

pub use crate::token::{new_token, token_hash};

/// Work another domain does on the request that starts a session (a login or a sign-up), given
/// the database and the user: the shop adopts the visitor's anonymous cart. The shell names it
/// (`crate::shell::SESSION_START`) and the server puts it in every request's context, so this
/// domain starts sessions without knowing what else a session brings.
#[derive(Clone, Copy)]
pub struct SessionStart(
    pub fn(Db, i64) -> futures::future::BoxFuture<'static, Result<(), crate::error::AppError>>,
);

impl SessionStart {
    /// Runs the request context's session-start work for `user_id`.
    pub async fn run(db: &Db, user_id: i64) -> Result<(), crate::error::AppError> {
        match leptos::prelude::use_context::<SessionStart>() {
            Some(work) => (work.0)(db.clone(), user_id).await,
            None => {
                tracing::error!("no session-start work in the request context");
                Err(crate::error::AppError::Internal)
            }
        }
    }
}

/// Starts a session for `user_id` and returns the token to put in the cookie.
pub async fn create(db: &Db, user_id: i64, now: i64) -> Result<String, sqlx::Error> {
    let (token, hash) = new_token();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hash)
    .bind(user_id)
    .bind(now)
    .bind(now)
    .bind(now + POLICY.absolute_secs)
    .execute(&db.pool)
    .await?;
    Ok(token)
}

#[derive(sqlx::FromRow)]
struct ViewerRow {
    session_id: i64,
    last_seen_at: i64,
    expires_at: i64,
    id: i64,
    email: String,
    display_name: String,
    role: String,
    member_role: Option<String>,
    cooperative_id: Option<i64>,
    coop_slug: Option<String>,
    coop_name_vi: Option<String>,
    coop_name_en: Option<String>,
    coop_status: Option<String>,
    coop_review_note: Option<String>,
}

const VIEWER_SELECT: &str = "SELECT s.id AS session_id, s.last_seen_at, s.expires_at, u.id, u.email, \
    u.display_name, u.role, u.member_role, u.cooperative_id, c.slug AS coop_slug, \
    c.name_vi AS coop_name_vi, c.name_en AS coop_name_en, c.status AS coop_status, c.review_note AS coop_review_note \
    FROM sessions s JOIN users u ON u.id = s.user_id \
    LEFT JOIN cooperatives c ON c.id = u.cooperative_id \
    WHERE u.status = 'active' AND s.token_hash = $1";

impl ViewerRow {
    fn into_viewer(self) -> Option<Viewer> {
        let membership = match (self.cooperative_id, self.member_role.as_deref()) {
            (Some(cooperative_id), Some(role)) => Some(Membership {
                cooperative_id,
                slug: self.coop_slug.unwrap_or_default(),
                name: Text::new(self.coop_name_vi.unwrap_or_default(), self.coop_name_en.unwrap_or_default()),
                role: MemberRole::from_db(role)?,
                status: CoopStatus::from_db(self.coop_status.as_deref().unwrap_or_default())?,
                review_note: self.coop_review_note,
            }),
            _ => None,
        };
        Some(Viewer {
            id: self.id,
            email: self.email,
            display_name: self.display_name,
            role: Role::from_db(&self.role)?,
            membership,
        })
    }
}

/// The user a token belongs to, if the session is still live and the account active. An
/// expired session is deleted on sight.
pub async fn resolve(db: &Db, token: &str, now: i64) -> Result<Option<Viewer>, sqlx::Error> {
    let Some(row) = sqlx::query_as::<_, ViewerRow>(VIEWER_SELECT)
        .bind(token_hash(token))
        .fetch_optional(&db.pool)
        .await?
    else {
        return Ok(None);
    };
    let session_id = row.session_id;
    if now >= row.expires_at || now >= row.last_seen_at + POLICY.idle_secs {
        sqlx::query("DELETE FROM sessions WHERE id = $1").bind(session_id).execute(&db.pool).await?;
        return Ok(None);
    }
    if now - row.last_seen_at >= TOUCH_EVERY_SECS {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(now)
            .bind(session_id)
            .execute(&db.pool)
            .await?;
    }
    Ok(row.into_viewer())
}

/// Ends the session of this token (logout).
pub async fn delete(db: &Db, token: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash(token))
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Ends every session of a user but the one holding `keep` (after a password change).
pub async fn delete_others(db: &Db, user_id: i64, keep: Option<&str>) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM sessions WHERE user_id = ");
    sql.bind(user_id);
    if let Some(keep) = keep {
        sql.push(" AND token_hash <> ").bind(token_hash(keep));
    }
    sql.query()?.execute(&db.pool).await?;
    Ok(())
}

/// The `Set-Cookie` value that carries a new session.
pub fn cookie(token: &str, secure: bool) -> String {
    Cookie::build((COOKIE_NAME, token.to_owned()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(cookie::time::Duration::seconds(POLICY.absolute_secs))
        .build()
        .to_string()
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clearing_cookie(secure: bool) -> String {
    Cookie::build((COOKIE_NAME, ""))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(cookie::time::Duration::ZERO)
        .build()
        .to_string()
}

/// The session token in a request's `Cookie` headers.
pub fn token_from_headers(headers: &http::HeaderMap) -> Option<String> {
    cookie_from_headers(headers, COOKIE_NAME)
}

/// The non-empty value of the cookie `name` in a request's `Cookie` headers.
pub fn cookie_from_headers(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name && !c.value().is_empty())
        .map(|c| c.value().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_http_only_and_same_site_lax() {
        let c = cookie("abc", false);
        assert!(c.starts_with("ocop_session=abc"), "{c}");
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Path=/"), "{c}");
        assert!(!c.contains("Secure"), "{c}");
        assert!(cookie("abc", true).contains("Secure"));
        assert!(clearing_cookie(false).contains("Max-Age=0"));
    }

    #[test]
    fn the_token_is_read_from_any_cookie_header() {
        let mut h = http::HeaderMap::new();
        h.append(http::header::COOKIE, http::HeaderValue::from_static("lang=vi; ocop_session=tok; x=1"));
        assert_eq!(token_from_headers(&h).as_deref(), Some("tok"));
        let mut h = http::HeaderMap::new();
        h.append(http::header::COOKIE, http::HeaderValue::from_static("ocop_session="));
        assert_eq!(token_from_headers(&h), None);
    }
}
