#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Where the instructions of the benchmarked paths go (opt-in; never part of make check): boots the
# VNS_PROFILE=prof kernel (bench.config plus the function tracers: scripts/kconfig/prof.config; its own cached
# tree, a cold build of 7-10 minutes) under the same icount rig as `make bench`, runs scripts/guest/profile.sh
# and summarizes its function_graph traces with scripts/bench-profile.py.
#
#   scripts/bench-profile.sh     VNS_PROF_N (200 untraced calls per operation), VNS_PROF_CALLS (4 traced), VNS_PROF_OPS
#
# Writes build/prof/profile.log (the guest's console, with the function_graph traces) and
# build/prof/profile.txt (the summary). Tracing adds instructions to every traced call: read the hits and the
# shares, and take the totals from `make bench`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
cpu=${VNS_BENCH_CPU:-Skylake-Client-v4,-pcid,-tsc-deadline,-invpcid,-spec-ctrl,-xsavec,-xsaves}
make -s --no-print-directory -C "$top" setup
eval "$(env -u OUT VNS_PROFILE=prof make -s --no-print-directory -C "$top" paths)"
env -u OUT VNS_PROFILE=prof make -s --no-print-directory -C "$top" initramfs
VNS_QEMU_SMP=${VNS_QEMU_SMP:-1} VNS_QEMU_MEM=1G "$here/qemu-run.sh" --kernel "$KDIR/arch/x86/boot/bzImage" --initrd "$OUT/initramfs.cpio.gz" \
	--mode profile --timeout "${VNS_BENCH_TIMEOUT:-3600}" --log "$OUT/profile.log" --clock "${VNS_PROF_CLOCK:-icount}" --cpu "$cpu" \
	>/dev/null || { echo "bench-profile: the run failed (log: $OUT/profile.log)"; tail -20 "$OUT/profile.log"; exit 1; }
"$here/bench-profile.py" "$OUT/profile.log" | tee "$OUT/profile.txt"
echo "bench-profile: summary in $OUT/profile.txt, traces in $OUT/profile.log"
