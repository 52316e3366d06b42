//! The provincial department's console: accounts (search, role, disable, with sessions ended at
//! once) and the audit log that every admin action writes.
pub mod api;
#[cfg(feature = "ssr")]
pub mod daily;
pub mod dashboard;
#[cfg(feature = "ssr")]
pub mod export;
pub mod list;
pub mod model;
#[cfg(feature = "ssr")]
pub mod moderation;
pub mod moderation_pages;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
