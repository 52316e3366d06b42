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
    pub use crate::error::respond;
    pub use crate::shell::use_db;
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
        let previous = request_session();
        let token = service::login(&db, &email, &password, &previous.ip, now_unix()).await?;
        // A new token at every login; the one the browser had before is ended.
        if let Some(old) = previous.token {
            session::delete(&db, &old).await?;
        }
        if let Some(before) = &previous.viewer {
            crate::live::use_hub()?.revoke_user(before.id);
        }
        let viewer = session::resolve(&db, &token, now_unix()).await?.ok_or(AppError::Internal)?;
        set_cookie(session::cookie(&token, auth_settings().secure_cookies));
        crate::orders::api::adopt_anonymous_cart(&db, viewer.id).await?;
        redirect_plain_form(&landing_path(&viewer, &next));
        Ok(viewer)
    })
    .await
}

#[server(endpoint = "accounts/logout")]
pub async fn logout() -> Result<(), AppError> {
    respond(async {
        let db = use_db()?;
        if let Some(token) = request_session().token {
            session::delete(&db, &token).await?;
        }
        // Live sockets of this session stop hearing the account's topics at once.
        if let Some(viewer) = current_viewer() {
            crate::live::use_hub()?.revoke_user(viewer.id);
        }
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
        let ip = request_session().ip;
        let id = service::sign_up(&db, service::NewUser { email, display_name, password }, &ip, now_unix())
            .await?;
        // The password was just hashed: the session starts without checking it a second time.
        let token = session::create(&db, id, now_unix()).await?;
        let viewer = session::resolve(&db, &token, now_unix()).await?.ok_or(AppError::Internal)?;
        set_cookie(session::cookie(&token, auth_settings().secure_cookies));
        crate::orders::api::adopt_anonymous_cart(&db, viewer.id).await?;
        redirect_plain_form("/account");
        Ok(viewer)
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
            viewer.id,
            &current_password,
            &new_password,
            request.token.as_deref(),
            &request.ip,
            now_unix(),
        )
        .await?;
        // The other sessions just ended: their live sockets lose the account's topics.
        crate::live::use_hub()?.revoke_user(viewer.id);
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
        let db = use_db()?;
        service::apply(&db, form, &request_session().ip, now_unix()).await?;
        // "Cooperatives pending" on the admin dashboard.
        crate::live::use_hub()?.kpis_changed();
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
        let db = use_db()?;
        service::review_application(&db, admin.id, cooperative_id, decision, &note, now_unix()).await?;
        crate::live::use_hub()?.kpis_changed();
        if let Some(cache) = use_context::<crate::catalog::cache::PageCache>() {
            cache.invalidate();
        }
        Ok(())
    })
    .await
}
