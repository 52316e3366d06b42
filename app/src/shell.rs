//! The HTML shell, the router with every page, and the request context that server functions read.
use leptos::prelude::*;
use leptos_meta::{Link, Meta, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::accounts::pages::{
    AccountPage, ApplicationsPage, ApplyPage, ApplySentPage, LoginPage, SignUpPage, provide_viewer,
};
use crate::admin::dashboard::pages::AdminDashboardPage;
use crate::admin::moderation_pages::{AdminCooperativesPage, AdminProductsPage};
use crate::admin::pages::{AdminAuditPage, AdminCertificatesPage, AdminUsersPage};
use crate::catalog::pages::{CooperativePage, HomePage, ProductListPage, ProductPage};
use crate::coops::pages::{
    CoopOverviewPage, CoopProductsPage, CoopProfilePage, EditProductPage, NewProductPage,
};
use crate::fairs::pages::{
    AdminFairsPage, BoothPage, CoopBoothEditPage, CoopBoothPage, EditFairPage, FairHallPage, FairsPage,
    NewFairPage,
};
use crate::i18n::I18nContextProvider;
use crate::inquiries::pages::{
    AdminInquiriesPage, CoopInquiriesPage, CoopInquiryPage, InquiryPage, InquirySentPage,
};
use crate::orders::pages::{
    CartPage, CheckoutPage, CoopOrderPage, CoopOrdersPage, MyOrderPage, MyOrdersPage, OrderPlacedPage,
};
use crate::ui::layout::{NotFound, SiteFooter, SiteHeader};

/// The public origin of the site (`PUBLIC_URL`), for canonical links, the sitemap and JSON-LD.
#[derive(Clone, Debug)]
pub struct SiteUrl(pub String);

/// The origin canonical URLs are built on: the configured one on the server, the page's own in
/// the browser (the same origin whenever PUBLIC_URL is set right).
pub fn site_url() -> String {
    #[cfg(feature = "ssr")]
    {
        use_context::<SiteUrl>().map(|s| s.0).unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        window().location().origin().unwrap_or_default()
    }
}

/// The database handle that the server put in the request's context.
#[cfg(feature = "ssr")]
pub fn use_db() -> Result<crate::db::Db, crate::error::AppError> {
    use_context::<crate::db::Db>().ok_or_else(|| {
        tracing::error!("no database handle in the request context");
        crate::error::AppError::Internal
    })
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
                        <Route path=path!("") view=HomePage ssr=SsrMode::Async />
                        <Route path=path!("/products") view=ProductListPage ssr=SsrMode::Async />
                        <Route path=path!("/p/:slug") view=ProductPage ssr=SsrMode::Async />
                        <Route path=path!("/c/:slug") view=CooperativePage ssr=SsrMode::Async />
                        <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                        <Route path=path!("/signup") view=SignUpPage ssr=SsrMode::Async />
                        <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async />
                        <Route path=path!("/apply") view=ApplyPage ssr=SsrMode::Async />
                        <Route path=path!("/apply/sent") view=ApplySentPage ssr=SsrMode::Async />
                        <Route path=path!("/coop") view=CoopOverviewPage ssr=SsrMode::Async />
                        <Route path=path!("/coop/products") view=CoopProductsPage ssr=SsrMode::Async />
                        <Route path=path!("/coop/profile") view=CoopProfilePage ssr=SsrMode::Async />
                        <Route path=path!("/coop/orders") view=CoopOrdersPage ssr=SsrMode::Async />
                        <Route path=path!("/coop/orders/:number") view=CoopOrderPage ssr=SsrMode::Async />
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
