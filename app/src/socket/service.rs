//! Who may follow what, and the per-connection rate limit. Every subscription passes through
//! `authorize`, with the session looked up again each time (a session that ended since the
//! connection opened no longer counts).
use crate::accounts::model::Viewer;
use crate::db::Db;
use crate::live::model::{Refusal, Topic};

/// The other end of a connection, as learned from the upgrade request's cookies.
#[derive(Debug, Clone, Default)]
pub struct Peer {
    pub session_token: Option<String>,
    /// SHA-256 of the `ocop_visitor` cookie: an anonymous visitor's chat identity.
    pub visitor_hash: Option<String>,
    pub ip: String,
}

/// The signed-in user behind `peer`, as of now.
pub async fn viewer(db: &Db, peer: &Peer) -> Result<Option<Viewer>, Refusal> {
    let Some(token) = &peer.session_token else { return Ok(None) };
    crate::accounts::session::resolve(db, token, crate::clock::now_unix()).await.map_err(|e| {
        tracing::error!(error = %e, "could not read the session of a live connection");
        Refusal::Unavailable
    })
}

fn member_of(viewer: Option<&Viewer>, coop: i64) -> bool {
    viewer.and_then(Viewer::dashboard_cooperative).is_some_and(|m| m.cooperative_id == coop)
}

/// What a subscription was granted: the topics to follow (a fair hall brings its booths) and
/// the signed-in user whose right it is, if any (losing that right takes the topics away).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub topics: Vec<Topic>,
    pub user: Option<i64>,
}

impl Grant {
    fn public(topics: Vec<Topic>) -> Grant {
        Grant { topics, user: None }
    }
}

/// The topics to subscribe for `topic`, or why not.
pub async fn authorize(db: &Db, peer: &Peer, topic: Topic) -> Result<Grant, Refusal> {
    let unavailable = |e: sqlx::Error| {
        tracing::error!(error = %e, "live authorization query failed");
        Refusal::Unavailable
    };
    match topic {
        Topic::Booth(coop) => {
            let open = crate::fairs::service::is_open_booth(db, coop).await.map_err(unavailable)?;
            if open { Ok(Grant::public(vec![topic])) } else { Err(Refusal::NotFound) }
        }
        Topic::Fair(fair) => {
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM fairs WHERE id = $1")
                .bind(fair)
                .fetch_optional(&db.pool)
                .await
                .map_err(unavailable)?;
            if found.is_none() {
                return Err(Refusal::NotFound);
            }
            let booths: Vec<i64> = sqlx::query_scalar(
                "SELECT fb.cooperative_id FROM fair_booths fb JOIN cooperatives c ON c.id = fb.cooperative_id \
                 WHERE c.status = 'approved' AND fb.fair_id = $1",
            )
            .bind(fair)
            .fetch_all(&db.pool)
            .await
            .map_err(unavailable)?;
            Ok(Grant::public(std::iter::once(topic).chain(booths.into_iter().map(Topic::Booth)).collect()))
        }
        Topic::Coop(coop) => {
            let viewer = viewer(db, peer).await?;
            match viewer {
                Some(v) if member_of(Some(&v), coop) => Ok(Grant { topics: vec![topic], user: Some(v.id) }),
                _ => Err(Refusal::Forbidden),
            }
        }
        Topic::Admin => {
            let viewer = viewer(db, peer).await?;
            match viewer {
                Some(v) if v.is_admin() => Ok(Grant { topics: vec![topic], user: Some(v.id) }),
                _ => Err(Refusal::Forbidden),
            }
        }
        Topic::User(id) => match viewer(db, peer).await? {
            Some(v) if v.id == id => Ok(Grant { topics: vec![topic], user: Some(v.id) }),
            _ => Err(Refusal::Forbidden),
        },
        Topic::Conversation(id) => {
            let owner =
                crate::fairs::chat::owner(db, id).await.map_err(unavailable)?.ok_or(Refusal::NotFound)?;
            let viewer = viewer(db, peer).await?;
            if owner.is_visitor(None, peer.visitor_hash.as_deref()) {
                // The visitor's cookie is theirs whoever is signed in.
                Ok(Grant::public(vec![topic]))
            } else if owner.is_visitor(viewer.as_ref(), None)
                || member_of(viewer.as_ref(), owner.cooperative_id)
            {
                Ok(Grant { topics: vec![topic], user: viewer.map(|v| v.id) })
            } else {
                // Someone else's conversation looks like no conversation at all.
                Err(Refusal::NotFound)
            }
        }
    }
}

/// A token bucket per connection: `burst` messages at once, then one per `refill`.
#[derive(Debug)]
pub struct RateLimit {
    burst: f64,
    per_second: f64,
    tokens: f64,
    at: std::time::Instant,
}

impl RateLimit {
    /// Chat: 5 messages at once, then one every 2 seconds.
    pub fn chat() -> RateLimit {
        RateLimit::new(5, std::time::Duration::from_secs(2))
    }

    pub fn new(burst: u32, refill: std::time::Duration) -> RateLimit {
        let burst = f64::from(burst);
        RateLimit {
            burst,
            per_second: 1.0 / refill.as_secs_f64(),
            tokens: burst,
            at: std::time::Instant::now(),
        }
    }

    /// Takes a token at `now`, or says no.
    pub fn allow_at(&mut self, now: std::time::Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.at = now;
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    pub fn allow(&mut self) -> bool {
        self.allow_at(std::time::Instant::now())
    }
}

/// Live connections one address may hold at once. A household, a school or a mobile carrier's
/// NAT behind one address opens a few tabs per person; a script opening thousands is refused at
/// the upgrade. Behind a reverse proxy, set TRUSTED_PROXIES, or every client shares its address.
pub const CONNECTIONS_PER_ADDRESS: u32 = 64;
/// Distinct topics one connection may ask for (a page follows two or three).
pub const TOPICS_PER_CONNECTION: usize = 16;
/// Booth visits one address may add to one booth's traffic per day, however many visitor
/// cookies or connections it shows: replayed `enter` frames cannot inflate the figures.
pub const VISITS_PER_ADDRESS_PER_BOOTH_DAY: u32 = 20;
/// Chat messages one address may send at once, over all its connections.
pub const ADDRESS_CHAT_BURST: u32 = 20;
/// Addresses remembered by the per-address limits (least recently seen forgotten first).
const ADDRESSES: u64 = 100_000;

/// Frame limits per connection: any frame, 30 at once then 10 a second.
pub fn connection_frames() -> RateLimit {
    RateLimit::new(30, std::time::Duration::from_millis(100))
}

/// The limits of one server instance's live endpoint that outlast a connection, kept per client
/// address: open connections, frames and chat messages across all of the address's
/// connections (so reconnecting does not reset them), and booth visits counted. Every map is
/// bounded: the connection counts by the connections open, the others by size and age.
#[derive(Clone)]
pub struct AddressLimits {
    connections: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, u32>>>,
    frames: moka::sync::Cache<String, std::sync::Arc<std::sync::Mutex<RateLimit>>>,
    chat: moka::sync::Cache<String, std::sync::Arc<std::sync::Mutex<RateLimit>>>,
    visits: moka::sync::Cache<(String, i64, i64), u32>,
}

impl Default for AddressLimits {
    fn default() -> Self {
        let limiter = || {
            moka::sync::Cache::builder()
                .max_capacity(ADDRESSES)
                .time_to_idle(std::time::Duration::from_secs(600))
                .build()
        };
        AddressLimits {
            connections: Default::default(),
            frames: limiter(),
            chat: limiter(),
            visits: moka::sync::Cache::builder()
                .max_capacity(ADDRESSES)
                .time_to_live(std::time::Duration::from_secs(86_400))
                .build(),
        }
    }
}

/// A live connection counted against its address; dropping it gives the place back.
pub struct AddressSlot {
    limits: AddressLimits,
    address: String,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = self.limits.connections.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = open.get_mut(&self.address) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.address);
            }
        }
    }
}

fn take(bucket: &std::sync::Mutex<RateLimit>) -> bool {
    bucket.lock().unwrap_or_else(std::sync::PoisonError::into_inner).allow()
}

impl AddressLimits {
    /// A place for one more connection from `address`, or `None` when it holds its share.
    pub fn connect(&self, address: &str) -> Option<AddressSlot> {
        let mut open = self.connections.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = open.entry(address.to_owned()).or_insert(0);
        if *n >= CONNECTIONS_PER_ADDRESS {
            return None;
        }
        *n += 1;
        Some(AddressSlot { limits: self.clone(), address: address.to_owned() })
    }

    /// One frame from `address` (any kind): 120 at once, then 40 a second, over all of its
    /// connections.
    pub fn frame(&self, address: &str) -> bool {
        let bucket = self.frames.get_with(address.to_owned(), || {
            std::sync::Arc::new(std::sync::Mutex::new(RateLimit::new(
                120,
                std::time::Duration::from_millis(25),
            )))
        });
        take(&bucket)
    }

    /// One chat message from `address`: `ADDRESS_CHAT_BURST` at once, then one a second, over
    /// all of its connections and reconnections.
    pub fn chat(&self, address: &str) -> bool {
        let bucket = self.chat.get_with(address.to_owned(), || {
            let limit = RateLimit::new(ADDRESS_CHAT_BURST, std::time::Duration::from_secs(1));
            std::sync::Arc::new(std::sync::Mutex::new(limit))
        });
        take(&bucket)
    }

    /// Whether a visit by `address` to `booth` on Vietnam day `day` still counts in the traffic
    /// figures (and counts it).
    pub fn count_visit(&self, address: &str, booth: i64, day: i64) -> bool {
        let key = (address.to_owned(), booth, day);
        let mut counted = false;
        self.visits.entry(key).and_compute_with(|seen| {
            let n = seen.map_or(0, |e| e.into_value());
            counted = n < VISITS_PER_ADDRESS_PER_BOOTH_DAY;
            if counted { moka::ops::compute::Op::Put(n + 1) } else { moka::ops::compute::Op::Nop }
        });
        counted
    }

    /// Addresses with a connection open (for tests and metrics).
    pub fn open_addresses(&self) -> usize {
        self.connections.lock().map(|m| m.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    #[test]
    fn the_chat_limit_allows_a_burst_then_one_message_every_two_seconds() {
        let mut limit = RateLimit::chat();
        let start = Instant::now();
        assert!((0..5).all(|_| limit.allow_at(start)), "a burst of 5");
        assert!(!limit.allow_at(start), "the 6th at once is refused");
        assert!(!limit.allow_at(start + Duration::from_millis(1900)));
        assert!(limit.allow_at(start + Duration::from_millis(2100)));
        assert!(!limit.allow_at(start + Duration::from_millis(2200)));
        // A long pause refills the burst, never more.
        let later = start + Duration::from_secs(600);
        assert_eq!((0..10).filter(|_| limit.allow_at(later)).count(), 5);
    }

    #[test]
    fn one_address_holds_a_bounded_number_of_connections_and_gets_them_back() {
        let limits = AddressLimits::default();
        let slots: Vec<_> = (0..CONNECTIONS_PER_ADDRESS).map(|_| limits.connect("203.0.113.5")).collect();
        assert!(slots.iter().all(Option::is_some));
        assert!(limits.connect("203.0.113.5").is_none(), "one more is refused");
        assert!(limits.connect("203.0.113.6").is_some(), "another address is not");
        drop(slots);
        let again = limits.connect("203.0.113.5");
        assert!(again.is_some(), "closed connections give their place back");
        assert_eq!(limits.open_addresses(), 1);
        drop(again);
        assert_eq!(limits.open_addresses(), 0, "no entry is left for an address without connections");
    }

    #[test]
    fn chat_and_frames_are_limited_per_address_across_its_connections() {
        let limits = AddressLimits::default();
        assert_eq!((0..50).filter(|_| limits.chat("203.0.113.5")).count(), ADDRESS_CHAT_BURST as usize);
        assert!(limits.chat("203.0.113.6"));
        assert_eq!((0..500).filter(|_| limits.frame("203.0.113.5")).count(), 120);
    }

    #[test]
    fn one_address_adds_at_most_twenty_visits_to_a_booth_a_day() {
        let limits = AddressLimits::default();
        assert_eq!((0..100).filter(|_| limits.count_visit("203.0.113.5", 7, 20_000)).count(), 20);
        assert!(limits.count_visit("203.0.113.5", 8, 20_000), "another booth");
        assert!(limits.count_visit("203.0.113.5", 7, 20_001), "the next day");
    }
}
