// SPDX-License-Identifier: GPL-2.0

//! The module's state: limits and, later, the namespace objects and the ucounts table.

#![deny(unsafe_code)]

use kernel::{
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        Arc,
    },
};

use crate::sys;

/// Number of namespace kinds (spec §1, `enum ucount_type` order).
pub(crate) const NR_KINDS: usize = 8;

/// Default of `/proc/sys/vns/mount-max` (spec §7; fs/namespace.c `sysctl_mount_max`).
pub(crate) const MOUNT_MAX_DEFAULT: i32 = 100_000;

/// The module-wide state, shared by the device, the sysctl handlers and the probes.
pub(crate) struct Vns {
    /// `ucount_max` of the init user vns, one per kind. Read locklessly by the sysctl handlers and the
    /// charge path; written by sysctl writes (`READ_ONCE`/`WRITE_ONCE` semantics as kernel/ucount.c).
    pub(crate) init_ucount_max: [Atomic<i32>; NR_KINDS],
    /// `/proc/sys/vns/mount-max`: one global value.
    pub(crate) mount_max: Atomic<i32>,
}

impl Vns {
    /// Creates the state with the init user vns limits copied from the kernel's init user namespace.
    pub(crate) fn new() -> Result<Arc<Self>> {
        let init_ucount_max = core::array::from_fn(|kind| {
            let max = sys::init_ucount_max(kind);
            Atomic::new(i32::try_from(max).unwrap_or(i32::MAX))
        });
        Ok(Arc::new(
            Self {
                init_ucount_max,
                mount_max: Atomic::new(MOUNT_MAX_DEFAULT),
            },
            GFP_KERNEL,
        )?)
    }

    /// The limit of `kind` in the init user vns.
    pub(crate) fn ucount_max(&self, kind: usize) -> i32 {
        self.init_ucount_max.get(kind).map_or(0, |v| v.load(Relaxed))
    }
}
