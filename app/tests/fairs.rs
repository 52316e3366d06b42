//! Booth editing and virtual trade fairs against real SQLite and real PostgreSQL (the media
//! store in memory): what a cooperative edits is what its booth shows and nobody else can edit
//! it; fairs are checked whole, stored in UTC from Vietnam time, listed by phase, and their hall
//! is searched without diacritics and filtered by district and product group, with live counts.
mod common;

use app::coops::model::ProductForm;
use app::db::{Db, Sql};
use app::error::{AppError, ConflictCode, FieldError};
use app::fairs::model::*;
use app::fairs::{editor, service};
use app::live::hub::Hub;
use app::live::model::{Event, ServerFrame, Topic};
use app::media::model::PhotoMove;
use app::media::service::{Upload, remove_banner, set_banner};
use app::media::store::MediaStore;
use common::{exec, scalar};

/// 2027-01-15 08:00 UTC (15:00 in Vietnam).
const NOW: i64 = 1_800_000_000;
const TODAY: &str = "2027-01-15";
const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

async fn coop_id(db: &Db, slug: &str) -> i64 {
    let mut sql = Sql::new("SELECT id FROM cooperatives WHERE slug = ");
    sql.bind(slug.to_owned());
    scalar(db, sql).await
}

async fn product(db: &Db, coop: i64, name_vi: &str, name_en: &str, group: &str) -> i64 {
    let form = ProductForm {
        name_vi: name_vi.into(),
        name_en: name_en.into(),
        group: group.into(),
        price_vnd: "120000".into(),
        stock: "10".into(),
        ..Default::default()
    };
    let id = app::coops::service::create_product(db, coop, None, &form, NOW).await.expect("product");
    app::coops::service::set_published(db, coop, id, true, NOW).await.expect("publish");
    id
}

async fn slug_of(db: &Db, product: i64) -> String {
    let mut sql = Sql::new("SELECT slug FROM products WHERE id = ");
    sql.bind(product);
    scalar(db, sql).await
}

fn validation(result: Result<impl std::fmt::Debug, AppError>) -> Vec<FieldError> {
    match result {
        Err(AppError::Validation(errors)) => errors,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn codes(errors: &[FieldError]) -> Vec<(&str, &str)> {
    errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect()
}

async fn booth(db: &Db, slug: &str) -> BoothView {
    service::booth(db, &Hub::new(), slug, None, None, NOW, TODAY).await.expect("booth")
}

async fn picks_are_the_booths_products_in_the_cooperatives_order(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let coop = coop_id(&db, "binh-minh").await;
    let other = coop_id(&db, "hong-phat").await;
    let first = product(&db, coop, "Chè xanh Mỹ Bằng", "My Bang green tea", "beverages").await;
    let second = product(&db, coop, "Chè đen Bình Minh", "Binh Minh black tea", "beverages").await;
    let theirs = product(&db, other, "Mật ong Hồng Phát", "Hong Phat honey", "food").await;

    let before = booth(&db, "binh-minh").await;
    assert!(!before.featured.is_empty(), "with nothing picked the booth shows the cooperative's products");

    editor::pick(&db, coop, first).await.expect("pick");
    editor::pick(&db, coop, second).await.expect("pick");
    editor::pick(&db, coop, first).await.expect("picking twice keeps one");
    let ids = |b: &BoothView| b.featured.iter().map(|c| c.slug.clone()).collect::<Vec<_>>();
    let (first_slug, second_slug) = (slug_of(&db, first).await, slug_of(&db, second).await);
    assert_eq!(
        ids(&booth(&db, "binh-minh").await),
        vec![first_slug.clone(), second_slug.clone()],
        "only the picks, in order"
    );

    editor::move_pick(&db, coop, second, PhotoMove::Earlier).await.expect("move");
    assert_eq!(ids(&booth(&db, "binh-minh").await), vec![second_slug.clone(), first_slug.clone()]);
    let settings = editor::settings(&db, coop).await.expect("settings");
    assert_eq!(settings.picks.iter().map(|p| p.id).collect::<Vec<_>>(), vec![second, first]);
    assert!(settings.others.iter().all(|p| p.id != first && p.id != second), "picks are not offered again");

    assert_eq!(
        editor::pick(&db, coop, theirs).await,
        Err(AppError::Forbidden),
        "another cooperative's product"
    );
    assert_eq!(editor::move_pick(&db, other, first, PhotoMove::Cover).await, Err(AppError::NotFound));
    editor::unpick(&db, other, first).await.expect("a no-op for another cooperative");
    assert_eq!(
        ids(&booth(&db, "binh-minh").await),
        vec![second_slug, first_slug.clone()],
        "another cooperative changed nothing"
    );

    for i in 0..MAX_FEATURED - 2 {
        let id = product(&db, coop, &format!("Chè số {i}"), &format!("Tea no. {i}"), "beverages").await;
        editor::pick(&db, coop, id).await.expect("pick up to the limit");
    }
    let one_more = product(&db, coop, "Chè thứ mười ba", "Thirteenth tea", "beverages").await;
    let errors = validation(editor::pick(&db, coop, one_more).await);
    assert_eq!(codes(&errors), vec![("product", "too_many")]);

    editor::unpick(&db, coop, second).await.expect("unpick");
    let shown = ids(&booth(&db, "binh-minh").await);
    assert_eq!(shown.len(), MAX_FEATURED - 1);
    assert_eq!(shown[0], first_slug, "the rest keep their order");
}

async fn the_welcome_schedule_and_team_are_edited_by_their_cooperative_only(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let coop = coop_id(&db, "binh-minh").await;
    let other = coop_id(&db, "hong-phat").await;

    let long = "Chào ".repeat(40);
    let errors = validation(
        editor::save_welcome(&db, coop, &WelcomeForm { welcome_vi: long, welcome_en: String::new() }, NOW)
            .await,
    );
    assert_eq!(codes(&errors), vec![("welcome_vi", "too_long")]);
    let welcome = WelcomeForm {
        welcome_vi: "  Mời bạn  nếm chè ".into(),
        welcome_en: "Come and taste our tea".into(),
    };
    editor::save_welcome(&db, coop, &welcome, NOW).await.expect("welcome");
    assert_eq!(booth(&db, "binh-minh").await.welcome.vi, "Mời bạn nếm chè", "trimmed to one line");

    let bad = SlotForm {
        starts_at: "2027-02-30T09:00".into(),
        title_vi: String::new(),
        title_en: "Tasting".into(),
        link: "javascript:alert(1)".into(),
    };
    let errors = validation(editor::add_slot(&db, coop, &bad).await);
    assert_eq!(
        codes(&errors),
        vec![("starts_at", "date_invalid"), ("title_vi", "required"), ("link", "url_invalid")]
    );
    let slot = SlotForm {
        starts_at: "2027-01-16T09:30".into(),
        title_vi: "Livestream sao chè".into(),
        title_en: "Tea roasting livestream".into(),
        link: "https://www.facebook.com/binhminh/live".into(),
    };
    let slot_id = editor::add_slot(&db, coop, &slot).await.expect("slot");
    let shown = booth(&db, "binh-minh").await.schedule;
    let added = shown.iter().find(|s| s.id == slot_id).expect("the slot is on the booth");
    // 09:30 in Vietnam is 02:30 UTC.
    assert_eq!(added.starts_at, NOW + 18 * HOUR + 30 * 60);
    assert_eq!(added.link.as_deref(), Some("https://www.facebook.com/binhminh/live"));

    let errors = validation(editor::add_member(&db, coop, &TeamForm::default()).await);
    assert_eq!(codes(&errors), vec![("name", "required")]);
    let member = TeamForm {
        name: "Lý Văn Minh".into(),
        role_vi: "Giám đốc".into(),
        role_en: "Director".into(),
        on_duty: "9:00–11:00".into(),
    };
    let member_id = editor::add_member(&db, coop, &member).await.expect("member");
    let team = booth(&db, "binh-minh").await.team;
    assert_eq!(
        team.last().map(|m| (m.id, m.name.as_str(), m.role.en.as_str())),
        Some((member_id, "Lý Văn Minh", "Director"))
    );

    assert_eq!(
        editor::delete_slot(&db, other, slot_id).await,
        Err(AppError::NotFound),
        "not theirs to delete"
    );
    assert_eq!(editor::delete_member(&db, other, member_id).await, Err(AppError::NotFound));
    editor::delete_slot(&db, coop, slot_id).await.expect("delete slot");
    editor::delete_member(&db, coop, member_id).await.expect("delete member");
    let after = booth(&db, "binh-minh").await;
    assert!(after.schedule.iter().all(|s| s.id != slot_id));
    assert!(after.team.iter().all(|m| m.id != member_id));
}

fn png(width: u32, height: u32) -> Upload {
    let mut out = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_fn(width, height, |x, _| image::Rgb([(x % 250) as u8, 120, 60]))
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("encode png");
    Upload {
        bytes: out.into_inner(),
        content_type: Some("image/png".into()),
        file_name: Some("banner.png".into()),
    }
}

async fn the_banner_goes_through_the_photo_path_and_replaces_the_last_one(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let store = MediaStore::memory();
    let coop = coop_id(&db, "binh-minh").await;

    let junk =
        Upload { bytes: b"not a picture".to_vec(), content_type: Some("image/png".into()), file_name: None };
    let errors = validation(set_banner(&db, &store, coop, junk, NOW).await);
    assert_eq!(errors[0].field, "photo", "refused like a product photo");

    set_banner(&db, &store, coop, png(2400, 800), NOW).await.expect("banner");
    let first = booth(&db, "binh-minh").await.banner_url.expect("the booth shows its banner");
    let first_key = first.trim_start_matches("/media/").to_owned();
    let stored = store.get(&first_key).await.expect("read").expect("stored");
    let picture = image::load_from_memory(&stored).expect("a picture");
    assert_eq!(picture.width(), 1200, "the large rendition");

    set_banner(&db, &store, coop, png(1800, 600), NOW).await.expect("new banner");
    let second = booth(&db, "binh-minh").await.banner_url.expect("banner");
    assert_ne!(first, second);
    assert_eq!(store.get(&first_key).await.expect("read"), None, "the old banner is removed");

    remove_banner(&db, &store, coop, NOW).await.expect("remove");
    assert_eq!(booth(&db, "binh-minh").await.banner_url, None);
    let second_key = second.trim_start_matches("/media/").to_owned();
    assert_eq!(store.get(&second_key).await.expect("read"), None);
}

fn fair_form(name_en: &str, starts_at: &str, ends_at: &str, booths: &[&str]) -> FairForm {
    FairForm {
        name_vi: format!("Hội chợ {name_en}"),
        name_en: name_en.into(),
        description_vi: "Hội chợ trực tuyến".into(),
        description_en: "An online fair".into(),
        starts_at: starts_at.into(),
        ends_at: ends_at.into(),
        booths: booths.iter().map(|b| ((*b).to_owned(), "on".to_owned())).collect(),
    }
}

async fn admin(db: &Db) -> i64 {
    let mut sql = Sql::new(
        "INSERT INTO users (email, display_name, password_hash, role, created_at, updated_at) VALUES \
         ('so-cong-thuong@tuyenquang.example', 'Sở Công Thương', 'x', 'admin', ",
    );
    sql.bind(NOW).push(", ").bind(NOW).push(") RETURNING id");
    scalar(db, sql).await
}

async fn forget_demo_fairs(db: &Db) {
    exec(db, Sql::new("DELETE FROM fair_booths")).await;
    exec(db, Sql::new("DELETE FROM fairs")).await;
}

async fn a_fair_is_checked_whole_and_stored_in_utc(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    forget_demo_fairs(&db).await;
    let admin = admin(&db).await;
    let hub = Hub::new();

    let mut bad = fair_form("", "2027-01-20T18:00", "2027-01-20T08:00", &["binh-minh", "no-such-coop"]);
    bad.name_vi = " ".into();
    let errors = validation(service::create_fair(&db, &hub, admin, &bad, NOW).await);
    assert_eq!(
        codes(&errors),
        vec![
            ("name_vi", "required"),
            ("name_en", "required"),
            ("ends_at", "ends_before_start"),
            ("booths", "invalid")
        ]
    );
    let errors =
        validation(service::create_fair(&db, &hub, admin, &fair_form("Tea", "tomorrow", "", &[]), NOW).await);
    assert_eq!(
        codes(&errors),
        vec![("starts_at", "date_invalid"), ("ends_at", "required"), ("booths", "booths_required")]
    );
    assert_eq!(scalar::<i64>(&db, Sql::new("SELECT COUNT(*) FROM fairs")).await, 0, "nothing stored");

    let form =
        fair_form("Spring Tea Fair", "2027-01-20T08:00", "2027-01-22T20:00", &["binh-minh", "hong-phat"]);
    let slug = service::create_fair(&db, &hub, admin, &form, NOW).await.expect("fair");
    assert_eq!(slug, "spring-tea-fair");
    let again = service::create_fair(&db, &hub, admin, &form, NOW).await.expect("same name");
    assert_eq!(again, "spring-tea-fair-2", "a taken slug gets a number");

    let hall = service::hall(&db, &Hub::new(), &slug, HallFilter::default(), NOW).await.expect("hall");
    // 08:00 on 20 January in Vietnam is 01:00 UTC.
    assert_eq!(hall.fair.starts_at, NOW + 5 * DAY - 7 * HOUR);
    assert_eq!(hall.fair.ends_at, NOW + 7 * DAY + 5 * HOUR);
    assert_eq!(hall.fair.phase, Phase::Upcoming);
    let mut booths: Vec<&str> = hall.booths.iter().map(|b| b.slug.as_str()).collect();
    booths.sort();
    assert_eq!(booths, vec!["binh-minh", "hong-phat"]);
}

async fn insert_fair(db: &Db, slug: &str, starts_at: i64, ends_at: i64, coops: &[i64]) -> i64 {
    let mut sql =
        Sql::new("INSERT INTO fairs (slug, name_vi, name_en, starts_at, ends_at, created_at) VALUES (");
    sql.bind(slug.to_owned()).push(", ").bind(slug.to_owned()).push(", ").bind(slug.to_owned()).push(", ");
    sql.bind(starts_at).push(", ").bind(ends_at).push(", ").bind(NOW).push(") RETURNING id");
    let id: i64 = scalar(db, sql).await;
    for coop in coops {
        let mut sql = Sql::new("INSERT INTO fair_booths (fair_id, cooperative_id) VALUES (");
        sql.bind(id).push(", ").bind(*coop).push(")");
        exec(db, sql).await;
    }
    id
}

async fn fairs_are_listed_as_running_upcoming_and_past_and_badge_their_booths(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    forget_demo_fairs(&db).await;
    let binh_minh = coop_id(&db, "binh-minh").await;
    let hong_phat = coop_id(&db, "hong-phat").await;
    insert_fair(&db, "long-running", NOW - 10 * DAY, NOW + 10 * DAY, &[binh_minh, hong_phat]).await;
    insert_fair(&db, "ending-soon", NOW - DAY, NOW + HOUR, &[binh_minh]).await;
    insert_fair(&db, "later", NOW + 20 * DAY, NOW + 21 * DAY, &[hong_phat]).await;
    insert_fair(&db, "sooner", NOW + 2 * DAY, NOW + 3 * DAY, &[]).await;
    insert_fair(&db, "just-ended", NOW - DAY, NOW, &[binh_minh]).await;
    insert_fair(&db, "long-ago", NOW - 100 * DAY, NOW - 99 * DAY, &[]).await;

    let list = service::fairs(&db, NOW).await.expect("fairs");
    let slugs = |fairs: &[FairSummary]| fairs.iter().map(|f| f.slug.clone()).collect::<Vec<_>>();
    assert_eq!(slugs(&list.running), vec!["ending-soon", "long-running"], "ending soonest first");
    assert_eq!(slugs(&list.upcoming), vec!["sooner", "later"], "starting soonest first");
    assert_eq!(slugs(&list.past), vec!["just-ended", "long-ago"], "an end is exclusive; latest first");
    assert_eq!(list.running[1].booths, 2);

    let featured = service::running_fair(&db, NOW).await.expect("running").expect("a fair is on");
    assert_eq!(featured.slug, "ending-soon", "the home page features the fair ending soonest");
    assert_eq!(service::running_fair(&db, NOW + 30 * DAY).await.expect("running"), None);

    assert_eq!(booth(&db, "binh-minh").await.live_fair.map(|f| f.slug), Some("ending-soon".to_owned()));
    assert_eq!(booth(&db, "hong-phat").await.live_fair.map(|f| f.slug), Some("long-running".to_owned()));
    let chieu_yen = booth(&db, "chieu-yen").await;
    assert_eq!(chieu_yen.live_fair, None, "a booth in no running fair has no badge");
}

async fn a_hall_is_searched_without_diacritics_filtered_and_counts_visitors(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    forget_demo_fairs(&db).await;
    // Three booths of our own, so what matches is known.
    exec(&db, Sql::new("UPDATE products SET status = 'draft'")).await;
    let districts: Vec<(i64, String)> =
        Sql::new("SELECT id, slug FROM districts ORDER BY position, id LIMIT 2")
            .query_as()
            .expect("encode")
            .fetch_all(&db.pool)
            .await
            .expect("districts");
    let (tea, honey, grapefruit) =
        (coop_id(&db, "binh-minh").await, coop_id(&db, "hong-phat").await, coop_id(&db, "chieu-yen").await);
    for (coop, district) in [(tea, districts[0].0), (honey, districts[1].0), (grapefruit, districts[1].0)] {
        let mut sql = Sql::new("UPDATE cooperatives SET district_id = ");
        sql.bind(district).push(" WHERE id = ").bind(coop);
        exec(&db, sql).await;
    }
    product(&db, tea, "Chè Shan tuyết Đồng Xuân", "Dong Xuan Shan Tuyet tea", "beverages").await;
    product(&db, honey, "Mật ong bạc hà", "Mint honey", "food").await;
    product(&db, grapefruit, "Bưởi Soi Hà", "Soi Ha grapefruit", "food").await;
    product(&db, grapefruit, "Siro bưởi", "Grapefruit syrup", "beverages").await;
    let pending = coop_id(&db, "xuan-van").await;
    exec(&db, {
        let mut sql = Sql::new("UPDATE cooperatives SET status = 'suspended' WHERE id = ");
        sql.bind(pending);
        sql
    })
    .await;
    insert_fair(&db, "hall", NOW - DAY, NOW + DAY, &[tea, honey, grapefruit, pending]).await;

    let hub = Hub::new();
    let visitor = hub.connect();
    hub.enter(visitor.id, honey);
    let second = hub.connect();
    hub.enter(second.id, honey);

    let hall = |q: &str, district: &str, group: &str| {
        let filter = HallFilter { q: q.into(), district: district.into(), group: group.into() };
        let (db, hub) = (db.clone(), hub.clone());
        async move { service::hall(&db, &hub, "hall", filter, NOW).await.expect("hall") }
    };
    let names = |h: &FairHall| {
        let mut ids: Vec<i64> = h.booths.iter().map(|b| b.cooperative_id).collect();
        ids.sort();
        ids
    };
    let sorted = |mut v: Vec<i64>| {
        v.sort();
        v
    };

    let all = hall("", "", "").await;
    assert_eq!(
        names(&all),
        sorted(vec![tea, honey, grapefruit]),
        "a suspended cooperative's booth is not shown"
    );
    assert_eq!(all.total, 3);
    let honey_booth = all.booths.iter().find(|b| b.cooperative_id == honey).expect("honey booth");
    assert_eq!(honey_booth.visitors, 2, "live visitor counts");
    let fruit_booth = all.booths.iter().find(|b| b.cooperative_id == grapefruit).expect("grapefruit booth");
    assert_eq!(fruit_booth.products, 2);
    let mut groups: Vec<&str> = all.groups.iter().map(|g| g.value.as_str()).collect();
    groups.sort();
    assert_eq!(groups, vec!["beverages", "food"], "the filters offer what the hall's booths cover");
    assert_eq!(all.districts.len(), 2);

    assert_eq!(names(&hall("che shan", "", "").await), vec![tea], "no diacritics needed");
    assert_eq!(names(&hall("bưởi", "", "").await), vec![grapefruit]);
    assert_eq!(names(&hall("grape", "", "").await), vec![grapefruit], "English names and word starts");
    assert_eq!(names(&hall("honey mint", "", "").await), vec![honey], "every word must match");
    assert_eq!(names(&hall("coffee", "", "").await), Vec::<i64>::new());

    let by_district = hall("", &districts[1].1, "").await;
    assert_eq!(names(&by_district), sorted(vec![honey, grapefruit]));
    assert!(by_district.districts.iter().any(|d| d.selected && d.value == districts[1].1));
    assert_eq!(names(&hall("", "", "beverages").await), sorted(vec![tea, grapefruit]));
    assert_eq!(names(&hall("", &districts[1].1, "beverages").await), vec![grapefruit], "filters combine");
    assert_eq!(hall("", &districts[1].1, "beverages").await.total, 3, "the total is before filtering");

    drop(visitor);
    assert_eq!(
        hall("", "", "").await.booths.iter().find(|b| b.cooperative_id == honey).map(|b| b.visitors),
        Some(1)
    );
    assert!(matches!(
        service::hall(&db, &hub, "no-such-fair", HallFilter::default(), NOW).await,
        Err(AppError::NotFound)
    ));
}

/// The booths of the fair `slug`'s hall, by slug.
async fn hall_slugs(db: &Db, slug: &str, now: i64) -> Vec<String> {
    let hall = service::hall(db, &Hub::new(), slug, HallFilter::default(), now).await.expect("hall");
    let mut slugs: Vec<String> = hall.booths.into_iter().map(|b| b.slug).collect();
    slugs.sort();
    slugs
}

async fn booth_page(db: &Db, hub: &Hub, slug: &str) -> app::live::hub::Connection {
    let page = hub.connect();
    hub.subscribe(page.id, Topic::Booth(coop_id(db, slug).await));
    page
}

/// What the open page of a booth heard about the fair it is live at since it last looked: the
/// slug of that fair, or `None` when it is live at none.
fn badge_turns(page: &mut app::live::hub::Connection) -> Vec<Option<String>> {
    std::iter::from_fn(|| page.outbox.try_recv().ok())
        .filter_map(|text| match serde_json::from_str(&text).expect("a server frame") {
            ServerFrame::Event(Event::BoothFair { fair, .. }) => Some(fair.map(|f| f.slug)),
            _ => None,
        })
        .collect()
}

async fn an_admin_edits_a_fair_and_its_booths_and_opens_and_closes_it_now(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    forget_demo_fairs(&db).await;
    let admin = admin(&db).await;
    let hub = Hub::new();
    // Each booth's page is open: the badge hears every change to the fair it is live at.
    let binh_minh_page = &mut booth_page(&db, &hub, "binh-minh").await;
    let hong_phat_page = &mut booth_page(&db, &hub, "hong-phat").await;
    let third: String = scalar(
        &db,
        Sql::new(
            "SELECT slug FROM cooperatives WHERE status = 'approved' AND slug NOT IN ('binh-minh', 'hong-phat') \
             ORDER BY slug LIMIT 1",
        ),
    )
    .await;
    let created =
        fair_form("Spring Tea Fair", "2027-01-20T08:00", "2027-01-22T20:00", &["binh-minh", "hong-phat"]);
    let slug = service::create_fair(&db, &hub, admin, &created, NOW).await.expect("fair");
    assert_eq!(badge_turns(binh_minh_page), vec![None], "in an upcoming fair, live at none yet");
    assert_eq!(badge_turns(hong_phat_page), vec![None]);

    // The edit form shows what is stored, in Vietnam time.
    let page = service::edit_page(&db, &slug, None, NOW).await.expect("edit page");
    assert_eq!(page.editing.as_deref(), Some(slug.as_str()));
    assert_eq!(page.form, created, "every field as it was created");
    assert!(matches!(service::edit_page(&db, "no-such-fair", None, NOW).await, Err(AppError::NotFound)));

    // A refused edit changes nothing.
    let bad = fair_form("Spring Tea Fair", "2027-01-20T08:00", "2027-01-19T08:00", &[]);
    let errors = validation(service::update_fair(&db, &hub, admin, &slug, &bad, NOW).await);
    assert_eq!(codes(&errors), vec![("ends_at", "ends_before_start"), ("booths", "booths_required")]);
    assert_eq!(hall_slugs(&db, &slug, NOW).await, vec!["binh-minh", "hong-phat"]);
    assert_eq!(badge_turns(hong_phat_page), Vec::<Option<String>>::new(), "a refused edit says nothing");

    // Renamed, moved a day, one booth removed and one added; the slug (and its links) stay.
    let edited =
        fair_form("Tea and Honey Fair", "2027-01-21T08:00", "2027-01-23T20:00", &["hong-phat", &third]);
    assert_eq!(service::update_fair(&db, &hub, admin, &slug, &edited, NOW + 1).await.expect("edited"), slug);
    assert_eq!(badge_turns(binh_minh_page), vec![None], "the removed booth hears it too");
    assert_eq!(badge_turns(hong_phat_page), vec![None]);
    let hall = service::hall(&db, &Hub::new(), &slug, HallFilter::default(), NOW).await.expect("hall");
    assert_eq!(hall.fair.name.en, "Tea and Honey Fair");
    assert_eq!(hall.fair.starts_at, NOW + 6 * DAY - 7 * HOUR);
    let mut now_in = vec!["hong-phat".to_owned(), third.clone()];
    now_in.sort();
    assert_eq!(hall_slugs(&db, &slug, NOW).await, now_in);
    assert!(matches!(
        service::update_fair(&db, &hub, admin, "no-such-fair", &edited, NOW).await,
        Err(AppError::NotFound)
    ));

    // A suspended cooperative's booth is out of the form, and an edit leaves it in the fair: it
    // comes back with the cooperative.
    let hong_phat = coop_id(&db, "hong-phat").await;
    app::admin::moderation::set_suspended(
        &db,
        &app::live::hub::Hub::default(),
        admin,
        hong_phat,
        true,
        "Kiểm tra",
        NOW + 2,
    )
    .await
    .expect("suspend");
    let page = service::edit_page(&db, &slug, None, NOW).await.expect("edit page");
    assert_eq!(page.form.chosen_booths().collect::<Vec<_>>(), vec![third.as_str()]);
    let renamed = FairForm { name_en: "Honey Fair".into(), ..page.form };
    service::update_fair(&db, &hub, admin, &slug, &renamed, NOW + 3).await.expect("edited while suspended");
    app::admin::moderation::set_suspended(
        &db,
        &app::live::hub::Hub::default(),
        admin,
        hong_phat,
        false,
        "",
        NOW + 4,
    )
    .await
    .expect("reinstate");
    assert_eq!(hall_slugs(&db, &slug, NOW).await, now_in);

    // Opened now: it runs from now to its planned end, and the home page features it.
    let starts = hall.fair.starts_at;
    let ends = hall.fair.ends_at;
    badge_turns(hong_phat_page);
    let open = service::set_open(&db, &hub, admin, &slug, true, NOW + 5).await.expect("opened");
    assert_eq!((open.starts_at, open.ends_at, open.phase), (NOW + 5, ends, Phase::Running));
    assert_eq!(badge_turns(hong_phat_page), vec![Some(slug.clone())], "its page shows it live at once");
    assert_eq!(badge_turns(binh_minh_page), Vec::<Option<String>>::new(), "no longer in this fair");
    let running = service::running_fair(&db, NOW + 6).await.expect("running").expect("a fair runs");
    assert_eq!(running.slug, slug);
    assert!(matches!(
        service::set_open(&db, &hub, admin, &slug, true, NOW + 6).await,
        Err(AppError::Conflict(ConflictCode::FairNotUpcoming))
    ));

    // Closed now: it is past, and cannot be closed twice.
    let closed = service::set_open(&db, &hub, admin, &slug, false, NOW + HOUR).await.expect("closed");
    assert_eq!((closed.starts_at, closed.ends_at, closed.phase), (NOW + 5, NOW + HOUR, Phase::Past));
    assert_eq!(badge_turns(hong_phat_page), vec![None], "and takes the badge down at once");
    assert!(service::running_fair(&db, NOW + HOUR).await.expect("running").is_none());
    assert!(matches!(
        service::set_open(&db, &hub, admin, &slug, false, NOW + HOUR + 1).await,
        Err(AppError::Conflict(ConflictCode::FairNotRunning))
    ));
    assert!(matches!(
        service::set_open(&db, &hub, admin, "no-such-fair", false, NOW).await,
        Err(AppError::NotFound)
    ));
    let listed = service::admin_fairs(&db, NOW + HOUR).await.expect("admin list");
    assert_eq!(
        listed.iter().map(|f| (f.slug.as_str(), f.phase)).collect::<Vec<_>>(),
        vec![(slug.as_str(), Phase::Past)]
    );

    // Each change has its audit line, with the times and booths before and after.
    let log = |action: &'static str| {
        let filter = app::admin::model::AuditFilter { action: action.into(), ..Default::default() };
        let db = db.clone();
        async move { app::admin::service::audit_log(&db, &filter).await.expect("audit") }
    };
    let json = |text: &Option<String>| -> serde_json::Value {
        serde_json::from_str(text.as_deref().expect("recorded")).expect("json")
    };
    let updates = log("fair.update").await;
    assert_eq!(updates.len(), 2, "two edits went through; the refused one left no line");
    let first = updates.last().expect("first edit");
    assert_eq!(json(&first.before)["booths"], serde_json::json!(["binh-minh", "hong-phat"]));
    assert_eq!(json(&first.after)["booths"], serde_json::json!(now_in));
    assert_eq!(json(&first.after)["name_en"], "Tea and Honey Fair");
    let opened = log("fair.open").await;
    assert_eq!(opened.len(), 1);
    assert_eq!(json(&opened[0].before), serde_json::json!({ "starts_at": starts, "ends_at": ends }));
    assert_eq!(json(&opened[0].after), serde_json::json!({ "starts_at": NOW + 5, "ends_at": ends }));
    let closed = log("fair.close").await;
    assert_eq!(json(&closed[0].after), serde_json::json!({ "starts_at": NOW + 5, "ends_at": NOW + HOUR }));
}

/// An admin who opens a fair and closes it again within one second (a slip of the hand, or a
/// test) gets a past fair, not an error from the store's "ends after it starts" check.
async fn a_fair_opened_and_closed_in_one_second_is_over(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    forget_demo_fairs(&db).await;
    let admin = admin(&db).await;
    let hub = Hub::new();
    let form = fair_form("Quick Fair", "2027-01-20T08:00", "2027-01-22T20:00", &["binh-minh"]);
    let slug = service::create_fair(&db, &hub, admin, &form, NOW).await.expect("fair");
    service::set_open(&db, &hub, admin, &slug, true, NOW + 5).await.expect("opened");
    let closed =
        service::set_open(&db, &hub, admin, &slug, false, NOW + 5).await.expect("closed the same second");
    assert_eq!((closed.starts_at, closed.ends_at, closed.phase), (NOW + 4, NOW + 5, Phase::Past));
    let listed = service::admin_fairs(&db, NOW + 5).await.expect("admin list");
    assert_eq!(listed.iter().map(|f| f.phase).collect::<Vec<_>>(), vec![Phase::Past], "as stored");
}

/// Nobody clicks when a fair's time comes: the clock tells the open pages of its booths, with
/// the fair each is live at from then on.
async fn a_fair_opening_and_closing_on_schedule_turns_its_booths_badges(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    forget_demo_fairs(&db).await;
    let hub = Hub::new();
    let binh_minh = coop_id(&db, "binh-minh").await;
    let hong_phat = coop_id(&db, "hong-phat").await;
    insert_fair(&db, "all-month", NOW - DAY, NOW + 30 * DAY, &[binh_minh]).await;
    insert_fair(&db, "one-evening", NOW + 10, NOW + 100, &[binh_minh, hong_phat]).await;
    let mut both = vec![binh_minh, hong_phat];
    both.sort();

    let turning = |after: i64, upto: i64| {
        let db = db.clone();
        async move { service::booths_turning(&db, after, upto).await.expect("turning") }
    };
    assert_eq!(turning(NOW, NOW + 9).await, Vec::<i64>::new(), "nothing opens or closes yet");
    assert_eq!(turning(NOW + 9, NOW + 10).await, both, "the evening fair opens at its first second");
    assert_eq!(turning(NOW + 10, NOW + 99).await, Vec::<i64>::new());
    assert_eq!(turning(NOW + 99, NOW + 100).await, both, "and closes at its end");
    assert_eq!(turning(NOW - 1, NOW + 200).await, both, "a late tick catches up on everything missed");

    // With no booth page open, only the dashboard's tile of booths live now hears of it.
    let unwatched = Hub::new();
    app::fairs::clock::tell(&db, &unwatched, NOW + 9, NOW + 10).await.expect("opens");
    let tile = tokio::time::timeout(std::time::Duration::from_secs(1), unwatched.kpis_dirty()).await;
    assert!(tile.is_ok(), "the dashboard recounts its tiles");

    // Binh Minh's page is open: it hears the fair it is live at, each time that changes.
    let page = &mut booth_page(&db, &hub, "binh-minh").await;
    app::fairs::clock::tell(&db, &hub, NOW + 9, NOW + 10).await.expect("opens");
    assert_eq!(badge_turns(page), vec![Some("one-evening".to_owned())], "the fair ending first");
    // A page that reconnects asks again, and reads the same.
    let asked = service::open_booth_fair(&db, binh_minh, NOW + 10).await.expect("open booth");
    assert_eq!(asked.map(|f| f.slug).as_deref(), Some("one-evening"));
    assert!(
        matches!(service::open_booth_fair(&db, -1, NOW + 10).await, Err(AppError::NotFound)),
        "no such booth"
    );
    app::fairs::clock::tell(&db, &hub, NOW + 10, NOW + 99).await.expect("nothing");
    assert_eq!(badge_turns(page), Vec::<Option<String>>::new());
    app::fairs::clock::tell(&db, &hub, NOW + 99, NOW + 100).await.expect("closes");
    assert_eq!(badge_turns(page), vec![Some("all-month".to_owned())], "back to the fair still running");
}

on_both_databases!(
    a_fair_opened_and_closed_in_one_second_is_over,
    a_fair_opening_and_closing_on_schedule_turns_its_booths_badges,
    picks_are_the_booths_products_in_the_cooperatives_order,
    the_welcome_schedule_and_team_are_edited_by_their_cooperative_only,
    the_banner_goes_through_the_photo_path_and_replaces_the_last_one,
    a_fair_is_checked_whole_and_stored_in_utc,
    fairs_are_listed_as_running_upcoming_and_past_and_badge_their_booths,
    a_hall_is_searched_without_diacritics_filtered_and_counts_visitors,
    an_admin_edits_a_fair_and_its_booths_and_opens_and_closes_it_now,
);
