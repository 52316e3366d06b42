//! The server as a browser sees it: status codes, rendered pages, language choice, SEO files,
//! the Origin check and compression, through the real router on a seeded SQLite database.
use app::db::Db;
use axum::Router;
use axum::body::Body;
use http::{Request, StatusCode, header};
use leptos::prelude::LeptosOptions;
use server::{AppState, build_router};
use tower::ServiceExt;

struct TestApp {
    router: Router,
    path: std::path::PathBuf,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
        }
    }
}

async fn test_app() -> TestApp {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "ocop_http_{}_{}.db",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let db = Db::connect(&format!("sqlite://{}", path.display()), 4).await.expect("open db");
    db.migrate().await.expect("migrate");
    app::seed::seed(&db).await.expect("seed");
    let leptos_options = LeptosOptions::builder().output_name("ocop").site_root("target/site").build();
    let state = AppState {
        leptos_options,
        db,
        public_url: "http://shop.test".to_owned(),
        page_cache: Default::default(),
        auth: Default::default(),
        trust_forwarded_for: false,
        media: app::media::store::MediaStore::memory(),
        hub: Default::default(),
        heartbeat: Default::default(),
    };
    TestApp { router: build_router(state), path }
}

struct Reply {
    status: StatusCode,
    headers: http::HeaderMap,
    body: String,
}

async fn send(app: &TestApp, req: Request<Body>) -> Reply {
    let res = app.router.clone().oneshot(req).await.expect("the router answers");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 16 * 1024 * 1024).await.expect("body");
    // `<!>` marks text-node boundaries for hydration; readers see the text without them.
    let body = String::from_utf8_lossy(&bytes).replace("<!>", "");
    Reply { status, headers, body }
}

fn get(uri: &str) -> http::request::Builder {
    Request::builder().uri(uri).header(header::HOST, "shop.test")
}

async fn page(app: &TestApp, uri: &str, lang: &str) -> Reply {
    send(
        app,
        get(uri).header(header::COOKIE, format!("i18n_pref_locale={lang}")).body(Body::empty()).expect("req"),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn product_page_shows_price_certificate_and_structured_data() {
    let app = test_app().await;
    let r = page(&app, "/p/tra-dau-den-xanh-long-tui-loc", "vi").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Trà đậu đen xanh lòng túi lọc"));
    assert!(r.body.contains("85.000 ₫"));
    assert!(r.body.contains("DEMO-001/QĐ-UBND"), "certificate decision number");
    assert!(r.body.contains("2027-06-15"), "certificate expiry");
    assert!(r.body.contains("Đã xuất khẩu sang Anh"));
    assert!(r.body.contains("Dữ liệu demo"));
    assert!(r.body.contains("application/ld+json") && r.body.contains(r#""@type":"Product""#));
    assert!(
        r.body.contains(r#"<link href="http://shop.test/p/tra-dau-den-xanh-long-tui-loc" rel="canonical">"#)
    );
    assert!(r.body.contains("<title>Trà đậu đen xanh lòng túi lọc"));
    assert!(r.body.contains(r#"href="/c/hong-phat""#), "links to the cooperative");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_booth_page_shows_its_picks_team_schedule_and_the_inquiry_form() {
    let app = test_app().await;
    let r = page(&app, "/booths/binh-minh", "vi").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("HTX Nông sản hữu cơ Bình Minh"));
    assert!(r.body.contains("Trà ổi") && r.body.contains("65.000 ₫"), "products with live prices");
    assert!(r.body.contains("Nguyễn Thu Hà"), "the team on duty");
    assert!(r.body.contains("Livestream: hái chè"), "the schedule");
    assert!(r.body.contains("0 người đang xem"), "the visitor count, rendered before hydration");
    assert!(r.body.contains(r#"action="/api/inquiries/send""#), "the inquiry form is a plain form");
    assert!(r.body.contains(r#"name="form[website]""#), "with its honeypot");
    // An anonymous visitor gets the chat identity cookie, HttpOnly.
    let cookie = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("ocop_visitor="));
    assert!(cookie.is_some_and(|c| c.contains("HttpOnly")), "{:?}", r.headers);
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_slugs_and_paths_answer_404() {
    let app = test_app().await;
    for uri in ["/p/no-such-product", "/c/no-such-coop", "/booths/no-such-coop", "/no/such/page"] {
        let r = page(&app, uri, "en").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(r.body.contains("Page not found"), "{uri}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_query_parameters_give_a_page_and_a_notice_not_an_error() {
    let app = test_app().await;
    let r = page(&app, "/products?price_min=abc&page=-1&stars=9", "en").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("The “from” price is not a number"));
    assert!(r.body.contains("That page number is not valid"));
    assert!(r.body.contains("10 products"));
}

#[tokio::test(flavor = "multi_thread")]
async fn search_results_are_rendered_on_the_server() {
    let app = test_app().await;
    let r = page(&app, "/products?q=dau+den", "vi").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Trà đậu đen xanh lòng túi lọc"));
    assert!(r.body.contains("1 sản phẩm"));
    let r = page(&app, "/products?q=black%20bean", "en").await;
    assert!(r.body.contains("Green-heart black bean tea bags"));
    let r = page(&app, "/products?stars=4&district=yen-son", "en").await;
    assert!(r.body.contains("2 products"));
    assert!(r.body.contains("Dried bananas") && r.body.contains("Soi Ha grapefruit"));
}

#[tokio::test(flavor = "multi_thread")]
async fn language_comes_from_the_cookie_then_accept_language_then_vietnamese() {
    let app = test_app().await;
    let none = send(&app, get("/").body(Body::empty()).expect("req")).await;
    assert!(none.body.contains(r#"<html lang="vi""#), "default is Vietnamese");
    let en = send(
        &app,
        get("/").header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9").body(Body::empty()).expect("req"),
    )
    .await;
    assert!(en.body.contains(r#"<html lang="en""#));
    assert!(en.body.contains("Featured products"));
    let fr =
        send(&app, get("/").header(header::ACCEPT_LANGUAGE, "fr-FR").body(Body::empty()).expect("req")).await;
    assert!(fr.body.contains(r#"<html lang="vi""#), "an unsupported language falls back to Vietnamese");
    let cookie = send(
        &app,
        get("/")
            .header(header::ACCEPT_LANGUAGE, "en")
            .header(header::COOKIE, "i18n_pref_locale=vi")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert!(cookie.body.contains("Sản phẩm nổi bật"), "the cookie beats Accept-Language");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_language_switch_works_without_javascript() {
    let app = test_app().await;
    let r = send(&app, get("/lang/en?next=%2Fproducts%3Fq%3Dtra").body(Body::empty()).expect("req")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()), Some("/products?q=tra"));
    let cookie = r.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(cookie.starts_with("i18n_pref_locale=en;"), "{cookie}");
    let evil = send(&app, get("/lang/en?next=//evil.example").body(Body::empty()).expect("req")).await;
    assert_eq!(evil.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()), Some("/"));
    let unknown = send(&app, get("/lang/fr").body(Body::empty()).expect("req")).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn sitemap_and_robots_describe_the_site() {
    let app = test_app().await;
    let r = send(&app, get("/sitemap.xml").body(Body::empty()).expect("req")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("<loc>http://shop.test/p/chuoi-say</loc>"));
    assert!(r.body.contains("<loc>http://shop.test/c/binh-minh</loc>"));
    assert_eq!(r.body.matches("<url>").count(), 2 + 10 + 8);
    let r = send(&app, get("/robots.txt").body(Body::empty()).expect("req")).await;
    assert!(r.body.contains("Sitemap: http://shop.test/sitemap.xml"));
}

#[tokio::test(flavor = "multi_thread")]
async fn cross_site_mutations_are_refused() {
    let app = test_app().await;
    let post = |origin: &str| {
        Request::builder()
            .method("POST")
            .uri("/api/catalog/products")
            .header(header::HOST, "shop.test")
            .header(header::ORIGIN, origin)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"query":{"q":"","groups":[],"stars":[],"districts":[],"coops":[],"price_min":null,"price_max":null,"sort":"Relevance","page":1},"lang":"Vi"}"#))
            .expect("req")
    };
    let evil = send(&app, post("https://evil.example")).await;
    assert_eq!(evil.status, StatusCode::FORBIDDEN);
    let ours = send(&app, post("http://shop.test")).await;
    assert_eq!(ours.status, StatusCode::OK, "{}", ours.body);
    assert!(ours.body.contains("\"total\":10"));
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_are_compressed_and_carry_security_headers() {
    let app = test_app().await;
    let r = send(
        &app,
        get("/products").header(header::ACCEPT_ENCODING, "br, gzip").body(Body::empty()).expect("req"),
    )
    .await;
    assert_eq!(r.headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()), Some("br"));
    assert_eq!(r.headers.get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"));
    assert!(r.headers.get("x-request-id").is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn health_endpoints_answer() {
    let app = test_app().await;
    assert_eq!(send(&app, get("/healthz").body(Body::empty()).expect("req")).await.status, StatusCode::OK);
    let ready = send(&app, get("/readyz").body(Body::empty()).expect("req")).await;
    assert_eq!((ready.status, ready.body.as_str()), (StatusCode::OK, "ready"));
}
