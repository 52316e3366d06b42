//! Resolves the session cookie once per request and leaves the result in the request's
//! extensions, where pages and server functions (through `app::accounts::auth`) read it.
use std::net::SocketAddr;

use app::accounts::auth::RequestSession;
use app::accounts::session;
use app::clock::now_unix;
use app::db::Db;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::StatusCode;

use crate::proxy::TrustedProxies;

#[derive(Clone)]
pub struct SessionState {
    pub db: Db,
    /// The reverse proxies whose `X-Forwarded-For` entries are believed.
    pub trusted_proxies: TrustedProxies,
    /// Counts the site's active visitors for the admin dashboard.
    pub hub: app::live::hub::Hub,
}

/// A page view (not a static file, a server function or the live socket), by whom: the
/// session, else the visitor cookie, else the address and browser.
fn page_visitor(req: &Request, found: &RequestSession) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let path = req.uri().path();
    let page = req.method() == http::Method::GET
        && !["/pkg/", "/media/", "/api/", "/live"].iter().any(|p| path.starts_with(p))
        && req
            .headers()
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    if !page {
        return None;
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    if let Some(token) = &found.token {
        ("session", token).hash(&mut h);
    } else if let Some(v) = session::cookie_from_headers(req.headers(), app::live::VISITOR_COOKIE) {
        ("visitor", v).hash(&mut h);
    } else {
        let agent = req.headers().get(http::header::USER_AGENT).map(|v| v.as_bytes().to_vec());
        ("address", &found.ip, agent).hash(&mut h);
    }
    Some(h.finish())
}

/// The client's address (see `proxy`): the socket peer, or behind a trusted proxy the
/// rightmost forwarded address that is not one of ours.
fn client_ip(req: &Request, trusted: &TrustedProxies) -> String {
    let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>() else {
        return "unknown".to_owned();
    };
    // A value that is not text counts as an entry that is no address: the walk stops there.
    let forwarded = req.headers().get_all("x-forwarded-for").iter().map(|v| v.to_str().unwrap_or(""));
    trusted.client_ip(peer.ip(), forwarded).to_string()
}

pub async fn resolve_session(State(state): State<SessionState>, mut req: Request, next: Next) -> Response {
    let mut found = RequestSession { ip: client_ip(&req, &state.trusted_proxies), ..Default::default() };
    // Static files never need to know who asks.
    if !req.uri().path().starts_with("/pkg/")
        && let Some(token) = session::token_from_headers(req.headers())
    {
        match session::resolve(&state.db, &token, now_unix()).await {
            Ok(Some(viewer)) => {
                found.viewer = Some(viewer);
                found.token = Some(token);
            }
            Ok(None) => {}
            Err(e) => {
                // Not "signed out": a database outage must not look like a missing session.
                tracing::error!(error = %e, "could not read the session");
                return (StatusCode::SERVICE_UNAVAILABLE, "service unavailable").into_response();
            }
        }
    }
    if let Some(visitor) = page_visitor(&req, &found) {
        state.hub.saw_visitor(visitor);
    }
    req.extensions_mut().insert(found);
    next.run(req).await
}
