#!/bin/sh
# Restores a dump made by backup.sh into an EMPTY database, then runs the server's
# migrations check. Stop every sync-server first (docker-compose stop sync-server); start
# them after: tills then resend whatever the restored server lacks (runbook: "Restore").
# Usage: restore.sh FILE.dump        (connection from PG* variables; PGDATABASE must be empty)
set -eu
file="${1:?usage: restore.sh FILE.dump}"
db="${PGDATABASE:-alaroma}"
pg_restore --list "$file" >/dev/null
tables=$(psql -d "$db" -Atc "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'alaroma'")
if [ "$tables" != 0 ] && [ "${RESTORE_FORCE:-}" != 1 ]; then
  echo "restore: database $db is not empty ($tables tables); drop and recreate it, or set RESTORE_FORCE=1 to replace its objects" >&2
  exit 1
fi
echo "restore: $file into $db"
pg_restore --no-owner --clean --if-exists --exit-on-error --single-transaction -d "$db" "$file"
echo "restore: done; $(psql -d "$db" -Atc 'SELECT count(*) FROM alaroma.sales') sales, the newest completed $(psql -d "$db" -Atc 'SELECT max(completed_at) FROM alaroma.sales')"
