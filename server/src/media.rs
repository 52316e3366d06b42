//! Photos over HTTP: the public renditions at `/media/…`, and the upload form's endpoint (a
//! multipart post, outside the 1 MB body limit of everything else).
use app::accounts::auth::Member;
use app::clock::now_unix;
use app::db::Db;
use app::error::{AppError, FieldCode};
use app::media::model::MAX_UPLOAD_BYTES;
use app::media::service::{Upload, add_photo, set_banner, set_logo};
use app::media::store::{MediaStore, PUBLIC_PREFIX};
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use http::{HeaderValue, StatusCode, header};

#[derive(Clone)]
pub struct MediaState {
    pub db: Db,
    pub store: MediaStore,
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
async fn read_upload(mut form: Multipart) -> Result<Upload, FieldCode> {
    while let Ok(Some(mut field)) = form.next_field().await {
        if field.name() != Some("photo") {
            continue;
        }
        let content_type = field.content_type().map(str::to_owned);
        let file_name = field.file_name().map(str::to_owned);
        let mut bytes = Vec::new();
        while let Ok(Some(chunk)) = field.chunk().await {
            if bytes.len() + chunk.len() > MAX_UPLOAD_BYTES {
                return Err(FieldCode::UploadTooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok(Upload { bytes, content_type, file_name });
    }
    Err(FieldCode::UploadEmpty)
}

/// Back to `page` with `{param}=added` or `{param}_error=<code>`, which the page shows in the
/// user's language; other errors answer with their status.
fn back_to(page: &str, param: &str, result: Result<(), AppError>) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("{page}?{param}=added")).into_response(),
        Err(AppError::Validation(errors)) => {
            let code = errors.first().map_or("invalid", |e| e.code.as_str());
            Redirect::to(&format!("{page}?{param}_error={code}")).into_response()
        }
        Err(e) => e.into_response(),
    }
}

fn refused(code: FieldCode) -> AppError {
    AppError::Validation(vec![app::error::FieldError::new("photo", code)])
}

/// `POST /coop/products/{id}/photos`: adds a photo, then goes back to the product's editor.
pub async fn upload(
    State(state): State<MediaState>,
    Member(_, membership): Member,
    Path(product_id): Path<i64>,
    form: Multipart,
) -> Response {
    let coop_id = membership.cooperative_id;
    let result = match read_upload(form).await {
        Ok(upload) => {
            add_photo(&state.db, &state.store, coop_id, product_id, upload, now_unix()).await.map(|_| ())
        }
        Err(code) => Err(refused(code)),
    };
    back_to(&format!("/coop/products/{product_id}"), "photo", result)
}

/// An upload the member's cooperative keeps one of (its logo, its booth banner): checked,
/// stored by `save`, then back to `page` with the outcome under `param`.
async fn cooperative_image<F, Fut>(
    coop_id: i64,
    form: Multipart,
    (page, param): (&str, &str),
    save: F,
) -> Response
where
    F: FnOnce(i64, Upload) -> Fut,
    Fut: std::future::Future<Output = Result<(), AppError>>,
{
    let result = match read_upload(form).await {
        Ok(upload) => save(coop_id, upload).await,
        Err(code) => Err(refused(code)),
    };
    back_to(page, param, result)
}

/// `POST /coop/logo`: sets the member's cooperative's logo, then back to the profile page.
pub async fn upload_logo(
    State(state): State<MediaState>,
    Member(_, membership): Member,
    form: Multipart,
) -> Response {
    let (db, store) = (state.db.clone(), state.store.clone());
    cooperative_image(membership.cooperative_id, form, ("/coop/profile", "logo"), |coop, upload| async move {
        set_logo(&db, &store, coop, upload).await
    })
    .await
}

/// `POST /coop/booth/banner`: sets the member's booth banner, then back to the booth editor.
pub async fn upload_banner(
    State(state): State<MediaState>,
    Member(_, membership): Member,
    form: Multipart,
) -> Response {
    let (db, store) = (state.db.clone(), state.store.clone());
    cooperative_image(
        membership.cooperative_id,
        form,
        ("/coop/booth/edit", "banner"),
        |coop, upload| async move { set_banner(&db, &store, coop, upload, now_unix()).await },
    )
    .await
}

/// Photos, logos and banners: the uploads (with a body limit of their own, `limit` bytes) and the
/// public renditions.
pub fn routes(state: &crate::AppState, limit: usize) -> axum::Router {
    use axum::routing::{get, post};
    let media = MediaState { db: state.db.clone(), store: state.media.clone() };
    let uploads = axum::Router::new()
        .route("/coop/products/{id}/photos", post(upload))
        .route("/coop/logo", post(upload_logo))
        .route("/coop/booth/banner", post(upload_banner))
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(limit));
    axum::Router::new().route("/media/{*key}", get(serve)).merge(uploads).with_state(media)
}
