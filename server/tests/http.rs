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
    /// The app's own pool (closing it takes the database away).
    db: Db,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
        }
    }
}

async fn test_app() -> TestApp {
    test_app_behind(Default::default()).await
}

/// The app behind the reverse proxies `trusted` (`TRUSTED_PROXIES`).
async fn test_app_behind(trusted: server::proxy::TrustedProxies) -> TestApp {
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
        db: db.clone(),
        public_url: "http://shop.test".to_owned(),
        page_cache: Default::default(),
        product_charts: Default::default(),
        auth: Default::default(),
        trusted_proxies: trusted,
        media: app::media::store::MediaStore::memory(),
        hub: Default::default(),
        heartbeat: Default::default(),
    };
    TestApp { router: build_router(state), path, db }
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
async fn a_suspended_cooperatives_member_reads_why_at_the_dashboard_and_on_the_account_page() {
    let app = test_app().await;
    let db = Db::connect(&format!("sqlite://{}", app.path.display()), 2).await.expect("open db");
    let now = app::clock::now_unix();
    app::accounts::service::seed_demo_accounts(&db, now).await.expect("demo accounts");
    let id = |email: &'static str| {
        let db = db.clone();
        async move {
            let mut sql = app::db::Sql::new("SELECT id FROM users WHERE email = ");
            sql.bind(email.to_owned());
            sql.query_scalar::<i64>().expect("query").fetch_one(&db.pool).await.expect("user")
        }
    };
    let (admin, member) = (id("admin@ocop.demo").await, id("binhminh@ocop.demo").await);
    let token = app::accounts::session::create(&db, member, now).await.expect("session");
    let as_member = |uri: &str| {
        get(uri)
            .header(header::COOKIE, format!("ocop_session={token}; i18n_pref_locale=vi"))
            .body(Body::empty())
            .expect("req")
    };
    assert_eq!(send(&app, as_member("/coop")).await.status, StatusCode::OK, "approved: the dashboard");

    let sql = app::db::Sql::new("SELECT id FROM cooperatives WHERE slug = 'binh-minh'");
    let coop: i64 = sql.query_scalar().expect("query").fetch_one(&db.pool).await.expect("coop");
    let reason = "Giấy chứng nhận an toàn thực phẩm đã hết hạn";
    app::admin::moderation::set_suspended(
        &db,
        &app::live::hub::Hub::default(),
        admin,
        coop,
        true,
        reason,
        now,
    )
    .await
    .expect("suspend");
    let r = send(&app, as_member("/coop/products")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("Bảng điều khiển của hợp tác xã đang đóng"), "{}", r.body);
    assert!(
        r.body.contains("Tạm ngừng") && r.body.contains(reason),
        "its status and the department's reason"
    );
    let r = send(&app, as_member("/account")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Lý do của Sở") && r.body.contains(reason));
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
async fn the_language_switch_never_redirects_off_site() {
    let app = test_app().await;
    // A browser drops the tab of `/\t/evil.example` and reads `//evil.example`.
    for next in ["/%09/evil.example", "/%2F/evil.example", "/%5Cevil.example", "https://evil.example"] {
        let r = send(&app, get(&format!("/lang/en?next={next}")).body(Body::empty()).expect("req")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(r.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()), Some("/"), "{next}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forged_forwarded_for_entry_is_not_taken_as_the_client() {
    let trusted = server::proxy::TrustedProxies::parse("10.0.0.0/8,127.0.0.1/32").expect("list");
    let app = test_app_behind(trusted).await;
    // A failed login records the address it came from: a visible trace of who the server
    // thinks the client is.
    let failed_login = |peer: [u8; 4], forwarded_for: &str| {
        let mut req = Request::builder()
            .method("POST")
            .uri("/api/accounts/login")
            .header(header::HOST, "shop.test")
            .header(header::ORIGIN, "http://shop.test")
            .header(header::ACCEPT, "application/json")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("x-forwarded-for", forwarded_for)
            .body(Body::from("email=nobody%40example.com&password=not-the-password&next="))
            .expect("req");
        req.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((peer, 40000))));
        req
    };
    // Through our proxy, which appended the real client to what the client sent.
    let r = send(&app, failed_login([127, 0, 0, 1], "6.6.6.6, 198.51.100.7, 10.0.0.5")).await;
    assert_ne!(r.status, StatusCode::OK);
    // Straight from the internet: the header is not believed at all.
    let r = send(&app, failed_login([203, 0, 113, 9], "6.6.6.6")).await;
    assert_ne!(r.status, StatusCode::OK);
    let db = Db::connect(&format!("sqlite://{}", app.path.display()), 1).await.expect("open db");
    let sql = app::db::Sql::new("SELECT ip FROM login_failures ORDER BY id");
    let ips: Vec<String> = sql.query_scalar().expect("query").fetch_all(&db.pool).await.expect("ips");
    assert_eq!(ips, vec!["198.51.100.7", "203.0.113.9"]);
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
async fn the_json_product_list_applies_the_query_strings_limits() {
    let app = test_app().await;
    let list = |q: String, page: i64| {
        let query = serde_json::json!({
            "query": {"q": q, "groups": [], "stars": [], "districts": [], "coops": [],
                      "price_min": null, "price_max": null, "sort": "Relevance", "page": page},
            "lang": "Vi"
        });
        Request::builder()
            .method("POST")
            .uri("/api/catalog/products")
            .header(header::HOST, "shop.test")
            .header(header::ORIGIN, "http://shop.test")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(query.to_string()))
            .expect("req")
    };
    // Just under the 1 MB body limit: the search cut to its 100 characters reads "chuoi".
    let huge = format!("chuoi{}zzzq", " ".repeat(1_000_000));
    let r = send(&app, list(huge, i64::MAX)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", &r.body[..r.body.len().min(500)]);
    let page: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!((page["total"].as_i64(), page["page"].as_i64()), (Some(1), Some(1)), "{page}");
    assert_eq!(page["items"][0]["slug"], "chuoi-say");
    let plain = send(&app, list("chuoi".to_owned(), 1)).await;
    assert_eq!(r.body, plain.body, "the same answer as the limited query");
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

/// The nonce named in a page's policy: `'nonce-…'` in `script-src`.
fn policy_nonce(policy: &str) -> Option<&str> {
    let start = policy.find("'nonce-")? + "'nonce-".len();
    policy[start..].split('\'').next()
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_carry_a_strict_policy_whose_nonce_is_on_every_script() {
    let app = test_app().await;
    let mut nonces = Vec::new();
    for uri in ["/", "/", "/p/tra-dau-den-xanh-long-tui-loc", "/products?q=tra", "/no-such-page"] {
        let r = page(&app, uri, "vi").await;
        let policy = r
            .headers
            .get(header::CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{uri}: no Content-Security-Policy"))
            .to_owned();
        for directive in [
            "default-src 'self'",
            "'wasm-unsafe-eval'",
            "style-src 'self';",
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(policy.contains(directive), "{uri}: {directive} in {policy}");
        }
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        let nonce = policy_nonce(&policy).unwrap_or_else(|| panic!("{uri}: no nonce in {policy}")).to_owned();
        assert!(nonce.len() >= 22, "128 bits at least: {nonce}");
        // leptos_i18n leaves an empty `<script></script>` as a placeholder for its hydration;
        // a script with no source and no text is never run, so no policy applies to it.
        let scripts: Vec<&str> = r
            .body
            .split("<script")
            .skip(1)
            .filter(|s| {
                s.split_once('>').is_none_or(|(a, rest)| a.contains("src") || !rest.starts_with("</script>"))
            })
            .collect();
        assert!(!scripts.is_empty(), "{uri}: the hydration script at least");
        for script in &scripts {
            let attributes = script.split('>').next().unwrap_or("");
            let shown: String = script.chars().take(300).collect();
            assert!(
                attributes.contains(&format!("nonce=\"{nonce}\"")),
                "{uri}: <script{shown} lacks the nonce"
            );
        }
        assert!(!r.body.contains(" style=\""), "{uri}: an inline style attribute");
        assert!(!r.body.contains("<style"), "{uri}: an inline stylesheet");
        assert!(!r.body.contains(" onclick=") && !r.body.contains(" onload="), "{uri}: an inline handler");
        assert_eq!(
            r.headers.get("cross-origin-opener-policy").and_then(|v| v.to_str().ok()),
            Some("same-origin")
        );
        assert!(
            r.headers
                .get("permissions-policy")
                .is_some_and(|v| v.to_str().is_ok_and(|v| v.contains("camera=()")))
        );
        nonces.push(nonce);
    }
    let distinct: std::collections::HashSet<&String> = nonces.iter().collect();
    assert_eq!(distinct.len(), nonces.len(), "a new nonce for every response: {nonces:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_traceability_documents_allow_no_script_and_only_their_own_style() {
    let app = test_app().await;
    let r = page(&app, "/t/NO-SUCH-CODE", "vi").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let policy = r.headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(policy.starts_with("default-src 'none'; style-src 'sha256-"), "{policy}");
    assert!(!policy.contains("script-src") && !policy.contains("nonce"), "{policy}");
    let svg = send(&app, get("/booths/binh-minh/card.svg").body(Body::empty()).expect("req")).await;
    assert_eq!(
        svg.headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()),
        Some("default-src 'none'; frame-ancestors 'none'"),
        "a resource opened as a document loads nothing"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn health_endpoints_answer() {
    let app = test_app().await;
    assert_eq!(send(&app, get("/healthz").body(Body::empty()).expect("req")).await.status, StatusCode::OK);
    let ready = send(&app, get("/readyz").body(Body::empty()).expect("req")).await;
    assert_eq!((ready.status, ready.body.as_str()), (StatusCode::OK, "ready"));
}

/// Reads a QR code drawn by `app::trace::qr` (runs of dark modules on a one-unit grid): the
/// modules are painted as pixels and handed to an independent decoder.
fn scan_qr(svg: &str) -> String {
    let full: usize = svg
        .split("viewBox=\"0 0 ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("a viewBox");
    let d = svg.split(" d=\"").nth(1).and_then(|r| r.split('"').next()).expect("a path");
    let mut dark = vec![false; full * full];
    for run in d.split('M').filter(|r| !r.is_empty()) {
        let (xy, rest) = run.split_once('h').expect("h");
        let (x, y) = xy.split_once(' ').expect("x y");
        let (x, y): (usize, usize) = (x.parse().expect("x"), y.parse().expect("y"));
        let n: usize = rest.split('v').next().and_then(|n| n.parse().ok()).expect("run length");
        for i in x..x + n {
            dark[y * full + i] = true;
        }
    }
    let scale = 4;
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(full * scale, full * scale, |x, y| {
        if dark[(y / scale) * full + x / scale] { 0 } else { 255 }
    });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("the code decodes").1
}

/// The part of `body` after `start` up to the next `end`.
fn between<'a>(body: &'a str, start: &str, end: &str) -> Option<&'a str> {
    body.split_once(start).and_then(|(_, rest)| rest.split_once(end)).map(|(v, _)| v)
}

const TEA: &str = "tra-dau-den-xanh-long-tui-loc";

#[tokio::test(flavor = "multi_thread")]
async fn the_traceability_page_is_small_plain_html_with_the_certificate_and_batches() {
    let app = test_app().await;
    // The product page leads to it, with the product's QR code.
    let product = page(&app, &format!("/p/{TEA}"), "vi").await;
    assert_eq!(product.status, StatusCode::OK);
    let code =
        between(&product.body, "href=\"/t/", "\"").expect("a link to the traceability page").to_owned();
    assert!(product.body.contains(&format!("src=\"/t/{code}/qr.svg\"")), "the product's QR code");
    assert!(product.body.contains("Truy xuất nguồn gốc"));

    // The cooperative records a batch.
    let db = Db::connect(&format!("sqlite://{}", app.path.display()), 1).await.expect("open db");
    let hong_phat: i64 = sqlx::query_scalar("SELECT id FROM cooperatives WHERE slug = 'hong-phat'")
        .fetch_one(&db.pool)
        .await
        .expect("coop");
    let tea: i64 = sqlx::query_scalar("SELECT id FROM products WHERE slug = 'tra-dau-den-xanh-long-tui-loc'")
        .fetch_one(&db.pool)
        .await
        .expect("product");
    let batch = app::trace::model::BatchForm {
        batch_code: "LO-2025-10".into(),
        produced_on: "2025-10-01".into(),
        notes_vi: "Đậu đen xanh lòng vụ thu, rang thủ công".into(),
        notes_en: "Autumn crop, hand roasted".into(),
    };
    app::trace::service::add_batch(&db, hong_phat, tea, &batch, "2025-10-02", 1_800_000_000)
        .await
        .expect("batch");

    let r = page(&app, &format!("/t/{code}"), "vi").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()),
        Some("text/html; charset=utf-8")
    );
    let size = r.body.len();
    assert!(size <= 30_720, "the page is {size} bytes, over the 30 KB budget");
    assert!(!r.body.contains("wasm") && !r.body.contains("<script"), "no WASM, no script");
    assert!(r.body.starts_with("<!DOCTYPE html>"), "a whole document");
    assert!(r.body.contains(r#"<html lang="vi""#));
    assert!(r.body.contains(r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#));
    assert!(r.body.contains(&format!(r#"<link rel="canonical" href="http://shop.test/t/{code}">"#)));
    assert!(
        r.body.contains("<title>Truy xuất nguồn gốc: Trà đậu đen xanh lòng túi lọc · OCOP Market</title>")
    );
    assert!(r.body.contains("HTX Hữu cơ Hồng Phát") && r.body.contains("Chiêm Hóa"), "producer and district");
    assert!(r.body.contains("DEMO-001/QĐ-UBND") && r.body.contains("2027-06-15"), "the certificate");
    assert!(r.body.contains("Hội đồng cấp tỉnh"));
    assert!(
        r.body.contains("LO-2025-10") && r.body.contains("Đậu đen xanh lòng vụ thu, rang thủ công"),
        "the batch"
    );
    assert!(r.body.contains(&format!(r#"href="/p/{TEA}""#)), "the product link");

    // Over the wire (brotli, as browsers ask for it) it is a fraction of that.
    let res = app
        .router
        .clone()
        .oneshot(
            get(&format!("/t/{code}"))
                .header(header::ACCEPT_ENCODING, "br")
                .body(Body::empty())
                .expect("req"),
        )
        .await
        .expect("answer");
    assert_eq!(res.headers().get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()), Some("br"));
    let wire = axum::body::to_bytes(res.into_body(), 1 << 20).await.expect("body").len();
    assert!(wire < size);
    eprintln!("/t/{code}: {size} bytes, {wire} bytes brotli");

    // English, from Accept-Language.
    let en = send(
        &app,
        get(&format!("/t/{code}"))
            .header(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert!(en.body.contains(r#"<html lang="en""#));
    assert!(en.body.contains("Batches and harvests") && en.body.contains("Autumn crop, hand roasted"));
    assert!(en.body.contains("Chiem Hoa") && en.body.contains("Provincial council"));

    // The product's QR code scans to this page.
    let qr = send(&app, get(&format!("/t/{code}/qr.svg")).body(Body::empty()).expect("req")).await;
    assert_eq!(qr.status, StatusCode::OK);
    assert_eq!(qr.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), Some("image/svg+xml"));
    assert_eq!(scan_qr(&qr.body), format!("http://shop.test/t/{code}"));

    // A code that leads nowhere.
    let missing = page(&app, "/t/0000000000", "vi").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("Không tìm thấy mã truy xuất") && !missing.body.contains("<script"));
    let missing = send(&app, get("/t/0000000000/qr.svg").body(Body::empty()).expect("req")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    db.pool.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_booth_has_a_printable_qr_card_that_scans_to_the_booth() {
    let app = test_app().await;
    let r = page(&app, "/booths/binh-minh/card", "en").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()),
        Some("text/html; charset=utf-8")
    );
    assert!(r.body.contains(r#"<html lang="en""#));
    assert!(r.body.contains("HTX Nông sản hữu cơ Bình Minh"));
    assert!(r.body.contains("Binh Minh Organic Agricultural Products Cooperative"));
    assert!(
        r.body.contains("Quét mã để ghé gian hàng trực tuyến của chúng tôi"),
        "both languages on the card"
    );
    assert!(r.body.contains("Scan to visit our online booth"));
    assert!(r.body.contains(">http://shop.test/booths/binh-minh<"), "the booth's address in text");
    assert!(r.body.contains("@media print") && r.body.contains("size:A6"), "a print layout");
    assert!(r.body.contains("<svg") && !r.body.contains("<script") && !r.body.contains("wasm"));
    let inline = between(&r.body, "<div class=\"card__qr\">", "</div>").expect("the inline code");
    assert_eq!(scan_qr(inline), "http://shop.test/booths/binh-minh");

    let svg = send(&app, get("/booths/binh-minh/card.svg").body(Body::empty()).expect("req")).await;
    assert_eq!(svg.status, StatusCode::OK);
    assert_eq!(svg.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), Some("image/svg+xml"));
    assert!(svg.body.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_eq!(scan_qr(&svg.body), "http://shop.test/booths/binh-minh");

    // The card's routes sit beside the booth's pages without taking them over.
    let booth = page(&app, "/booths/binh-minh", "vi").await;
    assert_eq!(booth.status, StatusCode::OK);
    assert!(booth.body.contains("0 người đang xem"), "still the Leptos booth page");
    assert_eq!(page(&app, "/booths/binh-minh/inquiry", "vi").await.status, StatusCode::OK);
    for uri in ["/booths/no-such-coop/card", "/booths/no-such-coop/card.svg"] {
        assert_eq!(page(&app, uri, "vi").await.status, StatusCode::NOT_FOUND, "{uri}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_product_page_opens_the_export_inquiry_with_the_product_chosen() {
    let app = test_app().await;
    let product = page(&app, &format!("/p/{TEA}"), "en").await;
    let href = format!("/booths/hong-phat/inquiry?product={TEA}");
    assert!(product.body.contains(&format!(r#"href="{href}""#)), "the inquiry link");
    assert!(product.body.contains("Send an export inquiry"));
    let form = page(&app, &href, "en").await;
    assert_eq!(form.status, StatusCode::OK);
    let option =
        between(&form.body, &format!(r#"<option value="{TEA}""#), ">").expect("the product's option");
    assert!(option.contains("selected"), "the product is chosen: {option:?}");
}

/// A plain (no JavaScript) inquiry post from `addr`, as the booth page's form sends it.
fn plain_inquiry(addr: &str, company: &str, message: &str) -> Request<Body> {
    let body = format!(
        "form[booth]=binh-minh&form[product]=&form[company]={company}&form[country]=UK&form[contact_name]=Amelia\
         &form[email]=amelia%40camden.example&form[phone]=&form[quantity]=2000&form[quantity_unit]=kg\
         &form[packaging]=&form[incoterm]=FOB&form[target_date]=&form[message]={message}&form[website]="
    );
    let mut req = Request::builder()
        .method("POST")
        .uri("/api/inquiries/send")
        .header(header::HOST, "shop.test")
        .header(header::ORIGIN, "http://shop.test")
        .header(header::ACCEPT, "text/html")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("req");
    let addr: std::net::SocketAddr = format!("{addr}:40000").parse().expect("address");
    req.extensions_mut().insert(axum::extract::ConnectInfo(addr));
    req
}

/// Forty refused 0.9 MB inquiries from one address leave a handful of small drafts, not 36 MB;
/// another address still gets its form back as typed.
#[tokio::test(flavor = "multi_thread")]
async fn refused_plain_inquiries_cannot_fill_the_disk_with_drafts() {
    let app = test_app().await;
    let db = Db::connect(&format!("sqlite://{}", app.path.display()), 2).await.expect("open db");
    let message = "a".repeat(900_000);
    for _ in 0..40 {
        let r = send(&app, plain_inquiry("203.0.113.7", "Camden+Tea", &message)).await;
        let location = r.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(location.starts_with("/booths/binh-minh/inquiry"), "{} {location:?}", r.status);
    }
    let sql = app::db::Sql::new("SELECT COUNT(*), COALESCE(SUM(LENGTH(body)), 0) FROM form_drafts");
    let (rows, bytes): (i64, i64) = sql.query_as().expect("query").fetch_one(&db.pool).await.expect("drafts");
    assert!(rows <= app::drafts::PER_ADDRESS, "{rows} drafts from one address");
    assert!(bytes <= 64 * 1024, "{bytes} bytes of drafts from one address");

    let r = send(&app, plain_inquiry("198.51.100.9", "Hart+%26+Sons", "short")).await;
    let location = r.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(location.contains("draft="), "another address keeps its draft: {location:?}");
    let again = page(&app, location.split('#').next().unwrap_or_default(), "en").await;
    assert!(again.body.contains("Hart &amp; Sons"), "the form comes back as typed");
}

/// A refused plain form comes back to the page it was sent from, saying why (Leptos's `__err`)
/// and with every field as typed (`draft`, kept by the form layer) but the password, which is
/// never stored. A form that then succeeds leaves the old draft out of where it goes.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_plain_form_comes_back_with_what_was_typed_and_why_but_no_password() {
    let app = test_app().await;
    let db = Db::connect(&format!("sqlite://{}", app.path.display()), 2).await.expect("open db");
    let plain_post = |uri: &str, referer: &str, body: &str| {
        Request::builder()
            .method("POST")
            .uri(uri)
            .header(header::HOST, "shop.test")
            .header(header::ORIGIN, "http://shop.test")
            .header(header::REFERER, referer)
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, "i18n_pref_locale=en")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.to_owned()))
            .expect("req")
    };
    let refused = send(
        &app,
        plain_post(
            "/api/accounts/sign_up",
            "http://shop.test/signup",
            "display_name=Nguy%E1%BB%85n+Th%E1%BB%8B+Lan&email=lan%40tra.example&password=zq9xw",
        ),
    )
    .await;
    assert!(refused.status.is_redirection(), "{}", refused.status);
    let location = refused.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let back = location.strip_prefix("http://shop.test").unwrap_or(location).to_owned();
    assert!(back.starts_with("/signup?") && back.contains("__err=") && back.contains("draft="), "{location}");

    let page = send(
        &app,
        get(&back).header(header::COOKIE, "i18n_pref_locale=en").body(Body::empty()).expect("req"),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"value="lan@tra.example""#), "the email as typed");
    assert!(page.body.contains(r#"value="Nguyễn Thị Lan""#), "the name as typed");
    assert!(text_of(&page.body).contains("Use at least 10 characters."), "why, beside the password");
    assert!(!page.body.contains("zq9xw"), "the password is not shown again");
    let stored = app::db::Sql::new("SELECT body FROM form_drafts");
    let bodies: Vec<String> =
        stored.query_scalar().expect("query").fetch_all(&db.pool).await.expect("drafts");
    assert_eq!(bodies.len(), 1);
    assert!(bodies[0].contains("lan@tra.example") && !bodies[0].contains("zq9xw"), "{}", bodies[0]);

    // Sent again from that address and accepted: the old draft is not carried on.
    let referer = format!("http://shop.test{back}");
    let accepted = send(
        &app,
        plain_post(
            "/api/accounts/sign_up",
            &referer,
            "display_name=Lan&email=lan%40tra.example&password=long-enough-password",
        ),
    )
    .await;
    assert!(accepted.status.is_redirection(), "{}", accepted.status);
    let location = accepted.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(!location.contains("draft=") && !location.contains("__err="), "{location}");
}

/// While the database cannot be reached, a page is answered 503 with Retry-After (clients and
/// proxies retry), not 500, and the readiness probe says so too.
#[tokio::test(flavor = "multi_thread")]
async fn pages_answer_503_while_the_database_is_away() {
    let app = test_app().await;
    app.db.pool.close().await;
    let r = page(&app, "/products?q=tra", "vi").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body.chars().take(300).collect::<String>());
    assert_eq!(r.headers.get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("2"));
    let ready = send(&app, get("/readyz").body(Body::empty()).expect("req")).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
}

/// The text of an HTML fragment, its tags left out.
fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

/// A checkout refused for stock without JavaScript lands back on the checkout page, which names
/// each short line precisely ("you asked for 3, 1 left") and says "out of stock" when none are
/// left, in the reader's language; the cart says "out of stock" too, never "only 0 left".
#[tokio::test(flavor = "multi_thread")]
async fn a_plain_checkout_refused_for_stock_names_each_short_line() {
    let app = test_app().await;
    let db = Db::connect(&format!("sqlite://{}", app.path.display()), 2).await.expect("open db");
    let now = app::clock::now_unix();
    app::accounts::service::seed_demo_accounts(&db, now).await.expect("demo accounts");
    let sql = app::db::Sql::new("SELECT id FROM users WHERE email = 'shopper@ocop.demo'");
    let shopper: i64 = sql.query_scalar().expect("query").fetch_one(&db.pool).await.expect("shopper");
    let token = app::accounts::session::create(&db, shopper, now).await.expect("session");
    let cookie = |lang: &str| format!("ocop_session={token}; i18n_pref_locale={lang}");
    let as_shopper = |uri: &str, lang: &str| {
        get(uri).header(header::COOKIE, cookie(lang)).body(Body::empty()).expect("req")
    };
    let plain_post = |uri: &str, form: String| {
        Request::builder()
            .method("POST")
            .uri(uri)
            .header(header::HOST, "shop.test")
            .header(header::ORIGIN, "http://shop.test")
            .header(header::REFERER, "http://shop.test/checkout")
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, cookie("vi"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .expect("req")
    };
    let added = send(&app, plain_post("/api/orders/add_to_cart", "slug=tra-oi&quantity=3".to_owned())).await;
    assert!(added.status.is_redirection(), "{}", added.status);

    let checkout = send(&app, as_shopper("/checkout", "vi")).await;
    assert_eq!(checkout.status, StatusCode::OK);
    let key =
        between(&checkout.body, r#"name="form[idempotency_key]" value=""#, "\"").expect("the form's key");
    let lines = between(&checkout.body, r#"name="form[lines]" value=""#, "\"").expect("the form's lines");
    let form = format!(
        "form[idempotency_key]={key}&form[lines]={}&form[payment]=cod&form[note]=\
         &form[address][full_name]=Lan&form[address][phone]=0912345678\
         &form[address][province]=Tuy%C3%AAn+Quang&form[address][district]=\
         &form[address][commune]=Minh+Xu%C3%A2n&form[address][street]=12",
        lines.replace('@', "%40")
    );
    let set_stock = |stock: i64| {
        let db = db.clone();
        async move {
            let mut sql = app::db::Sql::new("UPDATE products SET stock = ");
            sql.bind(stock).push(" WHERE slug = 'tra-oi'");
            sql.query().expect("query").execute(&db.pool).await.expect("stock");
        }
    };
    // Someone else bought all but one while the form was open.
    set_stock(1).await;
    let refused = send(&app, plain_post("/api/orders/checkout", form.clone())).await;
    assert!(refused.status.is_redirection(), "{}", refused.status);
    let location = refused.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let back = location.strip_prefix("http://shop.test").unwrap_or(location).to_owned();
    assert!(back.starts_with("/checkout?") && back.contains("__err="), "back to the checkout: {location}");
    let blocked_line = |body: &str| {
        between(body, r#"data-testid="blocked-line">"#, "</li>").map(text_of).unwrap_or_default()
    };
    let page_vi = send(&app, as_shopper(&back, "vi")).await;
    assert_eq!(page_vi.status, StatusCode::OK);
    assert!(
        text_of(&page_vi.body).contains("Không đủ hàng. Chưa có đơn nào được đặt"),
        "the refusal is named"
    );
    assert_eq!(blocked_line(&page_vi.body), "Trà ổi: bạn đặt 3, còn 1");
    let page_en = send(&app, as_shopper(&back, "en")).await;
    assert_eq!(blocked_line(&page_en.body), "Guava tea: you asked for 3, 1 left");

    // Sold out: "out of stock", not "0 left", on the checkout and in the cart.
    set_stock(0).await;
    let refused = send(&app, plain_post("/api/orders/checkout", form)).await;
    let location = refused.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let back = location.strip_prefix("http://shop.test").unwrap_or(location).to_owned();
    assert_eq!(blocked_line(&send(&app, as_shopper(&back, "vi")).await.body), "Trà ổi: Hết hàng (bạn đặt 3)");
    assert_eq!(
        blocked_line(&send(&app, as_shopper(&back, "en")).await.body),
        "Guava tea: Out of stock (you asked for 3)"
    );
    let cart = text_of(&send(&app, as_shopper("/cart", "vi")).await.body);
    assert!(cart.contains("Hết hàng") && !cart.contains("Chỉ còn 0"), "the cart says it is sold out");

    let sql = app::db::Sql::new("SELECT COUNT(*) FROM orders");
    let orders: i64 = sql.query_scalar().expect("query").fetch_one(&db.pool).await.expect("orders");
    assert_eq!(orders, 0, "nothing was ordered");
}
