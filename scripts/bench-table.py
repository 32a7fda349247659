#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Join vns_bench runs of several kernel profiles into one side-by-side table (`make bench`).

    scripts/bench-table.py [--qemu TEXT] [--cpu MODEL] [--clock icount|wall] PROFILE=BENCH_TXT...

Each BENCH_TXT is one guest's output (selftests/vns/vns_bench.c); its "=meta" and "=row" record lines carry
the figures. The first profile's rows set the order and the targets are judged on it (the production-like
profile: what users run). Columns per profile: vns median, kernel median, their ratio (or the fork overhead
over the module not loaded), vns p99, kernel p99.
"""
import sys

TARGETS = {"kind": 0.5}
FORK_TARGETS = {"loaded, outside any vns": 1.0, "inside a vns (uts+ipc)": 10.0}
NAMES = {"bench": "production-like (bench)", "default": "debug test kernel", "prof": "profiling", "kasan": "KASAN"}


def load(path):
    meta, rows = None, {}
    order = []
    with open(path, errors="replace") as f:
        for line in f:
            line = line.strip()
            if line.startswith("=meta;"):
                meta = line.split(";")[1:]
            elif line.startswith("=row;"):
                parts = line.split(";")
                if len(parts) != 7:
                    continue
                key = (parts[1], parts[2])
                vals = [float(v) if v else None for v in parts[3:7]]
                if key not in rows:
                    order.append(key)
                rows[key] = vals
    return meta, rows, order


def fmt(v, width=9, prec=2):
    return f"{v:{width}.{prec}f}" if v is not None else f"{'-':>{width}}"


def cell(section, label, vals):
    """Five columns for one profile: vns med, kern med, ratio or overhead, vns p99, kern p99."""
    if vals is None:
        return " ".join(f"{'':>9}" for _ in range(5))
    a, b, c, d = vals
    if section in ("depth", "entries") and "(x1000)" in label:
        # slope/spread rows: a and b are instruction counts, printed in the first two columns.
        return f"{fmt(a, 9, 1)} {fmt(b, 9, 1)} {'':>9} {'':>9} {'':>9}"
    if section == "fork" and c:
        rel = f"{100.0 * (a - c) / c:+8.2f}%"
    elif c:
        rel = f"{a / c:9.2f}"
    else:
        rel = f"{'-':>9}"
    return f"{fmt(a)} {fmt(c)} {rel} {fmt(b)} {fmt(d)}"


def verdict(section, label, vals):
    if vals is None:
        return ""
    a, _, c, _ = vals
    if section in TARGETS and c:
        return "met" if a / c <= TARGETS[section] else "MISSED"
    if section == "fork" and label in FORK_TARGETS and c:
        over = 100.0 * (a - c) / c
        return "met" if over <= FORK_TARGETS[label] else f"MISSED (<= {FORK_TARGETS[label]:g}%)"
    return ""


def main(argv):
    opts, runs = {}, []
    i = 0
    while i < len(argv):
        if argv[i] in ("--qemu", "--cpu", "--clock"):
            opts[argv[i][2:]] = argv[i + 1]
            i += 2
            continue
        name, _, path = argv[i].partition("=")
        runs.append((name, load(path)))
        i += 1
    if not runs:
        print(__doc__, file=sys.stderr)
        return 2
    clock = opts.get("clock", "icount")
    unit = ("kinsn = thousands of guest instructions (virtual us under -icount shift=0)" if clock == "icount"
            else "us of wall-clock time under TCG (noisy)")
    print("vns benchmarks, kernel profiles side by side")
    print(f"  QEMU: {opts.get('qemu', '?')}; -cpu {opts.get('cpu', '?')}; clock {clock}")
    print(f"  unit: {unit}")
    for name, (meta, _, _) in runs:
        if meta:
            print(f"  {NAMES.get(name, name)}: kernel {meta[1]}, profile {meta[2]}, N={meta[0]}, "
                  f"clocksource {meta[4] if len(meta) > 4 else '?'}")
        else:
            print(f"  {NAMES.get(name, name)}: no figures (the run failed?)")
    head = f"{'vns med':>9} {'kern med':>9} {'ratio':>9} {'vns p99':>9} {'kern p99':>9}"
    width = len(head)
    first_rows = runs[0][1][1]
    order = list(runs[0][1][2])
    for _, (_, _, o) in runs[1:]:
        order += [k for k in o if k not in first_rows and k not in order]
    print()
    print(f"{'':<8} {'':<38} " + " | ".join(f"{NAMES.get(n, n):^{width}}" for n, _ in runs) + " | target")
    print(f"{'section':<8} {'row':<38} " + " | ".join(head for _ in runs) + f" | ({runs[0][0]})")
    last = None
    for section, label in order:
        if section != last and last is not None:
            print()
        last = section
        cells = [cell(section, label, r[1].get((section, label))) for _, r in runs]
        v = verdict(section, label, first_rows.get((section, label)))
        print(f"{section:<8} {label[:38]:<38} " + " | ".join(cells) + f" | {v}")
    print()
    print("ratio: vns median / kernel median (fork: the overhead over the module not loaded); the slope and")
    print("spread rows give instructions: per level and the largest distance from the fitted line (depth),")
    print("the medians' spread and the slope per tenfold entries (entries).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
