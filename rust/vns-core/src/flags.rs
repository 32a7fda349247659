// SPDX-License-Identifier: GPL-2.0-only
//! Flags of VNS_IOC_UNSHARE (Documentation/vns.rst, "Unshare", steps 1-2): completion and validation as
//! kernel/fork.c `ksys_unshare()` and `check_unshare_flags()` do in Linux 7.3.

use super::abi::{
    Kind, CLONE_FILES, CLONE_FS, CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS,
    CLONE_NEWPID, CLONE_NEWTIME, CLONE_NEWUSER, CLONE_NEWUTS, CLONE_NS_ALL, CLONE_SIGHAND,
    CLONE_SYSVSEM, CLONE_THREAD, CLONE_VM, UNSHARE_EMPTY_MNTNS, VNS_NR_KINDS,
};
use super::errno::{Errno, VnsResult};

/// The flags VNS_IOC_UNSHARE accepts, as kernel/fork.c `check_unshare_flags()`:
/// `CLONE_THREAD|CLONE_FS|CLONE_SIGHAND|CLONE_VM|CLONE_FILES|CLONE_SYSVSEM|CLONE_NS_ALL|UNSHARE_EMPTY_MNTNS`.
pub const UNSHARE_ALLOWED: u64 = CLONE_THREAD
    | CLONE_FS
    | CLONE_SIGHAND
    | CLONE_VM
    | CLONE_FILES
    | CLONE_SYSVSEM
    | CLONE_NS_ALL
    | UNSHARE_EMPTY_MNTNS;

/// The flags that only concern core-kernel task state: validated and reported, but vns changes nothing.
#[cfg(any(test, feature = "testing"))]
pub const UNSHARE_TASK_FLAGS: u64 =
    CLONE_THREAD | CLONE_FS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES | CLONE_SYSVSEM;

/// The order in which VNS_IOC_UNSHARE creates the new namespaces other than the user one
/// (Documentation/vns.rst, "Unshare", step 5, the order of kernel/nsproxy.c `create_new_namespaces()`: mnt,
/// uts, ipc, pid, cgroup, net, time).
pub const CREATE_ORDER: [Kind; 7] = [
    Kind::Mnt,
    Kind::Uts,
    Kind::Ipc,
    Kind::Pid,
    Kind::Cgroup,
    Kind::Net,
    Kind::Time,
];

/// The order in which joining several namespaces of a task checks them (kernel/nsproxy.c
/// `validate_nsset()`): the user kind first, so that the others are checked with the capabilities it
/// gives, then mnt, uts, ipc, pid, cgroup, net, time.
pub const SETNS_ORDER: [Kind; VNS_NR_KINDS] = [
    Kind::User,
    Kind::Mnt,
    Kind::Uts,
    Kind::Ipc,
    Kind::Pid,
    Kind::Cgroup,
    Kind::Net,
    Kind::Time,
];

/// `check_setns_flags()` for a task (a pidfd in 7.3): at least one `CLONE_NEW*` flag and nothing else,
/// else EINVAL.
pub const fn check_setns_flags(flags: u64) -> VnsResult<()> {
    if flags == 0 || flags & !CLONE_NS_ALL != 0 {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

/// What `check_unshare_flags()` looks at in the calling task.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TaskFacts {
    /// Number of threads in the caller's thread group (`!thread_group_empty(current)` when > 1).
    pub nr_threads: u32,
    /// The signal handlers are shared (`refcount_read(&current->sighand->count) > 1`).
    pub sighand_shared: bool,
    /// The mm is shared with another task (`!current_is_single_threaded()`, e.g. `mm_users > 1`).
    pub mm_shared: bool,
}

impl TaskFacts {
    /// A single-threaded task that shares nothing.
    #[cfg(any(test, feature = "testing"))]
    pub const SINGLE: TaskFacts = TaskFacts {
        nr_threads: 1,
        sighand_shared: false,
        mm_shared: false,
    };
}

/// Completes the flags as kernel/fork.c `ksys_unshare()` does, in its order: NEWUSER adds THREAD|FS; VM adds
/// SIGHAND; SIGHAND adds THREAD; UNSHARE_EMPTY_MNTNS adds NEWNS; NEWNS adds FS. CLONE_THREAD does NOT add
/// CLONE_VM (7.3 does not). UNSHARE_EMPTY_MNTNS itself stays in the result.
pub const fn complete_unshare_flags(flags: u64) -> u64 {
    let mut f = flags;
    if f & CLONE_NEWUSER != 0 {
        f |= CLONE_THREAD | CLONE_FS;
    }
    if f & CLONE_VM != 0 {
        f |= CLONE_SIGHAND;
    }
    if f & CLONE_SIGHAND != 0 {
        f |= CLONE_THREAD;
    }
    if f & UNSHARE_EMPTY_MNTNS != 0 {
        f |= CLONE_NEWNS;
    }
    if f & CLONE_NEWNS != 0 {
        f |= CLONE_FS;
    }
    f
}

/// Validates completed flags as kernel/fork.c `check_unshare_flags()` (7.3): EINVAL for a bit outside
/// [`UNSHARE_ALLOWED`] (bits above 31 included); EINVAL for THREAD|SIGHAND|VM in a multi-threaded group,
/// for SIGHAND|VM with shared signal handlers, for VM with a shared mm.
pub const fn check_unshare_flags(completed: u64, facts: &TaskFacts) -> VnsResult<()> {
    if completed & !UNSHARE_ALLOWED != 0 {
        return Err(Errno::EINVAL);
    }
    if completed & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM) != 0 && facts.nr_threads > 1 {
        return Err(Errno::EINVAL);
    }
    if completed & (CLONE_SIGHAND | CLONE_VM) != 0 && facts.sighand_shared {
        return Err(Errno::EINVAL);
    }
    if completed & CLONE_VM != 0 && (facts.mm_shared || facts.nr_threads > 1) {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

/// Steps 1 and 2 of VNS_IOC_UNSHARE: completes then validates; returns the completed flags (`applied`).
/// `flags == 0` is a successful no-op.
pub const fn unshare_flags(flags: u64, facts: &TaskFacts) -> VnsResult<u64> {
    let completed = complete_unshare_flags(flags);
    match check_unshare_flags(completed, facts) {
        Ok(()) => Ok(completed),
        Err(e) => Err(e),
    }
}

/// The `CLONE_NEW*` bits of a flag word.
pub const fn ns_flags(flags: u64) -> u64 {
    flags & CLONE_NS_ALL
}

/// Whether the flags ask for the namespace kind.
pub const fn wants(flags: u64, kind: Kind) -> bool {
    flags & kind.clone_flag() != 0
}

/// The kinds asked for, other than user, in creation order ([`CREATE_ORDER`]).
#[cfg(any(test, feature = "testing"))]
pub fn kinds_to_create(flags: u64) -> impl Iterator<Item = Kind> {
    CREATE_ORDER.into_iter().filter(move |k| wants(flags, *k))
}

// The mapping above covers every CLONE_NEW* flag exactly once.
const _: () = assert!(
    CLONE_NEWNS
        | CLONE_NEWUTS
        | CLONE_NEWIPC
        | CLONE_NEWPID
        | CLONE_NEWCGROUP
        | CLONE_NEWNET
        | CLONE_NEWTIME
        == CLONE_NS_ALL & !CLONE_NEWUSER
);

/// The tests of these rules, the shared cases of `selftest::TESTS` among them (`flags/tests.rs`).
#[cfg(any(test, feature = "selftest"))]
pub(crate) mod tests;
