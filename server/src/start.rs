//! Starting the server: the database (migrated, and seeded with the demo data when asked), the
//! background tasks, the router and the listener; then serving until Ctrl-C or SIGTERM. The
//! `server` binary does just this; the benchmark binary (`bench/`) starts the same server as
//! the target of its live load harness.
use app::db::Db;
use app::live::hub::Hub;
use axum::Router;
use leptos::config::get_configuration;
use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat};
use crate::{AppState, build_router};

type Error = Box<dyn std::error::Error>;

/// Logs as `RUST_LOG` and `LOG_FORMAT` say.
pub fn init_tracing(config: &Config) {
    let filter = EnvFilter::try_new(&config.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match config.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

/// The database, migrated.
pub async fn database(config: &Config) -> Result<Db, Error> {
    let db = Db::connect_with(&config.database_url, config.db_max_connections, config.sqlite_sync).await?;
    db.migrate().await?;
    tracing::info!(backend = ?db.backend, "database ready");
    Ok(db)
}

/// A server ready to serve: its router, bound to its address, with the handles a harness needs.
pub struct Ready {
    pub router: Router,
    pub listener: tokio::net::TcpListener,
    pub db: Db,
    pub hub: Hub,
}

/// Seeds the demo data when `SEED_DEMO` asks, starts the background tasks, builds the router and
/// binds the address.
pub async fn prepare(config: &Config, db: Db) -> Result<Ready, Error> {
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
    // The outbox's emails, sent through SMTP or written as files.
    let postman = match &config.mail {
        crate::config::MailConfig::Smtp(url) => {
            app::messages::mail::Postman::smtp(url, &config.mail_from, &config.public_url)?
        }
        crate::config::MailConfig::Files(dir) => {
            app::messages::mail::Postman::files(dir, &config.mail_from, &config.public_url)?
        }
    };
    app::messages::outbox::spawn(db.clone(), postman);
    // Certificate reminders and the admins' daily digest.
    app::admin::daily::spawn(db.clone(), hub.clone());
    if db.backend == app::db::Backend::Postgres {
        // Events cross to the other instances on this database.
        app::socket::relay::start(db.clone(), &config.database_url, hub.clone()).await?;
        tracing::info!(instance = hub.instance(), "live relay listening on PostgreSQL");
    }
    let leptos_options = get_configuration(None)?.leptos_options;
    let state = AppState {
        hub,
        heartbeat: Default::default(),
        leptos_options,
        db: db.clone(),
        public_url: config.public_url.clone(),
        page_cache: Default::default(),
        product_charts: Default::default(),
        auth: app::accounts::auth::AuthSettings { secure_cookies: config.cookie_secure },
        trusted_proxies: config.trusted_proxies.clone(),
        media: match &config.media {
            crate::config::MediaConfig::Local(dir) => app::media::store::MediaStore::local(dir)?,
            crate::config::MediaConfig::S3 { bucket } => app::media::store::MediaStore::s3(bucket)?,
        },
    };
    // The dashboard's default product charts, computed before an admin asks for them.
    app::admin::dashboard::service::spawn_warmer(state.db.clone(), state.product_charts.clone());
    let hub = state.hub.clone();
    let router = build_router(state);
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    tracing::info!("listening on http://{}", config.addr);
    Ok(Ready { router, listener, db, hub })
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
pub async fn serve(ready: Ready) -> Result<(), Error> {
    axum::serve(ready.listener, ready.router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
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
