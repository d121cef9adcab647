#!/usr/bin/env bash
# Periscope RPC vs gRPC C++: unary echo calls over TCP loopback, small (100 B), medium (10 KB)
# and large (1 MB) payloads, 1 and 16 calls in flight, tracing off, on (CLIENT and SERVER spans
# through a batch processor into an exporter that discards them) and otlp (the same, exported
# over OTLP/HTTP to `rpc_bench sink`, which acknowledges without parsing). The server runs on
# core 0, the client on core 1 (taskset), the sink unpinned. Prints a markdown table and writes it
# to bench/results/rpc.md.
#
#   bench/rpc/run.sh [build dir (default: build)] [seconds per run (default: 2)]
# It builds rpc_bench first unless RPC_BENCH_NO_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD="${1:-build}"
SECONDS_PER_RUN="${2:-2}"
BIN="$BUILD/bench/rpc/rpc_bench"
OUT=bench/results/rpc.md
if [[ "${RPC_BENCH_NO_BUILD:-0}" != 1 ]]; then
  if ! ninja -C "$BUILD" rpc_bench >"$BUILD/rpc_bench_build.log" 2>&1; then
    echo "building rpc_bench failed, see $BUILD/rpc_bench_build.log" >&2
    exit 1
  fi
fi
SIZES=(100 10240 1048576)
CONCURRENCY=(1 16)
source bench/rpc/bench_env.sh  # cwd is the repository root (cd above)

PIN_SERVER=(taskset -c 0)
PIN_CLIENT=(taskset -c 1)
if ! taskset -c 0,1 true 2>/dev/null; then PIN_SERVER=(); PIN_CLIENT=(); fi

start_sink

start_server() {  # impl tracing
  rm -f "$WORK/port"
  "${PIN_SERVER[@]}" "$BIN" server --impl "$1" --tracing "$2" --otlp "$OTLP" --port-file "$WORK/port" \
    2>"$WORK/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    [[ -s "$WORK/port" ]] && return 0
    sleep 0.05
  done
  echo "server $1 did not start: $(cat "$WORK/server.log")" >&2
  exit 1
}

stop_server() {
  kill "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

declare -A RESULT
for tracing in 0 1 2; do
  for impl in periscope grpc; do
    start_server "$impl" "$tracing"
    port="$(cat "$WORK/port")"
    for size in "${SIZES[@]}"; do
      for conc in "${CONCURRENCY[@]}"; do
        line="$("${PIN_CLIENT[@]}" "$BIN" client --impl "$impl" --tracing "$tracing" --otlp "$OTLP" --port "$port" \
          --size "$size" --concurrency "$conc" --seconds "$SECONDS_PER_RUN" --warmup-ms 500)"
        echo "$impl tracing=$tracing size=$size in-flight=$conc: $line" >&2
        RESULT["$impl,$tracing,$size,$conc"]="$line"
      done
    done
    stop_server
  done
done

field() {  # line name
  sed -n "s/.*$2=\([0-9.]*\).*/\1/p" <<<"$1"
}
human() {
  case "$1" in
    100) echo "100 B" ;; 10240) echo "10 KB" ;; 1048576) echo "1 MB" ;; *) echo "$1 B" ;;
  esac
}

{
  echo "# RPC benchmark: Periscope RPC vs gRPC C++"
  echo
  echo "Unary echo over TCP loopback (request and reply carry the payload), one connection/channel,"
  echo "server on core 0, client on core 1; ${SECONDS_PER_RUN} s per row after 0.5 s warm-up."
  echo "Tracing on: a CLIENT and a SERVER span per call, W3C context in the request (Periscope: binary"
  echo "frame fields; gRPC: metadata), batch processor, exporter that discards; otlp: the same spans exported over OTLP/HTTP protobuf to a"
  echo "local sink. \`bench/rpc/run.sh $BUILD $SECONDS_PER_RUN\` on $(date -u +%F),"
  echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')."
  echo
  echo "| payload | in flight | tracing | Periscope calls/s | p50 µs | p99 µs | gRPC calls/s | p50 µs | p99 µs | calls/s ratio | p50 ratio |"
  echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for tracing in 0 1 2; do
    for size in "${SIZES[@]}"; do
      for conc in "${CONCURRENCY[@]}"; do
        p="${RESULT[periscope,$tracing,$size,$conc]}"
        g="${RESULT[grpc,$tracing,$size,$conc]}"
        pr="$(field "$p" calls_per_s)"; gr="$(field "$g" calls_per_s)"
        p50p="$(field "$p" p50_us)"; p50g="$(field "$g" p50_us)"
        ratio="$(awk -v a="$pr" -v b="$gr" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"
        lat="$(awk -v a="$p50p" -v b="$p50g" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"
        echo "| $(human "$size") | $conc | $(case $tracing in 0) echo off ;; 1) echo on ;; 2) echo otlp ;; esac) | $pr | $p50p | $(field "$p" p99_us) | $gr | $p50g | $(field "$g" p99_us) | $ratio | $lat |"
      done
    done
  done
  echo
  echo "Ratios are Periscope / gRPC: calls/s above 1 and p50 below 1 favour Periscope."
  echo
  echo "Tracing cost, Periscope: calls/s lost against the same row with tracing off."
  echo
  echo "| payload | in flight | on | otlp |"
  echo "| --- | --- | ---: | ---: |"
  for size in "${SIZES[@]}"; do
    for conc in "${CONCURRENCY[@]}"; do
      off="$(field "${RESULT[periscope,0,$size,$conc]}" calls_per_s)"
      loss() { awk -v a="$1" -v b="$off" 'BEGIN { if (b > 0) printf "%.1f%%", 100 * (1 - a / b); else print "-" }'; }
      echo "| $(human "$size") | $conc | $(loss "$(field "${RESULT[periscope,1,$size,$conc]}" calls_per_s)") | $(loss "$(field "${RESULT[periscope,2,$size,$conc]}" calls_per_s)") |"
    done
  done
} | tee "$OUT"
