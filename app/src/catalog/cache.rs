//! A short-lived cache of product-list pages. A list with its facets costs a few milliseconds
//! (up to 7 ms for a broad search over 100,000 products) and is the same for every shopper until
//! the catalogue changes, so each page is kept for a minute, under the catalogue's generation
//! (`crate::changes`): the services that change products, prices, stock, photos, certificates
//! or cooperatives move it, and from then on the pages kept before are not read.
use std::sync::Arc;
use std::time::Duration;

use super::model::{ProductPage, ProductQuery};
use crate::lang::Lang;

/// How long a cached page may be served: the most a shopper can see a stale list.
const TTL: Duration = Duration::from_secs(60);
const MAX_PAGES: u64 = 5_000;

/// (query, language, Vietnam date, catalogue generation)
type Key = (ProductQuery, Lang, String, u64);

#[derive(Clone)]
pub struct PageCache {
    pages: moka::sync::Cache<Key, Arc<ProductPage>>,
}

impl Default for PageCache {
    fn default() -> PageCache {
        PageCache { pages: moka::sync::Cache::builder().max_capacity(MAX_PAGES).time_to_live(TTL).build() }
    }
}

impl PageCache {
    pub fn get(
        &self,
        query: &ProductQuery,
        lang: Lang,
        today: &str,
        generation: u64,
    ) -> Option<Arc<ProductPage>> {
        self.pages.get(&(query.clone(), lang, today.to_owned(), generation))
    }

    pub fn insert(&self, key: Key, page: Arc<ProductPage>) {
        self.pages.insert(key, page);
    }
}
