// SPDX-License-Identifier: GPL-2.0-only
//! A fixed-capacity ucounts table, for the STM32 port (and the tests): hash of (ns id, uid) → entry, bucket
//! chains by index.

use super::super::abi::{Kind, VNS_NR_KINDS};
use super::super::errno::{Errno, VnsResult};
use super::{dec_ucount, inc_ucount, ucounts_hashfn, Counters, UcountLevel, UIDHASH_SZ};

const NIL: u32 = u32::MAX;

/// Index of an entry in a [`UcountTable`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EntryId(pub(super) u32);

impl EntryId {
    /// The entry's index in the table.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

/// One ucounts entry: (user vns id, uid), a counter per kind, a reference count, and the entry its
/// namespace is charged to (its parent in the chain).
#[derive(Debug)]
pub struct UcountEntry {
    ns_id: u64,
    uid: u32,
    refs: u32,
    next: u32,
    parent: u32,
    counts: Counters,
}

impl UcountEntry {
    const fn empty() -> UcountEntry {
        UcountEntry {
            ns_id: 0,
            uid: 0,
            refs: 0,
            next: NIL,
            parent: NIL,
            counts: Counters::new(),
        }
    }

    /// The user vns id.
    pub const fn ns_id(&self) -> u64 {
        self.ns_id
    }

    /// The uid (kuid).
    pub const fn uid(&self) -> u32 {
        self.uid
    }

    /// Number of references (0: free slot).
    pub const fn refs(&self) -> u32 {
        self.refs
    }

    /// The entry this one's namespace is charged to; `None` for the init namespace's entries.
    pub const fn parent(&self) -> Option<EntryId> {
        if self.parent == NIL {
            None
        } else {
            Some(EntryId(self.parent))
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
}

/// A ucounts table of at most `N` entries, without allocation: `UIDHASH_SZ` buckets chained by index,
/// freed slots kept on a free list. Insertion and release take `&mut self` (the caller's lock, as
/// `ucounts_lock`); charging takes `&self` (atomic counters, as the kernel's lock-free `inc_ucount`).
#[derive(Debug)]
pub struct UcountTable<const N: usize> {
    heads: [u32; UIDHASH_SZ],
    free: u32,
    fresh: u32,
    len: u32,
    entries: [UcountEntry; N],
}

impl<const N: usize> Default for UcountTable<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> UcountTable<N> {
    /// An empty table.
    pub const fn new() -> Self {
        UcountTable {
            heads: [NIL; UIDHASH_SZ],
            free: NIL,
            fresh: 0,
            len: 0,
            entries: [const { UcountEntry::empty() }; N],
        }
    }

    /// The maximum number of entries (at most `u32::MAX - 1`).
    pub const fn capacity(&self) -> usize {
        if N < NIL as usize {
            N
        } else {
            (NIL - 1) as usize
        }
    }

    /// The number of live entries.
    pub const fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether the table has no entry.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The entry of an id, if it is live.
    pub fn entry(&self, id: EntryId) -> Option<&UcountEntry> {
        self.entries.get(id.index()).filter(|e| e.refs > 0)
    }

    /// Looks (ns id, uid) up (`find_ucounts()`).
    pub fn find(&self, ns_id: u64, uid: u32) -> Option<EntryId> {
        let mut i = *self.heads.get(ucounts_hashfn(ns_id, uid))?;
        while i != NIL {
            let e = self.entries.get(i as usize)?;
            if e.ns_id == ns_id && e.uid == uid {
                return Some(EntryId(i));
            }
            i = e.next;
        }
        None
    }

    /// Takes a reference on (ns id, uid), inserting the entry if it is missing (`alloc_ucounts()`).
    /// `parent` is the entry the namespace `ns_id` is charged to (`None` only for the init namespace); a
    /// new entry takes a reference on it, so a parent outlives its children. EINVAL if `parent` is not
    /// live or differs from the existing entry's; ENOMEM when the table is full or a count would overflow.
    pub fn get_or_insert(
        &mut self,
        ns_id: u64,
        uid: u32,
        parent: Option<EntryId>,
    ) -> VnsResult<EntryId> {
        let parent_raw = match parent {
            Some(p) => {
                self.entry(p).ok_or(Errno::EINVAL)?;
                p.0
            }
            None => NIL,
        };
        if let Some(id) = self.find(ns_id, uid) {
            let e = self.entries.get_mut(id.index()).ok_or(Errno::EINVAL)?;
            if e.parent != parent_raw {
                return Err(Errno::EINVAL);
            }
            e.refs = e.refs.checked_add(1).ok_or(Errno::ENOMEM)?;
            return Ok(id);
        }
        if parent_raw != NIL {
            let p = self.entries.get(parent_raw as usize).ok_or(Errno::EINVAL)?;
            if p.refs == u32::MAX {
                return Err(Errno::ENOMEM);
            }
        }
        let idx = if self.free != NIL {
            let idx = self.free;
            self.free = self.entries.get(idx as usize).ok_or(Errno::ENOMEM)?.next;
            idx
        } else if (self.fresh as usize) < self.capacity() {
            let idx = self.fresh;
            self.fresh = self.fresh.saturating_add(1);
            idx
        } else {
            return Err(Errno::ENOMEM);
        };
        let bucket = ucounts_hashfn(ns_id, uid);
        let head = self.heads.get_mut(bucket).ok_or(Errno::EINVAL)?;
        let next = *head;
        *head = idx;
        if let Some(e) = self.entries.get_mut(idx as usize) {
            e.ns_id = ns_id;
            e.uid = uid;
            e.refs = 1;
            e.next = next;
            e.parent = parent_raw;
            e.counts.clear();
        }
        if let Some(p) = self.entries.get_mut(parent_raw as usize) {
            p.refs = p.refs.saturating_add(1);
        }
        self.len = self.len.saturating_add(1);
        Ok(EntryId(idx))
    }

    /// Takes one more reference on a live entry (`get_ucounts()`). EINVAL if it is not live.
    pub fn get(&mut self, id: EntryId) -> VnsResult<()> {
        let e = self
            .entries
            .get_mut(id.index())
            .filter(|e| e.refs > 0)
            .ok_or(Errno::EINVAL)?;
        e.refs = e.refs.checked_add(1).ok_or(Errno::ENOMEM)?;
        Ok(())
    }

    /// Drops a reference (`put_ucounts()`); an entry whose last reference goes is unlinked and freed, and
    /// drops its reference on its parent in turn. Returns whether `id` itself was freed; EINVAL if it is
    /// not live.
    pub fn put(&mut self, id: EntryId) -> VnsResult<bool> {
        self.entry(id).ok_or(Errno::EINVAL)?;
        let mut idx = id.0;
        let mut first = true;
        let mut freed_first = false;
        while idx != NIL {
            let Some(e) = self.entries.get_mut(idx as usize) else {
                break;
            };
            e.refs = e.refs.saturating_sub(1);
            if e.refs > 0 {
                break;
            }
            let (ns_id, uid, next, parent) = (e.ns_id, e.uid, e.next, e.parent);
            self.unlink(ucounts_hashfn(ns_id, uid), idx, next);
            if let Some(e) = self.entries.get_mut(idx as usize) {
                e.next = self.free;
                e.parent = NIL;
            }
            self.free = idx;
            self.len = self.len.saturating_sub(1);
            if first {
                freed_first = true;
            }
            first = false;
            idx = parent;
        }
        Ok(freed_first)
    }

    /// Removes `idx` (whose successor is `next`) from its bucket's chain.
    fn unlink(&mut self, bucket: usize, idx: u32, next: u32) {
        let Some(head) = self.heads.get_mut(bucket) else {
            return;
        };
        if *head == idx {
            *head = next;
            return;
        }
        let mut i = *head;
        while i != NIL {
            let Some(e) = self.entries.get_mut(i as usize) else {
                return;
            };
            if e.next == idx {
                e.next = next;
                return;
            }
            i = e.next;
        }
    }

    /// A [`UcountLevel`] view of a live entry, whose limits `max_of(ns_id, kind)` gives (the namespaces'
    /// `ucount_max`, which the table does not hold).
    pub fn level<'t, F: Fn(u64, Kind) -> i64>(
        &'t self,
        id: EntryId,
        max_of: &'t F,
    ) -> Option<TableLevel<'t, N, F>> {
        self.entry(id)?;
        Some(TableLevel {
            table: self,
            idx: id.0,
            max_of,
        })
    }

    /// `inc_ucount()` from a live entry up its parents. EINVAL if `id` is not live, ENOSPC at a limit.
    pub fn charge<F: Fn(u64, Kind) -> i64>(
        &self,
        id: EntryId,
        kind: Kind,
        max_of: &F,
    ) -> VnsResult<()> {
        let level = self.level(id, max_of).ok_or(Errno::EINVAL)?;
        inc_ucount(&level, kind)
    }

    /// `dec_ucount()` from a live entry up its parents. False if `id` is not live or a counter was zero.
    pub fn uncharge(&self, id: EntryId, kind: Kind) -> bool {
        let no_max = |_: u64, _: Kind| 0;
        match self.level(id, &no_max) {
            Some(level) => dec_ucount(&level, kind),
            None => false,
        }
    }
}

/// A [`UcountLevel`] view of one entry of a [`UcountTable`].
#[derive(Debug)]
pub struct TableLevel<'t, const N: usize, F> {
    table: &'t UcountTable<N>,
    idx: u32,
    max_of: &'t F,
}

impl<const N: usize, F> TableLevel<'_, N, F> {
    fn entry(&self) -> Option<&UcountEntry> {
        self.table.entries.get(self.idx as usize)
    }

    /// The id of the entry.
    pub const fn id(&self) -> EntryId {
        EntryId(self.idx)
    }
}

impl<const N: usize, F: Fn(u64, Kind) -> i64> UcountLevel for TableLevel<'_, N, F> {
    fn inc_below(&self, kind: Kind, max: i64) -> bool {
        self.entry().is_some_and(|e| e.counts.inc_below(kind, max))
    }

    fn dec(&self, kind: Kind) -> bool {
        self.entry().is_some_and(|e| e.counts.dec_if_positive(kind))
    }

    fn max(&self, kind: Kind) -> i64 {
        self.entry().map_or(0, |e| (self.max_of)(e.ns_id, kind))
    }

    fn parent(&self) -> Option<Self> {
        let p = self.entry()?.parent;
        if p == NIL {
            return None;
        }
        Some(TableLevel {
            table: self.table,
            idx: p,
            max_of: self.max_of,
        })
    }
}
