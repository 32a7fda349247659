// SPDX-License-Identifier: GPL-2.0

//! Other tasks, by pid (Documentation/vns.rst "Other tasks"): GET_TASK_INFO, what `ls -l /proc/PID/ns`
//! shows, and SETNS_TASK, joining a task's namespaces as `setns(pidfd, flags)` does.
//!
//! A task is named by its pid in the caller's pid namespace, looked up at the call: a pid reused by a new
//! task between the caller's choice and the call names the new one (7.3's pidfd helpers are not exported
//! to modules). Access follows `ptrace_may_access()` (kernel/ptrace.c): the caller's own thread group; or
//! ids that equal all of the task's and a dumpable task; or vns CAP_SYS_PTRACE in the task's user vns.

#![deny(unsafe_code)]

use kernel::sync::Arc;

use crate::{
    error::{
        Errno,
        VnsResult, //
    },
    member::PidNr,
    proxy::NsProxy,
    state::{
        Current,
        Vns, //
    },
    sys::{
        RcuRef,
        TaskAccess,
        TaskRef, //
    },
    vcore::{
        abi::{
            Kind,
            VnsTaskInfo, //
        },
        caps::CAP_SYS_PTRACE,
        flags::check_setns_flags, //
    }, //
};

/// A task found by pid, with its namespaces.
struct Target {
    task: TaskRef,
    proxy: NsProxy,
    pid: Option<Arc<PidNr>>,
}

impl Vns {
    /// The task with pid `nr` (ESRCH when there is none, or it is exiting or being killed: its
    /// membership may be gone already, and it must not read as the init namespaces) and its
    /// membership.
    fn find_task(&self, nr: i32) -> VnsResult<Target> {
        let task = TaskRef::find(nr).ok_or(Errno::ESRCH)?;
        let (proxy, pid) = match self.members.lookup(task.key()) {
            Some(m) => (m.snapshot(), m.pid.clone()),
            None => (self.init.snapshot(), None),
        };
        Ok(Target { task, proxy, pid })
    }

    /// `ptrace_may_access()` with vns capabilities, on the task's access facts `a`: read with the fs ids
    /// for a look at its namespaces (opening /proc/PID/ns), with the real ids for joining them
    /// (`validate_nsset`).
    fn may_access(cur: &Current, t: &Target, a: &TaskAccess) -> bool {
        if a.same_thread_group || (a.ids_match && a.dumpable) {
            return true;
        }
        // Only now the capability, as ptrace_may_access asks it only when the ids do not do.
        cur.ns_capable(t.proxy.user_ns(), CAP_SYS_PTRACE)
    }

    /// VNS_IOC_GET_TASK_INFO: the namespaces of task `nr`; EACCES where opening its /proc/PID/ns files
    /// would be refused. Its number is given in the caller's active pid vns when the task is in that
    /// very pid vns (or it is the init one, where numbers are real tgids); vns keeps no number for a
    /// task at the levels above its own pid vns, so a task deeper down reads 0.
    pub(crate) fn get_task_info(&self, nr: i32) -> VnsResult<VnsTaskInfo> {
        let cur = self.resolve();
        let t = self.find_task(nr)?;
        let access = t.task.access(true);
        if !Self::may_access(&cur, &t, &access) {
            return Err(Errno::EACCES);
        }
        let mine = cur.proxy.get(Kind::Pid);
        let theirs = t.proxy.get(Kind::Pid);
        let vns_pid = if mine.is_init() {
            access.tgid
        } else if RcuRef::ptr_eq(mine, theirs) {
            t.pid.as_ref().map_or(0, |p| p.nr as i32)
        } else {
            0
        };
        Ok(VnsTaskInfo {
            pid: nr,
            reserved: 0,
            ns_id: t.proxy.ids(),
            pid_for_children_id: t.proxy.pid_ns_for_children.id,
            time_for_children_id: t.proxy.time_ns_for_children.id,
            vns_pid,
            pid_level: theirs.level(),
        })
    }

    /// VNS_IOC_SETNS_TASK: joins the namespaces of kinds `flags` of task `nr`, in the kernel's order:
    /// EINVAL for the flags, ESRCH, EPERM without access (real ids), then each kind's checks; nothing
    /// changes unless all pass.
    pub(crate) fn setns_task(&self, nr: i32, flags: u64) -> VnsResult<()> {
        check_setns_flags(flags)?;
        let cur = self.resolve();
        let t = self.find_task(nr)?;
        if !Self::may_access(&cur, &t, &t.task.access(false)) {
            return Err(Errno::EPERM);
        }
        self.setns_to(cur, &t.proxy, flags)
    }
}
