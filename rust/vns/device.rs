// SPDX-License-Identifier: GPL-2.0

//! `/dev/vns`: the misc device and its ioctl dispatch (spec §8), shaped like
//! samples/rust/rust_misc_device.rs: decode the command, then one small method per command.
//!
//! Argument structs follow `copy_struct_from_user`/`copy_struct_to_user`: the caller's size is
//! `_IOC_SIZE(cmd)`; smaller than v1 is EINVAL, larger must be zero beyond v1 (E2BIG); results are
//! written as v1 followed by zeroes up to the caller's size.

#![deny(unsafe_code)]

use kernel::{
    fs::File,
    miscdevice::{MiscDevice, MiscDeviceRegistration},
    prelude::*,
    sync::{atomic::Relaxed, Arc},
    transmute::{AsBytes, FromBytes},
    uaccess::{UserPtr, UserSlice},
};

use crate::{
    error::{to_kernel, Errno, VnsResult},
    state::Vns,
    sys::{self, UTS_LEN},
    vcore::{
        abi::{
            decode_cmd, Cmd, Kind, VnsIdExtent, VnsIdMap, VnsInfo, VnsList, VnsMount, VnsNsEntry, VnsSetns,
            VnsUcounts, VnsUmount, VnsUnshare, VnsUts, VnsUtsName, VNS_INFO_FULL_CAPS, VNS_NR_KINDS,
        },
        ustruct,
    },
};

/// `/dev/vns` is created with mode 0666: unprivileged users must be able to create a user vns (spec §8).
const VNS_DEV_MODE: u16 = 0o666;

/// The registered device and the state every open file refers to.
#[pin_data]
pub(crate) struct Device {
    /// Handed to each open file.
    pub(crate) state: Arc<Vns>,
    /// The misc device registration (deregistered on drop).
    #[pin]
    pub(crate) reg: MiscDeviceRegistration<VnsFile>,
}

impl Device {
    /// Registers `/dev/vns` with mode 0666.
    pub(crate) fn register(state: Arc<Vns>) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            state,
            reg <- sys::misc_register_with_mode(c"vns", VNS_DEV_MODE),
        })
    }
}

/// One open file of `/dev/vns`. It holds the module (the file's `owner`), so rmmod is refused while
/// it exists (spec §9).
pub(crate) struct VnsFile {
    /// The module's state.
    state: Arc<Vns>,
}

#[vtable]
impl MiscDevice for VnsFile {
    type Ptr = KBox<Self>;

    fn open(_file: &File, misc: &MiscDeviceRegistration<Self>) -> Result<KBox<Self>> {
        let device = sys::device_of(misc);
        Ok(KBox::new(
            VnsFile {
                state: device.state.clone(),
            },
            GFP_KERNEL_ACCOUNT,
        )?)
    }

    fn ioctl(me: &VnsFile, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        me.dispatch(cmd, arg).map(|()| 0).map_err(to_kernel)
    }
}

/// The caller's argument: its address and its size (`_IOC_SIZE`).
#[derive(Clone, Copy)]
struct Arg {
    ptr: usize,
    size: usize,
}

impl Arg {
    /// `copy_struct_from_user` of a v1 struct `T`.
    fn read<T: FromBytes>(self) -> VnsResult<T> {
        let v1 = core::mem::size_of::<T>();
        let plan = ustruct::struct_from_user_plan(v1, self.size)?;
        let mut reader = UserSlice::new(UserPtr::from_addr(self.ptr), self.size).reader();
        let value = reader.read::<T>()?;
        // The bytes past v1 must be zero (E2BIG), read a chunk at a time.
        let mut left = plan.zero_check_len;
        let mut chunk = [0u8; 64];
        while left > 0 {
            let n = left.min(chunk.len());
            let buf = chunk.get_mut(..n).ok_or(Errno::EINVAL)?;
            reader.read_slice(buf)?;
            if buf.iter().any(|&b| b != 0) {
                return Err(Errno::E2BIG);
            }
            left -= n;
        }
        Ok(value)
    }

    /// `copy_struct_to_user` of a v1 struct `T`: the struct, then zeroes up to the caller's size.
    fn write<T: AsBytes>(self, value: &T) -> VnsResult<()> {
        let v1 = core::mem::size_of::<T>();
        ustruct::check_ioctl_size(self.size, v1)?;
        let mut writer = UserSlice::new(UserPtr::from_addr(self.ptr), self.size).writer();
        writer.write(value)?;
        let zero = [0u8; 64];
        let mut left = self.size - v1;
        while left > 0 {
            let n = left.min(zero.len());
            writer.write_slice(zero.get(..n).ok_or(Errno::EINVAL)?)?;
            left -= n;
        }
        Ok(())
    }
}

/// Entries LIST_MOUNTS copies per chunk: one lock hold and one copy to user space each, whatever the
/// table's size (32 `vns_mount`s, 7.25 KiB).
const LIST_CHUNK: usize = 32;

/// Walks of a mount table LIST_MOUNTS makes while other members keep changing it.
const LIST_RETRIES: u32 = 4;

/// Entries LIST_NS handles per RCU read-side section of its registry walks.
const LIST_NS_CHUNK: usize = 64;

/// Restores the max-heap order (by id) after a push at the end.
fn heap_sift_up(heap: &mut [VnsNsEntry]) {
    let mut i = heap.len().saturating_sub(1);
    while i > 0 {
        let parent = (i - 1) / 2;
        match (heap.get(parent), heap.get(i)) {
            // Both indices are in bounds (just read).
            (Some(p), Some(c)) if p.id < c.id => heap.swap(parent, i),
            _ => return,
        }
        i = parent;
    }
}

/// Restores the max-heap order (by id) after the root was replaced.
fn heap_sift_down(heap: &mut [VnsNsEntry]) {
    let mut i = 0;
    loop {
        let id = |j: usize| heap.get(j).map(|e| e.id);
        let mut largest = i;
        for child in [2 * i + 1, 2 * i + 2] {
            if let (Some(c), Some(l)) = (id(child), id(largest)) {
                if c > l {
                    largest = child;
                }
            }
        }
        if largest == i {
            return;
        }
        // Both indices are in bounds (read above).
        heap.swap(i, largest);
        i = largest;
    }
}

/// The user array at `buf` of `cap` entries of `T`.
fn user_array<T>(buf: u64, cap: u32) -> VnsResult<kernel::uaccess::UserSliceWriter> {
    let len = (cap as usize).checked_mul(core::mem::size_of::<T>()).ok_or(Errno::EINVAL)?;
    let addr = usize::try_from(buf).map_err(|_| Errno::EFAULT)?;
    Ok(UserSlice::new(UserPtr::from_addr(addr), len).writer())
}

/// Copies `items` to the user array at `buf` (at most `cap` of them).
fn write_array<T: AsBytes>(buf: u64, cap: u32, items: &[T]) -> VnsResult<()> {
    let mut writer = user_array::<T>(buf, cap)?;
    for item in items.iter().take(cap as usize) {
        writer.write(item)?;
    }
    Ok(())
}

impl VnsFile {
    /// Decodes `cmd` and runs it. Unknown commands: ENOTTY (spec §8).
    fn dispatch(&self, cmd: u32, ptr: usize) -> VnsResult<()> {
        let (cmd, size) = decode_cmd(cmd)?;
        ustruct::check_ioctl_size(size, cmd.v1_size())?;
        let arg = Arg { ptr, size };
        match cmd {
            Cmd::Unshare => self.unshare(arg),
            Cmd::GetInfo => self.get_info(arg),
            Cmd::Setns => self.setns(arg),
            Cmd::GetUts => self.get_uts(arg),
            Cmd::SetUts => self.set_uts(arg),
            Cmd::SetIdMap => self.set_id_map(arg),
            Cmd::Mount => self.mount(arg),
            Cmd::Umount => self.umount(arg),
            Cmd::ListMounts => self.list_mounts(arg),
            Cmd::ListNs => self.list_ns(arg),
            Cmd::GetUcounts => self.get_ucounts(arg),
        }
    }

    fn unshare(&self, arg: Arg) -> VnsResult<()> {
        let mut u: VnsUnshare = arg.read()?;
        // `applied` reaches user space before the commit: an EFAULT leaves everything unchanged.
        self.state.unshare(u.flags, |applied| {
            u.applied = applied;
            arg.write(&u)
        })
    }

    fn get_info(&self, arg: Arg) -> VnsResult<()> {
        let cur = self.state.resolve();
        let user_ns = cur.user_ns();
        let user = user_ns.user().ok_or(Errno::EINVAL)?;
        let active_pid = cur.proxy.get(Kind::Pid);
        // The real tgid in the init pid vns; the task's number in any other (spec §5 pid).
        let pid = if active_pid.is_init() {
            cur.facts.tgid
        } else {
            cur.pid.as_ref().map_or(0, |p| p.nr as i32)
        };
        let info = VnsInfo {
            ns_id: cur.ns_ids(),
            pid_for_children_id: cur.proxy.pid_for_children.id,
            user_level: user.level,
            pid_level: active_pid.level(),
            uid: user.map_up_or_overflow(0, cur.facts.euid),
            gid: user.map_up_or_overflow(1, cur.facts.egid),
            pid,
            flags: if cur.full_caps() { VNS_INFO_FULL_CAPS } else { 0 },
        };
        arg.write(&info)
    }

    fn setns(&self, arg: Arg) -> VnsResult<()> {
        let s: VnsSetns = arg.read()?;
        let kind = s.check_input()?;
        self.state.setns(s.id, kind)
    }

    fn get_uts(&self, arg: Arg) -> VnsResult<()> {
        let cur = self.state.resolve();
        let uts = cur.proxy.get(Kind::Uts).uts().ok_or(Errno::EINVAL)?;
        let (nodename, domainname) = uts.read();
        let out = VnsUts {
            nodename,
            domainname,
            reserved: [0; 6],
        };
        arg.write(&out)
    }

    fn set_uts(&self, arg: Arg) -> VnsResult<()> {
        let u: VnsUtsName = arg.read()?;
        let (which, name) = u.checked()?;
        if name.len() > UTS_LEN {
            return Err(Errno::EINVAL);
        }
        self.state.set_uts(which, name)
    }

    fn set_id_map(&self, arg: Arg) -> VnsResult<()> {
        let m: VnsIdMap = arg.read()?;
        m.check_input()?;
        // A count outside 1..=340 is EINVAL, but only after "already written" (EPERM), as map_write()
        // checks: such a map is passed on empty and fails validation there.
        let n = if crate::vcore::idmap::check_nr_extents(m.nr_extents).is_ok() {
            m.nr_extents as usize
        } else {
            0
        };
        let mut extents = KVec::with_capacity(n, GFP_KERNEL_ACCOUNT)?;
        let addr = usize::try_from(m.extents).map_err(|_| Errno::EFAULT)?;
        let len = n.checked_mul(core::mem::size_of::<VnsIdExtent>()).ok_or(Errno::EINVAL)?;
        let mut reader = UserSlice::new(UserPtr::from_addr(addr), len).reader();
        for _ in 0..n {
            extents.push(reader.read::<VnsIdExtent>()?, GFP_KERNEL_ACCOUNT)?;
        }
        self.state.set_id_map(m.user_ns_id, m.which, &extents)
    }

    fn mount(&self, arg: Arg) -> VnsResult<()> {
        let mut m: VnsMount = arg.read()?;
        m.check_input()?;
        // The id reaches user space before the entry is inserted: an EFAULT adds nothing.
        self.state.mount(&mut m, |m| arg.write(m))
    }

    fn umount(&self, arg: Arg) -> VnsResult<()> {
        let u: VnsUmount = arg.read()?;
        self.state.umount(u.id, u.flags)
    }

    /// LIST_MOUNTS: the table in id order, copied a chunk at a time (one short lock hold and one
    /// bounded buffer per chunk, whatever `cap` and the table's size). `nr` is the table's size when
    /// the last chunk was read. A table changed meanwhile by another member is walked again from the
    /// start, so the entries and `nr` are one reading of the table; after `LIST_RETRIES` walks that all
    /// raced with changes, `nr` reports what was copied (so it never promises entries not written).
    fn list_mounts(&self, arg: Arg) -> VnsResult<()> {
        let mut l: VnsList = arg.read()?;
        let cur = self.state.resolve();
        let mnt = cur.proxy.get(Kind::Mnt).mnt().ok_or(Errno::EINVAL)?;
        let cap = l.cap as usize;
        let mut chunk = KVec::with_capacity(LIST_CHUNK.min(cap), GFP_KERNEL_ACCOUNT)?;
        let mut attempt = 0;
        let nr = loop {
            attempt += 1;
            let mut writer = user_array::<VnsMount>(l.buf, l.cap)?;
            let mut from = 0u64;
            let mut copied = 0usize;
            let generation = mnt.generation();
            let total = loop {
                let want = (cap - copied).min(LIST_CHUNK);
                let total = mnt.read_chunk(from, want, &mut chunk);
                for m in chunk.iter() {
                    writer.write(m)?;
                }
                copied += chunk.len();
                match chunk.last() {
                    Some(last) if chunk.len() == want && copied < cap => from = last.id + 1,
                    _ => break total,
                }
                sys::cond_resched();
            };
            if mnt.generation() == generation {
                break total;
            }
            if attempt >= LIST_RETRIES {
                break if copied < cap { copied } else { total.max(copied) };
            }
            sys::cond_resched();
        };
        l.nr = u32::try_from(nr).unwrap_or(u32::MAX);
        arg.write(&l)
    }

    fn list_ns(&self, arg: Arg) -> VnsResult<()> {
        let mut l: VnsList = arg.read()?;
        let (entries, total) = self.state.list_ns(l.cap as usize)?;
        write_array(l.buf, l.cap, &entries)?;
        l.nr = total;
        arg.write(&l)
    }

    fn get_ucounts(&self, arg: Arg) -> VnsResult<()> {
        let mut u: VnsUcounts = arg.read()?;
        u.check_input()?;
        let (count, max) = self.state.get_ucounts(u.user_ns_id, u.uid)?;
        u.count = count;
        u.max = max;
        arg.write(&u)
    }
}

impl Vns {
    /// VNS_IOC_LIST_NS: the namespaces owned by the caller's user vns or its descendants, in id order,
    /// at most `cap` of them, and their total. The total and the entries come from one walk of the
    /// registry, so they agree even while namespaces come and go. The walks hold RCU for at most
    /// `LIST_NS_CHUNK` namespaces at a time; the `cap` lowest ids are kept in a max-heap (O(N log cap)),
    /// in an array sized by the visible count, not by `cap`, and charged to the caller.
    fn list_ns(&self, cap: usize) -> VnsResult<(KVVec<VnsNsEntry>, u32)> {
        let cur = self.resolve();
        let me = cur.user_ns();
        let my_user = me.user().ok_or(Errno::EINVAL)?;
        // The init namespaces count every task that has no membership of its own, so theirs is the
        // number of threads less those counted in the other namespaces of the kind.
        let mut others = [0u32; VNS_NR_KINDS];
        let mut visible = 0usize;
        self.registry.for_each_chunked(LIST_NS_CHUNK, |ns| {
            if !ns.is_init() {
                if let Some(o) = others.get_mut(ns.kind.index()) {
                    *o = o.saturating_add(ns.nr_tasks.load(Relaxed));
                }
            }
            if ns.owner.as_ref().is_some_and(|o| o.is_same_or_descendant_of(me)) {
                visible += 1;
            }
        });
        let threads = sys::nr_threads_total();
        let mut room = cap.min(visible + 8);
        loop {
            // Allocated before the walk: nothing allocates inside a read-side section.
            let mut heap = KVVec::with_capacity(room, GFP_KERNEL_ACCOUNT)?;
            let mut total = 0u32;
            self.registry.for_each_chunked(LIST_NS_CHUNK, |ns| {
                let Some(owner) = ns.owner.as_ref() else {
                    return;
                };
                if !owner.is_same_or_descendant_of(me) {
                    return;
                }
                total += 1;
                if room == 0 {
                    return;
                }
                let nr_tasks = if ns.is_init() {
                    threads.saturating_sub(others.get(ns.kind.index()).copied().unwrap_or(0))
                } else {
                    ns.nr_tasks.load(Relaxed)
                };
                let owner_kuid = ns.user().map_or_else(|| owner.user().map_or(0, |u| u.owner_uid), |u| u.owner_uid);
                let e = VnsNsEntry {
                    id: ns.id,
                    parent_id: ns.parent().map_or(0, |p| p.id),
                    owner_id: owner.id,
                    kind: ns.kind.as_u32(),
                    level: ns.level(),
                    nr_tasks,
                    owner_uid: my_user.map_up_or_overflow(0, owner_kuid),
                };
                // Keep the `room` lowest ids: the registry is walked in hash order.
                if heap.len() < room {
                    // Within the capacity reserved above: this does not allocate.
                    if heap.push(e, GFP_NOWAIT).is_ok() {
                        heap_sift_up(&mut heap);
                    }
                } else if heap.first().is_some_and(|top| e.id < top.id) {
                    if let Some(top) = heap.first_mut() {
                        *top = e;
                    }
                    heap_sift_down(&mut heap);
                }
            });
            let wanted = cap.min(total as usize);
            if heap.len() >= wanted {
                heap.sort_unstable_by_key(|e| e.id);
                heap.truncate(wanted);
                return Ok((heap, total));
            }
            // More namespaces than were reserved for appeared in between: walk again with room to
            // spare, doubling, so that namespaces created during the walks cannot keep it going
            // (their number is bounded by the limits).
            room = wanted.saturating_mul(2).saturating_add(8).min(cap);
        }
    }

    /// VNS_IOC_GET_UCOUNTS: the counters of (`ns_id` or the caller's user vns, `uid` as the caller
    /// sees it) and the namespace's limits. Visible for the caller's user vns and its descendants.
    fn get_ucounts(&self, ns_id: u64, uid: u32) -> VnsResult<([u64; VNS_NR_KINDS], [u64; VNS_NR_KINDS])> {
        let cur = self.resolve();
        let target = if ns_id == 0 {
            cur.user_ns().clone()
        } else {
            self.find_ns(ns_id).ok_or(Errno::ENOENT)?
        };
        let tuser = target.user().ok_or(Errno::EINVAL)?;
        if !target.is_same_or_descendant_of(cur.user_ns()) {
            return Err(Errno::EPERM);
        }
        let my_user = cur.user_ns().user().ok_or(Errno::EINVAL)?;
        let kuid = my_user.map(0).and_then(|m| m.map_id_down(uid)).ok_or(Errno::EINVAL)?;
        let entry = self.ucounts.lookup(&(target.id, kuid));
        let count = core::array::from_fn(|k| {
            entry
                .as_ref()
                .zip(Kind::ALL.get(k))
                .map_or(0, |(e, kind)| u64::try_from(e.count(*kind)).unwrap_or(0))
        });
        let max = core::array::from_fn(|k| {
            Kind::ALL
                .get(k)
                .map_or(0, |kind| u64::try_from(tuser.ucount_max(*kind)).unwrap_or(0))
        });
        Ok((count, max))
    }
}
