#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a built kernel tree under virtme-ng (vng, from the project's virtualenv .venv, `make setup`) with
# vns.ko loaded from the build tree, and run a command in the guest: by default the selftests from the host's
# kselftest install tree (`run_kselftest.sh -c vns`, as root). No initramfs is built: vng shares the host's
# root file system read-only over 9p (virtiofs when virtiofsd is installed) with overlays for writes, so
# the guest runs the host's own programs in this directory. TCG (--disable-kvm) unless VNS_QEMU_ACCEL=kvm.
# Fails when the command fails, when the guest prints any kernel report, or on timeout.
#
#   scripts/vng-run.sh --kdir KDIR --ko VNS_KO [--ksft DIR] [--timeout S] [--log FILE] [-- COMMAND]
#   (with no COMMAND, $VNG_CMD when set: make vng VNG_CMD='...')
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
kdir= ko= ksft= timeout=900 log= cmd=${VNG_CMD:-}
while [ $# -gt 0 ]; do
	case "$1" in
		--kdir) kdir=$2; shift 2 ;;
		--ko) ko=$2; shift 2 ;;
		--ksft) ksft=$2; shift 2 ;;
		--timeout) timeout=$2; shift 2 ;;
		--log) log=$2; shift 2 ;;
		--) shift; cmd="$*"; break ;;
		*) echo "vng-run: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -f "$kdir/arch/x86/boot/bzImage" ] || { echo "vng-run: no built kernel at '$kdir' (make kernel)" >&2; exit 2; }
[ -f "$ko" ] || { echo "vng-run: $ko not built (make modules)" >&2; exit 2; }
export PATH="$top/.venv/bin:$PATH"
command -v vng >/dev/null || { echo "vng-run: virtme-ng is not installed in $top/.venv (make setup)" >&2; exit 2; }
command -v depmod >/dev/null || { echo "vng-run: depmod missing: vng needs kmod (make setup)" >&2; exit 2; }
if [ -z "$cmd" ]; then
	[ -x "$ksft/run_kselftest.sh" ] || { echo "vng-run: no kselftest tree at '$ksft' (make selftests-install)" >&2; exit 2; }
	cmd="cd $(cd "$ksft" && pwd) && ./run_kselftest.sh -c vns"
fi
log=${log:-$(dirname "$ko")/../vng.log}
kvm=--disable-kvm
[ "${VNS_QEMU_ACCEL:-tcg}" = kvm ] && kvm=

echo "vng-run: booting $kdir under vng ($( [ -n "$kvm" ] && echo tcg || echo kvm ), timeout ${timeout}s); log: $log"
set +e
# --verbose puts the kernel log on the console, for the report scan. vng hands the command's exit status
# back through a virtio-serial port that virtme-ng-init finds by its udev name; with no udevd on the host
# (as here) the command runs on the console instead and vng exits 255 whatever it returned, so the guest
# prints the status itself.
timeout -k 5 "$timeout" vng --run "$kdir" $kvm --cpus 2 --memory 1G --verbose \
	--exec "insmod $(realpath "$ko") && echo 'vng-run: vns loaded' && ( $cmd ); echo \"vng-run: guest exit \$?\"" \
	</dev/null 2>&1 | tr -d '\r' | tee "$log"
rc=${PIPESTATUS[0]}
set -e
fail=0
guest=$(sed -n 's/^vng-run: guest exit \([0-9]*\)$/\1/p' "$log" | tail -n 1)
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "vng-run: FAIL: the guest did not finish within ${timeout}s"; fail=1
elif [ -z "$guest" ]; then
	echo "vng-run: FAIL: the command did not finish (vng exited with $rc)"; fail=1
elif [ "$guest" != 0 ]; then
	echo "vng-run: FAIL: the command exited with $guest"; fail=1
fi
grep -q '^vng-run: vns loaded' "$log" || { echo "vng-run: FAIL: vns was not loaded"; fail=1; }
"$here/kernel-reports.sh" "$log" || fail=1
[ "$fail" = 0 ] && echo "vng-run: ok"
exit "$fail"
