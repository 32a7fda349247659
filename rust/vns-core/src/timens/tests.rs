// SPDX-License-Identifier: GPL-2.0-only
//! Tests of the clock-offset rules: kernel/time/namespace.c `proc_timens_set_offset()`, fs/proc/base.c
//! `timens_offsets_write()`, include/linux/time64.h `timespec64_add()`.

use super::*;
use Errno::*;

fn ts(sec: i64, nsec: i64) -> Timespec {
    Timespec { sec, nsec }
}

fn line(clock_id: i32, sec: i64, nsec: i64) -> VnsClockTs {
    VnsClockTs {
        clock_id,
        reserved: 0,
        sec,
        nsec,
    }
}

fn offsets(lines: &[VnsClockTs]) -> VnsTimeOffsets {
    let mut o = VnsTimeOffsets {
        nr: lines.len() as u32,
        ..VnsTimeOffsets::default()
    };
    for (slot, l) in o.offsets.iter_mut().zip(lines) {
        *slot = *l;
    }
    o
}

#[test]
fn add_normalises_like_timespec64_add() {
    let table = [
        (ts(1, 0), ts(2, 0), ts(3, 0)),
        (ts(1, 600_000_000), ts(0, 500_000_000), ts(2, 100_000_000)),
        (ts(5, 0), ts(-10, 0), ts(-5, 0)),
        (ts(5, 999_999_999), ts(0, 1), ts(6, 0)),
        (ts(0, 0), ts(-1, 999_999_999), ts(-1, 999_999_999)),
    ];
    for (a, b, want) in table {
        assert_eq!(a.add(b), want, "{a:?} + {b:?}");
    }
}

#[test]
fn range_depends_on_the_clock() {
    let now = ts(100, 500_000_000);
    let table = [
        (ts(0, 0), Ok(())),
        (ts(-100, 0), Ok(())),                    // exactly 0.5 s after zero
        (ts(-100, 499_999_999), Ok(())),          // 100.999 999 999 - 100 + ...: still >= 0
        (ts(-101, 0), Err(ERANGE)),               // below zero
        (ts(-101, 500_000_000), Ok(())),          // -100.5 s: exactly zero
        (ts(KTIME_SEC_MAX / 2 - 100, 0), Ok(())), // at the bound
        (ts(KTIME_SEC_MAX / 2 - 99, 0), Err(ERANGE)), // past it
        (ts(KTIME_SEC_MAX, 0), Err(ERANGE)),
        (ts(KTIME_SEC_MAX + 1, 0), Err(ERANGE)),
        (ts(-KTIME_SEC_MAX - 1, 0), Err(ERANGE)),
        (ts(i64::MAX, 0), Err(ERANGE)),
        (ts(i64::MIN, 0), Err(ERANGE)),
    ];
    for (off, want) in table {
        assert_eq!(check_offset_range(now, off), want, "{off:?}");
    }
    // The same offset is fine on a clock that has run longer: the bound moves with the clock.
    assert_eq!(check_offset_range(ts(99, 0), ts(-100, 0)), Err(ERANGE));
    assert_eq!(check_offset_range(ts(101, 0), ts(-100, 0)), Ok(()));
}

#[test]
fn input_checks_before_permission() {
    let good = line(CLOCK_MONOTONIC, 5, 0);
    assert!(check_offsets_input(&offsets(&[good])).is_ok());
    assert_eq!(
        check_offsets_input(&offsets(&[good, line(CLOCK_BOOTTIME, -3, 999_999_999)]))
            .map(|l| l.len()),
        Ok(2)
    );
    // An unknown clock passes here: proc_timens_set_offset() refuses it after the permission check.
    assert!(check_offsets_input(&offsets(&[line(CLOCK_REALTIME, 1, 0)])).is_ok());
    let bad = [
        offsets(&[]),
        offsets(&[line(CLOCK_MONOTONIC, 1, NSEC_PER_SEC)]),
        offsets(&[line(CLOCK_MONOTONIC, 1, -1)]),
        offsets(&[good, line(CLOCK_BOOTTIME, 1, i64::MAX)]),
        VnsTimeOffsets {
            nr: 3,
            ..offsets(&[good, good])
        },
        VnsTimeOffsets {
            nr: u32::MAX,
            ..offsets(&[good])
        },
        VnsTimeOffsets {
            reserved: 1,
            ..offsets(&[good])
        },
        offsets(&[VnsClockTs {
            reserved: 1,
            ..good
        }]),
        // An unused entry that is not zero.
        VnsTimeOffsets {
            nr: 1,
            ..offsets(&[good, good])
        },
    ];
    for o in bad {
        assert_eq!(
            check_offsets_input(&o).map(|l| l.len()),
            Err(EINVAL),
            "{o:?}"
        );
    }
}

#[test]
fn clocks_and_their_offsets() {
    use Clock::*;
    let table = [
        (CLOCK_REALTIME, Ok(Realtime), None),
        (CLOCK_MONOTONIC, Ok(Monotonic), Some(OffsetClock::Monotonic)),
        (2, Err(EINVAL), None), // CLOCK_PROCESS_CPUTIME_ID
        (3, Err(EINVAL), None), // CLOCK_THREAD_CPUTIME_ID
        (
            CLOCK_MONOTONIC_RAW,
            Ok(MonotonicRaw),
            Some(OffsetClock::Monotonic),
        ),
        (CLOCK_REALTIME_COARSE, Ok(RealtimeCoarse), None),
        (
            CLOCK_MONOTONIC_COARSE,
            Ok(MonotonicCoarse),
            Some(OffsetClock::Monotonic),
        ),
        (CLOCK_BOOTTIME, Ok(Boottime), Some(OffsetClock::Boottime)),
        (8, Err(EINVAL), None), // CLOCK_REALTIME_ALARM
        (9, Err(EINVAL), None), // CLOCK_BOOTTIME_ALARM
        (CLOCK_TAI, Ok(Tai), None),
        (-1, Err(EINVAL), None),
        (16, Err(EINVAL), None),
    ];
    for (id, want, offset) in table {
        let got = Clock::from_clock_id(id);
        assert_eq!(got, want, "clock {id}");
        assert_eq!(got.ok().and_then(|c| c.offset()), offset, "clock {id}");
    }
    assert_eq!(
        OffsetClock::from_clock_id(CLOCK_MONOTONIC),
        Ok(OffsetClock::Monotonic)
    );
    assert_eq!(
        OffsetClock::from_clock_id(CLOCK_BOOTTIME),
        Ok(OffsetClock::Boottime)
    );
    for id in [
        CLOCK_REALTIME,
        CLOCK_MONOTONIC_RAW,
        CLOCK_MONOTONIC_COARSE,
        CLOCK_TAI,
        -7,
    ] {
        assert_eq!(OffsetClock::from_clock_id(id), Err(EINVAL), "clock {id}");
    }
    for c in OffsetClock::ALL {
        assert_eq!(OffsetClock::from_clock_id(c.clock_id()), Ok(c));
    }
}
