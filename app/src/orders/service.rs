//! Carts, checkout, the order pipeline and reviews: the rules and the SQL, the same on SQLite
//! and PostgreSQL.
//!
//! Checkout is one transaction whose first statement is a write (the idempotency row), so on
//! SQLite it takes the write lock before it reads anything and never has to upgrade a read
//! lock; on PostgreSQL a second submission with the same key waits on that row and then finds
//! the first one's orders. Stock is taken with conditional updates in product order, so two
//! checkouts cannot deadlock and stock cannot go below zero. Every write transaction starts with
//! `Db::begin_write`: on SQLite it takes the process's write turn (so writers queue in order)
//! and the write lock before its first read, so an order move that reads its lines first is
//! never refused for a commit in between.
use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use tracing::instrument;

use super::model::*;
use super::vietqr::{Transfer, qr_svg};
use crate::accounts::service::check_text;
use crate::coops::model::StockReason;
use crate::coops::service::{StockMoveRecord, record_stock_move};
use crate::db::{Db, Sql};
use crate::error::{AppError, FieldError};
use crate::lang::Text;

/// Whose cart: an account's, or an anonymous visitor's (the hash of their cart cookie's token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CartOwner {
    User(i64),
    Anonymous(String),
}

/// Who is looking at or moving an order: the shopper who placed it, or a member of its cooperative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Shopper(i64),
    Cooperative(i64),
}

impl Scope {
    fn actor(self) -> Actor {
        match self {
            Scope::Shopper(_) => Actor::Shopper,
            Scope::Cooperative(_) => Actor::Cooperative,
        }
    }

    /// ` AND o.user_id = $n` or ` AND o.cooperative_id = $n`.
    fn restrict(self, sql: &mut Sql) {
        match self {
            Scope::Shopper(user) => sql.push(" AND o.user_id = ").bind(user),
            Scope::Cooperative(coop) => sql.push(" AND o.cooperative_id = ").bind(coop),
        };
    }
}

// ---------------------------------------------------------------------------------------------
// Cart

async fn cart_id(db: &Db, owner: &CartOwner) -> Result<Option<i64>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id FROM carts WHERE ");
    match owner {
        CartOwner::User(id) => sql.push("user_id = ").bind(*id),
        CartOwner::Anonymous(hash) => sql.push("token_hash = ").bind(hash.clone()),
    };
    sql.query_scalar()?.fetch_optional(&db.pool).await
}

async fn ensure_cart(db: &Db, owner: &CartOwner, now: i64) -> Result<i64, sqlx::Error> {
    let mut sql = Sql::new("INSERT INTO carts (user_id, token_hash, updated_at) VALUES (");
    match owner {
        CartOwner::User(id) => sql.bind(Some(*id)).push(", ").bind(None::<String>),
        CartOwner::Anonymous(hash) => sql.bind(None::<i64>).push(", ").bind(Some(hash.clone())),
    };
    sql.push(", ").bind(now).push(") ON CONFLICT DO NOTHING");
    sql.query()?.execute(&db.pool).await?;
    cart_id(db, owner).await?.ok_or(sqlx::Error::RowNotFound)
}

#[derive(sqlx::FromRow)]
struct Purchasable {
    price_vnd: i64,
    stock: i64,
}

async fn purchasable(db: &Db, product_id: i64) -> Result<Option<Purchasable>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT p.price_vnd, p.stock FROM products p JOIN cooperatives c ON c.id = p.cooperative_id \
         WHERE p.status = 'published' AND c.status = 'approved' AND p.id = ",
    );
    sql.bind(product_id);
    sql.query_as()?.fetch_optional(&db.pool).await
}

/// The id of the product with this slug.
pub async fn product_id(db: &Db, slug: &str) -> Result<Option<i64>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id FROM products WHERE slug = ");
    sql.bind(slug.to_owned());
    sql.query_scalar()?.fetch_optional(&db.pool).await
}

fn quantity_error(code: &str) -> AppError {
    AppError::Validation(vec![FieldError::new("quantity", code)])
}

/// Puts `quantity` more of a product in the cart. The line may not hold more than is in stock.
#[instrument(skip(db))]
pub async fn add_to_cart(
    db: &Db,
    owner: &CartOwner,
    product_id: i64,
    quantity: i64,
    now: i64,
) -> Result<(), AppError> {
    if !(1..=MAX_QUANTITY).contains(&quantity) {
        return Err(quantity_error("count_invalid"));
    }
    let product = purchasable(db, product_id).await?.ok_or(AppError::NotFound)?;
    let cart = ensure_cart(db, owner, now).await?;
    // Read under the cart's lock, so that lines added at once cannot pass `MAX_LINES` together.
    let mut tx = db.begin_write().await?;
    tx.lock_row("SELECT id FROM carts WHERE id = ", cart).await?;
    let mut sql = Sql::new("SELECT quantity FROM cart_lines WHERE cart_id = ");
    sql.bind(cart).push(" AND product_id = ").bind(product_id);
    let existing: Option<i64> = sql.query_scalar()?.fetch_optional(&mut *tx).await?;
    if existing.is_none() {
        let mut sql = Sql::new("SELECT COUNT(*) FROM cart_lines WHERE cart_id = ");
        sql.bind(cart);
        if sql.query_scalar::<i64>()?.fetch_one(&mut *tx).await? >= MAX_LINES as i64 {
            return Err(quantity_error("cart_full"));
        }
    }
    let total = existing.unwrap_or(0) + quantity;
    if total > product.stock || total > MAX_QUANTITY {
        return Err(quantity_error("stock_short"));
    }
    let mut sql =
        Sql::new("INSERT INTO cart_lines (cart_id, product_id, quantity, seen_price_vnd, added_at) VALUES (");
    sql.bind(cart).push(", ").bind(product_id).push(", ").bind(quantity).push(", ");
    sql.bind(product.price_vnd).push(", ").bind(now);
    sql.push(
        ") ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = cart_lines.quantity + excluded.quantity",
    );
    sql.query()?.execute(&mut *tx).await?;
    tx.commit().await?;
    touch(db, cart, now).await?;
    Ok(())
}

/// Sets a line's quantity; 0 removes it. Lowering a quantity is always allowed, so a shopper
/// can fix a line whose stock fell.
#[instrument(skip(db))]
pub async fn set_quantity(
    db: &Db,
    owner: &CartOwner,
    product_id: i64,
    quantity: i64,
    now: i64,
) -> Result<(), AppError> {
    if !(0..=MAX_QUANTITY).contains(&quantity) {
        return Err(quantity_error("count_invalid"));
    }
    let Some(cart) = cart_id(db, owner).await? else {
        // Nothing to remove from a cart that does not exist.
        return if quantity == 0 { Ok(()) } else { Err(AppError::NotFound) };
    };
    if quantity == 0 {
        let mut sql = Sql::new("DELETE FROM cart_lines WHERE cart_id = ");
        sql.bind(cart).push(" AND product_id = ").bind(product_id);
        sql.query()?.execute(&db.pool).await?;
        return Ok(());
    }
    let mut sql = Sql::new("SELECT quantity FROM cart_lines WHERE cart_id = ");
    sql.bind(cart).push(" AND product_id = ").bind(product_id);
    let current: i64 = sql.query_scalar()?.fetch_optional(&db.pool).await?.ok_or(AppError::NotFound)?;
    if quantity > current {
        let stock = purchasable(db, product_id).await?.map_or(0, |p| p.stock);
        if quantity > stock {
            return Err(quantity_error("stock_short"));
        }
    }
    // Changing the line is looking at it: its price, as now, is the one later changes show against.
    let mut sql = Sql::new("UPDATE cart_lines SET quantity = ");
    sql.bind(quantity).push(", seen_price_vnd = (SELECT p.price_vnd FROM products p WHERE p.id = ");
    sql.bind(product_id).push(") WHERE cart_id = ").bind(cart).push(" AND product_id = ").bind(product_id);
    sql.query()?.execute(&db.pool).await?;
    touch(db, cart, now).await?;
    Ok(())
}

async fn touch(db: &Db, cart: i64, now: i64) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new("UPDATE carts SET updated_at = ");
    sql.bind(now).push(" WHERE id = ").bind(cart);
    sql.query()?.execute(&db.pool).await.map(|_| ())
}

#[derive(sqlx::FromRow)]
struct CartRow {
    product_id: i64,
    quantity: i64,
    seen_price_vnd: i64,
    slug: String,
    name_vi: String,
    name_en: String,
    unit_vi: String,
    unit_en: String,
    photo_key: Option<String>,
    price_vnd: i64,
    stock: i64,
    available: i64,
    coop_id: i64,
    coop_slug: String,
    coop_vi: String,
    coop_en: String,
}

/// The cart as it is now: current prices and stock, grouped by cooperative, with each line's
/// price when the shopper last changed it. Reading it changes nothing: a price change stays
/// marked until the shopper changes the line's quantity or checks out (which carries the prices
/// shown, see `place`).
pub async fn cart(db: &Db, owner: &CartOwner) -> Result<Cart, AppError> {
    let Some(cart) = cart_id(db, owner).await? else { return Ok(Cart::default()) };
    let mut sql = Sql::new(
        "SELECT l.product_id, l.quantity, l.seen_price_vnd, p.slug, p.name_vi, p.name_en, p.unit_vi, \
         p.unit_en, (SELECT ph.small_key FROM product_photos ph WHERE ph.product_id = p.id \
         ORDER BY ph.position, ph.id LIMIT 1) AS photo_key, p.price_vnd, p.stock, \
         CASE WHEN p.status = 'published' AND c.status = 'approved' THEN 1 ELSE 0 END AS available, \
         c.id AS coop_id, c.slug AS coop_slug, c.name_vi AS coop_vi, c.name_en AS coop_en \
         FROM cart_lines l JOIN products p ON p.id = l.product_id \
         JOIN cooperatives c ON c.id = p.cooperative_id WHERE l.cart_id = ",
    );
    sql.bind(cart).push(" ORDER BY c.name_vi, c.id, l.added_at, l.product_id");
    let rows: Vec<CartRow> = sql.query_as()?.fetch_all(&db.pool).await?;
    let mut result = Cart::default();
    for r in rows {
        let line = CartLine {
            product_id: r.product_id,
            slug: r.slug,
            name: Text::new(r.name_vi, r.name_en),
            unit: Text::new(r.unit_vi, r.unit_en),
            photo: r.photo_key.as_deref().map(crate::media::model::media_url),
            quantity: r.quantity,
            unit_price_vnd: r.price_vnd,
            previous_price_vnd: (r.price_vnd != r.seen_price_vnd).then_some(r.seen_price_vnd),
            stock: r.stock,
            available: r.available == 1,
        };
        match result.groups.last_mut() {
            Some(group) if group.cooperative_id == r.coop_id => group.lines.push(line),
            _ => result.groups.push(CartGroup {
                cooperative_id: r.coop_id,
                cooperative_slug: r.coop_slug,
                cooperative: Text::new(r.coop_vi, r.coop_en),
                lines: vec![line],
                subtotal_vnd: 0,
                shipping_vnd: 0,
            }),
        }
    }
    for group in &mut result.groups {
        group.subtotal_vnd = group.lines.iter().filter(|l| l.available).map(CartLine::line_total).sum();
        group.shipping_vnd = if group.subtotal_vnd > 0 { shipping_fee(group.subtotal_vnd) } else { 0 };
        result.item_count += group.lines.iter().map(|l| l.quantity).sum::<i64>();
        result.subtotal_vnd += group.subtotal_vnd;
        result.shipping_vnd += group.shipping_vnd;
    }
    result.total_vnd = result.subtotal_vnd + result.shipping_vnd;
    Ok(result)
}

/// How many items the cart holds, for the header.
pub async fn cart_count(db: &Db, owner: &CartOwner) -> Result<i64, sqlx::Error> {
    let Some(cart) = cart_id(db, owner).await? else { return Ok(0) };
    let mut sql =
        Sql::new("SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM cart_lines WHERE cart_id = ");
    sql.bind(cart);
    sql.query_scalar()?.fetch_one(&db.pool).await
}

/// At login, the anonymous cart joins the account's: quantities of a product in both add up
/// (up to its stock), and the anonymous cart is deleted.
#[instrument(skip(db, token_hash))]
pub async fn merge_into_account(db: &Db, token_hash: &str, user_id: i64, now: i64) -> Result<(), AppError> {
    let anonymous = CartOwner::Anonymous(token_hash.to_owned());
    let Some(from) = cart_id(db, &anonymous).await? else { return Ok(()) };
    let into = ensure_cart(db, &CartOwner::User(user_id), now).await?;
    #[derive(sqlx::FromRow)]
    struct Row {
        product_id: i64,
        quantity: i64,
        seen_price_vnd: i64,
        added_at: i64,
        already: i64,
        stock: i64,
    }
    // Read under the account cart's lock: the merged cart too holds at most `MAX_LINES` lines
    // (the anonymous cart's newest lines beyond them stay out).
    let mut tx = db.begin_write().await?;
    tx.lock_row("SELECT id FROM carts WHERE id = ", into).await?;
    let mut sql = Sql::new(
        "SELECT l.product_id, l.quantity, l.seen_price_vnd, l.added_at, p.stock, \
         COALESCE((SELECT m.quantity FROM cart_lines m WHERE m.product_id = l.product_id AND m.cart_id = ",
    );
    sql.bind(into)
        .push("), 0) AS already FROM cart_lines l JOIN products p ON p.id = l.product_id WHERE l.cart_id = ");
    sql.bind(from).push(" ORDER BY l.added_at, l.product_id");
    let rows: Vec<Row> = sql.query_as()?.fetch_all(&mut *tx).await?;
    let mut sql = Sql::new("SELECT COUNT(*) FROM cart_lines WHERE cart_id = ");
    sql.bind(into);
    let mut lines: i64 = sql.query_scalar()?.fetch_one(&mut *tx).await?;
    for r in rows {
        let quantity = (r.already + r.quantity).min(r.stock).min(MAX_QUANTITY);
        if quantity <= r.already {
            continue;
        }
        if r.already == 0 {
            if lines >= MAX_LINES as i64 {
                continue;
            }
            lines += 1;
        }
        let mut sql = Sql::new(
            "INSERT INTO cart_lines (cart_id, product_id, quantity, seen_price_vnd, added_at) VALUES (",
        );
        sql.bind(into).push(", ").bind(r.product_id).push(", ").bind(quantity).push(", ");
        sql.bind(r.seen_price_vnd).push(", ").bind(r.added_at);
        sql.push(") ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = excluded.quantity");
        sql.query()?.execute(&mut *tx).await?;
    }
    let mut sql = Sql::new("DELETE FROM carts WHERE id = ");
    sql.bind(from);
    sql.query()?.execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Checkout

/// The checked and normalised checkout form.
struct ValidCheckout {
    key: String,
    lines: Vec<(i64, i64)>,
    /// The unit price each line was shown at, by product.
    shown: Vec<(i64, i64)>,
    payment: Payment,
    address: Address,
    note: String,
}

fn check_form(form: &CheckoutForm) -> Result<ValidCheckout, AppError> {
    let mut errors = Vec::new();
    let key = form.idempotency_key.trim().to_owned();
    if !(16..=64).contains(&key.len())
        || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        errors.push(FieldError::new("idempotency_key", "invalid"));
    }
    let lines = parse_lines(&form.lines);
    if lines.is_none() {
        errors.push(FieldError::new("lines", "cart_invalid"));
    }
    let payment = Payment::from_key(form.payment.trim());
    if payment.is_none() {
        errors.push(FieldError::new("payment", "required"));
    }
    let a = &form.address;
    errors.extend(check_text("full_name", &a.full_name, 100));
    let phone = normalize_mobile(&a.phone);
    if a.phone.trim().is_empty() {
        errors.push(FieldError::new("phone", "required"));
    } else if phone.is_none() {
        errors.push(FieldError::new("phone", "mobile_invalid"));
    }
    let province = PROVINCES.iter().find(|p| **p == a.province.trim());
    if province.is_none() {
        errors.push(FieldError::new("province", "required"));
    }
    if a.district.trim().chars().count() > 100 {
        errors.push(FieldError::new("district", "too_long"));
    }
    errors.extend(check_text("commune", &a.commune, 100));
    errors.extend(check_text("street", &a.street, 200));
    if form.note.trim().chars().count() > 500 {
        errors.push(FieldError::new("note", "too_long"));
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

/// Places the orders of one checkout form: one per cooperative, in one transaction. A replay of
/// the same form (same key) returns the same receipt; the same key with another form is refused.
#[instrument(skip(db, form), fields(key = %form.idempotency_key))]
pub async fn checkout(db: &Db, user_id: i64, form: &CheckoutForm, now: i64) -> Result<Receipt, AppError> {
    Ok(place(db, user_id, form, now).await?.0)
}

/// `checkout`, then each new order goes to the admin dashboard's feed (a replayed checkout
/// placed nothing new and announces nothing).
pub async fn checkout_live(
    db: &Db,
    hub: &crate::live::hub::Hub,
    user_id: i64,
    form: &CheckoutForm,
    now: i64,
) -> Result<Receipt, AppError> {
    use crate::admin::dashboard::{model::FeedKind, service::announce};
    let (receipt, placed) = place(db, user_id, form, now).await?;
    for id in placed {
        announce(db, hub, FeedKind::Order, id).await;
    }
    Ok(receipt)
}

/// The checkout, and the ids of the orders it placed (none when it was a replay).
async fn place(
    db: &Db,
    user_id: i64,
    form: &CheckoutForm,
    now: i64,
) -> Result<(Receipt, Vec<i64>), AppError> {
    let valid = check_form(form)?;
    let hash = valid.hash();
    let mut tx = db.begin_write().await?;
    let mut sql =
        Sql::new("INSERT INTO checkouts (user_id, idempotency_key, cart_hash, created_at) VALUES (");
    sql.bind(user_id).push(", ").bind(valid.key.clone()).push(", ").bind(hash.clone()).push(", ");
    sql.bind(now).push(") ON CONFLICT (user_id, idempotency_key) DO NOTHING RETURNING id");
    let inserted: Option<i64> = sql.query_scalar()?.fetch_optional(&mut *tx).await?;
    let Some(checkout_id) = inserted else {
        // Back to the pool (and the turn given up) before reading again, so waiting checkouts
        // cannot starve it.
        tx.rollback().await?;
        return Ok((replay(db, user_id, &valid.key, &hash).await?, Vec::new()));
    };

    // Take the stock, in product order (the same order in every checkout: no deadlocks).
    let mut stock_after = Vec::with_capacity(valid.lines.len());
    for &(product_id, quantity) in &valid.lines {
        let mut sql = Sql::new("UPDATE products SET stock = stock - ");
        sql.bind(quantity).push(" WHERE id = ").bind(product_id).push(" AND stock >= ").bind(quantity);
        sql.push(
            " AND status = 'published' AND cooperative_id IN (SELECT id FROM cooperatives WHERE status = 'approved') \
             RETURNING stock",
        );
        let Some(after) = sql.query_scalar::<i64>()?.fetch_optional(&mut *tx).await? else {
            tx.rollback().await?;
            return Err(AppError::OutOfStock(shortages(db, &valid.lines, product_id).await?));
        };
        stock_after.push((product_id, after));
    }

    let mut sql = Sql::new(
        "SELECT p.id, p.cooperative_id, p.slug, p.name_vi, p.name_en, p.price_vnd, c.bank_bin \
         FROM products p JOIN cooperatives c ON c.id = p.cooperative_id WHERE p.id IN (",
    );
    sql.bind_list(valid.lines.iter().map(|l| l.0)).push(") ORDER BY p.id");
    let products: Vec<LineProduct> = sql.query_as()?.fetch_all(&mut *tx).await?;
    // A price changed since the page was shown: nothing is charged that the shopper did not see.
    if products.iter().any(|p| valid.shown.iter().any(|&(id, shown)| id == p.id && shown != p.price_vnd)) {
        tx.rollback().await?;
        return Err(AppError::Conflict("prices_changed".to_owned()));
    }
    let mut by_coop: BTreeMap<i64, Vec<(&LineProduct, i64)>> = BTreeMap::new();
    for p in &products {
        let quantity = valid.lines.iter().find(|l| l.0 == p.id).map_or(0, |l| l.1);
        by_coop.entry(p.cooperative_id).or_default().push((p, quantity));
    }
    if valid.payment == Payment::BankTransfer && by_coop.values().any(|lines| lines[0].0.bank_bin.is_none()) {
        tx.rollback().await?;
        return Err(AppError::Validation(vec![FieldError::new("payment", "transfer_unavailable")]));
    }

    let mut placed = Vec::with_capacity(by_coop.len());
    for (position, (cooperative_id, lines)) in by_coop.iter().enumerate() {
        let subtotal: i64 = lines.iter().map(|(p, q)| p.price_vnd * q).sum();
        let shipping = shipping_fee(subtotal);
        let a = &valid.address;
        let mut sql = Sql::new(
            "INSERT INTO orders (number, checkout_id, user_id, cooperative_id, status, payment, subtotal_vnd, \
             shipping_vnd, total_vnd, ship_name, ship_phone, ship_province, ship_district, ship_commune, \
             ship_street, note, created_at, updated_at) VALUES (",
        );
        sql.bind(order_number(now, checkout_id, position + 1)).push(", ").bind(checkout_id).push(", ");
        sql.bind(user_id).push(", ").bind(*cooperative_id).push(", 'pending', ");
        sql.bind(valid.payment.key().to_owned()).push(", ").bind(subtotal).push(", ").bind(shipping);
        sql.push(", ").bind(subtotal + shipping);
        for value in [&a.full_name, &a.phone, &a.province, &a.district, &a.commune, &a.street, &valid.note] {
            sql.push(", ").bind(value.clone());
        }
        sql.push(", ").bind(now).push(", ").bind(now).push(") RETURNING id");
        let order_id: i64 = sql.query_scalar()?.fetch_one(&mut *tx).await?;
        placed.push(order_id);

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
    let mut sql = Sql::new("SELECT id, cart_hash FROM checkouts WHERE user_id = ");
    sql.bind(user_id).push(" AND idempotency_key = ").bind(key.to_owned());
    let existing: Existing = sql.query_as()?.fetch_optional(&db.pool).await?.ok_or(AppError::Internal)?;
    if existing.cart_hash != hash {
        return Err(AppError::Conflict("idempotency_key_reused".to_owned()));
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
async fn record_event(
    tx: &mut sqlx::AnyConnection,
    order_id: i64,
    actor_user_id: i64,
    actor: Actor,
    from: Option<Status>,
    to: Status,
    note: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut sql = Sql::new(
        "INSERT INTO order_events (order_id, actor_user_id, actor_role, from_status, to_status, note, created_at) \
         VALUES (",
    );
    sql.bind(order_id).push(", ").bind(actor_user_id).push(", ").bind(actor.key().to_owned()).push(", ");
    sql.bind(from.map(|s| s.key().to_owned())).push(", ").bind(to.key().to_owned()).push(", ");
    sql.bind(note.to_owned()).push(", ").bind(now).push(")");
    sql.query()?.execute(tx).await.map(|_| ())
}

#[derive(sqlx::FromRow)]
struct PaymentRow {
    number: String,
    coop_vi: String,
    coop_en: String,
    total_vnd: i64,
    payment: String,
    bank_bin: Option<String>,
    bank_account: Option<String>,
    bank_holder: Option<String>,
}

impl PaymentRow {
    /// The bank and the QR code a bank-transfer order is paid with.
    fn transfer(&self) -> Option<TransferDetails> {
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
                bank: crate::coops::model::BANKS
                    .iter()
                    .find(|(b, _)| *b == bin)
                    .map_or(bin.clone(), |(_, name)| (*name).to_owned()),
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

const PAYMENT_SELECT: &str = "SELECT o.number, c.name_vi AS coop_vi, c.name_en AS coop_en, o.total_vnd, \
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
pub async fn checkout_data(db: &Db, user_id: i64) -> Result<CheckoutData, AppError> {
    let cart = cart(db, &CartOwner::User(user_id)).await?;
    let mut sql = Sql::new(
        "SELECT ship_name, ship_phone, ship_province, ship_district, ship_commune, ship_street \
         FROM orders WHERE user_id = ",
    );
    sql.bind(user_id).push(" ORDER BY id DESC LIMIT 1");
    let last: Option<(String, String, String, String, String, String)> =
        sql.query_as()?.fetch_optional(&db.pool).await?;
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

// ---------------------------------------------------------------------------------------------
// Orders

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    number: String,
    status: String,
    payment: String,
    coop_vi: String,
    coop_en: String,
    ship_name: String,
    item_count: i64,
    total_vnd: i64,
    created_at: i64,
}

impl From<SummaryRow> for OrderSummary {
    fn from(r: SummaryRow) -> OrderSummary {
        OrderSummary {
            id: r.id,
            number: r.number,
            status: Status::from_key(&r.status).unwrap_or(Status::Pending),
            payment: Payment::from_key(&r.payment).unwrap_or_default(),
            cooperative: Text::new(r.coop_vi, r.coop_en),
            customer: r.ship_name,
            item_count: r.item_count,
            total_vnd: r.total_vnd,
            created_at: r.created_at,
        }
    }
}

const SUMMARY_COLUMNS: &str = "SELECT o.id, o.number, o.status, o.payment, c.name_vi AS coop_vi, \
    c.name_en AS coop_en, o.ship_name, \
    (SELECT CAST(COALESCE(SUM(l.quantity), 0) AS BIGINT) FROM order_lines l WHERE l.order_id = o.id) AS item_count, \
    o.total_vnd, o.created_at";

const SUMMARY_FROM: &str = " FROM orders o JOIN cooperatives c ON c.id = o.cooperative_id WHERE 1 = 1";

/// The most orders one list shows.
pub const ORDER_LIST_LIMIT: i64 = 200;

/// A shopper's orders or a cooperative's, newest first, optionally of one status.
pub async fn orders(db: &Db, scope: Scope, status: Option<Status>) -> Result<Vec<OrderSummary>, AppError> {
    let mut sql = Sql::new(SUMMARY_COLUMNS);
    sql.push(SUMMARY_FROM);
    scope.restrict(&mut sql);
    if let Some(status) = status {
        sql.push(" AND o.status = ").bind(status.key().to_owned());
    }
    sql.push(" ORDER BY o.id DESC LIMIT ").bind(ORDER_LIST_LIMIT);
    let rows: Vec<SummaryRow> = sql.query_as()?.fetch_all(&db.pool).await?;
    Ok(rows.into_iter().map(OrderSummary::from).collect())
}

/// One order with its lines and history, if `scope` may see it.
pub async fn order(db: &Db, scope: Scope, number: &str) -> Result<OrderDetail, AppError> {
    /// The order row: its summary, the rest of its columns, and the cooperative's bank.
    #[derive(sqlx::FromRow)]
    struct DetailRow {
        #[sqlx(flatten)]
        summary: SummaryRow,
        subtotal_vnd: i64,
        shipping_vnd: i64,
        user_id: i64,
        ship_phone: String,
        ship_province: String,
        ship_district: String,
        ship_commune: String,
        ship_street: String,
        note: String,
        tracking_note: String,
        bank_bin: Option<String>,
        bank_account: Option<String>,
        bank_holder: Option<String>,
    }
    let mut sql = Sql::new(SUMMARY_COLUMNS);
    sql.push(
        ", o.subtotal_vnd, o.shipping_vnd, o.user_id, o.ship_phone, o.ship_province, o.ship_district, \
         o.ship_commune, o.ship_street, o.note, o.tracking_note, c.bank_bin, c.bank_account, c.bank_holder",
    );
    sql.push(SUMMARY_FROM).push(" AND o.number = ").bind(number.to_owned());
    scope.restrict(&mut sql);
    let extra: DetailRow = sql.query_as()?.fetch_optional(&db.pool).await?.ok_or(AppError::NotFound)?;
    let payment = PaymentRow {
        number: extra.summary.number.clone(),
        coop_vi: extra.summary.coop_vi.clone(),
        coop_en: extra.summary.coop_en.clone(),
        total_vnd: extra.summary.total_vnd,
        payment: extra.summary.payment.clone(),
        bank_bin: extra.bank_bin,
        bank_account: extra.bank_account,
        bank_holder: extra.bank_holder,
    };
    let ship_name = extra.summary.ship_name.clone();
    let summary = OrderSummary::from(extra.summary);

    #[derive(sqlx::FromRow)]
    struct LineRow {
        product_id: i64,
        product_slug: String,
        name_vi: String,
        name_en: String,
        unit_price_vnd: i64,
        quantity: i64,
        line_total_vnd: i64,
        reviewed: i64,
    }
    let mut sql = Sql::new(
        "SELECT l.product_id, l.product_slug, l.name_vi, l.name_en, l.unit_price_vnd, l.quantity, \
         l.line_total_vnd, (SELECT COUNT(*) FROM reviews r WHERE r.product_id = l.product_id AND r.user_id = ",
    );
    sql.bind(extra.user_id).push(") AS reviewed FROM order_lines l WHERE l.order_id = ").bind(summary.id);
    sql.push(" ORDER BY l.product_id");
    let lines: Vec<LineRow> = sql.query_as()?.fetch_all(&db.pool).await?;
    let delivered_to_viewer = summary.status == Status::Delivered && matches!(scope, Scope::Shopper(_));

    #[derive(sqlx::FromRow)]
    struct EventRow {
        display_name: Option<String>,
        actor_role: String,
        from_status: Option<String>,
        to_status: String,
        note: String,
        created_at: i64,
    }
    let mut sql = Sql::new(
        "SELECT u.display_name, e.actor_role, e.from_status, e.to_status, e.note, e.created_at \
         FROM order_events e LEFT JOIN users u ON u.id = e.actor_user_id WHERE e.order_id = ",
    );
    sql.bind(summary.id).push(" ORDER BY e.id");
    let events: Vec<EventRow> = sql.query_as()?.fetch_all(&db.pool).await?;

    let transfer = if summary.status == Status::Cancelled { None } else { payment.transfer() };

    Ok(OrderDetail {
        next: summary.status.next(scope.actor()),
        lines: lines
            .into_iter()
            .map(|l| OrderLine {
                product_id: l.product_id,
                slug: l.product_slug,
                name: Text::new(l.name_vi, l.name_en),
                unit_price_vnd: l.unit_price_vnd,
                quantity: l.quantity,
                line_total_vnd: l.line_total_vnd,
                can_review: delivered_to_viewer && l.reviewed == 0,
            })
            .collect(),
        subtotal_vnd: extra.subtotal_vnd,
        shipping_vnd: extra.shipping_vnd,
        address: Address {
            full_name: ship_name,
            phone: extra.ship_phone,
            province: extra.ship_province,
            district: extra.ship_district,
            commune: extra.ship_commune,
            street: extra.ship_street,
        },
        note: extra.note,
        tracking_note: extra.tracking_note,
        events: events
            .into_iter()
            .map(|e| OrderEvent {
                actor: e.display_name.unwrap_or_default(),
                actor_role: e.actor_role,
                from: e.from_status.as_deref().and_then(Status::from_key),
                to: Status::from_key(&e.to_status).unwrap_or(Status::Pending),
                note: e.note,
                at: e.created_at,
            })
            .collect(),
        transfer,
        summary,
    })
}

/// Moves an order to `to`, if `scope` may and the order is in a state that allows it. Shipping
/// needs a tracking note. Cancelling puts the stock back, once: the status update only matches
/// the state that was read, so a second cancel (or any race) changes no row and is refused.
#[instrument(skip(db, note))]
pub async fn transition(
    db: &Db,
    actor_user_id: i64,
    scope: Scope,
    number: &str,
    to: Status,
    note: &str,
    now: i64,
) -> Result<(), AppError> {
    let note = note.trim();
    if note.chars().count() > 500 {
        return Err(AppError::Validation(vec![FieldError::new("note", "too_long")]));
    }
    if to == Status::Shipped && note.is_empty() {
        return Err(AppError::Validation(vec![FieldError::new("note", "tracking_required")]));
    }
    let mut sql = Sql::new("SELECT o.id, o.status FROM orders o WHERE o.number = ");
    sql.bind(number.to_owned());
    scope.restrict(&mut sql);
    let (order_id, current): (i64, String) =
        sql.query_as()?.fetch_optional(&db.pool).await?.ok_or(AppError::NotFound)?;
    let from = Status::from_key(&current).ok_or(AppError::Internal)?;
    if !from.can_move(to, scope.actor()) {
        return Err(AppError::Conflict("transition_not_allowed".to_owned()));
    }

    let mut tx = db.begin_write().await?;
    if to == Status::Cancelled {
        // The stock first, as a checkout takes it: its product rows one by one in product order,
        // then the day's figures (which the status change below updates, migration 0013), so
        // the two never deadlock. A refused move rolls it back.
        let mut sql = Sql::new("SELECT product_id, quantity FROM order_lines WHERE order_id = ");
        sql.bind(order_id).push(" ORDER BY product_id");
        let lines: Vec<(i64, i64)> = sql.query_as()?.fetch_all(&mut *tx).await?;
        for (product_id, quantity) in lines {
            let mut sql = Sql::new("UPDATE products SET stock = stock + ");
            sql.bind(quantity).push(" WHERE id = ").bind(product_id).push(" RETURNING stock");
            let after: i64 = sql.query_scalar()?.fetch_one(&mut *tx).await?;
            let moved = StockMoveRecord {
                delta: quantity,
                stock_after: after,
                reason: StockReason::Cancel,
                user_id: Some(actor_user_id),
                order_id: Some(order_id),
                ..Default::default()
            };
            record_stock_move(&mut tx, product_id, moved, now).await?;
        }
    }
    let mut sql = Sql::new("UPDATE orders SET status = ");
    sql.bind(to.key().to_owned()).push(", updated_at = ").bind(now);
    if to == Status::Shipped {
        sql.push(", tracking_note = ").bind(note.to_owned());
    }
    sql.push(" WHERE id = ").bind(order_id).push(" AND status = ").bind(from.key().to_owned());
    if sql.query()?.execute(&mut *tx).await?.rows_affected() == 0 {
        tx.rollback().await?;
        return Err(AppError::Conflict("transition_not_allowed".to_owned()));
    }
    record_event(&mut tx, order_id, actor_user_id, scope.actor(), Some(from), to, note, now).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reviews

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
        errors.push(FieldError::new("rating", "rating_invalid"));
    }
    let chars = body.chars().count();
    if chars < REVIEW_MIN_CHARS {
        errors.push(FieldError::new("body", "review_short"));
    } else if chars > REVIEW_MAX_CHARS {
        errors.push(FieldError::new("body", "too_long"));
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
