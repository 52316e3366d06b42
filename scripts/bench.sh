#!/usr/bin/env bash
# Benchmarks for the README (not part of the tests): search latency and /products throughput
# on SQLite with 100,000 synthetic products, the admin dashboard with 1,000,000 orders, checkout
# throughput on SQLite and PostgreSQL, and the first-load bytes of the product page.
set -euo pipefail
cd "$(dirname "$0")/.."
OCOP_SETUP_TEST=1 scripts/setup.sh >/dev/null
source scripts/env.sh
[ -x target/release/server ] && [ -f target/site/pkg/ocop.wasm ] || scripts/build.sh
# The benchmarks and generators are a binary of their own, so the server ships none of them.
cargo build --release -p bench
BENCH=target/release/ocop-bench
DIR=target/bench
PORT=3200
DB="sqlite://$DIR/ocop.db"
mkdir -p "$DIR"
if [ ! -f "$DIR/ocop.db" ]; then
  DATABASE_URL="$DB" RUST_LOG=warn "$BENCH" generate-products "${BENCH_PRODUCTS:-100000}"
fi

echo "== search latency (server-side, in process)"
DATABASE_URL="$DB" RUST_LOG=error "$BENCH" bench-search 10

echo "== the admin dashboard's first render, server-side (1,000,000 synthetic orders added once)"
if [ ! -f "$DIR/orders-generated" ]; then
  DATABASE_URL="$DB" RUST_LOG=warn "$BENCH" generate-orders "${BENCH_ORDERS:-1000000}"
  touch "$DIR/orders-generated"
fi
DATABASE_URL="$DB" RUST_LOG=error "$BENCH" bench-dashboard 20

echo "== checkout throughput and latency (in process, each checkout = 2 orders in one transaction)"
rm -f "$DIR"/checkout.db*
for sync in normal full; do
  for workers in 1 8 32; do
    echo "-- SQLite synchronous=$sync, $workers workers"
    DATABASE_URL="sqlite://$DIR/checkout.db" SQLITE_SYNCHRONOUS=$sync RUST_LOG=error \
      "$BENCH" bench-checkout "${BENCH_SECONDS:-10}" "$workers" | tail -2
  done
done
if pg_isready -q -h 127.0.0.1; then
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS ocop_bench" -c "CREATE DATABASE ocop_bench"
  for workers in 1 8 32; do
    echo "-- PostgreSQL, $workers workers"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ocop_bench RUST_LOG=error \
      "$BENCH" bench-checkout "${BENCH_SECONDS:-10}" "$workers" | tail -2
  done
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE ocop_bench"
fi

echo "== /products throughput, 64 connections, against a static file of the same size"
DATABASE_URL="$DB" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" RUST_LOG=error target/release/server &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fsS "http://127.0.0.1:$PORT/products" -o target/site/bench-static.html
echo "page size: $(wc -c < target/site/bench-static.html) bytes"
for url in /products /bench-static.html; do
  echo "-- $url"
  wrk -t2 -c64 -d"${BENCH_SECONDS:-15}"s --latency "http://127.0.0.1:$PORT$url" | grep -E 'Requests/sec|50%|99%|Non-2xx|Socket'
done
rm -f target/site/bench-static.html

echo "== first-load bytes of the product page and the list (JS + WASM + CSS, as Chromium fetches them)"
(cd end2end && node tools/first-load.mjs "http://127.0.0.1:$PORT" /p/tra-dau-den-xanh-long-tui-loc \
  && node tools/first-load.mjs "http://127.0.0.1:$PORT" /products | tail -1)

echo "== live delivery latency and memory per WebSocket connection (1,000 and 10,000 clients on one booth)"
"$BENCH" bench-live "${BENCH_LIVE_CLIENTS:-1000,10000}" "${BENCH_LIVE_SECONDS:-10}"
