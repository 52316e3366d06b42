//! Export inquiries: taking one in (with a per-address limit and a honeypot), the cooperative's
//! pipeline and notes, the lists, and the CSV export.
use bytes::Bytes;
use futures::TryStreamExt;
use tokio::sync::mpsc;

use super::model::*;
use crate::db::{Db, Sql};
use crate::error::{AppError, FieldError};
use crate::export::{CsvStream, ExportError, local_time};
use crate::lang::Text;
use crate::live::hub::Hub;
use crate::live::model::{Event, InquiryNotice};

/// Whose leads a request sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Cooperative(i64),
    /// The department: every cooperative's.
    Province,
}

/// What became of a submitted form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    Stored(i64),
    /// The honeypot was filled in: answered like a success, stored nowhere.
    Discarded,
}

/// Takes in an inquiry from `ip`. The booth must be an approved cooperative's and the product,
/// if one is named, one of its published products.
pub async fn submit(
    db: &Db,
    hub: &Hub,
    form: &InquiryForm,
    ip: &str,
    now: i64,
    today: &str,
) -> Result<Submitted, AppError> {
    if !form.website.trim().is_empty() {
        tracing::info!(ip, "inquiry honeypot filled in; discarded");
        return Ok(Submitted::Discarded);
    }
    // Checked first to turn a flood away before any other work, and again below where it
    // counts: under the address's lock, as the inquiry is stored.
    within_hourly_limit(&mut *db.pool.acquire().await?, ip, now).await?;
    let checked = form.check(today).map_err(AppError::Validation)?;
    let (coop, _, _): (i64, String, String) = sqlx::query_as(
        "SELECT id, name_vi, name_en FROM cooperatives WHERE status = 'approved' AND slug = $1",
    )
    .bind(form.booth.trim())
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let product = if form.product.trim().is_empty() {
        None
    } else {
        let found: Option<(i64, String)> = sqlx::query_as(
            "SELECT id, name_vi FROM products WHERE status = 'published' AND slug = $1 \
             AND cooperative_id = $2",
        )
        .bind(form.product.trim())
        .bind(coop)
        .fetch_optional(&db.pool)
        .await?;
        Some(found.ok_or_else(|| {
            AppError::Validation(vec![FieldError::new("product", crate::error::FieldCode::Invalid)])
        })?)
    };
    let mut tx = db.begin_write().await?;
    tx.lock_key(INQUIRY_LOCKS, ip).await?;
    within_hourly_limit(&mut tx, ip, now).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO inquiries (cooperative_id, product_id, company, country, contact_name, email, phone, \
         quantity, quantity_unit, packaging, incoterm, target_date, samples, message, status, ip, created_at, \
         updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'new', $15, $16, $17) \
         RETURNING id",
    )
    .bind(coop)
    .bind(product.as_ref().map(|p| p.0))
    .bind(&checked.company)
    .bind(&checked.country)
    .bind(checked.contact_name)
    .bind(checked.email)
    .bind(checked.phone)
    .bind(checked.quantity)
    .bind(&checked.quantity_unit)
    .bind(checked.packaging)
    .bind(checked.incoterm)
    .bind(checked.target_date)
    .bind(i64::from(checked.samples))
    .bind(checked.message)
    .bind(ip)
    .bind(now)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO inquiry_events (inquiry_id, to_status, created_at) VALUES ($1, 'new', $2)")
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let told = crate::messages::service::tell(
        &mut tx,
        crate::messages::service::To::Cooperative(coop),
        &crate::messages::model::Message::InquiryReceived {
            inquiry_id: id,
            company: checked.company.clone(),
            country: checked.country.clone(),
            product: product.as_ref().map(|p| crate::lang::Text::new(p.1.clone(), p.1.clone())),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    crate::messages::service::announce(db, hub, told);
    hub.publish(Event::InquiryReceived {
        inquiry: InquiryNotice {
            id,
            cooperative_id: coop,
            company: checked.company,
            country: checked.country,
            product: product.map(|p| p.1),
            quantity: checked.quantity,
            quantity_unit: checked.quantity_unit,
            incoterm: checked.incoterm.to_owned(),
            at: now,
        },
    });
    crate::live::feed::announce(db, hub, crate::live::model::FeedKind::Inquiry, id).await;
    Ok(Submitted::Stored(id))
}

/// The advisory lock space of the per-address limit (`WriteTx::lock_key`).
const INQUIRY_LOCKS: i32 = 17;

/// `Ok` while `ip` has sent fewer than `PER_IP_PER_HOUR` inquiries in the hour before `now`;
/// otherwise how long until the oldest of them leaves the hour.
async fn within_hourly_limit(conn: &mut sqlx::AnyConnection, ip: &str, now: i64) -> Result<(), AppError> {
    let (recent, oldest): (i64, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*), MIN(created_at) FROM inquiries WHERE ip = $1 AND created_at > $2")
            .bind(ip)
            .bind(now - 3600)
            .fetch_one(conn)
            .await?;
    if recent >= PER_IP_PER_HOUR {
        return Err(AppError::TooManyAttempts(oldest.map_or(3600, |t| (t + 3600 - now).max(1))));
    }
    Ok(())
}

/// The `InquiryReceived` event of a stored inquiry (for the relay).
pub async fn notice_event(db: &Db, id: i64) -> Result<Option<Event>, sqlx::Error> {
    type Row = (i64, i64, String, String, Option<String>, i64, String, String, i64);
    let row: Option<Row> = sqlx::query_as(
        "SELECT i.id, i.cooperative_id, i.company, i.country, p.name_vi, i.quantity, i.quantity_unit, i.incoterm, \
         i.created_at FROM inquiries i LEFT JOIN products p ON p.id = i.product_id WHERE i.id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(|(id, cooperative_id, company, country, product, quantity, quantity_unit, incoterm, at)| {
        Event::InquiryReceived {
            inquiry: InquiryNotice {
                id,
                cooperative_id,
                company,
                country,
                product,
                quantity,
                quantity_unit,
                incoterm,
                at,
            },
        }
    }))
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    coop_vi: String,
    coop_en: String,
    company: String,
    country: String,
    product_vi: Option<String>,
    product_en: Option<String>,
    quantity: i64,
    quantity_unit: String,
    incoterm: String,
    status: String,
    created_at: i64,
}

impl From<SummaryRow> for LeadSummary {
    fn from(r: SummaryRow) -> LeadSummary {
        LeadSummary {
            id: r.id,
            cooperative: Text::new(r.coop_vi, r.coop_en),
            company: r.company,
            country: r.country,
            product: match (r.product_vi, r.product_en) {
                (Some(vi), Some(en)) => Some(Text::new(vi, en)),
                _ => None,
            },
            quantity: r.quantity,
            quantity_unit: r.quantity_unit,
            incoterm: r.incoterm,
            status: LeadStatus::from_db(&r.status).unwrap_or(LeadStatus::New),
            created_at: r.created_at,
        }
    }
}

const SUMMARY_SELECT: &str = "SELECT i.id, c.name_vi AS coop_vi, c.name_en AS coop_en, i.company, i.country, \
    p.name_vi AS product_vi, p.name_en AS product_en, i.quantity, i.quantity_unit, i.incoterm, i.status, \
    i.created_at FROM inquiries i JOIN cooperatives c ON c.id = i.cooperative_id \
    LEFT JOIN products p ON p.id = i.product_id WHERE 1 = 1";

fn scoped(scope: Scope) -> Sql {
    let mut sql = Sql::new(SUMMARY_SELECT);
    if let Scope::Cooperative(coop) = scope {
        sql.push(" AND i.cooperative_id = ").bind(coop);
    }
    sql
}

/// Leads, newest first, optionally of one status (at most 500).
pub async fn list(db: &Db, scope: Scope, status: Option<LeadStatus>) -> Result<Vec<LeadSummary>, AppError> {
    let mut sql = scoped(scope);
    if let Some(st) = status {
        sql.push(" AND i.status = ").bind(st.as_db().to_owned());
    }
    sql.push(" ORDER BY i.created_at DESC, i.id DESC LIMIT 500");
    Ok(sql.query_as::<SummaryRow>()?.fetch_all(&db.pool).await?.into_iter().map(Into::into).collect())
}

/// One lead with its history; another cooperative's is `NotFound`.
pub async fn lead(db: &Db, scope: Scope, id: i64) -> Result<Lead, AppError> {
    let mut sql = scoped(scope);
    sql.push(" AND i.id = ").bind(id);
    let summary: LeadSummary =
        sql.query_as::<SummaryRow>()?.fetch_optional(&db.pool).await?.ok_or(AppError::NotFound)?.into();
    let (contact_name, email, phone, packaging, target_date, samples, message): (
        String,
        String,
        String,
        String,
        Option<String>,
        i64,
        String,
    ) = sqlx::query_as(
        "SELECT contact_name, email, phone, packaging, target_date, samples, message FROM inquiries \
         WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&db.pool)
    .await?;
    type EventRow = (i64, Option<String>, Option<String>, Option<String>, String);
    let rows: Vec<EventRow> = sqlx::query_as(
        "SELECT e.created_at, u.display_name, e.from_status, e.to_status, e.note FROM inquiry_events e \
         LEFT JOIN users u ON u.id = e.user_id WHERE e.inquiry_id = $1 ORDER BY e.id",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    let events = rows
        .into_iter()
        .map(|(at, who, from, to, note)| LeadEvent {
            at,
            who,
            from: from.as_deref().and_then(LeadStatus::from_db),
            to: to.as_deref().and_then(LeadStatus::from_db),
            note,
        })
        .collect();
    Ok(Lead {
        summary,
        contact_name,
        email,
        phone,
        packaging,
        target_date,
        samples: samples != 0,
        message,
        events,
    })
}

fn clean_note(note: &str) -> Result<String, AppError> {
    let note = note.trim().to_owned();
    if note.chars().count() > MAX_NOTE {
        return Err(AppError::Validation(vec![FieldError::new("note", crate::error::FieldCode::TooLong)]));
    }
    Ok(note)
}

/// Moves a cooperative's lead to `to`, with an optional note. Refused unless the pipeline allows
/// the move from the status the lead has at the moment of the update.
pub async fn transition(
    db: &Db,
    coop: i64,
    user_id: i64,
    id: i64,
    to: LeadStatus,
    note: &str,
    now: i64,
) -> Result<(), AppError> {
    let note = clean_note(note)?;
    let from: String =
        sqlx::query_scalar("SELECT status FROM inquiries WHERE id = $1 AND cooperative_id = $2")
            .bind(id)
            .bind(coop)
            .fetch_optional(&db.pool)
            .await?
            .ok_or(AppError::NotFound)?;
    let from = LeadStatus::from_db(&from).ok_or(AppError::Internal)?;
    if !from.can_move(to) {
        return Err(AppError::Conflict(crate::error::ConflictCode::LeadTransition));
    }
    let mut tx = db.begin_write().await?;
    let updated = sqlx::query(
        "UPDATE inquiries SET status = $1, updated_at = $2 \
         WHERE id = $3 AND cooperative_id = $4 AND status = $5",
    )
    .bind(to.as_db())
    .bind(now)
    .bind(id)
    .bind(coop)
    .bind(from.as_db())
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Err(AppError::Conflict(crate::error::ConflictCode::LeadTransition));
    }
    sqlx::query(
        "INSERT INTO inquiry_events (inquiry_id, user_id, from_status, to_status, note, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(user_id)
    .bind(from.as_db())
    .bind(to.as_db())
    .bind(note)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a note to a cooperative's lead without moving it.
pub async fn add_note(
    db: &Db,
    coop: i64,
    user_id: i64,
    id: i64,
    note: &str,
    now: i64,
) -> Result<(), AppError> {
    let note = clean_note(note)?;
    if note.is_empty() {
        return Err(AppError::Validation(vec![FieldError::new("note", crate::error::FieldCode::Required)]));
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inquiries WHERE id = $1 AND cooperative_id = $2")
        .bind(id)
        .bind(coop)
        .fetch_one(&db.pool)
        .await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    sqlx::query("INSERT INTO inquiry_events (inquiry_id, user_id, note, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(user_id)
        .bind(note)
        .bind(now)
        .execute(&db.pool)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct CsvRow {
    id: i64,
    created_at: i64,
    coop: String,
    company: String,
    country: String,
    contact_name: String,
    email: String,
    phone: String,
    product: Option<String>,
    quantity: i64,
    quantity_unit: String,
    packaging: String,
    incoterm: String,
    target_date: Option<String>,
    samples: i64,
    status: String,
    message: String,
}

/// Which leads of a scope a CSV holds: those received in `[start, end)` and of the cooperatives
/// of one district (the admin dashboard's filters); all of them by default.
#[derive(Debug, Clone, Default)]
pub struct LeadRange {
    pub received: Option<(i64, i64)>,
    /// A district's slug.
    pub district: Option<String>,
}

/// Writes the leads of `scope` in `range` as CSV, oldest first: the one leads export, behind
/// `/coop/inquiries.csv`, `/admin/inquiries.csv` and `/admin/export/inquiries.csv`.
pub async fn write_csv(
    db: &Db,
    scope: Scope,
    range: &LeadRange,
    out: &mut CsvStream,
) -> Result<(), ExportError> {
    out.header(&[
        "id",
        "received_vietnam_time",
        "cooperative",
        "company",
        "country",
        "contact",
        "email",
        "phone",
        "product",
        "quantity",
        "unit",
        "packaging",
        "incoterm",
        "target_date",
        "samples",
        "status",
        "message",
    ])?;
    let mut sql = Sql::new(
        "SELECT i.id, i.created_at, c.name_vi AS coop, i.company, i.country, i.contact_name, i.email, i.phone, \
         p.name_vi AS product, i.quantity, i.quantity_unit, i.packaging, i.incoterm, i.target_date, i.samples, \
         i.status, i.message FROM inquiries i JOIN cooperatives c ON c.id = i.cooperative_id \
         LEFT JOIN products p ON p.id = i.product_id WHERE 1 = 1",
    );
    if let Scope::Cooperative(coop) = scope {
        sql.push(" AND i.cooperative_id = ").bind(coop);
    }
    if let Some((start, end)) = range.received {
        sql.push(" AND i.created_at >= ").bind(start).push(" AND i.created_at < ").bind(end);
    }
    if let Some(district) = &range.district {
        sql.push(" AND c.district_id IN (SELECT d.id FROM districts d WHERE d.slug = ");
        sql.bind(district.clone()).push(")");
    }
    sql.push(" ORDER BY i.created_at, i.id");
    let mut rows = sql.query_as::<CsvRow>()?.fetch(&db.pool);
    while let Some(r) = rows.try_next().await? {
        out.record([
            r.id.into(),
            local_time(r.created_at).into(),
            r.coop.into(),
            r.company.into(),
            r.country.into(),
            r.contact_name.into(),
            r.email.into(),
            r.phone.into(),
            r.product.into(),
            r.quantity.into(),
            r.quantity_unit.into(),
            r.packaging.into(),
            r.incoterm.into(),
            r.target_date.into(),
            if r.samples != 0 { "yes" } else { "no" }.into(),
            r.status.into(),
            r.message.into(),
        ])
        .await?;
    }
    Ok(())
}

/// The leads of `scope` in `range` as a streamed CSV (see `crate::export`).
pub fn csv(db: Db, scope: Scope, range: LeadRange) -> mpsc::Receiver<Bytes> {
    crate::export::spawn("inquiries", move |mut out| async move {
        write_csv(&db, scope, &range, &mut out).await?;
        Ok::<_, ExportError>(out)
    })
}

/// The inquiry page: the booth, its products, and (after a refused plain post) the draft.
pub async fn page(
    db: &Db,
    booth: &str,
    product: &str,
    draft: Option<&str>,
    now: i64,
) -> Result<InquiryPage, AppError> {
    let (coop, slug, vi, en): (i64, String, String, String) = sqlx::query_as(
        "SELECT id, slug, name_vi, name_en FROM cooperatives WHERE status = 'approved' AND slug = $1",
    )
    .bind(booth)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT slug, name_vi, name_en FROM products WHERE status = 'published' AND cooperative_id = $1 \
         ORDER BY sort_name_vi, id",
    )
    .bind(coop)
    .fetch_all(&db.pool)
    .await?;
    let products = rows.into_iter().map(|(s, vi, en)| (s, Text::new(vi, en))).collect();
    /// The send server function's arguments.
    #[derive(serde::Deserialize)]
    struct Posted {
        form: InquiryForm,
    }
    let saved = match draft {
        Some(token) => crate::drafts::load(db, token, now).await?,
        None => None,
    };
    let (form, errors) = saved
        .and_then(|posted| Some((posted.decode::<Posted>()?.form, posted.field_errors())))
        .filter(|(f, _)| f.booth == slug)
        // The honeypot is never shown again.
        .map(|(form, errors)| (InquiryForm { website: String::new(), ..form }, errors))
        .unwrap_or_else(|| {
            (InquiryForm { booth: slug.clone(), product: product.to_owned(), ..Default::default() }, vec![])
        });
    Ok(InquiryPage { booth_slug: slug, booth_name: Text::new(vi, en), products, form, errors })
}
