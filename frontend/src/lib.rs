//! The browser entry point: the islands of the app, hydrated over the server-rendered page.
#![recursion_limit = "512"]

#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

pub use app::hydrate;
