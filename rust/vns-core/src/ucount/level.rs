// SPDX-License-Identifier: GPL-2.0-only
//! A free-standing chain of ucounts levels, for the tests and examples.

use core::sync::atomic::{AtomicU32, Ordering};

use super::super::abi::{Kind, VNS_NR_KINDS};
use super::{Counters, UcountLevel};

/// A free-standing ucounts level: its own counters and limits and a reference to its parent level.
/// Used by the tests and the self tests; implements [`UcountLevel`] through `&Level`.
#[derive(Debug)]
pub struct Level<'a> {
    counts: Counters,
    max: [AtomicU32; VNS_NR_KINDS],
    parent: Option<&'a Level<'a>>,
}

impl<'a> Level<'a> {
    /// A level with zero counters and every limit at `INT_MAX`.
    pub const fn new(parent: Option<&'a Level<'a>>) -> Self {
        Level {
            counts: Counters::new(),
            max: [const { AtomicU32::new(i32::MAX as u32) }; VNS_NR_KINDS],
            parent,
        }
    }

    /// A level with zero counters and every limit at `max`.
    pub fn with_max(parent: Option<&'a Level<'a>>, max: u32) -> Self {
        Level {
            counts: Counters::new(),
            max: core::array::from_fn(|_| AtomicU32::new(max)),
            parent,
        }
    }

    /// Sets the limit of `kind` in this level's namespace.
    pub fn set_max(&self, kind: Kind, max: u32) {
        if let Some(m) = self.max.get(kind.index()) {
            m.store(max, Ordering::Release);
        }
    }

    /// The counter of `kind`.
    pub fn count(&self, kind: Kind) -> u32 {
        self.counts.get(kind)
    }

    /// Every counter, by kind index.
    pub fn counts(&self) -> [u32; VNS_NR_KINDS] {
        self.counts.all()
    }

    /// The parent level.
    pub fn parent_level(&self) -> Option<&'a Level<'a>> {
        self.parent
    }
}

impl<'a> UcountLevel for &'a Level<'a> {
    fn inc_below(&self, kind: Kind, max: i64) -> bool {
        self.counts.inc_below(kind, max)
    }

    fn dec(&self, kind: Kind) -> bool {
        self.counts.dec_if_positive(kind)
    }

    fn max(&self, kind: Kind) -> i64 {
        self.max
            .get(kind.index())
            .map_or(0, |m| i64::from(m.load(Ordering::Acquire)))
    }

    fn parent(&self) -> Option<Self> {
        self.parent
    }
}
