#!/usr/bin/env bash
# Load with a fault: a minute of mixed traffic (browsing, search, suggestions, cart adds,
# checkouts from wrk; booth chat from scripts/load/chat.py, 16 visitors on their own sockets)
# against the real server while the database goes away once:
#   PostgreSQL: the cluster is restarted (pg_ctlcluster restart);
#   SQLite:     another process holds the write lock for 10 s (BEGIN IMMEDIATE … ROLLBACK).
# A probe asks /readyz and the cart every 250 ms and logs what it got and how long it took, to
# show the server answering 503 while it cannot reach the database and recovering by itself.
# No request may hang past the server's 30 s timeout.
#
#   scripts/faults.sh [sqlite|postgres|both]   (default both; SERVER_BIN, SECONDS, FAULT_AT)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
WHICH="${1:-both}"
BIN="${SERVER_BIN:-target/debug/server}"
DURATION="${SECONDS_OF_LOAD:-60}"
FAULT_AT="${FAULT_AT:-20}"
PORT=3400
DIR=target/faults
mkdir -p "$DIR"
[ -x "$BIN" ] || { echo "build the server first ($BIN)"; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: scripts/setup.sh installs it"; exit 1; }
PG_ADMIN="${OCOP_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

run() {
  local kind=$1 url=$2
  local log="$DIR/server-$kind.log"
  # The chat visitors come "through" 127.0.0.1 with addresses of their own, so each has its own
  # per-address limits, as real visitors would.
  DATABASE_URL="$url" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" PUBLIC_URL="http://127.0.0.1:$PORT" \
    TRUSTED_PROXIES=127.0.0.1/32 MEDIA_DIR="$DIR/media" RUST_LOG=warn "$BIN" >"$log" 2>&1 &
  local server=$!
  trap "kill $server 2>/dev/null || true" RETURN
  for _ in $(seq 1 240); do curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.25; done
  sleep 1
  local cookie
  cookie=$(curl -s -D - -o /dev/null -H 'Accept: application/json' \
    --data 'email=shopper%40ocop.demo&password=shopper-demo-2026&next=%2F' \
    "http://127.0.0.1:$PORT/api/accounts/login" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' | head -n1)
  [ -n "$cookie" ] || { echo "could not log in"; cat "$log"; return 1; }
  local q="SELECT p.slug, p.id, p.price_vnd FROM products p JOIN cooperatives c ON c.id = p.cooperative_id
           WHERE p.status = 'published' AND c.status = 'approved' ORDER BY p.id"
  local rows stock="UPDATE products SET stock = 1000000"
  if [ "$kind" = sqlite ]; then
    python3 - "$DIR/ocop-sqlite.db" "$stock" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=30); c.execute(sys.argv[2]); c.commit()
PY
    rows=$(python3 -c "import sqlite3,sys; [print('|'.join(map(str,r))) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])]" "$DIR/ocop-sqlite.db" "$q")
  else
    psql "$url" -qc "$stock"
    rows=$(psql "$url" -Atc "$q")
  fi
  local slugs lines booth
  slugs=$(echo "$rows" | cut -d'|' -f1 | paste -sd, -)
  local bq="SELECT MIN(id) FROM cooperatives WHERE status = 'approved'"
  if [ "$kind" = sqlite ]; then
    booth=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$DIR/ocop-sqlite.db" "$bq")
  else
    booth=$(psql "$url" -Atc "$bq")
  fi
  lines=$(echo "$rows" | head -n1 | awk -F'|' '{ printf "%s:1%%40%s", $2, $3 }')
  # The probe: one line per 250 ms, "t status seconds" for /readyz and for the cart.
  (
    start=$(date +%s.%N)
    while kill -0 $server 2>/dev/null; do
      now=$(date +%s.%N)
      r=$(curl -s -o /dev/null -m 35 -w '%{http_code} %{time_total}' "http://127.0.0.1:$PORT/readyz" || echo "000 0")
      c=$(curl -s -o /dev/null -m 35 -w '%{http_code} %{time_total}' -H "Cookie: $cookie" -H 'Accept: application/json' \
        "http://127.0.0.1:$PORT/api/orders/cart" || echo "000 0")
      echo "$(echo "$now - $start" | bc) $r $c"
      sleep 0.25
    done
  ) >"$DIR/probe-$kind.log" 2>/dev/null &
  local probe=$!
  (
    sleep "$FAULT_AT"
    if [ "$kind" = sqlite ]; then
      echo "fault: write lock held for 10 s at ${FAULT_AT}s"
      python3 - "$DIR/ocop-sqlite.db" <<'PY'
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], timeout=60, isolation_level=None)
c.execute("BEGIN IMMEDIATE"); time.sleep(10); c.execute("ROLLBACK")
PY
    else
      echo "fault: PostgreSQL restarted at ${FAULT_AT}s"
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main restart
    fi
  ) &
  local fault=$!
  python3 scripts/load/chat.py "$PORT" "$booth" "$DURATION" 16 &
  local chat=$!
  echo "== $kind: ${DURATION}s of mixed traffic, 2 threads, 32 connections, and booth chat"
  OCOP_COOKIE="$cookie" OCOP_SLUGS="$slugs" OCOP_LINES="$lines" \
    wrk -t2 -c32 -d"${DURATION}s" --timeout 35s -s scripts/load/mixed.lua "http://127.0.0.1:$PORT" |
    grep -E 'Requests/sec|Non-2xx|statuses|requests |Socket errors'
  wait $fault
  wait $chat || true
  kill $probe 2>/dev/null || true
  wait $probe 2>/dev/null || true
  kill $server 2>/dev/null || true
  # The 503 window and the recovery, from the probe.
  awk '{ if ($2 != 200 && !bad) { bad = $1 } if ($2 == 200 && bad && !ok) { ok = $1 }
         if ($3 > max) max = $3; if ($5 > max) max = $5; codes[$2 "/" $4]++ }
       END { printf "probe: readyz/cart statuses:"; for (c in codes) printf " %s x%d", c, codes[c];
             printf "; first non-200 at %.1f s, back to 200 at %.1f s; slowest probe %.2f s\n", bad, ok, max }' \
    "$DIR/probe-$kind.log"
}

if [ "$WHICH" = sqlite ] || [ "$WHICH" = both ]; then
  rm -f "$DIR"/ocop-sqlite.db*
  run sqlite "sqlite://$DIR/ocop-sqlite.db"
fi
if [ "$WHICH" = postgres ] || [ "$WHICH" = both ]; then
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS ocop_faults WITH (FORCE)" -c "CREATE DATABASE ocop_faults"
  run postgres "${PG_ADMIN%/*}/ocop_faults"
fi
