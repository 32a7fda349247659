// SPDX-License-Identifier: GPL-2.0

//! `/proc/sys/vns` (spec §7): what each entry shows and who may set it.
//!
//! The table itself lives in `vns_shim.c` (the 7.3 Rust API has no sysctl wrapper); its single handler
//! parses and range-checks with the kernel's `proc_dointvec_minmax()` and calls the functions here.

#![deny(unsafe_code)]

use kernel::{
    prelude::*,
    sync::atomic::Relaxed,
};

use crate::{
    state::{Vns, NR_KINDS},
    sys,
};

/// Index of `mount-max` in the table (after the eight `max_*_namespaces`).
pub(crate) const MOUNT_MAX_INDEX: usize = NR_KINDS;

/// Linux `CAP_SYS_RESOURCE`.
const CAP_SYS_RESOURCE: i32 = 24;

impl Vns {
    /// The value entry `index` shows to the caller.
    pub(crate) fn sysctl_read(&self, index: usize) -> i32 {
        if index == MOUNT_MAX_INDEX {
            self.mount_max.load(Relaxed)
        } else {
            self.ucount_max(index)
        }
    }

    /// Whether the caller may write entry `index`: EACCES otherwise (spec §7).
    pub(crate) fn sysctl_may_write(&self, _index: usize) -> Result {
        // Both kinds of entry need CAP_SYS_RESOURCE; for `max_*` it is the capability in the caller's
        // user vns, which for a task in the init user vns is its real capability.
        if sys::capable(CAP_SYS_RESOURCE) {
            Ok(())
        } else {
            Err(EACCES)
        }
    }

    /// Stores a value already parsed and range-checked by the handler.
    pub(crate) fn sysctl_write(&self, index: usize, value: i32) -> Result {
        if index == MOUNT_MAX_INDEX {
            self.mount_max.store(value, Relaxed);
        } else {
            self.init_ucount_max.get(index).ok_or(EINVAL)?.store(value, Relaxed);
        }
        Ok(())
    }
}
