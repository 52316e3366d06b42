//! The dashboard's order figures per Vietnam day (`order_days` per cooperative, `product_days` per
//! product: the tables of migration 0013), the one place that states their rule: an order counts
//! on the Vietnam day it was placed ([`crate::clock::vietnam_day`]), with its subtotal and its lines,
//! unless it is cancelled. They are written in the transaction that writes the order (checkout
//! adds it, a cancellation takes it back out), so the charts read a few rows per day instead of
//! every order in the range. Until migration 0023 two sets of triggers (SQLite's and a plpgsql
//! function) stated the same rule twice.
//!
//! Every writer of orders goes through here: checkout and the order pipeline per order, the demo
//! history and the benchmark's generator with [`recount_days`] after a bulk load.
use crate::clock::{DAY_SECS, VIETNAM_OFFSET_SECS};
use crate::db::Sql;

/// Which orders a statement counts.
#[derive(Debug, Clone, Copy)]
enum Which {
    One(i64),
    All,
}

/// Adds the order `order_id` to its day's figures: an order just placed (with its lines), or a
/// cancelled one counted again. A cancelled order adds nothing.
pub async fn count_in(conn: &mut sqlx::AnyConnection, order_id: i64) -> Result<(), sqlx::Error> {
    add(conn, Which::One(order_id), 1).await
}

/// Takes the order `order_id` out of its day's figures, before its status becomes `cancelled` (in
/// the same transaction): the figures then stand as if it had never counted.
pub async fn count_out(conn: &mut sqlx::AnyConnection, order_id: i64) -> Result<(), sqlx::Error> {
    add(conn, Which::One(order_id), -1).await
}

/// Counts every order again from scratch, after orders were written in bulk (the demo history,
/// the benchmark's generator). Run it with no checkout going on: it reads the orders as its
/// transaction sees them.
pub async fn recount_days(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM order_days").execute(&mut *conn).await?;
    sqlx::query("DELETE FROM product_days").execute(&mut *conn).await?;
    add(conn, Which::All, 1).await
}

/// Adds `sign` (1 or -1) times the counted orders among `which` to their days' figures. The day
/// is [`crate::clock::vietnam_day`] of the moment the order was placed, computed by the database with
/// the clock's own constants (orders are placed after 1970, so its division is the floor).
async fn add(conn: &mut sqlx::AnyConnection, which: Which, sign: i64) -> Result<(), sqlx::Error> {
    let mut sql =
        Sql::new("INSERT INTO order_days (day, cooperative_id, orders, revenue_vnd) SELECT (o.created_at + ");
    sql.bind(VIETNAM_OFFSET_SECS).push(") / ").bind(DAY_SECS).push(", o.cooperative_id, ").bind(sign);
    sql.push(" * COUNT(*), ")
        .bind(sign)
        .push(" * SUM(o.subtotal_vnd) FROM orders o WHERE o.status <> 'cancelled'");
    restrict(&mut sql, which);
    // SQLite reads `ON CONFLICT` after a SELECT only when the SELECT has a WHERE clause (it has).
    sql.push(
        " GROUP BY 1, 2 ON CONFLICT (day, cooperative_id) DO UPDATE SET \
         orders = order_days.orders + excluded.orders, revenue_vnd = order_days.revenue_vnd + excluded.revenue_vnd",
    );
    sql.query()?.execute(&mut *conn).await?;

    let mut sql =
        Sql::new("INSERT INTO product_days (day, product_id, quantity, revenue_vnd) SELECT (o.created_at + ");
    sql.bind(VIETNAM_OFFSET_SECS).push(") / ").bind(DAY_SECS).push(", l.product_id, ").bind(sign);
    sql.push(" * SUM(l.quantity), ").bind(sign).push(" * SUM(l.line_total_vnd) ");
    sql.push("FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.status <> 'cancelled'");
    restrict(&mut sql, which);
    sql.push(
        " GROUP BY 1, 2 ON CONFLICT (day, product_id) DO UPDATE SET \
         quantity = product_days.quantity + excluded.quantity, \
         revenue_vnd = product_days.revenue_vnd + excluded.revenue_vnd",
    );
    sql.query()?.execute(&mut *conn).await?;
    Ok(())
}

fn restrict(sql: &mut Sql, which: Which) {
    if let Which::One(id) = which {
        sql.push(" AND o.id = ").bind(id);
    }
}
