#!/usr/bin/env bash
# Sets up what is missing, then runs every test: formatting and lints, the Rust unit and
# integration tests (real server processes, real sockets; each suite on SQLite and on
# PostgreSQL unless it is about one store, plus the tests of several instances), and the Playwright end-to-end tests
# in Debian's Chromium. Everything is built once, in release, and linted by clippy as it
# compiles: the tests link the very dependencies of the server that ships, and every server
# process in the tests is that release binary. A private
# PostgreSQL cluster is started for the run and stopped at the end, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser --postgres
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> release build, linted as it compiles (clippy -D warnings; scripts/build-site.sh)"
# `cargo clippy` is `cargo check` with clippy-driver as the compiler of the workspace's own
# crates. Set as that wrapper here, it lints the very builds the tests need (the WASM bundle,
# the server, below every test target) instead of a check build of every dependency beside
# them: minutes less on 2 cores, the same lints. First: the integration tests run this server
# (TEST_SERVER_BIN), Playwright the site.
RUSTC_WORKSPACE_WRAPPER=$(command -v clippy-driver)
CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
export RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS
scripts/build-site.sh
export TEST_SERVER_BIN="$PWD/target/release/server"

echo "==> PostgreSQL for the tests"
pg_dir=$(mktemp -d /tmp/tiempo-real-test-pg.XXXXXX)
trap 'scripts/pg-cluster.sh stop "$pg_dir" || true; rm -rf "$pg_dir"' EXIT
TEST_DATABASE_URL=$(scripts/pg-cluster.sh start "$pg_dir")
export TEST_DATABASE_URL
echo "    $TEST_DATABASE_URL"

echo "==> cargo test (unit and integration; each suite on both stores unless it is about one)"
# Every test says on which stores it runs (server/tests/support: on_each_store!, on_sqlite!,
# on_postgres!), so one run covers SQLite and the cluster above.
cargo test --release -p app -p server

echo "==> Playwright"
(cd end2end && npx playwright test)
