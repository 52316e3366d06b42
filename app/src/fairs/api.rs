//! Booth and chat server functions. Chat messages themselves travel over the live connection;
//! these load what a page shows first, and again after a reconnect.
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use super::model::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::{chat, service};
    pub use crate::accounts::auth::{auth_settings, current_viewer, require_member, set_cookie};
    pub use crate::catalog::certificate::today;
    pub use crate::db::now_unix;
    pub use crate::error::respond;
    pub use crate::live::use_hub;
    pub use crate::shell::use_db;
    use cookie::{Cookie, SameSite};
    use leptos::prelude::use_context;

    use crate::live::VISITOR_COOKIE;

    /// An anonymous visitor's chat identity lasts a year from their last booth visit.
    const VISITOR_MAX_AGE_SECS: i64 = 365 * 24 * 3600;

    /// The SHA-256 of the visitor cookie; with `create`, a new cookie when there is none.
    pub fn visitor_hash(create: bool) -> Option<String> {
        let parts = use_context::<http::request::Parts>()?;
        if let Some(token) = crate::accounts::session::cookie_from_headers(&parts.headers, VISITOR_COOKIE) {
            return Some(crate::accounts::session::token_hash(&token));
        }
        if !create {
            return None;
        }
        let (token, hash) = crate::accounts::session::new_token();
        set_cookie(
            Cookie::build((VISITOR_COOKIE, token))
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(auth_settings().secure_cookies)
                .path("/")
                .max_age(cookie::time::Duration::seconds(VISITOR_MAX_AGE_SECS))
                .build()
                .to_string(),
        );
        Some(hash)
    }
}
#[cfg(feature = "ssr")]
use ssr::*;

/// A booth page. An anonymous visitor gets a visitor cookie, so a conversation they start comes
/// back with them.
#[server(endpoint = "fairs/booth", input = GetUrl)]
pub async fn fetch_booth(slug: String) -> Result<BoothView, AppError> {
    respond(async {
        let viewer = current_viewer();
        let visitor = if viewer.is_some() { visitor_hash(false) } else { visitor_hash(true) };
        service::booth(
            &use_db()?,
            &use_hub()?,
            &slug,
            viewer.as_ref(),
            visitor.as_deref(),
            now_unix(),
            &today(),
        )
        .await
    })
    .await
}

/// The visitor's own conversation with a booth (after a reconnect, to catch up).
#[server(endpoint = "fairs/my_chat", input = GetUrl)]
pub async fn fetch_my_chat(booth: i64) -> Result<Option<Conversation>, AppError> {
    respond(async {
        let viewer = current_viewer();
        let visitor = visitor_hash(false);
        match chat::Visitor::of(viewer.as_ref(), visitor.as_deref()) {
            Some(v) => Ok(chat::visitor_conversation(&use_db()?, booth, &v).await?),
            None => Ok(None),
        }
    })
    .await
}

/// The cooperative's booth console: its visitors now and its conversations.
#[server(endpoint = "fairs/inbox", input = GetUrl)]
pub async fn fetch_chat_inbox() -> Result<StaffInbox, AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        service::staff_inbox(&use_db()?, &use_hub()?, coop.cooperative_id).await
    })
    .await
}

/// One conversation with its history: for a member of its cooperative, or its visitor.
#[server(endpoint = "fairs/thread", input = GetUrl)]
pub async fn fetch_chat_thread(id: i64) -> Result<Conversation, AppError> {
    respond(async {
        let viewer = current_viewer();
        let visitor = visitor_hash(false);
        chat::conversation(&use_db()?, id, viewer.as_ref(), visitor.as_deref())
            .await?
            .ok_or(AppError::NotFound)
    })
    .await
}
