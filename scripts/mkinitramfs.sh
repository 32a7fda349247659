#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the guest's initramfs: busybox-static, vns.ko, the kselftest install tree (make selftests-install) at
# /kselftest, coreutils' timeout (the kselftest runner uses `timeout --foreground`, which busybox's lacks) and
# the guest scripts.
#
#   scripts/mkinitramfs.sh OUT_DIR VNS_KO KSELFTEST_TREE      writes OUT_DIR/initramfs.cpio.gz
#
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1 ko=$2 ksft=$3
root=$out/initramfs

[ -x /bin/busybox ] || { echo "mkinitramfs: busybox-static missing (make setup)" >&2; exit 1; }
[ -f "$ko" ] || { echo "mkinitramfs: $ko not built" >&2; exit 1; }
[ -x "$ksft/run_kselftest.sh" ] || { echo "mkinitramfs: no kselftest tree at $ksft (make selftests-install)" >&2; exit 1; }

rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,etc,proc,sys,dev,tmp,root,lib/vns,vns,home/user}
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
cp "$ko" "$root/lib/vns/vns.ko"
cp "$here/guest/init" "$root/init"
cp "$here/guest/"*.sh "$root/vns/"
cp "$here/../samples/vns-demo.sh" "$root/vns/demo.sh"
chmod +x "$root/init" "$root"/vns/*.sh
cp -r "$ksft" "$root/kselftest"
# The runner calls /usr/bin/timeout: coreutils' (dynamically linked) with the libraries ldd names.
cp /usr/bin/timeout "$root/usr/bin/timeout"
for lib in $(ldd /usr/bin/timeout | grep -oE '/[^ ]+'); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
# The benchmark and the profiling driver (not tests: built, not listed in the kselftest tree).
for f in vns_bench vns_prof; do
	[ -f "$out/selftests/$f" ] && cp "$out/selftests/$f" "$root/vns/"
done
[ -d "$out/bin" ] && cp -r "$out/bin/." "$root/bin/"
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\n' > "$root/etc/group"
chown 1000:1000 "$root/home/user"
chmod 1777 "$root/tmp"

(cd "$root" && find . -print0 | cpio --null -o -H newc --owner=+0:+0 --quiet 2>/dev/null | gzip -1) \
	> "$out/initramfs.cpio.gz"
echo "mkinitramfs: $out/initramfs.cpio.gz ($(du -h "$out/initramfs.cpio.gz" | cut -f1))"
