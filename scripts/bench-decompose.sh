#!/usr/bin/env bash
# Benchmark of `chameleon decompose` (issue #4). One command, from the repository root:
#
#     scripts/bench-decompose.sh            # or: THREADS=2 PERSONS=1667 scripts/bench-decompose.sh
#     (CHAMELEON_BIN=path/to/chameleon skips the build)
#
# 1. Chameleon scale (1,667 persons × 3 contexts × 3 raters of 12 × 10 dimensions = 150,030
#    ratings): both levels for all dimensions as a whole `chameleon decompose` process (release
#    build, CSV reading included) vs an `Rscript` process fitting the same models with lme4
#    (skipped with a message when Rscript or lme4 is absent); prints the ratio.
# 2. 1,000 person-cluster bootstrap resamples for all 10 dimensions on $THREADS threads.
# 3. 20× the persons (3M ratings): point estimates, wall time and peak memory (/usr/bin/time -v).
# 4. The shared-context G-study of issue #12 (1,667 persons × 3 of 150 shared contexts × 3 of
#    12 raters × 10 dimensions): `chameleon decompose --model FORMULA` as a whole process vs an
#    Rscript process fitting the same formula with lme4 (scripts/reference/decompose/
#    lme4_model_bench.R); medians, wall and CPU ratios. CONTEXTS overrides the 150. Then ours
#    on the same file with 36-character UUID ids (lab-style ids: the reader's interning).
# 5. The same formula at 20× the persons (3M ratings) over 645 shared contexts (the Chameleon
#    data's subreddits; BIG_CONTEXTS overrides): wall, CPU and peak memory (/usr/bin/time -v).
# 6. `--profile-ci` on section 4's data, one dimension (PROFILE_DIMS="dim0 dim1" for more: lme4
#    takes ~80 s CPU per dimension) vs an Rscript process running lme4's
#    confint(method = "profile") on the same fits (lme4_profile_bench.R); medians, both ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS="${THREADS:-2}"
PERSONS="${PERSONS:-1667}"
RESAMPLES="${RESAMPLES:-1000}"
SCALE="${SCALE:-20}"
CONTEXTS="${CONTEXTS:-150}"
BIG_CONTEXTS="${BIG_CONTEXTS:-645}"
MODEL="value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
OUT="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$OUT"

# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh
bench_bin

"$BIN" sample bench "$OUT/base.csv" --persons "$PERSONS" --seed 1 >&2
"$BIN" sample bench "$OUT/big.csv" --persons $((PERSONS * SCALE)) --seed 2 >&2


echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
echo
echo "== 1. point estimates, both levels, 10 dimensions, $(($(wc -l < "$OUT/base.csv") - 1)) ratings (medians: ours of 7 runs, lme4 of ${R_RUNS:-3}); $(load_now)"
# Short ids (p1, c1, r1) and the same file with 36-character UUIDs; ours on $THREADS threads
# and on one (RAYON_NUM_THREADS=1: a ratio that does not rest on the second core).
long_ids "$OUT/base.csv" "$OUT/base_uuid.csv"
HAVE_LME4=
if command -v Rscript > /dev/null && Rscript -e 'quit(status = !requireNamespace("lme4", quietly = TRUE))' 2> /dev/null; then
  HAVE_LME4=1
else
  echo "Rscript with lme4 not found: only our times"
fi
for f in base base_uuid; do
  ids=$([ "$f" = base ] && echo "short ids" || echo "UUID ids")
  O2=$(RAYON_NUM_THREADS=$THREADS median_of 7 "$BIN" decompose "$OUT/$f.csv" --json)
  O1=$(RAYON_NUM_THREADS=1 median_of 7 "$BIN" decompose "$OUT/$f.csv" --json)
  if [ -n "$HAVE_LME4" ]; then
    RR=$(median_of "${R_RUNS:-3}" Rscript scripts/reference/decompose/lme4_bench.R "$OUT/$f.csv")
    printf "%-44s %7.3f s wall %7.3f s CPU\n" "Rscript lme4, $ids (whole process)" "$(wall "$RR")" "$(cpu "$RR")"
    ratio_row "chameleon decompose, $ids, $THREADS threads" "$O2" "$RR" 100
    ratio_row "chameleon decompose, $ids, 1 thread" "$O1" "$RR" 100
  else
    printf "%-44s %7.3f s wall %7.3f s CPU\n" "chameleon decompose, $ids, $THREADS threads" "$(wall "$O2")" "$(cpu "$O2")"
    printf "%-44s %7.3f s wall %7.3f s CPU\n" "chameleon decompose, $ids, 1 thread" "$(wall "$O1")" "$(cpu "$O1")"
  fi
done
echo "(targets: <= 0.030 s wall; lme4 / chameleon >= 100x CPU, >= 200x wall)"

echo
echo "== 2. bootstrap: $RESAMPLES resamples × 10 dimensions, $THREADS threads (median of 3); $(load_now)"
BOOT=$(RAYON_NUM_THREADS=$THREADS median_of 3 "$BIN" decompose "$OUT/base.csv" --json --bootstrap "$RESAMPLES" --seed 1)
printf "chameleon decompose --bootstrap %s: %.2f s wall, %.2f s CPU  (target <= 1 s wall on 2 cores)\n" "$RESAMPLES" "$(wall "$BOOT")" "$(cpu "$BOOT")"
BOOT=$(RAYON_NUM_THREADS=$THREADS median_of 3 "$BIN" report "$OUT/base.csv" "$OUT/report-boot.html" --bootstrap "$RESAMPLES" --seed 1)
printf "chameleon report --bootstrap %s:     %.2f s wall, %.2f s CPU  (target <= 1.5 s wall on 2 cores)\n" "$RESAMPLES" "$(wall "$BOOT")" "$(cpu "$BOOT")"

echo
echo "== 3. ${SCALE}x size: $(($(wc -l < "$OUT/big.csv") - 1)) ratings, point estimates; $(load_now)"
RAYON_NUM_THREADS=$THREADS /usr/bin/time -v "$BIN" decompose "$OUT/big.csv" --json > /dev/null 2> "$OUT/big.time"
WALL=$(grep "Elapsed (wall clock)" "$OUT/big.time" | awk '{print $NF}')
RSS=$(grep "Maximum resident set size" "$OUT/big.time" | awk '{print $NF}')
CPU=$(grep -E "User time|System time" "$OUT/big.time" | awk '{s += $NF} END {print s}')
echo "wall $WALL (m:ss), CPU ${CPU} s, peak memory $((RSS / 1024)) MiB  (targets: <= 0.5 s, <= 400 MiB)"

echo
echo "== 4. shared-context G-study: $MODEL, $CONTEXTS shared contexts (medians: ours of 5, lme4 of ${R_RUNS:-3})"
"$BIN" sample bench "$OUT/shared.csv" --persons "$PERSONS" --context-pool "$CONTEXTS" --seed 1 >&2
O=$(RAYON_NUM_THREADS=$THREADS median_of 5 "$BIN" decompose "$OUT/shared.csv" --json --model "$MODEL")
printf "chameleon decompose --model (whole process, %s threads): %.3f s wall, %.3f s CPU\n" "$THREADS" "$(wall "$O")" "$(cpu "$O")"
if command -v Rscript > /dev/null && Rscript -e 'quit(status = !requireNamespace("lme4", quietly = TRUE))' 2> /dev/null; then
  RR=$(median_of "${R_RUNS:-3}" Rscript scripts/reference/decompose/lme4_model_bench.R "$OUT/shared.csv" "$MODEL")
  printf "Rscript lme4 (whole process):                           %.3f s wall, %.3f s CPU\n" "$(wall "$RR")" "$(cpu "$RR")"
  python3 -c "print(f'ratio lme4 / chameleon: {$(wall "$RR") / $(wall "$O"):.0f}x wall, {$(cpu "$RR") / $(cpu "$O"):.0f}x CPU  (target >= 100x)')"
else
  echo "Rscript with lme4 not found: skipping the lme4 column"
fi
# Lab-style ids: the same file with every person, context and rater a 36-character UUID (ours
# only: lme4's time hardly depends on the ids' length).
long_ids "$OUT/shared.csv" "$OUT/shared_uuid.csv"
O=$(RAYON_NUM_THREADS=$THREADS median_of 5 "$BIN" decompose "$OUT/shared_uuid.csv" --json --model "$MODEL")
printf "the same with 36-character UUID ids (ours):              %.3f s wall, %.3f s CPU\n" "$(wall "$O")" "$(cpu "$O")"

echo
echo "== 5. large shared-context G-study: $MODEL, $((PERSONS * SCALE)) persons, $BIG_CONTEXTS shared contexts"
"$BIN" sample bench "$OUT/bigshared.csv" --persons $((PERSONS * SCALE)) --context-pool "$BIG_CONTEXTS" --seed 2 >&2
RAYON_NUM_THREADS=$THREADS /usr/bin/time -v "$BIN" decompose "$OUT/bigshared.csv" --json --model "$MODEL" > /dev/null 2> "$OUT/bigshared.time"
WALL=$(grep "Elapsed (wall clock)" "$OUT/bigshared.time" | awk '{print $NF}')
RSS=$(grep "Maximum resident set size" "$OUT/bigshared.time" | awk '{print $NF}')
CPU=$(grep -E "User time|System time" "$OUT/bigshared.time" | awk '{s += $NF} END {print s}')
echo "$(($(wc -l < "$OUT/bigshared.csv") - 1)) ratings: wall $WALL (m:ss), CPU ${CPU} s, peak memory $((RSS / 1024)) MiB  (targets: <= 10 s, <= 1024 MiB)"

echo
PROFILE_DIMS="${PROFILE_DIMS:-dim0}"
echo "== 6. --profile-ci: $MODEL on $PROFILE_DIMS of section 4's data (medians: ours of 5, lme4 of ${R_RUNS:-3})"
python3 -c "
import sys
keep = set(sys.argv[3:])
with open(sys.argv[1]) as f, open(sys.argv[2], 'w') as o:
    for i, l in enumerate(f):
        if i == 0 or l.split(',')[3] in keep:
            o.write(l)" "$OUT/shared.csv" "$OUT/profile.csv" $PROFILE_DIMS
O=$(RAYON_NUM_THREADS=$THREADS median_of 5 "$BIN" decompose "$OUT/profile.csv" --json --model "$MODEL" --profile-ci)
printf "chameleon decompose --model --profile-ci (whole process, %s threads): %.3f s wall, %.3f s CPU\n" "$THREADS" "$(wall "$O")" "$(cpu "$O")"
if command -v Rscript > /dev/null && Rscript -e 'quit(status = !requireNamespace("lme4", quietly = TRUE))' 2> /dev/null; then
  # shellcheck disable=SC2086
  RR=$(median_of "${R_RUNS:-3}" Rscript scripts/reference/decompose/lme4_profile_bench.R "$OUT/profile.csv" "$MODEL" $PROFILE_DIMS)
  printf "Rscript lme4 confint(method = \"profile\") (whole process):          %.3f s wall, %.3f s CPU\n" "$(wall "$RR")" "$(cpu "$RR")"
  python3 -c "print(f'ratio lme4 / chameleon: {$(wall "$RR") / $(wall "$O"):.0f}x wall, {$(cpu "$RR") / $(cpu "$O"):.0f}x CPU  (target >= 100x)')"
else
  echo "Rscript with lme4 not found: skipping the lme4 column"
fi

echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs; data in $OUT"
