#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: selftests/vns/vns_bench.c in one guest boot per kernel profile, the production-like profile
# (VNS_PROFILE=bench: scripts/kconfig/bench.config) first, then the debug test kernel; one combined table.
#
#   VNS_BENCH_PROFILES   the profiles, in order (default "bench default")
#   VNS_BENCH_CLOCK      icount (default: guest time counts instructions, reproducible) or wall (plain TCG)
#   VNS_BENCH_CPU        the pinned vCPU model (instruction counts depend on it and on the QEMU version)
#   VNS_BENCH_N, VNS_BENCH_MAX_ENTRIES, VNS_BENCH_SECTIONS   forwarded to the guest (vns_bench.c)
#
# Writes build/bench-all.txt (the combined table) and, per profile, OUT/bench.log and OUT/bench.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
export VNS_BENCH_CLOCK=${VNS_BENCH_CLOCK:-icount}
# Skylake-Client-v4 (a versioned model: the same CPUID in every QEMU) without what TCG cannot emulate.
cpu=${VNS_BENCH_CPU:-Skylake-Client-v4,-pcid,-tsc-deadline,-invpcid,-spec-ctrl,-xsavec,-xsaves}
profiles=${VNS_BENCH_PROFILES:-bench default}
qemu=$(qemu-system-x86_64 --version | head -1)
files=()
for p in $profiles; do
	echo "bench: profile $p"
	eval "$(env -u OUT VNS_PROFILE="$p" make -s --no-print-directory -C "$top" paths)"
	env -u OUT VNS_PROFILE="$p" make -s --no-print-directory -C "$top" initramfs
	VNS_BENCH_PROFILE=$p VNS_QEMU_MEM=2G "$here/qemu-run.sh" --kernel "$KDIR/arch/x86/boot/bzImage" \
		--initrd "$OUT/initramfs.cpio.gz" --mode bench --timeout "${VNS_BENCH_TIMEOUT:-3600}" \
		--log "$OUT/bench.log" --clock "$VNS_BENCH_CLOCK" --cpu "$cpu" >/dev/null ||
		{ echo "bench: the $p run failed (log: $OUT/bench.log)"; tail -20 "$OUT/bench.log"; exit 1; }
	sed -n '/^vns benchmarks/,/^VNS-BENCH: ok/p' "$OUT/bench.log" | grep -v '^VNS-' > "$OUT/bench.txt"
	grep -v '^=' "$OUT/bench.txt"
	files+=("$p=$OUT/bench.txt")
done
mkdir -p "$top/build"
echo
"$here/bench-table.py" --qemu "$qemu" --cpu "$cpu" --clock "$VNS_BENCH_CLOCK" "${files[@]}" | tee "$top/build/bench-all.txt"
echo "bench: the combined table in build/bench-all.txt"
