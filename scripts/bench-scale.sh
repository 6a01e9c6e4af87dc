#!/usr/bin/env bash
# Benchmark of `chameleon decompose --engine datafusion` (issue #17; docs/scale.md). From the
# repository root:
#
#     scripts/bench-scale.sh                       # 30M ratings: SIZES="30000000 100000000" for both
#     (CHAMELEON_BIN=path/to/chameleon skips the build; it must have the `engine` feature)
#
# For each size in $SIZES (ratings; 3 contexts × 3 raters of 12 × 10 dimensions per person, as
# `chameleon sample bench`), writes the tidy CSV once, then prints wall time and peak RSS
# (/usr/bin/time -v) of: the in-memory path (skipped above $MEMORY_MAX ratings, default 30M:
# it needs ~230 bytes per rating) and the DataFusion path with --memory-limit $LIMIT (512M).
# Point estimates only. Needs ~33 bytes of disk per rating in $BENCH_DIR (default a temp dir).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES="${SIZES:-30000000}"
LIMIT="${LIMIT:-512M}"
MEMORY_MAX="${MEMORY_MAX:-30000000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
OUT="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$OUT"
# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh
bench_bin --features engine
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (GNU time)" >&2; exit 1; }

measure() { # label, command…: prints wall seconds and peak RSS in MiB
  local label="$1"; shift
  local log="$OUT/time.log"
  /usr/bin/time -v "$@" >"$OUT/out.json" 2>"$log" || { echo "$label: failed"; tail -5 "$log"; return 1; }
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
  printf '%-34s wall %10s   peak RSS %6d MiB\n' "$label" "$wall" "$((rss / 1024))"
}

for n in $SIZES; do
  persons=$(( (n + 89) / 90 ))
  csv="$OUT/bench-$n.csv"
  if [ ! -s "$csv" ]; then
    echo "writing $persons persons (~$n ratings) to $csv…" >&2
    "$BIN" sample bench "$csv" --persons "$persons" >/dev/null
  fi
  echo "== $((persons * 90)) ratings ($(du -h "$csv" | cut -f1) CSV)"
  if [ "$n" -le "$MEMORY_MAX" ]; then
    measure "in memory" "$BIN" decompose "$csv" --json
    cp "$OUT/out.json" "$OUT/memory-$n.json"
  else
    echo "in memory                          skipped (above MEMORY_MAX=$MEMORY_MAX)"
  fi
  measure "datafusion --memory-limit $LIMIT" "$BIN" decompose "$csv" --engine datafusion \
    --memory-limit "$LIMIT" --json
done
