#!/usr/bin/env bash
# Runs every check and test of the workspace, installing what it needs first.
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

say "Checking toolchain components (rustfmt, clippy, wasm32 target)"
if command -v rustup >/dev/null 2>&1; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
  rustup target list --installed | grep -q wasm32-unknown-unknown \
    || rustup target add wasm32-unknown-unknown
fi

say "Formatting (cargo fmt --check)"
cargo fmt --all -- --check

say "Lints (cargo clippy --all-targets -D warnings)"
cargo clippy --workspace --all-targets -- -D warnings

say "shared-model compiles to wasm32-unknown-unknown (for the web admin and the till UI)"
cargo build -p shared-model --target wasm32-unknown-unknown

say "Unit, property, CLI and crash tests (real SQLite files in temp dirs)"
cargo test --workspace

say "All checks passed"
