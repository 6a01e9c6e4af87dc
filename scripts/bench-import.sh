#!/usr/bin/env bash
# Benchmark of `chameleon import ratings` (issue #19 item 3). One command, from the repository root:
#
#     scripts/bench-import.sh            # or: PERSONS=1667 RUNS=7 scripts/bench-import.sh
#     (CHAMELEON_BIN=path/to/chameleon skips the build)
#
# A whole `chameleon import ratings` process into a new, empty study (a copy of one made with
# `chameleon study new`, copied before each run and not timed), at the Chameleon study's scale
# (1,667 persons × 3 contexts × 3 raters of 12 × 10 dimensions = 150,030 ratings): once with
# short ids (p1, c1, r1) and once with the same file's ids replaced by 36-character UUIDs
# (lab-style ids). Then the same short-id file again into the study it was just imported into
# (every row found unchanged: the row-by-row path). Medians of RUNS runs, wall and CPU
# (user + sys), ratings per second of wall and of CPU, and the load average.
set -euo pipefail
cd "$(dirname "$0")/.."
PERSONS="${PERSONS:-1667}"
RUNS="${RUNS:-7}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
OUT="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$OUT"

# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh
bench_bin


"$BIN" sample bench "$OUT/short.csv" --persons "$PERSONS" --seed 1 >&2
long_ids "$OUT/short.csv" "$OUT/uuid.csv"
N=$(($(wc -l < "$OUT/short.csv") - 1))
rm -f "$OUT/empty.db"
"$BIN" study new "$OUT/empty.db" > /dev/null

# Each timed run imports into a fresh copy of the empty study, made untimed before it.
fresh_copy() {
  rm -f "$OUT/s.db" "$OUT/s.db-wal" "$OUT/s.db-shm"
  cp "$OUT/empty.db" "$OUT/s.db"
}
# "wall cpu" of the run with the median wall time out of RUNS: FILE into a fresh copy of the
# empty study (FRESH=1) or into $OUT/again.db as it stands (FRESH=0).
import_median() {
  if [ "$2" = 1 ]; then
    BEFORE_RUN=fresh_copy median_of "$RUNS" "$BIN" import ratings "$OUT/s.db" "$1"
  else
    median_of "$RUNS" "$BIN" import ratings "$OUT/again.db" "$1"
  fi
}

row() {
  python3 -c "
import sys
label, n, (w, c) = sys.argv[1], int(sys.argv[2]), (max(float(x), 0.001) for x in sys.argv[3].split())
print(f'{label:<40} {w:6.3f} s wall {c:6.3f} s CPU | {n / w / 1e3:6.0f}k ratings/s wall {n / c / 1e3:6.0f}k/s CPU')
" "$@"
}

echo "== import ratings, $N ratings into an empty study (medians of $RUNS); $(load_now)"
row "short ids (p1, c1, r1)" "$N" "$(import_median "$OUT/short.csv" 1)"
echo "   $(load_now)"
row "36-character UUID ids" "$N" "$(import_median "$OUT/uuid.csv" 1)"
echo "   $(load_now)"
rm -f "$OUT/again.db"*
cp "$OUT/empty.db" "$OUT/again.db"
"$BIN" import ratings "$OUT/again.db" "$OUT/short.csv" > /dev/null 2>> "$OUT/stderr.log"
row "short ids again (all unchanged)" "$N" "$(import_median "$OUT/short.csv" 0)"
echo "   $(load_now)"
rm -f "$OUT"/*.db "$OUT"/*.db-wal "$OUT"/*.db-shm
