//! Configuration, read once from the environment at start-up. Every setting has a default that
//! makes a bare `cargo leptos serve` work.
use std::net::SocketAddr;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not valid: {value:?} ({reason})")]
    Invalid { name: &'static str, value: String, reason: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://…` (default `sqlite://data/ocop.db`) or `postgres://…`.
    pub database_url: String,
    /// `DB_MAX_CONNECTIONS`: pool size (default 8).
    pub db_max_connections: u32,
    /// `SQLITE_SYNCHRONOUS`: `full` (default; an acknowledged commit survives a power loss: an
    /// fsync per commit) or `normal` (opt-in; survives only a crash of the app).
    pub sqlite_sync: app::db::SqliteSync,
    /// `LEPTOS_SITE_ADDR`: where to listen (default 127.0.0.1:3000).
    pub addr: SocketAddr,
    /// `PUBLIC_URL`: the origin visitors use, for canonical links and the Origin check
    /// (default `http://<addr>`).
    pub public_url: String,
    /// `RUST_LOG`: log filter (default `info,sqlx=warn`).
    pub log_filter: String,
    /// `LOG_FORMAT`: `text` (default) or `json`.
    pub log_format: LogFormat,
    /// `SEED_DEMO`: seed the demo catalogue into an empty database (default `true`).
    pub seed_demo: bool,
    /// `COOKIE_SECURE`: mark the session cookie Secure (default: when PUBLIC_URL is https).
    pub cookie_secure: bool,
    /// `TRUSTED_PROXIES`: the reverse proxies (comma-separated networks or addresses) whose
    /// `X-Forwarded-For` entries name the client (default none: the socket peer is the client).
    /// Replaces `TRUST_FORWARDED_FOR`, which believed the leftmost entry, anyone's to forge.
    pub trusted_proxies: crate::proxy::TrustedProxies,
    /// Where photos are stored: `MEDIA_S3_BUCKET` (an S3-compatible bucket, configured by the
    /// usual `AWS_*` variables) if set, else the directory `MEDIA_DIR` (default `data/media`).
    pub media: MediaConfig,
    /// Where email goes: `SMTP_URL` (`smtp://host:25`, `smtp://user:pass@host:587?tls=required`,
    /// `smtps://user:pass@host:465`) if set, else `.eml` files in `MAIL_DIR` (default `data/mail`).
    pub mail: MailConfig,
    /// `MAIL_FROM`: the sender of every email (default `OCOP Market <no-reply@ocop.localhost>`).
    pub mail_from: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailConfig {
    Smtp(String),
    Files(std::path::PathBuf),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaConfig {
    Local(std::path::PathBuf),
    S3 { bucket: String },
}

fn flag(name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match var(name).as_deref() {
        None => Ok(default),
        Some("1") | Some("true") => Ok(true),
        Some("0") | Some("false") => Ok(false),
        Some(other) => Err(invalid(name, other, "use true or false")),
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn invalid(name: &'static str, value: &str, reason: impl ToString) -> ConfigError {
    ConfigError::Invalid { name, value: value.to_owned(), reason: reason.to_string() }
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        let addr_raw = var("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".to_owned());
        let addr: SocketAddr = addr_raw.parse().map_err(|e| invalid("LEPTOS_SITE_ADDR", &addr_raw, e))?;
        let db_max_connections = match var("DB_MAX_CONNECTIONS") {
            Some(v) => v.parse().map_err(|e| invalid("DB_MAX_CONNECTIONS", &v, e))?,
            None => 8,
        };
        let sqlite_sync = match var("SQLITE_SYNCHRONOUS").map(|v| v.to_ascii_lowercase()).as_deref() {
            None | Some("full") => app::db::SqliteSync::Full,
            Some("normal") => app::db::SqliteSync::Normal,
            Some(other) => return Err(invalid("SQLITE_SYNCHRONOUS", other, "use full or normal")),
        };
        let log_format = match var("LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(invalid("LOG_FORMAT", other, "use text or json")),
        };
        let seed_demo = flag("SEED_DEMO", true)?;
        let public_url =
            var("PUBLIC_URL").unwrap_or_else(|| format!("http://{addr}")).trim_end_matches('/').to_owned();
        let cookie_secure = flag("COOKIE_SECURE", public_url.starts_with("https://"))?;
        let trusted_proxies = match var("TRUSTED_PROXIES") {
            Some(list) => crate::proxy::TrustedProxies::parse(&list)
                .map_err(|reason| invalid("TRUSTED_PROXIES", &list, reason))?,
            None => crate::proxy::TrustedProxies::default(),
        };
        // The old switch trusted whoever wrote the leftmost entry; it is refused rather than
        // ignored, so a deployment that set it learns to name its proxies instead.
        if flag("TRUST_FORWARDED_FOR", false)? {
            return Err(invalid(
                "TRUST_FORWARDED_FOR",
                "true",
                "replaced by TRUSTED_PROXIES: list the proxies' networks, e.g. TRUSTED_PROXIES=127.0.0.1/32",
            ));
        }
        let media = match var("MEDIA_S3_BUCKET") {
            Some(bucket) => MediaConfig::S3 { bucket },
            None => MediaConfig::Local(var("MEDIA_DIR").unwrap_or_else(|| "data/media".to_owned()).into()),
        };
        let mail = match var("SMTP_URL") {
            Some(url) => {
                url::Url::parse(&url)
                    .map_err(|e| invalid("SMTP_URL", "(hidden: it may hold a password)", e))?;
                MailConfig::Smtp(url)
            }
            None => MailConfig::Files(var("MAIL_DIR").unwrap_or_else(|| "data/mail".to_owned()).into()),
        };
        let mail_from =
            var("MAIL_FROM").unwrap_or_else(|| "OCOP Market <no-reply@ocop.localhost>".to_owned());
        Ok(Config {
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://data/ocop.db".to_owned()),
            db_max_connections,
            sqlite_sync,
            addr,
            public_url,
            log_filter: var("RUST_LOG").unwrap_or_else(|| "info,sqlx=warn".to_owned()),
            log_format,
            seed_demo,
            cookie_secure,
            trusted_proxies,
            media,
            mail,
            mail_from,
        })
    }
}
