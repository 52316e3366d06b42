//! Cart, checkout, orders and reviews: the multi-cooperative cart, a checkout that never
//! oversells or double-orders, the order pipeline each cooperative works through, and reviews
//! from verified purchases. Payment by bank transfer shows a VietQR code (`vietqr`).
pub mod api;
pub mod model;
pub mod pages;
pub mod payments;
#[cfg(feature = "ssr")]
pub mod service;
pub mod shipping;
pub mod vietqr;
pub mod widgets;
