# Shared by run.sh and test.sh: say what we do, find cargo, pick a target dir.
set -euo pipefail

# Each step says how far into the run it starts, so a slow step shows in the log.
ALAROMA_STARTED="${ALAROMA_STARTED:-$(date +%s)}"
export ALAROMA_STARTED
say() {
  local t=$(($(date +%s) - ALAROMA_STARTED))
  printf '\033[1m==> [%d:%02d] %s\033[0m\n' $((t / 60)) $((t % 60)) "$*"
}

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v cargo >/dev/null 2>&1; then
  [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
fi
command -v cargo >/dev/null 2>&1 || { echo "Rust is required: https://rustup.rs" >&2; exit 1; }

# Reuse a build cache outside the clone when we can; nothing depends on it existing.
if [ -z "${CARGO_TARGET_DIR:-}" ]; then
  if mkdir -p /var/tmp/alaroma-target 2>/dev/null && [ -w /var/tmp/alaroma-target ]; then
    export CARGO_TARGET_DIR=/var/tmp/alaroma-target
  else
    export CARGO_TARGET_DIR="$PWD/target"
  fi
fi
