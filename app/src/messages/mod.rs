//! Messages: what people are told and its delivery. A message is written in the transaction of
//! the change that causes it (`service::tell`): a notice on each recipient's bell and an email in
//! the outbox, which a worker sends through SMTP (`outbox`, `mail`). Composed in the recipient's
//! language from the locale files (`compose`). The pages that show them (the bell, the notices,
//! the email choices, the admin's outbox) are the `notifications` domain's.
pub mod compose;
#[cfg(feature = "ssr")]
pub mod mail;
pub mod model;
#[cfg(feature = "ssr")]
pub mod outbox;
#[cfg(feature = "ssr")]
pub mod service;
