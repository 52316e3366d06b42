//! Inquiry server functions: sending one (anyone; plain form first), and the cooperative's and
//! the department's lead lists.
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use super::model::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::service::{self, Scope};
    pub use crate::accounts::auth::{redirect_plain_form, request_session, require_admin, require_member};
    pub use crate::clock::now_unix;
    pub use crate::clock::vietnam_today as today;
    pub use crate::db::use_db;
    pub use crate::error::{FieldError, redirect_refused, respond};
    pub use crate::live::use_hub;
}
#[cfg(feature = "ssr")]
use ssr::*;

/// The address of a booth's inquiry page.
pub fn inquiry_path(booth: &str) -> String {
    format!("/booths/{booth}/inquiry")
}

/// Sends an export inquiry to a booth. Without JavaScript, a refused form goes to the booth's
/// inquiry page (whichever page carried the form) with every field as typed (`drafts`).
#[server(endpoint = "inquiries/send")]
pub async fn send_inquiry(form: InquiryForm) -> Result<(), AppError> {
    let outcome = respond(async {
        let ip = request_session().ip;
        service::submit(&use_db()?, &use_hub()?, &form, &ip, now_unix(), &today()).await
    })
    .await;
    let page = inquiry_path(form.booth.trim());
    match &outcome {
        Ok(_) => redirect_plain_form(&format!("{page}/sent")),
        Err(e) => redirect_refused(&page, <SendInquiry as leptos::server_fn::ServerFn>::PATH, e),
    }
    outcome.map(|_| ())
}

#[server(endpoint = "inquiries/page", input = GetUrl)]
pub async fn fetch_inquiry_page(
    booth: String,
    product: String,
    draft: String,
) -> Result<InquiryPage, AppError> {
    respond(async {
        let draft = Some(draft.trim()).filter(|d| !d.is_empty());
        service::page(&use_db()?, &booth, &product, draft, now_unix()).await
    })
    .await
}

#[cfg(feature = "ssr")]
fn parse_status(status: &str) -> Option<LeadStatus> {
    LeadStatus::from_db(status.trim())
}

/// The cooperative's leads, newest first, optionally of one status.
#[server(endpoint = "inquiries/leads", input = GetUrl)]
pub async fn fetch_leads(status: String) -> Result<Vec<LeadSummary>, AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        service::list(&use_db()?, Scope::Cooperative(coop.cooperative_id), parse_status(&status)).await
    })
    .await
}

#[server(endpoint = "inquiries/lead", input = GetUrl)]
pub async fn fetch_lead(id: i64) -> Result<Lead, AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        service::lead(&use_db()?, Scope::Cooperative(coop.cooperative_id), id).await
    })
    .await
}

/// Moves a lead along the pipeline, with an optional note.
#[server(endpoint = "inquiries/move")]
pub async fn move_lead(id: i64, to: String, note: String) -> Result<(), AppError> {
    respond(async {
        let (viewer, coop) = require_member()?;
        let to = parse_status(&to).ok_or_else(|| {
            AppError::Validation(vec![FieldError::new("to", crate::error::FieldCode::Invalid)])
        })?;
        service::transition(&use_db()?, coop.cooperative_id, viewer.id, id, to, &note, now_unix()).await?;
        redirect_plain_form(&format!("/coop/inquiries/{id}"));
        Ok(())
    })
    .await
}

#[server(endpoint = "inquiries/note")]
pub async fn note_lead(id: i64, note: String) -> Result<(), AppError> {
    respond(async {
        let (viewer, coop) = require_member()?;
        service::add_note(&use_db()?, coop.cooperative_id, viewer.id, id, &note, now_unix()).await?;
        redirect_plain_form(&format!("/coop/inquiries/{id}"));
        Ok(())
    })
    .await
}

/// Every cooperative's leads: the province's export demand.
#[server(endpoint = "inquiries/all", input = GetUrl)]
pub async fn fetch_all_leads(status: String) -> Result<Vec<LeadSummary>, AppError> {
    respond(async {
        require_admin()?;
        service::list(&use_db()?, Scope::Province, parse_status(&status)).await
    })
    .await
}
