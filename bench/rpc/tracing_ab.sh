#!/usr/bin/env bash
# What tracing costs Periscope RPC at one row (default 100 B, 16 in flight), measured in one
# process pair: the server (core 0 when taskset works) serves traced and untraced on two ports,
# and the client (core 1) alternates between them every PHASE_MS (default 1000), so that drift in
# the machine's speed, which moves separate runs by 10% and more on a shared host, hits both sides
# of every pair of phases alike. Shorter phases are steadier but measure less than the cost
# (probably because the batch worker exports a traced phase's last spans during the next phase):
# 50 ms and 250 ms phases showed about half and two thirds of what 1000 ms phases did
# (docs/benchmarks.md, "Session 12"). RUNS runs (fresh processes each) print one line each:
#   pairs=N traced_calls_per_s=T plain_calls_per_s=P loss_pct=L q1_pct=A q3_pct=B total_loss_pct=C
# (L: median over the run's pairs of phases of the traced phase's throughput loss against the
# untraced one; A, B its quartiles; C from the run's totals) and cpu_pct=I ... (I: the median over
# the pairs of the increase in CPU per call, both processes, all threads), then per build the
# median of the runs' L, their range, the loss over all the runs' calls, the median untraced
# calls/s and the median of the runs' I with its range.
# With AGAINST=BIN_B a second build takes its turn in every run, the order alternating, so that
# two builds are compared in the same window (the cost itself moves with the machine's state).
# TRACED=2 exports over OTLP/HTTP to an `rpc_bench sink`; BATCH=N sets --batch.
#
#   [AGAINST=BIN_B] bench/rpc/tracing_ab.sh BIN [RUNS (default 3)] [SECONDS (default 20)] [SIZE] [IN_FLIGHT]
set -euo pipefail
BIN="$1"; RUNS="${2:-3}"; SECS="${3:-20}"; SIZE="${4:-100}"; CONC="${5:-16}"
TRACED="${TRACED:-1}"; PHASE_MS="${PHASE_MS:-1000}"
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/bench_env.sh"
FLAGS=(--impl periscope --tracing "$TRACED")
if [[ -n "${BATCH:-}" ]]; then FLAGS+=(--batch "$BATCH"); fi
if [[ "$TRACED" == 2 ]]; then
  start_sink
  FLAGS+=(--otlp "$OTLP")
fi
PIN_SERVER=(taskset -c 0)
PIN_CLIENT=(taskset -c 1)
if ! taskset -c 0,1 true 2>/dev/null; then PIN_SERVER=(); PIN_CLIENT=(); fi
builds=("$BIN")
if [[ -n "${AGAINST:-}" ]]; then builds+=("$AGAINST"); fi
for run in $(seq 1 "$RUNS"); do
  for i in "${!builds[@]}"; do
    b=$(( (i + run - 1) % ${#builds[@]} ))
    bin="${builds[$b]}"
    rm -f "$WORK/port" "$WORK/plain-port"
    "${PIN_SERVER[@]}" "$bin" server "${FLAGS[@]}" --port-file "$WORK/port" \
      --plain-port-file "$WORK/plain-port" 2>"$WORK/server.log" &
    SERVER_PID=$!
    for _ in $(seq 1 200); do [[ -s "$WORK/port" ]] && break; sleep 0.05; done
    "${PIN_CLIENT[@]}" "$bin" client "${FLAGS[@]}" --port "$(cat "$WORK/port")" \
      --plain-port "$(cat "$WORK/plain-port")" --phase-ms "$PHASE_MS" --server-pid "$SERVER_PID" \
      --size "$SIZE" \
      --concurrency "$CONC" --seconds "$SECS" --warmup-ms 500 2>"$WORK/client.log" |
      sed "s/^/run=$run build=$b /" | tee -a "$WORK/runs"
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  done
done
python3 - "$WORK/runs" "${builds[@]}" <<'PY'
import re, statistics, sys
runs = [dict(re.findall(r'(\w+)=(\S+)', line)) for line in open(sys.argv[1])]
for build, path in enumerate(sys.argv[2:]):
    mine = [r for r in runs if r.get('build') == str(build) and 'loss_pct' in r]
    if not mine:
        print(f'build {path}: no run finished')
        continue
    losses = sorted(float(r['loss_pct']) for r in mine)
    traced = sum(float(r['traced_calls_per_s']) * int(r['pairs']) for r in mine)
    plain = sum(float(r['plain_calls_per_s']) * int(r['pairs']) for r in mine)
    untraced = statistics.median(float(r['plain_calls_per_s']) for r in mine)
    cpu = sorted(float(r['cpu_pct']) for r in mine if 'cpu_pct' in r)
    cpu_text = (f' median_run_cpu_pct={statistics.median(cpu):.2f} cpu_range={cpu[0]:.2f}..{cpu[-1]:.2f}'
                if cpu else '')
    print(f'build {path}: runs={len(mine)} median_run_loss_pct={statistics.median(losses):.2f} '
          f'range={losses[0]:.2f}..{losses[-1]:.2f} total_loss_pct={100 * (1 - traced / plain):.2f} '
          f'untraced_calls_per_s={untraced:.0f}{cpu_text}')
PY
