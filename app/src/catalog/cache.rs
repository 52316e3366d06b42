//! A short-lived cache of product-list pages. A list with its facets costs a few milliseconds
//! (up to 7 ms for a broad search over 100,000 products) and is the same for every shopper until
//! the catalogue changes, so each page is kept for a minute. Code that changes
//! products, prices, stock or certificates calls `invalidate`, which also moves the catalogue's
//! `generation`: other figures derived from the catalogue (the admin dashboard's product
//! charts) are kept under it and so go stale at the same moment.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::model::{ProductPage, ProductQuery};
use crate::lang::Lang;

/// How long a cached page may be served: the most a shopper can see a stale list.
const TTL: Duration = Duration::from_secs(60);
const MAX_PAGES: u64 = 5_000;

#[derive(Clone)]
pub struct PageCache {
    pages: moka::sync::Cache<(ProductQuery, Lang, String), Arc<ProductPage>>,
    generation: Arc<AtomicU64>,
}

impl Default for PageCache {
    fn default() -> PageCache {
        PageCache {
            pages: moka::sync::Cache::builder().max_capacity(MAX_PAGES).time_to_live(TTL).build(),
            generation: Arc::default(),
        }
    }
}

impl PageCache {
    pub fn get(&self, query: &ProductQuery, lang: Lang, today: &str) -> Option<Arc<ProductPage>> {
        self.pages.get(&(query.clone(), lang, today.to_owned()))
    }

    pub fn insert(&self, query: ProductQuery, lang: Lang, today: String, page: Arc<ProductPage>) {
        self.pages.insert((query, lang, today), page);
    }

    /// Forgets every page; called after any change to the catalogue.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.pages.invalidate_all();
    }

    /// How many times the catalogue has changed since this instance started.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }
}
