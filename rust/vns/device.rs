// SPDX-License-Identifier: GPL-2.0

//! `/dev/vns`: the misc device and its ioctl dispatch (Documentation/userspace-api/vns.rst), shaped like
//! samples/rust/rust_misc_device.rs: decode the command and its argument, call the operation, write the
//! result. Nothing else happens here.
//!
//! Argument structs follow `copy_struct_from_user`/`copy_struct_to_user`: the caller's size is
//! `_IOC_SIZE(cmd)`; smaller than v1 is EINVAL, larger must be zero beyond v1 (E2BIG); results are
//! written as v1 followed by zeroes up to the caller's size.

#![deny(unsafe_code)]

use kernel::{
    fs::File,
    miscdevice::{
        MiscDevice,
        MiscDeviceRegistration, //
    },
    prelude::*,
    sync::Arc,
    transmute::{
        AsBytes,
        FromBytes, //
    },
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
    nsfd,
    state::Vns,
    sys::{
        MiscData,
        MiscWithMode,
        UtsField,
        UTS_LEN, //
    },
    user::IdMapKind,
    vcore::{
        abi::{
            decode_cmd,
            Cmd,
            VnsClockTs,
            VnsIdExtent,
            VnsIdMap,
            VnsList,
            VnsMount,
            VnsNsEntry,
            VnsNsFd,
            VnsSetns,
            VnsSetnsTask,
            VnsTaskInfo,
            VnsTimeOffsets,
            VnsUcounts,
            VnsUmount,
            VnsUnshare,
            VnsUts,
            VnsUtsName,
            VNS_SETNS_FD,
            VNS_UTS_NODENAME, //
        },
        idmap::check_nr_extents,
        ustruct, //
    }, //
};

/// `/dev/vns` is created with mode 0666: unprivileged users must be able to create a user vns.
const VNS_DEV_MODE: u16 = 0o666;

/// The registered device: its open files reach the module's state.
pub(crate) type Device = MiscWithMode<VnsFile>;

/// Registers `/dev/vns` with mode 0666.
pub(crate) fn register(state: Arc<Vns>) -> impl PinInit<Device, Error> {
    Device::register(c"vns", VNS_DEV_MODE, state)
}

/// One open file of `/dev/vns`. It holds the module (the file's `owner`), so rmmod is refused while
/// it exists.
pub(crate) struct VnsFile {
    /// The module's state.
    state: Arc<Vns>,
}

impl MiscData for VnsFile {
    type Data = Arc<Vns>;
}

#[vtable]
impl MiscDevice for VnsFile {
    type Ptr = KBox<Self>;

    fn open(_file: &File, misc: &MiscDeviceRegistration<Self>) -> Result<KBox<Self>> {
        let state = Device::data_of(misc).clone();
        Ok(KBox::new(VnsFile { state }, GFP_KERNEL_ACCOUNT)?)
    }

    fn ioctl(me: &VnsFile, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        Ok(me.dispatch(cmd, arg)?)
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

    /// `copy_struct_to_user` of a struct `T`: as much of it as the caller's size holds (a struct that
    /// grew is cut to the caller's older size, at least its first size, which `dispatch` checked), then
    /// zeroes up to the caller's size.
    fn write<T: AsBytes>(self, value: &T) -> VnsResult<()> {
        let bytes = value.as_bytes();
        let n = self.size.min(bytes.len());
        let mut writer = UserSlice::new(UserPtr::from_addr(self.ptr), self.size).writer();
        writer.write_slice(bytes.get(..n).ok_or(Errno::EINVAL)?)?;
        let zero = [0u8; 64];
        let mut left = self.size - n;
        while left > 0 {
            let n = left.min(zero.len());
            writer.write_slice(zero.get(..n).ok_or(Errno::EINVAL)?)?;
            left -= n;
        }
        Ok(())
    }
}

/// Writes `item` as entry `index` of the user array at `buf` of `cap` entries.
fn write_entry<T: AsBytes>(buf: u64, cap: u32, index: usize, item: &T) -> VnsResult<()> {
    if index >= cap as usize {
        return Err(Errno::EFAULT);
    }
    let size = core::mem::size_of::<T>();
    let offset = index.checked_mul(size).ok_or(Errno::EFAULT)?;
    let addr = usize::try_from(buf)
        .ok()
        .and_then(|b| b.checked_add(offset))
        .ok_or(Errno::EFAULT)?;
    UserSlice::new(UserPtr::from_addr(addr), size)
        .writer()
        .write(item)?;
    Ok(())
}

impl VnsFile {
    /// Decodes `cmd` and runs it: the syscall's return value (a new fd for NS_FD, else 0). Unknown
    /// commands: ENOTTY.
    fn dispatch(&self, cmd: u32, ptr: usize) -> VnsResult<isize> {
        let (cmd, size) = decode_cmd(cmd)?;
        ustruct::check_ioctl_size(size, cmd.v1_size())?;
        let arg = Arg { ptr, size };
        match cmd {
            Cmd::NsFd => return self.ns_fd(arg),
            Cmd::Unshare => self.unshare(arg),
            Cmd::GetInfo => arg.write(&self.state.get_info()?),
            Cmd::Setns => self.setns(arg),
            Cmd::GetUts => self.get_uts(arg),
            Cmd::SetUts => self.set_uts(arg),
            Cmd::SetIdMap => self.set_id_map(arg),
            Cmd::Mount => self.mount(arg),
            Cmd::Umount => self.umount(arg),
            Cmd::ListMounts => self.list_mounts(arg),
            Cmd::ListNs => self.list_ns(arg),
            Cmd::GetUcounts => self.get_ucounts(arg),
            Cmd::SetTimeOffsets => self.state.set_time_offsets(&arg.read::<VnsTimeOffsets>()?),
            Cmd::GetTimeOffsets => arg.write(&self.state.get_time_offsets()?),
            Cmd::ClockGettime => self.clock_gettime(arg),
            Cmd::GetIdMap => self.get_id_map(arg),
            Cmd::GetTaskInfo => self.get_task_info(arg),
            Cmd::SetnsTask => self.setns_task(arg),
        }
        .map(|()| 0)
    }

    fn unshare(&self, arg: Arg) -> VnsResult<()> {
        let mut u: VnsUnshare = arg.read()?;
        // `applied` reaches user space before the commit: an EFAULT leaves everything unchanged.
        self.state.unshare(u.flags, |applied| {
            u.applied = applied;
            arg.write(&u)
        })
    }

    fn setns(&self, arg: Arg) -> VnsResult<()> {
        let s: VnsSetns = arg.read()?;
        if s.flags & VNS_SETNS_FD != 0 && s.flags & !VNS_SETNS_FD == 0 {
            // A namespace fd, looked up first as setns(2) does: EBADF, EINVAL (not one), then the
            // kind (EINVAL) and as by id.
            let ns = nsfd::namespace_of(s.id)?;
            return self.state.setns_ns(ns, s.check_input()?);
        }
        self.state.setns(s.id, s.check_input()?)
    }

    fn get_uts(&self, arg: Arg) -> VnsResult<()> {
        let (nodename, domainname) = self.state.get_uts()?;
        arg.write(&VnsUts {
            nodename,
            domainname,
            reserved: [0; 6],
        })
    }

    fn set_uts(&self, arg: Arg) -> VnsResult<()> {
        let u: VnsUtsName = arg.read()?;
        let (which, name) = u.checked()?;
        if name.len() > UTS_LEN {
            return Err(Errno::EINVAL);
        }
        let field = if which == VNS_UTS_NODENAME {
            UtsField::Nodename
        } else {
            UtsField::Domainname
        };
        self.state.set_uts(field, name)
    }

    fn set_id_map(&self, arg: Arg) -> VnsResult<()> {
        let m: VnsIdMap = arg.read()?;
        m.check_input()?;
        let kind = IdMapKind::from_abi(m.which)?;
        // A count outside 1..=340 is EINVAL, but only after "already written" (EPERM), as map_write()
        // checks: such a map is passed on empty and fails validation there.
        let n = if check_nr_extents(m.nr_extents).is_ok() {
            m.nr_extents as usize
        } else {
            0
        };
        let mut extents = KVec::with_capacity(n, GFP_KERNEL_ACCOUNT)?;
        let addr = usize::try_from(m.extents).map_err(|_| Errno::EFAULT)?;
        let len = n
            .checked_mul(core::mem::size_of::<VnsIdExtent>())
            .ok_or(Errno::EINVAL)?;
        let mut reader = UserSlice::new(UserPtr::from_addr(addr), len).reader();
        for _ in 0..n {
            extents.push(reader.read::<VnsIdExtent>()?, GFP_KERNEL_ACCOUNT)?;
        }
        self.state.set_id_map(m.user_ns_id, kind, &extents)
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

    fn list_mounts(&self, arg: Arg) -> VnsResult<()> {
        let mut l: VnsList = arg.read()?;
        let nr = self
            .state
            .list_mounts(l.cap as usize, |i, m| write_entry(l.buf, l.cap, i, m))?;
        l.nr = u32::try_from(nr).unwrap_or(u32::MAX);
        arg.write(&l)
    }

    fn list_ns(&self, arg: Arg) -> VnsResult<()> {
        let mut l: VnsList = arg.read()?;
        let (entries, total) = self.state.list_ns(l.cap as usize)?;
        for (i, e) in entries.iter().enumerate() {
            write_entry::<VnsNsEntry>(l.buf, l.cap, i, e)?;
        }
        l.nr = total;
        arg.write(&l)
    }

    fn get_id_map(&self, arg: Arg) -> VnsResult<()> {
        let mut m: VnsIdMap = arg.read()?;
        m.check_input()?;
        let kind = IdMapKind::from_abi(m.which)?;
        let (buf, cap) = (m.extents, m.nr_extents);
        m.nr_extents = self
            .state
            .get_id_map(m.user_ns_id, kind, cap as usize, |i, e| {
                write_entry::<VnsIdExtent>(buf, cap, i, e)
            })?;
        arg.write(&m)
    }

    fn get_task_info(&self, arg: Arg) -> VnsResult<()> {
        let t: VnsTaskInfo = arg.read()?;
        t.check_input()?;
        arg.write(&self.state.get_task_info(t.pid)?)
    }

    fn ns_fd(&self, arg: Arg) -> VnsResult<isize> {
        let f: VnsNsFd = arg.read()?;
        let kind = f.check_input()?;
        Vns::ns_fd(&self.state, f.id, kind)
    }

    fn setns_task(&self, arg: Arg) -> VnsResult<()> {
        let s: VnsSetnsTask = arg.read()?;
        if s.reserved != 0 {
            return Err(Errno::EINVAL);
        }
        self.state.setns_task(s.pid, s.flags)
    }

    fn clock_gettime(&self, arg: Arg) -> VnsResult<()> {
        let mut c: VnsClockTs = arg.read()?;
        if c.reserved != 0 {
            return Err(Errno::EINVAL);
        }
        let t = self.state.clock_gettime(c.clock_id)?;
        c.sec = t.sec;
        c.nsec = t.nsec;
        arg.write(&c)
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
