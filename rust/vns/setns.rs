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
    member::Members,
    ns::{
        Ns,
        NsRef, //
    },
    proxy::{
        NsProxy,
        ProxyChange, //
    },
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

/// What the caller will be a member of (the kernel's `struct nsset`): its namespaces with the joins
/// made so far, and its capabilities.
struct NsSet {
    cur: Current,
    change: ProxyChange,
    caps: CapSet,
}

impl NsSet {
    fn new(cur: Current) -> Self {
        Self {
            caps: cur.caps,
            cur,
            change: ProxyChange::none(),
        }
    }

    /// Its namespace of `kind`.
    fn get(&self, kind: Kind) -> &NsRef {
        self.change.ns[kind]
            .as_ref()
            .unwrap_or(self.cur.proxy.get(kind))
    }

    /// `ns_capable(target, cap)` with the set's credentials (`nsset->cred`): after a user vns was
    /// joined, the full set there.
    fn capable(&self, target: &Ns, cap: u32) -> bool {
        let own: &Ns = self.get(Kind::User);
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
                if RcuRef::ptr_eq(&target, self.get(Kind::User)) || self.cur.facts.nr_threads > 1 {
                    return Err(Errno::EINVAL);
                }
                if !self.capable(&target, CAP_SYS_ADMIN) {
                    return Err(Errno::EPERM);
                }
                self.caps = CapSet::full();
                self.change.ns[Kind::User] = Some(target);
            }
            _ => {
                // kernel/time/namespace.c timens_install: a caller sharing its address space
                // cannot switch clocks (EUSERS), before the permission check.
                if kind == Kind::Time && sys::current_mm_shared() {
                    return Err(Errno::EUSERS);
                }
                let own = self.get(Kind::User).clone();
                if !self.capable(Ns::owner_or_self(&target), CAP_SYS_ADMIN)
                    || !self.capable(&own, CAP_SYS_ADMIN)
                {
                    return Err(Errno::EPERM);
                }
                match kind {
                    Kind::Pid => {
                        // kernel/pid_namespace.c pidns_install: only the active pid vns or a
                        // descendant; sets pid_for_children only.
                        if !target.is_pid_descendant_of(self.get(Kind::Pid)) {
                            return Err(Errno::EINVAL);
                        }
                        self.change.pid_ns_for_children = Some(target);
                    }
                    // timens_install sets both the active and the for-children time vns.
                    Kind::Time => {
                        self.change.ns[kind] = Some(target.clone());
                        self.change.time_ns_for_children = Some(target);
                    }
                    _ => self.change.ns[kind] = Some(target),
                }
            }
        }
        Ok(())
    }

    /// Allocates what the new membership needs, then commits it (`commit_nsset`): nothing after the
    /// allocation can fail. Joining a time vns freezes its offsets (`timens_commit`).
    fn commit(self, vns: &Vns) -> VnsResult<()> {
        let Self { cur, change, caps } = self;
        let time = change.ns[Kind::Time].clone();
        let Current { proxy, member, .. } = cur;
        let pending = Members::prepare_change(member.as_ref(), proxy, change, caps, None)?;
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
        let mut set = NsSet::new(self.resolve());
        set.install(target, kind)?;
        set.commit(self)
    }

    /// VNS_IOC_SETNS_TASK, after the task was found and its access checked: joins the namespaces of
    /// the kinds in `flags` (already checked by `check_setns_flags`) of the task whose namespaces are
    /// `target` (kernel/nsproxy.c `validate_nsset`): its active namespaces, its active pid vns as
    /// pid_for_children. The caller's own user vns is not joined again (skipped, as `nsenter -a` does).
    pub(crate) fn setns_to(&self, cur: Current, target: &NsProxy, flags: u64) -> VnsResult<()> {
        let mut set = NsSet::new(cur);
        for kind in SETNS_ORDER {
            if flags & kind.clone_flag() == 0 {
                continue;
            }
            let ns = target.get(kind).clone();
            if kind == Kind::User && RcuRef::ptr_eq(&ns, set.cur.user_ns()) {
                continue;
            }
            set.install(ns, kind)?;
        }
        set.commit(self)
    }
}
