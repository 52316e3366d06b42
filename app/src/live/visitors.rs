//! The site's recent visitors, for the dashboard's "visitors on the site": a key per visitor
//! (session, visitor cookie or address and user agent) that expires after their last page.
//!
//! Every HTML GET adds a key, and anyone can make new keys (a new user agent each time), so the
//! set is a cache with a time to live and a size cap that forgets visitors by itself, whether or
//! not a dashboard is open to read the count.
use std::time::Duration;

/// How many distinct visitors one instance remembers at most; past this, new ones may go
/// uncounted (the cache admits by frequency), which bounds the memory to a few megabytes.
pub const MAX_SITE_VISITORS: u64 = 100_000;

#[derive(Clone)]
pub struct SiteVisitors {
    seen: moka::sync::Cache<u64, ()>,
}

impl SiteVisitors {
    /// Visitors count for `active` after their last page; at most `cap` are remembered.
    pub fn new(active: Duration, cap: u64) -> SiteVisitors {
        SiteVisitors { seen: moka::sync::Cache::builder().max_capacity(cap).time_to_live(active).build() }
    }

    /// Notes a page view; true when the visitor was not active (new, or back after `active`).
    pub fn saw(&self, key: u64) -> bool {
        let new = !self.seen.contains_key(&key);
        // A write restarts the entry's time to live: active counts from the last page.
        self.seen.insert(key, ());
        new
    }

    /// The visitors active now.
    pub fn count(&self) -> u64 {
        self.seen.run_pending_tasks();
        self.seen.entry_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_distinct_visitors_stay_within_the_cap() {
        let visitors = SiteVisitors::new(Duration::from_secs(300), 100);
        for key in 0..10_000 {
            visitors.saw(key);
        }
        let count = visitors.count();
        assert!(count <= 100, "{count} remembered");
        assert!(count > 0);
    }

    #[test]
    fn visitors_expire_without_anyone_reading_the_count() {
        let active = Duration::from_millis(100);
        let visitors = SiteVisitors::new(active, 1000);
        for key in 0..50 {
            assert!(visitors.saw(key), "{key} is new");
        }
        assert!(!visitors.saw(7), "a visitor on their second page is not new");
        std::thread::sleep(active + Duration::from_millis(50));
        // No count was read in between; the entries went by themselves.
        assert!(visitors.saw(7), "back after the active window: new again");
        assert_eq!(visitors.count(), 1);
    }
}
