#!/bin/sh
# Runs the vns selftests with the kernel's kselftest runner, from the install tree at /kselftest (make
# selftests-install): each test of kselftest-list.txt through `run_kselftest.sh -t vns:TEST`, first as root,
# then as the unprivileged uid 1000 (the order of the old runner: a test's root run changes nothing the next
# test's user run sees); then the module life test (installed, not listed: it unloads the module) as root
# only, through the same runner's run_many, with VNS_KO set. Per-test timeouts come from vns/settings (`make
# stress` overrides them with -o). Then a kmemleak scan. The runner writes its test output to /dev/stdout:
# each run's output goes through a pipe its own user made, which that user may reopen (/dev/console is
# root's). VNS-KSFT-RUNS tells scripts/qemu-run.sh how many runner totals lines to expect.
cd /kselftest || exit 1
override=${VNS_KSFT_TIMEOUT:+-o $VNS_KSFT_TIMEOUT}
tests=$(cat kselftest-list.txt)
echo "VNS-KSFT-RUNS $(( $(echo "$tests" | wc -l) * 2 + 1 ))"

for t in $tests; do
	echo "VNS-KSFT-BEGIN root $t"
	./run_kselftest.sh -t "$t" $override 2>&1 | cat
	echo "VNS-KSFT-END root $t"
	echo "VNS-KSFT-BEGIN user $t"
	su -s /bin/sh user -c "./run_kselftest.sh -t $t $override 2>&1 | cat"
	echo "VNS-KSFT-END user $t"
done
echo "VNS-KSFT-BEGIN root vns:vns_module_test"
(
	BASE_DIR=/kselftest
	. ./kselftest/runner.sh
	kselftest_override_timeout=$VNS_KSFT_TIMEOUT
	ktap_print_header
	ktap_set_plan 1
	cd vns && VNS_KO=/lib/vns/vns.ko run_many vns_module_test
	ktap_print_totals
) 2>&1 | cat
echo "VNS-KSFT-END root vns:vns_module_test"

rmmod vns 2>/dev/null
if [ -w /sys/kernel/debug/kmemleak ]; then
	# Objects younger than 5 s are not reported: wait, then scan twice (Documentation/dev-tools/kmemleak.rst).
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	echo scan > /sys/kernel/debug/kmemleak
	leaks=$(cat /sys/kernel/debug/kmemleak)
	if [ -n "$leaks" ]; then
		echo "$leaks"
		echo "VNS-GUEST-FAIL: kmemleak reported leaks"
	else
		echo "VNS-GUEST: kmemleak clean"
	fi
fi
