//! The catalogue: products, cooperatives, OCOP certificates, and the storefront pages that show them.
pub mod api;
#[cfg(feature = "ssr")]
pub mod cache;
pub mod components;
#[cfg(feature = "ssr")]
pub mod index;
pub mod live;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
