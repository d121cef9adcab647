#!/usr/bin/env bash
# `make bench`: builds what the benchmarks need, then runs the trace benchmarks
# (bench/trace_bench.py) and writes bench/results/latest.{md,json}.
#
#   bench/run.sh [BUILD_DIR]          full mode (~15-20 min on 2 cores)
#   BENCH_QUICK=1 bench/run.sh build  quick mode (~2 min, small sizes)
#
# Environment: BENCH_WORK_DIR (scratch data dirs; default BUILD_DIR/bench-work, use a real disk),
# BENCH_RESULTS_DIR (default bench/results), BENCH_SKIP_BUILD=1 (use the binaries as they are).
set -euo pipefail

BUILD_DIR="${1:-build}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ "$(nproc)" -lt 2 ]]; then
  echo "bench/run.sh: needs at least 2 cores (server on core 0, load generator on core 1)" >&2
  exit 1
fi
for tool in taskset python3; do
  command -v "$tool" >/dev/null || { echo "bench/run.sh: $tool not found" >&2; exit 1; }
done

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  cmake --build "$BUILD_DIR" --target periscope otlp_decode_bench otlp_payload_bench
fi

args=(--build-dir "$BUILD_DIR" --results-dir "${BENCH_RESULTS_DIR:-$HERE/results}")
[[ -n "${BENCH_WORK_DIR:-}" ]] && args+=(--work-dir "$BENCH_WORK_DIR")
[[ "${BENCH_QUICK:-0}" == 1 ]] && args+=(--quick)
exec python3 "$HERE/trace_bench.py" "${args[@]}"
