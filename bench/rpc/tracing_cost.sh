#!/usr/bin/env bash
# What tracing costs Periscope RPC at one row (default 100 B, 16 in flight): ROUNDS pairs of
# cpu_probe.sh runs, tracing off and on (a discarding exporter; TRACED=2 exports over OTLP/HTTP
# instead), the order flipped every round so that drift in the machine's load hits both alike.
# Prints every run, then the medians: calls/s and its loss, the median of the per-round losses
# (each traced run against the untraced run of its round: robust to drift between rounds), and
# the server's and client's CPU microseconds per call and their increase.
#
#   bench/rpc/tracing_cost.sh BIN [ROUNDS (default 5)] [SECONDS (default 3)] [SIZE] [IN_FLIGHT]
set -euo pipefail
BIN="$1"; ROUNDS="${2:-5}"; SECS="${3:-3}"; SIZE="${4:-100}"; CONC="${5:-16}"
TRACED="${TRACED:-1}"
HERE="$(cd "$(dirname "$0")" && pwd)"
RUNS="$(mktemp)"
trap 'rm -f "$RUNS"' EXIT
for round in $(seq 1 "$ROUNDS"); do
  order=(0 "$TRACED")
  if (( round % 2 == 0 )); then order=("$TRACED" 0); fi
  for tracing in "${order[@]}"; do
    "$HERE/cpu_probe.sh" "$BIN" periscope "$SIZE" "$CONC" "$tracing" "$SECS" | tee -a "$RUNS"
  done
done
python3 - "$RUNS" "$TRACED" <<'EOF'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    fields = dict(re.findall(r'(\w+)=(\S+)', line))
    runs.setdefault(fields['tracing'], []).append(fields)
# Each round has one untraced and one traced run: runs['0'][i] and runs[traced][i] are round i's.
def median(tracing, key):
    return statistics.median(float(r[key]) for r in runs[tracing])
off, on = '0', sys.argv[2]
calls_off, calls_on = median(off, 'calls_per_s'), median(on, 'calls_per_s')
print(f"median calls/s: off {calls_off:.0f}, on {calls_on:.0f}, "
      f"loss {100 * (1 - calls_on / calls_off):.1f}%")
paired = [100 * (1 - float(b['calls_per_s']) / float(a['calls_per_s']))
          for a, b in zip(runs[off], runs[on])]
print(f"median paired loss: {statistics.median(paired):.1f}% over {len(paired)} rounds")
for side in ('server', 'client'):
    a, b = median(off, f'{side}_us_per_call'), median(on, f'{side}_us_per_call')
    print(f"median {side} CPU us/call: off {a:.2f}, on {b:.2f}, +{100 * (b / a - 1):.1f}%")
EOF
