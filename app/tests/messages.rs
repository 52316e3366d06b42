//! Messages: the outbox against real SQLite and real PostgreSQL, sending through a real SMTP
//! server (aiosmtpd, started by scripts/test.sh, which keeps what it receives in a maildir that
//! these tests read). A change that rolls back tells no one; a committed one is sent once, also
//! when its worker dies mid-send or when two workers run; failures back off and end as `failed`
//! for an admin to retry; optional emails can be turned off, by a signed link too.
mod common;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use app::db::{Db, Sql};
use app::lang::{Lang, Text};
use app::messages::mail::Postman;
use app::messages::model::*;
use app::messages::outbox::{self, LEASE_SECS, MAX_ATTEMPTS, backoff_secs};
use app::messages::service::{self, To, tell};
use common::scalar;

const NOW: i64 = 1_800_000_000;

/// The test SMTP server and the maildir it writes, or `None` (loudly) outside the test script.
fn smtp() -> Option<(String, PathBuf)> {
    match (std::env::var("OCOP_TEST_SMTP"), std::env::var("OCOP_TEST_MAILDIR")) {
        (Ok(url), Ok(dir)) => Some((url, PathBuf::from(dir))),
        _ => {
            assert!(
                std::env::var("CI").is_err(),
                "OCOP_TEST_SMTP must be set in CI (scripts/test.sh sets it)"
            );
            eprintln!("!!! SMTP test SKIPPED: OCOP_TEST_SMTP and OCOP_TEST_MAILDIR are not set !!!");
            None
        }
    }
}

static SENDERS: AtomicU64 = AtomicU64::new(0);

/// A sender of its own for each test, so that the Message-IDs (`<outbox-<id>@<domain>>`) of
/// different test databases never collide in the shared maildir.
fn sender() -> (String, String) {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let domain = format!("t{}-{nanos}-{}.test", std::process::id(), SENDERS.fetch_add(1, Ordering::Relaxed));
    (format!("OCOP Market <no-reply@{domain}>"), domain)
}

struct Mailer {
    postman: Postman,
    domain: String,
    maildir: PathBuf,
}

impl Mailer {
    fn new() -> Option<Mailer> {
        let (url, maildir) = smtp()?;
        let (from, domain) = sender();
        let postman = Postman::smtp(&url, &from, "https://ocop.example").expect("SMTP postman");
        Some(Mailer { postman, domain, maildir })
    }

    /// The raw emails received with this outbox row's Message-ID.
    fn received(&self, outbox_id: i64) -> Vec<Vec<u8>> {
        let id = format!("<outbox-{outbox_id}@{}>", self.domain);
        let mut found = Vec::new();
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.maildir.join(sub)) else { continue };
            for entry in entries.flatten() {
                let Ok(raw) = std::fs::read(entry.path()) else { continue };
                let Ok(parsed) = mailparse::parse_mail(&raw) else { continue };
                if parsed
                    .headers
                    .iter()
                    .any(|h| h.get_key().eq_ignore_ascii_case("message-id") && h.get_value() == id)
                {
                    found.push(raw);
                }
            }
        }
        found
    }
}

/// A postman whose server never answers: a send hangs until the SMTP timeout.
async fn silent_postman() -> (Postman, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let (from, _) = sender();
    (
        Postman::smtp(&format!("smtp://127.0.0.1:{port}"), &from, "https://ocop.example").expect("postman"),
        hold,
    )
}

/// A postman whose server refuses connections (nothing listens on its port).
async fn refused_postman() -> Postman {
    let port = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let (from, _) = sender();
    Postman::smtp(&format!("smtp://127.0.0.1:{port}"), &from, "https://ocop.example").expect("postman")
}

async fn user(db: &Db, name: &str, lang: Lang, role: &str) -> i64 {
    let mut sql = Sql::new(
        "INSERT INTO users (email, display_name, password_hash, role, preferred_lang, created_at, updated_at) VALUES (",
    );
    sql.bind(format!("{name}@example.vn")).push(", ").bind(name.to_owned()).push(", 'x', ");
    sql.bind(role.to_owned()).push(", ").bind(lang.code().to_owned()).push(", ");
    sql.bind(NOW).push(", ").bind(NOW).push(") RETURNING id");
    scalar(db, sql).await
}

async fn count(db: &Db, sql: &'static str) -> i64 {
    scalar(db, Sql::new(sql)).await
}

fn shipped() -> Message {
    Message::OrderShipped {
        order: OrderRef {
            number: "DH270115-000001-1".into(),
            total_vnd: 185_000,
            cooperative: Text::new("HTX Chè Bình Minh", "Binh Minh Tea Cooperative"),
            customer: "Nguyễn Thị Lan".into(),
        },
        carrier: None,
        tracking: "EB123456789VN".into(),
        tracking_url: None,
    }
}

/// Tells `to` about `message` in a transaction of its own, committed.
async fn told(db: &Db, to: To, message: &Message, now: i64) -> service::Told {
    let mut tx = db.begin_write().await.expect("begin");
    let told = tell(&mut tx, to, message, now).await.expect("tell");
    tx.commit().await.expect("commit");
    told
}

async fn outbox_id(db: &Db) -> i64 {
    count(db, "SELECT MAX(id) FROM outbox").await
}

async fn a_change_that_rolls_back_tells_no_one(db: Db) {
    let lan = user(&db, "lan", Lang::Vi, "shopper").await;
    let mut tx = db.begin_write().await.expect("begin");
    let told = tell(&mut tx, To::User(lan), &shipped(), NOW).await.expect("tell");
    assert_eq!(told.users, vec![lan], "inside the transaction the notice exists");
    tx.rollback().await.expect("rollback");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM notifications").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM outbox").await, 0);
    if let Some(m) = Mailer::new() {
        assert_eq!(outbox::deliver_due(&db, &m.postman, NOW).await.expect("round").claimed, 0);
    }
}

async fn a_committed_message_reaches_the_smtp_server_once_in_both_forms(db: Db) {
    let Some(m) = Mailer::new() else { return };
    let lan = user(&db, "lan", Lang::Vi, "shopper").await;
    let _ = told(&db, To::User(lan), &shipped(), NOW).await;
    let id = outbox_id(&db).await;
    let round = outbox::deliver_due(&db, &m.postman, NOW).await.expect("round");
    assert_eq!((round.claimed, round.sent), (1, 1));
    assert_eq!(outbox::deliver_due(&db, &m.postman, NOW + 3600).await.expect("again").claimed, 0);
    let mut sql = Sql::new("SELECT status FROM outbox WHERE id = ");
    sql.bind(id);
    assert_eq!(scalar::<String>(&db, sql).await, "sent");

    let received = m.received(id);
    assert_eq!(received.len(), 1, "received exactly once");
    let mail = mailparse::parse_mail(&received[0]).expect("parse");
    let header = |name: &str| {
        mail.headers.iter().find(|h| h.get_key().eq_ignore_ascii_case(name)).map(|h| h.get_value())
    };
    assert_eq!(
        header("Subject").as_deref(),
        Some("Đơn hàng DH270115-000001-1 đang được giao"),
        "in her language"
    );
    assert_eq!(header("To").as_deref(), Some("lan <lan@example.vn>"));
    // An optional kind: the one-click unsubscribe of RFC 8058.
    let unsubscribe = header("List-Unsubscribe").expect("List-Unsubscribe");
    assert!(unsubscribe.starts_with("<https://ocop.example/mail/unsubscribe/one-click?u="), "{unsubscribe}");
    assert_eq!(header("List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
    assert_eq!(mail.ctype.mimetype, "multipart/alternative");
    let parts: Vec<(String, String)> =
        mail.subparts.iter().map(|p| (p.ctype.mimetype.clone(), p.get_body().expect("body"))).collect();
    assert_eq!(parts.len(), 2, "a plain-text and an HTML part");
    let (text, html) = (&parts[0], &parts[1]);
    assert_eq!(text.0, "text/plain");
    assert_eq!(html.0, "text/html");
    for body in [&text.1, &html.1] {
        assert!(body.contains("Xin chào lan"), "{body}");
        assert!(body.contains("EB123456789VN"), "the tracking number");
        assert!(body.contains("185.000 ₫"), "money as the pages write it");
        assert!(body.contains("https://ocop.example/orders/DH270115-000001-1"), "the link to the order");
    }
    assert!(html.1.starts_with("<!DOCTYPE html>") && html.1.contains("<html lang=\"vi\""));
    // The notice on her bell, too.
    let notices = service::notices(&db, lan).await.expect("notices");
    assert_eq!((notices.unread, notices.items.len()), (1, 1));
    assert_eq!(notices.items[0].message, shipped());
}

async fn a_worker_killed_mid_send_leaves_the_email_to_the_next_one(db: Db) {
    let Some(m) = Mailer::new() else { return };
    let lan = user(&db, "lan", Lang::En, "shopper").await;
    let _ = told(&db, To::User(lan), &shipped(), NOW).await;
    let id = outbox_id(&db).await;
    let (silent, hold) = silent_postman().await;
    let worker = {
        let db = db.clone();
        tokio::spawn(async move { outbox::deliver_due(&db, &silent, NOW).await })
    };
    // The worker has claimed the row and waits for the server's greeting; then it dies.
    for _ in 0..100 {
        let mut sql = Sql::new("SELECT COUNT(*) FROM outbox WHERE claim IS NOT NULL AND id = ");
        sql.bind(id);
        if scalar::<i64>(&db, sql).await == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    worker.abort();
    assert!(worker.await.is_err(), "killed before it finished");
    hold.abort();
    // Its lease holds the row: a worker restarted at once finds nothing to send...
    assert_eq!(outbox::deliver_due(&db, &m.postman, NOW + 1).await.expect("round").claimed, 0);
    assert!(m.received(id).is_empty());
    // ...and sends it when the lease runs out, once.
    let round = outbox::deliver_due(&db, &m.postman, NOW + LEASE_SECS).await.expect("round");
    assert_eq!((round.claimed, round.sent), (1, 1));
    assert_eq!(outbox::deliver_due(&db, &m.postman, NOW + 2 * LEASE_SECS).await.expect("round").claimed, 0);
    assert_eq!(m.received(id).len(), 1);
    let mut sql = Sql::new("SELECT attempts FROM outbox WHERE id = ");
    sql.bind(id);
    assert_eq!(scalar::<i64>(&db, sql).await, 2, "the killed attempt counts");
}

async fn two_workers_send_each_email_exactly_once(db: Db) {
    let Some(m) = Mailer::new() else { return };
    let mut users = Vec::new();
    for i in 0..10 {
        users.push(user(&db, &format!("u{i}"), Lang::Vi, "shopper").await);
    }
    for i in 0..45 {
        let _ = told(&db, To::User(users[i % users.len()]), &shipped(), NOW).await;
    }
    let second = Postman::smtp(
        &std::env::var("OCOP_TEST_SMTP").unwrap_or_default(),
        &format!("OCOP <no-reply@{}>", m.domain),
        "https://ocop.example",
    )
    .expect("second postman");
    let work = |postman: Postman| {
        let db = db.clone();
        tokio::spawn(async move {
            let mut sent = 0;
            loop {
                let round = outbox::deliver_due(&db, &postman, NOW).await.expect("round");
                if round.claimed == 0 {
                    return sent;
                }
                sent += round.sent;
            }
        })
    };
    let (a, b) = (work(m.postman.clone()), work(second));
    let (a, b) = (a.await.expect("worker a"), b.await.expect("worker b"));
    assert_eq!(a + b, 45, "every email sent, by one worker or the other");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM outbox WHERE status = 'sent'").await, 45);
    let last = outbox_id(&db).await;
    for id in last - 44..=last {
        assert_eq!(m.received(id).len(), 1, "email {id} received exactly once");
    }
}

async fn failed_attempts_back_off_then_give_up_for_an_admin_to_retry(db: Db) {
    let lan = user(&db, "lan", Lang::Vi, "shopper").await;
    let _ = told(&db, To::User(lan), &shipped(), NOW).await;
    let id = outbox_id(&db).await;
    let refused = refused_postman().await;
    let mut at = NOW;
    let mut waits = Vec::new();
    for attempt in 1..=MAX_ATTEMPTS {
        let round = outbox::deliver_due(&db, &refused, at).await.expect("round");
        assert_eq!(round.claimed, 1, "attempt {attempt} is due at {at}");
        let mut sql = Sql::new("SELECT next_attempt_at FROM outbox WHERE id = ");
        sql.bind(id);
        let next: i64 = scalar(&db, sql).await;
        if attempt < MAX_ATTEMPTS {
            assert_eq!(round.deferred, 1);
            // Not before its time.
            assert_eq!(outbox::deliver_due(&db, &refused, next - 1).await.expect("early").claimed, 0);
        } else {
            assert_eq!(round.failed, 1, "the last attempt gives up");
        }
        waits.push(next - at);
        at = next;
    }
    assert_eq!(waits, (1..=MAX_ATTEMPTS).map(backoff_secs).collect::<Vec<_>>());
    assert_eq!(&waits[..4], &[60, 120, 240, 480], "doubling from a minute");
    let page = outbox::list(&db, Some(MailStatus::Failed)).await.expect("list");
    assert_eq!(page.failed, 1);
    let failed = &page.items[0];
    assert_eq!((failed.id, failed.attempts, failed.recipient.as_str()), (id, MAX_ATTEMPTS, "lan@example.vn"));
    assert!(failed.last_error.as_deref().is_some_and(|e| !e.is_empty()), "the last error is kept");
    // A failed email is not tried again by itself.
    assert_eq!(outbox::deliver_due(&db, &refused, at + 86_400).await.expect("round").claimed, 0);
    outbox::retry(&db, id, at).await.expect("retry");
    assert!(matches!(
        outbox::retry(&db, id, at).await,
        Err(app::error::AppError::Conflict(app::error::ConflictCode::MailNotFailed))
    ));
    if let Some(m) = Mailer::new() {
        let round = outbox::deliver_due(&db, &m.postman, at).await.expect("round");
        assert_eq!(round.sent, 1);
        assert_eq!(m.received(id).len(), 1);
    }
}

async fn an_optional_email_turned_off_is_not_sent_but_essential_ones_are(db: Db) {
    let lan = user(&db, "lan", Lang::Vi, "shopper").await;
    let audiences = [Audience::Shopper];
    let settings = service::mail_settings(&db, lan, &audiences).await.expect("settings");
    assert!(settings.choices.iter().all(|c| c.on), "everything is on at first");
    assert!(settings.choices.iter().all(|c| !c.kind.is_essential()), "essential kinds are not offered");
    let keep: Vec<Kind> =
        settings.choices.iter().map(|c| c.kind).filter(|k| *k != Kind::OrderShipped).collect();
    service::save_mail_choices(&db, lan, &audiences, &keep, Lang::En, NOW).await.expect("save");
    let settings = service::mail_settings(&db, lan, &audiences).await.expect("settings");
    assert_eq!(settings.lang, Lang::En);
    assert!(settings.choices.iter().any(|c| c.kind == Kind::OrderShipped && !c.on));

    let _ = told(&db, To::User(lan), &shipped(), NOW).await;
    assert_eq!(count(&db, "SELECT COUNT(*) FROM outbox").await, 0, "turned off: no email");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM notifications").await, 1, "the bell still has it");
    // A cancellation cannot be turned off; it goes in her new language.
    service::save_mail_choices(&db, lan, &audiences, &[], Lang::En, NOW).await.expect("all off");
    let Message::OrderShipped { order, .. } = shipped() else { unreachable!() };
    let cancelled =
        Message::OrderCancelled { order, by: CancelledBy::Cooperative, reason: "hết hàng".into() };
    let _ = told(&db, To::User(lan), &cancelled, NOW).await;
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM outbox WHERE kind = 'order_cancelled' AND lang = 'en'").await,
        1
    );
}

async fn the_unsubscribe_link_turns_off_one_kind_for_one_user_only(db: Db) {
    let lan = user(&db, "lan", Lang::Vi, "shopper").await;
    let minh = user(&db, "minh", Lang::Vi, "shopper").await;
    let query = service::unsubscribe_query(&db, lan, Kind::OrderShipped).await.expect("query");
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let sig = get("s");
    assert_eq!(get("u"), lan.to_string());
    assert_eq!(
        service::check_unsubscribe(&db, lan, "order_shipped", &sig).await.expect("check"),
        Some(Kind::OrderShipped)
    );
    // The same signature does not work for someone else, another kind, or an essential kind.
    assert_eq!(service::check_unsubscribe(&db, minh, "order_shipped", &sig).await.expect("check"), None);
    assert_eq!(service::check_unsubscribe(&db, lan, "order_delivered", &sig).await.expect("check"), None);
    let essential = service::unsubscribe_query(&db, lan, Kind::OrderCancelled).await.expect("query");
    let essential_sig = essential.rsplit("s=").next().unwrap_or_default().to_owned();
    assert_eq!(
        service::check_unsubscribe(&db, lan, "order_cancelled", &essential_sig).await.expect("check"),
        None
    );
    assert_eq!(service::check_unsubscribe(&db, lan, "order_shipped", "forged").await.expect("check"), None);
    service::unsubscribe(&db, lan, Kind::OrderShipped, NOW).await.expect("unsubscribe");
    let _ = told(&db, To::User(lan), &shipped(), NOW).await;
    let _ = told(&db, To::User(minh), &shipped(), NOW).await;
    assert_eq!(count(&db, "SELECT COUNT(*) FROM outbox").await, 1, "only Minh still gets it");
}

async fn the_bell_counts_unread_notices_and_reading_is_per_user(db: Db) {
    let lan = user(&db, "lan", Lang::Vi, "shopper").await;
    let minh = user(&db, "minh", Lang::Vi, "shopper").await;
    let admin = user(&db, "admin", Lang::En, "admin").await;
    for _ in 0..3 {
        let _ = told(&db, To::User(lan), &shipped(), NOW).await;
    }
    let digest =
        told(&db, To::Admins, &Message::DailyDigest { applications: 1, expiring: 2, failed: 0 }, NOW).await;
    assert_eq!(digest.users, vec![admin], "admins only");
    assert_eq!(service::unread(&db, lan).await.expect("unread"), 3);
    let first = service::notices(&db, lan).await.expect("notices").items[2].id;
    // Someone else's notice cannot be opened.
    assert_eq!(service::open_notice(&db, minh, first, NOW).await.expect("open"), None);
    assert_eq!(
        service::open_notice(&db, lan, first, NOW).await.expect("open").as_deref(),
        Some("/orders/DH270115-000001-1")
    );
    assert_eq!(service::unread(&db, lan).await.expect("unread"), 2);
    service::mark_read(&db, lan, None, NOW).await.expect("all");
    assert_eq!(service::unread(&db, lan).await.expect("unread"), 0);
    assert_eq!(service::unread(&db, admin).await.expect("unread"), 1);
}

async fn a_disabled_account_is_told_nothing(db: Db) {
    let lan = user(&db, "lan", Lang::Vi, "shopper").await;
    let mut sql = Sql::new("UPDATE users SET status = 'disabled' WHERE id = ");
    sql.bind(lan);
    common::exec(&db, sql).await;
    let told = told(&db, To::User(lan), &shipped(), NOW).await;
    assert!(told.users.is_empty());
    assert_eq!(count(&db, "SELECT COUNT(*) FROM outbox").await, 0);
}

async fn old_rows_are_purged_and_a_user_keeps_a_bounded_bell(db: Db) {
    let lan = user(&db, "lan", Lang::Vi, "shopper").await;
    for _ in 0..5 {
        let _ = told(&db, To::User(lan), &shipped(), NOW).await;
    }
    common::exec(&db, Sql::new("UPDATE outbox SET status = 'sent', sent_at = 1")).await;
    common::exec(
        &db,
        Sql::new("UPDATE notifications SET read_at = 1 WHERE id = (SELECT MIN(id) FROM notifications)"),
    )
    .await;
    let purged = outbox::purge(&db, NOW).await.expect("purge");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM outbox").await, 0, "sent long ago");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM notifications").await, 5, "read, but recent");
    assert_eq!(purged, 5);
    let gone = service::purge_notices(&db, NOW, 86_400, 3).await.expect("trim");
    assert_eq!(gone, 2);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM notifications").await, 3, "the newest three");
}

on_both_databases!(
    a_change_that_rolls_back_tells_no_one,
    a_committed_message_reaches_the_smtp_server_once_in_both_forms,
    a_worker_killed_mid_send_leaves_the_email_to_the_next_one,
    two_workers_send_each_email_exactly_once,
    failed_attempts_back_off_then_give_up_for_an_admin_to_retry,
    an_optional_email_turned_off_is_not_sent_but_essential_ones_are,
    the_unsubscribe_link_turns_off_one_kind_for_one_user_only,
    the_bell_counts_unread_notices_and_reading_is_per_user,
    a_disabled_account_is_told_nothing,
    old_rows_are_purged_and_a_user_keeps_a_bounded_bell,
);
