//! The dashboard's server functions, for admins only: the whole dashboard for a filter, its
//! charts again (a live refresh), and the tiles and feed again after a reconnect.
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use super::model::*;
use crate::error::AppError;
use crate::lang::Lang;

#[cfg(feature = "ssr")]
mod ssr {
    pub use super::super::{charts, service};
    pub use crate::accounts::auth::require_admin;
    pub use crate::clock::{now_unix, vietnam_day};
    pub use crate::db::use_db;
    pub use crate::error::respond;
    pub use crate::live::use_hub;

    /// The server's product charts cache (a fresh one, which keeps nothing for long, if the
    /// server provided none).
    pub fn use_product_charts() -> super::super::cache::ProductCharts {
        leptos::prelude::use_context().unwrap_or_default()
    }
}
#[cfg(feature = "ssr")]
use ssr::*;

#[server(endpoint = "admin/dashboard", input = GetUrl)]
pub async fn fetch_dashboard(filter: DashboardFilter, lang: Lang) -> Result<Dashboard, AppError> {
    respond(async {
        require_admin()?;
        Ok(service::dashboard(&use_db()?, &use_hub()?, &use_product_charts(), &filter, lang, now_unix())
            .await?)
    })
    .await
}

#[server(endpoint = "admin/dashboard_charts", input = GetUrl)]
pub async fn fetch_dashboard_charts(filter: DashboardFilter, lang: Lang) -> Result<Vec<ChartSvg>, AppError> {
    respond(async {
        require_admin()?;
        let data =
            service::chart_data(&use_db()?, &use_product_charts(), &filter, vietnam_day(now_unix())).await?;
        Ok(charts::draw(&data, lang))
    })
    .await
}

#[server(endpoint = "admin/dashboard_live", input = GetUrl)]
pub async fn fetch_dashboard_live() -> Result<LiveSnapshot, AppError> {
    respond(async {
        require_admin()?;
        Ok(service::live_snapshot(&use_db()?, &use_hub()?, now_unix()).await?)
    })
    .await
}
