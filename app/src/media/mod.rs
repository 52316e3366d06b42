//! Product photos (and later banners and logos): upload checks, re-encoding to WebP, and the
//! storage they go to (the local filesystem, or an S3-compatible store).
pub mod model;

#[cfg(feature = "ssr")]
pub mod image;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
