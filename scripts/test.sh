#!/usr/bin/env bash
# Sets up what is missing, then runs every test: formatting and lints, the Rust unit and
# integration tests (real server processes, real sockets; the suites run once on files and
# once on PostgreSQL, plus the tests of several instances), and the Playwright end-to-end tests
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

echo "==> cargo test (unit and integration on SQLite; several instances on PostgreSQL)"
cargo test --release -p app -p server
echo "==> cargo test (every suite that is not about one store, again on PostgreSQL)"
# `-p app -p server` as above: the same selection reuses the same builds (selecting `server`
# alone gives `app` another build hash and compiles every test binary a second time).
TEST_STORE=postgres cargo test --release -p app -p server --test api_products --test ws_products --test resume --test paging --test catalog_files --test chat --test robustness --test staff --test limits --test http_limits --test growth

echo "==> Playwright"
(cd end2end && npx playwright test)
