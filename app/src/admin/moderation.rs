//! Moderation, for admins: suspending and reinstating cooperatives, hiding and unhiding
//! products. Each change and its audit line share one transaction.
//!
//! A suspended cooperative's products and booth leave the shop at once, because every storefront
//! query already asks for an approved cooperative. A hidden product becomes a draft with the
//! department's reason, which its cooperative sees and cannot publish past until an admin
//! unhides it.
use serde_json::json;
use tracing::instrument;

use crate::accounts::model::CoopStatus;
use crate::admin::model::*;
use crate::audit::{Audit, record};
use crate::db::{Db, Sql};
use crate::error::AppError;
use crate::lang::Text;
use crate::live::hub::Hub;

fn like(text: &str) -> String {
    format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

#[derive(sqlx::FromRow)]
struct CoopRecord {
    id: i64,
    slug: String,
    name_vi: String,
    name_en: String,
    district_vi: Option<String>,
    district_en: Option<String>,
    status: String,
    products: i64,
    members: i64,
    review_note: Option<String>,
    created_at: i64,
}

/// Cooperatives matching `filter`, newest first.
#[instrument(skip(db))]
pub async fn cooperatives(db: &Db, filter: &CoopFilter) -> Result<Vec<CoopRow>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT c.id, c.slug, c.name_vi, c.name_en, d.name_vi AS district_vi, d.name_en AS district_en, c.status, \
         (SELECT COUNT(*) FROM products p WHERE p.cooperative_id = c.id AND p.status <> 'deleted') AS products, \
         (SELECT COUNT(*) FROM users u WHERE u.cooperative_id = c.id) AS members, c.review_note, c.created_at \
         FROM cooperatives c LEFT JOIN districts d ON d.id = c.district_id WHERE 1 = 1",
    );
    let q = filter.query();
    if !q.is_empty() {
        let pattern = like(&q);
        sql.push(" AND (LOWER(c.name_vi) LIKE ").bind(pattern.clone()).push(" ESCAPE '\\'");
        sql.push(" OR LOWER(c.name_en) LIKE ").bind(pattern.clone()).push(" ESCAPE '\\'");
        sql.push(" OR LOWER(c.slug) LIKE ").bind(pattern).push(" ESCAPE '\\')");
    }
    if let Some(status) = filter.status() {
        sql.push(" AND c.status = ").bind(status.as_db().to_owned());
    }
    sql.push(" ORDER BY c.created_at DESC, c.id DESC LIMIT ").bind(MODERATION_PAGE);
    let rows: Vec<CoopRecord> = sql.query_as()?.fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(CoopRow {
                status: CoopStatus::from_db(&r.status)?,
                id: r.id,
                slug: r.slug,
                name: Text::new(r.name_vi, r.name_en),
                district: r.district_vi.zip(r.district_en).map(|(vi, en)| Text::new(vi, en)),
                products: r.products,
                members: r.members,
                note: r.review_note,
                created_at: r.created_at,
            })
        })
        .collect())
}

async fn coop_status(conn: &mut sqlx::AnyConnection, coop: i64) -> Result<CoopStatus, AppError> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM cooperatives WHERE id = $1")
        .bind(coop)
        .fetch_optional(conn)
        .await?;
    status.as_deref().and_then(CoopStatus::from_db).ok_or(AppError::NotFound)
}

/// The accounts that are members of `coop` (whose rights follow its status).
pub async fn member_ids(db: &Db, coop: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM users WHERE cooperative_id = $1 ORDER BY id")
        .bind(coop)
        .fetch_all(&db.pool)
        .await
}

/// Suspends an approved cooperative (`reason` is what its members read) or reinstates a
/// suspended one (`reason` is not needed).
#[instrument(skip(db, hub, reason))]
pub async fn set_suspended(
    db: &Db,
    hub: &Hub,
    actor: i64,
    coop: i64,
    suspend: bool,
    reason: &str,
    now: i64,
) -> Result<(), AppError> {
    let reason =
        if suspend { Some(check_reason(reason).map_err(|e| AppError::Validation(vec![e]))?) } else { None };
    let mut tx = db.begin_write().await?;
    tx.lock_row("SELECT id FROM cooperatives WHERE id = ", coop).await?;
    let from = coop_status(&mut tx, coop).await?;
    let allowed = if suspend { can_suspend(from) } else { can_reinstate(from) };
    if !allowed {
        return Err(AppError::Conflict(crate::error::ConflictCode::CooperativeStatusChanged));
    }
    let to = if suspend { CoopStatus::Suspended } else { CoopStatus::Approved };
    sqlx::query(
        "UPDATE cooperatives SET status = $1, review_note = $2, reviewed_at = $3, reviewed_by = $4 \
         WHERE id = $5",
    )
    .bind(to.as_db())
    .bind(reason.clone())
    .bind(now)
    .bind(actor)
    .bind(coop)
    .execute(&mut *tx)
    .await?;
    let audit = Audit {
        actor,
        action: if suspend { AuditAction::CooperativeSuspend } else { AuditAction::CooperativeReinstate },
        target_id: coop,
        before: Some(json!({ "status": from.as_db() })),
        after: Some(json!({ "status": to.as_db(), "reason": reason })),
        at: now,
    };
    record(&mut tx, audit).await?;
    tx.commit().await?;
    crate::changes::catalogue_changed(db);
    hub.kpis_changed();
    // Its members lose the cooperative's live topics at once.
    if suspend {
        for member in member_ids(db, coop).await? {
            hub.revoke_user(member);
        }
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ProductRecord {
    id: i64,
    slug: String,
    name_vi: String,
    name_en: String,
    coop_vi: String,
    coop_en: String,
    status: String,
    hidden_reason: Option<String>,
    hidden_at: Option<i64>,
}

/// Products (not deleted) matching `filter`: the hidden ones first, then the latest changed.
#[instrument(skip(db))]
pub async fn products(
    db: &Db,
    filter: &ProductModerationFilter,
) -> Result<Vec<ModeratedProduct>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT p.id, p.slug, p.name_vi, p.name_en, c.name_vi AS coop_vi, c.name_en AS coop_en, p.status, \
         p.hidden_reason, p.hidden_at FROM products p JOIN cooperatives c ON c.id = p.cooperative_id \
         WHERE p.status <> 'deleted'",
    );
    let q = filter.query();
    if !q.is_empty() {
        let pattern = like(&q);
        sql.push(" AND (LOWER(p.name_vi) LIKE ").bind(pattern.clone()).push(" ESCAPE '\\'");
        sql.push(" OR LOWER(p.name_en) LIKE ").bind(pattern.clone()).push(" ESCAPE '\\'");
        sql.push(" OR LOWER(p.slug) LIKE ").bind(pattern.clone()).push(" ESCAPE '\\'");
        sql.push(" OR LOWER(c.name_vi) LIKE ").bind(pattern).push(" ESCAPE '\\')");
    }
    if filter.hidden_only() {
        sql.push(" AND p.hidden_reason IS NOT NULL");
    }
    sql.push(
        " ORDER BY CASE WHEN p.hidden_reason IS NULL THEN 1 ELSE 0 END, p.updated_at DESC, p.id DESC LIMIT ",
    );
    sql.bind(MODERATION_PAGE);
    let rows: Vec<ProductRecord> = sql.query_as()?.fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .map(|r| ModeratedProduct {
            id: r.id,
            slug: r.slug,
            name: Text::new(r.name_vi, r.name_en),
            cooperative: Text::new(r.coop_vi, r.coop_en),
            status: r.status,
            hidden_reason: r.hidden_reason,
            hidden_at: r.hidden_at,
        })
        .collect())
}

/// Hides a product from the shop with `reason` (it becomes a draft its cooperative cannot
/// publish), or unhides it (published again).
#[instrument(skip(db, hub, reason))]
pub async fn set_hidden(
    db: &Db,
    hub: &Hub,
    actor: i64,
    product: i64,
    hide: bool,
    reason: &str,
    now: i64,
) -> Result<(), AppError> {
    let reason =
        if hide { Some(check_reason(reason).map_err(|e| AppError::Validation(vec![e]))?) } else { None };
    let mut tx = db.begin_write().await?;
    tx.lock_row("SELECT id FROM products WHERE id = ", product).await?;
    let (status, hidden): (String, Option<String>) =
        sqlx::query_as("SELECT status, hidden_reason FROM products WHERE status <> 'deleted' AND id = $1")
            .bind(product)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AppError::NotFound)?;
    if hide == hidden.is_some() {
        let code = if hide {
            crate::error::ConflictCode::AlreadyHidden
        } else {
            crate::error::ConflictCode::NotHidden
        };
        return Err(AppError::Conflict(code));
    }
    let mut sql = Sql::new("UPDATE products SET status = ");
    if hide {
        sql.bind("draft".to_owned()).push(", hidden_reason = ").bind(reason.clone());
        sql.push(", hidden_at = ").bind(now).push(", hidden_by = ").bind(actor);
    } else {
        sql.bind("published".to_owned());
        sql.push(", hidden_reason = NULL, hidden_at = NULL, hidden_by = NULL");
    }
    sql.push(", updated_at = ").bind(now).push(" WHERE id = ").bind(product);
    sql.query()?.execute(&mut *tx).await?;
    let after_status = if hide { "draft" } else { "published" };
    let audit = Audit {
        actor,
        action: if hide { AuditAction::ProductHide } else { AuditAction::ProductUnhide },
        target_id: product,
        before: Some(json!({ "status": status, "hidden_reason": hidden })),
        after: Some(json!({ "status": after_status, "hidden_reason": reason })),
        at: now,
    };
    record(&mut tx, audit).await?;
    let told = match &reason {
        Some(reason) => {
            let (cooperative_id, name_vi, name_en): (i64, String, String) =
                sqlx::query_as("SELECT cooperative_id, name_vi, name_en FROM products WHERE id = $1")
                    .bind(product)
                    .fetch_one(&mut *tx)
                    .await?;
            let hidden = crate::messages::model::Message::ProductHidden {
                product_id: product,
                product: crate::lang::Text::new(name_vi, name_en),
                reason: reason.clone(),
            };
            crate::messages::service::tell(
                &mut tx,
                crate::messages::service::To::Cooperative(cooperative_id),
                &hidden,
                now,
            )
            .await?
        }
        None => crate::messages::service::Told::default(),
    };
    tx.commit().await?;
    crate::messages::service::announce(db, hub, told);
    crate::changes::catalogue_changed(db);
    hub.kpis_changed();
    Ok(())
}
