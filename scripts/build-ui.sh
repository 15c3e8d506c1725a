#!/usr/bin/env bash
# Builds the till window (pos-desktop/ui, Yew) to wasm and bundles it into
# pos-desktop/ui/dist for the Tauri shell to embed. Installs what is missing:
# the wasm32 target (rustup) and wasm-bindgen-cli matching Cargo.lock (cargo install, ~3 min once).
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ROOT="$PWD"
ui="$ROOT/pos-desktop/ui"
# Called from pos-desktop's build script the outer cargo holds the main target dir's lock.
target="${ALAROMA_UI_TARGET_DIR:-$CARGO_TARGET_DIR/ui}"

if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  say "Adding the wasm32-unknown-unknown Rust target"
  rustup target add wasm32-unknown-unknown
fi
profile_flag=""; profile_dir=debug
if [ "${ALAROMA_UI_RELEASE:-}" = 1 ]; then profile_flag=--release; profile_dir=release; fi
say "Building the till window (wasm)"
(cd "$ROOT" && env -u CARGO_ENCODED_RUSTFLAGS -u RUSTFLAGS -u CARGO_BUILD_TARGET -u RUSTC_WORKSPACE_WRAPPER -u RUSTC_WRAPPER -u CLIPPY_ARGS \
  CARGO_TARGET_DIR="$target" cargo build --quiet -p pos-ui --lib --target wasm32-unknown-unknown $profile_flag)
want=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' "$ROOT/Cargo.lock")
have=$( (wasm-bindgen --version 2>/dev/null || true) | awk '{print $2}')
if [ -n "$want" ] && [ "$want" != "$have" ]; then
  say "Installing wasm-bindgen-cli $want (once per machine, about 3 minutes)"
  cargo install wasm-bindgen-cli --version "=$want" --quiet
fi

mkdir -p "$ui/dist"
wasm-bindgen --target web --no-typescript --out-dir "$ui/dist" \
  "$target/wasm32-unknown-unknown/$profile_dir/pos_ui.wasm"
cp "$ui/index.html" "$ui/main.js" "$ui/style.css" "$ui/dist/"
