//! The cooperative dashboard: the overview, products with their photos, certificates and
//! channel listings, and the cooperative's own profile. Every row a member touches is
//! checked against the member's cooperative on the server.
pub mod api;
pub mod contact;
pub mod frame;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod service;
