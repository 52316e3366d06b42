//! The cooperative dashboard's rules against real SQLite and real PostgreSQL: products are
//! created, edited, published and deleted only within the member's own cooperative.
mod common;

use app::catalog::model::ProductQuery;
use app::coops::model::{CertificateForm, CertificateState, Channel, ProductForm, ProductStatus};
use app::coops::service;
use app::db::{Db, Sql};
use app::error::{AppError, FieldError};
use app::lang::Lang;

const NOW: i64 = 1_800_000_000;
const TODAY: &str = "2026-11-29";

async fn coop_id(db: &Db, slug: &str) -> i64 {
    let mut sql = Sql::new("SELECT id FROM cooperatives WHERE slug = ");
    sql.bind(slug.to_owned());
    sql.query_scalar().expect("query").fetch_one(&db.pool).await.expect("cooperative")
}

fn form(name_vi: &str, name_en: &str) -> ProductForm {
    ProductForm {
        name_vi: name_vi.into(),
        name_en: name_en.into(),
        description_vi: "Chè xanh sao suốt, hái một tôm hai lá".into(),
        description_en: "Green tea, one bud and two leaves".into(),
        unit_vi: "hộp 200 g".into(),
        unit_en: "200 g box".into(),
        group: "food".into(),
        price_vnd: "120.000".into(),
        stock: "40".into(),
        weight_grams: "250".into(),
        slug: String::new(),
    }
}

async fn storefront_slugs(db: &Db, q: &str) -> Vec<String> {
    let query = ProductQuery { q: q.into(), page: 1, ..Default::default() };
    let page = app::catalog::service::list_products(db, &query, Lang::Vi, TODAY).await.expect("list");
    page.items.into_iter().map(|c| c.slug).collect()
}

async fn a_new_product_is_a_draft_until_published(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let coop = coop_id(&db, "binh-minh").await;
    let id = service::create_product(
        &db,
        coop,
        None,
        &form("Chè Shan tuyết Khau Mút", "Khau Mut Shan Tuyet tea"),
        NOW,
    )
    .await
    .expect("create");
    let editable = service::product_for_edit(&db, coop, id, TODAY).await.expect("load");
    assert_eq!(editable.status, ProductStatus::Draft);
    assert_eq!(editable.form.slug, "che-shan-tuyet-khau-mut", "the slug comes from the Vietnamese name");
    assert_eq!(editable.form.price_vnd, "120000");
    assert!(storefront_slugs(&db, "khau mut").await.is_empty(), "drafts are not for sale");

    service::set_published(&db, coop, id, true, NOW).await.expect("publish");
    assert_eq!(storefront_slugs(&db, "khau mut").await, vec!["che-shan-tuyet-khau-mut"]);
    assert_eq!(storefront_slugs(&db, "shan tuyet tea").await, vec!["che-shan-tuyet-khau-mut"], "English too");

    service::set_published(&db, coop, id, false, NOW).await.expect("unpublish");
    assert!(storefront_slugs(&db, "khau mut").await.is_empty());
}

async fn slugs_are_unique_generated_or_chosen(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let coop = coop_id(&db, "binh-minh").await;
    let first =
        service::create_product(&db, coop, None, &form("Trà ổi", "Guava tea"), NOW).await.expect("create");
    let slug = service::product_for_edit(&db, coop, first, TODAY).await.expect("load").form.slug;
    assert_eq!(slug, "tra-oi-2", "the seeded Trà ổi has tra-oi");
    let mut chosen = form("Trà ổi đặc biệt", "Special guava tea");
    chosen.slug = "Tra Oi".into();
    let taken = service::create_product(&db, coop, None, &chosen, NOW).await;
    assert_eq!(
        taken,
        Err(AppError::Validation(vec![FieldError::new("slug", app::error::FieldCode::SlugTaken)]))
    );
    chosen.slug = "Trà ổi đặc biệt 2026".into();
    let id = service::create_product(&db, coop, None, &chosen, NOW).await.expect("create");
    assert_eq!(
        service::product_for_edit(&db, coop, id, TODAY).await.expect("load").form.slug,
        "tra-oi-dac-biet-2026"
    );
}

async fn bad_input_is_answered_field_by_field_and_nothing_is_written(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let coop = coop_id(&db, "binh-minh").await;
    let before: i64 = common::scalar(&db, Sql::new("SELECT COUNT(*) FROM products")).await;
    let mut bad = form("", "");
    bad.price_vnd = "bốn lăm nghìn".into();
    bad.stock = "-3".into();
    bad.weight_grams = "0".into();
    bad.group = "no-such-group".into();
    let r = service::create_product(&db, coop, None, &bad, NOW).await;
    assert_eq!(
        r,
        Err(AppError::Validation(vec![
            FieldError::new("name_vi", app::error::FieldCode::NameOneLanguage),
            FieldError::new("price_vnd", app::error::FieldCode::PriceInvalid),
            FieldError::new("stock", app::error::FieldCode::CountInvalid),
            FieldError::new("weight_grams", app::error::FieldCode::CountInvalid),
            FieldError::new("group", app::error::FieldCode::Required),
        ]))
    );
    let after: i64 = common::scalar(&db, Sql::new("SELECT COUNT(*) FROM products")).await;
    assert_eq!(before, after);
}

async fn edits_change_the_storefront_and_its_search(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let coop = coop_id(&db, "binh-minh").await;
    let id = service::create_product(&db, coop, None, &form("Miến dong", "Arrowroot noodles"), NOW)
        .await
        .expect("create");
    service::set_published(&db, coop, id, true, NOW).await.expect("publish");
    let mut edited = service::product_for_edit(&db, coop, id, TODAY).await.expect("load").form;
    edited.name_en = "Canna starch vermicelli".into();
    edited.price_vnd = "65.000 ₫".into();
    service::update_product(&db, coop, id, &edited, NOW + 5).await.expect("update");
    assert_eq!(storefront_slugs(&db, "vermicelli").await, vec!["mien-dong"]);
    assert!(storefront_slugs(&db, "arrowroot").await.is_empty(), "the old English name is no longer indexed");
    let detail =
        app::catalog::service::product_detail(&db, "mien-dong", TODAY).await.expect("detail").expect("found");
    assert_eq!(detail.card.price_vnd, 65_000);
}

async fn a_deleted_product_leaves_the_shop_and_the_dashboard(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let coop = coop_id(&db, "binh-minh").await;
    let id = service::create_product(&db, coop, None, &form("Mật ong bạc hà", "Mint honey"), NOW)
        .await
        .expect("create");
    service::set_published(&db, coop, id, true, NOW).await.expect("publish");
    service::delete_product(&db, coop, id, NOW).await.expect("delete");
    assert!(storefront_slugs(&db, "mat ong bac ha").await.is_empty());
    assert!(service::products(&db, coop).await.expect("list").iter().all(|p| p.id != id));
    assert_eq!(service::product_for_edit(&db, coop, id, TODAY).await, Err(AppError::NotFound));
    let status: String = {
        let mut sql = Sql::new("SELECT status FROM products WHERE id = ");
        sql.bind(id);
        common::scalar(&db, sql).await
    };
    assert_eq!(status, "deleted", "the row is kept");
}

async fn another_cooperatives_product_is_forbidden_and_unchanged(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let owner = coop_id(&db, "binh-minh").await;
    let other = coop_id(&db, "thuong-lam-sturgeon").await;
    let id =
        service::create_product(&db, owner, None, &form("Trà xanh", "Green tea"), NOW).await.expect("create");
    let original = service::product_for_edit(&db, owner, id, TODAY).await.expect("load");
    let mut hijack = original.form.clone();
    hijack.price_vnd = "1".into();
    assert_eq!(service::update_product(&db, other, id, &hijack, NOW).await, Err(AppError::Forbidden));
    assert_eq!(service::set_published(&db, other, id, true, NOW).await, Err(AppError::Forbidden));
    assert_eq!(service::delete_product(&db, other, id, NOW).await, Err(AppError::Forbidden));
    assert_eq!(service::product_for_edit(&db, other, id, TODAY).await, Err(AppError::Forbidden));
    assert_eq!(
        service::product_for_edit(&db, owner, id, TODAY).await.expect("load"),
        original,
        "nothing changed"
    );
}

async fn the_overview_counts_products_stock_and_certificates(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let coop = coop_id(&db, "binh-minh").await;
    let seeded = service::overview(&db, coop, TODAY).await.expect("overview");
    let mut low = form("Trà hoa vàng", "Golden camellia tea");
    low.stock = "3".into();
    let id = service::create_product(&db, coop, None, &low, NOW).await.expect("create");
    service::set_published(&db, coop, id, true, NOW).await.expect("publish");
    let mut sql = Sql::new(
        "INSERT INTO certificates (product_id, stars, council, decision_no, issued_on, expires_on, is_demo, \
         created_at) VALUES (",
    );
    sql.bind(id)
        .push(", 4, 'provincial', '123/QĐ-UBND', '2023-12-01', '2026-12-01', 0, ")
        .bind(NOW)
        .push(")");
    common::exec(&db, sql).await;
    let o = service::overview(&db, coop, TODAY).await.expect("overview");
    assert_eq!(o.products, seeded.products + 1);
    assert_eq!(o.published, seeded.published + 1);
    assert_eq!(o.low_stock, seeded.low_stock + 1);
    assert_eq!(o.certificates_expiring, seeded.certificates_expiring + 1);
    assert_eq!(o.certificates_expired, seeded.certificates_expired);
    assert_eq!((o.orders_pending, o.inquiries_open), (None, None));
    let later = service::overview(&db, coop, "2026-12-02").await.expect("overview");
    assert_eq!(later.certificates_expired, seeded.certificates_expired + 1);
}

fn certificate(stars: &str, issued_on: &str) -> CertificateForm {
    CertificateForm {
        stars: stars.into(),
        council: "provincial".into(),
        decision_no: "1234/QĐ-UBND".into(),
        issued_on: issued_on.into(),
    }
}

async fn a_certificate_expires_thirty_six_months_after_issue_and_drives_the_badge(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let coop = coop_id(&db, "binh-minh").await;
    let id = service::create_product(&db, coop, None, &form("Trà hoa vàng", "Golden camellia tea"), NOW)
        .await
        .expect("create");
    service::set_published(&db, coop, id, true, NOW).await.expect("publish");

    let bad = CertificateForm {
        stars: "6".into(),
        council: "district".into(),
        decision_no: " ".into(),
        issued_on: "2027-01-01".into(),
    };
    assert_eq!(
        service::save_certificate(&db, coop, id, &bad, TODAY, NOW).await,
        Err(AppError::Validation(vec![
            FieldError::new("stars", app::error::FieldCode::StarsInvalid),
            FieldError::new("council", app::error::FieldCode::Required),
            FieldError::new("decision_no", app::error::FieldCode::Required),
            FieldError::new("issued_on", app::error::FieldCode::DateInvalid),
        ]))
    );

    service::save_certificate(&db, coop, id, &certificate("5", "2024-02-29"), TODAY, NOW)
        .await
        .expect("save");
    let info = service::product_for_edit(&db, coop, id, TODAY)
        .await
        .expect("load")
        .certificate
        .expect("certificate");
    assert_eq!(info.expires_on, "2027-02-28", "issue + 36 months; a leap day ends on 28 February");
    assert_eq!(info.state, CertificateState::Valid, "91 days left is not yet \"soon\"");
    let detail = app::catalog::service::product_detail(&db, "tra-hoa-vang", TODAY)
        .await
        .expect("detail")
        .expect("found");
    assert_eq!(detail.card.stars, Some(5), "the storefront shows the stars");

    // Saving again replaces the certificate rather than adding a second one.
    service::save_certificate(&db, coop, id, &certificate("4", "2023-06-01"), TODAY, NOW)
        .await
        .expect("save");
    let info = service::product_for_edit(&db, coop, id, TODAY)
        .await
        .expect("load")
        .certificate
        .expect("certificate");
    assert_eq!((info.expires_on.as_str(), info.state), ("2026-06-01", CertificateState::Expired));
    let detail = app::catalog::service::product_detail(&db, "tra-hoa-vang", TODAY)
        .await
        .expect("detail")
        .expect("found");
    assert_eq!(detail.card.stars, None, "an expired certificate hides the badge");
    let mut sql = Sql::new("SELECT COUNT(*) FROM certificates WHERE product_id = ");
    sql.bind(id);
    assert_eq!(common::scalar::<i64>(&db, sql).await, 1);
}

async fn listings_accept_only_http_links_on_the_chosen_marketplace(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let coop = coop_id(&db, "binh-minh").await;
    let other = coop_id(&db, "hong-phat").await;
    let id = service::create_product(&db, coop, None, &form("Trà ổi túi lọc", "Guava tea bags"), NOW)
        .await
        .expect("create");
    service::set_published(&db, coop, id, true, NOW).await.expect("publish");
    let field = |code: &str| {
        Err(AppError::Validation(vec![FieldError::new(
            "url",
            app::error::FieldCode::parse(code).expect("a code"),
        )]))
    };
    assert_eq!(
        service::add_listing(&db, coop, id, Channel::Shopee, "javascript:alert(1)", NOW).await,
        field("url_invalid")
    );
    assert_eq!(
        service::add_listing(&db, coop, id, Channel::Shopee, "shopee.vn/tra-oi", NOW).await,
        field("url_invalid")
    );
    assert_eq!(
        service::add_listing(&db, coop, id, Channel::Shopee, "https://evil.example/shopee.vn", NOW).await,
        field("url_wrong_channel")
    );
    let listing = service::add_listing(&db, coop, id, Channel::Shopee, "https://shopee.vn/tra-oi-i.123", NOW)
        .await
        .expect("add");
    service::add_listing(&db, coop, id, Channel::PostMart, "https://www.postmart.vn/tra-oi", NOW)
        .await
        .expect("add");
    assert_eq!(
        service::add_listing(&db, coop, id, Channel::Shopee, "https://shopee.vn/tra-oi-i.123", NOW).await,
        field("url_duplicate")
    );
    assert_eq!(service::remove_listing(&db, other, listing).await, Err(AppError::Forbidden));
    let slug = service::product_for_edit(&db, coop, id, TODAY).await.expect("load").form.slug;
    let detail =
        app::catalog::service::product_detail(&db, &slug, TODAY).await.expect("detail").expect("found");
    let shown: Vec<(Channel, &str)> = detail.listings.iter().map(|l| (l.channel, l.url.as_str())).collect();
    assert_eq!(
        shown,
        vec![
            (Channel::Shopee, "https://shopee.vn/tra-oi-i.123"),
            (Channel::PostMart, "https://www.postmart.vn/tra-oi")
        ]
    );
    service::remove_listing(&db, coop, listing).await.expect("remove");
    assert_eq!(service::product_for_edit(&db, coop, id, TODAY).await.expect("load").listings.len(), 1);
}

async fn the_profile_is_saved_checked_and_shown_on_the_cooperative_page(db: Db) {
    use app::coops::model::ProfileForm;
    app::seed::seed(&db).await.expect("seed");
    let coop = coop_id(&db, "binh-minh").await;
    let mut form = service::profile(&db, coop).await.expect("profile").form;
    form.story_vi = "Hợp tác xã trồng chè hữu cơ ở Sơn Dương.".into();
    form.story_en = "An organic tea cooperative in Son Duong.".into();
    form.district = "son-duong".into();
    form.contact_phone = "12345".into();
    form.contact_email = "not an email".into();
    assert_eq!(
        service::update_profile(&db, coop, &form).await,
        Err(AppError::Validation(vec![
            FieldError::new("contact_phone", app::error::FieldCode::PhoneInvalid),
            FieldError::new("contact_email", app::error::FieldCode::EmailInvalid),
        ]))
    );
    form.contact_phone = "0912 345 678".into();
    form.contact_email = " Lan@BinhMinh.VN ".into();
    service::update_profile(&db, coop, &form).await.expect("save");
    let saved = service::profile(&db, coop).await.expect("profile");
    assert_eq!(saved.form.contact_email, "lan@binhminh.vn");
    assert_eq!(saved.form.district, "son-duong");
    let page = app::catalog::service::cooperative_detail(&db, "binh-minh", TODAY)
        .await
        .expect("page")
        .expect("found");
    assert_eq!(page.story.vi, "Hợp tác xã trồng chè hữu cơ ở Sơn Dương.");
    assert_eq!(page.summary.district.map(|d| d.en), Some("Son Duong".to_owned()));
    let unknown = ProfileForm { district: "atlantis".into(), ..form };
    assert_eq!(
        service::update_profile(&db, coop, &unknown).await,
        Err(AppError::Validation(vec![FieldError::new("district", app::error::FieldCode::Required)]))
    );
}

/// Bank details for VietQR: all three or none, checked, and the holder stored as banks print it.
async fn bank_details_are_all_or_nothing_and_make_a_valid_vietqr(db: Db) {
    use app::coops::model::ProfileForm;
    use app::orders::vietqr::Transfer;
    app::seed::seed(&db).await.expect("seed");
    let coop = coop_id(&db, "binh-minh").await;
    let mut form = service::profile(&db, coop).await.expect("profile").form;
    form.district = "son-duong".into();
    assert_eq!(form.bank_bin, "970405", "the demo cooperatives take transfers (made-up accounts)");
    form.bank_bin.clear();
    form.bank_holder.clear();

    form.bank_account = "0011 0012 345".into();
    assert_eq!(
        service::update_profile(&db, coop, &form).await,
        Err(AppError::Validation(vec![
            FieldError::new("bank_bin", app::error::FieldCode::Required),
            FieldError::new("bank_holder", app::error::FieldCode::HolderInvalid),
        ])),
        "an account alone is half a bank detail"
    );
    form.bank_bin = "970436".into();
    form.bank_account = "12AB".into();
    form.bank_holder = "Hợp tác xã  Nông sản hữu cơ Bình Minh".into();
    assert_eq!(
        service::update_profile(&db, coop, &form).await,
        Err(AppError::Validation(vec![FieldError::new(
            "bank_account",
            app::error::FieldCode::AccountInvalid
        )]))
    );
    form.bank_account = "0011 0012 34567".into();
    service::update_profile(&db, coop, &form).await.expect("save");
    let saved = service::profile(&db, coop).await.expect("profile").form;
    assert_eq!(saved.bank_bin, "970436");
    assert_eq!(saved.bank_account, "0011001234567");
    assert_eq!(saved.bank_holder, "HOP TAC XA NONG SAN HUU CO BINH MINH");
    let transfer = Transfer {
        bank_bin: saved.bank_bin.clone(),
        account: saved.bank_account.clone(),
        amount_vnd: Some(85_000),
        purpose: "OCOP DH2611290001".into(),
    };
    let payload = transfer.payload().expect("a payload from the saved details");
    assert_eq!(Transfer::parse(&payload), Ok(transfer));

    // Clearing all three turns bank transfers off.
    let cleared = ProfileForm {
        bank_bin: String::new(),
        bank_account: String::new(),
        bank_holder: String::new(),
        ..saved
    };
    service::update_profile(&db, coop, &cleared).await.expect("clear");
    assert_eq!(service::profile(&db, coop).await.expect("profile").form.bank_bin, "");
}

async fn a_logo_is_reencoded_and_replaces_the_previous_one(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let coop = coop_id(&db, "binh-minh").await;
    let store = app::media::store::MediaStore::memory();
    let png = |w: u32| {
        let mut out = std::io::Cursor::new(Vec::new());
        image::RgbImage::from_pixel(w, w, image::Rgb([31, 111, 67]))
            .write_to(&mut out, image::ImageFormat::Png)
            .expect("png");
        out.into_inner()
    };
    let upload = |bytes| app::media::service::Upload {
        bytes,
        content_type: Some("image/png".into()),
        file_name: Some("logo.png".into()),
    };
    app::media::service::set_logo(&db, &store, coop, upload(png(600))).await.expect("logo");
    let first = service::profile(&db, coop).await.expect("profile").logo_url.expect("logo");
    let key = first.trim_start_matches("/media/").to_owned();
    let stored = store.get(&key).await.expect("read").expect("stored");
    assert_eq!(image::load_from_memory(&stored).expect("webp").width(), 400);
    app::media::service::set_logo(&db, &store, coop, upload(png(100))).await.expect("logo");
    let second = service::profile(&db, coop).await.expect("profile").logo_url.expect("logo");
    assert_ne!(first, second);
    assert_eq!(store.get(&key).await.expect("read"), None, "the old logo is removed");
    let page = app::catalog::service::cooperative_detail(&db, "binh-minh", TODAY)
        .await
        .expect("page")
        .expect("found");
    assert_eq!(page.logo_url, Some(second));
}

async fn stock_now(db: &Db, id: i64) -> i64 {
    let mut sql = Sql::new("SELECT stock FROM products WHERE id = ");
    sql.bind(id);
    common::scalar(db, sql).await
}

/// A shopper buys `quantity` of product `id` through the real checkout; returns the order number.
async fn buy(db: &Db, id: i64, quantity: i64, n: u32, at: i64) -> (i64, String) {
    use app::orders::model::{Address, CheckoutForm};
    let mut sql = Sql::new(
        "INSERT INTO users (email, display_name, password_hash, role, created_at, updated_at) VALUES (",
    );
    sql.bind(format!("buyer{n}@example.vn")).push(", 'Người mua', 'x', 'shopper', ").bind(NOW);
    sql.push(", ").bind(NOW).push(") RETURNING id");
    let buyer: i64 = common::scalar(db, sql).await;
    let form = CheckoutForm {
        idempotency_key: format!("stock-test-key-{n:08}"),
        shipping_vnd: None,
        lines: format!("{id}:{quantity}@120000"),
        payment: "cod".into(),
        note: String::new(),
        address: Address {
            full_name: "Lan".into(),
            phone: "0912345678".into(),
            province: "Tuyên Quang".into(),
            district: String::new(),
            commune: "Minh Xuân".into(),
            street: "12".into(),
        },
    };
    let receipt = app::orders::service::checkout(db, &app::live::hub::Hub::default(), buyer, &form, at)
        .await
        .expect("checkout");
    (buyer, receipt.orders[0].number.clone())
}

async fn saving_the_editor_after_a_sale_never_puts_the_sold_units_back(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let coop = coop_id(&db, "binh-minh").await;
    let id =
        service::create_product(&db, coop, None, &form("Chè búp", "Tea buds"), NOW).await.expect("create");
    service::set_published(&db, coop, id, true, NOW).await.expect("publish");
    // The member opens the editor at 40 in stock; a shopper buys 3 meanwhile.
    let mut editing = service::product_for_edit(&db, coop, id, TODAY).await.expect("load");
    assert_eq!(editing.stock, 40);
    buy(&db, id, 3, 1, NOW + 1).await;
    // Saving the form (a new price) leaves the stock as the sale left it, whatever the form says.
    editing.form.price_vnd = "125.000".into();
    editing.form.stock = "40".into();
    service::update_product(&db, coop, id, &editing.form, NOW + 5).await.expect("update");
    assert_eq!(stock_now(&db, id).await, 37, "the 3 sold stay sold");
}

async fn stock_moves_by_recorded_deltas_never_below_zero_even_all_at_once(db: Db) {
    use app::coops::model::{StockAdjustment, StockReason};
    app::seed::seed(&db).await.expect("seed");
    let coop = coop_id(&db, "binh-minh").await;
    let member: i64 =
        common::scalar(&db, Sql::new("INSERT INTO users (email, display_name, password_hash, role, cooperative_id, member_role, created_at, updated_at) SELECT 'kho@example.vn', 'Thủ kho', 'x', 'member', id, 'staff', 0, 0 FROM cooperatives WHERE slug = 'binh-minh' RETURNING id")).await;
    let id = service::create_product(&db, coop, Some(member), &form("Chè móc câu", "Hook tea"), NOW)
        .await
        .expect("create");
    service::set_published(&db, coop, id, true, NOW).await.expect("publish");
    let adjust = |delta: &str, reason: &str, note: &str| StockAdjustment {
        delta: delta.into(),
        reason: reason.into(),
        note: note.into(),
    };
    assert_eq!(
        service::adjust_stock(&db, coop, member, id, &adjust("+20", "received", "Lô tháng 12"), NOW + 1)
            .await,
        Ok(60)
    );
    assert_eq!(
        service::adjust_stock(&db, coop, member, id, &adjust("-3", "write_off", "Hộp móp"), NOW + 2).await,
        Ok(57)
    );
    assert_eq!(
        service::adjust_stock(&db, coop, member, id, &adjust("-58", "correction", ""), NOW + 3).await,
        Err(AppError::Validation(vec![FieldError::new("delta", app::error::FieldCode::StockBelowZero)])),
        "never below zero"
    );
    // Another cooperative cannot move it.
    let other = coop_id(&db, "hong-phat").await;
    assert_eq!(
        service::adjust_stock(&db, other, member, id, &adjust("+1", "received", ""), NOW + 3).await,
        Err(AppError::Forbidden)
    );
    // Twenty receipts at once all count: deltas on the row, not figures read earlier.
    let all = (0..20).map(|_| {
        let db = db.clone();
        tokio::spawn(async move {
            let one = StockAdjustment { delta: "1".into(), reason: "received".into(), note: String::new() };
            service::adjust_stock(&db, coop, member, id, &one, NOW + 4).await
        })
    });
    for done in futures::future::join_all(all).await {
        assert!(done.expect("task").is_ok());
    }
    assert_eq!(stock_now(&db, id).await, 77);
    // A sale and its cancellation are recorded too, with the order.
    let (buyer, number) = buy(&db, id, 2, 2, NOW + 5).await;
    app::orders::service::transition(
        &db,
        &app::live::hub::Hub::new(),
        buyer,
        app::orders::service::Scope::Shopper(buyer),
        &number,
        app::orders::model::Status::Cancelled,
        "Đặt nhầm",
        NOW + 6,
    )
    .await
    .expect("cancel");
    assert_eq!(stock_now(&db, id).await, 77);
    let moves = service::stock_moves(&db, id).await.expect("moves");
    assert_eq!(moves.len(), 20, "the latest twenty");
    let newest: Vec<(i64, i64, StockReason, Option<&str>)> =
        moves.iter().take(3).map(|m| (m.delta, m.stock_after, m.reason, m.order_number.as_deref())).collect();
    assert_eq!(
        newest,
        vec![
            (2, 77, StockReason::Cancel, Some(number.as_str())),
            (-2, 75, StockReason::Sale, Some(number.as_str())),
            (1, 77, StockReason::Received, None),
        ]
    );
    let all: i64 = {
        let mut sql = Sql::new("SELECT COUNT(*) FROM stock_movements WHERE product_id = ");
        sql.bind(id);
        common::scalar(&db, sql).await
    };
    assert_eq!(
        all,
        1 + 2 + 20 + 2,
        "the start, two adjustments, twenty receipts, the sale and the cancellation"
    );
    let sum: i64 = {
        let mut sql = Sql::new("SELECT CAST(SUM(delta) AS BIGINT) FROM stock_movements WHERE product_id = ");
        sql.bind(id);
        common::scalar(&db, sql).await
    };
    assert_eq!(sum, stock_now(&db, id).await, "the movements add up to the stock");
    let first = moves.iter().find(|m| m.reason == StockReason::WriteOff);
    assert!(first.is_none(), "older than the twenty shown");
    let opened = service::product_for_edit(&db, coop, id, TODAY).await.expect("load");
    assert_eq!((opened.stock, opened.stock_moves.len()), (77, 20));
    assert_eq!(opened.stock_moves[0].by, Some("Người mua".to_owned()), "the cancelling shopper");
}

/// The services that change the catalogue say so themselves (`app::changes`), so the shop's
/// cached lists follow every write, whichever way it came in (a server function, an upload
/// handler, a script), and a refused write leaves them alone.
async fn each_catalogue_write_ages_the_shops_cached_lists(db: Db) {
    use app::catalog::service::list_products_cached;
    use app::changes::catalogue_generation;
    app::seed::seed(&db).await.expect("seed");
    let coop = coop_id(&db, "binh-minh").await;
    let cache = app::catalog::cache::PageCache::default();
    let query = ProductQuery { q: "khau mut".into(), page: 1, ..Default::default() };
    let listed = |cache: &app::catalog::cache::PageCache| {
        let (db, cache, query) = (db.clone(), cache.clone(), query.clone());
        async move { list_products_cached(&cache, &db, &query, Lang::Vi, TODAY).await.expect("list").total }
    };
    let id = service::create_product(&db, coop, None, &form("Chè Shan tuyết Khau Mút", "Khau Mut tea"), NOW)
        .await
        .expect("create");
    assert_eq!(listed(&cache).await, 0, "a draft is not listed");

    let before = catalogue_generation(&db);
    service::set_published(&db, coop, id, true, NOW).await.expect("publish");
    assert!(catalogue_generation(&db) > before);
    assert_eq!(listed(&cache).await, 1, "published: the cached empty list is not served again");

    let mut edited = form("Chè Shan tuyết Khau Mút", "Khau Mut tea");
    edited.price_vnd = "150.000".into();
    let before = catalogue_generation(&db);
    service::update_product(&db, coop, id, &edited, NOW).await.expect("edit");
    assert!(catalogue_generation(&db) > before, "an edit ages the cache");

    let before = catalogue_generation(&db);
    let other = coop_id(&db, "hong-phat").await;
    assert_eq!(service::delete_product(&db, other, id, NOW).await, Err(AppError::Forbidden));
    assert_eq!(catalogue_generation(&db), before, "a refused write changes nothing");

    service::delete_product(&db, coop, id, NOW).await.expect("delete");
    assert_eq!(listed(&cache).await, 0, "deleted: gone from the cached list at once");
}

/// The cooperative chooses which contacts shoppers see: its page and booth show only those, as
/// tap-to-call and Zalo links on the same number.
async fn a_cooperative_shows_only_the_contacts_it_chooses(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let coop = coop_id(&db, "binh-minh").await;
    let mut form = service::profile(&db, coop).await.expect("profile").form;
    assert!(
        form.show_phone && form.show_zalo && form.show_email,
        "the demo cooperatives show made-up contacts"
    );
    form.district = "son-duong".into();
    form.contact_phone = "0912 345 678".into();
    form.contact_email = "lan@binhminh.vn".into();
    form.show_phone = false;
    form.show_zalo = true;
    form.show_email = false;
    service::update_profile(&db, coop, &form).await.expect("save");
    let saved = service::profile(&db, coop).await.expect("profile").form;
    assert_eq!((saved.show_phone, saved.show_zalo, saved.show_email), (false, true, false));
    let shown = service::contact(&db, coop).await.expect("contact");
    assert_eq!(
        shown,
        app::coops::contact::Contact { phone: None, zalo: Some("0912 345 678".into()), email: None }
    );
    let page = app::catalog::service::cooperative_detail(&db, "binh-minh", TODAY)
        .await
        .expect("page")
        .expect("found");
    assert_eq!(page.contact, shown, "the cooperative's page shows the same");
    // Turned on but empty: nothing to show.
    form.contact_email = String::new();
    form.show_email = true;
    service::update_profile(&db, coop, &form).await.expect("save");
    assert_eq!(service::contact(&db, coop).await.expect("contact").email, None);
    // Nothing shown at all.
    form.show_zalo = false;
    service::update_profile(&db, coop, &form).await.expect("save");
    assert!(service::contact(&db, coop).await.expect("contact").is_empty());

    // The same profile sets the order value it ships free from (dots as typed), or none.
    assert_eq!(form.free_shipping_from, "500000", "free from 500,000 ₫ until it chooses");
    form.free_shipping_from = "1.000.000".into();
    service::update_profile(&db, coop, &form).await.expect("save");
    assert_eq!(service::profile(&db, coop).await.expect("profile").form.free_shipping_from, "1000000");
    form.free_shipping_from = "lots".into();
    assert_eq!(
        service::update_profile(&db, coop, &form).await,
        Err(AppError::Validation(vec![FieldError::new(
            "free_shipping_from",
            app::error::FieldCode::Invalid
        )]))
    );
    form.free_shipping_from = String::new();
    service::update_profile(&db, coop, &form).await.expect("save");
    assert_eq!(service::profile(&db, coop).await.expect("profile").form.free_shipping_from, "", "never free");

    // And the days it waits for a bank transfer before flagging it: 1 to 30.
    assert_eq!(form.unpaid_after_days, "3");
    form.unpaid_after_days = "45".into();
    assert_eq!(
        service::update_profile(&db, coop, &form).await,
        Err(AppError::Validation(vec![FieldError::new("unpaid_after_days", app::error::FieldCode::Invalid)]))
    );
    form.unpaid_after_days = "7".into();
    service::update_profile(&db, coop, &form).await.expect("save");
    assert_eq!(service::profile(&db, coop).await.expect("profile").form.unpaid_after_days, "7");
}

on_both_databases!(
    a_cooperative_shows_only_the_contacts_it_chooses,
    each_catalogue_write_ages_the_shops_cached_lists,
    saving_the_editor_after_a_sale_never_puts_the_sold_units_back,
    stock_moves_by_recorded_deltas_never_below_zero_even_all_at_once,
    bank_details_are_all_or_nothing_and_make_a_valid_vietqr,
    the_profile_is_saved_checked_and_shown_on_the_cooperative_page,
    a_logo_is_reencoded_and_replaces_the_previous_one,
    a_certificate_expires_thirty_six_months_after_issue_and_drives_the_badge,
    listings_accept_only_http_links_on_the_chosen_marketplace,
    a_new_product_is_a_draft_until_published,
    slugs_are_unique_generated_or_chosen,
    bad_input_is_answered_field_by_field_and_nothing_is_written,
    edits_change_the_storefront_and_its_search,
    a_deleted_product_leaves_the_shop_and_the_dashboard,
    another_cooperatives_product_is_forbidden_and_unchanged,
    the_overview_counts_products_stock_and_certificates,
);
