// SPDX-License-Identifier: GPL-2.0

//! The state of a pid vns (Documentation/vns.rst "Kinds", kernel/pid_namespace.c): its level, its
//! parent and the numbers in use; and a task's number in it.

#![deny(unsafe_code)]

use kernel::{
    new_spinlock,
    prelude::*,
    sync::SpinLock, //
};

use crate::{
    error::VnsResult,
    ns::NsRef, //
};

/// Highest number a pid vns hands out (the kernel's default `pid_max`).
const PID_NR_MAX: u32 = 32768;

/// Words of a pid vns's bitmap: numbers 0 to `PID_NR_MAX`.
const PID_MAP_WORDS: usize = PID_NR_MAX as usize / 64 + 1;

/// A pid vns.
pub(crate) struct PidNs {
    /// Nesting level; init is 0.
    pub(crate) level: u32,
    /// The parent pid vns; `None` for init.
    pub(crate) parent: Option<NsRef>,
    /// The numbers in use (`None` for init, where a task's number is its real tgid).
    pub(crate) ids: Option<Pin<KBox<SpinLock<PidMap>>>>,
}

/// The numbers in use in one pid vns, allocated cyclically from 1 as `alloc_pid()` does. The bitmap is
/// allocated whole (4 KiB) with the namespace, so that the fork probe never allocates for a number.
pub(crate) struct PidMap {
    bits: KVec<u64>,
    last: u32,
}

impl PidNs {
    /// The init pid vns: numbers are real tgids.
    pub(crate) fn init() -> Self {
        Self {
            level: 0,
            parent: None,
            ids: None,
        }
    }

    /// A new pid vns below `parent` at `level`.
    pub(crate) fn new(level: u32, parent: NsRef) -> VnsResult<Self> {
        Self::numbered(level, Some(parent))
    }

    /// A pid vns that numbers its tasks, below `parent`.
    fn numbered(level: u32, parent: Option<NsRef>) -> VnsResult<Self> {
        let mut bits = KVec::with_capacity(PID_MAP_WORDS, GFP_KERNEL_ACCOUNT)?;
        bits.resize(PID_MAP_WORDS, 0, GFP_KERNEL_ACCOUNT)?;
        Ok(Self {
            level,
            parent,
            ids: Some(KBox::pin_init(
                new_spinlock!(PidMap { bits, last: 0 }, "vns_pid_map"),
                GFP_KERNEL_ACCOUNT,
            )?),
        })
    }

    /// Whether this pid vns numbers its tasks (any but init).
    pub(crate) fn numbers_tasks(&self) -> bool {
        self.ids.is_some()
    }

    /// Allocates the next free number (from 1), or `None` when all are in use. Called from the fork
    /// probe; never allocates.
    pub(crate) fn alloc_nr(&self) -> Option<u32> {
        let mut map = self.ids.as_ref()?.lock();
        let start = map.last;
        let mut nr = start;
        loop {
            nr = if nr >= PID_NR_MAX { 1 } else { nr + 1 };
            let (word, bit) = ((nr / 64) as usize, nr % 64);
            let w = map.bits.get_mut(word)?;
            if *w & (1 << bit) == 0 {
                *w |= 1 << bit;
                map.last = nr;
                return Some(nr);
            }
            if nr == start || (start == 0 && nr == PID_NR_MAX) {
                return None;
            }
        }
    }

    /// Releases `nr` (the task that had it exited).
    pub(crate) fn free_nr(&self, nr: u32) {
        if let Some(ids) = self.ids.as_ref() {
            if let Some(w) = ids.lock().bits.get_mut((nr / 64) as usize) {
                *w &= !(1 << (nr % 64));
            }
        }
    }
}

/// A task's number in its active pid vns (`struct upid`), released when the last task holding it exits
/// (a thread group shares its leader's number).
pub(crate) struct PidNr {
    /// The pid vns the number belongs to.
    pub(crate) ns: NsRef,
    /// The number, from 1.
    pub(crate) nr: u32,
}

impl Drop for PidNr {
    fn drop(&mut self) {
        if let Some(p) = self.ns.pid() {
            p.free_nr(self.nr);
        }
    }
}

#[kernel::macros::kunit_tests(vns_pid)]
mod tests {
    use super::*;

    /// Numbers are allocated cyclically from 1, as `alloc_pid()`.
    #[test]
    fn pid_numbers_cyclic_from_one() -> Result {
        let p = PidNs::numbered(1, None)?;
        assert_eq!(p.alloc_nr(), Some(1));
        assert_eq!(p.alloc_nr(), Some(2));
        assert_eq!(p.alloc_nr(), Some(3));
        p.free_nr(2);
        // Cyclic, as alloc_pid: a freed number is not reused at once.
        assert_eq!(p.alloc_nr(), Some(4));
        p.free_nr(1);
        p.free_nr(3);
        p.free_nr(4);
        Ok(())
    }
}
