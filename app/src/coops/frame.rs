//! The frame of the cooperative dashboard, which the orders, booth and inquiries sections share:
//! the guard that lets in members of an approved cooperative, and the section links.
use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::components::A;

use crate::accounts::guards::{CoopClosed, SignedIn};
use crate::accounts::model::{Membership, Viewer};
use crate::i18n::{td, td_string};
use crate::lang::{Localized, use_locale};
use crate::ui::layout::Forbidden;

/// Renders `page` for a member of an approved cooperative; others get the login page or 403 (a
/// member of a cooperative that is not approved, with its status and the department's reason).
#[component]
pub fn MemberOnly<F, V>(page: F) -> impl IntoView
where
    F: Fn(Membership) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    view! {
        <SignedIn page=move |viewer: Viewer| {
            if let Some(membership) = viewer.dashboard_cooperative().cloned() {
                page(membership).into_any()
            } else if let Some(membership) = viewer.closed_cooperative().cloned() {
                view! { <CoopClosed membership /> }.into_any()
            } else {
                view! { <Forbidden /> }.into_any()
            }
        } />
    }
}

/// The dashboard frame: the cooperative's name and the section links.
#[component]
pub fn Dashboard(membership: Membership, children: Children) -> impl IntoView {
    let i18n = use_locale();
    view! {
        <Meta name="robots" content="noindex" />
        <div class="dashboard">
            <nav class="dashboard__nav" aria-label=move || td_string!(i18n, coops.nav.label)>
                <p class="dashboard__coop">
                    <Localized text=membership.name.clone() />
                </p>
                <A href="/coop" exact=true attr:class="dashboard__link">
                    {td!(i18n, coops.nav.overview)}
                </A>
                <A href="/coop/products" attr:class="dashboard__link">
                    {td!(i18n, coops.nav.products)}
                </A>
                <A href="/coop/orders" attr:class="dashboard__link">
                    {td!(i18n, coops.nav.orders)}
                </A>
                <A href="/coop/payments" attr:class="dashboard__link">
                    {td!(i18n, coops.nav.payments)}
                </A>
                <A href="/coop/booth" attr:class="dashboard__link">
                    {td!(i18n, coops.nav.booth)}
                </A>
                <A href="/coop/inquiries" attr:class="dashboard__link">
                    {td!(i18n, coops.nav.inquiries)}
                </A>
                <A href="/coop/profile" attr:class="dashboard__link">
                    {td!(i18n, coops.nav.profile)}
                </A>
                <a class="dashboard__link" href=format!("/c/{}", membership.slug)>
                    {td!(i18n, coops.nav.storefront)}
                </a>
            </nav>
            <div class="dashboard__main">{children()}</div>
        </div>
    }
}
