//! The cooperative's booth editor: its welcome line, its featured products (picked from its own,
//! in its order), its schedule and its team. Every function takes the member's cooperative and
//! touches only its rows. The banner goes through the media upload path
//! (`crate::media::service::set_banner`).
use tracing::instrument;

use super::model::*;
use super::service::{schedule, team};
use crate::db::{Db, WriteTx};
use crate::error::{AppError, FieldError};
use crate::lang::Text;
use crate::media::model::PhotoMove;

fn invalid(errors: Vec<FieldError>) -> AppError {
    AppError::Validation(errors)
}

#[derive(sqlx::FromRow)]
struct PickRow {
    id: i64,
    name_vi: String,
    name_en: String,
    status: String,
    stock: i64,
    position: Option<i64>,
}

/// Everything the booth editor shows.
pub async fn settings(db: &Db, coop: i64) -> Result<BoothSettings, AppError> {
    let (slug, banner_key, welcome_vi, welcome_en): (String, Option<String>, Option<String>, Option<String>) =
        sqlx::query_as(
            "SELECT c.slug, b.banner_key, b.welcome_vi, b.welcome_en FROM cooperatives c \
             LEFT JOIN booths b ON b.cooperative_id = c.id WHERE c.id = $1",
        )
        .bind(coop)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows: Vec<PickRow> = sqlx::query_as(
        "SELECT p.id, p.name_vi, p.name_en, p.status, p.stock, bp.position FROM products p \
         LEFT JOIN booth_products bp ON bp.product_id = p.id AND bp.cooperative_id = p.cooperative_id \
         WHERE p.status <> 'deleted' AND p.cooperative_id = $1 ORDER BY bp.position, p.name_vi, p.id",
    )
    .bind(coop)
    .fetch_all(&db.pool)
    .await?;
    let (mut picks, mut others) = (Vec::new(), Vec::new());
    for r in rows {
        let option = PickOption {
            id: r.id,
            name: Text::new(r.name_vi, r.name_en),
            published: r.status == "published",
            stock: r.stock,
        };
        match r.position {
            Some(position) => picks.push((position, option)),
            None => others.push(option),
        }
    }
    picks.sort_by_key(|(position, o)| (*position, o.id));
    Ok(BoothSettings {
        slug,
        banner_url: banner_key.as_deref().map(crate::media::model::media_url),
        welcome: Text::new(welcome_vi.unwrap_or_default(), welcome_en.unwrap_or_default()),
        picks: picks.into_iter().map(|(_, o)| o).collect(),
        others,
        slots: schedule(db, coop, 0, true).await?,
        team: team(db, coop).await?,
    })
}

#[instrument(skip(db, form))]
pub async fn save_welcome(db: &Db, coop: i64, form: &WelcomeForm, now: i64) -> Result<(), AppError> {
    let welcome = form.check().map_err(invalid)?;
    sqlx::query(
        "INSERT INTO booths (cooperative_id, welcome_vi, welcome_en, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (cooperative_id) DO UPDATE SET welcome_vi = excluded.welcome_vi, \
         welcome_en = excluded.welcome_en, updated_at = excluded.updated_at",
    )
    .bind(coop)
    .bind(welcome.vi)
    .bind(welcome.en)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// The booth's picks in order.
async fn picked(conn: &mut sqlx::AnyConnection, coop: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT product_id FROM booth_products WHERE cooperative_id = $1 ORDER BY position, product_id",
    )
    .bind(coop)
    .fetch_all(conn)
    .await
}

/// The cooperative's row locked for a change of its booth's lists: such changes read the list
/// first (to count it or reorder it), so they run one after the other (`WriteTx::lock_row`).
async fn lock_booth(db: &Db, coop: i64) -> Result<WriteTx, AppError> {
    let mut tx = db.begin_write().await?;
    if !tx.lock_row("SELECT id FROM cooperatives WHERE id = ", coop).await? {
        return Err(AppError::NotFound);
    }
    Ok(tx)
}

/// Writes the booth's picks in the order given (replacing what was there).
async fn write_picks(tx: &mut WriteTx, coop: i64, ids: &[i64]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM booth_products WHERE cooperative_id = $1").bind(coop).execute(&mut **tx).await?;
    for (position, id) in ids.iter().enumerate() {
        sqlx::query("INSERT INTO booth_products (cooperative_id, product_id, position) VALUES ($1, $2, $3)")
            .bind(coop)
            .bind(*id)
            .bind(position as i64)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Adds one of the cooperative's own products at the end of its booth's picks (at most
/// `MAX_FEATURED`, however many arrive at once).
#[instrument(skip(db))]
pub async fn pick(db: &Db, coop: i64, product: i64) -> Result<(), AppError> {
    crate::coops::service::check_owned(db, coop, product).await?;
    let mut tx = lock_booth(db, coop).await?;
    let mut ids = picked(&mut tx, coop).await?;
    if ids.contains(&product) {
        return Ok(());
    }
    if ids.len() >= MAX_FEATURED {
        return Err(invalid(vec![FieldError::new("product", crate::error::FieldCode::TooMany)]));
    }
    ids.push(product);
    write_picks(&mut tx, coop, &ids).await?;
    tx.commit().await?;
    Ok(())
}

/// Takes a product off the booth's picks (it stays in the catalogue).
#[instrument(skip(db))]
pub async fn unpick(db: &Db, coop: i64, product: i64) -> Result<(), AppError> {
    sqlx::query("DELETE FROM booth_products WHERE cooperative_id = $1 AND product_id = $2")
        .bind(coop)
        .bind(product)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Moves a pick to the front, or one place earlier or later.
#[instrument(skip(db))]
pub async fn move_pick(db: &Db, coop: i64, product: i64, to: PhotoMove) -> Result<(), AppError> {
    let mut tx = lock_booth(db, coop).await?;
    let ids = picked(&mut tx, coop).await?;
    if !ids.contains(&product) {
        return Err(AppError::NotFound);
    }
    write_picks(&mut tx, coop, &crate::media::service::reorder(ids, product, to)).await?;
    tx.commit().await?;
    Ok(())
}

/// The booth's lists whose rows the cooperative adds and deletes one by one.
#[derive(Clone, Copy)]
enum List {
    Slots,
    Team,
}

impl List {
    async fn count(self, conn: &mut sqlx::AnyConnection, coop: i64) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(match self {
            List::Slots => "SELECT COUNT(*) FROM booth_slots WHERE cooperative_id = $1",
            List::Team => "SELECT COUNT(*) FROM booth_team WHERE cooperative_id = $1",
        })
        .bind(coop)
        .fetch_one(conn)
        .await
    }

    /// Deletes a row of the cooperative's own (someone else's is not found).
    async fn delete(self, db: &Db, coop: i64, id: i64) -> Result<(), AppError> {
        let done = sqlx::query(match self {
            List::Slots => "DELETE FROM booth_slots WHERE id = $1 AND cooperative_id = $2",
            List::Team => "DELETE FROM booth_team WHERE id = $1 AND cooperative_id = $2",
        })
        .bind(id)
        .bind(coop)
        .execute(&db.pool)
        .await?;
        if done.rows_affected() == 0 { Err(AppError::NotFound) } else { Ok(()) }
    }
}

/// Adds a slot to the booth's schedule; returns its id.
#[instrument(skip(db, form))]
pub async fn add_slot(db: &Db, coop: i64, form: &SlotForm) -> Result<i64, AppError> {
    let slot = form.check().map_err(invalid)?;
    let mut tx = lock_booth(db, coop).await?;
    if List::Slots.count(&mut tx, coop).await? >= MAX_SLOTS {
        return Err(invalid(vec![FieldError::new("starts_at", crate::error::FieldCode::TooMany)]));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO booth_slots (cooperative_id, starts_at, title_vi, title_en, link) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(coop)
    .bind(slot.starts_at)
    .bind(slot.title.vi)
    .bind(slot.title.en)
    .bind(slot.link)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[instrument(skip(db))]
pub async fn delete_slot(db: &Db, coop: i64, id: i64) -> Result<(), AppError> {
    List::Slots.delete(db, coop, id).await
}

/// Adds a member at the end of the booth's team; returns their id.
#[instrument(skip(db, form))]
pub async fn add_member(db: &Db, coop: i64, form: &TeamForm) -> Result<i64, AppError> {
    let member = form.check().map_err(invalid)?;
    let mut tx = lock_booth(db, coop).await?;
    if List::Team.count(&mut tx, coop).await? >= MAX_TEAM {
        return Err(invalid(vec![FieldError::new("name", crate::error::FieldCode::TooMany)]));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO booth_team (cooperative_id, name, role_vi, role_en, on_duty, position) \
         VALUES ($1, $2, $3, $4, $5, \
         (SELECT COALESCE(MAX(position), -1) + 1 FROM booth_team WHERE cooperative_id = $6)) RETURNING id",
    )
    .bind(coop)
    .bind(member.name)
    .bind(member.role.vi)
    .bind(member.role.en)
    .bind(member.on_duty)
    .bind(coop)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[instrument(skip(db))]
pub async fn delete_member(db: &Db, coop: i64, id: i64) -> Result<(), AppError> {
    List::Team.delete(db, coop, id).await
}
