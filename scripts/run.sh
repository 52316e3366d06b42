#!/usr/bin/env bash
# README command 1: install what is missing, build, and serve OCOP Market with demo data on
# SQLite at http://127.0.0.1:3000. A second run reuses the installed tools and the build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
scripts/build.sh
export DATABASE_URL="${DATABASE_URL:-sqlite://data/ocop.db}"
echo "Serving OCOP Market at http://$LEPTOS_SITE_ADDR (database: $DATABASE_URL)"
exec target/release/server "$@"
