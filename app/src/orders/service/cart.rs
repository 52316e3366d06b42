//! The cart: an account's or an anonymous visitor's, lines checked against stock, and the
//! anonymous cart joining the account's at sign-in.
use tracing::instrument;

use super::super::shipping::{Parcel, UNKNOWN_ITEM_GRAMS};

use super::super::model::*;
use super::CartOwner;
use crate::db::{Db, Sql};
use crate::error::{AppError, FieldError};
use crate::lang::Text;

async fn cart_id(db: &Db, owner: &CartOwner) -> Result<Option<i64>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id FROM carts WHERE ");
    match owner {
        CartOwner::User(id) => sql.push("user_id = ").bind(*id),
        CartOwner::Anonymous(hash) => sql.push("token_hash = ").bind(hash.clone()),
    };
    sql.query_scalar()?.fetch_optional(&db.pool).await
}

async fn ensure_cart(db: &Db, owner: &CartOwner, now: i64) -> Result<i64, sqlx::Error> {
    let (user_id, token_hash) = match owner {
        CartOwner::User(id) => (Some(*id), None::<String>),
        CartOwner::Anonymous(hash) => (None::<i64>, Some(hash.clone())),
    };
    sqlx::query(
        "INSERT INTO carts (user_id, token_hash, updated_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(user_id)
    .bind(token_hash)
    .bind(now)
    .execute(&db.pool)
    .await?;
    cart_id(db, owner).await?.ok_or(sqlx::Error::RowNotFound)
}

#[derive(sqlx::FromRow)]
struct Purchasable {
    price_vnd: i64,
    stock: i64,
}

async fn purchasable(db: &Db, product_id: i64) -> Result<Option<Purchasable>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.price_vnd, p.stock FROM products p JOIN cooperatives c ON c.id = p.cooperative_id \
         WHERE p.status = 'published' AND c.status = 'approved' AND p.id = $1",
    )
    .bind(product_id)
    .fetch_optional(&db.pool)
    .await
}

/// The id of the product with this slug.
pub async fn product_id(db: &Db, slug: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM products WHERE slug = $1").bind(slug).fetch_optional(&db.pool).await
}

/// `add_to_cart` for the product named by its slug (the add-to-cart form posts the slug).
pub async fn add_to_cart_by_slug(
    db: &Db,
    owner: &CartOwner,
    slug: &str,
    quantity: i64,
    now: i64,
) -> Result<(), AppError> {
    let product_id = product_id(db, slug).await?.ok_or(AppError::NotFound)?;
    add_to_cart(db, owner, product_id, quantity, now).await
}

fn quantity_error(code: crate::error::FieldCode) -> AppError {
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
        return Err(quantity_error(crate::error::FieldCode::CountInvalid));
    }
    let product = purchasable(db, product_id).await?.ok_or(AppError::NotFound)?;
    let cart = ensure_cart(db, owner, now).await?;
    // Read under the cart's lock, so that lines added at once cannot pass `MAX_LINES` together.
    let mut tx = db.begin_write().await?;
    tx.lock_row("SELECT id FROM carts WHERE id = ", cart).await?;
    let existing: Option<i64> =
        sqlx::query_scalar("SELECT quantity FROM cart_lines WHERE cart_id = $1 AND product_id = $2")
            .bind(cart)
            .bind(product_id)
            .fetch_optional(&mut *tx)
            .await?;
    if existing.is_none() {
        let count = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM cart_lines WHERE cart_id = $1")
            .bind(cart)
            .fetch_one(&mut *tx)
            .await?;
        if count >= MAX_LINES as i64 {
            return Err(quantity_error(crate::error::FieldCode::CartFull));
        }
    }
    let total = existing.unwrap_or(0) + quantity;
    if total > product.stock || total > MAX_QUANTITY {
        return Err(quantity_error(crate::error::FieldCode::StockShort));
    }
    sqlx::query(
        "INSERT INTO cart_lines (cart_id, product_id, quantity, seen_price_vnd, added_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = cart_lines.quantity + excluded.quantity",
    )
    .bind(cart)
    .bind(product_id)
    .bind(quantity)
    .bind(product.price_vnd)
    .bind(now)
    .execute(&mut *tx)
    .await?;
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
        return Err(quantity_error(crate::error::FieldCode::CountInvalid));
    }
    let Some(cart) = cart_id(db, owner).await? else {
        // Nothing to remove from a cart that does not exist.
        return if quantity == 0 { Ok(()) } else { Err(AppError::NotFound) };
    };
    if quantity == 0 {
        sqlx::query("DELETE FROM cart_lines WHERE cart_id = $1 AND product_id = $2")
            .bind(cart)
            .bind(product_id)
            .execute(&db.pool)
            .await?;
        return Ok(());
    }
    let current: i64 =
        sqlx::query_scalar("SELECT quantity FROM cart_lines WHERE cart_id = $1 AND product_id = $2")
            .bind(cart)
            .bind(product_id)
            .fetch_optional(&db.pool)
            .await?
            .ok_or(AppError::NotFound)?;
    if quantity > current {
        let stock = purchasable(db, product_id).await?.map_or(0, |p| p.stock);
        if quantity > stock {
            return Err(quantity_error(crate::error::FieldCode::StockShort));
        }
    }
    // Changing the line is looking at it: its price, as now, is the one later changes show against.
    sqlx::query(
        "UPDATE cart_lines SET quantity = $1, \
         seen_price_vnd = (SELECT p.price_vnd FROM products p WHERE p.id = $2) \
         WHERE cart_id = $3 AND product_id = $4",
    )
    .bind(quantity)
    .bind(product_id)
    .bind(cart)
    .bind(product_id)
    .execute(&db.pool)
    .await?;
    touch(db, cart, now).await?;
    Ok(())
}

async fn touch(db: &Db, cart: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE carts SET updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(cart)
        .execute(&db.pool)
        .await
        .map(|_| ())
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
    weight_grams: Option<i64>,
    coop_province: String,
    free_from: Option<i64>,
}

/// The cart as it is now: current prices and stock, grouped by cooperative, with each line's
/// price when the shopper last changed it. Reading it changes nothing: a price change stays
/// marked until the shopper changes the line's quantity or checks out (which carries the prices
/// shown, see `place`).
pub async fn cart(db: &Db, owner: &CartOwner) -> Result<Cart, AppError> {
    cart_to(db, owner, None).await
}

/// The cart with each cooperative's shipping quoted to `destination` (a province); without one,
/// to the cooperative's own province: the least it can cost, which the cart page says.
pub async fn cart_to(db: &Db, owner: &CartOwner, destination: Option<&str>) -> Result<Cart, AppError> {
    let Some(cart) = cart_id(db, owner).await? else { return Ok(Cart::default()) };
    let rows: Vec<CartRow> = sqlx::query_as(
        "SELECT l.product_id, l.quantity, l.seen_price_vnd, p.slug, p.name_vi, p.name_en, p.unit_vi, \
         p.unit_en, (SELECT ph.small_key FROM product_photos ph WHERE ph.product_id = p.id \
         ORDER BY ph.position, ph.id LIMIT 1) AS photo_key, p.price_vnd, p.stock, \
         CASE WHEN p.status = 'published' AND c.status = 'approved' THEN 1 ELSE 0 END AS available, \
         c.id AS coop_id, c.slug AS coop_slug, c.name_vi AS coop_vi, c.name_en AS coop_en, p.weight_grams, \
         c.province AS coop_province, c.free_shipping_from_vnd AS free_from \
         FROM cart_lines l JOIN products p ON p.id = l.product_id \
         JOIN cooperatives c ON c.id = p.cooperative_id WHERE l.cart_id = $1 \
         ORDER BY c.name_vi, c.id, l.added_at, l.product_id",
    )
    .bind(cart)
    .fetch_all(&db.pool)
    .await?;
    let mut result = Cart { shipping_to: destination.map(str::to_owned), ..Cart::default() };
    let mut origins: Vec<(i64, String, Option<i64>)> = Vec::new();
    let mut weights: Vec<(i64, i64)> = Vec::new();
    for r in rows {
        if !origins.iter().any(|o| o.0 == r.coop_id) {
            origins.push((r.coop_id, r.coop_province.clone(), r.free_from));
        }
        if r.available == 1 {
            weights.push((r.coop_id, r.quantity * r.weight_grams.unwrap_or(UNKNOWN_ITEM_GRAMS)));
        }
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
                shipping: None,
            }),
        }
    }
    let mut conn = db.pool.acquire().await?;
    let carrier = super::shipping::carrier(&mut conn).await?;
    drop(conn);
    for group in &mut result.groups {
        group.subtotal_vnd = group.lines.iter().filter(|l| l.available).map(CartLine::line_total).sum();
        if group.subtotal_vnd > 0 {
            let (origin, free_from) = origins
                .iter()
                .find(|o| o.0 == group.cooperative_id)
                .map(|o| (o.1.clone(), o.2))
                .unwrap_or_default();
            let parcel = Parcel {
                destination: destination.map_or_else(|| origin.clone(), str::to_owned),
                origin,
                grams: weights.iter().filter(|w| w.0 == group.cooperative_id).map(|w| w.1).sum(),
                subtotal_vnd: group.subtotal_vnd,
                free_from_vnd: free_from,
            };
            let quote = carrier.quote(&parcel).await?;
            group.shipping_vnd = quote.fee_vnd;
            group.shipping = Some(quote);
        }
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
    sqlx::query_scalar("SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM cart_lines WHERE cart_id = $1")
        .bind(cart)
        .fetch_one(&db.pool)
        .await
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
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT l.product_id, l.quantity, l.seen_price_vnd, l.added_at, p.stock, \
         COALESCE((SELECT m.quantity FROM cart_lines m \
         WHERE m.product_id = l.product_id AND m.cart_id = $1), 0) AS already \
         FROM cart_lines l JOIN products p ON p.id = l.product_id WHERE l.cart_id = $2 \
         ORDER BY l.added_at, l.product_id",
    )
    .bind(into)
    .bind(from)
    .fetch_all(&mut *tx)
    .await?;
    let mut lines: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cart_lines WHERE cart_id = $1")
        .bind(into)
        .fetch_one(&mut *tx)
        .await?;
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
        sqlx::query(
            "INSERT INTO cart_lines (cart_id, product_id, quantity, seen_price_vnd, added_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = excluded.quantity",
        )
        .bind(into)
        .bind(r.product_id)
        .bind(quantity)
        .bind(r.seen_price_vnd)
        .bind(r.added_at)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("DELETE FROM carts WHERE id = $1").bind(from).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}
