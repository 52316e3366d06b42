//! The live protocol: what a browser tab and the server say to each other over the one WebSocket
//! (`/live`), as JSON text frames. Shared by the server (axum) and the browser (gloo-net), so both
//! sides read and write the very same types.
use serde::{Deserialize, Serialize};

use crate::lang::Text;

/// The largest text frame a client may send. Anything longer closes the connection.
pub const MAX_CLIENT_FRAME_BYTES: usize = 4096;
/// A chat message: 1 to this many characters after trimming.
pub const MAX_CHAT_CHARS: usize = 1000;
/// A visitor's display name in a booth chat.
pub const MAX_DISPLAY_NAME_CHARS: usize = 40;

/// What a connection can follow. The server authorizes each subscription: a booth and a fair hall
/// are public, a cooperative's topic is for its members, the admin topic for admins, and a
/// conversation for its visitor and the cooperative's members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Topic {
    /// A booth's visitor count and its public events (the cooperative's id).
    Booth(i64),
    /// Every booth of a fair's hall: their visitor counts.
    Fair(i64),
    /// A cooperative's dashboard: its booth's visitors, chats and inquiries.
    Coop(i64),
    /// The provincial department's dashboard.
    Admin,
    /// One booth conversation.
    Conversation(i64),
    /// A signed-in user's own bell.
    User(i64),
}

impl Topic {
    /// Followed by someone's right (a member's, an admin's, a conversation's visitor), which
    /// can be lost while the connection lives; booths and fair halls are public.
    pub fn is_personal(&self) -> bool {
        matches!(self, Topic::Coop(_) | Topic::Admin | Topic::Conversation(_) | Topic::User(_))
    }
}

/// A frame from the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    Subscribe {
        topic: Topic,
    },
    Unsubscribe {
        topic: Topic,
    },
    /// "This tab is on the booth's page": counted in its visitors until the tab leaves or the
    /// connection ends. Also subscribes to the booth. One booth per connection.
    Enter {
        booth: i64,
    },
    Leave,
    /// A chat message. A visitor without a conversation at this booth names `booth` and
    /// `display_name` and gets one; staff and returning visitors name `conversation`.
    Say {
        #[serde(default)]
        conversation: Option<i64>,
        #[serde(default)]
        booth: Option<i64>,
        #[serde(default)]
        display_name: Option<String>,
        body: String,
    },
    Ping,
}

/// Who wrote a chat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sender {
    Visitor,
    Staff,
}

impl Sender {
    pub fn as_db(self) -> &'static str {
        match self {
            Sender::Visitor => "visitor",
            Sender::Staff => "staff",
        }
    }

    pub fn from_db(s: &str) -> Sender {
        if s == "staff" { Sender::Staff } else { Sender::Visitor }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub id: i64,
    pub conversation_id: i64,
    pub sender: Sender,
    /// The visitor's display name, or the staff member's.
    pub author: String,
    pub body: String,
    pub at: i64,
}

/// A new export inquiry, as the cooperative's lead list and the admin feed show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InquiryNotice {
    pub id: i64,
    pub cooperative_id: i64,
    pub company: String,
    pub country: String,
    pub product: Option<String>,
    pub quantity: i64,
    pub quantity_unit: String,
    pub incoterm: String,
    pub at: i64,
}

/// Something that happened, pushed to every connection subscribed to one of its topics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A booth's visitor count changed (every instance's visitors together).
    Presence {
        booth: i64,
        visitors: u32,
    },
    /// A chat message; `display_name` is the conversation's visitor, `booth` its cooperative.
    Chat {
        booth: i64,
        display_name: String,
        message: ChatMessage,
    },
    InquiryReceived {
        inquiry: InquiryNotice,
    },
    /// The dashboard's tiles, recomputed after something they count changed.
    Kpis {
        kpis: Kpis,
    },
    /// A new order, inquiry or booth conversation, for the dashboard's feed.
    Activity {
        item: FeedItem,
    },
    /// The fair a booth is live at may have changed: a fair of its opened or closed (by an
    /// admin, or because its time came), or an admin edited a fair's times or booths. `fair` is
    /// the one it is live at now, if any.
    BoothFair {
        booth: i64,
        fair: Option<FairRef>,
    },
    /// Something new on a user's bell (the notice itself is read with the user's rights).
    Notified {
        user: i64,
    },
    /// A new order for a cooperative, for its order list and overview.
    CoopOrder {
        cooperative_id: i64,
        number: String,
        total_vnd: i64,
        customer: String,
        at: i64,
    },
}

impl Event {
    /// The topics whose subscribers receive this event.
    pub fn topics(&self) -> Vec<Topic> {
        match self {
            Event::Presence { booth, .. } => vec![Topic::Booth(*booth), Topic::Coop(*booth), Topic::Admin],
            Event::Chat { booth, message, .. } => {
                vec![Topic::Conversation(message.conversation_id), Topic::Coop(*booth)]
            }
            Event::InquiryReceived { inquiry } => vec![Topic::Coop(inquiry.cooperative_id), Topic::Admin],
            Event::Kpis { .. } | Event::Activity { .. } => vec![Topic::Admin],
            Event::BoothFair { booth, .. } => vec![Topic::Booth(*booth)],
            Event::Notified { user } => vec![Topic::User(*user)],
            Event::CoopOrder { cooperative_id, .. } => vec![Topic::Coop(*cooperative_id)],
        }
    }

    /// Whether the dashboard's tiles may count differently after this event.
    pub fn moves_kpis(&self) -> bool {
        !matches!(
            self,
            Event::Kpis { .. } | Event::Chat { .. } | Event::Notified { .. } | Event::CoopOrder { .. }
        )
    }
}

/// Why the server refused something a connection asked for. The browser shows the message for
/// the code in the visitor's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Not allowed (someone else's cooperative, conversation, or the admin topic).
    Forbidden,
    /// No such booth, fair or conversation.
    NotFound,
    /// Too many messages in a short time: wait a little.
    RateLimited,
    /// An empty or too long message, or a missing or too long display name.
    Invalid,
    /// Something failed on the server.
    Unavailable,
    /// The connection already follows as many topics as one connection may.
    TooManyTopics,
}

/// A frame from the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    Subscribed {
        topic: Topic,
    },
    Refused {
        #[serde(default)]
        topic: Option<Topic>,
        reason: Refusal,
    },
    /// The answer to `Say`: the stored message (also pushed as an event).
    Said {
        message: ChatMessage,
    },
    Event(Event),
    Pong,
}

/// Close codes the server uses, with the reason text sent alongside.
pub mod close {
    /// A frame that is not JSON of a `ClientFrame`.
    pub const MALFORMED: u16 = 1007;
    /// Kept sending after being told to slow down, or fell too far behind.
    pub const POLICY: u16 = 1008;
    /// A frame larger than `MAX_CLIENT_FRAME_BYTES`.
    pub const TOO_BIG: u16 = 1009;
    /// Binary frames are not part of the protocol.
    pub const UNSUPPORTED: u16 = 1003;
}

// ---------------------------------------------------------------------------------------------
// Payloads: what the admin dashboard and the booths are told

/// Items the activity feed keeps, newest first.
pub const FEED_ITEMS: usize = 20;
/// A site visitor counts as active for this long after their last page.
pub const ACTIVE_VISITOR_SECS: u64 = 300;

/// The figures on the tiles. Revenue is the goods' value (no shipping) of the orders placed
/// today and not cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Kpis {
    pub orders_today: i64,
    pub revenue_today_vnd: i64,
    /// Money recorded as received today (cash at delivery, transfers), apart from what was ordered.
    pub paid_today_vnd: i64,
    /// Distinct visitors with a page in the last five minutes, on this instance.
    pub site_visitors: u32,
    /// Open tabs in booths, every instance's together.
    pub booth_visitors: u32,
    /// Booths of approved cooperatives in a fair that is running now.
    pub booths_live: i64,
    pub inquiries_today: i64,
    pub coops_pending: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedKind {
    Order,
    Inquiry,
    /// A visitor opened a conversation at a booth.
    Chat,
}

impl FeedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedKind::Order => "order",
            FeedKind::Inquiry => "inquiry",
            FeedKind::Chat => "chat",
        }
    }
}

/// One line of the live feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedItem {
    pub kind: FeedKind,
    /// The order's, inquiry's or conversation's id.
    pub id: i64,
    pub at: i64,
    pub cooperative: Text,
    pub cooperative_slug: String,
    /// The order number, the buyer's company and country, or the visitor's name.
    pub label: String,
    /// An order's goods value.
    pub amount_vnd: Option<i64>,
}

impl FeedItem {
    /// Where the line leads: the inquiry in the province's list, the booth where the chat is,
    /// and the cooperative's page for an order (its details are the cooperative's and the
    /// shopper's).
    pub fn href(&self) -> String {
        match self.kind {
            FeedKind::Order => format!("/c/{}", self.cooperative_slug),
            FeedKind::Inquiry => format!("/admin/inquiries#inquiry-{}", self.id),
            FeedKind::Chat => format!("/booths/{}", self.cooperative_slug),
        }
    }
}

/// A fair a booth takes part in, for the "live at" badge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FairRef {
    pub id: i64,
    pub slug: String,
    pub name: Text,
    pub starts_at: i64,
    pub ends_at: i64,
}

/// Newest first, one line per item, at most `FEED_ITEMS`.
pub fn merge_feed(mut items: Vec<FeedItem>) -> Vec<FeedItem> {
    items.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));
    items.dedup_by(|a, b| a.kind == b.kind && a.id == b.id);
    items.truncate(FEED_ITEMS);
    items
}

/// Adds a live item to the feed (ignoring one already there).
pub fn push_feed(feed: &mut Vec<FeedItem>, item: FeedItem) {
    if feed.iter().any(|f| f.kind == item.kind && f.id == item.id) {
        return;
    }
    feed.push(item);
    let merged = merge_feed(std::mem::take(feed));
    *feed = merged;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_have_a_stable_json_shape() {
        let f: ClientFrame = serde_json::from_str(r#"{"type":"subscribe","topic":{"kind":"booth","id":7}}"#)
            .expect("subscribe frame");
        assert_eq!(f, ClientFrame::Subscribe { topic: Topic::Booth(7) });
        let f: ClientFrame = serde_json::from_str(r#"{"type":"subscribe","topic":{"kind":"admin"}}"#)
            .expect("admin topic has no id");
        assert_eq!(f, ClientFrame::Subscribe { topic: Topic::Admin });
        let f: ClientFrame =
            serde_json::from_str(r#"{"type":"say","conversation":3,"body":"Xin chào"}"#).expect("say frame");
        assert_eq!(
            f,
            ClientFrame::Say {
                conversation: Some(3),
                booth: None,
                display_name: None,
                body: "Xin chào".into()
            }
        );
        let out = serde_json::to_string(&ServerFrame::Event(Event::Presence { booth: 2, visitors: 5 }))
            .expect("serialize");
        assert_eq!(out, r#"{"type":"event","event":"presence","booth":2,"visitors":5}"#);
    }

    #[test]
    fn unknown_or_incomplete_frames_do_not_parse() {
        for bad in [
            r#"{"type":"shout"}"#,
            r#"{"type":"subscribe"}"#,
            r#"{"type":"subscribe","topic":{"kind":"booth"}}"#,
            r#"{"type":"subscribe","topic":{"kind":"booth","id":"x"}}"#,
            r#"{"type":"say"}"#,
            "not json",
        ] {
            assert!(serde_json::from_str::<ClientFrame>(bad).is_err(), "{bad} parsed");
        }
    }

    #[test]
    fn events_reach_the_topics_of_their_booth_and_cooperative() {
        let chat = Event::Chat {
            booth: 4,
            display_name: "Lan".into(),
            message: ChatMessage {
                id: 1,
                conversation_id: 9,
                sender: Sender::Visitor,
                author: "Lan".into(),
                body: "hi".into(),
                at: 0,
            },
        };
        assert_eq!(chat.topics(), vec![Topic::Conversation(9), Topic::Coop(4)]);
        assert!(!chat.topics().contains(&Topic::Admin), "chat content is not broadcast to the admin");
        let presence = Event::Presence { booth: 4, visitors: 1 };
        assert!(presence.topics().contains(&Topic::Booth(4)) && presence.topics().contains(&Topic::Coop(4)));
        assert!(!presence.topics().contains(&Topic::Coop(5)));
        let turned = Event::BoothFair { booth: 4, fair: None };
        assert_eq!(turned.topics(), vec![Topic::Booth(4)], "the booth's page, whoever watches it");
        assert!(turned.moves_kpis(), "the tile of booths live now");
    }
}
