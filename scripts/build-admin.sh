#!/usr/bin/env bash
# Builds the web admin (web-admin, Yew) to wasm in release mode and bundles it into
# web-admin/dist with .gz and .br siblings, for sync-server to serve (ALAROMA_ADMIN_DIR).
# Installs what is missing: the wasm32 target, wasm-bindgen-cli matching Cargo.lock, brotli.
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
. "$(dirname "${BASH_SOURCE[0]}")/services.sh"

ROOT="$PWD"
admin="$ROOT/web-admin"
# A separate target dir: the outer cargo (a test calling this) holds the main one's lock.
target="${ALAROMA_UI_TARGET_DIR:-$CARGO_TARGET_DIR/ui}"

if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  say "Adding the wasm32-unknown-unknown Rust target"
  rustup target add wasm32-unknown-unknown
fi
say "Building the web admin (wasm, release)"
(cd "$ROOT" && env -u CARGO_ENCODED_RUSTFLAGS -u RUSTFLAGS -u CARGO_BUILD_TARGET -u RUSTC_WORKSPACE_WRAPPER -u RUSTC_WRAPPER -u CLIPPY_ARGS \
  CARGO_TARGET_DIR="$target" cargo build --quiet -p web-admin --lib --target wasm32-unknown-unknown --release)
want=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' "$ROOT/Cargo.lock")
have=$( (wasm-bindgen --version 2>/dev/null || true) | awk '{print $2}')
if [ -n "$want" ] && [ "$want" != "$have" ]; then
  say "Installing wasm-bindgen-cli $want (once per machine, about 3 minutes)"
  cargo install wasm-bindgen-cli --version "=$want" --quiet
fi
command -v brotli >/dev/null 2>&1 || apt_install brotli

dist="$admin/dist"
rm -rf "$dist.tmp" && mkdir -p "$dist.tmp"
wasm-bindgen --target web --no-typescript --out-dir "$dist.tmp" \
  "$target/wasm32-unknown-unknown/release/web_admin.wasm"
cp "$admin/index.html" "$admin/main.js" "$admin/style.css" "$dist.tmp/"
for f in "$dist.tmp"/*; do
  gzip -9 -k -n "$f"
  brotli -q 11 -k "$f"
done
rm -rf "$dist" && mv "$dist.tmp" "$dist"
say "Web admin built in $dist ($(du -sh "$dist/web_admin_bg.wasm" | cut -f1) wasm)"
