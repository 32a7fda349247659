#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Fails (exit 1, listing them) when a guest's console log shows any kernel report: oops, BUG, WARNING, lockdep
# or RCU splat, KFENCE, KASAN, kmemleak, UBSAN, refcount or list corruption. Used by scripts/qemu-run.sh and
# scripts/vng-run.sh.
#
#   scripts/kernel-reports.sh LOG
set -euo pipefail
log=$1
reports='(BUG:|WARNING:|Oops|Kernel panic|kernel BUG|general protection fault|Call Trace:|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|INFO: possible|bad unlock balance|held lock freed|lock held when returning|KFENCE: |BUG: KASAN|unreferenced object|UBSAN:|sleeping function called from invalid context|scheduling while atomic|stack-protector|refcount_t:|list_add corruption|list_del corruption)'
# Allocation failures the fault-injection tests cause on purpose are reported by warn_alloc() with a stack
# dump ("vmalloc error: ...", "page allocation failure: ..."), and the memcg test's cgroup runs its own OOM
# killer ("... invoked oom-killer: ..."): they are the kernel's, not a bug, and are left out (the header
# line up to the end of its trace).
scan=$(awk '/(vmalloc error:|page allocation failure:|invoked oom-killer:)/ { skip = 1 } skip && /<\/TASK>/ { skip = 0; next } !skip' "$log")
if grep -E -q "$reports" <<<"$scan"; then
	echo "kernel-reports: FAIL: kernel reports in $log:"
	grep -E -n "$reports" <<<"$scan" | head -20 | sed 's/^/    /'
	exit 1
fi
exit 0
