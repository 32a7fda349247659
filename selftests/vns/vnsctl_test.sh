#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vnsctl against the real module (issue 5): every subcommand, as root and as an unprivileged user. TAP.
# Also runs samples/vns_uts (the C sample). Needs vnsctl and vns_uts beside it (the kselftest install tree)
# or on PATH.

export PATH="$(cd "$(dirname "$0")" && pwd):/bin:/sbin:$PATH"
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"; }
# check NAME CMD...: the command must succeed.
check() { name=$1; shift; if out=$("$@" 2>&1); then ok "$name"; else echo "# $out" | head -5; not_ok "$name"; fi; }
# expect NAME PATTERN CMD...: the command's output (stdout+stderr) must match the pattern (grep -E).
expect() {
	name=$1 pat=$2; shift 2
	out=$("$@" 2>&1)
	if printf '%s\n' "$out" | grep -Eq -- "$pat"; then ok "$name"; else printf '# got: %s\n' "$out" | head -8; not_ok "$name"; fi
}
root() { [ "$(id -u)" = 0 ]; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "TAP version 13"

expect "help lists the subcommands" "unshare.*" vnsctl --help
expect "unshare --help reads like util-linux" "-r, --map-root-user" vnsctl unshare --help
expect "man page renders" "^\.TH vnsctl" vnsctl man
expect "info shows the user vns" "^user: +[0-9]+" vnsctl info
expect "info -J is JSON" '"full_caps"' vnsctl info -J

# unshare -r: root inside, full capabilities, a new user vns one level down.
expect "unshare -r maps to root" '"uid": 0' vnsctl unshare -r -- vnsctl info -J
expect "unshare -r has full caps" '"full_caps": true' vnsctl unshare -r -- vnsctl info -J
expect "unshare --map-user/--map-group" '"gid": 99' vnsctl unshare --map-user=1234 --map-group=99 -- vnsctl info -J
expect "unshare --map-user uid" '"uid": 1234' vnsctl unshare --map-user=1234 --map-group=99 -- vnsctl info -J
expect "unshare without a program runs the shell" "^inner-shell$" sh -c 'echo "echo inner-shell" | SHELL=/bin/sh vnsctl unshare -r'

# hostname: set inside, outside unchanged.
outside=$(vnsctl hostname)
expect "hostname inside a new uts vns" "^inner$" vnsctl unshare -r -u -- sh -c 'vnsctl hostname inner && vnsctl hostname'
expect "hostname outside unchanged" "^$outside\$" vnsctl hostname
expect "domainname inside" "^example\.org$" vnsctl unshare -r -u -- sh -c 'vnsctl domainname example.org && vnsctl domainname'
if root; then
	check "hostname set by root in init" sh -c 'old=$(vnsctl hostname); vnsctl hostname vns-root-test && [ "$(vnsctl hostname)" = vns-root-test ] && vnsctl hostname "$old"'
else
	expect "hostname unprivileged fails" "vnsctl: you must be root to change the host name: Operation not permitted" vnsctl hostname nope
fi
expect "hostname too long is EINVAL" "Invalid argument" vnsctl unshare -r -u -- vnsctl hostname "$(printf '%070d' 0)"

# lsns: table, filters, columns, JSON.
expect "lsns shows the new uts vns" "^ *[0-9]+ uts$" vnsctl unshare -r -u -- vnsctl lsns -t uts -n -o NS,TYPE
expect "lsns header" "^ *NS TYPE +NPROCS LEVEL PARENT OWNER +UID$" vnsctl lsns
expect "lsns -J" '"namespaces"' vnsctl unshare -r -- vnsctl lsns -J
expect "lsns UIDMAP: a child user vns's map, lower ids as its parent sees them" "^ *[0-9]+ user 0:0:1$" \
	vnsctl unshare -r -- sh -c 'vnsctl unshare -r -- sleep 3 & sleep 1; vnsctl lsns -t user -n -o NS,TYPE,UIDMAP; wait'
expect "lsns unknown type" "vnsctl: unknown namespace type: bogus" vnsctl lsns -t bogus
expect "lsns unknown column" "unknown column: BOGUS" vnsctl lsns -o BOGUS
expect "lsns: a uts vns owned two levels down" "^ *2 uts$" vnsctl unshare -r -- vnsctl unshare -r -u -- vnsctl lsns -n -o LEVEL,TYPE -t uts

# nsenter: a holder keeps a user+uts vns; enter it by id and read its hostname.
vnsctl unshare -r -u -- sh -c "vnsctl hostname held; vnsctl info -J > $tmp/info; touch $tmp/ready; while [ ! -e $tmp/stop ]; do sleep 0.1; done" &
holder=$!
i=0; while [ ! -e "$tmp/ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
user_id=$(sed -n 's/.*"user": \([0-9]*\).*/\1/p' "$tmp/info")
uts_id=$(sed -n 's/.*"uts": \([0-9]*\).*/\1/p' "$tmp/info")
expect "nsenter into a held uts vns" "^held$" vnsctl nsenter --target-ns "$user_id" --target-ns "$uts_id" -- vnsctl hostname
expect "nsenter unknown id" "vnsctl: namespace 999999 not found" vnsctl nsenter --target-ns 999999 true
expect "nsenter -t PID -a" "^held$" vnsctl nsenter -t "$holder" -a -- vnsctl hostname
expect "nsenter -t PID -U -u" "^held$" vnsctl nsenter -t "$holder" -U -u -- vnsctl hostname
if ! root; then
	expect "nsenter -t PID -u unprivileged is EPERM" "reassociate to namespaces of process $holder failed: Operation not permitted" \
		vnsctl nsenter -t "$holder" -u true
fi
expect "nsenter -t with no such process" "No such process" vnsctl nsenter -t 1073741823 -a true
expect "lsns -p PID lists its uts vns" "^ *$uts_id uts$" vnsctl lsns -p "$holder" -n -o NS,TYPE -t uts
expect "lsns -p of init as $(id -u)" "$(root && echo '^ *[0-9]+ uts' || echo 'cannot read namespaces of process 1: Permission denied')" vnsctl lsns -p 1 -n -o NS,TYPE -t uts
touch "$tmp/stop"; wait "$holder"
expect "held namespace gone after its last member" "namespace $uts_id not found" vnsctl nsenter --target-ns "$uts_id" true

# hold: namespace fds keep a user+uts vns after its last member is gone; entered later through them.
vnsctl unshare -r -u -- sh -c "vnsctl hostname kept; vnsctl info -J > $tmp/info2; touch $tmp/ready2; while [ ! -e $tmp/stop2 ]; do sleep 0.1; done" &
h2=$!
i=0; while [ ! -e "$tmp/ready2" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
u2=$(sed -n 's/.*"user": \([0-9]*\).*/\1/p' "$tmp/info2")
t2=$(sed -n 's/.*"uts": \([0-9]*\).*/\1/p' "$tmp/info2")
expect "hold prints its fds" "^[0-9]+ uts $t2$" vnsctl hold --ns "$u2" --ns "$t2" -- true
expect "hold keeps them without members; nsenter --fd enters them" "^kept 0$" vnsctl hold --ns "$u2" --ns "$t2" -- sh -c "
	touch $tmp/stop2
	i=0; n=1; while [ \"\$n\" != 0 ] && [ \$i -lt 100 ]; do
		sleep 0.1; i=\$((i + 1))
		n=\$(vnsctl lsns -t uts -n -o NS,NPROCS | awk '\$1 == $t2 { print \$2 }')
	done
	args=; for f in \$VNS_HOLD_FDS; do args=\"\$args --fd \${f%%:*}\"; done
	echo \$(vnsctl nsenter \$args -- vnsctl hostname) \$n"
wait "$h2" 2>/dev/null
expect "held namespaces gone with their fds" "namespace $t2 not found" vnsctl hold --ns "$t2" -- true
expect "nsenter --fd of a non-namespace fd" "fd 0: not a namespace" vnsctl nsenter --fd 0 true

# mounts.
expect "mounts lists the root entry" "^ *[0-9]+ +[0-9]+ rootfs +/ +rootfs +rw$" vnsctl mounts
expect "mounts -J" '"filesystems"' vnsctl mounts -J
check "mount, list, umount in a new mount vns" vnsctl unshare -r -m -- sh -c '
	id=$(vnsctl mount tmpfs /tmp -t tmpfs -o ro) &&
	vnsctl mounts | grep -Eq "^ *$id .* /tmp +tmpfs +ro$" &&
	vnsctl umount "$id" && ! vnsctl mounts | grep -q /tmp'
check "--empty-mntns: a new mount vns with the root entry only" vnsctl unshare -r -m -- sh -c '
	vnsctl mount tmpfs /tmp -t tmpfs >/dev/null &&
	vnsctl unshare --empty-mntns -- sh -c "[ \$(vnsctl mounts | wc -l) = 2 ] && vnsctl mounts | grep -Eq \" rootfs +/ +rootfs \""'
expect "umount of the root is EINVAL" "vnsctl: umount failed: Invalid argument" vnsctl unshare -r -m -- sh -c 'vnsctl umount $(vnsctl mounts -J | sed -n "s/.*\"id\": \([0-9]*\).*/\1/p" | head -1)'
expect "mount unprivileged in init is EPERM" "$(root && echo '^[0-9]+$' || echo 'mount failed: Operation not permitted')" sh -c 'id=$(vnsctl mount x /y) && echo $id && vnsctl umount $id'

# limits and the ENOSPC message.
expect "limits lists every limit" "^mount-max +[0-9]+$" vnsctl limits
expect "limits inside a new user vns start at INT_MAX" "^max_uts_namespaces +2147483647$" vnsctl unshare -r -- vnsctl limits
expect "limit 0 then unshare: clear ENOSPC message" "vnsctl: unshare failed: No space left on device" \
	vnsctl unshare -r -- sh -c 'vnsctl limits uts=0 && vnsctl unshare -u true'
expect "limit set inside" "^max_ipc_namespaces +3$" vnsctl unshare -r -- sh -c 'vnsctl limits ipc=3 && vnsctl limits'
if root; then
	check "limits set by root" sh -c 'old=$(cat /proc/sys/vns/max_net_namespaces); vnsctl limits net=77 && [ "$(cat /proc/sys/vns/max_net_namespaces)" = 77 ] && vnsctl limits net=$old'
else
	expect "limits unprivileged: Permission denied" "vnsctl: cannot set max_uts_namespaces: Permission denied" vnsctl limits uts=5
fi
expect "limits bad value" "vnsctl: cannot set max_uts_namespaces: Invalid argument" vnsctl unshare -r -- vnsctl limits uts=-1

# ucounts: the count of a held namespace, and back after exit.
expect "ucounts table" "^uts +[0-9]+ +[0-9]+$" vnsctl ucounts
expect "ucounts counts the child's uts vns" "^uts +1 +2147483647$" vnsctl unshare -r -- sh -c 'vnsctl unshare -u -- vnsctl ucounts --ns $(vnsctl info -J | sed -n "s/.*\"user\": \([0-9]*\).*/\1/p")'

# pid: -p -f puts the program in a new pid vns as pid 1.
expect "unshare -p -f: pid 1" '"pid": 1,' vnsctl unshare -r -p -f -- vnsctl info -J
expect "unshare -f passes the exit status" "^status 3$" sh -c 'vnsctl unshare -r -f -- sh -c "exit 3"; echo status $?'
expect "exec failure is reported" "vnsctl: failed to execute /nonexistent" vnsctl unshare -r -- /nonexistent

# time: -T sets the time vns for children only; the exec of the program enters it, with the offsets.
expect "time shows the clocks" "^monotonic +[0-9]+\.[0-9]{9} +[0-9]+\.[0-9]{9}$" vnsctl time
expect "time -J" '"offsets_for_children"' vnsctl time -J
expect "unshare -T --monotonic: the program sees the offset" "^ok$" vnsctl unshare -r -T --monotonic=86400 --boottime=-1 -- sh -c '
	d=$(vnsctl time | awk "\$1 == \"monotonic\" { printf \"%d\", \$2 - \$3; exit }") && [ "$d" -ge 86399 ] && [ "$d" -le 86401 ] &&
	vnsctl time | grep -Eq "^monotonic +86400 +0$" && vnsctl time | grep -Eq "^boottime +-1 +0$" && echo ok'
expect "--monotonic needs -T" "required|--time" vnsctl unshare --monotonic=5 true
if root; then
	expect "unshare -T --monotonic by root" "^monotonic +5 +0$" vnsctl unshare -T --monotonic=5 -- vnsctl time
else
	expect "unshare -T unprivileged is EPERM" "vnsctl: unshare failed: Operation not permitted" vnsctl unshare -T --monotonic=5 -- true
fi

# The C sample (samples/vns_uts.c).
expect "samples/vns_uts" "^inside:  uts vns [0-9]+, hostname vns-sample$" vns_uts

echo "1..$n"
[ "$fails" = 0 ]
