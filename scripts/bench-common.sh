# Shared by scripts/bench-decompose.sh and scripts/bench-agreement.sh (sourced, not run):
# medians of whole processes with their CPU time, ratios side by side, and lab-style long ids.
# Needs $OUT (a scratch directory) set by the caller.

# The binary to time: $CHAMELEON_BIN when set (already built), else a release build of the CLI
# with cargo's extra ARGS (`--features engine`). Sets BIN.
bench_bin() {
  if [ -n "${CHAMELEON_BIN:-}" ]; then
    BIN="$CHAMELEON_BIN"
  else
    echo "building chameleon $* (release)…" >&2
    cargo build --release -q -p chameleon-cli "$@"
    BIN="${CARGO_TARGET_DIR:-target}/release/chameleon"
  fi
}

# "wall cpu" seconds (cpu = user + sys) of the run with the median wall time out of N
# (stdout discarded, stderr appended to $OUT/stderr.log). CPU time is printed because a
# loaded machine stretches wall time.
median_of() {
  local n=$1; shift
  local t runs
  t=$(mktemp)
  runs=$(mktemp)
  for _ in $(seq "$n"); do
    # An untimed step before each run when the caller names one (a fresh copy of a study).
    if [ -n "${BEFORE_RUN:-}" ]; then "$BEFORE_RUN"; fi
    /usr/bin/time -f "%e %U %S" -o "$t" "$@" > /dev/null 2>> "$OUT/stderr.log"
    tail -n 1 "$t" >> "$runs"
  done
  python3 -c "
import sys
runs = sorted((float(w), float(u) + float(s)) for w, u, s in (l.split() for l in open(sys.argv[1])))
w, c = runs[(len(runs) - 1) // 2]
print(f'{w} {c}')" "$runs"
  rm -f "$t" "$runs"
}
wall() { echo "$1" | cut -d' ' -f1; }
cpu() { echo "$1" | cut -d' ' -f2; }

# One line of a side-by-side table: LABEL OURS THEIRS TARGET, OURS and THEIRS "wall cpu"
# pairs from median_of; prints both times and both ratios (theirs / ours), and whether the
# CPU ratio (the one a second core or background load does not bend) meets TARGET.
ratio_row() {
  python3 -c "
import sys
label, ours, theirs, target = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), float(sys.argv[4])
ow, oc = (max(float(x), 0.001) for x in ours)
tw, tc = (float(x) for x in theirs)
verdict = 'meets' if tc / oc >= target else 'BELOW'
print(f'{label:<44} {ow:7.3f} s wall {oc:7.3f} s CPU | {tw / ow:6.0f}x wall {tc / oc:6.0f}x CPU  ({verdict} the {target:.0f}x CPU target)')
" "$@"
}

# The load average, printed with each section: timings on a busy machine are not quiet ones.
load_now() { echo "load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"; }

# FILE with every person, context and rater replaced by a 36-character UUID (lab-style ids,
# as an export from a survey tool has them): the same design, the reader's interning and
# hashing at the lengths real files have. Columns person,context,rater first.
long_ids() {
  python3 -c "
import sys, uuid
ids = {}
def u(x):
    return ids.setdefault(x, str(uuid.uuid5(uuid.NAMESPACE_OID, x)))
with open(sys.argv[1]) as f, open(sys.argv[2], 'w') as o:
    o.write(f.readline())
    for line in f:
        p, c, r, rest = line.split(',', 3)
        o.write(f'{u(\"p\" + p)},{u(\"c\" + c)},{u(\"r\" + r)},{rest}')
" "$1" "$2"
}
