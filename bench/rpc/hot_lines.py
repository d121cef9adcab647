#!/usr/bin/env python3
"""Hot code lines per call from `callgrind --dump-instr=yes` runs (see hot_lines.sh).

hot_lines.py UNTRACED_DIR TRACED_DIR [TOP]: each DIR holds cl.out (callgrind) and out (the
client's `calls=N ...` line). An instruction is hot when it ran at least THRESHOLD (environment,
default 0.5) times per call; a line is a 64-byte block of one object's code holding one.
"""
import collections
import os
import re
import sys

THRESHOLD = float(os.environ.get('THRESHOLD', '0.5'))


def hot_lines(directory):
    """{function: set of (object, line)} of the hot instructions, and the call count."""
    calls = int(open(f'{directory}/out').read().split('calls=')[1].split()[0])
    names, counts, function_of = {}, collections.Counter(), {}
    function, obj, last, skip = None, None, [0, 0], False

    def position(token, i):
        if token.startswith('0x'):
            return int(token, 16)
        if token == '*':
            return last[i]
        if token[0] in '+-':
            return last[i] + int(token)
        return int(token)

    for line in open(f'{directory}/cl.out'):
        if line.startswith(('fn=', 'cfn=')):
            m = re.match(r'c?fn=\((\d+)\)(?: (.*))?', line.strip())
            if m and m.group(2):
                names[m.group(1)] = m.group(2)
            if line.startswith('fn='):
                function = names.get(m.group(1), m.group(1)) if m else line[3:].strip()
            continue
        if line.startswith('ob='):
            obj = re.match(r'ob=\((\d+)\)', line).group(1)
            continue
        if line.startswith('calls='):
            skip = True  # the next cost line is the call's inclusive cost
            continue
        if line[:1].isdigit() or line[:1] in '+-*':
            fields = line.split()
            if len(fields) < 2:
                continue
            last[0], last[1] = position(fields[0], 0), position(fields[1], 1)
            if skip:
                skip = False
                continue
            if len(fields) >= 3:
                counts[(obj, last[0])] += int(fields[2])
                function_of[(obj, last[0])] = function
    lines = collections.defaultdict(set)
    for key, count in counts.items():
        if count >= THRESHOLD * calls:
            lines[function_of[key]].add((key[0], key[1] >> 6))
    return lines, calls


def total(lines):
    return len(set().union(*lines.values())) if lines else 0


def main():
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    off, off_calls = hot_lines(sys.argv[1])
    on, on_calls = hot_lines(sys.argv[2])
    print(f'tracing off: hot_lines={total(off)} ({total(off) * 64} bytes) calls={off_calls}')
    print(f'tracing on:  hot_lines={total(on)} ({total(on) * 64} bytes) calls={on_calls}')
    print(f'\nfunctions holding the most hot lines, tracing off (top {top}):')
    for function, held in sorted(off.items(), key=lambda kv: -len(kv[1]))[:top]:
        print(f'{len(held):5d}  {function[:120]}')
    print('\nchanged by tracing (on - off, off, on):')
    changed = sorted(set(off) | set(on), key=lambda f: -(len(on.get(f, ())) - len(off.get(f, ()))))
    for function in changed[:top]:
        delta = len(on.get(function, ())) - len(off.get(function, ()))
        if delta:
            print(f'{delta:5d} {len(off.get(function, ())):5d} {len(on.get(function, ())):5d}  '
                  f'{function[:110]}')


if __name__ == '__main__':
    main()
