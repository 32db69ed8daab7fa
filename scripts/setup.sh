#!/usr/bin/env bash
# Installs everything the build and the tests need (cargo-leptos is not among them: see
# scripts/build-site.sh), skipping whatever is already in place, so a
# second run costs seconds. Nothing here downloads from GitHub: the wasm-bindgen CLI comes from
# crates.io at the exact version in Cargo.lock,
# wasm-opt from npm's `binaryen`, and Chromium from Debian. See README.md ("Set-up").
#
# Usage: scripts/setup.sh [--browser] [--postgres]
#   --browser   also Chromium, for the end-to-end tests
#   --postgres  also PostgreSQL's server binaries, for the tests of several instances
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=false
want_postgres=false
for option in "$@"; do
  case "$option" in
    --browser) want_browser=true ;;
    --postgres) want_postgres=true ;;
    *) echo "setup.sh: unknown option $option" >&2; exit 2 ;;
  esac
done

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"

# 1. The WASM target (rust-toolchain.toml names it, but rustup may not add it by itself).
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 2. The wasm-bindgen CLI of exactly the crate version the lock file pins.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $bindgen_version\$"; then
  step "cargo install wasm-bindgen-cli $bindgen_version (about a minute, once)"
  # No --locked: the CLI's own lock names a crate version this registry lacks. A debug build
  # without debug info: it compiles in half the time and still binds our bundle in seconds.
  CARGO_PROFILE_DEV_DEBUG=false cargo install wasm-bindgen-cli --version "$bindgen_version" --force --debug
fi

# 3. npm packages of end2end/: Playwright and binaryen (wasm-opt, for release builds).
#    Debian's binaryen must never be used: its wasm-opt breaks hydration.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [[ ! -f end2end/node_modules/.package-lock.json ]] ||
   [[ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]]; then
  step "npm ci (end2end)"
  (cd end2end && npm ci --no-audit --no-fund)
fi

# 4. Debian packages: Chromium for Playwright (never `npx playwright install`), PostgreSQL's
#    server for the tests (they start private clusters of their own; see scripts/pg-cluster.sh).
packages=()
$want_browser && ! command -v chromium >/dev/null && packages+=(chromium)
$want_postgres && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && packages+=(postgresql)
$want_postgres && ! command -v psql >/dev/null && packages+=(postgresql-client)
if ((${#packages[@]})); then
  step "apt-get install ${packages[*]}"
  sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${packages[@]}"
fi
