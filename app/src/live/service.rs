//! Who may follow what, and the per-connection rate limit. Every subscription passes through
//! `authorize`, with the session looked up again each time (a session that ended since the
//! connection opened no longer counts).
use super::model::{Refusal, Topic};
use crate::accounts::model::Viewer;
use crate::db::{Db, Sql};

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
    crate::accounts::session::resolve(db, token, crate::db::now_unix()).await.map_err(|e| {
        tracing::error!(error = %e, "could not read the session of a live connection");
        Refusal::Unavailable
    })
}

fn member_of(viewer: Option<&Viewer>, coop: i64) -> bool {
    viewer.and_then(Viewer::dashboard_cooperative).is_some_and(|m| m.cooperative_id == coop)
}

/// The topics to subscribe for `topic` (a fair hall brings its booths), or why not.
pub async fn authorize(db: &Db, peer: &Peer, topic: Topic) -> Result<Vec<Topic>, Refusal> {
    let unavailable = |e: sqlx::Error| {
        tracing::error!(error = %e, "live authorization query failed");
        Refusal::Unavailable
    };
    match topic {
        Topic::Booth(coop) => {
            let open = crate::fairs::service::is_open_booth(db, coop).await.map_err(unavailable)?;
            if open { Ok(vec![topic]) } else { Err(Refusal::NotFound) }
        }
        Topic::Fair(fair) => {
            let mut sql = Sql::new("SELECT id FROM fairs WHERE id = ");
            sql.bind(fair);
            let found: Option<i64> = sql
                .query_scalar()
                .map_err(unavailable)?
                .fetch_optional(&db.pool)
                .await
                .map_err(unavailable)?;
            if found.is_none() {
                return Err(Refusal::NotFound);
            }
            let mut sql = Sql::new(
                "SELECT fb.cooperative_id FROM fair_booths fb JOIN cooperatives c ON c.id = fb.cooperative_id \
                 WHERE c.status = 'approved' AND fb.fair_id = ",
            );
            sql.bind(fair);
            let booths: Vec<i64> =
                sql.query_scalar().map_err(unavailable)?.fetch_all(&db.pool).await.map_err(unavailable)?;
            Ok(std::iter::once(topic).chain(booths.into_iter().map(Topic::Booth)).collect())
        }
        Topic::Coop(coop) => {
            let viewer = viewer(db, peer).await?;
            if member_of(viewer.as_ref(), coop) { Ok(vec![topic]) } else { Err(Refusal::Forbidden) }
        }
        Topic::Admin => {
            let viewer = viewer(db, peer).await?;
            if viewer.as_ref().is_some_and(Viewer::is_admin) {
                Ok(vec![topic])
            } else {
                Err(Refusal::Forbidden)
            }
        }
        Topic::Conversation(id) => {
            let owner =
                crate::fairs::chat::owner(db, id).await.map_err(unavailable)?.ok_or(Refusal::NotFound)?;
            let viewer = viewer(db, peer).await?;
            if owner.is_visitor(viewer.as_ref(), peer.visitor_hash.as_deref())
                || member_of(viewer.as_ref(), owner.cooperative_id)
            {
                Ok(vec![topic])
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

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::RateLimit;

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
}
