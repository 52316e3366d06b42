//! Synthetic data for the benchmarks: products by the hundred thousand and orders by the million,
//! written in large batches straight into the tables (the demo catalogue must be there first).
use app::clock::now_unix;
use app::db::{Db, Sql};
use app::search::fold::{fold, search_text};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Adds `count` synthetic published products (for benchmarks), spread over the seeded
/// cooperatives and groups, in batches of 500 rows per statement.
pub async fn generate_synthetic(db: &Db, count: u64) -> Result<u64, Error> {
    const WORDS_VI: [&str; 12] = [
        "Trà",
        "Mật ong",
        "Chuối",
        "Bưởi",
        "Miến dong",
        "Gạo nếp",
        "Cam sành",
        "Măng khô",
        "Nấm hương",
        "Rượu",
        "Thịt trâu gác bếp",
        "Chè Shan tuyết",
    ];
    const WORDS_EN: [&str; 12] = [
        "Tea",
        "Honey",
        "Banana",
        "Grapefruit",
        "Arrowroot noodles",
        "Sticky rice",
        "King orange",
        "Dried bamboo shoots",
        "Shiitake",
        "Wine",
        "Smoked buffalo",
        "Shan tuyet tea",
    ];
    const ADJ_VI: [&str; 6] = ["hữu cơ", "sấy khô", "đặc biệt", "truyền thống", "cao cấp", "tươi"];
    const ADJ_EN: [&str; 6] = ["organic", "dried", "special", "traditional", "premium", "fresh"];
    let coops: Vec<i64> =
        Sql::new("SELECT id FROM cooperatives ORDER BY id").query_scalar()?.fetch_all(&db.pool).await?;
    let groups: Vec<i64> =
        Sql::new("SELECT id FROM product_groups ORDER BY id").query_scalar()?.fetch_all(&db.pool).await?;
    if coops.is_empty() || groups.is_empty() {
        return Err("seed the catalogue before generating products".into());
    }
    let start: i64 =
        Sql::new("SELECT COALESCE(MAX(id), 0) FROM products").query_scalar()?.fetch_one(&db.pool).await?;
    let now = now_unix();
    let mut inserted = 0u64;
    let mut n = 0u64;
    while n < count {
        let batch = (count - n).min(500);
        let mut tx = db.pool.begin().await?;
        let mut sql = Sql::new(
            "INSERT INTO products (slug, cooperative_id, group_id, name_vi, name_en, description_vi, \
             description_en, unit_vi, unit_en, price_vnd, stock, weight_grams, status, is_demo, \
             search_text, sort_name_vi, sort_name_en, created_at, updated_at) VALUES ",
        );
        for b in 0..batch {
            let k = start as u64 + n + b + 1;
            let w = (k % 12) as usize;
            let a = ((k / 12) % 6) as usize;
            let name_vi = format!("{} {} #{k}", WORDS_VI[w], ADJ_VI[a]);
            let name_en = format!("{} {} #{k}", ADJ_EN[a], WORDS_EN[w]);
            let desc_vi = format!("Sản phẩm tổng hợp số {k} dùng để đo hiệu năng.");
            let desc_en = format!("Synthetic product number {k} for benchmarks.");
            if b > 0 {
                sql.push(", ");
            }
            sql.push("(").bind(format!("synthetic-{k}")).push(", ");
            sql.bind(coops[(k as usize) % coops.len()])
                .push(", ")
                .bind(groups[(k as usize / 7) % groups.len()]);
            sql.push(", ").bind(name_vi.clone()).push(", ").bind(name_en.clone()).push(", ");
            sql.bind(desc_vi.clone()).push(", ").bind(desc_en.clone()).push(", 'gói', 'pack', ");
            sql.bind(10_000 + ((k * 7919) % 990) as i64 * 1000).push(", ").bind((k % 50) as i64);
            sql.push(", 500, 'published', 1, ");
            sql.bind(search_text(&name_vi, &name_en, &desc_vi, &desc_en)).push(", ");
            sql.bind(fold(&name_vi)).push(", ").bind(fold(&name_en)).push(", ");
            sql.bind(now - k as i64).push(", ").bind(now).push(")");
        }
        sql.push(" ON CONFLICT (slug) DO NOTHING");
        inserted += sql.query()?.execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        n += batch;
    }
    Ok(inserted)
}

/// `count` synthetic orders of one line each, for the dashboard benchmark: spread evenly over the
/// 365 days before `now`, one in twenty cancelled, each for a published product (picked by a
/// fixed stride over the product ids) and its cooperative. Three in four synthetic products get
/// a certificate too, so the stars chart has something to count. Written by the database itself
/// (`INSERT … SELECT` over a counter), 100,000 orders per statement; then the daily figures the
/// charts read are counted again (`orders::service::recount_days`), as the demo history does.
pub async fn generate_orders(db: &Db, count: i64, now: i64) -> Result<i64, Error> {
    const BATCH: i64 = 100_000;
    const YEAR: i64 = 365 * 86_400;
    let (lo, hi): (i64, i64) = Sql::new("SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM products")
        .query_as()?
        .fetch_one(&db.pool)
        .await?;
    if hi == 0 {
        return Err("generate products before orders".into());
    }
    let span = hi - lo + 1;
    let mut sql = Sql::new(
        "INSERT INTO certificates (product_id, stars, council, decision_no, issued_on, expires_on, is_demo, created_at) \
         SELECT id, 3 + id % 3, 'provincial', 'SYN-' || CAST(id AS TEXT), '2025-06-01', '2028-06-01', 1, ",
    );
    sql.bind(now).push(" FROM products WHERE slug LIKE 'synthetic-%' AND id % 4 <> 0 ON CONFLICT DO NOTHING");
    sql.query()?.execute(&db.pool).await?;
    let mut sql = Sql::new(
        "INSERT INTO users (email, display_name, password_hash, role, is_demo, created_at, updated_at) \
         VALUES ('synthetic-buyer@ocop.invalid', 'Synthetic buyer', '!', 'shopper', 1, ",
    );
    sql.bind(now).push(", ").bind(now).push(") ON CONFLICT (email) DO NOTHING");
    sql.query()?.execute(&db.pool).await?;
    let user: i64 = Sql::new("SELECT id FROM users WHERE email = 'synthetic-buyer@ocop.invalid'")
        .query_scalar()?
        .fetch_one(&db.pool)
        .await?;
    let mut sql =
        Sql::new("INSERT INTO checkouts (user_id, idempotency_key, cart_hash, created_at) VALUES (");
    sql.bind(user).push(", ").bind(format!("synthetic-{now}")).push(", 'synthetic', ").bind(now);
    sql.push(") RETURNING id");
    let checkout: i64 = sql.query_scalar()?.fetch_one(&db.pool).await?;
    let base: i64 =
        Sql::new("SELECT COALESCE(MAX(id), 0) FROM orders").query_scalar()?.fetch_one(&db.pool).await?;

    let mut done = 0;
    while done < count {
        let batch = (count - done).min(BATCH);
        let first = base + done;
        let mut tx = db.pool.begin().await?;
        // Order `first + i` is for product `lo + (i·7919 mod span)` (when that id exists), placed
        // `i` steps of a year/count back from now.
        let mut sql = Sql::new(
            "INSERT INTO orders (id, number, checkout_id, user_id, cooperative_id, status, payment, subtotal_vnd, \
             shipping_vnd, total_vnd, ship_name, ship_phone, ship_province, ship_district, ship_commune, \
             ship_street, created_at, updated_at) \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ",
        );
        sql.bind(batch).push(") SELECT ").bind(first).push(" + n.i, 'SYN-' || CAST(");
        sql.bind(first).push(" + n.i AS TEXT), ").bind(checkout).push(", ").bind(user);
        sql.push(
            ", p.cooperative_id, CASE WHEN n.i % 20 = 0 THEN 'cancelled' ELSE 'delivered' END, 'cod', \
             p.price_vnd * (1 + n.i % 3), 30000, p.price_vnd * (1 + n.i % 3) + 30000, 'Khách', '0900000000', \
             'Tuyên Quang', 'Hàm Yên', 'Tân Thành', 'Thôn 1', ",
        );
        sql.bind(now)
            .push(" - (")
            .bind(first)
            .push(" - ")
            .bind(base)
            .push(" + n.i) * ")
            .bind(YEAR / count.max(1));
        sql.push(", ").bind(now).push(" FROM n JOIN products p ON p.id = ").bind(lo);
        sql.push(" + ((").bind(first).push(" + n.i) * 7919) % ").bind(span);
        sql.push(" WHERE p.status = 'published'");
        sql.query()?.execute(&mut *tx).await?;
        let mut sql = Sql::new(
            "INSERT INTO order_lines (order_id, product_id, product_slug, name_vi, name_en, unit_price_vnd, \
             quantity, line_total_vnd) SELECT o.id, p.id, p.slug, p.name_vi, p.name_en, p.price_vnd, 1 + (o.id - ",
        );
        sql.bind(first).push(") % 3, o.subtotal_vnd FROM orders o JOIN products p ON p.id = ");
        sql.bind(lo).push(" + (o.id * 7919) % ").bind(span).push(" WHERE o.id > ").bind(first);
        sql.push(" AND o.id <= ").bind(first + batch);
        sql.query()?.execute(&mut *tx).await?;
        tx.commit().await?;
        done += batch;
    }
    // The dashboard's daily figures, counted once for all the new orders.
    let mut tx = db.begin_write().await?;
    app::orders::service::recount_days(&mut tx).await?;
    tx.commit().await?;
    let made: i64 = {
        let mut sql = Sql::new("SELECT COUNT(*) FROM orders WHERE id > ");
        sql.bind(base);
        sql.query_scalar()?.fetch_one(&db.pool).await?
    };
    Ok(made)
}
