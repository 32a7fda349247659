#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarize scripts/guest/profile.sh's console (scripts/bench-profile.sh).

    scripts/bench-profile.py PROFILE_LOG [TOP]

Per operation: its cost per call untraced and traced (instructions under icount), the traced function calls
per call, and the TOP (25) functions by self time, then by inclusive time, each per call of the operation.
Self time is a function's duration less its traced callees' (from the function_graph tree); a callee's
tracing overhead lands partly in its caller's self time, so the figures are larger than untraced ones:
read them as shares. The module's Rust is not traced: its own instructions show in the self time of the
nearest traced caller (__x64_sys_ioctl, vns_probe_newtask, ...).
"""
import re
import sys

RUN = re.compile(r"^vns_prof: (\S+) x(\d+): (\d+) ns, (\d+) per call")
LINE = re.compile(r"^\s*(\d+)\)\s*(?:[+!#*@$]\s*)?(?:([\d.]+) us\s*)?\|\s(\s*)(.*)$")


def parse_graph(lines):
    selfs, incl, calls = {}, {}, {}
    stacks = {}
    for line in lines:
        m = LINE.match(line)
        if not m:
            continue
        cpu, dur, text = m.group(1), m.group(2), m.group(4).strip()
        d = float(dur) * 1000 if dur else 0.0
        st = stacks.setdefault(cpu, [])
        if text.endswith("{"):
            st.append([text[:-1].strip().rstrip("()").strip(), 0.0])
        elif text.endswith(";"):
            name = text[:-1].strip().rstrip("()")
            for tab, v in ((selfs, d), (incl, d), (calls, 1)):
                tab[name] = tab.get(name, 0) + v
            if st:
                st[-1][1] += d
        elif text.startswith("}"):
            if not st:
                continue
            name, children = st.pop()
            for tab, v in ((selfs, d - children), (incl, d), (calls, 1)):
                tab[name] = tab.get(name, 0) + v
            if st:
                st[-1][1] += d
    return selfs, incl, calls


def main(argv):
    path = argv[0]
    top = int(argv[1]) if len(argv) > 1 else 25
    untraced, blocks, cur = {}, [], None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("VNS-PROF-BEGIN graph "):
                cur = [line.split()[2], None, []]
                blocks.append(cur)
                continue
            if line.startswith("VNS-PROF-END"):
                cur = None
                continue
            m = RUN.match(line)
            if m and cur is None:
                untraced.setdefault(m.group(1), int(m.group(4)))
            elif m:
                cur[1] = (int(m.group(2)), int(m.group(4)))
            elif cur is not None:
                cur[2].append(line)
    for name, run, lines in blocks:
        n, traced = run if run else (1, 0)
        selfs, incl, calls = parse_graph(lines)
        base = untraced.get(name if name != "fork-unloaded" else "fork")
        nc = sum(calls.values()) / n
        print(f"== {name}: untraced {base} instructions per call (with the tracer off); traced {traced}; "
              f"{nc:.0f} traced function calls per call")
        if base and nc:
            print(f"   tracing cost: about {(traced - base) / nc:.0f} instructions per traced function call")
        print(f"   {'by self time':<40} {'calls':>7} {'self':>8}   {'by inclusive time':<40} {'calls':>7} {'incl':>8}")
        by_self = sorted(selfs.items(), key=lambda kv: -kv[1])[:top]
        by_incl = sorted(incl.items(), key=lambda kv: -kv[1])[:top]
        for i in range(max(len(by_self), len(by_incl))):
            left = right = ""
            if i < len(by_self):
                fn, s = by_self[i]
                left = f"{fn[:40]:<40} {calls[fn] / n:7.2f} {s / n:8.0f}"
            if i < len(by_incl):
                fn, s = by_incl[i]
                right = f"{fn[:40]:<40} {calls[fn] / n:7.2f} {s / n:8.0f}"
            print(f"   {left:<57}   {right}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
