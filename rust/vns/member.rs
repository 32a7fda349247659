// SPDX-License-Identifier: GPL-2.0

//! Membership (Documentation/vns.rst "Membership"): which namespaces each task is in, kept in a strong
//! RCU table keyed by task and maintained by the `task_newtask`, `sched_process_exit` and
//! `sched_process_exec` probes.
//!
//! A task with no entry is in the init namespaces, and no task created by a member is ever without one:
//! the `task_newtask` probe records every new task (processes, threads, io-wq and other kernel-made
//! workers) before it first runs. Its entry is allocated there; if that fails, the parent's *reserve*
//! (memory for one entry, allocated ahead and charged to the parent) takes its place, and is refilled
//! later; if there is no reserve either, the new task is killed before it runs (fail closed).
//!
//! An entry lives as long as its task. What changes, its namespaces and capability set, only the task
//! itself changes (UNSHARE, SETNS, exec), under the entry's lock, as `switch_task_namespaces` does under
//! `task_lock` (kernel/nsproxy.c): a change allocates a proxy and nothing else, and an UNSHARE of kinds
//! other than pid and time, by a task whose proxy no other task shares, not even that: it changes the
//! proxy in place. Only the task itself takes references on its proxy (others read a snapshot of it,
//! [`Member::snapshot`]), so whether another task shares it cannot change while the task is in a call.

#![deny(unsafe_code)]

use core::mem::MaybeUninit;

use kernel::{
    new_spinlock,
    prelude::*,
    sync::{
        atomic::Relaxed,
        Arc,
        SpinLock,
        UniqueArc, //
    }, //
};

use crate::{
    error::VnsResult,
    ns::NsRef,
    proxy::{
        InPlace,
        NsProxy,
        ProxyChange,
        ProxyRef, //
    },
    sys::{
        ExecTask,
        NewTask,
        RcuObject,
        RcuRef,
        RcuReserve,
        ReserveSlot,
        StrongTable,
        TaskKey, //
    },
    ucounts::UcRef,
    user::IdMapKind,
    vcore::{
        abi::{
            Kind,
            CLONE_THREAD,
            CLONE_VM, //
        },
        caps::{
            caps_after_exec,
            CapSet, //
        }, //
    }, //
};

/// A task's number in its active pid vns (`struct upid`), released when the last task holding it exits
/// (a thread group shares its leader's number).
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

/// Buckets of the membership table.
const MEMBER_BUCKETS: usize = 256;

/// One task's membership.
#[pin_data]
pub(crate) struct Member {
    /// Its namespaces and capability set: changed by the task itself only, read by others under the
    /// lock (`task_lock` in kernel/nsproxy.c).
    #[pin]
    ns: SpinLock<MemberNs>,
    /// Its number in its active pid vns; `None` in the init pid vns (the real tgid is used).
    pub(crate) pid: Option<Arc<PidNr>>,
    /// What this task's next child needs, allocated ahead, used when allocating it then fails.
    spare: ReserveSlot<Spare>,
}

/// What a membership's lock protects.
struct MemberNs {
    /// Its namespaces, each counted in its namespace's `nr_tasks`.
    proxy: ProxyRef,
    /// Its capability set in its own user vns when that is not the init one.
    caps: CapSet,
    /// The ucounts entry its last UNSHARE charged (the kernel's `cred->ucounts`: the entry a task's
    /// charges go to, kept while the task lives): the next charge to it needs no lookup, and it is not
    /// freed and made again between a task's namespaces.
    ucounts: Option<UcRef>,
}

/// A counted reference to a membership entry.
pub(crate) type MemberRef = RcuRef<Member>;

impl RcuObject for Member {
    type Key = TaskKey;

    fn bucket(key: &TaskKey, _buckets: usize) -> usize {
        key.hash()
    }
}

/// The memory of a pid number's holder, before it holds one.
type PidMem = UniqueArc<MaybeUninit<PidNr>>;

/// The memory a new task's membership needs, allocated ahead (a member's reserve): its entry, and the
/// holder of its pid number (for a new process in a non-init pid vns).
pub(crate) struct Spare {
    node: RcuReserve<Member>,
    pid: PidMem,
}

impl Spare {
    /// A reserve, charged to the current task's memcg.
    fn new() -> VnsResult<KBox<Self>> {
        let s = Spare {
            node: RcuReserve::new(GFP_KERNEL_ACCOUNT)?,
            pid: UniqueArc::new_uninit(GFP_KERNEL_ACCOUNT)?,
        };
        Ok(KBox::new(s, GFP_KERNEL_ACCOUNT)?)
    }
}

impl Member {
    /// A membership of `proxy`, counted in each of its namespaces' `nr_tasks`, with `spare` as the
    /// reserve for the task's next child.
    fn new(
        proxy: ProxyRef,
        caps: CapSet,
        ucounts: Option<UcRef>,
        pid: Option<Arc<PidNr>>,
        spare: Option<KBox<Spare>>,
    ) -> impl PinInit<Self> {
        for ns in proxy.ns.iter() {
            ns.nr_tasks.fetch_add(1, Relaxed);
        }
        pin_init!(Self {
            ns <- new_spinlock!(
                MemberNs {
                    proxy,
                    caps,
                    ucounts
                },
                "vns_member"
            ),
            pid,
            spare: ReserveSlot::new(spare),
        })
    }

    /// Its namespaces and capability set, read together: for the task itself only (its ioctls' resolve,
    /// its fork and exec probes), which alone takes references on its proxy; other tasks read a
    /// [`Member::snapshot`].
    pub(crate) fn get(&self) -> (ProxyRef, CapSet) {
        let ns = self.ns.lock();
        (ns.proxy.clone(), ns.caps)
    }

    /// [`Member::get`], with the ucounts entry its last UNSHARE charged, if any.
    pub(crate) fn get_charging(&self) -> (ProxyRef, CapSet, Option<UcRef>) {
        let ns = self.ns.lock();
        (ns.proxy.clone(), ns.caps, ns.ucounts.clone())
    }

    /// A copy of its namespaces with references of its own, for another task to read: no reference
    /// is taken on the proxy itself (see the file's comment).
    pub(crate) fn snapshot(&self) -> NsProxy {
        self.ns.lock().proxy.snapshot()
    }

    /// Makes `proxy` and `caps` the task's (`switch_task_namespaces`), and `ucounts` its charged entry if
    /// given: moves the `nr_tasks` count of each kind that changes. Returns what it replaced, for the
    /// caller to drop once the lock is released (dropping it may release namespaces, which takes the
    /// registry's lock).
    fn switch(
        &self,
        proxy: ProxyRef,
        caps: CapSet,
        ucounts: Option<UcRef>,
    ) -> (ProxyRef, Option<UcRef>) {
        let mut ns = self.ns.lock();
        let old_ucounts = match ucounts {
            Some(uc) => ns.ucounts.replace(uc),
            None => None,
        };
        for (new, old) in proxy.ns.iter().zip(ns.proxy.ns.iter()) {
            if !RcuRef::ptr_eq(new, old) {
                new.nr_tasks.fetch_add(1, Relaxed);
                old.nr_tasks.fetch_sub(1, Relaxed);
            }
        }
        ns.caps = caps;
        (core::mem::replace(&mut ns.proxy, proxy), old_ucounts)
    }

    /// Makes `change` and `caps` the task's in place, in its proxy (see [`Members::prepare_change`]).
    /// What the change replaced is dropped on return, after the lock is released.
    fn change_in_place(&self, mut change: InPlace, caps: CapSet, ucounts: Option<UcRef>) {
        // Declared before the guard: what it replaces is dropped after the lock is released.
        let mut _old_ucounts = None;
        let mut ns = self.ns.lock();
        // Cannot fail: only the task takes references on its proxies, and it checked before that it held
        // the only other one on its own (and dropped that) and that only its proxy held the child's to
        // keep. Were it to, that is a bug of this module (`WARN_ON`), and nothing changes, the
        // capabilities included.
        let applied = ns.proxy.get_mut().is_some_and(|proxy| change.apply(proxy));
        if kernel::warn_on!(!applied) {
            return;
        }
        ns.caps = caps;
        if let Some(uc) = ucounts {
            _old_ucounts = ns.ucounts.replace(uc);
        }
        for (new, old) in ns.proxy.ns.iter().zip(change.replaced().iter()) {
            if let Some(old) = old {
                new.nr_tasks.fetch_add(1, Relaxed);
                old.nr_tasks.fetch_sub(1, Relaxed);
            }
        }
    }
}

impl Drop for MemberNs {
    fn drop(&mut self) {
        for ns in self.proxy.ns.iter() {
            ns.nr_tasks.fetch_sub(1, Relaxed);
        }
    }
}

/// A change of the calling task's membership, allocated but not yet made: what
/// [`Members::prepare`] returns and [`Members::install`] makes.
pub(crate) enum Pending {
    /// A new proxy and capability set, into the task's entry, with the entry charged if any.
    Switch(MemberRef, ProxyRef, CapSet, Option<UcRef>),
    /// A change made in place in the proxy of the task's entry, with a new capability set and the
    /// entry charged if any; with the caller's reference on that proxy, dropped first.
    InPlace(MemberRef, ProxyRef, InPlace, CapSet, Option<UcRef>),
    /// A new entry, holding the new proxy and capability set, for a task that had none.
    Insert(MemberRef),
}

/// The membership table.
pub(crate) struct Members {
    table: Pin<KBox<StrongTable<Member>>>,
}

impl Members {
    /// An empty table.
    pub(crate) fn new() -> VnsResult<Self> {
        Ok(Self {
            table: KBox::pin_init(StrongTable::new(MEMBER_BUCKETS), GFP_KERNEL)?,
        })
    }

    /// The entry of `task`, if it has one.
    pub(crate) fn lookup(&self, task: TaskKey) -> Option<MemberRef> {
        self.table.lookup(&task)
    }

    /// `task_newtask`: records `child`, created by `parent` (current) with `clone_flags`, before it first
    /// runs. A parent with no entry costs one failed lookup and nothing else. The probe may sleep (7.3
    /// tracepoints run under SRCU-fast), so it allocates with `GFP_KERNEL_ACCOUNT`, charged to the
    /// parent's memcg.
    ///
    /// The child gets the parent's membership at this moment: its proxy (a new process: its children's
    /// proxy, whose active pid vns is `pid_ns_for_children`), its capability set, its pid number for a
    /// thread or a new one for a process. The memory for that is allocated; failing that, the parent's
    /// reserve is used (and refilled below); failing that too, or with no pid number left in the pid vns
    /// (where `alloc_pid()` would fail the fork), the child is killed before it runs.
    pub(crate) fn on_new_task(&self, parent: TaskKey, child: NewTask, clone_flags: u64) {
        let Some(pm) = self.table.lookup(&parent) else {
            return;
        };
        let (parent_proxy, caps) = pm.get();
        let thread = clone_flags & CLONE_THREAD != 0;
        // A new process lives in its parent's pid_ns_for_children, and without CLONE_VM in its
        // time_ns_for_children; a thread stays with its group.
        let proxy = if thread {
            parent_proxy.clone()
        } else {
            NsProxy::for_new_process(&parent_proxy, clone_flags & CLONE_VM != 0)
        };
        let pid_ns = proxy.get(Kind::Pid).clone();
        let numbered = !thread && pid_ns.pid().is_some_and(|p| p.numbers_tasks());
        let fresh = || -> VnsResult<(RcuReserve<Member>, Option<PidMem>)> {
            let node = RcuReserve::new(GFP_KERNEL_ACCOUNT)?;
            let pid = if numbered {
                Some(UniqueArc::new_uninit(GFP_KERNEL_ACCOUNT)?)
            } else {
                None
            };
            Ok((node, pid))
        };
        let (node, pid_mem) = match fresh() {
            Ok(mem) => mem,
            Err(_) => match pm.spare.take() {
                Some(spare) => {
                    let Spare { node, pid } = KBox::into_inner(spare);
                    (node, Some(pid))
                }
                None => return fail_closed(child),
            },
        };
        let pid = match pid_mem {
            _ if thread => pm.pid.clone(),
            Some(mem) if numbered => {
                let Some(nr) = pid_ns.pid().and_then(|p| p.alloc_nr()) else {
                    return fail_closed(child);
                };
                Some(Arc::from(mem.write(PidNr { ns: pid_ns, nr })))
            }
            _ => None,
        };
        // A child entering another time vns freezes its offsets before it runs (`timens_on_fork`).
        let time = proxy.get(Kind::Time);
        if !RcuRef::ptr_eq(time, parent_proxy.get(Kind::Time)) {
            if let Some(t) = time.time() {
                t.freeze();
            }
        }
        // The child's own reserve, for its first child. Without one it is recorded all the same.
        let spare = Spare::new().ok();
        let entry = RcuRef::new_in(
            node,
            child.key(),
            Member::new(proxy, caps, None, pid, spare),
        );
        // The child has not run yet: nobody else can have recorded it.
        drop(self.table.insert_or_get(entry));
        // A reserve used above (now or at an earlier fork) is replaced when memory allows.
        if !pm.spare.is_full() {
            if let Ok(s) = Spare::new() {
                drop(pm.spare.put(s));
            }
        }
    }

    /// `sched_process_exit`: drops the task's membership (before `exit_notify`, so a parent's wait sees
    /// its counts already returned). A task with no entry costs one lockless lookup.
    pub(crate) fn on_exit(&self, task: TaskKey) {
        if self.table.lookup(&task).is_none() {
            return;
        }
        drop(self.table.remove(&task));
    }

    /// `sched_process_exec`: recomputes the capability set as the kernel does for a task in a non-init
    /// user namespace: full if its euid maps to 0 there, empty otherwise (Documentation/vns.rst
    /// "Capabilities"); and enters the time vns for children when that is not the active one
    /// (kernel/nsproxy.c `exec_task_namespaces`), freezing its offsets. The euid is read only for a
    /// member: a task with no entry costs one lookup.
    pub(crate) fn on_exec(&self, task: ExecTask) {
        let Some(m) = self.table.lookup(&task.key()) else {
            return;
        };
        let (proxy, old_caps) = m.get();
        let caps = proxy.user_ns().user().map_or(old_caps, |user| {
            let root = user
                .map(IdMapKind::Uid)
                .and_then(|map| map.map_id_up(task.euid()))
                == Some(0);
            caps_after_exec(root)
        });
        if !proxy.time_changes_at_exec() {
            if caps != old_caps {
                drop(m.switch(proxy, caps, None));
            }
            return;
        }
        match NsProxy::after_exec(&proxy) {
            Ok(new) => {
                if let Some(t) = new.get(Kind::Time).time() {
                    t.freeze();
                }
                drop(m.switch(new, caps, None));
            }
            // Past the point of no return, as a failing `exec_task_namespaces` kills the task.
            Err(_) => {
                kernel::pr_warn_once!("an exec could not enter its time namespace: killed\n");
                task.kill();
            }
        }
    }

    /// The fallible half of a change of the calling task's membership to `proxy` and `caps`: allocates
    /// an entry (with a reserve for its next child, charged to its memcg) for a task that has none
    /// (`entry` is `None`: it is in the init namespaces); a task with an entry changes it in place.
    pub(crate) fn prepare(
        entry: Option<&MemberRef>,
        proxy: ProxyRef,
        caps: CapSet,
        ucounts: Option<UcRef>,
    ) -> VnsResult<Pending> {
        Ok(match entry {
            Some(entry) => Pending::Switch(entry.clone(), proxy, caps, ucounts),
            None => {
                let spare = Spare::new()?;
                let node = RcuReserve::new(GFP_KERNEL_ACCOUNT)?;
                let member = Member::new(proxy, caps, ucounts, None, Some(spare));
                Pending::Insert(RcuRef::new_in(node, TaskKey::current(), member))
            }
        })
    }

    /// [`Members::prepare`] for `change`, made to `proxy`, the calling task's own (read from `entry`;
    /// the caller's reference). When the task has an entry and `proxy` no other holder than the entry
    /// and the caller, the change is made in place: no new proxy, and new children's proxies only where
    /// they are needed and the old one cannot be kept ([`ProxyChange::in_place`]).
    pub(crate) fn prepare_change(
        entry: Option<&MemberRef>,
        proxy: ProxyRef,
        change: ProxyChange,
        caps: CapSet,
        ucounts: Option<UcRef>,
    ) -> VnsResult<Pending> {
        match entry {
            Some(entry) if proxy.ref_count() == 2 => {
                let change = change.in_place(&proxy)?;
                Ok(Pending::InPlace(
                    entry.clone(),
                    proxy,
                    change,
                    caps,
                    ucounts,
                ))
            }
            _ => Self::prepare(entry, proxy.with(&change)?, caps, ucounts),
        }
    }

    /// Makes the change `pending` (from [`Members::prepare`] or [`Members::prepare_change`]): the
    /// infallible half.
    pub(crate) fn install(&self, pending: Pending) {
        // What is replaced is dropped here, with no lock held.
        match pending {
            Pending::Switch(entry, proxy, caps, ucounts) => {
                drop(entry.switch(proxy, caps, ucounts))
            }
            Pending::InPlace(entry, mine, change, caps, ucounts) => {
                // The entry's reference is then the only one.
                drop(mine);
                entry.change_in_place(change, caps, ucounts);
            }
            // The calling task had no entry: nobody else adds one for it.
            Pending::Insert(new) => drop(self.table.insert_or_get(new)),
        }
    }

    /// Drops every membership (module unload: the probes are gone, so nothing adds one any more).
    pub(crate) fn clear(&self) {
        self.table.clear();
    }
}

/// Fails closed: a new task of a member that cannot be recorded is killed before it runs.
fn fail_closed(child: NewTask) {
    kernel::pr_warn_once!("a new task could not be recorded: killed before it ran\n");
    child.kill();
}
