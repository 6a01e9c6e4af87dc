#!/usr/bin/env bash
# Builds the UI and the app binary with the UI embedded (feature custom-protocol).
#   scripts/app/build.sh            debug binary: target/debug/chameleon-studio
#   scripts/app/build.sh --release  release binary + .deb, .rpm and AppImage: target/release/bundle/{deb,rpm,appimage}/
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$ROOT/scripts/app/install-deps.sh"
ui_deps
if [ "${1:-}" = "--release" ]; then
  # tauri build runs `npm run build` in ui/ first (beforeBuildCommand), then cargo --release.
  (cd "$ROOT/src-tauri" && "$ROOT/ui/node_modules/.bin/tauri" build --bundles deb,rpm)
  "$ROOT/scripts/app/appimage.sh"
  ls -1 "$CARGO_TARGET_DIR"/release/bundle/deb/*.deb "$CARGO_TARGET_DIR"/release/bundle/rpm/*.rpm \
    "$CARGO_TARGET_DIR"/release/bundle/appimage/*.AppImage
else
  ui_build
  cargo build --bins "${APP_FEATURES[@]}"
  echo "$APP_BIN"
fi
