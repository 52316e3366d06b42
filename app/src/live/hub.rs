//! The event hub of one server process: which connection follows which topic, the booths'
//! visitor counts, and the delivery of events. Publishing never waits on a subscriber: each
//! connection has a bounded outbox, and a connection whose outbox is full is dropped (told to
//! close) instead of slowing the publisher or the others.
//!
//! With PostgreSQL, a `relay` carries events to the other instances through LISTEN/NOTIFY (ids,
//! never documents), and the visitor count of a booth adds up every instance's visitors.
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, mpsc};

use super::model::{Event, ServerFrame, Topic};

pub type ConnId = u64;

/// How many frames may wait for a connection before it counts as too slow and is dropped.
pub const OUTBOX_FRAMES: usize = 256;
/// A remote instance's visitor counts expire when it has not repeated them for this long
/// (it repeats them every `PRESENCE_REFRESH`), so a crashed instance's visitors go away.
pub const PRESENCE_TTL: Duration = Duration::from_secs(60);
pub const PRESENCE_REFRESH: Duration = Duration::from_secs(20);
/// A site visitor counts as active this long after their last page.
pub const ACTIVE_VISITOR: Duration = Duration::from_secs(super::model::ACTIVE_VISITOR_SECS);

#[derive(Clone)]
struct Outbox {
    tx: mpsc::Sender<Arc<str>>,
    kick: Arc<Notify>,
}

#[derive(Default)]
struct ConnState {
    topics: HashSet<Topic>,
    booth: Option<i64>,
    /// The signed-in user whose rights let this connection follow its personal topics.
    user: Option<i64>,
    /// Personal topics taken away by `revoke_user`, for the connection to authorize again.
    revoked: Vec<Topic>,
    recheck: Arc<Notify>,
}

#[derive(Default)]
struct State {
    topics: HashMap<Topic, HashMap<ConnId, Outbox>>,
    conns: HashMap<ConnId, (Outbox, ConnState)>,
    /// Tabs on each booth's page, on this instance.
    local: HashMap<i64, u32>,
    /// Other instances' counts: (instance, booth) → (visitors, when last heard).
    remote: HashMap<(String, i64), (u32, Instant)>,
    /// Rights revoked so far (`revoke_user_here`).
    revocations: u64,
}

impl State {
    fn visitors(&self, booth: i64) -> u32 {
        let now = Instant::now();
        let remote: u32 = self
            .remote
            .iter()
            .filter(|((_, b), (_, at))| *b == booth && now.duration_since(*at) < PRESENCE_TTL)
            .map(|(_, (n, _))| *n)
            .sum();
        self.local.get(&booth).copied().unwrap_or(0) + remote
    }
}

/// Sends events to the other instances; set once the relay has started (PostgreSQL only).
pub trait Relay: Send + Sync {
    fn forward(&self, event: &Event);
    fn announce_presence(&self, booth: i64, local: u32);
    /// A user's rights changed: every instance takes their personal topics away.
    fn revoke_user(&self, user: i64);
}

struct Inner {
    instance: String,
    state: Mutex<State>,
    next_conn: AtomicU64,
    relay: OnceLock<Box<dyn Relay>>,
    /// Counts for the metrics endpoint and the load harness.
    delivered: AtomicU64,
    dropped_slow: AtomicU64,
    /// Signalled when something the admin dashboard's tiles count may have changed.
    kpis_dirty: Notify,
    /// Site visitors of the last five minutes (bounded, expiring by themselves).
    site: super::visitors::SiteVisitors,
}

#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hub").field("instance", &self.inner.instance).finish_non_exhaustive()
    }
}

impl Default for Hub {
    fn default() -> Self {
        Hub::new()
    }
}

/// One connection's end of the hub. Dropping it unsubscribes everything and leaves its booth.
pub struct Connection {
    pub id: ConnId,
    /// Serialized `ServerFrame`s to send, in order.
    pub outbox: mpsc::Receiver<Arc<str>>,
    /// Notified when the hub dropped this connection for falling behind.
    pub kicked: Arc<Notify>,
    /// Notified when personal topics were taken away (`take_revoked` says which).
    pub recheck: Arc<Notify>,
    hub: Hub,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.hub.disconnect(self.id);
    }
}

impl Connection {
    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    /// Queues a frame for this connection alone (answers such as `Subscribed`). Returns false
    /// when the outbox is full.
    pub fn reply(&self, frame: &ServerFrame) -> bool {
        let Ok(text) = serde_json::to_string(frame) else { return false };
        let state = self.hub.lock();
        state.conns.get(&self.id).is_some_and(|(outbox, _)| outbox.tx.try_send(text.into()).is_ok())
    }
}

impl Hub {
    pub fn new() -> Hub {
        let instance = {
            use sha2::Digest;
            let seed = format!("{:?}{}", Instant::now(), std::process::id());
            let digest = sha2::Sha256::digest(seed.as_bytes());
            digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
        };
        Hub {
            inner: Arc::new(Inner {
                instance,
                state: Mutex::default(),
                next_conn: AtomicU64::new(1),
                relay: OnceLock::new(),
                delivered: AtomicU64::new(0),
                dropped_slow: AtomicU64::new(0),
                kpis_dirty: Notify::new(),
                site: super::visitors::SiteVisitors::new(ACTIVE_VISITOR, super::visitors::MAX_SITE_VISITORS),
            }),
        }
    }

    /// This process's name among the instances (random, for the relay).
    pub fn instance(&self) -> &str {
        &self.inner.instance
    }

    pub fn set_relay(&self, relay: Box<dyn Relay>) {
        if self.inner.relay.set(relay).is_err() {
            tracing::warn!("the live relay was already set");
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain maps behind, still usable.
        self.inner.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn connect(&self) -> Connection {
        self.connect_with_outbox(OUTBOX_FRAMES)
    }

    pub fn connect_with_outbox(&self, frames: usize) -> Connection {
        let id = self.inner.next_conn.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(frames.max(1));
        let kick = Arc::new(Notify::new());
        let recheck = Arc::new(Notify::new());
        let state = ConnState { recheck: recheck.clone(), ..ConnState::default() };
        self.lock().conns.insert(id, (Outbox { tx, kick: kick.clone() }, state));
        Connection { id, outbox: rx, kicked: kick, recheck, hub: self.clone() }
    }

    /// Follows what `authorize` granted, by right of `user` (`None` for public topics and a
    /// visitor's own conversation): `revoke_user` can take it away again. `seen` is
    /// `revocations()` read before authorizing: if a right was revoked since, nothing is
    /// followed and the caller authorizes again, so a grant never outlives a revocation that
    /// raced with it.
    pub fn subscribe_as(&self, conn: ConnId, topics: &[Topic], user: Option<i64>, seen: u64) -> bool {
        {
            let mut state = self.lock();
            if user.is_some() && state.revocations != seen {
                return false;
            }
            let Some((outbox, cs)) = state.conns.get_mut(&conn) else { return true };
            if user.is_some() {
                cs.user = user;
            }
            cs.topics.extend(topics.iter().copied());
            let outbox = outbox.clone();
            for topic in topics {
                state.topics.entry(*topic).or_default().insert(conn, outbox.clone());
            }
        }
        if topics.contains(&Topic::Admin) {
            // A dashboard that just opened gets the tiles as they are now.
            self.kpis_changed();
        }
        true
    }

    /// How many revocations this instance has applied (see `subscribe_as`).
    pub fn revocations(&self) -> u64 {
        self.lock().revocations
    }

    /// The user's rights changed (logout, password change, disabled, demoted, cooperative
    /// suspended): on this instance and, through the relay, on every other, each connection
    /// that follows personal topics by `user`'s right stops hearing them at once, and is told to
    /// authorize them again (those still allowed come back).
    pub fn revoke_user(&self, user: i64) {
        self.revoke_user_here(user);
        if let Some(relay) = self.inner.relay.get() {
            relay.revoke_user(user);
        }
    }

    /// `revoke_user` on this instance only (the relay's receiving end).
    pub fn revoke_user_here(&self, user: i64) {
        let mut state = self.lock();
        state.revocations += 1;
        let affected: Vec<ConnId> =
            state.conns.iter().filter(|(_, (_, cs))| cs.user == Some(user)).map(|(id, _)| *id).collect();
        for id in affected {
            let Some((_, cs)) = state.conns.get_mut(&id) else { continue };
            cs.user = None;
            let personal: Vec<Topic> = cs.topics.iter().copied().filter(Topic::is_personal).collect();
            for topic in &personal {
                cs.topics.remove(topic);
            }
            cs.revoked.extend(personal.iter().copied());
            let recheck = cs.recheck.clone();
            for topic in personal {
                remove_subscriber(&mut state, topic, id);
            }
            recheck.notify_one();
        }
    }

    /// The personal topics taken from the connection since it last asked.
    pub fn take_revoked(&self, conn: ConnId) -> Vec<Topic> {
        self.lock().conns.get_mut(&conn).map(|(_, cs)| std::mem::take(&mut cs.revoked)).unwrap_or_default()
    }

    /// Adds `topic` to the connection's subscriptions. Authorization happens before, in
    /// `socket::service::authorize`.
    pub fn subscribe(&self, conn: ConnId, topic: Topic) {
        // No user's right: no revocation to race with.
        self.subscribe_as(conn, &[topic], None, 0);
    }

    /// Connections on this instance that follow `topic`.
    pub fn subscribers(&self, topic: Topic) -> usize {
        self.lock().topics.get(&topic).map_or(0, HashMap::len)
    }

    /// Tells the dashboard's tile task that its figures may have changed (an application came
    /// in, a cooperative was reviewed, a visitor arrived).
    pub fn kpis_changed(&self) {
        self.inner.kpis_dirty.notify_one();
    }

    /// Waits until `kpis_changed` is called (or was, since the last wait).
    pub async fn kpis_dirty(&self) {
        self.inner.kpis_dirty.notified().await;
    }

    /// Notes a page view by the visitor `key`; a visitor new to the last five minutes moves the
    /// dashboard's "visitors on the site".
    pub fn saw_visitor(&self, key: u64) {
        if self.inner.site.saw(key) {
            self.kpis_changed();
        }
    }

    /// Visitors with a page in the last five minutes, on this instance.
    pub fn site_visitors(&self) -> u32 {
        u32::try_from(self.inner.site.count()).unwrap_or(u32::MAX)
    }

    /// Tabs in every booth, every instance's together.
    pub fn booth_visitors(&self) -> u32 {
        let state = self.lock();
        let now = Instant::now();
        let local: u32 = state.local.values().sum();
        let remote: u32 = state
            .remote
            .values()
            .filter(|(_, at)| now.duration_since(*at) < PRESENCE_TTL)
            .map(|(n, _)| *n)
            .sum();
        local + remote
    }

    pub fn unsubscribe(&self, conn: ConnId, topic: Topic) {
        let mut state = self.lock();
        if let Some((_, cs)) = state.conns.get_mut(&conn) {
            cs.topics.remove(&topic);
        }
        remove_subscriber(&mut state, topic, conn);
    }

    /// Counts the connection among `booth`'s visitors (leaving the booth it was at, if any).
    pub fn enter(&self, conn: ConnId, booth: i64) {
        let changed = {
            let mut state = self.lock();
            let Some((_, cs)) = state.conns.get_mut(&conn) else { return };
            if cs.booth == Some(booth) {
                return;
            }
            let previous = cs.booth.replace(booth);
            let mut changed = vec![booth];
            if let Some(p) = previous {
                decrement(&mut state, p);
                changed.push(p);
            }
            *state.local.entry(booth).or_default() += 1;
            changed
        };
        self.subscribe(conn, Topic::Booth(booth));
        for b in changed {
            self.presence_changed(b);
        }
    }

    pub fn leave(&self, conn: ConnId) {
        let left = {
            let mut state = self.lock();
            let Some((_, cs)) = state.conns.get_mut(&conn) else { return };
            let left = cs.booth.take();
            if let Some(b) = left {
                decrement(&mut state, b);
            }
            left
        };
        if let Some(b) = left {
            self.presence_changed(b);
        }
    }

    fn disconnect(&self, conn: ConnId) {
        self.leave(conn);
        let mut state = self.lock();
        if let Some((_, cs)) = state.conns.remove(&conn) {
            for topic in cs.topics {
                remove_subscriber(&mut state, topic, conn);
            }
        }
    }

    /// Every instance's visitors at `booth`.
    pub fn visitors(&self, booth: i64) -> u32 {
        self.lock().visitors(booth)
    }

    /// Connections on this instance.
    pub fn connections(&self) -> usize {
        self.lock().conns.len()
    }

    /// (frames delivered, connections dropped for being slow) since start.
    pub fn counters(&self) -> (u64, u64) {
        (self.inner.delivered.load(Ordering::Relaxed), self.inner.dropped_slow.load(Ordering::Relaxed))
    }

    fn presence_changed(&self, booth: i64) {
        let (local, total) = {
            let state = self.lock();
            (state.local.get(&booth).copied().unwrap_or(0), state.visitors(booth))
        };
        self.deliver(&Event::Presence { booth, visitors: total });
        if let Some(relay) = self.inner.relay.get() {
            relay.announce_presence(booth, local);
        }
    }

    /// Another instance's count for `booth` (from the relay).
    pub fn remote_presence(&self, instance: &str, booth: i64, visitors: u32) {
        if instance == self.inner.instance {
            return;
        }
        let total = {
            let mut state = self.lock();
            let key = (instance.to_owned(), booth);
            if visitors == 0 {
                state.remote.remove(&key);
            } else {
                state.remote.insert(key, (visitors, Instant::now()));
            }
            state.visitors(booth)
        };
        self.deliver(&Event::Presence { booth, visitors: total });
    }

    /// This instance's non-zero counts, to repeat to the others; also forgets remote counts that
    /// were not repeated in time and tells subscribers the corrected totals.
    pub fn presence_tick(&self) -> Vec<(i64, u32)> {
        let (expired, local) = {
            let mut state = self.lock();
            let now = Instant::now();
            let mut expired = Vec::new();
            state.remote.retain(|(_, booth), (_, at)| {
                let keep = now.duration_since(*at) < PRESENCE_TTL;
                if !keep {
                    expired.push(*booth);
                }
                keep
            });
            let local: Vec<(i64, u32)> = state.local.iter().map(|(b, n)| (*b, *n)).collect();
            (expired, local)
        };
        for booth in expired {
            let visitors = self.visitors(booth);
            self.deliver(&Event::Presence { booth, visitors });
        }
        local
    }

    /// Delivers `event` here and, through the relay, on every other instance.
    pub fn publish(&self, event: Event) {
        self.deliver(&event);
        if let Some(relay) = self.inner.relay.get() {
            relay.forward(&event);
        }
    }

    /// Delivers `event` to this instance's subscribers only.
    pub fn deliver(&self, event: &Event) {
        let text: Arc<str> = match serde_json::to_string(&ServerFrame::Event(event.clone())) {
            Ok(t) => t.into(),
            Err(e) => {
                tracing::error!(error = %e, "could not serialize a live event");
                return;
            }
        };
        if event.moves_kpis() {
            self.kpis_changed();
        }
        let mut state = self.lock();
        let mut seen = HashSet::new();
        let mut slow = Vec::new();
        for topic in event.topics() {
            let Some(subs) = state.topics.get(&topic) else { continue };
            for (id, outbox) in subs {
                if !seen.insert(*id) {
                    continue;
                }
                match outbox.tx.try_send(text.clone()) {
                    Ok(()) => {
                        self.inner.delivered.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(mpsc::error::TrySendError::Full(_)) => slow.push((*id, outbox.kick.clone())),
                    // The connection is ending; its Drop cleans up.
                    Err(mpsc::error::TrySendError::Closed(_)) => {}
                }
            }
        }
        for (id, kick) in slow {
            tracing::info!(conn = id, "dropping a live connection that fell behind");
            self.inner.dropped_slow.fetch_add(1, Ordering::Relaxed);
            if let Some((_, cs)) = state.conns.get_mut(&id) {
                for topic in std::mem::take(&mut cs.topics) {
                    remove_subscriber(&mut state, topic, id);
                }
            }
            kick.notify_one();
        }
    }
}

fn remove_subscriber(state: &mut State, topic: Topic, conn: ConnId) {
    if let Some(subs) = state.topics.get_mut(&topic) {
        subs.remove(&conn);
        if subs.is_empty() {
            state.topics.remove(&topic);
        }
    }
}

fn decrement(state: &mut State, booth: i64) {
    if let Some(n) = state.local.get_mut(&booth) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            state.local.remove(&booth);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::model::{ChatMessage, Sender};

    fn next(conn: &mut Connection) -> Option<ServerFrame> {
        conn.outbox.try_recv().ok().and_then(|t| serde_json::from_str(&t).ok())
    }

    #[tokio::test]
    async fn visitors_count_tabs_and_every_follower_hears_the_change() {
        let hub = Hub::new();
        let mut staff = hub.connect();
        hub.subscribe(staff.id, Topic::Coop(4));
        let tab1 = hub.connect();
        hub.enter(tab1.id, 4);
        assert_eq!(next(&mut staff), Some(ServerFrame::Event(Event::Presence { booth: 4, visitors: 1 })));
        let mut tab2 = hub.connect();
        hub.enter(tab2.id, 4);
        assert_eq!(hub.visitors(4), 2);
        assert_eq!(next(&mut staff), Some(ServerFrame::Event(Event::Presence { booth: 4, visitors: 2 })));
        // Entering the same booth again changes nothing.
        hub.enter(tab2.id, 4);
        assert_eq!(hub.visitors(4), 2);
        drop(tab1);
        assert_eq!(next(&mut staff), Some(ServerFrame::Event(Event::Presence { booth: 4, visitors: 1 })));
        assert_eq!(next(&mut tab2), Some(ServerFrame::Event(Event::Presence { booth: 4, visitors: 2 })));
        assert_eq!(next(&mut tab2), Some(ServerFrame::Event(Event::Presence { booth: 4, visitors: 1 })));
        // Moving to another booth leaves the first.
        hub.enter(tab2.id, 5);
        assert_eq!(hub.visitors(4), 0);
        assert_eq!(hub.visitors(5), 1);
        drop(tab2);
        assert_eq!(hub.visitors(5), 0);
        assert_eq!(hub.connections(), 1);
    }

    #[tokio::test]
    async fn events_go_only_to_their_topics_and_once_per_connection() {
        let hub = Hub::new();
        let mut coop4 = hub.connect();
        hub.subscribe(coop4.id, Topic::Coop(4));
        hub.subscribe(coop4.id, Topic::Conversation(9));
        let mut coop5 = hub.connect();
        hub.subscribe(coop5.id, Topic::Coop(5));
        let message = ChatMessage {
            id: 1,
            conversation_id: 9,
            sender: Sender::Visitor,
            author: "Lan".into(),
            body: "<b>hi</b>".into(),
            at: 0,
        };
        hub.publish(Event::Chat { booth: 4, display_name: "Lan".into(), message });
        assert!(matches!(next(&mut coop4), Some(ServerFrame::Event(Event::Chat { .. }))));
        assert_eq!(next(&mut coop4), None, "subscribed twice, delivered once");
        assert_eq!(next(&mut coop5), None);
    }

    #[tokio::test]
    async fn a_connection_that_falls_behind_is_dropped_and_the_others_still_get_everything() {
        let hub = Hub::new();
        let slow = hub.connect_with_outbox(4);
        hub.subscribe(slow.id, Topic::Booth(1));
        let mut fast = hub.connect_with_outbox(1000);
        hub.subscribe(fast.id, Topic::Booth(1));
        for i in 0..100 {
            hub.publish(Event::Presence { booth: 1, visitors: i });
        }
        // The slow one was told to go at its 5th frame, and is no longer subscribed.
        tokio::time::timeout(Duration::from_secs(1), slow.kicked.notified()).await.expect("kicked");
        assert_eq!(hub.counters().1, 1);
        let mut got = 0;
        while next(&mut fast).is_some() {
            got += 1;
        }
        assert_eq!(got, 100);
    }

    #[tokio::test]
    async fn what_the_tiles_count_marks_them_dirty_and_site_visitors_count_once() {
        let hub = Hub::new();
        let wait = |hub: &Hub| {
            let hub = hub.clone();
            async move { tokio::time::timeout(Duration::from_millis(200), hub.kpis_dirty()).await.is_ok() }
        };
        assert!(!wait(&hub).await, "nothing happened yet");
        let tab = hub.connect();
        hub.enter(tab.id, 3);
        assert!(wait(&hub).await, "a booth visitor moves the tiles");
        assert_eq!(hub.booth_visitors(), 1);
        let message = ChatMessage {
            id: 1,
            conversation_id: 9,
            sender: Sender::Visitor,
            author: "Lan".into(),
            body: "hi".into(),
            at: 0,
        };
        hub.publish(Event::Chat { booth: 3, display_name: "Lan".into(), message });
        assert!(!wait(&hub).await, "a chat message counts for nothing on the tiles");
        hub.saw_visitor(42);
        assert!(wait(&hub).await);
        hub.saw_visitor(42);
        assert!(!wait(&hub).await, "the same visitor again is not news");
        hub.saw_visitor(43);
        assert!(wait(&hub).await, "another visitor is");
        assert_eq!(hub.site_visitors(), 2);
        let admin = hub.connect();
        assert!(!wait(&hub).await, "a connection alone is not");
        hub.subscribe(admin.id, Topic::Admin);
        assert!(wait(&hub).await, "a new dashboard wants the tiles now");
        assert_eq!(hub.subscribers(Topic::Admin), 1);
        drop(admin);
        assert_eq!(hub.subscribers(Topic::Admin), 0);
    }

    #[tokio::test]
    async fn remote_instances_add_to_the_count_until_they_go_quiet() {
        let hub = Hub::new();
        let tab = hub.connect();
        hub.enter(tab.id, 3);
        hub.remote_presence("other", 3, 2);
        assert_eq!(hub.visitors(3), 3);
        hub.remote_presence(hub.instance().to_owned().as_str(), 3, 50);
        assert_eq!(hub.visitors(3), 3, "its own announcements are ignored");
        hub.remote_presence("other", 3, 0);
        assert_eq!(hub.visitors(3), 1);
        assert_eq!(hub.presence_tick(), vec![(3, 1)]);
    }
}
