#!/usr/bin/env bash
# The README's test command. On a fresh Debian 12 machine (with Rust, Node 20 and Python 3):
# installs the system packages it needs, then runs formatting and lint checks, every Rust test
# (stats, core, CLI, app commands), the query engine's tests, the UI unit tests and the
# end-to-end tests of the real app under Xvfb, and the packages test (the AppImage started; the
# .deb installed, a study opened with xdg-open).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# One target dir for everything, so the app is compiled once (same features everywhere).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

step() { printf '\n==> %s\n' "$*"; }

step "checking toolchains"
command -v cargo >/dev/null || { echo "cargo (Rust 1.95+) is required" >&2; exit 1; }
command -v npm >/dev/null || { echo "Node.js 20+ with npm is required" >&2; exit 1; }
cargo --version; node --version

step "system packages"
"$ROOT/scripts/app/install-deps.sh"

step "cargo fmt --check"
cargo fmt --all -- --check

step "UI dependencies and build (the app embeds ui/dist)"
source "$ROOT/scripts/app/env.sh"
ui_deps
ui_build

step "cargo clippy -D warnings"
cargo clippy --all-targets "${APP_FEATURES[@]}" -- -D warnings

step "cargo test (stats, core, cli with Parquet, app)"
cargo test "${APP_FEATURES[@]}"

step "query engine: decompose on DataFusion and on a Ballista cluster (crates/engine, the CLI's engine feature)"
# Not in the app's feature set: DataFusion compiles only here (unoptimised in debug builds, see
# the root Cargo.toml), and the tests compare it with the in-memory engine. One command for the
# engine's and the CLI's tests: separate ones would resolve features apart and compile
# DataFusion twice. The engine's integration test `servers` makes this build the cluster's
# server binaries too (chameleon-scheduler, chameleon-executor), with the same features.
cargo test -p chameleon-engine -p chameleon-cli --features chameleon-cli/engine --lib --test engine_cli --test servers
# A Ballista scheduler and two executors as processes on loopback ports (issue #17), run from
# the binaries built above (its own build, the same command with --no-run, finds all fresh).
"$ROOT/scripts/cluster-loopback.sh"
cargo clippy -p chameleon-engine -p chameleon-cli --features chameleon-cli/engine --all-targets -- -D warnings

step "UI unit tests (vitest)"
(cd "$ROOT/ui" && npm test)

step "end-to-end tests of the real app (tauri-driver, WebKitWebDriver, Xvfb)"
"$ROOT/scripts/app/e2e.sh"

step "packages: .deb, .rpm and AppImage of the built app; the AppImage started, the .deb installed, a study opened with xdg-open"
"$ROOT/scripts/app/package-test.sh"

step "all tests passed"
