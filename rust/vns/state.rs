// SPDX-License-Identifier: GPL-2.0

//! The module's state: the namespace registry, the ucounts table, the membership table, the init
//! namespaces and the global limits; and what the calling task resolves to (its membership and
//! capabilities, spec §1-§2).
//!
//! Locking: each table has its own spinlock for changes (lookups take none, under RCU); a mount table
//! and a pid vns number map each have a spinlock; the uts names have a seqlock. No lock is held while
//! another is taken, except the registry's or the ucounts' lock, which a release can take while
//! nothing else is held. Nothing sleeps under a spinlock, and no path calls `synchronize_rcu`.

#![deny(unsafe_code)]

use kernel::{
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        Arc,
    },
};

use crate::{
    error::VnsResult,
    member::{Member, MemberRef, PidNr, MEMBER_BUCKETS},
    mnt::MntNs,
    ns::{Ns, NsRef, NsState, PidNs, Proxy, UserNs, REGISTRY_BUCKETS},
    sys::{self, CurrentFacts, RcuRef, RcuTable, TaskKey, UtsNames},
    ucounts::{UcRef, Ucounts, UCOUNTS_BUCKETS},
    vcore::{
        abi::{Kind, VNS_NR_KINDS},
        caps::{ns_capable_walk, CapSet},
        idmap::IdMap,
        mount::MOUNT_MAX_DEFAULT,
    },
};

/// The module-wide state, shared by the device, the sysctl handlers and the probes.
///
/// Fields drop in order: the memberships first (see `Drop`), then the init namespaces, then the
/// tables they were registered in.
pub(crate) struct Vns {
    /// Task → membership (strong table).
    pub(crate) members: Pin<KBox<RcuTable<Member>>>,
    /// The init namespaces, as the membership of every task that never touched vns.
    pub(crate) init: Arc<Proxy>,
    /// (user vns, kuid) → counters (weak table).
    pub(crate) ucounts: Pin<KBox<RcuTable<Ucounts>>>,
    /// id → namespace (weak table).
    pub(crate) registry: Pin<KBox<RcuTable<Ns>>>,
    /// `/proc/sys/vns/mount-max`: one global value.
    pub(crate) mount_max: Atomic<i32>,
    /// The next namespace id (never reused while the module is loaded).
    next_ns_id: Atomic<u64>,
    /// The next `mnt_id_unique`.
    next_mnt_id: Atomic<u64>,
}

impl Vns {
    /// Creates the tables and the init namespaces (spec §1): the init user vns has level 0, owner 0,
    /// identity maps and the kernel's init limits; the init uts vns the kernel's names.
    pub(crate) fn new() -> VnsResult<Arc<Self>> {
        let registry = KBox::pin_init(RcuTable::new(REGISTRY_BUCKETS, true), GFP_KERNEL)?;
        let ucounts = KBox::pin_init(RcuTable::new(UCOUNTS_BUCKETS, true), GFP_KERNEL)?;
        let members = KBox::pin_init(RcuTable::new(MEMBER_BUCKETS, false), GFP_KERNEL)?;
        let next_ns_id = Atomic::new(1u64);
        let next_mnt_id = Atomic::new(1u64);
        let new_init = |kind: Kind, owner: Option<&NsRef>, state: NsState| -> VnsResult<NsRef> {
            let ns = new_ns(&next_ns_id, kind, owner.cloned(), None, state, GFP_KERNEL)?;
            registry.publish(&ns);
            Ok(ns)
        };

        let user = UserNs::new(0, 0, 0);
        for kind in Kind::ALL {
            let max = i32::try_from(sys::init_ucount_max(kind.index())).unwrap_or(i32::MAX);
            if let Some(m) = user.ucount_max.get(kind.index()) {
                m.store(max, Relaxed);
            }
        }
        user.uid_map.populate(KBox::new(IdMap::identity(), GFP_KERNEL)?);
        user.gid_map.populate(KBox::new(IdMap::identity(), GFP_KERNEL)?);
        let user = new_init(Kind::User, None, NsState::User(user))?;
        let o = Some(&user);
        let pid = new_init(
            Kind::Pid,
            o,
            NsState::Pid(PidNs {
                level: 0,
                parent: None,
                ids: None,
            }),
        )?;
        let uts = new_init(Kind::Uts, o, NsState::Uts(UtsNames::new(None)?))?;
        let ipc = new_init(Kind::Ipc, o, NsState::Plain)?;
        let net = new_init(Kind::Net, o, NsState::Plain)?;
        let root_mnt = next_mnt_id.fetch_add(1, Relaxed);
        let mnt = new_init(Kind::Mnt, o, NsState::Mnt(MntNs::new_init(root_mnt)?))?;
        let cgroup = new_init(Kind::Cgroup, o, NsState::Plain)?;
        let time = new_init(Kind::Time, o, NsState::Plain)?;
        let init = Proxy::new([user, pid.clone(), uts, ipc, net, mnt, cgroup, time], pid)?;

        Ok(Arc::new(
            Self {
                members,
                init,
                ucounts,
                registry,
                mount_max: Atomic::new(MOUNT_MAX_DEFAULT as i32),
                next_ns_id,
                next_mnt_id,
            },
            GFP_KERNEL,
        )?)
    }

    /// A new namespace with a fresh id, charged to the caller's memcg, **not yet published**: no other
    /// task can find it (LIST_NS, SETNS, SET_ID_MAP, GET_UCOUNTS) until [`Vns::publish`], which the
    /// creating call does only once nothing can fail any more. Dropped unpublished, it returns its charge.
    pub(crate) fn new_ns(
        &self,
        kind: Kind,
        owner: &NsRef,
        charge: crate::ucounts::Charge<'_>,
        state: NsState,
    ) -> VnsResult<NsRef> {
        new_ns(&self.next_ns_id, kind, Some(owner.clone()), charge.commit(), state, GFP_KERNEL_ACCOUNT)
    }

    /// Makes a namespace from [`Vns::new_ns`] reachable by id. Cannot fail.
    pub(crate) fn publish(&self, ns: &NsRef) {
        self.registry.publish(ns);
    }

    /// A fresh `mnt_id_unique`.
    pub(crate) fn next_mnt_id(&self) -> u64 {
        self.next_mnt_id.fetch_add(1, Relaxed)
    }

    /// The namespace with `id`, if it exists.
    pub(crate) fn find_ns(&self, id: u64) -> Option<NsRef> {
        self.registry.lookup(&id)
    }

    /// What the calling task is a member of (spec §1): its entry, or the init namespaces. Every task a
    /// member creates has an entry before it first runs (`on_fork`), so no task of a vns falls back.
    pub(crate) fn resolve(&self) -> Current {
        let facts = sys::current_facts();
        if let Some(m) = self.members.lookup(&TaskKey::current()) {
            return Current {
                proxy: m.proxy.clone(),
                caps: m.caps(),
                pid: m.pid.clone(),
                member: Some(m),
                facts,
            };
        }
        Current {
            proxy: self.init.clone(),
            caps: CapSet::empty(),
            pid: None,
            member: None,
            facts,
        }
    }
}

impl Drop for Vns {
    fn drop(&mut self) {
        // Whatever tasks are still members, their memberships go first (spec §9): the probes are gone,
        // so nothing adds one any more.
        self.members.clear();
        // What is left are the init namespaces, released when `init` drops; anything else would be a
        // reference leaked by vns.
        let mut leaked = 0u32;
        self.registry.for_each(|ns| {
            if ns.charge.is_some() {
                leaked += 1;
            }
        });
        if leaked > 0 {
            pr_warn!("{} namespaces still referenced at unload\n", leaked);
        }
    }
}

/// Creates a namespace (not linked in the registry).
fn new_ns(
    next_id: &Atomic<u64>,
    kind: Kind,
    owner: Option<NsRef>,
    charge: Option<UcRef>,
    state: NsState,
    flags: kernel::alloc::Flags,
) -> VnsResult<NsRef> {
    let id = next_id.fetch_add(1, Relaxed);
    Ok(RcuRef::new(
        id,
        Ns {
            id,
            kind,
            owner,
            charge,
            nr_tasks: Atomic::new(0),
            state,
        },
        flags,
    )?)
}

/// The calling task as vns sees it.
pub(crate) struct Current {
    /// Its membership entry, if it has one of its own.
    pub(crate) member: Option<MemberRef>,
    /// Its namespaces.
    pub(crate) proxy: Arc<Proxy>,
    /// Its capability set in its own user vns (meaningful outside the init user vns).
    pub(crate) caps: CapSet,
    /// Its number in its active pid vns.
    pub(crate) pid: Option<Arc<PidNr>>,
    /// Its credentials and thread facts.
    pub(crate) facts: CurrentFacts,
}

impl Current {
    /// Its own user vns.
    pub(crate) fn user_ns(&self) -> &NsRef {
        self.proxy.user_ns()
    }

    /// Whether its own user vns is the init one.
    pub(crate) fn in_init_user_ns(&self) -> bool {
        self.user_ns().owner.is_none()
    }

    /// Whether it has `cap` in its own user vns: its real capability in the init user vns, its vns set
    /// elsewhere (spec §2).
    pub(crate) fn has_cap_in_own(&self, cap: u32) -> bool {
        if self.in_init_user_ns() {
            sys::capable(cap)
        } else {
            self.caps.has(cap)
        }
    }

    /// `vns_capable(current, target, cap)`: security/commoncap.c `cap_capable` over the user vns tree.
    pub(crate) fn ns_capable(&self, target: &Ns, cap: u32) -> bool {
        let own: &Ns = self.user_ns();
        ns_capable_walk(&own, self.facts.euid, self.has_cap_in_own(cap), &target)
    }

    /// Whether it holds every capability in its own user vns (GET_INFO flags bit 0): in the init user
    /// vns, as `capable()` decides for each, the same test every permission check makes there.
    pub(crate) fn full_caps(&self) -> bool {
        if self.in_init_user_ns() {
            sys::capable_all()
        } else {
            self.caps.is_full()
        }
    }

    /// The namespace ids of its membership, in kind order.
    pub(crate) fn ns_ids(&self) -> [u64; VNS_NR_KINDS] {
        crate::member::ns_ids(&self.proxy)
    }
}
