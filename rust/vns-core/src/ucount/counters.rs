// SPDX-License-Identifier: GPL-2.0-only
//! One counter per kind, as `struct ucounts`' `ucount[]`: the counters of a `Level` and of a table entry.

use core::sync::atomic::{AtomicU32, Ordering};

use super::super::abi::{Kind, VNS_NR_KINDS};

/// A 32-bit atomic counter per kind.
#[derive(Debug)]
pub(super) struct Counters([AtomicU32; VNS_NR_KINDS]);

impl Counters {
    /// Every counter at zero.
    pub(super) const fn new() -> Self {
        Counters([const { AtomicU32::new(0) }; VNS_NR_KINDS])
    }

    /// The counter of `kind`.
    pub(super) fn get(&self, kind: Kind) -> u32 {
        self.0
            .get(kind.index())
            .map_or(0, |c| c.load(Ordering::Acquire))
    }

    /// Every counter, by kind index.
    pub(super) fn all(&self) -> [u32; VNS_NR_KINDS] {
        Kind::ALL.map(|k| self.get(k))
    }

    /// `atomic_long_inc_below()`: increments the counter of `kind` if it is below `max`.
    pub(super) fn inc_below(&self, kind: Kind, max: i64) -> bool {
        self.0.get(kind.index()).is_some_and(|c| {
            c.fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| {
                if i64::from(v) < max {
                    v.checked_add(1)
                } else {
                    None
                }
            })
            .is_ok()
        })
    }

    /// `atomic_long_dec_if_positive()`: decrements the counter of `kind` if it is positive.
    pub(super) fn dec_if_positive(&self, kind: Kind) -> bool {
        self.0.get(kind.index()).is_some_and(|c| {
            c.fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| v.checked_sub(1))
                .is_ok()
        })
    }

    /// Sets every counter to zero (a table slot taken again).
    #[cfg(any(test, feature = "table"))]
    pub(super) fn clear(&self) {
        for c in &self.0 {
            c.store(0, Ordering::Relaxed);
        }
    }
}
