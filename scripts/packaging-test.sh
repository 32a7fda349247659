#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The two ways vns.ko gets installed, against the test kernel tree, without touching the machine's own
# /lib/modules, /usr/src or /var/lib/dkms (everything lives in a temporary directory, removed at the end):
#   - `make install INSTALL_MOD_PATH=DIR` (modules_install): DIR/lib/modules/<release>/updates/vns.ko;
#   - DKMS with this tree's dkms.conf: `dkms add`, `build` (--kernelsourcedir, a kernel version string of
#     its own), `install` (into its own --installtree, depmod -b there), `status`, `remove`.
# TAP, ending with "N passed, N failed".
#
#   scripts/packaging-test.sh KDIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
kdir=$1
tmp=$(mktemp -d /tmp/vns-packaging.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1"; }
check() { local name=$1; shift; if "$@" >"$tmp/out" 2>&1; then ok "$name"; else sed 's/^/# /' "$tmp/out" | tail -n 30; not_ok "$name"; fi; }

release=$(make -s -C "$kdir" kernelrelease)
kver=$release-vns-dkms-test
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
state() { ls -a /lib/modules /usr/src /var/lib/dkms 2>/dev/null | md5sum; }
before=$(state)

# make install: modules_install into a staging root.
check "make install INSTALL_MOD_PATH= stages updates/vns.ko" make -s -C "$top" KDIR="$kdir" install INSTALL_MOD_PATH="$tmp/staged"
check "modules_install's depmod lists vns" grep -q 'updates/vns.ko:' "$tmp/staged/lib/modules/$release/modules.dep"

# DKMS, from the files git knows (tracked, or new and not ignored): what a clone or a release tarball has.
mkdir -p "$tmp/stage" "$tmp/src" "$tmp/dkms" "$tmp/root/lib/modules/$kver"
git -C "$top" ls-files -z --cached --others --exclude-standard | (cd "$top" && tar --null -T - -c) | tar -x -C "$tmp/stage"
dkms=(dkms --sourcetree "$tmp/src" --dkmstree "$tmp/dkms" --installtree "$tmp/root/lib/modules")
check "dkms add" "${dkms[@]}" add "$tmp/stage"
check "dkms build -k $kver --kernelsourcedir (test kernel)" "${dkms[@]}" build "vns/$ver" -k "$kver" --kernelsourcedir "$kdir"
check "dkms install (own install tree, no depmod)" "${dkms[@]}" install "vns/$ver" -k "$kver" --kernelsourcedir "$kdir" --no-depmod
ko=$tmp/root/lib/modules/$kver/updates/dkms/vns.ko
check "depmod -b over the install tree lists vns" sh -c "depmod -b '$tmp/root' '$kver' && grep -q 'updates/dkms/vns.ko:' '$tmp/root/lib/modules/$kver/modules.dep'"
check "the DKMS-built vns.ko is for the test kernel ($release)" sh -c "modinfo -F vermagic '$ko' | grep -q '^$release SMP '"
installed() { "${dkms[@]}" status "vns/$ver" -k "$kver" | grep -q ': installed'; }
check "dkms status: installed" installed
check "dkms remove --all" "${dkms[@]}" remove "vns/$ver" --all --no-depmod
check "removed: no vns.ko left in the install tree" test ! -e "$ko"
check "the machine's /lib/modules, /usr/src, /var/lib/dkms unchanged" test "$before" = "$(state)"
echo "$((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
