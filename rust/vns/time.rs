// SPDX-License-Identifier: GPL-2.0

//! A time vns's clock offsets (Documentation/vns.rst "Time"; kernel/time/namespace.c
//! `struct time_namespace`: `offsets` and `frozen_offsets`).
//!
//! A new time vns starts with the offsets of the one it was made from (`clone_time_ns`). They may be set
//! until a task first enters the namespace (`timens_on_fork`, `timens_install`, an exec), which freezes
//! them for good; the init time vns is frozen from the start.

#![deny(unsafe_code)]

use kernel::{
    new_spinlock,
    prelude::*,
    sync::SpinLock, //
};

use crate::{
    error::{
        Errno,
        VnsResult, //
    },
    vcore::timens::{
        OffsetClock,
        Timespec, //
    }, //
};

/// The offsets and whether they are frozen, under the namespace's lock (the kernel's `offset_lock`).
struct Offsets {
    monotonic: Timespec,
    boottime: Timespec,
    frozen: bool,
}

/// A time vns's state.
pub(crate) struct TimeNs {
    offsets: Pin<KBox<SpinLock<Offsets>>>,
}

impl TimeNs {
    /// The init time vns: no offsets, frozen from the start.
    pub(crate) fn init() -> VnsResult<Self> {
        Self::with(Timespec::ZERO, Timespec::ZERO, true)
    }

    /// A new time vns with the offsets of `from` (`clone_time_ns`), not frozen.
    pub(crate) fn new(from: &TimeNs) -> VnsResult<Self> {
        let (monotonic, boottime) = {
            let o = from.offsets.lock();
            (o.monotonic, o.boottime)
        };
        Self::with(monotonic, boottime, false)
    }

    fn with(monotonic: Timespec, boottime: Timespec, frozen: bool) -> VnsResult<Self> {
        Ok(Self {
            offsets: KBox::pin_init(
                new_spinlock!(
                    Offsets {
                        monotonic,
                        boottime,
                        frozen,
                    },
                    "vns_time_offsets"
                ),
                GFP_KERNEL_ACCOUNT,
            )?,
        })
    }

    /// The offset of `clock`.
    pub(crate) fn offset(&self, clock: OffsetClock) -> Timespec {
        let o = self.offsets.lock();
        match clock {
            OffsetClock::Monotonic => o.monotonic,
            OffsetClock::Boottime => o.boottime,
        }
    }

    /// A task enters it: the offsets are frozen (`timens_set_vvar_page`).
    pub(crate) fn freeze(&self) {
        self.offsets.lock().frozen = true;
    }

    /// Sets the offsets given, in order (a clock given twice gets the last), unless a task has entered
    /// the namespace: EACCES then, and nothing changes (`proc_timens_set_offset`, under its lock).
    pub(crate) fn set(&self, offsets: &[(OffsetClock, Timespec)]) -> VnsResult<()> {
        let mut o = self.offsets.lock();
        if o.frozen {
            return Err(Errno::EACCES);
        }
        for (clock, value) in offsets {
            match clock {
                OffsetClock::Monotonic => o.monotonic = *value,
                OffsetClock::Boottime => o.boottime = *value,
            }
        }
        Ok(())
    }
}
