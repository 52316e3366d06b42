//! The one WebSocket endpoint, `/live`. Each connection is a task that forwards its hub outbox
//! to the socket and handles the client's frames: subscriptions (authorized one by one), entering
//! a booth (presence) and chat messages (rate limited). Frames that break the protocol close the
//! connection with a code and a reason; nothing a client sends can panic the task.
use std::collections::HashSet;
use std::time::{Duration, Instant};

use app::accounts::auth::RequestSession;
use app::clock::now_unix;
use app::db::Db;
use app::fairs::chat::{self, Target};
use app::live::hub::{Connection, Hub};
use app::live::model::{ClientFrame, MAX_CLIENT_FRAME_BYTES, Refusal, ServerFrame, Topic, close};
use app::socket::service::{
    AddressLimits, AddressSlot, Peer, RateLimit, TOPICS_PER_CONNECTION, authorize, connection_frames, viewer,
};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Extension, State};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use http::{HeaderMap, StatusCode};

/// The server pings every `every`; a connection that has sent nothing (not even a pong) for
/// `idle` is closed and its visitor leaves the booth (a tab that vanished without closing).
#[derive(Debug, Clone, Copy)]
pub struct Heartbeat {
    pub every: Duration,
    pub idle: Duration,
}

impl Default for Heartbeat {
    fn default() -> Self {
        Heartbeat { every: Duration::from_secs(10), idle: Duration::from_secs(25) }
    }
}
/// Refused frames in a row before the connection is closed for flooding.
const FLOOD_LIMIT: u32 = 20;

#[derive(Clone)]
pub struct LiveState {
    pub db: Db,
    pub hub: Hub,
    pub public_url: String,
    pub heartbeat: Heartbeat,
    /// What one client address may spend on this instance's live endpoint.
    pub limits: AddressLimits,
}

pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<LiveState>,
    Extension(session): Extension<RequestSession>,
    headers: HeaderMap,
) -> Response {
    // A page of another site must not open a socket with the visitor's cookies.
    if !crate::security::is_same_origin(&headers, &state.public_url) {
        return (StatusCode::FORBIDDEN, "cross-origin WebSocket refused").into_response();
    }
    // Each connection holds memory and a task: one address holds a bounded number of them.
    let Some(slot) = state.limits.connect(&session.ip) else {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(http::header::RETRY_AFTER, "10")],
            "too many live connections",
        )
            .into_response();
    };
    let peer = Peer {
        session_token: session.token,
        visitor_hash: app::accounts::session::cookie_from_headers(&headers, app::live::VISITOR_COOKIE)
            .map(|t| app::accounts::session::token_hash(&t)),
        ip: session.ip,
    };
    // Small buffers: most connections sit idle, and memory per connection is what limits how
    // many one machine holds. Larger frames than the protocol allows are refused by hand (with
    // a reason) below this transport limit.
    ws.read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_message_size(64 * 1024)
        .max_frame_size(64 * 1024)
        .on_upgrade(move |socket| run(socket, state, peer, slot))
}

async fn run(socket: WebSocket, state: LiveState, peer: Peer, _slot: AddressSlot) {
    let (mut sink, mut stream) = socket.split();
    let mut conn = state.hub.connect();
    let mut session = Session {
        db: &state.db,
        peer: &peer,
        limits: &state.limits,
        chat: RateLimit::chat(),
        frames: connection_frames(),
        refused: 0,
        topics: HashSet::new(),
        visited: HashSet::new(),
    };
    let mut ping = tokio::time::interval(state.heartbeat.every);
    ping.tick().await;
    let mut last_heard = Instant::now();
    let ending: Option<(u16, &'static str)> = loop {
        tokio::select! {
            frame = conn.outbox.recv() => match frame {
                Some(text) => {
                    if sink.send(Message::Text(Utf8Bytes::from(&*text))).await.is_err() {
                        break None;
                    }
                }
                None => break None,
            },
            () = conn.kicked.notified() => break Some((close::POLICY, "too slow: events were not read in time")),
            () = conn.recheck.notified() => {
                if let Err(reason) = session.recheck(&conn).await {
                    break Some(reason);
                }
            }
            incoming = stream.next() => {
                last_heard = Instant::now();
                match incoming {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break None,
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                    Some(Ok(Message::Binary(_))) => break Some((close::UNSUPPORTED, "binary frames are not accepted")),
                    Some(Ok(Message::Text(text))) => {
                        if text.len() > MAX_CLIENT_FRAME_BYTES {
                            break Some((close::TOO_BIG, "frame too large: at most 4096 bytes"));
                        }
                        let Ok(frame) = serde_json::from_str::<ClientFrame>(text.as_str()) else {
                            break Some((close::MALFORMED, "malformed frame: expected a JSON client frame"));
                        };
                        if let Err(reason) = session.handle(&conn, frame).await {
                            break Some(reason);
                        }
                    }
                }
            }
            _ = ping.tick() => {
                if last_heard.elapsed() > state.heartbeat.idle {
                    break Some((close::POLICY, "heartbeat timeout"));
                }
                if sink.send(Message::Ping(Default::default())).await.is_err() {
                    break None;
                }
            }
        }
    };
    // Leave the booth and the topics first, so the count drops even if the close is slow.
    drop(conn);
    if let Some((code, reason)) = ending {
        let _ = sink
            .send(Message::Close(Some(CloseFrame { code, reason: Utf8Bytes::from_static(reason) })))
            .await;
        // The closing handshake: read (and drop) what the client still sends until its own close,
        // for at most CLOSE_WAIT. Closing the TCP connection with unread frames in its buffer
        // would reset it, and a flooding client would never read why it was closed.
        let _ = tokio::time::timeout(CLOSE_WAIT, async {
            while let Some(Ok(message)) = stream.next().await {
                if matches!(message, Message::Close(_)) {
                    break;
                }
            }
        })
        .await;
    }
}

/// How long a closed connection waits for the client's close frame.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

struct Session<'a> {
    db: &'a Db,
    peer: &'a Peer,
    limits: &'a AddressLimits,
    /// Chat messages, and frames of any kind, from this connection.
    chat: RateLimit,
    frames: RateLimit,
    /// Frames refused in a row.
    refused: u32,
    /// Topics this connection asked for and got (at most `TOPICS_PER_CONNECTION`).
    topics: HashSet<Topic>,
    /// Booths whose visit this connection has counted.
    visited: HashSet<i64>,
}

impl Session<'_> {
    /// Counts the visit for the booth traffic chart, off the connection's path: a slow write
    /// never delays the frames. A visit counts once per connection and booth, and one address
    /// adds at most `VISITS_PER_ADDRESS_PER_BOOTH_DAY` a day, so replayed frames, reconnections
    /// and made-up visitor cookies do not inflate the figures.
    fn record_visit(&mut self, booth: i64) {
        let day = app::clock::vietnam_day(now_unix());
        if !self.visited.insert(booth) || !self.limits.count_visit(&self.peer.ip, booth, day) {
            return;
        }
        let who = match (&self.peer.visitor_hash, &self.peer.session_token) {
            (Some(hash), _) => hash.clone(),
            (None, Some(token)) => app::accounts::session::token_hash(token),
            (None, None) => app::accounts::session::token_hash(&format!("address {}", self.peer.ip)),
        };
        let db = self.db.clone();
        tokio::spawn(async move {
            if let Err(e) = app::fairs::service::record_visit(&db, booth, &who, now_unix()).await {
                tracing::warn!(error = %e, booth, "could not count a booth visit");
            }
        });
    }

    /// Handles one client frame; `Err` closes the connection with that code and reason.
    async fn handle(&mut self, conn: &Connection, frame: ClientFrame) -> Result<(), (u16, &'static str)> {
        let hub = conn.hub();
        // Every frame costs: this connection's budget and its address's, over all its connections.
        if !self.frames.allow() || !self.limits.frame(&self.peer.ip) {
            return self.refuse(conn, None, Refusal::RateLimited);
        }
        let answer = match frame {
            ClientFrame::Ping => ServerFrame::Pong,
            ClientFrame::Subscribe { topic } => {
                if !self.topics.contains(&topic) && self.topics.len() >= TOPICS_PER_CONNECTION {
                    return self.refuse(conn, Some(topic), Refusal::TooManyTopics);
                }
                let answer = self.subscribe(conn, topic).await;
                if matches!(answer, ServerFrame::Subscribed { .. }) {
                    self.topics.insert(topic);
                }
                answer
            }
            ClientFrame::Unsubscribe { topic } => {
                self.topics.remove(&topic);
                hub.unsubscribe(conn.id, topic);
                return Ok(());
            }
            ClientFrame::Enter { booth } => {
                let topic = Topic::Booth(booth);
                match authorize(self.db, self.peer, topic).await {
                    Ok(_) => {
                        hub.enter(conn.id, booth);
                        self.record_visit(booth);
                        ServerFrame::Subscribed { topic }
                    }
                    Err(reason) => ServerFrame::Refused { topic: Some(topic), reason },
                }
            }
            ClientFrame::Leave => {
                hub.leave(conn.id);
                return Ok(());
            }
            ClientFrame::Say { conversation, booth, display_name, body } => {
                if !self.chat.allow() || !self.limits.chat(&self.peer.ip) {
                    return self.refuse(conn, None, Refusal::RateLimited);
                } else {
                    let target = match (conversation, booth) {
                        (Some(id), _) => Some(Target::Conversation(id)),
                        (None, Some(booth)) => Some(Target::Booth { booth, display_name }),
                        (None, None) => None,
                    };
                    match target {
                        None => ServerFrame::Refused { topic: None, reason: Refusal::Invalid },
                        Some(target) => match self.say(hub, target, &body).await {
                            Ok(message) => {
                                // A visitor's first message opens the conversation: follow it.
                                hub.subscribe(conn.id, Topic::Conversation(message.conversation_id));
                                ServerFrame::Said { message }
                            }
                            Err(reason) => ServerFrame::Refused { topic: None, reason },
                        },
                    }
                }
            }
        };
        if !conn.reply(&answer) {
            return Err((close::POLICY, "too slow: events were not read in time"));
        }
        self.refused = 0;
        Ok(())
    }

    /// Answers a frame refused for a limit; too many in a row close the connection.
    fn refuse(
        &mut self,
        conn: &Connection,
        topic: Option<Topic>,
        reason: Refusal,
    ) -> Result<(), (u16, &'static str)> {
        self.refused += 1;
        if self.refused >= FLOOD_LIMIT {
            return Err((close::POLICY, "too many frames"));
        }
        if !conn.reply(&ServerFrame::Refused { topic, reason }) {
            return Err((close::POLICY, "too slow: events were not read in time"));
        }
        Ok(())
    }

    /// Authorizes `topic` for this connection and follows what was granted.
    async fn subscribe(&self, conn: &Connection, topic: Topic) -> ServerFrame {
        // A revocation landing while this authorizes makes it authorize again, as of after it.
        for _ in 0..3 {
            let seen = conn.hub().revocations();
            match authorize(self.db, self.peer, topic).await {
                Ok(grant) => {
                    if conn.hub().subscribe_as(conn.id, &grant.topics, grant.user, seen) {
                        return ServerFrame::Subscribed { topic };
                    }
                }
                Err(reason) => return ServerFrame::Refused { topic: Some(topic), reason },
            }
        }
        ServerFrame::Refused { topic: Some(topic), reason: Refusal::Unavailable }
    }

    /// The hub took personal topics away (someone's rights changed): authorize each again, as
    /// of now, and tell the browser which are back and which are gone.
    async fn recheck(&self, conn: &Connection) -> Result<(), (u16, &'static str)> {
        for topic in conn.hub().take_revoked(conn.id) {
            let answer = self.subscribe(conn, topic).await;
            if !conn.reply(&answer) {
                return Err((close::POLICY, "too slow: events were not read in time"));
            }
        }
        Ok(())
    }

    async fn say(
        &self,
        hub: &Hub,
        target: Target,
        body: &str,
    ) -> Result<app::live::model::ChatMessage, Refusal> {
        let viewer = viewer(self.db, self.peer).await?;
        chat::say(self.db, hub, viewer.as_ref(), self.peer.visitor_hash.as_deref(), target, body, now_unix())
            .await
    }
}

/// `/live`: the WebSocket.
pub fn routes(state: &crate::AppState) -> axum::Router<crate::AppState> {
    let live = LiveState {
        db: state.db.clone(),
        hub: state.hub.clone(),
        public_url: state.public_url.clone(),
        heartbeat: state.heartbeat,
        limits: Default::default(),
    };
    axum::Router::new().route("/live", axum::routing::get(upgrade).with_state(live))
}
