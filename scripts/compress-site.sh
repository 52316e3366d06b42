#!/usr/bin/env bash
# Brotli and gzip copies of a site's bundle (WASM, JS, CSS), so the server sends them
# pre-compressed: scripts/compress-site.sh [pkg dir, default target/site/pkg]
set -euo pipefail
dir="${1:-target/site/pkg}"
# cargo-leptos minifies the app's JS but not the WASM split loader it writes beside it; every page
# loads that loader, and its comments and long names cost 2.2 KB brotli (5,056 -> 2,872 B).
for f in "$dir"/__wasm_split*.js; do
  [ -f "$f" ] || continue
  if ! head -c 200 "$f" | grep -q '^// minified'; then
    { echo '// minified'; terser "$f" --module --compress --mangle; } >"$f.min" && mv "$f.min" "$f"
  fi
done
for f in "$dir"/*.wasm "$dir"/*.js "$dir"/*.css; do
  [ -f "$f" ] || continue
  if [ ! -f "$f.br" ] || [ "$f" -nt "$f.br" ]; then
    if command -v brotli >/dev/null; then brotli -f -q 11 -k -o "$f.br" "$f"; fi
    gzip -f -9 -k "$f"
  fi
done
