//! Photo types shared by the server and the browser.
use serde::{Deserialize, Serialize};

/// Uploads larger than this are refused.
pub const MAX_UPLOAD_BYTES: usize = 8 * 1024 * 1024;
/// The widths every photo is re-encoded to: cards and thumbnails, and the product page.
pub const SMALL_WIDTH: u32 = 400;
pub const LARGE_WIDTH: u32 = 1200;
/// At most this many photos per product.
pub const MAX_PHOTOS: i64 = 12;

/// A product photo as pages show it: two WebP renditions under `/media/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Photo {
    pub id: i64,
    pub small_url: String,
    pub large_url: String,
    pub width: i64,
    pub height: i64,
}

/// Where a photo should move in the product's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PhotoMove {
    /// Become the cover (first).
    Cover,
    Earlier,
    Later,
}

/// The public path of a stored rendition.
pub fn media_url(key: &str) -> String {
    format!("/media/{key}")
}
