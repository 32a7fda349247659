#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the vns test kernel under QEMU (TCG, -smp 2, hard timeout), stream the guest's console, and judge it.
#
#   scripts/qemu-run.sh --kernel BZIMAGE --initrd INITRD [--mode test|demo|bench|profile] [--stress] [--timeout S]
#                       [--log FILE] [--clock icount|wall] [--cpu MODEL]
#
# --clock icount (what `make bench` uses by default): `-icount shift=0,sleep=off -rtc clock=vm`, so that guest
# time counts executed instructions (1 virtual ns = 1 instruction; the vCPUs then run in one host thread) and
# timings do not depend on the host's load. --clock wall (the default): plain TCG, guest time is host time.
# --cpu pins the vCPU model (default max, which changes with the QEMU version). In bench and profile mode
# every VNS_BENCH_* and VNS_PROF_* variable of the environment (its value without spaces) goes to the guest's
# init through the kernel command line (parameters without a dot become init's environment).
#
# Fails (exit 1) when a selftest fails, the guest reports a failure, the kernel log shows any oops, BUG,
# WARNING, lockdep or RCU splat, KFENCE or kmemleak report, or the timeout hits. Never hangs: qemu runs under
# timeout(1) with -no-reboot, and the guest ends with `reboot -f`. In test mode it prints a summary ending in
# "guest: N passed, N failed, N skipped". VNS_QEMU_ACCEL=kvm opts into KVM (it hangs on the CI machines).
set -euo pipefail
kernel= initrd= mode=test timeout=600 log= extra= clock=wall cpu=max
while [ $# -gt 0 ]; do
	case "$1" in
		--kernel) kernel=$2; shift 2 ;;
		--initrd) initrd=$2; shift 2 ;;
		--mode) mode=$2; shift 2 ;;
		--timeout) timeout=$2; shift 2 ;;
		--log) log=$2; shift 2 ;;
		--stress) extra="$extra vns.stress=1"; shift ;;
		--clock) clock=$2; shift 2 ;;
		--cpu) cpu=$2; shift 2 ;;
		*) echo "qemu-run: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -f "$kernel" ] && [ -f "$initrd" ] || { echo "qemu-run: need --kernel and --initrd files" >&2; exit 2; }
log=${log:-$(dirname "$initrd")/guest-$mode.log}
accel=${VNS_QEMU_ACCEL:-tcg}
smp=${VNS_QEMU_SMP:-2}
clockargs=()
case "$clock" in
	icount) clockargs=(-icount shift=0,sleep=off -rtc clock=vm); [ "$accel" = tcg ] || { echo "qemu-run: icount needs TCG" >&2; exit 2; } ;;
	wall) ;;
	*) echo "qemu-run: --clock icount or wall, not '$clock'" >&2; exit 2 ;;
esac
if [ "$mode" = bench ] || [ "$mode" = profile ]; then
	while IFS= read -r var; do extra="$extra $var"; done < <(env | grep -E '^VNS_(BENCH|PROF)_[A-Z0-9_]+=[^ ]*$' | grep -v -E '^VNS_BENCH_(CLOCK|CPU|TIMEOUT)=' | sort)
	extra="$extra VNS_BENCH_CLOCK=$clock"
fi

echo "qemu-run: booting $(basename "$kernel") ($accel, $smp cpus, -cpu $cpu, clock $clock, timeout ${timeout}s, mode $mode); log: $log"
set +e
timeout -k 5 "$timeout" qemu-system-x86_64 \
	-accel "$accel" -cpu "$cpu" -smp "$smp" -m "${VNS_QEMU_MEM:-1G}" "${clockargs[@]}" \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 $([ "$mode" = test ] && echo "earlyprintk=serial loglevel=7" || echo "loglevel=4") panic=-1 oops=panic kfence.sample_interval=10 vns.mode=$mode$extra" \
	-display none -serial stdio -monitor none -no-reboot -nodefaults \
	</dev/null 2>&1 | stdbuf -oL tr -d '\r' | tee "$log"
rc=${PIPESTATUS[0]}
set -e

fail=0
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "qemu-run: FAIL: the guest did not finish within ${timeout}s (timeout)"
	fail=1
elif [ "$rc" != 0 ]; then
	echo "qemu-run: FAIL: qemu exited with $rc"
	fail=1
fi
grep -q '^VNS-GUEST: done' "$log" || { echo "qemu-run: FAIL: the guest never reached its end"; fail=1; }
if grep -q '^VNS-GUEST-FAIL' "$log"; then
	grep '^VNS-GUEST-FAIL' "$log" | sed 's/^/qemu-run: FAIL: /'
	fail=1
fi

# Any kernel report fails the run, whatever the tests said.
"$(dirname "$0")/kernel-reports.sh" "$log" || fail=1

if [ "$mode" = test ]; then
	# The selftests: the kselftest runner's output between VNS-KSFT-BEGIN and -END (scripts/guest/run-tests.sh).
	# runner.sh prefixes each program's own TAP with "# ": those nested "ok N name" lines are the test cases,
	# counted one by one. A program's own result ("not ok N selftests: vns: PROG # exit=N" or "# TIMEOUT")
	# counts once more only when none of its cases failed (it died without finishing its plan).
	ours=$(awk '/^VNS-KSFT-BEGIN/ { t = 1; bad = 0; next } /^VNS-KSFT-END/ { t = 0; next } !t { next }
		/^# (not )?ok [0-9]+ / { line = substr($0, 3); if (line ~ /^not ok/) bad = 1; print line; next }
		/^not ok [0-9]+ selftests: / { p = $0; sub(/^not ok [0-9]+ selftests: /, "", p); if (!bad) print "not ok 0 " p }
		/^(not )?ok [0-9]+ selftests: / { bad = 0 }' "$log")
	# vns's KUnit suites (run at every insmod), through the kernel's own parser (kunit.py parse).
	kunit_py=${VNS_KUNIT_PY:-${kernel%/arch/*}/tools/testing/kunit/kunit.py}
	if kunit=$("$(dirname "$0")/kunit-results.py" --kunit "$kunit_py" "$log"); then
		ours=$ours$'\n'$kunit
	else
		echo "$kunit"
		echo "qemu-run: FAIL: vns's KUnit output could not be parsed"
		fail=1
	fi
	passed=$(grep -E -c '^ok [0-9]+ ' <<<"$ours" || true)
	skipped=$(grep -E -c '^ok [0-9]+ .*# SKIP' <<<"$ours" || true)
	failed=$(grep -E -c '^not ok [0-9]+ ' <<<"$ours" || true)
	passed=$((passed - skipped))
	# Each runner invocation the guest announced must have reached its totals line.
	runs=$(grep -E -c '^# Totals: pass:[0-9]+ fail:[0-9]+ xfail:' <<<"$(awk '/^VNS-KSFT-BEGIN/ { t = 1 } /^VNS-KSFT-END/ { t = 0 } t' "$log")" || true)
	want=$(sed -n 's/^VNS-KSFT-RUNS \([0-9]*\)$/\1/p' "$log" | head -n 1)
	if [ -z "$want" ] || [ "$runs" != "$want" ]; then
		echo "qemu-run: FAIL: $runs of the ${want:-?} kselftest runs finished"
		fail=1
	fi
	if [ "$failed" -gt 0 ]; then
		grep -E '^not ok [0-9]+ ' <<<"$ours" | sed 's/^/qemu-run: FAIL: /'
	fi
	if [ "$fail" = 1 ] && [ "$failed" = 0 ]; then failed=1; fi   # a guest-level failure counts once
	[ "$passed" -gt 0 ] || { echo "qemu-run: FAIL: no test ran"; failed=$((failed + 1)); }
	echo "guest: $passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ] || exit 1
fi
[ "$fail" = 0 ] || exit 1
if [ "$mode" = demo ]; then grep -q '^VNS-DEMO: ok' "$log" || { echo "qemu-run: FAIL: the demo did not finish"; exit 1; }; fi
if [ "$mode" = bench ]; then grep -q '^VNS-BENCH: ok' "$log" || { echo "qemu-run: FAIL: the benchmarks did not finish"; exit 1; }; fi
if [ "$mode" = profile ]; then grep -q '^VNS-PROFILE: ok' "$log" || { echo "qemu-run: FAIL: the profile did not finish"; exit 1; }; fi
exit 0
