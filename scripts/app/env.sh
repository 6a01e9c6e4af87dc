# Sourced by the app scripts: repo root and the one cargo target dir (shared with scripts/test.sh).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
APP_BIN="$CARGO_TARGET_DIR/debug/chameleon-studio"
ui_deps() {
  # `npm ci` trips over @tauri-apps/cli's per-platform optional packages with npm 11 (TAURI.md);
  # `npm install` with the committed lock file gives the same tree.
  if [ ! -d "$ROOT/ui/node_modules" ] || [ "$ROOT/ui/package-lock.json" -nt "$ROOT/ui/node_modules" ]; then
    (cd "$ROOT/ui" && npm install --no-audit --no-fund)
    touch "$ROOT/ui/node_modules"
  fi
}
ui_build() {
  # The app embeds ui/dist; rebuild it only when a source is newer, so a launch with nothing
  # changed starts at once (the type check and bundling take ~15 s on two cores).
  local stamp="$ROOT/ui/dist/index.html"
  if [ -f "$stamp" ] && [ -z "$(find "$ROOT/ui/src" "$ROOT/ui/index.html" "$ROOT/ui/package.json" \
      "$ROOT/ui/package-lock.json" "$ROOT/ui/tsconfig.json" "$ROOT/ui/vite.config.ts" \
      -newer "$stamp" -print -quit)" ]; then
    return 0
  fi
  (cd "$ROOT/ui" && npm run build)
  touch "$stamp"
}
# One feature set for every cargo command of the app scripts and scripts/test.sh: cargo unifies
# features per command, so `-p chameleon-cli` alone would compile the shared dependencies again.
# (Commands that build tests also unify dev-dependencies' features: e2e.sh adds --tests for that.)
# Parquet/Arrow (off by default in the crates: a plain `cargo build -p chameleon-cli` stays light)
# is in this one set, so its tests run with everything else and nothing is compiled twice.
# The query engine (crates/engine, DataFusion) is excluded: the app never uses it, and its own
# step in scripts/test.sh builds it with the CLI's `engine` feature (docs/scale.md).
APP_FEATURES=(--workspace --exclude chameleon-engine --features chameleon-studio/custom-protocol,chameleon-cli/parquet)
