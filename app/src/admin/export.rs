//! Streamed CSV exports of the admin console: orders, products, certificates and inquiries for
//! the page's current filters. UTF-8 with a byte order mark, so that Excel reads Vietnamese
//! correctly. The rows come from one query as a stream and are written into chunks of about
//! `CHUNK_BYTES`; at most `CHUNKS_IN_FLIGHT` chunks wait for the client, so memory stays the
//! same for ten rows or a million, and a slow download slows the query instead of filling RAM.
use bytes::Bytes;
use futures::TryStreamExt;
use serde::Deserialize;
use tokio::sync::mpsc;

use super::dashboard::model::{DashboardFilter, vietnam_day};
use super::dashboard::service::{STARS_OF_P, Scope};
use super::model::CertificateFilter;
use crate::db::{Db, Sql};

pub const BOM: &[u8] = b"\xEF\xBB\xBF";
/// A chunk is sent once it holds this much.
pub const CHUNK_BYTES: usize = 64 * 1024;
pub const CHUNKS_IN_FLIGHT: usize = 4;

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

#[derive(Debug, thiserror::Error)]
enum ExportError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    #[error("the client went away")]
    Gone,
}

/// CSV records into bounded chunks on a channel.
struct Chunks {
    out: csv::Writer<Vec<u8>>,
    tx: mpsc::Sender<Bytes>,
}

/// A CSV writer into an empty chunk. Its own buffer is small: the chunk's size is checked on
/// what it has flushed.
fn writer(start: Vec<u8>) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().buffer_capacity(1024).from_writer(start)
}

impl Chunks {
    fn new(tx: mpsc::Sender<Bytes>) -> Chunks {
        Chunks { out: writer(BOM.to_vec()), tx }
    }

    async fn record<I, T>(&mut self, fields: I) -> Result<(), ExportError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.out.write_record(fields)?;
        if self.out.get_ref().len() >= CHUNK_BYTES {
            self.send().await?;
        }
        Ok(())
    }

    async fn send(&mut self) -> Result<(), ExportError> {
        let full = std::mem::replace(&mut self.out, writer(Vec::with_capacity(CHUNK_BYTES + 1024)));
        let chunk = full.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
        if chunk.is_empty() {
            return Ok(());
        }
        self.tx.send(Bytes::from(chunk)).await.map_err(|_| ExportError::Gone)
    }
}

/// `unix` in Vietnam time, `2026-12-01 09:30`.
fn local_time(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| {
            let t = t.to_offset(crate::ui::dates::VIETNAM);
            format!("{} {:02}:{:02}", t.date(), t.hour(), t.minute())
        })
        .unwrap_or_default()
}

/// Starts `export` for `query` on `today` (`now`'s Vietnam day) and returns its chunks. The
/// first chunk starts with the byte order mark and the header line.
pub fn start(db: Db, export: Export, query: ExportQuery, now: i64) -> mpsc::Receiver<Bytes> {
    let (tx, rx) = mpsc::channel(CHUNKS_IN_FLIGHT);
    tokio::spawn(async move {
        let mut chunks = Chunks::new(tx);
        let written = match export {
            Export::Orders => orders(&db, &query, now, &mut chunks).await,
            Export::Products => products(&db, &query, now, &mut chunks).await,
            Export::Certificates => certificates(&db, &query, now, &mut chunks).await,
            Export::Inquiries => inquiries(&db, &query, now, &mut chunks).await,
        };
        match written.and(chunks.send().await) {
            Ok(()) | Err(ExportError::Gone) => {}
            // The response has started: the download ends short, and the log says why.
            Err(e) => tracing::error!(error = %e, export = export.name(), "a CSV export failed part way"),
        }
    });
    rx
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

async fn orders(db: &Db, query: &ExportQuery, now: i64, out: &mut Chunks) -> Result<(), ExportError> {
    out.record([
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
    ])
    .await?;
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
            r.number,
            local_time(r.created_at),
            r.status,
            r.payment,
            r.cooperative,
            r.district.unwrap_or_default(),
            r.subtotal_vnd.to_string(),
            r.shipping_vnd.to_string(),
            r.total_vnd.to_string(),
            r.ship_province,
            r.ship_district,
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

async fn products(db: &Db, query: &ExportQuery, now: i64, out: &mut Chunks) -> Result<(), ExportError> {
    out.record([
        "slug",
        "name_vi",
        "name_en",
        "cooperative",
        "district",
        "group",
        "price_vnd",
        "stock",
        "ocop_stars",
    ])
    .await?;
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
            r.slug,
            r.name_vi,
            r.name_en,
            r.cooperative,
            r.district.unwrap_or_default(),
            r.product_group,
            r.price_vnd.to_string(),
            r.stock.to_string(),
            r.stars.map(|s| s.to_string()).unwrap_or_default(),
        ])
        .await?;
    }
    Ok(())
}

async fn certificates(db: &Db, query: &ExportQuery, now: i64, out: &mut Chunks) -> Result<(), ExportError> {
    use super::model::{CertificateState, EXPIRING_DAYS};
    use super::service::{CERTIFICATE_SELECT, CertificateRecord, certificate_filters, certificate_row};
    out.record([
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
    ])
    .await?;
    let day = super::dashboard::model::day_date(vietnam_day(now)).unwrap_or(time::Date::MIN);
    let today = day.to_string();
    let soon = crate::catalog::certificate::add_days(&today, EXPIRING_DAYS).unwrap_or_default();
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
            c.decision_no,
            c.product.vi,
            c.cooperative.vi,
            c.district.map(|d| d.vi).unwrap_or_default(),
            c.stars.to_string(),
            c.council,
            c.issued_on,
            c.expires_on,
            c.days_left.to_string(),
            state.to_owned(),
        ])
        .await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct InquiryRow {
    id: i64,
    created_at: i64,
    cooperative: String,
    company: String,
    country: String,
    contact_name: String,
    email: String,
    product: Option<String>,
    quantity: i64,
    quantity_unit: String,
    incoterm: String,
    status: String,
    message: String,
}

async fn inquiries(db: &Db, query: &ExportQuery, now: i64, out: &mut Chunks) -> Result<(), ExportError> {
    out.record([
        "id",
        "received_vietnam_time",
        "cooperative",
        "company",
        "country",
        "contact",
        "email",
        "product",
        "quantity",
        "unit",
        "incoterm",
        "status",
        "message",
    ])
    .await?;
    let scope = Scope::new(&query.dashboard, vietnam_day(now));
    let mut sql = Sql::new(
        "SELECT o.id, o.created_at, c.name_vi AS cooperative, o.company, o.country, o.contact_name, o.email, \
         p.name_vi AS product, o.quantity, o.quantity_unit, o.incoterm, o.status, o.message FROM inquiries o \
         JOIN cooperatives c ON c.id = o.cooperative_id LEFT JOIN products p ON p.id = o.product_id",
    );
    scope.range_and_district(&mut sql);
    sql.push(" ORDER BY o.created_at, o.id");
    let mut rows = sql.query_as::<InquiryRow>()?.fetch(&db.pool);
    while let Some(r) = rows.try_next().await? {
        out.record([
            r.id.to_string(),
            local_time(r.created_at),
            r.cooperative,
            r.company,
            r.country,
            r.contact_name,
            r.email,
            r.product.unwrap_or_default(),
            r.quantity.to_string(),
            r.quantity_unit,
            r.incoterm,
            r.status,
            r.message,
        ])
        .await?;
    }
    Ok(())
}
