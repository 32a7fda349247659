#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The module's Rust, formatted as the kernel formats its own (`make rustfmt`): rustfmt with the kernel
# tree's .rustfmt.toml over every file of rust/vns, one at a time from stdin, so that rustfmt does not
# follow `mod` into vns-core (cargo fmt checks that crate: scripts/host-test.sh). Imports are vertical
# (Documentation/rust/coding-guidelines.rst), which the trailing `//` markers keep.
#
#   scripts/rustfmt-check.sh KDIR
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=${1:?usage: rustfmt-check.sh KDIR}
export PATH="$HOME/.cargo/bin:$PATH"
bad=0
while IFS= read -r f; do
	# rustfmt --check exits 0 for stdin input even when it prints a diff: the diff is the verdict.
	diff=$(rustfmt --check --edition 2021 --config-path "$kdir/.rustfmt.toml" <"$f" 2>&1)
	if [ -n "$diff" ]; then
		echo "rustfmt: ${f#"$top"/} is not formatted:"
		sed 's/^/    /' <<<"$diff" | head -20
		bad=1
	fi
done < <(find "$top/rust/vns" -name '*.rs' | sort)
[ "$bad" = 0 ]
