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
