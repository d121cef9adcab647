#!/usr/bin/env python3
"""Counts the calls to malloc recorded in a callgrind output file (every caller, including
operator new): callgrind_mallocs.py FILE prints the number."""
import re
import sys

names = {}
total = 0
callee = None
ref = re.compile(r'^c?fn=\((\d+)\)(?: (.*))?$')
with open(sys.argv[1], errors='replace') as f:
    for line in f:
        m = ref.match(line.rstrip('\n'))
        if m:
            if m.group(2) is not None:
                names[m.group(1)] = m.group(2)
            callee = names.get(m.group(1)) if line.startswith('cfn=') else None
            continue
        if line.startswith('calls=') and callee == 'malloc':
            total += int(line[6:].split()[0])
print(total)
