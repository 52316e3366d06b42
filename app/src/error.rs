//! `AppError`: the one error type of server functions and services, with variants a user can act on.
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Declares a code enum with each code's name (serde's `snake_case` name; a test checks they agree).
macro_rules! codes {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($variant,)*
        }

        impl $name {
            pub const ALL: &[$name] = &[$($name::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            /// The code named in an address; `None` for a name that is not one.
            pub fn parse(name: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|c| c.as_str() == name)
            }
        }
    };
}

impl FieldCode {
    /// The code named in an address, `Invalid` when the address names no code.
    pub fn named(name: &str) -> FieldCode {
        FieldCode::parse(name).unwrap_or(FieldCode::Invalid)
    }
}

codes! {
    /// What is wrong with one input field. It travels by its name: in JSON to the browser, in
    /// a refused plain form's stored draft and in an address (`photo_error=too_many`). Each
    /// has a sentence in both locale files (`errors.field.<name>`), and
    /// `ui::forms::FieldMessage` matches every code without a catch-all, so a code without
    /// its sentence, or a misspelt one, does not compile.
    FieldCode {
    AccountInvalid = "account_invalid",
    BadCredentials = "bad_credentials",
    BatchCodeInvalid = "batch_code_invalid",
    BatchCodeTaken = "batch_code_taken",
    BoothsRequired = "booths_required",
    CartFull = "cart_full",
    CartInvalid = "cart_invalid",
    CountInvalid = "count_invalid",
    DateInvalid = "date_invalid",
    DatePast = "date_past",
    EmailInvalid = "email_invalid",
    EmailTaken = "email_taken",
    EndsBeforeStart = "ends_before_start",
    HolderInvalid = "holder_invalid",
    IncotermInvalid = "incoterm_invalid",
    Invalid = "invalid",
    MessageShort = "message_short",
    MobileInvalid = "mobile_invalid",
    NameOneLanguage = "name_one_language",
    PasswordLong = "password_long",
    PasswordShort = "password_short",
    PhoneInvalid = "phone_invalid",
    PriceInvalid = "price_invalid",
    QuantityInvalid = "quantity_invalid",
    RateLimited = "rate_limited",
    RatingInvalid = "rating_invalid",
    ReasonRequired = "reason_required",
    Required = "required",
    ReviewShort = "review_short",
    SlugInvalid = "slug_invalid",
    SlugTaken = "slug_taken",
    StarsInvalid = "stars_invalid",
    StockBelowZero = "stock_below_zero",
    StockDeltaInvalid = "stock_delta_invalid",
    StockReceivedNegative = "stock_received_negative",
    StockShort = "stock_short",
    StockWriteOffPositive = "stock_write_off_positive",
    TooLong = "too_long",
    TooMany = "too_many",
    TrackingRequired = "tracking_required",
    TransferUnavailable = "transfer_unavailable",
    UploadCorrupt = "upload_corrupt",
    UploadEmpty = "upload_empty",
    UploadNotImage = "upload_not_image",
    UploadTooLarge = "upload_too_large",
    UploadTooManyPixels = "upload_too_many_pixels",
    UploadTypeMismatch = "upload_type_mismatch",
    UrlDuplicate = "url_duplicate",
    UrlInvalid = "url_invalid",
    UrlWrongChannel = "url_wrong_channel",
    WrongPassword = "wrong_password",
    LinkInvalid = "link_invalid",
    StatementUnreadable = "statement_unreadable",
    }
}

codes! {
    /// Why a request that was well formed was refused: the state it met does not allow it (an
    /// order that already moved, a form sent twice, prices that changed). Like `FieldCode`, each
    /// has a sentence in both locale files (`errors.conflict.<name>`) that
    /// `ui::forms::ConflictMessage` matches without a catch-all.
    ConflictCode {
    AlreadyHidden = "already_hidden",
    AlreadyReviewed = "already_reviewed",
    ApplicationDecided = "application_decided",
    CooperativeStatusChanged = "cooperative_status_changed",
    FairChanged = "fair_changed",
    FairNotRunning = "fair_not_running",
    FairNotUpcoming = "fair_not_upcoming",
    HiddenByDepartment = "hidden_by_department",
    IdempotencyKeyReused = "idempotency_key_reused",
    LeadTransition = "lead_transition",
    MembershipFromCooperative = "membership_from_cooperative",
    NotHidden = "not_hidden",
    NotYourself = "not_yourself",
    PricesChanged = "prices_changed",
    TransitionNotAllowed = "transition_not_allowed",
    MailNotFailed = "mail_not_failed",
    EmailNotVerified = "email_not_verified",
    ShippingChanged = "shipping_changed",
    PaymentRecorded = "payment_recorded",
    }
}

/// A problem with one input field, shown beside it in the user's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub code: FieldCode,
}

impl FieldError {
    pub fn new(field: &str, code: FieldCode) -> FieldError {
        FieldError { field: field.to_owned(), code }
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
    #[error("conflict: {}", .0.as_str())]
    Conflict(ConflictCode),
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

/// Sends a refused plain form to `page` (a path) rather than back to the page it was sent from,
/// saying why as Leptos does (`__path`, `__err`), so that the form layer keeps what was typed the
/// same way (`drafts`): for a form that several pages carry and one page shows best.
#[cfg(feature = "ssr")]
pub fn redirect_refused(page: &str, server_fn: &str, error: &AppError) {
    use leptos::server_fn::error::ServerFnUrlError;
    if !is_plain_form_post() {
        return;
    }
    // `to_url` takes an absolute address; only its path and query are kept.
    match ServerFnUrlError::new(server_fn, error.clone()).to_url(&format!("http://localhost{page}")) {
        Ok(url) => leptos_axum::redirect(&format!("{}?{}", url.path(), url.query().unwrap_or_default())),
        Err(e) => tracing::warn!(error = %e, page, "a refused form's page is not a path"),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Each code's name (`names`, with what `as_str`, `parse` and serde make of it) has a sentence
    /// in both locale files under `errors.<group>`.
    fn each_code_has_one_name_and_a_sentence<C>(
        codes: &[C],
        group: &str,
        as_str: fn(C) -> &'static str,
        parse: fn(&str) -> Option<C>,
    ) where
        C: Copy + PartialEq + std::fmt::Debug + Serialize,
    {
        let locales: Vec<serde_json::Value> =
            [include_str!("../locales/en.json"), include_str!("../locales/vi.json")]
                .iter()
                .map(|text| serde_json::from_str(text).expect("a locale file"))
                .collect();
        for &code in codes {
            let name = as_str(code);
            assert_eq!(serde_json::to_string(&code).ok(), Some(format!("\"{name}\"")));
            assert_eq!(parse(name), Some(code));
            for locale in &locales {
                assert!(locale["errors"][group][name].is_string(), "errors.{group}.{name} is missing");
            }
        }
        assert_eq!(parse("no_such_code"), None);
    }

    /// The name a code travels by (JSON, drafts) is the one `as_str` and `parse` use, and each
    /// code has a sentence in both locale files.
    #[test]
    fn every_field_code_has_one_name_and_a_sentence_in_both_languages() {
        each_code_has_one_name_and_a_sentence(FieldCode::ALL, "field", FieldCode::as_str, FieldCode::parse);
        let stored = serde_json::to_string(&FieldError::new("email", FieldCode::EmailTaken)).expect("json");
        assert_eq!(stored, r#"{"field":"email","code":"email_taken"}"#, "drafts stored before still read");
    }

    /// The same for the refusals' codes (`errors.conflict.<name>`), whose JSON is the one the
    /// string codes had.
    #[test]
    fn every_conflict_code_has_one_name_and_a_sentence_in_both_languages() {
        each_code_has_one_name_and_a_sentence(
            ConflictCode::ALL,
            "conflict",
            ConflictCode::as_str,
            ConflictCode::parse,
        );
        let sent = serde_json::to_string(&AppError::Conflict(ConflictCode::PricesChanged)).expect("json");
        assert_eq!(sent, r#"{"Conflict":"prices_changed"}"#, "the same JSON as when codes were strings");
    }
}
