#!/usr/bin/env bash
# Callgrind profiles of both rpc_bench processes at 100 B / 16 in flight, for a SHORT and a LONG
# client run (fresh server and client each, cores 0 and 1 like run.sh), kept in OUTDIR/SECONDS/
# {server,client}.out with the client's result line in OUTDIR/SECONDS/out. EXTRA (environment)
# goes to both processes, e.g. EXTRA="--batch 256" to be past the batch queue's growth in short
# runs. bench/rpc/function_diff.py compares two such profiles per function.
#
#   [EXTRA=...] bench/rpc/function_profile.sh BIN TRACING OUTDIR [SHORT (default 2)] [LONG (default 5)]
set -euo pipefail
BIN="$1"; TRACING="$2"; OUT="$3"; SHORT="${4:-2}"; LONG="${5:-5}"
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/bench_env.sh"  # kills a server left running on exit
for secs in "$SHORT" "$LONG"; do
  d="$OUT/$secs"; mkdir -p "$d"; rm -f "$d"/*
  # shellcheck disable=SC2086
  taskset -c 0 valgrind --tool=callgrind --callgrind-out-file="$d/server.out" \
    "$BIN" server --impl periscope --tracing "$TRACING" ${EXTRA:-} --port-file "$d/port" 2>"$d/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 600); do [[ -s "$d/port" ]] && break; sleep 0.1; done
  # shellcheck disable=SC2086
  taskset -c 1 valgrind --tool=callgrind --callgrind-out-file="$d/client.out" \
    "$BIN" client --impl periscope --tracing "$TRACING" ${EXTRA:-} --port "$(cat "$d/port")" \
    --size 100 --concurrency 16 --seconds "$secs" --warmup-ms 0 >"$d/out" 2>"$d/client.log"
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || true
  SERVER_PID=""
done
echo "calls: $(sed -n 's/.*calls=\([0-9]*\) .*/\1/p' "$OUT/$SHORT/out") $(sed -n 's/.*calls=\([0-9]*\) .*/\1/p' "$OUT/$LONG/out")"
