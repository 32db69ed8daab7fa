#!/usr/bin/env bash
# Sets up what is missing, then runs every test: formatting and lints, the Rust unit and
# integration tests (real server, real sockets), and the Playwright end-to-end tests in
# Debian's Chromium against the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy"
cargo clippy -p app -p server --all-targets -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

echo "==> cargo test (unit and integration)"
cargo test -p app -p server

echo "==> cargo leptos build --release"
cargo leptos build --release

echo "==> Playwright"
(cd end2end && npx playwright test)
