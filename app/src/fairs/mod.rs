//! Online display booths, virtual trade fairs and booth chat. Every approved cooperative has an
//! always-on booth; during a fair it is "live at" that fair. Visitor counts and chat arrive over
//! the live connection (`crate::live`).
pub mod api;
#[cfg(feature = "ssr")]
pub mod chat;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod editor;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
