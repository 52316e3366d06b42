//! Who is asking: the session the server's middleware resolved for this request, and the
//! guards every server function starts with (`let viewer = require_admin()?;`).
use leptos::prelude::*;

use super::model::{Membership, Viewer};
use crate::error::AppError;

/// What the session middleware learned about the request, stored in its extensions.
#[derive(Debug, Clone, Default)]
pub struct RequestSession {
    pub viewer: Option<Viewer>,
    /// The session token from the cookie, when it named a live session.
    pub token: Option<String>,
    /// The client's address, for login throttling.
    pub ip: String,
}

/// Cookie settings, provided to the app as context by the server.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuthSettings {
    /// Mark the session cookie `Secure` (when the site is served over HTTPS).
    pub secure_cookies: bool,
}

pub fn request_session() -> RequestSession {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<RequestSession>().cloned())
        .unwrap_or_default()
}

/// The language the request's pages are shown in (the language cookie, then `Accept-Language`):
/// a new account's emails start in it.
pub fn request_lang() -> crate::lang::Lang {
    let parts = use_context::<http::request::Parts>();
    let header = |name: http::header::HeaderName| {
        parts.as_ref().and_then(|p| p.headers.get(name)).and_then(|v| v.to_str().ok()).map(str::to_owned)
    };
    crate::lang::preferred_lang(
        header(http::header::COOKIE).as_deref(),
        header(http::header::ACCEPT_LANGUAGE).as_deref(),
    )
}

pub fn current_viewer() -> Option<Viewer> {
    request_session().viewer
}

/// The rules, on a request's session: the server functions' guards below and the axum
/// extractors (`Admin`, `Member`) for the routes that are not server functions both use them.
impl RequestSession {
    /// Any signed-in user, or 401.
    pub fn user(&self) -> Result<&Viewer, AppError> {
        self.viewer.as_ref().ok_or(AppError::Unauthorized)
    }

    /// An admin, or 401 (signed out) / 403 (signed in as someone else).
    pub fn admin(&self) -> Result<&Viewer, AppError> {
        let viewer = self.user()?;
        if viewer.is_admin() { Ok(viewer) } else { Err(AppError::Forbidden) }
    }

    /// A member of an approved cooperative, with that cooperative: the only rows they may touch.
    pub fn member(&self) -> Result<(&Viewer, &Membership), AppError> {
        let viewer = self.user()?;
        let membership = viewer.dashboard_cooperative().ok_or(AppError::Forbidden)?;
        Ok((viewer, membership))
    }
}

/// Any signed-in user, or 401.
pub fn require_user() -> Result<Viewer, AppError> {
    request_session().user().cloned()
}

/// An admin, or 401 (signed out) / 403 (signed in as someone else).
pub fn require_admin() -> Result<Viewer, AppError> {
    request_session().admin().cloned()
}

/// A member of an approved cooperative, with that cooperative: the only rows they may touch.
pub fn require_member() -> Result<(Viewer, Membership), AppError> {
    let session = request_session();
    let (viewer, membership) = session.member()?;
    Ok((viewer.clone(), membership.clone()))
}

/// An admin, for an axum route (a CSV export): refused like `require_admin`.
pub struct Admin(pub Viewer);

/// A member of an approved cooperative and that cooperative, for an axum route (an upload, a
/// CSV export): refused like `require_member`.
pub struct Member(pub Viewer, pub Membership);

fn session_of(parts: &http::request::Parts) -> RequestSession {
    parts.extensions.get::<RequestSession>().cloned().unwrap_or_default()
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut http::request::Parts, _: &S) -> Result<Admin, AppError> {
        session_of(parts).admin().cloned().map(Admin)
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Member {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut http::request::Parts, _: &S) -> Result<Member, AppError> {
        let session = session_of(parts);
        let (viewer, membership) = session.member()?;
        Ok(Member(viewer.clone(), membership.clone()))
    }
}

pub fn auth_settings() -> AuthSettings {
    use_context::<AuthSettings>().unwrap_or_default()
}

/// Adds a `Set-Cookie` header to this server function's response.
pub fn set_cookie(value: String) {
    match (use_context::<leptos_axum::ResponseOptions>(), http::HeaderValue::from_str(&value)) {
        (Some(response), Ok(value)) => response.append_header(http::header::SET_COOKIE, value),
        _ => tracing::error!("could not set a cookie on the response"),
    }
}

/// Redirects a plain form post (no JavaScript) to `path`. A hydrated page gets the answer
/// instead and reloads itself, because a new or ended session changes what every part of the
/// page shows. Paths are often built from form fields (a slug, an order number, `back`), so
/// they pass the one redirect rule ([`crate::ui::next::safe_next`]) like every other target.
pub fn redirect_plain_form(path: &str) {
    if crate::error::is_plain_form_post() {
        leptos_axum::redirect(crate::ui::next::safe_next(path));
    }
}
