#!/usr/bin/env bash
# Builds the release app exactly as `cargo leptos build --release` would, without cargo-leptos
# (whose own build takes ~19 minutes on 2 cores): the WASM bundle (wasm-release profile,
# wasm-bindgen, binaryen's wasm-opt), the style sheet and the static files into target/site,
# then the release server. The names follow `[workspace.metadata.leptos]` in Cargo.toml, so
# `cargo leptos watch` keeps working for development.
#
# Usage: scripts/build-site.sh            (scripts/setup.sh must have run: wasm-bindgen, wasm-opt)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"

output_name=tiempo_real
site=target/site
pkg=$site/pkg

echo "==> WASM bundle (frontend, wasm-release)"
cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release
mkdir -p "$pkg"
wasm-bindgen target/wasm32-unknown-unknown/wasm-release/frontend.wasm \
  --target web --no-typescript --out-dir "$pkg" --out-name "$output_name"
# Leptos' hydration script loads `<output-name>.wasm`.
mv -f "$pkg/${output_name}_bg.wasm" "$pkg/$output_name.wasm"
# binaryen's wasm-opt from npm (Debian's older one breaks hydration: see README).
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$pkg/$output_name.wasm" -o "$pkg/$output_name.wasm"

echo "==> style and static files"
cp style/main.css "$pkg/$output_name.css"
cp -r assets/. "$site/"

echo "==> release server"
cargo build -p server --release --bins
