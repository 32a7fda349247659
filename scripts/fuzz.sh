#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host fuzzing of vns-core with cargo fuzz (libFuzzer; needs the nightly toolchain): the id-map parser and
# the extensible-struct rules. Installs cargo-fuzz if missing. Each target runs VNS_FUZZ_SECONDS (60).
# Prints "fuzz: N passed, N failed" (one per target).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export PATH="$HOME/.cargo/bin:$PATH"
secs=${VNS_FUZZ_SECONDS:-60}
cd "$here/../rust/vns-core" || exit 1
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal || exit 1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked || exit 1
passed=0 failed=0
for t in idmap ustruct; do
	if cargo +nightly fuzz run "$t" -- -max_total_time="$secs" -max_len=4096 2>&1 | tail -5; then
		echo "ok - fuzz: $t ($secs s)"; passed=$((passed + 1))
	else
		echo "not ok - fuzz: $t"; failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ]
