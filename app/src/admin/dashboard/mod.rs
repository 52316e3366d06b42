//! The live dashboard at `/admin`: KPI tiles pushed over the WebSocket, the activity feed, and
//! server-drawn charts with their filters in the URL.
pub mod api;
#[cfg(feature = "ssr")]
pub mod cache;
#[cfg(feature = "ssr")]
pub mod charts;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod push;
#[cfg(feature = "ssr")]
pub mod service;
