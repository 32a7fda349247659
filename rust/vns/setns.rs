// SPDX-License-Identifier: GPL-2.0

//! Joining existing namespaces (kernel/nsproxy.c `setns`): SETNS, one namespace by id, and SETNS_TASK,
//! the namespaces of another task, as `setns(pidfd, flags)` does (`prepare_nsset`, `validate_nsset`,
//! `commit_nsset`).
//!
//! The joins are checked one by one on a [`NsSet`], what the caller will be, in the kernel's order: the
//! user kind first, so that the others are checked with the capabilities it gives. Nothing changes
//! until every check has passed and the new membership is allocated; then one step commits it.

#![deny(unsafe_code)]

use crate::{
    error::{
        Errno,
        VnsResult, //
    },
    kind::PerKind,
    member::Members,
    ns::{
        Ns,
        NsRef, //
    },
    proxy::NsProxy,
    state::{
        Current,
        Vns, //
    },
    sys::{
        self,
        RcuRef, //
    },
    vcore::{
        abi::Kind,
        caps::{
            ns_capable_walk,
            CapSet,
            CAP_SYS_ADMIN, //
        },
        flags::SETNS_ORDER, //
    }, //
};

/// What the caller will be a member of (the kernel's `struct nsset`), and its capabilities.
struct NsSet<'a> {
    cur: &'a Current,
    ns: PerKind<NsRef>,
    pid_ns_for_children: NsRef,
    time_ns_for_children: NsRef,
    caps: CapSet,
}

impl<'a> NsSet<'a> {
    fn new(cur: &'a Current) -> Self {
        Self {
            cur,
            ns: cur.proxy.ns.clone(),
            pid_ns_for_children: cur.proxy.pid_ns_for_children.clone(),
            time_ns_for_children: cur.proxy.time_ns_for_children.clone(),
            caps: cur.caps,
        }
    }

    /// `ns_capable(target, cap)` with the set's credentials (`nsset->cred`): after a user vns was
    /// joined, the full set there.
    fn capable(&self, target: &Ns, cap: u32) -> bool {
        let own: &Ns = &self.ns[Kind::User];
        let in_own = if own.owner.is_none() {
            sys::capable(cap)
        } else {
            self.caps.has(cap)
        };
        ns_capable_walk(&own, self.cur.facts.euid, in_own, &target)
    }

    /// Checks joining `target` (of `kind`) and records it: the kinds' `install`.
    fn install(&mut self, target: NsRef, kind: Kind) -> VnsResult<()> {
        match kind {
            Kind::User => {
                // kernel/user_namespace.c userns_install.
                if RcuRef::ptr_eq(&target, &self.ns[Kind::User]) || self.cur.facts.nr_threads > 1 {
                    return Err(Errno::EINVAL);
                }
                if !self.capable(&target, CAP_SYS_ADMIN) {
                    return Err(Errno::EPERM);
                }
                self.caps = CapSet::full();
                self.ns[Kind::User] = target;
            }
            _ => {
                // kernel/time/namespace.c timens_install: a caller sharing its address space
                // cannot switch clocks (EUSERS), before the permission check.
                if kind == Kind::Time && sys::current_mm_shared() {
                    return Err(Errno::EUSERS);
                }
                let own = self.ns[Kind::User].clone();
                if !self.capable(Ns::owner_or_self(&target), CAP_SYS_ADMIN)
                    || !self.capable(&own, CAP_SYS_ADMIN)
                {
                    return Err(Errno::EPERM);
                }
                match kind {
                    Kind::Pid => {
                        // kernel/pid_namespace.c pidns_install: only the active pid vns or a
                        // descendant; sets pid_for_children only.
                        if !target.is_pid_descendant_of(&self.ns[Kind::Pid]) {
                            return Err(Errno::EINVAL);
                        }
                        self.pid_ns_for_children = target;
                    }
                    // timens_install sets both the active and the for-children time vns.
                    Kind::Time => {
                        self.ns[kind] = target.clone();
                        self.time_ns_for_children = target;
                    }
                    _ => self.ns[kind] = target,
                }
            }
        }
        Ok(())
    }

    /// Allocates the new membership, then commits it (`commit_nsset`): nothing after the allocation
    /// can fail. Joining a time vns freezes its offsets (`timens_commit`).
    fn commit(self, vns: &Vns, joined_time: bool) -> VnsResult<()> {
        let proxy = NsProxy::new(self.ns, self.pid_ns_for_children, self.time_ns_for_children)?;
        let time = joined_time.then(|| proxy.get(Kind::Time).clone());
        let pending = Members::prepare(self.cur.member.as_ref(), proxy, self.caps)?;
        if let Some(t) = time.as_ref().and_then(|t| t.time()) {
            t.freeze();
        }
        vns.members.install(pending);
        Ok(())
    }
}

impl Vns {
    /// VNS_IOC_SETNS: joins namespace `id` of `kind` (kernel/nsproxy.c `setns`, the per-kind `install`).
    pub(crate) fn setns(&self, id: u64, kind: Kind) -> VnsResult<()> {
        self.setns_ns(self.registry.find(id).ok_or(Errno::ENOENT)?, kind)
    }

    /// SETNS into `target`, found by id or held by a namespace fd: EINVAL when it is not of `kind`,
    /// then the kind's `install`.
    pub(crate) fn setns_ns(&self, target: NsRef, kind: Kind) -> VnsResult<()> {
        if target.kind != kind {
            return Err(Errno::EINVAL);
        }
        let cur = self.resolve();
        let mut set = NsSet::new(&cur);
        set.install(target, kind)?;
        set.commit(self, kind == Kind::Time)
    }

    /// VNS_IOC_SETNS_TASK, after the task was found and its access checked: joins the namespaces of
    /// the kinds in `flags` (already checked by `check_setns_flags`) of the task whose namespaces are
    /// `target` (kernel/nsproxy.c `validate_nsset`): its active namespaces, its active pid vns as
    /// pid_for_children. The caller's own user vns is not joined again (skipped, as `nsenter -a` does).
    pub(crate) fn setns_to(&self, cur: &Current, target: &NsProxy, flags: u64) -> VnsResult<()> {
        let mut set = NsSet::new(cur);
        for kind in SETNS_ORDER {
            if flags & kind.clone_flag() == 0 {
                continue;
            }
            let ns = target.get(kind).clone();
            if kind == Kind::User && RcuRef::ptr_eq(&ns, cur.user_ns()) {
                continue;
            }
            set.install(ns, kind)?;
        }
        set.commit(self, flags & Kind::Time.clone_flag() != 0)
    }
}
