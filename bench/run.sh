#!/usr/bin/env bash
# `make bench`: builds what the benchmarks need, then runs the trace benchmarks
# (bench/trace_bench.py, bench/results/latest.{md,json}), the log benchmarks (bench/logs_bench.py,
# logs.{md,json}; Periscope vs rg and zstd) and the metric benchmarks (bench/metrics_bench.py,
# metrics.{md,json}; Periscope vs VictoriaMetrics on the same remote-write stream) and the RPC
# benchmark (bench/rpc/run.sh, rpc.md; Periscope RPC vs gRPC C++, tracing off, on and exported).
#
#   bench/run.sh [BUILD_DIR]          full mode (~45 min on 2 cores: traces, 10M log lines, metrics,
#                                     RPC 3 rounds of 2 s per cell)
#   BENCH_QUICK=1 bench/run.sh build  quick mode (~6 min, small sizes, RPC 1 round of 1 s per cell)
#
# Environment: BENCH_WORK_DIR (scratch data dirs; default BUILD_DIR/bench-work, use a real disk),
# BENCH_RESULTS_DIR (default bench/results), BENCH_SKIP_BUILD=1 (use the binaries as they are),
# BENCH_SUITES (default "traces logs metrics rpc": the suites to run).
set -euo pipefail

BUILD_DIR="${1:-build}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ "$(nproc)" -lt 2 ]]; then
  echo "bench/run.sh: needs at least 2 cores (server on core 0, load generator on core 1)" >&2
  exit 1
fi
for tool in taskset python3 rg zstd; do
  command -v "$tool" >/dev/null || { echo "bench/run.sh: $tool not found" >&2; exit 1; }
done

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  cmake --build "$BUILD_DIR" --target periscope otlp_decode_bench otlp_payload_bench
fi

args=(--build-dir "$BUILD_DIR" --results-dir "${BENCH_RESULTS_DIR:-$HERE/results}")
[[ -n "${BENCH_WORK_DIR:-}" ]] && args+=(--work-dir "$BENCH_WORK_DIR")
[[ "${BENCH_QUICK:-0}" == 1 ]] && args+=(--quick)
suites=" ${BENCH_SUITES:-traces logs metrics rpc} "
[[ "$suites" == *" traces "* ]] && python3 "$HERE/trace_bench.py" "${args[@]}"
[[ "$suites" == *" logs "* ]] && python3 "$HERE/logs_bench.py" "${args[@]}"
if [[ "$suites" == *" metrics "* ]]; then
  if [[ -x /usr/bin/victoria-metrics ]]; then
    python3 "$HERE/metrics_bench.py" "${args[@]}"
  else
    echo "bench/run.sh: /usr/bin/victoria-metrics not installed; metric benchmarks skipped" >&2
  fi
fi
if [[ "$suites" == *" rpc "* ]]; then
  rpc_env=()
  [[ "${BENCH_SKIP_BUILD:-0}" == 1 ]] && rpc_env+=(RPC_BENCH_NO_BUILD=1)
  if [[ "${BENCH_QUICK:-0}" == 1 ]]; then
    env "${rpc_env[@]}" "$HERE/rpc/run.sh" "$BUILD_DIR" 1 1
  else
    env "${rpc_env[@]}" "$HERE/rpc/run.sh" "$BUILD_DIR" 2 3
  fi
fi
