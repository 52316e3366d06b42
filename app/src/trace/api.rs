//! Traceability server functions: the product editor's batches. Each starts with
//! `require_member()`; the product must be the member's cooperative's (checked in the service).
//! The public pages are plain HTML served by the server (`server/src/trace.rs`), not functions.
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use super::model::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::service;
    pub use crate::accounts::auth::require_member;
    pub use crate::clock::now_unix;
    pub use crate::clock::vietnam_today as today;
    pub use crate::db::use_db;
    pub use crate::error::respond;
}
#[cfg(feature = "ssr")]
use ssr::*;

/// The product's trace code (given out on first use) and its batches.
#[server(endpoint = "trace/product", input = GetUrl)]
pub async fn fetch_product_trace(product_id: i64) -> Result<ProductTrace, AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        service::product_trace(&use_db()?, coop.cooperative_id, product_id).await
    })
    .await
}

/// The form's inputs are named `form[batch_code]`, `form[produced_on]`, `form[notes_vi]`,
/// `form[notes_en]`.
#[server(endpoint = "trace/add_batch")]
pub async fn add_batch(product_id: i64, form: BatchForm) -> Result<i64, AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        service::add_batch(&use_db()?, coop.cooperative_id, product_id, &form, &today(), now_unix()).await
    })
    .await
}

#[server(endpoint = "trace/delete_batch")]
pub async fn delete_batch(id: i64) -> Result<(), AppError> {
    respond(async {
        let (_, coop) = require_member()?;
        service::delete_batch(&use_db()?, coop.cooperative_id, id).await
    })
    .await
}
