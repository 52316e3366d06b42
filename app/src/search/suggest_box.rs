//! The header search box: a plain GET form to /products, with suggestions while typing once hydrated.
use leptos::prelude::*;

use super::api::suggest;
use crate::i18n::{t, t_string, use_i18n};
use crate::lang::use_lang;

/// An island: `initial` is the search the page was rendered for.
#[island]
pub fn SearchBox(initial: String) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let text = RwSignal::new(initial.clone());
    let open = RwSignal::new(false);
    let suggestions = LocalResource::new(move || {
        let q = text.get();
        async move {
            if q.trim().chars().count() < 2 {
                return Vec::new();
            }
            suggest(q).await.unwrap_or_default()
        }
    });
    let list = move || {
        let items = suggestions.get().unwrap_or_default();
        if !open.get() || items.is_empty() {
            return None;
        }
        let lang = lang.get();
        Some(view! {
            <ul id="search-suggestions" class="search__suggestions" aria-label=move || t_string!(i18n, search.suggestions)>
                {items
                    .into_iter()
                    .map(|s| {
                        let href = format!("/p/{}", s.slug);
                        let name = s.name.best(lang);
                        view! {
                            <li>
                                <a class="search__suggestion" href=href on:click=move |_| open.set(false)>
                                    {name}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        })
    };
    view! {
        <form action="/products" method="get" class="search" role="search">
            <label for="site-search" class="visually-hidden">
                {t!(i18n, search.label)}
            </label>
            <input
                id="site-search"
                class="search__input"
                type="search"
                name="q"
                autocomplete="off"
                maxlength="100"
                value=initial
                prop:value=move || text.get()
                placeholder=move || t_string!(i18n, search.placeholder)
                aria-controls="search-suggestions"
                on:input=move |ev| {
                    text.set(event_target_value(&ev));
                    open.set(true);
                }
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        open.set(false);
                    }
                }
            />
            <button class="search__submit button" type="submit" on:click=move |_| open.set(false)>
                {t!(i18n, search.submit)}
            </button>
            {list}
        </form>
    }
}
