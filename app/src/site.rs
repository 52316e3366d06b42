//! Where the site is: its public origin, for canonical links, the sitemap and JSON-LD.
use leptos::prelude::*;

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
