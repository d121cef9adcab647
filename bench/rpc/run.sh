#!/usr/bin/env bash
# Periscope RPC vs gRPC C++: unary echo calls over TCP loopback, small (100 B), medium (10 KB)
# and large (1 MB) payloads, 1 and 16 calls in flight, tracing off, on (CLIENT and SERVER spans
# through a batch processor into an exporter that discards them) and otlp (the same, exported
# over OTLP/HTTP to `rpc_bench sink`, which acknowledges without parsing). The servers run on
# core 0, the client on core 1 (taskset), the sink unpinned. Every row runs ROUNDS times; within
# a round the six servers (two implementations, three tracing modes, all started up front) take
# turns, the tracing order rotating from round to round, so drift in the machine's speed hits
# every column alike. A cell is the run with the median calls/s. Prints markdown tables and
# writes them to bench/results/rpc.md (BENCH_RESULTS_DIR/rpc.md when set).
#
#   bench/rpc/run.sh [build dir (default: build)] [seconds per run (default: 2)] [rounds (default: 3)]
# It builds rpc_bench first unless RPC_BENCH_NO_BUILD=1. Then it measures the tracing cost again
# at 100 B and 10 KB, 16 in flight, by alternating phases in one process pair
# (bench/rpc/tracing_ab.sh: AB_RUNS runs, default ROUNDS, of AB_SECONDS, default 10 x seconds per
# run), which separate runs on a shared machine are too noisy for.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD="${1:-build}"
SECONDS_PER_RUN="${2:-2}"
ROUNDS="${3:-3}"
BIN="$BUILD/bench/rpc/rpc_bench"
OUT="${BENCH_RESULTS_DIR:-bench/results}/rpc.md"
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

declare -A PORT PID
start_server() {  # impl tracing
  local port_file="$WORK/port-$1-$2"
  "${PIN_SERVER[@]}" "$BIN" server --impl "$1" --tracing "$2" --otlp "$OTLP" --port-file "$port_file" \
    2>"$WORK/server-$1-$2.log" &
  PID["$1,$2"]=$!
  for _ in $(seq 1 200); do
    if [[ -s "$port_file" ]]; then
      PORT["$1,$2"]="$(cat "$port_file")"
      return 0
    fi
    sleep 0.05
  done
  echo "server $1 (tracing $2) did not start: $(cat "$WORK/server-$1-$2.log")" >&2
  exit 1
}
stop_servers() {
  for pid in "${PID[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  PID=()
}
trap 'stop_servers; cleanup' EXIT
for tracing in 0 1 2; do
  for impl in periscope grpc; do start_server "$impl" "$tracing"; done
done

declare -A RUNS  # impl,tracing,size,in-flight -> one result line per round
for round in $(seq 1 "$ROUNDS"); do
  modes=(0 1 2)
  modes=("${modes[@]:$(( (round - 1) % 3 ))}" "${modes[@]:0:$(( (round - 1) % 3 ))}")
  for size in "${SIZES[@]}"; do
    for conc in "${CONCURRENCY[@]}"; do
      for tracing in "${modes[@]}"; do
        for impl in periscope grpc; do
          line="$("${PIN_CLIENT[@]}" "$BIN" client --impl "$impl" --tracing "$tracing" --otlp "$OTLP" \
            --port "${PORT[$impl,$tracing]}" --size "$size" --concurrency "$conc" \
            --seconds "$SECONDS_PER_RUN" --warmup-ms 500 2>/dev/null)"
          echo "round $round $impl tracing=$tracing size=$size in-flight=$conc: $line" >&2
          RUNS["$impl,$tracing,$size,$conc"]+="$line"$'\n'
        done
      done
    done
  done
done
stop_servers

# Tracing cost by alternating phases: mode,size -> tracing_ab.sh's summary line.
AB_RUNS="${AB_RUNS:-$ROUNDS}"
AB_SECONDS="${AB_SECONDS:-$((10 * SECONDS_PER_RUN))}"
declare -A AB
for size in 100 10240; do
  for traced in 1 2; do
    AB["$traced,$size"]="$(TRACED=$traced bench/rpc/tracing_ab.sh "$BIN" "$AB_RUNS" "$AB_SECONDS" \
      "$size" 16 2>/dev/null | grep '^build ' || true)"
    echo "alternating tracing=$traced size=$size: ${AB[$traced,$size]}" >&2
  done
done

# The run with the median calls/s of each cell.
declare -A RESULT
for key in "${!RUNS[@]}"; do
  RESULT["$key"]="$(printf '%s' "${RUNS[$key]}" | grep calls_per_s |
    awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^calls_per_s=/) { split($i, kv, "="); print kv[2] "\t" $0 } }' |
    sort -n | awk -F'\t' '{ line[NR] = $2 } END { print line[int((NR + 1) / 2)] }')"
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
  echo "server on core 0, client on core 1; ${SECONDS_PER_RUN} s per run after 0.5 s warm-up, each cell the"
  echo "median (by calls/s) of ${ROUNDS} runs taken in turns with the other columns of its row."
  echo "Tracing on: a CLIENT and a SERVER span per call, W3C context in the request (Periscope: binary"
  echo "frame fields; gRPC: metadata), batch processor, exporter that discards; otlp: the same spans"
  echo "exported over OTLP/HTTP protobuf to a local sink (unpinned: it competes with both processes"
  echo "for the two cores). \`bench/rpc/run.sh $BUILD $SECONDS_PER_RUN $ROUNDS\` on $(date -u +%F),"
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
  echo "Tracing cost, Periscope: calls/s lost against the same row with tracing off (medians)."
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
  echo
  echo "Tracing cost, Periscope, by alternating phases: one server process serves traced and untraced"
  echo "on two ports, one client process alternates between them every second (\`bench/rpc/tracing_ab.sh"
  echo "BIN $AB_RUNS $AB_SECONDS SIZE 16\`); the median of the runs' median per-pair loss, and the loss"
  echo "over all their calls. Steadier than the table above on a shared machine."
  echo
  echo "| payload | in flight | on: median (all calls) | otlp: median (all calls) |"
  echo "| --- | --- | ---: | ---: |"
  for size in 100 10240; do
    ab() {
      local line="${AB[$1,$size]}"
      if [[ -z "$line" ]]; then echo "-"; return; fi
      echo "$(sed -n 's/.*median_run_loss_pct=\([-0-9.]*\).*/\1/p' <<<"$line")% ($(sed -n 's/.*total_loss_pct=\([-0-9.]*\).*/\1/p' <<<"$line")%)"
    }
    echo "| $(human "$size") | 16 | $(ab 1) | $(ab 2) |"
  done
} | tee "$OUT"
