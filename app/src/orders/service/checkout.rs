//! Checkout: the form checked, the orders placed in one transaction (idempotent by the form's
//! key), the receipt and the checkout page's data.
use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use tracing::instrument;

use super::super::shipping::{Parcel, UNKNOWN_ITEM_GRAMS};
use crate::messages::service::Told;

use super::super::model::*;
use super::super::vietqr::{Transfer, qr_svg};
use super::CartOwner;
use super::cart::cart_to;
use crate::accounts::service::check_text;
use crate::coops::model::StockReason;
use crate::coops::service::{StockMoveRecord, record_stock_move};
use crate::db::{Db, Sql};
use crate::error::{AppError, FieldError};
use crate::lang::Text;

/// The checked and normalised checkout form.
struct ValidCheckout {
    key: String,
    lines: Vec<(i64, i64)>,
    /// The unit price each line was shown at, by product.
    shown: Vec<(i64, i64)>,
    payment: Payment,
    address: Address,
    note: String,
    /// The shipping total the page showed, if it said.
    shipping_vnd: Option<i64>,
}

fn check_form(form: &CheckoutForm) -> Result<ValidCheckout, AppError> {
    let mut errors = Vec::new();
    let key = form.idempotency_key.trim().to_owned();
    if !(16..=64).contains(&key.len())
        || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        errors.push(FieldError::new("idempotency_key", crate::error::FieldCode::Invalid));
    }
    let lines = parse_lines(&form.lines);
    if lines.is_none() {
        errors.push(FieldError::new("lines", crate::error::FieldCode::CartInvalid));
    }
    let payment = Payment::from_key(form.payment.trim());
    if payment.is_none() {
        errors.push(FieldError::new("payment", crate::error::FieldCode::Required));
    }
    let a = &form.address;
    errors.extend(check_text("full_name", &a.full_name, 100));
    let phone = normalize_mobile(&a.phone);
    if a.phone.trim().is_empty() {
        errors.push(FieldError::new("phone", crate::error::FieldCode::Required));
    } else if phone.is_none() {
        errors.push(FieldError::new("phone", crate::error::FieldCode::MobileInvalid));
    }
    let province = PROVINCES.iter().find(|p| **p == a.province.trim());
    if province.is_none() {
        errors.push(FieldError::new("province", crate::error::FieldCode::Required));
    }
    if a.district.trim().chars().count() > 100 {
        errors.push(FieldError::new("district", crate::error::FieldCode::TooLong));
    }
    errors.extend(check_text("commune", &a.commune, 100));
    errors.extend(check_text("street", &a.street, 200));
    if form.note.trim().chars().count() > 500 {
        errors.push(FieldError::new("note", crate::error::FieldCode::TooLong));
    }
    match (errors.is_empty(), lines, payment, phone, province) {
        (true, Some(submitted), Some(payment), Some(phone), Some(province)) => Ok(ValidCheckout {
            key,
            lines: submitted.lines,
            shown: submitted.shown,
            payment,
            address: Address {
                full_name: a.full_name.trim().to_owned(),
                phone,
                province: (*province).to_owned(),
                district: a.district.trim().to_owned(),
                commune: a.commune.trim().to_owned(),
                street: a.street.trim().to_owned(),
            },
            note: form.note.trim().to_owned(),
            shipping_vnd: form.shipping_vnd,
        }),
        _ => Err(AppError::Validation(errors)),
    }
}

impl ValidCheckout {
    /// What "the same form" means for a replay: everything but the key.
    fn hash(&self) -> String {
        let mut h = Sha256::new();
        for ((id, qty), (_, price)) in self.lines.iter().zip(&self.shown) {
            h.update(format!("{id}:{qty}@{price};"));
        }
        let a = &self.address;
        let parts: [&str; 8] = [
            self.payment.key(),
            &a.full_name,
            &a.phone,
            &a.province,
            &a.district,
            &a.commune,
            &a.street,
            &self.note,
        ];
        for part in parts {
            h.update(part.as_bytes());
            h.update([0]);
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[derive(sqlx::FromRow)]
struct LineProduct {
    id: i64,
    cooperative_id: i64,
    slug: String,
    name_vi: String,
    name_en: String,
    price_vnd: i64,
    bank_bin: Option<String>,
    weight_grams: Option<i64>,
}

/// `DH261129-000042-1`: the Vietnam date, the checkout and the order's place in it.
pub fn order_number(now: i64, checkout_id: i64, position: usize) -> String {
    let date = crate::clock::vietnam_moment(now).map_or(time::Date::MIN, |t| t.date());
    format!(
        "DH{:02}{:02}{:02}-{checkout_id:06}-{position}",
        date.year().rem_euclid(100),
        date.month() as u8,
        date.day()
    )
}

/// Places the orders of one checkout form: one per cooperative, in one transaction, with the
/// shopper's receipt and each cooperative's notice (`tell`); each new order then goes to the admin
/// dashboard's feed and to its cooperative's open order list, and rings the bells. A replay of the
/// same form (same key) returns the same receipt and tells no one again; the same key with another
/// form is refused.
#[instrument(skip(db, hub, form), fields(key = %form.idempotency_key))]
pub async fn checkout(
    db: &Db,
    hub: &crate::live::hub::Hub,
    user_id: i64,
    form: &CheckoutForm,
    now: i64,
) -> Result<Receipt, AppError> {
    use crate::live::{feed::announce, model::FeedKind};
    // An account orders once its email is confirmed (the link is sent again if not).
    crate::accounts::links::require_verified(db, user_id, now).await?;
    let (receipt, placed) = place(db, user_id, form, now).await?;
    for (id, _, event) in &placed {
        announce(db, hub, FeedKind::Order, *id).await;
        hub.publish(event.clone());
    }
    let told = placed.into_iter().fold(Told::default(), |all, (_, told, _)| all.and(told));
    crate::messages::service::announce(db, hub, told);
    Ok(receipt)
}

/// The checkout, and the orders it placed (none when it was a replay): each one's id, who was told
/// of it, and its event for the cooperative's order list.
async fn place(
    db: &Db,
    user_id: i64,
    form: &CheckoutForm,
    now: i64,
) -> Result<(Receipt, Vec<(i64, Told, crate::live::model::Event)>), AppError> {
    let valid = check_form(form)?;
    let hash = valid.hash();
    let mut tx = db.begin_write().await?;
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO checkouts (user_id, idempotency_key, cart_hash, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, idempotency_key) DO NOTHING RETURNING id",
    )
    .bind(user_id)
    .bind(&valid.key)
    .bind(&hash)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(checkout_id) = inserted else {
        // Back to the pool (and the turn given up) before reading again, so waiting checkouts
        // cannot starve it.
        tx.rollback().await?;
        return Ok((replay(db, user_id, &valid.key, &hash).await?, Vec::new()));
    };

    // Take the stock, in product order (the same order in every checkout: no deadlocks).
    let mut stock_after = Vec::with_capacity(valid.lines.len());
    for &(product_id, quantity) in &valid.lines {
        let after: Option<i64> = sqlx::query_scalar(
            "UPDATE products SET stock = stock - $1 WHERE id = $2 AND stock >= $1 AND status = 'published' \
             AND cooperative_id IN (SELECT id FROM cooperatives WHERE status = 'approved') RETURNING stock",
        )
        .bind(quantity)
        .bind(product_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(after) = after else {
            tx.rollback().await?;
            return Err(AppError::OutOfStock(shortages(db, &valid.lines, product_id).await?));
        };
        stock_after.push((product_id, after));
    }

    let mut sql = Sql::new(
        "SELECT p.id, p.cooperative_id, p.slug, p.name_vi, p.name_en, p.price_vnd, c.bank_bin, p.weight_grams \
         FROM products p JOIN cooperatives c ON c.id = p.cooperative_id WHERE p.id IN (",
    );
    sql.bind_list(valid.lines.iter().map(|l| l.0)).push(") ORDER BY p.id");
    let products: Vec<LineProduct> = sql.query_as()?.fetch_all(&mut *tx).await?;
    // A price changed since the page was shown: nothing is charged that the shopper did not see.
    if products.iter().any(|p| valid.shown.iter().any(|&(id, shown)| id == p.id && shown != p.price_vnd)) {
        tx.rollback().await?;
        return Err(AppError::Conflict(crate::error::ConflictCode::PricesChanged));
    }
    let mut by_coop: BTreeMap<i64, Vec<(&LineProduct, i64)>> = BTreeMap::new();
    for p in &products {
        let quantity = valid.lines.iter().find(|l| l.0 == p.id).map_or(0, |l| l.1);
        by_coop.entry(p.cooperative_id).or_default().push((p, quantity));
    }
    if valid.payment == Payment::BankTransfer && by_coop.values().any(|lines| lines[0].0.bank_bin.is_none()) {
        tx.rollback().await?;
        return Err(AppError::Validation(vec![FieldError::new(
            "payment",
            crate::error::FieldCode::TransferUnavailable,
        )]));
    }

    // Each cooperative's parcel, priced by the carrier for this address (today: the rate table).
    let carrier = super::shipping::carrier(&mut tx).await?;
    let mut quotes = Vec::with_capacity(by_coop.len());
    for (cooperative_id, lines) in &by_coop {
        let (origin, free_from) = super::shipping::origin(&mut tx, *cooperative_id).await?;
        let parcel = Parcel {
            origin,
            destination: valid.address.province.clone(),
            grams: lines.iter().map(|(p, q)| q * p.weight_grams.unwrap_or(UNKNOWN_ITEM_GRAMS)).sum(),
            subtotal_vnd: lines.iter().map(|(p, q)| p.price_vnd * q).sum(),
            free_from_vnd: free_from,
        };
        quotes.push(carrier.quote(&parcel).await?);
    }
    // Nothing is charged that the shopper did not see.
    if valid.shipping_vnd.is_some_and(|shown| shown != quotes.iter().map(|q| q.fee_vnd).sum::<i64>()) {
        tx.rollback().await?;
        return Err(AppError::Conflict(crate::error::ConflictCode::ShippingChanged));
    }

    let mut placed = Vec::with_capacity(by_coop.len());
    for (position, ((cooperative_id, lines), quote)) in by_coop.iter().zip(&quotes).enumerate() {
        let subtotal: i64 = lines.iter().map(|(p, q)| p.price_vnd * q).sum();
        let shipping = quote.fee_vnd;
        let a = &valid.address;
        let order = sqlx::query_scalar(
            "INSERT INTO orders (number, checkout_id, user_id, cooperative_id, status, payment, subtotal_vnd, \
             shipping_vnd, total_vnd, ship_name, ship_phone, ship_province, ship_district, ship_commune, \
             ship_street, note, created_at, updated_at, shipping_zone, parcel_grams) \
             VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17, $18) \
             RETURNING id",
        )
        .bind(order_number(now, checkout_id, position + 1))
        .bind(checkout_id)
        .bind(user_id)
        .bind(*cooperative_id)
        .bind(valid.payment.key())
        .bind(subtotal)
        .bind(shipping)
        .bind(subtotal + shipping);
        let order = [&a.full_name, &a.phone, &a.province, &a.district, &a.commune, &a.street, &valid.note]
            .into_iter()
            .fold(order, |query, text| query.bind(text.as_str()));
        let order_id: i64 =
            order.bind(now).bind(quote.zone.key()).bind(quote.grams).fetch_one(&mut *tx).await?;

        let mut sql = Sql::new(
            "INSERT INTO order_lines (order_id, product_id, product_slug, name_vi, name_en, unit_price_vnd, \
             quantity, line_total_vnd) VALUES ",
        );
        for (i, (p, quantity)) in lines.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" });
            sql.bind(order_id).push(", ").bind(p.id).push(", ").bind(p.slug.clone()).push(", ");
            sql.bind(p.name_vi.clone()).push(", ").bind(p.name_en.clone()).push(", ").bind(p.price_vnd);
            sql.push(", ").bind(*quantity).push(", ").bind(p.price_vnd * quantity).push(")");
        }
        sql.query()?.execute(&mut *tx).await?;
        super::days::count_in(&mut tx, order_id).await?;
        for (p, quantity) in lines {
            let after = stock_after.iter().find(|s| s.0 == p.id).map_or(0, |s| s.1);
            let sold = StockMoveRecord {
                delta: -quantity,
                stock_after: after,
                reason: StockReason::Sale,
                order_id: Some(order_id),
                ..Default::default()
            };
            record_stock_move(&mut tx, p.id, sold, now).await?;
        }
        record_event(&mut tx, order_id, user_id, Actor::Shopper, None, Status::Pending, "", now).await?;
        let (told, event) = super::tell::placed(&mut tx, order_id, now).await?;
        placed.push((order_id, told, event));
    }

    let mut sql = Sql::new("DELETE FROM cart_lines WHERE cart_id IN (SELECT id FROM carts WHERE user_id = ");
    sql.bind(user_id).push(") AND product_id IN (").bind_list(valid.lines.iter().map(|l| l.0)).push(")");
    sql.query()?.execute(&mut *tx).await?;
    tx.commit().await?;
    Ok((receipt(db, user_id, checkout_id).await?, placed))
}

/// A checkout row with this key exists: the same form gets the same receipt, another is refused.
async fn replay(db: &Db, user_id: i64, key: &str, hash: &str) -> Result<Receipt, AppError> {
    #[derive(sqlx::FromRow)]
    struct Existing {
        id: i64,
        cart_hash: String,
    }
    let existing: Existing =
        sqlx::query_as("SELECT id, cart_hash FROM checkouts WHERE user_id = $1 AND idempotency_key = $2")
            .bind(user_id)
            .bind(key)
            .fetch_optional(&db.pool)
            .await?
            .ok_or(AppError::Internal)?;
    if existing.cart_hash != hash {
        return Err(AppError::Conflict(crate::error::ConflictCode::IdempotencyKeyReused));
    }
    receipt(db, user_id, existing.id).await
}

/// Every line the stock cannot cover now, and at least the one that just failed. A product the
/// shopper may not see (a draft, hidden, or of a cooperative not approved) is reported without
/// its name: the answer tells nothing about products that are not for sale.
async fn shortages(db: &Db, lines: &[(i64, i64)], failed: i64) -> Result<Vec<Shortage>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        name_vi: String,
        name_en: String,
        available: i64,
    }
    let mut sql = Sql::new(
        "SELECT p.id, CASE WHEN p.status = 'published' AND c.status = 'approved' THEN p.name_vi ELSE '' END \
         AS name_vi, CASE WHEN p.status = 'published' AND c.status = 'approved' THEN p.name_en ELSE '' END \
         AS name_en, CASE WHEN p.status = 'published' AND c.status = 'approved' \
         THEN p.stock ELSE 0 END AS available FROM products p JOIN cooperatives c ON c.id = p.cooperative_id \
         WHERE p.id IN (",
    );
    sql.bind_list(lines.iter().map(|l| l.0)).push(")");
    let rows: Vec<Row> = sql.query_as()?.fetch_all(&db.pool).await?;
    let mut short = Vec::new();
    for &(product_id, requested) in lines {
        let row = rows.iter().find(|r| r.id == product_id);
        let available = row.map_or(0, |r| r.available);
        if available < requested || product_id == failed {
            short.push(Shortage {
                product_id,
                name: row.map(|r| Text::new(r.name_vi.clone(), r.name_en.clone())).unwrap_or_default(),
                requested,
                available: available.min(requested),
            });
        }
    }
    Ok(short)
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn record_event(
    tx: &mut sqlx::AnyConnection,
    order_id: i64,
    actor_user_id: i64,
    actor: Actor,
    from: Option<Status>,
    to: Status,
    note: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO order_events (order_id, actor_user_id, actor_role, from_status, to_status, note, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(order_id)
    .bind(actor_user_id)
    .bind(actor.key())
    .bind(from.map(|s| s.key()))
    .bind(to.key())
    .bind(note)
    .bind(now)
    .execute(tx)
    .await
    .map(|_| ())
}

#[derive(sqlx::FromRow)]
pub(super) struct PaymentRow {
    pub(super) number: String,
    pub(super) coop_vi: String,
    pub(super) coop_en: String,
    pub(super) total_vnd: i64,
    pub(super) payment: String,
    pub(super) bank_bin: Option<String>,
    pub(super) bank_account: Option<String>,
    pub(super) bank_holder: Option<String>,
}

impl PaymentRow {
    /// The bank and the QR code a bank-transfer order is paid with.
    pub(super) fn transfer(&self) -> Option<TransferDetails> {
        if self.payment != Payment::BankTransfer.key() {
            return None;
        }
        let (bin, account) = (self.bank_bin.clone()?, self.bank_account.clone()?);
        let purpose = format!("OCOP {}", self.number);
        let transfer = Transfer {
            bank_bin: bin.clone(),
            account: account.clone(),
            amount_vnd: Some(self.total_vnd),
            purpose,
        };
        let svg = transfer.payload().and_then(|p| qr_svg(&p));
        match svg {
            Ok(qr_svg) => Some(TransferDetails {
                bank: crate::coops::model::bank_name(&bin),
                account,
                holder: self.bank_holder.clone().unwrap_or_default(),
                purpose: transfer.purpose,
                qr_svg,
            }),
            Err(e) => {
                tracing::error!(error = %e, order = %self.number, "could not build the VietQR code");
                None
            }
        }
    }
}

pub(super) const PAYMENT_SELECT: &str = "SELECT o.number, c.name_vi AS coop_vi, c.name_en AS coop_en, o.total_vnd, \
    o.payment, c.bank_bin, c.bank_account, c.bank_holder FROM orders o \
    JOIN cooperatives c ON c.id = o.cooperative_id";

/// The confirmation of one checkout, built from what was stored (so a replay reads the same).
pub async fn receipt(db: &Db, user_id: i64, checkout_id: i64) -> Result<Receipt, AppError> {
    let mut sql = Sql::new(PAYMENT_SELECT);
    sql.push(" WHERE o.checkout_id = ").bind(checkout_id).push(" AND o.user_id = ").bind(user_id);
    sql.push(" ORDER BY o.id");
    let rows: Vec<PaymentRow> = sql.query_as()?.fetch_all(&db.pool).await?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    let orders: Vec<PlacedOrder> = rows
        .iter()
        .map(|r| PlacedOrder {
            number: r.number.clone(),
            cooperative: Text::new(r.coop_vi.clone(), r.coop_en.clone()),
            total_vnd: r.total_vnd,
            payment: Payment::from_key(&r.payment).unwrap_or_default(),
            transfer: r.transfer(),
        })
        .collect();
    let total_vnd = orders.iter().map(|o| o.total_vnd).sum();
    Ok(Receipt { checkout_id, orders, total_vnd })
}

/// What the checkout page starts from: the cart, the last order's address, a fresh key, and
/// whether every cooperative in the cart takes bank transfers.
pub async fn checkout_data(db: &Db, user_id: i64, province: Option<&str>) -> Result<CheckoutData, AppError> {
    let last: Option<(String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT ship_name, ship_phone, ship_province, ship_district, ship_commune, ship_street \
         FROM orders WHERE user_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(&db.pool)
    .await?;
    let address = last
        .map(|(full_name, phone, province, district, commune, street)| Address {
            full_name,
            phone,
            province,
            district,
            commune,
            street,
        })
        .unwrap_or_default();
    // Shipping is quoted to the province asked for (the form's, as the shopper changes it), else
    // to the last order's, else to each cooperative's own until the shopper picks one.
    let province = province.filter(|p| PROVINCES.contains(p)).map(str::to_owned);
    let address = Address { province: province.clone().unwrap_or(address.province), ..address };
    let to = Some(address.province.as_str()).filter(|p| !p.is_empty());
    let cart = cart_to(db, &CartOwner::User(user_id), to).await?;
    let transfer_available = if cart.is_empty() {
        false
    } else {
        let mut sql = Sql::new("SELECT COUNT(*) FROM cooperatives WHERE bank_bin IS NULL AND id IN (");
        sql.bind_list(cart.groups.iter().map(|g| g.cooperative_id)).push(")");
        sql.query_scalar::<i64>()?.fetch_one(&db.pool).await? == 0
    };
    let (key, _) = crate::accounts::session::new_token();
    Ok(CheckoutData { cart, address, idempotency_key: key, transfer_available })
}

#[cfg(test)]
mod tests {
    use super::order_number;

    #[test]
    fn order_numbers_carry_the_vietnam_date() {
        // 2026-11-29 18:30 UTC is already 30 November in Vietnam (UTC+7).
        assert_eq!(order_number(1_795_977_000, 42, 1), "DH261130-000042-1");
        assert_eq!(order_number(1_796_000_000, 1_234_567, 3), "DH261130-1234567-3");
    }
}
