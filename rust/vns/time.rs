// SPDX-License-Identifier: GPL-2.0

//! A time vns's clock offsets (Documentation/vns.rst "Time"; kernel/time/namespace.c
//! `struct time_namespace`: `offsets` and `frozen_offsets`).
//!
//! A new time vns starts with the offsets of the one it was made from (`clone_time_ns`). They may be set
//! until a task first enters the namespace (`timens_on_fork`, `timens_install`, an exec), which freezes
//! them for good; the init time vns is frozen from the start.

#![deny(unsafe_code)]

use kernel::sync::lock::GlobalLockedBy;

use crate::{
    error::{
        Errno,
        VnsResult, //
    },
    sys::TIME_OFFSETS_LOCK,
    vcore::timens::{
        OffsetClock,
        Timespec, //
    }, //
};

/// The offsets and whether they are frozen, under the module's global offsets lock (the kernel's
/// `offset_lock`, one for every time namespace too: the offsets are read and written rarely).
struct Offsets {
    monotonic: Timespec,
    boottime: Timespec,
    frozen: bool,
}

/// A time vns's state.
pub(crate) struct TimeNs {
    offsets: GlobalLockedBy<Offsets, TIME_OFFSETS_LOCK>,
}

impl TimeNs {
    /// The init time vns: no offsets, frozen from the start.
    pub(crate) fn init() -> Self {
        Self::with(Timespec::ZERO, Timespec::ZERO, true)
    }

    /// A new time vns with the offsets of `from` (`clone_time_ns`), not frozen.
    pub(crate) fn new(from: &TimeNs) -> Self {
        let (monotonic, boottime) = {
            let guard = TIME_OFFSETS_LOCK.lock();
            let o = from.offsets.as_ref(&guard);
            (o.monotonic, o.boottime)
        };
        Self::with(monotonic, boottime, false)
    }

    fn with(monotonic: Timespec, boottime: Timespec, frozen: bool) -> Self {
        Self {
            offsets: GlobalLockedBy::new(Offsets {
                monotonic,
                boottime,
                frozen,
            }),
        }
    }

    /// The offset of `clock`.
    pub(crate) fn offset(&self, clock: OffsetClock) -> Timespec {
        let guard = TIME_OFFSETS_LOCK.lock();
        let o = self.offsets.as_ref(&guard);
        match clock {
            OffsetClock::Monotonic => o.monotonic,
            OffsetClock::Boottime => o.boottime,
        }
    }

    /// A task enters it: the offsets are frozen (`timens_set_vvar_page`).
    pub(crate) fn freeze(&self) {
        let mut guard = TIME_OFFSETS_LOCK.lock();
        self.offsets.as_mut(&mut guard).frozen = true;
    }

    /// Sets the offsets given, in order (a clock given twice gets the last), unless a task has entered
    /// the namespace: EACCES then, and nothing changes (`proc_timens_set_offset`, under its lock).
    pub(crate) fn set(&self, offsets: &[(OffsetClock, Timespec)]) -> VnsResult<()> {
        let mut guard = TIME_OFFSETS_LOCK.lock();
        let o = self.offsets.as_mut(&mut guard);
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
