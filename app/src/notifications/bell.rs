//! The bell in the header: a link to the notices with the unread count, which the server renders
//! (it works without JavaScript) and the page's WebSocket keeps current: each new notice rings it
//! at once, and after a dropped connection the count is read again.
use leptos::prelude::*;

use super::api::fetch_unread;
use crate::accounts::guards::use_viewer;
use crate::i18n::td;
use crate::lang::use_locale;

/// The bell of the signed-in user; nothing for a visitor.
#[component]
pub fn NotificationBell() -> impl IntoView {
    let ctx = use_viewer();
    view! {
        <Transition>
            {move || {
                ctx.viewer.get().and_then(|r| r.ok().flatten()).map(|viewer| {
                    let unread = Resource::new(|| (), |_| fetch_unread());
                    view! {
                        <Transition>
                            {move || unread.get().map(|n| view! { <Bell user=viewer.id unread=n.unwrap_or(0) /> })}
                        </Transition>
                    }
                })
            }}
        </Transition>
    }
}

#[island(lazy)]
fn Bell(user: i64, unread: i64) -> impl IntoView {
    crate::ui::lazy::preload_island("bell");
    let i18n = use_locale();
    let count = RwSignal::new(unread);
    #[cfg(feature = "hydrate")]
    {
        use crate::live::client::{Incoming, follow};
        use crate::live::model::{ClientFrame, Event, ServerFrame, Topic};
        follow(vec![ClientFrame::Subscribe { topic: Topic::User(user) }], move |incoming| match incoming {
            Incoming::Frame(ServerFrame::Event(Event::Notified { user: to })) if *to == user => {
                count.update(|n| *n += 1);
            }
            Incoming::Reconnected => {
                leptos::task::spawn_local(async move {
                    if let Ok(n) = fetch_unread().await {
                        count.set(n);
                    }
                });
            }
            _ => {}
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = user;
    view! {
        <a class="site-nav__link site-nav__bell" href="/notifications" data-testid="bell">
            <svg class="site-nav__bell-icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
                <path
                    d="M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15zM10 20.5a2 2 0 0 0 4 0"
                    fill="none"
                    stroke="currentColor"
                    stroke-width="2"
                    stroke-linecap="round"
                    stroke-linejoin="round"
                />
            </svg>
            <span class="site-nav__cart-label">{td!(i18n, notify.bell.label)}</span>
            <span class="cart-count bell-count" data-testid="bell-count" hidden=move || count.get() == 0>
                {move || count.get()}
            </span>
            <span class="visually-hidden" hidden=move || count.get() == 0>{td!(i18n, notify.bell.unread_word)}</span>
        </a>
    }
}

/// A cooperative's new orders as they arrive, on its order list and overview: each one pushed
/// over the page's WebSocket shows at once, with a link to it. Empty (and silent) until one comes;
/// without JavaScript the page's own list, as loaded, is what there is.
#[island(lazy)]
pub fn NewOrdersLive(cooperative_id: i64) -> impl IntoView {
    crate::ui::lazy::preload_island("new_orders_live");
    let i18n = use_locale();
    let arrived = RwSignal::new(Vec::<(String, String, i64)>::new());
    #[cfg(feature = "hydrate")]
    {
        use crate::live::client::{Incoming, follow};
        use crate::live::model::{ClientFrame, Event, ServerFrame, Topic};
        follow(vec![ClientFrame::Subscribe { topic: Topic::Coop(cooperative_id) }], move |incoming| {
            if let Incoming::Frame(ServerFrame::Event(Event::CoopOrder {
                cooperative_id: to,
                number,
                total_vnd,
                customer,
                ..
            })) = incoming
                && *to == cooperative_id
            {
                arrived.update(|a| {
                    if !a.iter().any(|(n, _, _)| n == number) {
                        a.insert(0, (number.clone(), customer.clone(), *total_vnd));
                    }
                });
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = cooperative_id;
    view! {
        <section class="notice new-orders" aria-live="polite" data-testid="new-orders" hidden=move || arrived.with(Vec::is_empty)>
            <h2>{td!(i18n, notify.new_orders.title)}</h2>
            <ul>
                <For each=move || arrived.get() key=|(n, _, _)| n.clone() let((number, customer, total))>
                    <li data-testid="new-order">
                        <a href=format!("/coop/orders/{number}")>{number.clone()}</a>
                        " · "
                        {customer}
                        " · "
                        {crate::ui::money::format_vnd(total)}
                    </li>
                </For>
            </ul>
        </section>
    }
}
