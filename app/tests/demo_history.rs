//! The demo order history of a fresh install, on real SQLite and real PostgreSQL: a few hundred
//! orders over the last 90 days across every demo cooperative, some cancelled, reviews and
//! export inquiries, all flagged demo, a stock ledger that adds up, and a dashboard whose
//! charts have something to draw.
mod common;

use app::admin::dashboard::cache::ProductCharts;
use app::admin::dashboard::model::*;
use app::admin::dashboard::service;
use app::clock::{day_start, vietnam_day};
use app::db::{Db, Sql};
use app::seed::history::{DEMO_ORDERS, HISTORY_DAYS, seed_history};

/// 2026-12-05 10:00 in Vietnam.
const NOW: i64 = 1_796_439_600;

async fn count(db: &Db, sql: &'static str) -> i64 {
    common::scalar(db, Sql::new(sql)).await
}

async fn seeded(db: &Db) -> app::seed::history::HistoryReport {
    app::seed::seed(db).await.expect("catalogue");
    let started = std::time::Instant::now();
    let report = seed_history(db, NOW).await.expect("history");
    eprintln!("demo history on {:?}: {report:?} in {} ms", db.backend, started.elapsed().as_millis());
    report
}

async fn the_demo_history_spans_ninety_days_and_every_cooperative(db: Db) {
    let report = seeded(&db).await;
    assert_eq!(report.orders, DEMO_ORDERS as u64);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM orders").await, DEMO_ORDERS as i64);
    let first_day_start = day_start(vietnam_day(NOW) - (HISTORY_DAYS - 1));
    let mut sql = Sql::new("SELECT COUNT(*) FROM orders WHERE created_at < ");
    sql.bind(first_day_start).push(" OR created_at > ").bind(NOW);
    assert_eq!(common::scalar::<i64>(&db, sql).await, 0, "every order within the last 90 days");
    assert_eq!(
        count(&db, "SELECT COUNT(DISTINCT cooperative_id) FROM orders").await,
        count(&db, "SELECT COUNT(*) FROM cooperatives").await,
        "every cooperative sold something"
    );
    let cancelled = count(&db, "SELECT COUNT(*) FROM orders WHERE status = 'cancelled'").await;
    assert_eq!(cancelled, report.cancelled as i64);
    assert!((10..=45).contains(&cancelled), "some cancelled: {cancelled}");
    assert!(count(&db, "SELECT COUNT(*) FROM orders WHERE status = 'delivered'").await > 150);
    assert_eq!(count(&db, "SELECT COUNT(DISTINCT payment) FROM orders").await, 2, "both payment methods");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id)")
            .await,
        0,
        "every order has its lines"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.id \
             AND e.to_status = o.status)"
        )
        .await,
        0,
        "each order's timeline ends at its status"
    );

    let reviews = count(&db, "SELECT COUNT(*) FROM reviews").await;
    assert!(reviews >= 20 && reviews == report.reviews as i64, "{reviews} reviews");
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM reviews r JOIN orders o ON o.id = r.order_id WHERE o.status <> 'delivered'"
        )
        .await,
        0,
        "only what was delivered is reviewed"
    );
    assert_eq!(
        count(&db, "SELECT CAST(SUM(rating_count) AS BIGINT) FROM products").await,
        reviews,
        "the storefront's rating totals count them"
    );
    let inquiries = count(&db, "SELECT COUNT(*) FROM inquiries").await;
    assert!(inquiries >= 10 && inquiries == report.inquiries as i64, "{inquiries} inquiries");
    assert!(count(&db, "SELECT COUNT(DISTINCT status) FROM inquiries").await >= 3, "along the pipeline");

    // All of it is demo data, like the catalogue.
    for sql in [
        "SELECT COUNT(*) FROM orders WHERE is_demo <> 1",
        "SELECT COUNT(*) FROM reviews WHERE is_demo <> 1",
        "SELECT COUNT(*) FROM inquiries WHERE is_demo <> 1",
        "SELECT COUNT(*) FROM users WHERE is_demo <> 1",
    ] {
        assert_eq!(count(&db, sql).await, 0, "{sql}");
    }
}

async fn the_demo_stock_ledger_adds_up_to_the_stock_on_the_shelf(db: Db) {
    app::seed::seed(&db).await.expect("catalogue");
    let before: Vec<(i64, i64)> = Sql::new("SELECT id, stock FROM products ORDER BY id")
        .query_as()
        .expect("q")
        .fetch_all(&db.pool)
        .await
        .expect("stock");
    seed_history(&db, NOW).await.expect("history");
    let after: Vec<(i64, i64)> = Sql::new("SELECT id, stock FROM products ORDER BY id")
        .query_as()
        .expect("q")
        .fetch_all(&db.pool)
        .await
        .expect("stock");
    assert_eq!(before, after, "the shelves keep the catalogue's stock");
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM products p WHERE p.stock <> (SELECT CAST(COALESCE(SUM(m.delta), 0) AS BIGINT) \
             FROM stock_movements m WHERE m.product_id = p.id)"
        )
        .await,
        0,
        "each ledger sums to its product's stock"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM stock_movements WHERE stock_after < 0").await, 0);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM order_lines l WHERE NOT EXISTS (SELECT 1 FROM stock_movements m \
             WHERE m.order_id = l.order_id AND m.product_id = l.product_id AND m.reason = 'sale' \
             AND m.delta = -l.quantity)"
        )
        .await,
        0,
        "every line has its sale"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM products p WHERE p.stock <> (SELECT m.stock_after FROM stock_movements m \
             WHERE m.product_id = p.id ORDER BY m.at DESC, m.id DESC LIMIT 1)"
        )
        .await,
        0,
        "the last movement leaves the stock on the shelf"
    );
}

async fn a_fresh_installs_dashboard_has_every_order_chart_to_draw(db: Db) {
    seeded(&db).await;
    let today = vietnam_day(NOW);
    let charts = ProductCharts::default();
    let data = service::chart_data(&db, &charts, &DashboardFilter::default(), today).await.expect("charts");
    assert_eq!(data.per_day.len(), DEFAULT_RANGE_DAYS as usize);
    assert!(data.orders() > 50, "{} orders in the default range", data.orders());
    assert!(data.revenue_vnd() > 0);
    assert!(data.per_day.iter().filter(|d| d.orders > 0).count() > 20, "most days sold something");
    assert!(data.by_district.len() >= 3, "{:?}", data.by_district);
    assert!(data.top_products.len() >= 5, "{:?}", data.top_products);
    assert!(!data.by_stars.is_empty() && !data.by_group.is_empty());
    let drawn = app::admin::dashboard::charts::draw(&data, app::lang::Lang::Vi);
    for chart in &drawn[..2] {
        assert!(chart.svg.contains("<svg"), "{:?} is drawn", chart.id);
    }
    let feed = service::feed(&db).await.expect("feed");
    assert!(
        feed.iter().any(|f| f.kind == FeedKind::Order) && feed.iter().any(|f| f.kind == FeedKind::Inquiry)
    );
}

on_both_databases!(
    the_demo_history_spans_ninety_days_and_every_cooperative,
    the_demo_stock_ledger_adds_up_to_the_stock_on_the_shelf,
    a_fresh_installs_dashboard_has_every_order_chart_to_draw,
);
