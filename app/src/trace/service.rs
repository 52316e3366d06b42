//! Traceability rules and SQL: trace codes (given out lazily, unique), the public record behind
//! `/t/<code>`, the cooperative's batches, and the booth card.
use argon2::password_hash::rand_core::{OsRng, RngCore};
use tracing::instrument;

use super::model::*;
use crate::certificates::model::Council;
use crate::certificates::model::certificate_state;
use crate::db::Db;
use crate::error::{AppError, FieldError};
use crate::lang::Text;
use crate::media::service::check_owned;

/// A new code: 5 random bytes as 10 lowercase hex digits, the same shape as the migration's
/// backfill. 2^40 codes cannot be walked, and the unique index catches the rare collision.
fn new_code() -> String {
    let mut bytes = [0u8; 5];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn stored_code(db: &Db, product_id: i64) -> Result<Option<Option<String>>, sqlx::Error> {
    sqlx::query_scalar::<_, Option<String>>("SELECT trace_code FROM products WHERE id = $1")
        .bind(product_id)
        .fetch_optional(&db.pool)
        .await
}

/// The product's trace code, given out on first use; `None` when there is no such product.
/// Products created after the migration have none until something asks (the product page, the
/// editor). Two first uses at once agree: the update only fills an empty code, and both read
/// back the one that won.
pub async fn assign_trace_code(db: &Db, product_id: i64) -> Result<Option<String>, sqlx::Error> {
    let mut draws = 0;
    loop {
        match stored_code(db, product_id).await? {
            None => return Ok(None),
            Some(Some(code)) => return Ok(Some(code)),
            Some(None) => {}
        }
        let update = sqlx::query("UPDATE products SET trace_code = $1 WHERE trace_code IS NULL AND id = $2")
            .bind(new_code())
            .bind(product_id);
        match update.execute(&db.pool).await {
            Ok(_) => {}
            // Another product holds that code: draw again (a few times; 2^40 codes make even
            // one collision rare).
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() && draws < 5 => draws += 1,
            Err(e) => return Err(e),
        }
    }
}

/// `assign_trace_code` for the services: an unknown product is `NotFound`.
#[instrument(skip(db))]
pub async fn ensure_trace_code(db: &Db, product_id: i64) -> Result<String, AppError> {
    assign_trace_code(db, product_id).await?.ok_or(AppError::NotFound)
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    product_id: i64,
    slug: String,
    name_vi: String,
    name_en: String,
    is_demo: i64,
    coop_slug: String,
    coop_vi: String,
    coop_en: String,
    commune: Option<String>,
    district_vi: Option<String>,
    district_en: Option<String>,
}

#[derive(sqlx::FromRow)]
struct BatchRow {
    id: i64,
    batch_code: String,
    produced_on: String,
    notes_vi: String,
    notes_en: String,
}

impl From<BatchRow> for Batch {
    fn from(r: BatchRow) -> Batch {
        Batch {
            id: r.id,
            batch_code: r.batch_code,
            produced_on: r.produced_on,
            notes: Text::new(r.notes_vi, r.notes_en),
        }
    }
}

/// The product's batches, newest first (by production date, then the latest entered).
async fn batches(db: &Db, product_id: i64, limit: i64) -> Result<Vec<Batch>, sqlx::Error> {
    let rows: Vec<BatchRow> = sqlx::query_as(
        "SELECT id, batch_code, produced_on, notes_vi, notes_en FROM product_batches WHERE product_id = $1 \
         ORDER BY produced_on DESC, id DESC LIMIT $2",
    )
    .bind(product_id)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

async fn batch_count(db: &Db, product_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM product_batches WHERE product_id = $1")
        .bind(product_id)
        .fetch_one(&db.pool)
        .await
}

/// The public record of the product with trace code `code`, as it stands on `today`
/// (YYYY-MM-DD). Only a published product of an approved cooperative has one; anything else,
/// like a code that was never given out, is `NotFound`.
#[instrument(skip(db))]
pub async fn record(db: &Db, code: &str, today: &str) -> Result<TraceRecord, AppError> {
    if !plausible_code(code) {
        return Err(AppError::NotFound);
    }
    let row: RecordRow = sqlx::query_as(
        "SELECT p.id AS product_id, p.slug, p.name_vi, p.name_en, p.is_demo, c.slug AS coop_slug, \
         c.name_vi AS coop_vi, c.name_en AS coop_en, c.commune, d.name_vi AS district_vi, \
         d.name_en AS district_en FROM products p JOIN cooperatives c ON c.id = p.cooperative_id \
         LEFT JOIN districts d ON d.id = c.district_id \
         WHERE p.status = 'published' AND c.status = 'approved' AND p.trace_code = $1",
    )
    .bind(code)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let certificate = crate::certificates::service::latest_certificate(db, row.product_id).await?.map(|c| {
        TraceCertificate {
            state: certificate_state(&c.expires_on, today, days_between(today, &c.expires_on)),
            stars: c.stars,
            council: Council::from_db(&c.council),
            decision_no: c.decision_no,
            issued_on: c.issued_on,
            expires_on: c.expires_on,
            is_demo: c.is_demo != 0,
        }
    });
    Ok(TraceRecord {
        code: code.to_owned(),
        product_name: Text::new(row.name_vi, row.name_en),
        product_path: format!("/p/{}", row.slug),
        product_slug: row.slug,
        cooperative_name: Text::new(row.coop_vi, row.coop_en),
        cooperative_slug: row.coop_slug,
        district: match (row.district_vi, row.district_en) {
            (Some(vi), Some(en)) => Some(Text::new(vi, en)),
            _ => None,
        },
        commune: row.commune.filter(|c| !c.trim().is_empty()),
        certificate,
        batches: batches(db, row.product_id, PAGE_BATCHES).await?,
        batch_count: batch_count(db, row.product_id).await?,
        is_demo: row.is_demo != 0,
    })
}

/// Whether `code` leads to a public record: what the product's QR image needs to know.
pub async fn code_is_public(db: &Db, code: &str) -> Result<bool, sqlx::Error> {
    if !plausible_code(code) {
        return Ok(false);
    }
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM products p JOIN cooperatives c ON c.id = p.cooperative_id \
         WHERE p.status = 'published' AND c.status = 'approved' AND p.trace_code = $1",
    )
    .bind(code)
    .fetch_one(&db.pool)
    .await?;
    Ok(n > 0)
}

/// Days from `today` to `date` (negative when past), both `YYYY-MM-DD`.
fn days_between(today: &str, date: &str) -> Option<i64> {
    use crate::certificates::model::parse_date;
    Some((parse_date(date)? - parse_date(today)?).whole_days())
}

/// The editor's view of a cooperative's own product: its code (given out now if need be) and
/// every batch.
#[instrument(skip(db))]
pub async fn product_trace(db: &Db, coop_id: i64, product_id: i64) -> Result<ProductTrace, AppError> {
    check_owned(db, coop_id, product_id).await?;
    let code = ensure_trace_code(db, product_id).await?;
    Ok(ProductTrace {
        product_id,
        public: code_is_public(db, &code).await?,
        code,
        batches: batches(db, product_id, MAX_BATCHES).await?,
    })
}

/// Records a batch of one of the cooperative's products; returns its id. A batch code is used
/// once per product.
#[instrument(skip(db, form))]
pub async fn add_batch(
    db: &Db,
    coop_id: i64,
    product_id: i64,
    form: &BatchForm,
    today: &str,
    now: i64,
) -> Result<i64, AppError> {
    check_owned(db, coop_id, product_id).await?;
    let batch = form.check(today).map_err(AppError::Validation)?;
    // Counted under the product's lock, so that batches sent at once cannot pass the limit
    // (or share a code) together.
    let mut tx = db.begin_write().await?;
    tx.lock_row("SELECT id FROM products WHERE id = ", product_id).await?;
    let count = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM product_batches WHERE product_id = $1")
        .bind(product_id)
        .fetch_one(&mut *tx)
        .await?;
    if count >= MAX_BATCHES {
        return Err(AppError::Validation(vec![FieldError::new(
            "batch_code",
            crate::error::FieldCode::TooMany,
        )]));
    }
    let same: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM product_batches WHERE product_id = $1 AND batch_code = $2")
            .bind(product_id)
            .bind(&batch.batch_code)
            .fetch_one(&mut *tx)
            .await?;
    if same > 0 {
        return Err(AppError::Validation(vec![FieldError::new(
            "batch_code",
            crate::error::FieldCode::BatchCodeTaken,
        )]));
    }
    let id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO product_batches (product_id, batch_code, produced_on, notes_vi, notes_en, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(product_id)
    .bind(batch.batch_code)
    .bind(batch.produced_on)
    .bind(batch.notes_vi)
    .bind(batch.notes_en)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Deletes a batch; it must belong to one of the cooperative's products.
#[instrument(skip(db))]
pub async fn delete_batch(db: &Db, coop_id: i64, batch_id: i64) -> Result<(), AppError> {
    let product_id: i64 = sqlx::query_scalar("SELECT product_id FROM product_batches WHERE id = $1")
        .bind(batch_id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    check_owned(db, coop_id, product_id).await?;
    sqlx::query("DELETE FROM product_batches WHERE id = $1 AND product_id = $2")
        .bind(batch_id)
        .bind(product_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// What the booth's printable card shows: an approved cooperative's name, district and logo.
#[instrument(skip(db))]
pub async fn booth_card(db: &Db, slug: &str) -> Result<BoothCard, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        slug: String,
        name_vi: String,
        name_en: String,
        logo_key: Option<String>,
        district_vi: Option<String>,
        district_en: Option<String>,
    }
    let r: Row = sqlx::query_as(
        "SELECT c.slug, c.name_vi, c.name_en, c.logo_key, d.name_vi AS district_vi, d.name_en AS district_en \
         FROM cooperatives c LEFT JOIN districts d ON d.id = c.district_id \
         WHERE c.status = 'approved' AND c.slug = $1",
    )
    .bind(slug)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(BoothCard {
        slug: r.slug,
        name: Text::new(r.name_vi, r.name_en),
        district: match (r.district_vi, r.district_en) {
            (Some(vi), Some(en)) => Some(Text::new(vi, en)),
            _ => None,
        },
        logo_url: r.logo_key.as_deref().map(crate::media::model::media_url),
    })
}
