#!/usr/bin/env bash
# What tracing adds to one side of an rpc_bench row in instructions and simulated cache misses
# per call (valgrind's cachegrind, L1 32 KB/8-way, last level 1 MB/8-way as this machine's L2):
# deterministic where wall-clock time on a shared machine is not, and it shows what
# callgrind_probe.sh cannot: the instruction-cache misses of a code path larger than L1.
# Runs the side under cachegrind (pinned to core 0 for the server, 1 for the client; the other
# side native), tracing off and on, each twice (SHORT and LONG client seconds) so that start-up
# cancels out, and prints per call, tracing off / on / added:
#   Ir (instructions), I1mr (L1 instruction misses), D1mr + D1mw (L1 data misses), and
#   est = Ir + 12 x (all L1 misses), a rough cycle estimate (an L2 hit costs ~12 cycles),
# then the TOP functions by added est.
#
#   bench/rpc/cache_probe.sh BIN server|client [SIZE (default 100)] [IN_FLIGHT (16)] [TOP (25)]
# SHORT and LONG (seconds, default 2 and 6) may be set in the environment; --batch 256 keeps the
# batch worker's wake-ups regular.
set -euo pipefail
BIN="$1"; SIDE="$2"; SIZE="${3:-100}"; CONC="${4:-16}"; TOP="${5:-25}"
SHORT="${SHORT:-2}"; LONG="${LONG:-6}"
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/bench_env.sh"
run() {  # tracing seconds -> writes $WORK/t$1-$2/{cg.out,calls}
  local dir="$WORK/t$1-$2"
  mkdir -p "$dir"
  local cg=(valgrind --tool=cachegrind --cache-sim=yes --I1=32768,8,64 --D1=32768,8,64
    --LL=1048576,8,64 --cachegrind-out-file="$dir/cg.out")
  local server=() client=()
  if [[ "$SIDE" == server ]]; then server=("${cg[@]}"); else client=("${cg[@]}"); fi
  taskset -c 0 "${server[@]}" "$BIN" server --impl periscope --tracing "$1" --batch 256 \
    --port-file "$dir/port" 2>"$dir/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 600); do [[ -s "$dir/port" ]] && break; sleep 0.1; done
  taskset -c 1 "${client[@]}" "$BIN" client --impl periscope --tracing "$1" --batch 256 \
    --port "$(cat "$dir/port")" --size "$SIZE" --concurrency "$CONC" --seconds "$2" \
    --warmup-ms 0 >"$dir/out" 2>"$dir/client.log"
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || true
  SERVER_PID=""
  sed -n 's/.*calls=\([0-9]*\) .*/\1/p' "$dir/out" >"$dir/calls"
}
for tracing in 0 1; do
  for secs in "$SHORT" "$LONG"; do run "$tracing" "$secs"; done
done
python3 - "$WORK" "$SHORT" "$LONG" "$TOP" "$SIDE" <<'PY'
import collections, sys
work, short, long_, top, side = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
MISSES = ('I1mr', 'D1mr', 'D1mw')

def load(tracing, secs):
    d = f'{work}/t{tracing}-{secs}'
    events, fn, per_fn = None, None, collections.Counter()
    for line in open(f'{d}/cg.out'):
        if line.startswith('events:'):
            events = line.split()[1:]
        elif line.startswith('fn='):
            fn = line[3:].strip()
        elif line[:1].isdigit():
            for name, value in zip(events, map(int, line.split()[1:])):
                per_fn[(fn, name)] += value
    return per_fn, int(open(f'{d}/calls').read())

def per_call(tracing):
    (a, n1), (b, n2) = load(tracing, short), load(tracing, long_)
    return {k: (b[k] - a.get(k, 0)) / (n2 - n1) for k in b}

def totals(per):
    t = collections.Counter()
    for (fn, name), v in per.items():
        t[name] += v
    t['est'] = t['Ir'] + 12 * sum(t[m] for m in MISSES)
    return t

def est_by_fn(per):
    e = collections.Counter()
    for (fn, name), v in per.items():
        if name == 'Ir':
            e[fn] += v
        elif name in MISSES:
            e[fn] += 12 * v
    return e

off, on = per_call(0), per_call(1)
t_off, t_on = totals(off), totals(on)
print(f'{side} per call   {"off":>9} {"on":>9} {"added":>9}')
for name in ('Ir', 'I1mr', 'D1mr', 'D1mw', 'est'):
    print(f'{name:13} {t_off[name]:9.1f} {t_on[name]:9.1f} {t_on[name] - t_off[name]:9.1f}')
e_off, e_on = est_by_fn(off), est_by_fn(on)
print(f'\ntop {top} functions by added est per call:')
for fn in sorted(set(e_off) | set(e_on), key=lambda f: -(e_on[f] - e_off[f]))[:top]:
    print(f'{e_on[fn] - e_off[fn]:8.0f}  {fn[:140]}')
PY
