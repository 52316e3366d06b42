//! Streamed CSV exports of the admin console: orders, products, certificates and inquiries for
//! the page's current filters, written by `crate::export` (bounded chunks, formula-safe cells).
use bytes::Bytes;
use futures::TryStreamExt;
use serde::Deserialize;
use tokio::sync::mpsc;

use super::dashboard::model::DashboardFilter;
use super::dashboard::service::{STARS_OF_P, Scope};
use super::model::CertificateFilter;
use crate::clock::vietnam_day;
use crate::db::{Db, Sql};
use crate::export::{CsvStream, ExportError, local_time};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Export {
    Orders,
    Products,
    Certificates,
    Inquiries,
}

impl Export {
    pub fn from_name(name: &str) -> Option<Export> {
        match name {
            "orders" => Some(Export::Orders),
            "products" => Some(Export::Products),
            "certificates" => Some(Export::Certificates),
            "inquiries" => Some(Export::Inquiries),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Export::Orders => "orders",
            Export::Products => "products",
            Export::Certificates => "certificates",
            Export::Inquiries => "inquiries",
        }
    }
}

/// Every filter an export may take from the URL: the dashboard's (orders, products,
/// inquiries) and the registry's (certificates).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ExportQuery {
    #[serde(flatten)]
    pub dashboard: DashboardFilter,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub council: String,
    #[serde(default)]
    pub state: String,
}

impl ExportQuery {
    fn certificates(&self) -> CertificateFilter {
        CertificateFilter {
            q: self.q.clone(),
            stars: self.dashboard.stars.clone(),
            council: self.council.clone(),
            state: self.state.clone(),
        }
    }
}

/// Starts `export` for `query` on `today` (`now`'s Vietnam day) and returns its chunks. The
/// first chunk starts with the byte order mark and the header line.
pub fn start(db: Db, export: Export, query: ExportQuery, now: i64) -> mpsc::Receiver<Bytes> {
    crate::export::spawn(export.name(), move |mut out| async move {
        match export {
            Export::Orders => orders(&db, &query, now, &mut out).await?,
            Export::Products => products(&db, &query, now, &mut out).await?,
            Export::Certificates => certificates(&db, &query, now, &mut out).await?,
            Export::Inquiries => inquiries(&db, &query, now, &mut out).await?,
        }
        Ok::<_, ExportError>(out)
    })
}

#[derive(sqlx::FromRow)]
struct OrderRow {
    number: String,
    created_at: i64,
    status: String,
    payment: String,
    cooperative: String,
    district: Option<String>,
    subtotal_vnd: i64,
    shipping_vnd: i64,
    total_vnd: i64,
    ship_province: String,
    ship_district: String,
}

async fn orders(db: &Db, query: &ExportQuery, now: i64, out: &mut CsvStream) -> Result<(), ExportError> {
    out.header(&[
        "number",
        "placed_vietnam_time",
        "status",
        "payment",
        "cooperative",
        "district",
        "goods_vnd",
        "shipping_vnd",
        "total_vnd",
        "ship_province",
        "ship_district",
    ])?;
    let scope = Scope::new(&query.dashboard, vietnam_day(now));
    let mut sql = Sql::new(
        "SELECT o.number, o.created_at, o.status, o.payment, c.name_vi AS cooperative, d.name_vi AS district, \
         o.subtotal_vnd, o.shipping_vnd, o.total_vnd, o.ship_province, o.ship_district FROM orders o \
         JOIN cooperatives c ON c.id = o.cooperative_id LEFT JOIN districts d ON d.id = c.district_id",
    );
    scope.range_and_district(&mut sql);
    if query.dashboard.by_product() {
        sql.push(" AND EXISTS (SELECT 1 FROM order_lines l JOIN products p ON p.id = l.product_id WHERE l.order_id = o.id");
        scope.product_filters(&mut sql);
        sql.push(")");
    }
    sql.push(" ORDER BY o.created_at, o.id");
    let mut rows = sql.query_as::<OrderRow>()?.fetch(&db.pool);
    while let Some(r) = rows.try_next().await? {
        out.record([
            r.number.into(),
            local_time(r.created_at).into(),
            r.status.into(),
            r.payment.into(),
            r.cooperative.into(),
            r.district.into(),
            r.subtotal_vnd.into(),
            r.shipping_vnd.into(),
            r.total_vnd.into(),
            r.ship_province.into(),
            r.ship_district.into(),
        ])
        .await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ProductRow {
    slug: String,
    name_vi: String,
    name_en: String,
    cooperative: String,
    district: Option<String>,
    product_group: String,
    price_vnd: i64,
    stock: i64,
    stars: Option<i64>,
}

async fn products(db: &Db, query: &ExportQuery, now: i64, out: &mut CsvStream) -> Result<(), ExportError> {
    out.header(&[
        "slug",
        "name_vi",
        "name_en",
        "cooperative",
        "district",
        "group",
        "price_vnd",
        "stock",
        "ocop_stars",
    ])?;
    let scope = Scope::new(&query.dashboard, vietnam_day(now));
    let mut sql = Sql::new(
        "SELECT p.slug, p.name_vi, p.name_en, c.name_vi AS cooperative, d.name_vi AS district, \
         g.name_vi AS product_group, p.price_vnd, p.stock, ",
    );
    sql.push(STARS_OF_P).bind(scope.today.clone()).push(") AS stars FROM (SELECT p.*");
    scope.products(&mut sql);
    sql.push(
        ") p JOIN cooperatives c ON c.id = p.cooperative_id LEFT JOIN districts d ON d.id = c.district_id \
         JOIN product_groups g ON g.id = p.group_id ORDER BY p.id",
    );
    let mut rows = sql.query_as::<ProductRow>()?.fetch(&db.pool);
    while let Some(r) = rows.try_next().await? {
        out.record([
            r.slug.into(),
            r.name_vi.into(),
            r.name_en.into(),
            r.cooperative.into(),
            r.district.into(),
            r.product_group.into(),
            r.price_vnd.into(),
            r.stock.into(),
            r.stars.into(),
        ])
        .await?;
    }
    Ok(())
}

async fn certificates(
    db: &Db,
    query: &ExportQuery,
    now: i64,
    out: &mut CsvStream,
) -> Result<(), ExportError> {
    use super::model::{CertificateState, EXPIRING_DAYS};
    use super::service::{CERTIFICATE_SELECT, CertificateRecord, certificate_filters, certificate_row};
    out.header(&[
        "decision_no",
        "product",
        "cooperative",
        "district",
        "stars",
        "council",
        "issued_on",
        "expires_on",
        "days_left",
        "state",
    ])?;
    let day = crate::clock::day_date(vietnam_day(now)).unwrap_or(time::Date::MIN);
    let today = day.to_string();
    let soon = crate::certificates::model::add_days(&today, EXPIRING_DAYS).unwrap_or_default();
    let mut sql = Sql::new(CERTIFICATE_SELECT);
    certificate_filters(&mut sql, &query.certificates(), &today, &soon);
    sql.push(" ORDER BY ct.expires_on, ct.id");
    let mut rows = sql.query_as::<CertificateRecord>()?.fetch(&db.pool);
    while let Some(r) = rows.try_next().await? {
        let c = certificate_row(r, day);
        let state = match c.state {
            CertificateState::Valid => "valid",
            CertificateState::Expiring => "expiring",
            CertificateState::Expired => "expired",
        };
        out.record([
            c.decision_no.into(),
            c.product.vi.into(),
            c.cooperative.vi.into(),
            c.district.map(|d| d.vi).into(),
            c.stars.into(),
            c.council.into(),
            c.issued_on.into(),
            c.expires_on.into(),
            c.days_left.into(),
            state.into(),
        ])
        .await?;
    }
    Ok(())
}

/// The leads of the range and district, as every leads CSV is written (`inquiries::service::csv`).
async fn inquiries(db: &Db, query: &ExportQuery, now: i64, out: &mut CsvStream) -> Result<(), ExportError> {
    use crate::inquiries::service::{LeadRange, Scope as Leads, write_csv};
    let scope = Scope::new(&query.dashboard, vietnam_day(now));
    let range = LeadRange {
        received: Some((scope.start, scope.end)),
        district: scope.filter.district().map(str::to_owned),
    };
    write_csv(db, Leads::Province, &range, out).await
}
