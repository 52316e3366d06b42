//! Events between server instances on one PostgreSQL database, through LISTEN/NOTIFY. A
//! notification carries the sending instance and ids, never documents (far under PostgreSQL's
//! 8,000-byte payload limit); the receiving instance reads the rows and delivers the event to its
//! own subscribers. Visitor counts travel as each instance's own count per booth, repeated every
//! `PRESENCE_REFRESH` so that a crashed instance's visitors expire.
//!
//! Notifications are sent after the transaction that made the event has committed, one at a
//! time in order, by a task of their own: a publisher never waits for PostgreSQL.
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use tokio::sync::mpsc;

use crate::db::Db;
use crate::live::hub::{Hub, PRESENCE_REFRESH, Relay};
use crate::live::model::Event;
use crate::live::model::FeedKind;

pub const CHANNEL: &str = "ocop_live";
/// Notifications waiting to be sent; past this, new ones are dropped (and logged).
const QUEUE: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "snake_case")]
pub enum Note {
    /// The sending instance's own visitors at a booth.
    Presence {
        booth: i64,
        n: u32,
    },
    Chat {
        id: i64,
    },
    Inquiry {
        id: i64,
    },
    /// A new line of the admin feed: its kind and id.
    Activity {
        kind: FeedKind,
        id: i64,
    },
    /// The fair a booth is live at may have changed; the receiver looks it up.
    BoothFair {
        booth: i64,
    },
    /// A user's rights changed: take their personal topics away and authorize them again.
    Revoke {
        user: i64,
    },
    /// Something new on a user's bell.
    Notified {
        user: i64,
    },
    /// A new order for its cooperative's order list (its number).
    CoopOrder {
        number: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The sending instance.
    pub o: String,
    #[serde(flatten)]
    pub note: Note,
}

struct PgRelay {
    queue: mpsc::Sender<Note>,
}

impl PgRelay {
    fn send(&self, note: Note) {
        if self.queue.try_send(note).is_err() {
            tracing::warn!("live relay queue full or closed: a notification to other instances was dropped");
        }
    }
}

impl Relay for PgRelay {
    fn forward(&self, event: &Event) {
        match event {
            Event::Chat { message, .. } => self.send(Note::Chat { id: message.id }),
            Event::InquiryReceived { inquiry } => self.send(Note::Inquiry { id: inquiry.id }),
            Event::Activity { item } => self.send(Note::Activity { kind: item.kind, id: item.id }),
            Event::BoothFair { booth, .. } => self.send(Note::BoothFair { booth: *booth }),
            Event::Notified { user } => self.send(Note::Notified { user: *user }),
            Event::CoopOrder { number, .. } => self.send(Note::CoopOrder { number: number.clone() }),
            // Counts travel per instance, through `announce_presence`; every instance computes
            // its own tiles from the events it delivers.
            Event::Presence { .. } | Event::Kpis { .. } => {}
        }
    }

    fn announce_presence(&self, booth: i64, local: u32) {
        self.send(Note::Presence { booth, n: local });
    }

    fn revoke_user(&self, user: i64) {
        self.send(Note::Revoke { user });
    }
}

/// Listens on `url`'s database and connects `hub` to the other instances.
pub async fn start(db: Db, url: &str, hub: Hub) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    let (tx, mut rx) = mpsc::channel::<Note>(QUEUE);
    hub.set_relay(Box::new(PgRelay { queue: tx.clone() }));

    let instance = hub.instance().to_owned();
    let sender_db = db.clone();
    tokio::spawn(async move {
        while let Some(note) = rx.recv().await {
            let payload = match serde_json::to_string(&Envelope { o: instance.clone(), note }) {
                Ok(p) => p,
                Err(e) => {
                    tracing::error!(error = %e, "could not encode a relay notification");
                    continue;
                }
            };
            let sent = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(payload)
                .execute(&sender_db.pool)
                .await
                .map(|_| ());
            if let Err(e) = sent {
                tracing::warn!(error = %e, "could not notify the other instances");
            }
        }
    });

    let ticker_hub = hub.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(PRESENCE_REFRESH);
        loop {
            every.tick().await;
            for (booth, n) in ticker_hub.presence_tick() {
                if tx.try_send(Note::Presence { booth, n }).is_err() {
                    tracing::warn!("live relay queue full: a presence refresh was dropped");
                }
            }
        }
    });

    tokio::spawn(async move {
        loop {
            match listener.recv().await {
                Ok(notification) => receive(&db, &hub, notification.payload()).await,
                Err(e) => {
                    tracing::warn!(error = %e, "live relay listener failed; retrying in 1 s");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        }
    });
    Ok(())
}

/// Delivers, on this instance, what another instance announced.
async fn receive(db: &Db, hub: &Hub, payload: &str) {
    let envelope: Envelope = match serde_json::from_str(payload) {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!(error = %e, "ignoring a malformed relay notification");
            return;
        }
    };
    if envelope.o == hub.instance() {
        return;
    }
    let event = match envelope.note {
        Note::Presence { booth, n } => {
            hub.remote_presence(&envelope.o, booth, n);
            return;
        }
        Note::Revoke { user } => {
            hub.revoke_user_here(user);
            return;
        }
        Note::Notified { user } => Ok(Some(Event::Notified { user })),
        Note::CoopOrder { number } => crate::orders::service::coop_order_event(db, &number).await,
        Note::Chat { id } => crate::fairs::chat::message_event(db, id).await,
        Note::Inquiry { id } => crate::inquiries::service::notice_event(db, id).await,
        Note::Activity { kind, id } => crate::live::feed::feed_item(db, kind, id)
            .await
            .map(|item| item.map(|item| Event::Activity { item })),
        Note::BoothFair { booth } => {
            crate::fairs::service::booth_fair_event(db, booth, crate::clock::now_unix()).await.map(Some)
        }
    };
    match event {
        Ok(Some(event)) => hub.deliver(&event),
        Ok(None) => tracing::warn!("a relayed event names a row that is not there"),
        Err(e) => tracing::error!(error = %e, "could not read a relayed event's row"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_carry_ids_and_stay_small() {
        let e = Envelope { o: "0123456789abcdef".into(), note: Note::Chat { id: i64::MAX } };
        let text = serde_json::to_string(&e).expect("encode");
        assert_eq!(text, r#"{"o":"0123456789abcdef","k":"chat","id":9223372036854775807}"#);
        assert!(text.len() < 8000);
        assert_eq!(serde_json::from_str::<Envelope>(&text).expect("decode"), e);
        let e =
            Envelope { o: "0123456789abcdef".into(), note: Note::Activity { kind: FeedKind::Order, id: 7 } };
        let text = serde_json::to_string(&e).expect("encode");
        assert_eq!(text, r#"{"o":"0123456789abcdef","k":"activity","kind":"order","id":7}"#);
    }
}
