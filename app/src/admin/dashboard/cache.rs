//! The product charts (products by stars, by group) kept ahead of the request. They count the
//! catalogue, not the orders: 100,000 products cost 60–120 ms of SQL per render (a pass over
//! the published products and their certificates), and the answer stays the same until the
//! catalogue changes or the day does (a certificate expires). So each filter's answer is kept
//! under the catalogue's generation and the Vietnam day, for a minute at most, and a background
//! task computes the unfiltered one again whenever it is missing: the dashboard's default view
//! rarely waits for it.
use std::sync::Arc;
use std::time::Duration;

use super::model::{Count, DashboardFilter};
use crate::changes::catalogue_generation;
use crate::db::Db;

/// The longest a product chart can lag a change that did not invalidate the catalogue.
const TTL: Duration = Duration::from_secs(60);
const MAX_ENTRIES: u64 = 1_000;
/// How often the warmer looks for a missing default view.
pub const WARM_EVERY: Duration = Duration::from_secs(10);

/// By stars, by group.
pub type ProductCounts = (Vec<Count>, Vec<Count>);

/// (catalogue generation, Vietnam day, district, group, stars)
type Key = (u64, i64, Option<String>, Option<String>, Option<i64>);

/// Counts that go stale when the catalogue of the database they were counted in changes
/// (`crate::changes`).
#[derive(Clone)]
pub struct ProductCharts {
    counts: moka::sync::Cache<Key, Arc<ProductCounts>>,
}

impl Default for ProductCharts {
    fn default() -> ProductCharts {
        ProductCharts {
            counts: moka::sync::Cache::builder().max_capacity(MAX_ENTRIES).time_to_live(TTL).build(),
        }
    }
}

impl ProductCharts {
    fn key(db: &Db, filter: &DashboardFilter, today: i64) -> Key {
        (
            catalogue_generation(db),
            today,
            filter.district().map(str::to_owned),
            filter.group().map(str::to_owned),
            filter.stars(),
        )
    }

    /// The counts for `filter` on `today`: kept ones, or `compute`d and kept. The generation
    /// is read before computing, so counts that raced a catalogue change are kept under the
    /// old generation, where nothing reads them.
    pub async fn get_or_compute<F>(
        &self,
        db: &Db,
        filter: &DashboardFilter,
        today: i64,
        compute: F,
    ) -> Result<Arc<ProductCounts>, sqlx::Error>
    where
        F: Future<Output = Result<ProductCounts, sqlx::Error>>,
    {
        let key = Self::key(db, filter, today);
        if let Some(kept) = self.counts.get(&key) {
            return Ok(kept);
        }
        let counts = Arc::new(compute.await?);
        self.counts.insert(key, counts.clone());
        Ok(counts)
    }

    /// Whether `filter`'s counts on `today` are kept now.
    pub fn has(&self, db: &Db, filter: &DashboardFilter, today: i64) -> bool {
        self.counts.contains_key(&Self::key(db, filter, today))
    }
}
