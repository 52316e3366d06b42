//! Booths, fairs and booth chat, as pages and server functions exchange them.
use serde::{Deserialize, Serialize};

use crate::catalog::model::ProductCard;
use crate::lang::Text;
use crate::live::model::ChatMessage;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub id: i64,
    pub name: String,
    pub role: Text,
    /// When they are at the booth, as the cooperative writes it ("8:00–17:00, thứ 2–thứ 6").
    pub on_duty: String,
}

/// An announcement or a livestream slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub id: i64,
    pub starts_at: i64,
    pub title: Text,
    pub link: Option<String>,
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

/// A visitor's conversation with a booth, with its messages (oldest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: i64,
    pub booth: i64,
    pub display_name: String,
    pub messages: Vec<ChatMessage>,
}

/// A conversation in the cooperative's inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationSummary {
    pub id: i64,
    pub display_name: String,
    /// Whether the visitor was signed in (an account) or anonymous.
    pub signed_in: bool,
    pub last_body: String,
    pub last_at: i64,
    /// The last message is the visitor's: waiting for a reply.
    pub awaiting_reply: bool,
}

impl ConversationSummary {
    /// The conversation as it stands once `message` is its latest: a visitor's message awaits a
    /// reply, a staff message answers it.
    pub fn after(message: &ChatMessage, display_name: String, signed_in: bool) -> ConversationSummary {
        ConversationSummary {
            id: message.conversation_id,
            display_name,
            signed_in,
            last_body: message.body.clone(),
            last_at: message.at,
            awaiting_reply: message.sender == crate::live::model::Sender::Visitor,
        }
    }
}

/// What the cooperative's booth console shows first; the rest arrives live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffInbox {
    pub booth: i64,
    pub booth_slug: String,
    pub visitors: u32,
    pub conversations: Vec<ConversationSummary>,
}

/// A booth page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoothView {
    pub cooperative_id: i64,
    pub slug: String,
    pub name: Text,
    pub district: Option<Text>,
    pub logo_url: Option<String>,
    pub banner_url: Option<String>,
    pub welcome: Text,
    pub story: Text,
    /// Picked and ordered by the cooperative; its featured products when it has picked none.
    pub featured: Vec<ProductCard>,
    pub team: Vec<TeamMember>,
    /// Upcoming slots, soonest first (and those of the last 2 hours, which may still be on).
    pub schedule: Vec<Slot>,
    /// The fair running now, if the booth is in one.
    pub live_fair: Option<FairRef>,
    pub visitors: u32,
    /// The visitor's own conversation with this booth, if they have started one.
    pub chat: Option<Conversation>,
    /// The signed-in visitor's name (used in the chat); anonymous visitors type one.
    pub viewer_name: Option<String>,
    /// The viewer is a member of this cooperative (staff answer from the dashboard).
    pub is_staff: bool,
}
