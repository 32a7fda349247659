// SPDX-License-Identifier: GPL-2.0-only
//! Nesting limits of user and pid namespaces (Documentation/vns.rst, "Unshare", steps 3 and 5).

use super::errno::{Errno, VnsResult};

/// Deepest parent level a new user namespace may have: kernel/user_namespace.c `create_user_ns()` fails
/// with ENOSPC `if (parent_ns->level > 32)`. Init is level 0, so levels 1..=33 can be created (33 nested
/// below init) and the 34th fails.
pub const MAX_USER_NS_LEVEL: u32 = 32;

/// `MAX_PID_NS_LEVEL` (include/linux/pid_namespace.h): kernel/pid_namespace.c `create_pid_namespace()`
/// computes `level = parent_pid_ns->level + 1` and fails with ENOSPC `if (level > MAX_PID_NS_LEVEL)`.
/// Levels 1..=32 can be created (32 nested below init).
pub const MAX_PID_NS_LEVEL: u32 = 32;

/// The level of a new user namespace below `parent_level`, or ENOSPC when `parent_level > 32`.
pub const fn check_user_ns_depth(parent_level: u32) -> VnsResult<u32> {
    if parent_level > MAX_USER_NS_LEVEL {
        return Err(Errno::ENOSPC);
    }
    Ok(parent_level + 1)
}

/// The level of a new pid namespace below `parent_level`, or ENOSPC when it would exceed
/// `MAX_PID_NS_LEVEL`.
pub const fn check_pid_ns_depth(parent_level: u32) -> VnsResult<u32> {
    match parent_level.checked_add(1) {
        Some(level) if level <= MAX_PID_NS_LEVEL => Ok(level),
        _ => Err(Errno::ENOSPC),
    }
}

/// The pid part of VNS_IOC_UNSHARE with CLONE_NEWPID (Documentation/vns.rst, "Unshare", step 5): EINVAL when
/// the task's `pid_for_children` already differs from its active pid vns (kernel/pid_namespace.c
/// `copy_pid_ns()`: `if (old_ns != task_active_pid_ns(current)) return ERR_PTR(-EINVAL)`), then the depth
/// (ENOSPC). The limit charge (ENOSPC) comes after, in `inc_ucount`. Returns the new level.
pub const fn check_new_pid_ns(for_children_differs: bool, parent_level: u32) -> VnsResult<u32> {
    if for_children_differs {
        return Err(Errno::EINVAL);
    }
    check_pid_ns_depth(parent_level)
}

/// The tests of these rules, the shared cases of `selftest::TESTS` among them (`depth/tests.rs`).
#[cfg(any(test, feature = "selftest"))]
pub(crate) mod tests;
