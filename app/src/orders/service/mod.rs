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
mod cart;
mod checkout;
mod days;
pub mod payments;
mod pipeline;
mod reviews;
pub mod shipping;
mod tell;

pub use cart::*;
pub use checkout::*;
pub use days::recount_days;
pub use pipeline::*;
pub use reviews::*;
pub use tell::coop_order_event;

use super::model::Actor;
use crate::db::Sql;

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
    pub(super) fn actor(self) -> Actor {
        match self {
            Scope::Shopper(_) => Actor::Shopper,
            Scope::Cooperative(_) => Actor::Cooperative,
        }
    }

    /// ` AND o.user_id = $n` or ` AND o.cooperative_id = $n`.
    pub(super) fn restrict(self, sql: &mut Sql) {
        match self {
            Scope::Shopper(user) => sql.push(" AND o.user_id = ").bind(user),
            Scope::Cooperative(coop) => sql.push(" AND o.cooperative_id = ").bind(coop),
        };
    }
}
