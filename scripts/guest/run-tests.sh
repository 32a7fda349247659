#!/bin/sh
# Runs every selftest in /vns/tests, in run-order: first as root, then as the unprivileged uid 1000
# (except the module life test, which unloads the module: root only, last). Then a kmemleak scan.
cd /vns/tests || exit 1
last=$(tail -n 1 run-order)
for t in $(cat run-order); do
	[ "$t" = "$last" ] && continue
	echo "VNS-TEST-BEGIN root $t"
	./"$t"
	echo "VNS-TEST-END root $t rc=$?"
	echo "VNS-TEST-BEGIN user $t"
	su -s /bin/sh user -c "./$t"
	echo "VNS-TEST-END user $t rc=$?"
done
echo "VNS-TEST-BEGIN root $last"
VNS_KO=/lib/vns/vns.ko ./"$last"
echo "VNS-TEST-END root $last rc=$?"

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
