//! Account server functions: each one extracts the viewer, authorizes, calls one service
//! function and maps the error.
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use super::model::{Application, ApplicationForm, Decision, DistrictOption, Viewer};
use crate::error::AppError;

/// Where a login lands: the page that sent the user to log in (when it is a path on this site),
/// else their workspace.
pub fn landing_path(viewer: &Viewer, next: &str) -> String {
    match crate::ui::next::local_path(next) {
        Some(path) if path != "/account" => path.to_owned(),
        _ if viewer.dashboard_cooperative().is_some() => "/coop".to_owned(),
        _ if viewer.is_admin() => "/admin/applications".to_owned(),
        _ => "/account".to_owned(),
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::auth::*;
    pub use super::super::{service, session};
    pub use crate::clock::now_unix;
    pub use crate::db::use_db;
    pub use crate::error::respond;
    pub use crate::live::use_hub;

    /// The answer to a request that started a session: its cookie, what else a new session
    /// brings (the shell's `SESSION_START`), and a plain form's way on to `landing`.
    pub async fn begin_session(
        db: &crate::db::Db,
        started: service::Started,
        landing: impl FnOnce(&super::Viewer) -> String,
    ) -> Result<super::Viewer, super::AppError> {
        set_cookie(session::cookie(&started.token, auth_settings().secure_cookies));
        session::SessionStart::run(db, started.viewer.id).await?;
        redirect_plain_form(&landing(&started.viewer));
        Ok(started.viewer)
    }
}
#[cfg(feature = "ssr")]
use ssr::*;

/// The signed-in user, or `None`.
#[server(endpoint = "accounts/viewer", input = GetUrl)]
pub async fn fetch_viewer() -> Result<Option<Viewer>, AppError> {
    Ok(current_viewer())
}

#[server(endpoint = "accounts/login")]
pub async fn login(email: String, password: String, next: String) -> Result<Viewer, AppError> {
    respond(async {
        let db = use_db()?;
        let started =
            service::log_in(&db, &use_hub()?, &email, &password, &request_session(), now_unix()).await?;
        begin_session(&db, started, |viewer| landing_path(viewer, &next)).await
    })
    .await
}

#[server(endpoint = "accounts/logout")]
pub async fn logout() -> Result<(), AppError> {
    respond(async {
        service::log_out(&use_db()?, &use_hub()?, &request_session()).await?;
        set_cookie(session::clearing_cookie(auth_settings().secure_cookies));
        redirect_plain_form("/");
        Ok(())
    })
    .await
}

#[server(endpoint = "accounts/sign_up")]
pub async fn sign_up(email: String, display_name: String, password: String) -> Result<Viewer, AppError> {
    respond(async {
        let db = use_db()?;
        let lang = crate::accounts::auth::request_lang();
        let user = service::NewUser { email, display_name, password, lang };
        let started = service::sign_up_and_start(&db, user, &request_session().ip, now_unix()).await?;
        begin_session(&db, started, |_| "/account".to_owned()).await
    })
    .await
}

#[server(endpoint = "accounts/change_password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), AppError> {
    respond(async {
        let viewer = require_user()?;
        let db = use_db()?;
        let request = request_session();
        service::change_password(
            &db,
            &use_hub()?,
            viewer.id,
            &current_password,
            &new_password,
            request.token.as_deref(),
            &request.ip,
            now_unix(),
        )
        .await?;
        Ok(())
    })
    .await
}

#[server(endpoint = "accounts/districts", input = GetUrl)]
pub async fn fetch_districts() -> Result<Vec<DistrictOption>, AppError> {
    let db = use_db()?;
    Ok(service::districts(&db).await?)
}

/// The form's inputs are named `form[name_vi]`, `form[district]`, and so on.
#[server(endpoint = "accounts/apply")]
pub async fn apply_cooperative(form: ApplicationForm) -> Result<(), AppError> {
    respond(async {
        service::apply(&use_db()?, &use_hub()?, form, &request_session().ip, now_unix()).await?;
        leptos_axum::redirect("/apply/sent");
        Ok(())
    })
    .await
}

#[server(endpoint = "admin/applications", input = GetUrl)]
pub async fn fetch_applications() -> Result<Vec<Application>, AppError> {
    respond(async {
        require_admin()?;
        let db = use_db()?;
        Ok(service::list_applications(&db).await?)
    })
    .await
}

#[server(endpoint = "admin/review_application")]
pub async fn review_application(
    cooperative_id: i64,
    decision: Decision,
    note: String,
) -> Result<(), AppError> {
    respond(async {
        let admin = require_admin()?;
        let hub = use_hub()?;
        service::review_application(&use_db()?, &hub, admin.id, cooperative_id, decision, &note, now_unix())
            .await
    })
    .await
}

/// "Forgot password": a reset link by email. Says the same whether or not the account exists.
#[server(endpoint = "accounts/forgot_password")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    respond(async {
        super::links::request_reset(&use_db()?, &email, &request_session().ip, now_unix()).await?;
        redirect_plain_form("/forgot-password?sent=1");
        Ok(())
    })
    .await
}

/// Sets a new password through a reset link; every session of the account ends.
#[server(endpoint = "accounts/reset_password")]
pub async fn reset_password(token: String, new_password: String) -> Result<(), AppError> {
    respond(async {
        let ip = request_session().ip;
        super::links::reset_password(&use_db()?, &use_hub()?, &token, &new_password, &ip, now_unix()).await?;
        // This browser's session, if any, ended with the others.
        set_cookie(session::clearing_cookie(auth_settings().secure_cookies));
        redirect_plain_form("/login?reset=1");
        Ok(())
    })
    .await
}

/// The address a confirmation link confirms (`None`: the link is used, expired or unknown).
#[server(endpoint = "accounts/verification", input = GetUrl)]
pub async fn fetch_verification(token: String) -> Result<Option<String>, AppError> {
    respond(async { super::links::verification_email(&use_db()?, &token, now_unix()).await }).await
}

/// Confirms an email address through its link.
#[server(endpoint = "accounts/verify_email")]
pub async fn verify_email(token: String) -> Result<(), AppError> {
    respond(async {
        super::links::verify_email(&use_db()?, &token, now_unix()).await?;
        redirect_plain_form("/verify-email?done=1");
        Ok(())
    })
    .await
}

/// Whether the signed-in user's email is confirmed, and the address.
#[server(endpoint = "accounts/email_status", input = GetUrl)]
pub async fn fetch_email_status() -> Result<(bool, String), AppError> {
    respond(async {
        let viewer = require_user()?;
        super::links::email_status(&use_db()?, viewer.id).await
    })
    .await
}

/// Sends the signed-in user's confirmation link again.
#[server(endpoint = "accounts/resend_verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    respond(async {
        let viewer = require_user()?;
        let db = use_db()?;
        let (verified, email) = super::links::email_status(&db, viewer.id).await?;
        if !verified {
            super::links::send_verification(&db, viewer.id, &email, now_unix()).await?;
        }
        redirect_plain_form("/account?resent=1#email");
        Ok(())
    })
    .await
}

/// Starts a change of email: the new address gets a confirmation link. The inputs are named
/// `change[email]` and `change[current_password]` (the page has another password field).
#[server(endpoint = "accounts/change_email")]
pub async fn change_email(change: super::model::EmailChange) -> Result<(), AppError> {
    respond(async {
        let viewer = require_user()?;
        let ip = request_session().ip;
        let (email, password) = (&change.email, &change.current_password);
        super::links::change_email(&use_db()?, viewer.id, email, password, &ip, now_unix()).await?;
        redirect_plain_form("/account?email_sent=1#email");
        Ok(())
    })
    .await
}
