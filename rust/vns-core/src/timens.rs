// SPDX-License-Identifier: GPL-2.0-only
//! Time namespaces' clock offsets (Documentation/vns.rst, "Time"): kernel/time/namespace.c
//! `proc_timens_set_offset()` and fs/proc/base.c `timens_offsets_write()` (the checks of an offset, in
//! their order), include/linux/time_namespace.h `timens_add_monotonic()`/`timens_add_boottime()` (what a
//! clock read adds), and which clocks a time namespace moves.

use super::abi::{VnsClockTs, VnsTimeOffsets, VNS_TIME_OFFSETS_MAX};
use super::errno::{Errno, VnsResult};

/// `NSEC_PER_SEC` (include/vdso/time64.h).
pub const NSEC_PER_SEC: i64 = 1_000_000_000;
/// `KTIME_SEC_MAX` (include/linux/time64.h): `KTIME_MAX / NSEC_PER_SEC`.
pub const KTIME_SEC_MAX: i64 = i64::MAX / NSEC_PER_SEC;

/// `CLOCK_REALTIME` (include/uapi/linux/time.h).
pub const CLOCK_REALTIME: i32 = 0;
/// `CLOCK_MONOTONIC`.
pub const CLOCK_MONOTONIC: i32 = 1;
/// `CLOCK_MONOTONIC_RAW`.
pub const CLOCK_MONOTONIC_RAW: i32 = 4;
/// `CLOCK_REALTIME_COARSE`.
pub const CLOCK_REALTIME_COARSE: i32 = 5;
/// `CLOCK_MONOTONIC_COARSE`.
pub const CLOCK_MONOTONIC_COARSE: i32 = 6;
/// `CLOCK_BOOTTIME`.
pub const CLOCK_BOOTTIME: i32 = 7;
/// `CLOCK_TAI`.
pub const CLOCK_TAI: i32 = 11;

/// A `struct timespec64`: seconds and nanoseconds, normalised (`0 <= nsec < NSEC_PER_SEC`) when it comes
/// from a clock or from [`Timespec::add`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timespec {
    /// Seconds.
    pub sec: i64,
    /// Nanoseconds.
    pub nsec: i64,
}

impl Timespec {
    /// Zero: no offset.
    pub const ZERO: Timespec = Timespec { sec: 0, nsec: 0 };

    /// `timespec64_add()`: the sum, normalised as `set_normalized_timespec64()` does. Both operands have
    /// `0 <= nsec < NSEC_PER_SEC`; seconds wrap as the kernel's do (never reached for offsets that passed
    /// [`check_offset_range`] added to a clock).
    pub const fn add(self, rhs: Timespec) -> Timespec {
        let mut sec = self.sec.wrapping_add(rhs.sec);
        let mut nsec = self.nsec.wrapping_add(rhs.nsec);
        if nsec >= NSEC_PER_SEC {
            nsec -= NSEC_PER_SEC;
            sec = sec.wrapping_add(1);
        } else if nsec < 0 {
            nsec += NSEC_PER_SEC;
            sec = sec.wrapping_sub(1);
        }
        Timespec { sec, nsec }
    }
}

/// The two clocks a time namespace offsets (`struct timens_offsets`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetClock {
    /// `offsets.monotonic`: CLOCK_MONOTONIC, _COARSE and _RAW.
    Monotonic,
    /// `offsets.boottime`: CLOCK_BOOTTIME.
    Boottime,
}

impl OffsetClock {
    /// Both, in the order GET_TIME_OFFSETS reports them.
    pub const ALL: [OffsetClock; VNS_TIME_OFFSETS_MAX] =
        [OffsetClock::Monotonic, OffsetClock::Boottime];

    /// The clock an offset line names: `proc_timens_set_offset()` accepts CLOCK_MONOTONIC and
    /// CLOCK_BOOTTIME and fails anything else with EINVAL (after its permission check).
    pub const fn from_clock_id(clock_id: i32) -> VnsResult<OffsetClock> {
        match clock_id {
            CLOCK_MONOTONIC => Ok(OffsetClock::Monotonic),
            CLOCK_BOOTTIME => Ok(OffsetClock::Boottime),
            _ => Err(Errno::EINVAL),
        }
    }

    /// The clock id it is reported under.
    pub const fn clock_id(self) -> i32 {
        match self {
            OffsetClock::Monotonic => CLOCK_MONOTONIC,
            OffsetClock::Boottime => CLOCK_BOOTTIME,
        }
    }
}

/// A clock VNS_IOC_CLOCK_GETTIME reads: the ones a time namespace moves and the wall clocks it leaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// CLOCK_REALTIME.
    Realtime,
    /// CLOCK_MONOTONIC.
    Monotonic,
    /// CLOCK_MONOTONIC_RAW.
    MonotonicRaw,
    /// CLOCK_REALTIME_COARSE.
    RealtimeCoarse,
    /// CLOCK_MONOTONIC_COARSE.
    MonotonicCoarse,
    /// CLOCK_BOOTTIME.
    Boottime,
    /// CLOCK_TAI.
    Tai,
}

impl Clock {
    /// The clock of `clock_id`; EINVAL for any other (the CPU-time and alarm clocks among them).
    pub const fn from_clock_id(clock_id: i32) -> VnsResult<Clock> {
        match clock_id {
            CLOCK_REALTIME => Ok(Clock::Realtime),
            CLOCK_MONOTONIC => Ok(Clock::Monotonic),
            CLOCK_MONOTONIC_RAW => Ok(Clock::MonotonicRaw),
            CLOCK_REALTIME_COARSE => Ok(Clock::RealtimeCoarse),
            CLOCK_MONOTONIC_COARSE => Ok(Clock::MonotonicCoarse),
            CLOCK_BOOTTIME => Ok(Clock::Boottime),
            CLOCK_TAI => Ok(Clock::Tai),
            _ => Err(Errno::EINVAL),
        }
    }

    /// The offset a time namespace adds to this clock (kernel/time/posix-timers.c and
    /// posix-stubs.c: `timens_add_monotonic()` for the three monotonic clocks, `timens_add_boottime()`
    /// for CLOCK_BOOTTIME); `None` for the clocks no namespace moves.
    pub const fn offset(self) -> Option<OffsetClock> {
        match self {
            Clock::Monotonic | Clock::MonotonicRaw | Clock::MonotonicCoarse => {
                Some(OffsetClock::Monotonic)
            }
            Clock::Boottime => Some(OffsetClock::Boottime),
            Clock::Realtime | Clock::RealtimeCoarse | Clock::Tai => None,
        }
    }
}

/// The checks `timens_offsets_write()` makes while parsing, before any permission check: one to
/// `VNS_TIME_OFFSETS_MAX` offsets (the file takes at most two lines; an empty write is EINVAL), each
/// with `0 <= nsec < NSEC_PER_SEC` (it parses `%lu`, so a negative value is out of range too), and the
/// reserved fields zero. Returns the offsets given.
pub fn check_offsets_input(o: &VnsTimeOffsets) -> VnsResult<&[VnsClockTs]> {
    if o.reserved != 0 {
        return Err(Errno::EINVAL);
    }
    let given = o.offsets.get(..o.nr as usize).ok_or(Errno::EINVAL)?;
    if given.is_empty() {
        return Err(Errno::EINVAL);
    }
    for off in given {
        if off.reserved != 0 || off.nsec < 0 || off.nsec >= NSEC_PER_SEC {
            return Err(Errno::EINVAL);
        }
    }
    // Unused entries must be zero, so that they can carry meaning later.
    let unused = o.offsets.get(o.nr as usize..).unwrap_or(&[]);
    if unused.iter().any(|off| *off != VnsClockTs::default()) {
        return Err(Errno::EINVAL);
    }
    Ok(given)
}

/// `proc_timens_set_offset()`'s range check of one offset against the clock it moves, read now
/// (`ktime_get_ts64()` or `ktime_get_boottime_ts64()`): ERANGE when the seconds are beyond
/// ±`KTIME_SEC_MAX`, or when the clock plus the offset would be negative or beyond `KTIME_SEC_MAX / 2`
/// (so that `KTIME_MAX` stays unreachable). The bound moves with the clock.
pub const fn check_offset_range(now: Timespec, off: Timespec) -> VnsResult<()> {
    if off.sec > KTIME_SEC_MAX || off.sec < -KTIME_SEC_MAX {
        return Err(Errno::ERANGE);
    }
    let tp = now.add(off);
    if tp.sec < 0 || tp.sec > KTIME_SEC_MAX / 2 {
        return Err(Errno::ERANGE);
    }
    Ok(())
}

/// The tests of these rules (`timens/tests.rs`).
#[cfg(test)]
mod tests;
