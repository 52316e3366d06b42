//! Reviews: by buyers of a delivered order, one per product and buyer, and the product's rating.
use tracing::instrument;

use super::super::model::*;
use crate::db::{Db, Sql};
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
    let mut sql = Sql::new(
        "SELECT o.id FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.status = 'delivered' \
         AND o.user_id = ",
    );
    sql.bind(user_id).push(" AND l.product_id = ").bind(product_id).push(" ORDER BY o.id LIMIT 1");
    let order_id: i64 = sql.query_scalar()?.fetch_optional(&db.pool).await?.ok_or(AppError::Forbidden)?;

    let mut tx = db.begin_write().await?;
    let mut sql =
        Sql::new("INSERT INTO reviews (product_id, user_id, order_id, rating, body, created_at) VALUES (");
    sql.bind(product_id).push(", ").bind(user_id).push(", ").bind(order_id).push(", ").bind(rating);
    sql.push(", ").bind(body.to_owned()).push(", ").bind(now);
    sql.push(") ON CONFLICT (product_id, user_id) DO NOTHING RETURNING id");
    if sql.query_scalar::<i64>()?.fetch_optional(&mut *tx).await?.is_none() {
        tx.rollback().await?;
        return Err(AppError::Conflict("already_reviewed".to_owned()));
    }
    let mut sql = Sql::new("UPDATE products SET rating_count = rating_count + 1, rating_sum = rating_sum + ");
    sql.bind(rating).push(" WHERE id = ").bind(product_id);
    sql.query()?.execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// The most reviews a product page lists.
pub const REVIEWS_SHOWN: i64 = 50;

/// A product's rating and its latest reviews.
pub async fn reviews(db: &Db, product_id: i64) -> Result<Reviews, AppError> {
    let mut sql = Sql::new("SELECT rating_count, rating_sum FROM products WHERE id = ");
    sql.bind(product_id);
    let (count, sum): (i64, i64) =
        sql.query_as()?.fetch_optional(&db.pool).await?.ok_or(AppError::NotFound)?;
    #[derive(sqlx::FromRow)]
    struct Row {
        display_name: String,
        rating: i64,
        body: String,
        created_at: i64,
    }
    let mut sql = Sql::new(
        "SELECT u.display_name, r.rating, r.body, r.created_at FROM reviews r JOIN users u ON u.id = r.user_id \
         WHERE r.product_id = ",
    );
    sql.bind(product_id).push(" ORDER BY r.id DESC LIMIT ").bind(REVIEWS_SHOWN);
    let rows: Vec<Row> = sql.query_as()?.fetch_all(&db.pool).await?;
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
