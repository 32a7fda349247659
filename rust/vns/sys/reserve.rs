// SPDX-License-Identifier: GPL-2.0

//! [`ReserveSlot`]: a slot holding at most one boxed value allocated ahead (a reserve), taken and
//! refilled with one atomic exchange. A member keeps the memory its next child's membership needs in
//! one (`member.rs`). [`OnceBox`]: a box set once, when first needed.

use core::ptr;

use kernel::{
    prelude::*,
    sync::atomic::{
        Acquire,
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

/// A box set at most once and read without a lock once set (one compare-and-exchange of its pointer; a
/// second setter's box is freed): what is allocated only when first needed, such as a pid vns's number
/// map.
///
/// # Invariants
///
/// `ptr` is null or the pointer of a `KBox<T>` given up by `KBox::into_raw`, owned by the cell; once set it
/// never changes, and the value is never moved (it may be pinned) until the cell drops it in place.
pub(crate) struct OnceBox<T: Send + Sync> {
    ptr: Atomic<*mut T>,
}

// SAFETY: The cell owns at most one `KBox<T>` with `T: Send + Sync`, set once atomically.
unsafe impl<T: Send + Sync> Send for OnceBox<T> {}
// SAFETY: As above: `&OnceBox` gives only `&T` (`T: Sync`).
unsafe impl<T: Send + Sync> Sync for OnceBox<T> {}

impl<T: Send + Sync> OnceBox<T> {
    /// An empty cell.
    pub(crate) fn new() -> Self {
        // INVARIANT: null.
        Self {
            ptr: Atomic::new(ptr::null_mut()),
        }
    }

    /// The value, once set.
    pub(crate) fn get(&self) -> Option<&T> {
        let p = self.ptr.load(Acquire);
        // SAFETY: A non-null pointer is a live box the cell owns and never changes or frees before it
        // is dropped (type invariant); the acquire load pairs with the setter's release.
        (!p.is_null()).then(|| unsafe { &*p })
    }

    /// Sets the cell to `new` unless it was set meanwhile (then `new` is freed); returns the value set.
    pub(crate) fn get_or_set(&self, new: Pin<KBox<T>>) -> &T {
        // SAFETY: The value is not moved out of the box: the cell only hands out shared references to
        // it and drops it in place.
        let p = KBox::into_raw(unsafe { Pin::into_inner_unchecked(new) });
        let set = match self.ptr.cmpxchg(ptr::null_mut(), p, Full) {
            // INVARIANT: the cell now owns `p`.
            Ok(_) => p,
            Err(cur) => {
                // SAFETY: `p` came from `into_raw` just above and was not stored.
                drop(unsafe { KBox::from_raw(p) });
                cur
            }
        };
        // SAFETY: `set` is the cell's box, live and unchanged until the cell is dropped.
        unsafe { &*set }
    }
}

impl<T: Send + Sync> Drop for OnceBox<T> {
    fn drop(&mut self) {
        let p = self.ptr.load(Relaxed);
        if !p.is_null() {
            // SAFETY: A non-null pointer is a box the cell owns (type invariant); nothing uses it after
            // this.
            drop(unsafe { KBox::from_raw(p) });
        }
    }
}
