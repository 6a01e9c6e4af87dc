#!/usr/bin/env bash
# Benchmark of `chameleon decompose --engine datafusion` (issue #17; docs/scale.md). From the
# repository root:
#
#     scripts/bench-scale.sh                       # 30M ratings: SIZES="30000000 100000000" for both
#     (CHAMELEON_BIN=path/to/chameleon skips the build; it must have the `engine` and `parquet`
#      features, with chameleon-scheduler and chameleon-executor beside it for the cluster)
#
# For each size in $SIZES (ratings; 3 contexts × 3 raters of 12 × 10 dimensions per person, as
# `chameleon sample bench`), writes the ratings once as Parquet (`sample bench --format
# parquet`) and, for the in-memory path, once as CSV, then prints wall time, CPU time and peak
# RSS (/usr/bin/time -v) of:
#   - the in-memory path on the CSV (skipped above $MEMORY_MAX ratings, default 30M);
#   - the DataFusion path on the Parquet file with --memory-limit $LIMIT (512M);
#   - the same plan on a local Ballista cluster: a scheduler and two executors on loopback
#     (CLUSTER=0 skips it); the RSS shown is the driver's, the executors' peaks beside it.
# Point estimates only; the load average is printed with each size. Needs ~40 bytes of disk
# per rating in $BENCH_DIR (default a temp dir; files already there are reused).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES="${SIZES:-30000000}"
LIMIT="${LIMIT:-512M}"
MEMORY_MAX="${MEMORY_MAX:-30000000}"
CLUSTER="${CLUSTER:-1}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
OUT="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$OUT"
# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh
# One build of the CLI and the two server binaries: built apart, the engine package alone
# resolves DataFusion's features differently and compiles it again.
bench_bin --features chameleon-cli/engine,chameleon-cli/parquet -p chameleon-engine --bins
BIN_DIR="$(dirname "$BIN")"
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (GNU time)" >&2; exit 1; }

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
fail() { echo "bench-scale: $*" >&2; exit 1; }

measure() { # label, command…: prints wall and CPU seconds and peak RSS in MiB
  local label="$1"; shift
  local log="$OUT/time.log"
  /usr/bin/time -v "$@" >"$OUT/out.json" 2>"$log" || { echo "$label: failed"; tail -5 "$log"; return 1; }
  python3 - "$label" "$log" <<'PY'
import re, sys
label, text = sys.argv[1], open(sys.argv[2]).read()
def field(name):
    return re.search(re.escape(name) + r".*?: (\S+)\n", text).group(1)
h, m, s = ([0, 0] + field("Elapsed (wall clock)").split(":"))[-3:]
wall = float(h) * 3600 + float(m) * 60 + float(s)
cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
rss = int(field("Maximum resident set size")) // 1024
print(f"{label:<38} wall {wall:8.1f} s   CPU {cpu:8.1f} s   peak RSS {rss:6d} MiB")
PY
}

# Peak RSS of a running process (VmHWM), in MiB.
hwm() { awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$1/status" 2>/dev/null || echo "?"; }

if [ "$CLUSTER" = 1 ]; then
  for b in chameleon-scheduler chameleon-executor; do
    [ -x "$BIN_DIR/$b" ] || fail "$BIN_DIR/$b is missing (CLUSTER=0 skips the cluster)"
  done
  # shellcheck source=scripts/cluster-common.sh
  . scripts/cluster-common.sh
  mkdir -p "$OUT/cluster"
  start_cluster "$BIN_DIR" "$OUT/cluster"
  echo "local cluster: scheduler $URL, executors on ports $E1 and $E2"
fi

for n in $SIZES; do
  persons=$(( (n + 89) / 90 ))
  pq="$OUT/bench-$n.parquet"
  csv="$OUT/bench-$n.csv"
  if [ ! -s "$pq" ]; then
    echo "writing $persons persons (~$n ratings) to $pq…" >&2
    "$BIN" sample bench "$pq" --persons "$persons" --format parquet 2>/dev/null
  fi
  echo "== $((persons * 90)) ratings ($(du -h "$pq" | cut -f1) Parquet); $(load_now)"
  if [ "$n" -le "$MEMORY_MAX" ]; then
    if [ ! -s "$csv" ]; then
      "$BIN" sample bench "$csv" --persons "$persons" 2>/dev/null
    fi
    measure "in memory (CSV, $(du -h "$csv" | cut -f1))" "$BIN" decompose "$csv" --json
    cp "$OUT/out.json" "$OUT/memory-$n.json"
  else
    echo "in memory                              skipped (above MEMORY_MAX=$MEMORY_MAX)"
  fi
  measure "datafusion --memory-limit $LIMIT" "$BIN" decompose "$pq" --engine datafusion \
    --memory-limit "$LIMIT" --json
  cp "$OUT/out.json" "$OUT/datafusion-$n.json"
  if [ "$CLUSTER" = 1 ]; then
    measure "cluster (2 executors, 1 core each)" "$BIN" decompose "$pq" --engine datafusion \
      --cluster "$URL" --json
    echo "    executors' peak RSS so far: $(hwm "${PIDS[1]}") and $(hwm "${PIDS[2]}") MiB"
    cmp -s "$OUT/out.json" "$OUT/datafusion-$n.json" \
      || echo "    warning: the cluster's JSON differs from the local engine's"
  fi
done
