#!/usr/bin/env bash
# Builds the till's Debian package with the Tauri bundler: the app, the pos-till command
# line beside it, a desktop entry, the provisioning file's example, and the maintainer
# scripts (the upgrade check). tauri-cli comes from npm, pinned in installer/package.json.
# Usage: scripts/build-deb.sh [--debug]     prints the package's path on its last line
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
. "$(dirname "${BASH_SOURCE[0]}")/services.sh"

profile=release
flags=()
if [ "${1:-}" = --debug ]; then
  profile=debug
  flags=(--debug)
fi

say "Build tools for the package (WebKitGTK headers, dpkg-deb, Node.js for the Tauri CLI)"
ensure_desktop_deps
command -v npm >/dev/null 2>&1 || apt_install nodejs npm
(cd installer && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
"$(dirname "${BASH_SOURCE[0]}")/build-ui.sh"

say "Building pos-till ($profile) to ship beside the app"
cargo build --quiet -p pos-desktop --bin pos-till $([ "$profile" = release ] && echo --release)
mkdir -p installer/build
cp "$CARGO_TARGET_DIR/$profile/pos-till" installer/build/pos-till
# The upgrade check refuses to strand events older than what this version sends.
min_schema=$(sed -n 's/^pub const MIN_EVENT_SCHEMA_VERSION: u16 = \([0-9]*\);/\1/p' shared-model/src/events.rs)
[ -n "$min_schema" ] || { echo "MIN_EVENT_SCHEMA_VERSION not found in shared-model" >&2; exit 1; }
sed "s/@MIN_EVENT_SCHEMA@/$min_schema/" installer/deb/preinst.in > installer/build/preinst
chmod +x installer/build/preinst

say "Bundling the .deb ($profile; tauri build --bundles deb)"
rm -rf "$CARGO_TARGET_DIR/$profile/bundle/deb"
(cd pos-desktop && ../installer/node_modules/.bin/tauri build --ci --bundles deb \
  --config ../installer/deb.conf.json "${flags[@]}")
deb=$(ls "$CARGO_TARGET_DIR/$profile/bundle/deb/"*.deb)
say "Package built: $deb"
echo "$deb"
