// SPDX-License-Identifier: GPL-2.0

//! Namespace objects (spec §1, §5): one reference-counted type for every kind, with the per-kind state
//! in [`NsState`], registered by id in a weak RCU table (the registry) that LIST_NS and SETNS search.
//!
//! Lifetime: a namespace is held by the memberships that name it (through [`Proxy`]), by the namespaces
//! it owns or parents, and by callers in flight. When the last reference goes, it leaves the registry,
//! its charge is returned to the ucounts at every level, and its memory is freed after an RCU grace period
//! — all before the call that dropped the reference returns (spec §4: release is synchronous).

#![deny(unsafe_code)]

use kernel::{
    new_spinlock,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        Arc, SetOnce, SpinLock,
    },
};

use crate::{
    error::VnsResult,
    mnt::MntNs,
    sys::{RcuObject, RcuRef, UtsNames},
    ucounts::{dec_ucount, UcRef},
    vcore::{
        abi::{Kind, VNS_NR_KINDS},
        caps::UserNsView,
        idmap::IdMap,
        ucount::UCOUNT_MAX_DEFAULT,
    },
};

/// A counted reference to a namespace (`get_*_ns`/`put_*_ns`).
pub(crate) type NsRef = RcuRef<Ns>;

/// Buckets of the registry (ids are sequential: any power of two spreads them evenly).
pub(crate) const REGISTRY_BUCKETS: usize = 64;

/// A namespace of any kind.
pub(crate) struct Ns {
    /// Unique while the module is loaded (spec §1); also the registry key.
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

/// The state of each kind (spec §5; ipc, net, cgroup and time have identity, ownership and accounting
/// only in v1).
pub(crate) enum NsState {
    /// A user vns.
    User(UserNs),
    /// A pid vns.
    Pid(PidNs),
    /// A uts vns.
    Uts(UtsNames),
    /// A mount vns.
    Mnt(MntNs),
    /// ipc, net, cgroup, time.
    Plain,
}

/// A user vns (spec §5 user).
pub(crate) struct UserNs {
    /// Nesting level; init is 0.
    pub(crate) level: u32,
    /// The creator's effective kuid (`ns->owner`).
    pub(crate) owner_uid: u32,
    /// The creator's effective kgid (`ns->group`); kept as the kernel keeps it, though no v1 interface
    /// reports it.
    #[allow(dead_code)]
    pub(crate) owner_gid: u32,
    /// Written once (spec §6); read without locks.
    pub(crate) uid_map: SetOnce<KBox<IdMap>>,
    /// As `uid_map`.
    pub(crate) gid_map: SetOnce<KBox<IdMap>>,
    /// `ucount_max[type]`, set through `/proc/sys/vns` by tasks in this namespace.
    pub(crate) ucount_max: [Atomic<i32>; VNS_NR_KINDS],
}

impl UserNs {
    /// A user vns at `level` owned by (`uid`, `gid`), limits at INT_MAX, maps not written.
    pub(crate) fn new(level: u32, uid: u32, gid: u32) -> Self {
        Self {
            level,
            owner_uid: uid,
            owner_gid: gid,
            uid_map: SetOnce::new(),
            gid_map: SetOnce::new(),
            ucount_max: [const { Atomic::new(UCOUNT_MAX_DEFAULT as i32) }; VNS_NR_KINDS],
        }
    }

    /// `READ_ONCE(ns->ucount_max[kind])`.
    pub(crate) fn ucount_max(&self, kind: Kind) -> i32 {
        self.ucount_max.get(kind.index()).map_or(0, |m| m.load(Relaxed))
    }

    /// The uid map (`which` 0) or gid map (1), if written.
    pub(crate) fn map(&self, which: u32) -> Option<&IdMap> {
        let m = if which == 0 { &self.uid_map } else { &self.gid_map };
        m.as_ref().map(|b| &**b)
    }

    /// `from_kuid_munged`: `kid` as seen inside this namespace, 65534 when unmapped.
    pub(crate) fn map_up_or_overflow(&self, which: u32, kid: u32) -> u32 {
        self.map(which)
            .map_or(crate::vcore::idmap::OVERFLOW_ID, |m| m.map_id_up_or_overflow(kid))
    }

    /// `kuid_has_mapping`.
    pub(crate) fn has_mapping(&self, which: u32, kid: u32) -> bool {
        self.map(which).is_some_and(|m| m.has_mapping(kid))
    }
}

/// A pid vns (spec §5 pid).
pub(crate) struct PidNs {
    /// Nesting level; init is 0.
    pub(crate) level: u32,
    /// The parent pid vns; `None` for init.
    pub(crate) parent: Option<NsRef>,
    /// The numbers in use (`None` for init, where a task's number is its real tgid).
    pub(crate) ids: Option<Pin<KBox<SpinLock<PidMap>>>>,
}

/// Highest number a pid vns hands out (the kernel's default `pid_max`).
const PID_NR_MAX: u32 = 32768;

/// Words of a pid vns's bitmap: numbers 0 to `PID_NR_MAX`.
const PID_MAP_WORDS: usize = PID_NR_MAX as usize / 64 + 1;

/// The numbers in use in one pid vns, allocated cyclically from 1 as `alloc_pid()` does. The bitmap is
/// allocated whole (4 KiB) with the namespace, so that the fork probe never allocates for a number.
pub(crate) struct PidMap {
    bits: KVec<u64>,
    last: u32,
}

impl PidNs {
    /// A new pid vns below `parent` at `level`.
    pub(crate) fn new(level: u32, parent: NsRef) -> VnsResult<Self> {
        let mut bits = KVec::with_capacity(PID_MAP_WORDS, GFP_KERNEL_ACCOUNT)?;
        bits.resize(PID_MAP_WORDS, 0, GFP_KERNEL_ACCOUNT)?;
        Ok(Self {
            level,
            parent: Some(parent),
            ids: Some(KBox::pin_init(
                new_spinlock!(
                    PidMap {
                        bits,
                        last: 0,
                    },
                    "vns_pid_map"
                ),
                GFP_KERNEL_ACCOUNT,
            )?),
        })
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

impl Ns {
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

    /// Nesting level: of the user or pid vns itself; other kinds report their owner's level.
    pub(crate) fn level(&self) -> u32 {
        match &self.state {
            NsState::User(u) => u.level,
            NsState::Pid(p) => p.level,
            _ => self.owner.as_ref().and_then(|o| o.user()).map_or(0, |u| u.level),
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
    pub(crate) fn owner_or_self<'a>(this: &'a NsRef) -> &'a NsRef {
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

impl Ns {
    /// Returns the charge at every level (`dec_ucount`); once.
    fn uncharge(&mut self) {
        if let (Some(uc), Some(owner)) = (self.charge.take(), self.owner.as_ref()) {
            dec_ucount(&uc, owner, self.kind);
        }
    }
}

impl Drop for Ns {
    /// A namespace dropped without ever being published (its allocation failed) still returns its
    /// charge; a published one has done so in `detach`.
    fn drop(&mut self) {
        self.uncharge();
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

/// A task's namespaces (`struct nsproxy`): one of each kind, plus `pid_for_children`, and the proxy
/// the task's children get (spec §1). Immutable: a change makes a new proxy.
pub(crate) struct Proxy {
    /// The active namespace of each kind, in kind order.
    pub(crate) ns: [NsRef; VNS_NR_KINDS],
    /// `pid_ns_for_children`.
    pub(crate) pid_for_children: NsRef,
    /// What children get when `pid_for_children` differs from the active pid vns (their active pid
    /// vns is then `pid_for_children`); `None` when children share this proxy.
    pub(crate) for_children: Option<Arc<Proxy>>,
}

impl Proxy {
    /// A proxy of `ns` with `pid_for_children`, and its children's proxy when that differs.
    pub(crate) fn new(ns: [NsRef; VNS_NR_KINDS], pid_for_children: NsRef) -> VnsResult<Arc<Self>> {
        let active_pid = &ns[Kind::Pid.index()];
        let for_children = if RcuRef::ptr_eq(active_pid, &pid_for_children) {
            None
        } else {
            let mut child_ns = ns.clone();
            child_ns[Kind::Pid.index()] = pid_for_children.clone();
            Some(Arc::new(
                Proxy {
                    ns: child_ns,
                    pid_for_children: pid_for_children.clone(),
                    for_children: None,
                },
                GFP_KERNEL_ACCOUNT,
            )?)
        };
        Ok(Arc::new(
            Proxy {
                ns,
                pid_for_children,
                for_children,
            },
            GFP_KERNEL_ACCOUNT,
        )?)
    }

    /// The active namespace of `kind`.
    pub(crate) fn get(&self, kind: Kind) -> &NsRef {
        &self.ns[kind.index()]
    }

    /// The user vns.
    pub(crate) fn user_ns(&self) -> &NsRef {
        self.get(Kind::User)
    }

    /// A copy of the namespace array, for building a changed proxy.
    pub(crate) fn ns_array(&self) -> [NsRef; VNS_NR_KINDS] {
        self.ns.clone()
    }
}
