#!/usr/bin/env bash
# Builds the UI and the app binary with the UI embedded (feature custom-protocol).
#   scripts/app/build.sh            debug binary: target/debug/chameleon-studio
#   scripts/app/build.sh --release  release binary + .deb and .rpm: target/release/bundle/{deb,rpm}/
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$ROOT/scripts/app/install-deps.sh"
ui_deps
if [ "${1:-}" = "--release" ]; then
  # tauri build runs `npm run build` in ui/ first (beforeBuildCommand), then cargo --release.
  (cd "$ROOT/src-tauri" && "$ROOT/ui/node_modules/.bin/tauri" build --bundles deb,rpm)
  ls -1 "$CARGO_TARGET_DIR"/release/bundle/deb/*.deb "$CARGO_TARGET_DIR"/release/bundle/rpm/*.rpm
else
  ui_build
  cargo build --bins "${APP_FEATURES[@]}"
  echo "$APP_BIN"
fi
