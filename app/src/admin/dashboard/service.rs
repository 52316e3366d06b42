//! The dashboard's figures, each one SQL aggregate over indexed ranges (never rows loaded into
//! memory and summed here). The chart queries of one render run side by side on the pool.
use std::sync::Arc;

use tracing::instrument;

use super::cache::{ProductCharts, ProductCounts};
use super::model::*;
use crate::clock::{DAY_SECS, VIETNAM_OFFSET_SECS, day_date, day_start, now_unix, vietnam_day};
use crate::db::{Db, Sql};
use crate::lang::Text;
use crate::live::hub::Hub;

/// Orders that count: every status but cancelled.
const COUNTED: &str = " AND o.status <> 'cancelled'";

/// The tiles at `now`: today is the Vietnam day of `now`.
#[instrument(skip(db, hub))]
pub async fn kpis(db: &Db, hub: &Hub, now: i64) -> Result<Kpis, sqlx::Error> {
    let start = day_start(vietnam_day(now));
    let end = start + DAY_SECS;
    let mut sql = Sql::new("SELECT (SELECT COUNT(*) FROM orders o WHERE o.created_at >= ");
    sql.bind(start).push(" AND o.created_at < ").bind(end).push(COUNTED);
    sql.push(
        ") AS orders_today, (SELECT CAST(COALESCE(SUM(o.subtotal_vnd), 0) AS BIGINT) FROM orders o \
         WHERE o.created_at >= ",
    );
    sql.bind(start).push(" AND o.created_at < ").bind(end).push(COUNTED);
    sql.push(
        ") AS revenue_today_vnd, (SELECT CAST(COALESCE(SUM(paid_vnd), 0) AS BIGINT) FROM orders \
         WHERE payment_status = 'paid' AND paid_at >= ",
    );
    sql.bind(start).push(" AND paid_at < ").bind(end);
    sql.push(") AS paid_today_vnd, (SELECT COUNT(*) FROM inquiries WHERE created_at >= ").bind(start);
    sql.push(" AND created_at < ").bind(end);
    sql.push(") AS inquiries_today, (SELECT COUNT(*) FROM cooperatives WHERE status = 'pending') AS coops_pending, ");
    sql.push(
        "(SELECT COUNT(DISTINCT fb.cooperative_id) FROM fair_booths fb JOIN fairs f ON f.id = fb.fair_id \
         JOIN cooperatives c ON c.id = fb.cooperative_id WHERE c.status = 'approved' AND f.starts_at <= ",
    );
    sql.bind(now).push(" AND f.ends_at > ").bind(now).push(") AS booths_live");
    #[derive(sqlx::FromRow)]
    struct Counts {
        orders_today: i64,
        revenue_today_vnd: i64,
        paid_today_vnd: i64,
        inquiries_today: i64,
        coops_pending: i64,
        booths_live: i64,
    }
    let c: Counts = sql.query_as()?.fetch_one(&db.pool).await?;
    let Counts {
        orders_today,
        revenue_today_vnd,
        paid_today_vnd,
        inquiries_today,
        coops_pending,
        booths_live,
    } = c;
    Ok(Kpis {
        orders_today,
        revenue_today_vnd,
        paid_today_vnd,
        site_visitors: hub.site_visitors(),
        booth_visitors: hub.booth_visitors(),
        booths_live,
        inquiries_today,
        coops_pending,
    })
}

pub use crate::live::feed::{announce, feed, feed_item};

/// The filters' bounds in SQL terms.
pub(crate) struct Scope<'a> {
    pub filter: &'a DashboardFilter,
    /// The first and last Vietnam day.
    pub first: i64,
    pub last: i64,
    /// The first's start and the end of the last.
    pub start: i64,
    pub end: i64,
    /// `YYYY-MM-DD`: certificates valid on this day give a product its stars.
    pub today: String,
}

/// What a row of daily figures is about.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Per {
    Cooperative,
    Product,
}

/// The best valid certificate's stars of the product `p`.
pub(crate) const STARS_OF_P: &str =
    "(SELECT MAX(ct.stars) FROM certificates ct WHERE ct.product_id = p.id AND ct.expires_on >= ";

impl Scope<'_> {
    /// The filter's range and the day its stars are read on; `today` is a Vietnam day number.
    pub(crate) fn new(filter: &DashboardFilter, today: i64) -> Scope<'_> {
        let (first, last) = filter.days(today);
        Scope {
            filter,
            first,
            last,
            start: day_start(first),
            end: day_start(last + 1),
            today: day_date(today).map(|d| d.to_string()).unwrap_or_default(),
        }
    }

    /// The days of the range in the daily figures `r` (`order_days` per cooperative or
    /// `product_days` per product, kept by migration 0013's triggers), of the district's
    /// cooperatives if one is set.
    fn days(&self, sql: &mut Sql, per: Per) {
        sql.push(" WHERE r.day >= ").bind(self.first).push(" AND r.day <= ").bind(self.last);
        if let Some(district) = self.filter.district() {
            sql.push(match per {
                Per::Product => {
                    " AND r.product_id IN (SELECT p3.id FROM products p3 WHERE p3.cooperative_id IN ("
                }
                Per::Cooperative => " AND r.cooperative_id IN (",
            });
            sql.push("SELECT c2.id FROM cooperatives c2 JOIN districts d2 ON d2.id = c2.district_id WHERE d2.slug = ");
            sql.bind(district.to_owned()).push(if per == Per::Product { "))" } else { ")" });
        }
    }

    /// The counted orders `o` in range and their lines `l` of the products the filter matches.
    fn line_filters(&self, sql: &mut Sql) {
        self.range_and_district(sql);
        sql.push(COUNTED);
        self.matching_products(sql, " AND +l.product_id");
    }

    /// `and_column` (`" AND +x.product_id"`) is a product the group and stars filters match: a
    /// set computed once per query, not a join per row. The unary plus keeps SQLite's planner on the date range
    /// rather than walking every row of every matching product (70 ms instead of 180 ms at
    /// 1,000,000 orders); PostgreSQL reads it as the integer itself.
    fn matching_products(&self, sql: &mut Sql, and_column: &'static str) {
        sql.push(and_column).push(" IN (SELECT p.id FROM products p WHERE 1 = 1");
        self.product_filters(sql);
        sql.push(")");
    }

    /// Orders `o` placed in the range, by the district's cooperatives.
    pub(crate) fn range_and_district(&self, sql: &mut Sql) {
        sql.push(" WHERE o.created_at >= ").bind(self.start).push(" AND o.created_at < ").bind(self.end);
        if let Some(district) = self.filter.district() {
            sql.push(" AND o.cooperative_id IN (SELECT c2.id FROM cooperatives c2 JOIN districts d2 ON d2.id = c2.district_id WHERE d2.slug = ");
            sql.bind(district.to_owned()).push(")");
        }
    }

    /// Group and stars, on the product `p`.
    pub(crate) fn product_filters(&self, sql: &mut Sql) {
        if let Some(group) = self.filter.group() {
            sql.push(" AND p.group_id = (SELECT g2.id FROM product_groups g2 WHERE g2.slug = ");
            sql.bind(group.to_owned()).push(")");
        }
        if let Some(stars) = self.filter.stars() {
            // The products whose best valid certificate has these stars, from the certificates'
            // covering index.
            sql.push(" AND p.id IN (SELECT ct.product_id FROM certificates ct WHERE ct.expires_on >= ");
            sql.bind(self.today.clone()).push(" GROUP BY ct.product_id HAVING MAX(ct.stars) = ").bind(stars);
            sql.push(")");
        }
    }

    /// Published products of approved cooperatives (in the district), as `p`.
    pub(crate) fn products(&self, sql: &mut Sql) {
        sql.push(" FROM products p WHERE ");
        self.product_conditions(sql);
    }

    /// The conditions of `products` on `p`, after a `WHERE` or an `AND`.
    fn product_conditions(&self, sql: &mut Sql) {
        sql.push("p.status = 'published' AND p.cooperative_id IN (SELECT c2.id FROM cooperatives c2");
        if let Some(district) = self.filter.district() {
            sql.push(" JOIN districts d2 ON d2.id = c2.district_id WHERE d2.slug = ")
                .bind(district.to_owned());
            sql.push(" AND c2.status = 'approved')");
        } else {
            sql.push(" WHERE c2.status = 'approved')");
        }
        self.product_filters(sql);
    }
}

/// Orders and revenue per day: from the daily figures, or with a product filter, from the
/// matching lines (an order counted once however many of its lines match).
async fn per_day(db: &Db, scope: &Scope<'_>) -> Result<Vec<DayFigure>, sqlx::Error> {
    let sql = if scope.filter.by_product() {
        // The Vietnam day of each order, by the clock's own rule (`clock::vietnam_day`).
        let mut sql = Sql::new("SELECT (o.created_at + ");
        sql.bind(VIETNAM_OFFSET_SECS).push(") / ").bind(DAY_SECS).push(
            " AS day, COUNT(DISTINCT o.id), CAST(SUM(l.line_total_vnd) AS BIGINT) \
             FROM orders o JOIN order_lines l ON l.order_id = o.id",
        );
        scope.line_filters(&mut sql);
        sql.push(" GROUP BY 1 ORDER BY 1");
        sql
    } else {
        let mut sql = Sql::new(
            "SELECT r.day, CAST(SUM(r.orders) AS BIGINT), CAST(SUM(r.revenue_vnd) AS BIGINT) FROM order_days r",
        );
        scope.days(&mut sql, Per::Cooperative);
        sql.push(" GROUP BY r.day ORDER BY r.day");
        sql
    };
    let rows: Vec<(i64, i64, i64)> = sql.query_as()?.fetch_all(&db.pool).await?;
    let mut days: Vec<DayFigure> =
        (scope.first..=scope.last).map(|day| DayFigure { day, orders: 0, revenue_vnd: 0 }).collect();
    for (day, orders, revenue_vnd) in rows {
        if let Some(d) = usize::try_from(day - scope.first).ok().and_then(|i| days.get_mut(i)) {
            d.orders = orders;
            d.revenue_vnd = revenue_vnd;
        }
    }
    Ok(days)
}

/// Orders and revenue by the cooperatives' district, the same two ways as `per_day`;
/// districts whose orders were all cancelled are left out.
async fn by_district(db: &Db, scope: &Scope<'_>) -> Result<Vec<DistrictFigure>, sqlx::Error> {
    let mut sql;
    if scope.filter.by_product() {
        sql = Sql::new(
            "SELECT d.name_vi, d.name_en, COUNT(DISTINCT o.id), CAST(SUM(l.line_total_vnd) AS BIGINT) AS revenue \
             FROM orders o JOIN order_lines l ON l.order_id = o.id \
             JOIN cooperatives c ON c.id = o.cooperative_id JOIN districts d ON d.id = c.district_id",
        );
        scope.line_filters(&mut sql);
        sql.push(" GROUP BY d.id, d.name_vi, d.name_en");
    } else {
        sql = Sql::new(
            "SELECT d.name_vi, d.name_en, CAST(SUM(r.orders) AS BIGINT), CAST(SUM(r.revenue_vnd) AS BIGINT) AS revenue \
             FROM order_days r JOIN cooperatives c ON c.id = r.cooperative_id JOIN districts d ON d.id = c.district_id",
        );
        scope.days(&mut sql, Per::Cooperative);
        sql.push(" GROUP BY d.id, d.name_vi, d.name_en HAVING SUM(r.orders) > 0");
    }
    sql.push(" ORDER BY revenue DESC, d.name_vi");
    let rows: Vec<(String, String, i64, i64)> = sql.query_as()?.fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .map(|(vi, en, orders, revenue_vnd)| DistrictFigure {
            district: Text::new(vi, en),
            orders,
            revenue_vnd,
        })
        .collect())
}

/// The best-selling products, from the daily figures per product: summed per product id first
/// (a covering scan of the range's rows), and only the ten winners joined to their names.
async fn top_products(db: &Db, scope: &Scope<'_>) -> Result<Vec<ProductFigure>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT p.slug, p.name_vi, p.name_en, t.quantity, t.revenue FROM (SELECT r.product_id, \
         CAST(SUM(r.quantity) AS BIGINT) AS quantity, CAST(SUM(r.revenue_vnd) AS BIGINT) AS revenue \
         FROM product_days r",
    );
    scope.days(&mut sql, Per::Product);
    if scope.filter.by_product() {
        scope.matching_products(&mut sql, " AND +r.product_id");
    }
    sql.push(" GROUP BY r.product_id HAVING SUM(r.quantity) > 0 ORDER BY revenue DESC, r.product_id LIMIT ");
    sql.bind(TOP_PRODUCTS);
    sql.push(") t JOIN products p ON p.id = t.product_id ORDER BY t.revenue DESC, p.id");
    let rows: Vec<(String, String, String, i64, i64)> = sql.query_as()?.fetch_all(&db.pool).await?;
    Ok(rows
        .into_iter()
        .map(|(slug, vi, en, quantity, revenue_vnd)| ProductFigure {
            name: Text::new(vi, en),
            slug,
            quantity,
            revenue_vnd,
        })
        .collect())
}

/// Products by the stars of their best valid certificate: the certificates are walked per
/// product (a covering index), and the products without one are the rest of the total.
async fn by_stars(db: &Db, scope: &Scope<'_>) -> Result<Vec<Count>, sqlx::Error> {
    let mut rated = Sql::new(
        "SELECT x.stars, COUNT(*) FROM (SELECT MAX(ct.stars) AS stars FROM certificates ct \
         JOIN products p ON p.id = ct.product_id WHERE ct.expires_on >= ",
    );
    rated.bind(scope.today.clone()).push(" AND ");
    scope.product_conditions(&mut rated);
    rated.push(" GROUP BY ct.product_id) x GROUP BY x.stars");
    let mut total = Sql::new("SELECT COUNT(*)");
    scope.products(&mut total);
    let rated = async { rated.query_as::<(i64, i64)>()?.fetch_all(&db.pool).await };
    let total = async { total.query_scalar::<i64>()?.fetch_one(&db.pool).await };
    let (rows, total) = tokio::try_join!(rated, total)?;
    let unrated = total - rows.iter().map(|(_, n)| n).sum::<i64>();
    // 5, 4, 3 stars, then the products without a valid certificate; empty rows left out.
    let mut counts = Vec::new();
    for stars in [Some(5), Some(4), Some(3), None] {
        let n = match stars {
            Some(stars) => rows.iter().find(|(s, _)| *s == stars).map_or(0, |(_, n)| *n),
            None => unrated,
        };
        if n > 0 {
            let label = match stars {
                Some(s) => Text::new(format!("{s} sao"), format!("{s} stars")),
                None => Text::new("Chưa có / hết hạn", "None or expired"),
            };
            counts.push(Count { label, products: n });
        }
    }
    Ok(counts)
}

async fn by_group(db: &Db, scope: &Scope<'_>) -> Result<Vec<Count>, sqlx::Error> {
    // Counted per group id first, then named: groups without products are left out.
    let mut grouped = Sql::new(
        "SELECT g.name_vi, g.name_en, x.n FROM product_groups g JOIN (SELECT p.group_id, COUNT(*) AS n",
    );
    scope.products(&mut grouped);
    grouped.push(" GROUP BY p.group_id) x ON x.group_id = g.id ORDER BY g.position, g.id");
    let rows: Vec<(String, String, i64)> = grouped.query_as()?.fetch_all(&db.pool).await?;
    Ok(rows.into_iter().map(|(vi, en, products)| Count { label: Text::new(vi, en), products }).collect())
}

async fn fair_traffic(db: &Db, scope: &Scope<'_>) -> Result<Vec<FairTraffic>, sqlx::Error> {
    let mut sql = Sql::new(
        "SELECT f.name_vi, f.name_en, COUNT(v.id), COUNT(DISTINCT v.visitor) FROM fairs f \
         LEFT JOIN booth_visits v ON v.fair_id = f.id",
    );
    if let Some(district) = scope.filter.district() {
        sql.push(" AND v.cooperative_id IN (SELECT c2.id FROM cooperatives c2 JOIN districts d2 ON d2.id = c2.district_id WHERE d2.slug = ");
        sql.bind(district.to_owned()).push(")");
    }
    sql.push(" WHERE f.starts_at < ").bind(scope.end).push(" AND f.ends_at > ").bind(scope.start);
    sql.push(" GROUP BY f.id, f.name_vi, f.name_en, f.starts_at ORDER BY f.starts_at DESC, f.id DESC LIMIT ");
    sql.bind(TRAFFIC_FAIRS);
    let rows: Vec<(String, String, i64, i64)> = sql.query_as()?.fetch_all(&db.pool).await?;
    // Oldest first, left to right.
    Ok(rows
        .into_iter()
        .rev()
        .map(|(vi, en, visits, visitors)| FairTraffic { fair: Text::new(vi, en), visits, visitors })
        .collect())
}

/// The product charts (by stars, by group) for `filter`: kept in `charts` until the catalogue
/// or the day changes, computed side by side otherwise.
pub async fn product_counts(
    db: &Db,
    charts: &ProductCharts,
    filter: &DashboardFilter,
    today: i64,
) -> Result<Arc<ProductCounts>, sqlx::Error> {
    charts
        .get_or_compute(db, filter, today, async {
            let scope = Scope::new(filter, today);
            tokio::try_join!(by_stars(db, &scope), by_group(db, &scope))
        })
        .await
}

/// Computes the default view's product counts whenever they are missing (at start, a minute
/// after they were computed, after a catalogue change, at a new day).
pub fn spawn_warmer(db: Db, charts: ProductCharts) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let filter = DashboardFilter::default();
        loop {
            let today = vietnam_day(now_unix());
            if !charts.has(&db, &filter, today)
                && let Err(e) = product_counts(&db, &charts, &filter, today).await
            {
                tracing::warn!(error = %e, "could not compute the dashboard's product charts");
            }
            tokio::time::sleep(super::cache::WARM_EVERY).await;
        }
    })
}

/// What the dashboard's live part shows at `now`: the tiles and the feed.
pub async fn live_snapshot(db: &Db, hub: &Hub, now: i64) -> Result<LiveSnapshot, sqlx::Error> {
    let (kpis, feed) = tokio::try_join!(kpis(db, hub, now), feed(db))?;
    Ok(LiveSnapshot { kpis, feed })
}

/// Every chart's figures for `filter`, `today` being a Vietnam day number.
#[instrument(skip(db, charts))]
pub async fn chart_data(
    db: &Db,
    charts: &ProductCharts,
    filter: &DashboardFilter,
    today: i64,
) -> Result<ChartData, sqlx::Error> {
    let scope = Scope::new(filter, today);
    let (per_day, by_district, top_products, counts, fair_traffic) = tokio::try_join!(
        per_day(db, &scope),
        by_district(db, &scope),
        top_products(db, &scope),
        product_counts(db, charts, filter, today),
        fair_traffic(db, &scope),
    )?;
    let (by_stars, by_group) = (counts.0.clone(), counts.1.clone());
    Ok(ChartData { per_day, by_district, by_stars, by_group, top_products, fair_traffic })
}

/// The whole dashboard as first rendered for `filter` at `now`: the tiles, the feed and the
/// charts (drawn in `lang`), every query side by side.
#[instrument(skip(db, hub, charts))]
pub async fn dashboard(
    db: &Db,
    hub: &Hub,
    charts: &ProductCharts,
    filter: &DashboardFilter,
    lang: crate::lang::Lang,
    now: i64,
) -> Result<Dashboard, sqlx::Error> {
    let today = vietnam_day(now);
    let (kpis, feed, data, (districts, groups)) =
        tokio::try_join!(kpis(db, hub, now), feed(db), chart_data(db, charts, filter, today), choices(db))?;
    let (from, to) = filter.days(today);
    let date = |day: i64| day_date(day).map(|d| d.to_string()).unwrap_or_default();
    Ok(Dashboard {
        kpis,
        feed,
        charts: super::charts::draw(&data, lang),
        districts,
        groups,
        from: date(from),
        to: date(to),
    })
}

/// The districts and product groups, for the filter's selects.
pub async fn choices(db: &Db) -> Result<(Vec<Choice>, Vec<Choice>), sqlx::Error> {
    let read = |table: &'static str| async move {
        let rows: Vec<(String, String, String)> = sqlx::query_as(table).fetch_all(&db.pool).await?;
        Ok::<_, sqlx::Error>(
            rows.into_iter().map(|(value, vi, en)| Choice { value, label: Text::new(vi, en) }).collect(),
        )
    };
    tokio::try_join!(
        read("SELECT slug, name_vi, name_en FROM districts ORDER BY position, name_vi"),
        read("SELECT slug, name_vi, name_en FROM product_groups ORDER BY position, id"),
    )
}
