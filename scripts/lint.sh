#!/usr/bin/env bash
# Lints, before committing: formatting, then clippy with warnings as errors on the server side
# (app with ssr, server, bench: libraries, binaries and tests) and on the WASM side (frontend and
# app for wasm32). Clippy is the compiler of the workspace's crates in every build (scripts/env.sh),
# so this is the compile step of scripts/test.sh, which CI runs: the same artifacts, no second
# compile. It stops at the first lint.
set -euo pipefail
cd "$(dirname "$0")/.."
OCOP_SETUP_TEST=1 scripts/setup.sh --no-cargo-tools
source scripts/env.sh
cargo fmt --all --check
export LEPTOS_LIB_DIR=frontend LEPTOS_BIN_DIR=server LEPTOS_JS_MINIFY=false LEPTOS_HASH_FILES=false
RUSTFLAGS="--cfg erase_components" cargo nextest run -p app -p server -p bench --features app/ssr --no-run
RUSTFLAGS="-Clink-args=--emit-relocs --cfg erase_components" \
  cargo build --package=frontend --lib --target-dir="$ROOT/target/front" --target=wasm32-unknown-unknown \
  --no-default-features
