//! Dashboard server functions. Each starts with `require_member()`: the cooperative comes from
//! the session, never from the request, and product ids are checked against it.
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use super::model::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::service;
    pub use crate::accounts::auth::require_member;
    pub use crate::clock::now_unix;
    pub use crate::db::use_db;
    pub use crate::error::respond;
}
#[cfg(feature = "ssr")]
use ssr::*;

#[server(endpoint = "coops/overview", input = GetUrl)]
pub async fn fetch_overview() -> Result<Overview, AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        service::overview(&use_db()?, coop.cooperative_id, &crate::clock::vietnam_today()).await
    })
    .await
}

#[server(endpoint = "coops/products", input = GetUrl)]
pub async fn fetch_dashboard_products() -> Result<Vec<DashboardProduct>, AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        service::products(&use_db()?, coop.cooperative_id).await
    })
    .await
}

#[server(endpoint = "coops/product", input = GetUrl)]
pub async fn fetch_editable_product(id: i64) -> Result<EditableProduct, AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        service::product_for_edit(&use_db()?, coop.cooperative_id, id, &crate::clock::vietnam_today()).await
    })
    .await
}

#[server(endpoint = "coops/groups", input = GetUrl)]
pub async fn fetch_groups() -> Result<Vec<GroupOption>, AppError> {
    respond(async { service::groups(&use_db()?).await }).await
}

/// The form's inputs are named `form[name_vi]` and so on. On success the editor of the new
/// product opens.
#[server(endpoint = "coops/create_product")]
pub async fn create_product(form: ProductForm) -> Result<i64, AppError> {
    respond(async {
        let (viewer, coop) = require_member()?;
        let id = service::create_product(&use_db()?, coop.cooperative_id, Some(viewer.id), &form, now_unix())
            .await?;
        leptos_axum::redirect(&format!("/coop/products/{id}"));
        Ok(id)
    })
    .await
}

#[server(endpoint = "coops/update_product")]
pub async fn update_product(id: i64, form: ProductForm) -> Result<(), AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        service::update_product(&use_db()?, coop.cooperative_id, id, &form, now_unix()).await?;
        Ok(())
    })
    .await
}

/// Moves a product's stock by a delta with its reason. The inputs are named `stock[delta]`,
/// `stock[reason]` and `stock[note]`.
#[server(endpoint = "coops/adjust_stock")]
pub async fn adjust_stock(product_id: i64, stock: StockAdjustment) -> Result<i64, AppError> {
    respond(async {
        let (viewer, coop) = require_member()?;
        let after =
            service::adjust_stock(&use_db()?, coop.cooperative_id, viewer.id, product_id, &stock, now_unix())
                .await?;
        Ok(after)
    })
    .await
}

#[server(endpoint = "coops/set_published")]
pub async fn set_published(id: i64, publish: bool) -> Result<(), AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        service::set_published(&use_db()?, coop.cooperative_id, id, publish, now_unix()).await?;
        Ok(())
    })
    .await
}

#[server(endpoint = "coops/delete_product")]
pub async fn delete_product(id: i64) -> Result<(), AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        service::delete_product(&use_db()?, coop.cooperative_id, id, now_unix()).await?;
        Ok(())
    })
    .await
}

/// The form's inputs are named `form[stars]`, `form[council]`, `form[decision_no]`, `form[issued_on]`.
#[server(endpoint = "coops/save_certificate")]
pub async fn save_certificate(product_id: i64, form: CertificateForm) -> Result<(), AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        let today = crate::clock::vietnam_today();
        service::save_certificate(&use_db()?, coop.cooperative_id, product_id, &form, &today, now_unix())
            .await?;
        Ok(())
    })
    .await
}

#[server(endpoint = "coops/add_listing")]
pub async fn add_listing(product_id: i64, channel: Channel, url: String) -> Result<i64, AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        service::add_listing(&use_db()?, coop.cooperative_id, product_id, channel, &url, now_unix()).await
    })
    .await
}

#[server(endpoint = "coops/remove_listing")]
pub async fn remove_listing(id: i64) -> Result<(), AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        service::remove_listing(&use_db()?, coop.cooperative_id, id).await
    })
    .await
}

/// The media store the server put in the request's context.
#[cfg(feature = "ssr")]
fn use_media() -> Result<crate::media::store::MediaStore, AppError> {
    use_context::<crate::media::store::MediaStore>().ok_or_else(|| {
        tracing::error!("no media store in the request context");
        AppError::Internal
    })
}

#[server(endpoint = "coops/move_photo")]
pub async fn move_photo(id: i64, to: crate::media::model::PhotoMove) -> Result<(), AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        crate::media::service::move_photo(&use_db()?, coop.cooperative_id, id, to).await?;
        Ok(())
    })
    .await
}

#[server(endpoint = "coops/delete_photo")]
pub async fn delete_photo(id: i64) -> Result<(), AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        crate::media::service::delete_photo(&use_db()?, &use_media()?, coop.cooperative_id, id).await?;
        Ok(())
    })
    .await
}

#[server(endpoint = "coops/profile", input = GetUrl)]
pub async fn fetch_profile() -> Result<CoopProfile, AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        service::profile(&use_db()?, coop.cooperative_id).await
    })
    .await
}

/// The form's inputs are named `form[story_vi]` and so on.
#[server(endpoint = "coops/update_profile")]
pub async fn update_profile(form: ProfileForm) -> Result<(), AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        service::update_profile(&use_db()?, coop.cooperative_id, &form).await?;
        Ok(())
    })
    .await
}
