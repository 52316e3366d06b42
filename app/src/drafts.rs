//! Refused plain forms (sent without JavaScript) keep what was typed: the form and its errors
//! are stored under a random token for `TTL_SECS`, the browser is redirected to the form's page
//! with `?draft=<token>`, and the page fills the fields in again. Only the token's SHA-256 is
//! stored.
use crate::accounts::session::{new_token, token_hash};
use crate::db::{Db, Sql};

pub const TTL_SECS: i64 = 3600;

/// Stores `body` (JSON) for the form `form`; returns the token for the page address.
pub async fn save(db: &Db, form: &'static str, body: String, now: i64) -> Result<String, sqlx::Error> {
    let mut sql = Sql::new("DELETE FROM form_drafts WHERE created_at < ");
    sql.bind(now - TTL_SECS);
    sql.query()?.execute(&db.pool).await?;
    let (token, hash) = new_token();
    let mut sql = Sql::new("INSERT INTO form_drafts (token_hash, form, body, created_at) VALUES (");
    sql.bind(hash).push(", ").bind(form.to_owned()).push(", ").bind(body).push(", ").bind(now).push(")");
    sql.query()?.execute(&db.pool).await?;
    Ok(token)
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
