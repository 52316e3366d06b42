//! `/lang/{code}?next=…`: the language switch for browsers without JavaScript. It stores the
//! choice in the same cookie the i18n library reads, then sends the visitor back.
use app::ui::next::safe_next;
use axum::extract::{Path, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The cookie leptos_i18n reads and writes.
pub const LANG_COOKIE: &str = "i18n_pref_locale";

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

pub async fn switch_language(Path(code): Path<String>, Query(q): Query<Next>) -> Response {
    if app::lang::Lang::from_code(&code).is_none() {
        return (StatusCode::NOT_FOUND, "unknown language").into_response();
    }
    // The one redirect rule (same-site paths only), shared with the login and the forms.
    let location = safe_next(q.next.as_deref().unwrap_or("/")).to_owned();
    let cookie = format!("{LANG_COOKIE}={code}; Path=/; Max-Age=31536000; SameSite=Lax");
    match (HeaderValue::from_str(&location), HeaderValue::from_str(&cookie)) {
        (Ok(location), Ok(cookie)) => {
            (StatusCode::SEE_OTHER, [(header::LOCATION, location), (header::SET_COOKIE, cookie)])
                .into_response()
        }
        _ => (StatusCode::BAD_REQUEST, "bad redirect target").into_response(),
    }
}

/// `/lang/{code}`: the language switch.
pub fn routes() -> axum::Router<crate::AppState> {
    axum::Router::new().route("/lang/{code}", axum::routing::get(switch_language))
}
