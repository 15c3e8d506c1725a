#!/bin/sh
# One PostgreSQL backup: a compressed custom-format dump (pg_restore reads it), checked
# readable, named by UTC time; dumps older than BACKUP_KEEP_DAYS are removed; an optional
# BACKUP_UPLOAD_CMD copies the new file off the machine ("{}" is the file).
# Connection from the usual PG* variables (PGHOST, PGUSER, PGPASSWORD, PGDATABASE).
set -eu
dir="${BACKUP_DIR:-./backups}"
keep="${BACKUP_KEEP_DAYS:-7}"
db="${PGDATABASE:-alaroma}"
mkdir -p "$dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
file="$dir/$db-$stamp.dump"
echo "backup: dumping $db to $file"
pg_dump --format=custom --compress=6 --no-owner --file="$file.part" "$db"
# A dump that pg_restore cannot list is no backup.
pg_restore --list "$file.part" >/dev/null
mv "$file.part" "$file"
echo "backup: $(du -h "$file" | cut -f1) written"
find "$dir" -name "$db-*.dump" -type f -mtime +"$keep" -print -delete | sed 's/^/backup: removed old /'
if [ -n "${BACKUP_UPLOAD_CMD:-}" ]; then
  cmd=$(printf '%s' "$BACKUP_UPLOAD_CMD" | sed "s|{}|$file|g")
  echo "backup: uploading ($cmd)"
  sh -c "$cmd"
fi
