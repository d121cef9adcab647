#!/usr/bin/env python3
# lockcount.py DIR [N]: lock-prefixed instructions executed per call by the rpc_bench server
# (long run minus short run), from callgrind --dump-instr=yes files DIR/{2,6}/server.out and the
# calls in DIR/{2,6}/out (bench/rpc/lock_probe.sh makes them); the top N functions by locked
# instructions per call.
import re, subprocess, sys, os, collections
def parse(path):
    names = {'ob': {}, 'fn': {}, 'fl': {}}
    cost = collections.defaultdict(int)   # (obj, addr) -> Ir
    fnof = {}
    flof = {}
    fl = None
    ob = fn = None; skip = False; pi = 0; flbase = None
    def name(kind, v):
        m = re.match(r'\((\d+)\)(?:\s+(.*))?', v)
        if not m: return v
        if m.group(2): names[kind][m.group(1)] = m.group(2)
        return names[kind].get(m.group(1), m.group(1))
    for line in open(path, errors='replace'):
        c = line[0]
        if c == '0' or c == '+' or c == '-' or c == '*':
            parts = line.split()
            p = parts[0]
            if p.startswith('0x'): pi = int(p, 16)
            elif p[0] == '+': pi += int(p[1:], 16) if p[1:].startswith('0x') else int(p[1:])
            elif p[0] == '-': pi -= int(p[1:], 16) if p[1:].startswith('0x') else int(p[1:])
            if skip: skip = False; continue
            if len(parts) >= 3:
                cost[(ob, pi)] += int(parts[2]); fnof[(ob, pi)] = fn; flof[(ob, pi)] = fl
            continue
        if line.startswith('ob='): ob = name('ob', line[3:].strip())
        elif line.startswith('fn='): fn = name('fn', line[3:].strip()); fl = flbase
        elif line.startswith('fl='): flbase = fl = name('fl', line[3:].strip())
        elif line.startswith('fi=') or line.startswith('fe='): fl = name('fl', line[3:].strip())
        elif line.startswith('cob='): name('ob', line[4:].strip())
        elif line.startswith('cfi=') or line.startswith('cfl='): name('fl', line[4:].strip())
        elif line.startswith('cfn='): name('fn', line[4:].strip())
        elif line.startswith('calls='):
            skip = True
            # the call's target position is in the calls= line itself; the next line is the call site
            pass
    return cost, fnof, flof
def calls(d): return int(re.search(r'calls=(\d+)', open(d + '/out').read()).group(1))
D = sys.argv[1]; N = int(sys.argv[2]) if len(sys.argv) > 2 else 25
a, fa, la = parse(D + '/2/server.out'); b, fb, lb = parse(D + '/6/server.out')
n = calls(D + '/6') - calls(D + '/2')
objs = set(k[0] for k in b)
locks = {}
for o in objs:
    if not o or not os.path.exists(o): continue
    tot = sum(v for k, v in b.items() if k[0] == o) - sum(v for k, v in a.items() if k[0] == o)
    if tot <= 0: continue
    out = subprocess.run(['objdump', '-d', '--no-show-raw-insn', o], capture_output=True, text=True).stdout
    s = set()
    for l in out.splitlines():
        m = re.match(r'\s*([0-9a-f]+):\s+lock\b', l)
        if m: s.add(int(m.group(1), 16))
        m = re.match(r'\s*([0-9a-f]+):\s+xchg\s', l)   # xchg with memory is implicitly locked
        if m and '(' in l: s.add(int(m.group(1), 16))
    locks[o] = s
per_fn = collections.defaultdict(float); total = 0.0; per_fl = collections.defaultdict(float)
for k in set(a) | set(b):
    o, addr = k
    if o in locks and addr in locks[o]:
        d = (b.get(k, 0) - a.get(k, 0)) / n
        if os.environ.get('FILE') and os.environ['FILE'] not in str(lb.get(k) or la.get(k)): continue
        total += d; per_fn[(fb.get(k) or fa.get(k), os.path.basename(o))] += d
        per_fl[os.path.basename(str(lb.get(k) or la.get(k)))] += d
print(f"calls={n} locked_instructions_per_call={total:.2f}")
print("by source file of the locked instruction: " + ", ".join(f"{f}={v:.2f}" for f, v in sorted(per_fl.items(), key=lambda x: -x[1]) if abs(v) >= 0.05))
for (f, o), v in sorted(per_fn.items(), key=lambda x: -x[1])[:N]:
    if abs(v) >= 0.05: print(f"{v:7.2f}  {o}: {f[:200]}")
