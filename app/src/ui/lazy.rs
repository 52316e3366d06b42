//! Lazy islands, fetched early. A lazy island's code sits in WASM chunks that the browser would
//! only ask for when hydration reaches the island, one round trip after the main module and one
//! more for every chunk it then finds it needs; on a 400 ms link that is seconds. A lazy island's
//! loader never runs on the server, so Leptos's own preloading (for lazy functions that run while
//! the page renders) never sees it: [`preload_island`] writes the `<link rel="preload">` tags for
//! its chunks into the page's `<head>` instead. They are `fetchpriority="low"`: the chunks must not
//! hold back the page's own picture (the largest paint) on a slow link, only beat the round trips.

/// Called at the top of a lazy island's body: on the server it adds preload tags for the island's
/// chunks to the page (once per page, however many islands share a chunk); in the browser it does
/// nothing. `island` is the island's name in snake case (`LiveCatalog` → `"live_catalog"`).
#[cfg_attr(not(feature = "ssr"), allow(unused_variables))]
pub fn preload_island(island: &str) {
    #[cfg(feature = "ssr")]
    server::preload(island);
}

/// The chunks already named on the page being rendered; provided once per request by the shell.
#[cfg(feature = "ssr")]
pub use server::provide_preloads;

#[cfg(feature = "ssr")]
mod server {
    use std::collections::{HashMap, HashSet};
    use std::sync::{Arc, LazyLock, Mutex, PoisonError};

    use leptos::WasmSplitManifest;
    use leptos::prelude::*;
    use leptos_meta::Link;

    /// Each island's chunk addresses, read from the split manifest once per process.
    static CHUNKS: LazyLock<Mutex<HashMap<String, Arc<[String]>>>> = LazyLock::new(Default::default);

    #[derive(Clone, Default)]
    struct Preloaded(Arc<Mutex<HashSet<String>>>);

    pub fn provide_preloads() {
        provide_context(Preloaded::default());
    }

    fn chunks_of(island: &str) -> Option<Arc<[String]>> {
        let mut cache = CHUNKS.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(chunks) = cache.get(island) {
            return Some(chunks.clone());
        }
        // No manifest (a build without --split, as in the tests): nothing to preload.
        let manifest = use_context::<WasmSplitManifest>()?;
        let read = manifest.0.try_read_value()?;
        let (pkg, modules, _) = &*read;
        // `#[island(lazy)]` wraps the island's hydration in a `{island}_loader` lazy function, and
        // the split manifest names each lazy function `{snake name}_{hash of its location}`.
        let prefix = format!("{island}_loader_");
        let chunks: Arc<[String]> = modules
            .iter()
            .find(|(name, _)| name.starts_with(&prefix))
            .map(|(_, files)| files.iter().map(|file| format!("{pkg}/{file}.wasm")).collect())
            .unwrap_or_default();
        cache.insert(island.to_owned(), chunks.clone());
        Some(chunks)
    }

    pub fn preload(island: &str) {
        let (Some(chunks), Some(Preloaded(seen))) = (chunks_of(island), use_context::<Preloaded>()) else {
            return;
        };
        let mut seen = seen.lock().unwrap_or_else(PoisonError::into_inner);
        for href in chunks.iter().filter(|href| seen.insert((*href).clone())) {
            // Rendering a leptos_meta tag registers it for the page's <head>.
            let _ = view! {
                <Link
                    rel="preload"
                    href=href.clone()
                    as_="fetch"
                    type_="application/wasm"
                    crossorigin=""
                    fetchpriority="low"
                />
            }
            .to_html();
        }
    }
}
