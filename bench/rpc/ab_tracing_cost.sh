#!/usr/bin/env bash
# What tracing costs two builds of rpc_bench, measured in one run so that the machine's drift hits
# both alike: ROUNDS rounds of four cpu_probe.sh runs (A untraced, A traced, B untraced, B traced;
# the order rotating each round) at one row (default 100 B, 16 in flight). For each build prints
# the medians of calls/s and the median of the per-round losses (each traced run against the
# untraced run of the same build in the same round, with quartiles), and the median increase of
# the server's and the client's CPU per call.
#
#   bench/rpc/ab_tracing_cost.sh BIN_A BIN_B [ROUNDS (default 8)] [SECONDS (default 3)] [SIZE] [IN_FLIGHT]
set -euo pipefail
BIN_A="$1"; BIN_B="$2"; ROUNDS="${3:-8}"; SECS="${4:-3}"; SIZE="${5:-100}"; CONC="${6:-16}"
HERE="$(cd "$(dirname "$0")" && pwd)"
RUNS="$(mktemp)"
trap 'rm -f "$RUNS"' EXIT
combos=("A 0" "A 1" "B 0" "B 1")
for round in $(seq 1 "$ROUNDS"); do
  for i in 0 1 2 3; do
    read -r build tracing <<<"${combos[$(( (i + round - 1) % 4 ))]}"
    bin="$BIN_A"; [[ "$build" == B ]] && bin="$BIN_B"
    echo "round=$round build=$build $("$HERE/cpu_probe.sh" "$bin" periscope "$SIZE" "$CONC" "$tracing" "$SECS" | tail -1)" |
      tee -a "$RUNS"
  done
done
python3 - "$RUNS" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    f = dict(re.findall(r'(\w+)=(\S+)', line))
    runs[(f['round'], f['build'], f['tracing'])] = f
rounds = sorted({k[0] for k in runs}, key=int)
med = statistics.median
for build in ('A', 'B'):
    def value(r, tracing, key):
        return float(runs[(r, build, tracing)][key])
    loss = [100 * (1 - value(r, '1', 'calls_per_s') / value(r, '0', 'calls_per_s')) for r in rounds]
    cpu = {side: [100 * (value(r, '1', f'{side}_us_per_call') / value(r, '0', f'{side}_us_per_call') - 1)
                  for r in rounds] for side in ('server', 'client')}
    q = statistics.quantiles(loss, n=4) if len(loss) > 1 else [loss[0]] * 3
    print(f"{build}: {len(rounds)} rounds; median calls/s off {med(value(r, '0', 'calls_per_s') for r in rounds):.0f}, "
          f"on {med(value(r, '1', 'calls_per_s') for r in rounds):.0f}; median paired loss {med(loss):.1f}% "
          f"(quartiles {q[0]:.1f}..{q[2]:.1f}); server CPU/call +{med(cpu['server']):.1f}%, "
          f"client CPU/call +{med(cpu['client']):.1f}%")
PY
