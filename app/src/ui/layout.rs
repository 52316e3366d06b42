//! The frame of every page: header with search and the language switch, footer, and the 404 page.
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_location;

use crate::i18n::{Locale, td, td_string};
use crate::lang::use_locale;

/// "Tiếng Việt | English". Plain links: the server sets the language cookie and sends the
/// visitor back to the same address, rendered in the other language.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let i18n = use_locale();
    let location = use_location();
    let back = move || {
        let path = location.pathname.get();
        let search = location.search.get();
        let target = if search.is_empty() { path } else { format!("{path}?{search}") };
        leptos_router::location::Url::escape(&target)
    };
    let link = move |locale: Locale, label: &'static str, code: &'static str| {
        view! {
            <a
                class="lang-switch__link"
                href=move || format!("/lang/{code}?next={}", back())
                hreflang=code
                lang=code
                rel="external"
                aria-current=move || (i18n == locale).then_some("true")
            >
                {label}
            </a>
        }
    };
    view! {
        <nav class="lang-switch" aria-label=move || td_string!(i18n, nav.language)>
            {link(Locale::vi, "Tiếng Việt", "vi")}
            <span class="lang-switch__sep" aria-hidden="true">
                "|"
            </span>
            {link(Locale::en, "English", "en")}
        </nav>
    }
}

#[component]
pub fn SiteFooter() -> impl IntoView {
    let i18n = use_locale();
    view! {
        <footer class="site-footer">
            <div class="site-footer__inner">
                <p class="site-footer__about">{td!(i18n, footer.about)}</p>
                <p class="site-footer__demo">{td!(i18n, footer.demo_note)}</p>
                <p class="site-footer__source">{td!(i18n, footer.source)}</p>
            </div>
        </footer>
    }
}

/// Sets the response status while rendering on the server (a no-op in the browser).
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(resp), Ok(status)) =
        (use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(code))
    {
        resp.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// The page for an unknown address or slug, answered with HTTP 404.
#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_locale();
    set_status(404);
    view! {
        <Title text=td_string!(i18n, not_found.title).to_string() />
        <Meta name="robots" content="noindex" />
        <section class="not-found">
            <h1 class="not-found__title">{td!(i18n, not_found.title)}</h1>
            <p>{td!(i18n, not_found.body)}</p>
            <p>
                <a class="button" href="/products">
                    {td!(i18n, not_found.browse)}
                </a>
            </p>
        </section>
    }
}

/// The 403 page: signed in, but not allowed here.
#[component]
pub fn Forbidden() -> impl IntoView {
    let i18n = use_locale();
    set_status(403);
    view! {
        <Title text=td_string!(i18n, accounts.forbidden.title).to_string() />
        <section class="not-found" role="alert">
            <h1 class="not-found__title">{td!(i18n, accounts.forbidden.title)}</h1>
            <p>{td!(i18n, accounts.forbidden.body)}</p>
            <p>
                <a class="button" href="/">
                    {td!(i18n, accounts.forbidden.home)}
                </a>
            </p>
        </section>
    }
}

/// An error other than "not found" while loading a page's data, answered with its status: 503
/// (with `Retry-After`) while the database cannot be reached, so that clients and proxies retry,
/// else 500.
#[component]
pub fn LoadError(error: crate::error::AppError) -> impl IntoView {
    let i18n = use_locale();
    let status = error.status().as_u16();
    set_status(if status >= 500 { status } else { 500 });
    #[cfg(feature = "ssr")]
    if let (Some(secs), Some(response)) = (error.retry_after(), use_context::<leptos_axum::ResponseOptions>())
        && let Ok(value) = http::HeaderValue::from_str(&secs.to_string())
    {
        response.insert_header(http::header::RETRY_AFTER, value);
    }
    view! {
        <section class="not-found" role="alert">
            <h1 class="not-found__title">{td!(i18n, errors.load_title)}</h1>
            <p>{td!(i18n, errors.load_body)}</p>
        </section>
    }
}

/// A page's data, once its resource has loaded: "Loading…" meanwhile, and the 404, 403 or error
/// page when loading failed. The pages hand the data to their islands as props.
#[component]
pub fn Loaded<T, V, F>(resource: Resource<Result<T, crate::error::AppError>>, view: F) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn(T) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    use crate::error::AppError;
    let i18n = use_locale();
    view! {
        <Suspense fallback=move || view! { <p>{td!(i18n, common.loading)}</p> }>
            {move || {
                resource
                    .get()
                    .map(|r| match r {
                        Ok(data) => view(data).into_any(),
                        Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                        Err(AppError::Forbidden) => view! { <Forbidden /> }.into_any(),
                        Err(error) => view! { <LoadError error /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}
