#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarize scripts/guest/profile.sh's console (scripts/bench-profile.sh).

    scripts/bench-profile.py PROFILE_LOG [TOP]

Per operation: its cost per call untraced and traced (instructions under icount), and the TOP (25) functions
by self time with their calls, self and inclusive time per call of the operation (the guest reduced the
function_graph tree: self time is a function's duration less its traced callees'); a callee's
tracing overhead lands partly in its caller's self time, so the figures are larger than untraced ones:
read them as shares. The module's Rust is not traced: its own instructions show in the self time of the
nearest traced caller (__x64_sys_ioctl, vns_probe_newtask, ...).
"""
import re
import sys

RUN = re.compile(r"^vns_prof: (\S+) x(\d+): (\d+) ns, (\d+) per call")


def main(argv):
    path = argv[0]
    top = int(argv[1]) if len(argv) > 1 else 25
    runs, blocks, cur = {}, [], None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = RUN.match(line)
            if m:
                # The first run of an operation is untraced, the second traced.
                runs.setdefault(m.group(1), []).append((int(m.group(2)), int(m.group(4))))
            elif line.startswith("VNS-PROF-BEGIN summary ") or line.startswith("VNS-PROF-BEGIN pick "):
                cur = [line.split()[2] + (" (picked)" if " pick " in line else ""), []]
                blocks.append(cur)
            elif line.startswith("VNS-PROF-END"):
                cur = None
            elif cur is not None:
                parts = line.split()
                if len(parts) >= 4:
                    try:
                        cur[1].append((" ".join(parts[:-3]), int(parts[-3]), float(parts[-2]), float(parts[-1])))
                    except ValueError:
                        pass
    for name, rows in blocks:
        r = runs.get(name.split()[0], [])
        base = r[0][1] if r else None
        n, traced = r[1] if len(r) > 1 else (1, 0)
        print(f"== {name}: untraced {base} instructions per call; traced {traced} (function_graph on)")
        print(f"   {'function (by self time)':<44} {'calls':>7} {'self':>8} {'inclusive':>10}   (per call)")
        for fn, c, s_us, i_us in rows[:top]:
            print(f"   {fn[:44]:<44} {c / n:7.2f} {s_us * 1000 / n:8.0f} {i_us * 1000 / n:10.0f}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
