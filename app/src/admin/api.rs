//! Server functions of the admin console. Each one checks that the caller is an admin first.
//! The account changes are plain forms (they work without JavaScript): they come back to the
//! list, saying why when refused (`ui::forms::Refusal`).
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use super::model::*;
use crate::accounts::model::Role;
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::service;
    pub use crate::accounts::auth::require_admin;
    pub use crate::clock::now_unix;
    pub use crate::db::use_db;
    pub use crate::error::respond;
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

/// Where a plain admin form goes back to when it succeeded: its list, unfiltered, where the
/// change shows. A refused one goes back to the page it was sent from, saying why, with what was
/// typed (`drafts`).
#[cfg(feature = "ssr")]
pub(crate) fn back_to<T>(list: &str, outcome: Result<T, AppError>) -> Result<T, AppError> {
    if outcome.is_ok() {
        crate::accounts::auth::redirect_plain_form(list);
    }
    outcome
}

#[cfg(feature = "ssr")]
fn back_to_users<T>(outcome: Result<T, AppError>) -> Result<T, AppError> {
    back_to("/admin/users", outcome)
}

#[server(endpoint = "admin/cooperatives", input = GetUrl)]
pub async fn fetch_cooperatives(filter: CoopFilter) -> Result<Vec<CoopRow>, AppError> {
    respond(async {
        require_admin()?;
        Ok(super::moderation::cooperatives(&use_db()?, &filter).await?)
    })
    .await
}

/// Suspends (with the reason its members read) or reinstates a cooperative.
#[server(endpoint = "admin/cooperative_status")]
pub async fn set_cooperative_suspended(
    cooperative_id: i64,
    suspend: bool,
    reason: String,
) -> Result<(), AppError> {
    back_to(
        "/admin/cooperatives",
        respond(async {
            let admin = require_admin()?;
            let hub = crate::live::use_hub()?;
            super::moderation::set_suspended(
                &use_db()?,
                &hub,
                admin.id,
                cooperative_id,
                suspend,
                &reason,
                now_unix(),
            )
            .await
        })
        .await,
    )
}

#[server(endpoint = "admin/products", input = GetUrl)]
pub async fn fetch_moderated_products(
    filter: ProductModerationFilter,
) -> Result<Vec<ModeratedProduct>, AppError> {
    respond(async {
        require_admin()?;
        Ok(super::moderation::products(&use_db()?, &filter).await?)
    })
    .await
}

/// Hides a product from the shop (with the reason its cooperative reads) or unhides it.
#[server(endpoint = "admin/product_visibility")]
pub async fn set_product_hidden(product_id: i64, hide: bool, reason: String) -> Result<(), AppError> {
    back_to(
        "/admin/products",
        respond(async {
            let admin = require_admin()?;
            let hub = crate::live::use_hub()?;
            super::moderation::set_hidden(&use_db()?, &hub, admin.id, product_id, hide, &reason, now_unix())
                .await
        })
        .await,
    )
}

#[server(endpoint = "admin/user_role")]
pub async fn set_user_role(user_id: i64, role: Role) -> Result<(), AppError> {
    back_to_users(
        respond(async {
            let admin = require_admin()?;
            service::set_role(&use_db()?, &crate::live::use_hub()?, admin.id, user_id, role, now_unix()).await
        })
        .await,
    )
}

#[server(endpoint = "admin/user_status")]
pub async fn set_user_status(user_id: i64, status: AccountStatus) -> Result<(), AppError> {
    back_to_users(
        respond(async {
            let admin = require_admin()?;
            service::set_status(&use_db()?, &crate::live::use_hub()?, admin.id, user_id, status, now_unix())
                .await
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
        service::certificates(&use_db()?, &filter, &crate::clock::vietnam_today()).await
    })
    .await
}

/// The outbox: the newest emails of one status (`pending`, `sent`, `failed`; any when empty).
#[server(endpoint = "admin/emails", input = GetUrl)]
pub async fn fetch_emails(status: String) -> Result<crate::messages::model::OutboxPage, AppError> {
    respond(async {
        require_admin()?;
        let status = crate::messages::model::MailStatus::from_key(status.trim());
        crate::messages::outbox::list(&use_db()?, status).await
    })
    .await
}

/// Sends a failed email again.
#[server(endpoint = "admin/email_retry")]
pub async fn retry_email(id: i64) -> Result<(), AppError> {
    back_to(
        "/admin/emails?status=failed",
        respond(async {
            require_admin()?;
            crate::messages::outbox::retry(&use_db()?, id, now_unix()).await
        })
        .await,
    )
}

/// The shipping rate table, for its editor.
#[server(endpoint = "admin/shipping_rates", input = GetUrl)]
pub async fn fetch_shipping_rates() -> Result<crate::orders::shipping::RateTable, AppError> {
    respond(async {
        require_admin()?;
        crate::orders::service::shipping::rates(&use_db()?).await
    })
    .await
}

/// Replaces the shipping rate table. `rates` holds `<zone>_<grams>` and `<zone>_beyond` fees
/// (`rates[province_500]=16000`).
#[server(endpoint = "admin/save_shipping_rates")]
pub async fn save_shipping_rates(
    #[server(default)] rates: std::collections::HashMap<String, String>,
) -> Result<(), AppError> {
    back_to(
        "/admin/shipping?saved=1",
        respond(async {
            use crate::orders::shipping::{RateTable, STEPS_GRAMS, Zone};
            let admin = require_admin()?;
            // A missing or unreadable fee becomes -1, which the service refuses by its field name.
            let fee = |key: String| {
                rates.get(&key).and_then(|v| v.trim().replace('.', "").parse::<i64>().ok()).unwrap_or(-1)
            };
            let mut table = RateTable::default();
            for zone in Zone::ALL {
                for grams in STEPS_GRAMS {
                    table.steps.push((zone, grams, fee(format!("{}_{grams}", zone.key()))));
                }
                table.beyond.push((zone, fee(format!("{}_beyond", zone.key()))));
            }
            crate::orders::service::shipping::save_rates(&use_db()?, admin.id, &table, now_unix()).await
        })
        .await,
    )
}
