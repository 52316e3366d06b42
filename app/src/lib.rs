//! OCOP Market: the Leptos app, rendered on the server (`ssr`) and hydrated in the browser (`hydrate`).
#![recursion_limit = "256"]

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub mod accounts;
pub mod admin;
pub mod audit;
pub mod catalog;
pub mod certificates;
pub mod clock;
pub mod coops;
pub mod error;
pub mod fairs;
mod i18n_keys;
pub mod inquiries;
pub mod lang;
pub mod live;
pub mod media;
pub mod messages;
pub mod notifications;
pub mod orders;
pub mod search;
pub mod shell;
pub mod site;
#[cfg(feature = "ssr")]
pub mod socket;
pub mod trace;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod changes;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod drafts;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod seed;
#[cfg(feature = "ssr")]
pub mod token;

pub use shell::{App, shell};

/// The browser entry point: hydrates the islands of the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    leptos::mount::hydrate_islands();
}
