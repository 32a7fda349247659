// SPDX-License-Identifier: GPL-2.0

//! UNSHARE (Documentation/vns.rst "Unshare", kernel/fork.c `ksys_unshare`): new namespaces for the
//! caller. As in 7.3, a new pid or time vns changes only what the caller's children enter (its
//! `*_for_children`).
//!
//! It checks and allocates everything first and changes state in one last step, so a failure leaves
//! ids, counts and membership exactly as they were. It writes its result (`applied`) to user space
//! *before* that step ("reserve, write, commit"), so an EFAULT, too, leaves everything as it was; and a
//! new namespace is published (reachable by id from other tasks) only in that step.

#![deny(unsafe_code)]

use kernel::prelude::*;

use crate::{
    error::{
        Errno,
        VnsResult, //
    },
    member::Members,
    ns::{
        NsRef,
        NsState,
        PidNs, //
    },
    proxy::ProxyChange,
    state::{
        Current,
        Vns, //
    },
    sys::{
        self,
        RcuRef,
        UtsNames, //
    },
    time::TimeNs,
    user::{
        IdMapKind,
        UserNs, //
    },
    vcore::{
        abi::{
            Kind,
            CLONE_NEWUSER,
            CLONE_VM,
            UNSHARE_EMPTY_MNTNS,
            VNS_NR_KINDS, //
        },
        caps::{
            CapSet,
            CAP_SYS_ADMIN, //
        },
        depth,
        flags::{
            self,
            TaskFacts,
            CREATE_ORDER, //
        }, //
    }, //
};

impl Vns {
    /// VNS_IOC_UNSHARE: computes the completed flags (`applied`) and everything they create, hands
    /// `applied` to `report` (which writes it to user space), and only if that succeeds commits.
    pub(crate) fn unshare(
        &self,
        flags: u64,
        report: impl FnOnce(u64) -> VnsResult<()>,
    ) -> VnsResult<()> {
        // 1-2. Complete the flags, then EINVAL (check_unshare_flags). Whether another task shares the
        // address space costs a task-list walk: asked only for CLONE_VM, which nothing else implies.
        let f = sys::current_facts();
        let facts = TaskFacts {
            nr_threads: f.nr_threads,
            sighand_shared: f.sighand_shared,
            mm_shared: flags & CLONE_VM != 0 && sys::current_mm_shared(),
        };
        let completed = flags::unshare_flags(flags, &facts)?;
        if flags::ns_flags(completed) == 0 {
            // Only task-state flags (or none): validated, nothing for vns to change, so its membership
            // is not even looked up.
            return report(completed);
        }
        let (cur, held) = self.resolve_charging(f);
        let (euid, egid) = (f.euid, f.egid);
        let mut caps = cur.caps;
        // What this call creates (published only at the commit), and what it changes in the proxy.
        let mut created: [Option<NsRef>; VNS_NR_KINDS] = [const { None }; VNS_NR_KINDS];
        let mut nr_created = 0;
        let mut keep = |new: &NsRef| {
            if let Some(slot) = created.get_mut(nr_created) {
                *slot = Some(new.clone());
                nr_created += 1;
            }
        };
        let mut change = ProxyChange::none();
        // The entry this call's charges go to, when it is not the one they went to last (`held`).
        let mut charged = None;

        // 3. CLONE_NEWUSER (kernel/user_namespace.c create_user_ns): depth, limit, mapped creator.
        let new_user = flags::wants(completed, Kind::User);
        if new_user {
            let parent = cur.user_ns();
            let pu = parent.user().ok_or(Errno::EINVAL)?;
            let level = depth::check_user_ns_depth(pu.level)?;
            let charge = self
                .ucounts
                .charge_with(&**parent, euid, Kind::User, held.as_ref())?;
            if !pu.has_mapping(IdMapKind::Uid, euid) || !pu.has_mapping(IdMapKind::Gid, egid) {
                return Err(Errno::EPERM);
            }
            let state = NsState::User(UserNs::new(level, euid, egid));
            let user = self.create_ns(Kind::User, parent, charge.commit(), state)?;
            keep(&user);
            change.ns[Kind::User] = Some(user);
            // The creator has the full set in the new namespace.
            caps = CapSet::full();
        }
        let owner = change.ns[Kind::User]
            .as_ref()
            .unwrap_or(cur.user_ns())
            .clone();

        // 4. Any other namespace needs CAP_SYS_ADMIN in the (new or current) user vns.
        if flags::ns_flags(completed) & !CLONE_NEWUSER != 0
            && !new_user
            && !cur.ns_capable(&owner, CAP_SYS_ADMIN)
        {
            return Err(Errno::EPERM);
        }

        // 5. Create in the kernel's order (create_new_namespaces), each charged to (owner, euid).
        for kind in CREATE_ORDER {
            if !flags::wants(completed, kind) {
                continue;
            }
            let level = if kind == Kind::Pid {
                // kernel/pid_namespace.c copy_pid_ns/create_pid_namespace: EINVAL, then ENOSPC.
                let active = cur.proxy.get(Kind::Pid);
                let differs = !RcuRef::ptr_eq(active, &cur.proxy.pid_ns_for_children);
                depth::check_new_pid_ns(differs, active.level())?
            } else {
                0
            };
            let charge = self
                .ucounts
                .charge_with(&*owner, euid, kind, held.as_ref())?;
            if charged.is_none() {
                charged = charge
                    .entry()
                    .filter(|e| !held.as_ref().is_some_and(|h| RcuRef::ptr_eq(h, e)))
                    .cloned();
            }
            let old = cur.proxy.get(kind);
            let state = match kind {
                Kind::Mnt => NsState::Mnt(if completed & UNSHARE_EMPTY_MNTNS != 0 {
                    // fs/namespace.c copy_mnt_ns with CLONE_EMPTY_MNTNS: only the root.
                    old.mnt()
                        .ok_or(Errno::EINVAL)?
                        .copy_root(self.next_mnt_id())?
                } else {
                    old.mnt()
                        .ok_or(Errno::EINVAL)?
                        .copy(|| self.next_mnt_id())?
                }),
                Kind::Uts => NsState::Uts(UtsNames::new(Some(old.uts().ok_or(Errno::EINVAL)?))?),
                Kind::Pid => {
                    NsState::Pid(PidNs::new(level, cur.proxy.pid_ns_for_children.clone())?)
                }
                // kernel/time/namespace.c copy_time_ns: the offsets of time_ns_for_children.
                Kind::Time => NsState::Time(TimeNs::new(
                    cur.proxy.time_ns_for_children.time().ok_or(Errno::EINVAL)?,
                )),
                _ => NsState::Plain,
            };
            let new = self.create_ns(kind, &owner, charge.commit(), state)?;
            keep(&new);
            match kind {
                // NEWPID and NEWTIME change the namespace for children only; the caller's own stays.
                Kind::Pid => change.pid_ns_for_children = Some(new),
                Kind::Time => change.time_ns_for_children = Some(new),
                _ => change.ns[kind] = Some(new),
            }
        }

        // 6. The last allocation (none when the proxy is changed in place), then the result to user
        // space: an error in either drops what was made, which undoes it all (no other task has seen
        // any of it).
        let Current { proxy, member, .. } = cur;
        let pending = Members::prepare_change(member.as_ref(), proxy, change, caps, charged)?;
        report(completed)?;

        // 7. Commit: nothing below can fail.
        for new in created.iter().flatten() {
            self.registry.publish(new);
        }
        self.members.install(pending);
        Ok(())
    }

    /// A namespace owned by `owner` and charged with `charge`, unpublished, charged to the caller's
    /// memcg.
    fn create_ns(
        &self,
        kind: Kind,
        owner: &NsRef,
        charge: Option<crate::ucounts::UcRef>,
        state: NsState,
    ) -> VnsResult<NsRef> {
        self.registry
            .create(kind, Some(owner.clone()), charge, state, GFP_KERNEL_ACCOUNT)
    }
}
