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
/// `time_ns_for_children`, and the proxies the task's children get. A proxy that more than one holder
/// can reach never changes: a change makes a new one; one held by its task's entry alone is changed in
/// place ([`ProxyChange::in_place`]).
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
        let (for_children, for_vm_children) = children(
            |kind| &ns[kind],
            &pid_ns_for_children,
            &time_ns_for_children,
        )?;
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

    /// A copy of this proxy's namespaces with references of its own, without its children's proxies:
    /// what another task reads of a task's namespaces. It takes no reference on the task's proxies, so
    /// that the task alone ever does (see `member.rs`).
    pub(crate) fn snapshot(&self) -> NsProxy {
        NsProxy {
            ns: self.ns.clone(),
            pid_ns_for_children: self.pid_ns_for_children.clone(),
            time_ns_for_children: self.time_ns_for_children.clone(),
            for_children: None,
            for_vm_children: None,
        }
    }

    /// This proxy with `change` made: a new proxy (charged to the caller), sharing what did not change.
    pub(crate) fn with(&self, change: &ProxyChange) -> VnsResult<ProxyRef> {
        let ns = PerKind::from_fn(|kind| pick(&change.ns[kind], &self.ns[kind]).clone());
        Self::new(
            ns,
            pick(&change.pid_ns_for_children, &self.pid_ns_for_children).clone(),
            pick(&change.time_ns_for_children, &self.time_ns_for_children).clone(),
        )
    }
}

/// The children's proxies of a proxy of the active namespaces `ns` with the two `*_for_children`
/// (charged to the caller): `for_children` when either differs from the active namespace,
/// `for_vm_children` when both do.
fn children<'a>(
    ns: impl Fn(Kind) -> &'a NsRef,
    pid_ns_for_children: &'a NsRef,
    time_ns_for_children: &'a NsRef,
) -> VnsResult<(Option<ProxyRef>, Option<ProxyRef>)> {
    let pid_differs = !RcuRef::ptr_eq(ns(Kind::Pid), pid_ns_for_children);
    let time_differs = !RcuRef::ptr_eq(ns(Kind::Time), time_ns_for_children);
    // A child's proxy: always in the pid vns for children; in the time vns for children if `time`.
    let child = |time: bool, for_children| {
        RcuRef::new(
            (),
            NsProxy {
                ns: PerKind::from_fn(|kind| {
                    child_ns(
                        kind,
                        ns(kind),
                        pid_ns_for_children,
                        time_ns_for_children,
                        time,
                    )
                    .clone()
                }),
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
    Ok((for_children, for_vm_children))
}

/// The namespace of `kind` in a child's proxy: the pid vns for children, the time vns for children if
/// `time`, the parent's active one (`active`) otherwise.
fn child_ns<'a>(
    kind: Kind,
    active: &'a NsRef,
    pid_for_children: &'a NsRef,
    time_for_children: &'a NsRef,
    time: bool,
) -> &'a NsRef {
    match kind {
        Kind::Pid => pid_for_children,
        Kind::Time if time => time_for_children,
        _ => active,
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

    /// Swaps the new namespaces into a proxy's `ns` and `*_for_children`: this change then holds the
    /// ones they replaced.
    fn swap_into(
        &mut self,
        ns: &mut PerKind<NsRef>,
        pid_ns_for_children: &mut NsRef,
        time_ns_for_children: &mut NsRef,
    ) {
        for (new, cur) in self.ns.iter_mut().zip(ns.iter_mut()) {
            if let Some(new) = new.as_mut() {
                core::mem::swap(new, cur);
            }
        }
        if let Some(new) = self.pid_ns_for_children.as_mut() {
            core::mem::swap(new, pid_ns_for_children);
        }
        if let Some(new) = self.time_ns_for_children.as_mut() {
            core::mem::swap(new, time_ns_for_children);
        }
    }

    /// Prepares making this change in place in `proxy`, which no other task shares (the caller's
    /// check): allocates the children's proxies it will need, unless it needs none or can keep the one
    /// it has, changed in place (no other holder, and no `for_vm_children` before or after).
    pub(crate) fn in_place(self, proxy: &NsProxy) -> VnsResult<InPlace> {
        let ns = |kind: Kind| pick(&self.ns[kind], &proxy.ns[kind]);
        let pid_fc = pick(&self.pid_ns_for_children, &proxy.pid_ns_for_children);
        let time_fc = pick(&self.time_ns_for_children, &proxy.time_ns_for_children);
        let pid_differs = !RcuRef::ptr_eq(ns(Kind::Pid), pid_fc);
        let time_differs = !RcuRef::ptr_eq(ns(Kind::Time), time_fc);
        let children = if !pid_differs && !time_differs {
            Children::Replace(None, None)
        } else if !(pid_differs && time_differs)
            && proxy.for_vm_children.is_none()
            && proxy
                .for_children
                .as_ref()
                .is_some_and(|c| c.ref_count() == 1)
        {
            Children::Update
        } else {
            let (c, v) = children(ns, pid_fc, time_fc)?;
            Children::Replace(c, v)
        };
        Ok(InPlace {
            change: self,
            children,
        })
    }
}

/// The namespace `new` if there is one, `old` otherwise.
fn pick<'a>(new: &'a Option<NsRef>, old: &'a NsRef) -> &'a NsRef {
    new.as_ref().unwrap_or(old)
}

/// What becomes of a proxy's children's proxies when it is changed in place.
enum Children {
    /// New ones, allocated ahead (or none, when it needs none after the change), in place of those it
    /// has; which they then hold.
    Replace(Option<ProxyRef>, Option<ProxyRef>),
    /// It keeps its `for_children`, which only it holds, changed in place.
    Update,
}

/// A [`ProxyChange`] ready to be made in place: nothing is left to allocate.
pub(crate) struct InPlace {
    change: ProxyChange,
    children: Children,
}

impl InPlace {
    /// Makes the change in `proxy` (the one it was prepared for); cannot fail. `self` then holds what
    /// was replaced, for the caller to drop once no lock is held. Returns `false`, having changed
    /// nothing, if the proxy to keep turns out to be shared (which the callers rule out).
    pub(crate) fn apply(&mut self, proxy: &mut NsProxy) -> bool {
        let NsProxy {
            ns,
            pid_ns_for_children,
            time_ns_for_children,
            for_children,
            for_vm_children,
        } = proxy;
        let change = &mut self.change;
        match &mut self.children {
            Children::Replace(c, v) => {
                change.swap_into(ns, pid_ns_for_children, time_ns_for_children);
                core::mem::swap(c, for_children);
                core::mem::swap(v, for_vm_children);
            }
            Children::Update => {
                // The child's proxy to keep, checked before anything changes.
                let Some(child) = for_children.as_mut().and_then(|c| c.get_mut()) else {
                    return false;
                };
                change.swap_into(ns, pid_ns_for_children, time_ns_for_children);
                // What the child's proxy drops here is also what `change` now holds (the child's
                // proxy was made from this proxy's namespaces): these are never last references, so
                // no namespace is released under the caller's lock.
                for kind in Kind::ALL {
                    let want = child_ns(
                        kind,
                        &ns[kind],
                        pid_ns_for_children,
                        time_ns_for_children,
                        true,
                    );
                    if !RcuRef::ptr_eq(&child.ns[kind], want) {
                        child.ns[kind] = want.clone();
                    }
                }
                child.pid_ns_for_children = pid_ns_for_children.clone();
                child.time_ns_for_children = time_ns_for_children.clone();
            }
        }
        true
    }

    /// The active namespaces replaced by [`InPlace::apply`], by kind (before it: the new ones).
    pub(crate) fn replaced(&self) -> &PerKind<Option<NsRef>> {
        &self.change.ns
    }
}

#[kernel::macros::kunit_tests(vns_proxy)]
mod tests {
    use kernel::prelude::*;

    use super::{
        NsProxy,
        ProxyChange, //
    };
    use crate::{
        kind::PerKind,
        ns::{
            NsRef,
            NsState, //
        },
        registry::Registry,
        sys::RcuRef,
        vcore::abi::Kind, //
    };

    /// Whether two proxies hold the same namespaces, and children's proxies that do.
    fn same(a: &NsProxy, b: &NsProxy) -> bool {
        let child = |x: &Option<super::ProxyRef>, y: &Option<super::ProxyRef>| match (x, y) {
            (None, None) => true,
            (Some(x), Some(y)) => same(x, y),
            _ => false,
        };
        a.ns.iter()
            .zip(b.ns.iter())
            .all(|(x, y)| RcuRef::ptr_eq(x, y))
            && RcuRef::ptr_eq(&a.pid_ns_for_children, &b.pid_ns_for_children)
            && RcuRef::ptr_eq(&a.time_ns_for_children, &b.time_ns_for_children)
            && child(&a.for_children, &b.for_children)
            && child(&a.for_vm_children, &b.for_vm_children)
    }

    /// A change made in place leaves a proxy with what a new proxy with the change has, whether its
    /// children's proxies are dropped, kept and changed, or made anew.
    #[test]
    fn in_place_change_equals_new_proxy() -> Result {
        // The proxy compares namespaces only by identity: plain ones of each kind do.
        let registry = Registry::new()?;
        let new_ns = |kind| registry.create(kind, None, None, NsState::Plain, GFP_KERNEL);
        let mut base = KVec::new();
        for kind in Kind::ALL {
            base.push(new_ns(kind)?, GFP_KERNEL)?;
        }
        let init = PerKind::from_fn(|kind| base[kind.index()].clone());
        let init_pid = init[Kind::Pid].clone();
        let init_time = init[Kind::Time].clone();
        let time1 = new_ns(Kind::Time)?;
        let time2 = new_ns(Kind::Time)?;
        let pid = new_ns(Kind::Pid)?;
        let ipc = new_ns(Kind::Ipc)?;
        let change = |ipc: Option<&NsRef>, pid_fc: Option<&NsRef>, time_fc: Option<&NsRef>| {
            let mut c = ProxyChange::none();
            c.ns[Kind::Ipc] = ipc.cloned();
            c.pid_ns_for_children = pid_fc.cloned();
            c.time_ns_for_children = time_fc.cloned();
            c
        };
        type Case<'a> = (
            &'a NsRef,
            &'a NsRef,
            Option<&'a NsRef>,
            Option<&'a NsRef>,
            Option<&'a NsRef>,
        );
        // (pid_for_children, time_for_children) before; the change: ipc, pid and time for children.
        let cases: [Case<'_>; 6] = [
            // No children's proxies before or after (UNSHARE of a plain kind).
            (&init_pid, &init_time, Some(&ipc), None, None),
            // NEWTIME: one made anew.
            (&init_pid, &init_time, None, None, Some(&time1)),
            // NEWTIME again, with another kind: the one there is kept and changed.
            (&init_pid, &time1, Some(&ipc), None, Some(&time2)),
            // NEWPID with the time vns differing: both made anew.
            (&init_pid, &time1, None, Some(&pid), None),
            // SETNS back to the active pid vns: the children's proxies dropped.
            (&pid, &init_time, None, Some(&init_pid), None),
            // From both differing to one: made anew (the kept one is shared with `for_vm_children`).
            (&pid, &time1, None, None, Some(&init_time)),
        ];
        for (pid_fc, time_fc, ipc, new_pid_fc, new_time_fc) in cases {
            let mut p = NsProxy::new(init.clone(), pid_fc.clone(), time_fc.clone())?;
            let expected = p.with(&change(ipc, new_pid_fc, new_time_fc))?;
            let mut plan = change(ipc, new_pid_fc, new_time_fc).in_place(&p)?;
            assert!(plan.apply(p.get_mut().ok_or(EINVAL)?));
            drop(plan);
            assert!(same(&p, &expected));
        }
        Ok(())
    }
}
