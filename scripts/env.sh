# Sourced by the other scripts: puts the project's own tools first on PATH and sets the
# variables cargo-leptos would set, so plain cargo builds of the server agree with its builds
# (leptos reads LEPTOS_OUTPUT_NAME at compile time; a mismatch means nothing hydrates).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$ROOT/.tools/bin:$ROOT/.tools/npm/bin:$PATH"
export LEPTOS_OUTPUT_NAME=ocop
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
export LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export LEPTOS_RELOAD_PORT="${LEPTOS_RELOAD_PORT:-3001}"
# Clippy runs inside every build of the workspace's own crates: cargo hands RUSTC_WORKSPACE_WRAPPER
# to them only, so the dependencies compile once with plain rustc and the lints cost no second,
# check-mode compile of everything (what `cargo clippy` would do). Warnings are errors, as in CI.
# CLIPPY_ARGS is clippy-driver's own list of flags (the separator is its documented one).
export RUSTC_WORKSPACE_WRAPPER="${RUSTC_WORKSPACE_WRAPPER-clippy-driver}"
export CLIPPY_ARGS="${CLIPPY_ARGS--D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__}"
