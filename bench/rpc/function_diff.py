#!/usr/bin/env python3
"""Instructions per call by function (self cost), B minus A, from two function_profile.sh runs.

Each profile's per-call figure is (LONG run - SHORT run) / (calls LONG - calls SHORT), so start-up
and shutdown cancel out. Prints both totals, then the functions that grew most and shrank most.

    bench/rpc/function_diff.py OUTDIR_A OUTDIR_B server|client [TOP (default 30)]
"""
import os
import re
import subprocess
import sys


def per_call(out, side):
    runs = sorted((d for d in os.listdir(out) if d.isdigit()), key=int)
    calls = {d: int(re.search(r'calls=(\d+)', open(f'{out}/{d}/out').read()).group(1)) for d in runs}

    def profile(d):
        text = subprocess.run(['callgrind_annotate', '--threshold=100', '--inclusive=no', '--tree=none',
                               '--auto=no', f'{out}/{d}/{side}.out'], capture_output=True, text=True).stdout
        costs = {}
        for line in text.splitlines():
            m = re.match(r'\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(.*)$', line)
            if m and ':' in m.group(2):
                name = re.sub(r' \[[^\]]*\]$', '', m.group(2).strip()).split(':', 1)[1]
                costs[name] = costs.get(name, 0) + int(m.group(1).replace(',', ''))
        return costs

    short, long = profile(runs[0]), profile(runs[-1])
    n = calls[runs[-1]] - calls[runs[0]]
    return {k: (long.get(k, 0) - short.get(k, 0)) / n for k in set(short) | set(long)}


def main():
    a, b = per_call(sys.argv[1], sys.argv[3]), per_call(sys.argv[2], sys.argv[3])
    top = int(sys.argv[4]) if len(sys.argv) > 4 else 30
    print(f'total A {sum(a.values()):.0f} B {sum(b.values()):.0f} diff {sum(b.values()) - sum(a.values()):+.0f}')
    rows = sorted(((b.get(k, 0) - a.get(k, 0), b.get(k, 0), k) for k in set(a) | set(b)), reverse=True)
    for diff, cost, name in rows[:top]:
        print(f'{diff:+9.1f} {cost:9.1f}  {name[:150]}')
    print('...')
    for diff, cost, name in rows[-(top // 3):]:
        print(f'{diff:+9.1f} {cost:9.1f}  {name[:150]}')


if __name__ == '__main__':
    main()
