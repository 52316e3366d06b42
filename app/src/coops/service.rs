//! Dashboard rules and SQL. Every function takes the member's cooperative id and scopes its
//! rows to it; a product of another cooperative is `Forbidden`, one that does not exist
//! `NotFound`.
use tracing::instrument;

use super::model::*;
use crate::certificates::model::{expiry, parse_date};
use crate::certificates::service::latest_certificate;
use crate::db::{Db, Sql};
use crate::error::{AppError, FieldError};
use crate::lang::Text;
use crate::search::fold::search_text;
use crate::search::fold::{fold, slugify};

/// The dashboard's counts. `today` is `YYYY-MM-DD`.
#[instrument(skip(db))]
pub async fn overview(db: &Db, coop_id: i64, today: &str) -> Result<Overview, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        name_vi: String,
        name_en: String,
        products: i64,
        published: i64,
        low_stock: i64,
        expiring: i64,
        expired: i64,
    }
    let soon = crate::certificates::model::add_days(today, EXPIRING_DAYS).unwrap_or_else(|| today.to_owned());
    let row: Row = sqlx::query_as(
        "SELECT c.name_vi, c.name_en, \
         (SELECT COUNT(*) FROM products p WHERE p.cooperative_id = c.id AND p.status <> 'deleted') AS products, \
         (SELECT COUNT(*) FROM products p WHERE p.cooperative_id = c.id AND p.status = 'published') AS published, \
         (SELECT COUNT(*) FROM products p WHERE p.cooperative_id = c.id AND p.status = 'published' \
          AND p.stock <= $1) AS low_stock, \
         (SELECT COUNT(*) FROM certificates ct JOIN products p ON p.id = ct.product_id \
          WHERE p.cooperative_id = c.id AND p.status <> 'deleted' AND ct.expires_on >= $2 \
          AND ct.expires_on <= $3) AS expiring, \
         (SELECT COUNT(*) FROM certificates ct JOIN products p ON p.id = ct.product_id \
          WHERE p.cooperative_id = c.id AND p.status <> 'deleted' AND ct.expires_on < $4) AS expired \
         FROM cooperatives c WHERE c.id = $5",
    )
    .bind(LOW_STOCK)
    .bind(today)
    .bind(soon)
    .bind(today)
    .bind(coop_id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Overview {
        cooperative: Text::new(row.name_vi, row.name_en),
        products: row.products,
        published: row.published,
        low_stock: row.low_stock,
        certificates_expiring: row.expiring,
        certificates_expired: row.expired,
        orders_pending: None,
        inquiries_open: None,
    })
}

#[derive(sqlx::FromRow)]
struct ListRow {
    id: i64,
    slug: String,
    name_vi: String,
    name_en: String,
    status: String,
    price_vnd: i64,
    stock: i64,
    unit_vi: String,
    unit_en: String,
    description_vi: String,
    description_en: String,
    updated_at: i64,
    hidden_reason: Option<String>,
}

/// The cooperative's products (deleted ones left out), most recently changed first.
#[instrument(skip(db))]
pub async fn products(db: &Db, coop_id: i64) -> Result<Vec<DashboardProduct>, AppError> {
    let rows: Vec<ListRow> = sqlx::query_as(
        "SELECT id, slug, name_vi, name_en, status, price_vnd, stock, unit_vi, unit_en, description_vi, \
         description_en, updated_at, hidden_reason FROM products \
         WHERE status <> 'deleted' AND cooperative_id = $1 ORDER BY updated_at DESC, id DESC LIMIT 1000",
    )
    .bind(coop_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let form = ProductForm {
                name_vi: r.name_vi.clone(),
                name_en: r.name_en.clone(),
                description_vi: r.description_vi,
                description_en: r.description_en,
                unit_vi: r.unit_vi.clone(),
                unit_en: r.unit_en.clone(),
                ..Default::default()
            };
            let missing = form.missing();
            DashboardProduct {
                id: r.id,
                slug: r.slug,
                name: Text::new(r.name_vi, r.name_en),
                status: ProductStatus::from_db(&r.status),
                price_vnd: r.price_vnd,
                stock: r.stock,
                unit: Text::new(r.unit_vi, r.unit_en),
                missing_vi: missing.iter().any(|f| f.ends_with("_vi")),
                missing_en: missing.iter().any(|f| f.ends_with("_en")),
                updated_at: r.updated_at,
                hidden_reason: r.hidden_reason,
            }
        })
        .collect())
}

/// The product ownership rule (a product is its cooperative's until deleted) is kept by the
/// lowest domain that writes a product's rows, the photos, so that every domain checks one rule.
pub use crate::media::service::check_owned;

#[derive(sqlx::FromRow)]
struct EditRow {
    status: String,
    name_vi: String,
    name_en: String,
    description_vi: String,
    description_en: String,
    unit_vi: String,
    unit_en: String,
    group_slug: String,
    price_vnd: i64,
    stock: i64,
    weight_grams: Option<i64>,
    slug: String,
}

#[instrument(skip(db))]
pub async fn product_for_edit(
    db: &Db,
    coop_id: i64,
    product_id: i64,
    today: &str,
) -> Result<EditableProduct, AppError> {
    check_owned(db, coop_id, product_id).await?;
    let r: EditRow = sqlx::query_as(
        "SELECT p.status, p.name_vi, p.name_en, p.description_vi, p.description_en, p.unit_vi, p.unit_en, \
         g.slug AS group_slug, p.price_vnd, p.stock, p.weight_grams, p.slug \
         FROM products p JOIN product_groups g ON g.id = p.group_id WHERE p.id = $1",
    )
    .bind(product_id)
    .fetch_one(&db.pool)
    .await?;
    Ok(EditableProduct {
        id: product_id,
        status: ProductStatus::from_db(&r.status),
        form: ProductForm {
            name_vi: r.name_vi,
            name_en: r.name_en,
            description_vi: r.description_vi,
            description_en: r.description_en,
            unit_vi: r.unit_vi,
            unit_en: r.unit_en,
            group: r.group_slug,
            price_vnd: r.price_vnd.to_string(),
            stock: String::new(),
            weight_grams: r.weight_grams.map(|w| w.to_string()).unwrap_or_default(),
            slug: r.slug,
        },
        certificate: certificate(db, product_id, today).await?,
        listings: listings(db, product_id).await?,
        photos: crate::media::service::photos(db, product_id).await?,
        stock: r.stock,
        stock_moves: stock_moves(db, product_id).await?,
    })
}

pub async fn groups(db: &Db) -> Result<Vec<GroupOption>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        slug: String,
        name_vi: String,
        name_en: String,
    }
    let rows: Vec<Row> =
        sqlx::query_as("SELECT slug, name_vi, name_en FROM product_groups ORDER BY position, id")
            .fetch_all(&db.pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|r| GroupOption { slug: r.slug, name: Text::new(r.name_vi, r.name_en) })
        .collect())
}

/// The product's values, checked.
struct Valid {
    group_id: i64,
    price_vnd: i64,
    stock: i64,
    weight_grams: Option<i64>,
    slug: String,
}

const MAX_PRICE_VND: i64 = 1_000_000_000;

/// Checks the product form; `product_id` is the product being edited (`None` for a new one, whose
/// form also carries its starting stock).
async fn validate(db: &Db, form: &ProductForm, product_id: Option<i64>) -> Result<Valid, AppError> {
    let mut errors = Vec::new();
    let mut limit = |field: &str, value: &str, max: usize| {
        if value.trim().chars().count() > max {
            errors.push(FieldError::new(field, crate::error::FieldCode::TooLong));
        }
    };
    limit("name_vi", &form.name_vi, 200);
    limit("name_en", &form.name_en, 200);
    limit("description_vi", &form.description_vi, 5000);
    limit("description_en", &form.description_en, 5000);
    limit("unit_vi", &form.unit_vi, 40);
    limit("unit_en", &form.unit_en, 40);
    if form.name_vi.trim().is_empty() && form.name_en.trim().is_empty() {
        errors.push(FieldError::new("name_vi", crate::error::FieldCode::NameOneLanguage));
    }
    let price = parse_vnd(&form.price_vnd).filter(|p| *p <= MAX_PRICE_VND);
    if price.is_none() {
        errors.push(FieldError::new("price_vnd", crate::error::FieldCode::PriceInvalid));
    }
    // An edit never touches stock (it moves by adjustments, sales and cancellations).
    let stock = if product_id.is_some() { Some(0) } else { parse_count(&form.stock) };
    if stock.is_none() {
        errors.push(FieldError::new("stock", crate::error::FieldCode::CountInvalid));
    }
    let weight = if form.weight_grams.trim().is_empty() {
        Some(None)
    } else {
        parse_count(&form.weight_grams).filter(|w| *w > 0).map(Some)
    };
    if weight.is_none() {
        errors.push(FieldError::new("weight_grams", crate::error::FieldCode::CountInvalid));
    }
    let group_id = sqlx::query_scalar::<_, i64>("SELECT id FROM product_groups WHERE slug = $1")
        .bind(&form.group)
        .fetch_optional(&db.pool)
        .await?;
    if group_id.is_none() {
        errors.push(FieldError::new("group", crate::error::FieldCode::Required));
    }
    let name = if form.name_vi.trim().is_empty() { &form.name_en } else { &form.name_vi };
    let wanted = if form.slug.trim().is_empty() { slugify(name) } else { slugify(&form.slug) };
    let slug = if form.slug.trim().is_empty() {
        free_slug(db, &wanted, product_id).await?
    } else if wanted.is_empty() {
        errors.push(FieldError::new("slug", crate::error::FieldCode::SlugInvalid));
        String::new()
    } else if slug_taken(db, &wanted, product_id).await? {
        errors.push(FieldError::new("slug", crate::error::FieldCode::SlugTaken));
        wanted
    } else {
        wanted
    };
    match (group_id, price, stock, weight) {
        (Some(group_id), Some(price_vnd), Some(stock), Some(weight_grams)) if errors.is_empty() => {
            Ok(Valid { group_id, price_vnd, stock, weight_grams, slug })
        }
        _ => Err(AppError::Validation(errors)),
    }
}

async fn slug_taken(db: &Db, slug: &str, except: Option<i64>) -> Result<bool, sqlx::Error> {
    let mut sql = Sql::new("SELECT COUNT(*) FROM products WHERE slug = ");
    sql.bind(slug.to_owned());
    if let Some(id) = except {
        sql.push(" AND id <> ").bind(id);
    }
    Ok(sql.query_scalar::<i64>()?.fetch_one(&db.pool).await? > 0)
}

/// `base`, or `base-2`, `base-3`… whichever is free (deleted products keep theirs, so old links
/// never point at a different product).
async fn free_slug(db: &Db, base: &str, except: Option<i64>) -> Result<String, sqlx::Error> {
    let base = if base.is_empty() { "san-pham" } else { base };
    let mut candidate = base.to_owned();
    let mut n = 2;
    while slug_taken(db, &candidate, except).await? {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    Ok(candidate)
}

fn trimmed(s: &str) -> String {
    s.trim().to_owned()
}

/// Creates a draft product with its starting stock (recorded as the first movement, by
/// `creator`); returns its id.
#[instrument(skip(db, form))]
pub async fn create_product(
    db: &Db,
    coop_id: i64,
    creator: Option<i64>,
    form: &ProductForm,
    now: i64,
) -> Result<i64, AppError> {
    let v = validate(db, form, None).await?;
    let mut tx = db.begin_write().await?;
    let row = bind_texts(
        sqlx::query(
            "INSERT INTO products (name_vi, name_en, description_vi, description_en, unit_vi, unit_en, \
             search_text, sort_name_vi, sort_name_en, slug, cooperative_id, group_id, price_vnd, stock, \
             weight_grams, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'draft', $16, $17) \
             RETURNING id",
        ),
        form,
    )
    .bind(v.slug)
    .bind(coop_id)
    .bind(v.group_id)
    .bind(v.price_vnd)
    .bind(v.stock)
    .bind(v.weight_grams)
    .bind(now)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(slug_conflict)?;
    let id: i64 = sqlx::Row::try_get(&row, 0)?;
    if v.stock > 0 {
        let first = StockMoveRecord {
            delta: v.stock,
            stock_after: v.stock,
            reason: StockReason::Initial,
            user_id: creator,
            ..Default::default()
        };
        record_stock_move(&mut tx, id, first, now).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// A stock movement to record, in the transaction that moved the stock.
#[derive(Debug, Clone)]
pub struct StockMoveRecord {
    pub delta: i64,
    pub stock_after: i64,
    pub reason: StockReason,
    pub note: String,
    pub user_id: Option<i64>,
    pub order_id: Option<i64>,
}

impl Default for StockMoveRecord {
    fn default() -> Self {
        StockMoveRecord {
            delta: 0,
            stock_after: 0,
            reason: StockReason::Correction,
            note: String::new(),
            user_id: None,
            order_id: None,
        }
    }
}

/// Writes one stock movement of `product_id` on `conn` (the moving transaction's connection).
pub async fn record_stock_move(
    conn: &mut sqlx::AnyConnection,
    product_id: i64,
    m: StockMoveRecord,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO stock_movements (product_id, delta, stock_after, reason, note, user_id, order_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(product_id)
    .bind(m.delta)
    .bind(m.stock_after)
    .bind(m.reason.as_db())
    .bind(m.note)
    .bind(m.user_id)
    .bind(m.order_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The latest `STOCK_MOVES_SHOWN` movements of a product, newest first.
pub async fn stock_moves(db: &Db, product_id: i64) -> Result<Vec<StockMove>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        at: i64,
        delta: i64,
        stock_after: i64,
        reason: String,
        note: String,
        by: Option<String>,
        order_number: Option<String>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT m.at, m.delta, m.stock_after, m.reason, m.note, u.display_name AS by, o.number AS order_number \
         FROM stock_movements m LEFT JOIN users u ON u.id = m.user_id LEFT JOIN orders o ON o.id = m.order_id \
         WHERE m.product_id = $1 ORDER BY m.at DESC, m.id DESC LIMIT $2",
    )
    .bind(product_id)
    .bind(STOCK_MOVES_SHOWN)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(StockMove {
                at: r.at,
                delta: r.delta,
                stock_after: r.stock_after,
                reason: StockReason::from_db(&r.reason)?,
                note: r.note,
                by: r.by,
                order_number: r.order_number,
            })
        })
        .collect())
}

const STOCK_MOVES_SHOWN: i64 = 20;

/// Moves a product's stock by a member's adjustment ("+20 received", "-3 written off"), as a
/// delta on the stock as it is when the adjustment lands: sales in the meantime are never
/// undone. Stock cannot go below 0. Returns the stock after.
#[instrument(skip(db, form))]
pub async fn adjust_stock(
    db: &Db,
    coop_id: i64,
    user_id: i64,
    product_id: i64,
    form: &StockAdjustment,
    now: i64,
) -> Result<i64, AppError> {
    check_owned(db, coop_id, product_id).await?;
    let (delta, reason, note) = check_adjustment(form).map_err(AppError::Validation)?;
    let mut tx = db.begin_write().await?;
    let after = sqlx::query_scalar::<_, i64>(
        "UPDATE products SET stock = stock + $1, updated_at = $2 WHERE id = $3 AND cooperative_id = $4 \
         AND stock + $5 >= 0 RETURNING stock",
    )
    .bind(delta)
    .bind(now)
    .bind(product_id)
    .bind(coop_id)
    .bind(delta)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(after) = after else {
        return Err(AppError::Validation(vec![FieldError::new(
            "delta",
            crate::error::FieldCode::StockBelowZero,
        )]));
    };
    let moved =
        StockMoveRecord { delta, stock_after: after, reason, note, user_id: Some(user_id), order_id: None };
    record_stock_move(&mut tx, product_id, moved, now).await?;
    tx.commit().await?;
    crate::changes::catalogue_changed(db);
    Ok(after)
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds `$1` to `$9` of a product's INSERT or UPDATE: its six texts, trimmed, then the search
/// text and the two folded names the list sorts by.
fn bind_texts<'q>(query: AnyQuery<'q>, form: &ProductForm) -> AnyQuery<'q> {
    [&form.name_vi, &form.name_en, &form.description_vi, &form.description_en, &form.unit_vi, &form.unit_en]
        .into_iter()
        .fold(query, |query, text| query.bind(trimmed(text)))
        .bind(search_text(&form.name_vi, &form.name_en, &form.description_vi, &form.description_en))
        .bind(fold(&form.name_vi))
        .bind(fold(&form.name_en))
}

/// Two saves racing for one slug: the loser gets the field error.
fn slug_conflict(e: sqlx::Error) -> AppError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            AppError::Validation(vec![FieldError::new("slug", crate::error::FieldCode::SlugTaken)])
        }
        _ => AppError::from(e),
    }
}

#[instrument(skip(db, form))]
pub async fn update_product(
    db: &Db,
    coop_id: i64,
    product_id: i64,
    form: &ProductForm,
    now: i64,
) -> Result<(), AppError> {
    check_owned(db, coop_id, product_id).await?;
    let v = validate(db, form, Some(product_id)).await?;
    bind_texts(
        sqlx::query(
            "UPDATE products SET name_vi = $1, name_en = $2, description_vi = $3, description_en = $4, \
             unit_vi = $5, unit_en = $6, search_text = $7, sort_name_vi = $8, sort_name_en = $9, \
             slug = $10, group_id = $11, price_vnd = $12, weight_grams = $13, updated_at = $14 \
             WHERE id = $15 AND cooperative_id = $16",
        ),
        form,
    )
    .bind(v.slug)
    .bind(v.group_id)
    .bind(v.price_vnd)
    .bind(v.weight_grams)
    .bind(now)
    .bind(product_id)
    .bind(coop_id)
    .execute(&db.pool)
    .await
    .map_err(slug_conflict)?;
    crate::changes::catalogue_changed(db);
    Ok(())
}

/// Publishes or unpublishes (back to draft).
#[instrument(skip(db))]
pub async fn set_published(
    db: &Db,
    coop_id: i64,
    product_id: i64,
    publish: bool,
    now: i64,
) -> Result<(), AppError> {
    check_owned(db, coop_id, product_id).await?;
    if publish {
        let hidden: Option<String> = sqlx::query_scalar("SELECT hidden_reason FROM products WHERE id = $1")
            .bind(product_id)
            .fetch_one(&db.pool)
            .await?;
        if hidden.is_some() {
            // The department hid it: only an admin brings it back.
            return Err(AppError::Conflict(crate::error::ConflictCode::HiddenByDepartment));
        }
    }
    sqlx::query("UPDATE products SET status = $1, updated_at = $2 WHERE id = $3 AND cooperative_id = $4")
        .bind(if publish { "published" } else { "draft" })
        .bind(now)
        .bind(product_id)
        .bind(coop_id)
        .execute(&db.pool)
        .await?;
    crate::changes::catalogue_changed(db);
    Ok(())
}

/// Soft delete: the product leaves the shop and the dashboard; its row, orders and slug stay.
#[instrument(skip(db))]
pub async fn delete_product(db: &Db, coop_id: i64, product_id: i64, now: i64) -> Result<(), AppError> {
    check_owned(db, coop_id, product_id).await?;
    sqlx::query(
        "UPDATE products SET status = 'deleted', updated_at = $1 WHERE id = $2 AND cooperative_id = $3",
    )
    .bind(now)
    .bind(product_id)
    .bind(coop_id)
    .execute(&db.pool)
    .await?;
    crate::changes::catalogue_changed(db);
    Ok(())
}

/// Days from `today` to `date` (negative when past), both `YYYY-MM-DD`.
fn days_between(today: &str, date: &str) -> Option<i64> {
    let (a, b) = (parse_date(today)?, parse_date(date)?);
    Some((b - a).whole_days())
}

/// The product's latest certificate, as the editor shows it on `today`.
pub async fn certificate(db: &Db, product_id: i64, today: &str) -> Result<Option<CertificateInfo>, AppError> {
    let row = latest_certificate(db, product_id).await?;
    Ok(row.map(|r| CertificateInfo {
        state: certificate_state(&r.expires_on, today, days_between(today, &r.expires_on)),
        expires_on: r.expires_on,
        form: CertificateForm {
            stars: r.stars.to_string(),
            council: r.council,
            decision_no: r.decision_no,
            issued_on: r.issued_on,
        },
    }))
}

/// Records the product's OCOP certificate: it replaces the latest one, or is the first. The
/// expiry is always computed (issue + 36 months), never typed.
#[instrument(skip(db, form))]
pub async fn save_certificate(
    db: &Db,
    coop_id: i64,
    product_id: i64,
    form: &CertificateForm,
    today: &str,
    now: i64,
) -> Result<(), AppError> {
    check_owned(db, coop_id, product_id).await?;
    let mut errors = Vec::new();
    let stars = form.stars.trim().parse::<i64>().ok().filter(|s| (3..=5).contains(s));
    if stars.is_none() {
        errors.push(FieldError::new("stars", crate::error::FieldCode::StarsInvalid));
    }
    let council = match form.council.as_str() {
        "provincial" | "national" => Some(form.council.clone()),
        _ => {
            errors.push(FieldError::new("council", crate::error::FieldCode::Required));
            None
        }
    };
    let decision_no = form.decision_no.trim();
    if decision_no.is_empty() {
        errors.push(FieldError::new("decision_no", crate::error::FieldCode::Required));
    } else if decision_no.chars().count() > 60 {
        errors.push(FieldError::new("decision_no", crate::error::FieldCode::TooLong));
    }
    let issued = parse_date(&form.issued_on).filter(|d| d.to_string().as_str() <= today);
    if issued.is_none() {
        errors.push(FieldError::new("issued_on", crate::error::FieldCode::DateInvalid));
    }
    let (Some(stars), Some(council), Some(issued)) = (stars, council, issued) else {
        return Err(AppError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let expires = expiry(issued).to_string();
    let latest = latest_certificate(db, product_id).await?.map(|c| c.id);
    match latest {
        Some(id) => {
            sqlx::query(
                "UPDATE certificates SET stars = $1, council = $2, decision_no = $3, issued_on = $4, \
                 expires_on = $5, is_demo = 0 WHERE id = $6",
            )
            .bind(stars)
            .bind(council)
            .bind(decision_no)
            .bind(issued.to_string())
            .bind(expires)
            .bind(id)
            .execute(&db.pool)
            .await?;
        }
        None => {
            sqlx::query(
                "INSERT INTO certificates (product_id, stars, council, decision_no, issued_on, expires_on, \
                 is_demo, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7)",
            )
            .bind(product_id)
            .bind(stars)
            .bind(council)
            .bind(decision_no)
            .bind(issued.to_string())
            .bind(expires)
            .bind(now)
            .execute(&db.pool)
            .await?;
        }
    }
    sqlx::query("UPDATE products SET updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(product_id)
        .execute(&db.pool)
        .await?;
    crate::changes::catalogue_changed(db);
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ListingRow {
    id: i64,
    channel: String,
    url: String,
}

/// The product's links on other marketplaces, oldest first.
pub async fn listings(db: &Db, product_id: i64) -> Result<Vec<ChannelListing>, sqlx::Error> {
    let rows: Vec<ListingRow> =
        sqlx::query_as("SELECT id, channel, url FROM channel_listings WHERE product_id = $1 ORDER BY id")
            .bind(product_id)
            .fetch_all(&db.pool)
            .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some(ChannelListing { id: r.id, channel: Channel::from_db(&r.channel)?, url: r.url }))
        .collect())
}

/// An http(s) address with a host; for a known marketplace, on that marketplace's domain.
pub fn check_listing_url(channel: Channel, url: &str) -> Result<String, FieldError> {
    let parsed = url::Url::parse(url.trim())
        .map_err(|_| FieldError::new("url", crate::error::FieldCode::UrlInvalid))?;
    let host = match (parsed.scheme(), parsed.host_str()) {
        ("http" | "https", Some(host)) if url.trim().len() <= 2000 => host.to_ascii_lowercase(),
        _ => return Err(FieldError::new("url", crate::error::FieldCode::UrlInvalid)),
    };
    if let Some(domain) = channel.domain()
        && host != domain
        && !host.ends_with(&format!(".{domain}"))
    {
        return Err(FieldError::new("url", crate::error::FieldCode::UrlWrongChannel));
    }
    Ok(parsed.to_string())
}

/// At most this many links per product.
pub const MAX_LISTINGS: i64 = 20;

#[instrument(skip(db))]
pub async fn add_listing(
    db: &Db,
    coop_id: i64,
    product_id: i64,
    channel: Channel,
    url: &str,
    now: i64,
) -> Result<i64, AppError> {
    check_owned(db, coop_id, product_id).await?;
    let url = check_listing_url(channel, url).map_err(|e| AppError::Validation(vec![e]))?;
    // Counted under the product's lock, so that links sent at once cannot pass the limit together.
    let mut tx = db.begin_write().await?;
    tx.lock_row("SELECT id FROM products WHERE id = ", product_id).await?;
    let count = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM channel_listings WHERE product_id = $1")
        .bind(product_id)
        .fetch_one(&mut *tx)
        .await?;
    if count >= MAX_LISTINGS {
        return Err(AppError::Validation(vec![FieldError::new("url", crate::error::FieldCode::TooMany)]));
    }
    let id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO channel_listings (product_id, channel, url, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(product_id)
    .bind(channel.as_db())
    .bind(url)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            AppError::Validation(vec![FieldError::new("url", crate::error::FieldCode::UrlDuplicate)])
        }
        _ => AppError::from(e),
    })?;
    tx.commit().await?;
    Ok(id)
}

/// Removes a link; the link must belong to one of the cooperative's products.
#[instrument(skip(db))]
pub async fn remove_listing(db: &Db, coop_id: i64, listing_id: i64) -> Result<(), AppError> {
    let product_id: i64 = sqlx::query_scalar("SELECT product_id FROM channel_listings WHERE id = $1")
        .bind(listing_id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    check_owned(db, coop_id, product_id).await?;
    sqlx::query("DELETE FROM channel_listings WHERE id = $1").bind(listing_id).execute(&db.pool).await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ProfileRow {
    slug: String,
    name_vi: String,
    name_en: String,
    story_vi: String,
    story_en: String,
    district: Option<String>,
    commune: Option<String>,
    contact_name: Option<String>,
    contact_phone: Option<String>,
    contact_email: Option<String>,
    show_phone: i64,
    show_zalo: i64,
    show_email: i64,
    free_shipping_from_vnd: Option<i64>,
    unpaid_after_days: i64,
    logo_key: Option<String>,
    bank_bin: Option<String>,
    bank_account: Option<String>,
    bank_holder: Option<String>,
}

#[instrument(skip(db))]
pub async fn profile(db: &Db, coop_id: i64) -> Result<CoopProfile, AppError> {
    let r: ProfileRow = sqlx::query_as(
        "SELECT c.slug, c.name_vi, c.name_en, c.story_vi, c.story_en, d.slug AS district, c.commune, \
         c.contact_name, c.contact_phone, c.contact_email, c.show_phone, c.show_zalo, c.show_email, \
         c.free_shipping_from_vnd, c.unpaid_after_days, c.logo_key, \
         c.bank_bin, c.bank_account, c.bank_holder FROM cooperatives c LEFT JOIN districts d ON d.id = c.district_id WHERE c.id = $1",
    )
    .bind(coop_id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(CoopProfile {
        name: Text::new(r.name_vi, r.name_en),
        slug: r.slug,
        form: ProfileForm {
            story_vi: r.story_vi,
            story_en: r.story_en,
            district: r.district.unwrap_or_default(),
            commune: r.commune.unwrap_or_default(),
            contact_name: r.contact_name.unwrap_or_default(),
            contact_phone: r.contact_phone.unwrap_or_default(),
            contact_email: r.contact_email.unwrap_or_default(),
            show_phone: r.show_phone == 1,
            show_zalo: r.show_zalo == 1,
            show_email: r.show_email == 1,
            free_shipping_from: r.free_shipping_from_vnd.map(|v| v.to_string()).unwrap_or_default(),
            unpaid_after_days: r.unpaid_after_days.to_string(),
            bank_bin: r.bank_bin.unwrap_or_default(),
            bank_account: r.bank_account.unwrap_or_default(),
            bank_holder: r.bank_holder.unwrap_or_default(),
        },
        logo_url: r.logo_key.as_deref().map(crate::media::model::media_url),
    })
}

/// The bank details, checked: all three fields empty (no bank transfers), or a known bank, an
/// account of 6 to 19 digits, and a holder's name that banks can print.
struct Bank {
    bin: String,
    account: String,
    holder: String,
}

fn check_bank(form: &ProfileForm, errors: &mut Vec<FieldError>) -> Option<Bank> {
    let bin = form.bank_bin.trim();
    let account: String = form.bank_account.chars().filter(|c| !c.is_whitespace()).collect();
    let holder = form.bank_holder.trim();
    if bin.is_empty() && account.is_empty() && holder.is_empty() {
        return None;
    }
    let before = errors.len();
    if !BANKS.iter().any(|(b, _)| *b == bin) {
        errors.push(FieldError::new("bank_bin", crate::error::FieldCode::Required));
    }
    if !(6..=19).contains(&account.len()) || !account.chars().all(|c| c.is_ascii_digit()) {
        errors.push(FieldError::new("bank_account", crate::error::FieldCode::AccountInvalid));
    }
    let name = bank_holder_name(holder).filter(|n| !n.is_empty());
    match &name {
        None => errors.push(FieldError::new("bank_holder", crate::error::FieldCode::HolderInvalid)),
        Some(n) if n.len() > 50 => {
            errors.push(FieldError::new("bank_holder", crate::error::FieldCode::TooLong))
        }
        Some(_) => {}
    }
    (errors.len() == before).then(|| Bank { bin: bin.to_owned(), account, holder: name.unwrap_or_default() })
}

/// Saves the profile. Contact fields may be empty; when given they must be a Vietnamese phone
/// number and an email address.
#[instrument(skip(db, form))]
pub async fn update_profile(db: &Db, coop_id: i64, form: &ProfileForm) -> Result<(), AppError> {
    use crate::accounts::service::{check_email, check_phone, normalize_email};
    let mut errors = Vec::new();
    for (field, value, max) in [
        ("story_vi", &form.story_vi, 5000),
        ("story_en", &form.story_en, 5000),
        ("commune", &form.commune, 80),
        ("contact_name", &form.contact_name, 80),
    ] {
        if value.trim().chars().count() > max {
            errors.push(FieldError::new(field, crate::error::FieldCode::TooLong));
        }
    }
    let email = normalize_email(&form.contact_email);
    if !form.contact_phone.trim().is_empty()
        && let Some(e) = check_phone("contact_phone", &form.contact_phone)
    {
        errors.push(e);
    }
    if !email.is_empty() && check_email(&email).is_some() {
        errors.push(FieldError::new("contact_email", crate::error::FieldCode::EmailInvalid));
    }
    let district_id: Option<i64> = sqlx::query_scalar("SELECT id FROM districts WHERE slug = $1")
        .bind(&form.district)
        .fetch_optional(&db.pool)
        .await?;
    if district_id.is_none() {
        errors.push(FieldError::new("district", crate::error::FieldCode::Required));
    }
    let free_from: Option<i64> = match form.free_shipping_from.trim().replace(['.', ' '], "") {
        empty if empty.is_empty() => None,
        digits => match digits.parse::<i64>() {
            Ok(v) if (0..=100_000_000).contains(&v) => Some(v),
            _ => {
                errors.push(FieldError::new("free_shipping_from", crate::error::FieldCode::Invalid));
                None
            }
        },
    };
    let unpaid_after_days = match form.unpaid_after_days.trim() {
        "" => 3,
        days => match days.parse::<i64>() {
            Ok(d) if (1..=30).contains(&d) => d,
            _ => {
                errors.push(FieldError::new("unpaid_after_days", crate::error::FieldCode::Invalid));
                3
            }
        },
    };
    let bank = check_bank(form, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let optional = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let (bin, account, holder) = match bank {
        Some(b) => (Some(b.bin), Some(b.account), Some(b.holder)),
        None => (None, None, None),
    };
    sqlx::query(
        "UPDATE cooperatives SET story_vi = $1, story_en = $2, district_id = $3, commune = $4, \
         contact_name = $5, contact_phone = $6, contact_email = $7, bank_bin = $8, bank_account = $9, \
         bank_holder = $10, show_phone = $12, show_zalo = $13, show_email = $14, free_shipping_from_vnd = $15, \
         unpaid_after_days = $16 WHERE id = $11",
    )
    .bind(trimmed(&form.story_vi))
    .bind(trimmed(&form.story_en))
    .bind(district_id)
    .bind(optional(&form.commune))
    .bind(optional(&form.contact_name))
    .bind(optional(&form.contact_phone))
    .bind(optional(&email))
    .bind(bin)
    .bind(account)
    .bind(holder)
    .bind(coop_id)
    .bind(i64::from(form.show_phone))
    .bind(i64::from(form.show_zalo))
    .bind(i64::from(form.show_email))
    .bind(free_from)
    .bind(unpaid_after_days)
    .execute(&db.pool)
    .await?;
    crate::changes::catalogue_changed(db);
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ContactRow {
    contact_phone: Option<String>,
    contact_email: Option<String>,
    show_phone: i64,
    show_zalo: i64,
    show_email: i64,
}

/// The contacts a cooperative shows (those it turned on and filled in).
pub async fn contact(db: &Db, coop_id: i64) -> Result<super::contact::Contact, sqlx::Error> {
    let row: Option<ContactRow> = sqlx::query_as(
        "SELECT contact_phone, contact_email, show_phone, show_zalo, show_email FROM cooperatives WHERE id = $1",
    )
    .bind(coop_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(r) = row else { return Ok(Default::default()) };
    let phone = r.contact_phone.filter(|p| !p.trim().is_empty());
    Ok(super::contact::Contact {
        phone: phone.clone().filter(|_| r.show_phone == 1),
        zalo: phone.filter(|_| r.show_zalo == 1),
        email: r.contact_email.filter(|e| !e.trim().is_empty() && r.show_email == 1),
    })
}
