// SPDX-License-Identifier: GPL-2.0-only
//! Tests of the ABI. First the shared cases (`selftest::TESTS`, run by `cargo test` and on the STM32 target):
//! the table of Documentation/userspace-api/vns.rst ("Summary", "Constants") and include/uapi/asm-generic/
//! ioctl.h; then host-only unit tests.

use super::super::errno::{Errno, VnsResult};
use super::*;
use Errno::*;

#[cfg_attr(test, test)]
pub(crate) fn abi_struct_sizes() {
    use core::mem::size_of;
    let table: [(&str, usize, usize, usize); 17] = [
        (
            "vns_unshare",
            size_of::<VnsUnshare>(),
            VnsUnshare::V1_SIZE,
            16,
        ),
        ("vns_info", size_of::<VnsInfo>(), VnsInfo::SIZE, 104),
        ("vns_setns", size_of::<VnsSetns>(), VnsSetns::V1_SIZE, 16),
        ("vns_uts", size_of::<VnsUts>(), VnsUts::V1_SIZE, 136),
        (
            "vns_uts_name",
            size_of::<VnsUtsName>(),
            VnsUtsName::V1_SIZE,
            72,
        ),
        ("vns_id_map", size_of::<VnsIdMap>(), VnsIdMap::V1_SIZE, 24),
        (
            "vns_id_extent",
            size_of::<VnsIdExtent>(),
            VnsIdExtent::V1_SIZE,
            12,
        ),
        ("vns_mount", size_of::<VnsMount>(), VnsMount::V1_SIZE, 232),
        ("vns_umount", size_of::<VnsUmount>(), VnsUmount::V1_SIZE, 16),
        ("vns_list", size_of::<VnsList>(), VnsList::V1_SIZE, 16),
        (
            "vns_ns_entry",
            size_of::<VnsNsEntry>(),
            VnsNsEntry::V1_SIZE,
            40,
        ),
        (
            "vns_ucounts",
            size_of::<VnsUcounts>(),
            VnsUcounts::V1_SIZE,
            144,
        ),
        (
            "vns_clock_ts",
            size_of::<VnsClockTs>(),
            VnsClockTs::V1_SIZE,
            24,
        ),
        (
            "vns_time_offsets",
            size_of::<VnsTimeOffsets>(),
            VnsTimeOffsets::V1_SIZE,
            56,
        ),
        (
            "vns_task_info",
            size_of::<VnsTaskInfo>(),
            VnsTaskInfo::V1_SIZE,
            96,
        ),
        (
            "vns_setns_task",
            size_of::<VnsSetnsTask>(),
            VnsSetnsTask::V1_SIZE,
            16,
        ),
        ("vns_ns_fd", size_of::<VnsNsFd>(), VnsNsFd::V1_SIZE, 16),
    ];
    for (name, size, v1, want) in table {
        assert_eq!(size, want, "sizeof(struct {name})");
        assert_eq!(v1, want, "{name} V1_SIZE");
    }
    // vns_info grew at its end: its first size is still accepted.
    assert_eq!(VnsInfo::V1_SIZE, 96, "VNS_INFO_SIZE_VER0");
    assert_eq!(VNS_INFO_SIZE_VER0, 96);
    assert_eq!(Cmd::GetInfo.v1_size(), 96);
    assert_eq!(Cmd::GetUcounts.v1_size(), 144);
}

#[cfg_attr(test, test)]
pub(crate) fn abi_ioctl_numbers() {
    // Values computed by hand from _IOC(dir, 0xB9, nr, size): dir<<30 | size<<16 | 0xB9<<8 | nr.
    let table: [(Cmd, u32, u32); 18] = [
        (Cmd::Unshare, VNS_IOC_UNSHARE, 0xC010_B901),
        (Cmd::GetInfo, VNS_IOC_GET_INFO, 0x8068_B902),
        (Cmd::Setns, VNS_IOC_SETNS, 0x4010_B903),
        (Cmd::GetUts, VNS_IOC_GET_UTS, 0x8088_B904),
        (Cmd::SetUts, VNS_IOC_SET_UTS, 0x4048_B905),
        (Cmd::SetIdMap, VNS_IOC_SET_ID_MAP, 0x4018_B906),
        (Cmd::Mount, VNS_IOC_MOUNT, 0xC0E8_B907),
        (Cmd::Umount, VNS_IOC_UMOUNT, 0x4010_B908),
        (Cmd::ListMounts, VNS_IOC_LIST_MOUNTS, 0xC010_B909),
        (Cmd::ListNs, VNS_IOC_LIST_NS, 0xC010_B90A),
        (Cmd::GetUcounts, VNS_IOC_GET_UCOUNTS, 0xC090_B90B),
        (Cmd::SetTimeOffsets, VNS_IOC_SET_TIME_OFFSETS, 0x4038_B90C),
        (Cmd::GetTimeOffsets, VNS_IOC_GET_TIME_OFFSETS, 0x8038_B90D),
        (Cmd::ClockGettime, VNS_IOC_CLOCK_GETTIME, 0xC018_B90E),
        (Cmd::GetIdMap, VNS_IOC_GET_ID_MAP, 0xC018_B90F),
        (Cmd::GetTaskInfo, VNS_IOC_GET_TASK_INFO, 0xC060_B910),
        (Cmd::SetnsTask, VNS_IOC_SETNS_TASK, 0x4010_B911),
        (Cmd::NsFd, VNS_IOC_NS_FD, 0x4010_B912),
    ];
    for (i, (cmd, value, want)) in table.into_iter().enumerate() {
        assert_eq!(value, want, "{}", cmd.name());
        assert_eq!(cmd.cmd(), want, "{}", cmd.name());
        assert_eq!(Cmd::ALL.get(i), Some(&cmd));
        assert_eq!(cmd.nr() as usize, i + 1);
        assert_eq!(Cmd::from_nr(cmd.nr()), Some(cmd));
    }
}

#[cfg_attr(test, test)]
pub(crate) fn abi_ioctl_encoding_fields() {
    // (cmd, dir, size) per the table of Documentation/userspace-api/vns.rst ("Summary"): R = _IOR, W = _IOW,
    // WR = _IOWR.
    const R: u32 = IOC_READ;
    const W: u32 = IOC_WRITE;
    const WR: u32 = IOC_READ | IOC_WRITE;
    let table: [(u32, u32, usize); 18] = [
        (VNS_IOC_UNSHARE, WR, 16),
        (VNS_IOC_GET_INFO, R, 104),
        (VNS_IOC_SETNS, W, 16),
        (VNS_IOC_GET_UTS, R, 136),
        (VNS_IOC_SET_UTS, W, 72),
        (VNS_IOC_SET_ID_MAP, W, 24),
        (VNS_IOC_MOUNT, WR, 232),
        (VNS_IOC_UMOUNT, W, 16),
        (VNS_IOC_LIST_MOUNTS, WR, 16),
        (VNS_IOC_LIST_NS, WR, 16),
        (VNS_IOC_GET_UCOUNTS, WR, 144),
        (VNS_IOC_SET_TIME_OFFSETS, W, 56),
        (VNS_IOC_GET_TIME_OFFSETS, R, 56),
        (VNS_IOC_CLOCK_GETTIME, WR, 24),
        (VNS_IOC_GET_ID_MAP, WR, 24),
        (VNS_IOC_GET_TASK_INFO, WR, 96),
        (VNS_IOC_SETNS_TASK, W, 16),
        (VNS_IOC_NS_FD, W, 16),
    ];
    for (cmd, dir, size) in table {
        assert_eq!(ioc_dir(cmd), dir, "{cmd:#x}");
        assert_eq!(ioc_type(cmd), 0xB9, "{cmd:#x}");
        assert_eq!(ioc_size(cmd), size, "{cmd:#x}");
        assert_eq!(
            ioc(ioc_dir(cmd), ioc_type(cmd), ioc_nr(cmd), ioc_size(cmd)),
            cmd
        );
    }
}

#[cfg_attr(test, test)]
pub(crate) fn abi_decode_cmd() {
    let bigger = iowr(VNS_IOC_MAGIC, 1, 24);
    let table: [(u32, VnsResult<(Cmd, usize)>); 11] = [
        (VNS_IOC_UNSHARE, Ok((Cmd::Unshare, 16))),
        (VNS_IOC_GET_UCOUNTS, Ok((Cmd::GetUcounts, 144))),
        (bigger, Ok((Cmd::Unshare, 24))),
        (iowr(VNS_IOC_MAGIC, 1, 8), Ok((Cmd::Unshare, 8))), // size is checked later (EINVAL)
        (iow(VNS_IOC_MAGIC, 2, 96), Ok((Cmd::GetInfo, 96))), // dispatch on type and number only
        (iowr(0xBA, 1, 16), Err(ENOTTY)),
        (iowr(VNS_IOC_MAGIC, 0, 16), Err(ENOTTY)),
        (ior(VNS_IOC_MAGIC, 2, 104), Ok((Cmd::GetInfo, 104))),
        (iowr(VNS_IOC_MAGIC, 19, 16), Err(ENOTTY)),
        (iowr(VNS_IOC_MAGIC, 255, 16), Err(ENOTTY)),
        (0x5401, Err(ENOTTY)), // TCGETS
    ];
    for (cmd, want) in table {
        assert_eq!(decode_cmd(cmd), want, "{cmd:#x}");
    }
}

#[cfg_attr(test, test)]
pub(crate) fn abi_kinds() {
    // enum ucount_type order (include/linux/user_namespace.h); kernel/ucount.c user_table names.
    let table: [(Kind, u32, &str, &str, u64); VNS_NR_KINDS] = [
        (Kind::User, 0, "user", "max_user_namespaces", 0x1000_0000),
        (Kind::Pid, 1, "pid", "max_pid_namespaces", 0x2000_0000),
        (Kind::Uts, 2, "uts", "max_uts_namespaces", 0x0400_0000),
        (Kind::Ipc, 3, "ipc", "max_ipc_namespaces", 0x0800_0000),
        (Kind::Net, 4, "net", "max_net_namespaces", 0x4000_0000),
        (Kind::Mnt, 5, "mnt", "max_mnt_namespaces", 0x0002_0000),
        (
            Kind::Cgroup,
            6,
            "cgroup",
            "max_cgroup_namespaces",
            0x0200_0000,
        ),
        (Kind::Time, 7, "time", "max_time_namespaces", 0x0000_0080),
    ];
    let mut all = 0;
    for (k, idx, name, sysctl, flag) in table {
        assert_eq!(k.as_u32(), idx);
        assert_eq!(k.index(), idx as usize);
        assert_eq!(Kind::from_u32(idx), Some(k));
        assert_eq!(Kind::ALL.get(idx as usize), Some(&k));
        assert_eq!(k.name(), name);
        assert_eq!(k.sysctl_name(), sysctl);
        assert_eq!(k.clone_flag(), flag, "{name}");
        assert_eq!(Kind::from_clone_flag(flag), Some(k));
        all |= flag;
    }
    assert_eq!(all, CLONE_NS_ALL);
    assert_eq!(Kind::from_u32(8), None);
}

#[cfg_attr(test, test)]
pub(crate) fn abi_clone_values() {
    // include/uapi/linux/sched.h (Linux 7.3).
    let table: [(u64, u64); 15] = [
        (CLONE_VM, 0x100),
        (CLONE_FS, 0x200),
        (CLONE_FILES, 0x400),
        (CLONE_SIGHAND, 0x800),
        (CLONE_THREAD, 0x10000),
        (CLONE_NEWNS, 0x20000),
        (CLONE_SYSVSEM, 0x40000),
        (CLONE_NEWCGROUP, 0x0200_0000),
        (CLONE_NEWUTS, 0x0400_0000),
        (CLONE_NEWIPC, 0x0800_0000),
        (CLONE_NEWUSER, 0x1000_0000),
        (CLONE_NEWPID, 0x2000_0000),
        (CLONE_NEWNET, 0x4000_0000),
        (CLONE_NEWTIME, 0x80),
        (UNSHARE_EMPTY_MNTNS, 0x0010_0000),
    ];
    for (v, want) in table {
        assert_eq!(v, want);
    }
}

#[cfg_attr(test, test)]
pub(crate) fn abi_c_str_len() {
    // Documentation/userspace-api/vns.rst, "Fields and strings": a string field without a NUL inside its
    // size is EINVAL.
    let table: [(&[u8], VnsResult<usize>); 6] = [
        (b"\0", Ok(0)),
        (b"abc\0", Ok(3)),
        (b"abc\0def", Ok(3)),
        (b"abcd", Err(EINVAL)),
        (b"", Err(EINVAL)),
        (&[0x41; 64], Err(EINVAL)),
    ];
    for (field, want) in table {
        assert_eq!(c_str_len(field), want, "{field:?}");
    }
}

#[cfg_attr(test, test)]
pub(crate) fn abi_input_checks() {
    // Documentation/userspace-api/vns.rst, "Fields and strings": reserved fields must be zero; unknown kinds
    // and `which` values are EINVAL.
    let setns = |kind, flags| VnsSetns { id: 1, kind, flags };
    assert_eq!(setns(VNS_KIND_NET, 0).check_input(), Ok(Kind::Net));
    assert_eq!(
        setns(VNS_KIND_NET, VNS_SETNS_FD).check_input(),
        Ok(Kind::Net)
    );
    assert_eq!(setns(VNS_KIND_NET, 2).check_input(), Err(EINVAL));
    assert_eq!(setns(8, 0).check_input(), Err(EINVAL));
    let nsfd = |kind, flags| VnsNsFd { id: 0, kind, flags };
    assert_eq!(nsfd(VNS_KIND_UTS, 0).check_input(), Ok(Kind::Uts));
    assert_eq!(nsfd(VNS_KIND_UTS, 1).check_input(), Err(EINVAL));
    assert_eq!(nsfd(9, 0).check_input(), Err(EINVAL));
    assert_eq!(VnsUmount { id: 3, flags: 0 }.check_input(), Ok(()));
    assert_eq!(VnsUmount { id: 3, flags: 1 }.check_input(), Err(EINVAL));
    let uc = |reserved| VnsUcounts {
        reserved,
        ..VnsUcounts::default()
    };
    assert_eq!(uc(0).check_input(), Ok(()));
    assert_eq!(uc(7).check_input(), Err(EINVAL));
    let map = |which| VnsIdMap {
        which,
        ..VnsIdMap::default()
    };
    assert_eq!(map(VNS_MAP_UID).check_input(), Ok(()));
    assert_eq!(map(VNS_MAP_GID).check_input(), Ok(()));
    assert_eq!(map(2).check_input(), Err(EINVAL));

    let mut name = VnsUtsName::zeroed();
    name.name[..4].copy_from_slice(b"host");
    name.len = 4;
    assert_eq!(name.checked(), Ok((VNS_UTS_NODENAME, &b"host"[..])));
    name.which = VNS_UTS_DOMAINNAME;
    assert_eq!(name.checked(), Ok((VNS_UTS_DOMAINNAME, &b"host"[..])));
    name.len = 64;
    assert!(name.checked().is_ok());
    name.len = 65;
    assert_eq!(name.checked(), Err(EINVAL));
    name.len = 4;
    name.which = 2;
    assert_eq!(name.checked(), Err(EINVAL));

    let mut m = VnsMount::zeroed();
    assert_eq!(m.check_input(), Ok(()));
    m.flags = VNS_MNT_RDONLY;
    assert_eq!(m.check_input(), Ok(()));
    m.flags = 2;
    assert_eq!(m.check_input(), Err(EINVAL));
    m.flags = 0;
    m.target = [b'/'; 128];
    assert_eq!(m.check_input(), Err(EINVAL));
    m.target[127] = 0;
    assert_eq!(m.check_input(), Ok(()));
    m.fstype = [b'x'; 16];
    assert_eq!(m.check_input(), Err(EINVAL));
}

// Host-only unit tests (`cargo test`).

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

#[test]
fn ns_fd_commands() {
    // _IO(0xB9, nr) = 0xB900 | nr; _IOR(0xB9, nr, size) = 0x8000_0000 | size << 16 | 0xB900 | nr.
    let table = [
        (VNS_NS_GET_USERNS, 0x0000_B941, NsCmd::GetUserns),
        (VNS_NS_GET_PARENT, 0x0000_B942, NsCmd::GetParent),
        (VNS_NS_GET_NSTYPE, 0x0000_B943, NsCmd::GetNstype),
        (VNS_NS_GET_OWNER_UID, 0x8004_B944, NsCmd::GetOwnerUid),
        (VNS_NS_GET_ID, 0x8008_B945, NsCmd::GetId),
    ];
    for (value, want, cmd) in table {
        assert_eq!(value, want);
        assert_eq!(NsCmd::decode(value), Ok(cmd));
        // Matched exactly: another size or direction is not the command.
        assert_eq!(NsCmd::decode(value ^ 0x0001_0000), Err(Errno::ENOTTY));
    }
    // The /dev/vns commands are not namespace-fd commands, and the other way round.
    assert_eq!(NsCmd::decode(VNS_IOC_GET_INFO), Err(Errno::ENOTTY));
    assert_eq!(decode_cmd(VNS_NS_GET_NSTYPE), Err(Errno::ENOTTY));
}
