//! Change signals, kept beside the database handle (`Db::shared`). A service that changes what
//! shoppers see in the catalogue (products, prices, stock, photos, certificates, cooperatives)
//! calls [`catalogue_changed`] once its write has committed; caches of figures derived from the
//! catalogue (the product-list pages, the dashboard's product charts) key on
//! [`catalogue_generation`], so they go stale at that moment, whichever domain made the change
//! and without it knowing who caches what.
use std::sync::atomic::{AtomicU64, Ordering};

use crate::db::Db;

/// How many times the catalogue has changed since this process opened the database.
#[derive(Debug, Default)]
struct CatalogueGeneration(AtomicU64);

/// Marks the catalogue changed: every cached figure derived from it is stale from now on.
pub fn catalogue_changed(db: &Db) {
    db.shared::<CatalogueGeneration>().0.fetch_add(1, Ordering::AcqRel);
}

/// The catalogue's generation now: a cache keys on it, so what it kept before a change is not
/// read after it (and what it computes while a change lands is kept under the old one).
pub fn catalogue_generation(db: &Db) -> u64 {
    db.shared::<CatalogueGeneration>().0.load(Ordering::Acquire)
}
