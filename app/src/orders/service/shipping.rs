//! Shipping prices: the department's rate table, and the carrier that quotes a parcel. Checkout
//! asks a `Carrier` for each cooperative's parcel; today's one carrier is the rate table, and a
//! carrier's live quote (GHN, GHTK, Viettel Post, VNPost) can take its place without touching
//! checkout.
use futures::future::BoxFuture;

use super::super::shipping::*;
use crate::db::Db;
use crate::error::{AppError, FieldCode, FieldError};

/// Quotes parcels.
pub trait Carrier: Send + Sync {
    fn quote<'a>(&'a self, parcel: &'a Parcel) -> BoxFuture<'a, Result<Quote, AppError>>;
}

/// The department's rate table, as a carrier.
pub struct TableCarrier(pub RateTable);

impl Carrier for TableCarrier {
    fn quote<'a>(&'a self, parcel: &'a Parcel) -> BoxFuture<'a, Result<Quote, AppError>> {
        Box::pin(async move {
            quote_by_table(&self.0, parcel).ok_or_else(|| {
                tracing::error!("the shipping rate table has no rates for a zone");
                AppError::Internal
            })
        })
    }
}

/// The rate table as stored.
pub async fn rate_table(conn: &mut sqlx::AnyConnection) -> Result<RateTable, sqlx::Error> {
    let steps: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT zone, up_to_grams, fee_vnd FROM shipping_rates ORDER BY zone, up_to_grams")
            .fetch_all(&mut *conn)
            .await?;
    let beyond: Vec<(String, i64)> =
        sqlx::query_as("SELECT zone, per_500g_vnd FROM shipping_beyond").fetch_all(&mut *conn).await?;
    Ok(RateTable {
        steps: steps.into_iter().filter_map(|(z, g, f)| Some((Zone::from_key(&z)?, g, f))).collect(),
        beyond: beyond.into_iter().filter_map(|(z, f)| Some((Zone::from_key(&z)?, f))).collect(),
    })
}

/// The carrier that quotes checkouts now: the rate table.
pub async fn carrier(conn: &mut sqlx::AnyConnection) -> Result<Box<dyn Carrier>, sqlx::Error> {
    Ok(Box::new(TableCarrier(rate_table(conn).await?)))
}

/// A cooperative's side of its parcels: where it ships from, and from what order value it ships
/// free.
pub async fn origin(conn: &mut sqlx::AnyConnection, coop: i64) -> Result<(String, Option<i64>), sqlx::Error> {
    sqlx::query_as("SELECT province, free_shipping_from_vnd FROM cooperatives WHERE id = $1")
        .bind(coop)
        .fetch_one(&mut *conn)
        .await
}

/// The rate table for the admins' editor.
pub async fn rates(db: &Db) -> Result<RateTable, AppError> {
    let mut conn = db.pool.acquire().await?;
    Ok(rate_table(&mut conn).await?)
}

/// Replaces the rate table: every zone, every step, a fee from 0 to `MAX_FEE_VND` that does not
/// fall as the weight grows. Placed orders keep what they were charged.
pub async fn save_rates(db: &Db, actor: i64, table: &RateTable, now: i64) -> Result<(), AppError> {
    let mut errors = Vec::new();
    for zone in Zone::ALL {
        let mut previous = 0;
        for up_to in STEPS_GRAMS {
            let field = format!("{}_{up_to}", zone.key());
            match table.steps.iter().find(|s| s.0 == zone && s.1 == up_to) {
                Some(&(_, _, fee)) if (0..=MAX_FEE_VND).contains(&fee) && fee >= previous => previous = fee,
                Some(_) => errors.push(FieldError::new(&field, FieldCode::Invalid)),
                None => errors.push(FieldError::new(&field, FieldCode::Required)),
            }
        }
        match table.beyond.iter().find(|b| b.0 == zone) {
            Some(&(_, fee)) if (0..=MAX_FEE_VND).contains(&fee) => {}
            _ => errors.push(FieldError::new(&format!("{}_beyond", zone.key()), FieldCode::Invalid)),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut tx = db.begin_write().await?;
    let before = rate_table(&mut tx).await?;
    sqlx::query("DELETE FROM shipping_rates").execute(&mut *tx).await?;
    sqlx::query("DELETE FROM shipping_beyond").execute(&mut *tx).await?;
    for (zone, up_to, fee) in table.steps.iter().filter(|s| STEPS_GRAMS.contains(&s.1)) {
        sqlx::query("INSERT INTO shipping_rates (zone, up_to_grams, fee_vnd) VALUES ($1, $2, $3)")
            .bind(zone.key())
            .bind(*up_to)
            .bind(*fee)
            .execute(&mut *tx)
            .await?;
    }
    for (zone, fee) in &table.beyond {
        sqlx::query("INSERT INTO shipping_beyond (zone, per_500g_vnd) VALUES ($1, $2)")
            .bind(zone.key())
            .bind(*fee)
            .execute(&mut *tx)
            .await?;
    }
    let audit = crate::audit::Audit {
        actor,
        action: crate::audit::AuditAction::ShippingRates,
        target_id: 0,
        before: serde_json::to_value(&before).ok(),
        after: serde_json::to_value(table).ok(),
        at: now,
    };
    crate::audit::record(&mut tx, audit).await?;
    tx.commit().await?;
    Ok(())
}
