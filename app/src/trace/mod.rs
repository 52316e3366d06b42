//! QR cards and traceability: each product's public record at `/t/<code>` (producer, district,
//! OCOP certificate, the batches its cooperative records), its QR code, and each booth's
//! printable QR card for physical fairs. The public pages are small standalone documents with no
//! WASM (`documents`), served by the server; the batch editor lives in the product editor.
pub mod api;
#[cfg(feature = "ssr")]
pub mod documents;
pub mod model;
#[cfg(feature = "ssr")]
pub mod qr;
#[cfg(feature = "ssr")]
pub mod service;
pub mod widgets;
