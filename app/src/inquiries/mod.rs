//! Export (B2B) inquiries: the form on booth and product pages (works without JavaScript; a
//! refused form comes back as typed), the cooperative's lead pipeline, and the department's view
//! of province-wide export demand.
pub mod api;
pub mod form;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
