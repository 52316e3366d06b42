#!/usr/bin/env bash
# Installs whatever this machine lacks to build, serve and test OCOP Market.
# Everything project-specific goes under .tools/ inside the repository (nothing is cached
# elsewhere); system packages (Chromium, brotli, wrk) come from Debian's apt.
# Safe to run again: each step checks before it installs.
#
#   scripts/setup.sh                 everything
#   scripts/setup.sh --cargo-tools   only cargo-leptos and wasm-bindgen (compiled from source, ~20 min)
#   scripts/setup.sh --no-cargo-tools everything else (apt, npm, PyPI: about a minute)
# scripts/test.sh runs the two halves side by side, compiling the tests while the tools compile.
set -euo pipefail
PART="${1:-all}"
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TOOLS="$ROOT/.tools"
mkdir -p "$TOOLS/bin"
export PATH="$TOOLS/bin:$TOOLS/npm/bin:$PATH"

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

# cargo-leptos 0.3.11 needs rustc >= 1.96; 0.3.10 with `no_downloads` uses the tools on PATH
# instead of fetching them from GitHub, which this network does not reach.
CARGO_LEPTOS_VERSION=0.3.10
SASS_VERSION=1.108.2
BINARYEN_VERSION=132.0.0
TERSER_VERSION=5.51.4

# clippy-driver compiles the workspace's own crates (scripts/env.sh); rustfmt checks the format.
for component in clippy rustfmt; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "adding the $component component"
    rustup component add "$component"
  fi
done

if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The build tools and nextest are compiled unoptimised without LTO: they only orchestrate, or
# rewrite files of a few megabytes. The crates that walk the WASM module (walrus, wasm-bindgen's post-processing)
# keep opt-level 1, since they run on every build.
fast_install() {
  CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 CARGO_PROFILE_RELEASE_INCREMENTAL=false cargo install \
    --config 'profile.release.package.walrus.opt-level=1' \
    --config 'profile.release.package.wasm-bindgen-cli-support.opt-level=1' \
    --config 'profile.release.package.wasm-bindgen-wasm-interpreter.opt-level=1' \
    --config 'profile.release.package.wasmparser.opt-level=1' "$@"
}

if [ "$PART" != --no-cargo-tools ]; then

if ! "$TOOLS/bin/cargo-leptos" --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (no_downloads); this takes ~20 min on 2 cores"
  fast_install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads --root "$TOOLS"
fi

# The CLI must be the exact version of the wasm-bindgen crate in Cargo.lock.
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if ! "$TOOLS/bin/wasm-bindgen" --version 2>/dev/null | grep -q "$WB_VERSION"; then
  say "installing wasm-bindgen-cli $WB_VERSION"
  # Not --locked: its lockfile pins a crate version that the registry no longer serves.
  fast_install wasm-bindgen-cli --version "$WB_VERSION" --root "$TOOLS" --force
fi

fi
[ "$PART" = --cargo-tools ] && exit 0

if ! "$TOOLS/npm/bin/sass" --version 2>/dev/null | grep -q "$SASS_VERSION" \
  || ! [ -x "$TOOLS/npm/bin/wasm-opt" ] \
  || ! "$TOOLS/npm/bin/terser" --version 2>/dev/null | grep -q "$TERSER_VERSION"; then
  say "installing sass $SASS_VERSION, binaryen $BINARYEN_VERSION (wasm-opt) and terser $TERSER_VERSION from npm"
  npm install --global --prefix "$TOOLS/npm" --no-audit --no-fund \
    "sass@$SASS_VERSION" "binaryen@$BINARYEN_VERSION" "terser@$TERSER_VERSION"
fi

apt_install() {
  local missing=()
  for pkg in "$@"; do command -v "${pkg%%:*}" >/dev/null || missing+=("${pkg##*:}"); done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} from apt"
    local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
  fi
}
# brotli pre-compresses the WASM bundle (command:package).
apt_install brotli:brotli

if [ "${OCOP_SETUP_TEST:-0}" = 1 ]; then
  apt_install chromium:chromium wrk:wrk
  if ! command -v cargo-nextest >/dev/null; then
    say "installing cargo-nextest"
    fast_install cargo-nextest --locked --root "$TOOLS"
  fi
  # An S3-compatible server for the media store's S3 test (moto, from PyPI, inside .tools/).
  MOTO_VERSION=5.2.5
  if ! PYTHONPATH="$TOOLS/python" python3 -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    say "installing moto $MOTO_VERSION (S3-compatible test server)"
    python3 -m pip install --quiet --disable-pip-version-check --target "$TOOLS/python" "moto[server]==$MOTO_VERSION"
  fi
  # An SMTP server for the email tests: it keeps what it receives in a maildir the tests read.
  AIOSMTPD_VERSION=1.4.6
  if ! PYTHONPATH="$TOOLS/python" python3 -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_VERSION')" 2>/dev/null; then
    say "installing aiosmtpd $AIOSMTPD_VERSION (SMTP test server)"
    python3 -m pip install --quiet --disable-pip-version-check --target "$TOOLS/python" "aiosmtpd==$AIOSMTPD_VERSION"
  fi
  if [ ! -d end2end/node_modules ] || [ end2end/package-lock.json -nt end2end/node_modules ]; then
    say "installing the end-to-end test packages (Playwright uses Debian's Chromium, never its own)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  fi
fi
[ "$PART" = --no-cargo-tools ] || say "tools ready: $(cargo-leptos --version), wasm-bindgen $WB_VERSION, sass $SASS_VERSION"
