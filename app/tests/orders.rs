//! Cart, checkout, the order pipeline and reviews against real SQLite and real PostgreSQL: stock
//! is never oversold, a form is never ordered twice, each cooperative gets its own order, and
//! orders move only along the pipeline.
mod common;

use std::time::Instant;

use app::catalog::model::{ProductQuery, Sort};
use app::db::{Db, Sql};
use app::error::{AppError, ConflictCode, FieldError};
use app::lang::Lang;
use app::orders::model::*;
use app::orders::service::{self, CartOwner, Scope};
use app::orders::vietqr::Transfer;
use common::{exec, scalar};

const NOW: i64 = 1_800_000_000;
const TODAY: &str = "2027-01-15";

async fn coop_id(db: &Db, slug: &str) -> i64 {
    let mut sql = Sql::new("SELECT id FROM cooperatives WHERE slug = ");
    sql.bind(slug.to_owned());
    scalar(db, sql).await
}

/// A published product of `coop` with this price and stock.
async fn product(db: &Db, coop: &str, slug: &str, price: i64, stock: i64) -> i64 {
    let mut sql = Sql::new(
        "INSERT INTO products (slug, cooperative_id, group_id, name_vi, name_en, price_vnd, stock, status, \
         created_at, updated_at) VALUES (",
    );
    sql.bind(slug.to_owned()).push(", (SELECT id FROM cooperatives WHERE slug = ").bind(coop.to_owned());
    sql.push("), (SELECT MIN(id) FROM product_groups), ").bind(format!("SP {slug}")).push(", ");
    sql.bind(format!("Product {slug}")).push(", ").bind(price).push(", ").bind(stock);
    sql.push(", 'published', ").bind(NOW).push(", ").bind(NOW).push(") RETURNING id");
    scalar(db, sql).await
}

/// A shopper account (no password needed: these tests call the services directly).
async fn shopper(db: &Db, name: &str) -> i64 {
    let mut sql = Sql::new(
        "INSERT INTO users (email, display_name, password_hash, role, created_at, updated_at) VALUES (",
    );
    sql.bind(format!("{name}@example.vn")).push(", ").bind(name.to_owned()).push(", 'x', 'shopper', ");
    sql.bind(NOW).push(", ").bind(NOW).push(") RETURNING id");
    scalar(db, sql).await
}

async fn stock(db: &Db, product_id: i64) -> i64 {
    let mut sql = Sql::new("SELECT stock FROM products WHERE id = ");
    sql.bind(product_id);
    scalar(db, sql).await
}

async fn count(db: &Db, sql: &'static str) -> i64 {
    scalar(db, Sql::new(sql)).await
}

fn address() -> Address {
    Address {
        full_name: "Nguyễn Thị Lan".into(),
        phone: "0912 345 678".into(),
        province: "Tuyên Quang".into(),
        district: String::new(),
        commune: "Phường Minh Xuân".into(),
        street: "12 Đường 17/8".into(),
    }
}

/// The checkout form for `lines`, carrying each product's price as the checkout page shows it
/// (0 for a product that does not exist).
async fn form(db: &Db, key: &str, lines: &[(i64, i64)], payment: Payment) -> CheckoutForm {
    let mut priced = Vec::new();
    for &(p, q) in lines {
        let mut sql = Sql::new("SELECT price_vnd FROM products WHERE id = ");
        sql.bind(p);
        let price: Option<i64> =
            sql.query_scalar().expect("encode").fetch_optional(&db.pool).await.expect("price");
        priced.push(format!("{p}:{q}@{}", price.unwrap_or(0)));
    }
    CheckoutForm {
        idempotency_key: key.into(),
        lines: priced.join(","),
        payment: payment.key().into(),
        note: String::new(),
        address: address(),
        shipping_vnd: None,
    }
}

fn key(n: u64) -> String {
    format!("test-key-{n:016}")
}

/// A small deterministic generator, so a failing seed can be run again.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

async fn place(db: &Db, user: i64, lines: &[(i64, i64)], payment: Payment, n: u64) -> Receipt {
    service::checkout(
        db,
        &app::live::hub::Hub::default(),
        user,
        &form(db, &key(n), lines, payment).await,
        NOW,
    )
    .await
    .expect("checkout")
}

async fn status_of(db: &Db, number: &str) -> String {
    let mut sql = Sql::new("SELECT status FROM orders WHERE number = ");
    sql.bind(number.to_owned());
    scalar(db, sql).await
}

async fn five_hundred_checkouts_for_ten_units_sell_exactly_ten(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    for seed in [0x9E37_79B9_7F4A_7C15_u64, 42, 2026] {
        let mut rng = XorShift(seed);
        let scarce = product(&db, "binh-minh", &format!("scarce-{seed}"), 85_000, 10).await;
        let plenty = product(&db, "hong-phat", &format!("plenty-{seed}"), 40_000, 10_000).await;
        let mut users = Vec::new();
        for i in 0..25 {
            users.push(shopper(&db, &format!("s{seed}-{i}")).await);
        }
        // Every checkout wants one scarce unit; some also want plenty from another cooperative,
        // so a failure must also leave the other cooperative's stock untouched.
        let plans: Vec<(i64, Vec<(i64, i64)>)> = (0..500)
            .map(|_| {
                let user = users[(rng.next() % users.len() as u64) as usize];
                let mut lines = vec![(scarce, 1)];
                if rng.next().is_multiple_of(2) {
                    lines.push((plenty, 1 + (rng.next() % 3) as i64));
                }
                (user, lines)
            })
            .collect();
        let started = Instant::now();
        let tasks: Vec<_> = plans
            .iter()
            .enumerate()
            .map(|(i, (user, lines))| {
                let (db, user, lines) = (db.clone(), *user, lines.clone());
                let key = key(seed.wrapping_add(i as u64));
                tokio::spawn(async move {
                    let form = form(&db, &key, &lines, Payment::Cod).await;
                    (lines, service::checkout(&db, &app::live::hub::Hub::default(), user, &form, NOW).await)
                })
            })
            .collect();
        let mut sold_plenty = 0;
        let mut successes = 0;
        for task in tasks {
            let (lines, result) = task.await.expect("task");
            match result {
                Ok(receipt) => {
                    successes += 1;
                    sold_plenty += lines.iter().filter(|l| l.0 == plenty).map(|l| l.1).sum::<i64>();
                    assert_eq!(receipt.orders.len(), lines.len(), "one order per cooperative");
                }
                Err(AppError::OutOfStock(short)) => {
                    assert_eq!(short.len(), 1, "only the scarce product is short: {short:?}");
                    assert_eq!(short[0].product_id, scarce);
                    assert_eq!((short[0].requested, short[0].available), (1, 0));
                    assert_eq!(
                        short[0].name.vi,
                        format!("SP scarce-{seed}"),
                        "the shopper is told which product"
                    );
                }
                Err(other) => panic!("seed {seed}: a checkout failed with {other:?}, not with a stock error"),
            }
        }
        let elapsed = started.elapsed();
        eprintln!(
            "{:?} seed {seed}: 500 concurrent checkouts for 10 units in {} ms, {successes} succeeded",
            db.backend,
            elapsed.as_millis()
        );
        assert_eq!(successes, 10, "seed {seed}");
        assert_eq!(stock(&db, scarce).await, 0);
        assert_eq!(stock(&db, plenty).await, 10_000 - sold_plenty, "failed checkouts took nothing");
        let mut sql = Sql::new(
            "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM order_lines WHERE product_id = ",
        );
        sql.bind(scarce);
        assert_eq!(scalar::<i64>(&db, sql).await, 10, "ten units in orders, no more");
    }
}

async fn three_submissions_of_one_form_make_one_set_of_orders(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let tea = product(&db, "binh-minh", "idem-tea", 120_000, 5).await;
    let wine = product(&db, "hong-phat", "idem-wine", 250_000, 5).await;
    let user = shopper(&db, "idem").await;
    let submitted = form(&db, &key(7), &[(tea, 2), (wine, 1)], Payment::BankTransfer).await;
    let runs: Vec<_> = (0..3)
        .map(|_| {
            let (db, submitted) = (db.clone(), submitted.clone());
            tokio::spawn(async move {
                service::checkout(&db, &app::live::hub::Hub::default(), user, &submitted, NOW).await
            })
        })
        .collect();
    let mut receipts = Vec::new();
    for run in runs {
        receipts.push(run.await.expect("task").expect("every submission is answered with the receipt"));
    }
    assert_eq!(receipts[0], receipts[1]);
    assert_eq!(receipts[1], receipts[2]);
    assert_eq!(receipts[0].orders.len(), 2);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM orders").await, 2, "one set of orders");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM checkouts").await, 1);
    assert_eq!((stock(&db, tea).await, stock(&db, wine).await), (3, 4), "stock taken once");

    let later = service::checkout(&db, &app::live::hub::Hub::default(), user, &submitted, NOW + 3600)
        .await
        .expect("a replay an hour later");
    assert_eq!(later, receipts[0], "same numbers, same response");

    let changed = form(&db, &key(7), &[(tea, 1)], Payment::BankTransfer).await;
    assert_eq!(
        service::checkout(&db, &app::live::hub::Hub::default(), user, &changed, NOW).await,
        Err(AppError::Conflict(ConflictCode::IdempotencyKeyReused)),
        "the same key with another cart is refused"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM orders").await, 2);

    let other = shopper(&db, "other").await;
    let theirs = service::checkout(
        &db,
        &app::live::hub::Hub::default(),
        other,
        &form(&db, &key(7), &[(tea, 1)], Payment::Cod).await,
        NOW,
    )
    .await;
    assert!(theirs.is_ok(), "keys belong to one account: another shopper's same key is their own");
}

async fn a_cart_across_two_cooperatives_gives_one_order_each_and_the_totals_add_up(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let tea = product(&db, "binh-minh", "multi-tea", 120_000, 10).await;
    let tea2 = product(&db, "binh-minh", "multi-tea-2", 95_000, 10).await;
    let wine = product(&db, "hong-phat", "multi-wine", 260_000, 10).await;
    let user = shopper(&db, "multi").await;
    let owner = CartOwner::User(user);
    service::add_to_cart(&db, &owner, tea, 2, NOW).await.expect("add");
    service::add_to_cart(&db, &owner, tea2, 1, NOW).await.expect("add");
    service::add_to_cart(&db, &owner, wine, 1, NOW).await.expect("add");
    service::add_to_cart(&db, &owner, wine, 1, NOW).await.expect("adding again adds up");

    let cart = service::cart(&db, &owner).await.expect("cart");
    assert_eq!(cart.groups.len(), 2, "grouped by cooperative");
    let by_coop = |id: i64| cart.groups.iter().find(|g| g.cooperative_id == id).expect("group");
    let (binh_minh, hoang_gia) = (coop_id(&db, "binh-minh").await, coop_id(&db, "hong-phat").await);
    assert_eq!(by_coop(binh_minh).subtotal_vnd, 2 * 120_000 + 95_000);
    // Three parcels of unknown weight (500 g each) within Tuyên Quang: the 2 kg step.
    assert_eq!(by_coop(binh_minh).shipping_vnd, 25_000, "under the free-shipping threshold");
    assert_eq!(by_coop(hoang_gia).subtotal_vnd, 520_000);
    assert_eq!(by_coop(hoang_gia).shipping_vnd, 0, "free from 500,000 ₫");
    assert_eq!(cart.item_count, 5);
    assert_eq!(cart.total_vnd, 335_000 + 25_000 + 520_000);

    // The client's form carries the lines and the prices it was shown; the server charges its own.
    let receipt = service::checkout(
        &db,
        &app::live::hub::Hub::default(),
        user,
        &CheckoutForm {
            lines: cart.submitted_lines(),
            ..form(&db, &key(1), &[], Payment::BankTransfer).await
        },
        NOW,
    )
    .await
    .expect("checkout");
    assert_eq!(receipt.orders.len(), 2);
    assert_eq!(receipt.total_vnd, cart.total_vnd, "the orders add up to the cart");
    for order in &receipt.orders {
        assert!(
            order.number.starts_with("DH") && order.number.contains(&format!("-{:06}-", receipt.checkout_id))
        );
        let transfer = order.transfer.as_ref().expect("bank transfer shows a QR code");
        let payload = transfer.qr_svg.len();
        assert!(payload > 1000, "an SVG QR code");
        assert_eq!(transfer.purpose, format!("OCOP {}", order.number));
        let detail = service::order(&db, Scope::Shopper(user), &order.number).await.expect("detail");
        let expected = Transfer {
            bank_bin: "970405".into(),
            account: transfer.account.clone(),
            amount_vnd: Some(order.total_vnd),
            purpose: transfer.purpose.clone(),
        };
        assert_eq!(detail.transfer.as_ref().map(|t| &t.qr_svg), Some(&transfer.qr_svg));
        assert_eq!(
            Transfer::parse(&expected.payload().expect("payload")).expect("parse").amount_vnd,
            Some(detail.subtotal_vnd + detail.shipping_vnd)
        );
        assert_eq!(detail.lines.iter().map(|l| l.line_total_vnd).sum::<i64>(), detail.subtotal_vnd);
        assert_eq!(detail.events.len(), 1, "the checkout is the first event");
        assert_eq!((detail.events[0].from, detail.events[0].to), (None, Status::Pending));
    }
    assert!(service::cart(&db, &owner).await.expect("cart").is_empty(), "bought lines leave the cart");

    // Prices are snapshots: a later price change does not touch the order.
    exec(&db, {
        let mut sql = Sql::new("UPDATE products SET price_vnd = 999000 WHERE id = ");
        sql.bind(tea);
        sql
    })
    .await;
    let mut tea_lines = Vec::new();
    for order in &receipt.orders {
        let detail = service::order(&db, Scope::Shopper(user), &order.number).await.expect("detail");
        tea_lines.extend(detail.lines.into_iter().filter(|l| l.product_id == tea));
    }
    let line = tea_lines.first().expect("tea line");
    assert_eq!((line.unit_price_vnd, line.line_total_vnd), (120_000, 240_000));
}

async fn checkout_input_is_checked_field_by_field_and_nothing_is_written(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let tea = product(&db, "binh-minh", "check-tea", 120_000, 10).await;
    let user = shopper(&db, "check").await;
    let mut bad = form(&db, &key(3), &[(tea, 1)], Payment::Cod).await;
    bad.address.phone = "024 3822 2222".into();
    bad.address.province = "Atlantis".into();
    bad.address.street = "  ".into();
    assert_eq!(
        service::checkout(&db, &app::live::hub::Hub::default(), user, &bad, NOW).await,
        Err(AppError::Validation(vec![
            FieldError::new("phone", app::error::FieldCode::MobileInvalid),
            FieldError::new("province", app::error::FieldCode::Required),
            FieldError::new("street", app::error::FieldCode::Required),
        ]))
    );
    exec(&db, {
        let mut sql = Sql::new("UPDATE cooperatives SET bank_bin = NULL, bank_account = NULL WHERE slug = ");
        sql.bind("binh-minh".to_owned());
        sql
    })
    .await;
    assert_eq!(
        service::checkout(
            &db,
            &app::live::hub::Hub::default(),
            user,
            &form(&db, &key(4), &[(tea, 1)], Payment::BankTransfer).await,
            NOW
        )
        .await,
        Err(AppError::Validation(vec![FieldError::new(
            "payment",
            app::error::FieldCode::TransferUnavailable
        )])),
        "a cooperative without bank details takes no transfers"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM orders").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM checkouts").await, 0, "a refused form keeps its key free");
    assert_eq!(stock(&db, tea).await, 10);
    let ok = service::checkout(
        &db,
        &app::live::hub::Hub::default(),
        user,
        &form(&db, &key(4), &[(tea, 1)], Payment::Cod).await,
        NOW,
    )
    .await;
    assert!(ok.is_ok(), "the key of a refused checkout can be used again: {ok:?}");
}

async fn the_pipeline_refuses_every_transition_it_does_not_allow(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let tea = product(&db, "binh-minh", "flow-tea", 50_000, 1_000).await;
    let user = shopper(&db, "flow").await;
    let coop = Scope::Cooperative(coop_id(&db, "binh-minh").await);
    let member = shopper(&db, "member").await;
    // The path to each state, as the cooperative walks it.
    let path = |s: Status| -> Vec<(Status, &'static str)> {
        use Status::*;
        match s {
            Pending => vec![],
            Confirmed => vec![(Confirmed, "")],
            Shipped => vec![(Confirmed, ""), (Shipped, "VNPost EB123456789VN")],
            Delivered => vec![(Confirmed, ""), (Shipped, "VNPost EB123456789VN"), (Delivered, "")],
            Cancelled => vec![(Cancelled, "")],
        }
    };
    let mut n = 100;
    for from in Status::ALL {
        for to in Status::ALL {
            for (actor, scope) in [(Actor::Cooperative, coop), (Actor::Shopper, Scope::Shopper(user))] {
                n += 1;
                let number = place(&db, user, &[(tea, 1)], Payment::Cod, n).await.orders[0].number.clone();
                for (step, note) in path(from) {
                    service::transition(
                        &db,
                        &app::live::hub::Hub::new(),
                        member,
                        coop,
                        &number,
                        step,
                        note,
                        NOW,
                    )
                    .await
                    .expect("walk");
                }
                let note = if to == Status::Shipped { "GHN 8412" } else { "" };
                let result = service::transition(
                    &db,
                    &app::live::hub::Hub::new(),
                    user,
                    scope,
                    &number,
                    to,
                    note,
                    NOW,
                )
                .await;
                if from.can_move(to, actor) {
                    assert_eq!(result, Ok(()), "{from:?} → {to:?} by {actor:?}");
                    assert_eq!(status_of(&db, &number).await, to.key());
                } else {
                    assert_eq!(
                        result,
                        Err(AppError::Conflict(ConflictCode::TransitionNotAllowed)),
                        "{from:?} → {to:?} by {actor:?} must be refused"
                    );
                    assert_eq!(status_of(&db, &number).await, from.key(), "a refused move changes nothing");
                }
            }
        }
    }
    // The cooperative's inbox filters by status and holds only its own orders.
    for status in Status::ALL {
        let listed = service::orders(&db, coop, Some(status)).await.expect("list");
        assert!(!listed.is_empty() && listed.iter().all(|o| o.status == status), "{status:?}: {listed:?}");
    }
    assert_eq!(service::orders(&db, coop, None).await.expect("list").len(), 50);
    assert_eq!(service::orders(&db, Scope::Shopper(user), None).await.expect("list").len(), 50);
    let hong_phat = Scope::Cooperative(coop_id(&db, "hong-phat").await);
    assert!(service::orders(&db, hong_phat, None).await.expect("list").is_empty());

    let number = place(&db, user, &[(tea, 1)], Payment::Cod, 1).await.orders[0].number.clone();
    service::transition(&db, &app::live::hub::Hub::new(), member, coop, &number, Status::Confirmed, "", NOW)
        .await
        .expect("confirm");
    assert_eq!(
        service::transition(
            &db,
            &app::live::hub::Hub::new(),
            member,
            coop,
            &number,
            Status::Shipped,
            " ",
            NOW
        )
        .await,
        Err(AppError::Validation(vec![FieldError::new("note", app::error::FieldCode::TrackingRequired)])),
        "shipping needs a tracking note"
    );
    service::transition(
        &db,
        &app::live::hub::Hub::new(),
        member,
        coop,
        &number,
        Status::Shipped,
        "VNPost EB1",
        NOW + 60,
    )
    .await
    .expect("ship");
    let other = Scope::Cooperative(coop_id(&db, "hong-phat").await);
    assert_eq!(service::order(&db, other, &number).await.map(|_| ()), Err(AppError::NotFound));
    assert_eq!(
        service::transition(
            &db,
            &app::live::hub::Hub::new(),
            member,
            other,
            &number,
            Status::Delivered,
            "",
            NOW
        )
        .await,
        Err(AppError::NotFound),
        "another cooperative's order is not there for them"
    );
    let stranger = shopper(&db, "stranger").await;
    assert_eq!(
        service::order(&db, Scope::Shopper(stranger), &number).await.map(|_| ()),
        Err(AppError::NotFound)
    );

    let detail = service::order(&db, Scope::Shopper(user), &number).await.expect("detail");
    assert_eq!(detail.tracking_note, "VNPost EB1");
    let log: Vec<_> =
        detail.events.iter().map(|e| (e.from, e.to, e.actor.as_str(), e.actor_role.as_str())).collect();
    assert_eq!(
        log,
        vec![
            (None, Status::Pending, "flow", "shopper"),
            (Some(Status::Pending), Status::Confirmed, "member", "cooperative"),
            (Some(Status::Confirmed), Status::Shipped, "member", "cooperative"),
        ],
        "who, from, to, in order"
    );
    assert!(detail.next.is_empty(), "the shopper cannot move a shipped order");
}

/// The dashboard's figures for NOW's Vietnam day: the cooperative's orders and revenue, and the
/// quantity of the product sold.
async fn day_figures(db: &Db, coop: i64, product: i64) -> (i64, i64, i64) {
    let day = app::clock::vietnam_day(NOW);
    let mut sql = Sql::new(
        "SELECT CAST(COALESCE(SUM(orders), 0) AS BIGINT), CAST(COALESCE(SUM(revenue_vnd), 0) AS BIGINT) \
         FROM order_days WHERE day = ",
    );
    sql.bind(day).push(" AND cooperative_id = ").bind(coop);
    let (orders, revenue): (i64, i64) = common::row(db, sql).await;
    let mut sql =
        Sql::new("SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM product_days WHERE day = ");
    sql.bind(day).push(" AND product_id = ").bind(product);
    (orders, revenue, scalar(db, sql).await)
}

/// A cancellation gives the stock back and takes the order out of the dashboard's daily
/// figures, exactly once, however many times it is sent.
async fn cancelling_restores_stock_once_even_if_sent_twice(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let tea = product(&db, "binh-minh", "cancel-tea", 50_000, 20).await;
    let wine = product(&db, "binh-minh", "cancel-wine", 70_000, 20).await;
    let user = shopper(&db, "cancel").await;
    let coop = coop_id(&db, "binh-minh").await;
    let before = day_figures(&db, coop, tea).await;
    let number = place(&db, user, &[(tea, 3), (wine, 2)], Payment::Cod, 1).await.orders[0].number.clone();
    assert_eq!((stock(&db, tea).await, stock(&db, wine).await), (17, 18));
    // The checkout counted the order on its day, in its own transaction.
    assert_eq!(day_figures(&db, coop, tea).await, (before.0 + 1, before.1 + 290_000, before.2 + 3));
    let twice: Vec<_> = (0..2)
        .map(|_| {
            let (db, number) = (db.clone(), number.clone());
            tokio::spawn(async move {
                service::transition(
                    &db,
                    &app::live::hub::Hub::new(),
                    user,
                    Scope::Shopper(user),
                    &number,
                    Status::Cancelled,
                    "",
                    NOW,
                )
                .await
            })
        })
        .collect();
    let mut results = Vec::new();
    for t in twice {
        results.push(t.await.expect("task"));
    }
    results.sort_by_key(|r| r.is_err());
    assert_eq!(results, vec![Ok(()), Err(AppError::Conflict(ConflictCode::TransitionNotAllowed))]);
    assert_eq!((stock(&db, tea).await, stock(&db, wine).await), (20, 20), "restored exactly once");
    assert_eq!(
        service::transition(
            &db,
            &app::live::hub::Hub::new(),
            user,
            Scope::Shopper(user),
            &number,
            Status::Cancelled,
            "",
            NOW
        )
        .await,
        Err(AppError::Conflict(ConflictCode::TransitionNotAllowed))
    );
    assert_eq!((stock(&db, tea).await, stock(&db, wine).await), (20, 20));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM order_events WHERE to_status = 'cancelled'").await, 1);
    assert_eq!(day_figures(&db, coop, tea).await, before, "out of the day's figures once");
}

async fn the_cart_checks_stock_points_out_changes_and_merges_at_login(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let tea = product(&db, "binh-minh", "cart-tea", 100_000, 5).await;
    let wine = product(&db, "hong-phat", "cart-wine", 200_000, 3).await;
    let visitor = CartOwner::Anonymous("visitor-token-hash".into());
    assert_eq!(
        service::add_to_cart(&db, &visitor, tea, 6, NOW).await,
        Err(AppError::Validation(vec![FieldError::new("quantity", app::error::FieldCode::StockShort)])),
        "not more than is in stock"
    );
    service::add_to_cart(&db, &visitor, tea, 4, NOW).await.expect("add");
    service::add_to_cart(&db, &visitor, wine, 2, NOW).await.expect("add");
    assert_eq!(service::cart_count(&db, &visitor).await.expect("count"), 6);

    // The price and stock move while the cart waits.
    exec(&db, {
        let mut sql = Sql::new("UPDATE products SET price_vnd = 110000, stock = 2 WHERE id = ");
        sql.bind(tea);
        sql
    })
    .await;
    let cart = service::cart(&db, &visitor).await.expect("cart");
    let line = cart.lines().find(|l| l.product_id == tea).expect("tea");
    assert_eq!(
        (line.unit_price_vnd, line.previous_price_vnd),
        (110_000, Some(100_000)),
        "the change is shown"
    );
    assert!(!line.ready() && line.stock == 2, "4 wanted, 2 left");
    assert!(cart.has_changes() && !cart.ready());
    // Reading the cart (a GET) changes nothing: the change stays marked until the line changes.
    let again = service::cart(&db, &visitor).await.expect("cart");
    assert_eq!(again, cart, "reading twice reads the same");
    service::set_quantity(&db, &visitor, tea, 2, NOW).await.expect("lowering is always allowed");
    let after = service::cart(&db, &visitor).await.expect("cart");
    assert_eq!(
        after.lines().find(|l| l.product_id == tea).expect("tea").previous_price_vnd,
        None,
        "changing the line acknowledges its price"
    );

    // At login the visitor's cart joins the account's, capped by stock.
    let user = shopper(&db, "merge").await;
    let account = CartOwner::User(user);
    service::add_to_cart(&db, &account, wine, 2, NOW).await.expect("add");
    service::merge_into_account(&db, "visitor-token-hash", user, NOW).await.expect("merge");
    let merged = service::cart(&db, &account).await.expect("cart");
    let quantities: Vec<(i64, i64)> = merged.lines().map(|l| (l.product_id, l.quantity)).collect();
    assert_eq!(quantities.len(), 2);
    assert!(quantities.contains(&(tea, 2)));
    assert!(quantities.contains(&(wine, 3)), "2 + 2 wine, but only 3 exist");
    assert!(service::cart(&db, &visitor).await.expect("cart").is_empty(), "the anonymous cart is gone");

    // A product that leaves the shop stays in the cart, marked, and cannot be bought.
    exec(&db, {
        let mut sql = Sql::new("UPDATE products SET status = 'draft' WHERE id = ");
        sql.bind(wine);
        sql
    })
    .await;
    let cart = service::cart(&db, &account).await.expect("cart");
    assert!(!cart.lines().find(|l| l.product_id == wine).expect("wine").available);
    assert_eq!(
        service::add_to_cart(&db, &account, wine, 1, NOW).await,
        Err(AppError::NotFound),
        "an unpublished product cannot be added"
    );
}

async fn only_a_delivered_purchase_is_reviewed_once_and_ratings_sort_the_shop(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let tea = product(&db, "binh-minh", "review-tea", 50_000, 100).await;
    let wine = product(&db, "hong-phat", "review-wine", 60_000, 100).await;
    let coop = Scope::Cooperative(coop_id(&db, "binh-minh").await);
    let text = "Trà thơm, đóng gói cẩn thận.";
    let user = shopper(&db, "reviewer").await;
    assert_eq!(
        service::add_review(&db, user, tea, 5, text, NOW).await,
        Err(AppError::Forbidden),
        "not bought"
    );
    let number = place(&db, user, &[(tea, 1)], Payment::Cod, 1).await.orders[0].number.clone();
    assert_eq!(
        service::add_review(&db, user, tea, 5, text, NOW).await,
        Err(AppError::Forbidden),
        "not delivered"
    );
    for (to, note) in [(Status::Confirmed, ""), (Status::Shipped, "VNPost 1"), (Status::Delivered, "")] {
        service::transition(&db, &app::live::hub::Hub::new(), user, coop, &number, to, note, NOW)
            .await
            .expect("move");
    }
    assert_eq!(
        service::add_review(&db, user, tea, 6, "short", NOW).await,
        Err(AppError::Validation(vec![
            FieldError::new("rating", app::error::FieldCode::RatingInvalid),
            FieldError::new("body", app::error::FieldCode::ReviewShort)
        ]))
    );
    let detail = service::order(&db, Scope::Shopper(user), &number).await.expect("detail");
    assert!(detail.lines[0].can_review);
    service::add_review(&db, user, tea, 4, text, NOW).await.expect("review");
    assert_eq!(
        service::add_review(&db, user, tea, 5, text, NOW).await,
        Err(AppError::Conflict(ConflictCode::AlreadyReviewed)),
        "once per product"
    );
    let detail = service::order(&db, Scope::Shopper(user), &number).await.expect("detail");
    assert!(!detail.lines[0].can_review);

    let second = shopper(&db, "second").await;
    let placed_orders = place(&db, second, &[(tea, 1), (wine, 1)], Payment::Cod, 2).await.orders;
    for placed in placed_orders {
        let owner = if service::order(&db, coop, &placed.number).await.is_ok() {
            coop
        } else {
            Scope::Cooperative(coop_id(&db, "hong-phat").await)
        };
        for (to, note) in [(Status::Confirmed, ""), (Status::Shipped, "GHN 2"), (Status::Delivered, "")] {
            service::transition(
                &db,
                &app::live::hub::Hub::new(),
                second,
                owner,
                &placed.number,
                to,
                note,
                NOW,
            )
            .await
            .expect("move");
        }
    }
    service::add_review(&db, second, tea, 5, "Rất ngon, sẽ mua lại lần sau.", NOW + 1).await.expect("review");
    service::add_review(&db, second, wine, 5, "Rượu êm, thơm mùi ngô.", NOW + 1).await.expect("review");

    let reviews = service::reviews(&db, tea).await.expect("reviews");
    assert_eq!((reviews.count, reviews.average_x100), (2, 450));
    assert_eq!(reviews.reviews.len(), 2);
    assert_eq!(reviews.reviews[0].author, "second", "newest first");
    assert!(reviews.reviews.iter().all(|r| r.verified_purchase));

    let query = ProductQuery { sort: Sort::Rating, page: 1, ..Default::default() };
    let page = app::catalog::service::list_products(&db, &query, Lang::Vi, TODAY).await.expect("list");
    let first: Vec<&str> = page.items.iter().take(2).map(|c| c.slug.as_str()).collect();
    assert_eq!(first, vec!["review-wine", "review-tea"], "5.0 before 4.5, then the unreviewed");
}

async fn a_price_changed_after_the_checkout_page_was_shown_is_never_charged(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let tea = product(&db, "binh-minh", "moving-tea", 100_000, 10).await;
    let user = shopper(&db, "moving").await;
    let owner = CartOwner::User(user);
    service::add_to_cart(&db, &owner, tea, 2, NOW).await.expect("add");
    let page = service::checkout_data(&db, user, None).await.expect("checkout page");
    // Two units of unknown weight (500 g each) within the province: the 1 kg step.
    assert_eq!(page.cart.total_vnd, 200_000 + 20_000);
    let shown = CheckoutForm {
        lines: page.cart.submitted_lines(),
        ..form(&db, &page.idempotency_key, &[], Payment::Cod).await
    };
    // The cooperative raises the price while the shopper types the address.
    exec(&db, {
        let mut sql = Sql::new("UPDATE products SET price_vnd = 150000 WHERE id = ");
        sql.bind(tea);
        sql
    })
    .await;
    assert_eq!(
        service::checkout(&db, &app::live::hub::Hub::default(), user, &shown, NOW).await,
        Err(AppError::Conflict(ConflictCode::PricesChanged)),
        "refused, not charged 300,000 ₫ unseen"
    );
    assert_eq!(AppError::Conflict(ConflictCode::PricesChanged).status(), http::StatusCode::CONFLICT);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM orders").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM checkouts").await, 0, "the key stays free");
    assert_eq!(stock(&db, tea).await, 10, "no stock taken");
    // The page, read again, shows the new totals; confirming them places the order.
    let again = service::checkout_data(&db, user, None).await.expect("checkout page");
    assert_eq!(again.cart.total_vnd, 300_000 + 20_000);
    let confirmed = CheckoutForm { lines: again.cart.submitted_lines(), ..shown };
    let receipt = service::checkout(&db, &app::live::hub::Hub::default(), user, &confirmed, NOW)
        .await
        .expect("checkout");
    assert_eq!(receipt.total_vnd, 300_000 + 20_000);
}

async fn an_out_of_stock_answer_names_only_products_the_shopper_may_see(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let short = product(&db, "binh-minh", "short-tea", 100_000, 1).await;
    let draft = product(&db, "binh-minh", "secret-draft", 100_000, 0).await;
    exec(&db, {
        let mut sql = Sql::new(
            "UPDATE products SET status = 'draft', name_vi = 'Bí mật', name_en = 'Secret' WHERE id = ",
        );
        sql.bind(draft);
        sql
    })
    .await;
    let user = shopper(&db, "prober").await;
    let answer = service::checkout(
        &db,
        &app::live::hub::Hub::default(),
        user,
        &form(&db, &key(9), &[(short, 2), (draft, 1)], Payment::Cod).await,
        NOW,
    )
    .await;
    let Err(AppError::OutOfStock(lines)) = answer else { panic!("expected a shortage, got {answer:?}") };
    let named: Vec<(i64, String, i64)> =
        lines.iter().map(|l| (l.product_id, l.name.vi.clone(), l.available)).collect();
    assert_eq!(named, vec![(short, "SP short-tea".to_owned(), 1), (draft, String::new(), 0)]);
    assert!(!format!("{lines:?}").contains("Secret") && !format!("{lines:?}").contains("Bí mật"));
}

/// A member of `coop` (the owner), who hears of the cooperative's orders.
async fn owner(db: &Db, coop: &str, name: &str) -> i64 {
    let mut sql = Sql::new(
        "INSERT INTO users (email, display_name, password_hash, role, cooperative_id, member_role, created_at, \
         updated_at) SELECT ",
    );
    sql.bind(format!("{name}@coop.vn"))
        .push(", ")
        .bind(name.to_owned())
        .push(", 'x', 'member', id, 'owner', ");
    sql.bind(NOW).push(", ").bind(NOW).push(" FROM cooperatives WHERE slug = ").bind(coop.to_owned());
    sql.push(" RETURNING id");
    scalar(db, sql).await
}

/// The kinds of the messages `user` was emailed, oldest first.
async fn emailed(db: &Db, user: i64) -> Vec<String> {
    let mut sql = Sql::new("SELECT kind FROM outbox WHERE user_id = ");
    sql.bind(user).push(" ORDER BY id");
    sql.query_scalar().expect("encode").fetch_all(&db.pool).await.expect("kinds")
}

async fn an_order_tells_its_shopper_and_its_cooperative_at_each_step(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let tea = product(&db, "binh-minh", "told-tea", 120_000, 5).await;
    let user = shopper(&db, "told").await;
    let member = owner(&db, "binh-minh", "chu").await;
    let other = owner(&db, "hong-phat", "khac").await;
    let hub = app::live::hub::Hub::default();
    let receipt = place(&db, user, &[(tea, 2)], Payment::BankTransfer, 1).await;
    let number = receipt.orders[0].number.clone();
    assert_eq!(emailed(&db, user).await, vec!["order_received"]);
    assert_eq!(emailed(&db, member).await, vec!["new_order"]);
    assert!(emailed(&db, other).await.is_empty(), "another cooperative hears nothing");
    // The receipt carries the transfer: the amount, and the note it is matched by.
    let mut sql = Sql::new("SELECT payload FROM outbox WHERE kind = 'order_received'");
    sql.push("");
    let receipt_mail: serde_json::Value =
        serde_json::from_str(&scalar::<String>(&db, sql).await).expect("json");
    assert_eq!(receipt_mail["transfer"]["purpose"], format!("OCOP {number}"));
    assert_eq!(receipt_mail["transfer"]["amount_vnd"], receipt.orders[0].total_vnd);
    // A replay of the form tells no one again.
    service::checkout(&db, &hub, user, &form(&db, &key(1), &[(tea, 2)], Payment::BankTransfer).await, NOW)
        .await
        .expect("replay");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM outbox").await, 2);

    let coop = Scope::Cooperative(coop_id(&db, "binh-minh").await);
    service::transition(&db, &hub, member, coop, &number, Status::Confirmed, "", NOW).await.expect("confirm");
    assert!(
        matches!(
            service::ship(&db, &hub, member, coop, &number, "pigeon", "EB1", NOW).await,
            Err(AppError::Validation(_))
        ),
        "a carrier from the list"
    );
    service::ship(&db, &hub, member, coop, &number, "vnpost", "EB123VN", NOW).await.expect("ship");
    service::transition(&db, &hub, member, coop, &number, Status::Delivered, "", NOW).await.expect("deliver");
    assert_eq!(
        emailed(&db, user).await,
        vec!["order_received", "order_confirmed", "order_shipped", "order_delivered"]
    );
    let mut sql = Sql::new("SELECT payload FROM outbox WHERE kind = 'order_shipped'");
    sql.push("");
    let shipped: serde_json::Value = serde_json::from_str(&scalar::<String>(&db, sql).await).expect("json");
    assert_eq!(shipped["tracking"], "EB123VN");
    assert_eq!(shipped["carrier"], "VNPost");
    assert_eq!(shipped["tracking_url"], "https://vnpost.vn/tra-cuu-hanh-trinh/buu-pham?key=EB123VN");
    let detail = service::order(&db, Scope::Shopper(user), &number).await.expect("order");
    assert_eq!((detail.carrier.as_deref(), detail.tracking_note.as_str()), (Some("vnpost"), "EB123VN"));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM notifications").await, 5, "each on a bell too");

    // A cancellation by the shopper tells both; the shopper's says who cancelled.
    let second = place(&db, user, &[(tea, 1)], Payment::Cod, 2).await.orders[0].number.clone();
    service::transition(&db, &hub, user, Scope::Shopper(user), &second, Status::Cancelled, "", NOW)
        .await
        .expect("cancel");
    assert_eq!(emailed(&db, member).await, vec!["new_order", "new_order", "order_cancelled_by_shopper"]);
    let mut sql = Sql::new("SELECT payload FROM outbox WHERE kind = 'order_cancelled'");
    sql.push("");
    let cancelled: serde_json::Value = serde_json::from_str(&scalar::<String>(&db, sql).await).expect("json");
    assert_eq!(cancelled["by"], "shopper");
}

async fn an_unconfirmed_account_keeps_its_cart_but_orders_once_confirmed(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let tea = product(&db, "binh-minh", "verify-tea", 120_000, 5).await;
    let user = shopper(&db, "fresh").await;
    let mut sql = Sql::new("UPDATE users SET email_verified = 0 WHERE id = ");
    sql.bind(user);
    exec(&db, sql).await;
    let hub = app::live::hub::Hub::default();
    let submitted = form(&db, &key(1), &[(tea, 1)], Payment::Cod).await;
    let refused = service::checkout(&db, &hub, user, &submitted, NOW).await;
    assert_eq!(refused.err(), Some(AppError::Conflict(ConflictCode::EmailNotVerified)));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM orders").await, 0);
    assert_eq!(stock(&db, tea).await, 5);
    assert_eq!(emailed(&db, user).await, vec!["verify_email"], "the link is sent again");
    let mut sql = Sql::new("SELECT payload FROM outbox WHERE kind = 'verify_email'");
    sql.push("");
    let link: serde_json::Value = serde_json::from_str(&scalar::<String>(&db, sql).await).expect("json");
    app::accounts::links::verify_email(&db, link["token"].as_str().expect("token"), NOW)
        .await
        .expect("confirm");
    service::checkout(&db, &hub, user, &submitted, NOW).await.expect("now it orders");
    assert_eq!(stock(&db, tea).await, 4);
}

async fn shipping_is_priced_by_zone_and_weight_shown_before_ordering_and_kept_on_the_order(db: Db) {
    use app::orders::shipping::{RateTable, STEPS_GRAMS, Zone};
    app::seed::seed(&db).await.expect("seed");
    let tea = product(&db, "binh-minh", "ship-tea", 100_000, 10).await;
    let mut sql = Sql::new("UPDATE products SET weight_grams = 800 WHERE id = ");
    sql.bind(tea);
    exec(&db, sql).await;
    let user = shopper(&db, "ship").await;
    service::add_to_cart(&db, &CartOwner::User(user), tea, 2, NOW).await.expect("add");
    let quoted = |province: &'static str| {
        let db = db.clone();
        async move {
            let page = service::checkout_data(&db, user, Some(province)).await.expect("checkout page");
            let group = page.cart.groups[0].clone();
            (group.shipping_vnd, group.shipping.expect("a quote"))
        }
    };
    // 1.6 kg from Tuyên Quang: its own province, the north, the rest of the country.
    let (fee, quote) = quoted("Tuyên Quang").await;
    assert_eq!((fee, quote.zone, quote.grams), (25_000, Zone::Province, 1_600));
    assert_eq!(quoted("Hà Nội").await.0, 34_000, "same region, the 2 kg step");
    let (fee, quote) = quoted("Hồ Chí Minh").await;
    assert_eq!((fee, quote.zone), (46_000, Zone::National));

    // The page showed Hà Nội's shipping; the address says Hồ Chí Minh: refused, nothing ordered.
    let mut submitted = form(&db, &key(1), &[(tea, 2)], Payment::Cod).await;
    submitted.address.province = "Hồ Chí Minh".into();
    submitted.shipping_vnd = Some(34_000);
    let hub = app::live::hub::Hub::default();
    assert_eq!(
        service::checkout(&db, &hub, user, &submitted, NOW).await.err(),
        Some(AppError::Conflict(ConflictCode::ShippingChanged))
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM orders").await, 0);
    submitted.shipping_vnd = Some(46_000);
    let receipt = service::checkout(&db, &hub, user, &submitted, NOW).await.expect("checkout");
    assert_eq!(receipt.total_vnd, 200_000 + 46_000);
    let number = receipt.orders[0].number.clone();
    let kept_sql = || {
        let mut sql =
            Sql::new("SELECT shipping_vnd, shipping_zone, parcel_grams FROM orders WHERE number = ");
        sql.bind(number.clone());
        sql
    };
    let kept: (i64, String, i64) = common::row(&db, kept_sql()).await;
    assert_eq!(kept, (46_000, "national".to_owned(), 1_600), "the order keeps its parcel and price");
    // The same goods in the cart again, to see the next quotes.
    service::add_to_cart(&db, &CartOwner::User(user), tea, 2, NOW).await.expect("add");

    // New rates change new quotes, never placed orders.
    let mut table = service::shipping::rates(&db).await.expect("rates");
    for step in &mut table.steps {
        step.2 += 10_000;
    }
    service::shipping::save_rates(&db, user, &table, NOW).await.expect("save");
    assert_eq!(quoted("Hồ Chí Minh").await.0, 56_000);
    assert_eq!(common::row::<(i64, String, i64)>(&db, kept_sql()).await, kept);

    // A table with a falling or missing step is refused as a whole.
    let mut bad = table.clone();
    bad.steps.retain(|s| !(s.0 == Zone::Region && s.1 == STEPS_GRAMS[4]));
    if let Some(step) = bad.steps.iter_mut().find(|s| s.0 == Zone::National && s.1 == STEPS_GRAMS[1]) {
        step.2 = 1;
    }
    let refused = service::shipping::save_rates(&db, user, &bad, NOW).await;
    assert_eq!(
        refused,
        Err(AppError::Validation(vec![
            FieldError::new("region_5000", app::error::FieldCode::Required),
            FieldError::new("national_1000", app::error::FieldCode::Invalid),
        ]))
    );
    assert_eq!(service::shipping::rates(&db).await.expect("rates"), table, "unchanged");
    assert_ne!(table, RateTable::default());

    // The cooperative's own threshold: free from 150,000 ₫ of goods.
    let mut sql = Sql::new("UPDATE cooperatives SET free_shipping_from_vnd = 150000 WHERE slug = ");
    sql.bind("binh-minh".to_owned());
    exec(&db, sql).await;
    let (fee, quote) = quoted("Hồ Chí Minh").await;
    assert_eq!((fee, quote.free), (0, true));
}

async fn a_bank_statement_marks_the_right_orders_paid_and_lists_the_rest(db: Db) {
    use app::orders::payments::{Outcome, PaidVia, PaymentStatus};
    use app::orders::service::payments;
    app::seed::seed(&db).await.expect("seed");
    let tea = product(&db, "binh-minh", "paid-tea", 100_000, 20).await;
    let user = shopper(&db, "payer").await;
    let member = owner(&db, "binh-minh", "ketoan").await;
    let coop = coop_id(&db, "binh-minh").await;
    let hub = app::live::hub::Hub::default();
    let mut numbers = Vec::new();
    for n in 1..=3 {
        let receipt = service::checkout(
            &db,
            &hub,
            user,
            &form(&db, &key(n), &[(tea, 1)], Payment::BankTransfer).await,
            NOW,
        )
        .await
        .expect("checkout");
        numbers.push((receipt.orders[0].number.clone(), receipt.orders[0].total_vnd));
    }
    // 100,000 ₫ of goods and a 500 g parcel within the province.
    assert_eq!(numbers[0].1, 116_000);
    assert_eq!(numbers[1].0, "DH270115-000002-1", "the number the XLSX fixture names");
    let key_of = |i: usize| numbers[i].0.replace('-', " ");
    let csv = format!(
        "Vietcombank - Sao ke tai khoan\nNgày;Số tiền;Nội dung\n15/01/2027;116.000;OCOP {}\n\
         15/01/2027;100.000;OCOP {}\n15/01/2027;50.000;chuyen tien\n15/01/2027;-20.000;phi\n\
         16/01/2027;116.000;ocop {} lan 2\n",
        key_of(0),
        numbers[2].0,
        numbers[0].0
    );
    let import = payments::import_statement(&db, &hub, member, coop, "vcb.csv", csv.as_bytes(), NOW + 60)
        .await
        .expect("import");
    let page = payments::payments_page(&db, coop, Some(import), NOW + 60).await.expect("page");
    let lines = page.import.expect("the import").lines;
    let outcomes: Vec<(i64, Outcome, Option<&str>)> =
        lines.iter().map(|l| (l.amount_vnd, l.outcome, l.order.as_ref().map(|o| o.0.as_str()))).collect();
    assert_eq!(
        outcomes,
        vec![
            (116_000, Outcome::Matched, Some(numbers[0].0.as_str())),
            (100_000, Outcome::AmountDiffers, Some(numbers[2].0.as_str())),
            (50_000, Outcome::UnknownNote, None),
            (116_000, Outcome::AlreadyPaid, Some(numbers[0].0.as_str())),
        ],
        "the debit is left out; dashes or none, upper or lower case, the number is found"
    );
    let state = |n: usize| {
        let db = db.clone();
        let number = numbers[n].0.clone();
        async move { service::order(&db, Scope::Shopper(user), &number).await.expect("order").payment_state }
    };
    let first = state(0).await;
    assert_eq!(
        (first.status, first.amount_vnd, first.via),
        (PaymentStatus::Paid, Some(116_000), Some(PaidVia::Statement))
    );
    assert_eq!(state(2).await.status, PaymentStatus::Unpaid, "a different amount is for a person to decide");
    assert_eq!(emailed(&db, user).await.iter().filter(|k| *k == "payment_received").count(), 1);
    assert_eq!(page.unpaid.len(), 2);

    // The XLSX a bank exports, with debits and credits in columns of their own.
    let xlsx = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/statement.xlsx"));
    let import = payments::import_statement(&db, &hub, member, coop, "bidv.xlsx", xlsx, NOW + 120)
        .await
        .expect("xlsx");
    let lines = payments::payments_page(&db, coop, Some(import), NOW + 120)
        .await
        .expect("page")
        .import
        .expect("import")
        .lines;
    let outcomes: Vec<(i64, Outcome)> = lines.iter().map(|l| (l.amount_vnd, l.outcome)).collect();
    assert_eq!(outcomes, vec![(116_000, Outcome::Matched), (250_000, Outcome::UnknownNote)]);
    assert_eq!(state(1).await.status, PaymentStatus::Paid);
    assert!(
        matches!(
            payments::import_statement(&db, &hub, member, coop, "notes.txt", b"hello\nworld", NOW).await,
            Err(AppError::Validation(_))
        ),
        "a file with no amount and note columns is refused"
    );

    // The third by hand: another cooperative cannot, a zero amount is refused, and only once.
    let other = coop_id(&db, "hong-phat").await;
    assert_eq!(
        payments::record_payment(&db, &hub, member, other, &numbers[2].0, 116_000, NOW).await,
        Err(AppError::NotFound)
    );
    assert!(matches!(
        payments::record_payment(&db, &hub, member, coop, &numbers[2].0, 0, NOW).await,
        Err(AppError::Validation(_))
    ));
    payments::record_payment(&db, &hub, member, coop, &numbers[2].0, 100_000, NOW + 180)
        .await
        .expect("record");
    let third = state(2).await;
    assert_eq!(
        (third.status, third.amount_vnd, third.via, third.by.as_deref()),
        (PaymentStatus::Paid, Some(100_000), Some(PaidVia::Manual), Some("ketoan"))
    );
    assert_eq!(
        payments::record_payment(&db, &hub, member, coop, &numbers[2].0, 100_000, NOW).await,
        Err(AppError::Conflict(ConflictCode::PaymentRecorded))
    );
    // Paid then cancelled: refunded, once.
    let coop_scope = Scope::Cooperative(coop);
    service::transition(&db, &hub, member, coop_scope, &numbers[2].0, Status::Cancelled, "hết hàng", NOW)
        .await
        .expect("cancel");
    payments::refund(&db, coop, &numbers[2].0, NOW).await.expect("refund");
    assert_eq!(state(2).await.status, PaymentStatus::Refunded);
    assert!(payments::refund(&db, coop, &numbers[2].0, NOW).await.is_err());
    let page = payments::payments_page(&db, coop, None, NOW + 180).await.expect("page");
    assert_eq!(page.paid_30d_vnd, 232_000, "the two paid, not the refunded");
    assert_eq!(page.ordered_30d_vnd, 232_000, "the cancelled order is not counted as ordered");
}

async fn an_unpaid_transfer_is_flagged_after_the_cooperatives_days_and_its_shopper_reminded_once(db: Db) {
    use app::orders::service::payments;
    app::seed::seed(&db).await.expect("seed");
    let tea = product(&db, "binh-minh", "late-tea", 100_000, 20).await;
    let user = shopper(&db, "late").await;
    let member = owner(&db, "binh-minh", "thu").await;
    let coop = coop_id(&db, "binh-minh").await;
    let hub = app::live::hub::Hub::default();
    let transfer = place(&db, user, &[(tea, 1)], Payment::BankTransfer, 1).await.orders[0].number.clone();
    let cod = place(&db, user, &[(tea, 1)], Payment::Cod, 2).await.orders[0].number.clone();
    let day = 86_400;
    let page = payments::payments_page(&db, coop, None, NOW + 3 * day - 1).await.expect("page");
    assert!(!page.unpaid[0].overdue, "not before three days (the default)");
    assert_eq!(payments::remind_unpaid(&db, &hub, NOW + 3 * day - 1).await.expect("remind"), 0);
    let page = payments::payments_page(&db, coop, None, NOW + 3 * day + 1).await.expect("page");
    assert_eq!((page.unpaid.len(), page.unpaid[0].overdue), (1, true), "cash on delivery is never overdue");
    assert_eq!(payments::remind_unpaid(&db, &hub, NOW + 3 * day + 1).await.expect("remind"), 1);
    assert_eq!(payments::remind_unpaid(&db, &hub, NOW + 9 * day).await.expect("remind"), 0, "once");
    assert!(emailed(&db, user).await.contains(&"payment_reminder".to_owned()));
    // The cooperative may cancel it: the stock comes back.
    let scope = Scope::Cooperative(coop);
    service::transition(
        &db,
        &hub,
        member,
        scope,
        &transfer,
        Status::Cancelled,
        "không thanh toán",
        NOW + 4 * day,
    )
    .await
    .expect("cancel");
    assert_eq!(stock(&db, tea).await, 19);
    // Cash on delivery is paid when delivered.
    for to in [Status::Confirmed, Status::Delivered] {
        let result = service::transition(&db, &hub, member, scope, &cod, to, "", NOW).await;
        if to == Status::Delivered {
            assert!(result.is_err(), "shipped first");
        }
    }
    service::ship(&db, &hub, member, scope, &cod, "ghn", "GY1", NOW).await.expect("ship");
    service::transition(&db, &hub, member, scope, &cod, Status::Delivered, "", NOW).await.expect("deliver");
    let paid = service::order(&db, Scope::Shopper(user), &cod).await.expect("order").payment_state;
    assert_eq!(
        (paid.status, paid.via),
        (app::orders::payments::PaymentStatus::Paid, Some(app::orders::payments::PaidVia::Cod))
    );
    // The department's tiles count the money received today apart from what was ordered.
    let kpis = app::admin::dashboard::service::kpis(&db, &hub, NOW).await.expect("kpis");
    assert_eq!(kpis.paid_today_vnd, 116_000, "the delivered cash order, not the cancelled transfer");
    assert_eq!(kpis.revenue_today_vnd, 100_000, "goods ordered today and not cancelled");
}

on_both_databases!(
    a_bank_statement_marks_the_right_orders_paid_and_lists_the_rest,
    an_unpaid_transfer_is_flagged_after_the_cooperatives_days_and_its_shopper_reminded_once,
    shipping_is_priced_by_zone_and_weight_shown_before_ordering_and_kept_on_the_order,
    an_order_tells_its_shopper_and_its_cooperative_at_each_step,
    an_unconfirmed_account_keeps_its_cart_but_orders_once_confirmed,
    a_price_changed_after_the_checkout_page_was_shown_is_never_charged,
    an_out_of_stock_answer_names_only_products_the_shopper_may_see,
    five_hundred_checkouts_for_ten_units_sell_exactly_ten,
    three_submissions_of_one_form_make_one_set_of_orders,
    a_cart_across_two_cooperatives_gives_one_order_each_and_the_totals_add_up,
    checkout_input_is_checked_field_by_field_and_nothing_is_written,
    the_pipeline_refuses_every_transition_it_does_not_allow,
    cancelling_restores_stock_once_even_if_sent_twice,
    the_cart_checks_stock_points_out_changes_and_merges_at_login,
    only_a_delivered_purchase_is_reviewed_once_and_ratings_sort_the_shop,
);
