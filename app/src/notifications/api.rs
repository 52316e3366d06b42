//! Notification server functions. Each reads only the signed-in user's own notices and settings.
use std::collections::HashMap;

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use crate::error::AppError;
use crate::messages::model::*;

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::accounts::auth::{redirect_plain_form, require_user};
    pub use crate::accounts::model::{Role, Viewer};
    pub use crate::clock::now_unix;
    pub use crate::db::use_db;
    pub use crate::error::respond;
    pub use crate::lang::Lang;
    pub use crate::messages::service;
}
#[cfg(feature = "ssr")]
use ssr::*;

/// Whose kinds of email a user chooses among: everyone buys; members also hear as their
/// cooperative, admins as the department.
#[cfg(feature = "ssr")]
fn audiences(viewer: &Viewer) -> Vec<Audience> {
    match viewer.role {
        Role::Shopper => vec![Audience::Shopper],
        Role::Member => vec![Audience::Shopper, Audience::Cooperative],
        Role::Admin => vec![Audience::Shopper, Audience::Admin],
    }
}

#[server(endpoint = "notifications/unread", input = GetUrl)]
pub async fn fetch_unread() -> Result<i64, AppError> {
    respond(async {
        let viewer = require_user()?;
        service::unread(&use_db()?, viewer.id).await
    })
    .await
}

#[server(endpoint = "notifications/list", input = GetUrl)]
pub async fn fetch_notices() -> Result<Notices, AppError> {
    respond(async {
        let viewer = require_user()?;
        service::notices(&use_db()?, viewer.id).await
    })
    .await
}

/// Opens a notice: marks it read and goes where it leads.
#[server(endpoint = "notifications/open")]
pub async fn open_notice(id: i64) -> Result<(), AppError> {
    respond(async {
        let viewer = require_user()?;
        let href =
            service::open_notice(&use_db()?, viewer.id, id, now_unix()).await?.ok_or(AppError::NotFound)?;
        leptos_axum::redirect(&href);
        Ok(())
    })
    .await
}

#[server(endpoint = "notifications/read_all")]
pub async fn mark_all_read() -> Result<(), AppError> {
    respond(async {
        let viewer = require_user()?;
        service::mark_read(&use_db()?, viewer.id, None, now_unix()).await?;
        redirect_plain_form("/notifications");
        Ok(())
    })
    .await
}

#[server(endpoint = "notifications/mail_settings", input = GetUrl)]
pub async fn fetch_mail_settings() -> Result<MailSettings, AppError> {
    respond(async {
        let viewer = require_user()?;
        service::mail_settings(&use_db()?, viewer.id, &audiences(&viewer)).await
    })
    .await
}

/// Saves the user's emails: `on` names each optional kind kept on (`on[order_shipped]=1`; a kind
/// left out is turned off), and `lang` their language.
#[server(endpoint = "notifications/save_mail_settings")]
pub async fn save_mail_settings(
    #[server(default)] on: HashMap<String, String>,
    lang: String,
) -> Result<(), AppError> {
    respond(async {
        let viewer = require_user()?;
        let lang = Lang::from_code(lang.trim()).ok_or_else(|| {
            AppError::Validation(vec![crate::error::FieldError::new(
                "lang",
                crate::error::FieldCode::Invalid,
            )])
        })?;
        let kept: Vec<Kind> = on.keys().filter_map(|k| Kind::from_key(k)).collect();
        service::save_mail_choices(&use_db()?, viewer.id, &audiences(&viewer), &kept, lang, now_unix())
            .await?;
        redirect_plain_form("/account?emails=saved#emails");
        Ok(())
    })
    .await
}

/// What an unsubscribe link names (`None`: the link is not valid).
#[server(endpoint = "notifications/unsubscribe_link", input = GetUrl)]
pub async fn check_unsubscribe_link(u: i64, k: String, s: String) -> Result<Option<Kind>, AppError> {
    respond(async { service::check_unsubscribe(&use_db()?, u, &k, &s).await }).await
}
