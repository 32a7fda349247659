// SPDX-License-Identifier: GPL-2.0-only
//! ucounts: per (user vns, uid) counters of namespaces, charged up the user-namespace chain (spec §4,
//! kernel/ucount.c `inc_ucount()` / `dec_ucount()` in Linux 7.3), the uid hash of kernel/user.c, the limits'
//! sysctl rule (spec §7), and a fixed-capacity table for the STM32 port and the tests.

use core::sync::atomic::{AtomicU32, Ordering};

use super::abi::{Kind, VNS_NR_KINDS};
use super::errno::{Errno, VnsResult};

/// Limit of every kind in a new user vns: `INT_MAX` (kernel/user_namespace.c `create_user_ns()` sets
/// `ns->ucount_max[i] = INT_MAX`).
pub const UCOUNT_MAX_DEFAULT: i64 = i32::MAX as i64;

/// One level of a ucounts chain: the entry (ns, uid) and, through [`UcountLevel::parent`], the entry
/// (ns.parent, ns.owner) that the namespace ns itself is charged to, up to init (`iter->ns->ucounts`).
///
/// `parent` returns an owned handle so that both plain references (`&Entry`) and index-based views of a
/// table can walk the chain. The chain must be finite (levels strictly decrease); it is at most 34 long.
pub trait UcountLevel: Sized {
    /// Increments the counter of `kind` if it is below `max` (`atomic_long_inc_below()`); false otherwise.
    fn inc_below(&self, kind: Kind, max: i64) -> bool;
    /// Decrements the counter of `kind` if it is positive (`atomic_long_dec_if_positive()`); false (an
    /// accounting bug, the kernel's `WARN_ON_ONCE`) if it was already zero.
    fn dec(&self, kind: Kind) -> bool;
    /// The limit of `kind` in this level's user namespace (`READ_ONCE(iter->ns->ucount_max[type])`).
    fn max(&self, kind: Kind) -> i64;
    /// The next level towards init; `None` at the init user namespace.
    fn parent(&self) -> Option<Self>;
}

/// Calls `f(depth, level)` on `first` and each parent in turn until `f` returns false; returns the depth at
/// which it did, or `None` when the whole chain was visited.
fn walk_levels<L: UcountLevel>(first: &L, mut f: impl FnMut(usize, &L) -> bool) -> Option<usize> {
    if !f(0, first) {
        return Some(0);
    }
    let mut depth: usize = 1;
    let mut cur = first.parent();
    while let Some(level) = cur {
        if !f(depth, &level) {
            return Some(depth);
        }
        depth = depth.saturating_add(1);
        cur = level.parent();
    }
    None
}

/// kernel/ucount.c `inc_ucount()`: charges `kind` at every level from `first` to init, each below its own
/// namespace's limit. When a level is at its limit, the levels already charged (and only those) are
/// decremented again and the result is ENOSPC: every counter is then as before the call.
pub fn inc_ucount<L: UcountLevel>(first: &L, kind: Kind) -> VnsResult<()> {
    let Some(bad) = walk_levels(first, |_, level| level.inc_below(kind, level.max(kind))) else {
        return Ok(());
    };
    // `for (iter = ucounts; iter != bad; iter = iter->ns->ucounts) atomic_long_dec(...)`
    walk_levels(first, |depth, level| {
        if depth >= bad {
            return false;
        }
        level.dec(kind);
        true
    });
    Err(Errno::ENOSPC)
}

/// kernel/ucount.c `dec_ucount()`: uncharges `kind` at every level from `first` to init. Returns false if
/// some level was already zero (the kernel warns once; the other levels are still decremented).
pub fn dec_ucount<L: UcountLevel>(first: &L, kind: Kind) -> bool {
    let mut all_positive = true;
    walk_levels(first, |_, level| {
        all_positive &= level.dec(kind);
        true
    });
    all_positive
}

/// `atomic_long_inc_below()` on a 32-bit counter.
fn counter_inc_below(c: &AtomicU32, max: i64) -> bool {
    c.fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| {
        if i64::from(v) < max {
            v.checked_add(1)
        } else {
            None
        }
    })
    .is_ok()
}

/// `atomic_long_dec_if_positive()` on a 32-bit counter.
fn counter_dec_if_positive(c: &AtomicU32) -> bool {
    c.fetch_update(Ordering::AcqRel, Ordering::Acquire, |v| v.checked_sub(1))
        .is_ok()
}

/// Checks a value written to one of the `max_*_namespaces` sysctls: 0..=INT_MAX, else EINVAL
/// (kernel/ucount.c `UCOUNT_ENTRY`: `proc_dointvec_minmax` between `SYSCTL_ZERO` and `SYSCTL_INT_MAX`).
pub const fn check_ucount_max(value: i64) -> VnsResult<u32> {
    if value < 0 || value > UCOUNT_MAX_DEFAULT {
        return Err(Errno::EINVAL);
    }
    Ok(value as u32)
}

/// A write to a `/proc/sys/vns/max_*` sysctl (spec §7): EACCES without vns CAP_SYS_RESOURCE in the
/// caller's user vns (checked first: kernel/ucount.c `set_permissions()` decides at open), then the range.
pub const fn check_ucount_max_write(cap_sys_resource: bool, value: i64) -> VnsResult<u32> {
    if !cap_sys_resource {
        return Err(Errno::EACCES);
    }
    check_ucount_max(value)
}

// ---------------------------------------------------------------------------------------------------------
// Hash: kernel/user.c (Linux 7.3)
//   #define UIDHASH_BITS (IS_ENABLED(CONFIG_BASE_SMALL) ? 3 : 7)
//   #define __uidhashfn(uid) (((uid >> UIDHASH_BITS) + uid) & UIDHASH_MASK)

/// Bits of the ucounts hash: 3 under the small profile (`CONFIG_BASE_SMALL`), 7 otherwise.
#[cfg(feature = "small")]
pub const UIDHASH_BITS: u32 = 3;
/// Bits of the ucounts hash: 3 under the small profile (`CONFIG_BASE_SMALL`), 7 otherwise.
#[cfg(not(feature = "small"))]
pub const UIDHASH_BITS: u32 = 7;
/// Number of hash buckets (`UIDHASH_SZ`): 128, or 8 under the small profile.
pub const UIDHASH_SZ: usize = 1 << UIDHASH_BITS;
/// Mask of a bucket index (`UIDHASH_MASK`).
pub const UIDHASH_MASK: u32 = (1 << UIDHASH_BITS) - 1;

/// `__uidhashfn(uid)` of kernel/user.c: `((uid >> UIDHASH_BITS) + uid) & UIDHASH_MASK` (unsigned, so the
/// sum wraps; only its low bits are kept).
pub const fn uidhashfn(uid: u32) -> usize {
    ((uid >> UIDHASH_BITS).wrapping_add(uid) & UIDHASH_MASK) as usize
}

/// Folds a 64-bit namespace id to 32 bits (low half XOR high half).
pub const fn fold_ns_id(ns_id: u64) -> u32 {
    (ns_id as u32) ^ ((ns_id >> 32) as u32)
}

/// Bucket of (user vns, uid): `__uidhashfn(uid + fold(ns_id))`. The namespace is mixed in by addition,
/// as kernel/ucount.c `ucounts_hashfn()` adds the namespace pointer to the uid before hashing; the
/// 64-bit id is first folded to 32 bits so its high half counts too. Always below `UIDHASH_SZ`.
pub const fn ucounts_hashfn(ns_id: u64, uid: u32) -> usize {
    uidhashfn(uid.wrapping_add(fold_ns_id(ns_id)))
}

// ---------------------------------------------------------------------------------------------------------
// A simple chain for tests and examples.

/// A free-standing ucounts level: its own counters and limits and a reference to its parent level.
/// Used by the tests and the self tests; implements [`UcountLevel`] through `&Level`.
#[derive(Debug)]
pub struct Level<'a> {
    counts: [AtomicU32; VNS_NR_KINDS],
    max: [AtomicU32; VNS_NR_KINDS],
    parent: Option<&'a Level<'a>>,
}

impl<'a> Level<'a> {
    /// A level with zero counters and every limit at `INT_MAX`.
    pub const fn new(parent: Option<&'a Level<'a>>) -> Self {
        Level {
            counts: [const { AtomicU32::new(0) }; VNS_NR_KINDS],
            max: [const { AtomicU32::new(i32::MAX as u32) }; VNS_NR_KINDS],
            parent,
        }
    }

    /// A level with zero counters and every limit at `max`.
    pub fn with_max(parent: Option<&'a Level<'a>>, max: u32) -> Self {
        Level {
            counts: [const { AtomicU32::new(0) }; VNS_NR_KINDS],
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
        self.counts
            .get(kind.index())
            .map_or(0, |c| c.load(Ordering::Acquire))
    }

    /// Every counter, by kind index.
    pub fn counts(&self) -> [u32; VNS_NR_KINDS] {
        Kind::ALL.map(|k| self.count(k))
    }

    /// The parent level.
    pub fn parent_level(&self) -> Option<&'a Level<'a>> {
        self.parent
    }
}

impl<'a> UcountLevel for &'a Level<'a> {
    fn inc_below(&self, kind: Kind, max: i64) -> bool {
        self.counts
            .get(kind.index())
            .is_some_and(|c| counter_inc_below(c, max))
    }

    fn dec(&self, kind: Kind) -> bool {
        self.counts
            .get(kind.index())
            .is_some_and(counter_dec_if_positive)
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

// ---------------------------------------------------------------------------------------------------------
// A fixed-capacity table (STM32 port, tests): hash of (ns id, uid) → entry, bucket chains by index.

const NIL: u32 = u32::MAX;

/// Index of an entry in a [`UcountTable`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EntryId(u32);

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
    counts: [AtomicU32; VNS_NR_KINDS],
}

impl UcountEntry {
    const fn empty() -> UcountEntry {
        UcountEntry {
            ns_id: 0,
            uid: 0,
            refs: 0,
            next: NIL,
            parent: NIL,
            counts: [const { AtomicU32::new(0) }; VNS_NR_KINDS],
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
        self.counts
            .get(kind.index())
            .map_or(0, |c| c.load(Ordering::Acquire))
    }

    /// Every counter, by kind index.
    pub fn counts(&self) -> [u32; VNS_NR_KINDS] {
        Kind::ALL.map(|k| self.count(k))
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
            for c in &e.counts {
                c.store(0, Ordering::Relaxed);
            }
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

    fn counter(&self, kind: Kind) -> Option<&AtomicU32> {
        self.entry()?.counts.get(kind.index())
    }

    /// The id of the entry.
    pub const fn id(&self) -> EntryId {
        EntryId(self.idx)
    }
}

impl<const N: usize, F: Fn(u64, Kind) -> i64> UcountLevel for TableLevel<'_, N, F> {
    fn inc_below(&self, kind: Kind, max: i64) -> bool {
        self.counter(kind)
            .is_some_and(|c| counter_inc_below(c, max))
    }

    fn dec(&self, kind: Kind) -> bool {
        self.counter(kind).is_some_and(counter_dec_if_positive)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_sizes_follow_the_profile() {
        #[cfg(feature = "small")]
        assert_eq!((UIDHASH_BITS, UIDHASH_SZ), (3, 8));
        #[cfg(not(feature = "small"))]
        assert_eq!((UIDHASH_BITS, UIDHASH_SZ), (7, 128));
        assert_eq!(UIDHASH_MASK as usize, UIDHASH_SZ - 1);
    }

    #[test]
    fn ucounts_hash_stays_in_range() {
        for ns in [0u64, 1, 2, 0xffff_ffff, 0x1_0000_0000, u64::MAX] {
            for uid in [0u32, 1, 1000, 65534, u32::MAX] {
                assert!(ucounts_hashfn(ns, uid) < UIDHASH_SZ);
            }
        }
    }

    #[test]
    fn hash_mixes_the_namespace() {
        // The same uid in UIDHASH_SZ consecutive namespaces spreads over (nearly) every bucket: the
        // `uid >> UIDHASH_BITS` term of __uidhashfn steps once inside the run, so one bucket may repeat.
        let mut seen = [false; UIDHASH_SZ];
        for ns in 0..UIDHASH_SZ as u64 {
            if let Some(s) = seen.get_mut(ucounts_hashfn(ns, 1000)) {
                *s = true;
            }
        }
        assert!(seen.iter().filter(|&&s| s).count() >= UIDHASH_SZ - 1);
        // The high half of the id is not ignored.
        assert_ne!(ucounts_hashfn(1 << 32, 0), ucounts_hashfn(0, 0));
    }

    #[test]
    fn table_reuses_freed_slots() {
        let mut t = UcountTable::<2>::new();
        let a = t.get_or_insert(1, 0, None);
        assert!(a.is_ok());
        let Ok(a) = a else { return };
        assert_eq!(t.put(a), Ok(true));
        assert!(t.is_empty());
        assert_eq!(t.get_or_insert(2, 0, None), Ok(a));
        assert_eq!(t.find(1, 0), None);
        assert_eq!(t.find(2, 0), Some(a));
    }

    #[test]
    fn table_rejects_dead_ids() {
        let mut t = UcountTable::<2>::new();
        assert_eq!(t.put(EntryId(0)), Err(Errno::EINVAL));
        assert_eq!(t.get(EntryId(1)), Err(Errno::EINVAL));
        assert_eq!(t.get_or_insert(1, 1, Some(EntryId(0))), Err(Errno::EINVAL));
        assert_eq!(
            t.charge(EntryId(5), Kind::Net, &|_, _| 10),
            Err(Errno::EINVAL)
        );
        assert!(!t.uncharge(EntryId(5), Kind::Net));
    }

    #[test]
    fn zero_capacity_table() {
        let mut t = UcountTable::<0>::new();
        assert_eq!(t.capacity(), 0);
        assert_eq!(t.get_or_insert(1, 1, None), Err(Errno::ENOMEM));
    }
}
