//! The product list, live. With JavaScript, a facet change, the sort, the "apply" button and the
//! pagination links fetch the list for the new address and swap it in place; the address bar
//! follows (so the URL stays shareable and Back works). Without JavaScript the same controls are
//! a plain GET form and plain links to the same addresses, so both paths render the same page.
use leptos::prelude::*;

/// The parts of the page that depend on the list's address: the list itself, and the language
/// switch, whose links bring the visitor back to the current address.
#[cfg(feature = "hydrate")]
const SWAPPED: [&str; 2] = [".catalog", ".lang-switch"];

/// An empty island placed before the list (`<div class="catalog">`, rendered by the page): once
/// hydrated, it listens on the list for facet changes, submits and page links, and on the window
/// for Back and Forward. It works on the DOM directly (no view, no signals): what it needs is then
/// almost all in the main WASM module already, so its lazy chunk comes in a few files, preloaded
/// with the page (`ui::lazy`), instead of the thirty a view-based island took on a slow link.
#[island(lazy)]
pub fn LiveCatalog() -> impl IntoView {
    crate::ui::lazy::preload_island("live_catalog");
    #[cfg(feature = "hydrate")]
    client::attach();
}

#[cfg(feature = "hydrate")]
mod client {
    use std::sync::atomic::{AtomicU32, Ordering};

    use js_sys::futures::JsFuture;
    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};

    use super::SWAPPED;

    /// Counts navigations, so a slow answer never overwrites a newer one.
    static LATEST: AtomicU32 = AtomicU32::new(0);

    /// Listens on the list and the window for as long as the page lives (the closures are kept).
    pub fn attach() {
        let Some(list) = document().query_selector(".catalog").ok().flatten() else {
            return;
        };
        listen(&list, "change", on_change);
        listen(&list, "submit", on_submit);
        listen(&list, "click", on_click);
        listen(&window(), "popstate", |_| {
            if let Ok(href) = window().location().href() {
                navigate(href, false);
            }
        });
    }

    fn listen(target: &web_sys::EventTarget, kind: &str, handler: fn(web_sys::Event)) {
        let closure = Closure::<dyn FnMut(web_sys::Event)>::new(handler);
        if target.add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref()).is_ok() {
            closure.forget();
        }
    }

    /// Marks the list as loading (dimmed by CSS, and `aria-busy` for screen readers).
    fn set_busy(busy: bool) {
        if let Some(list) = document().query_selector(".catalog").ok().flatten() {
            let _ = list.class_list().toggle_with_force("catalog--loading", busy);
            let _ = list.set_attribute("aria-busy", if busy { "true" } else { "false" });
        }
    }

    fn facet_form(target: Option<web_sys::EventTarget>) -> Option<web_sys::HtmlFormElement> {
        let el = target?.dyn_into::<web_sys::Element>().ok()?;
        let form = el.closest("form.facets").ok()??;
        form.dyn_into::<web_sys::HtmlFormElement>().ok()
    }

    /// The address the form would submit to: its action with the fields as the query string,
    /// leaving out empty fields (an unset price bound) so the address stays short.
    fn form_address(form: &web_sys::HtmlFormElement) -> Option<String> {
        let data = web_sys::FormData::new_with_form(form).ok()?;
        let params = web_sys::UrlSearchParams::new().ok()?;
        for entry in data.entries().into_iter().flatten() {
            let pair = js_sys::Array::from(&entry);
            if let (Some(key), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string())
                && !value.is_empty()
            {
                params.append(&key, &value);
            }
        }
        let query = String::from(params.to_string());
        let action = web_sys::Url::new(&form.action()).ok()?.pathname();
        Some(if query.is_empty() { action } else { format!("{action}?{query}") })
    }

    fn on_change(ev: web_sys::Event) {
        if let Some(href) = facet_form(ev.target()).as_ref().and_then(form_address) {
            navigate(href, true);
        }
    }

    fn on_submit(ev: web_sys::Event) {
        if let Some(href) = facet_form(ev.target()).as_ref().and_then(form_address) {
            ev.prevent_default();
            navigate(href, true);
        }
    }

    /// Links within the list to another page of the list; anything else is a normal link.
    fn on_click(ev: web_sys::Event) {
        let Ok(ev) = ev.dyn_into::<web_sys::MouseEvent>() else {
            return;
        };
        if ev.default_prevented()
            || ev.button() != 0
            || ev.meta_key()
            || ev.ctrl_key()
            || ev.shift_key()
            || ev.alt_key()
        {
            return;
        }
        let Some(link) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("a[href]").ok().flatten())
            .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        else {
            return;
        };
        let same_origin = window().location().origin().is_ok_and(|o| o == link.origin());
        if same_origin && link.pathname() == "/products" && link.target().is_empty() {
            ev.prevent_default();
            let href = format!("{}{}", link.pathname(), link.search());
            navigate(href, true);
            if let Some(list) = document().query_selector(".catalog").ok().flatten() {
                list.scroll_into_view();
            }
        }
    }

    /// Fetches `href` and swaps the list in. If that fails, the browser loads the address itself,
    /// so the visitor always gets the page they asked for.
    fn navigate(href: String, push: bool) {
        let ticket = LATEST.fetch_add(1, Ordering::SeqCst) + 1;
        set_busy(true);
        leptos::task::spawn_local(async move {
            let page = fetch_page(&href).await;
            if LATEST.load(Ordering::SeqCst) != ticket {
                return;
            }
            set_busy(false);
            let swapped = page.and_then(|doc| swap_in(&doc));
            match swapped {
                Ok(()) if push => {
                    if let Ok(history) = window().history() {
                        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&href));
                    }
                }
                Ok(()) => {}
                Err(_) => {
                    let _ = window().location().set_href(&href);
                }
            }
        });
    }

    /// The browser's own `fetch`, not an HTTP client crate: this island is in every product
    /// list's main WASM module, where each kilobyte is paid by every visitor.
    async fn fetch_page(href: &str) -> Result<web_sys::Document, JsValue> {
        let response: web_sys::Response = JsFuture::from(window().fetch_with_str(href)).await?.dyn_into()?;
        if !response.ok() {
            return Err(JsValue::from_str("the list did not load"));
        }
        let html = JsFuture::from(response.text()?).await?.as_string().unwrap_or_default();
        web_sys::DomParser::new()?.parse_from_string(&html, web_sys::SupportedType::TextHtml)
    }

    /// Replaces the address-dependent parts, the title and the canonical link, and gives focus
    /// back to the control the visitor was using (its element was replaced).
    fn swap_in(next: &web_sys::Document) -> Result<(), JsValue> {
        let current = document();
        let focused = current.active_element().map(|el| el.id()).filter(|id| !id.is_empty());
        for selector in SWAPPED {
            if let (Some(new), Some(old)) =
                (next.query_selector(selector)?, current.query_selector(selector)?)
            {
                old.set_inner_html(&new.inner_html());
            }
        }
        current.set_title(&next.title());
        let canonical = "link[rel=canonical]";
        if let (Some(new), Some(old)) = (next.query_selector(canonical)?, current.query_selector(canonical)?)
            && let Some(href) = new.get_attribute("href")
        {
            old.set_attribute("href", &href)?;
        }
        if let Some(el) = focused
            .and_then(|id| current.get_element_by_id(&id))
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        {
            el.focus()?;
        }
        Ok(())
    }
}
