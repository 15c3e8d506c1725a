#!/usr/bin/env bash
# Fuzzes the running server's OpenAPI (schemathesis, from PyPI) as an admin and fails on
# any 5xx. Starts its own server on a fresh database; needs PostgreSQL and Redis.
# Usage: scripts/schemathesis.sh [max examples per operation, default 30]
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

examples="${1:-30}"
pg_admin="${ALAROMA_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
db="alaroma_fuzz_$$"
port=$((20000 + RANDOM % 20000))
venv="${ALAROMA_VENV:-/var/tmp/alaroma-venv}"

if ! "$venv/bin/st" --version >/dev/null 2>&1; then
  say "Installing schemathesis into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4,<5'
fi

say "Building sync-server"
cargo build --quiet -p sync-server --bin sync-server
server="$CARGO_TARGET_DIR/debug/sync-server"

psql "$pg_admin" -qc "CREATE DATABASE $db" >/dev/null
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

export DATABASE_URL="${pg_admin%/*}/$db"
export ALAROMA_JWT_SECRET="fuzz-secret-fuzz-secret-fuzz-secret-123456"
export ALAROMA_COOKIE_SECURE=false ALAROMA_REDIS_PREFIX="alaroma-fuzz:$$:" ALAROMA_LOG_FORMAT=json
export ALAROMA_LOGIN_LIMIT_ACCOUNT=100000 ALAROMA_LOGIN_LIMIT_IP=100000 RUST_LOG=warn
printf 'fuzzing password 123\n' | "$server" create-admin --login fuzz --password-stdin >/dev/null
"$server" serve --bind "127.0.0.1:$port" >/dev/null 2>/tmp/alaroma-fuzz-server.log &
pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"login":"fuzz","password":"fuzzing password 123"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

say "schemathesis: every operation, $examples examples each, failing on any 5xx"
"$venv/bin/st" run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --url "http://127.0.0.1:$port" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error \
  --max-examples "$examples" \
  --exclude-path /api/v1/auth/logout \
  --no-color
