#!/usr/bin/env bash
# Lints, run before committing and by CI after the test command (.ci/run): formatting, then clippy
# with warnings as errors on the server side (app with ssr, server, all targets) and on the WASM side
# (frontend for wasm32). Not part of scripts/test.sh: clippy is a second, check-mode compile of every
# crate (about 4 minutes on 2 cores), which a developer running the tests need not wait for.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
cargo fmt --all --check
# The flags and variables of the dev build (scripts/test.sh), so the build scripts and proc macros
# it compiled are reused rather than compiled again with other flags.
export LEPTOS_LIB_DIR=frontend LEPTOS_BIN_DIR=server LEPTOS_JS_MINIFY=false LEPTOS_HASH_FILES=false
RUSTFLAGS="--cfg erase_components" cargo clippy -p app -p server -p bench --features app/ssr --all-targets -- -D warnings
RUSTFLAGS="-Clink-args=--emit-relocs --cfg erase_components" \
  cargo clippy -p frontend --target wasm32-unknown-unknown --target-dir target/front -- -D warnings
