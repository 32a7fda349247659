#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarize scripts/guest/profile.sh's console (scripts/bench-profile.sh).

    scripts/bench-profile.py PROFILE_LOG [TOP]

Per operation: its untraced and traced cost per call (instructions under icount), the traced function calls
per call, and the TOP (30) functions by self time (graph-time off) with their hits and self instructions per
call. The tracing overhead of a call lands in its caller's self time; the module's Rust is not traced, so its
own instructions show in __x64_sys_ioctl's self time.
"""
import re
import sys

UNIT = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
STAT = re.compile(r"^\s*(\S+)\s+(\d+)\s+([\d.]+)\s*(ns|us|ms|s)\s+([\d.]+)\s*(ns|us|ms|s)")
RUN = re.compile(r"^vns_prof: (\S+) x(\d+): (\d+) ns, (\d+) per call")


def main(argv):
    path = argv[0]
    top = int(argv[1]) if len(argv) > 1 else 30
    untraced, traced, profiles = {}, {}, {}
    cur = None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = RUN.match(line)
            if m:
                op, per = m.group(1), int(m.group(4))
                if cur and cur[0] == "profile":
                    traced[cur[1]] = (per, int(m.group(2)))
                elif not cur:
                    untraced.setdefault(op, per)
                continue
            if line.startswith("VNS-PROF-BEGIN "):
                kind, op = line.split()[1:3]
                cur = (kind, op)
                if kind == "profile":
                    profiles[op] = {}
                continue
            if line.startswith("VNS-PROF-END"):
                cur = None
                continue
            if cur and cur[0] == "profile":
                m = STAT.match(line)
                if m and m.group(1) != "Function":
                    fn, hits, t = m.group(1), int(m.group(2)), float(m.group(3)) * UNIT[m.group(4)]
                    h, tt = profiles[cur[1]].get(fn, (0, 0.0))
                    profiles[cur[1]][fn] = (h + hits, tt + t)
    for op, funcs in profiles.items():
        per, n = traced.get(op, (0, 0))
        base = untraced.get(op if op != "fork-unloaded" else "fork")
        hits = sum(h for h, _ in funcs.values())
        self_total = sum(t for _, t in funcs.values()) * 1000 / n if n else 0
        print(f"== {op}: untraced {base if base is not None else '?'} instructions per call; traced {per}; "
              f"{hits / n if n else 0:.1f} traced calls per call; self times sum to {self_total:.0f} per call")
        if base is not None and n and hits:
            print(f"   tracing overhead: about {(per - base) / (hits / n):.0f} instructions per traced call")
        print(f"   {'function':<44} {'calls/call':>10} {'self insn/call':>14} {'share':>7}")
        rows = sorted(funcs.items(), key=lambda kv: -kv[1][1])
        for fn, (h, t) in rows[:top]:
            s = t * 1000 / n if n else 0
            print(f"   {fn[:44]:<44} {h / n if n else 0:10.2f} {s:14.0f} {100 * s / self_total if self_total else 0:6.1f}%")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
