//! `/dev/vns` and `/proc/sys/vns`: every ioctl of ABI v1 (Documentation/userspace-api/vns.rst) as a safe
//! method. The only `unsafe` in vnsctl is here: the ioctl calls, each with its argument struct.

use std::{
    fs::{File, OpenOptions},
    io,
    os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd},
};

use nix::errno::Errno;
use vns_core::abi::{
    VnsClockTs, VnsIdExtent, VnsIdMap, VnsInfo, VnsList, VnsMount, VnsNsEntry, VnsNsFd, VnsSetns,
    VnsSetnsTask, VnsTaskInfo, VnsTimeOffsets, VnsUcounts, VnsUmount, VnsUnshare, VnsUts,
    VnsUtsName, VNS_IOC_CLOCK_GETTIME, VNS_IOC_GET_ID_MAP, VNS_IOC_GET_INFO, VNS_IOC_GET_TASK_INFO,
    VNS_IOC_GET_TIME_OFFSETS, VNS_IOC_GET_UCOUNTS, VNS_IOC_GET_UTS, VNS_IOC_LIST_MOUNTS,
    VNS_IOC_LIST_NS, VNS_IOC_MOUNT, VNS_IOC_NS_FD, VNS_IOC_SETNS, VNS_IOC_SETNS_TASK,
    VNS_IOC_SET_ID_MAP, VNS_IOC_SET_TIME_OFFSETS, VNS_IOC_SET_UTS, VNS_IOC_UMOUNT, VNS_IOC_UNSHARE,
    VNS_NAME_MAX, VNS_NS_GET_NSTYPE, VNS_SETNS_FD, VNS_TIME_OFFSETS_MAX,
};

/// The device node.
pub const DEV_PATH: &str = "/dev/vns";
/// The sysctl directory.
pub const SYSCTL_DIR: &str = "/proc/sys/vns";

nix::ioctl_readwrite_bad!(ioc_unshare, VNS_IOC_UNSHARE, VnsUnshare);
nix::ioctl_read_bad!(ioc_get_info, VNS_IOC_GET_INFO, VnsInfo);
nix::ioctl_write_ptr_bad!(ioc_setns, VNS_IOC_SETNS, VnsSetns);
nix::ioctl_read_bad!(ioc_get_uts, VNS_IOC_GET_UTS, VnsUts);
nix::ioctl_write_ptr_bad!(ioc_set_uts, VNS_IOC_SET_UTS, VnsUtsName);
nix::ioctl_write_ptr_bad!(ioc_set_id_map, VNS_IOC_SET_ID_MAP, VnsIdMap);
nix::ioctl_readwrite_bad!(ioc_mount, VNS_IOC_MOUNT, VnsMount);
nix::ioctl_write_ptr_bad!(ioc_umount, VNS_IOC_UMOUNT, VnsUmount);
nix::ioctl_readwrite_bad!(ioc_list_mounts, VNS_IOC_LIST_MOUNTS, VnsList);
nix::ioctl_readwrite_bad!(ioc_list_ns, VNS_IOC_LIST_NS, VnsList);
nix::ioctl_readwrite_bad!(ioc_get_ucounts, VNS_IOC_GET_UCOUNTS, VnsUcounts);
nix::ioctl_write_ptr_bad!(
    ioc_set_time_offsets,
    VNS_IOC_SET_TIME_OFFSETS,
    VnsTimeOffsets
);
nix::ioctl_read_bad!(
    ioc_get_time_offsets,
    VNS_IOC_GET_TIME_OFFSETS,
    VnsTimeOffsets
);
nix::ioctl_readwrite_bad!(ioc_clock_gettime, VNS_IOC_CLOCK_GETTIME, VnsClockTs);
nix::ioctl_readwrite_bad!(ioc_get_id_map, VNS_IOC_GET_ID_MAP, VnsIdMap);
nix::ioctl_readwrite_bad!(ioc_get_task_info, VNS_IOC_GET_TASK_INFO, VnsTaskInfo);
nix::ioctl_write_ptr_bad!(ioc_setns_task, VNS_IOC_SETNS_TASK, VnsSetnsTask);
nix::ioctl_write_ptr_bad!(ioc_ns_fd, VNS_IOC_NS_FD, VnsNsFd);
nix::ioctl_none_bad!(ioc_ns_get_nstype, VNS_NS_GET_NSTYPE);

/// An open `/dev/vns`.
pub struct Dev {
    file: File,
}

/// Why `/dev/vns` could not be opened, with a hint when the module is not loaded.
#[derive(Debug)]
pub struct OpenError {
    /// The error of open(2).
    pub err: io::Error,
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot open {DEV_PATH}: {}", strerror(&self.err))?;
        if self.err.kind() == io::ErrorKind::NotFound {
            write!(f, " (is the vns module loaded? try: insmod vns.ko)")?;
        }
        Ok(())
    }
}

/// The text of an I/O error without Rust's " (os error N)" suffix, as util-linux prints errors.
pub fn strerror(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(n) => Errno::from_raw(n).desc().to_string(),
        None => e.to_string(),
    }
}

impl Dev {
    /// Opens `/dev/vns`.
    pub fn open() -> Result<Self, OpenError> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .open(DEV_PATH)
            .map(|file| Dev { file })
            .map_err(|err| OpenError { err })
    }

    fn fd(&self) -> i32 {
        self.file.as_raw_fd()
    }

    /// VNS_IOC_UNSHARE: returns the completed flags.
    pub fn unshare(&self, flags: u64) -> Result<u64, Errno> {
        let mut u = VnsUnshare { flags, applied: 0 };
        // SAFETY: `u` is a valid `struct vns_unshare` the kernel reads and writes.
        unsafe { ioc_unshare(self.fd(), &mut u) }?;
        Ok(u.applied)
    }

    /// VNS_IOC_GET_INFO.
    pub fn info(&self) -> Result<VnsInfo, Errno> {
        let mut i = VnsInfo::default();
        // SAFETY: `i` is a valid, writable `struct vns_info`.
        unsafe { ioc_get_info(self.fd(), &mut i) }?;
        Ok(i)
    }

    /// VNS_IOC_SETNS.
    pub fn setns(&self, id: u64, kind: u32) -> Result<(), Errno> {
        let s = VnsSetns { id, kind, flags: 0 };
        // SAFETY: `s` is a valid `struct vns_setns` the kernel reads.
        unsafe { ioc_setns(self.fd(), &s) }?;
        Ok(())
    }

    /// VNS_IOC_GET_UTS: (nodename, domainname).
    pub fn uts(&self) -> Result<(String, String), Errno> {
        let mut u = VnsUts::zeroed();
        // SAFETY: `u` is a valid, writable `struct vns_uts`.
        unsafe { ioc_get_uts(self.fd(), &mut u) }?;
        Ok((c_field(&u.nodename), c_field(&u.domainname)))
    }

    /// VNS_IOC_SET_UTS: `which` 0 nodename, 1 domainname. Names longer than 64 bytes are EINVAL.
    pub fn set_uts(&self, which: u32, name: &str) -> Result<(), Errno> {
        let bytes = name.as_bytes();
        if bytes.len() > VNS_NAME_MAX {
            return Err(Errno::EINVAL);
        }
        let mut n = VnsUtsName::zeroed();
        n.which = which;
        n.len = bytes.len() as u32;
        n.name[..bytes.len()].copy_from_slice(bytes);
        // SAFETY: `n` is a valid `struct vns_uts_name` the kernel reads.
        unsafe { ioc_set_uts(self.fd(), &n) }?;
        Ok(())
    }

    /// VNS_IOC_SET_ID_MAP: `which` 0 uid map, 1 gid map.
    pub fn set_id_map(
        &self,
        user_ns_id: u64,
        which: u32,
        extents: &[VnsIdExtent],
    ) -> Result<(), Errno> {
        let m = VnsIdMap {
            user_ns_id,
            which,
            nr_extents: extents.len() as u32,
            extents: extents.as_ptr() as u64,
        };
        // SAFETY: `m` is a valid `struct vns_id_map` whose `extents` points to `nr_extents` readable
        // extents, alive for the call.
        unsafe { ioc_set_id_map(self.fd(), &m) }?;
        Ok(())
    }

    /// VNS_IOC_MOUNT: returns the new entry's id.
    pub fn mount(
        &self,
        parent_id: u64,
        source: &str,
        target: &str,
        fstype: &str,
        flags: u64,
    ) -> Result<u64, Errno> {
        let mut m = VnsMount::zeroed();
        m.parent_id = parent_id;
        m.flags = flags;
        for (field, s) in [
            (&mut m.source[..], source),
            (&mut m.target[..], target),
            (&mut m.fstype[..], fstype),
        ] {
            vns_core::abi::set_c_str(field, s.as_bytes()).map_err(|_| Errno::EINVAL)?;
        }
        // SAFETY: `m` is a valid `struct vns_mount` the kernel reads and writes.
        unsafe { ioc_mount(self.fd(), &mut m) }?;
        Ok(m.id)
    }

    /// VNS_IOC_UMOUNT.
    pub fn umount(&self, id: u64) -> Result<(), Errno> {
        let u = VnsUmount { id, flags: 0 };
        // SAFETY: `u` is a valid `struct vns_umount` the kernel reads.
        unsafe { ioc_umount(self.fd(), &u) }?;
        Ok(())
    }

    /// VNS_IOC_LIST_MOUNTS: the caller's mount table.
    pub fn mounts(&self) -> Result<Vec<VnsMount>, Errno> {
        self.list(|fd, l| {
            // SAFETY: `l` is a valid `struct vns_list` whose `buf` holds `cap` writable entries.
            unsafe { ioc_list_mounts(fd, l) }
        })
    }

    /// VNS_IOC_LIST_NS: the namespaces the caller may see.
    pub fn namespaces(&self) -> Result<Vec<VnsNsEntry>, Errno> {
        self.list(|fd, l| {
            // SAFETY: `l` is a valid `struct vns_list` whose `buf` holds `cap` writable entries.
            unsafe { ioc_list_ns(fd, l) }
        })
    }

    /// A LIST_* call: sized with cap 0 first, then filled (retried if the list grew in between).
    fn list<T: Default + Clone>(
        &self,
        call: impl Fn(i32, *mut VnsList) -> nix::Result<i32>,
    ) -> Result<Vec<T>, Errno> {
        let mut l = VnsList::default();
        call(self.fd(), &mut l)?;
        loop {
            let cap = l.nr + 8;
            let mut buf = vec![T::default(); cap as usize];
            l = VnsList {
                buf: buf.as_mut_ptr() as u64,
                cap,
                nr: 0,
            };
            call(self.fd(), &mut l)?;
            if l.nr <= cap {
                buf.truncate(l.nr as usize);
                return Ok(buf);
            }
        }
    }

    /// VNS_IOC_SET_TIME_OFFSETS: (clock id, seconds, nanoseconds) on the caller's time-for-children
    /// vns (at most two).
    pub fn set_time_offsets(&self, offsets: &[(i32, i64, i64)]) -> Result<(), Errno> {
        if offsets.is_empty() || offsets.len() > VNS_TIME_OFFSETS_MAX {
            return Err(Errno::EINVAL);
        }
        let mut o = VnsTimeOffsets {
            nr: offsets.len() as u32,
            ..VnsTimeOffsets::default()
        };
        for (slot, &(clock_id, sec, nsec)) in o.offsets.iter_mut().zip(offsets) {
            *slot = VnsClockTs {
                clock_id,
                reserved: 0,
                sec,
                nsec,
            };
        }
        // SAFETY: `o` is a valid `struct vns_time_offsets` the kernel reads.
        unsafe { ioc_set_time_offsets(self.fd(), &o) }?;
        Ok(())
    }

    /// VNS_IOC_GET_TIME_OFFSETS: the offsets of the caller's time-for-children vns.
    pub fn time_offsets(&self) -> Result<Vec<VnsClockTs>, Errno> {
        let mut o = VnsTimeOffsets::default();
        // SAFETY: `o` is a valid, writable `struct vns_time_offsets`.
        unsafe { ioc_get_time_offsets(self.fd(), &mut o) }?;
        Ok(o.offsets.iter().take(o.nr as usize).copied().collect())
    }

    /// VNS_IOC_CLOCK_GETTIME: `clock_id` as the caller sees it, (seconds, nanoseconds).
    pub fn clock_gettime(&self, clock_id: i32) -> Result<(i64, i64), Errno> {
        let mut c = VnsClockTs {
            clock_id,
            ..VnsClockTs::default()
        };
        // SAFETY: `c` is a valid `struct vns_clock_ts` the kernel reads and writes.
        unsafe { ioc_clock_gettime(self.fd(), &mut c) }?;
        Ok((c.sec, c.nsec))
    }

    /// VNS_IOC_GET_ID_MAP: the uid (`which` VNS_MAP_UID) or gid map of user vns `ns` (0: the caller's),
    /// lower ids as the caller sees them.
    pub fn id_map(&self, ns: u64, which: u32) -> Result<Vec<VnsIdExtent>, Errno> {
        let mut buf = vec![VnsIdExtent::default(); vns_core::idmap::UID_GID_MAP_MAX_EXTENTS];
        let mut m = VnsIdMap {
            user_ns_id: ns,
            which,
            nr_extents: buf.len() as u32,
            extents: buf.as_mut_ptr() as u64,
        };
        // SAFETY: `m` is a valid `struct vns_id_map` whose `extents` points to `nr_extents` writable
        // entries.
        unsafe { ioc_get_id_map(self.fd(), &mut m) }?;
        buf.truncate((m.nr_extents as usize).min(buf.len()));
        Ok(buf)
    }

    /// VNS_IOC_GET_TASK_INFO: the namespaces of process `pid`.
    pub fn task_info(&self, pid: i32) -> Result<VnsTaskInfo, Errno> {
        let mut t = VnsTaskInfo {
            pid,
            ..VnsTaskInfo::default()
        };
        // SAFETY: `t` is a valid `struct vns_task_info` the kernel reads and writes.
        unsafe { ioc_get_task_info(self.fd(), &mut t) }?;
        Ok(t)
    }

    /// VNS_IOC_NS_FD: a namespace fd (close-on-exec) of `id` (0: the caller's own of `kind`).
    pub fn ns_fd(&self, id: u64, kind: u32) -> Result<OwnedFd, Errno> {
        let f = VnsNsFd { id, kind, flags: 0 };
        // SAFETY: `f` is a valid `struct vns_ns_fd` the kernel reads; a non-negative result is a new
        // fd this process owns.
        let fd = unsafe { ioc_ns_fd(self.fd(), &f) }?;
        // SAFETY: As above: `fd` was just returned to us and is not owned elsewhere.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    }

    /// VNS_IOC_SETNS with a namespace fd: joins what it holds, of the kind VNS_NS_GET_NSTYPE tells.
    pub fn setns_fd(&self, ns: BorrowedFd<'_>) -> Result<(), Errno> {
        let kind = ns_kind(ns)?;
        let s = VnsSetns {
            id: ns.as_raw_fd() as u64,
            kind,
            flags: VNS_SETNS_FD,
        };
        // SAFETY: `s` is a valid `struct vns_setns` the kernel reads.
        unsafe { ioc_setns(self.fd(), &s) }?;
        Ok(())
    }

    /// VNS_IOC_SETNS_TASK: joins the `flags` kinds of process `pid`'s namespaces.
    pub fn setns_task(&self, pid: i32, flags: u64) -> Result<(), Errno> {
        let s = VnsSetnsTask {
            pid,
            reserved: 0,
            flags,
        };
        // SAFETY: `s` is a valid `struct vns_setns_task` the kernel reads.
        unsafe { ioc_setns_task(self.fd(), &s) }?;
        Ok(())
    }

    /// VNS_IOC_GET_UCOUNTS: `ns` 0 is the caller's own user vns; `uid` as the caller sees it.
    pub fn ucounts(&self, ns: u64, uid: u32) -> Result<VnsUcounts, Errno> {
        let mut u = VnsUcounts {
            user_ns_id: ns,
            uid,
            ..VnsUcounts::default()
        };
        // SAFETY: `u` is a valid `struct vns_ucounts` the kernel reads and writes.
        unsafe { ioc_get_ucounts(self.fd(), &mut u) }?;
        Ok(u)
    }
}

/// The kind (`VNS_KIND_*`) of the namespace a namespace fd holds (VNS_NS_GET_NSTYPE).
pub fn ns_kind(ns: BorrowedFd<'_>) -> Result<u32, Errno> {
    // SAFETY: VNS_NS_GET_NSTYPE takes no argument; on another file it fails (ENOTTY).
    let flag = unsafe { ioc_ns_get_nstype(ns.as_raw_fd()) }?;
    vns_core::abi::Kind::from_clone_flag(flag as u64)
        .map(vns_core::abi::Kind::as_u32)
        .ok_or(Errno::EINVAL)
}

/// A NUL-terminated field as a string.
pub fn c_field(field: &[u8]) -> String {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

/// The sysctl file of a limit name (`user`, `uts`, ... or `mount-max`).
pub fn sysctl_path(name: &str) -> String {
    if name == "mount-max" {
        format!("{SYSCTL_DIR}/mount-max")
    } else {
        format!("{SYSCTL_DIR}/max_{name}_namespaces")
    }
}

/// Reads a sysctl value.
pub fn read_sysctl(name: &str) -> io::Result<i64> {
    let s = std::fs::read_to_string(sysctl_path(name))?;
    s.trim()
        .parse()
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidData))
}

/// Writes a sysctl value.
pub fn write_sysctl(name: &str, value: i64) -> io::Result<()> {
    use std::io::Write;
    let mut f = OpenOptions::new().write(true).open(sysctl_path(name))?;
    f.write_all(format!("{value}\n").as_bytes())
}
