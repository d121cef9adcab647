#!/usr/bin/env bash
# Instructions per call of one rpc_bench row, both processes, under callgrind: deterministic where
# wall-clock and CPU time on a shared machine are not. Runs the row twice (SHORT and LONG client
# seconds, each a fresh server and client under `valgrind --tool=callgrind`, pinned to cores 0 and
# 1 like run.sh) and divides the difference in instructions by the difference in calls, so
# start-up and shutdown cancel out. Prints
#   size=... in_flight=... tracing=... calls_short=... calls_long=... server_kinstr_per_call=...
#   client_kinstr_per_call=... server_mallocs_per_call=... client_mallocs_per_call=...
#
#   bench/rpc/callgrind_probe.sh BIN SIZE IN_FLIGHT TRACING [SHORT (default 2)] [LONG (default 6)]
# TRACING 2 exports over OTLP/HTTP to an `rpc_bench sink` (not under callgrind, unpinned).
set -euo pipefail
BIN="$1"; SIZE="$2"; CONC="$3"; TRACING="$4"; SHORT="${5:-2}"; LONG="${6:-6}"
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/bench_env.sh"
start_sink
total_ir() {  # callgrind output file -> total instructions
  sed -n 's/^totals: *\([0-9]*\).*/\1/p; s/^summary: *\([0-9]*\).*/\1/p' "$1" | head -1
}
run() {  # seconds -> "calls server_ir client_ir"
  local secs="$1" dir="$WORK/$1"
  mkdir -p "$dir"
  taskset -c 0 valgrind --tool=callgrind --callgrind-out-file="$dir/server.out" \
    "$BIN" server --impl periscope --tracing "$TRACING" --otlp "$OTLP" --port-file "$dir/port" 2>"$dir/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 600); do [[ -s "$dir/port" ]] && break; sleep 0.1; done
  taskset -c 1 valgrind --tool=callgrind --callgrind-out-file="$dir/client.out" \
    "$BIN" client --impl periscope --tracing "$TRACING" --otlp "$OTLP" --port "$(cat "$dir/port")" \
    --size "$SIZE" --concurrency "$CONC" --seconds "$secs" --warmup-ms 0 >"$dir/out" 2>"$dir/client.log"
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || true
  SERVER_PID=""
  echo "$(sed -n 's/.*calls=\([0-9]*\) .*/\1/p' "$dir/out") $(total_ir "$dir/server.out") $(total_ir "$dir/client.out")" \
    "$("$HERE/callgrind_mallocs.py" "$dir/server.out") $("$HERE/callgrind_mallocs.py" "$dir/client.out")"
}
read -r n1 s1 c1 ms1 mc1 <<<"$(run "$SHORT")"
read -r n2 s2 c2 ms2 mc2 <<<"$(run "$LONG")"
awk -v n1="$n1" -v n2="$n2" -v s1="$s1" -v s2="$s2" -v c1="$c1" -v c2="$c2" \
  -v ms1="$ms1" -v ms2="$ms2" -v mc1="$mc1" -v mc2="$mc2" \
  -v head="size=$SIZE in_flight=$CONC tracing=$TRACING" \
  'BEGIN { printf "%s calls_short=%d calls_long=%d server_kinstr_per_call=%.1f client_kinstr_per_call=%.1f server_mallocs_per_call=%.1f client_mallocs_per_call=%.1f\n",
           head, n1, n2, (s2 - s1) / (n2 - n1) / 1000, (c2 - c1) / (n2 - n1) / 1000,
           (ms2 - ms1) / (n2 - n1), (mc2 - mc1) / (n2 - n1) }'
