//! Booth and chat server functions. Chat messages themselves travel over the live connection;
//! these load what a page shows first, and again after a reconnect.
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use super::model::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::{chat, editor, service};
    pub use crate::accounts::auth::{
        auth_settings, current_viewer, redirect_plain_form, require_admin, require_member, set_cookie,
    };
    pub use crate::clock::now_unix;
    pub use crate::clock::vietnam_today as today;
    pub use crate::db::use_db;
    pub use crate::error::respond;
    pub use crate::live::use_hub;
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

/// The fair the booth of cooperative `booth` is live at now (after a reconnect, to catch up).
#[server(endpoint = "fairs/live_fair", input = GetUrl)]
pub async fn fetch_live_fair(booth: i64) -> Result<Option<FairRef>, AppError> {
    respond(async { service::open_booth_fair(&use_db()?, booth, now_unix()).await }).await
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

// ---------------------------------------------------------------------------------------------
// The booth editor (members of the booth's cooperative).

#[server(endpoint = "fairs/booth_settings", input = GetUrl)]
pub async fn fetch_booth_settings() -> Result<BoothSettings, AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        editor::settings(&use_db()?, coop.cooperative_id).await
    })
    .await
}

#[server(endpoint = "fairs/save_welcome")]
pub async fn save_booth_welcome(form: WelcomeForm) -> Result<(), AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        editor::save_welcome(&use_db()?, coop.cooperative_id, &form, now_unix()).await
    })
    .await
}

/// Removes the booth's banner.
#[server(endpoint = "fairs/remove_banner")]
pub async fn remove_booth_banner() -> Result<(), AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        let store = use_context::<crate::media::store::MediaStore>().ok_or(AppError::Internal)?;
        crate::media::service::remove_banner(&use_db()?, &store, coop.cooperative_id, now_unix()).await
    })
    .await
}

#[server(endpoint = "fairs/pick")]
pub async fn pick_featured(product_id: i64) -> Result<(), AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        editor::pick(&use_db()?, coop.cooperative_id, product_id).await
    })
    .await
}

#[server(endpoint = "fairs/unpick")]
pub async fn unpick_featured(product_id: i64) -> Result<(), AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        editor::unpick(&use_db()?, coop.cooperative_id, product_id).await
    })
    .await
}

#[server(endpoint = "fairs/move_pick")]
pub async fn move_featured(product_id: i64, to: crate::media::model::PhotoMove) -> Result<(), AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        editor::move_pick(&use_db()?, coop.cooperative_id, product_id, to).await
    })
    .await
}

#[server(endpoint = "fairs/add_slot")]
pub async fn add_booth_slot(form: SlotForm) -> Result<i64, AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        editor::add_slot(&use_db()?, coop.cooperative_id, &form).await
    })
    .await
}

#[server(endpoint = "fairs/delete_slot")]
pub async fn delete_booth_slot(id: i64) -> Result<(), AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        editor::delete_slot(&use_db()?, coop.cooperative_id, id).await
    })
    .await
}

#[server(endpoint = "fairs/add_member")]
pub async fn add_team_member(form: TeamForm) -> Result<i64, AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        editor::add_member(&use_db()?, coop.cooperative_id, &form).await
    })
    .await
}

#[server(endpoint = "fairs/delete_member")]
pub async fn delete_team_member(id: i64) -> Result<(), AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        editor::delete_member(&use_db()?, coop.cooperative_id, id).await
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Fairs.

/// Current, upcoming and past fairs.
#[server(endpoint = "fairs/list", input = GetUrl)]
pub async fn fetch_fairs() -> Result<FairList, AppError> {
    respond(async {
        let mut list = service::fairs(&use_db()?, now_unix()).await?;
        list.can_create = current_viewer().is_some_and(|v| v.is_admin());
        Ok(list)
    })
    .await
}

/// The fair running now, for the home page.
#[server(endpoint = "fairs/running", input = GetUrl)]
pub async fn fetch_running_fair() -> Result<Option<FairSummary>, AppError> {
    respond(async { Ok(service::running_fair(&use_db()?, now_unix()).await?) }).await
}

/// A fair's hall, searched and filtered.
#[server(endpoint = "fairs/hall", input = GetUrl)]
pub async fn fetch_fair_hall(
    slug: String,
    q: String,
    district: String,
    group: String,
) -> Result<FairHall, AppError> {
    respond(async {
        let filter = HallFilter { q: q.trim().chars().take(100).collect(), district, group };
        service::hall(&use_db()?, &use_hub()?, &slug, filter, now_unix()).await
    })
    .await
}

/// The fair form's page (admins), with a refused draft when `draft` names one.
#[server(endpoint = "fairs/form", input = GetUrl)]
pub async fn fetch_fair_form(draft: String) -> Result<FairFormPage, AppError> {
    respond(async {
        require_admin()?;
        let draft = Some(draft.trim()).filter(|d| !d.is_empty());
        service::form_page(&use_db()?, draft, now_unix()).await
    })
    .await
}

/// Creates a fair (admins). A plain form goes to the new fair's hall; a refused one comes back
/// to the form with every field as typed (`drafts`).
#[server(endpoint = "fairs/create")]
pub async fn create_fair(form: FairForm) -> Result<String, AppError> {
    let slug = respond(async {
        let admin = require_admin()?;
        service::create_fair(&use_db()?, &use_hub()?, admin.id, &form, now_unix()).await
    })
    .await?;
    redirect_plain_form(&format!("/fairs/{slug}"));
    Ok(slug)
}

/// Every fair, for the admins' list.
#[server(endpoint = "fairs/admin_list", input = GetUrl)]
pub async fn fetch_admin_fairs() -> Result<Vec<FairSummary>, AppError> {
    respond(async {
        require_admin()?;
        Ok(service::admin_fairs(&use_db()?, now_unix()).await?)
    })
    .await
}

/// The edit form of the fair `slug` (admins), with a refused draft when `draft` names one.
#[server(endpoint = "fairs/edit_form", input = GetUrl)]
pub async fn fetch_fair_edit(slug: String, draft: String) -> Result<FairFormPage, AppError> {
    respond(async {
        require_admin()?;
        let draft = Some(draft.trim()).filter(|d| !d.is_empty());
        service::edit_page(&use_db()?, &slug, draft, now_unix()).await
    })
    .await
}

/// Saves the fair `slug`'s form (admins): names, times and booths. A plain form goes back to
/// the list of fairs; a refused one comes back to the edit form with every field as typed.
#[server(endpoint = "fairs/update")]
pub async fn update_fair(slug: String, form: FairForm) -> Result<String, AppError> {
    let slug = respond(async {
        let admin = require_admin()?;
        service::update_fair(&use_db()?, &use_hub()?, admin.id, &slug, &form, now_unix()).await
    })
    .await?;
    redirect_plain_form("/admin/fairs");
    Ok(slug)
}

/// Opens the upcoming fair `slug` now, or closes the running one now (admins). A plain form
/// goes back to the list, saying why when the fair's phase does not allow it (`ui::forms::Refusal`).
#[server(endpoint = "fairs/set_open")]
pub async fn set_fair_open(slug: String, open: bool) -> Result<FairSummary, AppError> {
    crate::admin::api::back_to(
        "/admin/fairs",
        respond(async {
            let admin = require_admin()?;
            let fair = service::set_open(&use_db()?, &use_hub()?, admin.id, &slug, open, now_unix()).await?;
            Ok(fair)
        })
        .await,
    )
}
