//! Catalogue server functions: read-only, open to everyone.
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use super::model::*;
use crate::error::AppError;
use crate::lang::Lang;

#[server(endpoint = "catalog/home", input = GetUrl)]
pub async fn fetch_home() -> Result<HomeData, AppError> {
    let db = crate::db::use_db()?;
    Ok(super::service::home(&db, &crate::clock::vietnam_today()).await?)
}

#[server(endpoint = "catalog/products", input = Json)]
pub async fn list_products(query: ProductQuery, lang: Lang) -> Result<ProductPage, AppError> {
    let db = crate::db::use_db()?;
    let cache = use_context::<super::cache::PageCache>().unwrap_or_default();
    let page =
        super::service::list_products_cached(&cache, &db, &query, lang, &crate::clock::vietnam_today())
            .await?;
    Ok(ProductPage::clone(&page))
}

#[server(endpoint = "catalog/product", input = GetUrl)]
pub async fn fetch_product(slug: String) -> Result<ProductDetail, AppError> {
    let db = crate::db::use_db()?;
    super::service::product_detail(&db, &slug, &crate::clock::vietnam_today())
        .await?
        .ok_or(AppError::NotFound)
}

#[server(endpoint = "catalog/cooperative", input = GetUrl)]
pub async fn fetch_cooperative(slug: String) -> Result<CooperativeDetail, AppError> {
    let db = crate::db::use_db()?;
    super::service::cooperative_detail(&db, &slug, &crate::clock::vietnam_today())
        .await?
        .ok_or(AppError::NotFound)
}
