#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: every test. Host tests (rust/), the module build (which compiles vns-core's files too), the
# selftests in QEMU as root and as an unprivileged user. Ends with the line "N passed, N failed" summed over
# everything that ran; exits non-zero if anything failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
profile=${VNS_PROFILE:-default}
export VNS_PROFILE=$profile
export PATH="$HOME/.cargo/bin:$PATH"
# The paths the Makefile builds with (OUT, KO, KDIR), for this profile: not computed again here.
eval "$(make -s --no-print-directory -C "$top" paths)"
out=$OUT
export OUT
mkdir -p "$out"
# Never boot a stale image: the initramfs stage must make it anew.
rm -f "$out/initramfs.cpio.gz"

total_pass=0 total_fail=0
count() {	# count LOG: add the "N passed, N failed" line a stage printed last
	local line
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	if [ -z "$line" ]; then total_fail=$((total_fail + 1)); return; fi
	total_pass=$((total_pass + $(grep -oE '[0-9]+ passed' <<<"$line" | cut -d' ' -f1)))
	total_fail=$((total_fail + $(grep -oE '[0-9]+ failed' <<<"$line" | cut -d' ' -f1)))
}
stage() {	# stage NAME CMD...: a stage that is one check (pass/fail)
	local name=$1; shift
	echo "=== $name"
	if "$@"; then total_pass=$((total_pass + 1)); echo "ok - $name"; return 0; fi
	total_fail=$((total_fail + 1)); echo "not ok - $name"; return 1
}
start=$(date +%s)

if [ "$profile" = default ]; then
	echo "=== host tests"
	"$here/host-test.sh" 2>&1 | tee "$out/host.log"
	count "$out/host.log"

	echo "=== STM32H750 port: on-target tests in QEMU mps2-an500, demo image size"
	"$here/stm32-test.sh" 2>&1 | tee "$out/stm32.log"
	count "$out/stm32.log"

	echo "=== documentation (docutils, warnings as errors)"
	"$here/docs-check.sh" 2>&1 | tee "$out/docs.log"
	count "$out/docs.log"

	echo "=== tree: layers, sizes, references, shim declarations"
	"$here/check-tree.py" 2>&1 | tee "$out/tree.log"
	count "$out/tree.log"
else
	echo "=== profile $profile: the module and the selftests only"
fi

stage "test kernel" make -s -C "$top" kernel || { echo "$total_pass passed, $total_fail failed"; exit 1; }
# The module's Rust as the kernel formats it (its .rustfmt.toml; vertical imports, coding-guidelines.rst).
if [ "$profile" = default ]; then
	stage "module rustfmt" "$here/rustfmt-check.sh" "$KDIR"
fi
build_module() { make -C "$top" modules W=1 CLIPPY=1 >"$out/module-build.log" 2>&1; local rc=$?; cat "$out/module-build.log"; return $rc; }
stage "module build (vns.ko)" build_module
if grep -E -q '^(warning|error)(\[|:)|: warning:' "$out/module-build.log"; then
	echo "not ok - the module build printed warnings"; total_fail=$((total_fail + 1))
fi
stage "selftests build" make -s -C "$top" selftests
stage "initramfs" make -s -C "$top" initramfs

echo "=== selftests in QEMU"
if [ -f "$out/initramfs.cpio.gz" ]; then
	"$here/qemu-run.sh" --kernel "$KDIR/arch/x86/boot/bzImage" \
		--initrd "$out/initramfs.cpio.gz" --mode test --timeout "${VNS_QEMU_TIMEOUT:-900}" --log "$out/guest-test.log" >"$out/guest-run.log" 2>&1
	# One line per test case; the whole console is in $out/guest-test.log.
	grep -E '^(ok |not ok |VNS-|qemu-run|guest:|    )' "$out/guest-run.log" || true
	count "$out/guest-run.log"
else
	total_fail=$((total_fail + 1))
fi

if [ "$profile" = default ]; then
	echo "=== packaging: make install (modules_install) and DKMS against the test kernel"
	"$here/packaging-test.sh" "$KDIR" >"$out/packaging.log" 2>&1
	cat "$out/packaging.log"
	count "$out/packaging.log"
	# One boot under virtme-ng (the README's commands): the test kernel, vns.ko from the build tree, a
	# selftest from the host's kselftest install tree through run_kselftest.sh (make vng runs them all), and
	# the KUnit results of that insmod from dmesg through kunit.py parse.
	stage "virtme-ng: run_kselftest.sh -t vns:vns_dev_test, dmesg | kunit.py parse" "$here/vng-run.sh" \
		--kdir "$KDIR" --ko "$KO" --timeout 600 --log "$out/vng-check.log" -- "cd $out/kselftest &&" \
		"./run_kselftest.sh -t vns:vns_dev_test && dmesg | sed -n '/vns: loaded/,\$p' |" \
		"python3 $KDIR/tools/testing/kunit/kunit.py parse" >"$out/vng-run.log" 2>&1
	grep -E '^(ok |not ok |# (not )?ok |vng-run)|Testing complete' "$out/vng-run.log" || true
fi

echo "check: $(( $(date +%s) - start )) s"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
