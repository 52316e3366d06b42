//! Who hears of an order, written in the order's own transaction (`messages::service::tell`): the
//! shopper gets the receipt (with the transfer details when paying by transfer) and each move of
//! the order; the cooperative hears of a new order and of a cancellation by the shopper.
use super::super::model::{Actor, Payment, Status};
use crate::db::WriteTx;
use crate::lang::Text;
use crate::live::model::Event;
use crate::messages::model::{CancelledBy, Message, OrderRef, TransferRef};
use crate::messages::service::{To, Told, tell};

#[derive(sqlx::FromRow)]
struct Brief {
    number: String,
    user_id: i64,
    cooperative_id: i64,
    coop_vi: String,
    coop_en: String,
    total_vnd: i64,
    ship_name: String,
    payment: String,
    bank_bin: Option<String>,
    bank_account: Option<String>,
    bank_holder: Option<String>,
    created_at: i64,
}

impl Brief {
    fn order(&self) -> OrderRef {
        OrderRef {
            number: self.number.clone(),
            total_vnd: self.total_vnd,
            cooperative: Text::new(self.coop_vi.clone(), self.coop_en.clone()),
            customer: self.ship_name.clone(),
        }
    }

    fn transfer(&self) -> Option<TransferRef> {
        if self.payment != Payment::BankTransfer.key() {
            return None;
        }
        let bin = self.bank_bin.clone()?;
        Some(TransferRef {
            bank: crate::coops::model::bank_name(&bin),
            account_number: self.bank_account.clone()?,
            account_name: self.bank_holder.clone().unwrap_or_default(),
            amount_vnd: self.total_vnd,
            purpose: format!("OCOP {}", self.number),
        })
    }
}

async fn brief(tx: &mut WriteTx, order_id: i64) -> Result<Brief, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.number, o.user_id, o.cooperative_id, c.name_vi AS coop_vi, c.name_en AS coop_en, \
         o.total_vnd, o.ship_name, o.payment, c.bank_bin, c.bank_account, c.bank_holder, o.created_at \
         FROM orders o JOIN cooperatives c ON c.id = o.cooperative_id WHERE o.id = $1",
    )
    .bind(order_id)
    .fetch_one(&mut **tx)
    .await
}

/// A new order: the shopper's receipt and the cooperative's notice. Also the event that shows it
/// on the cooperative's open order list.
pub(super) async fn placed(tx: &mut WriteTx, order_id: i64, now: i64) -> Result<(Told, Event), sqlx::Error> {
    let b = brief(tx, order_id).await?;
    let receipt = Message::OrderReceived { order: b.order(), transfer: b.transfer() };
    let told = tell(tx, To::User(b.user_id), &receipt, now).await?;
    let told = told.and(
        tell(tx, To::Cooperative(b.cooperative_id), &Message::NewOrder { order: b.order() }, now).await?,
    );
    let event = Event::CoopOrder {
        cooperative_id: b.cooperative_id,
        number: b.number.clone(),
        total_vnd: b.total_vnd,
        customer: b.ship_name.clone(),
        at: b.created_at,
    };
    Ok((told, event))
}

/// An order moved to `to` by `actor` (`note`: the tracking number when shipped, or the reason).
pub(super) async fn moved(
    tx: &mut WriteTx,
    order_id: i64,
    to: Status,
    actor: Actor,
    note: &str,
    carrier: Option<&str>,
    now: i64,
) -> Result<Told, sqlx::Error> {
    let b = brief(tx, order_id).await?;
    let order = b.order();
    let shopper = To::User(b.user_id);
    match to {
        Status::Pending => Ok(Told::default()),
        Status::Confirmed => tell(tx, shopper, &Message::OrderConfirmed { order }, now).await,
        Status::Shipped => {
            use crate::orders::shipping::{carrier_name, tracking_url};
            let message = Message::OrderShipped {
                order,
                carrier: carrier.and_then(carrier_name).filter(|n| *n != "—").map(str::to_owned),
                tracking: note.to_owned(),
                tracking_url: carrier.and_then(|c| tracking_url(c, note)),
            };
            tell(tx, shopper, &message, now).await
        }
        Status::Delivered => tell(tx, shopper, &Message::OrderDelivered { order }, now).await,
        Status::Cancelled => {
            let by = match actor {
                Actor::Shopper => CancelledBy::Shopper,
                Actor::Cooperative => CancelledBy::Cooperative,
            };
            let cancelled = Message::OrderCancelled { order: order.clone(), by, reason: note.to_owned() };
            let mut told = tell(tx, shopper, &cancelled, now).await?;
            if actor == Actor::Shopper {
                let message = Message::OrderCancelledByShopper { order, reason: note.to_owned() };
                told = told.and(tell(tx, To::Cooperative(b.cooperative_id), &message, now).await?);
            }
            Ok(told)
        }
    }
}

/// The event of a new order, read again (for another instance, from the relay).
pub async fn coop_order_event(db: &crate::db::Db, number: &str) -> Result<Option<Event>, sqlx::Error> {
    let found: Option<(i64, i64, String, i64)> = sqlx::query_as(
        "SELECT cooperative_id, total_vnd, ship_name, created_at FROM orders WHERE number = $1",
    )
    .bind(number)
    .fetch_optional(&db.pool)
    .await?;
    Ok(found.map(|(cooperative_id, total_vnd, customer, at)| Event::CoopOrder {
        cooperative_id,
        number: number.to_owned(),
        total_vnd,
        customer,
        at,
    }))
}

/// An order as its messages name it, and its shopper (for messages sent outside this module).
pub(super) async fn order_ref(tx: &mut WriteTx, order_id: i64) -> Result<(i64, OrderRef), sqlx::Error> {
    let b = brief(tx, order_id).await?;
    Ok((b.user_id, b.order()))
}
