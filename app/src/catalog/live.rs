//! The product list, live. With JavaScript, a facet change, the sort, the "apply" button and the
//! pagination links fetch the list for the new address and swap it in place; the address bar
//! follows (so the URL stays shareable and Back works). Without JavaScript the same controls are
//! a plain GET form and plain links to the same addresses, so both paths render the same page.
use leptos::prelude::*;

/// The parts of the page that depend on the list's address: the list itself, and the language
/// switch, whose links bring the visitor back to the current address.
#[cfg(feature = "hydrate")]
const SWAPPED: [&str; 2] = [".catalog", ".lang-switch"];

#[island(lazy)]
pub fn LiveCatalog(children: Children) -> impl IntoView {
    let busy = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::popstate, move |_| {
            if let Ok(href) = window().location().href() {
                client::navigate(href, false, busy);
            }
        });
        on_cleanup(move || handle.remove());
    }
    view! {
        <div
            class="catalog"
            class:catalog--loading=move || busy.get()
            aria-busy=move || busy.get().to_string()
            on:change=move |ev| {
                #[cfg(feature = "hydrate")]
                client::on_change(ev, busy);
                #[cfg(not(feature = "hydrate"))]
                let _ = ev;
            }
            on:submit=move |ev| {
                #[cfg(feature = "hydrate")]
                client::on_submit(ev, busy);
                #[cfg(not(feature = "hydrate"))]
                let _ = ev;
            }
            on:click=move |ev| {
                #[cfg(feature = "hydrate")]
                client::on_click(ev, busy);
                #[cfg(not(feature = "hydrate"))]
                let _ = ev;
            }
        >
            {children()}
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod client {
    use std::sync::atomic::{AtomicU32, Ordering};

    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, JsValue};

    use super::SWAPPED;

    /// Counts navigations, so a slow answer never overwrites a newer one.
    static LATEST: AtomicU32 = AtomicU32::new(0);

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

    pub fn on_change(ev: leptos::ev::Event, busy: RwSignal<bool>) {
        if let Some(href) = facet_form(ev.target()).as_ref().and_then(form_address) {
            navigate(href, true, busy);
        }
    }

    pub fn on_submit(ev: leptos::ev::SubmitEvent, busy: RwSignal<bool>) {
        if let Some(href) = facet_form(ev.target()).as_ref().and_then(form_address) {
            ev.prevent_default();
            navigate(href, true, busy);
        }
    }

    /// Links within the list to another page of the list; anything else is a normal link.
    pub fn on_click(ev: leptos::ev::MouseEvent, busy: RwSignal<bool>) {
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
            navigate(href, true, busy);
            if let Some(list) = document().query_selector(".catalog").ok().flatten() {
                list.scroll_into_view();
            }
        }
    }

    /// Fetches `href` and swaps the list in. If that fails, the browser loads the address itself,
    /// so the visitor always gets the page they asked for.
    pub fn navigate(href: String, push: bool, busy: RwSignal<bool>) {
        let ticket = LATEST.fetch_add(1, Ordering::SeqCst) + 1;
        busy.set(true);
        leptos::task::spawn_local(async move {
            let page = fetch_page(&href).await;
            if LATEST.load(Ordering::SeqCst) != ticket {
                return;
            }
            busy.set(false);
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

    async fn fetch_page(href: &str) -> Result<web_sys::Document, JsValue> {
        let response =
            gloo_net::http::Request::get(href).send().await.map_err(|e| JsValue::from_str(&e.to_string()))?;
        if !response.ok() {
            return Err(JsValue::from_str("the list did not load"));
        }
        let html = response.text().await.map_err(|e| JsValue::from_str(&e.to_string()))?;
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
