//! Accounts and the audit log, for admins: the SQL, and the rules of `model` applied to the rows
//! as they are now.
use serde_json::json;
use tracing::instrument;

use crate::accounts::model::Role;
use crate::admin::model::*;
use crate::audit::{Audit, record};
use crate::db::{Db, Sql};
use crate::error::AppError;
use crate::lang::Text;
use crate::live::hub::Hub;

#[derive(sqlx::FromRow)]
struct UserRecord {
    id: i64,
    email: String,
    display_name: String,
    role: String,
    status: String,
    created_at: i64,
    coop_vi: Option<String>,
    coop_en: Option<String>,
    last_seen_at: Option<i64>,
}

/// A LIKE pattern (with `ESCAPE '\\'`) matching text that contains `text` literally.
fn contains(text: &str) -> String {
    format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

/// Adds the filters' WHERE clauses to `sql` (which ends in a WHERE-able FROM).
fn push_user_filters(sql: &mut Sql, filter: &UserFilter) {
    sql.push(" WHERE 1 = 1");
    let q = filter.query();
    if !q.is_empty() {
        let pattern = contains(&q);
        sql.push(" AND (LOWER(u.email) LIKE ").bind(pattern.clone()).push(" ESCAPE '\\'");
        sql.push(" OR LOWER(u.display_name) LIKE ").bind(pattern).push(" ESCAPE '\\')");
    }
    if let Some(role) = filter.role() {
        sql.push(" AND u.role = ").bind(role.as_db().to_owned());
    }
    if let Some(status) = filter.status() {
        sql.push(" AND u.status = ").bind(status.as_db().to_owned());
    }
}

/// Accounts matching `filter`, newest first, at most `USERS_PAGE`, with the total.
#[instrument(skip(db))]
pub async fn users(db: &Db, viewer_id: i64, filter: &UserFilter) -> Result<UserList, sqlx::Error> {
    let mut count = Sql::new("SELECT COUNT(*) FROM users u");
    push_user_filters(&mut count, filter);
    let total: i64 = count.query_scalar()?.fetch_one(&db.pool).await?;

    let mut sql = Sql::new(
        "SELECT u.id, u.email, u.display_name, u.role, u.status, u.created_at, c.name_vi AS coop_vi, \
         c.name_en AS coop_en, (SELECT MAX(s.last_seen_at) FROM sessions s WHERE s.user_id = u.id) AS last_seen_at \
         FROM users u LEFT JOIN cooperatives c ON c.id = u.cooperative_id",
    );
    push_user_filters(&mut sql, filter);
    sql.push(" ORDER BY u.created_at DESC, u.id DESC LIMIT ").bind(USERS_PAGE);
    let rows: Vec<UserRecord> = sql.query_as()?.fetch_all(&db.pool).await?;
    let users = rows
        .into_iter()
        .filter_map(|r| {
            Some(UserRow {
                id: r.id,
                role: Role::from_db(&r.role)?,
                status: AccountStatus::from_db(&r.status)?,
                cooperative: r.coop_vi.zip(r.coop_en).map(|(vi, en)| Text::new(vi, en)),
                email: r.email,
                display_name: r.display_name,
                created_at: r.created_at,
                last_seen_at: r.last_seen_at,
            })
        })
        .collect();
    Ok(UserList { users, total, viewer_id })
}

/// The account's role and status now, or 404.
async fn current(conn: &mut sqlx::AnyConnection, user_id: i64) -> Result<(Role, AccountStatus), AppError> {
    let (role, status): (String, String) = sqlx::query_as("SELECT role, status FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        Role::from_db(&role).ok_or(AppError::Internal)?,
        AccountStatus::from_db(&status).ok_or(AppError::Internal)?,
    ))
}

fn refused(r: AccountRefusal) -> AppError {
    AppError::Conflict(r.code())
}

/// Gives the account `user_id` the role `to` (shopper or admin), with an audit line. Giving the
/// role it already has changes nothing and logs nothing. The account's live sockets lose the
/// topics of its old rights at once.
#[instrument(skip(db, hub))]
pub async fn set_role(
    db: &Db,
    hub: &Hub,
    actor: i64,
    user_id: i64,
    to: Role,
    now: i64,
) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    tx.lock_row("SELECT id FROM users WHERE id = ", user_id).await?;
    let (from, _) = current(&mut tx, user_id).await?;
    check_role_change(actor, user_id, from, to).map_err(refused)?;
    if from == to {
        hub.revoke_user(user_id);
        return Ok(());
    }
    sqlx::query("UPDATE users SET role = $1, updated_at = $2 WHERE id = $3")
        .bind(to.as_db())
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let audit = Audit {
        actor,
        action: AuditAction::UserRole,
        target_id: user_id,
        before: Some(json!({ "role": from.as_db() })),
        after: Some(json!({ "role": to.as_db() })),
        at: now,
    };
    record(&mut tx, audit).await?;
    tx.commit().await?;
    hub.revoke_user(user_id);
    Ok(())
}

/// Disables or enables the account `user_id`, with an audit line. Disabling ends every session
/// of the account at once (the rows go, and a session of a disabled account is refused anyway),
/// and its live sockets lose every personal topic.
#[instrument(skip(db, hub))]
pub async fn set_status(
    db: &Db,
    hub: &Hub,
    actor: i64,
    user_id: i64,
    to: AccountStatus,
    now: i64,
) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    tx.lock_row("SELECT id FROM users WHERE id = ", user_id).await?;
    let (_, from) = current(&mut tx, user_id).await?;
    check_status_change(actor, user_id).map_err(refused)?;
    if from == to {
        hub.revoke_user(user_id);
        return Ok(());
    }
    sqlx::query("UPDATE users SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(to.as_db())
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let mut after = json!({ "status": to.as_db() });
    if to == AccountStatus::Disabled {
        after["sessions_ended"] = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            .into();
    }
    let action = match to {
        AccountStatus::Disabled => AuditAction::UserDisable,
        AccountStatus::Active => AuditAction::UserEnable,
    };
    let audit = Audit {
        actor,
        action,
        target_id: user_id,
        before: Some(json!({ "status": from.as_db() })),
        after: Some(after),
        at: now,
    };
    record(&mut tx, audit).await?;
    tx.commit().await?;
    hub.revoke_user(user_id);
    Ok(())
}

#[derive(sqlx::FromRow)]
struct AuditRecord {
    id: i64,
    at: i64,
    actor_email: Option<String>,
    action: String,
    target_kind: String,
    target_id: i64,
    before_json: Option<String>,
    after_json: Option<String>,
}

/// The audit log, newest first, filtered by action and by the acting admin's email.
#[instrument(skip(db))]
pub async fn audit_log(db: &Db, filter: &AuditFilter) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT a.id, a.at, u.email AS actor_email, a.action, a.target_kind, a.target_id, a.before_json, \
         a.after_json FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id WHERE 1 = 1",
    );
    if let Some(action) = filter.action() {
        sql.push(" AND a.action = ").bind(action.as_db().to_owned());
    }
    let actor = filter.actor();
    if !actor.is_empty() {
        sql.push(" AND LOWER(u.email) LIKE ").bind(contains(&actor)).push(" ESCAPE '\\'");
    }
    sql.push(" ORDER BY a.at DESC, a.id DESC LIMIT ").bind(AUDIT_PAGE);
    let rows: Vec<AuditRecord> = sql.query_as()?.fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(AuditEntry {
                id: r.id,
                at: r.at,
                actor_email: r.actor_email,
                action: AuditAction::from_db(&r.action)?,
                target_kind: r.target_kind,
                target_id: r.target_id,
                before: r.before_json,
                after: r.after_json,
            })
        })
        .collect())
}

#[derive(sqlx::FromRow)]
pub(crate) struct CertificateRecord {
    id: i64,
    product_vi: String,
    product_en: String,
    product_slug: String,
    coop_vi: String,
    coop_en: String,
    district_vi: Option<String>,
    district_en: Option<String>,
    stars: i64,
    council: String,
    decision_no: String,
    issued_on: String,
    expires_on: String,
    is_demo: i64,
}

pub(crate) const CERTIFICATE_SELECT: &str = "SELECT ct.id, p.name_vi AS product_vi, p.name_en AS product_en, \
     p.slug AS product_slug, c.name_vi AS coop_vi, c.name_en AS coop_en, d.name_vi AS district_vi, \
     d.name_en AS district_en, ct.stars, ct.council, ct.decision_no, ct.issued_on, ct.expires_on, ct.is_demo \
     FROM certificates ct JOIN products p ON p.id = ct.product_id \
     JOIN cooperatives c ON c.id = p.cooperative_id LEFT JOIN districts d ON d.id = c.district_id";

pub(crate) fn certificate_row(r: CertificateRecord, today: time::Date) -> CertificateRow {
    let days_left = crate::certificates::model::parse_date(&r.expires_on)
        .map(|expiry| (expiry - today).whole_days())
        .unwrap_or(-1);
    CertificateRow {
        id: r.id,
        product: Text::new(r.product_vi, r.product_en),
        product_slug: r.product_slug,
        cooperative: Text::new(r.coop_vi, r.coop_en),
        district: r.district_vi.zip(r.district_en).map(|(vi, en)| Text::new(vi, en)),
        stars: r.stars,
        council: r.council,
        decision_no: r.decision_no,
        issued_on: r.issued_on,
        expires_on: r.expires_on,
        days_left,
        state: CertificateState::from_days_left(days_left),
        is_demo: r.is_demo != 0,
    }
}

/// The registry's `WHERE` for `filter` on `today`; `soon` is the last day that counts as expiring.
pub(crate) fn certificate_filters(sql: &mut Sql, filter: &CertificateFilter, today: &str, soon: &str) {
    sql.push(" WHERE 1 = 1");
    let q = filter.query();
    if !q.is_empty() {
        let pattern = contains(&q);
        sql.push(" AND (LOWER(ct.decision_no) LIKE ").bind(pattern.clone()).push(" ESCAPE '\\'");
        sql.push(" OR LOWER(p.name_vi) LIKE ").bind(pattern.clone()).push(" ESCAPE '\\'");
        sql.push(" OR LOWER(p.name_en) LIKE ").bind(pattern.clone()).push(" ESCAPE '\\'");
        sql.push(" OR LOWER(c.name_vi) LIKE ").bind(pattern.clone()).push(" ESCAPE '\\'");
        sql.push(" OR LOWER(c.name_en) LIKE ").bind(pattern).push(" ESCAPE '\\')");
    }
    if let Some(stars) = filter.stars() {
        sql.push(" AND ct.stars = ").bind(stars);
    }
    if let Some(council) = filter.council() {
        sql.push(" AND ct.council = ").bind(council.to_owned());
    }
    match filter.state() {
        Some(CertificateState::Expired) => {
            sql.push(" AND ct.expires_on < ").bind(today.to_owned());
        }
        Some(CertificateState::Expiring) => {
            sql.push(" AND ct.expires_on >= ").bind(today.to_owned());
            sql.push(" AND ct.expires_on <= ").bind(soon.to_owned());
        }
        Some(CertificateState::Valid) => {
            sql.push(" AND ct.expires_on > ").bind(soon.to_owned());
        }
        None => {}
    }
}

/// The certificate registry on `today` (`YYYY-MM-DD`): the certificates matching `filter`,
/// soonest expiry first, and every one expiring within `EXPIRING_DAYS`. Dates are compared as
/// ISO text in SQL, on the `(expires_on)` order the indexes keep.
#[instrument(skip(db))]
pub async fn certificates(
    db: &Db,
    filter: &CertificateFilter,
    today: &str,
) -> Result<CertificateRegistry, AppError> {
    use crate::certificates::model::{add_days, parse_date};
    let day = parse_date(today).ok_or(AppError::Internal)?;
    let soon = add_days(today, EXPIRING_DAYS).ok_or(AppError::Internal)?;

    let push_filters = |sql: &mut Sql| certificate_filters(sql, filter, today, &soon);

    let mut count = Sql::new(
        "SELECT COUNT(*) FROM certificates ct JOIN products p ON p.id = ct.product_id \
         JOIN cooperatives c ON c.id = p.cooperative_id",
    );
    push_filters(&mut count);
    let total: i64 = count.query_scalar()?.fetch_one(&db.pool).await?;

    let mut sql = Sql::new(CERTIFICATE_SELECT);
    push_filters(&mut sql);
    sql.push(" ORDER BY ct.expires_on, ct.id LIMIT ").bind(CERTIFICATES_PAGE);
    let rows: Vec<CertificateRecord> = sql.query_as()?.fetch_all(&db.pool).await?;

    let mut sql = Sql::new(CERTIFICATE_SELECT);
    sql.push(" WHERE ct.expires_on >= ").bind(today.to_owned());
    sql.push(" AND ct.expires_on <= ").bind(soon.clone());
    sql.push(" ORDER BY ct.expires_on, ct.id LIMIT ").bind(CERTIFICATES_PAGE);
    let expiring: Vec<CertificateRecord> = sql.query_as()?.fetch_all(&db.pool).await?;

    Ok(CertificateRegistry {
        certificates: rows.into_iter().map(|r| certificate_row(r, day)).collect(),
        total,
        expiring: expiring.into_iter().map(|r| certificate_row(r, day)).collect(),
        today: today.to_owned(),
    })
}
