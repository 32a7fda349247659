// SPDX-License-Identifier: GPL-2.0

//! The callbacks of the C shim: `/proc/sys/vns` (Documentation/admin-guide/vns-sysctl.rst) and the task
//! probes. Each `max_*_namespaces` shows and sets the limit of the **caller's** user vns (as
//! /proc/sys/user does per user namespace, kernel/ucount.c `set_lookup`); `mount-max` is one global
//! value. The probes hand the membership table its events.
//!
//! The table itself lives in `vns_shim.c` (the 7.3 Rust API has no sysctl wrapper); its single handler
//! parses and range-checks with the kernel's `proc_dointvec_minmax()` and calls the functions here.

#![deny(unsafe_code)]

use kernel::{
    prelude::*,
    sync::atomic::Relaxed, //
};

use crate::{
    error::{
        Errno,
        VnsResult, //
    },
    ns::Ns,
    state::Vns,
    sys::{
        self,
        ExecTask,
        Hooks,
        NewTask,
        Opener,
        TaskKey, //
    },
    vcore::{
        abi::{
            Kind,
            VNS_NR_KINDS, //
        },
        caps::CAP_SYS_RESOURCE,
        mount,
        ucount, //
    }, //
};

/// Index of `mount-max` in the table (after the eight `max_*_namespaces`).
const MOUNT_MAX_INDEX: usize = VNS_NR_KINDS;

/// Whether `euid` is the owner of `user_ns` or of one of its ancestors, the init user vns excluded.
fn owns_below_init(user_ns: &Ns, euid: u32) -> bool {
    let mut level = Some(user_ns);
    while let Some(ns) = level {
        let Some(parent) = ns.owner.as_deref() else {
            // The init user vns: owned by nobody.
            return false;
        };
        if ns.user().is_some_and(|u| u.owner_uid == euid) {
            return true;
        }
        level = Some(parent);
    }
    false
}

impl Vns {
    /// The value entry `index` shows to the caller.
    fn sysctl_value(&self, index: usize) -> i32 {
        if index == MOUNT_MAX_INDEX {
            return self.mount_max.load(Relaxed);
        }
        let Some(kind) = Kind::ALL.get(index) else {
            return 0;
        };
        let cur = self.resolve();
        cur.user_ns().user().map_or(0, |u| u.ucount_max(*kind))
    }

    /// Whether the caller may write entry `index` through a file opened with `opener`: EACCES otherwise.
    /// Both must be allowed, as 7.3 checks the opener at open and the writer at write (kernel/ucount.c
    /// `set_permissions`), so a privileged task writing to a file an unprivileged one opened (a setuid
    /// program's stderr) changes nothing:
    ///
    /// - `mount-max`: the writer and the opener need the real CAP_SYS_RESOURCE.
    /// - `max_*` (the writer's user vns): the writer needs vns CAP_SYS_RESOURCE there; the opener, the
    ///   real CAP_SYS_RESOURCE, or, for a user vns other than init, to be the owner (creator's euid) of
    ///   that user vns or of one of its ancestors below init: who holds every capability there by
    ///   security/commoncap.c `cap_capable`'s owner rule. Only the opener's credentials are known (its
    ///   membership at open time is not), so this is judged on them.
    fn sysctl_permitted(&self, index: usize, opener: &Opener) -> VnsResult<()> {
        let allowed = if index == MOUNT_MAX_INDEX {
            sys::capable(CAP_SYS_RESOURCE) && opener.cap_sys_resource
        } else {
            let cur = self.resolve();
            cur.has_cap_in_own(CAP_SYS_RESOURCE)
                && (opener.cap_sys_resource || owns_below_init(cur.user_ns(), opener.euid))
        };
        if allowed {
            Ok(())
        } else {
            Err(Errno::EACCES)
        }
    }

    /// Stores a value already parsed and range-checked by the handler (checked again here).
    fn sysctl_store(&self, index: usize, value: i32) -> VnsResult<()> {
        if index == MOUNT_MAX_INDEX {
            mount::check_mount_max(value.into())?;
            self.mount_max.store(value, Relaxed);
            return Ok(());
        }
        let kind = *Kind::ALL.get(index).ok_or(Errno::EINVAL)?;
        ucount::check_ucount_max(value.into())?;
        let cur = self.resolve();
        let user = cur.user_ns().user().ok_or(Errno::EINVAL)?;
        user.ucount_max[kind].store(value, Relaxed);
        Ok(())
    }
}

impl Hooks for Vns {
    fn sysctl_read(&self, index: usize) -> i32 {
        self.sysctl_value(index)
    }

    fn sysctl_may_write(&self, index: usize, opener: &Opener) -> Result {
        Ok(self.sysctl_permitted(index, opener)?)
    }

    fn sysctl_write(&self, index: usize, value: i32) -> Result {
        Ok(self.sysctl_store(index, value)?)
    }

    fn new_task(&self, parent: TaskKey, child: NewTask, clone_flags: u64) {
        self.members.on_new_task(parent, child, clone_flags);
    }

    fn exit(&self, task: TaskKey) {
        self.members.on_exit(task);
    }

    fn exec(&self, task: ExecTask) {
        self.members.on_exec(task);
    }
}
