//! Vietnamese-aware search: text folding, the full-text match on both databases, and suggestions.
pub mod api;
#[cfg(feature = "ssr")]
pub mod fold;
pub mod model;
#[cfg(feature = "ssr")]
pub mod service;
pub mod suggest_box;
