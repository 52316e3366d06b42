//! The cart: an account's or an anonymous visitor's, lines checked against stock, and the
//! anonymous cart joining the account's at sign-in.
use tracing::instrument;

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
    let mut sql = Sql::new("SELECT quantity FROM cart_lines WHERE cart_id = ");
    sql.bind(cart).push(" AND product_id = ").bind(product_id);
    let existing: Option<i64> = sql.query_scalar()?.fetch_optional(&mut *tx).await?;
    if existing.is_none() {
        let mut sql = Sql::new("SELECT COUNT(*) FROM cart_lines WHERE cart_id = ");
        sql.bind(cart);
        if sql.query_scalar::<i64>()?.fetch_one(&mut *tx).await? >= MAX_LINES as i64 {
            return Err(quantity_error(crate::error::FieldCode::CartFull));
        }
    }
    let total = existing.unwrap_or(0) + quantity;
    if total > product.stock || total > MAX_QUANTITY {
        return Err(quantity_error(crate::error::FieldCode::StockShort));
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
        return Err(quantity_error(crate::error::FieldCode::CountInvalid));
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
            return Err(quantity_error(crate::error::FieldCode::StockShort));
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
