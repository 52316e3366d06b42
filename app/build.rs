//! Generates the typed `i18n` module from `locales/vi.json` and `locales/en.json`.
use leptos_i18n_build::{Config, TranslationsInfos};
use std::error::Error;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    // sqlx::migrate! embeds the migration files; a new one must rebuild the crate.
    println!("cargo::rerun-if-changed=migrations");
    let out_dir = std::env::var_os("OUT_DIR").ok_or("cargo did not set OUT_DIR")?;
    // Vietnamese is the default: the fallback when neither the cookie nor Accept-Language choose.
    let mut cfg = Config::new("vi")?.add_locale("en")?;
    // Interpolated strings are also needed as plain text (aria-label, title, meta).
    cfg.options = cfg.options.interpolate_display(true);
    let infos = TranslationsInfos::parse(cfg)?;
    infos.emit_diagnostics();
    infos.rerun_if_locales_changed();
    infos.generate_i18n_module(PathBuf::from(out_dir).join("i18n"))?;
    Ok(())
}
