//! The admin console's accounts and audit log against real SQLite and real PostgreSQL: an admin
//! changes roles (never their own, never a membership), disabling an account ends its sessions
//! at once, the list searches and filters, and every admin action leaves one audit line with
//! the row before and after, in the same transaction as the change.
mod common;

use app::accounts::model::{ApplicationForm, Decision, Role};
use app::accounts::service::{self as accounts, DEMO_ACCOUNTS};
use app::accounts::session;
use app::admin::model::*;
use app::admin::service;
use app::db::{Db, Sql};
use app::error::{AppError, ConflictCode};
use app::fairs::model::FairForm;
use common::scalar;
use serde_json::{Value, json};

const NOW: i64 = 1_800_000_000;

async fn user_id(db: &Db, email: &str) -> i64 {
    let mut sql = Sql::new("SELECT id FROM users WHERE email = ");
    sql.bind(email.to_owned());
    scalar(db, sql).await
}

async fn audit_count(db: &Db) -> i64 {
    scalar(db, Sql::new("SELECT COUNT(*) FROM audit_log")).await
}

async fn setup(db: &Db) -> (i64, i64, i64) {
    app::seed::seed(db).await.expect("seed");
    accounts::seed_demo_accounts(db, NOW).await.expect("demo accounts");
    (
        user_id(db, DEMO_ACCOUNTS[0].email).await,
        user_id(db, DEMO_ACCOUNTS[1].email).await,
        user_id(db, DEMO_ACCOUNTS[2].email).await,
    )
}

/// An audit line's before or after, as JSON.
fn parsed(text: Option<&String>) -> Value {
    serde_json::from_str(text.expect("recorded")).expect("json")
}

fn all() -> UserFilter {
    UserFilter::default()
}

async fn role_changes_are_checked_and_audited(db: Db) {
    let (admin, member, shopper) = setup(&db).await;

    service::set_role(&db, &app::live::hub::Hub::default(), admin, shopper, Role::Admin, NOW)
        .await
        .expect("promote");
    let row = service::users(&db, admin, &all()).await.expect("list");
    let promoted = row.users.iter().find(|u| u.id == shopper).expect("listed");
    assert_eq!(promoted.role, Role::Admin);

    let log = service::audit_log(&db, &AuditFilter::default()).await.expect("log");
    assert_eq!(log.len(), 1);
    let line = &log[0];
    assert_eq!(line.action, AuditAction::UserRole);
    assert_eq!((line.target_kind.as_str(), line.target_id, line.at), ("user", shopper, NOW));
    assert_eq!(line.actor_email.as_deref(), Some(DEMO_ACCOUNTS[0].email));
    assert_eq!(parsed(line.before.as_ref()), json!({ "role": "shopper" }));
    assert_eq!(parsed(line.after.as_ref()), json!({ "role": "admin" }));

    // Refused: one's own role, and membership either way. Nothing changes, nothing is logged.
    let refused = |code: ConflictCode| Err(AppError::Conflict(code));
    assert_eq!(
        service::set_role(&db, &app::live::hub::Hub::default(), admin, admin, Role::Shopper, NOW).await,
        refused(ConflictCode::NotYourself)
    );
    assert_eq!(
        service::set_role(&db, &app::live::hub::Hub::default(), admin, member, Role::Shopper, NOW).await,
        refused(ConflictCode::MembershipFromCooperative)
    );
    assert_eq!(
        service::set_role(&db, &app::live::hub::Hub::default(), admin, shopper, Role::Member, NOW).await,
        refused(ConflictCode::MembershipFromCooperative)
    );
    assert_eq!(
        service::set_role(&db, &app::live::hub::Hub::default(), admin, 999_999, Role::Admin, NOW).await,
        Err(AppError::NotFound)
    );
    // The role it already has: no change, no line.
    service::set_role(&db, &app::live::hub::Hub::default(), admin, shopper, Role::Admin, NOW)
        .await
        .expect("same role");
    assert_eq!(audit_count(&db).await, 1);

    let admins = UserFilter { role: "admin".into(), ..Default::default() };
    let listed = service::users(&db, admin, &admins).await.expect("admins");
    assert_eq!(listed.total, 2);
    assert_eq!(listed.viewer_id, admin);
}

async fn disabling_ends_every_session_at_once(db: Db) {
    let (admin, _, shopper) = setup(&db).await;
    let shopper_email = DEMO_ACCOUNTS[2].email;
    let laptop = session::create(&db, shopper, NOW).await.expect("session");
    let phone =
        accounts::login(&db, shopper_email, DEMO_ACCOUNTS[2].password, "10.0.0.1", NOW).await.expect("login");
    assert!(session::resolve(&db, &laptop, NOW + 1).await.expect("resolve").is_some());

    service::set_status(
        &db,
        &app::live::hub::Hub::default(),
        admin,
        shopper,
        AccountStatus::Disabled,
        NOW + 10,
    )
    .await
    .expect("disable");
    for token in [&laptop, &phone] {
        assert!(
            session::resolve(&db, token, NOW + 11).await.expect("resolve").is_none(),
            "the session ended"
        );
    }
    let mut sql = Sql::new("SELECT COUNT(*) FROM sessions WHERE user_id = ");
    sql.bind(shopper);
    assert_eq!(scalar::<i64>(&db, sql).await, 0);
    assert!(
        accounts::login(&db, shopper_email, DEMO_ACCOUNTS[2].password, "10.0.0.1", NOW + 12).await.is_err(),
        "a disabled account cannot log in"
    );
    let log = service::audit_log(&db, &AuditFilter { action: "user.disable".into(), ..Default::default() })
        .await
        .expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!(parsed(log[0].before.as_ref()), json!({ "status": "active" }));
    assert_eq!(parsed(log[0].after.as_ref()), json!({ "status": "disabled", "sessions_ended": 2 }));

    // Not oneself; and enabling lets the account log in again.
    assert_eq!(
        service::set_status(&db, &app::live::hub::Hub::default(), admin, admin, AccountStatus::Disabled, NOW)
            .await,
        Err(AppError::Conflict(ConflictCode::NotYourself))
    );
    service::set_status(
        &db,
        &app::live::hub::Hub::default(),
        admin,
        shopper,
        AccountStatus::Active,
        NOW + 20,
    )
    .await
    .expect("enable");
    assert!(
        accounts::login(&db, shopper_email, DEMO_ACCOUNTS[2].password, "10.0.0.2", NOW + 21).await.is_ok()
    );
    let actions: Vec<AuditAction> = service::audit_log(&db, &AuditFilter::default())
        .await
        .expect("log")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, [AuditAction::UserEnable, AuditAction::UserDisable], "newest first");
}

async fn the_account_list_searches_and_filters(db: Db) {
    let (admin, member, shopper) = setup(&db).await;
    let find = |q: &str| UserFilter { q: q.into(), ..Default::default() };
    let emails = |list: UserList| list.users.into_iter().map(|u| u.email).collect::<Vec<_>>();

    assert_eq!(
        emails(service::users(&db, admin, &find("  SHOPPER@ocop ")).await.expect("q")),
        [DEMO_ACCOUNTS[2].email]
    );
    // A LIKE wildcard typed by the admin is a literal character.
    assert_eq!(service::users(&db, admin, &find("%")).await.expect("q").total, 0);
    let members = service::users(&db, admin, &UserFilter { role: "member".into(), ..Default::default() })
        .await
        .expect("members");
    assert_eq!(members.total, 1);
    assert_eq!(members.users[0].id, member);
    assert!(members.users[0].cooperative.is_some(), "a member's cooperative is shown");

    service::set_status(&db, &app::live::hub::Hub::default(), admin, shopper, AccountStatus::Disabled, NOW)
        .await
        .expect("disable");
    let disabled = UserFilter { status: "disabled".into(), ..Default::default() };
    assert_eq!(
        emails(service::users(&db, admin, &disabled).await.expect("disabled")),
        [DEMO_ACCOUNTS[2].email]
    );
    // Unknown filter values mean "any".
    let any = UserFilter { role: "owner".into(), status: "gone".into(), ..Default::default() };
    assert_eq!(service::users(&db, admin, &any).await.expect("any").total, 3);
}

async fn reviews_and_fairs_are_audited_with_their_actor(db: Db) {
    let (admin, _, _) = setup(&db).await;
    let form = ApplicationForm {
        name_vi: "HTX Chờ duyệt".into(),
        name_en: "Pending Coop".into(),
        district: "na-hang".into(),
        commune: "Thượng Lâm".into(),
        contact_name: "Lan".into(),
        contact_phone: "0912345678".into(),
        email: "pending@example.vn".into(),
        password: "long enough password".into(),
    };
    let pending = accounts::apply(&db, &app::live::hub::Hub::default(), form, "192.0.2.20", NOW)
        .await
        .expect("application");
    accounts::review_application(
        &db,
        &app::live::hub::Hub::default(),
        admin,
        pending,
        Decision::Reject,
        "Thiếu giấy chứng nhận",
        NOW + 1,
    )
    .await
    .expect("reject");
    // Deciding twice is refused and leaves no second line.
    assert!(
        accounts::review_application(
            &db,
            &app::live::hub::Hub::default(),
            admin,
            pending,
            Decision::Approve,
            "",
            NOW + 2
        )
        .await
        .is_err()
    );

    let fair = FairForm {
        name_vi: "Phiên chợ chè".into(),
        name_en: "Tea Market".into(),
        description_vi: String::new(),
        description_en: String::new(),
        starts_at: "2027-02-01T08:00".into(),
        ends_at: "2027-02-03T20:00".into(),
        booths: [("binh-minh".to_owned(), "on".to_owned())].into_iter().collect(),
    };
    let slug = app::fairs::service::create_fair(&db, &app::live::hub::Hub::new(), admin, &fair, NOW + 3)
        .await
        .expect("fair");

    let log = service::audit_log(&db, &AuditFilter::default()).await.expect("log");
    let actions: Vec<AuditAction> = log.iter().map(|e| e.action).collect();
    assert_eq!(actions, [AuditAction::FairCreate, AuditAction::CooperativeReject]);
    assert_eq!(log[1].target_id, pending);
    assert_eq!(parsed(log[1].before.as_ref()), json!({ "status": "pending" }));
    assert_eq!(
        parsed(log[1].after.as_ref()),
        json!({ "status": "rejected", "note": "Thiếu giấy chứng nhận" })
    );
    let after = parsed(log[0].after.as_ref());
    assert_eq!((&after["slug"], &after["booths"]), (&json!(slug), &json!(1)));
    assert!(log[0].before.is_none(), "a new fair has no before");

    // Filters: by action, and by the acting admin's email.
    let fairs = AuditFilter { action: "fair.create".into(), ..Default::default() };
    assert_eq!(service::audit_log(&db, &fairs).await.expect("fairs").len(), 1);
    let by_admin = AuditFilter { actor: "ADMIN@ocop".into(), ..Default::default() };
    assert_eq!(service::audit_log(&db, &by_admin).await.expect("admin").len(), 2);
    let by_other = AuditFilter { actor: "someone-else".into(), ..Default::default() };
    assert!(service::audit_log(&db, &by_other).await.expect("other").is_empty());
}

/// A certificate of the product `slug`, numbered `decision`, expiring on `expires_on`.
async fn certificate(db: &Db, slug: &str, stars: i64, council: &str, decision: &str, expires_on: &str) {
    let mut sql = Sql::new(
        "INSERT INTO certificates (product_id, stars, council, decision_no, issued_on, expires_on, is_demo, \
         created_at) SELECT id, ",
    );
    sql.bind(stars).push(", ").bind(council.to_owned()).push(", ").bind(decision.to_owned());
    sql.push(", '2037-01-01', ").bind(expires_on.to_owned()).push(", 0, 0 FROM products WHERE slug = ");
    sql.bind(slug.to_owned());
    common::exec(db, sql).await;
}

async fn the_certificate_registry_lists_states_and_those_expiring_on_a_given_day(db: Db) {
    setup(&db).await;
    // A day long after the demo certificates have all expired, so only these count as live.
    let today = "2040-01-15";
    certificate(&db, "ruou-ngo-men-la", 3, "provincial", "REG-EXPIRED", "2040-01-14").await;
    certificate(&db, "ruou-ngo-men-la", 4, "provincial", "REG-LAST-DAY", "2040-01-15").await;
    certificate(&db, "ruou-ngo-men-la", 4, "national", "REG-SOON", "2040-04-14").await;
    certificate(&db, "ruou-ngo-men-la", 5, "national", "REG-LATER", "2040-04-15").await;
    let dbr = &db;
    let of = |f: CertificateFilter| async move {
        let r = service::certificates(dbr, &f, today).await.expect("registry");
        (
            r.total,
            r.certificates.into_iter().map(|c| (c.decision_no, c.state, c.days_left)).collect::<Vec<_>>(),
            r.expiring,
        )
    };
    let reg = |state: &str| CertificateFilter { q: "reg-".into(), state: state.into(), ..Default::default() };

    let (total, all, expiring) = of(reg("")).await;
    assert_eq!(total, 4);
    assert_eq!(
        all,
        [
            ("REG-EXPIRED".to_owned(), CertificateState::Expired, -1),
            ("REG-LAST-DAY".to_owned(), CertificateState::Expiring, 0),
            ("REG-SOON".to_owned(), CertificateState::Expiring, 90),
            ("REG-LATER".to_owned(), CertificateState::Valid, 91),
        ],
        "soonest expiry first, with the days left on the given day"
    );
    let soon: Vec<&str> = expiring.iter().map(|c| c.decision_no.as_str()).collect();
    assert_eq!(soon, ["REG-LAST-DAY", "REG-SOON"], "the 90-day list ignores the filters and the expired");
    assert!(expiring.iter().all(|c| c.product_slug == "ruou-ngo-men-la" && c.district.is_some()));

    let names = |v: Vec<(String, CertificateState, i64)>| v.into_iter().map(|c| c.0).collect::<Vec<_>>();
    assert_eq!(names(of(reg("expired")).await.1), ["REG-EXPIRED"]);
    assert_eq!(names(of(reg("expiring")).await.1), ["REG-LAST-DAY", "REG-SOON"]);
    assert_eq!(names(of(reg("valid")).await.1), ["REG-LATER"]);
    let national = CertificateFilter {
        q: "reg-".into(),
        council: "national".into(),
        stars: "5".into(),
        ..Default::default()
    };
    assert_eq!(names(of(national).await.1), ["REG-LATER"]);

    // The storefront agrees: on the last day the badge shows, the day after it is gone.
    let stars_on = |day: &'static str| {
        let db = db.clone();
        async move {
            app::catalog::service::product_detail(&db, "ruou-ngo-men-la", day)
                .await
                .expect("detail")
                .expect("found")
                .card
                .stars
        }
    };
    assert_eq!(stars_on("2040-04-15").await, Some(5));
    assert_eq!(stars_on("2040-04-16").await, None, "every certificate expired: no badge");
}

async fn coop_id(db: &Db, slug: &str) -> i64 {
    let mut sql = Sql::new("SELECT id FROM cooperatives WHERE slug = ");
    sql.bind(slug.to_owned());
    scalar(db, sql).await
}

async fn in_shop(db: &Db, slug: &str) -> bool {
    let today = app::clock::vietnam_today();
    app::catalog::service::product_detail(db, slug, &today).await.expect("detail").is_some()
}

async fn suspending_a_cooperative_hides_its_products_and_booth(db: Db) {
    use app::admin::moderation;
    let (admin, member, _) = setup(&db).await;
    let coop = coop_id(&db, "binh-minh").await;
    let members_session = session::create(&db, member, NOW).await.expect("session");
    let members_view = |at: i64| {
        let (db, token) = (db.clone(), members_session.clone());
        async move { session::resolve(&db, &token, at).await.expect("resolve").expect("signed in") }
    };
    assert!(in_shop(&db, "tra-oi").await);
    assert!(app::fairs::service::is_open_booth(&db, coop).await.expect("booth"));

    let no_reason =
        moderation::set_suspended(&db, &app::live::hub::Hub::default(), admin, coop, true, "   ", NOW).await;
    assert_eq!(
        no_reason,
        Err(AppError::Validation(vec![app::error::FieldError::new(
            "reason",
            app::error::FieldCode::ReasonRequired
        )]))
    );
    let reason = "Giấy chứng nhận an toàn thực phẩm đã hết hạn";
    moderation::set_suspended(&db, &app::live::hub::Hub::default(), admin, coop, true, reason, NOW)
        .await
        .expect("suspend");
    assert!(!in_shop(&db, "tra-oi").await, "its products leave the shop");
    assert!(!app::fairs::service::is_open_booth(&db, coop).await.expect("booth"), "and its booth");
    let viewer = members_view(NOW + 1).await;
    assert!(viewer.dashboard_cooperative().is_none(), "its members' dashboard closes");
    let closed = viewer.closed_cooperative().expect("the member's cooperative");
    assert_eq!((closed.cooperative_id, closed.refusal_reason()), (coop, Some(reason)), "and they read why");
    assert_eq!(
        moderation::set_suspended(&db, &app::live::hub::Hub::default(), admin, coop, true, reason, NOW).await,
        Err(AppError::Conflict(ConflictCode::CooperativeStatusChanged))
    );
    let suspended = CoopFilter { status: "suspended".into(), ..Default::default() };
    let listed = moderation::cooperatives(&db, &suspended).await.expect("list");
    assert_eq!(
        listed.iter().map(|c| (c.slug.as_str(), c.note.as_deref())).collect::<Vec<_>>(),
        [("binh-minh", Some(reason))]
    );

    moderation::set_suspended(&db, &app::live::hub::Hub::default(), admin, coop, false, "", NOW + 60)
        .await
        .expect("reinstate");
    assert!(in_shop(&db, "tra-oi").await, "back in the shop");
    let viewer = members_view(NOW + 61).await;
    assert_eq!(
        viewer.dashboard_cooperative().map(|m| m.refusal_reason()),
        Some(None),
        "open again, no reason"
    );
    assert!(app::fairs::service::is_open_booth(&db, coop).await.expect("booth"));

    let log = service::audit_log(&db, &AuditFilter::default()).await.expect("log");
    let lines: Vec<(AuditAction, i64, Value, Value)> = log
        .iter()
        .map(|l| (l.action, l.target_id, parsed(l.before.as_ref()), parsed(l.after.as_ref())))
        .collect();
    assert_eq!(
        lines,
        [
            (
                AuditAction::CooperativeReinstate,
                coop,
                json!({ "status": "suspended" }),
                json!({ "status": "approved", "reason": null })
            ),
            (
                AuditAction::CooperativeSuspend,
                coop,
                json!({ "status": "approved" }),
                json!({ "status": "suspended", "reason": reason })
            ),
        ]
    );
}

async fn a_hidden_product_leaves_the_shop_and_its_cooperative_sees_why(db: Db) {
    use app::admin::moderation;
    let (admin, _, _) = setup(&db).await;
    let coop = coop_id(&db, "binh-minh").await;
    let product: i64 = scalar(&db, Sql::new("SELECT id FROM products WHERE slug = 'tra-oi'")).await;
    let reason = "Ảnh sản phẩm dùng hình của đơn vị khác";
    moderation::set_hidden(&db, &app::live::hub::Hub::default(), admin, product, true, reason, NOW)
        .await
        .expect("hide");
    assert!(!in_shop(&db, "tra-oi").await);
    let theirs = app::coops::service::products(&db, coop).await.expect("their list");
    let mine = theirs.iter().find(|p| p.id == product).expect("still theirs");
    assert_eq!(mine.hidden_reason.as_deref(), Some(reason), "the cooperative reads why");
    assert_eq!(
        app::coops::service::set_published(&db, coop, product, true, NOW).await,
        Err(AppError::Conflict(ConflictCode::HiddenByDepartment)),
        "and cannot publish past the department"
    );
    assert_eq!(
        moderation::set_hidden(&db, &app::live::hub::Hub::default(), admin, product, true, reason, NOW).await,
        Err(AppError::Conflict(ConflictCode::AlreadyHidden))
    );
    let hidden = ProductModerationFilter { hidden: "1".into(), ..Default::default() };
    let listed = moderation::products(&db, &hidden).await.expect("list");
    assert_eq!(listed.iter().map(|p| p.slug.as_str()).collect::<Vec<_>>(), ["tra-oi"]);

    moderation::set_hidden(&db, &app::live::hub::Hub::default(), admin, product, false, "", NOW + 60)
        .await
        .expect("unhide");
    assert!(in_shop(&db, "tra-oi").await);
    assert!(moderation::products(&db, &hidden).await.expect("list").is_empty());
    let log = service::audit_log(&db, &AuditFilter::default()).await.expect("log");
    let actions: Vec<(AuditAction, i64)> = log.iter().map(|l| (l.action, l.target_id)).collect();
    assert_eq!(actions, [(AuditAction::ProductUnhide, product), (AuditAction::ProductHide, product)]);
    assert_eq!(parsed(log[1].after.as_ref()), json!({ "status": "draft", "hidden_reason": reason }));
    assert_eq!(parsed(log[1].before.as_ref()), json!({ "status": "published", "hidden_reason": null }));
}

on_both_databases!(
    suspending_a_cooperative_hides_its_products_and_booth,
    a_hidden_product_leaves_the_shop_and_its_cooperative_sees_why,
    the_certificate_registry_lists_states_and_those_expiring_on_a_given_day,
    role_changes_are_checked_and_audited,
    disabling_ends_every_session_at_once,
    the_account_list_searches_and_filters,
    reviews_and_fairs_are_audited_with_their_actor,
);
