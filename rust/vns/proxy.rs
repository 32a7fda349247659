// SPDX-License-Identifier: GPL-2.0

//! [`NsProxy`]: what a task is a member of (`struct nsproxy`, kernel/nsproxy.c), and what its children
//! get; and [`ProxyChange`], what an UNSHARE or SETNS changes in it.

#![deny(unsafe_code)]

use kernel::prelude::*;

use crate::{
    error::VnsResult,
    kind::PerKind,
    ns::NsRef,
    sys::{
        RcuObject,
        RcuRef, //
    },
    vcore::abi::Kind, //
};

/// A counted reference to a proxy (`get_nsproxy`/`put_nsproxy`).
pub(crate) type ProxyRef = RcuRef<NsProxy>;

/// A task's namespaces (`struct nsproxy`): one of each kind, plus `pid_ns_for_children` and
/// `time_ns_for_children`, and the proxies the task's children get. Immutable: a change makes a new
/// proxy.
///
/// A new process enters `pid_ns_for_children`; one made without CLONE_VM enters `time_ns_for_children`
/// too, while threads and vfork children keep their parent's time vns (kernel/nsproxy.c
/// `copy_namespaces`, kernel/time/namespace.c `timens_on_fork`).
pub(crate) struct NsProxy {
    /// The active namespace of each kind.
    pub(crate) ns: PerKind<NsRef>,
    /// `pid_ns_for_children`.
    pub(crate) pid_ns_for_children: NsRef,
    /// `time_ns_for_children`.
    pub(crate) time_ns_for_children: NsRef,
    /// What a new process made without CLONE_VM gets when that differs from this proxy (its active pid
    /// and time vns are then the two `*_for_children`); `None` when it shares this proxy.
    pub(crate) for_children: Option<ProxyRef>,
    /// What a new process made with CLONE_VM (not a thread) gets when that differs from both this proxy
    /// and `for_children` (both `*_for_children` differ: it enters the pid vns only).
    for_vm_children: Option<ProxyRef>,
}

impl RcuObject for NsProxy {
    /// Proxies are in no table: no key.
    type Key = ();

    fn bucket(_key: &(), _buckets: usize) -> usize {
        0
    }
}

impl NsProxy {
    /// A proxy of `ns` with the two `*_for_children`, and its children's proxies where they differ
    /// (charged to the caller).
    pub(crate) fn new(
        ns: PerKind<NsRef>,
        pid_ns_for_children: NsRef,
        time_ns_for_children: NsRef,
    ) -> VnsResult<ProxyRef> {
        let pid_differs = !RcuRef::ptr_eq(&ns[Kind::Pid], &pid_ns_for_children);
        let time_differs = !RcuRef::ptr_eq(&ns[Kind::Time], &time_ns_for_children);
        // A child's proxy: always in the pid vns for children; in the time vns for children if `time`.
        let child = |time: bool, for_children| {
            let mut child_ns = ns.clone();
            child_ns[Kind::Pid] = pid_ns_for_children.clone();
            if time {
                child_ns[Kind::Time] = time_ns_for_children.clone();
            }
            RcuRef::new(
                (),
                NsProxy {
                    ns: child_ns,
                    pid_ns_for_children: pid_ns_for_children.clone(),
                    time_ns_for_children: time_ns_for_children.clone(),
                    for_children,
                    for_vm_children: None,
                },
                GFP_KERNEL_ACCOUNT,
            )
        };
        let for_children = if pid_differs || time_differs {
            Some(child(true, None)?)
        } else {
            None
        };
        // Its own children without CLONE_VM enter the time vns it did not.
        let for_vm_children = if pid_differs && time_differs {
            Some(child(false, for_children.clone())?)
        } else {
            None
        };
        Ok(RcuRef::new(
            (),
            NsProxy {
                ns,
                pid_ns_for_children,
                time_ns_for_children,
                for_children,
                for_vm_children,
            },
            GFP_KERNEL_ACCOUNT,
        )?)
    }

    /// What a new process of a task with this proxy gets (a thread shares its group's): with
    /// `clone_vm`, the pid vns for children only; without, the time vns for children too.
    pub(crate) fn for_new_process(this: &ProxyRef, clone_vm: bool) -> ProxyRef {
        let proxy = if clone_vm && this.time_changes_at_exec() {
            // Both differ: it enters the pid vns for children only. With the time vns alone differing
            // there is no such proxy, and it shares this one.
            this.for_vm_children.as_ref()
        } else {
            this.for_children.as_ref()
        };
        proxy.unwrap_or(this).clone()
    }

    /// Whether a task of this proxy enters another time vns at its next exec (kernel/nsproxy.c
    /// `exec_task_namespaces`).
    pub(crate) fn time_changes_at_exec(&self) -> bool {
        !RcuRef::ptr_eq(&self.ns[Kind::Time], &self.time_ns_for_children)
    }

    /// The proxy after an exec: the active time vns becomes `time_ns_for_children`, the rest stays.
    /// That is `for_children` when the pid vns for children is the active one (no allocation).
    pub(crate) fn after_exec(this: &ProxyRef) -> VnsResult<ProxyRef> {
        if RcuRef::ptr_eq(&this.ns[Kind::Pid], &this.pid_ns_for_children) {
            return Ok(this.for_children.as_ref().unwrap_or(this).clone());
        }
        let mut ns = this.ns.clone();
        ns[Kind::Time] = this.time_ns_for_children.clone();
        Self::new(
            ns,
            this.pid_ns_for_children.clone(),
            this.time_ns_for_children.clone(),
        )
    }

    /// The active namespace of `kind`.
    pub(crate) fn get(&self, kind: Kind) -> &NsRef {
        &self.ns[kind]
    }

    /// The user vns.
    pub(crate) fn user_ns(&self) -> &NsRef {
        self.get(Kind::User)
    }

    /// The namespace ids, in kind order.
    pub(crate) fn ids(&self) -> [u64; crate::vcore::abi::VNS_NR_KINDS] {
        self.ns.map(|n| n.id)
    }

    /// A copy of this proxy holding references of its own (what another task reads of a task's
    /// namespaces: it takes no reference on the task's proxy itself, so that the task alone ever does,
    /// see [`ProxyChange::in_place`]).
    pub(crate) fn snapshot(&self) -> NsProxy {
        NsProxy {
            ns: self.ns.clone(),
            pid_ns_for_children: self.pid_ns_for_children.clone(),
            time_ns_for_children: self.time_ns_for_children.clone(),
            for_children: self.for_children.clone(),
            for_vm_children: self.for_vm_children.clone(),
        }
    }

    /// This proxy with `change` made: a new proxy (charged to the caller), sharing what did not change.
    pub(crate) fn with(&self, change: &ProxyChange) -> VnsResult<ProxyRef> {
        let ns =
            PerKind::from_fn(|kind| change.ns[kind].as_ref().unwrap_or(&self.ns[kind]).clone());
        let pick = |new: &Option<NsRef>, old: &NsRef| new.as_ref().unwrap_or(old).clone();
        Self::new(
            ns,
            pick(&change.pid_ns_for_children, &self.pid_ns_for_children),
            pick(&change.time_ns_for_children, &self.time_ns_for_children),
        )
    }
}

/// What an UNSHARE changes in its caller's proxy: a new active namespace for some kinds, a new
/// `pid_ns_for_children` or `time_ns_for_children`.
pub(crate) struct ProxyChange {
    /// The new active namespace of each kind that changes.
    pub(crate) ns: PerKind<Option<NsRef>>,
    /// The new `pid_ns_for_children`, if it changes.
    pub(crate) pid_ns_for_children: Option<NsRef>,
    /// The new `time_ns_for_children`, if it changes.
    pub(crate) time_ns_for_children: Option<NsRef>,
}

impl ProxyChange {
    /// No change.
    pub(crate) fn none() -> Self {
        Self {
            ns: PerKind::from_fn(|_| None),
            pid_ns_for_children: None,
            time_ns_for_children: None,
        }
    }

    /// Whether this change can be made in place in `proxy`, with no new proxy: when it touches neither
    /// the pid nor the time namespaces (so that `proxy`'s children's proxies stay what they are) and
    /// `proxy` has none of its own (its children share it). Whether `proxy` is shared with another task
    /// is the caller's question.
    pub(crate) fn in_place(&self, proxy: &NsProxy) -> bool {
        proxy.for_children.is_none()
            && self.pid_ns_for_children.is_none()
            && self.time_ns_for_children.is_none()
            && self.ns[Kind::Pid].is_none()
            && self.ns[Kind::Time].is_none()
    }

    /// Makes the change in `proxy` (see [`ProxyChange::in_place`]): moves the namespaces it replaces
    /// into `self`, for the caller to drop when no lock is held any more.
    pub(crate) fn swap_into(&mut self, proxy: &mut NsProxy) {
        for (new, cur) in self.ns.iter_mut().zip(proxy.ns.iter_mut()) {
            if let Some(new) = new.as_mut() {
                core::mem::swap(new, cur);
            }
        }
    }
}
