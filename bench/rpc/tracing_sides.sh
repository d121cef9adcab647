#!/usr/bin/env bash
# Which side's tracing costs what: Periscope RPC at one row (default 100 B, 16 in flight) with
# tracing on neither side, the server only, the client only and both (spans into a discarding
# exporter), ROUNDS rounds of SECONDS each, the four taking turns in a rotating order so drift in
# the machine's speed hits them alike. Two servers (untraced, traced) run on core 0 and the
# client on core 1, as in run.sh. Prints every run, then per combination the median calls/s and
# the median of its per-round loss against "neither" (with quartiles).
#
#   bench/rpc/tracing_sides.sh BIN [ROUNDS (default 10)] [SECONDS (default 1)] [SIZE] [IN_FLIGHT]
set -euo pipefail
BIN="$1"; ROUNDS="${2:-10}"; SECS="${3:-1}"; SIZE="${4:-100}"; CONC="${5:-16}"
WORK="$(mktemp -d)"
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
for t in 0 1; do
  taskset -c 0 "$BIN" server --impl periscope --tracing "$t" --port-file "$WORK/port$t" 2>/dev/null &
  PIDS+=($!)
done
for t in 0 1; do
  for _ in $(seq 1 200); do [[ -s "$WORK/port$t" ]] && break; sleep 0.05; done
done
combos=("0 0" "1 0" "0 1" "1 1")  # server client
for round in $(seq 1 "$ROUNDS"); do
  for i in 0 1 2 3; do
    read -r st ct <<<"${combos[$(( (i + round) % 4 ))]}"
    line="$(taskset -c 1 "$BIN" client --impl periscope --tracing "$ct" --port "$(cat "$WORK/port$st")" \
      --size "$SIZE" --concurrency "$CONC" --seconds "$SECS" --warmup-ms 300 2>/dev/null)"
    echo "round=$round server=$st client=$ct $line" | tee -a "$WORK/runs"
  done
done
python3 - "$WORK/runs" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    f = dict(re.findall(r'(\w+)=(\S+)', line))
    runs[(f['round'], f['server'], f['client'])] = float(f['calls_per_s'])
rounds = sorted({k[0] for k in runs}, key=int)
names = {('0', '0'): 'neither', ('1', '0'): 'server only', ('0', '1'): 'client only', ('1', '1'): 'both'}
for (s, c), name in names.items():
    rates = [runs[(r, s, c)] for r in rounds]
    losses = [100 * (1 - runs[(r, s, c)] / runs[(r, '0', '0')]) for r in rounds]
    q = statistics.quantiles(losses, n=4) if len(losses) > 1 else [losses[0]] * 3
    print(f'{name:12s} median calls/s {statistics.median(rates):9.0f}  loss {statistics.median(losses):5.1f}% (quartiles {q[0]:.1f}..{q[2]:.1f})')
PY
