#!/usr/bin/env bash
# Runs the head-office server against local PostgreSQL and Redis (starting or installing
# them if needed) on http://127.0.0.1:3000, with the web admin at that address.
# Usage: scripts/server.sh [sync-server arguments, e.g. `create-admin --login admin --password-stdin`]
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
. "$(dirname "${BASH_SOURCE[0]}")/services.sh"

ensure_postgres
ensure_redis
pg_admin="${ALAROMA_ADMIN_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
if [ -z "$(psql "$pg_admin" -Atc "SELECT 1 FROM pg_database WHERE datname = 'alaroma'")" ]; then
  say "Creating database alaroma"
  psql "$pg_admin" -qc "CREATE DATABASE alaroma"
fi
export DATABASE_URL="${DATABASE_URL:-${pg_admin%/*}/alaroma}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
secret_file="${ALAROMA_SECRET_FILE:-$HOME/.config/alaroma/jwt_secret}"
if [ -z "${ALAROMA_JWT_SECRET:-}" ]; then
  if [ ! -s "$secret_file" ]; then
    mkdir -p "$(dirname "$secret_file")"
    (umask 077; head -c 48 /dev/urandom | base64 | tr -d '\n' > "$secret_file")
    say "Generated a JWT secret in $secret_file"
  fi
  ALAROMA_JWT_SECRET="$(cat "$secret_file")"
  export ALAROMA_JWT_SECRET
fi
# Local plain-http development: cookies without the Secure flag, readable logs.
export ALAROMA_COOKIE_SECURE="${ALAROMA_COOKIE_SECURE:-false}"
export ALAROMA_LOG_FORMAT="${ALAROMA_LOG_FORMAT:-pretty}"

if [ -z "${ALAROMA_ADMIN_DIR:-}" ]; then
  "$(dirname "${BASH_SOURCE[0]}")/build-admin.sh"
  export ALAROMA_ADMIN_DIR="$PWD/web-admin/dist"
fi

say "Building sync-server"
cargo build --quiet -p sync-server --bin sync-server
exec "$CARGO_TARGET_DIR/debug/sync-server" "$@"
