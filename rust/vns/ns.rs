// SPDX-License-Identifier: GPL-2.0

//! Namespace objects (Documentation/vns.rst "Objects"): one reference-counted type for every kind, with
//! the per-kind state in [`NsState`] (a pid vns's is here too: [`PidNs`], kernel/pid_namespace.c).
//!
//! Lifetime: a namespace is held by the memberships that name it (through `NsProxy`), by the
//! namespaces it owns or parents, and by callers in flight. When the last reference goes, it leaves the
//! registry, its charge is returned to the ucounts at every level, and its memory is freed after an RCU
//! grace period -- all before the call that dropped the reference returns (release is synchronous).

#![deny(unsafe_code)]

use kernel::{
    new_spinlock,
    prelude::*,
    sync::{
        atomic::Atomic,
        SpinLock, //
    }, //
};

use crate::{
    error::VnsResult,
    mnt::MntNs,
    sys::{
        OnceBox,
        RcuObject,
        RcuRef,
        UtsNames, //
    },
    time::TimeNs,
    ucounts::{
        dec_ucount,
        UcRef,
        Ucounts,
        UcountsOwner, //
    },
    user::UserNs,
    vcore::{
        abi::Kind,
        caps::UserNsView, //
    }, //
};

/// A counted reference to a namespace (`get_*_ns`/`put_*_ns`).
pub(crate) type NsRef = RcuRef<Ns>;

/// A namespace of any kind.
pub(crate) struct Ns {
    /// Unique while the module is loaded; also the registry key.
    pub(crate) id: u64,
    /// The kind.
    pub(crate) kind: Kind,
    /// The owning user vns (for a user vns: its parent, as nsfs reports it). `None` only for the init
    /// user vns.
    pub(crate) owner: Option<NsRef>,
    /// The ucounts entry (owner, creator) this namespace is charged to; `None` for init namespaces. For a
    /// user vns this is the kernel's `ns->ucounts`, the next level of the charge walk.
    pub(crate) charge: Option<UcRef>,
    /// Tasks whose membership names this namespace as active (LIST_NS `nr_tasks`).
    pub(crate) nr_tasks: Atomic<u32>,
    /// Per-kind state.
    pub(crate) state: NsState,
}

/// The state of each kind (ipc, net and cgroup have identity, ownership and accounting only).
///
/// The states with a lock (a pid vns's number map, a mount table) keep it in a box of their own: pin-init
/// cannot initialise a lock in place inside an enum variant.
pub(crate) enum NsState {
    /// A user vns.
    User(UserNs),
    /// A pid vns.
    Pid(PidNs),
    /// A uts vns.
    Uts(UtsNames),
    /// A mount vns.
    Mnt(MntNs),
    /// A time vns.
    Time(TimeNs),
    /// ipc, net, cgroup.
    Plain,
}

impl Ns {
    /// A namespace of `kind` owned by `owner`, charged with `charge`, not counted in any membership yet.
    pub(crate) fn new(
        id: u64,
        kind: Kind,
        owner: Option<NsRef>,
        charge: Option<UcRef>,
        state: NsState,
    ) -> Self {
        Self {
            id,
            kind,
            owner,
            charge,
            nr_tasks: Atomic::new(0),
            state,
        }
    }

    /// Whether this is one of the init namespaces (the only ones charged to nobody).
    pub(crate) fn is_init(&self) -> bool {
        self.charge.is_none()
    }

    /// The user vns state, if this is a user vns.
    pub(crate) fn user(&self) -> Option<&UserNs> {
        match &self.state {
            NsState::User(u) => Some(u),
            _ => None,
        }
    }

    /// The pid vns state, if this is a pid vns.
    pub(crate) fn pid(&self) -> Option<&PidNs> {
        match &self.state {
            NsState::Pid(p) => Some(p),
            _ => None,
        }
    }

    /// The uts names, if this is a uts vns.
    pub(crate) fn uts(&self) -> Option<&UtsNames> {
        match &self.state {
            NsState::Uts(u) => Some(u),
            _ => None,
        }
    }

    /// The mount table, if this is a mount vns.
    pub(crate) fn mnt(&self) -> Option<&MntNs> {
        match &self.state {
            NsState::Mnt(m) => Some(m),
            _ => None,
        }
    }

    /// The clock offsets, if this is a time vns.
    pub(crate) fn time(&self) -> Option<&TimeNs> {
        match &self.state {
            NsState::Time(t) => Some(t),
            _ => None,
        }
    }

    /// Nesting level: of the user or pid vns itself; other kinds report their owner's level.
    pub(crate) fn level(&self) -> u32 {
        match &self.state {
            NsState::User(u) => u.level,
            NsState::Pid(p) => p.level,
            _ => self
                .owner
                .as_ref()
                .and_then(|o| o.user())
                .map_or(0, |u| u.level),
        }
    }

    /// The parent: a user vns's parent, a pid vns's parent; other kinds have none.
    pub(crate) fn parent(&self) -> Option<&NsRef> {
        match &self.state {
            NsState::User(_) => self.owner.as_ref(),
            NsState::Pid(p) => p.parent.as_ref(),
            _ => None,
        }
    }

    /// The owning user vns; the init user vns owns itself for this purpose.
    pub(crate) fn owner_or_self(this: &NsRef) -> &NsRef {
        this.owner.as_ref().unwrap_or(this)
    }

    /// Whether `self` is `ancestor` or one of its descendants in the user vns tree (`self` a user vns).
    pub(crate) fn is_same_or_descendant_of(&self, ancestor: &Ns) -> bool {
        let mut cur: Option<&Ns> = Some(self);
        while let Some(ns) = cur {
            if ns.id == ancestor.id {
                return true;
            }
            cur = ns.owner.as_deref();
        }
        false
    }

    /// Whether `self` is `ancestor` or below it in the pid vns tree.
    pub(crate) fn is_pid_descendant_of(&self, ancestor: &Ns) -> bool {
        let mut cur = Some(self);
        while let Some(n) = cur {
            if n.id == ancestor.id {
                return true;
            }
            cur = n.pid().and_then(|p| p.parent.as_deref());
        }
        false
    }

    /// Returns the charge at every level (`dec_ucount`); once.
    fn uncharge(&mut self) {
        if let (Some(uc), Some(owner)) = (self.charge.take(), self.owner.as_ref()) {
            dec_ucount(&uc, &**owner, self.kind);
        }
    }
}

impl RcuObject for Ns {
    type Key = u64;

    fn bucket(key: &u64, buckets: usize) -> usize {
        (*key as usize) % buckets.max(1)
    }

    /// The last reference is gone: return the charge at every level (`dec_ucount`), then hand the
    /// owner and parent references to the caller's release loop.
    fn detach(&mut self) -> [Option<RcuRef<Self>>; 2] {
        self.uncharge();
        let parent = match &mut self.state {
            NsState::Pid(p) => p.parent.take(),
            _ => None,
        };
        [self.owner.take(), parent]
    }
}

impl Drop for Ns {
    /// A namespace dropped without ever being published (its allocation failed) still returns its
    /// charge; a published one has done so in `detach`.
    fn drop(&mut self) {
        self.uncharge();
    }
}

/// A user vns as a level of the ucounts charge walk.
impl UcountsOwner for Ns {
    fn id(&self) -> u64 {
        self.id
    }

    fn ucount_max(&self, kind: Kind) -> i64 {
        self.user().map_or(0, |u| u.ucount_max(kind).into())
    }

    fn charged_to(&self) -> Option<(&Ucounts, &Self)> {
        Some((self.charge.as_deref()?, self.owner.as_deref()?))
    }
}

impl<'a> UserNsView for &'a Ns {
    fn id(&self) -> u64 {
        self.id
    }

    fn level(&self) -> u32 {
        Ns::level(self)
    }

    fn owner(&self) -> u32 {
        self.user().map_or(0, |u| u.owner_uid)
    }

    fn parent(&self) -> Option<Self> {
        self.owner.as_deref()
    }
}

/// Highest number a pid vns hands out: numbers are below the kernel's default `pid_max` (32768), as
/// `alloc_pid()`'s `idr_alloc_cyclic(.., pid_min, pid_max)` hands them out.
const PID_NR_MAX: u32 = 32767;

/// Words of a pid vns's bitmap: numbers 0 to `PID_NR_MAX` (4 KiB).
const PID_MAP_WORDS: usize = (PID_NR_MAX as usize + 1) / 64;

/// A pid vns.
pub(crate) struct PidNs {
    /// Nesting level; init is 0.
    pub(crate) level: u32,
    /// The parent pid vns; `None` for init.
    pub(crate) parent: Option<NsRef>,
    /// The numbers in use (`None` for init, where a task's number is its real tgid), allocated with the
    /// first number: a pid vns that numbers no task costs no map.
    ids: Option<OnceBox<SpinLock<PidMap>>>,
}

/// The numbers in use in one pid vns, allocated cyclically from 1 as `alloc_pid()` does.
pub(crate) struct PidMap {
    /// The bitmap, allocated (4 KiB, zeroed) for the first number: a pid vns that never numbers a task
    /// costs none, as the kernel's IDR allocates its nodes in `alloc_pid()`.
    bits: Option<KBox<[u64; PID_MAP_WORDS]>>,
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
        Ok(Self {
            level,
            parent,
            ids: Some(OnceBox::new()),
        })
    }

    /// The number map, allocated (charged to the caller's memcg) if this is the first number.
    fn map(&self) -> Option<&SpinLock<PidMap>> {
        let cell = self.ids.as_ref()?;
        if let Some(map) = cell.get() {
            return Some(map);
        }
        let map = KBox::pin_init(
            new_spinlock!(
                PidMap {
                    bits: None,
                    last: 0
                },
                "vns_pid_map"
            ),
            GFP_KERNEL_ACCOUNT,
        )
        .ok()?;
        Some(cell.get_or_set(map))
    }

    /// Whether this pid vns numbers its tasks (any but init).
    pub(crate) fn numbers_tasks(&self) -> bool {
        self.ids.is_some()
    }

    /// Allocates the next free number (from 1), or `None` when all are in use or the bitmap cannot be
    /// allocated. Called from the fork probe, which may sleep: the first number allocates the bitmap
    /// (charged to the caller's memcg) before the lock is taken.
    pub(crate) fn alloc_nr(&self) -> Option<u32> {
        let ids = self.map()?;
        // Declared before the guard, so that an unused bitmap is freed after the lock is released.
        let mut fresh = if ids.lock().bits.is_none() {
            Some(KBox::<[u64; PID_MAP_WORDS]>::zeroed(GFP_KERNEL_ACCOUNT).ok()?)
        } else {
            None
        };
        let mut map = ids.lock();
        if map.bits.is_none() {
            map.bits = fresh.take();
        }
        let start = map.last;
        let mut nr = start;
        loop {
            nr = if nr >= PID_NR_MAX { 1 } else { nr + 1 };
            let (word, bit) = ((nr / 64) as usize, nr % 64);
            let w = map.bits.as_mut()?.get_mut(word)?;
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
        let Some(ids) = self.ids.as_ref().and_then(OnceBox::get) else {
            return;
        };
        if let Some(w) = ids
            .lock()
            .bits
            .as_mut()
            .and_then(|bits| bits.get_mut((nr / 64) as usize))
        {
            *w &= !(1 << (nr % 64));
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

    /// A new pid vns has no map until its first number; then every number below `pid_max` (32768)
    /// can be handed out once, and a freed one again.
    #[test]
    fn pid_bitmap_at_first_number_and_exhaustion() -> Result {
        let p = PidNs::numbered(1, None)?;
        let cell = p.ids.as_ref().ok_or(EINVAL)?;
        assert!(cell.get().is_none());
        // Freeing before any number was handed out is harmless.
        p.free_nr(5);
        assert!(cell.get().is_none());
        for nr in 1..=PID_NR_MAX {
            assert_eq!(p.alloc_nr(), Some(nr));
        }
        assert!(cell.get().ok_or(EINVAL)?.lock().bits.is_some());
        assert_eq!(p.alloc_nr(), None);
        p.free_nr(1234);
        assert_eq!(p.alloc_nr(), Some(1234));
        assert_eq!(p.alloc_nr(), None);
        Ok(())
    }
}
