//! The demo order history of a fresh install: a few hundred orders over the last 90 days across
//! the demo cooperatives, with their lines, status events and stock movements, reviews of some
//! delivered orders, and export inquiries, so that the admin dashboard, the cooperative's pages
//! and the charts show what they are for. Everything is flagged `is_demo` and made up by a fixed
//! generator relative to `now`: the same install time gives the same history.
//!
//! Stock: the products keep the stock the catalogue seed gave them, read as the stock *after*
//! the history. Each product's ledger starts with an "initial" movement of that stock plus what
//! the history sold, then a sale per order line (and a cancellation putting it back), so the
//! ledger adds up to the stock on the shelf and never goes below zero.
use std::collections::{BTreeMap, HashMap, HashSet};

use tracing::instrument;

use super::SeedError;
use crate::clock::{DAY_SECS, day_start, vietnam_day};
use crate::coops::model::StockReason;
use crate::db::{Db, Sql};
use crate::inquiries::model::LeadStatus;
use crate::orders::model::{Actor, Payment, Status};
use crate::orders::shipping::{DEFAULT_FREE_SHIPPING_FROM_VND, Parcel, UNKNOWN_ITEM_GRAMS, quote_by_table};

/// How many orders the history holds, and over how many Vietnam days (today included).
pub const DEMO_ORDERS: usize = 300;
pub const HISTORY_DAYS: i64 = 90;
/// Export inquiries over the same days.
pub const DEMO_INQUIRIES: usize = 24;
/// Rows per INSERT: well under SQLite's and PostgreSQL's limits on bound values.
const ROWS_PER_STATEMENT: usize = 100;
const HOUR: i64 = 3600;

/// What the history seeded.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct HistoryReport {
    pub orders: u64,
    pub cancelled: u64,
    pub reviews: u64,
    pub inquiries: u64,
}

/// A linear congruential generator (Knuth's MMIX constants): a history that is the same on
/// every run, with no dependency for it.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// A whole number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// A time within `lo..hi` seconds.
    fn within(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo).max(1) as u64) as i64
    }
}

/// A published demo product, as the history buys it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DemoProduct {
    pub id: i64,
    pub cooperative_id: i64,
    pub slug: String,
    pub name_vi: String,
    pub name_en: String,
    pub price_vnd: i64,
    pub stock: i64,
}

/// The demo buyers: their names, and where their parcels go (province, commune, street).
const BUYERS: [(&str, &str, &str, &str); 12] = [
    ("Nguyễn Thị Hoa", "Tuyên Quang", "Phường Minh Xuân", "12 Đường 17/8"),
    ("Trần Văn Nam", "Hà Nội", "Phường Cầu Giấy", "45 Trần Duy Hưng"),
    ("Lê Thị Mai", "Hồ Chí Minh", "Phường Bến Thành", "88 Lê Lợi"),
    ("Phạm Quốc Bảo", "Hải Phòng", "Phường Lê Chân", "23 Tô Hiệu"),
    ("Hoàng Thị Thu", "Tuyên Quang", "Xã Yên Sơn", "Thôn Đồng Bốn"),
    ("Vũ Minh Đức", "Đà Nẵng", "Phường Hải Châu", "7 Bạch Đằng"),
    ("Đặng Thị Ngọc", "Hà Nội", "Phường Hoàn Kiếm", "16 Hàng Bài"),
    ("Bùi Văn Long", "Bắc Ninh", "Phường Kinh Bắc", "31 Ngô Gia Tự"),
    ("Đỗ Thị Hạnh", "Cần Thơ", "Phường Ninh Kiều", "5 Hai Bà Trưng"),
    ("Ngô Quang Huy", "Tuyên Quang", "Xã Hàm Yên", "Tổ 3"),
    ("Dương Thị Lan Anh", "Hà Nội", "Phường Đống Đa", "102 Tây Sơn"),
    ("Lý Văn Tuấn", "Hồ Chí Minh", "Phường Thảo Điền", "19 Xuân Thủy"),
];

/// A buyer's phone number: made up, the same every time.
fn buyer_phone(buyer: usize) -> String {
    format!("09{}{:07}", buyer % 10, (buyer as u64 * 7_919_113 + 1_234_567) % 10_000_000)
}

/// One order of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedOrder {
    pub buyer: usize,
    pub cooperative_id: i64,
    /// Product index (into the products given) and quantity.
    pub lines: Vec<(usize, i64)>,
    pub payment: Payment,
    pub created_at: i64,
    /// The moves after checkout that have happened by `now`, each with its time.
    pub moves: Vec<(Status, i64)>,
}

impl PlannedOrder {
    pub fn status(&self) -> Status {
        self.moves.last().map_or(Status::Pending, |m| m.0)
    }

    fn updated_at(&self) -> i64 {
        self.moves.last().map_or(self.created_at, |m| m.1)
    }
}

/// `count` orders of `products` (at least one each, the rest by how much each keeps in stock)
/// placed over the `HISTORY_DAYS` Vietnam days ending at `now`, busier lately; oldest first.
/// One in twelve is cancelled by its buyer within hours; the rest move along
/// confirmed → shipped → delivered as far as the time since they were placed allows.
pub fn plan(products: &[DemoProduct], count: usize, now: i64) -> Vec<PlannedOrder> {
    let mut rng = Lcg(0x0C0B_2026_1205);
    let today = vietnam_day(now);
    let weights: Vec<u64> = products.iter().map(|p| p.stock.clamp(10, 300) as u64).collect();
    let total: u64 = weights.iter().sum();
    let mut orders = Vec::with_capacity(count);
    for i in 0..count {
        if products.is_empty() {
            break;
        }
        let first = if i < products.len() {
            i
        } else {
            let mut ticket = rng.below(total);
            weights
                .iter()
                .position(|w| {
                    let hit = ticket < *w;
                    ticket = ticket.saturating_sub(*w);
                    hit
                })
                .unwrap_or(0)
        };
        let product = &products[first];
        // Days back, denser towards today (a shop that is growing): 1 - sqrt(u) of the span.
        let u = rng.below(10_000) as f64 / 10_000.0;
        let days_back = (((1.0 - u.sqrt()) * HISTORY_DAYS as f64) as i64).min(HISTORY_DAYS - 1);
        // Between 7:00 and 22:00, Vietnam time; earlier today when that hour has not come yet.
        let mut created_at = day_start(today - days_back) + 7 * HOUR + rng.within(0, 15 * HOUR);
        if created_at > now - 300 {
            created_at = now - 300 - rng.within(0, 4 * HOUR);
        }
        let mut lines = vec![(first, rng.pick(&[1, 1, 1, 1, 2, 2, 3]))];
        let siblings: Vec<usize> = (0..products.len())
            .filter(|&j| j != first && products[j].cooperative_id == product.cooperative_id)
            .collect();
        if !siblings.is_empty() && rng.chance(25) {
            lines.push((rng.pick(&siblings), 1));
        }
        let payment = if rng.chance(40) { Payment::BankTransfer } else { Payment::Cod };
        let mut moves = Vec::new();
        // One in twelve (8%), by position rather than chance: the share holds for any seed.
        if i % 12 == 7 {
            let at = created_at + rng.within(HOUR / 2, 6 * HOUR);
            if at <= now {
                moves.push((Status::Cancelled, at));
            }
        } else {
            let confirmed = created_at + rng.within(HOUR, 10 * HOUR);
            let shipped = confirmed + rng.within(12 * HOUR, 36 * HOUR);
            let delivered = shipped + rng.within(DAY_SECS, 3 * DAY_SECS);
            for (status, at) in
                [(Status::Confirmed, confirmed), (Status::Shipped, shipped), (Status::Delivered, delivered)]
            {
                if at <= now {
                    moves.push((status, at));
                }
            }
        }
        orders.push(PlannedOrder {
            buyer: rng.below(BUYERS.len() as u64) as usize,
            cooperative_id: product.cooperative_id,
            lines,
            payment,
            created_at,
            moves,
        });
    }
    orders.sort_by_key(|o| o.created_at);
    orders
}

/// One review of the plan: the order (its index), the product (index), the rating and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedReview {
    pub order: usize,
    pub product: usize,
    pub rating: i64,
    pub body: &'static str,
    pub created_at: i64,
}

const REVIEWS: [(i64, &str); 10] = [
    (5, "Hàng đúng như mô tả, đóng gói cẩn thận, giao nhanh. Sẽ ủng hộ tiếp."),
    (5, "Sản phẩm OCOP chất lượng, cả nhà đều thích. Cảm ơn hợp tác xã!"),
    (5, "Mua làm quà biếu, người nhận khen ngon. Hộp đẹp, có tem truy xuất."),
    (4, "Chất lượng tốt, giá hợp lý. Giao hàng hơi chậm một chút."),
    (4, "Vị đậm đà, đúng đặc sản Tuyên Quang. Mong có thêm loại đóng gói nhỏ."),
    (5, "Đặt lần thứ hai rồi, vẫn ngon như lần đầu."),
    (4, "Hàng ổn, shop tư vấn nhiệt tình qua gian hàng trực tuyến."),
    (3, "Sản phẩm được, nhưng hộp bị móp nhẹ khi nhận."),
    (5, "Great quality, arrived well packed. Will order again."),
    (4, "Good taste and fair price; delivery took three days."),
];

/// Reviews of about a third of the delivered lines, at most one per buyer and product (the
/// rule real reviews follow), a day or three after delivery.
pub fn plan_reviews(orders: &[PlannedOrder], now: i64) -> Vec<PlannedReview> {
    let mut rng = Lcg(0x5EED_4EE1);
    let mut seen = HashSet::new();
    let mut reviews = Vec::new();
    for (index, order) in orders.iter().enumerate() {
        let Some(&(Status::Delivered, delivered)) = order.moves.last() else { continue };
        for &(product, _) in &order.lines {
            if !rng.chance(35) || !seen.insert((order.buyer, product)) {
                continue;
            }
            let (rating, body) = rng.pick(&REVIEWS);
            let created_at = (delivered + rng.within(2 * HOUR, 3 * DAY_SECS)).min(now - 60);
            reviews.push(PlannedReview { order: index, product, rating, body, created_at });
        }
    }
    reviews
}

/// One row of a product's stock ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LedgerRow {
    product: usize,
    at: i64,
    delta: i64,
    stock_after: i64,
    reason: StockReason,
    order: Option<usize>,
}

/// Each product's ledger: an initial stock (the shelf now plus what the history sold for good),
/// then every sale and every cancellation in time order, each with the stock after it.
fn ledger(products: &[DemoProduct], orders: &[PlannedOrder], since: i64) -> Vec<LedgerRow> {
    let mut moves = Vec::new();
    let row =
        |product, at, delta, reason, order| LedgerRow { product, at, delta, stock_after: 0, reason, order };
    for (index, order) in orders.iter().enumerate() {
        for &(product, quantity) in &order.lines {
            moves.push(row(product, order.created_at, -quantity, StockReason::Sale, Some(index)));
            if let Some(&(Status::Cancelled, at)) = order.moves.last() {
                moves.push(row(product, at, quantity, StockReason::Cancel, Some(index)));
            }
        }
    }
    let mut sold: HashMap<usize, i64> = HashMap::new();
    for m in &moves {
        *sold.entry(m.product).or_default() -= m.delta;
    }
    for (product, p) in products.iter().enumerate() {
        let initial = p.stock + sold.get(&product).copied().unwrap_or(0);
        moves.push(row(product, since, initial, StockReason::Initial, None));
    }
    // Stable: a product's initial stock first, then its moves as they happened.
    moves.sort_by_key(|m| (m.at, m.reason != StockReason::Initial));
    let mut stock: HashMap<usize, i64> = HashMap::new();
    for m in &mut moves {
        let after = stock.entry(m.product).or_default();
        *after += m.delta;
        m.stock_after = *after;
    }
    moves
}

/// The demo export buyers: company, country, contact and email.
const IMPORTERS: [(&str, &str, &str, &str); 8] = [
    ("Bristol Tea Merchants", "United Kingdom", "Oliver Grant", "oliver@bristoltea.example"),
    ("Northern Larder Co.", "United Kingdom", "James Whitfield", "james@northernlarder.example"),
    ("Kyoto Natural Foods", "Japan", "Haruka Sato", "sato@kyoto-natural.example"),
    ("Seoul Green Market", "South Korea", "Min-jun Park", "park@seoulgreen.example"),
    ("Berliner Feinkost GmbH", "Germany", "Lena Vogel", "vogel@feinkost.example"),
    ("Sydney Asian Grocers", "Australia", "Tom Nguyen", "tom@sydneygrocers.example"),
    ("Maison du Thé Lyon", "France", "Claire Dubois", "claire@maisonduthe.example"),
    ("Rotterdam Fresh Import", "Netherlands", "Daan de Vries", "daan@rotterdamfresh.example"),
];

/// One export inquiry of the plan.
struct PlannedInquiry {
    product: usize,
    importer: usize,
    quantity: i64,
    incoterm: &'static str,
    samples: bool,
    /// The pipeline's moves after "new", with their times.
    moves: Vec<(LeadStatus, i64)>,
    created_at: i64,
}

impl PlannedInquiry {
    fn status(&self) -> LeadStatus {
        self.moves.last().map_or(LeadStatus::New, |m| m.0)
    }
}

/// `count` inquiries over the history's days, mostly for the exported products; the older ones
/// further along the pipeline (replied, negotiating, then won or lost).
fn plan_inquiries(
    products: &[DemoProduct],
    exported: &[usize],
    count: usize,
    now: i64,
) -> Vec<PlannedInquiry> {
    let mut rng = Lcg(0x1A9_0125);
    let mut inquiries = Vec::with_capacity(count);
    for i in 0..count {
        if products.is_empty() {
            break;
        }
        let product = if !exported.is_empty() && !rng.chance(15) {
            rng.pick(exported)
        } else {
            rng.below(products.len() as u64) as usize
        };
        // Spread evenly, the newest a few hours old.
        let created_at =
            now - 3 * HOUR - (i as i64 * HISTORY_DAYS * DAY_SECS / count as i64) + rng.within(0, 2 * HOUR);
        let age_days = (now - created_at) / DAY_SECS;
        let mut moves = Vec::new();
        let replied = created_at + rng.within(4 * HOUR, 2 * DAY_SECS);
        if age_days >= 3 && replied <= now {
            moves.push((LeadStatus::Replied, replied));
            if age_days >= 14 && rng.chance(70) {
                let negotiating = replied + rng.within(2 * DAY_SECS, 7 * DAY_SECS);
                moves.push((LeadStatus::Negotiating, negotiating));
                if age_days >= 30 && rng.chance(75) {
                    let outcome = if rng.chance(55) { LeadStatus::Won } else { LeadStatus::Lost };
                    moves.push((outcome, negotiating + rng.within(3 * DAY_SECS, 10 * DAY_SECS)));
                }
            }
        }
        inquiries.push(PlannedInquiry {
            product,
            importer: rng.below(IMPORTERS.len() as u64) as usize,
            quantity: rng.pick(&[200, 500, 1000, 2000, 5000]),
            incoterm: rng.pick(&["FOB", "CIF", "EXW", "DAP", "FCA"]),
            samples: rng.chance(50),
            moves,
            created_at,
        });
    }
    inquiries
}

/// Inserts `rows` with `head` (`"INSERT INTO t (a, b) VALUES "`), `ROWS_PER_STATEMENT` at a time,
/// `values` writing one row's parenthesised values.
async fn insert_rows<T>(
    conn: &mut sqlx::AnyConnection,
    head: &'static str,
    rows: &[T],
    values: impl Fn(&mut Sql, &T),
) -> Result<u64, sqlx::Error> {
    let mut inserted = 0;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new(head);
        for (i, row) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            values(&mut sql, row);
        }
        inserted += sql.query()?.execute(&mut *conn).await?.rows_affected();
    }
    Ok(inserted)
}

/// Seeds the demo history on a fresh install: its buyers, orders, reviews and inquiries, in one
/// transaction. Run once, right after the catalogue (`seed_if_empty` answered `Some`); the
/// catalogue's demo products must be there.
#[instrument(skip(db))]
pub async fn seed_history(db: &Db, now: i64) -> Result<HistoryReport, SeedError> {
    let products: Vec<DemoProduct> = sqlx::query_as(
        "SELECT id, cooperative_id, slug, name_vi, name_en, price_vnd, stock FROM products \
         WHERE is_demo = 1 AND status = 'published' ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await?;
    if products.is_empty() {
        return Err(SeedError::Inconsistent("seed the catalogue before its order history".into()));
    }
    let exported: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM products WHERE is_demo = 1 AND exported_to IS NOT NULL")
            .fetch_all(&db.pool)
            .await?;
    let exported: Vec<usize> =
        products.iter().enumerate().filter(|(_, p)| exported.contains(&p.id)).map(|(i, _)| i).collect();
    let orders = plan(&products, DEMO_ORDERS, now);
    let reviews = plan_reviews(&orders, now);
    let inquiries = plan_inquiries(&products, &exported, DEMO_INQUIRIES, now);
    let since = orders.first().map_or(now, |o| o.created_at) - DAY_SECS;
    let moves = ledger(&products, &orders, since);
    // Nobody signs in as a demo buyer: a password no one knows, hashed once for all of them
    // (a login attempt then costs the same work as for any account).
    let password_hash = tokio::task::spawn_blocking(|| {
        use argon2::password_hash::rand_core::{OsRng, RngCore};
        let mut secret = [0u8; 32];
        OsRng.fill_bytes(&mut secret);
        crate::accounts::password::hash_blocking(&format!("{secret:02x?}"))
    })
    .await
    .map_err(|_| SeedError::Inconsistent("the password task stopped".into()))?
    .map_err(|_| SeedError::Inconsistent("could not hash the demo buyers' password".into()))?;

    // Their parcels are priced as checkout prices them: by the rate table, weight and province.
    let weights: HashMap<i64, i64> =
        sqlx::query_as::<_, (i64, Option<i64>)>("SELECT id, weight_grams FROM products WHERE is_demo = 1")
            .fetch_all(&db.pool)
            .await?
            .into_iter()
            .map(|(id, w)| (id, w.unwrap_or(UNKNOWN_ITEM_GRAMS)))
            .collect();
    let rates = {
        let mut conn = db.pool.acquire().await?;
        crate::orders::service::shipping::rate_table(&mut conn).await?
    };
    let shipping_of = |o: &PlannedOrder, sub: i64, province: &str| -> i64 {
        let parcel = Parcel {
            origin: "Tuyên Quang".to_owned(),
            destination: province.to_owned(),
            grams: o
                .lines
                .iter()
                .map(|&(p, q)| q * weights.get(&products[p].id).copied().unwrap_or(UNKNOWN_ITEM_GRAMS))
                .sum(),
            subtotal_vnd: sub,
            free_from_vnd: Some(DEFAULT_FREE_SHIPPING_FROM_VND),
        };
        quote_by_table(&rates, &parcel).map_or(0, |q| q.fee_vnd)
    };

    let mut tx = db.begin_write().await?;
    let buyers: Vec<(usize, String)> =
        (0..BUYERS.len()).map(|i| (i, format!("khach{:02}@ocop.demo", i + 1))).collect();
    insert_rows(
        &mut tx,
        "INSERT INTO users (email, display_name, password_hash, role, is_demo, created_at, updated_at) VALUES ",
        &buyers,
        |sql, (i, email)| {
            sql.push("(").bind(email.clone()).push(", ").bind(format!("{} (demo)", BUYERS[*i].0)).push(", ");
            sql.bind(password_hash.clone()).push(", 'shopper', 1, ").bind(since).push(", ").bind(since);
            sql.push(")");
        },
    )
    .await?;
    let mut sql = Sql::new("SELECT id, email FROM users WHERE email IN (");
    sql.bind_list(buyers.iter().map(|b| b.1.clone())).push(")");
    let rows: Vec<(i64, String)> = sql.query_as()?.fetch_all(&mut *tx).await?;
    let user_of: Vec<i64> = buyers
        .iter()
        .map(|(_, email)| rows.iter().find(|r| r.1 == *email).map(|r| r.0))
        .collect::<Option<_>>()
        .ok_or_else(|| SeedError::Inconsistent("a demo buyer is missing".into()))?;

    // One checkout per order: its id is part of the order number.
    let keyed: Vec<(usize, &PlannedOrder)> = orders.iter().enumerate().collect();
    insert_rows(
        &mut tx,
        "INSERT INTO checkouts (user_id, idempotency_key, cart_hash, created_at) VALUES ",
        &keyed,
        |sql, (i, o)| {
            sql.push("(").bind(user_of[o.buyer]).push(", ").bind(format!("demo-history-{i:04}"));
            sql.push(", 'demo', ").bind(o.created_at).push(")");
        },
    )
    .await?;
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, idempotency_key FROM checkouts WHERE idempotency_key LIKE 'demo-history-%'",
    )
    .fetch_all(&mut *tx)
    .await?;
    let checkout_of: HashMap<String, i64> = rows.into_iter().map(|(id, key)| (key, id)).collect();
    let numbered: Vec<(String, i64, &PlannedOrder)> = keyed
        .iter()
        .map(|(i, o)| {
            let checkout = checkout_of.get(&format!("demo-history-{i:04}")).copied();
            checkout.map(|c| (crate::orders::service::order_number(o.created_at, c, 1), c, *o))
        })
        .collect::<Option<_>>()
        .ok_or_else(|| SeedError::Inconsistent("a demo checkout is missing".into()))?;
    insert_rows(
        &mut tx,
        "INSERT INTO orders (number, checkout_id, user_id, cooperative_id, status, payment, subtotal_vnd, \
         shipping_vnd, total_vnd, ship_name, ship_phone, ship_province, ship_district, ship_commune, \
         ship_street, tracking_note, created_at, updated_at, is_demo) VALUES ",
        &numbered,
        |sql, (number, checkout, o)| {
            let sub: i64 = o.lines.iter().map(|&(p, q)| products[p].price_vnd * q).sum();
            let (name, province, commune, street) = BUYERS[o.buyer];
            let shipping = shipping_of(o, sub, province);
            let tracking = if o.moves.iter().any(|m| m.0 == Status::Shipped) {
                format!("VNPost EB{:09}VN", (o.created_at as u64 * 2_654_435_761) % 1_000_000_000)
            } else {
                String::new()
            };
            sql.push("(").bind(number.clone()).push(", ").bind(*checkout).push(", ").bind(user_of[o.buyer]);
            sql.push(", ").bind(o.cooperative_id).push(", ").bind(o.status().key().to_owned()).push(", ");
            sql.bind(o.payment.key().to_owned()).push(", ").bind(sub).push(", ").bind(shipping);
            sql.push(", ").bind(sub + shipping).push(", ").bind(name.to_owned()).push(", ");
            sql.bind(buyer_phone(o.buyer)).push(", ").bind(province.to_owned()).push(", '', ");
            sql.bind(commune.to_owned()).push(", ").bind(street.to_owned()).push(", ").bind(tracking);
            sql.push(", ").bind(o.created_at).push(", ").bind(o.updated_at()).push(", 1)");
        },
    )
    .await?;
    // Paid as the rules say: cash when delivered; a transfer once the cooperative confirmed it
    // (it confirms when the money is there), at its last move.
    sqlx::query(
        "UPDATE orders SET payment_status = 'paid', paid_vnd = total_vnd, paid_at = updated_at, \
         paid_via = CASE WHEN payment = 'cod' THEN 'cod' ELSE 'statement' END \
         WHERE is_demo = 1 AND ((payment = 'cod' AND status = 'delivered') \
         OR (payment = 'bank_transfer' AND status IN ('confirmed', 'shipped', 'delivered')))",
    )
    .execute(&mut *tx)
    .await?;
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, number FROM orders WHERE is_demo = 1").fetch_all(&mut *tx).await?;
    let by_number: HashMap<String, i64> = rows.into_iter().map(|(id, n)| (n, id)).collect();
    let order_id: Vec<i64> = numbered
        .iter()
        .map(|(number, _, _)| by_number.get(number).copied())
        .collect::<Option<_>>()
        .ok_or_else(|| SeedError::Inconsistent("a demo order is missing".into()))?;

    let lines: Vec<(i64, &DemoProduct, i64)> = orders
        .iter()
        .enumerate()
        .flat_map(|(i, o)| o.lines.iter().map(move |&(p, q)| (i, p, q)))
        .map(|(i, p, q)| (order_id[i], &products[p], q))
        .collect();
    insert_rows(
        &mut tx,
        "INSERT INTO order_lines (order_id, product_id, product_slug, name_vi, name_en, unit_price_vnd, \
         quantity, line_total_vnd) VALUES ",
        &lines,
        |sql, (order, p, quantity)| {
            sql.push("(").bind(*order).push(", ").bind(p.id).push(", ").bind(p.slug.clone()).push(", ");
            sql.bind(p.name_vi.clone()).push(", ").bind(p.name_en.clone()).push(", ").bind(p.price_vnd);
            sql.push(", ").bind(*quantity).push(", ").bind(p.price_vnd * quantity).push(")");
        },
    )
    .await?;
    // The dashboard's daily figures, counted once for the whole history.
    crate::orders::service::recount_days(&mut tx).await?;

    // The timeline: checkout by the buyer, then each move, by the cooperative (or the buyer,
    // who cancels).
    struct Event {
        order: i64,
        who: Option<i64>,
        actor: Actor,
        from: Option<Status>,
        to: Status,
        at: i64,
    }
    let mut events = Vec::new();
    for (i, o) in orders.iter().enumerate() {
        let (order, buyer) = (order_id[i], user_of[o.buyer]);
        let checkout = Event {
            order,
            who: Some(buyer),
            actor: Actor::Shopper,
            from: None,
            to: Status::Pending,
            at: o.created_at,
        };
        events.push(checkout);
        let mut from = Status::Pending;
        for &(to, at) in &o.moves {
            let (actor, who) = if to == Status::Cancelled {
                (Actor::Shopper, Some(buyer))
            } else {
                (Actor::Cooperative, None)
            };
            events.push(Event { order, who, actor, from: Some(from), to, at });
            from = to;
        }
    }
    insert_rows(
        &mut tx,
        "INSERT INTO order_events (order_id, actor_user_id, actor_role, from_status, to_status, note, created_at) \
         VALUES ",
        &events,
        |sql, e| {
            sql.push("(").bind(e.order).push(", ").bind(e.who).push(", ").bind(e.actor.key().to_owned());
            sql.push(", ").bind(e.from.map(|s| s.key().to_owned())).push(", ").bind(e.to.key().to_owned());
            sql.push(", '', ").bind(e.at).push(")");
        },
    )
    .await?;

    insert_rows(
        &mut tx,
        "INSERT INTO stock_movements (product_id, delta, stock_after, reason, note, user_id, order_id, at) VALUES ",
        &moves,
        |sql, m| {
            sql.push("(").bind(products[m.product].id).push(", ").bind(m.delta).push(", ").bind(m.stock_after);
            sql.push(", ").bind(m.reason.as_db().to_owned()).push(", '', NULL, ");
            sql.bind(m.order.map(|o| order_id[o])).push(", ").bind(m.at).push(")");
        },
    )
    .await?;

    insert_rows(
        &mut tx,
        "INSERT INTO reviews (product_id, user_id, order_id, rating, body, created_at, is_demo) VALUES ",
        &reviews,
        |sql, r| {
            sql.push("(").bind(products[r.product].id).push(", ").bind(user_of[orders[r.order].buyer]);
            sql.push(", ").bind(order_id[r.order]).push(", ").bind(r.rating).push(", ");
            sql.bind(r.body.to_owned()).push(", ").bind(r.created_at).push(", 1)");
        },
    )
    .await?;
    // The rating totals the storefront shows, as a real review keeps them.
    let mut ratings: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for r in &reviews {
        let totals = ratings.entry(products[r.product].id).or_default();
        totals.0 += 1;
        totals.1 += r.rating;
    }
    for (product, (count, sum)) in ratings {
        sqlx::query("UPDATE products SET rating_count = rating_count + $1, rating_sum = rating_sum + $2 WHERE id = $3")
            .bind(count)
            .bind(sum)
            .bind(product)
            .execute(&mut *tx)
            .await?;
    }

    insert_rows(
        &mut tx,
        "INSERT INTO inquiries (cooperative_id, product_id, company, country, contact_name, email, phone, \
         quantity, quantity_unit, packaging, incoterm, target_date, samples, message, status, ip, created_at, \
         updated_at, is_demo) VALUES ",
        &inquiries,
        |sql, q| {
            let p = &products[q.product];
            let (company, country, contact, email) = IMPORTERS[q.importer];
            let message = format!(
                "We are interested in importing {} for our shops in {country}. Please send your export price, \
                 packaging options and lead time.",
                p.name_en
            );
            sql.push("(").bind(p.cooperative_id).push(", ").bind(p.id).push(", ").bind(company.to_owned());
            sql.push(", ").bind(country.to_owned()).push(", ").bind(contact.to_owned()).push(", ");
            sql.bind(email.to_owned()).push(", '', ").bind(q.quantity).push(", 'kg', '', ");
            sql.bind(q.incoterm.to_owned()).push(", NULL, ").bind(i64::from(q.samples)).push(", ");
            // Not a client address: the hourly limit per address never counts the demo.
            sql.bind(message).push(", ").bind(q.status().as_db().to_owned()).push(", 'demo', ");
            sql.bind(q.created_at).push(", ").bind(q.moves.last().map_or(q.created_at, |m| m.1)).push(", 1)");
        },
    )
    .await?;
    let rows: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, created_at FROM inquiries WHERE is_demo = 1").fetch_all(&mut *tx).await?;
    let mut inquiry_events: Vec<(i64, Option<LeadStatus>, LeadStatus, i64)> = Vec::new();
    for q in &inquiries {
        let Some(&(id, _)) = rows.iter().find(|r| r.1 == q.created_at) else { continue };
        inquiry_events.push((id, None, LeadStatus::New, q.created_at));
        let mut from = LeadStatus::New;
        for &(to, at) in &q.moves {
            inquiry_events.push((id, Some(from), to, at));
            from = to;
        }
    }
    insert_rows(
        &mut tx,
        "INSERT INTO inquiry_events (inquiry_id, from_status, to_status, created_at) VALUES ",
        &inquiry_events,
        |sql, (id, from, to, at)| {
            sql.push("(").bind(*id).push(", ").bind(from.map(|s| s.as_db().to_owned())).push(", ");
            sql.bind(to.as_db().to_owned()).push(", ").bind(*at).push(")");
        },
    )
    .await?;
    tx.commit().await?;

    Ok(HistoryReport {
        orders: orders.len() as u64,
        cancelled: orders.iter().filter(|o| o.status() == Status::Cancelled).count() as u64,
        reviews: reviews.len() as u64,
        inquiries: inquiries.len() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-05 10:00 in Vietnam.
    const NOW: i64 = 1_796_439_600;

    fn products() -> Vec<DemoProduct> {
        (0..10)
            .map(|i| DemoProduct {
                id: 100 + i,
                cooperative_id: 1 + i % 8,
                slug: format!("p{i}"),
                name_vi: format!("Sản phẩm {i}"),
                name_en: format!("Product {i}"),
                price_vnd: 50_000 + i * 10_000,
                stock: [120, 90, 40, 200, 300, 80, 80, 15, 50, 30][i as usize],
            })
            .collect()
    }

    #[test]
    fn the_plan_covers_every_product_within_the_last_ninety_days_oldest_first() {
        let products = products();
        let orders = plan(&products, DEMO_ORDERS, NOW);
        assert_eq!(orders.len(), DEMO_ORDERS);
        assert!(orders.windows(2).all(|w| w[0].created_at <= w[1].created_at));
        let first_day = vietnam_day(NOW) - (HISTORY_DAYS - 1);
        for o in &orders {
            assert!(o.created_at < NOW && vietnam_day(o.created_at) >= first_day, "{o:?}");
            assert!(o.moves.iter().all(|m| m.1 <= NOW && m.1 > o.created_at), "{o:?}");
            assert!(o.lines.iter().all(|&(p, q)| products[p].cooperative_id == o.cooperative_id && q > 0));
        }
        for p in 0..products.len() {
            assert!(orders.iter().any(|o| o.lines.iter().any(|l| l.0 == p)), "product {p} sold");
        }
        // The same now, the same history.
        assert_eq!(plan(&products, DEMO_ORDERS, NOW), orders);
    }

    #[test]
    fn most_orders_are_delivered_a_few_are_cancelled_and_the_recent_ones_are_still_moving() {
        let orders = plan(&products(), DEMO_ORDERS, NOW);
        let count = |s: Status| orders.iter().filter(|o| o.status() == s).count();
        let cancelled = count(Status::Cancelled);
        assert!((12..=40).contains(&cancelled), "about 8% cancelled: {cancelled}");
        assert!(count(Status::Delivered) > DEMO_ORDERS / 2);
        assert!(count(Status::Pending) + count(Status::Confirmed) + count(Status::Shipped) > 0);
        // Only what has happened by now: delivery takes at least 37 hours from checkout.
        assert!(orders.iter().all(|o| o.status() != Status::Delivered || o.created_at < NOW - 37 * HOUR));
        let transfers = orders.iter().filter(|o| o.payment == Payment::BankTransfer).count();
        assert!(transfers > DEMO_ORDERS / 5 && transfers < DEMO_ORDERS * 3 / 5, "{transfers}");
        // Each move is one the order state machine allows.
        for o in &orders {
            let mut at = Status::Pending;
            for &(to, _) in &o.moves {
                let actor = if to == Status::Cancelled { Actor::Shopper } else { Actor::Cooperative };
                assert!(at.can_move(to, actor), "{at:?} → {to:?}");
                at = to;
            }
        }
    }

    #[test]
    fn reviews_are_of_delivered_lines_once_per_buyer_and_product() {
        let orders = plan(&products(), DEMO_ORDERS, NOW);
        let reviews = plan_reviews(&orders, NOW);
        assert!(reviews.len() >= 20, "{}", reviews.len());
        let mut seen = HashSet::new();
        for r in &reviews {
            let o = &orders[r.order];
            assert_eq!(o.status(), Status::Delivered);
            assert!(o.lines.iter().any(|l| l.0 == r.product));
            assert!(seen.insert((o.buyer, r.product)), "one review per buyer and product");
            assert!((1..=5).contains(&r.rating) && r.created_at <= NOW);
        }
    }

    #[test]
    fn the_stock_ledger_adds_up_to_the_shelf_and_never_goes_below_zero() {
        let products = products();
        let orders = plan(&products, DEMO_ORDERS, NOW);
        let rows = ledger(&products, &orders, NOW - 91 * DAY_SECS);
        for (i, p) in products.iter().enumerate() {
            let mine: Vec<_> = rows.iter().filter(|r| r.product == i).collect();
            assert_eq!(mine[0].reason, StockReason::Initial);
            assert_eq!(mine.iter().map(|r| r.delta).sum::<i64>(), p.stock, "product {i}");
            assert_eq!(mine.last().map(|r| r.stock_after), Some(p.stock));
            assert!(mine.iter().all(|r| r.stock_after >= 0));
            assert!(
                mine.windows(2)
                    .all(|w| w[0].at <= w[1].at && w[0].stock_after + w[1].delta == w[1].stock_after)
            );
        }
        let sales = rows.iter().filter(|r| r.reason == StockReason::Sale).count();
        assert_eq!(sales, orders.iter().map(|o| o.lines.len()).sum::<usize>(), "a sale per line");
    }

    #[test]
    fn the_buyers_addresses_are_provinces_the_checkout_knows() {
        for (_, province, _, _) in BUYERS {
            assert!(crate::orders::model::PROVINCES.contains(&province), "{province}");
        }
    }
}
