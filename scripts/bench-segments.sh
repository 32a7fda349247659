#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Where VNS_IOC_UNSHARE's instructions go, step by step (opt-in; never part of make check): applies
# scripts/bench-segments.patch (a time-stamp counter read between the steps of Vns::unshare and of the
# release of what it replaced; under -icount shift=0 it counts guest instructions) to a copy of HEAD in a
# temporary git worktree, runs the per-kind series of vns_bench (section 1) on the production-like
# kernel of `make bench`, and prints each step's mean per kind. The reads add about 10 instructions per
# step: the totals are `make bench`'s, the steps are where they go.
#
#   scripts/bench-segments.sh      VNS_BENCH_N (200) calls per kind
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
tmp=$(mktemp -d /tmp/vns-segments.XXXXXX)
rmdir "$tmp"
git -C "$top" worktree add -q --detach "$tmp" HEAD
trap 'git -C "$top" worktree remove --force "$tmp"' EXIT
git -C "$tmp" apply "$here/bench-segments.patch"
VNS_BENCH_PROFILES=bench VNS_BENCH_SECTIONS=1 VNS_BENCH_N=${VNS_BENCH_N:-200} "$tmp/scripts/bench.sh" >/dev/null
grep -o 'VNS-SEG .*' "$tmp/build/bench/bench.log" | python3 -c '
import re, sys
kinds = {0x10000000: "user", 0x20000000: "pid", 0x04000000: "uts", 0x08000000: "ipc",
         0x40000000: "net", 0x00020000: "mnt", 0x02000000: "cgroup", 0x80: "time"}
steps = ["flags", "resolve", "owner, cap", "to the kind", "charge", "state", "node", "loop",
         "proxy", "report", "publish", "install", "drops", " put own", " in place", "  release",
         "   unlink", "   detach", "   drop", "   kfree_rcu"]
last = {}
for line in sys.stdin:
    m = re.match(r"VNS-SEG flags=(0x[0-9a-f]+) n=(\d+) \[([0-9, ]+)\]", line)
    if m and int(m.group(2)) > 1:
        last[int(m.group(1), 16)] = [int(x) for x in m.group(3).split(",")]
cols = [k for k in kinds if k in last]
print("%-14s" % "step" + "".join("%8s" % kinds[k] for k in cols))
for i, name in enumerate(steps):
    print("%-14s" % name + "".join("%8d" % last[k][i] for k in cols))
print("%-14s" % "sum 0-12" + "".join("%8d" % sum(last[k][:13]) for k in cols))
'
