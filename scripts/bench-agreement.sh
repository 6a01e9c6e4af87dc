#!/usr/bin/env bash
# Agreement bench (issue #3): Chameleon-scale data (1,667 persons × 3 contexts = 5,001 profiles,
# 3 of 12 raters per profile, 10 dimensions = 150,030 ratings) from `chameleon sample bench`;
# our full agreement table and interval alpha (Rust, release) against Python `krippendorff`
# interval alpha on the same file, medians of RUNS runs, on THREADS rayon threads.
#
#   scripts/bench-agreement.sh            # RUNS=15 THREADS=2 by default
#
# Then whole processes side by side, wall and CPU time: `chameleon agreement FILE --json` (all
# statistics; on THREADS threads and on one) against a Python process computing
# krippendorff's alpha at the four levels (scripts/reference/agreement/krippendorff_process.py),
# on the file with short ids and on the same file with 36-character UUID ids.
#
# Needs python3 with krippendorff, numpy and pandas.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-15}
THREADS=${THREADS:-2}
OUT=${BENCH_OUT:-bench-out}
TARGET=${CARGO_TARGET_DIR:-target}
mkdir -p "$OUT"
case "$OUT" in /*) ;; *) OUT="$(pwd)/$OUT" ;; esac  # BENCH_OUT may be relative or absolute
DATA="$OUT/agreement-bench.csv"

# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh
cargo build --release -q -p chameleon-cli
if [ ! -s "$DATA" ]; then
  "$TARGET/release/chameleon" sample bench "$DATA" --persons 1667 --contexts 3 \
    --raters-per-profile 3 --rater-pool 12 --dimensions 10 --seed 1 >&2
fi

echo "== data: $DATA ($(($(wc -l <"$DATA") - 1)) ratings), $THREADS threads, median of $RUNS runs; $(load_now)"
RUST=$(RAYON_NUM_THREADS=$THREADS cargo bench -q -p chameleon-stats --bench agreement -- "$DATA" "$RUNS" 2>/dev/null)
echo "$RUST" | grep -v '^rust_alpha_interval='
PY=$(python3 scripts/reference/agreement/bench_krippendorff.py "$DATA" "$RUNS")
echo "$PY" | grep -v '^python_alpha_interval='

# Through the CLI, median of 5: the report computation as `chameleon agreement` does it (core
# orchestration + REML ICCs for the incomplete design; logged at debug level), and the whole
# process (CSV parsing included).
e2e=()
core=()
for _ in 1 2 3 4 5; do
  s=$(date +%s%N)
  log=$(RUST_LOG=debug RAYON_NUM_THREADS=$THREADS "$TARGET/release/chameleon" agreement "$DATA" \
        --json 2>&1 >/dev/null)
  e2e+=($(( ($(date +%s%N) - s) / 1000000 )))
  core+=($(echo "$log" | sed -n 's/.*agreement_compute_ms=\([0-9.]*\).*/\1/p'))
done
E2E=$(printf '%s\n' "${e2e[@]}" | sort -n | sed -n 3p)
CORE=$(printf '%s\n' "${core[@]}" | sort -g | sed -n 3p)
echo "cli_report_compute_ms=$CORE (chameleon agreement: all statistics, all dimensions)"
echo "cli_end_to_end_ms=$E2E (chameleon agreement FILE --json, process start to exit, CSV parsing included)"

python3 - "$RUST" "$PY" <<'PYEOF'
import sys
kv = {}
for block in sys.argv[1:]:
    for line in block.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            kv[k] = v.split()[0]
ours = [float(x) for x in kv["rust_alpha_interval"].split(",")]
theirs = [float(x) for x in kv["python_alpha_interval"].split(",")]
worst = max(abs(a - b) / abs(b) for a, b in zip(ours, theirs))
print(f"interval alpha, Rust vs Python krippendorff, max relative difference: {worst:.2e}")
assert worst < 1e-9, "the two implementations disagree on the bench data"
py = float(kv["python_interval_alpha_ms"])
print(f"RATIO interval alpha (10 dims, table build included): Python {py:.2f} ms / Rust "
      f"{float(kv['interval_alpha_ms']):.2f} ms = {py / float(kv['interval_alpha_ms']):.1f}x")
print(f"RATIO interval alpha (prebuilt inputs both sides):    Python {py:.2f} ms / Rust "
      f"{float(kv['interval_alpha_prebuilt_ms']):.2f} ms = "
      f"{py / float(kv['interval_alpha_prebuilt_ms']):.1f}x")
full = float(kv["full_table_ms"])
print(f"full agreement table, 10 dimensions: {full:.2f} ms (target < 100 ms): "
      f"{'OK' if full < 100 else 'OVER TARGET'}")
PYEOF

echo
echo "== whole processes (medians: ours of 7, Python of ${PY_RUNS:-3}); $(load_now)"
long_ids "$DATA" "$OUT/agreement-bench-uuid.csv"
for f in "$DATA" "$OUT/agreement-bench-uuid.csv"; do
  ids=$([ "$f" = "$DATA" ] && echo "short ids" || echo "UUID ids")
  PY=$(median_of "${PY_RUNS:-3}" python3 scripts/reference/agreement/krippendorff_process.py "$f")
  O2=$(RAYON_NUM_THREADS=$THREADS median_of 7 "$TARGET/release/chameleon" agreement "$f" --json)
  O1=$(RAYON_NUM_THREADS=1 median_of 7 "$TARGET/release/chameleon" agreement "$f" --json)
  printf "%-44s %7.3f s wall %7.3f s CPU\n" "Python krippendorff, 4 levels, $ids" "$(wall "$PY")" "$(cpu "$PY")"
  ratio_row "chameleon agreement --json, $ids, $THREADS thr" "$O2" "$PY" 30
  ratio_row "chameleon agreement --json, $ids, 1 thread" "$O1" "$PY" 30
done
