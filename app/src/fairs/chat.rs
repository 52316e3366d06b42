//! Booth chat: conversations between a visitor and a cooperative, their messages, and who may
//! read and write them. Messages are stored before they are published, so history and live
//! delivery never disagree.
use super::model::{Conversation, ConversationSummary};
use crate::accounts::model::Viewer;
use crate::db::{Db, Sql};
use crate::live::hub::Hub;
use crate::live::model::{
    ChatMessage, Event, MAX_CHAT_CHARS, MAX_DISPLAY_NAME_CHARS, Refusal, Sender, Topic,
};
use crate::messages::model::Message;
use crate::messages::service::{To, Told, tell};

/// How many messages a conversation's history returns (the latest).
pub const HISTORY: i64 = 200;

/// Whose conversation it is.
#[derive(Debug, Clone)]
pub struct Owner {
    pub cooperative_id: i64,
    pub user_id: Option<i64>,
    pub visitor_hash: Option<String>,
    pub display_name: String,
}

impl Owner {
    /// The visitor who started it: the same account, or (anonymous) the same visitor cookie.
    pub fn is_visitor(&self, viewer: Option<&Viewer>, visitor_hash: Option<&str>) -> bool {
        match (self.user_id, viewer) {
            (Some(owner), Some(v)) => owner == v.id,
            (Some(_), None) => false,
            (None, _) => self.visitor_hash.is_some() && self.visitor_hash.as_deref() == visitor_hash,
        }
    }
}

#[derive(sqlx::FromRow)]
struct OwnerRow {
    cooperative_id: i64,
    user_id: Option<i64>,
    visitor_hash: Option<String>,
    display_name: String,
}

pub async fn owner(db: &Db, conversation: i64) -> Result<Option<Owner>, sqlx::Error> {
    Ok(sqlx::query_as::<_, OwnerRow>(
        "SELECT cooperative_id, user_id, visitor_hash, display_name FROM chat_conversations WHERE id = $1",
    )
    .bind(conversation)
    .fetch_optional(&db.pool)
    .await?
    .map(|r| Owner {
        cooperative_id: r.cooperative_id,
        user_id: r.user_id,
        visitor_hash: r.visitor_hash,
        display_name: r.display_name,
    }))
}

/// The visitor's identity in chat: their account when signed in, else their visitor cookie.
#[derive(Debug, Clone)]
pub enum Visitor {
    User(i64),
    Anonymous(String),
}

impl Visitor {
    pub fn of(viewer: Option<&Viewer>, visitor_hash: Option<&str>) -> Option<Visitor> {
        match (viewer, visitor_hash) {
            (Some(v), _) => Some(Visitor::User(v.id)),
            (None, Some(h)) => Some(Visitor::Anonymous(h.to_owned())),
            (None, None) => None,
        }
    }
}

/// Where a `Say` goes.
#[derive(Debug, Clone)]
pub enum Target {
    /// An existing conversation (staff, or its visitor).
    Conversation(i64),
    /// A visitor's conversation with this booth, started if need be under `display_name`.
    Booth { booth: i64, display_name: Option<String> },
}

/// A message body: trimmed, 1 to `MAX_CHAT_CHARS` characters, no control characters but newlines.
pub fn clean_body(body: &str) -> Option<String> {
    let body: String = body.trim().chars().filter(|c| !c.is_control() || *c == '\n').collect();
    let n = body.chars().count();
    (1..=MAX_CHAT_CHARS).contains(&n).then_some(body)
}

/// A display name: trimmed, one line, 1 to `MAX_DISPLAY_NAME_CHARS` characters.
pub fn clean_name(name: &str) -> Option<String> {
    let name: String = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let name: String = name.chars().filter(|c| !c.is_control()).collect();
    let n = name.chars().count();
    (1..=MAX_DISPLAY_NAME_CHARS).contains(&n).then_some(name)
}

fn unavailable(e: sqlx::Error) -> Refusal {
    tracing::error!(error = %e, "chat query failed");
    Refusal::Unavailable
}

/// Stores a message and publishes it. The writer is the conversation's visitor, or a member of
/// its cooperative (staff); anyone else gets `NotFound`, as if there were no such conversation.
pub async fn say(
    db: &Db,
    hub: &Hub,
    viewer: Option<&Viewer>,
    visitor_hash: Option<&str>,
    target: Target,
    body: &str,
    now: i64,
) -> Result<ChatMessage, Refusal> {
    let body = clean_body(body).ok_or(Refusal::Invalid)?;
    let staff_coop = viewer.and_then(Viewer::dashboard_cooperative).map(|m| m.cooperative_id);
    let (conversation, booth, sender, display_name) = match target {
        Target::Conversation(id) => {
            let owner = owner(db, id).await.map_err(unavailable)?.ok_or(Refusal::NotFound)?;
            let sender = if staff_coop == Some(owner.cooperative_id) {
                Sender::Staff
            } else if owner.is_visitor(viewer, visitor_hash) {
                Sender::Visitor
            } else {
                return Err(Refusal::NotFound);
            };
            (id, owner.cooperative_id, sender, owner.display_name)
        }
        Target::Booth { booth, display_name } => {
            if staff_coop == Some(booth) {
                // Staff answer conversations; they do not open one with their own booth.
                return Err(Refusal::Invalid);
            }
            let visitor = Visitor::of(viewer, visitor_hash).ok_or(Refusal::Forbidden)?;
            let name = match viewer {
                Some(v) => clean_name(&v.display_name).unwrap_or_else(|| "—".to_owned()),
                None => display_name.as_deref().and_then(clean_name).ok_or(Refusal::Invalid)?,
            };
            let (id, name, opened) = open(db, booth, &visitor, &name, now).await?;
            if opened {
                use crate::live::{feed::announce, model::FeedKind};
                announce(db, hub, FeedKind::Chat, id).await;
            }
            (id, booth, Sender::Visitor, name)
        }
    };
    let author = match sender {
        Sender::Visitor => display_name.clone(),
        Sender::Staff => viewer.map(|v| v.display_name.clone()).unwrap_or_default(),
    };
    let mut tx = db.begin_write().await.map_err(unavailable)?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO chat_messages (conversation_id, sender, staff_user_id, body, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(conversation)
    .bind(sender.as_db())
    .bind(if sender == Sender::Staff { viewer.map(|v| v.id) } else { None })
    .bind(&body)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(unavailable)?;
    sqlx::query("UPDATE chat_conversations SET last_message_at = $1 WHERE id = $2")
        .bind(now)
        .bind(conversation)
        .execute(&mut *tx)
        .await
        .map_err(unavailable)?;
    let told = if sender == Sender::Visitor && hub.subscribers(Topic::Coop(booth)) == 0 {
        waiting(&mut tx, booth, conversation, &display_name, &body, now).await.map_err(unavailable)?
    } else {
        Told::default()
    };
    tx.commit().await.map_err(unavailable)?;
    crate::messages::service::announce(db, hub, told);
    let message = ChatMessage { id, conversation_id: conversation, sender, author, body, at: now };
    hub.publish(Event::Chat { booth, display_name, message: message.clone() });
    Ok(message)
}

/// How long a conversation's "waiting" notice holds before another may be sent.
pub const WAITING_NOTICE_SECS: i64 = 3600;

/// A visitor wrote while no one of the cooperative has its dashboard open (on this instance): the
/// cooperative is told, at most once an hour per conversation.
async fn waiting(
    tx: &mut crate::db::WriteTx,
    booth: i64,
    conversation: i64,
    visitor: &str,
    body: &str,
    now: i64,
) -> Result<Told, sqlx::Error> {
    let due = sqlx::query(
        "UPDATE chat_conversations SET waiting_told_at = $1 WHERE id = $2 \
         AND (waiting_told_at IS NULL OR waiting_told_at <= $3)",
    )
    .bind(now)
    .bind(conversation)
    .bind(now - WAITING_NOTICE_SECS)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if due == 0 {
        return Ok(Told::default());
    }
    let excerpt: String = body.chars().take(140).collect();
    let message = Message::ChatWaiting { visitor: visitor.to_owned(), excerpt };
    tell(tx, To::Cooperative(booth), &message, now).await
}

/// The visitor's conversation with `booth`, started under `name` if there is none yet (the first
/// name stays): (id, name, whether it was started now). The booth must be an approved
/// cooperative's.
async fn open(
    db: &Db,
    booth: i64,
    visitor: &Visitor,
    name: &str,
    now: i64,
) -> Result<(i64, String, bool), Refusal> {
    if !is_open_booth(db, booth).await.map_err(unavailable)? {
        return Err(Refusal::NotFound);
    }
    let (user_id, visitor_hash): (Option<i64>, Option<String>) = match visitor {
        Visitor::User(id) => (Some(*id), None),
        Visitor::Anonymous(h) => (None, Some(h.clone())),
    };
    let started = sqlx::query(
        "INSERT INTO chat_conversations (cooperative_id, user_id, visitor_hash, display_name, created_at, \
         last_message_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(booth)
    .bind(user_id)
    .bind(visitor_hash)
    .bind(name)
    .bind(now)
    .bind(now)
    .execute(&db.pool)
    .await
    .map_err(unavailable)?
    .rows_affected()
        == 1;
    let (id, name) = find(db, booth, visitor).await.map_err(unavailable)?.ok_or(Refusal::Unavailable)?;
    Ok((id, name, started))
}

/// The visitor's conversation with `booth`: (id, display name).
async fn find(db: &Db, booth: i64, visitor: &Visitor) -> Result<Option<(i64, String)>, sqlx::Error> {
    let mut sql = Sql::new("SELECT id, display_name FROM chat_conversations WHERE cooperative_id = ");
    sql.bind(booth);
    match visitor {
        Visitor::User(id) => sql.push(" AND user_id = ").bind(*id),
        Visitor::Anonymous(h) => sql.push(" AND visitor_hash = ").bind(h.clone()),
    };
    sql.query_as::<(i64, String)>()?.fetch_optional(&db.pool).await
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: i64,
    conversation_id: i64,
    sender: String,
    staff_name: Option<String>,
    visitor_name: String,
    body: String,
    created_at: i64,
}

impl From<MessageRow> for ChatMessage {
    fn from(r: MessageRow) -> ChatMessage {
        let sender = Sender::from_db(&r.sender);
        ChatMessage {
            id: r.id,
            conversation_id: r.conversation_id,
            sender,
            author: match sender {
                Sender::Staff => r.staff_name.unwrap_or_default(),
                Sender::Visitor => r.visitor_name,
            },
            body: r.body,
            at: r.created_at,
        }
    }
}

const MESSAGE_SELECT: &str = "SELECT m.id, m.conversation_id, m.sender, u.display_name AS staff_name, \
    c.display_name AS visitor_name, m.body, m.created_at FROM chat_messages m \
    JOIN chat_conversations c ON c.id = m.conversation_id LEFT JOIN users u ON u.id = m.staff_user_id";

/// The latest `HISTORY` messages of a conversation, oldest first.
pub async fn history(db: &Db, conversation: i64) -> Result<Vec<ChatMessage>, sqlx::Error> {
    let mut sql = Sql::new(MESSAGE_SELECT);
    sql.push(" WHERE m.conversation_id = ").bind(conversation);
    sql.push(" ORDER BY m.id DESC LIMIT ").bind(HISTORY);
    let mut rows: Vec<ChatMessage> =
        sql.query_as::<MessageRow>()?.fetch_all(&db.pool).await?.into_iter().map(Into::into).collect();
    rows.reverse();
    Ok(rows)
}

/// One stored message with its conversation's booth and visitor name (for the relay).
pub async fn message_event(db: &Db, id: i64) -> Result<Option<Event>, sqlx::Error> {
    let mut sql = Sql::new(MESSAGE_SELECT);
    sql.push(" WHERE m.id = ").bind(id);
    let Some(row) = sql.query_as::<MessageRow>()?.fetch_optional(&db.pool).await? else { return Ok(None) };
    let Some(owner) = owner(db, row.conversation_id).await? else { return Ok(None) };
    Ok(Some(Event::Chat {
        booth: owner.cooperative_id,
        display_name: owner.display_name,
        message: row.into(),
    }))
}

/// The visitor's conversation with `booth`, with its history.
pub async fn visitor_conversation(
    db: &Db,
    booth: i64,
    visitor: &Visitor,
) -> Result<Option<Conversation>, sqlx::Error> {
    let Some((id, display_name)) = find(db, booth, visitor).await? else { return Ok(None) };
    Ok(Some(Conversation { id, booth, display_name, messages: history(db, id).await? }))
}

/// A conversation by id with its history, for a member of its cooperative or its visitor.
pub async fn conversation(
    db: &Db,
    id: i64,
    viewer: Option<&Viewer>,
    visitor_hash: Option<&str>,
) -> Result<Option<Conversation>, sqlx::Error> {
    let Some(owner) = owner(db, id).await? else { return Ok(None) };
    let staff = viewer
        .and_then(Viewer::dashboard_cooperative)
        .is_some_and(|m| m.cooperative_id == owner.cooperative_id);
    if !staff && !owner.is_visitor(viewer, visitor_hash) {
        return Ok(None);
    }
    Ok(Some(Conversation {
        id,
        booth: owner.cooperative_id,
        display_name: owner.display_name,
        messages: history(db, id).await?,
    }))
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    display_name: String,
    user_id: Option<i64>,
    last_message_at: i64,
    last_body: Option<String>,
    last_sender: Option<String>,
}

/// A cooperative's conversations, the most recent first.
pub async fn inbox(db: &Db, cooperative_id: i64) -> Result<Vec<ConversationSummary>, sqlx::Error> {
    Ok(sqlx::query_as::<_, SummaryRow>(
        "SELECT c.id, c.display_name, c.user_id, c.last_message_at, m.body AS last_body, \
         m.sender AS last_sender FROM chat_conversations c LEFT JOIN chat_messages m ON m.id = \
         (SELECT MAX(x.id) FROM chat_messages x WHERE x.conversation_id = c.id) WHERE c.cooperative_id = $1 \
         ORDER BY c.last_message_at DESC, c.id DESC LIMIT 100",
    )
    .bind(cooperative_id)
    .fetch_all(&db.pool)
    .await?
    .into_iter()
    .map(|r| ConversationSummary {
        id: r.id,
        display_name: r.display_name,
        signed_in: r.user_id.is_some(),
        awaiting_reply: r.last_sender.as_deref() == Some("visitor"),
        last_body: r.last_body.unwrap_or_default(),
        last_at: r.last_message_at,
    })
    .collect())
}

/// Whether `coop` has a booth open to visitors (an approved cooperative's).
pub async fn is_open_booth(db: &Db, coop: i64) -> Result<bool, sqlx::Error> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM cooperatives WHERE status = 'approved' AND id = $1")
            .bind(coop)
            .fetch_one(&db.pool)
            .await?;
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use super::{clean_body, clean_name};

    #[test]
    fn messages_and_names_are_trimmed_and_bounded() {
        assert_eq!(clean_body("  Xin chào!  ").as_deref(), Some("Xin chào!"));
        assert_eq!(clean_body("dòng 1\ndòng 2").as_deref(), Some("dòng 1\ndòng 2"));
        assert_eq!(clean_body("a\u{0007}b").as_deref(), Some("ab"));
        assert_eq!(clean_body("   "), None);
        assert!(clean_body(&"ạ".repeat(1000)).is_some(), "1,000 characters (3,000 bytes) fit");
        assert_eq!(clean_body(&"a".repeat(1001)), None);
        assert_eq!(clean_name("  Nguyễn   Thị\tLan ").as_deref(), Some("Nguyễn Thị Lan"));
        assert_eq!(clean_name(""), None);
        assert_eq!(clean_name(&"x".repeat(41)), None);
    }
}
