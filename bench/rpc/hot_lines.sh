#!/usr/bin/env bash
# How much code one side of an rpc_bench row runs per call: the distinct 64-byte cache lines
# holding instructions executed at least THRESHOLD (default 0.5) times per call on average, under
# callgrind --dump-instr=yes, tracing off and on, and the functions that hold the most of them
# (and those whose count tracing changes). A 32 KB L1 instruction cache holds 512 lines; a call
# whose hot code is larger misses in it on every call (docs/benchmarks.md, "Session 13").
# Deterministic, unlike wall-clock time on a shared machine. Lines of the dynamic loader (start-up
# code run more often than the calls) are counted in the totals; the per-function lists show them.
#
#   bench/rpc/hot_lines.sh BIN server|client [SECONDS (default 3)] [TOP (default 20)]
set -euo pipefail
BIN="$1"; SIDE="$2"; SECS="${3:-3}"; TOP="${4:-20}"
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/bench_env.sh"
CL=(valgrind --tool=callgrind --dump-instr=yes)
for tracing in 0 1; do
  out="$WORK/t$tracing"; mkdir -p "$out"; rm -f "$WORK/port"
  server=(taskset -c 0 "$BIN" server --impl periscope --tracing "$tracing" --port-file "$WORK/port"
          --batch 256)
  client=(taskset -c 1 "$BIN" client --impl periscope --tracing "$tracing" --size 100
          --concurrency 16 --seconds "$SECS" --warmup-ms 0 --batch 256)
  if [[ "$SIDE" == server ]]; then
    server=(taskset -c 0 "${CL[@]}" --callgrind-out-file="$out/cl.out" "${server[@]:3}")
  else
    client=(taskset -c 1 "${CL[@]}" --callgrind-out-file="$out/cl.out" "${client[@]:3}")
  fi
  "${server[@]}" 2>"$out/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 600); do [[ -s "$WORK/port" ]] && break; sleep 0.1; done
  "${client[@]}" --port "$(cat "$WORK/port")" >"$out/out" 2>"$out/client.log"
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
done
python3 "$HERE/hot_lines.py" "$WORK/t0" "$WORK/t1" "$TOP"
