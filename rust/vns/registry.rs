// SPDX-License-Identifier: GPL-2.0

//! The namespace registry (Documentation/vns.rst "The registry"): every published namespace by id, in a
//! weak RCU table; what SETNS, SET_ID_MAP and GET_UCOUNTS look ids up in and LIST_NS walks.

#![deny(unsafe_code)]

use kernel::{
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    }, //
};

use crate::{
    error::{
        Errno,
        VnsResult, //
    },
    kind::PerKind,
    ns::{
        Ns,
        NsRef,
        NsState, //
    },
    sys::{
        RcuRef,
        WeakTable,
        CHUNK_MAX, //
    },
    ucounts::UcRef,
    user::IdMapKind,
    vcore::abi::{
        Kind,
        VnsNsEntry, //
    }, //
};

/// Buckets of the registry (ids are sequential: any power of two spreads them evenly).
const REGISTRY_BUCKETS: usize = 64;

/// The registry and the id counter.
pub(crate) struct Registry {
    table: Pin<KBox<WeakTable<Ns>>>,
    /// The next namespace id (never reused while the module is loaded).
    next_id: Atomic<u64>,
}

impl Registry {
    /// An empty registry.
    pub(crate) fn new() -> VnsResult<Self> {
        Ok(Self {
            table: KBox::pin_init(WeakTable::new(REGISTRY_BUCKETS), GFP_KERNEL)?,
            next_id: Atomic::new(1),
        })
    }

    /// A new namespace with a fresh id, allocated with `flags`, **not yet published**: no other task
    /// can find it until [`Registry::publish`], which the creating call does only once nothing can
    /// fail any more. Dropped unpublished, it returns its charge.
    pub(crate) fn create(
        &self,
        kind: Kind,
        owner: Option<NsRef>,
        charge: Option<UcRef>,
        state: NsState,
        flags: kernel::alloc::Flags,
    ) -> VnsResult<NsRef> {
        let id = self.next_id.fetch_add(1, Relaxed);
        Ok(RcuRef::new(
            id,
            Ns::new(id, kind, owner, charge, state),
            flags,
        )?)
    }

    /// Makes a namespace from [`Registry::create`] reachable by id. Cannot fail.
    pub(crate) fn publish(&self, ns: &NsRef) {
        self.table.publish(ns);
    }

    /// The namespace with `id`, if it exists.
    pub(crate) fn find(&self, id: u64) -> Option<NsRef> {
        self.table.lookup(&id)
    }

    /// Calls `f` with every namespace, in RCU sections of at most `CHUNK_MAX` namespaces.
    pub(crate) fn for_each(&self, f: impl FnMut(&NsRef)) {
        self.table.for_each_chunked(CHUNK_MAX, f);
    }

    /// LIST_NS: the namespaces owned by the user vns `me` or its descendants, in id order, at most `cap`
    /// of them, and their total; `threads` is the number of threads in the system (the init namespaces'
    /// `nr_tasks` are the threads not counted elsewhere). The entries and the total come from one walk,
    /// so they agree even while namespaces come and go. The walks hold RCU for at most `CHUNK_MAX`
    /// namespaces at a time; the `cap` lowest ids are kept in a max-heap (O(N log cap)), in an array
    /// sized by the visible count, not by `cap`, and charged to the caller.
    pub(crate) fn list(
        &self,
        me: &Ns,
        cap: usize,
        threads: u32,
    ) -> VnsResult<(KVVec<VnsNsEntry>, u32)> {
        let my_user = me.user().ok_or(Errno::EINVAL)?;
        let mut others = PerKind::from_fn(|_| 0u32);
        let mut visible = 0usize;
        self.for_each(|ns| {
            if !ns.is_init() {
                others[ns.kind] = others[ns.kind].saturating_add(ns.nr_tasks.load(Relaxed));
            }
            if ns
                .owner
                .as_ref()
                .is_some_and(|o| o.is_same_or_descendant_of(me))
            {
                visible += 1;
            }
        });
        let mut room = cap.min(visible + 8);
        loop {
            // Allocated before the walk: nothing allocates inside a read-side section.
            let mut heap = KVVec::with_capacity(room, GFP_KERNEL_ACCOUNT)?;
            let mut total = 0u32;
            self.for_each(|ns| {
                let Some(owner) = ns.owner.as_ref() else {
                    return;
                };
                if !owner.is_same_or_descendant_of(me) {
                    return;
                }
                total += 1;
                if room == 0 {
                    return;
                }
                let nr_tasks = if ns.is_init() {
                    threads.saturating_sub(others[ns.kind])
                } else {
                    ns.nr_tasks.load(Relaxed)
                };
                let owner_kuid = ns.user().or(owner.user()).map_or(0, |u| u.owner_uid);
                let e = VnsNsEntry {
                    id: ns.id,
                    parent_id: ns.parent().map_or(0, |p| p.id),
                    owner_id: owner.id,
                    kind: ns.kind.as_u32(),
                    level: ns.level(),
                    nr_tasks,
                    owner_uid: my_user.from_kid_munged(IdMapKind::Uid, owner_kuid),
                };
                // Keep the `room` lowest ids: the registry is walked in hash order.
                if heap.len() < room {
                    // Within the capacity reserved above: this does not allocate.
                    if heap.push(e, GFP_NOWAIT).is_ok() {
                        heap_sift_up(&mut heap);
                    }
                } else if heap.first().is_some_and(|top| e.id < top.id) {
                    if let Some(top) = heap.first_mut() {
                        *top = e;
                    }
                    heap_sift_down(&mut heap);
                }
            });
            let wanted = cap.min(total as usize);
            if heap.len() >= wanted {
                heap.sort_unstable_by_key(|e| e.id);
                heap.truncate(wanted);
                return Ok((heap, total));
            }
            // More namespaces than were reserved for appeared in between: walk again with room to
            // spare, doubling, so that namespaces created during the walks cannot keep it going
            // (their number is bounded by the limits).
            room = wanted.saturating_mul(2).saturating_add(8).min(cap);
        }
    }
}

/// Restores the max-heap order (by id) after a push at the end.
fn heap_sift_up(heap: &mut [VnsNsEntry]) {
    let mut i = heap.len().saturating_sub(1);
    while i > 0 {
        let parent = (i - 1) / 2;
        match (heap.get(parent), heap.get(i)) {
            // Both indices are in bounds (just read).
            (Some(p), Some(c)) if p.id < c.id => heap.swap(parent, i),
            _ => return,
        }
        i = parent;
    }
}

/// Restores the max-heap order (by id) after the root was replaced.
fn heap_sift_down(heap: &mut [VnsNsEntry]) {
    let mut i = 0;
    loop {
        let id = |j: usize| heap.get(j).map(|e| e.id);
        let mut largest = i;
        for child in [2 * i + 1, 2 * i + 2] {
            if let (Some(c), Some(l)) = (id(child), id(largest)) {
                if c > l {
                    largest = child;
                }
            }
        }
        if largest == i {
            return;
        }
        // Both indices are in bounds (read above).
        heap.swap(i, largest);
        i = largest;
    }
}
