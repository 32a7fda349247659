// SPDX-License-Identifier: GPL-2.0

//! The operations that change what the caller is a member of or what a namespace holds: UNSHARE
//! (spec §3, kernel/fork.c `ksys_unshare`), SETNS (spec §8, kernel/nsproxy.c `setns`), uts names
//! (spec §5), id maps (spec §6, kernel/user_namespace.c `map_write`), mounts (spec §5 mnt).
//!
//! Every operation checks and allocates everything first and changes state in one last step, so a
//! failure leaves ids, counts and membership exactly as they were. The calls with results (UNSHARE's
//! `applied`, MOUNT's id) write them to user space *before* that step ("reserve, write, commit"), so
//! an EFAULT, too, leaves everything as it was; and a new namespace is published (reachable by id
//! from other tasks) only in that step.

#![deny(unsafe_code)]

use kernel::{prelude::*, sync::atomic::Relaxed};

use crate::{
    error::{Errno, VnsResult},
    mnt::MntNs,
    ns::{Ns, NsRef, NsState, PidNs, Proxy, UserNs},
    state::Vns,
    sys::{self, RcuRef, UtsNames},
    ucounts::inc_ucount,
    vcore::{
        abi::{Kind, VnsIdExtent, VnsMount, CLONE_NEWUSER, CLONE_VM, VNS_NR_KINDS},
        caps::{CapSet, CAP_SETGID, CAP_SETUID, CAP_SYS_ADMIN},
        depth,
        flags::{self, TaskFacts, CREATE_ORDER},
        idmap::{self, IdExtent, IdMap, MapWriter},
    },
};

impl Vns {
    /// VNS_IOC_UNSHARE: computes the completed flags (`applied`) and everything they create, hands
    /// `applied` to `report` (which writes it to user space), and only if that succeeds commits.
    pub(crate) fn unshare(&self, flags: u64, report: impl FnOnce(u64) -> VnsResult<()>) -> VnsResult<()> {
        let cur = self.resolve();
        let f = &cur.facts;
        // 1-2. Complete the flags, then EINVAL (check_unshare_flags). Whether another task shares the
        // address space costs a task-list walk: asked only for CLONE_VM, which nothing else implies.
        let facts = TaskFacts {
            nr_threads: f.nr_threads,
            sighand_shared: f.sighand_shared,
            mm_shared: flags & CLONE_VM != 0 && sys::current_mm_shared(),
        };
        let completed = flags::unshare_flags(flags, &facts)?;
        if flags::ns_flags(completed) == 0 {
            // Only task-state flags (or none): validated, nothing for vns to change (spec §3).
            return report(completed);
        }
        let (euid, egid) = (f.euid, f.egid);
        let mut ns = cur.proxy.ns_array();
        let mut pid_for_children = cur.proxy.pid_for_children.clone();
        let mut caps = cur.caps;
        // What this call creates, published only at the commit.
        let mut created: [Option<NsRef>; VNS_NR_KINDS] = [const { None }; VNS_NR_KINDS];

        // 3. CLONE_NEWUSER (kernel/user_namespace.c create_user_ns): depth, limit, mapped creator.
        let new_user = flags::wants(completed, Kind::User);
        if new_user {
            let parent = cur.user_ns();
            let pu = parent.user().ok_or(Errno::EINVAL)?;
            let level = depth::check_user_ns_depth(pu.level)?;
            let charge = inc_ucount(&self.ucounts, parent, euid, Kind::User)?;
            if !pu.has_mapping(0, euid) || !pu.has_mapping(1, egid) {
                return Err(Errno::EPERM);
            }
            let user = self.new_ns(Kind::User, parent, charge, NsState::User(UserNs::new(level, euid, egid)))?;
            ns[Kind::User.index()] = user.clone();
            created[Kind::User.index()] = Some(user);
            // The creator has the full set in the new namespace (spec §2).
            caps = CapSet::full();
        }
        let owner = ns[Kind::User.index()].clone();

        // 4. Any other namespace needs CAP_SYS_ADMIN in the (new or current) user vns.
        if flags::ns_flags(completed) & !CLONE_NEWUSER != 0 && !new_user && !cur.ns_capable(&owner, CAP_SYS_ADMIN) {
            return Err(Errno::EPERM);
        }

        // 5. Create in the kernel's order (create_new_namespaces), each charged to (owner, euid).
        for kind in CREATE_ORDER {
            if !flags::wants(completed, kind) {
                continue;
            }
            let old = &ns[kind.index()];
            let level = if kind == Kind::Pid {
                // kernel/pid_namespace.c copy_pid_ns/create_pid_namespace: EINVAL, then ENOSPC.
                let active = cur.proxy.get(Kind::Pid);
                let differs = !RcuRef::ptr_eq(active, &pid_for_children);
                depth::check_new_pid_ns(differs, active.level())?
            } else {
                0
            };
            let charge = inc_ucount(&self.ucounts, &owner, euid, kind)?;
            let state = match kind {
                Kind::Mnt => NsState::Mnt(old.mnt().ok_or(Errno::EINVAL)?.copy(|| self.next_mnt_id())?),
                Kind::Uts => NsState::Uts(UtsNames::new(Some(old.uts().ok_or(Errno::EINVAL)?))?),
                Kind::Pid => NsState::Pid(PidNs::new(level, pid_for_children.clone())?),
                _ => NsState::Plain,
            };
            let new = self.new_ns(kind, &owner, charge, state)?;
            created[kind.index()] = Some(new.clone());
            if kind == Kind::Pid {
                // NEWPID changes pid_for_children only; the caller's own pid vns stays.
                pid_for_children = new;
            } else {
                ns[kind.index()] = new;
            }
        }

        // 6. The last allocation, then the result to user space: an error in either drops what was
        // made, which undoes it all (no other task has seen any of it).
        let proxy = Proxy::new(ns, pid_for_children)?;
        let entry = Self::new_membership(proxy, caps, cur.pid.clone())?;
        report(completed)?;

        // 7. Commit: nothing below can fail.
        for new in created.iter().flatten() {
            self.publish(new);
        }
        self.install_membership(cur.member.as_ref(), entry);
        Ok(())
    }

    /// VNS_IOC_SETNS: joins namespace `id` of `kind` (kernel/nsproxy.c `setns`, the per-kind `install`).
    pub(crate) fn setns(&self, id: u64, kind: Kind) -> VnsResult<()> {
        let target = self.find_ns(id).ok_or(Errno::ENOENT)?;
        if target.kind != kind {
            return Err(Errno::EINVAL);
        }
        let cur = self.resolve();
        let mut ns = cur.proxy.ns_array();
        let mut pid_for_children = cur.proxy.pid_for_children.clone();
        let mut caps = cur.caps;
        match kind {
            Kind::User => {
                // kernel/user_namespace.c userns_install.
                if RcuRef::ptr_eq(&target, cur.user_ns()) || cur.facts.nr_threads > 1 {
                    return Err(Errno::EINVAL);
                }
                if !cur.ns_capable(&target, CAP_SYS_ADMIN) {
                    return Err(Errno::EPERM);
                }
                caps = CapSet::full();
                ns[Kind::User.index()] = target;
            }
            _ => {
                let owner = Ns::owner_or_self(&target);
                if !cur.ns_capable(owner, CAP_SYS_ADMIN) || !cur.has_cap_in_own(CAP_SYS_ADMIN) {
                    return Err(Errno::EPERM);
                }
                if kind == Kind::Pid {
                    // kernel/pid_namespace.c pidns_install: only the active pid vns or a descendant.
                    let active = cur.proxy.get(Kind::Pid);
                    if !is_pid_descendant(&target, active) {
                        return Err(Errno::EINVAL);
                    }
                    pid_for_children = target;
                } else {
                    ns[kind.index()] = target;
                }
            }
        }
        let proxy = Proxy::new(ns, pid_for_children)?;
        self.set_membership(cur.member.as_ref(), proxy, caps, cur.pid.clone())
    }

    /// VNS_IOC_SET_UTS: sets one name of the caller's uts vns; needs vns CAP_SYS_ADMIN in its owner.
    pub(crate) fn set_uts(&self, which: u32, name: &[u8]) -> VnsResult<()> {
        let cur = self.resolve();
        let uts = cur.proxy.get(Kind::Uts);
        if !cur.ns_capable(Ns::owner_or_self(uts), CAP_SYS_ADMIN) {
            return Err(Errno::EPERM);
        }
        uts.uts().ok_or(Errno::EINVAL)?.write(which, name);
        Ok(())
    }

    /// VNS_IOC_SET_ID_MAP: writes the uid (`which` 0) or gid (1) map of user vns `ns_id` once.
    pub(crate) fn set_id_map(&self, ns_id: u64, which: u32, extents: &[VnsIdExtent]) -> VnsResult<()> {
        let target = self.find_ns(ns_id).ok_or(Errno::ENOENT)?;
        let user = target.user().ok_or(Errno::EINVAL)?;
        let cur = self.resolve();
        let exts = to_extents(extents)?;
        // The parent's map translates `lower_first` (as /proc/PID/uid_map does). A parent whose map is
        // not written maps nothing: validation still comes first, then every extent is EPERM. The init
        // user vns's maps are written at load, so a write to it is EPERM ("already written").
        static UNWRITTEN: IdMap = IdMap::empty();
        let parent = Ns::owner_or_self(&target);
        let parent_map = parent.user().and_then(|p| p.map(which)).unwrap_or(&UNWRITTEN);
        let (own_kid, cap) = if which == 0 { (cur.facts.euid, CAP_SETUID) } else { (cur.facts.egid, CAP_SETGID) };
        let writer = MapWriter {
            is_owner: cur.facts.euid == user.owner_uid,
            own_kid,
            cap_setid_in_parent: target.owner.is_some() && cur.ns_capable(parent, cap),
        };
        // Validation before permission (spec §6), both before anything is installed.
        idmap::check_map_write(user.map(which).is_some(), &exts, &writer, parent_map)?;
        let mut map = KBox::new(IdMap::empty(), GFP_KERNEL_ACCOUNT)?;
        map.write(&exts, &writer, parent_map)?;
        let slot = if which == 0 { &user.uid_map } else { &user.gid_map };
        if slot.populate(map) {
            Ok(())
        } else {
            // Another writer won the race: the map is written once.
            Err(Errno::EPERM)
        }
    }

    /// VNS_IOC_MOUNT: adds `m` under `m.parent_id` in the caller's mount vns. The id is set in `m`
    /// and handed to `report` (which writes it to user space) before the entry is inserted; if `report`
    /// fails, nothing was added.
    pub(crate) fn mount(
        &self,
        m: &mut VnsMount,
        report: impl FnOnce(&VnsMount) -> VnsResult<()>,
    ) -> VnsResult<()> {
        let cur = self.resolve();
        let mnt = cur.proxy.get(Kind::Mnt);
        if !cur.ns_capable(Ns::owner_or_self(mnt), CAP_SYS_ADMIN) {
            return Err(Errno::EPERM);
        }
        let max = u32::try_from(self.mount_max.load(Relaxed)).unwrap_or(0);
        let reservation = mnt_of(mnt)?.reserve(m, max, || self.next_mnt_id())?;
        report(m)?;
        reservation.commit()
    }

    /// VNS_IOC_UMOUNT: removes entry `id` from the caller's mount vns.
    pub(crate) fn umount(&self, id: u64, flags: u64) -> VnsResult<()> {
        if flags != 0 {
            return Err(Errno::EINVAL);
        }
        let cur = self.resolve();
        let mnt = cur.proxy.get(Kind::Mnt);
        if !cur.ns_capable(Ns::owner_or_self(mnt), CAP_SYS_ADMIN) {
            return Err(Errno::EPERM);
        }
        mnt_of(mnt)?.umount(id, flags)
    }
}

/// The mount table of a mount vns.
fn mnt_of(ns: &NsRef) -> VnsResult<&MntNs> {
    ns.mnt().ok_or(Errno::EINVAL)
}

/// Whether `ns` is `ancestor` or below it in the pid vns tree.
fn is_pid_descendant(ns: &Ns, ancestor: &Ns) -> bool {
    let mut cur = Some(ns);
    while let Some(n) = cur {
        if n.id == ancestor.id {
            return true;
        }
        cur = n.pid().and_then(|p| p.parent.as_deref());
    }
    false
}

/// The ABI extents as vns-core's (their number is checked with the rest of the map, in order).
fn to_extents(extents: &[VnsIdExtent]) -> VnsResult<KVec<IdExtent>> {
    let mut v = KVec::with_capacity(extents.len(), GFP_KERNEL_ACCOUNT)?;
    for e in extents {
        v.push(IdExtent::new(e.first, e.lower_first, e.count), GFP_KERNEL_ACCOUNT)?;
    }
    Ok(v)
}
