//! The one-click unsubscribe address of an email (RFC 8058): a mail program POSTs
//! `List-Unsubscribe=One-Click` to it, and the unsubscribe page's button posts to it too. The
//! link is signed (`app::messages::service::check_unsubscribe`), so it needs no session; a GET
//! (someone opening the address) shows the page, which asks before doing anything.
use app::clock::now_unix;
use app::error::AppError;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use http::StatusCode;
use serde::Deserialize;

use crate::AppState;

#[derive(Debug, Deserialize)]
struct Link {
    #[serde(default)]
    u: i64,
    #[serde(default)]
    k: String,
    #[serde(default)]
    s: String,
}

impl Link {
    fn query(&self) -> String {
        let enc = |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
        format!("u={}&k={}&s={}", self.u, enc(&self.k), enc(&self.s))
    }
}

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/mail/unsubscribe/one-click", get(show).post(unsubscribe))
}

async fn show(Query(link): Query<Link>) -> Redirect {
    Redirect::to(&format!("/mail/unsubscribe?{}", link.query()))
}

/// Turns the link's kind of email off. From the page (its form says `from=page`) the browser goes
/// back to the page, which says it is done; a mail program gets a plain 200.
async fn unsubscribe(State(state): State<AppState>, Query(link): Query<Link>, body: String) -> Response {
    let outcome = async {
        let kind = app::messages::service::check_unsubscribe(&state.db, link.u, &link.k, &link.s)
            .await?
            .ok_or(AppError::NotFound)?;
        app::messages::service::unsubscribe(&state.db, link.u, kind, now_unix()).await
    }
    .await;
    match outcome {
        Ok(()) if body.contains("from=page") => {
            Redirect::to(&format!("/mail/unsubscribe?{}&done=1", link.query())).into_response()
        }
        Ok(()) => (StatusCode::OK, "unsubscribed").into_response(),
        Err(e) => e.into_response(),
    }
}
