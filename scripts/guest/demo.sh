#!/bin/sh
# The `make run` demo: vns loaded, its device and its sysctls.
echo
echo "=== vns is loaded ==="
lsmod | grep -E '^(Module|vns)'
echo
echo "=== /dev/vns ==="
ls -l /dev/vns
echo
echo "=== /proc/sys/vns ==="
for f in /proc/sys/vns/*; do printf '%-40s %s\n' "$f" "$(cat "$f")"; done
echo
echo "=== as an unprivileged user (uid 1000) ==="
su -s /bin/sh user -c '
	id
	[ -r /dev/vns ] && [ -w /dev/vns ] && echo "/dev/vns: open for reading and writing: yes"
	echo 5 2>/dev/null > /proc/sys/vns/max_uts_namespaces || echo "writing max_uts_namespaces: Permission denied (needs CAP_SYS_RESOURCE)"
'
echo
echo "VNS-DEMO: ok"
