#!/usr/bin/env bash
# Builds (if needed) and starts the app. Extra environment:
#   CHAMELEON_STUDY=/path/study.chameleon   open that study at start-up
#   CHAMELEON_DATA_DIR=/some/dir            keep studies, settings and logs there
set -euo pipefail
source "$(dirname "$0")/env.sh"
"$ROOT/scripts/app/build.sh"
exec "$APP_BIN" "$@"
