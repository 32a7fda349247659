// SPDX-License-Identifier: GPL-2.0

//! The RCU hash tables that the namespaces, the ucounts and the memberships live in (kernel/ucount.c's
//! model: lookups under RCU without a lock, changes under a spinlock): [`WeakTable`] and
//! [`StrongTable`].

use core::{
    marker::PhantomData,
    ptr::{
        self,
        NonNull, //
    }, //
};

use kernel::{
    new_spinlock,
    prelude::*,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        rcu,
        SpinLock, //
    }, //
};

use super::{
    rcu_ref::{
        RcuNode,
        RcuObject,
        RcuRef, //
    },
    task::cond_resched, //
};

/// The most objects [`RcuTable::for_each_chunked`] visits per RCU read-side section.
pub(crate) const CHUNK_MAX: usize = 64;

/// How a table holds its objects: see [`WeakTable`] and [`StrongTable`].
pub(crate) trait TableKind: Send + Sync + 'static {
    /// Whether the table links its objects without holding a reference.
    const WEAK: bool;
}

/// The kind of [`WeakTable`].
pub(crate) struct Weak;

/// The kind of [`StrongTable`].
pub(crate) struct Strong;

impl TableKind for Weak {
    const WEAK: bool = true;
}

impl TableKind for Strong {
    const WEAK: bool = false;
}

/// A table that links objects without holding a reference: an object unlinks itself when its last
/// reference goes (the namespace registry, the ucounts, as kernel/ucount.c's `ucounts_hashtable`).
pub(crate) type WeakTable<T> = RcuTable<T, Weak>;

/// A table that holds one reference per linked object and gives it back on removal (the memberships).
pub(crate) type StrongTable<T> = RcuTable<T, Strong>;

/// A hash table of [`RcuRef`] objects: lookups under RCU without locking, changes under a spinlock.
///
/// # Invariants
///
/// Every node reachable from `heads` is live; it is unlinked, under `lock`, before it is freed.
#[pin_data(PinnedDrop)]
pub(crate) struct RcuTable<T: RcuObject, K: TableKind> {
    /// Serialises every change of the links; lookups do not take it. Taken in process context (the
    /// ioctls, the sysctl handlers, the probes), never in interrupt context.
    #[pin]
    lock: SpinLock<()>,
    heads: KVec<Atomic<*mut RcuNode<T>>>,
    _kind: PhantomData<K>,
}

// SAFETY: The raw pointers in `heads` are only followed under RCU or `lock`.
unsafe impl<T: RcuObject, K: TableKind> Send for RcuTable<T, K> {}
// SAFETY: As above.
unsafe impl<T: RcuObject, K: TableKind> Sync for RcuTable<T, K> {}

impl<T: RcuObject, K: TableKind> RcuTable<T, K> {
    /// A table of `buckets` (a power of two) buckets.
    pub(crate) fn new(buckets: usize) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            lock <- new_spinlock!((), "vns_rcu_table"),
            heads: {
                let mut v = KVec::with_capacity(buckets, GFP_KERNEL)?;
                for _ in 0..buckets {
                    v.push(Atomic::new(ptr::null_mut()), GFP_KERNEL)?;
                }
                v
            },
            _kind: PhantomData,
        })
    }

    fn head(&self, key: &T::Key) -> &Atomic<*mut RcuNode<T>> {
        let n = self.heads.len();
        let i = T::bucket(key, n) & n.wrapping_sub(1);
        // `heads` is never empty (a table has at least one bucket): fall back to the first one.
        self.heads.get(i).unwrap_or(&self.heads[0])
    }

    /// Finds `key` and takes a reference (`find_ucounts` in kernel/ucount.c).
    pub(crate) fn lookup(&self, key: &T::Key) -> Option<RcuRef<T>> {
        let _guard = rcu::read_lock();
        let mut p = self.head(key).load(kernel::sync::atomic::Acquire);
        while let Some(node) = NonNull::new(p) {
            // SAFETY: Reached from a bucket inside an RCU read-side section: the node is not freed
            // before the section ends (type invariant, `kfree_rcu()` in `release`).
            let n = unsafe { node.as_ref() };
            if n.key == *key {
                // SAFETY: As above.
                if let Some(r) = unsafe { RcuRef::try_get(node) } {
                    return Some(r);
                }
            }
            p = n.next.load(kernel::sync::atomic::Acquire);
        }
        None
    }

    /// Links `obj` unless an object with its key is already there; returns the object now in the table
    /// (`alloc_ucounts`: the re-check under the lock). For weak tables the table holds no reference; for
    /// strong ones it takes one.
    pub(crate) fn insert_or_get(&self, obj: RcuRef<T>) -> RcuRef<T> {
        let key = obj.key();
        let existing = {
            let _guard = self.lock.lock();
            let existing = self.lookup(&key);
            if existing.is_none() {
                self.link_locked(&obj);
            }
            existing
        };
        // `obj` is dropped (and released) outside the lock: releasing may need it.
        existing.unwrap_or(obj)
    }

    /// Unlinks every object; a strong table drops its references (module unload).
    pub(crate) fn clear(&self) {
        loop {
            let mut first = None;
            {
                let _guard = self.lock.lock();
                for head in self.heads.iter() {
                    if let Some(node) = NonNull::new(head.load(Relaxed)) {
                        first = Some(self.unlink_locked(node));
                        break;
                    }
                }
            }
            match first {
                // Dropped outside the lock: releasing may unlink others from this table.
                Some(r) => drop(r),
                None => return,
            }
        }
    }

    /// Publishes `obj` at the head of its bucket (`hlist_add_head_rcu`). Caller holds `lock`.
    fn link_locked(&self, obj: &RcuRef<T>) {
        let head = self.head(&obj.node().key);
        let n = obj.node();
        n.next.store(head.load(Relaxed), Relaxed);
        if K::WEAK {
            // A weak table is a `WeakTable<T>` (`K::WEAK`): the cast only names its type.
            n.table.store(
                ptr::from_ref(self).cast_mut().cast::<WeakTable<T>>(),
                Relaxed,
            );
        } else {
            // The table's own reference.
            core::mem::forget(obj.clone());
        }
        // Release: a reader that sees the node sees it initialised (`rcu_assign_pointer`).
        head.store(obj.ptr.as_ptr(), kernel::sync::atomic::Release);
    }

    /// Unlinks `node` if it is linked (`hlist_del_rcu`); returns the table's reference for a strong
    /// table. Caller holds `lock`.
    fn unlink_locked(&self, node: NonNull<RcuNode<T>>) -> Option<RcuRef<T>> {
        // SAFETY: The caller holds a reference or the lock with the node linked: it is live.
        let key = unsafe { node.as_ref() }.key;
        let mut link = self.head(&key);
        loop {
            let p = link.load(Relaxed);
            let cur = NonNull::new(p)?;
            // SAFETY: Under `lock`, every linked node is live (type invariant).
            let n = unsafe { cur.as_ref() };
            if cur == node {
                // Readers past this node keep following its `next`, which stays valid until the grace
                // period ends.
                link.store(n.next.load(Relaxed), kernel::sync::atomic::Release);
                if K::WEAK {
                    n.table.store(ptr::null_mut(), Relaxed);
                    return None;
                }
                // SAFETY: The node is linked, so live, and the table's reference is handed to the caller.
                return Some(unsafe { RcuRef::from_owned(node) });
            }
            link = &n.next;
        }
    }

    /// Unlinks a node whose last reference is gone (weak tables).
    pub(super) fn unlink(&self, node: NonNull<RcuNode<T>>) {
        let _guard = self.lock.lock();
        let _ = self.unlink_locked(node);
    }
}

impl<T: RcuObject> WeakTable<T> {
    /// Links `obj`, whose key is new to the table (fresh ids: nothing to re-check). For a weak table
    /// this is the moment the object becomes reachable by lookups.
    pub(crate) fn publish(&self, obj: &RcuRef<T>) {
        let _guard = self.lock.lock();
        self.link_locked(obj);
    }

    /// As [`RcuTable::for_each`], but in RCU read-side sections of at most `chunk` objects with a
    /// reschedule point between them, so that a walk of a large table neither stalls RCU nor holds the
    /// CPU. The reference on the object where a section stopped keeps it linked (in a weak table an
    /// object is unlinked only when its last reference goes), so the next section resumes after it.
    /// Process context, no lock held.
    pub(crate) fn for_each_chunked(&self, chunk: usize, mut f: impl FnMut(&RcuRef<T>)) {
        let chunk = chunk.clamp(1, CHUNK_MAX);
        for head in self.heads.iter() {
            let mut resume: Option<RcuRef<T>> = None;
            loop {
                // The references taken in a section are dropped after it: one may be the last, and a
                // release (a namespace with its whole mount table) is not work for a read-side section.
                let mut held: [Option<RcuRef<T>>; CHUNK_MAX] = [const { None }; CHUNK_MAX];
                let mut seen = 0usize;
                let mut stopped = false;
                {
                    let _guard = rcu::read_lock();
                    let mut p = match &resume {
                        Some(r) => r.node().next.load(kernel::sync::atomic::Acquire),
                        None => head.load(kernel::sync::atomic::Acquire),
                    };
                    while let Some(node) = NonNull::new(p) {
                        // SAFETY: Reached from a bucket, or from a linked node we hold a reference on,
                        // inside an RCU read-side section: the node is not freed before it ends.
                        let n = unsafe { node.as_ref() };
                        p = n.next.load(kernel::sync::atomic::Acquire);
                        // SAFETY: As above.
                        let Some(r) = (unsafe { RcuRef::try_get(node) }) else {
                            continue;
                        };
                        f(&r);
                        // `seen < chunk <= CHUNK_MAX`: there is always a slot.
                        if let Some(slot) = held.get_mut(seen) {
                            *slot = Some(r);
                        }
                        seen += 1;
                        if seen >= chunk {
                            stopped = true;
                            break;
                        }
                    }
                }
                // The next section resumes after the last object of this one, which stays linked
                // while we hold it (weak table: unlinked only at its last reference).
                let next = if stopped {
                    held.get_mut(seen - 1).and_then(Option::take)
                } else {
                    None
                };
                drop(core::mem::replace(&mut resume, next));
                drop(held);
                cond_resched();
                if resume.is_none() {
                    break;
                }
            }
        }
    }
}

impl<T: RcuObject> StrongTable<T> {
    /// Unlinks the object with `key`; a strong table gives back its reference.
    pub(crate) fn remove(&self, key: &T::Key) -> Option<RcuRef<T>> {
        let _guard = self.lock.lock();
        let mut p = self.head(key).load(Relaxed);
        while let Some(node) = NonNull::new(p) {
            // SAFETY: Under `lock`, every linked node is live (type invariant).
            let n = unsafe { node.as_ref() };
            if n.key == *key {
                return self.unlink_locked(node);
            }
            p = n.next.load(Relaxed);
        }
        None
    }
}

#[pinned_drop]
impl<T: RcuObject, K: TableKind> PinnedDrop for RcuTable<T, K> {
    fn drop(self: Pin<&mut Self>) {
        // A strong table drops its references; a weak one unlinks what is left, so that a later release
        // of those objects does not reach this (then freed) table.
        self.clear();
    }
}

#[kernel::macros::kunit_tests(vns_rcu_table)]
mod tests {
    use kernel::{
        prelude::*,
        sync::atomic::{
            Atomic,
            Relaxed, //
        }, //
    };

    use crate::sys::RcuRef;

    use super::{
        StrongTable,
        WeakTable, //
    };
    use crate::sys::rcu_ref::test_obj::{
        obj,
        Obj, //
    };

    #[test]
    fn strong_table_holds_until_removed() -> Result {
        static DROPS: Atomic<u32> = Atomic::new(0);
        let t = KBox::pin_init(StrongTable::<Obj>::new(8), GFP_KERNEL)?;
        let a = obj(1, None, &DROPS)?;
        let _ = t.insert_or_get(a);
        // The table's reference keeps it alive.
        assert!(t.lookup(&1).is_some());
        assert_eq!(DROPS.load(Relaxed), 0);
        let removed = t.remove(&1);
        assert!(removed.is_some());
        assert!(t.lookup(&1).is_none());
        drop(removed);
        assert_eq!(DROPS.load(Relaxed), 1);
        assert!(t.remove(&1).is_none());
        Ok(())
    }

    #[test]
    fn weak_table_unlinks_on_last_reference() -> Result {
        static DROPS: Atomic<u32> = Atomic::new(0);
        let t = KBox::pin_init(WeakTable::<Obj>::new(8), GFP_KERNEL)?;
        let a = t.insert_or_get(obj(7, None, &DROPS)?);
        let b = t.lookup(&7).ok_or(ENOENT)?;
        assert!(RcuRef::ptr_eq(&a, &b));
        drop(a);
        assert!(t.lookup(&7).is_some());
        drop(b);
        // The last reference unlinked it and dropped it synchronously.
        assert!(t.lookup(&7).is_none());
        assert_eq!(DROPS.load(Relaxed), 1);
        Ok(())
    }

    /// A chunked walk visits every object once, holding RCU for at most `chunk` of them at a time.
    #[test]
    fn chunked_walk_visits_each_once() -> Result {
        static DROPS: Atomic<u32> = Atomic::new(0);
        let t = KBox::pin_init(WeakTable::<Obj>::new(4), GFP_KERNEL)?;
        let mut held = KVec::new();
        for key in 1..=23u64 {
            let o = obj(key, None, &DROPS)?;
            t.publish(&o);
            held.push(o, GFP_KERNEL)?;
        }
        for chunk in [1, 2, 5, 64] {
            let (mut n, mut sum) = (0u64, 0u64);
            t.for_each_chunked(chunk, |o| {
                n += 1;
                sum += o.key();
            });
            assert_eq!((n, sum), (23, 23 * 24 / 2));
        }
        drop(held);
        let mut n = 0;
        t.for_each_chunked(2, |_| n += 1);
        assert_eq!(n, 0);
        Ok(())
    }

    #[test]
    fn insert_or_get_rechecks_the_key() -> Result {
        static DROPS: Atomic<u32> = Atomic::new(0);
        let t = KBox::pin_init(WeakTable::<Obj>::new(4), GFP_KERNEL)?;
        let a = t.insert_or_get(obj(3, None, &DROPS)?);
        let b = t.insert_or_get(obj(3, None, &DROPS)?);
        // The second was not linked: it was dropped and the first returned.
        assert!(RcuRef::ptr_eq(&a, &b));
        assert_eq!(DROPS.load(Relaxed), 1);
        Ok(())
    }
}
