//! Live updates over one WebSocket per tab: the protocol (`model`), the server's event hub
//! (`hub`), the dashboard's activity feed (`feed`), the site's recent visitors (`visitors`) and
//! the browser's end of the connection (`client`). Who may follow what and the relay between
//! instances need every domain, so they sit on top, in `crate::socket`.
#[cfg(feature = "hydrate")]
pub mod client;
#[cfg(feature = "ssr")]
pub mod feed;
#[cfg(feature = "ssr")]
pub mod hub;
pub mod model;
#[cfg(feature = "ssr")]
pub mod visitors;

/// The anonymous visitor's cookie: a random token whose SHA-256 names their booth conversations.
pub const VISITOR_COOKIE: &str = "ocop_visitor";

/// The event hub the server put in the request's context.
#[cfg(feature = "ssr")]
pub fn use_hub() -> Result<hub::Hub, crate::error::AppError> {
    leptos::prelude::use_context::<hub::Hub>().ok_or_else(|| {
        tracing::error!("no live hub in the request context");
        crate::error::AppError::Internal
    })
}
