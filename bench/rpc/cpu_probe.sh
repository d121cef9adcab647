#!/usr/bin/env bash
# CPU cost per call of one rpc_bench row, both processes: wall-clock calls/s is noisy on a shared
# machine, CPU-seconds per call much less so. Starts a server (core 0) and a client (core 1),
# samples utime+stime of both from /proc during the client's measured window (calls assumed
# evenly spread over it) and prints
#   impl=... size=... in_flight=... tracing=... calls_per_s=... server_us_per_call=...
#   client_us_per_call=... load=... [server_spans_dropped=... client_spans_dropped=...]
# (the span counts when tracing: spans the batch queues refused, which a fair run has none of).
#
#   bench/rpc/cpu_probe.sh BIN IMPL SIZE IN_FLIGHT TRACING [SECONDS (default 3)]
# BATCH=N sets rpc_bench's --batch (spans per export batch). TRACING 2 exports the spans over
# OTLP/HTTP to an `rpc_bench sink` started here (unpinned; its CPU is not counted).
set -euo pipefail
BIN="$1"; IMPL="$2"; SIZE="$3"; CONC="$4"; TRACING="$5"; SECS="${6:-3}"
WARMUP_MS=500
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/bench_env.sh"
cpu_ticks() {  # pid -> utime+stime in clock ticks
  awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}
BATCH_FLAGS=()
if [[ -n "${BATCH:-}" ]]; then BATCH_FLAGS=(--batch "$BATCH"); fi
# Tracing 2 exports over OTLP/HTTP to an `rpc_bench sink` (unpinned, not counted).
if [[ "$TRACING" == 2 ]]; then
  start_sink
  BATCH_FLAGS+=(--otlp "$OTLP")
fi
taskset -c 0 "$BIN" server --impl "$IMPL" --tracing "$TRACING" --port-file "$WORK/port" \
  "${BATCH_FLAGS[@]}" 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 1 200); do [[ -s "$WORK/port" ]] && break; sleep 0.05; done
taskset -c 1 "$BIN" client --impl "$IMPL" --tracing "$TRACING" --port "$(cat "$WORK/port")" \
  --size "$SIZE" --concurrency "$CONC" --seconds "$SECS" --warmup-ms "$WARMUP_MS" \
  "${BATCH_FLAGS[@]}" >"$WORK/out" 2>"$WORK/client.log" &
CLIENT_PID=$!
sleep "$(awk -v w="$WARMUP_MS" 'BEGIN { print w / 1000 }')"
s0="$(cpu_ticks "$SERVER_PID")"; c0="$(cpu_ticks "$CLIENT_PID")"
# Stop sampling a little before the window ends (the client exits right after it).
SAMPLE_SECS="$(awk -v s="$SECS" 'BEGIN { print s - 0.3 }')"
sleep "$SAMPLE_SECS"
s1="$(cpu_ticks "$SERVER_PID")"; c1="$(cpu_ticks "$CLIENT_PID")"
wait "$CLIENT_PID"
kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""
line="$(cat "$WORK/out")"
spans=""
if [[ "$TRACING" != 0 ]]; then
  spans=" server_spans_dropped=$(sed -n 's/.*spans_dropped=\([0-9]*\).*/\1/p' "$WORK/server.log")"
  spans+=" client_spans_dropped=$(sed -n 's/.*spans_dropped=\([0-9]*\).*/\1/p' "$WORK/client.log")"
fi
calls="$(sed -n 's/.*calls=\([0-9]*\) .*/\1/p' <<<"$line")"
hz="$(getconf CLK_TCK)"
awk -v s="$((s1 - s0))" -v c="$((c1 - c0))" -v n="$calls" -v hz="$hz" -v secs="$SECS" -v sampled="$SAMPLE_SECS" \
  -v head="impl=$IMPL size=$SIZE in_flight=$CONC tracing=$TRACING" -v load="$(cut -d' ' -f1 /proc/loadavg)" \
  -v spans="$spans" \
  'BEGIN { printf "%s calls_per_s=%.0f server_us_per_call=%.2f client_us_per_call=%.2f load=%s%s\n",
           head, n / secs, s * 1e6 / hz / (n * sampled / secs), c * 1e6 / hz / (n * sampled / secs), load, spans }'
