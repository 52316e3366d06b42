#!/usr/bin/env bash
# Brotli and gzip copies of a site's bundle (WASM, JS, CSS), so the server sends them
# pre-compressed: scripts/compress-site.sh [pkg dir, default target/site/pkg]
set -euo pipefail
dir="${1:-target/site/pkg}"
for f in "$dir"/*.wasm "$dir"/*.js "$dir"/*.css; do
  [ -f "$f" ] || continue
  if [ ! -f "$f.br" ] || [ "$f" -nt "$f.br" ]; then
    if command -v brotli >/dev/null; then brotli -f -q 11 -k -o "$f.br" "$f"; fi
    gzip -f -9 -k "$f"
  fi
done
