// SPDX-License-Identifier: GPL-2.0

//! The operations on what a namespace holds, and the queries: GET_INFO, uts names
//! (Documentation/vns.rst "Kinds"), id maps (Documentation/userspace-api/vns.rst "VNS_IOC_SET_ID_MAP",
//! kernel/user_namespace.c `map_write`), mounts (Documentation/vns.rst "Mount tables"), LIST_NS and
//! GET_UCOUNTS.
//!
//! Each checks and allocates first and changes state in one last step. MOUNT writes its result (the
//! new id) to user space before that step, so an EFAULT adds nothing.

#![deny(unsafe_code)]

use kernel::{
    prelude::*,
    sync::atomic::Relaxed, //
};

use crate::{
    error::{
        Errno,
        VnsResult, //
    },
    kind::PerKind,
    mnt::MntNs,
    ns::{
        Ns,
        NsRef, //
    },
    state::{
        Current,
        Vns, //
    },
    sys::{
        self,
        RcuRef,
        UtsField, //
    },
    user::IdMapKind,
    vcore::{
        abi::{
            Kind,
            VnsClockTs,
            VnsIdExtent,
            VnsInfo,
            VnsMount,
            VnsNsEntry,
            VnsTimeOffsets,
            VNS_INFO_FULL_CAPS,
            VNS_NR_KINDS, //
        },
        caps::{
            CAP_SETGID,
            CAP_SETUID,
            CAP_SYS_ADMIN,
            CAP_SYS_TIME, //
        },
        idmap::{
            self,
            IdExtent,
            IdMap,
            MapWriter, //
        },
        timens::{
            check_offset_range,
            check_offsets_input,
            Clock,
            OffsetClock,
            Timespec, //
        }, //
    }, //
};

/// Walks of a mount table LIST_MOUNTS makes while other members keep changing it.
const LIST_RETRIES: u32 = 4;

/// Entries LIST_MOUNTS reads per lock hold (32 `vns_mount`s, 7.25 KiB).
const LIST_CHUNK: usize = 32;

impl Vns {
    /// VNS_IOC_GET_INFO: the caller's membership, ids and capabilities.
    pub(crate) fn get_info(&self) -> VnsResult<VnsInfo> {
        let cur = self.resolve();
        let user = cur.user_ns().user().ok_or(Errno::EINVAL)?;
        let active_pid = cur.proxy.get(Kind::Pid);
        // The real tgid in the init pid vns; the task's number in any other.
        let pid = if active_pid.is_init() {
            sys::current_tgid()
        } else {
            cur.pid().map_or(0, |p| p.nr as i32)
        };
        Ok(VnsInfo {
            ns_id: cur.proxy.ids(),
            pid_for_children_id: cur.proxy.pid_ns_for_children.id,
            time_for_children_id: cur.proxy.time_ns_for_children.id,
            user_level: user.level,
            pid_level: active_pid.level(),
            uid: user.from_kid_munged(IdMapKind::Uid, cur.facts.euid),
            gid: user.from_kid_munged(IdMapKind::Gid, cur.facts.egid),
            pid,
            flags: if cur.full_caps() {
                VNS_INFO_FULL_CAPS
            } else {
                0
            },
        })
    }

    /// VNS_IOC_SET_TIME_OFFSETS: sets clock offsets of the caller's time-for-children vns, in
    /// `proc_timens_set_offset`'s order (kernel/time/namespace.c): the format (EINVAL, as the proc
    /// file's parser), then vns CAP_SYS_TIME in the namespace's owner (EPERM), then each clock and
    /// range (EINVAL, ERANGE: the bound depends on the clock now), then frozen (EACCES).
    pub(crate) fn set_time_offsets(&self, o: &VnsTimeOffsets) -> VnsResult<()> {
        let given = check_offsets_input(o)?;
        let cur = self.resolve();
        let target = &cur.proxy.time_ns_for_children;
        if !cur.ns_capable(Ns::owner_or_self(target), CAP_SYS_TIME) {
            return Err(Errno::EPERM);
        }
        let mut offsets = [(OffsetClock::Monotonic, Timespec::ZERO); 2];
        for (slot, line) in offsets.iter_mut().zip(given) {
            let clock = OffsetClock::from_clock_id(line.clock_id)?;
            let now = sys::clock_read(match clock {
                OffsetClock::Monotonic => Clock::Monotonic,
                OffsetClock::Boottime => Clock::Boottime,
            });
            let value = Timespec {
                sec: line.sec,
                nsec: line.nsec,
            };
            check_offset_range(now, value)?;
            *slot = (clock, value);
        }
        let offsets = offsets.get(..given.len()).ok_or(Errno::EINVAL)?;
        target.time().ok_or(Errno::EINVAL)?.set(offsets)
    }

    /// VNS_IOC_GET_TIME_OFFSETS: the offsets of the caller's time-for-children vns, as
    /// /proc/PID/timens_offsets shows them: CLOCK_MONOTONIC, then CLOCK_BOOTTIME.
    pub(crate) fn get_time_offsets(&self) -> VnsResult<VnsTimeOffsets> {
        let cur = self.resolve();
        let time = cur.proxy.time_ns_for_children.time().ok_or(Errno::EINVAL)?;
        let mut out = VnsTimeOffsets {
            nr: OffsetClock::ALL.len() as u32,
            ..VnsTimeOffsets::default()
        };
        for (slot, clock) in out.offsets.iter_mut().zip(OffsetClock::ALL) {
            let t = time.offset(clock);
            *slot = VnsClockTs {
                clock_id: clock.clock_id(),
                reserved: 0,
                sec: t.sec,
                nsec: t.nsec,
            };
        }
        Ok(out)
    }

    /// VNS_IOC_CLOCK_GETTIME: `clock_id` as the caller sees it, its active time vns's offset added
    /// to the monotonic clocks and CLOCK_BOOTTIME (`timens_add_monotonic`, `timens_add_boottime`).
    pub(crate) fn clock_gettime(&self, clock_id: i32) -> VnsResult<Timespec> {
        let clock = Clock::from_clock_id(clock_id)?;
        let now = sys::clock_read(clock);
        let Some(offset) = clock.offset() else {
            return Ok(now);
        };
        let cur = self.resolve();
        let time = cur.proxy.get(Kind::Time).time().ok_or(Errno::EINVAL)?;
        Ok(now.add(time.offset(offset)))
    }

    /// VNS_IOC_GET_UTS: both names of the caller's uts vns.
    pub(crate) fn get_uts(&self) -> VnsResult<([u8; sys::UTS_LEN + 1], [u8; sys::UTS_LEN + 1])> {
        let cur = self.resolve();
        Ok(cur.proxy.get(Kind::Uts).uts().ok_or(Errno::EINVAL)?.read())
    }

    /// VNS_IOC_SET_UTS: sets one name of the caller's uts vns; needs vns CAP_SYS_ADMIN in its owner.
    pub(crate) fn set_uts(&self, field: UtsField, name: &[u8]) -> VnsResult<()> {
        let cur = self.resolve();
        let uts = cur.proxy.get(Kind::Uts);
        if !cur.ns_capable(Ns::owner_or_self(uts), CAP_SYS_ADMIN) {
            return Err(Errno::EPERM);
        }
        uts.uts().ok_or(Errno::EINVAL)?.write(field, name);
        Ok(())
    }

    /// VNS_IOC_SET_ID_MAP: writes the uid or gid map of user vns `ns_id` once.
    pub(crate) fn set_id_map(
        &self,
        ns_id: u64,
        kind: IdMapKind,
        extents: &[VnsIdExtent],
    ) -> VnsResult<()> {
        let target = self.registry.find(ns_id).ok_or(Errno::ENOENT)?;
        let user = target.user().ok_or(Errno::EINVAL)?;
        let cur = self.resolve();
        let exts = to_extents(extents)?;
        // The parent's map translates `lower_first` (as /proc/PID/uid_map does). A parent whose map is
        // not written maps nothing: validation still comes first, then every extent is EPERM. The init
        // user vns's maps are written at load, so a write to it is EPERM ("already written").
        static UNWRITTEN: IdMap = IdMap::empty();
        let parent = Ns::owner_or_self(&target);
        let parent_map = parent
            .user()
            .and_then(|p| p.map(kind))
            .unwrap_or(&UNWRITTEN);
        let (own_kid, cap) = match kind {
            IdMapKind::Uid => (cur.facts.euid, CAP_SETUID),
            IdMapKind::Gid => (cur.facts.egid, CAP_SETGID),
        };
        let writer = MapWriter {
            is_owner: cur.facts.euid == user.owner_uid,
            own_kid,
            cap_setid_in_parent: target.owner.is_some() && cur.ns_capable(parent, cap),
        };
        // Validation before permission, both before anything is installed.
        idmap::check_map_write(user.map(kind).is_some(), &exts, &writer, parent_map)?;
        let mut map = KBox::new(IdMap::empty(), GFP_KERNEL_ACCOUNT)?;
        map.write(&exts, &writer, parent_map)?;
        if user.set_map(kind, map) {
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

    /// VNS_IOC_LIST_MOUNTS: hands the caller's mount table to `write` (entry index, entry) in id order,
    /// at most `cap` entries, a chunk at a time (one short lock hold and one bounded buffer per chunk,
    /// whatever `cap` and the table's size); returns `nr`, the table's size when the last chunk was
    /// read. A table changed meanwhile by another member is walked again from the start, so the entries
    /// and `nr` are one reading of the table; after `LIST_RETRIES` walks that all raced with changes,
    /// `nr` reports what was written (it never promises entries not written).
    pub(crate) fn list_mounts(
        &self,
        cap: usize,
        mut write: impl FnMut(usize, &VnsMount) -> VnsResult<()>,
    ) -> VnsResult<usize> {
        let cur = self.resolve();
        let mnt = mnt_of(cur.proxy.get(Kind::Mnt))?;
        let mut chunk = KVec::with_capacity(LIST_CHUNK.min(cap), GFP_KERNEL_ACCOUNT)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut from = 0u64;
            let mut copied = 0usize;
            let generation = mnt.generation();
            let total = loop {
                let want = (cap - copied).min(LIST_CHUNK);
                let total = mnt.read_chunk(from, want, &mut chunk);
                for m in chunk.iter() {
                    write(copied, m)?;
                    copied += 1;
                }
                match chunk.last() {
                    Some(last) if chunk.len() == want && copied < cap => from = last.id + 1,
                    _ => break total,
                }
                sys::cond_resched();
            };
            if mnt.generation() == generation {
                return Ok(total);
            }
            if attempt >= LIST_RETRIES {
                return Ok(if copied < cap {
                    copied
                } else {
                    total.max(copied)
                });
            }
            sys::cond_resched();
        }
    }

    /// VNS_IOC_LIST_NS: the namespaces the caller's user vns owns, directly or below, in id order (at
    /// most `cap`), and their total.
    pub(crate) fn list_ns(&self, cap: usize) -> VnsResult<(KVVec<VnsNsEntry>, u32)> {
        let cur = self.resolve();
        self.registry
            .list(cur.user_ns(), cap, sys::nr_threads_total())
    }

    /// The user vns `ns_id` (0: the caller's own), if the caller may look at it: its own or a
    /// descendant. ENOENT for an unknown id, EINVAL for another kind, EPERM outside that subtree.
    fn visible_user_ns(&self, cur: &Current, ns_id: u64) -> VnsResult<NsRef> {
        let target = if ns_id == 0 {
            cur.user_ns().clone()
        } else {
            self.registry.find(ns_id).ok_or(Errno::ENOENT)?
        };
        if target.user().is_none() {
            return Err(Errno::EINVAL);
        }
        if !target.is_same_or_descendant_of(cur.user_ns()) {
            return Err(Errno::EPERM);
        }
        Ok(target)
    }

    /// VNS_IOC_GET_ID_MAP: the `kind` map of user vns `ns_id` (0: the caller's own), as 7.3 shows
    /// /proc/PID/uid_map to the caller (kernel/user_namespace.c `uid_m_show`): extents as written, the
    /// lower ids in the caller's user vns, or in its parent's when the map is the caller's own vns's
    /// (4294967295 for an id not mapped there). The first `cap` extents go to `out(index, extent)`;
    /// returns the number of extents. Visible for the caller's user vns and its descendants, as
    /// GET_UCOUNTS.
    pub(crate) fn get_id_map(
        &self,
        ns_id: u64,
        kind: IdMapKind,
        cap: usize,
        mut out: impl FnMut(usize, &VnsIdExtent) -> VnsResult<()>,
    ) -> VnsResult<u32> {
        let cur = self.resolve();
        let target = self.visible_user_ns(&cur, ns_id)?;
        let tuser = target.user().ok_or(Errno::EINVAL)?;
        let own = cur.user_ns();
        let lower_ns = match own.owner.as_ref() {
            Some(parent) if RcuRef::ptr_eq(own, &target) => parent,
            _ => own,
        };
        let lower = lower_ns.user().ok_or(Errno::EINVAL)?.map(kind);
        let Some(map) = tuser.map(kind) else {
            return Ok(0);
        };
        // A written map is never changed again: it is read without a lock, while `target` holds it.
        let extents = map.extents();
        for (i, e) in extents.iter().enumerate().take(cap) {
            let lower_first = lower
                .and_then(|l| l.map_id_up(e.lower_first))
                .unwrap_or(idmap::INVALID_ID);
            out(
                i,
                &VnsIdExtent {
                    first: e.first,
                    lower_first,
                    count: e.count,
                },
            )?;
        }
        Ok(u32::try_from(extents.len()).unwrap_or(u32::MAX))
    }

    /// VNS_IOC_GET_UCOUNTS: the counters of (`ns_id` or the caller's user vns, `uid` as the caller
    /// sees it) and the namespace's limits. Visible for the caller's user vns and its descendants.
    pub(crate) fn get_ucounts(
        &self,
        ns_id: u64,
        uid: u32,
    ) -> VnsResult<([u64; VNS_NR_KINDS], [u64; VNS_NR_KINDS])> {
        let cur = self.resolve();
        let target = self.visible_user_ns(&cur, ns_id)?;
        let tuser = target.user().ok_or(Errno::EINVAL)?;
        let my_user = cur.user_ns().user().ok_or(Errno::EINVAL)?;
        let kuid = my_user.make_kuid(uid).ok_or(Errno::EINVAL)?;
        let entry = self.ucounts.lookup(target.id, kuid);
        let count = PerKind::from_fn(|kind| {
            entry
                .as_ref()
                .map_or(0, |e| u64::try_from(e.count(kind)).unwrap_or(0))
        });
        let max = PerKind::from_fn(|kind| u64::try_from(tuser.ucount_max(kind)).unwrap_or(0));
        Ok((count.map(|c| *c), max.map(|m| *m)))
    }
}

/// The mount table of a mount vns.
fn mnt_of(ns: &NsRef) -> VnsResult<&MntNs> {
    ns.mnt().ok_or(Errno::EINVAL)
}

/// The ABI extents as vns-core's (their number is checked with the rest of the map, in order).
fn to_extents(extents: &[VnsIdExtent]) -> VnsResult<KVec<IdExtent>> {
    let mut v = KVec::with_capacity(extents.len(), GFP_KERNEL_ACCOUNT)?;
    for e in extents {
        v.push(
            IdExtent::new(e.first, e.lower_first, e.count),
            GFP_KERNEL_ACCOUNT,
        )?;
    }
    Ok(v)
}
