//! `ocop-bench bench-search [rounds]`: server-side search latency on the database in DATABASE_URL,
//! for the README's performance table (a benchmark, never a test).
use std::time::{Duration, Instant};

use app::catalog::model::ProductQuery;
use app::db::Db;
use app::lang::Lang;

/// Twenty searches a shopper might type: both languages, with and without tone marks, prefixes.
pub const QUERIES: [&str; 20] = [
    "dau den",
    "Đậu đen",
    "black bean",
    "tra oi",
    "buoi",
    "siro",
    "chuo",
    "mật ong",
    "honey",
    "tea",
    "trà",
    "organic",
    "sấy khô",
    "nam huong",
    "shiitake",
    "gao nep",
    "buffalo",
    "cam sanh",
    "mien dong",
    "premium wine",
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn report(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{label:<44} n={:<5} p50={:>7.2} ms  p95={:>7.2} ms  max={:>7.2} ms",
        samples.len(),
        percentile(&samples, 0.50).as_secs_f64() * 1e3,
        percentile(&samples, 0.95).as_secs_f64() * 1e3,
        samples.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
    );
}

pub async fn search(db: &Db, rounds: usize) -> Result<(), sqlx::Error> {
    let today = app::clock::vietnam_today();
    let products: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products").fetch_one(&db.pool).await?;
    println!("{products} products, {} queries x {rounds} rounds, backend {:?}", QUERIES.len(), db.backend);
    let mut suggest = Vec::new();
    let mut page = Vec::new();
    let mut cached = Vec::new();
    let cache = app::catalog::cache::PageCache::default();
    let mut per_query = vec![Vec::new(); QUERIES.len()];
    let mut matches = vec![0; QUERIES.len()];
    // The first list read builds the in-memory list index (and after every catalogue change,
    // the next read rebuilds it); reported on its own line, not among the searches.
    let t = Instant::now();
    let all = ProductQuery { page: 1, ..Default::default() };
    app::catalog::service::list_products(db, &all, Lang::Vi, &today).await?;
    let build = t.elapsed();
    for _ in 0..rounds {
        for (i, q) in QUERIES.into_iter().enumerate() {
            let t = Instant::now();
            app::search::service::suggest(db, q).await?;
            suggest.push(t.elapsed());
            let query = ProductQuery { q: q.to_owned(), page: 1, ..Default::default() };
            let t = Instant::now();
            let result = app::catalog::service::list_products(db, &query, Lang::Vi, &today).await?;
            page.push(t.elapsed());
            per_query[i].push(t.elapsed());
            matches[i] = result.total;
            app::catalog::service::list_products_cached(&cache, db, &query, Lang::Vi, &today).await?;
            let t = Instant::now();
            app::catalog::service::list_products_cached(&cache, db, &query, Lang::Vi, &today).await?;
            cached.push(t.elapsed());
        }
    }
    println!("results page per query (median), with the number of matches:");
    for (i, mut samples) in per_query.into_iter().enumerate() {
        samples.sort();
        println!(
            "  {:<14} {:>7} matches  {:>7.2} ms",
            QUERIES[i],
            matches[i],
            percentile(&samples, 0.5).as_secs_f64() * 1e3
        );
    }
    println!("list index build (first read after start or a change): {:.0} ms", build.as_secs_f64() * 1e3);
    report("search suggestions (match + rank, top 6)", suggest);
    report("search results page, uncached (24 + total + facets)", page);
    report("search results page, from the page cache", cached);
    Ok(())
}

/// `ocop-bench bench-checkout [seconds] [workers]`: checkouts per second at saturation and their
/// latency, on the database in DATABASE_URL. Each checkout buys from two cooperatives (two
/// orders in one transaction) with its own idempotency key, as shoppers' checkouts do.
pub async fn checkout(db: &Db, seconds: u64, workers: usize) -> Result<(), Box<dyn std::error::Error>> {
    use app::db::Sql;
    use app::orders::model::{Address, CheckoutForm};
    app::seed::seed_if_empty(db).await?;
    let now = app::clock::now_unix();
    let run = now % 1_000_000;
    let mut products = Vec::new();
    for coop in ["binh-minh", "hong-phat"] {
        let mut sql = Sql::new(
            "INSERT INTO products (slug, cooperative_id, group_id, name_vi, name_en, price_vnd, stock, status, \
             created_at, updated_at) VALUES (",
        );
        sql.bind(format!("bench-{coop}-{run}")).push(", (SELECT id FROM cooperatives WHERE slug = ");
        sql.bind(coop.to_owned()).push("), (SELECT MIN(id) FROM product_groups), 'Bench', 'Bench', 45000, ");
        sql.bind(1_000_000_000_i64)
            .push(", 'published', ")
            .bind(now)
            .push(", ")
            .bind(now)
            .push(") RETURNING id");
        products.push(sql.query_scalar::<i64>()?.fetch_one(&db.pool).await?);
    }
    let mut users = Vec::new();
    for i in 0..workers {
        let mut sql = Sql::new(
            "INSERT INTO users (email, display_name, password_hash, role, created_at, updated_at) VALUES (",
        );
        sql.bind(format!("bench-{run}-{i}@example.vn")).push(", 'Bench', 'x', 'shopper', ").bind(now);
        sql.push(", ").bind(now).push(") RETURNING id");
        users.push(sql.query_scalar::<i64>()?.fetch_one(&db.pool).await?);
    }
    let lines = format!("{}:1@45000,{}:2@45000", products[0], products[1]);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (w, user) in users.into_iter().enumerate() {
        let (db, lines) = (db.clone(), lines.clone());
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut failures = 0usize;
            let mut n = 0u64;
            while Instant::now() < deadline {
                n += 1;
                let form = CheckoutForm {
                    idempotency_key: format!("bench-{run}-{w}-{n:010}"),
                    shipping_vnd: None,
                    lines: lines.clone(),
                    payment: "cod".into(),
                    note: String::new(),
                    address: Address {
                        full_name: "Bench".into(),
                        phone: "0912345678".into(),
                        province: "Tuyên Quang".into(),
                        district: String::new(),
                        commune: "Minh Xuân".into(),
                        street: "1".into(),
                    },
                };
                let t = Instant::now();
                match app::orders::service::checkout(&db, &app::live::hub::Hub::default(), user, &form, now)
                    .await
                {
                    Ok(_) => samples.push(t.elapsed()),
                    Err(_) => failures += 1,
                }
            }
            (samples, failures)
        }));
    }
    let mut samples = Vec::new();
    let mut failures = 0;
    for task in tasks {
        let (s, f) = task.await?;
        samples.extend(s);
        failures += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "backend {:?}, {workers} workers, {seconds} s: {} checkouts ({} orders), {failures} failed: \
         {:.0} checkouts/s, {:.0} orders/s",
        db.backend,
        samples.len(),
        samples.len() * 2,
        samples.len() as f64 / elapsed,
        samples.len() as f64 * 2.0 / elapsed,
    );
    samples.sort();
    if !samples.is_empty() {
        println!(
            "checkout latency p50={:.2} ms  p99={:.2} ms  max={:.2} ms",
            percentile(&samples, 0.50).as_secs_f64() * 1e3,
            percentile(&samples, 0.99).as_secs_f64() * 1e3,
            samples.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
        );
    }
    Ok(())
}

/// `ocop-bench bench-dashboard [rounds]`: the admin dashboard's first render on the database in
/// DATABASE_URL (after `generate-products` and `generate-orders`): the tiles, feed, every chart
/// query and the SVG drawing, side by side as the page runs them, for several filters.
pub async fn dashboard(db: &Db, rounds: usize) -> Result<(), sqlx::Error> {
    use app::admin::dashboard::{model::DashboardFilter, service};
    let hub = app::live::hub::Hub::new();
    let products: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products").fetch_one(&db.pool).await?;
    let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders").fetch_one(&db.pool).await?;
    let lines: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM order_lines").fetch_one(&db.pool).await?;
    println!("{products} products, {orders} orders, {lines} order lines, backend {:?}", db.backend);
    // The daily figures the charts read (`orders::service::days`) must add up to the orders.
    let kept: (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(orders), 0) AS BIGINT), CAST(COALESCE(SUM(revenue_vnd), 0) AS BIGINT) FROM order_days",
    )
    .fetch_one(&db.pool)
    .await?;
    let counted: (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(subtotal_vnd), 0) AS BIGINT) FROM orders WHERE status <> 'cancelled'",
    )
    .fetch_one(&db.pool)
    .await?;
    let per_product: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM product_days").fetch_one(&db.pool).await?;
    if (kept.1, kept.2) != counted {
        return Err(sqlx::Error::Protocol(format!("order_days says {kept:?}, the orders {counted:?}")));
    }
    println!(
        "daily figures: {} rows per cooperative, {per_product} per product, agreeing with the orders",
        kept.0
    );
    let district: Option<String> =
        sqlx::query_scalar("SELECT slug FROM districts ORDER BY id LIMIT 1").fetch_optional(&db.pool).await?;
    let group: Option<String> = sqlx::query_scalar("SELECT slug FROM product_groups ORDER BY id LIMIT 1")
        .fetch_optional(&db.pool)
        .await?;
    let now = app::clock::now_unix();
    let filters = [
        ("default (30 days)", DashboardFilter::default()),
        ("district", DashboardFilter { district: district.unwrap_or_default(), ..Default::default() }),
        (
            "group + 4 stars",
            DashboardFilter { group: group.unwrap_or_default(), stars: "4".into(), ..Default::default() },
        ),
        ("90 days", {
            let from = app::clock::day_date(app::clock::vietnam_day(now) - 89)
                .map(|d| d.to_string())
                .unwrap_or_default();
            DashboardFilter { from, ..Default::default() }
        }),
    ];
    // Cold: the catalogue changed before every render, so the product charts are counted
    // again each time. Warm: they are kept (the server's warmer keeps the default view's).
    let charts = app::admin::dashboard::cache::ProductCharts::default();
    for cold in [true, false] {
        let mut all = Vec::new();
        let state = if cold { "cold" } else { "warm" };
        for (label, filter) in &filters {
            let mut samples = Vec::new();
            if !cold {
                std::hint::black_box(service::dashboard(db, &hub, &charts, filter, Lang::Vi, now).await?);
            }
            for _ in 0..rounds {
                if cold {
                    app::changes::catalogue_changed(db);
                }
                let started = Instant::now();
                let d = service::dashboard(db, &hub, &charts, filter, Lang::Vi, now).await?;
                samples.push(started.elapsed());
                std::hint::black_box(d);
            }
            all.extend(samples.iter().copied());
            report(&format!("dashboard, {label}, {state}"), samples);
        }
        report(&format!("dashboard, every filter, {state}"), all);
    }
    let mut tiles = Vec::new();
    for _ in 0..rounds {
        let started = Instant::now();
        std::hint::black_box(service::kpis(db, &hub, now).await?);
        tiles.push(started.elapsed());
    }
    report("tiles alone (each live push)", tiles);
    Ok(())
}
