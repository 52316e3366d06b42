//! The frame every admin list page shares (accounts, the audit log, the certificate registry,
//! cooperatives, products): the title, the admin guard, a GET filter form whose fields the page
//! gives (a filtered list is a link, and it works without JavaScript), the list loaded for the
//! filter in the address, and, above the filters, why an action form on the page was refused
//! (`ui::forms::Refusal`).
use std::future::Future;

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use crate::accounts::guards::admin_only;
use crate::error::AppError;
use crate::i18n::td;
use crate::lang::use_locale;
use crate::ui::forms::Refusal;
use crate::ui::layout::Loaded;

#[component]
pub fn AdminList<Q, T, Fut, V>(
    /// The page's title, also its heading.
    title: String,
    /// A sentence under the heading.
    #[prop(optional, into)]
    lead: Option<String>,
    /// The filter read from the page's address.
    filter: Q,
    /// Loads the list for a filter: the page's server function.
    fetch: fn(Q) -> Fut,
    /// The page's own path, where the filter form sends itself.
    action: &'static str,
    /// The filter form's fields, showing the current filter (the form adds its "Filter" button).
    fields: fn(Q) -> AnyView,
    /// More submit buttons after "Filter" (an export of the filtered list).
    #[prop(optional)]
    buttons: Option<fn() -> AnyView>,
    /// The loaded list.
    list: fn(T) -> V,
) -> impl IntoView
where
    Q: Clone + PartialEq + Send + Sync + 'static,
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    let i18n = use_locale();
    let heading = title.clone();
    view! {
        <Title text=title />
        <Meta name="robots" content="noindex" />
        {admin_only(move || {
            let loaded = Resource::new(
                {
                    let filter = filter.clone();
                    move || filter.clone()
                },
                fetch,
            );
            view! {
                <section class="admin">
                    <h1>{heading.clone()}</h1>
                    {lead.clone().map(|lead| view! { <p class="lead">{lead}</p> })}
                    <Refusal />
                    <form class="filters" method="get" action=action role="search">
                        {fields(filter.clone())}
                        <button class="button" type="submit">{td!(i18n, admin.users.filter)}</button>
                        {buttons.map(|more| more())}
                    </form>
                    <Loaded resource=loaded view=list />
                </section>
            }
            .into_any()
        })}
    }
}
