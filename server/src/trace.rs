//! The public traceability pages and QR codes: a product's record at `/t/{code}` and its code at
//! `/t/{code}/qr.svg`; a booth's printable QR card at `/booths/{slug}/card` and its code at
//! `/booths/{slug}/card.svg`. Plain HTML documents without WASM or script (rendered by
//! `app::trace::documents`), in the language the app's pages would choose.
use app::clock::vietnam_today as today;
use app::error::AppError;
use app::lang::{Lang, preferred_lang};
use app::trace::model::{plausible_code, trace_path};
use app::trace::{documents, qr, service};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};

use crate::AppState;

/// QR images are drawn at this size (CSS pixels); the SVG scales without loss.
const QR_SIZE: u32 = 240;

fn request_lang(headers: &HeaderMap) -> Lang {
    // HTTP/2 may split the cookies over several headers.
    let cookies: Vec<&str> = headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).collect();
    let cookies = cookies.join("; ");
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    preferred_lang(Some(&cookies), accept)
}

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            // The language comes from these two.
            (header::VARY, HeaderValue::from_static("Cookie, Accept-Language")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300")),
            // Their own policy (no script, their stylesheet by hash): no nonce, so a cached copy
            // stays valid.
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(documents::content_security_policy())),
        ],
        body,
    )
        .into_response()
}

fn svg(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml")),
            // The address a code points to never changes for a slug or a trace code.
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400")),
        ],
        body,
    )
        .into_response()
}

fn failed(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "traceability page failed");
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "not found")
        .into_response()
}

/// `GET /t/{code}`: the product's public record, or a page saying the code leads nowhere (404).
pub async fn trace_page(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    let lang = request_lang(&headers);
    match service::record(&state.db, &code, &today()).await {
        Ok(record) => html(StatusCode::OK, documents::trace_page(record, lang, &state.public_url)),
        Err(AppError::NotFound) => {
            let path = if plausible_code(&code) { trace_path(&code) } else { "/".to_owned() };
            html(StatusCode::NOT_FOUND, documents::trace_not_found(lang, &path))
        }
        Err(e) => failed(e),
    }
}

/// `GET /t/{code}/qr.svg`: the product's QR code, pointing at its traceability page.
pub async fn trace_qr(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    match service::code_is_public(&state.db, &code).await {
        Ok(true) => {}
        Ok(false) => return not_found(),
        Err(e) => return failed(e),
    }
    let url = format!("{}{}", state.public_url, trace_path(&code));
    match qr::qr_svg(&url, QR_SIZE, &url) {
        Ok(code) => svg(code),
        Err(e) => failed(e),
    }
}

/// What a failed card or code request gets: 404 for an unknown booth, else 500.
fn refused(e: AppError) -> Response {
    match e {
        AppError::NotFound => not_found(),
        e => failed(e),
    }
}

/// The booth's card data, its address and its QR code.
async fn booth_code(
    state: &AppState,
    slug: &str,
) -> Result<(app::trace::model::BoothCard, String, String), AppError> {
    let card = service::booth_card(&state.db, slug).await?;
    let url = format!("{}/booths/{}", state.public_url, card.slug);
    let code = qr::qr_svg(&url, QR_SIZE, &url).map_err(|e| {
        tracing::error!(error = %e, "booth QR code");
        AppError::Internal
    })?;
    Ok((card, url, code))
}

/// `GET /booths/{slug}/card`: the printable QR card of an approved cooperative's booth.
pub async fn booth_card(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Response {
    let lang = request_lang(&headers);
    match booth_code(&state, &slug).await {
        Ok((card, url, code)) => {
            html(StatusCode::OK, documents::booth_card_page(card, lang, &state.public_url, &url, code))
        }
        Err(e) => refused(e),
    }
}

/// `GET /booths/{slug}/card.svg`: the booth's QR code alone, for print shops and posters.
pub async fn booth_card_svg(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    match booth_code(&state, &slug).await {
        Ok((_, _, code)) => svg(code),
        Err(e) => refused(e),
    }
}

/// The traceability pages and QR codes, and the booths' printable cards.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/t/{code}", get(trace_page))
        .route("/t/{code}/qr.svg", get(trace_qr))
        .route("/booths/{slug}/card", get(booth_card))
        .route("/booths/{slug}/card.svg", get(booth_card_svg))
}
