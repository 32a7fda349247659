// SPDX-License-Identifier: GPL-2.0-only
//! ABI v1 of `/dev/vns` (spec §8): kinds, `CLONE_*` flags, ioctl numbers and argument structs.
//!
//! Mirrors `include/uapi/linux/vns.h`; `tests/layout.rs` compiles a C probe against that header and fails on
//! any difference in a size, an offset or an ioctl number. The ioctl encoding is the one of
//! include/uapi/asm-generic/ioctl.h (Linux 7.3); the `CLONE_*` values are those of include/uapi/linux/sched.h.

use super::errno::{Errno, VnsResult};

/// Number of namespace kinds (`VNS_NR_KINDS`).
pub const VNS_NR_KINDS: usize = 8;

/// Kind index of user namespaces (`VNS_KIND_USER`, `UCOUNT_USER_NAMESPACES`).
pub const VNS_KIND_USER: u32 = 0;
/// Kind index of pid namespaces (`VNS_KIND_PID`).
pub const VNS_KIND_PID: u32 = 1;
/// Kind index of uts namespaces (`VNS_KIND_UTS`).
pub const VNS_KIND_UTS: u32 = 2;
/// Kind index of ipc namespaces (`VNS_KIND_IPC`).
pub const VNS_KIND_IPC: u32 = 3;
/// Kind index of net namespaces (`VNS_KIND_NET`).
pub const VNS_KIND_NET: u32 = 4;
/// Kind index of mount namespaces (`VNS_KIND_MNT`).
pub const VNS_KIND_MNT: u32 = 5;
/// Kind index of cgroup namespaces (`VNS_KIND_CGROUP`).
pub const VNS_KIND_CGROUP: u32 = 6;
/// Kind index of time namespaces (`VNS_KIND_TIME`).
pub const VNS_KIND_TIME: u32 = 7;

// include/uapi/linux/sched.h (Linux 7.3).
/// Share the address space (`CLONE_VM`).
pub const CLONE_VM: u64 = 0x0000_0100;
/// Share filesystem information (`CLONE_FS`).
pub const CLONE_FS: u64 = 0x0000_0200;
/// Share the file descriptor table (`CLONE_FILES`).
pub const CLONE_FILES: u64 = 0x0000_0400;
/// Share signal handlers (`CLONE_SIGHAND`).
pub const CLONE_SIGHAND: u64 = 0x0000_0800;
/// Same thread group (`CLONE_THREAD`).
pub const CLONE_THREAD: u64 = 0x0001_0000;
/// New mount namespace (`CLONE_NEWNS`).
pub const CLONE_NEWNS: u64 = 0x0002_0000;
/// Share System V SEM_UNDO semantics (`CLONE_SYSVSEM`).
pub const CLONE_SYSVSEM: u64 = 0x0004_0000;
/// New cgroup namespace (`CLONE_NEWCGROUP`).
pub const CLONE_NEWCGROUP: u64 = 0x0200_0000;
/// New uts namespace (`CLONE_NEWUTS`).
pub const CLONE_NEWUTS: u64 = 0x0400_0000;
/// New ipc namespace (`CLONE_NEWIPC`).
pub const CLONE_NEWIPC: u64 = 0x0800_0000;
/// New user namespace (`CLONE_NEWUSER`).
pub const CLONE_NEWUSER: u64 = 0x1000_0000;
/// New pid namespace (`CLONE_NEWPID`).
pub const CLONE_NEWPID: u64 = 0x2000_0000;
/// New network namespace (`CLONE_NEWNET`).
pub const CLONE_NEWNET: u64 = 0x4000_0000;
/// New time namespace (`CLONE_NEWTIME`).
pub const CLONE_NEWTIME: u64 = 0x0000_0080;
/// Unshare an empty mount namespace (`UNSHARE_EMPTY_MNTNS`): valid for unshare(2) in 7.3, not in vns v1.
pub const UNSHARE_EMPTY_MNTNS: u64 = 0x0010_0000;
/// Every `CLONE_NEW*` flag (`CLONE_NS_ALL`, include/linux/ns/ns_common_types.h).
pub const CLONE_NS_ALL: u64 = CLONE_NEWCGROUP
    | CLONE_NEWIPC
    | CLONE_NEWNS
    | CLONE_NEWNET
    | CLONE_NEWPID
    | CLONE_NEWTIME
    | CLONE_NEWUSER
    | CLONE_NEWUTS;

/// A namespace kind, numbered as the kernel's `enum ucount_type` (include/linux/user_namespace.h).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// User namespace.
    User = 0,
    /// Pid namespace.
    Pid = 1,
    /// Uts namespace.
    Uts = 2,
    /// Ipc namespace.
    Ipc = 3,
    /// Network namespace.
    Net = 4,
    /// Mount namespace.
    Mnt = 5,
    /// Cgroup namespace.
    Cgroup = 6,
    /// Time namespace.
    Time = 7,
}

impl Kind {
    /// Every kind, in index order.
    pub const ALL: [Kind; VNS_NR_KINDS] = [
        Kind::User,
        Kind::Pid,
        Kind::Uts,
        Kind::Ipc,
        Kind::Net,
        Kind::Mnt,
        Kind::Cgroup,
        Kind::Time,
    ];

    /// The index (0 user .. 7 time), usable in `[_; VNS_NR_KINDS]` arrays.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The ABI value (`VNS_KIND_*`).
    pub const fn as_u32(self) -> u32 {
        self as u32
    }

    /// The kind of an ABI value; `None` (the caller answers EINVAL) for 8 and above.
    pub const fn from_u32(v: u32) -> Option<Kind> {
        match v {
            VNS_KIND_USER => Some(Kind::User),
            VNS_KIND_PID => Some(Kind::Pid),
            VNS_KIND_UTS => Some(Kind::Uts),
            VNS_KIND_IPC => Some(Kind::Ipc),
            VNS_KIND_NET => Some(Kind::Net),
            VNS_KIND_MNT => Some(Kind::Mnt),
            VNS_KIND_CGROUP => Some(Kind::Cgroup),
            VNS_KIND_TIME => Some(Kind::Time),
            _ => None,
        }
    }

    /// The ABI value checked: EINVAL for an unknown kind.
    pub const fn try_from_u32(v: u32) -> VnsResult<Kind> {
        match Kind::from_u32(v) {
            Some(k) => Ok(k),
            None => Err(Errno::EINVAL),
        }
    }

    /// The short name ("user", "pid", ...), as in /proc/PID/ns.
    pub const fn name(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Pid => "pid",
            Kind::Uts => "uts",
            Kind::Ipc => "ipc",
            Kind::Net => "net",
            Kind::Mnt => "mnt",
            Kind::Cgroup => "cgroup",
            Kind::Time => "time",
        }
    }

    /// The sysctl of the kind's limit ("max_user_namespaces", ...), as in kernel/ucount.c `user_table`.
    pub const fn sysctl_name(self) -> &'static str {
        match self {
            Kind::User => "max_user_namespaces",
            Kind::Pid => "max_pid_namespaces",
            Kind::Uts => "max_uts_namespaces",
            Kind::Ipc => "max_ipc_namespaces",
            Kind::Net => "max_net_namespaces",
            Kind::Mnt => "max_mnt_namespaces",
            Kind::Cgroup => "max_cgroup_namespaces",
            Kind::Time => "max_time_namespaces",
        }
    }

    /// The `CLONE_NEW*` flag that creates this kind.
    pub const fn clone_flag(self) -> u64 {
        match self {
            Kind::User => CLONE_NEWUSER,
            Kind::Pid => CLONE_NEWPID,
            Kind::Uts => CLONE_NEWUTS,
            Kind::Ipc => CLONE_NEWIPC,
            Kind::Net => CLONE_NEWNET,
            Kind::Mnt => CLONE_NEWNS,
            Kind::Cgroup => CLONE_NEWCGROUP,
            Kind::Time => CLONE_NEWTIME,
        }
    }

    /// The kind of a single `CLONE_NEW*` flag; `None` for anything else (zero, several bits, other bits).
    pub const fn from_clone_flag(flag: u64) -> Option<Kind> {
        match flag {
            CLONE_NEWUSER => Some(Kind::User),
            CLONE_NEWPID => Some(Kind::Pid),
            CLONE_NEWUTS => Some(Kind::Uts),
            CLONE_NEWIPC => Some(Kind::Ipc),
            CLONE_NEWNET => Some(Kind::Net),
            CLONE_NEWNS => Some(Kind::Mnt),
            CLONE_NEWCGROUP => Some(Kind::Cgroup),
            CLONE_NEWTIME => Some(Kind::Time),
            _ => None,
        }
    }

    /// The kind of a short name ("user", ...).
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

// ---------------------------------------------------------------------------------------------------------
// ioctl encoding: include/uapi/asm-generic/ioctl.h (nr bits 0-7, type 8-15, size 16-29, dir 30-31).

/// Bits of the command number (`_IOC_NRBITS`).
pub const IOC_NRBITS: u32 = 8;
/// Bits of the type (`_IOC_TYPEBITS`).
pub const IOC_TYPEBITS: u32 = 8;
/// Bits of the argument size (`_IOC_SIZEBITS`).
pub const IOC_SIZEBITS: u32 = 14;
/// Bits of the direction (`_IOC_DIRBITS`).
pub const IOC_DIRBITS: u32 = 2;
/// Shift of the number (`_IOC_NRSHIFT`).
pub const IOC_NRSHIFT: u32 = 0;
/// Shift of the type (`_IOC_TYPESHIFT`).
pub const IOC_TYPESHIFT: u32 = IOC_NRSHIFT + IOC_NRBITS;
/// Shift of the size (`_IOC_SIZESHIFT`).
pub const IOC_SIZESHIFT: u32 = IOC_TYPESHIFT + IOC_TYPEBITS;
/// Shift of the direction (`_IOC_DIRSHIFT`).
pub const IOC_DIRSHIFT: u32 = IOC_SIZESHIFT + IOC_SIZEBITS;
/// Mask of the number (`_IOC_NRMASK`).
pub const IOC_NRMASK: u32 = (1 << IOC_NRBITS) - 1;
/// Mask of the type (`_IOC_TYPEMASK`).
pub const IOC_TYPEMASK: u32 = (1 << IOC_TYPEBITS) - 1;
/// Mask of the size (`_IOC_SIZEMASK`).
pub const IOC_SIZEMASK: u32 = (1 << IOC_SIZEBITS) - 1;
/// Mask of the direction (`_IOC_DIRMASK`).
pub const IOC_DIRMASK: u32 = (1 << IOC_DIRBITS) - 1;
/// No data (`_IOC_NONE`).
pub const IOC_NONE: u32 = 0;
/// Userspace writes, the kernel reads (`_IOC_WRITE`).
pub const IOC_WRITE: u32 = 1;
/// The kernel writes, userspace reads (`_IOC_READ`).
pub const IOC_READ: u32 = 2;

/// `_IOC(dir, type, nr, size)`. The size is masked to its 14 bits (every vns struct fits, checked below).
pub const fn ioc(dir: u32, ty: u32, nr: u32, size: usize) -> u32 {
    ((dir & IOC_DIRMASK) << IOC_DIRSHIFT)
        | ((ty & IOC_TYPEMASK) << IOC_TYPESHIFT)
        | ((nr & IOC_NRMASK) << IOC_NRSHIFT)
        | (((size as u32) & IOC_SIZEMASK) << IOC_SIZESHIFT)
}

/// `_IO(type, nr)`.
pub const fn io(ty: u32, nr: u32) -> u32 {
    ioc(IOC_NONE, ty, nr, 0)
}

/// `_IOR(type, nr, size)`: the kernel writes the argument.
pub const fn ior(ty: u32, nr: u32, size: usize) -> u32 {
    ioc(IOC_READ, ty, nr, size)
}

/// `_IOW(type, nr, size)`: the kernel reads the argument.
pub const fn iow(ty: u32, nr: u32, size: usize) -> u32 {
    ioc(IOC_WRITE, ty, nr, size)
}

/// `_IOWR(type, nr, size)`: both.
pub const fn iowr(ty: u32, nr: u32, size: usize) -> u32 {
    ioc(IOC_READ | IOC_WRITE, ty, nr, size)
}

/// `_IOC_DIR(cmd)`.
pub const fn ioc_dir(cmd: u32) -> u32 {
    (cmd >> IOC_DIRSHIFT) & IOC_DIRMASK
}

/// `_IOC_TYPE(cmd)`.
pub const fn ioc_type(cmd: u32) -> u32 {
    (cmd >> IOC_TYPESHIFT) & IOC_TYPEMASK
}

/// `_IOC_NR(cmd)`.
pub const fn ioc_nr(cmd: u32) -> u32 {
    (cmd >> IOC_NRSHIFT) & IOC_NRMASK
}

/// `_IOC_SIZE(cmd)`: the size of the caller's struct.
pub const fn ioc_size(cmd: u32) -> usize {
    ((cmd >> IOC_SIZESHIFT) & IOC_SIZEMASK) as usize
}

// ---------------------------------------------------------------------------------------------------------
// Flags and constants of the structs.

/// `vns_info.flags` bit: the caller has the full capability set in its own user vns.
pub const VNS_INFO_FULL_CAPS: u32 = 1;
/// `vns_mount.flags` bit: read-only mount.
pub const VNS_MNT_RDONLY: u64 = 1;
/// `vns_uts_name.which`: the nodename.
pub const VNS_UTS_NODENAME: u32 = 0;
/// `vns_uts_name.which`: the domainname.
pub const VNS_UTS_DOMAINNAME: u32 = 1;
/// `vns_id_map.which`: the uid map.
pub const VNS_MAP_UID: u32 = 0;
/// `vns_id_map.which`: the gid map.
pub const VNS_MAP_GID: u32 = 1;
/// Longest uts name, without its NUL (`__NEW_UTS_LEN`).
pub const VNS_NAME_MAX: usize = 64;
/// Size of a uts name field with its NUL (`__NEW_UTS_LEN + 1`).
pub const VNS_UTS_FIELD: usize = VNS_NAME_MAX + 1;

// ---------------------------------------------------------------------------------------------------------
// Argument structs (v1). All fields naturally aligned, no implicit padding (asserted below).

/// `struct vns_unshare` (VNS_IOC_UNSHARE).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VnsUnshare {
    /// `CLONE_*` flags asked for.
    pub flags: u64,
    /// Out: the completed flags that were applied.
    pub applied: u64,
}

/// `struct vns_info` (VNS_IOC_GET_INFO).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VnsInfo {
    /// Id of the caller's namespace of each kind, by kind index.
    pub ns_id: [u64; VNS_NR_KINDS],
    /// Id of the caller's `pid_for_children` namespace.
    pub pid_for_children_id: u64,
    /// Level of the caller's user vns (init is 0).
    pub user_level: u32,
    /// Level of the caller's active pid vns (init is 0).
    pub pid_level: u32,
    /// The caller's euid as its user vns sees it (65534 if unmapped).
    pub uid: u32,
    /// The caller's egid as its user vns sees it (65534 if unmapped).
    pub gid: u32,
    /// The caller's number in its active pid vns.
    pub pid: i32,
    /// `VNS_INFO_*` bits.
    pub flags: u32,
}

/// `struct vns_setns` (VNS_IOC_SETNS).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VnsSetns {
    /// Id of the namespace to join.
    pub id: u64,
    /// Its expected kind (`VNS_KIND_*`).
    pub kind: u32,
    /// Must be zero.
    pub reserved: u32,
}

/// `struct vns_uts` (VNS_IOC_GET_UTS).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VnsUts {
    /// NUL-terminated nodename.
    pub nodename: [u8; VNS_UTS_FIELD],
    /// NUL-terminated domainname.
    pub domainname: [u8; VNS_UTS_FIELD],
    /// Zero.
    pub reserved: [u8; 6],
}

/// `struct vns_uts_name` (VNS_IOC_SET_UTS).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VnsUtsName {
    /// `VNS_UTS_NODENAME` or `VNS_UTS_DOMAINNAME`.
    pub which: u32,
    /// Length of the name (at most `VNS_NAME_MAX`).
    pub len: u32,
    /// The name; only the first `len` bytes count.
    pub name: [u8; VNS_NAME_MAX],
}

/// `struct vns_id_map` (VNS_IOC_SET_ID_MAP).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VnsIdMap {
    /// Id of the user vns whose map is written.
    pub user_ns_id: u64,
    /// `VNS_MAP_UID` or `VNS_MAP_GID`.
    pub which: u32,
    /// Number of extents (1 to 340).
    pub nr_extents: u32,
    /// User pointer to `nr_extents` `struct vns_id_extent`.
    pub extents: u64,
}

/// `struct vns_id_extent`: one line of /proc/PID/uid_map.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VnsIdExtent {
    /// First id inside the namespace.
    pub first: u32,
    /// First id in the parent namespace.
    pub lower_first: u32,
    /// Number of ids.
    pub count: u32,
}

/// `struct vns_mount` (VNS_IOC_MOUNT, and the entries of VNS_IOC_LIST_MOUNTS).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VnsMount {
    /// Out: the new mount's id.
    pub id: u64,
    /// Id of the parent mount.
    pub parent_id: u64,
    /// `VNS_MNT_*` bits.
    pub flags: u64,
    /// NUL-terminated source.
    pub source: [u8; 64],
    /// NUL-terminated target.
    pub target: [u8; 128],
    /// NUL-terminated filesystem type.
    pub fstype: [u8; 16],
}

/// `struct vns_umount` (VNS_IOC_UMOUNT).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VnsUmount {
    /// Id of the mount to remove.
    pub id: u64,
    /// Must be zero.
    pub flags: u64,
}

/// `struct vns_list` (VNS_IOC_LIST_MOUNTS, VNS_IOC_LIST_NS).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VnsList {
    /// User pointer to `cap` entries.
    pub buf: u64,
    /// Capacity of `buf`, in entries.
    pub cap: u32,
    /// Out: the total number of entries (whatever `cap` is).
    pub nr: u32,
}

/// `struct vns_ns_entry`: one entry of VNS_IOC_LIST_NS.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VnsNsEntry {
    /// The namespace's id.
    pub id: u64,
    /// Its parent's id (user and pid kinds; 0 otherwise and for init).
    pub parent_id: u64,
    /// Id of its owning user vns (a user vns is owned by its parent).
    pub owner_id: u64,
    /// `VNS_KIND_*`.
    pub kind: u32,
    /// Its level (user and pid kinds).
    pub level: u32,
    /// Number of member tasks.
    pub nr_tasks: u32,
    /// Uid of its owner, as the caller sees it.
    pub owner_uid: u32,
}

/// `struct vns_ucounts` (VNS_IOC_GET_UCOUNTS).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VnsUcounts {
    /// The user vns (0: the caller's own).
    pub user_ns_id: u64,
    /// The uid, as the caller sees it.
    pub uid: u32,
    /// Must be zero.
    pub reserved: u32,
    /// Out: the counter of each kind.
    pub count: [u64; VNS_NR_KINDS],
    /// Out: the limit of each kind in that user vns.
    pub max: [u64; VNS_NR_KINDS],
}

impl VnsUts {
    /// All zero.
    pub const fn zeroed() -> Self {
        VnsUts {
            nodename: [0; VNS_UTS_FIELD],
            domainname: [0; VNS_UTS_FIELD],
            reserved: [0; 6],
        }
    }
}

impl Default for VnsUts {
    fn default() -> Self {
        Self::zeroed()
    }
}

impl VnsUtsName {
    /// All zero.
    pub const fn zeroed() -> Self {
        VnsUtsName {
            which: 0,
            len: 0,
            name: [0; VNS_NAME_MAX],
        }
    }

    /// Checks `which` and `len` (EINVAL) and returns the field and the name's bytes (`name[..len]`).
    /// As sethostname(2) (kernel/sys.c), the bytes are taken as they are.
    pub fn checked(&self) -> VnsResult<(u32, &[u8])> {
        if self.which != VNS_UTS_NODENAME && self.which != VNS_UTS_DOMAINNAME {
            return Err(Errno::EINVAL);
        }
        let len = usize::try_from(self.len).map_err(|_| Errno::EINVAL)?;
        match self.name.get(..len) {
            Some(name) => Ok((self.which, name)),
            None => Err(Errno::EINVAL),
        }
    }
}

impl Default for VnsUtsName {
    fn default() -> Self {
        Self::zeroed()
    }
}

impl VnsMount {
    /// All zero.
    pub const fn zeroed() -> Self {
        VnsMount {
            id: 0,
            parent_id: 0,
            flags: 0,
            source: [0; 64],
            target: [0; 128],
            fstype: [0; 16],
        }
    }

    /// Checks the caller's fields (EINVAL): flags other than `VNS_MNT_RDONLY`, a string field without a NUL.
    pub fn check_input(&self) -> VnsResult<()> {
        if self.flags & !VNS_MNT_RDONLY != 0 {
            return Err(Errno::EINVAL);
        }
        c_str_len(&self.source)?;
        c_str_len(&self.target)?;
        c_str_len(&self.fstype)?;
        Ok(())
    }
}

impl Default for VnsMount {
    fn default() -> Self {
        Self::zeroed()
    }
}

impl VnsSetns {
    /// Checks the caller's fields: `reserved` must be zero and `kind` known (EINVAL). Returns the kind.
    pub const fn check_input(&self) -> VnsResult<Kind> {
        if self.reserved != 0 {
            return Err(Errno::EINVAL);
        }
        Kind::try_from_u32(self.kind)
    }
}

impl VnsUmount {
    /// Checks the caller's fields: `flags` must be zero (EINVAL).
    pub const fn check_input(&self) -> VnsResult<()> {
        if self.flags != 0 {
            return Err(Errno::EINVAL);
        }
        Ok(())
    }
}

impl VnsUcounts {
    /// Checks the caller's fields: `reserved` must be zero (EINVAL).
    pub const fn check_input(&self) -> VnsResult<()> {
        if self.reserved != 0 {
            return Err(Errno::EINVAL);
        }
        Ok(())
    }
}

impl VnsIdMap {
    /// Checks `which` (EINVAL). The number of extents is checked by `idmap::check_nr_extents`, after the
    /// "already written" test, in the kernel's order.
    pub const fn check_input(&self) -> VnsResult<()> {
        if self.which != VNS_MAP_UID && self.which != VNS_MAP_GID {
            return Err(Errno::EINVAL);
        }
        Ok(())
    }
}

/// Length of a NUL-terminated string in a fixed-size field: the index of the first NUL; EINVAL when the
/// field has no NUL (spec §8: "a field without a NUL inside its size → EINVAL").
pub fn c_str_len(field: &[u8]) -> VnsResult<usize> {
    field.iter().position(|&b| b == 0).ok_or(Errno::EINVAL)
}

/// Copies `src` into a NUL-terminated fixed-size field, zero-filling the rest. EINVAL when `src` holds a
/// NUL or does not fit with its terminator.
pub fn set_c_str(field: &mut [u8], src: &[u8]) -> VnsResult<()> {
    if src.contains(&0) || src.len() >= field.len() {
        return Err(Errno::EINVAL);
    }
    let (head, tail) = field.split_at_mut(src.len());
    super::ustruct::copy_bytes(head, src);
    tail.fill(0);
    Ok(())
}

macro_rules! v1_size {
    ($($t:ident = $n:expr;)*) => {
        $(
            impl $t {
                /// Size of the v1 struct: smaller user structs are refused (EINVAL), larger ones must be
                /// zero past it (E2BIG).
                pub const V1_SIZE: usize = $n;
            }
            const _: () = assert!(core::mem::size_of::<$t>() == $t::V1_SIZE);
            const _: () = assert!($t::V1_SIZE <= IOC_SIZEMASK as usize);
        )*
    };
}

v1_size! {
    VnsUnshare = 16;
    VnsInfo = 96;
    VnsSetns = 16;
    VnsUts = 136;
    VnsUtsName = 72;
    VnsIdMap = 24;
    VnsIdExtent = 12;
    VnsMount = 232;
    VnsUmount = 16;
    VnsList = 16;
    VnsNsEntry = 40;
    VnsUcounts = 144;
}

// 64-bit fields must sit at 8-byte offsets on every architecture (the ABI has no implicit padding, so a
// 32-bit target such as thumbv7em, where u64 is 8-aligned too under AAPCS, agrees with x86_64).
const _: () = assert!(core::mem::align_of::<VnsInfo>() == 8);
const _: () = assert!(core::mem::align_of::<VnsUts>() == 1);
const _: () = assert!(core::mem::align_of::<VnsUtsName>() == 4);
const _: () = assert!(core::mem::align_of::<VnsIdExtent>() == 4);

// ---------------------------------------------------------------------------------------------------------
// Commands.

/// The ioctl type of vns (`VNS_IOC_MAGIC`, free in Documentation/userspace-api/ioctl/ioctl-number.rst).
pub const VNS_IOC_MAGIC: u32 = 0xB9;

/// `_IOWR(0xB9, 1, struct vns_unshare)`.
pub const VNS_IOC_UNSHARE: u32 = iowr(VNS_IOC_MAGIC, 1, VnsUnshare::V1_SIZE);
/// `_IOR(0xB9, 2, struct vns_info)`.
pub const VNS_IOC_GET_INFO: u32 = ior(VNS_IOC_MAGIC, 2, VnsInfo::V1_SIZE);
/// `_IOW(0xB9, 3, struct vns_setns)`.
pub const VNS_IOC_SETNS: u32 = iow(VNS_IOC_MAGIC, 3, VnsSetns::V1_SIZE);
/// `_IOR(0xB9, 4, struct vns_uts)`.
pub const VNS_IOC_GET_UTS: u32 = ior(VNS_IOC_MAGIC, 4, VnsUts::V1_SIZE);
/// `_IOW(0xB9, 5, struct vns_uts_name)`.
pub const VNS_IOC_SET_UTS: u32 = iow(VNS_IOC_MAGIC, 5, VnsUtsName::V1_SIZE);
/// `_IOW(0xB9, 6, struct vns_id_map)`.
pub const VNS_IOC_SET_ID_MAP: u32 = iow(VNS_IOC_MAGIC, 6, VnsIdMap::V1_SIZE);
/// `_IOWR(0xB9, 7, struct vns_mount)`.
pub const VNS_IOC_MOUNT: u32 = iowr(VNS_IOC_MAGIC, 7, VnsMount::V1_SIZE);
/// `_IOW(0xB9, 8, struct vns_umount)`.
pub const VNS_IOC_UMOUNT: u32 = iow(VNS_IOC_MAGIC, 8, VnsUmount::V1_SIZE);
/// `_IOWR(0xB9, 9, struct vns_list)`.
pub const VNS_IOC_LIST_MOUNTS: u32 = iowr(VNS_IOC_MAGIC, 9, VnsList::V1_SIZE);
/// `_IOWR(0xB9, 10, struct vns_list)`.
pub const VNS_IOC_LIST_NS: u32 = iowr(VNS_IOC_MAGIC, 10, VnsList::V1_SIZE);
/// `_IOWR(0xB9, 11, struct vns_ucounts)`.
pub const VNS_IOC_GET_UCOUNTS: u32 = iowr(VNS_IOC_MAGIC, 11, VnsUcounts::V1_SIZE);

/// A vns command, by its ioctl number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cmd {
    /// VNS_IOC_UNSHARE (1).
    Unshare,
    /// VNS_IOC_GET_INFO (2).
    GetInfo,
    /// VNS_IOC_SETNS (3).
    Setns,
    /// VNS_IOC_GET_UTS (4).
    GetUts,
    /// VNS_IOC_SET_UTS (5).
    SetUts,
    /// VNS_IOC_SET_ID_MAP (6).
    SetIdMap,
    /// VNS_IOC_MOUNT (7).
    Mount,
    /// VNS_IOC_UMOUNT (8).
    Umount,
    /// VNS_IOC_LIST_MOUNTS (9).
    ListMounts,
    /// VNS_IOC_LIST_NS (10).
    ListNs,
    /// VNS_IOC_GET_UCOUNTS (11).
    GetUcounts,
}

impl Cmd {
    /// Every command, by number.
    pub const ALL: [Cmd; 11] = [
        Cmd::Unshare,
        Cmd::GetInfo,
        Cmd::Setns,
        Cmd::GetUts,
        Cmd::SetUts,
        Cmd::SetIdMap,
        Cmd::Mount,
        Cmd::Umount,
        Cmd::ListMounts,
        Cmd::ListNs,
        Cmd::GetUcounts,
    ];

    /// The command of an ioctl number (1..=11).
    pub const fn from_nr(nr: u32) -> Option<Cmd> {
        match nr {
            1 => Some(Cmd::Unshare),
            2 => Some(Cmd::GetInfo),
            3 => Some(Cmd::Setns),
            4 => Some(Cmd::GetUts),
            5 => Some(Cmd::SetUts),
            6 => Some(Cmd::SetIdMap),
            7 => Some(Cmd::Mount),
            8 => Some(Cmd::Umount),
            9 => Some(Cmd::ListMounts),
            10 => Some(Cmd::ListNs),
            11 => Some(Cmd::GetUcounts),
            _ => None,
        }
    }

    /// The ioctl number.
    pub const fn nr(self) -> u32 {
        match self {
            Cmd::Unshare => 1,
            Cmd::GetInfo => 2,
            Cmd::Setns => 3,
            Cmd::GetUts => 4,
            Cmd::SetUts => 5,
            Cmd::SetIdMap => 6,
            Cmd::Mount => 7,
            Cmd::Umount => 8,
            Cmd::ListMounts => 9,
            Cmd::ListNs => 10,
            Cmd::GetUcounts => 11,
        }
    }

    /// The v1 command value (`VNS_IOC_*`).
    pub const fn cmd(self) -> u32 {
        match self {
            Cmd::Unshare => VNS_IOC_UNSHARE,
            Cmd::GetInfo => VNS_IOC_GET_INFO,
            Cmd::Setns => VNS_IOC_SETNS,
            Cmd::GetUts => VNS_IOC_GET_UTS,
            Cmd::SetUts => VNS_IOC_SET_UTS,
            Cmd::SetIdMap => VNS_IOC_SET_ID_MAP,
            Cmd::Mount => VNS_IOC_MOUNT,
            Cmd::Umount => VNS_IOC_UMOUNT,
            Cmd::ListMounts => VNS_IOC_LIST_MOUNTS,
            Cmd::ListNs => VNS_IOC_LIST_NS,
            Cmd::GetUcounts => VNS_IOC_GET_UCOUNTS,
        }
    }

    /// The v1 size of the command's argument struct.
    pub const fn v1_size(self) -> usize {
        ioc_size(self.cmd())
    }

    /// The direction of the v1 command (`IOC_READ`, `IOC_WRITE` or both).
    pub const fn dir(self) -> u32 {
        ioc_dir(self.cmd())
    }

    /// The name, as in the header ("VNS_IOC_UNSHARE").
    pub const fn name(self) -> &'static str {
        match self {
            Cmd::Unshare => "VNS_IOC_UNSHARE",
            Cmd::GetInfo => "VNS_IOC_GET_INFO",
            Cmd::Setns => "VNS_IOC_SETNS",
            Cmd::GetUts => "VNS_IOC_GET_UTS",
            Cmd::SetUts => "VNS_IOC_SET_UTS",
            Cmd::SetIdMap => "VNS_IOC_SET_ID_MAP",
            Cmd::Mount => "VNS_IOC_MOUNT",
            Cmd::Umount => "VNS_IOC_UMOUNT",
            Cmd::ListMounts => "VNS_IOC_LIST_MOUNTS",
            Cmd::ListNs => "VNS_IOC_LIST_NS",
            Cmd::GetUcounts => "VNS_IOC_GET_UCOUNTS",
        }
    }
}

/// Decodes an ioctl command as the handler dispatches it (spec §8): on type and number only; ENOTTY for
/// another type or an unknown number. Returns the command and the caller's struct size (`_IOC_SIZE`),
/// which the caller then checks with `ustruct::check_ioctl_size` (smaller than v1 → EINVAL).
/// The direction bits are not checked: the spec dispatches on type and number.
pub const fn decode_cmd(cmd: u32) -> VnsResult<(Cmd, usize)> {
    if ioc_type(cmd) != VNS_IOC_MAGIC {
        return Err(Errno::ENOTTY);
    }
    match Cmd::from_nr(ioc_nr(cmd)) {
        Some(c) => Ok((c, ioc_size(cmd))),
        None => Err(Errno::ENOTTY),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // include/uapi/asm-generic/ioctl.h: encode/decode round trip.
    #[test]
    fn ioc_round_trip() {
        for dir in 0..4 {
            for (ty, nr, size) in [
                (0xB9, 1, 16),
                (0, 0, 0),
                (0xff, 0xff, 0x3fff),
                (0x12, 0x34, 0x1234),
            ] {
                let cmd = ioc(dir, ty, nr, size);
                assert_eq!(ioc_dir(cmd), dir);
                assert_eq!(ioc_type(cmd), ty);
                assert_eq!(ioc_nr(cmd), nr);
                assert_eq!(ioc_size(cmd), size);
            }
        }
    }

    #[test]
    fn io_has_no_size_or_dir() {
        let c = io(0xB9, 3);
        assert_eq!(c, 0xB903);
        assert_eq!(ioc_dir(c), IOC_NONE);
        assert_eq!(ioc_size(c), 0);
    }

    #[test]
    fn kind_from_u32_rejects_8_and_up() {
        for v in [8, 9, 255, u32::MAX] {
            assert_eq!(Kind::from_u32(v), None);
            assert_eq!(Kind::try_from_u32(v), Err(Errno::EINVAL));
        }
    }

    #[test]
    fn kind_names_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_name(k.name()), Some(k));
            assert!(k.sysctl_name().contains(k.name()));
        }
        assert_eq!(Kind::from_name("mount"), None);
    }

    #[test]
    fn from_clone_flag_rejects_combinations() {
        assert_eq!(Kind::from_clone_flag(0), None);
        assert_eq!(Kind::from_clone_flag(CLONE_NEWNS | CLONE_NEWUTS), None);
        assert_eq!(Kind::from_clone_flag(CLONE_THREAD), None);
        assert_eq!(Kind::from_clone_flag(UNSHARE_EMPTY_MNTNS), None);
    }

    #[test]
    fn set_c_str_and_len() {
        let mut f = [0xffu8; 8];
        assert_eq!(set_c_str(&mut f, b"abc"), Ok(()));
        assert_eq!(f, *b"abc\0\0\0\0\0");
        assert_eq!(c_str_len(&f), Ok(3));
        assert_eq!(set_c_str(&mut f, b"1234567"), Ok(()));
        assert_eq!(c_str_len(&f), Ok(7));
        assert_eq!(set_c_str(&mut f, b"12345678"), Err(Errno::EINVAL));
        assert_eq!(set_c_str(&mut f, b"a\0b"), Err(Errno::EINVAL));
        assert_eq!(c_str_len(&[]), Err(Errno::EINVAL));
    }

    #[test]
    fn zeroed_is_default() {
        assert_eq!(VnsUts::default(), VnsUts::zeroed());
        assert_eq!(VnsMount::default(), VnsMount::zeroed());
        assert_eq!(VnsUtsName::default(), VnsUtsName::zeroed());
        assert!(VnsMount::zeroed().source.iter().all(|&b| b == 0));
    }
}
