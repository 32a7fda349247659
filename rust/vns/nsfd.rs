// SPDX-License-Identifier: GPL-2.0

//! Namespace file descriptors (Documentation/vns.rst "Namespace fds"): an anon-inode file that holds a
//! reference to a namespace, as an open `/proc/PID/ns/*` file does, and answers the questions of
//! `ioctl_ns(2)` with their errnos (fs/nsfs.c `ns_ioctl`, kernel/user_namespace.c `ns_get_owner`,
//! kernel/pid_namespace.c `pidns_get_parent`).
//!
//! While the file is open the namespace, its charge and its state stay, even with no member; the last
//! close drops the reference, which releases the namespace then and there if nothing else holds it. The
//! file holds the module too (rmmod is refused meanwhile).

#![deny(unsafe_code)]

use kernel::{
    prelude::*,
    sync::Arc,
    uaccess::{
        UserPtr,
        UserSlice, //
    }, //
};

use crate::{
    error::{
        Errno,
        VnsResult, //
    },
    ns::{
        Ns,
        NsRef, //
    },
    state::{
        Current,
        Vns, //
    },
    sys::{
        anon_fd,
        with_anon_fd,
        AnonFile,
        RcuRef, //
    },
    user::IdMapKind,
    vcore::{
        abi::{
            Kind,
            NsCmd, //
        },
        caps::CAP_SYS_ADMIN, //
    }, //
};

/// An open namespace fd: the module's state and the namespace it holds.
pub(crate) struct NsFile {
    vns: Arc<Vns>,
    ns: NsRef,
}

impl AnonFile for NsFile {
    const TAG: u32 = u32::from_be_bytes(*b"vnsn");

    fn ioctl(&self, cmd: u32, arg: usize) -> Result<isize> {
        Ok(Vns::ns_ioctl(&self.vns, &self.ns, cmd, arg)?)
    }
}

/// A new namespace fd holding `ns` (charged to the caller's memcg).
pub(crate) fn open(vns: &Arc<Vns>, ns: NsRef) -> VnsResult<isize> {
    let file = KBox::new(
        NsFile {
            vns: vns.clone(),
            ns,
        },
        GFP_KERNEL_ACCOUNT,
    )?;
    Ok(anon_fd(file)? as isize)
}

/// The namespace fd `fd` holds: EBADF for a closed fd, EINVAL for another file, as setns(2).
pub(crate) fn namespace_of(fd: u64) -> VnsResult<NsRef> {
    let fd = i32::try_from(fd).map_err(|_| Errno::EBADF)?;
    Ok(with_anon_fd::<NsFile, _>(fd, |f| f.ns.clone())?)
}

/// Whether the caller may hold `ns` by id: one of its own (active or for children); or one it has vns
/// CAP_SYS_ADMIN over (in a user vns itself, in another kind's owner), so that nobody pins the
/// namespaces of a user it has no power over (7.3 opens a namespace by handle only for a caller that
/// may see them all, fs/nsfs.c). A pid vns must also be the caller's active one or below it, as
/// `pidns_get_parent` keeps a task from climbing above its own.
fn may_hold(cur: &Current, ns: &NsRef) -> bool {
    let p = &cur.proxy;
    let own = |other: &NsRef| RcuRef::ptr_eq(other, ns);
    if p.ns.iter().any(own) || own(&p.pid_ns_for_children) || own(&p.time_ns_for_children) {
        return true;
    }
    if ns.kind == Kind::Pid && !ns.is_pid_descendant_of(p.get(Kind::Pid)) {
        return false;
    }
    let power_over = if ns.kind == Kind::User {
        ns
    } else {
        Ns::owner_or_self(ns)
    };
    cur.ns_capable(power_over, CAP_SYS_ADMIN)
}

/// A user vns the caller's user vns is, or is an ancestor of (`ns_get_owner`'s walk): else EPERM.
fn below_own_user_ns(cur: &Current, user: Option<&NsRef>) -> VnsResult<NsRef> {
    match user {
        Some(u) if u.is_same_or_descendant_of(cur.user_ns()) => Ok(u.clone()),
        _ => Err(Errno::EPERM),
    }
}

impl Vns {
    /// VNS_IOC_NS_FD: a namespace fd of `id` (0: the caller's own of `kind`). ENOENT for an unknown id,
    /// EINVAL for another kind, EPERM for a namespace the caller may not hold (`may_hold`).
    pub(crate) fn ns_fd(this: &Arc<Self>, id: u64, kind: Kind) -> VnsResult<isize> {
        let cur = this.resolve();
        let ns = if id == 0 {
            cur.proxy.get(kind).clone()
        } else {
            let ns = this.registry.find(id).ok_or(Errno::ENOENT)?;
            if ns.kind != kind {
                return Err(Errno::EINVAL);
            }
            if !may_hold(&cur, &ns) {
                return Err(Errno::EPERM);
            }
            ns
        };
        open(this, ns)
    }

    /// An ioctl on a namespace fd of `ns`: the commands of `ioctl_ns(2)`, ENOTTY for any other.
    fn ns_ioctl(this: &Arc<Self>, ns: &NsRef, cmd: u32, arg: usize) -> VnsResult<isize> {
        let cmd = NsCmd::decode(cmd)?;
        let cur = this.resolve();
        match cmd {
            NsCmd::GetNstype => Ok(ns.kind.clone_flag() as isize),
            NsCmd::GetId => {
                UserSlice::new(UserPtr::from_addr(arg), 8)
                    .writer()
                    .write(&ns.id)?;
                Ok(0)
            }
            NsCmd::GetOwnerUid => {
                let owner = ns.user().ok_or(Errno::EINVAL)?.owner_uid;
                let me = cur.user_ns().user().ok_or(Errno::EINVAL)?;
                let uid: u32 = me.from_kid_munged(IdMapKind::Uid, owner);
                UserSlice::new(UserPtr::from_addr(arg), 4)
                    .writer()
                    .write(&uid)?;
                Ok(0)
            }
            // The owning user vns (of a user vns: its parent), if the caller's user vns is it or an
            // ancestor.
            NsCmd::GetUserns => open(this, below_own_user_ns(&cur, ns.owner.as_ref())?),
            NsCmd::GetParent => match ns.kind {
                Kind::User => open(this, below_own_user_ns(&cur, ns.owner.as_ref())?),
                // pidns_get_parent: the parent must be the caller's active pid vns or below it.
                Kind::Pid => {
                    let parent = ns.parent().ok_or(Errno::EPERM)?;
                    if !parent.is_pid_descendant_of(cur.proxy.get(Kind::Pid)) {
                        return Err(Errno::EPERM);
                    }
                    open(this, parent.clone())
                }
                _ => Err(Errno::EINVAL),
            },
        }
    }
}
