//! Product photos: add (checked and re-encoded on the blocking pool), list, reorder, delete.
//! The cooperative's ownership of the product is checked first, every time.
use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tracing::instrument;

use super::image::{UploadError, process};
use super::model::{MAX_PHOTOS, Photo, PhotoMove, media_url};
use super::store::{MediaStore, PUBLIC_PREFIX};
use crate::db::Db;
use crate::error::{AppError, FieldError};

/// Succeeds when the product exists, is not deleted, and belongs to the cooperative: `NotFound`
/// for an unknown or deleted product, `Forbidden` for another cooperative's.
pub async fn check_owned(db: &Db, coop_id: i64, product_id: i64) -> Result<(), AppError> {
    let owner: Option<i64> =
        sqlx::query_scalar("SELECT cooperative_id FROM products WHERE status <> 'deleted' AND id = $1")
            .bind(product_id)
            .fetch_optional(&db.pool)
            .await?;
    match owner {
        None => Err(AppError::NotFound),
        Some(owner) if owner == coop_id => Ok(()),
        Some(_) => Err(AppError::Forbidden),
    }
}

/// What the browser sent.
pub struct Upload {
    pub bytes: Vec<u8>,
    pub content_type: Option<String>,
    pub file_name: Option<String>,
}

fn upload_error(e: UploadError) -> AppError {
    AppError::Validation(vec![FieldError::new("photo", e.code())])
}

fn store_error(e: super::store::StoreError) -> AppError {
    tracing::error!(error = %e, "media store");
    AppError::Internal
}

fn random_name() -> String {
    let mut bytes = [0u8; 12];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Adds a photo at the end of the product's photos; returns its id.
#[instrument(skip(db, store, upload), fields(bytes = upload.bytes.len()))]
pub async fn add_photo(
    db: &Db,
    store: &MediaStore,
    coop_id: i64,
    product_id: i64,
    upload: Upload,
    now: i64,
) -> Result<i64, AppError> {
    check_owned(db, coop_id, product_id).await?;
    // Counted here to spare the decoding when the product is full, and again below where it
    // counts: under the product's lock, as the photo is added.
    if photo_count(db.pool.acquire().await?.as_mut(), product_id).await? >= MAX_PHOTOS {
        return Err(too_many_photos());
    }
    let Upload { bytes, content_type, file_name } = upload;
    let (bytes, processed) = tokio::task::spawn_blocking(move || {
        let processed = process(&bytes, content_type.as_deref(), file_name.as_deref());
        (bytes, processed)
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "image task");
        AppError::Internal
    })?;
    let processed = processed.map_err(upload_error)?;

    let name = random_name();
    let extension = processed.format.extensions_str().first().copied().unwrap_or("img");
    let original_key = format!("originals/products/{product_id}/{name}.{extension}");
    let small_key = format!("{PUBLIC_PREFIX}products/{product_id}/{name}-400.webp");
    let large_key = format!("{PUBLIC_PREFIX}products/{product_id}/{name}-1200.webp");
    store.put(&original_key, bytes).await.map_err(store_error)?;
    store.put(&small_key, processed.small).await.map_err(store_error)?;
    store.put(&large_key, processed.large).await.map_err(store_error)?;

    let mut tx = db.begin_write().await?;
    tx.lock_row("SELECT id FROM products WHERE id = ", product_id).await?;
    if photo_count(&mut tx, product_id).await? >= MAX_PHOTOS {
        drop(tx);
        for key in [&original_key, &small_key, &large_key] {
            store.delete(key).await.map_err(store_error)?;
        }
        return Err(too_many_photos());
    }
    let id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO product_photos (product_id, position, small_key, large_key, original_key, width, height, \
         created_at) \
         VALUES ($1, (SELECT COALESCE(MAX(position), -1) + 1 FROM product_photos WHERE product_id = $2), \
         $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(product_id)
    .bind(product_id)
    .bind(small_key)
    .bind(large_key)
    .bind(original_key)
    .bind(i64::from(processed.width))
    .bind(i64::from(processed.height))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    crate::changes::catalogue_changed(db);
    Ok(id)
}

async fn photo_count(conn: &mut sqlx::AnyConnection, product_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM product_photos WHERE product_id = $1")
        .bind(product_id)
        .fetch_one(conn)
        .await
}

fn too_many_photos() -> AppError {
    AppError::Validation(vec![FieldError::new("photo", crate::error::FieldCode::TooMany)])
}

#[derive(sqlx::FromRow)]
struct PhotoRow {
    id: i64,
    small_key: String,
    large_key: String,
    width: i64,
    height: i64,
}

/// The product's photos, cover first.
pub async fn photos(db: &Db, product_id: i64) -> Result<Vec<Photo>, sqlx::Error> {
    let rows: Vec<PhotoRow> = sqlx::query_as(
        "SELECT id, small_key, large_key, width, height FROM product_photos WHERE product_id = $1 \
         ORDER BY position, id",
    )
    .bind(product_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Photo {
            id: r.id,
            small_url: media_url(&r.small_key),
            large_url: media_url(&r.large_key),
            width: r.width,
            height: r.height,
        })
        .collect())
}

/// The product a photo belongs to, checked against the cooperative.
async fn owned_photo(db: &Db, coop_id: i64, photo_id: i64) -> Result<i64, AppError> {
    let product_id: i64 = sqlx::query_scalar("SELECT product_id FROM product_photos WHERE id = $1")
        .bind(photo_id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    check_owned(db, coop_id, product_id).await?;
    Ok(product_id)
}

/// The order after moving `id` (ids in their current order).
pub fn reorder(mut ids: Vec<i64>, id: i64, to: PhotoMove) -> Vec<i64> {
    let Some(at) = ids.iter().position(|&x| x == id) else { return ids };
    match to {
        PhotoMove::Cover => {
            let moved = ids.remove(at);
            ids.insert(0, moved);
        }
        PhotoMove::Earlier if at > 0 => ids.swap(at, at - 1),
        PhotoMove::Later if at + 1 < ids.len() => ids.swap(at, at + 1),
        _ => {}
    }
    ids
}

#[instrument(skip(db))]
pub async fn move_photo(db: &Db, coop_id: i64, photo_id: i64, to: PhotoMove) -> Result<(), AppError> {
    let product_id = owned_photo(db, coop_id, photo_id).await?;
    let mut tx = db.begin_write().await?;
    // Two moves at once would each write the order they read.
    tx.lock_row("SELECT id FROM products WHERE id = ", product_id).await?;
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM product_photos WHERE product_id = $1 ORDER BY position, id")
            .bind(product_id)
            .fetch_all(&mut *tx)
            .await?;
    for (position, id) in reorder(ids, photo_id, to).into_iter().enumerate() {
        sqlx::query("UPDATE product_photos SET position = $1 WHERE id = $2")
            .bind(position as i64)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    crate::changes::catalogue_changed(db);
    Ok(())
}

#[instrument(skip(db, store))]
pub async fn delete_photo(db: &Db, store: &MediaStore, coop_id: i64, photo_id: i64) -> Result<(), AppError> {
    owned_photo(db, coop_id, photo_id).await?;
    #[derive(sqlx::FromRow)]
    struct Keys {
        small_key: String,
        large_key: String,
        original_key: String,
    }
    let keys: Keys =
        sqlx::query_as("SELECT small_key, large_key, original_key FROM product_photos WHERE id = $1")
            .bind(photo_id)
            .fetch_one(&db.pool)
            .await?;
    sqlx::query("DELETE FROM product_photos WHERE id = $1").bind(photo_id).execute(&db.pool).await?;
    for key in [keys.small_key, keys.large_key, keys.original_key] {
        store.delete(&key).await.map_err(store_error)?;
    }
    crate::changes::catalogue_changed(db);
    Ok(())
}

/// Checks and re-encodes an upload like a photo and stores one rendition of it (the 400 px one,
/// or the 1200 px one when `large`) under `key`.
async fn store_rendition(store: &MediaStore, upload: Upload, key: &str, large: bool) -> Result<(), AppError> {
    let Upload { bytes, content_type, file_name } = upload;
    let processed =
        tokio::task::spawn_blocking(move || process(&bytes, content_type.as_deref(), file_name.as_deref()))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "image task");
                AppError::Internal
            })?
            .map_err(upload_error)?;
    let rendition = if large { processed.large } else { processed.small };
    store.put(key, rendition).await.map_err(store_error)
}

/// Sets the cooperative's logo: checked and re-encoded like a photo, its 400 px rendition used.
/// The previous logo's files are removed.
#[instrument(skip(db, store, upload), fields(bytes = upload.bytes.len()))]
pub async fn set_logo(db: &Db, store: &MediaStore, coop_id: i64, upload: Upload) -> Result<(), AppError> {
    let key = format!("{PUBLIC_PREFIX}cooperatives/{coop_id}/{}-logo.webp", random_name());
    store_rendition(store, upload, &key, false).await?;
    let previous: Option<String> =
        sqlx::query_scalar::<_, Option<String>>("SELECT logo_key FROM cooperatives WHERE id = $1")
            .bind(coop_id)
            .fetch_optional(&db.pool)
            .await?
            .flatten();
    sqlx::query("UPDATE cooperatives SET logo_key = $1 WHERE id = $2")
        .bind(key)
        .bind(coop_id)
        .execute(&db.pool)
        .await?;
    if let Some(previous) = previous {
        store.delete(&previous).await.map_err(store_error)?;
    }
    crate::changes::catalogue_changed(db);
    Ok(())
}

/// The cooperative's booth banner (its key), if it has one.
async fn banner_key(db: &Db, coop_id: i64) -> Result<Option<String>, sqlx::Error> {
    Ok(sqlx::query_scalar::<_, Option<String>>("SELECT banner_key FROM booths WHERE cooperative_id = $1")
        .bind(coop_id)
        .fetch_optional(&db.pool)
        .await?
        .flatten())
}

/// Sets (`Some`) or removes the booth's banner key, creating the booth's row if needed.
async fn write_banner_key(db: &Db, coop_id: i64, key: Option<String>, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO booths (cooperative_id, banner_key, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (cooperative_id) DO UPDATE SET banner_key = excluded.banner_key, \
         updated_at = excluded.updated_at",
    )
    .bind(coop_id)
    .bind(key)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Sets the booth's banner: checked and re-encoded like a photo, its 1200 px rendition used.
/// The previous banner is removed.
#[instrument(skip(db, store, upload), fields(bytes = upload.bytes.len()))]
pub async fn set_banner(
    db: &Db,
    store: &MediaStore,
    coop_id: i64,
    upload: Upload,
    now: i64,
) -> Result<(), AppError> {
    let key = format!("{PUBLIC_PREFIX}cooperatives/{coop_id}/{}-banner.webp", random_name());
    store_rendition(store, upload, &key, true).await?;
    let previous = banner_key(db, coop_id).await?;
    write_banner_key(db, coop_id, Some(key), now).await?;
    if let Some(previous) = previous {
        store.delete(&previous).await.map_err(store_error)?;
    }
    Ok(())
}

/// Removes the booth's banner (the booth shows its plain colour band again).
#[instrument(skip(db, store))]
pub async fn remove_banner(db: &Db, store: &MediaStore, coop_id: i64, now: i64) -> Result<(), AppError> {
    let Some(previous) = banner_key(db, coop_id).await? else { return Ok(()) };
    write_banner_key(db, coop_id, None, now).await?;
    store.delete(&previous).await.map_err(store_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_move_to_the_cover_and_one_step_either_way() {
        assert_eq!(reorder(vec![1, 2, 3], 3, PhotoMove::Cover), vec![3, 1, 2]);
        assert_eq!(reorder(vec![1, 2, 3], 2, PhotoMove::Earlier), vec![2, 1, 3]);
        assert_eq!(reorder(vec![1, 2, 3], 2, PhotoMove::Later), vec![1, 3, 2]);
        assert_eq!(reorder(vec![1, 2, 3], 1, PhotoMove::Earlier), vec![1, 2, 3]);
        assert_eq!(reorder(vec![1, 2, 3], 3, PhotoMove::Later), vec![1, 2, 3]);
        assert_eq!(reorder(vec![1, 2, 3], 9, PhotoMove::Cover), vec![1, 2, 3]);
    }
}
