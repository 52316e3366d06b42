//! Traceability against real SQLite and real PostgreSQL: a product's public record shows its
//! producer, district, certificate (with its validity on the day) and batches newest first; only
//! published products of approved cooperatives have one; trace codes are given out once, unique
//! and stable; and only the owning cooperative records or removes batches, with clear field
//! errors.
mod common;

use std::collections::HashSet;

use app::certificates::model::add_days;
use app::coops::model::{CertificateForm, CertificateState, ProductForm};
use app::db::{Db, Sql};
use app::error::{AppError, FieldError};
use app::trace::model::{BatchForm, MAX_BATCHES, PAGE_BATCHES};
use app::trace::service;
use common::{exec, scalar};

const NOW: i64 = 1_800_000_000;
const TODAY: &str = "2026-11-29";
const BLACK_BEAN_TEA: &str = "tra-dau-den-xanh-long-tui-loc";

async fn coop_id(db: &Db, slug: &str) -> i64 {
    let mut sql = Sql::new("SELECT id FROM cooperatives WHERE slug = ");
    sql.bind(slug.to_owned());
    scalar(db, sql).await
}

async fn product_id(db: &Db, slug: &str) -> i64 {
    let mut sql = Sql::new("SELECT id FROM products WHERE slug = ");
    sql.bind(slug.to_owned());
    scalar(db, sql).await
}

async fn stored_code(db: &Db, product: i64) -> Option<String> {
    let mut sql = Sql::new("SELECT trace_code FROM products WHERE id = ");
    sql.bind(product);
    scalar(db, sql).await
}

async fn batch_rows(db: &Db) -> i64 {
    scalar(db, Sql::new("SELECT COUNT(*) FROM product_batches")).await
}

fn batch(code: &str, produced_on: &str, notes_vi: &str) -> BatchForm {
    BatchForm {
        batch_code: code.into(),
        produced_on: produced_on.into(),
        notes_vi: notes_vi.into(),
        notes_en: String::new(),
    }
}

/// A refusal's field errors as `field/code`.
fn fields(e: Result<i64, AppError>) -> Vec<String> {
    match e {
        Err(AppError::Validation(fields)) => fields
            .into_iter()
            .map(|FieldError { field, code }| format!("{field}/{}", code.as_str()))
            .collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

async fn the_record_shows_producer_district_certificate_and_batches_newest_first(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let hong_phat = coop_id(&db, "hong-phat").await;
    let tea = product_id(&db, BLACK_BEAN_TEA).await;
    let code = service::ensure_trace_code(&db, tea).await.expect("code");
    for (c, date, notes) in [
        ("LO-2026-05", "2026-05-02", "Vụ xuân, đậu đen xanh lòng trồng ở Chiêm Hóa"),
        ("LO-2026-11", "2026-11-20", "Vụ thu, sấy bằng lò mới"),
        ("LO-2026-08", "2026-08-15", ""),
    ] {
        service::add_batch(&db, hong_phat, tea, &batch(c, date, notes), TODAY, NOW).await.expect("batch");
    }

    let r = service::record(&db, &code, TODAY).await.expect("record");
    assert_eq!(r.code, code);
    assert_eq!(r.product_name.vi, "Trà đậu đen xanh lòng túi lọc");
    assert_eq!(r.product_name.en, "Green-heart black bean tea bags");
    assert_eq!(r.product_path, format!("/p/{BLACK_BEAN_TEA}"));
    assert_eq!(r.cooperative_name.vi, "HTX Hữu cơ Hồng Phát");
    assert_eq!(r.cooperative_slug, "hong-phat");
    assert_eq!(r.district.as_ref().map(|d| d.en.as_str()), Some("Chiem Hoa"));
    assert_eq!(r.district.as_ref().map(|d| d.vi.as_str()), Some("Chiêm Hóa"));
    let codes: Vec<&str> = r.batches.iter().map(|b| b.batch_code.as_str()).collect();
    assert_eq!(codes, vec!["LO-2026-11", "LO-2026-08", "LO-2026-05"], "newest first");
    assert_eq!(r.batches[0].notes.vi, "Vụ thu, sấy bằng lò mới");
    assert_eq!(r.batch_count, 3);
    assert!(r.is_demo);

    // The seeded 4-star provincial certificate, and where it stands on a given day.
    let c = r.certificate.expect("certificate");
    assert_eq!((c.stars, c.decision_no.as_str()), (4, "DEMO-001/QĐ-UBND"));
    assert_eq!(c.council, app::catalog::model::Council::Provincial);
    assert_eq!(c.expires_on, "2027-06-15");
    assert_eq!(c.state, CertificateState::Valid);
    let soon = service::record(&db, &code, "2027-05-16").await.expect("record");
    assert_eq!(soon.certificate.map(|c| c.state), Some(CertificateState::ExpiringSoon(30)));
    let last_day = service::record(&db, &code, "2027-06-15").await.expect("record");
    assert_eq!(last_day.certificate.map(|c| c.state), Some(CertificateState::ExpiringSoon(0)));
    let after = add_days("2027-06-15", 1).expect("date");
    let expired = service::record(&db, &code, &after).await.expect("record");
    assert_eq!(expired.certificate.map(|c| c.state), Some(CertificateState::Expired));

    // A certificate that ran out years ago is shown, and shown as expired.
    let old = CertificateForm {
        stars: "3".into(),
        council: "provincial".into(),
        decision_no: "12/QĐ-UBND".into(),
        issued_on: "2020-01-10".into(),
    };
    app::coops::service::save_certificate(&db, hong_phat, tea, &old, TODAY, NOW).await.expect("certificate");
    let c = service::record(&db, &code, TODAY).await.expect("record").certificate.expect("certificate");
    assert_eq!((c.stars, c.expires_on.as_str(), c.state), (3, "2023-01-10", CertificateState::Expired));

    // A product without a certificate still has its record.
    let corn_wine = product_id(&db, "ruou-ngo-men-la").await;
    let wine_code = service::ensure_trace_code(&db, corn_wine).await.expect("code");
    let wine = service::record(&db, &wine_code, TODAY).await.expect("record");
    assert_eq!(wine.certificate, None);
    assert!(wine.batches.is_empty() && wine.batch_count == 0);
}

async fn the_page_shows_the_latest_batches_and_counts_the_rest(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let binh_minh = coop_id(&db, "binh-minh").await;
    let guava = product_id(&db, "tra-oi").await;
    let code = service::ensure_trace_code(&db, guava).await.expect("code");
    let total = PAGE_BATCHES + 2;
    for day in 1..=total {
        let date = format!("2026-10-{day:02}");
        service::add_batch(&db, binh_minh, guava, &batch(&format!("B{day}"), &date, ""), TODAY, NOW)
            .await
            .expect("batch");
    }
    let r = service::record(&db, &code, TODAY).await.expect("record");
    assert_eq!(r.batch_count, total);
    assert_eq!(r.batches.len() as i64, PAGE_BATCHES);
    assert_eq!(r.batches[0].batch_code, format!("B{total}"));
    assert_eq!(r.batches.last().map(|b| b.batch_code.clone()), Some("B3".to_owned()));
    // The editor sees every one.
    let all = service::product_trace(&db, binh_minh, guava).await.expect("trace");
    assert_eq!((all.code, all.batches.len() as i64), (code, total));
}

async fn only_published_products_of_approved_cooperatives_have_a_record(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let binh_minh = coop_id(&db, "binh-minh").await;
    let guava = product_id(&db, "tra-oi").await;
    let code = service::ensure_trace_code(&db, guava).await.expect("code");
    assert!(service::record(&db, &code, TODAY).await.is_ok());
    assert!(service::code_is_public(&db, &code).await.expect("query"));

    for unknown in ["0000000000", "not a code", "", "../../etc/passwd", "ABCDEF1234"] {
        assert_eq!(service::record(&db, unknown, TODAY).await, Err(AppError::NotFound), "{unknown:?}");
        assert!(!service::code_is_public(&db, unknown).await.expect("query"), "{unknown:?}");
    }

    // A draft is not public, and comes back when published again.
    app::coops::service::set_published(&db, binh_minh, guava, false, NOW).await.expect("unpublish");
    assert_eq!(service::record(&db, &code, TODAY).await, Err(AppError::NotFound));
    assert!(!service::code_is_public(&db, &code).await.expect("query"));
    app::coops::service::set_published(&db, binh_minh, guava, true, NOW).await.expect("publish");
    assert!(service::record(&db, &code, TODAY).await.is_ok());

    // Nor is a product of a cooperative that is no longer approved.
    let mut sql = Sql::new("UPDATE cooperatives SET status = 'suspended' WHERE id = ");
    sql.bind(binh_minh);
    exec(&db, sql).await;
    assert_eq!(service::record(&db, &code, TODAY).await, Err(AppError::NotFound));
    let mut sql = Sql::new("UPDATE cooperatives SET status = 'approved' WHERE id = ");
    sql.bind(binh_minh);
    exec(&db, sql).await;

    // Nor a deleted product.
    app::coops::service::delete_product(&db, binh_minh, guava, NOW).await.expect("delete");
    assert_eq!(service::record(&db, &code, TODAY).await, Err(AppError::NotFound));
}

async fn trace_codes_are_given_once_unique_and_stable(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let binh_minh = coop_id(&db, "binh-minh").await;
    let form = ProductForm {
        name_vi: "Chè Shan tuyết".into(),
        name_en: "Shan Tuyet tea".into(),
        group: "beverages".into(),
        price_vnd: "150000".into(),
        stock: "20".into(),
        ..Default::default()
    };
    let new = app::coops::service::create_product(&db, binh_minh, None, &form, NOW).await.expect("product");
    assert_eq!(stored_code(&db, new).await, None, "a new product has no code until one is asked for");

    // Two first uses at the same moment agree on one code, and it never changes.
    let (a, b) = tokio::join!(service::ensure_trace_code(&db, new), service::ensure_trace_code(&db, new));
    let code = a.expect("code");
    assert_eq!(b.expect("code"), code);
    assert_eq!(code.len(), 10);
    assert!(code.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{code}");
    assert_eq!(stored_code(&db, new).await.as_deref(), Some(code.as_str()));
    assert_eq!(service::ensure_trace_code(&db, new).await.expect("again"), code);
    let trace = service::product_trace(&db, binh_minh, new).await.expect("editor");
    assert_eq!(trace.code, code);
    assert!(!trace.public, "a draft's traceability page and QR code are not public yet");

    // The product page hands out the same code once the product is published.
    app::coops::service::set_published(&db, binh_minh, new, true, NOW).await.expect("publish");
    assert!(service::product_trace(&db, binh_minh, new).await.expect("editor").public);
    let slug: String = {
        let mut sql = Sql::new("SELECT slug FROM products WHERE id = ");
        sql.bind(new);
        scalar(&db, sql).await
    };
    let detail = app::catalog::service::product_detail(&db, &slug, TODAY).await.expect("read").expect("page");
    assert_eq!(detail.trace_code, code);
    assert!(service::record(&db, &code, TODAY).await.is_ok());

    // A product first seen on its page gets its code there.
    let guava = product_id(&db, "tra-oi").await;
    assert_eq!(stored_code(&db, guava).await, None);
    let detail =
        app::catalog::service::product_detail(&db, "tra-oi", TODAY).await.expect("read").expect("page");
    assert_eq!(stored_code(&db, guava).await.as_deref(), Some(detail.trace_code.as_str()));

    // Every product gets its own.
    let ids: Vec<i64> = Sql::new("SELECT id FROM products ORDER BY id")
        .query_scalar()
        .expect("encode")
        .fetch_all(&db.pool)
        .await
        .expect("ids");
    let mut codes = HashSet::new();
    for id in &ids {
        codes.insert(service::ensure_trace_code(&db, *id).await.expect("code"));
    }
    assert_eq!(codes.len(), ids.len());
    assert_eq!(service::ensure_trace_code(&db, 999_999).await, Err(AppError::NotFound));
}

async fn only_the_owning_cooperative_records_and_removes_batches(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let hong_phat = coop_id(&db, "hong-phat").await;
    let binh_minh = coop_id(&db, "binh-minh").await;
    let tea = product_id(&db, BLACK_BEAN_TEA).await;
    let form = batch("LO-01", "2026-11-01", "Thu hoạch tháng 10");

    assert_eq!(service::add_batch(&db, binh_minh, tea, &form, TODAY, NOW).await, Err(AppError::Forbidden));
    assert_eq!(service::product_trace(&db, binh_minh, tea).await.map(|_| ()), Err(AppError::Forbidden));
    assert_eq!(stored_code(&db, tea).await, None, "a refused editor gives out no code");
    assert_eq!(service::add_batch(&db, hong_phat, 999_999, &form, TODAY, NOW).await, Err(AppError::NotFound));
    assert_eq!(batch_rows(&db).await, 0);

    let id = service::add_batch(&db, hong_phat, tea, &form, TODAY, NOW).await.expect("owner adds");
    let trace = service::product_trace(&db, hong_phat, tea).await.expect("trace");
    assert_eq!(trace.batches.len(), 1);
    assert_eq!(trace.batches[0].id, id);
    assert_eq!(trace.batches[0].notes.vi, "Thu hoạch tháng 10");

    assert_eq!(service::delete_batch(&db, binh_minh, id).await, Err(AppError::Forbidden));
    assert_eq!(batch_rows(&db).await, 1, "another cooperative's delete changes nothing");
    assert_eq!(service::delete_batch(&db, hong_phat, id + 1000).await, Err(AppError::NotFound));
    service::delete_batch(&db, hong_phat, id).await.expect("owner deletes");
    assert_eq!(batch_rows(&db).await, 0);
    assert_eq!(service::delete_batch(&db, hong_phat, id).await, Err(AppError::NotFound));

    // A deleted product's batches are out of reach too.
    let id = service::add_batch(&db, hong_phat, tea, &form, TODAY, NOW).await.expect("again");
    app::coops::service::delete_product(&db, hong_phat, tea, NOW).await.expect("delete product");
    assert_eq!(service::add_batch(&db, hong_phat, tea, &form, TODAY, NOW).await, Err(AppError::NotFound));
    assert_eq!(service::delete_batch(&db, hong_phat, id).await, Err(AppError::NotFound));
}

async fn batch_forms_are_checked_with_field_errors(db: Db) {
    app::seed::seed(&db).await.expect("seed");
    let binh_minh = coop_id(&db, "binh-minh").await;
    let guava = product_id(&db, "tra-oi").await;
    let add = |form: BatchForm| {
        let db = db.clone();
        async move { service::add_batch(&db, binh_minh, guava, &form, TODAY, NOW).await }
    };

    assert_eq!(fields(add(BatchForm::default()).await), vec!["batch_code/required", "produced_on/required"]);
    let mut bad = batch("<b>lô</b>", "2026-11-30", "");
    bad.notes_en = "x".repeat(501);
    assert_eq!(
        fields(add(bad).await),
        vec!["batch_code/batch_code_invalid", "produced_on/date_invalid", "notes_en/too_long",],
        "a batch is not produced tomorrow"
    );
    assert_eq!(
        fields(add(batch(&"L".repeat(41), "2026-02-30", "")).await),
        vec!["batch_code/too_long", "produced_on/date_invalid",]
    );
    assert_eq!(batch_rows(&db).await, 0, "a refused form stores nothing");

    // Today is fine; the same code twice on one product is not.
    add(batch("Lô 7/2026", TODAY, "")).await.expect("today");
    assert_eq!(
        fields(add(batch("  Lô   7/2026 ", "2026-07-01", "")).await),
        vec!["batch_code/batch_code_taken"]
    );
    // Another product may use it.
    let hibiscus = product_id(&db, "hoa-du-du-duc-ngam-mat-ong").await;
    service::add_batch(&db, binh_minh, hibiscus, &batch("Lô 7/2026", TODAY, ""), TODAY, NOW)
        .await
        .expect("another product");

    // At most MAX_BATCHES per product.
    for i in 1..MAX_BATCHES {
        add(batch(&format!("N{i}"), "2026-01-01", "")).await.expect("batch");
    }
    assert_eq!(fields(add(batch("ONE-MORE", "2026-01-01", "")).await), vec!["batch_code/too_many"]);
    assert_eq!(batch_rows(&db).await, MAX_BATCHES + 1);
}

on_both_databases!(
    the_record_shows_producer_district_certificate_and_batches_newest_first,
    the_page_shows_the_latest_batches_and_counts_the_rest,
    only_published_products_of_approved_cooperatives_have_a_record,
    trace_codes_are_given_once_unique_and_stable,
    only_the_owning_cooperative_records_and_removes_batches,
    batch_forms_are_checked_with_field_errors,
);
