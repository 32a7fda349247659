// SPDX-License-Identifier: GPL-2.0

//! `/proc/sys/vns` (spec §7): each `max_*_namespaces` shows and sets the limit of the **caller's** user
//! vns (as /proc/sys/user does per user namespace, kernel/ucount.c `set_lookup`); `mount-max` is one
//! global value.
//!
//! The table itself lives in `vns_shim.c` (the 7.3 Rust API has no sysctl wrapper); its single handler
//! parses and range-checks with the kernel's `proc_dointvec_minmax()` and calls the functions here.

#![deny(unsafe_code)]

use kernel::sync::atomic::Relaxed;

use crate::{
    error::{Errno, VnsResult},
    state::Vns,
    sys,
    vcore::{
        abi::{Kind, VNS_NR_KINDS},
        caps::CAP_SYS_RESOURCE,
        mount, ucount,
    },
};

/// Index of `mount-max` in the table (after the eight `max_*_namespaces`).
pub(crate) const MOUNT_MAX_INDEX: usize = VNS_NR_KINDS;

impl Vns {
    /// The value entry `index` shows to the caller.
    pub(crate) fn sysctl_read(&self, index: usize) -> i32 {
        if index == MOUNT_MAX_INDEX {
            return self.mount_max.load(Relaxed);
        }
        let Some(kind) = Kind::ALL.get(index) else {
            return 0;
        };
        let cur = self.resolve();
        cur.user_ns().user().map_or(0, |u| u.ucount_max(*kind))
    }

    /// Whether the caller may write entry `index`: EACCES otherwise (spec §7). `max_*` needs vns
    /// CAP_SYS_RESOURCE in the caller's user vns (kernel/ucount.c `set_permissions`); `mount-max` the real
    /// CAP_SYS_RESOURCE.
    pub(crate) fn sysctl_may_write(&self, index: usize) -> VnsResult<()> {
        let allowed = if index == MOUNT_MAX_INDEX {
            sys::capable(CAP_SYS_RESOURCE)
        } else {
            self.resolve().has_cap_in_own(CAP_SYS_RESOURCE)
        };
        if allowed {
            Ok(())
        } else {
            Err(Errno::EACCES)
        }
    }

    /// Stores a value already parsed and range-checked by the handler (checked again here).
    pub(crate) fn sysctl_write(&self, index: usize, value: i32) -> VnsResult<()> {
        if index == MOUNT_MAX_INDEX {
            mount::check_mount_max(value.into())?;
            self.mount_max.store(value, Relaxed);
            return Ok(());
        }
        let kind = Kind::ALL.get(index).ok_or(Errno::EINVAL)?;
        ucount::check_ucount_max(value.into())?;
        let cur = self.resolve();
        let user = cur.user_ns().user().ok_or(Errno::EINVAL)?;
        user.ucount_max
            .get(kind.index())
            .ok_or(Errno::EINVAL)?
            .store(value, Relaxed);
        Ok(())
    }
}
