#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The STM32H750 port (rust/vns-stm32): on-target tests on QEMU mps2-an500 (Cortex-M7), then the release demo
# image for the real H750 memory map and its size against the chip and the issue's budget. Prints one
# "ok - stm32: ..." / "not ok - stm32: ..." line per check, and last "stm32: N passed, N failed" (the
# on-target test cases, each counted, plus the checks below); exits non-zero on any failure.
#
#   VNS_QEMU_TIMEOUT=60   seconds before a QEMU run counts as a hang (qemu-runner.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
crate=$here/../rust/vns-stm32
cd "$crate"
export PATH="$HOME/.cargo/bin:$PATH"

# Budget of the issue for the demo firmware, and the chip (STM32H750: 128 KiB flash, 128 KiB DTCM).
demo_flash_max=$((32 * 1024)) demo_ram_max=$((16 * 1024))
chip_flash=$((128 * 1024)) chip_ram=$((128 * 1024))

size_of() {	# size_of ELF: prints "text data bss" (Berkeley format)
	if command -v rust-size >/dev/null 2>&1; then rust-size "$1"
	elif command -v arm-none-eabi-size >/dev/null 2>&1; then arm-none-eabi-size "$1"
	elif command -v llvm-size-19 >/dev/null 2>&1; then llvm-size-19 "$1"
	else llvm-size "$1"
	fi | awk 'NR == 2 { print $1, $2, $3 }'
}
kib() { awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f%%", 100 * a / b }'; }

passed=0 failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
ok() { echo "ok - stm32: $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - stm32: $1"; failed=$((failed + 1)); }

# 1. On-target tests: `cargo test` builds tests/on_target.rs for thumbv7em-none-eabihf and the runner boots it
# in QEMU. The firmware prints "ok N name" / "not ok N name" per test and ends with "P passed, F failed" (tests
# a fault or a panic in a handler kept from running count as failed); its exit status must be 0. In a run that
# ends without that line (a hang, a crash of QEMU), every test of its plan line "1..N" that did not pass has
# failed; a run without a plan (a build error) is one failure.
echo "=== stm32: on-target tests (QEMU mps2-an500, Cortex-M7)"
rc=0
cargo test --locked >"$log" 2>&1 || rc=$?
grep -E '^(ok|not ok) [0-9]+ |^#|^[0-9]+ passed, [0-9]+ failed|^qemu-runner:|^error' "$log" || true
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)
if [ -n "$summary" ]; then
	tp=${summary%% passed*}
	tf=${summary#*passed, }; tf=${tf%% failed}
else
	# Cut short: every test of the plan line ("1..N") that did not pass failed; without a plan (a build
	# error), the run itself is one failure.
	tp=$(grep -cE '^ok [0-9]+ ' "$log" || true)
	plan=$(sed -nE 's/^1\.\.([0-9]+)$/\1/p' "$log" | head -n 1)
	tf=$(( ${plan:-0} > tp ? ${plan:-0} - tp : 1 ))
	echo "not ok - stm32: the on-target run ended without its summary (exit $rc):"
	grep -vE '^(ok|not ok) [0-9]+ |^#' "$log" | tail -12 | sed 's/^/    /'
fi
if [ "$rc" != 0 ] && [ "$tf" = 0 ]; then
	echo "not ok - stm32: the on-target run exited with status $rc"; tf=1
fi
echo "stm32: on-target: $tp passed, $tf failed"
test_elf=$(sed -nE 's/^ *Running tests\/on_target\.rs \((.*)\)$/\1/p' "$log" | tail -n 1)
passed=$((passed + tp)); failed=$((failed + tf))
if [ -n "$test_elf" ] && [ -f "$crate/$test_elf" ] && sizes=$(size_of "$crate/$test_elf") && [ -n "$sizes" ]; then
	read -r text data bss <<<"$sizes"
	echo "    on-target test image: flash $((text + data)) B = $(kib $((text + data))), $(pct $((text + data)) "$chip_flash") of 128 KiB"
fi

# 2. The library alone (what production firmware links) must not pull semihosting.
if cargo tree --locked -e normal --prefix none >"$log" 2>&1 && ! grep -q semihosting "$log"; then
	ok "the library has no semihosting dependency"
else
	not_ok "the library has no semihosting dependency"; sed 's/^/    /' "$log" | tail -20
fi

# 3. The demo in QEMU (QEMU layout): it must run to its end; its measured stack peak counts in its RAM use.
stack=0
if cargo run --locked --release --features demo --bin demo >"$log" 2>&1; then
	ok "demo runs in QEMU"
	grep -E '^(vns demo|  [^ ])' "$log" | sed 's/^/    /'
	stack=$(sed -nE 's/^  stack peak: ([0-9]+) bytes$/\1/p' "$log" | tail -n 1)
	stack=${stack:-0}
else
	not_ok "demo runs in QEMU"; tail -30 "$log" | sed 's/^/    /'
fi

# 4. The release demo for the real H750 map: it links (so it fits 128K/128K), and its size is within budget.
echo "=== stm32: release demo image, STM32H750 memory map (FLASH 0x08000000 128K, DTCM 0x20000000 128K)"
elf=$crate/target/thumbv7em-none-eabihf/release/demo
if cargo build --locked --release --features h750,demo --bin demo >"$log" 2>&1 && sizes=$(size_of "$elf") &&
	[ -n "$sizes" ]; then
	read -r text data bss <<<"$sizes"
	flash=$((text + data)) ram=$((data + bss))
	echo "    text $text  data $data  bss $bss  (bytes, $(basename "$elf"))"
	echo "    flash (text+data): $flash B = $(kib "$flash"), $(pct "$flash" "$chip_flash") of the H750's 128 KiB; budget $(kib "$demo_flash_max")"
	echo "    RAM (data+bss):    $ram B = $(kib "$ram"), $(pct "$ram" "$chip_ram") of DTCM's 128 KiB; with the measured stack peak ($stack B): $((ram + stack)) B = $(kib $((ram + stack))); budget $(kib "$demo_ram_max")"
	if [ "$flash" -le "$demo_flash_max" ] && [ $((ram + stack)) -le "$demo_ram_max" ]; then
		ok "demo size within 32 KiB flash / 16 KiB RAM"
	else
		not_ok "demo size within 32 KiB flash / 16 KiB RAM"
	fi
else
	not_ok "release demo for the H750 builds and links"; tail -30 "$log" | sed 's/^/    /'
fi

echo "stm32: $passed passed, $failed failed"
[ "$failed" = 0 ]
