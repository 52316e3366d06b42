//! `AppError`: the one error type of server functions and services, with variants a user can act on.
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A problem with one input field. `code` names a message in the locale files
/// (`errors.<code>`), so the browser shows it in the user's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub code: String,
}

impl FieldError {
    pub fn new(field: &str, code: &str) -> FieldError {
        FieldError { field: field.to_owned(), code: code.to_owned() }
    }
}

/// A product that did not have enough stock for a checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shortage {
    pub product_id: i64,
    pub name: crate::lang::Text,
    pub requested: i64,
    /// In stock now; 0 when it can no longer be bought at all.
    pub available: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("sign-in required")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("conflict: {0}")]
    Conflict(String),
    /// A checkout asked for more than is in stock: which products, and how many are left.
    #[error("not enough stock")]
    OutOfStock(Vec<Shortage>),
    /// Too many failed logins: try again after this many seconds.
    #[error("too many attempts; retry in {0} s")]
    TooManyAttempts(i64),
    /// The server is saturated (too much work queued): try again after this many seconds.
    #[error("busy; retry in {0} s")]
    Busy(i64),
    /// Details are logged on the server, never sent.
    #[error("internal error")]
    Internal,
    /// The request did not reach the server function, or its answer did not come back.
    #[error("transport: {0}")]
    Transport(String),
}

impl AppError {
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) | AppError::OutOfStock(_) => StatusCode::CONFLICT,
            AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal | AppError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The seconds a client should wait before trying again (the `Retry-After` header).
    pub fn retry_after(&self) -> Option<i64> {
        match self {
            AppError::TooManyAttempts(secs) | AppError::Busy(secs) => Some((*secs).max(1)),
            _ => None,
        }
    }
}

/// The answer of an axum route that failed: the status, `Retry-After` when it applies, and the
/// short English reason (the pages never show it; they show the code's translation).
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let mut response = axum::response::IntoResponse::into_response((self.status(), self.to_string()));
        if let Some(secs) = self.retry_after()
            && let Ok(value) = http::HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(http::header::RETRY_AFTER, value);
        }
        response
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    /// A database that cannot be reached now (restarting, its pool exhausted, SQLite's write lock
    /// held too long) is a 503 with Retry-After, which clients and proxies retry; anything else
    /// is an internal error. Details are logged, never sent.
    fn from(e: sqlx::Error) -> Self {
        if unavailable(&e) {
            tracing::warn!(error = %e, "database unavailable");
            return AppError::Busy(2);
        }
        tracing::error!(error = %e, "database error");
        AppError::Internal
    }
}

/// Whether `e` says the database cannot be reached or is locked, rather than that a statement
/// is wrong.
#[cfg(feature = "ssr")]
pub fn unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
            true
        }
        sqlx::Error::Database(d) => {
            // SQLite: SQLITE_BUSY (5) and SQLITE_LOCKED (6); PostgreSQL: class 57 (operator
            // intervention, e.g. the server shutting down) and 08 (connection exceptions).
            let code = d.code();
            matches!(code.as_deref(), Some("5" | "6" | "517" | "262"))
                || code.as_deref().is_some_and(|c| c.starts_with("57") || c.starts_with("08"))
                || d.message().contains("database is locked")
        }
        _ => false,
    }
}

/// Runs a server function's body and gives its error the matching HTTP status. A plain form
/// post (no JavaScript) keeps the redirect back to its page instead.
#[cfg(feature = "ssr")]
pub async fn respond<T>(body: impl std::future::Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    use leptos::prelude::use_context;
    let result = body.await;
    if let Err(e) = &result
        && !is_plain_form_post()
        && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
    {
        response.set_status(e.status());
        if let Some(secs) = e.retry_after()
            && let Ok(value) = http::HeaderValue::from_str(&secs.to_string())
        {
            response.insert_header(http::header::RETRY_AFTER, value);
        }
    }
    result
}

/// Whether this server function call is a plain form post from a page without JavaScript
/// (the browser asks for HTML), rather than a call from the hydrated app.
#[cfg(feature = "ssr")]
pub fn is_plain_form_post() -> bool {
    leptos::prelude::use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}
