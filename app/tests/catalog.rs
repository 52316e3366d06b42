//! The catalogue against real SQLite and real PostgreSQL: seeding, search, facets, certificates.
mod common;

use app::catalog::model::{ProductQuery, Sort};
use app::catalog::service::{
    cooperative_detail, home, list_products, list_products_cached, product_detail, sitemap_entries,
};
use app::db::{Db, Sql};
use app::lang::Lang;
use app::seed::{SeedReport, seed};

const TODAY: &str = "2026-11-29";

async fn count(db: &Db, sql: &'static str) -> i64 {
    Sql::new(sql).query_scalar().expect("query").fetch_one(&db.pool).await.expect("count")
}

async fn seeded(db: &Db) {
    seed(db).await.expect("seed");
}

fn query(q: &str) -> ProductQuery {
    ProductQuery { q: q.to_owned(), page: 1, ..Default::default() }
}

async fn search_slugs(db: &Db, q: &str) -> Vec<String> {
    list_products(db, &query(q), Lang::Vi, TODAY)
        .await
        .expect("search")
        .items
        .into_iter()
        .map(|c| c.slug)
        .collect()
}

async fn seeding_is_idempotent(db: Db) {
    let first = seed(&db).await.expect("first seed");
    assert_eq!(first, SeedReport { groups: 6, districts: 7, cooperatives: 8, products: 10, certificates: 7 });
    let second = seed(&db).await.expect("second seed");
    assert_eq!(second, SeedReport::default(), "a second run inserts nothing");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM product_groups").await, 6);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM districts").await, 7);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM cooperatives").await, 8);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM products").await, 10);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM certificates").await, 7);
    assert_eq!(app::seed::seed_if_empty(&db).await.expect("seed_if_empty"), None);
}

async fn seed_marks_invented_values_as_demo_and_the_uk_exports_as_four_star(db: Db) {
    seeded(&db).await;
    assert_eq!(count(&db, "SELECT COUNT(*) FROM products WHERE is_demo = 0").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM certificates WHERE is_demo = 0").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM products WHERE exported_to = 'GB'").await, 7);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM products p JOIN certificates c ON c.product_id = p.id \
             WHERE p.exported_to = 'GB' AND c.stars = 4 AND c.council = 'provincial'"
        )
        .await,
        7
    );
    // Binh Minh's district is not in the facts; it stays unknown rather than invented.
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM cooperatives WHERE slug = 'binh-minh' AND district_id IS NULL")
            .await,
        1
    );
}

async fn search_finds_the_black_bean_tea_in_either_language_with_or_without_marks(db: Db) {
    seeded(&db).await;
    for q in ["dau den", "Đậu đen", "black bean", "ĐẬU ĐEN", "dau"] {
        let slugs = search_slugs(&db, q).await;
        assert_eq!(
            slugs.first().map(String::as_str),
            Some("tra-dau-den-xanh-long-tui-loc"),
            "query {q:?} gave {slugs:?}"
        );
    }
}

async fn search_examples_from_the_catalogue(db: Db) {
    seeded(&db).await;
    assert!(search_slugs(&db, "tra oi").await.contains(&"tra-oi".to_owned()));
    assert_eq!(search_slugs(&db, "buoi").await, vec!["buoi-soi-ha"]);
    let mut syrups = search_slugs(&db, "siro").await;
    syrups.sort();
    assert_eq!(syrups, vec!["siro-chanh", "siro-quat"]);
    assert_eq!(search_slugs(&db, "chuo").await, vec!["chuoi-say"], "prefix while typing");
    assert!(search_slugs(&db, "sturgeon").await.contains(&"san-pham-ca-tam".to_owned()));
    assert!(search_slugs(&db, "xyzzy").await.is_empty());
    assert!(search_slugs(&db, "\"*:&|").await.len() == 10, "punctuation alone is no filter");
    let suggestions = app::search::service::suggest(&db, "chuo").await.expect("suggest");
    assert_eq!(suggestions.first().map(|s| s.slug.as_str()), Some("chuoi-say"));
}

async fn facets_count_each_value_under_the_other_filters(db: Db) {
    seeded(&db).await;
    let all = list_products(&db, &query(""), Lang::Vi, TODAY).await.expect("list");
    assert_eq!(all.total, 10);
    let group = |key: &str| all.facets.groups.iter().find(|v| v.key == key).map(|v| v.count);
    assert_eq!(group("beverages"), Some(5));
    assert_eq!(group("food"), Some(4));
    assert_eq!(group("herbs"), Some(1));
    assert_eq!(group("textiles"), Some(0));
    let four = all.facets.stars.iter().find(|v| v.key == "4").map(|v| v.count);
    assert_eq!(four, Some(7));
    assert_eq!(all.facets.price_range, Some((45_000, 350_000)));

    let filtered =
        ProductQuery { stars: vec![4], districts: vec!["yen-son".to_owned()], page: 1, ..Default::default() };
    let page = list_products(&db, &filtered, Lang::Vi, TODAY).await.expect("filtered");
    let mut slugs: Vec<_> = page.items.iter().map(|c| c.slug.as_str()).collect();
    slugs.sort();
    assert_eq!(slugs, vec!["buoi-soi-ha", "chuoi-say"]);
    assert_eq!(page.total, 2);
    assert!(page.items.iter().all(|c| c.stars == Some(4)));
    // The district facet ignores its own filter: other districts keep their 4-star counts.
    let district = |key: &str| page.facets.districts.iter().find(|v| v.key == key).map(|v| v.count);
    assert_eq!(district("ham-yen"), Some(2));
    assert_eq!(district("na-hang"), Some(0), "Na Hang's products have no certificate");
    assert_eq!(district("yen-son"), Some(2));
    // The group facet applies both: only food in Yen Son with 4 stars.
    let group = |key: &str| page.facets.groups.iter().find(|v| v.key == key).map(|v| v.count);
    assert_eq!(group("food"), Some(2));
    assert_eq!(group("beverages"), Some(0));
}

async fn price_range_and_sorting(db: Db) {
    seeded(&db).await;
    let q = ProductQuery {
        price_min: Some(60_000),
        price_max: Some(100_000),
        sort: Sort::PriceAsc,
        page: 1,
        ..Default::default()
    };
    let page = list_products(&db, &q, Lang::Vi, TODAY).await.expect("list");
    let prices: Vec<i64> = page.items.iter().map(|c| c.price_vnd).collect();
    assert_eq!(prices, vec![60_000, 65_000, 70_000, 75_000, 85_000]);
    let desc = ProductQuery { sort: Sort::PriceDesc, ..q.clone() };
    let page = list_products(&db, &desc, Lang::Vi, TODAY).await.expect("list");
    assert_eq!(page.items.first().map(|c| c.price_vnd), Some(85_000));
    let by_name = ProductQuery { sort: Sort::Name, page: 1, ..Default::default() };
    let en = list_products(&db, &by_name, Lang::En, TODAY).await.expect("list");
    assert_eq!(en.items.first().map(|c| c.name.en.as_str()), Some("Black pork sour meat"));
    let vi = list_products(&db, &by_name, Lang::Vi, TODAY).await.expect("list");
    assert_eq!(vi.items.first().map(|c| c.name.vi.as_str()), Some("Bưởi Soi Hà"));
}

async fn an_expired_certificate_hides_the_badge(db: Db) {
    seeded(&db).await;
    let mut sql = Sql::new(
        "INSERT INTO certificates (product_id, stars, council, decision_no, issued_on, expires_on, \
         is_demo, created_at) SELECT id, 3, 'provincial', 'OLD-1', '2020-01-10', '2023-01-10', 1, 0 \
         FROM products WHERE slug = ",
    );
    sql.bind("ruou-ngo-men-la".to_owned());
    sql.query().expect("sql").execute(&db.pool).await.expect("insert expired certificate");

    let detail = product_detail(&db, "ruou-ngo-men-la", TODAY).await.expect("detail").expect("found");
    assert_eq!(detail.card.stars, None, "no badge for an expired certificate");
    let cert = detail.certificate.expect("the certificate is still shown");
    assert!(cert.expired);
    assert_eq!(cert.expires_on, "2023-01-10");

    let three = ProductQuery { stars: vec![3], page: 1, ..Default::default() };
    assert_eq!(list_products(&db, &three, Lang::Vi, TODAY).await.expect("list").total, 0);

    let valid = product_detail(&db, "chuoi-say", TODAY).await.expect("detail").expect("found");
    assert_eq!(valid.card.stars, Some(4));
    assert!(valid.certificate.is_some_and(|c| !c.expired && c.expires_on == "2027-06-15"));
    // The same certificate is expired the day after its expiry date.
    let later = product_detail(&db, "chuoi-say", "2027-06-16").await.expect("detail").expect("found");
    assert_eq!(later.card.stars, None);
}

/// The badge follows the Vietnam calendar: a certificate that expires on 15 June 2027 still shows
/// its stars at 23:59 that day in Vietnam and not at 00:01 the next morning, although the UTC
/// date (16:59 and 17:01 UTC on the 15th) has not changed. The pages take `today` from
/// `clock::vietnam_today`, which is `today_at(now)`.
async fn the_certificate_badge_turns_at_midnight_in_vietnam(db: Db) {
    seeded(&db).await;
    let before_midnight = 1_813_078_740; // 2027-06-15 23:59 in Vietnam
    let after_midnight = before_midnight + 120; // 2027-06-16 00:01 in Vietnam
    let stars_at = |unix: i64| {
        let db = db.clone();
        async move {
            let today = app::clock::today_at(unix);
            product_detail(&db, "chuoi-say", &today).await.expect("detail").expect("found").card.stars
        }
    };
    assert_eq!(stars_at(before_midnight).await, Some(4), "the last day of validity still shows the badge");
    assert_eq!(stars_at(after_midnight).await, None, "the badge is gone from midnight in Vietnam");
}

async fn unknown_slugs_are_not_found(db: Db) {
    seeded(&db).await;
    assert!(product_detail(&db, "no-such-product", TODAY).await.expect("query").is_none());
    assert!(cooperative_detail(&db, "no-such-coop", TODAY).await.expect("query").is_none());
    let coop = cooperative_detail(&db, "minh-thao", TODAY).await.expect("query").expect("found");
    assert_eq!(coop.products.len(), 2);
    assert_eq!(coop.summary.district.map(|d| d.en), Some("Ham Yen".to_owned()));
}

/// `n` more published products, made as a cooperative makes them.
async fn published_products(db: &Db, n: usize) {
    use app::coops::{model::ProductForm, service};
    let mut sql = Sql::new("SELECT id FROM cooperatives WHERE slug = ");
    sql.bind("binh-minh".to_owned());
    let coop: i64 = sql.query_scalar().expect("query").fetch_one(&db.pool).await.expect("cooperative");
    for k in 1..=n {
        let form = ProductForm {
            name_vi: format!("Trà xanh số {k}"),
            name_en: format!("Green tea number {k}"),
            description_vi: "Chè xanh sao suốt".into(),
            description_en: "Green tea".into(),
            unit_vi: "hộp".into(),
            unit_en: "box".into(),
            group: "food".into(),
            price_vnd: "100.000".into(),
            stock: "10".into(),
            weight_grams: "200".into(),
            slug: String::new(),
        };
        let id = service::create_product(db, coop, None, &form, 1_800_000_000).await.expect("create");
        service::set_published(db, coop, id, true, 1_800_000_000).await.expect("publish");
    }
}

async fn pagination_splits_results_into_pages_of_24(db: Db) {
    seeded(&db).await;
    published_products(&db, 30).await;
    let first = list_products(&db, &query(""), Lang::Vi, TODAY).await.expect("list");
    assert_eq!((first.total, first.pages, first.items.len()), (40, 2, 24));
    let second = list_products(&db, &query("").with_page(2), Lang::Vi, TODAY).await.expect("list");
    assert_eq!((second.page, second.items.len()), (2, 16));
    let beyond = list_products(&db, &query("").with_page(9), Lang::Vi, TODAY).await.expect("list");
    assert_eq!(beyond.page, 2, "a page past the end shows the last page");
}

async fn home_and_sitemap_list_the_catalogue(db: Db) {
    seeded(&db).await;
    let h = home(&db, TODAY).await.expect("home");
    assert_eq!(h.groups.len(), 6);
    assert_eq!(h.exported.len(), 7);
    assert_eq!(h.cooperatives.len(), 8);
    assert_eq!(h.product_count, 10);
    let entries = sitemap_entries(&db).await.expect("sitemap");
    assert_eq!(entries.iter().filter(|e| e.path.starts_with("/p/")).count(), 10);
    assert_eq!(entries.iter().filter(|e| e.path.starts_with("/c/")).count(), 8);
}

async fn cached_pages_are_reused_until_invalidated(db: Db) {
    seeded(&db).await;
    let cache = app::catalog::cache::PageCache::default();
    let q = query("");
    let first = list_products_cached(&cache, &db, &q, Lang::Vi, TODAY).await.expect("list");
    let again = list_products_cached(&cache, &db, &q, Lang::Vi, TODAY).await.expect("list");
    assert!(std::sync::Arc::ptr_eq(&first, &again), "the second request is served from the cache");
    let english = list_products_cached(&cache, &db, &q, Lang::En, TODAY).await.expect("list");
    assert!(!std::sync::Arc::ptr_eq(&first, &english), "each language has its own entry");

    Sql::new("UPDATE products SET status = 'draft' WHERE slug = 'chuoi-say'")
        .query()
        .expect("sql")
        .execute(&db.pool)
        .await
        .expect("unpublish");
    let stale = list_products_cached(&cache, &db, &q, Lang::Vi, TODAY).await.expect("list");
    assert_eq!(stale.total, 10, "until invalidated, the cached page stands");
    app::changes::catalogue_changed(&db);
    let fresh = list_products_cached(&cache, &db, &q, Lang::Vi, TODAY).await.expect("list");
    assert_eq!(fresh.total, 9);
}

async fn exec(db: &Db, sql: &'static str) {
    Sql::new(sql).query().expect("sql").execute(&db.pool).await.expect(sql);
}

/// The list index is built on the first read and must follow writes from any path: here plain
/// SQL, as another instance or an admin tool would write.
async fn the_list_follows_every_change_to_the_catalogue(db: Db) {
    seeded(&db).await;
    let all = query("");
    assert_eq!(list_products(&db, &all, Lang::Vi, TODAY).await.expect("list").total, 10);

    exec(&db, "UPDATE products SET status = 'draft' WHERE slug = 'chuoi-say'").await;
    assert_eq!(list_products(&db, &all, Lang::Vi, TODAY).await.expect("list").total, 9);

    exec(&db, "UPDATE products SET price_vnd = 999000 WHERE slug = 'buoi-soi-ha'").await;
    let page = list_products(&db, &all, Lang::Vi, TODAY).await.expect("list");
    assert_eq!(page.facets.price_range.map(|(_, hi)| hi), Some(999_000));

    exec(
        &db,
        "DELETE FROM certificates WHERE product_id = (SELECT id FROM products WHERE slug = 'buoi-soi-ha')",
    )
    .await;
    let four = ProductQuery { stars: vec![4], page: 1, ..Default::default() };
    // Seven four-star products, less the unpublished banana and the grapefruit without its certificate.
    assert_eq!(list_products(&db, &four, Lang::Vi, TODAY).await.expect("list").total, 5);

    exec(&db, "UPDATE cooperatives SET status = 'suspended' WHERE slug = 'minh-thao'").await;
    let page = list_products(&db, &all, Lang::Vi, TODAY).await.expect("list");
    assert_eq!(page.total, 7, "a suspended cooperative's two products leave the list");
    assert!(page.facets.cooperatives.iter().all(|c| c.key != "minh-thao"));

    // Stock is not part of the list: an order's stock change does not rebuild the index.
    let before = count(&db, "SELECT version FROM catalog_version").await;
    exec(&db, "UPDATE products SET stock = stock - 1 WHERE slug = 'tra-oi'").await;
    assert_eq!(count(&db, "SELECT version FROM catalog_version").await, before);
}

/// Relevance: a product naming every searched word comes before one that only mentions them
/// in its description.
async fn search_ranks_name_matches_first(db: Db) {
    seeded(&db).await;
    exec(&db, "UPDATE products SET search_text = search_text || ' buoi', featured = 1 WHERE slug = 'tra-oi'")
        .await;
    let slugs = search_slugs(&db, "buoi").await;
    assert_eq!(slugs.first().map(String::as_str), Some("buoi-soi-ha"), "{slugs:?}");
    assert!(slugs.contains(&"tra-oi".to_owned()), "the description match is still found: {slugs:?}");
}

/// The JSON list endpoint hands the service whatever was sent: a 1 MB search and the largest
/// page number get the query string's limits (search cut, first page), not an overflow, and
/// the page cache keys the limited query.
async fn a_huge_search_and_page_get_the_same_limits_as_the_page(db: Db) {
    seeded(&db).await;
    let sent = ProductQuery { q: format!("chuoi{}zzzq", " ".repeat(1_000_000)), page: i64::MAX, ..query("") };
    let expected = list_products(&db, &query("chuoi"), Lang::Vi, TODAY).await.expect("list");
    assert_eq!(expected.total, 1, "the cut search still finds the dried banana");
    let got = list_products(&db, &sent, Lang::Vi, TODAY).await.expect("list");
    assert_eq!(got, expected);
    let cache = app::catalog::cache::PageCache::default();
    let cached = list_products_cached(&cache, &db, &sent, Lang::Vi, TODAY).await.expect("cached list");
    assert_eq!(*cached, expected);
    let generation = app::changes::catalogue_generation(&db);
    assert!(
        cache.get(&query("chuoi"), Lang::Vi, TODAY, generation).is_some(),
        "kept under the limited query"
    );
    // The index's own arithmetic takes any page number.
    let listing = db
        .shared::<app::catalog::index::ListIndex>()
        .list(&db, &query(""), None, Lang::Vi, TODAY, i64::MAX)
        .await
        .expect("listing");
    assert_eq!((listing.ids.len(), listing.total), (0, 10));
}

on_both_databases!(
    a_huge_search_and_page_get_the_same_limits_as_the_page,
    the_list_follows_every_change_to_the_catalogue,
    search_ranks_name_matches_first,
    cached_pages_are_reused_until_invalidated,
    seeding_is_idempotent,
    seed_marks_invented_values_as_demo_and_the_uk_exports_as_four_star,
    search_finds_the_black_bean_tea_in_either_language_with_or_without_marks,
    search_examples_from_the_catalogue,
    facets_count_each_value_under_the_other_filters,
    price_range_and_sorting,
    an_expired_certificate_hides_the_badge,
    the_certificate_badge_turns_at_midnight_in_vietnam,
    unknown_slugs_are_not_found,
    pagination_splits_results_into_pages_of_24,
    home_and_sitemap_list_the_catalogue,
);
