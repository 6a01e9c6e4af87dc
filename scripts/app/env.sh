# Sourced by the app scripts: repo root and the app's own cargo target dir.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target-app}"
APP_BIN="$CARGO_TARGET_DIR/debug/chameleon-studio"
ui_deps() {
  # `npm ci` trips over @tauri-apps/cli's per-platform optional packages with npm 11 (TAURI.md);
  # `npm install` with the committed lock file gives the same tree.
  if [ ! -d "$ROOT/ui/node_modules" ] || [ "$ROOT/ui/package-lock.json" -nt "$ROOT/ui/node_modules" ]; then
    (cd "$ROOT/ui" && npm install --no-audit --no-fund)
    touch "$ROOT/ui/node_modules"
  fi
}
