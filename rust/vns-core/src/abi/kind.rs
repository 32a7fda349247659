// SPDX-License-Identifier: GPL-2.0-only
//! Namespace kinds and the `CLONE_*` flags that create them.

use super::super::errno::{Errno, VnsResult};

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
/// Unshare an empty mount namespace (`UNSHARE_EMPTY_MNTNS`, include/uapi/linux/sched.h): implies
/// CLONE_NEWNS, and the new mount namespace holds only a copy of the caller's root (fs/namespace.c
/// `copy_mnt_ns`).
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
    #[cfg(any(test, feature = "names"))]
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
    #[cfg(any(test, feature = "names"))]
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
    #[cfg(any(test, feature = "names"))]
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}
