//! The HTML shell, the router with every page, and the request context that server functions read.
use leptos::prelude::*;
use leptos_meta::{Link, Meta, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::accounts::guards::provide_viewer;
use crate::accounts::link_pages::{ForgotPasswordPage, ResetPasswordPage, VerifyEmailPage};
use crate::accounts::pages::{
    AccountNav, AccountPage, ApplicationsPage, ApplyPage, ApplySentPage, LoginPage, SignUpPage,
};
use crate::admin::dashboard::pages::AdminDashboardPage;
use crate::admin::moderation_pages::{AdminCooperativesPage, AdminProductsPage};
use crate::admin::pages::{
    AdminAuditPage, AdminCertificatesPage, AdminEmailsPage, AdminShippingPage, AdminUsersPage,
};
use crate::catalog::pages::{CooperativePage, HomePage, ProductListPage, ProductPage};
use crate::coops::pages::{
    CoopOverviewPage, CoopProductsPage, CoopProfilePage, EditProductPage, NewProductPage,
};
use crate::fairs::pages::{
    AdminFairsPage, BoothPage, CoopBoothEditPage, CoopBoothPage, EditFairPage, FairHallPage, FairsPage,
    NewFairPage, RunningFairBanner,
};
use crate::i18n::{I18nContextProvider, td, td_string};
use crate::inquiries::pages::{
    AdminInquiriesPage, CoopInquiriesPage, CoopInquiryPage, InquiryPage, InquirySentPage,
};
use crate::lang::use_locale;
use crate::notifications::bell::NotificationBell;
use crate::notifications::pages::{EmailSettings, NotificationsPage, UnsubscribePage};
use crate::orders::pages::{
    CartPage, CheckoutPage, CoopOrderPage, CoopOrdersPage, CoopPaymentsPage, MyOrderPage, MyOrdersPage,
    OrderPlacedPage,
};
use crate::orders::widgets::CartLink;
use crate::search::suggest_box::SearchBox;
use crate::ui::layout::{LangSwitch, NotFound, SiteFooter};

/// What starting a session brings beyond the account: the visitor's anonymous cart joins it.
/// The server provides it in every request's context.
#[cfg(feature = "ssr")]
pub const SESSION_START: crate::accounts::session::SessionStart =
    crate::accounts::session::SessionStart(|db, user| {
        Box::pin(async move { crate::orders::api::adopt_anonymous_cart(&db, user).await })
    });

/// The header of every page, put together from the parts the domains export: the search box,
/// the bell, the cart link, the account links and the language switch.
#[component]
pub fn SiteHeader() -> impl IntoView {
    let i18n = use_locale();
    let query = leptos_router::hooks::use_query_map();
    let search = query.with_untracked(|m| m.get("q").unwrap_or_default());
    view! {
        <header class="site-header">
            <div class="site-header__inner">
                <a class="site-header__brand" href="/">
                    <span class="site-header__logo" aria-hidden="true">
                        "★"
                    </span>
                    <span class="site-header__name">"OCOP Market"</span>
                    <span class="site-header__tagline">{td!(i18n, nav.tagline)}</span>
                </a>
                <SearchBox initial=search />
                <NotificationBell />
                <CartLink />
                // Phones: everything but the search and the cart folds into this menu, which
                // opens without JavaScript. Wide screens show its content in the header row.
                <details class="site-menu">
                    <summary class="site-menu__toggle">
                        <span class="site-menu__icon" aria-hidden="true"></span>
                        <span class="site-menu__label">{td!(i18n, nav.menu)}</span>
                    </summary>
                    <div class="site-menu__panel">
                        <nav class="site-nav" aria-label=move || td_string!(i18n, nav.main)>
                            <a class="site-nav__link" href="/products">
                                {td!(i18n, nav.products)}
                            </a>
                            <a class="site-nav__link" href="/fairs">
                                {td!(i18n, fairs.fair.nav)}
                            </a>
                            <AccountNav />
                        </nav>
                        <LangSwitch />
                    </div>
                </details>
            </div>
        </header>
    }
}

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Marks `<body data-hydrated>` once the WASM has taken over, so tests (and CSS) can tell.
#[island]
fn HydrationMarker() -> impl IntoView {
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_viewer();
    #[cfg(feature = "ssr")]
    crate::ui::lazy::provide_preloads();
    view! {
        <I18nContextProvider>
            <Stylesheet id="leptos" href="/pkg/ocop.css" />
            // Every page's <Title> is a plain string made when the page renders, never a
            // closure: leptos_meta reads a title closure when it writes the <head>, which under
            // load can come after the page's reactive owner is gone, and the read panicked the
            // worker (2% of pages at 300 requests/s, scripts/faults.sh). Pages are not hydrated
            // (islands), so a title has nothing to follow.
            <Title formatter=|page: String| format!("{page} · OCOP Market") />
            <Link rel="icon" href="/favicon.svg" type_="image/svg+xml" />
            <Meta name="theme-color" content="#1f6f43" />
            <Router>
                <a class="skip-link" href="#main">
                    <SkipLabel />
                </a>
                <SiteHeader />
                <main id="main" class="site-main">
                    <Routes fallback=NotFound>
                        <Route
                            path=path!("")
                            view=|| view! { <HomePage><RunningFairBanner /></HomePage> }
                            ssr=SsrMode::Async
                        />
                        <Route path=path!("/products") view=ProductListPage ssr=SsrMode::Async />
                        <Route path=path!("/p/:slug") view=ProductPage ssr=SsrMode::Async />
                        <Route path=path!("/c/:slug") view=CooperativePage ssr=SsrMode::Async />
                        <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                        <Route path=path!("/signup") view=SignUpPage ssr=SsrMode::Async />
                        <Route
                            path=path!("/account")
                            view=|| view! { <AccountPage><EmailSettings /></AccountPage> }
                            ssr=SsrMode::Async
                        />
                        <Route path=path!("/notifications") view=NotificationsPage ssr=SsrMode::Async />
                        <Route path=path!("/forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async />
                        <Route path=path!("/reset-password") view=ResetPasswordPage ssr=SsrMode::Async />
                        <Route path=path!("/verify-email") view=VerifyEmailPage ssr=SsrMode::Async />
                        <Route path=path!("/mail/unsubscribe") view=UnsubscribePage ssr=SsrMode::Async />
                        <Route path=path!("/admin/emails") view=AdminEmailsPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/shipping") view=AdminShippingPage ssr=SsrMode::Async />
                        <Route path=path!("/apply") view=ApplyPage ssr=SsrMode::Async />
                        <Route path=path!("/apply/sent") view=ApplySentPage ssr=SsrMode::Async />
                        <Route path=path!("/coop") view=CoopOverviewPage ssr=SsrMode::Async />
                        <Route path=path!("/coop/products") view=CoopProductsPage ssr=SsrMode::Async />
                        <Route path=path!("/coop/profile") view=CoopProfilePage ssr=SsrMode::Async />
                        <Route path=path!("/coop/orders") view=CoopOrdersPage ssr=SsrMode::Async />
                        <Route path=path!("/coop/orders/:number") view=CoopOrderPage ssr=SsrMode::Async />
                        <Route path=path!("/coop/payments") view=CoopPaymentsPage ssr=SsrMode::Async />
                        <Route path=path!("/booths/:slug") view=BoothPage ssr=SsrMode::Async />
                        <Route path=path!("/booths/:slug/inquiry") view=InquiryPage ssr=SsrMode::Async />
                        <Route path=path!("/booths/:slug/inquiry/sent") view=InquirySentPage />
                        <Route path=path!("/coop/booth") view=CoopBoothPage ssr=SsrMode::Async />
                        <Route path=path!("/coop/booth/edit") view=CoopBoothEditPage ssr=SsrMode::Async />
                        <Route path=path!("/fairs") view=FairsPage ssr=SsrMode::Async />
                        <Route path=path!("/fairs/:slug") view=FairHallPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/fairs") view=AdminFairsPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/fairs/new") view=NewFairPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/fairs/:slug/edit") view=EditFairPage ssr=SsrMode::Async />
                        <Route path=path!("/coop/inquiries") view=CoopInquiriesPage ssr=SsrMode::Async />
                        <Route path=path!("/coop/inquiries/:id") view=CoopInquiryPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/inquiries") view=AdminInquiriesPage ssr=SsrMode::Async />
                        <Route path=path!("/admin") view=AdminDashboardPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/cooperatives") view=AdminCooperativesPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/products") view=AdminProductsPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/users") view=AdminUsersPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/audit") view=AdminAuditPage ssr=SsrMode::Async />
                        <Route path=path!("/admin/certificates") view=AdminCertificatesPage ssr=SsrMode::Async />
                        <Route path=path!("/cart") view=CartPage ssr=SsrMode::Async />
                        <Route path=path!("/checkout") view=CheckoutPage ssr=SsrMode::Async />
                        <Route path=path!("/orders") view=MyOrdersPage ssr=SsrMode::Async />
                        <Route path=path!("/orders/placed/:id") view=OrderPlacedPage ssr=SsrMode::Async />
                        <Route path=path!("/orders/:number") view=MyOrderPage ssr=SsrMode::Async />
                        <Route path=path!("/coop/products/new") view=NewProductPage ssr=SsrMode::Async />
                        <Route path=path!("/coop/products/:id") view=EditProductPage ssr=SsrMode::Async />
                        <Route
                            path=path!("/admin/applications")
                            view=ApplicationsPage
                            ssr=SsrMode::Async
                        />
                    </Routes>
                </main>
                <SiteFooter />
                // Last, so it hydrates after every other island of the page.
                <HydrationMarker />
            </Router>
        </I18nContextProvider>
    }
}

#[component]
fn SkipLabel() -> impl IntoView {
    let i18n = crate::lang::use_locale();
    crate::i18n::td!(i18n, nav.skip)
}
