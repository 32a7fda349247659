#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Cargo runner for thumbv7em-none-eabihf (.cargo/config.toml): boots ELF in QEMU mps2-an500 (Cortex-M7) with
# semihosting, so the firmware's console is this process's stdout and its semihosting exit status is ours.
# A hang (no exit within VNS_QEMU_TIMEOUT seconds, default 60) is a failure, as is a hard fault (the
# firmware's HardFault handler exits with status 1).
#   qemu-runner.sh ELF [ARGS...]   (ARGS, from `cargo test -- ...`, are ignored: the tests take none)
set -uo pipefail
if [ $# -lt 1 ]; then
	echo "usage: $0 ELF [ARGS...]" >&2
	exit 2
fi
elf=$1
limit=${VNS_QEMU_TIMEOUT:-60}
timeout --kill-after=5 "$limit" qemu-system-arm -machine mps2-an500 -cpu cortex-m7 -nographic \
	-monitor none -serial none -semihosting-config enable=on,target=native -kernel "$elf" </dev/null
rc=$?
case $rc in
0) ;;
124 | 137) echo "qemu-runner: FAIL: $(basename "$elf") did not exit within ${limit} s (hang, or a fault loop)" >&2 ;;
*) echo "qemu-runner: FAIL: $(basename "$elf") exited with status $rc" >&2 ;;
esac
exit "$rc"
