//! The live endpoint over real WebSockets, against real SQLite and real PostgreSQL: who may
//! follow what, booth presence, chat both ways with its history, the protocol's limits, the
//! heartbeat, rights lost while a socket is open, and (PostgreSQL) two server instances sharing
//! chat, visitor counts, fair badges and revocations.
#[path = "../../app/tests/common/mod.rs"]
mod common;

use std::net::SocketAddr;
use std::time::Duration;

use app::accounts::service as accounts;
use app::db::{Db, Sql};
use app::fairs::chat::{self, Visitor};
use app::live::hub::Hub;
use app::live::model::{ClientFrame, Event, Refusal, Sender, ServerFrame, Topic};
use futures::{SinkExt, StreamExt};
use leptos::prelude::LeptosOptions;
use server::live::Heartbeat;
use server::{AppState, build_router};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

// Generous: CI runs these beside compiles on 2 cores; a passing test never waits this long.
const WAIT: Duration = Duration::from_secs(15);

struct Instance {
    addr: SocketAddr,
    hub: Hub,
    /// The same instance's router, for calling its server functions directly.
    router: axum::Router,
}

async fn start(db: &Db, hub: Hub, heartbeat: Heartbeat) -> Instance {
    let state = AppState {
        leptos_options: LeptosOptions::builder().output_name("ocop").site_root("target/site").build(),
        db: db.clone(),
        public_url: "http://shop.test".to_owned(),
        page_cache: Default::default(),
        product_charts: Default::default(),
        auth: Default::default(),
        trusted_proxies: Default::default(),
        media: app::media::store::MediaStore::memory(),
        hub: hub.clone(),
        heartbeat,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let router = build_router(state);
    let serving = router.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, serving.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    Instance { addr, hub, router }
}

async fn seeded(db: &Db) {
    app::seed::seed(db).await.expect("seed");
    accounts::seed_demo_accounts(db, app::clock::now_unix()).await.expect("demo accounts");
}

async fn coop_id(db: &Db, slug: &str) -> i64 {
    let mut sql = Sql::new("SELECT id FROM cooperatives WHERE slug = ");
    sql.bind(slug.to_owned());
    common::scalar(db, sql).await
}

async fn session_cookie(db: &Db, email: &str, password: &str) -> String {
    let token =
        accounts::login(db, email, password, "192.0.2.1", app::clock::now_unix()).await.expect("login");
    format!("ocop_session={token}")
}

async fn connect(addr: SocketAddr, cookie: Option<&str>) -> Ws {
    let mut req = format!("ws://{addr}/live").into_client_request().expect("request");
    if let Some(c) = cookie {
        req.headers_mut().insert(http::header::COOKIE, c.parse().expect("cookie header"));
    }
    let (ws, _) = tokio_tungstenite::connect_async(req).await.expect("the upgrade succeeds");
    ws
}

async fn send(ws: &mut Ws, frame: ClientFrame) {
    let text = serde_json::to_string(&frame).expect("encode");
    ws.send(Message::text(text)).await.expect("send");
}

/// The next protocol frame (pings and pongs skipped).
async fn next(ws: &mut Ws) -> ServerFrame {
    loop {
        let msg =
            tokio::time::timeout(WAIT, ws.next()).await.expect("a frame in time").expect("open").expect("ok");
        if let Message::Text(t) = msg {
            return serde_json::from_str(t.as_str()).expect("a server frame");
        }
    }
}

/// Reads frames until one matches (others, such as presence updates, are skipped).
async fn until<T>(ws: &mut Ws, mut pick: impl FnMut(ServerFrame) -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let frame = tokio::time::timeout(left, next(ws)).await.expect("the expected frame in time");
        if let Some(found) = pick(frame) {
            return found;
        }
    }
}

async fn subscribe(ws: &mut Ws, topic: Topic) -> ServerFrame {
    send(ws, ClientFrame::Subscribe { topic }).await;
    until(ws, |f| match f {
        ServerFrame::Subscribed { topic: t } | ServerFrame::Refused { topic: Some(t), .. } if t == topic => {
            Some(f)
        }
        _ => None,
    })
    .await
}

fn refused(topic: Topic, reason: Refusal) -> ServerFrame {
    ServerFrame::Refused { topic: Some(topic), reason }
}

async fn visitors_seen(ws: &mut Ws, booth: i64, want: u32) {
    until(ws, |f| match f {
        ServerFrame::Event(Event::Presence { booth: b, visitors }) if b == booth && visitors == want => {
            Some(())
        }
        _ => None,
    })
    .await;
}

async fn said(ws: &mut Ws) -> Result<app::live::model::ChatMessage, Refusal> {
    until(ws, |f| match f {
        ServerFrame::Said { message } => Some(Ok(message)),
        ServerFrame::Refused { topic: None, reason } => Some(Err(reason)),
        _ => None,
    })
    .await
}

fn say_to_booth(booth: i64, name: &str, body: &str) -> ClientFrame {
    ClientFrame::Say {
        conversation: None,
        booth: Some(booth),
        display_name: Some(name.into()),
        body: body.into(),
    }
}

fn reply(conversation: i64, body: &str) -> ClientFrame {
    ClientFrame::Say { conversation: Some(conversation), booth: None, display_name: None, body: body.into() }
}

async fn every_subscription_is_authorized(db: Db) {
    seeded(&db).await;
    let app = start(&db, Hub::new(), Heartbeat::default()).await;
    let binh_minh = coop_id(&db, "binh-minh").await;
    let hong_phat = coop_id(&db, "hong-phat").await;

    let mut anon = connect(app.addr, None).await;
    assert_eq!(
        subscribe(&mut anon, Topic::Booth(binh_minh)).await,
        ServerFrame::Subscribed { topic: Topic::Booth(binh_minh) }
    );
    assert_eq!(
        subscribe(&mut anon, Topic::Booth(999_999)).await,
        refused(Topic::Booth(999_999), Refusal::NotFound)
    );
    assert_eq!(
        subscribe(&mut anon, Topic::Fair(999_999)).await,
        refused(Topic::Fair(999_999), Refusal::NotFound)
    );
    assert_eq!(
        subscribe(&mut anon, Topic::Coop(binh_minh)).await,
        refused(Topic::Coop(binh_minh), Refusal::Forbidden)
    );
    assert_eq!(subscribe(&mut anon, Topic::Admin).await, refused(Topic::Admin, Refusal::Forbidden));
    // Without a visitor cookie or an account there is no one to hold a conversation.
    send(&mut anon, say_to_booth(binh_minh, "Lan", "Xin chào")).await;
    assert_eq!(said(&mut anon).await, Err(Refusal::Forbidden));

    let member_cookie = session_cookie(&db, "binhminh@ocop.demo", "member-demo-2026").await;
    let mut member = connect(app.addr, Some(&member_cookie)).await;
    assert_eq!(
        subscribe(&mut member, Topic::Coop(binh_minh)).await,
        ServerFrame::Subscribed { topic: Topic::Coop(binh_minh) }
    );
    assert_eq!(
        subscribe(&mut member, Topic::Coop(hong_phat)).await,
        refused(Topic::Coop(hong_phat), Refusal::Forbidden)
    );
    assert_eq!(subscribe(&mut member, Topic::Admin).await, refused(Topic::Admin, Refusal::Forbidden));

    let admin_cookie = session_cookie(&db, "admin@ocop.demo", "admin-demo-2026").await;
    let mut admin = connect(app.addr, Some(&admin_cookie)).await;
    assert_eq!(subscribe(&mut admin, Topic::Admin).await, ServerFrame::Subscribed { topic: Topic::Admin });
    assert_eq!(
        subscribe(&mut admin, Topic::Coop(binh_minh)).await,
        refused(Topic::Coop(binh_minh), Refusal::Forbidden)
    );

    // A conversation belongs to its visitor (by cookie) and the booth's members, no one else.
    let mut lan = connect(app.addr, Some("ocop_visitor=lan-token")).await;
    send(&mut lan, say_to_booth(binh_minh, "Lan", "Cho tôi hỏi giá chè")).await;
    let conversation = said(&mut lan).await.expect("said").conversation_id;
    let topic = Topic::Conversation(conversation);
    let mut mai = connect(app.addr, Some("ocop_visitor=mai-token")).await;
    assert_eq!(subscribe(&mut mai, topic).await, refused(topic, Refusal::NotFound));
    send(&mut mai, reply(conversation, "Tôi chen vào")).await;
    assert_eq!(said(&mut mai).await, Err(Refusal::NotFound));
    let other_cookie = session_cookie(&db, "shopper@ocop.demo", "shopper-demo-2026").await;
    let mut shopper = connect(app.addr, Some(&other_cookie)).await;
    assert_eq!(subscribe(&mut shopper, topic).await, refused(topic, Refusal::NotFound));
    assert_eq!(subscribe(&mut member, topic).await, ServerFrame::Subscribed { topic });
    let mut lan_again = connect(app.addr, Some("ocop_visitor=lan-token")).await;
    assert_eq!(
        subscribe(&mut lan_again, topic).await,
        ServerFrame::Subscribed { topic },
        "a returning visitor"
    );

    // Signing out ends the right to follow the cooperative, even on a connection opened before.
    let token = member_cookie.trim_start_matches("ocop_session=");
    app::accounts::session::delete(&db, token).await.expect("sign out");
    assert_eq!(
        subscribe(&mut member, Topic::Coop(binh_minh)).await,
        refused(Topic::Coop(binh_minh), Refusal::Forbidden)
    );
}

async fn chat_travels_both_ways_live_and_is_kept(db: Db) {
    seeded(&db).await;
    let app = start(&db, Hub::new(), Heartbeat::default()).await;
    let binh_minh = coop_id(&db, "binh-minh").await;
    let member_cookie = session_cookie(&db, "binhminh@ocop.demo", "member-demo-2026").await;
    let mut staff = connect(app.addr, Some(&member_cookie)).await;
    subscribe(&mut staff, Topic::Coop(binh_minh)).await;

    // A visitor arrives: the staff's console counts them.
    let mut visitor = connect(app.addr, Some("ocop_visitor=lan-token")).await;
    send(&mut visitor, ClientFrame::Enter { booth: binh_minh }).await;
    visitors_seen(&mut staff, binh_minh, 1).await;
    // A second tab of the same visitor is a second pair of eyes on the booth.
    let mut tab = connect(app.addr, Some("ocop_visitor=lan-token")).await;
    send(&mut tab, ClientFrame::Enter { booth: binh_minh }).await;
    visitors_seen(&mut staff, binh_minh, 2).await;
    drop(tab);
    visitors_seen(&mut staff, binh_minh, 1).await;

    // Visitor → staff.
    let body = "Xin chào <b>gian hàng</b> & \"bạn\"";
    send(&mut visitor, say_to_booth(binh_minh, "  Lan   Nguyễn ", body)).await;
    let first = said(&mut visitor).await.expect("stored");
    assert_eq!(
        (first.sender, first.author.as_str(), first.body.as_str()),
        (Sender::Visitor, "Lan Nguyễn", body)
    );
    let (name, seen) = until(&mut staff, |f| match f {
        ServerFrame::Event(Event::Chat { display_name, message, .. }) => Some((display_name, message)),
        _ => None,
    })
    .await;
    assert_eq!((name.as_str(), &seen), ("Lan Nguyễn", &first), "staff see the stored message as is");

    // Staff → visitor.
    send(&mut staff, reply(first.conversation_id, "Chào chị Lan, chè búp 100 g giá 120.000 ₫")).await;
    let answer = said(&mut staff).await.expect("stored");
    assert_eq!(answer.sender, Sender::Staff);
    let heard = until(&mut visitor, |f| match f {
        ServerFrame::Event(Event::Chat { message, .. }) if message.sender == Sender::Staff => Some(message),
        _ => None,
    })
    .await;
    assert_eq!(heard, answer);

    // Kept: the history a returning visitor loads, oldest first.
    let hash = app::accounts::session::token_hash("lan-token");
    let kept = chat::visitor_conversation(&db, binh_minh, &Visitor::Anonymous(hash))
        .await
        .expect("read")
        .expect("found");
    assert_eq!(kept.messages, vec![first.clone(), answer.clone()]);
    assert!(!chat::inbox(&db, binh_minh).await.expect("inbox")[0].awaiting_reply, "answered");
    // A second message of the same visitor goes into the same conversation.
    send(&mut visitor, say_to_booth(binh_minh, "Another name", "Cảm ơn anh")).await;
    assert_eq!(said(&mut visitor).await.expect("stored").conversation_id, first.conversation_id);

    // Closing the tab takes the visitor out of the count.
    visitor.close(None).await.expect("close");
    visitors_seen(&mut staff, binh_minh, 0).await;
    assert_eq!(app.hub.visitors(binh_minh), 0);
}

/// The close code and reason the server ended the connection with.
async fn closed_with(ws: &mut Ws) -> (u16, String) {
    loop {
        match tokio::time::timeout(WAIT, ws.next()).await.expect("closed in time") {
            Some(Ok(Message::Close(Some(frame)))) => {
                return (u16::from(frame.code), frame.reason.to_string());
            }
            Some(Ok(Message::Close(None))) | None | Some(Err(_)) => panic!("closed without a reason"),
            Some(Ok(_)) => {}
        }
    }
}

async fn abuse_is_limited_and_bad_frames_close_with_a_reason(db: Db) {
    seeded(&db).await;
    let app = start(
        &db,
        Hub::new(),
        Heartbeat { every: Duration::from_millis(200), idle: Duration::from_millis(800) },
    )
    .await;
    let binh_minh = coop_id(&db, "binh-minh").await;

    let mut chatty = connect(app.addr, Some("ocop_visitor=chatty")).await;
    for i in 0..5 {
        send(&mut chatty, say_to_booth(binh_minh, "Chatty", &format!("tin nhắn {i}"))).await;
        assert!(said(&mut chatty).await.is_ok(), "message {i} of the burst");
    }
    send(&mut chatty, say_to_booth(binh_minh, "Chatty", "một tin nữa")).await;
    assert_eq!(said(&mut chatty).await, Err(Refusal::RateLimited));
    let messages: i64 = common::scalar(&db, Sql::new("SELECT COUNT(*) FROM chat_messages")).await;
    assert_eq!(messages, 5, "the refused one is not stored");

    let mut long = connect(app.addr, Some("ocop_visitor=long")).await;
    send(&mut long, say_to_booth(binh_minh, "Long", &"a".repeat(1001))).await;
    assert_eq!(said(&mut long).await, Err(Refusal::Invalid));
    send(&mut long, say_to_booth(binh_minh, "", "no name")).await;
    assert_eq!(said(&mut long).await, Err(Refusal::Invalid));

    let mut big = connect(app.addr, None).await;
    big.send(Message::text("x".repeat(5000))).await.expect("send");
    let (code, reason) = closed_with(&mut big).await;
    assert_eq!(code, 1009);
    assert!(reason.contains("4096"), "{reason}");

    let mut garbled = connect(app.addr, None).await;
    garbled.send(Message::text("{\"type\":\"subscribe\",")).await.expect("send");
    let (code, reason) = closed_with(&mut garbled).await;
    assert_eq!(code, 1007);
    assert!(reason.contains("malformed"), "{reason}");

    let mut binary = connect(app.addr, None).await;
    binary.send(Message::binary(vec![1, 2, 3])).await.expect("send");
    assert_eq!(closed_with(&mut binary).await.0, 1003);

    // A tab that stops answering (no pongs, nothing) is dropped by the heartbeat and leaves the booth.
    let member_cookie = session_cookie(&db, "binhminh@ocop.demo", "member-demo-2026").await;
    let mut staff = connect(app.addr, Some(&member_cookie)).await;
    subscribe(&mut staff, Topic::Coop(binh_minh)).await;
    let mut silent = connect(app.addr, None).await;
    send(&mut silent, ClientFrame::Enter { booth: binh_minh }).await;
    visitors_seen(&mut staff, binh_minh, 1).await;
    // `silent` is never read again, so it never answers a ping. `staff` keeps reading (and so
    // answering pings) while it waits.
    visitors_seen(&mut staff, binh_minh, 0).await;
    drop(silent);

    // The server is still fine.
    let mut after = connect(app.addr, None).await;
    assert_eq!(
        subscribe(&mut after, Topic::Booth(binh_minh)).await,
        ServerFrame::Subscribed { topic: Topic::Booth(binh_minh) }
    );
}

async fn a_cross_site_page_cannot_open_the_socket(db: Db) {
    seeded(&db).await;
    let app = start(&db, Hub::new(), Heartbeat::default()).await;
    let mut req = format!("ws://{}/live", app.addr).into_client_request().expect("request");
    req.headers_mut().insert(http::header::ORIGIN, "http://evil.example".parse().expect("origin"));
    match tokio_tungstenite::connect_async(req).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => assert_eq!(res.status(), 403),
        other => panic!("expected 403, got {:?}", other.map(|_| ())),
    }
    let mut req = format!("ws://{}/live", app.addr).into_client_request().expect("request");
    req.headers_mut().insert(http::header::ORIGIN, "http://shop.test".parse().expect("origin"));
    assert!(tokio_tungstenite::connect_async(req).await.is_ok(), "our own pages may");
}

/// Calls a server function of `app` as the holder of `cookie`, as the hydrated app does.
async fn call(app: &Instance, endpoint: &str, cookie: &str, form: &str) -> http::StatusCode {
    use tower::ServiceExt;
    let req = http::Request::builder()
        .method("POST")
        .uri(format!("/api/{endpoint}"))
        .header(http::header::HOST, "shop.test")
        .header(http::header::COOKIE, cookie)
        .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(http::header::ACCEPT, "application/json")
        .body(axum::body::Body::from(form.to_owned()))
        .expect("request");
    app.router.clone().oneshot(req).await.expect("the router answers").status()
}

async fn user_id(db: &Db, email: &str) -> i64 {
    let mut sql = Sql::new("SELECT id FROM users WHERE email = ");
    sql.bind(email.to_owned());
    common::scalar(db, sql).await
}

/// Waits for the server to say that `topic` is no longer followed (its right was lost).
async fn lost(ws: &mut Ws, topic: Topic) {
    let frame = until(ws, |f| match f {
        ServerFrame::Refused { topic: Some(t), .. } | ServerFrame::Subscribed { topic: t } if t == topic => {
            Some(f)
        }
        _ => None,
    })
    .await;
    assert_eq!(frame, refused(topic, Refusal::Forbidden));
}

async fn a_socket_stops_hearing_a_topic_the_moment_its_right_is_lost(db: Db) {
    seeded(&db).await;
    let app = start(&db, Hub::new(), Heartbeat::default()).await;
    let binh_minh = coop_id(&db, "binh-minh").await;
    let coop = Topic::Coop(binh_minh);
    let admin_cookie = session_cookie(&db, "admin@ocop.demo", "admin-demo-2026").await;
    let member_id = user_id(&db, "binhminh@ocop.demo").await;

    // 1. Logout: the signed-out tab loses the cooperative at once; the member's other session
    //    (another phone) keeps it.
    let tab_cookie = session_cookie(&db, "binhminh@ocop.demo", "member-demo-2026").await;
    let phone_cookie = session_cookie(&db, "binhminh@ocop.demo", "member-demo-2026").await;
    let mut tab = connect(app.addr, Some(&tab_cookie)).await;
    let mut phone = connect(app.addr, Some(&phone_cookie)).await;
    assert_eq!(subscribe(&mut tab, coop).await, ServerFrame::Subscribed { topic: coop });
    assert_eq!(subscribe(&mut phone, coop).await, ServerFrame::Subscribed { topic: coop });
    assert_eq!(app.hub.subscribers(coop), 2);
    assert!(call(&app, "accounts/logout", &tab_cookie, "").await.is_success());
    assert!(app.hub.subscribers(coop) <= 1, "the signed-out tab hears nothing more, at once");
    lost(&mut tab, coop).await;
    assert_eq!(
        until(&mut phone, |f| matches!(f, ServerFrame::Subscribed { .. }).then_some(f)).await,
        ServerFrame::Subscribed { topic: coop },
        "the session still signed in keeps its right"
    );
    assert_eq!(app.hub.subscribers(coop), 1);

    // 2. Disabled by the department: every session's sockets lose it.
    assert_eq!(
        call(&app, "admin/user_status", &admin_cookie, &format!("user_id={member_id}&status=Disabled")).await,
        200
    );
    assert_eq!(app.hub.subscribers(coop), 0, "at once");
    lost(&mut phone, coop).await;
    assert_eq!(
        call(&app, "admin/user_status", &admin_cookie, &format!("user_id={member_id}&status=Active")).await,
        200
    );

    // 3. Suspended cooperative: its members' sockets lose it.
    let cookie = session_cookie(&db, "binhminh@ocop.demo", "member-demo-2026").await;
    let mut staff = connect(app.addr, Some(&cookie)).await;
    assert_eq!(subscribe(&mut staff, coop).await, ServerFrame::Subscribed { topic: coop });
    let form = format!("cooperative_id={binh_minh}&suspend=true&reason=Ki%E1%BB%83m+tra+h%E1%BB%93+s%C6%A1");
    assert_eq!(call(&app, "admin/cooperative_status", &admin_cookie, &form).await, 200);
    assert_eq!(app.hub.subscribers(coop), 0, "at once");
    lost(&mut staff, coop).await;

    // 4. Demoted admin: the dashboard topic goes.
    let shopper_id = user_id(&db, "shopper@ocop.demo").await;
    assert_eq!(
        call(&app, "admin/user_role", &admin_cookie, &format!("user_id={shopper_id}&role=Admin")).await,
        200
    );
    let second_admin = session_cookie(&db, "shopper@ocop.demo", "shopper-demo-2026").await;
    let mut dashboard = connect(app.addr, Some(&second_admin)).await;
    assert_eq!(
        subscribe(&mut dashboard, Topic::Admin).await,
        ServerFrame::Subscribed { topic: Topic::Admin }
    );
    let admins_before = app.hub.subscribers(Topic::Admin);
    assert_eq!(
        call(&app, "admin/user_role", &admin_cookie, &format!("user_id={shopper_id}&role=Shopper")).await,
        200
    );
    assert_eq!(app.hub.subscribers(Topic::Admin), admins_before - 1, "at once");
    lost(&mut dashboard, Topic::Admin).await;
}

async fn visits(db: &Db, booth: i64) -> i64 {
    let mut sql = Sql::new("SELECT COUNT(*) FROM booth_visits WHERE cooperative_id = ");
    sql.bind(booth);
    common::scalar(db, sql).await
}

/// Booth visits are written off the connection's path: waits until `want` are stored, then a
/// little longer, so that one too many would show.
async fn visits_settle(db: &Db, booth: i64, want: i64) -> i64 {
    let deadline = tokio::time::Instant::now() + WAIT;
    while visits(db, booth).await < want && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    visits(db, booth).await
}

async fn one_client_cannot_flood_the_socket_or_inflate_booth_traffic(db: Db) {
    use app::socket::service::{ADDRESS_CHAT_BURST, TOPICS_PER_CONNECTION, VISITS_PER_ADDRESS_PER_BOOTH_DAY};
    seeded(&db).await;
    let app = start(&db, Hub::new(), Heartbeat::default()).await;
    let binh_minh = coop_id(&db, "binh-minh").await;

    // A replayed `enter` counts one visit per connection and booth.
    let mut replayer = connect(app.addr, Some("ocop_visitor=replayer")).await;
    for _ in 0..25 {
        send(&mut replayer, ClientFrame::Enter { booth: binh_minh }).await;
        until(&mut replayer, |f| matches!(f, ServerFrame::Subscribed { .. }).then_some(())).await;
    }
    assert_eq!(visits_settle(&db, binh_minh, 1).await, 1);
    // Reconnecting with made-up visitor cookies: one address adds a bounded number of visits.
    for i in 0..30 {
        let mut ws = connect(app.addr, Some(&format!("ocop_visitor=forged-{i}"))).await;
        send(&mut ws, ClientFrame::Enter { booth: binh_minh }).await;
        until(&mut ws, |f| matches!(f, ServerFrame::Subscribed { .. }).then_some(())).await;
    }
    let cap = i64::from(VISITS_PER_ADDRESS_PER_BOOTH_DAY);
    assert_eq!(visits_settle(&db, binh_minh, cap).await, cap);

    // Subscriptions per connection are capped (refused ones take no place).
    let now = app::clock::now_unix();
    let mut fairs = Vec::new();
    for i in 0..=TOPICS_PER_CONNECTION {
        let mut sql =
            Sql::new("INSERT INTO fairs (slug, name_vi, name_en, starts_at, ends_at, created_at) VALUES (");
        sql.bind(format!("hoi-cho-{i}")).push(", 'Hội chợ', 'Fair', ").bind(now).push(", ").bind(now + 3600);
        sql.push(", ").bind(now).push(") RETURNING id");
        fairs.push(common::scalar::<i64>(&db, sql).await);
    }
    let mut greedy = connect(app.addr, None).await;
    assert_eq!(subscribe(&mut greedy, Topic::Admin).await, refused(Topic::Admin, Refusal::Forbidden));
    for fair in &fairs[..TOPICS_PER_CONNECTION] {
        let topic = Topic::Fair(*fair);
        assert_eq!(subscribe(&mut greedy, topic).await, ServerFrame::Subscribed { topic });
    }
    let one_more = Topic::Fair(fairs[TOPICS_PER_CONNECTION]);
    assert_eq!(subscribe(&mut greedy, one_more).await, refused(one_more, Refusal::TooManyTopics));
    let again = Topic::Fair(fairs[0]);
    assert_eq!(
        subscribe(&mut greedy, again).await,
        ServerFrame::Subscribed { topic: again },
        "not a new one"
    );

    // Chat is limited per address, so reconnecting does not reset it.
    let mut sent = 0;
    for i in 0.. {
        let mut ws = connect(app.addr, Some(&format!("ocop_visitor=chatter-{i}"))).await;
        send(&mut ws, say_to_booth(binh_minh, "Lan", "Xin chào, cho tôi hỏi")).await;
        match said(&mut ws).await {
            Ok(_) => sent += 1,
            Err(reason) => {
                assert_eq!(reason, Refusal::RateLimited);
                break;
            }
        }
        assert!(i < 100, "the address limit never came");
    }
    assert_eq!(sent, ADDRESS_CHAT_BURST);

    // Any frame kind is limited: a burst of subscriptions is refused, then the socket is closed.
    let mut flooder = connect(app.addr, None).await;
    for _ in 0..200 {
        let frame = serde_json::to_string(&ClientFrame::Subscribe { topic: Topic::Booth(binh_minh) })
            .expect("encode");
        if flooder.send(Message::text(frame)).await.is_err() {
            break;
        }
    }
    let (code, reason) = closed_with(&mut flooder).await;
    assert_eq!((code, reason.as_str()), (1008, "too many frames"));
}

on_both_databases!(
    a_socket_stops_hearing_a_topic_the_moment_its_right_is_lost,
    one_client_cannot_flood_the_socket_or_inflate_booth_traffic,
    every_subscription_is_authorized,
    chat_travels_both_ways_live_and_is_kept,
    abuse_is_limited_and_bad_frames_close_with_a_reason,
    a_cross_site_page_cannot_open_the_socket,
);

/// Two server instances on one PostgreSQL database: a chat message sent through A reaches a
/// client on B and back, and a visitor on B shows in the count seen on A.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_chat_visitor_counts_and_fair_badges_through_postgres() {
    let Some(t) = common::postgres().await else { return };
    let db = t.db.clone();
    seeded(&db).await;
    let binh_minh = coop_id(&db, "binh-minh").await;
    let hub_a = Hub::new();
    let hub_b = Hub::new();
    // Each instance has its own pool, as separate processes would.
    let db_a = Db::connect(&t.url, 4).await.expect("pool A");
    let db_b = Db::connect(&t.url, 4).await.expect("pool B");
    app::socket::relay::start(db_a.clone(), &t.url, hub_a.clone()).await.expect("relay A");
    app::socket::relay::start(db_b.clone(), &t.url, hub_b.clone()).await.expect("relay B");
    let a = start(&db_a, hub_a, Heartbeat::default()).await;
    let b = start(&db_b, hub_b, Heartbeat::default()).await;

    let member_cookie = session_cookie(&db, "binhminh@ocop.demo", "member-demo-2026").await;
    let mut staff_on_a = connect(a.addr, Some(&member_cookie)).await;
    subscribe(&mut staff_on_a, Topic::Coop(binh_minh)).await;
    let mut visitor_on_b = connect(b.addr, Some("ocop_visitor=lan-token")).await;
    send(&mut visitor_on_b, ClientFrame::Enter { booth: binh_minh }).await;
    visitors_seen(&mut staff_on_a, binh_minh, 1).await;
    // A visitor on A too: both instances count both.
    let mut visitor_on_a = connect(a.addr, Some("ocop_visitor=mai-token")).await;
    send(&mut visitor_on_a, ClientFrame::Enter { booth: binh_minh }).await;
    visitors_seen(&mut staff_on_a, binh_minh, 2).await;
    let deadline = tokio::time::Instant::now() + WAIT;
    while b.hub.visitors(binh_minh) != 2 {
        assert!(tokio::time::Instant::now() < deadline, "B counts A's visitor");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Visitor on B → staff on A, and the answer back.
    send(&mut visitor_on_b, say_to_booth(binh_minh, "Lan", "Hàng có sẵn không?")).await;
    let question = said(&mut visitor_on_b).await.expect("stored");
    let relayed = until(&mut staff_on_a, |f| match f {
        ServerFrame::Event(Event::Chat { message, .. }) => Some(message),
        _ => None,
    })
    .await;
    assert_eq!(relayed, question);
    send(&mut staff_on_a, reply(question.conversation_id, "Có sẵn 200 hộp")).await;
    let answer = said(&mut staff_on_a).await.expect("stored");
    let heard = until(&mut visitor_on_b, |f| match f {
        ServerFrame::Event(Event::Chat { message, .. }) if message.sender == Sender::Staff => Some(message),
        _ => None,
    })
    .await;
    assert_eq!(heard, answer);

    // A fair's change announced on A turns the badge of the booth page open on B.
    let turned =
        app::fairs::service::booth_fair_event(&db_a, binh_minh, app::clock::now_unix()).await.expect("event");
    a.hub.publish(turned.clone());
    let heard = until(&mut visitor_on_b, |f| match f {
        ServerFrame::Event(e @ Event::BoothFair { .. }) => Some(e),
        _ => None,
    })
    .await;
    assert_eq!(heard, turned);

    // Leaving B shows on A.
    visitor_on_b.close(None).await.expect("close");
    visitors_seen(&mut staff_on_a, binh_minh, 1).await;

    // Signing out through B takes the cooperative's topic from the socket on A.
    assert!(call(&b, "accounts/logout", &member_cookie, "").await.is_success());
    lost(&mut staff_on_a, Topic::Coop(binh_minh)).await;
    assert_eq!(a.hub.subscribers(Topic::Coop(binh_minh)), 0);
    db_a.pool.close().await;
    db_b.pool.close().await;
    t.teardown().await;
}
