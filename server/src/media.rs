//! Photos over HTTP: the public renditions at `/media/…`, and the upload form's endpoint (a
//! multipart post, outside the 1 MB body limit of everything else).
use app::accounts::auth::RequestSession;
use app::clock::now_unix;
use app::db::Db;
use app::error::AppError;
use app::media::model::MAX_UPLOAD_BYTES;
use app::media::service::{Upload, add_photo, set_banner, set_logo};
use app::media::store::{MediaStore, PUBLIC_PREFIX};
use axum::Extension;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::{HeaderValue, StatusCode, header};

#[derive(Clone)]
pub struct MediaState {
    pub db: Db,
    pub store: MediaStore,
    pub page_cache: app::catalog::cache::PageCache,
}

/// `GET /media/{*key}`: a public rendition. Keys are random and never reused, so browsers may
/// keep them for a year.
pub async fn serve(State(state): State<MediaState>, Path(key): Path<String>) -> Response {
    if !key.starts_with(PUBLIC_PREFIX) || key.contains("..") {
        return StatusCode::NOT_FOUND.into_response();
    }
    match state.store.get(&key).await {
        Ok(Some(bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("image/webp")),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "media store read");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// Reads the `photo` field, stopping past the size limit instead of buffering all of it.
async fn read_upload(mut form: Multipart) -> Result<Upload, &'static str> {
    while let Ok(Some(mut field)) = form.next_field().await {
        if field.name() != Some("photo") {
            continue;
        }
        let content_type = field.content_type().map(str::to_owned);
        let file_name = field.file_name().map(str::to_owned);
        let mut bytes = Vec::new();
        while let Ok(Some(chunk)) = field.chunk().await {
            if bytes.len() + chunk.len() > MAX_UPLOAD_BYTES {
                return Err("upload_too_large");
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok(Upload { bytes, content_type, file_name });
    }
    Err("upload_empty")
}

/// The uploader's cooperative: a member of an approved one, or 401/403.
fn uploader(session: RequestSession) -> Result<i64, AppError> {
    let viewer = session.viewer.ok_or(AppError::Unauthorized)?;
    viewer.dashboard_cooperative().map(|m| m.cooperative_id).ok_or(AppError::Forbidden)
}

/// Back to `page` with `{param}=added` or `{param}_error=<code>`, which the page shows in the
/// user's language; other errors answer with their status.
fn back_to(
    page: &str,
    param: &str,
    result: Result<(), AppError>,
    cache: &app::catalog::cache::PageCache,
) -> Response {
    match result {
        Ok(()) => {
            cache.invalidate();
            Redirect::to(&format!("{page}?{param}=added")).into_response()
        }
        Err(AppError::Validation(errors)) => {
            let code = errors.first().map_or("invalid", |e| e.code.as_str());
            Redirect::to(&format!("{page}?{param}_error={code}")).into_response()
        }
        Err(e) => (e.status(), e.to_string()).into_response(),
    }
}

fn refused(code: &'static str) -> AppError {
    AppError::Validation(vec![app::error::FieldError::new("photo", code)])
}

/// `POST /coop/products/{id}/photos`: adds a photo, then goes back to the product's editor.
pub async fn upload(
    State(state): State<MediaState>,
    Extension(session): Extension<RequestSession>,
    Path(product_id): Path<i64>,
    form: Multipart,
) -> Response {
    let coop_id = match uploader(session) {
        Ok(id) => id,
        Err(e) => return (e.status(), e.to_string()).into_response(),
    };
    let result = match read_upload(form).await {
        Ok(upload) => {
            add_photo(&state.db, &state.store, coop_id, product_id, upload, now_unix()).await.map(|_| ())
        }
        Err(code) => Err(refused(code)),
    };
    back_to(&format!("/coop/products/{product_id}"), "photo", result, &state.page_cache)
}

/// An upload the member's cooperative keeps one of (its logo, its booth banner): checked,
/// stored by `save`, then back to `page` with the outcome under `param`.
async fn cooperative_image<F, Fut>(
    state: &MediaState,
    session: RequestSession,
    form: Multipart,
    (page, param): (&str, &str),
    save: F,
) -> Response
where
    F: FnOnce(i64, Upload) -> Fut,
    Fut: std::future::Future<Output = Result<(), AppError>>,
{
    let coop_id = match uploader(session) {
        Ok(id) => id,
        Err(e) => return (e.status(), e.to_string()).into_response(),
    };
    let result = match read_upload(form).await {
        Ok(upload) => save(coop_id, upload).await,
        Err(code) => Err(refused(code)),
    };
    back_to(page, param, result, &state.page_cache)
}

/// `POST /coop/logo`: sets the member's cooperative's logo, then back to the profile page.
pub async fn upload_logo(
    State(state): State<MediaState>,
    Extension(session): Extension<RequestSession>,
    form: Multipart,
) -> Response {
    let (db, store) = (state.db.clone(), state.store.clone());
    cooperative_image(&state, session, form, ("/coop/profile", "logo"), |coop, upload| async move {
        set_logo(&db, &store, coop, upload).await
    })
    .await
}

/// `POST /coop/booth/banner`: sets the member's booth banner, then back to the booth editor.
pub async fn upload_banner(
    State(state): State<MediaState>,
    Extension(session): Extension<RequestSession>,
    form: Multipart,
) -> Response {
    let (db, store) = (state.db.clone(), state.store.clone());
    cooperative_image(&state, session, form, ("/coop/booth/edit", "banner"), |coop, upload| async move {
        set_banner(&db, &store, coop, upload, now_unix()).await
    })
    .await
}
