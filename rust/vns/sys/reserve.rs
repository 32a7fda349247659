// SPDX-License-Identifier: GPL-2.0

//! [`ReserveSlot`]: a slot holding at most one boxed value allocated ahead (a reserve), taken and
//! refilled with one atomic exchange. A member keeps the memory its next child's membership needs in
//! one (`member.rs`).

use core::ptr;

use kernel::{
    prelude::*,
    sync::atomic::{
        Atomic,
        Full,
        Relaxed, //
    },
};

/// A slot that holds at most one boxed `T` (a reserve), taken and refilled without a lock.
///
/// # Invariants
///
/// `ptr` is null or the pointer of a `KBox<T>` given up by `KBox::into_raw`, owned by the slot.
pub(crate) struct ReserveSlot<T: Send> {
    ptr: Atomic<*mut T>,
}

// SAFETY: The slot owns at most one `KBox<T>` with `T: Send`; every access is one atomic exchange.
unsafe impl<T: Send> Send for ReserveSlot<T> {}
// SAFETY: As above: `&ReserveSlot` only moves whole boxes in and out atomically.
unsafe impl<T: Send> Sync for ReserveSlot<T> {}

impl<T: Send> ReserveSlot<T> {
    /// A slot holding `reserve`, if any.
    pub(crate) fn new(reserve: Option<KBox<T>>) -> Self {
        // INVARIANT: null, or a `KBox` given up by `into_raw`.
        Self {
            ptr: Atomic::new(reserve.map_or(ptr::null_mut(), KBox::into_raw)),
        }
    }

    /// Whether the slot holds a reserve.
    pub(crate) fn is_full(&self) -> bool {
        !self.ptr.load(Relaxed).is_null()
    }

    /// Takes the reserve out, if there is one.
    pub(crate) fn take(&self) -> Option<KBox<T>> {
        let p = self.ptr.xchg(ptr::null_mut(), Full);
        if p.is_null() {
            return None;
        }
        // SAFETY: A non-null pointer in the slot is a `KBox` the slot owned (type invariant); the
        // exchange made it ours alone.
        Some(unsafe { KBox::from_raw(p) })
    }

    /// Puts `reserve` in an empty slot; gives it back (to be freed) if the slot was refilled meanwhile.
    pub(crate) fn put(&self, reserve: KBox<T>) -> Option<KBox<T>> {
        let p = KBox::into_raw(reserve);
        match self.ptr.cmpxchg(ptr::null_mut(), p, Full) {
            // INVARIANT: the slot now owns `p`.
            Ok(_) => None,
            // SAFETY: `p` came from `into_raw` just above and was not stored.
            Err(_) => Some(unsafe { KBox::from_raw(p) }),
        }
    }
}

impl<T: Send> Drop for ReserveSlot<T> {
    fn drop(&mut self) {
        drop(self.take());
    }
}
