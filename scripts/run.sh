#!/usr/bin/env bash
# Runs the till on its own SQLite database with the demo catalog: no server needed.
# Usage: scripts/run.sh                      the till window (needs a display)
#        scripts/run.sh shell                the interactive command-line till
#        scripts/run.sh [pos-till arguments] one pos-till command
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
. "$(dirname "${BASH_SOURCE[0]}")/services.sh"

export ALAROMA_DATA_DIR="${ALAROMA_DATA_DIR:-$HOME/.local/share/alaroma-till}"
if [ $# -eq 0 ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  say "Desktop libraries for the till window (WebKitGTK)"
  ensure_desktop_deps
  "$(dirname "${BASH_SOURCE[0]}")/build-ui.sh"
  say "Building and starting the till window; data in $ALAROMA_DATA_DIR (a demo till on first start)"
  exec cargo run --quiet -p pos-desktop --bin pos-desktop -- --demo
fi
[ $# -eq 0 ] && say "No display found: starting the command-line till instead"
[ "${1:-}" = shell ] && shift
say "Building the till (pos-till) into $CARGO_TARGET_DIR"
cargo build --quiet -p pos-desktop --bin pos-till
till="$CARGO_TARGET_DIR/debug/pos-till"

if [ ! -f "$ALAROMA_DATA_DIR/till.db" ]; then
  say "Creating a demo till in $ALAROMA_DATA_DIR (demo catalog, demo cashiers, opening stock)"
  "$till" init --demo
fi

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
      shift close --counted 10000
      verify
    `--help` after any command lists its options; `exit` leaves.
    Demo PINs: 111111 cashier, 222222 salesperson (discounts up to 10%), 999999 manager.
HELP
exec "$till" shell
