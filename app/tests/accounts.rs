//! Accounts against real SQLite and real PostgreSQL: sign-up, login, logout, sessions and their
//! expiry, throttling, password change, and the cooperative application and its review.
mod common;

use app::accounts::links;
use app::accounts::model::{ApplicationForm, CoopStatus, Decision, MemberRole, Role};
use app::accounts::service::{self, NewUser};
use app::accounts::session::{self, POLICY};
use app::db::{Db, Sql};
use app::error::{AppError, ConflictCode, FieldError};

const NOW: i64 = 1_800_000_000;
const IP: &str = "203.0.113.7";

async fn count(db: &Db, sql: &'static str) -> i64 {
    Sql::new(sql).query_scalar().expect("query").fetch_one(&db.pool).await.expect("count")
}

fn shopper(email: &str) -> NewUser {
    NewUser {
        email: email.to_owned(),
        display_name: "Trần Văn An".into(),
        password: "mật khẩu dài 2026".into(),
        lang: app::lang::Lang::Vi,
    }
}

async fn signed_up(db: &Db, email: &str) -> i64 {
    service::sign_up(db, shopper(email), IP, NOW).await.expect("sign up")
}

async fn sign_up_creates_a_shopper_who_can_log_in(db: Db) {
    let id = signed_up(&db, "  An.Tran@Example.VN ").await;
    let token = service::login(&db, "an.tran@example.vn", "mật khẩu dài 2026", IP, NOW).await.expect("login");
    let viewer = session::resolve(&db, &token, NOW).await.expect("resolve").expect("live session");
    assert_eq!(viewer.id, id);
    assert_eq!(viewer.email, "an.tran@example.vn", "stored trimmed and lowercased");
    assert_eq!(viewer.role, Role::Shopper);
    assert_eq!(viewer.membership, None);
    let stored: String = common::scalar(&db, Sql::new("SELECT password_hash FROM users")).await;
    assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
    let token_hash: String = common::scalar(&db, Sql::new("SELECT token_hash FROM sessions")).await;
    assert_ne!(token_hash, token, "only the token's hash is stored");
}

async fn sign_up_refuses_bad_input_and_a_taken_email(db: Db) {
    let bad = NewUser {
        email: "not-an-email".into(),
        display_name: " ".into(),
        password: "short".into(),
        lang: app::lang::Lang::Vi,
    };
    match service::sign_up(&db, bad, IP, NOW).await {
        Err(AppError::Validation(errors)) => assert_eq!(
            errors,
            vec![
                FieldError::new("email", app::error::FieldCode::EmailInvalid),
                FieldError::new("display_name", app::error::FieldCode::Required),
                FieldError::new("password", app::error::FieldCode::PasswordShort),
            ]
        ),
        other => panic!("expected field errors, got {other:?}"),
    }
    signed_up(&db, "an@example.vn").await;
    let again = service::sign_up(&db, shopper("AN@example.vn"), IP, NOW).await;
    assert_eq!(
        again,
        Err(AppError::Validation(vec![FieldError::new("email", app::error::FieldCode::EmailTaken)]))
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM users").await, 1);
}

async fn wrong_password_and_unknown_email_get_the_same_answer(db: Db) {
    signed_up(&db, "an@example.vn").await;
    let wrong = service::login(&db, "an@example.vn", "wrong password!", IP, NOW).await;
    let unknown = service::login(&db, "nobody@example.vn", "wrong password!", IP, NOW).await;
    assert_eq!(
        wrong,
        Err(AppError::Validation(vec![FieldError::new("password", app::error::FieldCode::BadCredentials)]))
    );
    assert_eq!(wrong, unknown, "the answer never tells whether the email exists");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM sessions").await, 0);
}

async fn logout_ends_the_session(db: Db) {
    signed_up(&db, "an@example.vn").await;
    let token = service::login(&db, "an@example.vn", "mật khẩu dài 2026", IP, NOW).await.expect("login");
    session::delete(&db, &token).await.expect("logout");
    assert_eq!(session::resolve(&db, &token, NOW).await.expect("resolve"), None);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM sessions").await, 0);
}

async fn sessions_expire_when_idle_and_at_their_absolute_age(db: Db) {
    signed_up(&db, "an@example.vn").await;
    let idle = service::login(&db, "an@example.vn", "mật khẩu dài 2026", IP, NOW).await.expect("login");
    assert!(session::resolve(&db, &idle, NOW + POLICY.idle_secs - 1).await.expect("resolve").is_some());
    // That visit moved last_seen forward; a full idle period after it, the session is gone.
    let later = NOW + POLICY.idle_secs - 1 + POLICY.idle_secs;
    assert_eq!(session::resolve(&db, &idle, later).await.expect("resolve"), None);

    let busy = service::login(&db, "an@example.vn", "mật khẩu dài 2026", IP, NOW).await.expect("login");
    let mut t = NOW;
    while t + POLICY.idle_secs / 2 < NOW + POLICY.absolute_secs {
        t += POLICY.idle_secs / 2;
        assert!(session::resolve(&db, &busy, t).await.expect("resolve").is_some(), "active at {t}");
    }
    assert_eq!(session::resolve(&db, &busy, NOW + POLICY.absolute_secs).await.expect("resolve"), None);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM sessions").await, 0, "expired sessions are deleted");
}

async fn a_disabled_account_cannot_log_in_and_loses_its_sessions(db: Db) {
    signed_up(&db, "an@example.vn").await;
    let token = service::login(&db, "an@example.vn", "mật khẩu dài 2026", IP, NOW).await.expect("login");
    common::exec(&db, Sql::new("UPDATE users SET status = 'disabled'")).await;
    assert_eq!(session::resolve(&db, &token, NOW).await.expect("resolve"), None);
    let again = service::login(&db, "an@example.vn", "mật khẩu dài 2026", IP, NOW).await;
    assert_eq!(
        again,
        Err(AppError::Validation(vec![FieldError::new("password", app::error::FieldCode::BadCredentials)]))
    );
}

async fn repeated_failures_slow_down_then_refuse_logins(db: Db) {
    signed_up(&db, "an@example.vn").await;
    for i in 0..5 {
        let r = service::login(&db, "an@example.vn", "wrong password!", IP, NOW + i).await;
        assert!(matches!(r, Err(AppError::Validation(_))), "failure {i} is answered normally");
    }
    // The sixth attempt right after the fifth must wait; even the right password is not checked.
    let r = service::login(&db, "an@example.vn", "mật khẩu dài 2026", IP, NOW + 4).await;
    assert_eq!(r, Err(AppError::TooManyAttempts(1)));
    // After the wait the right password works and the backoff starts over.
    let ok = service::login(&db, "an@example.vn", "mật khẩu dài 2026", IP, NOW + 6).await;
    assert!(ok.is_ok(), "{ok:?}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM login_failures WHERE account = 'an@example.vn'").await, 0);
}

async fn at_most_a_hundred_failures_per_account_per_hour_are_honoured(db: Db) {
    signed_up(&db, "an@example.vn").await;
    // 99 failures from many IPs, all older than the backoff window but within the hour.
    for i in 0..99 {
        let mut sql = Sql::new("INSERT INTO login_failures (account, ip, at) VALUES ('an@example.vn', ");
        sql.bind(format!("198.51.100.{i}")).push(", ").bind(NOW - 3500 + i * 25).push(")");
        common::exec(&db, sql).await;
    }
    // The hundredth failure is still honoured (answered and counted)...
    let r = service::login(&db, "an@example.vn", "wrong password!", IP, NOW).await;
    assert!(matches!(r, Err(AppError::Validation(_))), "{r:?}");
    // ...the next attempt is not, even with the right password: the oldest failure leaves the
    // hour in 100 s.
    let r = service::login(&db, "an@example.vn", "mật khẩu dài 2026", "192.0.2.1", NOW + 1).await;
    assert_eq!(r, Err(AppError::TooManyAttempts(99)));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM login_failures").await, 100, "refusals are not counted");
    let later = service::login(&db, "an@example.vn", "mật khẩu dài 2026", "192.0.2.1", NOW + 100).await;
    assert!(later.is_ok(), "{later:?}");
}

async fn simultaneous_wrong_passwords_for_one_account_are_checked_at_most_five_times(db: Db) {
    signed_up(&db, "an@example.vn").await;
    // 200 wrong passwords at the same second, from 200 addresses: each attempt is counted before
    // its password is checked, so only the five free ones are checked; the rest must wait.
    let attempts = (0..200).map(|i| {
        let db = db.clone();
        tokio::spawn(async move {
            let ip = format!("198.51.{}.{}", i / 100, i % 100);
            service::login(&db, "an@example.vn", "wrong password!", &ip, NOW).await
        })
    });
    let mut checked = 0;
    for answer in futures::future::join_all(attempts).await {
        match answer.expect("task") {
            Err(AppError::Validation(_)) => checked += 1,
            Err(AppError::TooManyAttempts(secs)) => assert_eq!(secs, 1, "the sixth failure waits 1 s"),
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert_eq!(checked, 5);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM login_failures").await, 5, "refusals are not counted");
}

async fn a_right_password_is_not_refused_for_failures_of_others_behind_the_same_address(db: Db) {
    signed_up(&db, "an@example.vn").await;
    // Someone behind the same carrier NAT has failed 50 times on other accounts.
    for i in 0..50 {
        let mut sql = Sql::new("INSERT INTO login_failures (account, ip, at) VALUES (");
        sql.bind(format!("guess{i}@example.vn")).push(", ").bind(IP.to_owned()).push(", ").bind(NOW - 60 + i);
        sql.push(")");
        common::exec(&db, sql).await;
    }
    let ok = service::login(&db, "an@example.vn", "mật khẩu dài 2026", IP, NOW).await;
    assert!(ok.is_ok(), "the owner gets in: {ok:?}");
}

async fn one_address_signs_up_at_most_ten_accounts_an_hour_even_all_at_once(db: Db) {
    use app::accounts::throttle::{SIGN_UPS, take_quota};
    let takes = (0..30).map(|_| {
        let db = db.clone();
        tokio::spawn(async move { take_quota(&db, SIGN_UPS, IP, NOW).await })
    });
    let answers: Vec<_> =
        futures::future::join_all(takes).await.into_iter().map(|a| a.expect("task")).collect();
    assert_eq!(answers.iter().filter(|a| a.is_ok()).count(), 10, "{answers:?}");
    assert!(answers.iter().all(|a| a.is_ok() || *a == Err(AppError::TooManyAttempts(3600))), "{answers:?}");
    // The quota is the address's: another address may still sign up, and so may this one an hour on.
    assert!(service::sign_up(&db, shopper("other@example.vn"), "192.0.2.44", NOW).await.is_ok());
    let refused = service::sign_up(&db, shopper("an@example.vn"), IP, NOW + 10).await;
    assert_eq!(refused, Err(AppError::TooManyAttempts(3590)));
    assert!(service::sign_up(&db, shopper("an@example.vn"), IP, NOW + 3600).await.is_ok());
    assert_eq!(count(&db, "SELECT COUNT(*) FROM users").await, 2);
}

async fn changing_the_password_ends_the_other_sessions(db: Db) {
    let id = signed_up(&db, "an@example.vn").await;
    let here = service::login(&db, "an@example.vn", "mật khẩu dài 2026", IP, NOW).await.expect("login");
    let elsewhere = service::login(&db, "an@example.vn", "mật khẩu dài 2026", IP, NOW).await.expect("login");
    let wrong = service::change_password(
        &db,
        &app::live::hub::Hub::default(),
        id,
        "not it at all",
        "a new long password",
        Some(&here),
        IP,
        NOW,
    )
    .await;
    assert_eq!(
        wrong,
        Err(AppError::Validation(vec![FieldError::new(
            "current_password",
            app::error::FieldCode::WrongPassword
        )]))
    );
    service::change_password(
        &db,
        &app::live::hub::Hub::default(),
        id,
        "mật khẩu dài 2026",
        "a new long password",
        Some(&here),
        IP,
        NOW,
    )
    .await
    .expect("change");
    assert!(session::resolve(&db, &here, NOW).await.expect("resolve").is_some());
    assert_eq!(session::resolve(&db, &elsewhere, NOW).await.expect("resolve"), None);
    assert!(service::login(&db, "an@example.vn", "a new long password", IP, NOW).await.is_ok());
}

fn application(email: &str) -> ApplicationForm {
    ApplicationForm {
        name_vi: "HTX Chè Shan tuyết Hồng Thái".into(),
        name_en: "Hong Thai Shan Tuyet Tea Cooperative".into(),
        district: "na-hang".into(),
        commune: "Hồng Thái".into(),
        contact_name: "Hoàng Thị Lan".into(),
        contact_phone: "0912 345 678".into(),
        email: email.into(),
        password: "một mật khẩu tốt".into(),
    }
}

async fn an_approved_application_lets_its_member_into_the_dashboard(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let admin = service::seed_demo_accounts(&db, NOW).await.expect("demo accounts");
    assert_eq!(admin.len(), 3);
    let admin_id: i64 = common::scalar(&db, Sql::new("SELECT id FROM users WHERE role = 'admin'")).await;

    let coop = service::apply(&db, &app::live::hub::Hub::default(), application("lan@example.vn"), IP, NOW)
        .await
        .expect("apply");
    let token = service::login(&db, "lan@example.vn", "một mật khẩu tốt", IP, NOW).await.expect("login");
    let viewer = session::resolve(&db, &token, NOW).await.expect("resolve").expect("session");
    let membership = viewer.membership.clone().expect("member");
    assert_eq!((membership.role, membership.status), (MemberRole::Owner, CoopStatus::Pending));
    assert_eq!(viewer.dashboard_cooperative(), None, "no dashboard while pending");
    assert_eq!(membership.slug, "htx-che-shan-tuyet-hong-thai");

    let listed = service::list_applications(&db).await.expect("list");
    assert_eq!(listed.first().map(|a| (a.cooperative_id, a.status)), Some((coop, CoopStatus::Pending)));
    assert_eq!(listed[0].applicant_email, "lan@example.vn");

    service::review_application(
        &db,
        &app::live::hub::Hub::default(),
        admin_id,
        coop,
        Decision::Approve,
        "",
        NOW,
    )
    .await
    .expect("approve");
    let viewer = session::resolve(&db, &token, NOW).await.expect("resolve").expect("session");
    assert_eq!(viewer.dashboard_cooperative().map(|m| m.cooperative_id), Some(coop));
    let twice = service::review_application(
        &db,
        &app::live::hub::Hub::default(),
        admin_id,
        coop,
        Decision::Reject,
        "late",
        NOW,
    )
    .await;
    assert_eq!(twice, Err(AppError::Conflict(ConflictCode::ApplicationDecided)));
}

async fn a_rejection_needs_a_reason_and_keeps_the_member_out(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    service::seed_demo_accounts(&db, NOW).await.expect("demo accounts");
    let admin_id: i64 = common::scalar(&db, Sql::new("SELECT id FROM users WHERE role = 'admin'")).await;
    let coop = service::apply(&db, &app::live::hub::Hub::default(), application("lan@example.vn"), IP, NOW)
        .await
        .expect("apply");
    let no_reason = service::review_application(
        &db,
        &app::live::hub::Hub::default(),
        admin_id,
        coop,
        Decision::Reject,
        "  ",
        NOW,
    )
    .await;
    assert_eq!(
        no_reason,
        Err(AppError::Validation(vec![FieldError::new("note", app::error::FieldCode::ReasonRequired)]))
    );
    service::review_application(
        &db,
        &app::live::hub::Hub::default(),
        admin_id,
        coop,
        Decision::Reject,
        "Chưa có sản phẩm OCOP",
        NOW,
    )
    .await
    .expect("reject");
    let token = service::login(&db, "lan@example.vn", "một mật khẩu tốt", IP, NOW).await.expect("login");
    let viewer = session::resolve(&db, &token, NOW).await.expect("resolve").expect("session");
    assert_eq!(viewer.membership.map(|m| m.status), Some(CoopStatus::Rejected));
    let listed = service::list_applications(&db).await.expect("list");
    assert_eq!(listed[0].review_note.as_deref(), Some("Chưa có sản phẩm OCOP"));
    assert_eq!(
        service::review_application(
            &db,
            &app::live::hub::Hub::default(),
            admin_id,
            999_999,
            Decision::Approve,
            "",
            NOW
        )
        .await,
        Err(AppError::NotFound)
    );
}

async fn an_application_with_errors_writes_nothing(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let mut bad = application("lan@example.vn");
    bad.contact_phone = "12345".into();
    bad.name_en = String::new();
    let r = service::apply(&db, &app::live::hub::Hub::default(), bad, IP, NOW).await;
    assert_eq!(
        r,
        Err(AppError::Validation(vec![
            FieldError::new("name_en", app::error::FieldCode::Required),
            FieldError::new("contact_phone", app::error::FieldCode::PhoneInvalid),
        ]))
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM cooperatives WHERE status = 'pending'").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM users").await, 0);
}

async fn the_demo_accounts_are_one_per_role_and_made_once(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let created = service::seed_demo_accounts(&db, NOW).await.expect("seed accounts");
    let roles: Vec<Role> = created.iter().map(|a| a.role).collect();
    assert_eq!(roles, vec![Role::Admin, Role::Member, Role::Shopper]);
    assert!(service::seed_demo_accounts(&db, NOW).await.expect("again").is_empty());
    let token = service::login(&db, "binhminh@ocop.demo", "member-demo-2026", IP, NOW).await.expect("login");
    let viewer = session::resolve(&db, &token, NOW).await.expect("resolve").expect("session");
    assert_eq!(viewer.dashboard_cooperative().map(|m| m.slug.as_str()), Some("binh-minh"));
}

/// The token of the newest link of `kind` in the outbox (the email that carries it).
async fn emailed_token(db: &Db, kind: &'static str) -> String {
    let mut sql = Sql::new("SELECT payload FROM outbox WHERE kind = ");
    sql.bind(kind.to_owned()).push(" ORDER BY id DESC LIMIT 1");
    let payload: String = common::scalar(db, sql).await;
    let message: serde_json::Value = serde_json::from_str(&payload).expect("json");
    message["token"].as_str().expect("token").to_owned()
}

async fn a_reset_link_sets_a_new_password_once_and_ends_every_session(db: Db) {
    let hub = app::live::hub::Hub::new();
    let id = signed_up(&db, "lan@example.vn").await;
    let phone = service::login(&db, "lan@example.vn", "mật khẩu dài 2026", IP, NOW).await.expect("login");
    links::request_reset(&db, " LAN@example.vn ", IP, NOW).await.expect("request");
    let token = emailed_token(&db, "password_reset").await;
    let stored: String =
        common::scalar(&db, Sql::new("SELECT token_hash FROM account_links WHERE purpose = 'reset'")).await;
    assert_ne!(stored, token, "only the token's hash is stored");
    // Too short a password is refused, and the link stays usable.
    assert!(matches!(
        links::reset_password(&db, &hub, &token, "short", IP, NOW + 60).await,
        Err(AppError::Validation(_))
    ));
    links::reset_password(&db, &hub, &token, "một mật khẩu mới 2026", IP, NOW + 60).await.expect("reset");
    assert_eq!(session::resolve(&db, &phone, NOW + 61).await.expect("resolve"), None, "every session ended");
    assert!(service::login(&db, "lan@example.vn", "mật khẩu dài 2026", IP, NOW + 62).await.is_err());
    service::login(&db, "lan@example.vn", "một mật khẩu mới 2026", IP, NOW + 63).await.expect("new password");
    // Used once: it never works again.
    let again = links::reset_password(&db, &hub, &token, "yet another password 2026", IP, NOW + 64).await;
    assert_eq!(
        again,
        Err(AppError::Validation(vec![FieldError::new("token", app::error::FieldCode::LinkInvalid)]))
    );
    // A link expires after 30 minutes.
    links::request_reset(&db, "lan@example.vn", IP, NOW + 100).await.expect("request");
    let late = emailed_token(&db, "password_reset").await;
    let expired = links::reset_password(
        &db,
        &hub,
        &late,
        "yet another password 2026",
        IP,
        NOW + 100 + links::RESET_TTL_SECS,
    )
    .await;
    assert!(matches!(expired, Err(AppError::Validation(_))));
    assert_eq!(
        links::email_status(&db, id).await.expect("status"),
        (true, "lan@example.vn".into()),
        "the link proved the address"
    );
}

async fn asking_for_a_reset_says_the_same_for_any_email_and_is_limited(db: Db) {
    signed_up(&db, "lan@example.vn").await;
    let before = count(&db, "SELECT COUNT(*) FROM outbox WHERE kind = 'password_reset'").await;
    links::request_reset(&db, "nobody@example.vn", IP, NOW).await.expect("same answer for an unknown email");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM outbox WHERE kind = 'password_reset'").await,
        before,
        "nothing sent"
    );
    for _ in 0..3 {
        links::request_reset(&db, "lan@example.vn", IP, NOW).await.expect("request");
    }
    assert_eq!(count(&db, "SELECT COUNT(*) FROM outbox WHERE kind = 'password_reset'").await, 3);
    assert!(
        matches!(
            links::request_reset(&db, "lan@example.vn", "198.51.100.1", NOW).await,
            Err(AppError::TooManyAttempts(_))
        ),
        "three links an hour per email, from any address"
    );
    for i in 0..6 {
        let _ = links::request_reset(&db, &format!("other{i}@example.vn"), IP, NOW).await;
    }
    assert!(
        matches!(links::request_reset(&db, "x@example.vn", IP, NOW).await, Err(AppError::TooManyAttempts(_))),
        "ten requests an hour per client address"
    );
    links::request_reset(&db, "lan@example.vn", "198.51.100.1", NOW + 3600).await.expect("an hour later");
}

async fn a_new_account_confirms_its_email_and_a_changed_email_takes_effect_once_confirmed(db: Db) {
    let id = signed_up(&db, "lan@example.vn").await;
    assert_eq!(links::email_status(&db, id).await.expect("status"), (false, "lan@example.vn".into()));
    let token = emailed_token(&db, "verify_email").await;
    let mut sql = Sql::new("SELECT recipient FROM outbox WHERE kind = 'verify_email'");
    sql.push("");
    assert_eq!(common::scalar::<String>(&db, sql).await, "lan@example.vn");
    assert_eq!(
        links::verification_email(&db, &token, NOW).await.expect("link"),
        Some("lan@example.vn".into())
    );
    assert_eq!(links::verification_email(&db, "forged", NOW).await.expect("link"), None);
    assert!(
        links::verify_email(&db, &token, NOW + links::VERIFY_TTL_SECS).await.is_err(),
        "expired after a day"
    );
    links::verify_email(&db, &token, NOW + 60).await.expect("verify");
    assert_eq!(links::email_status(&db, id).await.expect("status"), (true, "lan@example.vn".into()));
    assert!(links::verify_email(&db, &token, NOW + 61).await.is_err(), "once");

    // A change: the password first, then the new address must confirm it.
    assert!(matches!(
        links::change_email(&db, id, "lan.new@example.vn", "wrong password here", IP, NOW).await,
        Err(AppError::Validation(_))
    ));
    signed_up(&db, "taken@example.vn").await;
    assert_eq!(
        links::change_email(&db, id, "taken@example.vn", "mật khẩu dài 2026", IP, NOW).await,
        Err(AppError::Validation(vec![FieldError::new("email", app::error::FieldCode::EmailTaken)]))
    );
    links::change_email(&db, id, "Lan.New@example.vn", "mật khẩu dài 2026", IP, NOW).await.expect("change");
    assert_eq!(
        links::email_status(&db, id).await.expect("status").1,
        "lan@example.vn",
        "not before it is confirmed"
    );
    let token = emailed_token(&db, "verify_email").await;
    let mut sql =
        Sql::new("SELECT recipient FROM outbox WHERE kind = 'verify_email' ORDER BY id DESC LIMIT 1");
    sql.push("");
    assert_eq!(common::scalar::<String>(&db, sql).await, "lan.new@example.vn", "sent to the new address");
    links::verify_email(&db, &token, NOW + 120).await.expect("confirm the new address");
    assert_eq!(links::email_status(&db, id).await.expect("status"), (true, "lan.new@example.vn".into()));
    service::login(&db, "lan.new@example.vn", "mật khẩu dài 2026", IP, NOW + 121)
        .await
        .expect("log in with it");
}

on_both_databases!(
    a_reset_link_sets_a_new_password_once_and_ends_every_session,
    asking_for_a_reset_says_the_same_for_any_email_and_is_limited,
    a_new_account_confirms_its_email_and_a_changed_email_takes_effect_once_confirmed,
    sign_up_creates_a_shopper_who_can_log_in,
    sign_up_refuses_bad_input_and_a_taken_email,
    wrong_password_and_unknown_email_get_the_same_answer,
    logout_ends_the_session,
    sessions_expire_when_idle_and_at_their_absolute_age,
    a_disabled_account_cannot_log_in_and_loses_its_sessions,
    repeated_failures_slow_down_then_refuse_logins,
    at_most_a_hundred_failures_per_account_per_hour_are_honoured,
    simultaneous_wrong_passwords_for_one_account_are_checked_at_most_five_times,
    a_right_password_is_not_refused_for_failures_of_others_behind_the_same_address,
    one_address_signs_up_at_most_ten_accounts_an_hour_even_all_at_once,
    changing_the_password_ends_the_other_sessions,
    an_approved_application_lets_its_member_into_the_dashboard,
    a_rejection_needs_a_reason_and_keeps_the_member_out,
    an_application_with_errors_writes_nothing,
    the_demo_accounts_are_one_per_role_and_made_once,
);
