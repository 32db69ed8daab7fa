#!/usr/bin/env bash
# Sets up what is missing, builds the release app and starts it on http://127.0.0.1:8080.
# HOST, PORT and DATA_DIR change where it listens and keeps its data (see README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"
scripts/build-site.sh
export LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=tiempo_real LEPTOS_ENV=PROD
exec target/release/server
