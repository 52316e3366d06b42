//! The OCOP Market server: configuration, the axum router around the Leptos app, and the
//! endpoints that are not pages (health, sitemap, robots, language switch).
#![recursion_limit = "512"]
pub mod auth;
pub mod config;
pub mod exports;
pub mod forms;
pub mod lang;
pub mod live;
pub mod mail;
pub mod media;
pub mod ops;
pub mod proxy;
pub mod security;
pub mod seo;
pub mod start;
pub mod statements;
pub mod trace;

use std::time::Duration;

use app::db::Db;
use app::site::SiteUrl;
use app::{App, shell};
use axum::Router;
use axum::extract::FromRef;
use http::{HeaderValue, header};
use leptos::nonce::Nonce;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub public_url: String,
    pub page_cache: app::catalog::cache::PageCache,
    /// The admin dashboard's product charts, kept under the catalogue's generation.
    pub product_charts: app::admin::dashboard::cache::ProductCharts,
    pub auth: app::accounts::auth::AuthSettings,
    /// `TRUSTED_PROXIES`: whose `X-Forwarded-For` entries name the client.
    pub trusted_proxies: proxy::TrustedProxies,
    pub media: app::media::store::MediaStore,
    /// This instance's live event hub (relayed to the others on PostgreSQL).
    pub hub: app::live::hub::Hub,
    pub heartbeat: live::Heartbeat,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> LeptosOptions {
        state.leptos_options.clone()
    }
}

/// Requests larger than this are refused before they reach a handler.
pub(crate) const BODY_LIMIT_BYTES: usize = 1024 * 1024;
/// Photo uploads: 8 MB of picture plus the multipart framing.
const UPLOAD_LIMIT_BYTES: usize = 8 * 1024 * 1024 + 64 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub fn build_router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let site_root = state.leptos_options.site_root.to_string();
    let pkg_dir = format!("{site_root}/{}", state.leptos_options.site_pkg_dir);
    let context = {
        let db = state.db.clone();
        let site = SiteUrl(state.public_url.clone());
        let page_cache = state.page_cache.clone();
        let product_charts = state.product_charts.clone();
        let auth = state.auth;
        let media = state.media.clone();
        let hub = state.hub.clone();
        move || {
            // The nonce the security layer names in this response's policy, for the hydration
            // and resource scripts (it replaces the one Leptos made for itself).
            if let Some(nonce) =
                use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<Nonce>().cloned())
            {
                provide_context(nonce);
            }
            provide_context(media.clone());
            provide_context(hub.clone());
            provide_context(db.clone());
            provide_context(site.clone());
            provide_context(page_cache.clone());
            provide_context(product_charts.clone());
            provide_context(auth);
            provide_context(app::shell::SESSION_START);
            // A refused plain form's fields, when the page is asked for with its draft (`forms`).
            if let Some(refill) = use_context::<http::request::Parts>()
                .and_then(|p| p.extensions.get::<app::ui::forms::Refill>().cloned())
            {
                provide_context(refill);
            }
        }
    };
    let leptos_options = state.leptos_options.clone();
    // The WASM, JS and CSS: served as the pre-compressed .br/.gz files the build writes beside
    // them when the browser accepts those encodings.
    let pkg = Router::new()
        .fallback_service(ServeDir::new(pkg_dir).precompressed_br().precompressed_gzip())
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=3600"),
        ));
    // Uploads get a body limit of their own; everything else keeps 1 MB.
    let media = media::routes(&state, UPLOAD_LIMIT_BYTES);
    let site = Router::new()
        .merge(live::routes(&state))
        .merge(exports::routes(&state.db))
        .merge(ops::routes())
        .merge(seo::routes())
        .merge(lang::routes())
        .merge(trace::routes())
        .merge(mail::routes())
        .nest("/pkg", pkg)
        .leptos_routes_with_context(&state, routes, context.clone(), move || shell(leptos_options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .with_state(state.clone());
    Router::new()
        .merge(media)
        .merge(statements::routes(&state))
        .merge(site)
        .layer(axum::middleware::from_fn_with_state(state.db.clone(), forms::keep_refused_forms))
        .layer(axum::middleware::from_fn_with_state(
            auth::SessionState {
                db: state.db.clone(),
                trusted_proxies: state.trusted_proxies.clone(),
                hub: state.hub.clone(),
            },
            auth::resolve_session,
        ))
        .layer(axum::middleware::from_fn_with_state(state.public_url.clone(), security::check_origin))
        .layer(axum::middleware::from_fn(security::content_security_policy))
        .layer(security::headers())
        .layer(CompressionLayer::new().br(true).gzip(true))
        .layer(TimeoutLayer::with_status_code(http::StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(TraceLayer::new_for_http())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}
