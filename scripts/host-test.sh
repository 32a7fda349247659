#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of the Rust workspace (rust/): format, clippy with -D warnings, cargo test, and the no_std builds
# of vns-core for the Cortex-M7 target and the `small` profile. Prints "host: N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../rust" || exit 1
export PATH="$HOME/.cargo/bin:$PATH"

passed=0 failed=0
step() {	# step NAME CMD...: one counted check
	local name=$1; shift
	if "$@" >"$log" 2>&1; then
		echo "ok - host: $name"; passed=$((passed + 1))
	else
		echo "not ok - host: $name"; sed 's/^/    /' "$log" | tail -40; failed=$((failed + 1))
	fi
}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

step "cargo fmt --check" cargo fmt --all --check
step "cargo clippy -D warnings" cargo clippy --workspace --all-targets --locked -- -D warnings
step "vns-core builds for thumbv7em-none-eabihf" cargo build --locked -p vns-core --target thumbv7em-none-eabihf
step "vns-core builds with the small profile" cargo build --locked -p vns-core --features small

# cargo test: every test case counts on its own ("test result: ok. N passed; M failed").
if cargo test --workspace --locked >"$log" 2>&1; then test_rc=0; else test_rc=$?; fi
grep -E '^test .* \.\.\. (ok|FAILED|ignored)' "$log" | grep -v '\.\.\. ok$' | sed 's/^/    /'
tp=$(awk '/^test result:/ { for (i = 1; i <= NF; i++) if ($i ~ /^passed;?$/) s += $(i-1) } END { print s + 0 }' "$log")
tf=$(awk '/^test result:/ { for (i = 1; i <= NF; i++) if ($i ~ /^failed;?$/) s += $(i-1) } END { print s + 0 }' "$log")
if [ "$test_rc" != 0 ] && [ "$tf" = 0 ]; then
	echo "not ok - host: cargo test did not run (exit $test_rc)"; tail -40 "$log" | sed 's/^/    /'; tf=1
fi
echo "ok - host: cargo test: $tp passed, $tf failed"
passed=$((passed + tp)); failed=$((failed + tf))

echo "host: $passed passed, $failed failed"
[ "$failed" = 0 ]
