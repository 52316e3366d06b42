//! `server`: serves OCOP Market. `server generate-products N` adds N synthetic products for
//! benchmarks and exits; `server bench-search [rounds]` measures search latency, and
//! `server bench-checkout [seconds] [workers]` checkout throughput and latency, and
//! `server bench-live [clients,…] [seconds]` live delivery latency and memory per connection
//! (it runs `server bench-live-target`, this server plus a publisher, as its target).
#![recursion_limit = "512"]
use app::db::Db;
use leptos::config::get_configuration;
use server::config::{Config, LogFormat};
use server::{AppState, build_router};
use tracing_subscriber::EnvFilter;

fn init_tracing(config: &Config) {
    let filter = EnvFilter::try_new(&config.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match config.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "could not listen for Ctrl-C");
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => tracing::error!(error = %e, "could not listen for SIGTERM"),
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Server-side rendering walks deeply nested view types on the worker threads; tokio's
    // default 2 MiB stack is tight for the largest pages, so workers get 8 MiB.
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(8 * 1024 * 1024)
        .build()?
        .block_on(serve())
}

async fn serve() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env()?;
    init_tracing(&config);

    let db = Db::connect_with(&config.database_url, config.db_max_connections, config.sqlite_sync).await?;
    db.migrate().await?;
    tracing::info!(backend = ?db.backend, "database ready");

    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(cmd) = args.first() {
        if cmd == "generate-products" {
            let n: u64 =
                args.get(1).and_then(|n| n.parse().ok()).ok_or("usage: server generate-products N")?;
            app::seed::seed_if_empty(&db).await?;
            let started = std::time::Instant::now();
            let inserted = app::seed::generate_synthetic(&db, n).await?;
            println!("inserted {inserted} synthetic products in {:.1} s", started.elapsed().as_secs_f64());
            return Ok(());
        }
        if cmd == "generate-orders" {
            let n: i64 = args.get(1).and_then(|n| n.parse().ok()).ok_or("usage: server generate-orders N")?;
            let started = std::time::Instant::now();
            let made = app::seed::generate_orders(&db, n, app::clock::now_unix()).await?;
            println!("inserted {made} synthetic orders in {:.1} s", started.elapsed().as_secs_f64());
            return Ok(());
        }
        if cmd == "bench-dashboard" {
            let rounds = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(20);
            server::bench::dashboard(&db, rounds).await?;
            return Ok(());
        }
        if cmd == "bench-search" {
            let rounds = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10);
            server::bench::search(&db, rounds).await?;
            return Ok(());
        }
        if cmd == "bench-live" {
            let counts: Vec<usize> = args
                .get(1)
                .map_or("1000,10000", String::as_str)
                .split(',')
                .filter_map(|n| n.trim().parse().ok())
                .collect();
            let seconds = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(10);
            server::bench_live::run(&counts, seconds).await?;
            return Ok(());
        }
        if cmd == "bench-checkout" {
            let seconds = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10);
            let workers = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(32);
            server::bench::checkout(&db, seconds, workers).await?;
            return Ok(());
        }
        if cmd != "bench-live-target" {
            return Err(format!(
                "unknown command {cmd:?} (try: generate-products N, generate-orders N, bench-search [rounds], bench-dashboard [rounds], \
                 bench-checkout [s] [workers], bench-live [clients,…] [s])"
            )
            .into());
        }
    }
    let bench_target = args.first().is_some_and(|c| c == "bench-live-target");

    let fresh = if config.seed_demo { app::seed::seed_if_empty(&db).await? } else { None };
    if let Some(report) = fresh {
        tracing::info!(?report, "seeded the demo catalogue");
    }
    if config.seed_demo {
        let created = app::accounts::service::seed_demo_accounts(&db, app::clock::now_unix())
            .await
            .map_err(|e| format!("could not create the demo accounts: {e}"))?;
        if !created.is_empty() {
            // Printed once, when the accounts are made; the README lists them too.
            println!("Demo accounts (shown once):");
            for a in created {
                println!("  {:<8} {:<22} {}", a.role.as_db(), a.email, a.password);
            }
        }
    }
    if fresh.is_some() {
        // After the demo accounts, which are made only while there are no users: the history
        // brings buyers of its own.
        let started = std::time::Instant::now();
        let report = app::seed::history::seed_history(&db, app::clock::now_unix()).await?;
        tracing::info!(?report, ms = started.elapsed().as_millis() as u64, "seeded the demo order history");
    }

    let hub = app::live::hub::Hub::new();
    // The admin dashboard's tiles, pushed to open dashboards when what they count changes.
    app::admin::dashboard::push::spawn(db.clone(), hub.clone());
    // Booth pages hear when their fair opens or closes on schedule.
    app::fairs::clock::spawn(db.clone(), hub.clone());
    // Refused forms' drafts are deleted once expired, whether or not anyone reads them again.
    app::drafts::spawn_purge(db.clone());
    if db.backend == app::db::Backend::Postgres {
        // Events cross to the other instances on this database.
        app::live::relay::start(db.clone(), &config.database_url, hub.clone()).await?;
        tracing::info!(instance = hub.instance(), "live relay listening on PostgreSQL");
    }
    let leptos_options = get_configuration(None)?.leptos_options;
    let db_for_bench = db.pool.clone();
    let page_cache = app::catalog::cache::PageCache::default();
    let state = AppState {
        hub,
        heartbeat: Default::default(),
        leptos_options,
        db,
        public_url: config.public_url.clone(),
        page_cache: page_cache.clone(),
        product_charts: app::admin::dashboard::cache::ProductCharts::new(page_cache),
        auth: app::accounts::auth::AuthSettings { secure_cookies: config.cookie_secure },
        trusted_proxies: config.trusted_proxies.clone(),
        media: match &config.media {
            server::config::MediaConfig::Local(dir) => app::media::store::MediaStore::local(dir)?,
            server::config::MediaConfig::S3 { bucket } => app::media::store::MediaStore::s3(bucket)?,
        },
    };
    // The dashboard's default product charts, computed before an admin asks for them.
    app::admin::dashboard::cache::spawn_warmer(state.db.clone(), state.product_charts.clone());
    let hub = state.hub.clone();
    let app = build_router(state);
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    tracing::info!("listening on http://{}", config.addr);
    if bench_target {
        let booth: i64 = app::db::Sql::new("SELECT MIN(id) FROM cooperatives WHERE status = 'approved'")
            .query_scalar()?
            .fetch_one(&db_for_bench)
            .await?;
        server::bench_live::spawn_publisher(hub, booth);
        println!("bench-live-target ready {} booth {booth}", config.addr);
    }
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}
