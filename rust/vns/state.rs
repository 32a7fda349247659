// SPDX-License-Identifier: GPL-2.0

//! The module's state: the owners of its tables (the namespace registry, the ucounts, the memberships),
//! the init namespaces and the global limits; and what the calling task resolves to (its membership and
//! capabilities, Documentation/vns.rst "Membership" and "Capabilities").
//!
//! Locking: each table has its own spinlock for changes (lookups take none, under RCU); a mount table
//! and a pid vns number map each have a spinlock; the uts names have a seqlock. No lock is held while
//! another is taken, except the registry's or the ucounts' lock, which a release can take while
//! nothing else is held. Nothing sleeps under a spinlock, and no path calls `synchronize_rcu`.

#![deny(unsafe_code)]

use kernel::{
    prelude::*,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        Arc, //
    }, //
};

use crate::{
    error::VnsResult,
    kind::PerKind,
    member::{
        MemberRef,
        Members,
        PidNr, //
    },
    mnt::MntNs,
    ns::{
        Ns,
        NsRef,
        NsState,
        PidNs, //
    },
    proxy::{
        NsProxy,
        ProxyRef, //
    },
    registry::Registry,
    sys::{
        self,
        CurrentFacts,
        TaskKey,
        UtsNames, //
    },
    time::TimeNs,
    ucounts::{
        UcRef,
        UcountsTable, //
    },
    user::{
        IdMapKind,
        UserNs, //
    },
    vcore::{
        abi::Kind,
        caps::{
            ns_capable_walk,
            CapSet, //
        },
        idmap::IdMap,
        mount::MOUNT_MAX_DEFAULT, //
    }, //
};

/// The module-wide state, shared by the device, the sysctl handlers and the probes.
///
/// Fields drop in order: the memberships first (see `Drop`), then the init namespaces, then the
/// tables they were registered in.
pub(crate) struct Vns {
    /// Task → membership.
    pub(crate) members: Members,
    /// The init namespaces, as the membership of every task that never touched vns.
    pub(crate) init: ProxyRef,
    /// (user vns, kuid) → counters.
    pub(crate) ucounts: UcountsTable,
    /// id → namespace.
    pub(crate) registry: Registry,
    /// `/proc/sys/vns/mount-max`: one global value.
    pub(crate) mount_max: Atomic<i32>,
    /// The next `mnt_id_unique`.
    next_mnt_id: Atomic<u64>,
}

impl Vns {
    /// Creates the tables and the init namespaces: the init user vns has level 0, owner 0, identity maps
    /// and the kernel's init limits; the init uts vns the kernel's names.
    pub(crate) fn new() -> VnsResult<Arc<Self>> {
        let registry = Registry::new()?;
        let next_mnt_id = Atomic::new(1u64);
        let new_init = |kind: Kind, owner: Option<&NsRef>, state: NsState| -> VnsResult<NsRef> {
            let ns = registry.create(kind, owner.cloned(), None, state, GFP_KERNEL)?;
            registry.publish(&ns);
            Ok(ns)
        };

        let user = UserNs::new(0, 0, 0);
        for (kind, max) in user.ucount_max.each() {
            max.store(
                i32::try_from(sys::init_ucount_max(kind.index())).unwrap_or(i32::MAX),
                Relaxed,
            );
        }
        user.set_map(IdMapKind::Uid, KBox::new(IdMap::identity(), GFP_KERNEL)?);
        user.set_map(IdMapKind::Gid, KBox::new(IdMap::identity(), GFP_KERNEL)?);
        let user = new_init(Kind::User, None, NsState::User(user))?;
        let o = Some(&user);
        let pid = new_init(Kind::Pid, o, NsState::Pid(PidNs::init()))?;
        let uts = new_init(Kind::Uts, o, NsState::Uts(UtsNames::new(None)?))?;
        let ipc = new_init(Kind::Ipc, o, NsState::Plain)?;
        let net = new_init(Kind::Net, o, NsState::Plain)?;
        let root_mnt = next_mnt_id.fetch_add(1, Relaxed);
        let mnt = new_init(Kind::Mnt, o, NsState::Mnt(MntNs::new_init(root_mnt)?))?;
        let cgroup = new_init(Kind::Cgroup, o, NsState::Plain)?;
        let time = new_init(Kind::Time, o, NsState::Time(TimeNs::init()))?;
        let ns = PerKind::from_fn(|kind| {
            match kind {
                Kind::User => &user,
                Kind::Pid => &pid,
                Kind::Uts => &uts,
                Kind::Ipc => &ipc,
                Kind::Net => &net,
                Kind::Mnt => &mnt,
                Kind::Cgroup => &cgroup,
                Kind::Time => &time,
            }
            .clone()
        });
        let init = NsProxy::new(ns, pid.clone(), time.clone())?;

        Ok(Arc::new(
            Self {
                members: Members::new()?,
                init,
                ucounts: UcountsTable::new()?,
                registry,
                mount_max: Atomic::new(MOUNT_MAX_DEFAULT as i32),
                next_mnt_id,
            },
            GFP_KERNEL,
        )?)
    }

    /// A fresh `mnt_id_unique`.
    pub(crate) fn next_mnt_id(&self) -> u64 {
        self.next_mnt_id.fetch_add(1, Relaxed)
    }

    /// What the calling task is a member of: its entry, or the init namespaces. Every task a member
    /// creates has an entry before it first runs (`Members::on_new_task`), so no task of a vns falls
    /// back.
    pub(crate) fn resolve(&self) -> Current {
        let facts = sys::current_facts();
        if let Some(m) = self.members.lookup(TaskKey::current()) {
            let (proxy, caps) = m.get();
            return Current {
                proxy,
                caps,
                member: Some(m),
                facts,
            };
        }
        self.resolve_init(facts)
    }

    /// [`Vns::resolve`] with the calling task's facts already read, for a call that charges: with the
    /// ucounts entry the task's last charge went to (its `cred->ucounts`), if any.
    pub(crate) fn resolve_charging(&self, facts: CurrentFacts) -> (Current, Option<UcRef>) {
        if let Some(m) = self.members.lookup(TaskKey::current()) {
            let (proxy, caps, held) = m.get_charging();
            let cur = Current {
                proxy,
                caps,
                member: Some(m),
                facts,
            };
            return (cur, held);
        }
        (self.resolve_init(facts), None)
    }

    /// What a task without an entry resolves to: the init namespaces.
    fn resolve_init(&self, facts: CurrentFacts) -> Current {
        Current {
            proxy: self.init.clone(),
            caps: CapSet::empty(),
            member: None,
            facts,
        }
    }
}

impl Drop for Vns {
    fn drop(&mut self) {
        // Whatever tasks are still members, their memberships go first: the probes are gone, so nothing
        // adds one any more.
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

/// The calling task as vns sees it.
pub(crate) struct Current {
    /// Its membership entry, if it has one of its own.
    pub(crate) member: Option<MemberRef>,
    /// Its namespaces.
    pub(crate) proxy: ProxyRef,
    /// Its capability set in its own user vns (meaningful outside the init user vns).
    pub(crate) caps: CapSet,
    /// Its credentials and thread facts.
    pub(crate) facts: CurrentFacts,
}

impl Current {
    /// Its number in its active pid vns (`None` in the init pid vns).
    pub(crate) fn pid(&self) -> Option<&PidNr> {
        self.member.as_ref().and_then(|m| m.pid.as_deref())
    }

    /// Its own user vns.
    pub(crate) fn user_ns(&self) -> &NsRef {
        self.proxy.user_ns()
    }

    /// Whether its own user vns is the init one.
    pub(crate) fn in_init_user_ns(&self) -> bool {
        self.user_ns().owner.is_none()
    }

    /// Whether it has `cap` in its own user vns: its real capability in the init user vns, its vns set
    /// elsewhere.
    pub(crate) fn has_cap_in_own(&self, cap: u32) -> bool {
        if self.in_init_user_ns() {
            sys::capable(cap)
        } else {
            self.caps.has(cap)
        }
    }

    /// `ns_capable(target, cap)`: security/commoncap.c `cap_capable` over the user vns tree.
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
}

#[kernel::macros::kunit_tests(vns_state)]
mod tests {
    use kernel::{
        prelude::*,
        sync::atomic::Relaxed, //
    };

    use super::Vns;
    use crate::{
        error::Errno,
        ns::{
            Ns,
            NsState,
            PidNs, //
        },
        proxy::NsProxy,
        sys::RcuRef,
        time::TimeNs,
        vcore::abi::Kind, //
    };

    /// The charge walks every level, stops at a limit with nothing changed, and unwinds when dropped.
    #[test]
    fn ucounts_charge_every_level_and_unwind() -> Result {
        let vns = Vns::new()?;
        let init_user = vns.init.user_ns().clone();
        let user = init_user.user().ok_or(EINVAL)?;
        let saved = user.ucount_max(Kind::Uts);
        user.ucount_max[Kind::Uts].store(1, Relaxed);
        let c1 = vns.ucounts.charge(&*init_user, 4242, Kind::Uts)?;
        let count = |vns: &Vns| {
            vns.ucounts
                .lookup(init_user.id, 4242)
                .map_or(0, |e| e.count(Kind::Uts))
        };
        assert_eq!(count(&vns), 1);
        // At the limit: ENOSPC, nothing changed.
        assert!(matches!(
            vns.ucounts.charge(&*init_user, 4242, Kind::Uts),
            Err(Errno::ENOSPC)
        ));
        assert_eq!(count(&vns), 1);
        // Another user is not at its limit.
        let c2 = vns.ucounts.charge(&*init_user, 4243, Kind::Uts)?;
        // An uncommitted charge returns itself when dropped.
        drop(c1);
        assert_eq!(count(&vns), 0);
        drop(c2);
        user.ucount_max[Kind::Uts].store(saved, Relaxed);
        // The entries are gone with their last reference.
        assert!(vns.ucounts.lookup(init_user.id, 4242).is_none());
        Ok(())
    }

    /// What an allocation failure after charging does: the namespace is dropped without ever being
    /// published, and still returns its charge (counts exactly as before).
    #[test]
    fn unpublished_namespace_returns_its_charge() -> Result {
        let vns = Vns::new()?;
        let init_user = vns.init.user_ns().clone();
        let charge = vns.ucounts.charge(&*init_user, 777, Kind::Ipc)?;
        let ns = Ns::new(
            u64::MAX,
            Kind::Ipc,
            Some(init_user.clone()),
            charge.commit(),
            NsState::Plain,
        );
        let entry = vns.ucounts.lookup(init_user.id, 777).ok_or(ENOENT)?;
        assert_eq!(entry.count(Kind::Ipc), 1);
        drop(ns);
        assert_eq!(entry.count(Kind::Ipc), 0);
        Ok(())
    }

    /// A namespace is reachable only once published, and released (unlinked, uncharged) before the
    /// last `drop` returns.
    #[test]
    fn published_namespace_released_synchronously() -> Result {
        let vns = Vns::new()?;
        let init_user = vns.init.user_ns().clone();
        let charge = vns.ucounts.charge(&*init_user, 778, Kind::Net)?;
        let ns = vns.registry.create(
            Kind::Net,
            Some(init_user.clone()),
            charge.commit(),
            NsState::Plain,
            GFP_KERNEL,
        )?;
        let id = ns.id;
        // Not reachable by id before the creating call commits.
        assert!(vns.registry.find(id).is_none());
        let mut listed = false;
        vns.registry.for_each(|n| listed |= n.id == id);
        assert!(!listed);
        vns.registry.publish(&ns);
        assert!(vns.registry.find(id).is_some());
        vns.registry.for_each(|n| listed |= n.id == id);
        assert!(listed);
        let entry = vns.ucounts.lookup(init_user.id, 778).ok_or(ENOENT)?;
        assert_eq!(entry.count(Kind::Net), 1);
        drop(ns);
        // Gone from the registry and uncharged before `drop` returned.
        assert!(vns.registry.find(id).is_none());
        assert_eq!(entry.count(Kind::Net), 0);
        Ok(())
    }

    /// What a new process and an exec get (kernel/nsproxy.c `copy_namespaces`, `exec_task_namespaces`):
    /// without CLONE_VM both `*_for_children`, with CLONE_VM the pid one only, at exec the time one only.
    #[test]
    fn children_enter_the_for_children_namespaces() -> Result {
        let vns = Vns::new()?;
        let init = vns.init.clone();
        let owner = Some(init.user_ns().clone());
        let init_pid = init.get(Kind::Pid).clone();
        let init_time = init.get(Kind::Time).clone();
        let time = vns.registry.create(
            Kind::Time,
            owner.clone(),
            None,
            NsState::Time(TimeNs::init()),
            GFP_KERNEL,
        )?;
        let pid = vns.registry.create(
            Kind::Pid,
            owner,
            None,
            NsState::Pid(PidNs::new(1, init_pid.clone())?),
            GFP_KERNEL,
        )?;
        let is = |a: &crate::ns::NsRef, b: &crate::ns::NsRef| RcuRef::ptr_eq(a, b);

        // Only the time vns for children differs.
        let p = NsProxy::new(init.ns.clone(), init_pid.clone(), time.clone())?;
        let fork = NsProxy::for_new_process(&p, false);
        assert!(is(fork.get(Kind::Time), &time) && is(fork.get(Kind::Pid), &init_pid));
        assert!(!fork.time_changes_at_exec());
        assert!(RcuRef::ptr_eq(&NsProxy::for_new_process(&p, true), &p));
        let exec = NsProxy::after_exec(&p)?;
        assert!(is(exec.get(Kind::Time), &time) && is(exec.get(Kind::Pid), &init_pid));

        // Both differ.
        let q = NsProxy::new(init.ns.clone(), pid.clone(), time.clone())?;
        let fork = NsProxy::for_new_process(&q, false);
        assert!(is(fork.get(Kind::Time), &time) && is(fork.get(Kind::Pid), &pid));
        let vm = NsProxy::for_new_process(&q, true);
        assert!(is(vm.get(Kind::Time), &init_time) && is(vm.get(Kind::Pid), &pid));
        // The vfork child's own child enters the time vns its parent did not.
        let grandchild = NsProxy::for_new_process(&vm, false);
        assert!(is(grandchild.get(Kind::Time), &time) && is(grandchild.get(Kind::Pid), &pid));
        let exec = NsProxy::after_exec(&q)?;
        assert!(is(exec.get(Kind::Time), &time) && is(exec.get(Kind::Pid), &init_pid));
        assert!(is(&exec.pid_ns_for_children, &pid));

        // Neither differs: everyone shares the proxy.
        assert!(RcuRef::ptr_eq(
            &NsProxy::for_new_process(&init, false),
            &init
        ));
        Ok(())
    }
}
