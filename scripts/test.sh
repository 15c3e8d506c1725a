#!/usr/bin/env bash
# Runs every check and test of the workspace, installing or starting what it needs first.
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
. "$(dirname "${BASH_SOURCE[0]}")/services.sh"

say "Checking toolchain components (rustfmt, clippy, wasm32 target)"
if command -v rustup >/dev/null 2>&1; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
  rustup target list --installed | grep -q wasm32-unknown-unknown \
    || rustup target add wasm32-unknown-unknown
fi

say "PostgreSQL and Redis for the server tests"
ensure_postgres
ensure_redis
pg_admin="${ALAROMA_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
# Each server test creates its own database; drop those of earlier runs.
for db in $(psql "$pg_admin" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'alaroma\_test\_%' OR datname LIKE 'alaroma\_fuzz\_%' OR datname LIKE 'alaroma\_bench\_%'"); do
  psql "$pg_admin" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
done

say "Desktop libraries, Xvfb and WebDriver for the till window and its tests"
ensure_desktop_deps tests
ensure_tauri_driver
"$(dirname "${BASH_SOURCE[0]}")/build-ui.sh"

say "The till's Debian package (a debug build: the install test runs dpkg -i on it)"
ALAROMA_TILL_DEB=$("$(dirname "${BASH_SOURCE[0]}")/build-deb.sh" --debug | tee /dev/stderr | tail -n 1)
export ALAROMA_TILL_DEB

say "Chromium and chromedriver for the web admin's browser tests; the admin itself"
ensure_chromium
"$(dirname "${BASH_SOURCE[0]}")/build-admin.sh"

say "nginx, docker-compose and the PostgreSQL client for the deployment's tests"
ensure_nginx
ensure_deploy_tools

say "Formatting (cargo fmt --check)"
cargo fmt --all -- --check

say "Lints (cargo clippy --all-targets -D warnings; the till window for wasm32)"
cargo clippy --workspace --exclude pos-ui --all-targets -- -D warnings
cargo clippy -p pos-ui -p web-admin --target wasm32-unknown-unknown -- -D warnings

say "shared-model compiles to wasm32-unknown-unknown (for the web admin and the till UI)"
cargo build -p shared-model --target wasm32-unknown-unknown

say "Unit, property, CLI, crash, till-window (WebDriver under Xvfb), server integration and web admin (headless Chromium) tests"
cargo test --workspace --exclude pos-ui -- --skip keys::
# The keyboard tests tell a scanner's 5 ms keys from a person's 90 ms ones: they run on
# their own, with no other test of any kind loading the two cores beside them.
say "Keyboard and scanner timing tests (real X key events), one at a time"
# (--workspace with both test binaries keeps the build of the step above: `-p pos-desktop`,
# or leaving out the end-to-end crate whose dev-dependencies add features, would resolve
# features anew and rebuild.)
cargo test --workspace --exclude pos-ui --test it --test e2e -- keys:: --test-threads=1

if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  apt_install python3-venv
fi
say "API fuzzing with schemathesis against the running server (no 5xx allowed)"
"$(dirname "${BASH_SOURCE[0]}")/schemathesis.sh" "${ALAROMA_FUZZ_EXAMPLES:-30}"

say "All checks passed"
