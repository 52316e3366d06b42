//! The page guards every domain uses: who is signed in (read once per page load), a page for
//! signed-in users only, and what a member of a closed cooperative finds at its dashboard.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

use super::api::fetch_viewer;
use super::model::{CoopStatus, Membership, Viewer};
use crate::error::AppError;
use crate::i18n::{td, td_string};
use crate::lang::{Localized, use_locale};
use crate::ui::layout::LoadError;

/// The signed-in user for every component of the page. Logging in or out reloads the page, so
/// it is read once per page load.
#[derive(Clone, Copy)]
pub struct ViewerContext {
    pub viewer: Resource<Result<Option<Viewer>, AppError>>,
}

pub fn provide_viewer() {
    let viewer = Resource::new(|| (), |_| fetch_viewer());
    provide_context(ViewerContext { viewer });
}

pub fn use_viewer() -> ViewerContext {
    expect_context::<ViewerContext>()
}

/// Renders `page` for the signed-in user, or sends a visitor to the login page (a 302 when
/// rendered on the server) and back here afterwards.
#[component]
pub fn SignedIn<F, V>(page: F) -> impl IntoView
where
    F: Fn(Viewer) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    let ctx = use_viewer();
    let location = use_location();
    view! {
        <Suspense>
            {move || {
                let page = page.clone();
                ctx.viewer
                    .get()
                    .map(move |result| match result {
                        Ok(Some(viewer)) => page(viewer).into_any(),
                        Ok(None) => {
                            let here = location.pathname.get_untracked();
                            let next = leptos_router::location::Url::escape(&here);
                            view! { <Redirect path=format!("/login?next={next}") /> }.into_any()
                        }
                        Err(error) => view! { <LoadError error /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

/// A cooperative's status, as a chip.
#[component]
pub fn CoopStatusChip(status: CoopStatus) -> impl IntoView {
    let i18n = use_locale();
    let label = move || match status {
        CoopStatus::Pending => td_string!(i18n, accounts.coop_status.pending),
        CoopStatus::Approved => td_string!(i18n, accounts.coop_status.approved),
        CoopStatus::Rejected => td_string!(i18n, accounts.coop_status.rejected),
        CoopStatus::Suspended => td_string!(i18n, accounts.coop_status.suspended),
    };
    view! { <span class="status-chip">{label}</span> }
}

/// What a member of a cooperative that is not (or no longer) approved finds at its dashboard:
/// the status, the department's reason when it gave one, and whom to ask. Answered with 403.
#[component]
pub fn CoopClosed(membership: Membership) -> impl IntoView {
    let i18n = use_locale();
    crate::ui::layout::set_status(403);
    let reason = membership.refusal_reason().map(str::to_owned);
    view! {
        <Title text=td_string!(i18n, accounts.coop_closed.title).to_string() />
        <section class="not-found" role="alert" data-testid="coop-closed">
            <h1 class="not-found__title">{td!(i18n, accounts.coop_closed.title)}</h1>
            <p>
                {td!(i18n, accounts.coop_closed.body)} " "
                <Localized text=membership.name.clone() /> " · "
                <CoopStatusChip status=membership.status />
            </p>
            {reason.map(|r| view! {
                <p>
                    <strong>{td!(i18n, accounts.account.reason)} ": "</strong>
                    <span data-testid="coop-reason">{r}</span>
                </p>
            })}
            <p>{td!(i18n, accounts.coop_closed.contact)}</p>
            <p>
                <a class="button" href="/account">
                    {td!(i18n, accounts.coop_closed.account)}
                </a>
            </p>
        </section>
    }
}

/// Renders `page` for an admin, and the 403 page for anyone else signed in.
pub fn admin_only(page: impl Fn() -> AnyView + Send + Sync + Clone + 'static) -> impl IntoView {
    view! {
        <SignedIn page=move |viewer: Viewer| {
            if viewer.is_admin() { page() } else { view! { <crate::ui::layout::Forbidden /> }.into_any() }
        } />
    }
}
