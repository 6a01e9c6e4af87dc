#!/usr/bin/env bash
# Issue #17: `chameleon decompose --engine datafusion --cluster` across real processes. Starts a
# Ballista scheduler (chameleon-scheduler) and two executors (chameleon-executor) on loopback
# ports picked at run time, decomposes generated ratings on them, and checks that
#   - the cluster's JSON is the local engine's, byte for byte;
#   - it agrees with the in-memory decomposition at docs/scale.md's tolerances;
#   - (reported) which executors logged tasks;
#   - with one executor stopped, the other still gives the same bytes (or the run fails with
#     nothing on stdout: never a partial result).
# Builds what it needs (the engine-feature binaries) into CARGO_TARGET_DIR; stops every process
# it started, by PID, on any exit.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

# Exactly the build of scripts/test.sh's engine step (the same command, not run): after that
# step nothing is compiled here. A `cargo build` instead would resolve features without the
# dev-dependencies and could compile shared crates again. The integration tests are what make
# cargo build the plain binaries (chameleon from the CLI's, the two servers from the engine's).
cargo test -p chameleon-engine -p chameleon-cli --features chameleon-cli/engine --lib \
  --test engine_cli --test servers --no-run
BIN="$CARGO_TARGET_DIR/debug"

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "cluster-loopback: $*" >&2
  for log in "$WORK"/*.log; do
    [[ -f "$log" ]] && { echo "--- $(basename "$log") (last lines)" >&2; tail -n 20 "$log" >&2; }
  done
  exit 1
}

# shellcheck source=scripts/cluster-common.sh
. scripts/cluster-common.sh
start_cluster "$BIN" "$WORK"
echo "scheduler $URL (pid ${PIDS[0]}), executors on ports $E1 and $E2 (pids ${PIDS[1]} ${PIDS[2]})"

DATA="$WORK/bench.csv"
"$BIN/chameleon" sample bench "$DATA" --persons 400 --dimensions 3 --seed 17 >/dev/null
"$BIN/chameleon" decompose "$DATA" --json >"$WORK/memory.json"
"$BIN/chameleon" decompose "$DATA" --engine datafusion --json >"$WORK/local.json"
on_cluster() { # output file
  timeout 300 "$BIN/chameleon" decompose "$DATA" --engine datafusion --cluster "$URL" \
    --target-partitions 4 --json >"$1" 2>"$1.err"
}
on_cluster "$WORK/cluster.json" || fail "the decomposition on the cluster failed: $(cat "$WORK/cluster.json.err")"
cmp -s "$WORK/local.json" "$WORK/cluster.json" \
  || fail "the cluster's JSON differs from the local engine's"
echo "the cluster's JSON is the local engine's, byte for byte ($(wc -c <"$WORK/cluster.json") bytes)"

# Against the in-memory decomposition: counts exact, REML estimates to the optimiser's accuracy
# (2e-6 relative, floor 1e-3), as crates/cli/tests/engine_cli.rs checks the local engine.
python3 - "$WORK/memory.json" "$WORK/cluster.json" <<'PY'
import json, sys
memory, engine = (json.load(open(p)) for p in sys.argv[1:3])
compared = 0
def agree(path, m, e):
    global compared
    if isinstance(e, bool) or e is None or isinstance(e, str):
        assert m == e, f"{path}: in memory {m!r}, cluster {e!r}"
    elif isinstance(e, (int, float)):
        tol = 2e-6 * max(abs(m), abs(e), 1e-3)
        assert abs(m - e) <= tol, f"{path}: in memory {m}, cluster {e}"
        compared += 1
    elif isinstance(e, dict):
        for k, v in e.items():
            if k in m:
                agree(f"{path}.{k}", m[k], v)
    elif isinstance(e, list) and path.endswith("rater_sensitivity"):
        assert len(m) == len(e), f"{path}: raters"
        for v in e:
            agree(f"{path}[{v['rater']}]", next(x for x in m if x["rater"] == v["rater"]), v)
    else:
        assert len(m) == len(e), f"{path}: lengths"
        for i, (a, b) in enumerate(zip(m, e)):
            agree(f"{path}[{i}]", a, b)
assert len(memory["dimensions"]) == len(engine["dimensions"]) > 0
for e in engine["dimensions"]:
    m = next(d for d in memory["dimensions"] if d["dimension"] == e["dimension"])
    agree(e["dimension"], m, e)
    assert m["warnings"] == e["warnings"], e["dimension"]
print(f"agrees with the in-memory decomposition: {compared} numbers")
PY

tasks() { grep -ci 'task' "$WORK/executor-$1.log" || true; }
t1=$(tasks 1) t2=$(tasks 2)
# Informative (Ballista's log wording is not an interface): which executors logged tasks.
if [[ "$t1" -gt 0 && "$t2" -gt 0 ]]; then
  echo "both executors logged tasks ($t1 and $t2 lines)"
else
  echo "warning: executor task log lines: $t1 and $t2 (one executor may have run every task)" >&2
fi

# One executor stopped: the other must give the same bytes, or the run must fail, printing
# nothing.
kill "${PIDS[2]}"
wait "${PIDS[2]}" 2>/dev/null || true
if on_cluster "$WORK/one.json"; then
  cmp -s "$WORK/local.json" "$WORK/one.json" \
    || fail "with one executor stopped the cluster printed a different result"
  echo "one executor stopped: the other gives the same bytes"
else
  [[ ! -s "$WORK/one.json" ]] || fail "a failed run printed a result"
  echo "one executor stopped: the run failed with nothing on stdout ($(head -c 200 "$WORK/one.json.err"))"
fi
echo "cluster loopback: all checks passed"
