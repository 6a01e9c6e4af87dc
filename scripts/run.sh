#!/usr/bin/env bash
# The README's run command: installs what the app needs on Debian 12, builds it and starts
# Chameleon Studio (its start screen creates and opens the demo study with one click).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
exec "$ROOT/scripts/app/run.sh" "$@"
