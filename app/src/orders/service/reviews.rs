//! Reviews: by buyers of a delivered order, one per product and buyer, and the product's rating.
use tracing::instrument;

use super::super::model::*;
use crate::db::Db;
use crate::error::{AppError, FieldError};

/// A review by a shopper who received the product (a delivered order line), once per product.
#[instrument(skip(db, body))]
pub async fn add_review(
    db: &Db,
    user_id: i64,
    product_id: i64,
    rating: i64,
    body: &str,
    now: i64,
) -> Result<(), AppError> {
    let body = body.trim();
    let mut errors = Vec::new();
    if !(1..=5).contains(&rating) {
        errors.push(FieldError::new("rating", crate::error::FieldCode::RatingInvalid));
    }
    let chars = body.chars().count();
    if chars < REVIEW_MIN_CHARS {
        errors.push(FieldError::new("body", crate::error::FieldCode::ReviewShort));
    } else if chars > REVIEW_MAX_CHARS {
        errors.push(FieldError::new("body", crate::error::FieldCode::TooLong));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let order_id: i64 = sqlx::query_scalar(
        "SELECT o.id FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.status = 'delivered' \
         AND o.user_id = $1 AND l.product_id = $2 ORDER BY o.id LIMIT 1",
    )
    .bind(user_id)
    .bind(product_id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::Forbidden)?;

    let mut tx = db.begin_write().await?;
    let inserted = sqlx::query_scalar::<_, i64>(
        "INSERT INTO reviews (product_id, user_id, order_id, rating, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (product_id, user_id) DO NOTHING RETURNING id",
    )
    .bind(product_id)
    .bind(user_id)
    .bind(order_id)
    .bind(rating)
    .bind(body)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    if inserted.is_none() {
        tx.rollback().await?;
        return Err(AppError::Conflict(crate::error::ConflictCode::AlreadyReviewed));
    }
    sqlx::query(
        "UPDATE products SET rating_count = rating_count + 1, rating_sum = rating_sum + $1 WHERE id = $2",
    )
    .bind(rating)
    .bind(product_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The most reviews a product page lists.
pub const REVIEWS_SHOWN: i64 = 50;

/// A product's rating and its latest reviews.
pub async fn reviews(db: &Db, product_id: i64) -> Result<Reviews, AppError> {
    let (count, sum): (i64, i64) =
        sqlx::query_as("SELECT rating_count, rating_sum FROM products WHERE id = $1")
            .bind(product_id)
            .fetch_optional(&db.pool)
            .await?
            .ok_or(AppError::NotFound)?;
    #[derive(sqlx::FromRow)]
    struct Row {
        display_name: String,
        rating: i64,
        body: String,
        created_at: i64,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT u.display_name, r.rating, r.body, r.created_at FROM reviews r JOIN users u ON u.id = r.user_id \
         WHERE r.product_id = $1 ORDER BY r.id DESC LIMIT $2",
    )
    .bind(product_id)
    .bind(REVIEWS_SHOWN)
    .fetch_all(&db.pool)
    .await?;
    Ok(Reviews {
        count,
        average_x100: if count > 0 { (sum * 100 + count / 2) / count } else { 0 },
        reviews: rows
            .into_iter()
            .map(|r| Review {
                author: r.display_name,
                rating: r.rating,
                body: r.body,
                created_at: r.created_at,
                verified_purchase: true,
            })
            .collect(),
    })
}
