// SPDX-License-Identifier: GPL-2.0

//! The kernel's clocks, read as the kernel reads them before any time namespace offset
//! (kernel/time/posix-timers.c, the `clock_get_timespec` of each clock).

use super::shim::{
    self,
    RawTimespec, //
};
use crate::vcore::timens::{
    Clock,
    Timespec,
    CLOCK_BOOTTIME,
    CLOCK_MONOTONIC,
    CLOCK_MONOTONIC_COARSE,
    CLOCK_MONOTONIC_RAW,
    CLOCK_REALTIME,
    CLOCK_REALTIME_COARSE,
    CLOCK_TAI, //
};

/// `clock` now, without any offset.
pub(crate) fn clock_read(clock: Clock) -> Timespec {
    let id = match clock {
        Clock::Realtime => CLOCK_REALTIME,
        Clock::Monotonic => CLOCK_MONOTONIC,
        Clock::MonotonicRaw => CLOCK_MONOTONIC_RAW,
        Clock::RealtimeCoarse => CLOCK_REALTIME_COARSE,
        Clock::MonotonicCoarse => CLOCK_MONOTONIC_COARSE,
        Clock::Boottime => CLOCK_BOOTTIME,
        Clock::Tai => CLOCK_TAI,
    };
    let mut ts = RawTimespec::default();
    // SAFETY: `ts` is a valid, writable `struct vns_timespec`; the shim reads one of the clocks above,
    // each of which it knows, from any context.
    let known = unsafe { shim::vns_shim_clock_read(id, &mut ts) };
    if !known {
        return Timespec::ZERO;
    }
    Timespec {
        sec: ts.sec,
        nsec: ts.nsec,
    }
}
