#!/usr/bin/env bash
# README command 2: every test. Unit and integration tests (on real SQLite and real
# PostgreSQL), then the Playwright journeys in Debian's Chromium against the same build.
# Fails if any test fails. PostgreSQL is never skipped silently: when it cannot be reached the
# run says so loudly, and fails when CI is set.
#
# Everything is built once, in the dev profile. A release build compiles the large `app` crate
# at opt-level 3 and the WASM with LTO, which on 2 cores does not fit CI's budget. Clippy is the
# compiler of the workspace's own crates in these builds (scripts/env.sh): a lint warning fails
# the compile step, at no second compile of the dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target
OCOP_SETUP_TEST=1 scripts/setup.sh --no-cargo-tools
source scripts/env.sh
# cargo-leptos and the wasm-bindgen CLI compile from source (~20 min on 2 cores the first time).
# Only the WASM step needs them, so they compile in the background while the tests compile.
scripts/setup.sh --cargo-tools >target/setup-cargo-tools.log 2>&1 &
TOOLS_PID=$!
trap 'kill $TOOLS_PID 2>/dev/null || true' EXIT

banner() { printf '\n\033[1;41m %s \033[0m\n\n' "$*" >&2; }
step() { printf '\n\033[1;34m== [%ss] %s\033[0m\n' "$SECONDS" "$*"; }

PG_URL="${OCOP_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
pg_up() { psql "$PG_URL" -Atqc 'SELECT 1' >/dev/null 2>&1; }
if ! pg_up && [ -d /etc/postgresql ]; then
  echo "PostgreSQL is not answering; trying to start it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 20); do pg_up && break; sleep 0.5; done
fi
if pg_up; then
  export OCOP_PG_ADMIN_URL="$PG_URL"
  unset OCOP_SKIP_PG
  # Databases left by an interrupted run.
  psql "$PG_URL" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'ocop_test_%'" |
    while read -r name; do psql "$PG_URL" -qc "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)"; done
else
  banner "PostgreSQL is NOT reachable at $PG_URL: the PostgreSQL half of the integration tests cannot run"
  if [ -n "${CI:-}" ]; then
    exit 1
  fi
  banner "CI is not set, so the run goes on with OCOP_SKIP_PG=1 and every PostgreSQL test prints SKIPPED"
  export OCOP_SKIP_PG=1
fi

step "format"
cargo fmt --all --check

# Everything is built once, in the dev profile, with the variables cargo-leptos gives its server
# build (RUSTFLAGS and LEPTOS_*): the test build and `cargo leptos build` then share every
# dependency, `app` and the server binary instead of compiling them twice.
export LEPTOS_LIB_DIR=frontend LEPTOS_BIN_DIR=server LEPTOS_JS_MINIFY=false LEPTOS_HASH_FILES=false
NEXTEST=(cargo nextest run -p app -p server -p bench --features app/ssr)

step "compile the tests and the WASM library (the build tools compile alongside)"
# The very command and variables `cargo leptos build` uses for the WASM library (its log prints
# them), started early: when cargo-leptos runs it below, it is already fresh.
RUSTFLAGS="-Clink-args=--emit-relocs --cfg erase_components" \
  cargo build --package=frontend --lib --target-dir="$ROOT/target/front" --target=wasm32-unknown-unknown \
  --no-default-features >target/wasm-build.log 2>&1 &
WASM_PID=$!
trap 'kill $TOOLS_PID $WASM_PID 2>/dev/null || true' EXIT
RUSTFLAGS="--cfg erase_components" "${NEXTEST[@]}" --no-run
if ! wait $WASM_PID; then
  cat target/wasm-build.log
  exit 1
fi

step "build the WASM bundle and the site (dev profile)"
if ! wait $TOOLS_PID; then
  cat target/setup-cargo-tools.log
  exit 1
fi
cargo leptos build --split

step "unit and integration tests (SQLite and PostgreSQL, S3 through moto, SMTP through aiosmtpd)"
S3_PORT="${S3_PORT:-9400}"
PYTHONPATH=.tools/python python3 -m moto.server -p "$S3_PORT" >target/moto.log 2>&1 &
MOTO_PID=$!
# The SMTP server the email tests and the journeys send to; it writes each email it receives
# into a maildir, where they read it.
SMTP_PORT="${SMTP_PORT:-2525}"
export OCOP_TEST_MAILDIR="$ROOT/target/maildir"
rm -rf "$OCOP_TEST_MAILDIR"
PYTHONPATH=.tools/python python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" \
  -c aiosmtpd.handlers.Mailbox "$OCOP_TEST_MAILDIR" >target/smtpd.log 2>&1 &
SMTPD_PID=$!
export OCOP_TEST_SMTP="smtp://127.0.0.1:$SMTP_PORT"
trap 'kill $MOTO_PID $SMTPD_PID $TOOLS_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  (exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT") 2>/dev/null && break
  sleep 0.5
done
for _ in $(seq 1 60); do
  curl -fsS -X PUT "http://127.0.0.1:$S3_PORT/ocop-test-media" >/dev/null 2>&1 && break
  sleep 0.5
done
RUSTFLAGS="--cfg erase_components" \
OCOP_S3_BUCKET=ocop-test-media AWS_ENDPOINT="http://127.0.0.1:$S3_PORT" AWS_ALLOW_HTTP=true \
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 \
  "${NEXTEST[@]}" --no-fail-fast
kill $MOTO_PID 2>/dev/null || true
# aiosmtpd keeps running: the journeys read the emails the server sends.

step "end-to-end journeys in Chromium"
E2E_PORT="${E2E_PORT:-3100}"
E2E_DIR=target/e2e
rm -rf "$E2E_DIR" && mkdir -p "$E2E_DIR"
DATABASE_URL="sqlite://$E2E_DIR/ocop.db" MEDIA_DIR="$E2E_DIR/media" LEPTOS_SITE_ADDR="127.0.0.1:$E2E_PORT" \
  PUBLIC_URL="http://127.0.0.1:$E2E_PORT" RUST_LOG=warn SMTP_URL="$OCOP_TEST_SMTP" \
  target/debug/server >"$E2E_DIR/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill $SERVER_PID $MOTO_PID $SMTPD_PID $TOOLS_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$E2E_PORT/readyz" >/dev/null 2>&1 && break
  kill -0 $SERVER_PID 2>/dev/null || { cat "$E2E_DIR/server.log"; exit 1; }
  sleep 0.5
done
(cd end2end && BASE_URL="http://127.0.0.1:$E2E_PORT" MAILDIR="$OCOP_TEST_MAILDIR" npx playwright test)
kill $SERVER_PID $SMTPD_PID 2>/dev/null || true

step "first-load budget: the release WASM bundle, as Chromium fetches it for a product page"
# The shipped bundle is the release one (wasm-release profile, wasm-opt), so it is built here;
# scripts/run.sh then finds it built.
scripts/first-load.sh target/debug/server
echo "all tests passed in ${SECONDS}s"
