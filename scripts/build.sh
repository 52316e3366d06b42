#!/usr/bin/env bash
# Release build of the server and the WASM bundle, then brotli and gzip copies of the bundle
# so the server can send them pre-compressed.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
# `--split`: lazy islands (dashboards, forms, the live list) go to their own WASM chunks, loaded only
# by the pages that show them; the storefront loads just the main module.
cargo leptos build --release --split
scripts/compress-site.sh target/site/pkg
ls -l target/site/pkg
