//! Payments: cash on delivery is paid at delivery; a bank transfer is recorded by a member by
//! hand or matched from the cooperative's bank statement (CSV, or the XLSX Vietnamese banks
//! export), by the `OCOP <number>` note and the amount. What does not match is listed for a person
//! to decide. A transfer unpaid after the cooperative's number of days is flagged, and its shopper
//! reminded once.
use std::io::Cursor;

use tracing::instrument;

use super::super::payments::*;
use crate::clock::DAY_SECS;
use crate::db::{Db, WriteTx};
use crate::error::{AppError, ConflictCode, FieldCode, FieldError};
use crate::lang::Text;
use crate::live::hub::Hub;
use crate::messages::model::Message;
use crate::messages::service::{To, Told, announce, tell};

/// One credit read from a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credit {
    pub line_no: i64,
    pub booked_on: String,
    pub amount_vnd: i64,
    pub note: String,
}

fn unreadable() -> AppError {
    AppError::Validation(vec![FieldError::new("statement", FieldCode::StatementUnreadable)])
}

/// The rows of a statement file as text cells: CSV (comma or semicolon), or the first sheet of
/// an XLSX workbook.
fn rows(filename: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>, AppError> {
    if bytes.len() > MAX_STATEMENT_BYTES {
        return Err(AppError::Validation(vec![FieldError::new("statement", FieldCode::UploadTooLarge)]));
    }
    let is_xlsx = bytes.starts_with(b"PK\x03\x04") || filename.to_lowercase().ends_with(".xlsx");
    let rows: Vec<Vec<String>> = if is_xlsx {
        use calamine::{Data, Reader, Xlsx};
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| unreadable())?;
        let sheet = book.sheet_names().first().cloned().ok_or_else(unreadable)?;
        let range = book.worksheet_range(&sheet).map_err(|_| unreadable())?;
        range
            .rows()
            .take(MAX_STATEMENT_ROWS + 50)
            .map(|row| {
                row.iter()
                    .map(|cell| match cell {
                        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                        Data::Int(i) => i.to_string(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect()
    } else {
        let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).into_owned();
        // Banks export with commas or semicolons (and a title line or two above the table).
        let head: String = text.lines().take(10).collect();
        let delimiter = if head.matches(';').count() > head.matches(',').count() { b';' } else { b',' };
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text.as_bytes())
            .records()
            .take(MAX_STATEMENT_ROWS + 50)
            .map(|r| r.map(|rec| rec.iter().map(str::to_owned).collect()).map_err(|_| unreadable()))
            .collect::<Result<_, _>>()?
    };
    Ok(rows)
}

/// The credits of a statement: the header row is found by its column names (Vietnamese or
/// English), the amount column preferring the credit column where debits and credits are apart;
/// debits, blank and unreadable rows are skipped.
pub fn parse_statement(filename: &str, bytes: &[u8]) -> Result<Vec<Credit>, AppError> {
    let rows = rows(filename, bytes)?;
    let folded = |cell: &str| crate::search::fold::fold(cell);
    let find = |header: &[String], names: &[&str]| {
        names.iter().find_map(|name| header.iter().position(|h| folded(h).contains(&folded(name))))
    };
    let (header_at, amount, note, date) = rows
        .iter()
        .take(30)
        .enumerate()
        .find_map(|(i, header)| {
            let amount = find(header, &["ghi co", "credit", "so tien", "amount", "phat sinh co"])?;
            let note = find(header, &["noi dung", "dien giai", "description", "remark", "mo ta", "details"])?;
            let date = find(header, &["ngay", "date"]).filter(|d| *d != amount && *d != note);
            (amount != note).then_some((i, amount, note, date))
        })
        .ok_or_else(unreadable)?;
    let mut credits = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(header_at + 1).take(MAX_STATEMENT_ROWS) {
        let cell = |c: usize| row.get(c).map(|s| s.trim()).unwrap_or_default();
        let Some(amount_vnd) = parse_amount(cell(amount)).filter(|a| *a > 0) else { continue };
        credits.push(Credit {
            line_no: i as i64 + 1,
            booked_on: date.map(|d| cell(d).chars().take(40).collect()).unwrap_or_default(),
            amount_vnd,
            note: cell(note).chars().take(500).collect(),
        });
    }
    Ok(credits)
}

#[derive(sqlx::FromRow)]
struct TransferOrder {
    id: i64,
    number: String,
    total_vnd: i64,
    payment_status: String,
}

/// Reads `bytes` (a statement of the member's cooperative), matches each credit to an order and
/// marks the matches paid, all in one transaction; returns the import's id for its page.
#[instrument(skip(db, hub, bytes))]
#[allow(clippy::too_many_arguments)]
pub async fn import_statement(
    db: &Db,
    hub: &Hub,
    member: i64,
    coop: i64,
    filename: &str,
    bytes: &[u8],
    now: i64,
) -> Result<i64, AppError> {
    let credits = parse_statement(filename, bytes)?;
    let mut tx = db.begin_write().await?;
    let orders: Vec<TransferOrder> = sqlx::query_as(
        "SELECT id, number, total_vnd, payment_status FROM orders WHERE cooperative_id = $1 \
         AND payment = 'bank_transfer' AND status <> 'cancelled'",
    )
    .bind(coop)
    .fetch_all(&mut *tx)
    .await?;
    let keyed: Vec<(String, &TransferOrder)> = orders.iter().map(|o| (note_key(&o.number), o)).collect();
    let name: String = filename.chars().filter(|c| !c.is_control()).take(200).collect();
    let import: i64 = sqlx::query_scalar(
        "INSERT INTO statement_imports (cooperative_id, user_id, filename, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(coop)
    .bind(member)
    .bind(name)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let mut told = Told::default();
    let mut paid_now: Vec<i64> = Vec::new();
    for credit in credits {
        let note = note_key(&credit.note);
        // The longest number the note holds (…-1 is inside …-10).
        let named = keyed
            .iter()
            .filter(|(k, _)| note.contains(k.as_str()))
            .max_by_key(|(k, _)| k.len())
            .map(|(_, o)| *o);
        let outcome = match named {
            None => Outcome::UnknownNote,
            Some(o) if o.payment_status != "unpaid" || paid_now.contains(&o.id) => Outcome::AlreadyPaid,
            Some(o) if o.total_vnd != credit.amount_vnd => Outcome::AmountDiffers,
            Some(o) => {
                told = told.and(
                    mark_paid(&mut tx, o.id, credit.amount_vnd, PaidVia::Statement, Some(member), now)
                        .await?,
                );
                paid_now.push(o.id);
                Outcome::Matched
            }
        };
        sqlx::query(
            "INSERT INTO statement_lines (import_id, line_no, booked_on, amount_vnd, note, outcome, order_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(import)
        .bind(credit.line_no)
        .bind(credit.booked_on)
        .bind(credit.amount_vnd)
        .bind(credit.note)
        .bind(outcome.key())
        .bind(named.map(|o| o.id))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    announce(db, hub, told);
    Ok(import)
}

/// Marks an unpaid order paid (inside `tx`) and tells its shopper; nothing when it is not unpaid.
async fn mark_paid(
    tx: &mut WriteTx,
    order_id: i64,
    amount: i64,
    via: PaidVia,
    by: Option<i64>,
    now: i64,
) -> Result<Told, sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE orders SET payment_status = 'paid', paid_vnd = $1, paid_at = $2, paid_via = $3, paid_by = $4, \
         updated_at = $2 WHERE id = $5 AND payment_status = 'unpaid'",
    )
    .bind(amount)
    .bind(now)
    .bind(via.key())
    .bind(by)
    .bind(order_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if changed == 0 || via == PaidVia::Cod {
        return Ok(Told::default());
    }
    let (user, order) = super::tell::order_ref(tx, order_id).await?;
    tell(tx, To::User(user), &Message::PaymentReceived { order, amount_vnd: amount }, now).await
}

/// Cash on delivery is paid when the order is delivered (inside the move's transaction).
pub(super) async fn paid_at_delivery(
    tx: &mut WriteTx,
    order_id: i64,
    actor: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let total: i64 = sqlx::query_scalar("SELECT total_vnd FROM orders WHERE id = $1 AND payment = 'cod'")
        .bind(order_id)
        .fetch_optional(&mut **tx)
        .await?
        .unwrap_or(0);
    if total > 0 {
        let _ = mark_paid(tx, order_id, total, PaidVia::Cod, Some(actor), now).await?;
    }
    Ok(())
}

/// A member records the payment of one of their cooperative's orders by hand (a transfer they
/// saw in their bank, cash handed over): `amount` as received.
#[instrument(skip(db, hub))]
pub async fn record_payment(
    db: &Db,
    hub: &Hub,
    member: i64,
    coop: i64,
    number: &str,
    amount: i64,
    now: i64,
) -> Result<(), AppError> {
    if !(1..=1_000_000_000).contains(&amount) {
        return Err(AppError::Validation(vec![FieldError::new("amount", FieldCode::Invalid)]));
    }
    let mut tx = db.begin_write().await?;
    let found: Option<(i64, String, String)> = sqlx::query_as(
        "SELECT id, payment_status, status FROM orders WHERE number = $1 AND cooperative_id = $2",
    )
    .bind(number)
    .bind(coop)
    .fetch_optional(&mut *tx)
    .await?;
    let (id, payment_status, _) = found.ok_or(AppError::NotFound)?;
    if payment_status != "unpaid" {
        return Err(AppError::Conflict(ConflictCode::PaymentRecorded));
    }
    let told = mark_paid(&mut tx, id, amount, PaidVia::Manual, Some(member), now).await?;
    tx.commit().await?;
    announce(db, hub, told);
    Ok(())
}

/// Marks a paid order refunded (the money went back to the shopper), once it is cancelled.
pub async fn refund(db: &Db, coop: i64, number: &str, now: i64) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM orders WHERE number = $1 AND cooperative_id = $2")
            .bind(number)
            .bind(coop)
            .fetch_optional(&mut *tx)
            .await?;
    found.ok_or(AppError::NotFound)?;
    let changed = sqlx::query(
        "UPDATE orders SET payment_status = 'refunded', updated_at = $1 WHERE number = $2 AND cooperative_id = $3 \
         AND payment_status = 'paid' AND status = 'cancelled'",
    )
    .bind(now)
    .bind(number)
    .bind(coop)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::Conflict(ConflictCode::PaymentRecorded));
    }
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct LineRow {
    line_no: i64,
    booked_on: String,
    amount_vnd: i64,
    note: String,
    outcome: String,
    number: Option<String>,
    total_vnd: Option<i64>,
}

/// The cooperative's payments page: its transfers waiting for money (oldest first, the overdue
/// flagged), an import's result (the one asked for, else the latest), and 30 days of ordered and
/// paid money.
pub async fn payments_page(
    db: &Db,
    coop: i64,
    import: Option<i64>,
    now: i64,
) -> Result<PaymentsPage, AppError> {
    let (name_vi, name_en, days): (String, String, i64) =
        sqlx::query_as("SELECT name_vi, name_en, unpaid_after_days FROM cooperatives WHERE id = $1")
            .bind(coop)
            .fetch_one(&db.pool)
            .await?;
    let unpaid: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT number, ship_name, total_vnd, created_at FROM orders WHERE cooperative_id = $1 \
         AND payment = 'bank_transfer' AND payment_status = 'unpaid' AND status <> 'cancelled' \
         ORDER BY created_at, id LIMIT 200",
    )
    .bind(coop)
    .fetch_all(&db.pool)
    .await?;
    let import_id: Option<i64> = match import {
        Some(id) => {
            sqlx::query_scalar("SELECT id FROM statement_imports WHERE id = $1 AND cooperative_id = $2")
                .bind(id)
                .bind(coop)
                .fetch_optional(&db.pool)
                .await?
        }
        None => {
            sqlx::query_scalar("SELECT MAX(id) FROM statement_imports WHERE cooperative_id = $1")
                .bind(coop)
                .fetch_one(&db.pool)
                .await?
        }
    };
    let import = match import_id {
        Some(id) => {
            let (filename, at): (String, i64) =
                sqlx::query_as("SELECT filename, created_at FROM statement_imports WHERE id = $1")
                    .bind(id)
                    .fetch_one(&db.pool)
                    .await?;
            let lines: Vec<LineRow> = sqlx::query_as(
                "SELECT l.line_no, l.booked_on, l.amount_vnd, l.note, l.outcome, o.number, o.total_vnd \
                 FROM statement_lines l LEFT JOIN orders o ON o.id = l.order_id WHERE l.import_id = $1 \
                 ORDER BY l.line_no",
            )
            .bind(id)
            .fetch_all(&db.pool)
            .await?;
            Some(StatementImport {
                id,
                filename,
                at,
                lines: lines
                    .into_iter()
                    .map(|l| StatementLine {
                        line_no: l.line_no,
                        booked_on: l.booked_on,
                        amount_vnd: l.amount_vnd,
                        note: l.note,
                        outcome: Outcome::from_key(&l.outcome).unwrap_or(Outcome::UnknownNote),
                        order: l.number.zip(l.total_vnd),
                    })
                    .collect(),
            })
        }
        None => None,
    };
    let (ordered, paid): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(total_vnd), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN payment_status = 'paid' THEN paid_vnd ELSE 0 END), 0) AS BIGINT) \
         FROM orders WHERE cooperative_id = $1 AND status <> 'cancelled' AND created_at >= $2",
    )
    .bind(coop)
    .bind(now - 30 * DAY_SECS)
    .fetch_one(&db.pool)
    .await?;
    Ok(PaymentsPage {
        cooperative: Text::new(name_vi, name_en),
        unpaid_after_days: days,
        unpaid: unpaid
            .into_iter()
            .map(|(number, customer, total_vnd, created_at)| UnpaidOrder {
                overdue: created_at < now - days * DAY_SECS,
                number,
                customer,
                total_vnd,
                created_at,
            })
            .collect(),
        import,
        ordered_30d_vnd: ordered,
        paid_30d_vnd: paid,
    })
}

/// Reminds each shopper whose bank transfer is overdue, once per order; returns how many.
pub async fn remind_unpaid(db: &Db, hub: &Hub, now: i64) -> Result<usize, sqlx::Error> {
    let due: Vec<i64> = sqlx::query_scalar(
        "SELECT o.id FROM orders o JOIN cooperatives c ON c.id = o.cooperative_id \
         WHERE o.payment = 'bank_transfer' AND o.payment_status = 'unpaid' AND o.status <> 'cancelled' \
         AND o.reminded_at IS NULL AND o.created_at < $1 - c.unpaid_after_days * $2 ORDER BY o.id LIMIT 500",
    )
    .bind(now)
    .bind(DAY_SECS)
    .fetch_all(&db.pool)
    .await?;
    let mut sent = 0;
    for id in due {
        let mut tx = db.begin_write().await?;
        let claimed = sqlx::query("UPDATE orders SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if claimed == 0 {
            continue;
        }
        let (user, order) = super::tell::order_ref(&mut tx, id).await?;
        let told = tell(&mut tx, To::User(user), &Message::PaymentReminder { order }, now).await?;
        tx.commit().await?;
        announce(db, hub, told);
        sent += 1;
    }
    Ok(sent)
}

/// An order's payment, for its page.
pub async fn payment_state(db: &Db, order_id: i64, now: i64) -> Result<PaymentState, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        payment: String,
        payment_status: String,
        paid_vnd: Option<i64>,
        paid_at: Option<i64>,
        paid_via: Option<String>,
        by: Option<String>,
        created_at: i64,
        status: String,
        days: i64,
    }
    let r: Row = sqlx::query_as(
        "SELECT o.payment, o.payment_status, o.paid_vnd, o.paid_at, o.paid_via, u.display_name AS by, \
         o.created_at, o.status, c.unpaid_after_days AS days FROM orders o \
         JOIN cooperatives c ON c.id = o.cooperative_id LEFT JOIN users u ON u.id = o.paid_by WHERE o.id = $1",
    )
    .bind(order_id)
    .fetch_one(&db.pool)
    .await?;
    let status = PaymentStatus::from_key(&r.payment_status).unwrap_or_default();
    let via = r.paid_via.as_deref().and_then(PaidVia::from_key);
    Ok(PaymentState {
        status,
        amount_vnd: r.paid_vnd,
        at: r.paid_at,
        by: r.by.filter(|_| via != Some(PaidVia::Cod)),
        via,
        overdue: r.payment == "bank_transfer"
            && status == PaymentStatus::Unpaid
            && r.status != "cancelled"
            && r.created_at < now - r.days * DAY_SECS,
    })
}
