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

step "Where to go next"
cat <<'TXT'
  vnsctl --help              every subcommand (unshare, lsns, nsenter, hostname, mount, limits, ucounts, info)
  Documentation/vns.rst      what vns is, its objects, locks and lifetimes
  Documentation/userspace-api/vns.rst    the ioctls, their structs and errnos
  make check                 every test (host, module, selftests in QEMU)
TXT
echo
echo "VNS-DEMO: ok"
