//! Small marks: the OCOP star badge, the price tag, the UK export ribbon and the demo label.
use leptos::prelude::*;

use super::money::format_vnd;
use crate::i18n::{td, td_string};
use crate::lang::use_locale;

/// The OCOP rating as stars. Only rendered for a current certificate.
#[component]
pub fn StarBadge(stars: i64) -> impl IntoView {
    let i18n = use_locale();
    let stars = stars.clamp(1, 5);
    let label = move || td_string!(i18n, catalog.badge.stars_label, n = stars).to_string();
    view! {
        <span class="star-badge" role="img" aria-label=label title=label>
            <span class="star-badge__stars" aria-hidden="true">
                {"★".repeat(stars as usize)}
            </span>
            <span class="star-badge__text" aria-hidden="true">
                "OCOP"
            </span>
        </span>
    }
}

#[component]
pub fn PriceTag(price_vnd: i64) -> impl IntoView {
    view! { <span class="price-tag">{format_vnd(price_vnd)}</span> }
}

/// "Exported to the United Kingdom".
#[component]
pub fn ExportRibbon() -> impl IntoView {
    let i18n = use_locale();
    view! { <span class="export-ribbon">{td!(i18n, catalog.badge.exported_uk)}</span> }
}

/// Marks values invented for the demo (prices, stock, certificate numbers) as such.
#[component]
pub fn DemoMark() -> impl IntoView {
    let i18n = use_locale();
    view! {
        <span class="demo-mark" title=move || td_string!(i18n, catalog.demo.explain)>
            {td!(i18n, catalog.demo.label)}
        </span>
    }
}
