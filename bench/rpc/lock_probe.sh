#!/usr/bin/env bash
# Lock-prefixed instructions per call on the rpc_bench server (100 B, 16 in flight): what a second
# thread in the process (the SDK's batch exporter, another io thread) makes every shared_ptr count,
# mutex and malloc arena lock cost. Runs the server under `valgrind --tool=callgrind
# --dump-instr=yes` for a 2 s and a 6 s client run (client native, cores 0 and 1 like run.sh),
# then bench/rpc/lockcount.py divides the difference in executed lock instructions by the
# difference in calls and lists them by function.
#
#   bench/rpc/lock_probe.sh BIN TRACING(0|1) OUTDIR [TOP_N]
set -euo pipefail
BIN="$1"; TRACING="$2"; OUT="$3"; TOP="${4:-25}"
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/bench_env.sh"  # kills a server left running on exit
for secs in 2 6; do
  d="$OUT/$secs"; mkdir -p "$d"; rm -f "$d"/*
  taskset -c 0 valgrind --tool=callgrind --dump-instr=yes --callgrind-out-file="$d/server.out" \
    "$BIN" server --impl periscope --tracing "$TRACING" --port-file "$d/port" 2>"$d/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 600); do [[ -s "$d/port" ]] && break; sleep 0.1; done
  taskset -c 1 "$BIN" client --impl periscope --tracing "$TRACING" --port "$(cat "$d/port")" \
    --size 100 --concurrency 16 --seconds "$secs" --warmup-ms 0 >"$d/out" 2>"$d/client.log"
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || true
  SERVER_PID=""
done
python3 "$HERE/lockcount.py" "$OUT" "$TOP"
