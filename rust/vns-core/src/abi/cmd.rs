// SPDX-License-Identifier: GPL-2.0-only
//! The commands: `VNS_IOC_*` values and their decoding.

use super::super::errno::{Errno, VnsResult};
use super::{
    ioc_nr, ioc_size, ioc_type, ior, iow, iowr, VnsClockTs, VnsIdMap, VnsInfo, VnsList, VnsMount,
    VnsNsFd, VnsSetns, VnsSetnsTask, VnsTaskInfo, VnsTimeOffsets, VnsUcounts, VnsUmount,
    VnsUnshare, VnsUts, VnsUtsName,
};

/// The ioctl type of vns (`VNS_IOC_MAGIC`, free in Documentation/userspace-api/ioctl/ioctl-number.rst).
pub const VNS_IOC_MAGIC: u32 = 0xB9;

/// `_IOWR(0xB9, 1, struct vns_unshare)`.
pub const VNS_IOC_UNSHARE: u32 = iowr(VNS_IOC_MAGIC, 1, VnsUnshare::V1_SIZE);
/// `_IOR(0xB9, 2, struct vns_info)`.
pub const VNS_IOC_GET_INFO: u32 = ior(VNS_IOC_MAGIC, 2, VnsInfo::SIZE);
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
/// `_IOW(0xB9, 12, struct vns_time_offsets)`.
pub const VNS_IOC_SET_TIME_OFFSETS: u32 = iow(VNS_IOC_MAGIC, 12, VnsTimeOffsets::V1_SIZE);
/// `_IOR(0xB9, 13, struct vns_time_offsets)`.
pub const VNS_IOC_GET_TIME_OFFSETS: u32 = ior(VNS_IOC_MAGIC, 13, VnsTimeOffsets::V1_SIZE);
/// `_IOWR(0xB9, 14, struct vns_clock_ts)`.
pub const VNS_IOC_CLOCK_GETTIME: u32 = iowr(VNS_IOC_MAGIC, 14, VnsClockTs::V1_SIZE);
/// `_IOWR(0xB9, 15, struct vns_id_map)`.
pub const VNS_IOC_GET_ID_MAP: u32 = iowr(VNS_IOC_MAGIC, 15, VnsIdMap::V1_SIZE);
/// `_IOWR(0xB9, 16, struct vns_task_info)`.
pub const VNS_IOC_GET_TASK_INFO: u32 = iowr(VNS_IOC_MAGIC, 16, VnsTaskInfo::V1_SIZE);
/// `_IOW(0xB9, 17, struct vns_setns_task)`.
pub const VNS_IOC_SETNS_TASK: u32 = iow(VNS_IOC_MAGIC, 17, VnsSetnsTask::V1_SIZE);
/// `_IOW(0xB9, 18, struct vns_ns_fd)`: returns a namespace file descriptor.
pub const VNS_IOC_NS_FD: u32 = iow(VNS_IOC_MAGIC, 18, VnsNsFd::V1_SIZE);

/// On a namespace fd, `_IO(0xB9, 0x41)`: a new fd of the owning user vns (`NS_GET_USERNS`).
pub const VNS_NS_GET_USERNS: u32 = super::ioc(0, VNS_IOC_MAGIC, 0x41, 0);
/// On a namespace fd, `_IO(0xB9, 0x42)`: a new fd of the parent user or pid vns (`NS_GET_PARENT`).
pub const VNS_NS_GET_PARENT: u32 = super::ioc(0, VNS_IOC_MAGIC, 0x42, 0);
/// On a namespace fd, `_IO(0xB9, 0x43)`: its `CLONE_NEW*` type, as the return value (`NS_GET_NSTYPE`).
pub const VNS_NS_GET_NSTYPE: u32 = super::ioc(0, VNS_IOC_MAGIC, 0x43, 0);
/// On a user vns fd, `_IOR(0xB9, 0x44, __u32)`: its owner's uid as the caller sees it
/// (`NS_GET_OWNER_UID`).
pub const VNS_NS_GET_OWNER_UID: u32 = ior(VNS_IOC_MAGIC, 0x44, 4);
/// On a namespace fd, `_IOR(0xB9, 0x45, __u64)`: its id (`NS_GET_ID`).
pub const VNS_NS_GET_ID: u32 = ior(VNS_IOC_MAGIC, 0x45, 8);

/// A command on a namespace fd (its own numbers in the 0xB9 space, matched exactly, as nsfs's
/// `ns_ioctl` matches `NSIO` commands).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NsCmd {
    /// VNS_NS_GET_USERNS.
    GetUserns,
    /// VNS_NS_GET_PARENT.
    GetParent,
    /// VNS_NS_GET_NSTYPE.
    GetNstype,
    /// VNS_NS_GET_OWNER_UID.
    GetOwnerUid,
    /// VNS_NS_GET_ID.
    GetId,
}

impl NsCmd {
    /// The command of an exact ioctl value; ENOTTY for any other.
    pub const fn decode(cmd: u32) -> VnsResult<NsCmd> {
        match cmd {
            VNS_NS_GET_USERNS => Ok(NsCmd::GetUserns),
            VNS_NS_GET_PARENT => Ok(NsCmd::GetParent),
            VNS_NS_GET_NSTYPE => Ok(NsCmd::GetNstype),
            VNS_NS_GET_OWNER_UID => Ok(NsCmd::GetOwnerUid),
            VNS_NS_GET_ID => Ok(NsCmd::GetId),
            _ => Err(Errno::ENOTTY),
        }
    }
}

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
    /// VNS_IOC_SET_TIME_OFFSETS (12).
    SetTimeOffsets,
    /// VNS_IOC_GET_TIME_OFFSETS (13).
    GetTimeOffsets,
    /// VNS_IOC_CLOCK_GETTIME (14).
    ClockGettime,
    /// VNS_IOC_GET_ID_MAP (15).
    GetIdMap,
    /// VNS_IOC_GET_TASK_INFO (16).
    GetTaskInfo,
    /// VNS_IOC_SETNS_TASK (17).
    SetnsTask,
    /// VNS_IOC_NS_FD (18).
    NsFd,
}

impl Cmd {
    /// Every command, by number.
    #[cfg(any(test, feature = "names"))]
    pub const ALL: [Cmd; 18] = [
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
        Cmd::SetTimeOffsets,
        Cmd::GetTimeOffsets,
        Cmd::ClockGettime,
        Cmd::GetIdMap,
        Cmd::GetTaskInfo,
        Cmd::SetnsTask,
        Cmd::NsFd,
    ];

    /// The command of an ioctl number (1..=18).
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
            12 => Some(Cmd::SetTimeOffsets),
            13 => Some(Cmd::GetTimeOffsets),
            14 => Some(Cmd::ClockGettime),
            15 => Some(Cmd::GetIdMap),
            16 => Some(Cmd::GetTaskInfo),
            17 => Some(Cmd::SetnsTask),
            18 => Some(Cmd::NsFd),
            _ => None,
        }
    }

    /// The ioctl number.
    #[cfg(any(test, feature = "names"))]
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
            Cmd::SetTimeOffsets => 12,
            Cmd::GetTimeOffsets => 13,
            Cmd::ClockGettime => 14,
            Cmd::GetIdMap => 15,
            Cmd::GetTaskInfo => 16,
            Cmd::SetnsTask => 17,
            Cmd::NsFd => 18,
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
            Cmd::SetTimeOffsets => VNS_IOC_SET_TIME_OFFSETS,
            Cmd::GetTimeOffsets => VNS_IOC_GET_TIME_OFFSETS,
            Cmd::ClockGettime => VNS_IOC_CLOCK_GETTIME,
            Cmd::GetIdMap => VNS_IOC_GET_ID_MAP,
            Cmd::GetTaskInfo => VNS_IOC_GET_TASK_INFO,
            Cmd::SetnsTask => VNS_IOC_SETNS_TASK,
            Cmd::NsFd => VNS_IOC_NS_FD,
        }
    }

    /// The smallest size of the command's argument struct a caller may pass: its first version's
    /// (`VNS_INFO_SIZE_VER0` for GET_INFO, whose struct grew; the size in the command for the others).
    pub const fn v1_size(self) -> usize {
        match self {
            Cmd::GetInfo => VnsInfo::V1_SIZE,
            _ => ioc_size(self.cmd()),
        }
    }

    /// The direction of the v1 command (`IOC_READ`, `IOC_WRITE` or both).
    #[cfg(any(test, feature = "names"))]
    pub const fn dir(self) -> u32 {
        super::ioc_dir(self.cmd())
    }

    /// The name, as in the header ("VNS_IOC_UNSHARE").
    #[cfg(any(test, feature = "names"))]
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
            Cmd::SetTimeOffsets => "VNS_IOC_SET_TIME_OFFSETS",
            Cmd::GetTimeOffsets => "VNS_IOC_GET_TIME_OFFSETS",
            Cmd::ClockGettime => "VNS_IOC_CLOCK_GETTIME",
            Cmd::GetIdMap => "VNS_IOC_GET_ID_MAP",
            Cmd::GetTaskInfo => "VNS_IOC_GET_TASK_INFO",
            Cmd::SetnsTask => "VNS_IOC_SETNS_TASK",
            Cmd::NsFd => "VNS_IOC_NS_FD",
        }
    }
}

/// Decodes an ioctl command as the handler dispatches it (Documentation/userspace-api/vns.rst, "Commands"):
/// on type and number only; ENOTTY for another type or an unknown number. Returns the command and the
/// caller's struct size (`_IOC_SIZE`), which the caller then checks with `ustruct::check_ioctl_size`
/// (smaller than v1 → EINVAL).
/// The direction bits are not checked: the ABI dispatches on type and number.
pub const fn decode_cmd(cmd: u32) -> VnsResult<(Cmd, usize)> {
    if ioc_type(cmd) != VNS_IOC_MAGIC {
        return Err(Errno::ENOTTY);
    }
    match Cmd::from_nr(ioc_nr(cmd)) {
        Some(c) => Ok((c, ioc_size(cmd))),
        None => Err(Errno::ENOTTY),
    }
}
