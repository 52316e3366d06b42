//! Reading certificates: the product's latest one, which the storefront shows, the dashboard
//! edits and the traceability page prints.
use crate::db::Db;

/// A certificate as stored.
#[derive(sqlx::FromRow)]
pub struct CertificateRow {
    pub id: i64,
    pub stars: i64,
    pub council: String,
    pub decision_no: String,
    pub issued_on: String,
    pub expires_on: String,
    pub is_demo: i64,
}

/// The product's latest certificate (by issue date), expired or not: the one the storefront shows
/// and the dashboard edits.
pub async fn latest_certificate(db: &Db, product_id: i64) -> Result<Option<CertificateRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, stars, council, decision_no, issued_on, expires_on, is_demo FROM certificates \
         WHERE product_id = $1 ORDER BY issued_on DESC, id DESC LIMIT 1",
    )
    .bind(product_id)
    .fetch_optional(&db.pool)
    .await
}
