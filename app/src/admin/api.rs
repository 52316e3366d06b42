//! Server functions of the admin console. Each one checks that the caller is an admin first.
//! The account changes are plain forms (they work without JavaScript): they come back to the
//! list, with `?error=<code>` when refused.
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use super::model::*;
use crate::accounts::model::Role;
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::service;
    pub use crate::accounts::auth::require_admin;
    pub use crate::db::now_unix;
    pub use crate::error::{is_plain_form_post, respond};
    pub use crate::shell::use_db;
}
#[cfg(feature = "ssr")]
use ssr::*;

#[server(endpoint = "admin/users", input = GetUrl)]
pub async fn fetch_users(filter: UserFilter) -> Result<UserList, AppError> {
    respond(async {
        let admin = require_admin()?;
        Ok(service::users(&use_db()?, admin.id, &filter).await?)
    })
    .await
}

/// Where a plain account form goes back to: the list, with the refusal's code if any.
#[cfg(feature = "ssr")]
fn back_to_users<T>(outcome: Result<T, AppError>) -> Result<T, AppError> {
    if is_plain_form_post() {
        match &outcome {
            Ok(_) => leptos_axum::redirect("/admin/users"),
            Err(AppError::Conflict(code)) => leptos_axum::redirect(&format!("/admin/users?error={code}")),
            Err(_) => {}
        }
    }
    outcome
}

#[server(endpoint = "admin/user_role")]
pub async fn set_user_role(user_id: i64, role: Role) -> Result<(), AppError> {
    back_to_users(
        respond(async {
            let admin = require_admin()?;
            service::set_role(&use_db()?, admin.id, user_id, role, now_unix()).await
        })
        .await,
    )
}

#[server(endpoint = "admin/user_status")]
pub async fn set_user_status(user_id: i64, status: AccountStatus) -> Result<(), AppError> {
    back_to_users(
        respond(async {
            let admin = require_admin()?;
            service::set_status(&use_db()?, admin.id, user_id, status, now_unix()).await
        })
        .await,
    )
}

#[server(endpoint = "admin/audit", input = GetUrl)]
pub async fn fetch_audit(filter: AuditFilter) -> Result<Vec<AuditEntry>, AppError> {
    respond(async {
        require_admin()?;
        Ok(service::audit_log(&use_db()?, &filter).await?)
    })
    .await
}

/// The certificate registry, with the states computed for today (UTC).
#[server(endpoint = "admin/certificates", input = GetUrl)]
pub async fn fetch_certificates(filter: CertificateFilter) -> Result<CertificateRegistry, AppError> {
    respond(async {
        require_admin()?;
        service::certificates(&use_db()?, &filter, &crate::catalog::certificate::today()).await
    })
    .await
}
