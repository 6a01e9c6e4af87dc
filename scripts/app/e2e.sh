#!/usr/bin/env bash
# End-to-end tests of the real app: tauri-driver + WebKitWebDriver under Xvfb (issue 5).
# Builds what it needs: UI, app (custom-protocol), the chameleon CLI (test data), tauri-driver.
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$ROOT/scripts/app/install-deps.sh"
ui_deps
ui_build
# With --tests, cargo resolves features as `cargo test` does (dev-dependencies included), so after
# scripts/test.sh's test step only the app's binary itself is left to link.
cargo build --bins --tests "${APP_FEATURES[@]}"
if ! command -v tauri-driver >/dev/null 2>&1; then
  cargo install tauri-driver --locked --version "^2"
fi
if [ ! -d "$ROOT/tests/e2e/node_modules" ]; then
  (cd "$ROOT/tests/e2e" && npm install --no-audit --no-fund)
fi
export CHAMELEON_APP="$APP_BIN" CHAMELEON_CLI="$CARGO_TARGET_DIR/debug/chameleon"
cd "$ROOT/tests/e2e"
# A private D-Bus session: the single-instance hand-over runs over it (tests/e2e/instance.test.mjs),
# and the user's own running app is never found.
exec dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
  node --test --test-concurrency=1 --test-reporter=spec ./*.test.mjs
