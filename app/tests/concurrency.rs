//! Writes under concurrency, against real SQLite and real PostgreSQL: a transaction that reads
//! before it writes (a cancellation, an admin's change, a photo move) succeeds while another
//! writer hammers the database.
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use app::db::{Db, Sql};
use app::orders::model::*;
use app::orders::service::{self as orders, Scope};
use common::scalar;

const NOW: i64 = 1_800_000_000;

async fn coop_id(db: &Db, slug: &str) -> i64 {
    let mut sql = Sql::new("SELECT id FROM cooperatives WHERE slug = ");
    sql.bind(slug.to_owned());
    scalar(db, sql).await
}

/// A published product of the cooperative `coop` with this stock.
async fn product(db: &Db, coop: &str, slug: &str, stock: i64) -> i64 {
    let mut sql = Sql::new(
        "INSERT INTO products (slug, cooperative_id, group_id, name_vi, name_en, price_vnd, stock, status, \
         created_at, updated_at) VALUES (",
    );
    sql.bind(slug.to_owned()).push(", (SELECT id FROM cooperatives WHERE slug = ").bind(coop.to_owned());
    sql.push("), (SELECT MIN(id) FROM product_groups), ").bind(format!("SP {slug}")).push(", ");
    sql.bind(format!("Product {slug}")).push(", 50000, ").bind(stock);
    sql.push(", 'published', ").bind(NOW).push(", ").bind(NOW).push(") RETURNING id");
    scalar(db, sql).await
}

async fn user(db: &Db, name: &str, role: &str) -> i64 {
    let mut sql = Sql::new(
        "INSERT INTO users (email, display_name, password_hash, role, created_at, updated_at) VALUES (",
    );
    sql.bind(format!("{name}@example.vn")).push(", ").bind(name.to_owned()).push(", 'x', ");
    sql.bind(role.to_owned()).push(", ").bind(NOW).push(", ").bind(NOW).push(") RETURNING id");
    scalar(db, sql).await
}

async fn count(db: &Db, text: &'static str, id: i64) -> i64 {
    let mut sql = Sql::new(text);
    sql.bind(id);
    scalar(db, sql).await
}

// ---------------------------------------------------------------------------------------------
// Read-then-write transactions against a concurrent writer

/// Another writer that commits small transactions as fast as it can until `stop`: every
/// commit between another transaction's read and its write is the moment SQLite refuses a
/// deferred transaction's upgrade.
fn hammer(db: Db, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<u64> {
    tokio::spawn(async move {
        let mut commits = 0;
        while !stop.load(Ordering::Relaxed) {
            let sql = Sql::new(
                "UPDATE product_groups SET position = position + 1 WHERE id = (SELECT MIN(id) FROM product_groups)",
            );
            sql.query().expect("query").execute(&db.pool).await.expect("the hammer writes");
            commits += 1;
            tokio::task::yield_now().await;
        }
        commits
    })
}

async fn read_then_write_transactions_never_fail_beside_another_writer(db: Db) {
    use app::admin::model::AccountStatus;
    use app::media::model::PhotoMove;
    const ROUNDS: usize = 30;
    app::seed::seed(&db).await.expect("seed");
    let admin = user(&db, "admin", "admin").await;
    let shopper = user(&db, "shopper", "shopper").await;
    let tea = product(&db, "binh-minh", "busy-tea", 1_000).await;
    let coop = coop_id(&db, "binh-minh").await;
    let mut numbers = Vec::new();
    for n in 0..ROUNDS {
        let form = CheckoutForm {
            idempotency_key: format!("busy-key-{n:016}"),
            lines: format!("{tea}:1"),
            payment: Payment::Cod.key().into(),
            note: String::new(),
            address: Address {
                full_name: "Nguyễn Thị Lan".into(),
                phone: "0912 345 678".into(),
                province: "Tuyên Quang".into(),
                district: String::new(),
                commune: "Phường Minh Xuân".into(),
                street: "12 Đường 17/8".into(),
            },
        };
        numbers.push(
            orders::checkout(&db, shopper, &form, NOW).await.expect("checkout").orders[0].number.clone(),
        );
    }
    for position in 0..4 {
        let mut sql = Sql::new(
            "INSERT INTO product_photos (product_id, position, small_key, large_key, original_key, width, height, \
             created_at) VALUES (",
        );
        sql.bind(tea).push(", ").bind(position).push(", ").bind(format!("s{position}")).push(", ");
        sql.bind(format!("l{position}")).push(", ").bind(format!("o{position}")).push(", 10, 10, ").bind(NOW);
        sql.push(")");
        common::exec(&db, sql).await;
    }
    let photos: Vec<i64> = {
        let mut sql = Sql::new("SELECT id FROM product_photos WHERE product_id = ");
        sql.bind(tea).push(" ORDER BY id");
        sql.query_scalar().expect("query").fetch_all(&db.pool).await.expect("photos")
    };

    let stop = Arc::new(AtomicBool::new(false));
    let hammering = hammer(db.clone(), stop.clone());
    let cancels = {
        let db = db.clone();
        tokio::spawn(async move {
            let mut results = Vec::new();
            for number in numbers {
                let to = Status::Cancelled;
                results.push(
                    orders::transition(&db, shopper, Scope::Shopper(shopper), &number, to, "", NOW).await,
                );
            }
            results
        })
    };
    let admin_changes = {
        let db = db.clone();
        tokio::spawn(async move {
            let mut results = Vec::new();
            for i in 0..ROUNDS {
                let to = if i % 2 == 0 { AccountStatus::Disabled } else { AccountStatus::Active };
                results.push(app::admin::service::set_status(&db, admin, shopper, to, NOW).await);
                let hide = i % 2 == 0;
                let reason = "Nhãn chưa đúng quy định";
                results.push(app::admin::moderation::set_hidden(&db, admin, tea, hide, reason, NOW).await);
            }
            results
        })
    };
    let photo_moves = {
        let db = db.clone();
        tokio::spawn(async move {
            let mut results = Vec::new();
            for i in 0..ROUNDS {
                let photo = photos[i % photos.len()];
                results.push(app::media::service::move_photo(&db, coop, photo, PhotoMove::Cover).await);
            }
            results
        })
    };
    let cancels = cancels.await.expect("task");
    let admin_changes = admin_changes.await.expect("task");
    let photo_moves = photo_moves.await.expect("task");
    stop.store(true, Ordering::Relaxed);
    let commits = hammering.await.expect("the hammer");
    assert!(commits > 0);
    for (what, results) in [("cancel", cancels), ("admin change", admin_changes), ("photo move", photo_moves)]
    {
        let failed: Vec<_> = results.iter().filter(|r| r.is_err()).collect();
        assert!(failed.is_empty(), "{what}: {} of {} failed: {failed:?}", failed.len(), results.len());
    }
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM orders WHERE status = 'cancelled' AND user_id = ", shopper).await,
        ROUNDS as i64
    );
    assert_eq!(count(&db, "SELECT stock FROM products WHERE id = ", tea).await, 1_000, "every unit back");
}

on_both_databases!(read_then_write_transactions_never_fail_beside_another_writer,);
