// SPDX-License-Identifier: GPL-2.0

//! Membership (spec §1): which namespaces each task is in, kept in a strong RCU table keyed by task and
//! maintained by the `sched_process_fork`, `sched_process_exit` and `sched_process_exec` probes.
//!
//! A task with no entry is in the init namespaces, unless the fork probe could not record it (an atomic
//! allocation failed): then it resolves to its nearest recorded ancestor (`State::resolve`). Entries are
//! immutable but for the capability set: UNSHARE and SETNS publish a new entry in place of the old one.

#![deny(unsafe_code)]

use kernel::{
    new_spinlock,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        Arc, SpinLock,
    },
};

use crate::{
    ns::{NsRef, Proxy},
    state::Vns,
    sys::{self, RcuObject, RcuRef, TaskKey},
    vcore::{
        abi::{Kind, VNS_NR_KINDS},
        caps::{caps_after_exec, CapSet},
    },
};

/// Buckets of the membership table.
pub(crate) const MEMBER_BUCKETS: usize = 256;

/// A task's number in its active pid vns, released when the last task holding it exits (a thread
/// group shares its leader's number).
pub(crate) struct PidNr {
    /// The pid vns the number belongs to.
    pub(crate) ns: NsRef,
    /// The number, from 1.
    pub(crate) nr: u32,
}

impl Drop for PidNr {
    fn drop(&mut self) {
        if let Some(p) = self.ns.pid() {
            p.free_nr(self.nr);
        }
    }
}

/// One task's membership.
pub(crate) struct Member {
    /// Its namespaces.
    pub(crate) proxy: Arc<Proxy>,
    /// Its capability set in its own user vns when that is not the init one (spec §2).
    pub(crate) caps: Atomic<u64>,
    /// Its number in its active pid vns; `None` in the init pid vns (the real tgid is used).
    pub(crate) pid: Option<Arc<PidNr>>,
}

/// A counted reference to a membership entry.
pub(crate) type MemberRef = RcuRef<Member>;

impl RcuObject for Member {
    type Key = TaskKey;

    fn bucket(key: &TaskKey, _buckets: usize) -> usize {
        key.hash()
    }
}

impl Member {
    /// A membership of `proxy`, counted in each of its namespaces' `nr_tasks`.
    pub(crate) fn new(proxy: Arc<Proxy>, caps: CapSet, pid: Option<Arc<PidNr>>) -> Self {
        for ns in proxy.ns.iter() {
            ns.nr_tasks.fetch_add(1, Relaxed);
        }
        Self {
            proxy,
            caps: Atomic::new(caps.0),
            pid,
        }
    }

    /// The capability set.
    pub(crate) fn caps(&self) -> CapSet {
        CapSet(self.caps.load(Relaxed))
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        for ns in self.proxy.ns.iter() {
            ns.nr_tasks.fetch_sub(1, Relaxed);
        }
    }
}

/// Capacity of [`Unrecorded`].
const UNRECORDED_MAX: usize = 64;

/// Tasks the fork probe could not record although their parent was a member (an atomic allocation
/// failed), and their descendants: only these resolve through their ancestors (spec §1); any other task
/// without an entry is in the init namespaces. Fixed-size, so that marking a task never allocates.
pub(crate) struct Unrecorded {
    /// Number of marked tasks: the fast path of the probes reads only this.
    nr: Atomic<u32>,
    /// The marked tasks. Taken in the probes (preemption disabled) and in ioctls; never in interrupts.
    slots: Pin<KBox<SpinLock<[Option<TaskKey>; UNRECORDED_MAX]>>>,
}

impl Unrecorded {
    /// An empty set.
    pub(crate) fn new() -> crate::error::VnsResult<Self> {
        Ok(Self {
            nr: Atomic::new(0),
            slots: KBox::pin_init(new_spinlock!([None; UNRECORDED_MAX], "vns_unrecorded"), GFP_KERNEL)?,
        })
    }

    fn is_empty(&self) -> bool {
        self.nr.load(Relaxed) == 0
    }

    /// Whether `task` is marked.
    pub(crate) fn contains(&self, task: TaskKey) -> bool {
        !self.is_empty() && self.slots.lock().contains(&Some(task))
    }

    /// Marks `task`; false if the set is full (the task then resolves to the init namespaces).
    fn add(&self, task: TaskKey) -> bool {
        let mut slots = self.slots.lock();
        match slots.iter_mut().find(|s| s.is_none()) {
            Some(slot) => {
                *slot = Some(task);
                self.nr.fetch_add(1, Relaxed);
                true
            }
            None => false,
        }
    }

    fn remove(&self, task: TaskKey) {
        if self.is_empty() {
            return;
        }
        let mut slots = self.slots.lock();
        if let Some(slot) = slots.iter_mut().find(|s| **s == Some(task)) {
            *slot = None;
            self.nr.fetch_sub(1, Relaxed);
        }
    }
}

impl Vns {
    /// `sched_process_fork`: records `child` with its parent's membership. A parent with no entry
    /// costs one failed lookup (and a read of an empty counter) and nothing else (spec §1). Runs with
    /// preemption disabled.
    pub(crate) fn on_fork(&self, parent: TaskKey, child: TaskKey, thread: bool) {
        let Some(pm) = self.members.lookup(&parent) else {
            // The child of an unrecorded task is unrecorded too: it resolves through its ancestors.
            if self.unrecorded.contains(parent) && !self.unrecorded.add(child) {
                kernel::pr_warn_once!("membership of a new task could not be recorded\n");
            }
            return;
        };
        // A new process lives in its parent's pid_for_children; a thread stays with its group.
        let proxy = match (&pm.proxy.for_children, thread) {
            (Some(children), false) => children.clone(),
            _ => pm.proxy.clone(),
        };
        let pid = if thread {
            pm.pid.clone()
        } else {
            self.alloc_pid_nr(proxy.get(Kind::Pid))
        };
        // Charged to the parent's memcg (current); an atomic charge is forced past the memcg limit
        // rather than failed (mm/memcontrol.c `try_charge_memcg`, __GFP_HIGH).
        let Ok(entry) = RcuRef::new(child, Member::new(proxy, pm.caps(), pid), sys::gfp_atomic_account()) else {
            // The child resolves to its nearest recorded ancestor (spec §1).
            if !self.unrecorded.add(child) {
                kernel::pr_warn_once!("membership of a new task could not be recorded\n");
            }
            return;
        };
        // The child has not run yet: nobody else can have recorded it.
        drop(self.members.insert_or_get(entry));
    }

    /// A number in `pid_ns` for a new process, or `None` in the init pid vns (or when none is left).
    fn alloc_pid_nr(&self, pid_ns: &NsRef) -> Option<Arc<PidNr>> {
        let p = pid_ns.pid()?;
        p.ids.as_ref()?;
        let nr = p.alloc_nr()?;
        let pidnr = PidNr {
            ns: pid_ns.clone(),
            nr,
        };
        // On failure `pidnr` is dropped, which frees the number again.
        Arc::new(pidnr, sys::gfp_atomic_account()).ok()
    }

    /// `sched_process_exit`: drops the task's membership (before `exit_notify`, so a parent's wait sees
    /// its counts already returned). A task with no entry costs one lockless lookup.
    pub(crate) fn on_exit(&self, task: TaskKey) {
        self.unrecorded.remove(task);
        if self.members.lookup(&task).is_none() {
            return;
        }
        drop(self.members.remove(&task));
    }

    /// `sched_process_exec`: recomputes the capability set as the kernel does for a task in a non-init
    /// user namespace: full if its euid maps to 0 there, empty otherwise (spec §2).
    /// `euid` is read only for a member: a task with no entry costs one lookup.
    pub(crate) fn on_exec(&self, task: TaskKey, euid: impl FnOnce() -> u32) {
        let Some(m) = self.members.lookup(&task) else {
            return;
        };
        let euid = euid();
        let Some(user) = m.proxy.user_ns().user() else {
            return;
        };
        let root = user.map(0).and_then(|map| map.map_id_up(euid)) == Some(0);
        m.caps.store(caps_after_exec(root).0, Relaxed);
    }

    /// Publishes `proxy` as the calling task's membership with `caps`, in place of `old` (its entry, if
    /// any). The new entry is allocated before anything changes: on ENOMEM nothing has.
    pub(crate) fn set_membership(
        &self,
        old: Option<&MemberRef>,
        proxy: Arc<Proxy>,
        caps: CapSet,
        pid: Option<Arc<PidNr>>,
    ) -> crate::error::VnsResult<()> {
        let entry = Self::new_membership(proxy, caps, pid)?;
        self.install_membership(old, entry);
        Ok(())
    }

    /// The calling task's next membership entry, allocated (and charged to its memcg) but not yet in
    /// the table: the fallible half of [`Vns::set_membership`].
    pub(crate) fn new_membership(
        proxy: Arc<Proxy>,
        caps: CapSet,
        pid: Option<Arc<PidNr>>,
    ) -> crate::error::VnsResult<MemberRef> {
        Ok(RcuRef::new(TaskKey::current(), Member::new(proxy, caps, pid), GFP_KERNEL_ACCOUNT)?)
    }

    /// Installs `entry` (from [`Vns::new_membership`]) in place of `old`: the infallible half.
    pub(crate) fn install_membership(&self, old: Option<&MemberRef>, entry: MemberRef) {
        let task = entry.key();
        // The old entry's reference is dropped after the table's lock is released.
        drop(self.members.replace(old, &entry));
        // Recorded now: no longer resolved through its ancestors.
        self.unrecorded.remove(task);
    }
}

/// The namespace ids of a membership, in kind order.
pub(crate) fn ns_ids(proxy: &Proxy) -> [u64; VNS_NR_KINDS] {
    core::array::from_fn(|k| proxy.ns.get(k).map_or(0, |n| n.id))
}
