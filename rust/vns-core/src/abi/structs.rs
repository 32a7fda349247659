// SPDX-License-Identifier: GPL-2.0-only
//! The argument structs of v1, their constants, and the checks of their input fields.

use super::super::errno::{Errno, VnsResult};
use super::{Kind, IOC_SIZEMASK, VNS_NR_KINDS};

/// `vns_info.flags` bit: the caller has the full capability set in its own user vns.
pub const VNS_INFO_FULL_CAPS: u32 = 1;
/// `vns_mount.flags` bit: read-only mount.
pub const VNS_MNT_RDONLY: u64 = 1;
/// `vns_setns.flags` bit: `id` is a namespace file descriptor (from VNS_IOC_NS_FD), not an id.
pub const VNS_SETNS_FD: u32 = 1;
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

/// The first size of `struct vns_info`, before `time_for_children_id`: still accepted by GET_INFO, which
/// then writes only that much.
pub const VNS_INFO_SIZE_VER0: usize = VnsInfo::V1_SIZE;

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
    /// Id of the caller's `time_for_children` namespace (added after the first size,
    /// [`VnsInfo::V1_SIZE`]; a caller with the first size gets the struct without it).
    pub time_for_children_id: u64,
}

/// `struct vns_setns` (VNS_IOC_SETNS).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VnsSetns {
    /// Id of the namespace to join.
    pub id: u64,
    /// Its expected kind (`VNS_KIND_*`).
    pub kind: u32,
    /// `VNS_SETNS_*` bits: with `VNS_SETNS_FD`, `id` is a namespace file descriptor.
    pub flags: u32,
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

/// `struct vns_task_info` (VNS_IOC_GET_TASK_INFO).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VnsTaskInfo {
    /// In: the task, by its pid in the caller's (kernel) pid namespace.
    pub pid: i32,
    /// Must be zero.
    pub reserved: u32,
    /// Out: the id of the task's namespace of each kind.
    pub ns_id: [u64; VNS_NR_KINDS],
    /// Out: its `pid_for_children`.
    pub pid_for_children_id: u64,
    /// Out: its `time_for_children`.
    pub time_for_children_id: u64,
    /// Out: its number in the caller's active pid vns, 0 when it has none there that vns knows.
    pub vns_pid: i32,
    /// Out: the level of its active pid vns.
    pub pid_level: u32,
}

/// `struct vns_setns_task` (VNS_IOC_SETNS_TASK).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VnsSetnsTask {
    /// The task whose namespaces are joined, by its pid in the caller's (kernel) pid namespace.
    pub pid: i32,
    /// Must be zero.
    pub reserved: u32,
    /// The `CLONE_NEW*` kinds to join (at least one).
    pub flags: u64,
}

/// `struct vns_ns_fd` (VNS_IOC_NS_FD).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VnsNsFd {
    /// The namespace's id; 0 for the caller's own namespace of `kind`.
    pub id: u64,
    /// Its kind (`VNS_KIND_*`).
    pub kind: u32,
    /// Must be zero.
    pub flags: u32,
}

/// Most offsets in a `struct vns_time_offsets`: one per clock a time vns moves.
pub const VNS_TIME_OFFSETS_MAX: usize = 2;

/// `struct vns_clock_ts`: a clock and a time on it; a line of /proc/PID/timens_offsets in
/// `struct vns_time_offsets`, a clock read in VNS_IOC_CLOCK_GETTIME.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VnsClockTs {
    /// A `CLOCK_*` id (include/uapi/linux/time.h).
    pub clock_id: i32,
    /// Must be zero.
    pub reserved: u32,
    /// Seconds.
    pub sec: i64,
    /// Nanoseconds, `0 <= nsec < 1 000 000 000`.
    pub nsec: i64,
}

/// `struct vns_time_offsets` (VNS_IOC_SET_TIME_OFFSETS, VNS_IOC_GET_TIME_OFFSETS).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VnsTimeOffsets {
    /// Entries used in `offsets` (1 to `VNS_TIME_OFFSETS_MAX`; GET returns 2).
    pub nr: u32,
    /// Must be zero.
    pub reserved: u32,
    /// The offsets (GET: CLOCK_MONOTONIC, then CLOCK_BOOTTIME); unused entries are zero.
    pub offsets: [VnsClockTs; VNS_TIME_OFFSETS_MAX],
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
    /// Checks the caller's fields: only known `flags` and a known `kind` (EINVAL). Returns the kind.
    pub const fn check_input(&self) -> VnsResult<Kind> {
        if self.flags & !VNS_SETNS_FD != 0 {
            return Err(Errno::EINVAL);
        }
        Kind::try_from_u32(self.kind)
    }
}

impl VnsNsFd {
    /// Checks the caller's fields: `flags` zero and a known `kind` (EINVAL). Returns the kind.
    pub const fn check_input(&self) -> VnsResult<Kind> {
        if self.flags != 0 {
            return Err(Errno::EINVAL);
        }
        Kind::try_from_u32(self.kind)
    }
}

impl VnsUmount {
    /// Checks the caller's fields: `flags` must be zero (EINVAL). (The module hands them to
    /// `mount::check_umount` instead.)
    #[cfg(any(test, feature = "testing"))]
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

impl VnsTaskInfo {
    /// Checks the input fields: `reserved` zero (EINVAL).
    pub const fn check_input(&self) -> VnsResult<()> {
        if self.reserved != 0 {
            return Err(Errno::EINVAL);
        }
        Ok(())
    }
}

impl VnsSetnsTask {
    /// Checks the input fields: `reserved` zero, then the flags as `check_setns_flags()` (EINVAL).
    pub const fn check_input(&self) -> VnsResult<()> {
        if self.reserved != 0 {
            return Err(Errno::EINVAL);
        }
        super::super::flags::check_setns_flags(self.flags)
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
/// field has no NUL (Documentation/userspace-api/vns.rst, "Fields and strings": a string field must hold a
/// NUL within its size, else EINVAL).
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
    super::super::ustruct::copy_bytes(head, src);
    tail.fill(0);
    Ok(())
}

macro_rules! v1_size {
    ($($t:ident = $n:expr $(=> $now:expr)?;)*) => {
        $(
            impl $t {
                /// Size of the first version of the struct, the smallest a caller may pass: smaller user
                /// structs are refused (EINVAL), larger ones must be zero past the struct (E2BIG).
                pub const V1_SIZE: usize = $n;
                /// Size of the struct today: `V1_SIZE`, or more for a struct that grew at its end.
                pub const SIZE: usize = v1_size!(@now $n $(, $now)?);
            }
            const _: () = assert!(core::mem::size_of::<$t>() == $t::SIZE);
            const _: () = assert!($t::SIZE <= IOC_SIZEMASK as usize);
        )*
    };
    (@now $n:expr) => { $n };
    (@now $n:expr, $now:expr) => { $now };
}

v1_size! {
    VnsUnshare = 16;
    VnsInfo = 96 => 104;
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
    VnsClockTs = 24;
    VnsTimeOffsets = 56;
    VnsTaskInfo = 96;
    VnsSetnsTask = 16;
    VnsNsFd = 16;
}

// 64-bit fields must sit at 8-byte offsets on every architecture (the ABI has no implicit padding, so a
// 32-bit target such as thumbv7em, where u64 is 8-aligned too under AAPCS, agrees with x86_64).
const _: () = assert!(core::mem::align_of::<VnsInfo>() == 8);
const _: () = assert!(core::mem::align_of::<VnsClockTs>() == 8);
const _: () = assert!(core::mem::align_of::<VnsTaskInfo>() == 8);
const _: () = assert!(core::mem::align_of::<VnsSetnsTask>() == 8);
const _: () = assert!(core::mem::align_of::<VnsTimeOffsets>() == 8);
const _: () = assert!(core::mem::align_of::<VnsUts>() == 1);
const _: () = assert!(core::mem::align_of::<VnsUtsName>() == 4);
const _: () = assert!(core::mem::align_of::<VnsIdExtent>() == 4);
