//! The order pipeline: the shopper's and the cooperative's order lists, one order, and its
//! moves from pending to delivered or cancelled.
use tracing::instrument;

use super::super::model::*;
use super::Scope;
use super::checkout::{PaymentRow, record_event};
use crate::coops::model::StockReason;
use crate::coops::service::{StockMoveRecord, record_stock_move};
use crate::db::{Db, Sql};
use crate::error::{AppError, FieldError};
use crate::lang::Text;

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
        carrier: Option<String>,
        cooperative_id: i64,
        bank_bin: Option<String>,
        bank_account: Option<String>,
        bank_holder: Option<String>,
    }
    let mut sql = Sql::new(SUMMARY_COLUMNS);
    sql.push(
        ", o.subtotal_vnd, o.shipping_vnd, o.user_id, o.ship_phone, o.ship_province, o.ship_district, \
         o.ship_commune, o.ship_street, o.note, o.tracking_note, o.carrier, o.cooperative_id, c.bank_bin, c.bank_account, \
         c.bank_holder",
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
    let lines: Vec<LineRow> = sqlx::query_as(
        "SELECT l.product_id, l.product_slug, l.name_vi, l.name_en, l.unit_price_vnd, l.quantity, \
         l.line_total_vnd, (SELECT COUNT(*) FROM reviews r WHERE r.product_id = l.product_id AND r.user_id = $1) \
         AS reviewed FROM order_lines l WHERE l.order_id = $2 ORDER BY l.product_id",
    )
    .bind(extra.user_id)
    .bind(summary.id)
    .fetch_all(&db.pool)
    .await?;
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
    let events: Vec<EventRow> = sqlx::query_as(
        "SELECT u.display_name, e.actor_role, e.from_status, e.to_status, e.note, e.created_at \
         FROM order_events e LEFT JOIN users u ON u.id = e.actor_user_id WHERE e.order_id = $1 ORDER BY e.id",
    )
    .bind(summary.id)
    .fetch_all(&db.pool)
    .await?;

    let transfer = if summary.status == Status::Cancelled { None } else { payment.transfer() };

    let contact = match scope {
        Scope::Shopper(_) => crate::coops::service::contact(db, extra.cooperative_id).await?,
        Scope::Cooperative(_) => Default::default(),
    };
    let payment_state = super::payments::payment_state(db, summary.id, crate::clock::now_unix()).await?;
    Ok(OrderDetail {
        contact,
        payment_state,
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
        carrier: extra.carrier,
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
/// the state that was read, so a second cancel (or any race) changes no row and is refused. The
/// shopper (and, for a cancellation by the shopper, the cooperative) is told in the same
/// transaction, and their bells ring once it commits.
#[instrument(skip(db, hub, note))]
#[allow(clippy::too_many_arguments)]
pub async fn transition(
    db: &Db,
    hub: &crate::live::hub::Hub,
    actor_user_id: i64,
    scope: Scope,
    number: &str,
    to: Status,
    note: &str,
    now: i64,
) -> Result<(), AppError> {
    moved(db, hub, actor_user_id, scope, number, to, note, None, now).await
}

/// Ships an order with `carrier` (a key of `shipping::CARRIERS`) and its tracking number: the
/// order page and the shopper's email link to the carrier's tracking page.
#[instrument(skip(db, hub, tracking))]
#[allow(clippy::too_many_arguments)]
pub async fn ship(
    db: &Db,
    hub: &crate::live::hub::Hub,
    actor_user_id: i64,
    scope: Scope,
    number: &str,
    carrier: &str,
    tracking: &str,
    now: i64,
) -> Result<(), AppError> {
    let carrier = carrier.trim();
    if crate::orders::shipping::carrier_name(carrier).is_none() {
        return Err(AppError::Validation(vec![FieldError::new(
            "carrier",
            crate::error::FieldCode::Required,
        )]));
    }
    moved(db, hub, actor_user_id, scope, number, Status::Shipped, tracking, Some(carrier), now).await
}

#[allow(clippy::too_many_arguments)]
async fn moved(
    db: &Db,
    hub: &crate::live::hub::Hub,
    actor_user_id: i64,
    scope: Scope,
    number: &str,
    to: Status,
    note: &str,
    carrier: Option<&str>,
    now: i64,
) -> Result<(), AppError> {
    let note = note.trim();
    if note.chars().count() > 500 {
        return Err(AppError::Validation(vec![FieldError::new("note", crate::error::FieldCode::TooLong)]));
    }
    if to == Status::Shipped && note.is_empty() {
        return Err(AppError::Validation(vec![FieldError::new(
            "note",
            crate::error::FieldCode::TrackingRequired,
        )]));
    }
    let mut sql = Sql::new("SELECT o.id, o.status FROM orders o WHERE o.number = ");
    sql.bind(number.to_owned());
    scope.restrict(&mut sql);
    let (order_id, current): (i64, String) =
        sql.query_as()?.fetch_optional(&db.pool).await?.ok_or(AppError::NotFound)?;
    let from = Status::from_key(&current).ok_or(AppError::Internal)?;
    if !from.can_move(to, scope.actor()) {
        return Err(AppError::Conflict(crate::error::ConflictCode::TransitionNotAllowed));
    }

    let mut tx = db.begin_write().await?;
    if to == Status::Cancelled {
        // The stock first, as a checkout takes it: its product rows one by one in product order,
        // then the day's figures, so the two never deadlock. A refused move rolls it all back.
        let lines: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT product_id, quantity FROM order_lines WHERE order_id = $1 ORDER BY product_id",
        )
        .bind(order_id)
        .fetch_all(&mut *tx)
        .await?;
        for (product_id, quantity) in lines {
            let after: i64 =
                sqlx::query_scalar("UPDATE products SET stock = stock + $1 WHERE id = $2 RETURNING stock")
                    .bind(quantity)
                    .bind(product_id)
                    .fetch_one(&mut *tx)
                    .await?;
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
    // Out of the day's figures while it still counts (`days`): they stand as if it never had.
    if to == Status::Cancelled {
        super::days::count_out(&mut tx, order_id).await?;
    }
    let mut sql = Sql::new("UPDATE orders SET status = ");
    sql.bind(to.key().to_owned()).push(", updated_at = ").bind(now);
    if to == Status::Shipped {
        sql.push(", tracking_note = ").bind(note.to_owned());
        sql.push(", carrier = ").bind(carrier.map(str::to_owned));
    }
    sql.push(" WHERE id = ").bind(order_id).push(" AND status = ").bind(from.key().to_owned());
    if sql.query()?.execute(&mut *tx).await?.rows_affected() == 0 {
        tx.rollback().await?;
        return Err(AppError::Conflict(crate::error::ConflictCode::TransitionNotAllowed));
    }
    if from == Status::Cancelled {
        // No move leaves `cancelled` today (`Status::can_move`); if one ever does, it counts again.
        super::days::count_in(&mut tx, order_id).await?;
    }
    record_event(&mut tx, order_id, actor_user_id, scope.actor(), Some(from), to, note, now).await?;
    if to == Status::Delivered {
        super::payments::paid_at_delivery(&mut tx, order_id, actor_user_id, now).await?;
    }
    let told = super::tell::moved(&mut tx, order_id, to, scope.actor(), note, carrier, now).await?;
    tx.commit().await?;
    crate::messages::service::announce(db, hub, told);
    Ok(())
}
