# Shared by scripts/cluster-loopback.sh and scripts/bench-scale.sh (sourced, not run): a Ballista
# scheduler and two executors of this repository on loopback ports picked at run time.
#
#   start_cluster BIN_DIR WORK   (BIN_DIR holds chameleon-scheduler and chameleon-executor)
#
# sets URL (df://127.0.0.1:PORT), E1/E2 (the executors' ports) and appends the three PIDs to
# PIDS, logs in WORK/{scheduler,executor-1,executor-2}.log. The caller stops PIDS on exit and
# defines `fail MESSAGE`.

# Five free loopback ports (the system picks; closed again just before the servers bind them).
free_ports() {
  python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(5)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
for s in socks:
    s.close()
PY
}

wait_port() { # port, what
  for _ in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  fail "$2 did not listen on 127.0.0.1:$1 within 60 s"
}

start_cluster() { # bin dir, work dir
  local bin="$1" work="$2" sp g1 g2 i port grpc
  read -r sp E1 g1 E2 g2 < <(free_ports)
  URL="df://127.0.0.1:$sp"
  "$bin/chameleon-scheduler" --bind-port "$sp" >"$work/scheduler.log" 2>&1 &
  PIDS+=("$!")
  wait_port "$sp" "the scheduler"
  for i in 1 2; do
    if [ "$i" = 1 ]; then port=$E1 grpc=$g1; else port=$E2 grpc=$g2; fi
    mkdir -p "$work/executor-$i"
    "$bin/chameleon-executor" --scheduler "$URL" --port "$port" --grpc-port "$grpc" \
      --vcores 1 --work-dir "$work/executor-$i" >"$work/executor-$i.log" 2>&1 &
    PIDS+=("$!")
  done
  wait_port "$E1" "executor 1"
  wait_port "$E2" "executor 2"
}
