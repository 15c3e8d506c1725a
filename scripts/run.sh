#!/usr/bin/env bash
# Runs the till on its own SQLite database with the demo catalog: no server needed.
# Usage: scripts/run.sh                      the till window (needs a display)
#        scripts/run.sh shell                the interactive command-line till
#        scripts/run.sh [pos-till arguments] one pos-till command
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
. "$(dirname "${BASH_SOURCE[0]}")/services.sh"

export ALAROMA_DATA_DIR="${ALAROMA_DATA_DIR:-$HOME/.local/share/alaroma-till}"
REGISTER_URL="http://127.0.0.1:16732"
CHECKER_URL="http://127.0.0.1:5995"

# The demo till sells through a fiscal register: the ATOL Web Server emulator, on ATOL's
# own port, its state (fiscal storage, counters) beside the till's database.
start_register() {
  say "Building the fiscal register emulator (ATOL Web Server API)"
  cargo build --quiet -p fiscal-emulator --bin atol-emulator --bin marking-emulator -p pos-desktop --bin pos-till
  mkdir -p "$ALAROMA_DATA_DIR"
  if (exec 3<>/dev/tcp/127.0.0.1/16732) 2>/dev/null; then
    say "A register already answers on $REGISTER_URL"
  else
    say "Starting the register emulator on $REGISTER_URL (log: $ALAROMA_DATA_DIR/register.log; it keeps running after the till closes)"
    nohup "$CARGO_TARGET_DIR/debug/atol-emulator" --state "$ALAROMA_DATA_DIR/register.json" \
      > "$ALAROMA_DATA_DIR/register.log" 2>&1 &
    for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/16732) 2>/dev/null && break; sleep 0.1; done
  fi
  # Marked perfume (the demo's P0019) is checked before sale: the marking code checker
  # emulator stands in for Честный ЗНАК's local module on its own port.
  if (exec 3<>/dev/tcp/127.0.0.1/5995) 2>/dev/null; then
    say "A marking code checker already answers on $CHECKER_URL"
  else
    say "Starting the marking code checker emulator on $CHECKER_URL (log: $ALAROMA_DATA_DIR/marking.log)"
    nohup "$CARGO_TARGET_DIR/debug/marking-emulator" --listen 127.0.0.1:5995 \
      > "$ALAROMA_DATA_DIR/marking.log" 2>&1 &
  fi
  local till="$CARGO_TARGET_DIR/debug/pos-till"
  if [ ! -f "$ALAROMA_DATA_DIR/till.db" ]; then
    say "Creating a demo till in $ALAROMA_DATA_DIR (demo catalog, demo cashiers, opening stock) wired to the register"
    "$till" init --demo >/dev/null
    "$till" login --pin 999999 >/dev/null
    "$till" register set "$REGISTER_URL" >/dev/null
    "$till" marking checkers --local "$CHECKER_URL" >/dev/null
    "$till" login --pin 111111 >/dev/null
  fi
}
if [ $# -eq 0 ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  say "Desktop libraries for the till window (WebKitGTK)"
  ensure_desktop_deps
  "$(dirname "${BASH_SOURCE[0]}")/build-ui.sh"
  start_register
  say "Building and starting the till window; data in $ALAROMA_DATA_DIR (a demo till on first start)"
  exec cargo run --quiet -p pos-desktop --bin pos-desktop -- --demo
fi
[ $# -eq 0 ] && say "No display found: starting the command-line till instead"
[ "${1:-}" = shell ] && shift
say "Building the till (pos-till) into $CARGO_TARGET_DIR"
start_register
till="$CARGO_TARGET_DIR/debug/pos-till"

if [ $# -gt 0 ]; then
  exec "$till" "$@"
fi

cat <<'HELP'
==> Starting an interactive till session. Try:
      status
      shift open --float 5000
      catalog search chanel
      sale add 4607123000021            (scan a barcode; SKUs work too)
      sale add D0004 --qty 2.5          (perfume by the ml)
      sale pay cash 20000
      sale complete
      return 1 --line 2 --qty 1 --refund cash
      report x
      register status                  (the fiscal register: shift, ОФД backlog, ФН)
      shift close --counted 10000
      verify
    `--help` after any command lists its options; `exit` leaves.
    Demo PINs: 111111 cashier, 222222 salesperson (discounts up to 10%), 999999 manager.
HELP
exec "$till" shell
