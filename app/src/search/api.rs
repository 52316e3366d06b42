//! Search server functions.
use leptos::prelude::*;

use super::model::Suggestion;
use crate::error::AppError;

/// Suggestions while typing in the search box.
#[server(endpoint = "search/suggest", input = leptos::server_fn::codec::GetUrl)]
pub async fn suggest(q: String) -> Result<Vec<Suggestion>, AppError> {
    let db = crate::db::use_db()?;
    Ok(super::service::suggest(&db, &q).await?)
}
