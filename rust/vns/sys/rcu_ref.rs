// SPDX-License-Identifier: GPL-2.0

//! Reference-counted objects in RCU-freed memory ([`RcuRef`]), the node they live in, and the reserves
//! that let a node be made without allocating: what the RCU tables of `rcu_table.rs` link (kernel/ucount.c's
//! model: a reference count, memory freed an RCU grace period after the last reference is gone).

use core::{
    marker::PhantomData,
    mem::ManuallyDrop,
    ops::Deref,
    ptr::{
        self,
        NonNull, //
    }, //
};

use kernel::{
    bindings,
    prelude::*,
    sync::atomic::{
        Acquire,
        Atomic,
        Full,
        Relaxed, //
    },
    types::Opaque, //
};

use super::rcu_table::WeakTable;

/// An object kept in an [`RcuTable`] (kernel/ucount.c's model: RCU lookups, a spinlock for changes, a
/// reference count, and memory freed an RCU grace period after the last reference is gone).
pub(crate) trait RcuObject: Sized + Send + Sync + 'static {
    /// The lookup key; it stays readable after the object itself has been dropped.
    type Key: Copy + PartialEq + Send + Sync;

    /// The bucket of `key` in a table of `buckets` buckets (a power of two).
    fn bucket(key: &Self::Key, buckets: usize) -> usize;

    /// Takes out the references this object holds on others of its kind (a parent, an owner) just
    /// before it is dropped, so that a chain of last references is released by a loop, not by a
    /// recursion as deep as the chain (33 user levels, 32 pid levels: too deep for a kernel stack).
    fn detach(&mut self) -> [Option<RcuRef<Self>>; 2] {
        [None, None]
    }
}

/// A node: the object, its reference count, its key and its link.
///
/// # Invariants
///
/// - `data` is initialised while `refs > 0` and dropped exactly once, when `refs` reaches zero; it is
///   never moved (it may hold a lock: it is initialised in place).
/// - While the node is linked into a bucket of `table`, it is freed only after an RCU grace period
///   (`kfree_rcu()`).
/// - `table` is null or a table that outlives the node.
#[repr(C)]
pub(super) struct RcuNode<T: RcuObject> {
    rcu: Opaque<bindings::callback_head>,
    pub(super) next: Atomic<*mut RcuNode<T>>,
    refs: Atomic<i32>,
    /// Weak link: the table to unlink from when the last reference goes (null: not in a weak table).
    pub(super) table: Atomic<*mut WeakTable<T>>,
    pub(super) key: T::Key,
    data: ManuallyDrop<T>,
}

/// A counted reference to an object in RCU-freed memory.
///
/// # Invariants
///
/// `ptr` points to a live [`RcuNode`] and this value owns one of its `refs`.
pub(crate) struct RcuRef<T: RcuObject> {
    pub(super) ptr: NonNull<RcuNode<T>>,
    _p: PhantomData<T>,
}

// SAFETY: The object is `Send + Sync` (bound of `RcuObject`); the count is atomic.
unsafe impl<T: RcuObject> Send for RcuRef<T> {}
// SAFETY: As above: `&RcuRef<T>` only gives `&T`.
unsafe impl<T: RcuObject> Sync for RcuRef<T> {}

impl<T: RcuObject> RcuRef<T> {
    /// A new, unlinked object with one reference.
    pub(crate) fn new(key: T::Key, data: T, flags: kernel::alloc::Flags) -> Result<Self> {
        // Allocated before `data` is wrapped: on failure `data` is dropped normally (and e.g. a
        // namespace returns its charge).
        Ok(Self::new_in(RcuReserve::new(flags)?, key, data))
    }

    /// A new, unlinked object with one reference, initialised in place (so it may hold a lock) in memory
    /// allocated ahead: cannot fail.
    pub(crate) fn new_in(reserve: RcuReserve<T>, key: T::Key, data: impl PinInit<T>) -> Self {
        let mut slot = reserve.slot;
        let node = slot.as_mut_ptr();
        // `data` is initialised where it stays: the node is leaked below and never moved again (it is
        // freed only by `release`).
        // SAFETY: `node` is the uninitialised memory of one `RcuNode<T>`, owned by `slot`: each field is
        // written once, through raw pointers; `ManuallyDrop<T>` is `repr(transparent)` (a `T`'s address).
        unsafe {
            ptr::addr_of_mut!((*node).rcu).write(Opaque::uninit());
            ptr::addr_of_mut!((*node).next).write(Atomic::new(ptr::null_mut()));
            ptr::addr_of_mut!((*node).refs).write(Atomic::new(1));
            ptr::addr_of_mut!((*node).table).write(Atomic::new(ptr::null_mut()));
            ptr::addr_of_mut!((*node).key).write(key);
            let Ok(()) = data.__init(ptr::addr_of_mut!((*node).data).cast::<T>());
        }
        // SAFETY: Every field was initialised above.
        let node = unsafe { slot.assume_init() };
        // INVARIANT: a fresh node with `refs == 1`, owned by the new value.
        Self {
            ptr: NonNull::from(KBox::leak(node)),
            _p: PhantomData,
        }
    }

    /// Takes over a reference counted in `node` that the caller owns (a strong table's own reference).
    ///
    /// # Safety
    ///
    /// `node` is live and the caller owns one of its references, which it hands to the new value.
    pub(super) unsafe fn from_owned(node: NonNull<RcuNode<T>>) -> Self {
        // INVARIANT: the caller hands over one reference of a live node.
        Self {
            ptr: node,
            _p: PhantomData,
        }
    }

    pub(super) fn node(&self) -> &RcuNode<T> {
        // SAFETY: `ptr` is live while we hold a reference (type invariant).
        unsafe { self.ptr.as_ref() }
    }

    /// The object's key.
    pub(crate) fn key(&self) -> T::Key {
        self.node().key
    }

    /// Whether `a` and `b` are the same object.
    pub(crate) fn ptr_eq(a: &Self, b: &Self) -> bool {
        a.ptr == b.ptr
    }

    /// How many references the object has: a snapshot, meaningful where no other task can take one
    /// (an object that is in no table and whose holders are known).
    pub(crate) fn ref_count(&self) -> i32 {
        self.node().refs.load(Acquire)
    }

    /// The object, to change it in place, when this is its only reference and it is in no weak table:
    /// nobody else can reach it then (a strong table holds a reference of its own). Only for `Unpin`
    /// objects: a pinned one (holding a lock) must not be handed out as `&mut`.
    pub(crate) fn get_mut(&mut self) -> Option<&mut T>
    where
        T: Unpin,
    {
        let n = self.node();
        if n.refs.load(Acquire) != 1 || !n.table.load(Relaxed).is_null() {
            return None;
        }
        // The count of one pairs with the other holders' fully ordered decrements; in no table, no lookup
        // can take another reference; `&mut self` keeps this one from being cloned meanwhile.
        // SAFETY: `ptr` is live (type invariant) and this is its only reference, as above: the object is
        // ours alone for the borrow.
        let data = unsafe { &mut (*self.ptr.as_ptr()).data };
        Some(&mut **data)
    }

    /// Takes a reference if the count is not zero (`rcuref_get`).
    ///
    /// # Safety
    ///
    /// `node` must point to a node that cannot be freed before this returns (it was found in an RCU
    /// list inside a read-side section that is still open).
    pub(super) unsafe fn try_get(node: NonNull<RcuNode<T>>) -> Option<Self> {
        // SAFETY: The node's memory is live (function contract); `refs` may be read even when zero.
        let refs = unsafe { &node.as_ref().refs };
        let mut cur = refs.load(Relaxed);
        loop {
            if cur == 0 {
                // Being released.
                return None;
            }
            // A saturated count stays saturated (`refcount_inc_not_zero` on a saturated count); one
            // that would overflow saturates.
            let new = if cur < 0 {
                REFS_SATURATED
            } else {
                cur.checked_add(1).unwrap_or(REFS_SATURATED)
            };
            match refs.cmpxchg(cur, new, Full) {
                // INVARIANT: we own the reference just taken.
                Ok(_) => {
                    return Some(Self {
                        ptr: node,
                        _p: PhantomData,
                    })
                }
                Err(now) => cur = now,
            }
        }
    }

    /// Drops the last reference of `node`: unlinks it from its weak table, takes out its references to
    /// others (pushed on `stack`), drops the object and frees the memory after a grace period.
    ///
    /// # Safety
    ///
    /// `refs` of `node` has just reached zero, by the caller.
    unsafe fn release(node: NonNull<RcuNode<T>>, stack: &mut ReleaseStack<T>) {
        let raw = node.as_ptr();
        // SAFETY: The count is zero and was ours: nobody else can reach `data` any more (lookups fail
        // `try_get`), and the memory lives until the RCU callback below.
        let n = unsafe { &mut *raw };
        let table = n.table.load(Relaxed);
        if !table.is_null() {
            // SAFETY: The table outlives its nodes (type invariant of `RcuNode`).
            unsafe { (*table).unlink(node) };
        }
        for r in n.data.detach().into_iter().flatten() {
            stack.push(r);
        }
        // SAFETY: `data` is initialised and dropped exactly once, here (type invariant).
        unsafe { ManuallyDrop::drop(&mut n.data) };
        // `kvfree_call_rcu` (`kfree_rcu()`) frees the node after a grace period, so RCU readers still
        // walking the old link are safe; it calls no code of this module, so unloading waits for none.
        // SAFETY: `rcu`, the node's own head (unused until now), is the first field of the `#[repr(C)]`
        // node; the node is a `kmalloc` block (`KBox`) whose other fields need no drop.
        unsafe { bindings::kvfree_call_rcu(n.rcu.get().cast(), raw.cast()) };
    }
}

/// The memory of one [`RcuRef`] node, allocated ahead of need and not yet holding an object: what lets
/// the fork probe record a child when an allocation fails (a reserve per member, see `member.rs`).
pub(crate) struct RcuReserve<T: RcuObject> {
    slot: KBox<core::mem::MaybeUninit<RcuNode<T>>>,
}

impl<T: RcuObject> RcuReserve<T> {
    /// Allocates the memory of one node.
    pub(crate) fn new(flags: kernel::alloc::Flags) -> Result<Self> {
        Ok(Self {
            slot: KBox::<RcuNode<T>>::new_uninit(flags)?,
        })
    }
}

// SAFETY: A reserve is plain, uninitialised memory owned by this value; handing it to another CPU is fine.
unsafe impl<T: RcuObject> Send for RcuReserve<T> {}

/// The work list of [`RcuRef`]'s drop: releases a chain of last references iteratively.
struct ReleaseStack<T: RcuObject> {
    items: [Option<RcuRef<T>>; 16],
    len: usize,
}

impl<T: RcuObject> ReleaseStack<T> {
    fn push(&mut self, r: RcuRef<T>) {
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = Some(r);
            self.len += 1;
        } else {
            // Full: release this one by recursion (bounded; the common chains fit the list).
            drop(r);
        }
    }

    fn pop(&mut self) -> Option<RcuRef<T>> {
        let i = self.len.checked_sub(1)?;
        self.len = i;
        self.items.get_mut(i).and_then(Option::take)
    }
}

/// A negative reference count is saturated: it stays here whatever is added or subtracted, and the
/// object is leaked rather than freed early (`refcount_t`'s `REFCOUNT_SATURATED`, include/linux/refcount.h:
/// half way into the negative range, so that racing increments and decrements cannot bring it back).
const REFS_SATURATED: i32 = i32::MIN / 2;

/// Saturates `refs` (an overflow, or an operation on a saturated count) and says so once.
fn saturate(refs: &Atomic<i32>) {
    refs.store(REFS_SATURATED, Relaxed);
    kernel::pr_warn_once!("refcount saturated: an object is leaked\n");
}

impl<T: RcuObject> Clone for RcuRef<T> {
    fn clone(&self) -> Self {
        let refs = &self.node().refs;
        // `old` is at least 1 (we hold a reference) unless the count is saturated (negative) or the
        // increment overflowed.
        let old = refs.fetch_add(1, Relaxed);
        if old < 0 || old == i32::MAX {
            saturate(refs);
        }
        // INVARIANT: we own the reference just taken.
        Self {
            ptr: self.ptr,
            _p: PhantomData,
        }
    }
}

impl<T: RcuObject> Drop for RcuRef<T> {
    fn drop(&mut self) {
        // The common case, not the last reference: one atomic decrement and nothing else.
        let refs = &self.node().refs;
        let old = refs.fetch_add(-1, Full);
        if old > 1 {
            return;
        }
        if old <= 0 {
            // Saturated (negative, far from zero): it stays so, and the object is leaked.
            saturate(refs);
            return;
        }
        // The last reference: release it, and the chain of last references it held, by a loop.
        let mut stack = ReleaseStack {
            items: [const { None }; 16],
            len: 0,
        };
        // SAFETY: We dropped the count to zero.
        unsafe { Self::release(self.ptr, &mut stack) };
        while let Some(r) = stack.pop() {
            let node = r.ptr;
            core::mem::forget(r);
            // SAFETY: We own one reference of `node`, taken off the stack with `forget`.
            let refs = &unsafe { node.as_ref() }.refs;
            let old = refs.fetch_add(-1, Full);
            if old <= 0 {
                saturate(refs);
            } else if old == 1 {
                // SAFETY: We dropped the count to zero.
                unsafe { Self::release(node, &mut stack) };
            }
        }
    }
}

impl<T: RcuObject> Deref for RcuRef<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.node().data
    }
}

/// A test object for the KUnit suites of this file and `rcu_table.rs`.
#[cfg(CONFIG_KUNIT)]
pub(super) mod test_obj {
    use kernel::{
        prelude::*,
        sync::atomic::{
            Atomic,
            Relaxed, //
        }, //
    };

    use super::{
        RcuObject,
        RcuRef, //
    };

    /// A test object: a key, and optionally a reference to another (a parent).
    pub(crate) struct Obj {
        pub(crate) parent: Option<RcuRef<Obj>>,
        pub(crate) drops: &'static Atomic<u32>,
    }

    impl RcuObject for Obj {
        type Key = u64;

        fn bucket(key: &u64, _buckets: usize) -> usize {
            *key as usize
        }

        fn detach(&mut self) -> [Option<RcuRef<Self>>; 2] {
            [self.parent.take(), None]
        }
    }

    impl Drop for Obj {
        fn drop(&mut self) {
            self.drops.fetch_add(1, Relaxed);
        }
    }

    pub(crate) fn obj(
        key: u64,
        parent: Option<RcuRef<Obj>>,
        drops: &'static Atomic<u32>,
    ) -> Result<RcuRef<Obj>> {
        RcuRef::new(key, Obj { parent, drops }, GFP_KERNEL)
    }
}

#[kernel::macros::kunit_tests(vns_rcu_ref)]
mod tests {
    use kernel::{
        prelude::*,
        sync::atomic::{
            Atomic,
            Relaxed, //
        }, //
    };

    use super::{
        test_obj::{
            obj,
            Obj, //
        },
        RcuRef,
        RcuReserve, //
    };
    use crate::sys::ReserveSlot;

    /// A reserve slot holds at most one reserve; a reserve becomes an object without allocating.
    #[test]
    fn reserve_slot_take_put() -> Result {
        static DROPS: Atomic<u32> = Atomic::new(0);
        let slot = ReserveSlot::<RcuReserve<Obj>>::new(None);
        assert!(!slot.is_full());
        assert!(slot.take().is_none());
        assert!(slot
            .put(KBox::new(RcuReserve::new(GFP_KERNEL)?, GFP_KERNEL)?)
            .is_none());
        assert!(slot.is_full());
        // Full: a second reserve is handed back.
        assert!(slot
            .put(KBox::new(RcuReserve::new(GFP_KERNEL)?, GFP_KERNEL)?)
            .is_some());
        let r = KBox::into_inner(slot.take().ok_or(ENOMEM)?);
        assert!(!slot.is_full());
        let o = RcuRef::new_in(
            r,
            5,
            Obj {
                parent: None,
                drops: &DROPS,
            },
        );
        assert_eq!(o.key(), 5);
        drop(o);
        assert_eq!(DROPS.load(Relaxed), 1);
        // A slot dropped full frees its reserve (kmemleak would see it otherwise).
        let full = ReserveSlot::new(Some(KBox::new(
            RcuReserve::<Obj>::new(GFP_KERNEL)?,
            GFP_KERNEL,
        )?));
        drop(full);
        Ok(())
    }

    /// A chain far longer than the release stack is released by the loop (and the recursion bound
    /// for the rest), without overflowing the kernel stack.
    #[test]
    fn long_chain_released() -> Result {
        static DROPS: Atomic<u32> = Atomic::new(0);
        let mut tail = obj(0, None, &DROPS)?;
        for k in 1..200 {
            tail = obj(k, Some(tail), &DROPS)?;
        }
        drop(tail);
        assert_eq!(DROPS.load(Relaxed), 200);
        Ok(())
    }

    /// A count that overflows saturates, and a saturated count is never brought back to zero: the
    /// object is leaked, never freed early (`refcount_t`).
    #[test]
    fn saturated_count_never_frees() -> Result {
        static DROPS: Atomic<u32> = Atomic::new(0);
        let a = obj(9, None, &DROPS)?;
        let refs = &a.node().refs;
        refs.store(i32::MAX, Relaxed);
        let b = a.clone();
        assert_eq!(refs.load(Relaxed), super::REFS_SATURATED);
        drop(b);
        assert_eq!(refs.load(Relaxed), super::REFS_SATURATED);
        assert_eq!(DROPS.load(Relaxed), 0);
        // Undo the saturation the test made, so that the object is freed (kmemleak would see it).
        refs.store(1, Relaxed);
        drop(a);
        assert_eq!(DROPS.load(Relaxed), 1);
        Ok(())
    }
}
