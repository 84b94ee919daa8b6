#!/usr/bin/env python3
"""callgrind_per_call.py CALLGRIND_OUT REGEX

Prints how many instructions one call of the functions whose names match REGEX executes,
inclusive of what they call: the cost of every call site (callgrind's `calls=` lines) from
a function that does not itself match, summed, divided by the number of calls.
"""
import re
import sys


def main(path, pattern):
    wanted = re.compile(pattern)
    names = {}  # callgrind compresses names: "(id) name" the first time, "(id)" after

    def name_of(spec):
        m = re.match(r"\((\d+)\)(?: (.*))?", spec)
        if not m:
            return spec
        if m.group(2) is not None:
            names[m.group(1)] = m.group(2)
        return names.get(m.group(1), "?")

    calls = cost = 0
    caller = callee = None
    pending_calls = None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("fn="):
                caller = name_of(line[3:])
            elif line.startswith("cfn="):
                callee = name_of(line[4:])
            elif line.startswith("calls="):
                pending_calls = int(line[6:].split()[0])
            elif pending_calls is not None:
                # The line after `calls=` holds the inclusive cost of those calls.
                fields = line.split()
                if callee and wanted.search(callee) and not (caller and wanted.search(caller)):
                    calls += pending_calls
                    cost += int(fields[1]) if len(fields) > 1 else 0
                pending_calls = None
    if calls == 0:
        sys.exit(f"no call of a function matching {pattern!r} in {path}")
    print(f"{cost / calls / 1e6:8.2f} M instructions per call ({calls} calls)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
