#!/usr/bin/env bash
# Screenshots of the real app (start, rating, help, queue, 200% zoom) into OUT_DIR
# (default docs/screenshots/raw). Needs what e2e.sh builds; GTK_THEME=Adwaita:dark for dark mode.
set -euo pipefail
source "$(dirname "$0")/env.sh"
OUT="$(realpath -m "${1:-$ROOT/docs/screenshots/raw}")"
export CHAMELEON_APP="$APP_BIN" CHAMELEON_CLI="$CARGO_TARGET_DIR/debug/chameleon"
cd "$ROOT/tests/e2e"
xvfb-run -a -s "-screen 0 1280x800x24" node screenshots.mjs "$OUT"
