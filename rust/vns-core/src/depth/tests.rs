// SPDX-License-Identifier: GPL-2.0-only
//! Tests of the nesting limits. First the shared cases (`selftest::TESTS`, run by `cargo test` and on the
//! STM32 target): kernel/user_namespace.c `create_user_ns()`, kernel/pid_namespace.c
//! `create_pid_namespace()` and `copy_pid_ns()`; then host-only unit tests.

use super::*;
use Errno::*;

#[cfg_attr(test, test)]
pub(crate) fn depth_user_ns() {
    let table: [(u32, VnsResult<u32>); 6] = [
        (0, Ok(1)),
        (1, Ok(2)),
        (31, Ok(32)),
        (32, Ok(33)), // the 33rd nested level below init
        (33, Err(ENOSPC)),
        (100, Err(ENOSPC)),
    ];
    for (parent, want) in table {
        assert_eq!(check_user_ns_depth(parent), want, "parent level {parent}");
    }
    // Nest from init until refused: 33 levels work, the 34th fails.
    let mut level = 0;
    let mut created = 0;
    while let Ok(l) = check_user_ns_depth(level) {
        level = l;
        created += 1;
    }
    assert_eq!(created, 33);
}

#[cfg_attr(test, test)]
pub(crate) fn depth_pid_ns() {
    let table: [(u32, VnsResult<u32>); 5] = [
        (0, Ok(1)),
        (30, Ok(31)),
        (31, Ok(32)),
        (32, Err(ENOSPC)),
        (40, Err(ENOSPC)),
    ];
    for (parent, want) in table {
        assert_eq!(check_pid_ns_depth(parent), want, "parent level {parent}");
    }
    let mut level = 0;
    let mut created = 0;
    while let Ok(l) = check_pid_ns_depth(level) {
        level = l;
        created += 1;
    }
    assert_eq!(created, MAX_PID_NS_LEVEL);
}

#[cfg_attr(test, test)]
pub(crate) fn depth_new_pid_ns() {
    let table: [(bool, u32, VnsResult<u32>); 4] = [
        (false, 0, Ok(1)),
        (true, 0, Err(EINVAL)),
        (false, 32, Err(ENOSPC)),
        (true, 32, Err(EINVAL)), // copy_pid_ns's check comes first
    ];
    for (differs, parent, want) in table {
        assert_eq!(
            check_new_pid_ns(differs, parent),
            want,
            "{differs} {parent}"
        );
    }
}

// Host-only unit tests (`cargo test`).

#[test]
fn no_overflow_at_u32_max() {
    assert_eq!(check_user_ns_depth(u32::MAX), Err(Errno::ENOSPC));
    assert_eq!(check_pid_ns_depth(u32::MAX), Err(Errno::ENOSPC));
}
