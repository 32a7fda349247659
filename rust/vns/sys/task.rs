// SPDX-License-Identifier: GPL-2.0

//! The calling task and the kernel services the 7.3 Rust API has no wrapper for: its credentials and
//! thread facts, `capable()`, the single-threaded test, reschedule points, signals, and the task handles
//! the probes receive.

use kernel::ffi::{
    c_int,
    c_uint, //
};

use core::ptr::NonNull;

use super::shim::{
    self,
    RawTask,
    RawTaskAccess,
    RawTaskFacts, //
};

/// `init_user_ns.ucount_max[kind]`: the kernel's own limit, read at load.
pub(crate) fn init_ucount_max(kind: usize) -> i64 {
    let Ok(kind) = c_uint::try_from(kind) else {
        return 0;
    };
    // SAFETY: The shim range-checks `kind` and only reads the exported `init_user_ns`.
    let max = unsafe { shim::vns_shim_init_ucount_max(kind) };
    i64::try_from(max).unwrap_or(i64::MAX)
}

/// `capable(cap)`: the current task's real capability in the init user namespace.
pub(crate) fn capable(cap: u32) -> bool {
    let Ok(cap) = c_int::try_from(cap) else {
        return false;
    };
    // SAFETY: `capable()` may be called from any task context with any capability number; an unknown
    // number is rejected by the kernel itself.
    unsafe { shim::vns_shim_capable(cap) }
}

/// Whether the current task has every capability in the init user namespace, as `capable()` decides
/// (so a task with a full `cap_effective` in a user namespace of the kernel's own has not). Not audited.
pub(crate) fn capable_all() -> bool {
    // SAFETY: The shim asks `ns_capable_noaudit(&init_user_ns, cap)` for each capability of the current
    // task; callable from any task context.
    unsafe { shim::vns_shim_capable_all() }
}

/// Whether another task shares the current task's address space: lib/is_single_threaded.c
/// `current_is_single_threaded()`, negated (it is not exported; the shim does the same walk). A
/// transient `mmget` by a /proc reader does not count. Walks the task list when `mm_users > 1`: call it
/// only when CLONE_VM is asked for, as kernel/fork.c `check_unshare_flags` does.
pub(crate) fn current_mm_shared() -> bool {
    // SAFETY: Reads only `current` and, under RCU, the task list.
    unsafe { shim::vns_shim_current_mm_shared() }
}

/// A voluntary reschedule point (`cond_resched()`), between bounded chunks of a long walk. Process
/// context, no lock held.
pub(crate) fn cond_resched() {
    // SAFETY: Called only from process context with no spinlock or RCU read-side section held (the
    // callers' contract).
    unsafe { shim::vns_shim_cond_resched() }
}

/// Whether the current task has a fatal signal pending (`fatal_signal_pending(current)`): it is being
/// killed and must not act any more.
pub(crate) fn fatal_signal_pending() -> bool {
    // SAFETY: Reads only `current`'s pending signals.
    unsafe { shim::vns_shim_fatal_signal_pending() }
}

/// Number of threads in the system.
pub(crate) fn nr_threads_total() -> u32 {
    // SAFETY: The shim walks the task list under RCU; no argument.
    unsafe { shim::vns_shim_nr_threads_total() }
}

/// What vns needs to know of the calling task (kernel/fork.c `check_unshare_flags`, the credentials).
#[derive(Clone, Copy, Debug)]
pub(crate) struct CurrentFacts {
    /// Threads in the caller's thread group.
    pub(crate) nr_threads: u32,
    /// The signal handlers are shared with another task.
    pub(crate) sighand_shared: bool,
    /// Effective kuid.
    pub(crate) euid: u32,
    /// Effective kgid.
    pub(crate) egid: u32,
}

/// The calling task's facts.
pub(crate) fn current_facts() -> CurrentFacts {
    let mut raw = RawTaskFacts::default();
    // SAFETY: `raw` is a valid, writable `struct vns_task_facts`; the shim reads only `current`.
    unsafe { shim::vns_shim_current_facts(&mut raw) };
    CurrentFacts {
        nr_threads: raw.nr_threads,
        sighand_shared: raw.sighand_shared != 0,
        euid: raw.euid,
        egid: raw.egid,
    }
}

/// The calling task's thread group id in its own pid namespace (`getpid()`).
pub(crate) fn current_tgid() -> i32 {
    // SAFETY: Reads only `current`'s pid.
    unsafe { shim::vns_shim_current_tgid() }
}

/// The credentials a `/proc/sys/vns` file was opened with (the file's `f_cred`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Opener {
    /// Its effective kuid.
    pub(crate) euid: u32,
    /// Whether it had CAP_SYS_RESOURCE in the init user namespace (`file_ns_capable`).
    pub(crate) cap_sys_resource: bool,
}

/// A task, as a key of the membership table: the address of its `task_struct`. Never dereferenced
/// through this type; only compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TaskKey(usize);

impl TaskKey {
    pub(super) fn of(task: *mut RawTask) -> Self {
        Self(task as usize)
    }

    /// The calling task.
    pub(crate) fn current() -> Self {
        // SAFETY: `current` is always valid in process context.
        Self::of(unsafe { shim::vns_shim_current() })
    }

    /// A hash of the key for a table of `buckets` entries.
    pub(crate) fn hash(self) -> usize {
        // task_struct addresses are at least cache-line aligned: drop the low bits.
        (self.0 >> 6) ^ (self.0 >> 16)
    }
}

/// A task just created and not yet running: the argument of the `task_newtask` probe.
///
/// # Invariants
///
/// The pointer is the probe's new task, which `copy_process()` keeps alive until the probe returns
/// (the value does not outlive the probe: it is neither `Clone` nor `Send`).
pub(crate) struct NewTask(pub(super) *mut RawTask);

impl NewTask {
    /// Its key in the membership table.
    pub(crate) fn key(&self) -> TaskKey {
        TaskKey::of(self.0)
    }

    /// Fails closed: the task is killed before it first runs, so it never reaches user space (for a
    /// thread, its whole group dies, as with any SIGKILL).
    pub(crate) fn kill(self) {
        // SAFETY: `self.0` is alive for the duration of the probe (type invariant).
        unsafe { shim::vns_shim_kill_task(self.0) }
    }
}

/// The task of the `sched_process_exec` probe: current, having just executed a new program.
///
/// # Invariants
///
/// The pointer is current, valid for the duration of the probe.
pub(crate) struct ExecTask(pub(super) *mut RawTask);

impl ExecTask {
    /// Its key in the membership table.
    pub(crate) fn key(&self) -> TaskKey {
        TaskKey::of(self.0)
    }

    /// Its effective kuid after the exec.
    pub(crate) fn euid(&self) -> u32 {
        // SAFETY: `self.0` is current (type invariant).
        unsafe { shim::vns_shim_task_euid(self.0) }
    }

    /// Fails closed: the task dies before the new program runs, as a failure past the point of no
    /// return of `execve` kills it (fs/exec.c `bprm_execve`).
    pub(crate) fn kill(self) {
        // SAFETY: `self.0` is current (type invariant).
        unsafe { shim::vns_shim_kill_task(self.0) }
    }
}

/// Another task, found by its pid and held (a `get_task_struct` reference) until dropped.
///
/// # Invariants
///
/// The pointer is a task the value holds a reference on (from `vns_shim_task_get`).
pub(crate) struct TaskRef(NonNull<RawTask>);

/// What `ptrace_may_access()` looks at in a task besides capabilities (kernel/ptrace.c).
#[derive(Clone, Copy, Debug)]
pub(crate) struct TaskAccess {
    /// It is in the caller's own thread group.
    pub(crate) same_thread_group: bool,
    /// The caller's uid and gid equal the task's real, effective and saved ones.
    pub(crate) ids_match: bool,
    /// It is dumpable by its owner (`TASK_DUMPABLE_OWNER`, `task_still_dumpable()`).
    pub(crate) dumpable: bool,
    /// Its tgid in the caller's pid namespace (what GET_INFO reports in the init pid vns).
    pub(crate) tgid: i32,
}

impl TaskRef {
    /// The task with pid `nr` in the caller's pid namespace, unless there is none or it has left its
    /// namespaces (exiting).
    pub(crate) fn find(nr: i32) -> Option<Self> {
        // SAFETY: The shim looks the pid up under its own references; any `nr` is valid input.
        let task = unsafe { shim::vns_shim_task_get(nr) };
        // INVARIANT: a non-null result carries a reference the new value owns.
        NonNull::new(task).map(Self)
    }

    /// Its key in the membership table.
    pub(crate) fn key(&self) -> TaskKey {
        TaskKey::of(self.0.as_ptr())
    }

    /// Its credentials and dumpability as the caller sees them: with the caller's fs ids when
    /// `fscreds` (`PTRACE_MODE_FSCREDS`, opening /proc/PID/ns), else its real ids.
    pub(crate) fn access(&self, fscreds: bool) -> TaskAccess {
        let mut raw = RawTaskAccess::default();
        // SAFETY: `self.0` is a held task (type invariant); `raw` is a valid, writable
        // `struct vns_task_access`.
        unsafe { shim::vns_shim_task_access(self.0.as_ptr(), fscreds, &mut raw) };
        TaskAccess {
            same_thread_group: raw.same_thread_group != 0,
            ids_match: raw.ids_match != 0,
            dumpable: raw.dumpable != 0,
            tgid: raw.tgid,
        }
    }
}

impl Drop for TaskRef {
    fn drop(&mut self) {
        // SAFETY: The value owns one reference on the task (type invariant), dropped once here.
        unsafe { shim::vns_shim_task_put(self.0.as_ptr()) }
    }
}
