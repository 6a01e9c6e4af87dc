#!/usr/bin/env bash
# Regenerates ui/src/bindings.ts from the Rust IPC types (src-tauri/src/{dto,error}.rs).
# `cargo test -p chameleon-studio` fails when the committed file is stale.
set -euo pipefail
source "$(dirname "$0")/env.sh"
# The unified feature set of every script (env.sh), so nothing is compiled a second time.
UPDATE_BINDINGS=1 cargo test "${APP_FEATURES[@]}" --lib bindings -- --quiet
echo "wrote ui/src/bindings.ts"
