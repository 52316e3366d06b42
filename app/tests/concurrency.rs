//! Writes under concurrency, against real SQLite and real PostgreSQL: a transaction that reads
//! before it writes (a cancellation, an admin's change, a photo move) succeeds while another
//! writer hammers the database, and every count-then-insert limit (inquiries per address and
//! hour, photos, batches, listings, cart lines, booth slots, team and picks) holds when many
//! requests arrive at once.
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use app::db::{Db, Sql};
use app::error::AppError;
use app::orders::model::*;
use app::orders::service::{self as orders, CartOwner, Scope};
use common::scalar;

const NOW: i64 = 1_800_000_000;
const TODAY: &str = "2027-01-15";

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

/// Runs `make(i)` for `i` in `0..n` all at once, each on a task of its own; their results.
async fn all_at_once<T, F, Fut>(n: usize, make: F) -> Vec<T>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let tasks: Vec<_> = (0..n).map(|i| tokio::spawn(make(i))).collect();
    let mut out = Vec::with_capacity(n);
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

/// Of `results`, how many succeeded; every failure must be the limit's own refusal.
fn successes<T: std::fmt::Debug>(results: &[Result<T, AppError>], field: &str) -> usize {
    for r in results {
        if let Err(e) = r {
            assert!(
                matches!(e, AppError::Validation(fields)
                    if fields.iter().any(|f| f.field == field && ["too_many", "cart_full"].contains(&f.code.as_str()))),
                "only the limit may refuse, not {e:?}"
            );
        }
    }
    results.iter().filter(|r| r.is_ok()).count()
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
            shipping_vnd: None,
            lines: format!("{tea}:1@50000"),
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
            orders::checkout(&db, &app::live::hub::Hub::default(), shopper, &form, NOW)
                .await
                .expect("checkout")
                .orders[0]
                .number
                .clone(),
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
                    orders::transition(
                        &db,
                        &app::live::hub::Hub::new(),
                        shopper,
                        Scope::Shopper(shopper),
                        &number,
                        to,
                        "",
                        NOW,
                    )
                    .await,
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
                results.push(
                    app::admin::service::set_status(
                        &db,
                        &app::live::hub::Hub::default(),
                        admin,
                        shopper,
                        to,
                        NOW,
                    )
                    .await,
                );
                let hide = i % 2 == 0;
                let reason = "Nhãn chưa đúng quy định";
                results.push(
                    app::admin::moderation::set_hidden(
                        &db,
                        &app::live::hub::Hub::default(),
                        admin,
                        tea,
                        hide,
                        reason,
                        NOW,
                    )
                    .await,
                );
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

// ---------------------------------------------------------------------------------------------
// Count-then-insert limits

async fn inquiries_per_address_hold_under_a_burst(db: Db) {
    use app::inquiries::model::{InquiryForm, PER_IP_PER_HOUR};
    use app::inquiries::service::{self as inquiries, Submitted};
    app::seed::seed(&db).await.expect("seed");
    let hub = app::live::hub::Hub::new();
    let results = all_at_once(30, |i| {
        let (db, hub) = (db.clone(), hub.clone());
        async move {
            let form = InquiryForm {
                booth: "binh-minh".into(),
                company: format!("Camden Tea {i}"),
                country: "United Kingdom".into(),
                contact_name: "Amelia Hart".into(),
                email: "amelia@camden.example".into(),
                quantity: "2000".into(),
                quantity_unit: "kg".into(),
                incoterm: "FOB".into(),
                message: "We would like to import green tea for our London shops.".into(),
                ..Default::default()
            };
            inquiries::submit(&db, &hub, &form, "203.0.113.7", NOW, TODAY).await
        }
    })
    .await;
    for r in &results {
        assert!(matches!(r, Ok(Submitted::Stored(_)) | Err(AppError::TooManyAttempts(_))), "{r:?}");
    }
    let stored =
        scalar::<i64>(&db, Sql::new("SELECT COUNT(*) FROM inquiries WHERE ip = '203.0.113.7'")).await;
    assert_eq!(stored, PER_IP_PER_HOUR, "exactly the limit, not one more");
}

async fn photos_per_product_hold_under_a_burst(db: Db) {
    use app::media::model::MAX_PHOTOS;
    use app::media::service::{Upload, add_photo};
    app::seed::seed(&db).await.expect("seed");
    let coop = coop_id(&db, "binh-minh").await;
    let tea = product(&db, "binh-minh", "photo-tea", 10).await;
    let store = app::media::store::MediaStore::memory();
    let mut jpeg = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_fn(32, 24, |x, y| image::Rgb([x as u8 * 7, y as u8 * 9, 60]))
        .write_to(&mut jpeg, image::ImageFormat::Jpeg)
        .expect("encode jpeg");
    let jpeg = jpeg.into_inner();
    let results = all_at_once(30, |_| {
        let (db, store, bytes) = (db.clone(), store.clone(), jpeg.clone());
        async move {
            let upload =
                Upload { bytes, content_type: Some("image/jpeg".into()), file_name: Some("che.jpg".into()) };
            add_photo(&db, &store, coop, tea, upload, NOW).await
        }
    })
    .await;
    assert_eq!(successes(&results, "photo") as i64, MAX_PHOTOS);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM product_photos WHERE product_id = ", tea).await, MAX_PHOTOS);
}

async fn batches_per_product_hold_under_a_burst(db: Db) {
    use app::trace::model::{BatchForm, MAX_BATCHES};
    app::seed::seed(&db).await.expect("seed");
    let coop = coop_id(&db, "binh-minh").await;
    let tea = product(&db, "binh-minh", "batch-tea", 10).await;
    let results = all_at_once(MAX_BATCHES as usize + 30, |i| {
        let db = db.clone();
        async move {
            let form = BatchForm {
                batch_code: format!("LO-{i:04}"),
                produced_on: "2027-01-01".into(),
                notes_vi: String::new(),
                notes_en: String::new(),
            };
            app::trace::service::add_batch(&db, coop, tea, &form, TODAY, NOW).await
        }
    })
    .await;
    assert_eq!(successes(&results, "batch_code") as i64, MAX_BATCHES);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM product_batches WHERE product_id = ", tea).await,
        MAX_BATCHES
    );
}

async fn listings_per_product_hold_under_a_burst(db: Db) {
    use app::coops::model::Channel;
    use app::coops::service::{MAX_LISTINGS, add_listing};
    app::seed::seed(&db).await.expect("seed");
    let coop = coop_id(&db, "binh-minh").await;
    let tea = product(&db, "binh-minh", "listed-tea", 10).await;
    let results = all_at_once(MAX_LISTINGS as usize + 15, |i| {
        let db = db.clone();
        async move {
            let url = format!("https://shop.example.vn/tra-{i}");
            add_listing(&db, coop, tea, Channel::Other, &url, NOW).await
        }
    })
    .await;
    assert_eq!(successes(&results, "url") as i64, MAX_LISTINGS);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM channel_listings WHERE product_id = ", tea).await,
        MAX_LISTINGS
    );
}

async fn cart_lines_hold_under_a_burst(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let shopper = user(&db, "cart", "shopper").await;
    let mut products = Vec::new();
    for i in 0..MAX_LINES + 20 {
        products.push(product(&db, "binh-minh", &format!("cart-{i}"), 10).await);
    }
    // The cart exists before the burst, as it does once a shopper has added anything.
    orders::add_to_cart(&db, &CartOwner::User(shopper), products[0], 1, NOW).await.expect("first line");
    let results = all_at_once(products.len() - 1, |i| {
        let (db, product) = (db.clone(), products[i + 1]);
        async move { orders::add_to_cart(&db, &CartOwner::User(shopper), product, 1, NOW).await }
    })
    .await;
    assert_eq!(successes(&results, "quantity") + 1, MAX_LINES);
    let mut sql =
        Sql::new("SELECT COUNT(*) FROM cart_lines l JOIN carts c ON c.id = l.cart_id WHERE c.user_id = ");
    sql.bind(shopper);
    assert_eq!(scalar::<i64>(&db, sql).await, MAX_LINES as i64);
}

async fn booth_lists_hold_under_a_burst(db: Db) {
    use app::fairs::editor;
    use app::fairs::model::{MAX_FEATURED, MAX_SLOTS, MAX_TEAM, SlotForm, TeamForm};
    app::seed::seed(&db).await.expect("seed");
    let coop = coop_id(&db, "binh-minh").await;
    // The demo booth has a few of each already.
    let had_slots = count(&db, "SELECT COUNT(*) FROM booth_slots WHERE cooperative_id = ", coop).await;
    let had_team = count(&db, "SELECT COUNT(*) FROM booth_team WHERE cooperative_id = ", coop).await;
    let had_picks = count(&db, "SELECT COUNT(*) FROM booth_products WHERE cooperative_id = ", coop).await;
    let slots = all_at_once(MAX_SLOTS as usize + 20, |i| {
        let db = db.clone();
        async move {
            let form = SlotForm {
                starts_at: format!("2027-02-{:02}T09:30", i % 28 + 1),
                title_vi: format!("Livestream {i}"),
                title_en: String::new(),
                link: String::new(),
            };
            editor::add_slot(&db, coop, &form).await
        }
    })
    .await;
    assert_eq!(successes(&slots, "starts_at") as i64, MAX_SLOTS - had_slots);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM booth_slots WHERE cooperative_id = ", coop).await, MAX_SLOTS);

    let team = all_at_once(30, |i| {
        let db = db.clone();
        async move {
            let form = TeamForm { name: format!("Người {i}"), ..Default::default() };
            editor::add_member(&db, coop, &form).await
        }
    })
    .await;
    assert_eq!(successes(&team, "name") as i64, MAX_TEAM - had_team);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM booth_team WHERE cooperative_id = ", coop).await, MAX_TEAM);

    let mut products = Vec::new();
    for i in 0..30 {
        products.push(product(&db, "binh-minh", &format!("pick-{i}"), 10).await);
    }
    let picks = all_at_once(products.len(), |i| {
        let (db, product) = (db.clone(), products[i]);
        async move { editor::pick(&db, coop, product).await }
    })
    .await;
    assert_eq!(
        successes(&picks, "product") as i64,
        MAX_FEATURED as i64 - had_picks,
        "every pick answered OK is kept"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM booth_products WHERE cooperative_id = ", coop).await,
        MAX_FEATURED as i64
    );
}

on_both_databases!(
    read_then_write_transactions_never_fail_beside_another_writer,
    inquiries_per_address_hold_under_a_burst,
    photos_per_product_hold_under_a_burst,
    batches_per_product_hold_under_a_burst,
    listings_per_product_hold_under_a_burst,
    cart_lines_hold_under_a_burst,
    booth_lists_hold_under_a_burst,
);
