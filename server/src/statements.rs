//! A cooperative's bank statement, uploaded from its payments page (a multipart form, so it
//! works without JavaScript): matched to its orders, then back to the page with the result.
use app::accounts::auth::Member;
use app::clock::now_unix;
use app::error::{AppError, FieldCode};
use app::orders::payments::MAX_STATEMENT_BYTES;
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};

use crate::AppState;

/// Reads the `statement` field, stopping past the size limit instead of buffering all of it.
async fn read_file(mut form: Multipart) -> Result<(String, Vec<u8>), FieldCode> {
    while let Ok(Some(mut field)) = form.next_field().await {
        if field.name() != Some("statement") {
            continue;
        }
        let name = field.file_name().unwrap_or("statement").to_owned();
        let mut bytes = Vec::new();
        while let Ok(Some(chunk)) = field.chunk().await {
            if bytes.len() + chunk.len() > MAX_STATEMENT_BYTES {
                return Err(FieldCode::UploadTooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        return if bytes.is_empty() { Err(FieldCode::UploadEmpty) } else { Ok((name, bytes)) };
    }
    Err(FieldCode::UploadEmpty)
}

/// `POST /coop/payments/statement`: imports the member's cooperative's statement.
async fn upload(
    State(state): State<AppState>,
    Member(viewer, membership): Member,
    form: Multipart,
) -> Response {
    let result = match read_file(form).await {
        Ok((name, bytes)) => {
            app::orders::service::payments::import_statement(
                &state.db,
                &state.hub,
                viewer.id,
                membership.cooperative_id,
                &name,
                &bytes,
                now_unix(),
            )
            .await
        }
        Err(code) => Err(AppError::Validation(vec![app::error::FieldError::new("statement", code)])),
    };
    match result {
        Ok(import) => Redirect::to(&format!("/coop/payments?import={import}")).into_response(),
        Err(AppError::Validation(errors)) => {
            let code = errors.first().map_or("invalid", |e| e.code.as_str());
            Redirect::to(&format!("/coop/payments?statement_error={code}")).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// The statement upload, with a body limit of its own (outside the 1 MB of everything else).
pub fn routes(state: &AppState) -> axum::Router {
    let limit = MAX_STATEMENT_BYTES + 64 * 1024;
    axum::Router::new()
        .route("/coop/payments/statement", axum::routing::post(upload))
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(limit))
        .with_state(state.clone())
}
