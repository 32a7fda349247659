#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The `make run` demo: vns as a user meets it, with vnsctl. Runs in the test guest as root, and shows an
# unprivileged user (uid 1000) at work.
export PATH=/bin:/sbin:$PATH
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; sh -c "$*" 2>&1 | sed 's/^/  /'; }
as_user() { printf 'user$ %s\n' "$*"; su -s /bin/sh user -c "$*" 2>&1 | sed 's/^/  /'; }

step "vns is loaded: /dev/vns is open to everyone, the limits are under /proc/sys/vns"
show "lsmod | grep -E '^(Module|vns)'"
show "ls -l /dev/vns"
show "vnsctl limits"

step "An unprivileged user makes a user + uts vns (unshare -U -u -r) and sets a hostname inside"
as_user "id -u; vnsctl hostname"
as_user "vnsctl unshare -U -u -r -- sh -c 'vnsctl hostname sandbox; echo inside: \$(vnsctl hostname), uid \$(id -u) as the kernel sees it, uid 0 in vns:; vnsctl info | grep -E \"^(uid|user|uts|capabilities)\"'"
as_user "echo outside: \$(vnsctl hostname)"

step "lsns shows the tree: from a user vns, the user vns below it and what that one owns"
as_user "vnsctl unshare -r -- sh -c 'vnsctl unshare -r -u -i -- sleep 2 & sleep 1; vnsctl lsns; wait'"

step "A limit of 1: the second uts vns of the same user is refused, with a clear message"
as_user "vnsctl unshare -r -- sh -c 'vnsctl limits uts=1; vnsctl unshare -u -- sh -c \"echo first: ok; vnsctl unshare -u true\"'"

step "The count is back as soon as the members exit"
as_user "vnsctl unshare -r -- sh -c 'vnsctl unshare -u -i -- sh -c \"echo while a member is inside:; vnsctl ucounts\"; echo after it exited:; vnsctl ucounts'"

step "A task's namespaces, entered in one step (nsenter -t PID -a)"
cat > /tmp/vns-enter.sh <<'SH'
vnsctl unshare -r -u -- sh -c 'vnsctl hostname target-box; sleep 3' &
sleep 1
vnsctl lsns -p $! -n -o NS,TYPE
vnsctl nsenter -t $! -a -- sh -c 'echo entered: $(vnsctl hostname)'
wait
SH
sed 's/^/  | /' /tmp/vns-enter.sh
as_user "sh /tmp/vns-enter.sh"

step "A namespace kept alive only by a file descriptor, and entered later through it"
cat > /tmp/vns-hold.sh <<'SH'
vnsctl unshare -r -u -- sh -c 'vnsctl hostname kept-by-fd; vnsctl info -J > /tmp/held.json; sleep 2' &
sleep 1
u=$(sed -n 's/.*"user": \([0-9]*\).*/\1/p' /tmp/held.json)
t=$(sed -n 's/.*"uts": \([0-9]*\).*/\1/p' /tmp/held.json)
export t
vnsctl hold --ns $u --ns $t -- sh -c '
	while [ "$(vnsctl lsns -t uts -n -o NS,NPROCS | awk "\$1 == $t { print \$2 }")" != 0 ]; do sleep 0.2; done
	echo "its only member has exited; uts vns $t has no task and lives on:"
	vnsctl lsns -t uts -o NS,TYPE,NPROCS | awk "NR == 1 || \$1 == $t"
	set -- $VNS_HOLD_FDS
	echo "entered through the fds ($VNS_HOLD_FDS): hostname $(vnsctl nsenter --fd ${1%%:*} --fd ${2%%:*} -- vnsctl hostname)"'
echo "after the last fd closed, uts vns $t is gone: $(vnsctl lsns -t uts -n -o NS | grep -cw $t) left"
SH
sed 's/^/  | /' /tmp/vns-hold.sh
as_user "sh /tmp/vns-hold.sh"

step "Where to go next"
cat <<'TXT'
  vnsctl --help              every subcommand (unshare, lsns, nsenter, hold, hostname, mount, limits, ucounts,
                             info, time)
  Documentation/vns.rst      what vns is, its objects, locks and lifetimes
  Documentation/userspace-api/vns.rst    the ioctls, their structs and errnos
  make check                 every test (host, module, selftests in QEMU)
TXT
echo
echo "VNS-DEMO: ok"
