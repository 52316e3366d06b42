//! The header search box: a plain GET form to /products, with suggestions while typing once hydrated.
use leptos::prelude::*;

use super::api::suggest;
use super::model::Suggestion;
use crate::i18n::{td, td_string};
use crate::lang::use_lang;
use crate::lang::use_locale;

/// The call to the server and the decoding of its answer sit in their own WASM chunk, fetched
/// when the visitor first types two letters: a page that is only read never downloads them.
#[lazy]
async fn fetch_suggestions(q: String) -> Vec<Suggestion> {
    suggest(q).await.unwrap_or_default()
}

/// An island: `initial` is the search the page was rendered for.
#[island]
pub fn SearchBox(initial: String) -> impl IntoView {
    let i18n = use_locale();
    let lang = use_lang();
    let text = RwSignal::new(initial.clone());
    let open = RwSignal::new(false);
    let suggestions = LocalResource::new(move || {
        let q = text.get();
        async move {
            if q.trim().chars().count() < 2 {
                return Vec::new();
            }
            fetch_suggestions(q).await
        }
    });
    // The suggestion that has the focus, for the arrow keys.
    let active = RwSignal::new(None::<usize>);
    let count = move || suggestions.with(|s| s.as_ref().map_or(0, Vec::len));
    let shown = move || open.get() && count() > 0;
    let keys = move |ev: leptos::ev::KeyboardEvent| {
        let last = count().saturating_sub(1);
        let target = match ev.key().as_str() {
            "ArrowDown" if shown() => Some(active.get_untracked().map_or(0, |i| (i + 1).min(last))),
            "ArrowUp" if shown() && active.get_untracked().is_some() => {
                active.get_untracked().and_then(|i| i.checked_sub(1))
            }
            "Escape" => {
                open.set(false);
                None
            }
            _ => return,
        };
        ev.prevent_default();
        active.set(target);
        let id = target.map_or_else(|| "site-search".to_owned(), |i| format!("search-suggestion-{i}"));
        focus(&id);
    };
    let list = move || {
        let items = suggestions.get().unwrap_or_default();
        if !open.get() || items.is_empty() {
            return None;
        }
        let lang = lang.get();
        Some(view! {
            <ul id="search-suggestions" class="search__suggestions" aria-label=move || td_string!(i18n, search.suggestions)>
                {items
                    .into_iter()
                    .enumerate()
                    .map(|(i, s)| {
                        let href = format!("/p/{}", s.slug);
                        let name = s.name.best(lang);
                        view! {
                            <li>
                                <a
                                    id=format!("search-suggestion-{i}")
                                    class="search__suggestion"
                                    href=href
                                    on:click=move |_| open.set(false)
                                    on:focus=move |_| active.set(Some(i))
                                >
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
        <form action="/products" method="get" class="search" role="search" on:keydown=keys>
            <label for="site-search" class="visually-hidden">
                {td!(i18n, search.label)}
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
                placeholder=move || td_string!(i18n, search.placeholder)
                // The list is in the page only while it is open, and only then does the box
                // say that it controls it.
                aria-controls=move || shown().then_some("search-suggestions")
                aria-autocomplete="list"
                on:input=move |ev| {
                    text.set(event_target_value(&ev));
                    open.set(true);
                    active.set(None);
                }
                on:focus=move |_| active.set(None)
            />
            <button class="search__submit button" type="submit" on:click=move |_| open.set(false)>
                {td!(i18n, search.submit)}
            </button>
            {list}
        </form>
    }
}

/// Moves the keyboard focus to the element with this id, if it is on the page.
fn focus(id: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(el) =
            document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}
