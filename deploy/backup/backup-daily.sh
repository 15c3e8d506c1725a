#!/bin/sh
# Runs backup.sh every day at BACKUP_AT (HH:MM, UTC), forever (the compose `backup` service).
set -eu
at="${BACKUP_AT:-02:30}"
while :; do
  now=$(date -u +%s)
  next=$(date -u -d "$(date -u +%Y-%m-%d) $at" +%s 2>/dev/null || date -u -D '%Y-%m-%d %H:%M' -d "$(date -u +%Y-%m-%d) $at" +%s)
  [ "$next" -le "$now" ] && next=$((next + 86400))
  echo "backup: next run at $(date -u -d "@$next" 2>/dev/null || echo "$next") UTC"
  sleep $((next - now))
  sh "$(dirname "$0")/backup.sh" || echo "backup: FAILED (see above); will try again tomorrow" >&2
done
