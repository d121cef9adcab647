#!/usr/bin/env bash
# What tracing costs Periscope RPC at one row (default 100 B, 16 in flight): ROUNDS rounds of
# cpu_probe.sh runs, tracing off and on (a discarding exporter; TRACED=2 exports over OTLP/HTTP
# instead), the order rotating every round so that drift in the machine's load hits both alike.
# With AGAINST=BIN_B a second build takes its turns in the same rounds (four runs per round), so
# two builds are compared under the same drift.
# Prints every run, then for each build the medians: calls/s and its loss, the median of the
# per-round losses (each traced run against the untraced run of its build and round: robust to
# drift between rounds, with quartiles), and the server's and client's CPU microseconds per call
# and their increase.
#
#   [AGAINST=BIN_B] bench/rpc/tracing_cost.sh BIN [ROUNDS (default 5)] [SECONDS (default 3)] [SIZE] [IN_FLIGHT]
set -euo pipefail
BIN="$1"; ROUNDS="${2:-5}"; SECS="${3:-3}"; SIZE="${4:-100}"; CONC="${5:-16}"
TRACED="${TRACED:-1}"
HERE="$(cd "$(dirname "$0")" && pwd)"
RUNS="$(mktemp)"
trap 'rm -f "$RUNS"' EXIT
builds=("$BIN")
if [[ -n "${AGAINST:-}" ]]; then builds+=("$AGAINST"); fi
turns=()  # "index tracing"; index into builds
for b in "${!builds[@]}"; do turns+=("$b 0" "$b $TRACED"); done
for round in $(seq 1 "$ROUNDS"); do
  for i in "${!turns[@]}"; do
    read -r b tracing <<<"${turns[$(( (i + round - 1) % ${#turns[@]} ))]}"
    echo "round=$round build=$b $("$HERE/cpu_probe.sh" "${builds[$b]}" periscope "$SIZE" "$CONC" "$tracing" "$SECS" | tail -1)" |
      tee -a "$RUNS"
  done
done
python3 - "$RUNS" "$TRACED" "${builds[@]}" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    f = dict(re.findall(r'(\w+)=(\S+)', line))
    runs[(f['round'], f['build'], f['tracing'])] = f
off, on = '0', sys.argv[2]
rounds = sorted({k[0] for k in runs}, key=int)
med = statistics.median
for build, path in enumerate(sys.argv[3:]):
    build = str(build)
    def value(r, tracing, key):
        return float(runs[(r, build, tracing)][key])
    def median(tracing, key):
        return med(value(r, tracing, key) for r in rounds)
    calls_off, calls_on = median(off, 'calls_per_s'), median(on, 'calls_per_s')
    paired = [100 * (1 - value(r, on, 'calls_per_s') / value(r, off, 'calls_per_s')) for r in rounds]
    q = statistics.quantiles(paired, n=4) if len(paired) > 1 else paired * 3
    print(f"build {path}:")
    print(f"median calls/s: off {calls_off:.0f}, on {calls_on:.0f}, "
          f"loss {100 * (1 - calls_on / calls_off):.1f}%")
    print(f"median paired loss: {med(paired):.1f}% over {len(paired)} rounds "
          f"(quartiles {q[0]:.1f}..{q[2]:.1f})")
    for side in ('server', 'client'):
        a, b = median(off, f'{side}_us_per_call'), median(on, f'{side}_us_per_call')
        print(f"median {side} CPU us/call: off {a:.2f}, on {b:.2f}, +{100 * (b / a - 1):.1f}%")
PY
