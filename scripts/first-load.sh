#!/usr/bin/env bash
# The first-load budget, checked by the test command: builds the release WASM bundle (the one
# scripts/run.sh ships: wasm-release profile, wasm-opt, --split) into target/site-release,
# pre-compresses it as scripts/build.sh does, serves it with an already built server binary and
# has Chromium load a product page and the product list. Fails when the product page fetches
# more than FIRST_LOAD_BUDGET bytes of JS + WASM + CSS over the wire.
#   scripts/first-load.sh [server binary, default target/debug/server]
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
# Issue 18's budget: 150 KB (150,000 B) of JS + WASM + CSS on the wire for a product page. Measured
# 148,276 B on 2026-12-06 (session 16), 147,580 B in session 15; 147,786 B in session 14, 176,729 B before, 235-241 KB when
# the issue was filed.
BUDGET="${FIRST_LOAD_BUDGET:-150000}"
# The server is the test build's debug binary. cargo-leptos adds `--cfg erase_components` to debug builds
# only, so it renders components type-erased while the release WASM expects the typed tree: most pages
# agree, but the product editor's island does not hydrate in this pairing (production builds both in
# release). The pages checked here hydrate.
SERVER="${1:-target/debug/server}"
PORT="${FIRST_LOAD_PORT:-3102}"
SITE=target/site-release
# The release build compiles into target/front/…/wasm-release, where scripts/build.sh finds it.
# A fresh pkg directory: chunk files left from an earlier split (their numbering changes from build to
# build) have made cargo-leptos's wasm-opt step fail ("Failed opening chunk_154.wasm").
rm -rf "$SITE/pkg"
# Minified JS as scripts/build.sh ships it (the test command turns minifying off for its dev build).
LEPTOS_JS_MINIFY=true LEPTOS_SITE_ROOT="$SITE" cargo leptos build --release --split --frontend-only
scripts/compress-site.sh "$SITE/pkg"
WORK=target/first-load
rm -rf "$WORK" && mkdir -p "$WORK"
LEPTOS_SITE_ROOT="$SITE" DATABASE_URL="sqlite://$WORK/ocop.db" MEDIA_DIR="$WORK/media" \
  LEPTOS_SITE_ADDR="127.0.0.1:$PORT" PUBLIC_URL="http://127.0.0.1:$PORT" RUST_LOG=warn \
  "$SERVER" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  kill -0 $SERVER_PID 2>/dev/null || { cat "$WORK/server.log"; exit 1; }
  sleep 0.5
done
cd end2end
# /login shows a lazy island: the check that every WASM chunk a page fetches was preloaded.
node tools/first-load.mjs "http://127.0.0.1:$PORT" /p/tra-dau-den-xanh-long-tui-loc /products /login --budget "$BUDGET"
