// SPDX-License-Identifier: GPL-2.0-only
//! Self tests written once for the host and the target: the table-driven cases of every rule, each table
//! naming the Linux 7.3 file and function it mirrors. `cargo test` runs each as its own `#[test]`; the
//! STM32 port runs [`TESTS`] on the board (a failed `assert!` reaches its panic handler). No allocation.
//!
//! Compiled under `cfg(test)` or the `selftest` feature only; the Linux module never includes this file.

use super::abi::*;
use super::caps::{
    caps_after_exec, ns_capable_walk, vns_capable, CapSet, NsNode, CAP_SETGID, CAP_SETUID,
    CAP_SYS_ADMIN, CAP_SYS_RESOURCE,
};
use super::depth::{check_new_pid_ns, check_pid_ns_depth, check_user_ns_depth, MAX_PID_NS_LEVEL};
use super::errno::{Errno, VnsResult};
use super::flags::{
    check_unshare_flags, complete_unshare_flags, kinds_to_create, unshare_flags, TaskFacts,
    CREATE_ORDER, UNSHARE_ALLOWED,
};
use super::idmap::{
    check_map_write, check_nr_extents, mappings_overlap, new_idmap_permitted, validate, IdExtent,
    IdMap, MapWriter, OVERFLOW_ID, UID_GID_MAP_MAX_EXTENTS,
};
use super::mount::{
    check_mount, check_mount_max, check_umount, copy_table, MountLink, MOUNT_MAX_DEFAULT,
};
use super::ucount::{
    check_ucount_max, check_ucount_max_write, dec_ucount, inc_ucount, ucounts_hashfn, uidhashfn,
    Level, UcountTable, UCOUNT_MAX_DEFAULT, UIDHASH_SZ,
};
use super::ustruct::{
    check_ioctl_size, struct_from_user, struct_from_user_plan, struct_to_user, FromUserPlan,
};

use Errno::*;

macro_rules! selftests {
    ($($name:ident,)*) => {
        /// Every self test as (name, body).
        pub static TESTS: &[(&str, fn())] = &[$((stringify!($name), $name as fn()),)*];

        #[cfg(test)]
        mod host {
            $(
                #[test]
                fn $name() {
                    super::$name()
                }
            )*
        }
    };
}

selftests! {
    errno_values,
    abi_struct_sizes,
    abi_ioctl_numbers,
    abi_ioctl_encoding_fields,
    abi_decode_cmd,
    abi_kinds,
    abi_clone_values,
    abi_c_str_len,
    abi_input_checks,
    flags_completion,
    flags_completion_fixed_point,
    flags_allowed_bits,
    flags_disallowed_bits,
    flags_task_checks,
    flags_zero_is_noop,
    flags_create_order,
    ustruct_ioctl_size,
    ustruct_from_user,
    ustruct_to_user,
    ucount_charge_chain,
    ucount_limit_unwinds,
    ucount_limit_zero,
    ucount_kinds_independent,
    ucount_dec_chain,
    ucount_default_max,
    ucount_sysctl_values,
    ucount_uidhashfn,
    ucount_hash_ns_mix,
    ucount_table_basics,
    ucount_table_full,
    ucount_table_charge,
    idmap_extent_validate,
    idmap_overlap,
    idmap_nr_extents,
    idmap_max_extents,
    idmap_validate_maps,
    idmap_map_down_up,
    idmap_identity,
    idmap_overflow_id,
    idmap_permitted,
    idmap_write_order,
    idmap_write_translates,
    caps_walk,
    caps_sets,
    depth_user_ns,
    depth_pid_ns,
    depth_new_pid_ns,
    mount_check_mount,
    mount_check_umount,
    mount_max_values,
    mount_copy_table,
}

/// The number of self tests.
pub fn count() -> usize {
    TESTS.len()
}

// ---------------------------------------------------------------------------------------------------------
// include/uapi/asm-generic/errno-base.h

fn errno_values() {
    let table: [(Errno, i32); 10] = [
        (EPERM, 1),
        (ENOENT, 2),
        (E2BIG, 7),
        (ENOMEM, 12),
        (EACCES, 13),
        (EFAULT, 14),
        (EBUSY, 16),
        (EINVAL, 22),
        (ENOTTY, 25),
        (ENOSPC, 28),
    ];
    for (e, v) in table {
        assert_eq!(e.code(), v, "{}", e.name());
        assert_eq!(e.to_errno(), -v, "{}", e.name());
    }
}

// ---------------------------------------------------------------------------------------------------------
// Spec §8 table; include/uapi/asm-generic/ioctl.h

fn abi_struct_sizes() {
    use core::mem::size_of;
    let table: [(&str, usize, usize, usize); 12] = [
        (
            "vns_unshare",
            size_of::<VnsUnshare>(),
            VnsUnshare::V1_SIZE,
            16,
        ),
        ("vns_info", size_of::<VnsInfo>(), VnsInfo::V1_SIZE, 96),
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
    ];
    for (name, size, v1, want) in table {
        assert_eq!(size, want, "sizeof(struct {name})");
        assert_eq!(v1, want, "{name} V1_SIZE");
    }
}

fn abi_ioctl_numbers() {
    // Values computed by hand from _IOC(dir, 0xB9, nr, size): dir<<30 | size<<16 | 0xB9<<8 | nr.
    let table: [(Cmd, u32, u32); 11] = [
        (Cmd::Unshare, VNS_IOC_UNSHARE, 0xC010_B901),
        (Cmd::GetInfo, VNS_IOC_GET_INFO, 0x8060_B902),
        (Cmd::Setns, VNS_IOC_SETNS, 0x4010_B903),
        (Cmd::GetUts, VNS_IOC_GET_UTS, 0x8088_B904),
        (Cmd::SetUts, VNS_IOC_SET_UTS, 0x4048_B905),
        (Cmd::SetIdMap, VNS_IOC_SET_ID_MAP, 0x4018_B906),
        (Cmd::Mount, VNS_IOC_MOUNT, 0xC0E8_B907),
        (Cmd::Umount, VNS_IOC_UMOUNT, 0x4010_B908),
        (Cmd::ListMounts, VNS_IOC_LIST_MOUNTS, 0xC010_B909),
        (Cmd::ListNs, VNS_IOC_LIST_NS, 0xC010_B90A),
        (Cmd::GetUcounts, VNS_IOC_GET_UCOUNTS, 0xC090_B90B),
    ];
    for (i, (cmd, value, want)) in table.into_iter().enumerate() {
        assert_eq!(value, want, "{}", cmd.name());
        assert_eq!(cmd.cmd(), want, "{}", cmd.name());
        assert_eq!(Cmd::ALL.get(i), Some(&cmd));
        assert_eq!(cmd.nr() as usize, i + 1);
        assert_eq!(Cmd::from_nr(cmd.nr()), Some(cmd));
    }
}

fn abi_ioctl_encoding_fields() {
    // (cmd, dir, size) per the spec's table: R = _IOR, W = _IOW, WR = _IOWR.
    const R: u32 = IOC_READ;
    const W: u32 = IOC_WRITE;
    const WR: u32 = IOC_READ | IOC_WRITE;
    let table: [(u32, u32, usize); 11] = [
        (VNS_IOC_UNSHARE, WR, 16),
        (VNS_IOC_GET_INFO, R, 96),
        (VNS_IOC_SETNS, W, 16),
        (VNS_IOC_GET_UTS, R, 136),
        (VNS_IOC_SET_UTS, W, 72),
        (VNS_IOC_SET_ID_MAP, W, 24),
        (VNS_IOC_MOUNT, WR, 232),
        (VNS_IOC_UMOUNT, W, 16),
        (VNS_IOC_LIST_MOUNTS, WR, 16),
        (VNS_IOC_LIST_NS, WR, 16),
        (VNS_IOC_GET_UCOUNTS, WR, 144),
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

fn abi_decode_cmd() {
    let bigger = iowr(VNS_IOC_MAGIC, 1, 24);
    let table: [(u32, VnsResult<(Cmd, usize)>); 10] = [
        (VNS_IOC_UNSHARE, Ok((Cmd::Unshare, 16))),
        (VNS_IOC_GET_UCOUNTS, Ok((Cmd::GetUcounts, 144))),
        (bigger, Ok((Cmd::Unshare, 24))),
        (iowr(VNS_IOC_MAGIC, 1, 8), Ok((Cmd::Unshare, 8))), // size is checked later (EINVAL)
        (iow(VNS_IOC_MAGIC, 2, 96), Ok((Cmd::GetInfo, 96))), // dispatch on type and number only
        (iowr(0xBA, 1, 16), Err(ENOTTY)),
        (iowr(VNS_IOC_MAGIC, 0, 16), Err(ENOTTY)),
        (iowr(VNS_IOC_MAGIC, 12, 16), Err(ENOTTY)),
        (iowr(VNS_IOC_MAGIC, 255, 16), Err(ENOTTY)),
        (0x5401, Err(ENOTTY)), // TCGETS
    ];
    for (cmd, want) in table {
        assert_eq!(decode_cmd(cmd), want, "{cmd:#x}");
    }
}

fn abi_kinds() {
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

fn abi_clone_values() {
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

fn abi_c_str_len() {
    // Spec §8: "a field without a NUL inside its size → EINVAL".
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

fn abi_input_checks() {
    // Spec §8: reserved fields must be zero; unknown kinds / which values are EINVAL.
    let setns = |kind, reserved| VnsSetns {
        id: 1,
        kind,
        reserved,
    };
    assert_eq!(setns(VNS_KIND_NET, 0).check_input(), Ok(Kind::Net));
    assert_eq!(setns(VNS_KIND_NET, 1).check_input(), Err(EINVAL));
    assert_eq!(setns(8, 0).check_input(), Err(EINVAL));
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

// ---------------------------------------------------------------------------------------------------------
// kernel/fork.c ksys_unshare() (completion) and check_unshare_flags() (Linux 7.3)

fn flags_completion() {
    let table: [(u64, u64); 14] = [
        (0, 0),
        (CLONE_NEWUSER, CLONE_NEWUSER | CLONE_THREAD | CLONE_FS),
        (CLONE_VM, CLONE_VM | CLONE_SIGHAND | CLONE_THREAD),
        (CLONE_SIGHAND, CLONE_SIGHAND | CLONE_THREAD),
        (CLONE_NEWNS, CLONE_NEWNS | CLONE_FS),
        (CLONE_THREAD, CLONE_THREAD), // THREAD does NOT imply VM in 7.3
        (CLONE_FS, CLONE_FS),
        (CLONE_FILES, CLONE_FILES),
        (CLONE_SYSVSEM, CLONE_SYSVSEM),
        (CLONE_NEWUTS | CLONE_NEWIPC, CLONE_NEWUTS | CLONE_NEWIPC),
        (
            CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME,
            CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME,
        ),
        (
            CLONE_NEWUSER | CLONE_NEWNS,
            CLONE_NEWUSER | CLONE_NEWNS | CLONE_THREAD | CLONE_FS,
        ),
        (
            CLONE_NEWUSER | CLONE_VM,
            CLONE_NEWUSER | CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_FS,
        ),
        (UNSHARE_EMPTY_MNTNS, UNSHARE_EMPTY_MNTNS), // v1 refuses it; not completed to NEWNS
    ];
    for (flags, want) in table {
        assert_eq!(complete_unshare_flags(flags), want, "{flags:#x}");
    }
}

fn flags_completion_fixed_point() {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..256u64 {
        // A deterministic spread of flag words, biased towards the meaningful bits.
        x = x.rotate_left(17) ^ i.wrapping_mul(0x2545_F491_4F6C_DD1D);
        let f = x & (UNSHARE_ALLOWED | 0xffff_0000_0000_0000);
        let c = complete_unshare_flags(f);
        assert_eq!(complete_unshare_flags(c), c, "{f:#x}");
        assert_eq!(c & f, f, "completion only adds bits: {f:#x}");
    }
}

fn flags_allowed_bits() {
    // Every accepted bit alone is accepted for a single-threaded task that shares nothing.
    let allowed = [
        CLONE_THREAD,
        CLONE_FS,
        CLONE_SIGHAND,
        CLONE_VM,
        CLONE_FILES,
        CLONE_SYSVSEM,
        CLONE_NEWNS,
        CLONE_NEWCGROUP,
        CLONE_NEWUTS,
        CLONE_NEWIPC,
        CLONE_NEWUSER,
        CLONE_NEWPID,
        CLONE_NEWNET,
        CLONE_NEWTIME,
    ];
    let mut mask = 0;
    for f in allowed {
        mask |= f;
        let applied = unshare_flags(f, &TaskFacts::SINGLE);
        assert_eq!(applied, Ok(complete_unshare_flags(f)), "{f:#x}");
    }
    assert_eq!(mask, UNSHARE_ALLOWED);
    assert_eq!(
        unshare_flags(UNSHARE_ALLOWED, &TaskFacts::SINGLE),
        Ok(UNSHARE_ALLOWED)
    );
}

fn flags_disallowed_bits() {
    // Every other bit of the 64 is EINVAL, alone or with valid flags (bits above 31 included).
    for bit in 0..64 {
        let f = 1u64 << bit;
        if f & UNSHARE_ALLOWED != 0 {
            continue;
        }
        assert_eq!(
            unshare_flags(f, &TaskFacts::SINGLE),
            Err(EINVAL),
            "bit {bit}"
        );
        assert_eq!(
            unshare_flags(f | CLONE_NEWUTS, &TaskFacts::SINGLE),
            Err(EINVAL),
            "bit {bit}"
        );
    }
}

fn flags_task_checks() {
    let single = TaskFacts::SINGLE;
    let threads = TaskFacts {
        nr_threads: 2,
        ..single
    };
    let sighand = TaskFacts {
        sighand_shared: true,
        ..single
    };
    let mm = TaskFacts {
        mm_shared: true,
        ..single
    };
    let table: [(u64, TaskFacts, VnsResult<()>); 20] = [
        // thread_group_empty(): THREAD|SIGHAND|VM with other threads.
        (CLONE_THREAD, threads, Err(EINVAL)),
        (CLONE_SIGHAND, threads, Err(EINVAL)),
        (CLONE_VM, threads, Err(EINVAL)),
        (CLONE_NEWUSER, threads, Err(EINVAL)), // NEWUSER adds THREAD
        (CLONE_NEWNS, threads, Ok(())),
        (CLONE_NEWUTS | CLONE_NEWNET, threads, Ok(())),
        (CLONE_FS | CLONE_FILES, threads, Ok(())),
        // sighand->count > 1: SIGHAND|VM.
        (CLONE_SIGHAND, sighand, Err(EINVAL)),
        (CLONE_VM, sighand, Err(EINVAL)),
        (CLONE_THREAD, sighand, Ok(())),
        (CLONE_NEWUSER, sighand, Ok(())),
        (CLONE_NEWPID, sighand, Ok(())),
        // !current_is_single_threaded(): VM.
        (CLONE_VM, mm, Err(EINVAL)),
        (CLONE_SIGHAND, mm, Ok(())),
        (CLONE_THREAD, mm, Ok(())),
        (CLONE_NEWUSER | CLONE_NEWNS, mm, Ok(())),
        // Single-threaded, nothing shared: everything goes.
        (CLONE_VM, single, Ok(())),
        (CLONE_NEWUSER | CLONE_VM, single, Ok(())),
        // Disallowed bits win whatever the task (EINVAL either way).
        (UNSHARE_EMPTY_MNTNS, single, Err(EINVAL)),
        (1 << 32, single, Err(EINVAL)),
    ];
    for (flags, facts, want) in table {
        assert_eq!(
            check_unshare_flags(complete_unshare_flags(flags), &facts),
            want,
            "{flags:#x} {facts:?}"
        );
    }
}

fn flags_zero_is_noop() {
    let busy = TaskFacts {
        nr_threads: 9,
        sighand_shared: true,
        mm_shared: true,
    };
    assert_eq!(unshare_flags(0, &TaskFacts::SINGLE), Ok(0));
    assert_eq!(unshare_flags(0, &busy), Ok(0));
}

fn flags_create_order() {
    // kernel/nsproxy.c create_new_namespaces(): mnt, uts, ipc, pid, cgroup, net, time.
    assert_eq!(
        CREATE_ORDER,
        [
            Kind::Mnt,
            Kind::Uts,
            Kind::Ipc,
            Kind::Pid,
            Kind::Cgroup,
            Kind::Net,
            Kind::Time
        ]
    );
    let mut it = kinds_to_create(CLONE_NEWTIME | CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID);
    assert_eq!(it.next(), Some(Kind::Mnt));
    assert_eq!(it.next(), Some(Kind::Pid));
    assert_eq!(it.next(), Some(Kind::Time));
    assert_eq!(it.next(), None);
}

// ---------------------------------------------------------------------------------------------------------
// include/linux/uaccess.h copy_struct_from_user() / copy_struct_to_user(), spec §8

fn ustruct_ioctl_size() {
    let table: [(usize, usize, VnsResult<()>); 6] = [
        (16, 16, Ok(())),
        (24, 16, Ok(())),
        (4096, 16, Ok(())),
        (15, 16, Err(EINVAL)),
        (0, 16, Err(EINVAL)),
        (95, VnsInfo::V1_SIZE, Err(EINVAL)),
    ];
    for (user, v1, want) in table {
        assert_eq!(check_ioctl_size(user, v1), want, "{user} vs {v1}");
    }
}

fn ustruct_from_user() {
    let table: [(&[u8], VnsResult<[u8; 4]>); 7] = [
        (&[1, 2, 3, 4], Ok([1, 2, 3, 4])),
        (&[1, 2, 3, 4, 0, 0, 0, 0], Ok([1, 2, 3, 4])),
        (&[1, 2, 3, 4, 0, 0, 0, 1], Err(E2BIG)),
        (&[1, 2, 3, 4, 5], Err(E2BIG)),
        (&[1, 2, 3], Err(EINVAL)), // smaller than v1: stricter than the kernel (spec §8)
        (&[], Err(EINVAL)),
        (&[0, 0, 0, 0, 0], Ok([0; 4])),
    ];
    for (src, want) in table {
        let mut dst = [0xEEu8; 4];
        let got = struct_from_user(&mut dst, src).map(|()| dst);
        assert_eq!(got, want, "{src:?}");
    }
    assert_eq!(
        struct_from_user_plan(16, 24),
        Ok(FromUserPlan {
            copy_len: 16,
            zero_check_len: 8
        })
    );
}

fn ustruct_to_user() {
    // Larger user struct: copy ours and clear the rest of theirs.
    let mut dst = [0xEEu8; 6];
    assert!(!struct_to_user(&mut dst, &[1, 2, 3, 4]));
    assert_eq!(dst, [1, 2, 3, 4, 0, 0]);
    // Same size.
    let mut dst = [0xEEu8; 4];
    assert!(!struct_to_user(&mut dst, &[1, 2, 3, 4]));
    assert_eq!(dst, [1, 2, 3, 4]);
    // Smaller user struct (never reaches here in vns): truncated, ignored_trailing reported.
    let mut dst = [0xEEu8; 2];
    assert!(struct_to_user(&mut dst, &[1, 2, 3, 4]));
    assert_eq!(dst, [1, 2]);
}

// ---------------------------------------------------------------------------------------------------------
// kernel/ucount.c inc_ucount() / dec_ucount(); kernel/user.c __uidhashfn

fn ucount_charge_chain() {
    let init = Level::new(None);
    let a = Level::new(Some(&init));
    let b = Level::new(Some(&a));
    // Charging at b counts at b, a and init.
    assert_eq!(inc_ucount(&&b, Kind::Uts), Ok(()));
    assert_eq!(
        (
            b.count(Kind::Uts),
            a.count(Kind::Uts),
            init.count(Kind::Uts)
        ),
        (1, 1, 1)
    );
    assert_eq!(inc_ucount(&&a, Kind::Uts), Ok(()));
    assert_eq!(
        (
            b.count(Kind::Uts),
            a.count(Kind::Uts),
            init.count(Kind::Uts)
        ),
        (1, 2, 2)
    );
    assert_eq!(inc_ucount(&&init, Kind::Uts), Ok(()));
    assert_eq!(init.count(Kind::Uts), 3);
    assert!(init.parent_level().is_none() && b.parent_level().is_some());
}

fn ucount_limit_unwinds() {
    // (limit level, limit) → ENOSPC once that level is full, every counter unchanged by the failure.
    for full in 0..3 {
        let init = Level::new(None);
        let a = Level::new(Some(&init));
        let b = Level::new(Some(&a));
        let levels = [&b, &a, &init];
        if let Some(l) = levels.get(full) {
            l.set_max(Kind::Net, 2);
        }
        assert_eq!(inc_ucount(&&b, Kind::Net), Ok(()));
        assert_eq!(inc_ucount(&&b, Kind::Net), Ok(()));
        let before = levels.map(|l| l.counts());
        assert_eq!(
            inc_ucount(&&b, Kind::Net),
            Err(ENOSPC),
            "limit at depth {full}"
        );
        assert_eq!(
            levels.map(|l| l.counts()),
            before,
            "unwound at depth {full}"
        );
        assert_eq!(before.map(|c| c[Kind::Net.index()]), [2, 2, 2]);
    }
}

fn ucount_limit_zero() {
    // max 0 refuses the first namespace; a limit in the parent binds the child's users too.
    let init = Level::new(None);
    init.set_max(Kind::Pid, 0);
    assert_eq!(inc_ucount(&&init, Kind::Pid), Err(ENOSPC));
    let a = Level::new(Some(&init));
    assert_eq!(inc_ucount(&&a, Kind::Pid), Err(ENOSPC));
    assert_eq!((a.count(Kind::Pid), init.count(Kind::Pid)), (0, 0));
    init.set_max(Kind::Pid, 1);
    assert_eq!(inc_ucount(&&a, Kind::Pid), Ok(()));
    assert_eq!(inc_ucount(&&init, Kind::Pid), Err(ENOSPC));
    assert_eq!((a.count(Kind::Pid), init.count(Kind::Pid)), (1, 1));
}

fn ucount_kinds_independent() {
    let init = Level::new(None);
    let a = Level::new(Some(&init));
    a.set_max(Kind::Ipc, 1);
    assert_eq!(inc_ucount(&&a, Kind::Ipc), Ok(()));
    assert_eq!(inc_ucount(&&a, Kind::Ipc), Err(ENOSPC));
    for k in Kind::ALL {
        if k != Kind::Ipc {
            assert_eq!(inc_ucount(&&a, k), Ok(()), "{}", k.name());
        }
    }
    assert_eq!(a.counts(), [1; VNS_NR_KINDS]);
    assert_eq!(init.counts(), [1; VNS_NR_KINDS]);
}

fn ucount_dec_chain() {
    let init = Level::new(None);
    let a = Level::new(Some(&init));
    assert_eq!(inc_ucount(&&a, Kind::Mnt), Ok(()));
    assert!(dec_ucount(&&a, Kind::Mnt));
    assert_eq!((a.count(Kind::Mnt), init.count(Kind::Mnt)), (0, 0));
    // Underflow is reported (the kernel's WARN_ON_ONCE) and nothing goes below zero.
    assert!(!dec_ucount(&&a, Kind::Mnt));
    assert_eq!((a.count(Kind::Mnt), init.count(Kind::Mnt)), (0, 0));
    // A level whose counter is zero does not stop the others from being decremented.
    assert_eq!(inc_ucount(&&init, Kind::Mnt), Ok(()));
    assert!(!dec_ucount(&&a, Kind::Mnt));
    assert_eq!(init.count(Kind::Mnt), 0);
}

fn ucount_default_max() {
    // kernel/user_namespace.c create_user_ns(): ucount_max[i] = INT_MAX.
    assert_eq!(UCOUNT_MAX_DEFAULT, 2_147_483_647);
    let l = Level::new(None);
    for k in Kind::ALL {
        assert_eq!(super::ucount::UcountLevel::max(&&l, k), UCOUNT_MAX_DEFAULT);
    }
}

fn ucount_sysctl_values() {
    // kernel/ucount.c UCOUNT_ENTRY: proc_dointvec_minmax, SYSCTL_ZERO..SYSCTL_INT_MAX; spec §7 EACCES.
    let table: [(bool, i64, VnsResult<u32>); 7] = [
        (true, 0, Ok(0)),
        (true, 1, Ok(1)),
        (true, 2_147_483_647, Ok(2_147_483_647)),
        (true, 2_147_483_648, Err(EINVAL)),
        (true, -1, Err(EINVAL)),
        (false, 5, Err(EACCES)),
        (false, -1, Err(EACCES)),
    ];
    for (cap, v, want) in table {
        assert_eq!(check_ucount_max_write(cap, v), want, "{cap} {v}");
    }
    assert_eq!(check_ucount_max(7), Ok(7));
}

fn ucount_uidhashfn() {
    // kernel/user.c: __uidhashfn(uid) = ((uid >> UIDHASH_BITS) + uid) & UIDHASH_MASK.
    #[cfg(not(feature = "small"))]
    let table: [(u32, usize); 9] = [
        (0, 0),
        (1, 1),
        (7, 7),
        (8, 8),
        (127, 127),
        (128, 1),
        (1000, 111),
        (65534, 125),
        (u32::MAX, 126),
    ];
    #[cfg(feature = "small")]
    let table: [(u32, usize); 9] = [
        (0, 0),
        (1, 1),
        (7, 7),
        (8, 1),
        (127, 6),
        (128, 0),
        (1000, 5),
        (65534, 5),
        (u32::MAX, 6),
    ];
    for (uid, want) in table {
        assert_eq!(uidhashfn(uid), want, "uid {uid}");
    }
}

fn ucount_hash_ns_mix() {
    // __uidhashfn(uid + fold(ns_id)), fold = low ^ high half.
    #[cfg(not(feature = "small"))]
    let table: [(u64, u32, usize); 6] = [
        (0, 0, 0),
        (1, 0, 1),
        (1, 1000, 112),
        (7, 1000, 118),
        (1 << 32, 0, 1),
        (0xdead_beef_0000_0001, 1000, 91),
    ];
    #[cfg(feature = "small")]
    let table: [(u64, u32, usize); 6] = [
        (0, 0, 0),
        (1, 0, 1),
        (1, 1000, 6),
        (7, 1000, 4),
        (1 << 32, 0, 1),
        (0xdead_beef_0000_0001, 1000, 0),
    ];
    for (ns, uid, want) in table {
        assert_eq!(ucounts_hashfn(ns, uid), want, "ns {ns:#x} uid {uid}");
        assert!(ucounts_hashfn(ns, uid) < UIDHASH_SZ);
    }
}

fn ucount_table_basics() {
    let mut t = UcountTable::<8>::new();
    assert!(t.is_empty());
    let Ok(root) = t.get_or_insert(1, 0, None) else {
        panic!("insert root");
    };
    // Same key: same entry, one more reference.
    assert_eq!(t.get_or_insert(1, 0, None), Ok(root));
    assert_eq!(t.entry(root).map(|e| e.refs()), Some(2));
    // A child namespace's entry holds a reference on its parent entry.
    let Ok(child) = t.get_or_insert(2, 1000, Some(root)) else {
        panic!("insert child");
    };
    assert_eq!(t.entry(root).map(|e| e.refs()), Some(3));
    assert_eq!(t.entry(child).and_then(|e| e.parent()), Some(root));
    assert_eq!(
        t.entry(child).map(|e| (e.ns_id(), e.uid())),
        Some((2, 1000))
    );
    assert_eq!(t.find(2, 1000), Some(child));
    assert_eq!(t.find(2, 1001), None);
    // A different parent for an existing key is a caller bug.
    assert_eq!(t.get_or_insert(2, 1000, None), Err(EINVAL));
    assert_eq!(t.len(), 2);
    // Releasing the child drops its reference on the parent.
    assert_eq!(t.put(child), Ok(true));
    assert_eq!(t.entry(root).map(|e| e.refs()), Some(2));
    assert_eq!(t.put(root), Ok(false));
    assert_eq!(t.get(root), Ok(()));
    assert_eq!(t.put(root), Ok(false));
    assert_eq!(t.put(root), Ok(true));
    assert!(t.is_empty());
    assert_eq!(t.put(root), Err(EINVAL));
}

fn ucount_table_full() {
    let mut t = UcountTable::<3>::new();
    assert_eq!(t.capacity(), 3);
    let mut ids = [None; 3];
    for (uid, slot) in (0u32..).zip(ids.iter_mut()) {
        *slot = t.get_or_insert(9, uid, None).ok();
    }
    assert!(ids.iter().all(Option::is_some));
    assert_eq!(t.get_or_insert(9, 99, None), Err(ENOMEM));
    // A lookup of an existing key still works when full.
    assert_eq!(t.get_or_insert(9, 1, None).ok(), ids[1]);
    if let Some(id) = ids[0] {
        assert_eq!(t.put(id), Ok(true));
    }
    assert!(t.get_or_insert(9, 99, None).is_ok());
    // Keys sharing a bucket are all found (chaining).
    let mut t = UcountTable::<4>::new();
    let step = UIDHASH_SZ as u32;
    for uid in [5, 5 + step, 5 + 2 * step] {
        assert!(t.get_or_insert(0, uid, None).is_ok());
    }
    for uid in [5, 5 + step, 5 + 2 * step] {
        assert!(t.find(0, uid).is_some(), "uid {uid}");
    }
    if let Some(mid) = t.find(0, 5 + step) {
        assert_eq!(t.put(mid), Ok(true));
    }
    assert!(
        t.find(0, 5).is_some()
            && t.find(0, 5 + 2 * step).is_some()
            && t.find(0, 5 + step).is_none()
    );
}

fn ucount_table_charge() {
    // Namespaces: 1 = init (limit 3 for net), 2 = child owned by 1000 (limit INT_MAX).
    let mut t = UcountTable::<8>::new();
    let Ok(init_root) = t.get_or_insert(1, 0, None) else {
        panic!("insert");
    };
    let Ok(owner) = t.get_or_insert(1, 1000, None) else {
        panic!("insert");
    };
    let Ok(inner) = t.get_or_insert(2, 1000, Some(owner)) else {
        panic!("insert");
    };
    let max = |ns: u64, k: Kind| {
        if ns == 1 && k == Kind::Net {
            3
        } else {
            UCOUNT_MAX_DEFAULT
        }
    };
    assert_eq!(t.charge(inner, Kind::Net, &max), Ok(()));
    assert_eq!(t.charge(inner, Kind::Net, &max), Ok(()));
    assert_eq!(t.charge(owner, Kind::Net, &max), Ok(()));
    let counts = |t: &UcountTable<8>, id| t.entry(id).map_or(0, |e| e.count(Kind::Net));
    assert_eq!((counts(&t, inner), counts(&t, owner)), (2, 3));
    // The owner's entry in init is full: the child's charge fails and is unwound.
    assert_eq!(t.charge(inner, Kind::Net, &max), Err(ENOSPC));
    assert_eq!((counts(&t, inner), counts(&t, owner)), (2, 3));
    // Another uid in init is unaffected.
    assert_eq!(t.charge(init_root, Kind::Net, &max), Ok(()));
    assert!(t.uncharge(inner, Kind::Net));
    assert_eq!((counts(&t, inner), counts(&t, owner)), (1, 2));
    assert_eq!(t.charge(inner, Kind::Net, &max), Ok(()));
}

// ---------------------------------------------------------------------------------------------------------
// kernel/user_namespace.c map_write(), mappings_overlap(), new_idmap_permitted(), map_id_*()

fn idmap_extent_validate() {
    let table: [((u32, u32, u32), VnsResult<()>); 12] = [
        ((0, 0, 1), Ok(())),
        ((0, 1000, 1), Ok(())),
        ((0, 0, u32::MAX), Ok(())), // the init map
        ((0, 100_000, 65536), Ok(())),
        ((0, 0, 0), Err(EINVAL)),            // count zero
        ((u32::MAX, 0, 1), Err(EINVAL)),     // first == (u32)-1
        ((0, u32::MAX, 1), Err(EINVAL)),     // lower_first == (u32)-1
        ((1, 0, u32::MAX), Err(EINVAL)),     // first + count wraps
        ((0, 1, u32::MAX), Err(EINVAL)),     // lower_first + count wraps
        ((u32::MAX - 1, 0, 1), Ok(())),      // last usable id
        ((u32::MAX - 1, 0, 2), Err(EINVAL)), // first + count == 2^32 wraps to 0
        ((0x8000_0000, 0x8000_0000, 0x8000_0000), Err(EINVAL)),
    ];
    for ((first, lower, count), want) in table {
        assert_eq!(
            IdExtent::new(first, lower, count).validate(),
            want,
            "{first} {lower} {count}"
        );
    }
}

fn idmap_overlap() {
    let prev = [IdExtent::new(0, 1000, 10), IdExtent::new(100, 5000, 10)];
    let table: [((u32, u32, u32), bool); 10] = [
        ((10, 2000, 10), false),
        ((9, 2000, 1), true),   // inside overlaps the first extent's last id
        ((20, 1009, 1), true),  // outside overlaps the first extent's last id
        ((20, 1010, 5), false), // outside starts right after
        ((90, 3000, 10), false),
        ((90, 3000, 11), true), // inside reaches 100
        ((50, 4990, 10), false),
        ((50, 4991, 10), true), // outside reaches 5000
        ((0, 0, u32::MAX), true),
        ((200, 999, 1), false),
    ];
    for ((first, lower, count), want) in table {
        assert_eq!(
            mappings_overlap(&prev, &IdExtent::new(first, lower, count)),
            want,
            "{first} {lower} {count}"
        );
    }
    assert!(!mappings_overlap(&[], &IdExtent::new(0, 0, 1)));
}

fn idmap_nr_extents() {
    let table: [(u32, VnsResult<usize>); 6] = [
        (0, Err(EINVAL)),
        (1, Ok(1)),
        (5, Ok(5)),
        (340, Ok(340)),
        (341, Err(EINVAL)),
        (u32::MAX, Err(EINVAL)),
    ];
    for (nr, want) in table {
        assert_eq!(check_nr_extents(nr), want, "{nr}");
    }
}

fn idmap_max_extents() {
    // 340 extents are accepted, a 341st is EINVAL (map_write: UID_GID_MAP_MAX_EXTENTS).
    let exts: [IdExtent; UID_GID_MAP_MAX_EXTENTS + 1] =
        core::array::from_fn(|i| IdExtent::new(i as u32 * 2, 10_000 + i as u32 * 3, 2));
    assert_eq!(validate(&exts[..UID_GID_MAP_MAX_EXTENTS]), Ok(()));
    assert_eq!(validate(&exts), Err(EINVAL));
    assert_eq!(validate(&[]), Err(EINVAL));
    let m = IdMap::from_extents(&exts[..UID_GID_MAP_MAX_EXTENTS]);
    assert!(m.is_ok());
    if let Ok(m) = m {
        assert_eq!(m.nr_extents(), 340);
        assert_eq!(m.map_id_down(679), Some(10_000 + 339 * 3 + 1));
        assert_eq!(m.map_id_up(10_000 + 339 * 3 + 1), Some(679));
        assert_eq!(m.map_id_down(680), None);
    }
}

fn idmap_validate_maps() {
    let e = IdExtent::new;
    assert_eq!(validate(&[e(0, 1000, 1)]), Ok(()));
    assert_eq!(validate(&[e(0, 1000, 1), e(1, 2000, 1)]), Ok(()));
    assert_eq!(validate(&[e(0, 1000, 1), e(0, 2000, 1)]), Err(EINVAL)); // inside overlap
    assert_eq!(validate(&[e(0, 1000, 1), e(1, 1000, 1)]), Err(EINVAL)); // outside overlap
    assert_eq!(validate(&[e(0, 1000, 5), e(10, 2000, 0)]), Err(EINVAL)); // count zero
    assert_eq!(validate(&[e(10, 1000, 5), e(0, 2000, 10)]), Ok(())); // adjacent below
    assert_eq!(validate(&[e(10, 1000, 5), e(0, 2000, 11)]), Err(EINVAL)); // reaches 10
    assert_eq!(validate(&[e(10, 1000, 5), e(0, 2000, 20)]), Err(EINVAL)); // covers the earlier one
    assert_eq!(validate(&[e(10, 1000, 5), e(0, 995, 5)]), Ok(())); // outside adjacent below
    assert_eq!(validate(&[e(10, 1000, 5), e(0, 996, 5)]), Err(EINVAL)); // outside reaches 1000
    assert_eq!(
        validate(&[e(0, 0, 1), e(1, 1, 1), e(2, 2, 1), e(1, 9, 1)]),
        Err(EINVAL)
    ); // any earlier one
}

fn idmap_map_down_up() {
    let Ok(m) = IdMap::from_extents(&[
        IdExtent::new(0, 100_000, 1000),
        IdExtent::new(1000, 5000, 1),
        IdExtent::new(2000, 0, 10),
    ]) else {
        panic!("valid map");
    };
    let down: [(u32, Option<u32>); 9] = [
        (0, Some(100_000)),
        (999, Some(100_999)),
        (1000, Some(5000)),
        (1001, None),
        (1999, None),
        (2000, Some(0)),
        (2009, Some(9)),
        (2010, None),
        (u32::MAX, None),
    ];
    for (id, want) in down {
        assert_eq!(m.map_id_down(id), want, "down {id}");
        if let Some(k) = want {
            assert_eq!(m.map_id_up(k), Some(id), "up {k}");
        }
    }
    let up: [(u32, Option<u32>); 6] = [
        (100_000, Some(0)),
        (5000, Some(1000)),
        (5, Some(2005)),
        (10, None),
        (99_999, None),
        (101_000, None),
    ];
    for (k, want) in up {
        assert_eq!(m.map_id_up(k), want, "up {k}");
    }
    assert_eq!(m.map_id_range_down(0, 1000), Some(100_000));
    assert_eq!(m.map_id_range_down(0, 1001), None);
    assert_eq!(m.map_id_range_down(999, 2), None);
    assert_eq!(m.map_id_range_up(5000, 1), Some(1000));
    assert_eq!(IdMap::empty().map_id_down(0), None);
}

fn idmap_identity() {
    let m = IdMap::identity();
    assert_eq!(m.extents(), &[IdExtent::new(0, 0, 4_294_967_295)]);
    for id in [0, 1, 1000, 65534, u32::MAX - 1] {
        assert_eq!(m.map_id_down(id), Some(id));
        assert_eq!(m.map_id_up(id), Some(id));
    }
    assert_eq!(m.map_id_down(u32::MAX), None);
    assert_eq!(m.map_id_range_down(0, u32::MAX), Some(0));
}

fn idmap_overflow_id() {
    assert_eq!(OVERFLOW_ID, 65534);
    let Ok(m) = IdMap::from_extents(&[IdExtent::new(0, 1000, 1)]) else {
        panic!("valid map");
    };
    assert_eq!(m.map_id_up_or_overflow(1000), 0);
    assert_eq!(m.map_id_up_or_overflow(0), OVERFLOW_ID);
    assert_eq!(m.map_id_up_or_overflow(1001), OVERFLOW_ID);
    assert!(m.has_mapping(1000) && !m.has_mapping(999));
    assert_eq!(IdMap::empty().map_id_up_or_overflow(0), OVERFLOW_ID);
}

fn idmap_permitted() {
    let parent = IdMap::identity();
    let owner = MapWriter {
        is_owner: true,
        own_kid: 1000,
        cap_setid_in_parent: false,
    };
    let stranger = MapWriter {
        is_owner: false,
        ..owner
    };
    let privileged = MapWriter {
        is_owner: false,
        own_kid: 0,
        cap_setid_in_parent: true,
    };
    let e = IdExtent::new;
    let table: [(MapWriter, &[IdExtent], bool); 9] = [
        (owner, &[e(0, 1000, 1)], true),                 // unshare -r
        (owner, &[e(5, 1000, 1)], true),                 // any inside id
        (owner, &[e(0, 1001, 1)], false),                // not its own id
        (owner, &[e(0, 1000, 2)], false),                // more than one id
        (owner, &[e(0, 1000, 1), e(1, 2000, 1)], false), // more than one extent
        (stranger, &[e(0, 1000, 1)], false),             // not the owner
        (privileged, &[e(0, 0, 65536)], true),           // CAP_SETUID in the parent
        (privileged, &[e(0, 1000, 1), e(1, 2000, 1)], true),
        (
            MapWriter {
                cap_setid_in_parent: true,
                ..owner
            },
            &[e(0, 5, 100)],
            true,
        ),
    ];
    for (w, exts, want) in table {
        assert_eq!(
            new_idmap_permitted(&w, &parent, exts),
            want,
            "{w:?} {exts:?}"
        );
    }
    // The own id is compared after mapping lower_first down through the parent's map (make_kuid).
    let Ok(shifted) = IdMap::from_extents(&[IdExtent::new(0, 1000, 10)]) else {
        panic!("valid map");
    };
    assert!(new_idmap_permitted(&owner, &shifted, &[e(0, 0, 1)]));
    assert!(!new_idmap_permitted(&owner, &shifted, &[e(0, 1000, 1)]));
}

fn idmap_write_order() {
    // map_write(): already written → EPERM; then parse (EINVAL); then new_idmap_permitted (EPERM);
    // then the lower range must be mapped in the parent (EPERM).
    let parent = IdMap::identity();
    let owner = MapWriter {
        is_owner: true,
        own_kid: 1000,
        cap_setid_in_parent: false,
    };
    let root = MapWriter {
        is_owner: false,
        own_kid: 0,
        cap_setid_in_parent: true,
    };
    let e = IdExtent::new;
    let table: [(bool, &[IdExtent], MapWriter, VnsResult<()>); 8] = [
        (false, &[e(0, 1000, 1)], owner, Ok(())),
        (true, &[e(0, 1000, 1)], owner, Err(EPERM)), // second write
        (true, &[], owner, Err(EPERM)),              // second write wins over EINVAL, as map_write
        (false, &[], owner, Err(EINVAL)),
        (false, &[e(0, 1000, 0)], owner, Err(EINVAL)),
        (false, &[e(0, 5, 1), e(0, 6, 1)], owner, Err(EINVAL)), // EINVAL before EPERM
        (false, &[e(0, 5, 1)], owner, Err(EPERM)),
        (
            false,
            &[e(0, 0, 65536), e(65536, 100_000, 65536)],
            root,
            Ok(()),
        ),
    ];
    for (written, exts, w, want) in table {
        assert_eq!(
            check_map_write(written, exts, &w, &parent),
            want,
            "{written} {exts:?}"
        );
    }
    // Lower range not mapped in the parent: EPERM.
    let Ok(small_parent) = IdMap::from_extents(&[IdExtent::new(0, 1000, 10)]) else {
        panic!("valid map");
    };
    assert_eq!(
        check_map_write(false, &[e(0, 5, 5)], &root, &small_parent),
        Ok(())
    );
    assert_eq!(
        check_map_write(false, &[e(0, 5, 6)], &root, &small_parent),
        Err(EPERM)
    );
}

fn idmap_write_translates() {
    // Stored lower ids are kernel ids: lower_first mapped down through the parent's map.
    let Ok(parent) = IdMap::from_extents(&[IdExtent::new(0, 100_000, 65536)]) else {
        panic!("valid map");
    };
    let root = MapWriter {
        is_owner: false,
        own_kid: 100_000,
        cap_setid_in_parent: true,
    };
    let mut m = IdMap::empty();
    assert_eq!(
        m.write(&[IdExtent::new(0, 1000, 10)], &root, &parent),
        Ok(())
    );
    assert_eq!(m.extents(), &[IdExtent::new(0, 101_000, 10)]);
    assert_eq!(m.map_id_down(3), Some(101_003));
    assert_eq!(m.map_id_up(101_003), Some(3));
    // Written once.
    assert_eq!(
        m.write(&[IdExtent::new(0, 1000, 10)], &root, &parent),
        Err(EPERM)
    );
}

// ---------------------------------------------------------------------------------------------------------
// security/commoncap.c cap_capable_helper()

fn caps_walk() {
    // init(1, level 0) ─┬─ a(2, owner 1000) ── b(3, owner 1000) ── c(4, owner 2000)
    //                   └─ s(5, owner 2000)
    let init = NsNode::init(1);
    let a = NsNode::child(&init, 2, 1000);
    let b = NsNode::child(&a, 3, 1000);
    let c = NsNode::child(&b, 4, 2000);
    let s = NsNode::child(&init, 5, 2000);
    // (cred ns, euid, cap in own ns, target, expected)
    let table: [(&NsNode<'_>, u32, bool, &NsNode<'_>, bool); 16] = [
        (&init, 0, true, &init, true), // own ns: own set
        (&init, 1000, false, &init, false),
        (&init, 1000, true, &a, true), // cap in an ancestor covers descendants
        (&init, 1000, true, &c, true),
        (&init, 1000, false, &a, true), // owner of a, a's parent is init
        (&init, 1000, false, &b, true), // via a: walking up reaches a
        (&init, 2000, false, &a, false), // not the owner
        (&init, 2000, false, &s, true), // owner of s
        (&a, 1000, true, &init, false), // target above the task
        (&a, 1000, true, &s, false),    // sibling at the same level
        (&a, 1000, false, &b, true),    // owner of b, b's parent is a
        (&a, 2000, false, &b, false),
        (&a, 0, true, &c, true),
        (&b, 2000, false, &c, true),  // owner of c
        (&b, 1000, false, &c, false), // c owned by 2000, no cap in b
        (&s, 2000, true, &c, false),  // different branch
    ];
    for (cred, euid, has, target, want) in table {
        assert_eq!(
            ns_capable_walk(&cred, euid, has, &target),
            want,
            "cred {} euid {euid} target {}",
            cred.id,
            target.id
        );
    }
    // vns_capable picks the capability out of the own set.
    let set = CapSet::empty().with(CAP_SYS_ADMIN);
    assert!(vns_capable(&&a, 5, set, &&b, CAP_SYS_ADMIN));
    assert!(!vns_capable(&&a, 5, set, &&b, CAP_SETUID));
    assert!(vns_capable(&&a, 1000, CapSet::empty(), &&b, CAP_SETGID)); // the owner has all caps
}

fn caps_sets() {
    let table: [(u32, u32); 4] = [
        (CAP_SETGID, 6),
        (CAP_SETUID, 7),
        (CAP_SYS_ADMIN, 21),
        (CAP_SYS_RESOURCE, 24),
    ];
    for (cap, want) in table {
        assert_eq!(cap, want);
        assert!(CapSet::full().has(cap));
        assert!(!CapSet::empty().has(cap));
    }
    assert_eq!(caps_after_exec(true), CapSet::full());
    assert_eq!(caps_after_exec(false), CapSet::empty());
}

// ---------------------------------------------------------------------------------------------------------
// kernel/user_namespace.c create_user_ns(); kernel/pid_namespace.c create_pid_namespace(), copy_pid_ns()

fn depth_user_ns() {
    let table: [(u32, VnsResult<u32>); 6] = [
        (0, Ok(1)),
        (1, Ok(2)),
        (31, Ok(32)),
        (32, Ok(33)), // the 33rd nested level below init
        (33, Err(ENOSPC)),
        (100, Err(ENOSPC)),
    ];
    for (parent, want) in table {
        assert_eq!(check_user_ns_depth(parent), want, "parent level {parent}");
    }
    // Nest from init until refused: 33 levels work, the 34th fails.
    let mut level = 0;
    let mut created = 0;
    while let Ok(l) = check_user_ns_depth(level) {
        level = l;
        created += 1;
    }
    assert_eq!(created, 33);
}

fn depth_pid_ns() {
    let table: [(u32, VnsResult<u32>); 5] = [
        (0, Ok(1)),
        (30, Ok(31)),
        (31, Ok(32)),
        (32, Err(ENOSPC)),
        (40, Err(ENOSPC)),
    ];
    for (parent, want) in table {
        assert_eq!(check_pid_ns_depth(parent), want, "parent level {parent}");
    }
    let mut level = 0;
    let mut created = 0;
    while let Ok(l) = check_pid_ns_depth(level) {
        level = l;
        created += 1;
    }
    assert_eq!(created, MAX_PID_NS_LEVEL);
}

fn depth_new_pid_ns() {
    let table: [(bool, u32, VnsResult<u32>); 4] = [
        (false, 0, Ok(1)),
        (true, 0, Err(EINVAL)),
        (false, 32, Err(ENOSPC)),
        (true, 32, Err(EINVAL)), // copy_pid_ns's check comes first
    ];
    for (differs, parent, want) in table {
        assert_eq!(
            check_new_pid_ns(differs, parent),
            want,
            "{differs} {parent}"
        );
    }
}

// ---------------------------------------------------------------------------------------------------------
// fs/namespace.c count_mounts(), sysctl_mount_max; spec §5

fn mount_check_mount() {
    // (nr entries, mount-max, parent exists, flags)
    let table: [(u64, u32, bool, u64, VnsResult<()>); 8] = [
        (1, 100_000, true, 0, Ok(())),
        (1, 100_000, true, VNS_MNT_RDONLY, Ok(())),
        (1, 100_000, true, 2, Err(EINVAL)),
        (1, 100_000, false, 0, Err(ENOENT)),
        (1, 100_000, false, 4, Err(EINVAL)),
        (1, 2, true, 0, Ok(())),
        (2, 2, true, 0, Err(ENOSPC)),
        (5, 2, false, 0, Err(ENOENT)),
    ];
    for (nr, max, parent, flags, want) in table {
        assert_eq!(
            check_mount(nr, max, parent, flags),
            want,
            "{nr} {max} {parent} {flags}"
        );
    }
}

fn mount_check_umount() {
    // (flags, exists, is root, has children)
    let table: [(u64, bool, bool, bool, VnsResult<()>); 7] = [
        (0, true, false, false, Ok(())),
        (0, false, false, false, Err(ENOENT)),
        (0, false, true, true, Err(ENOENT)),
        (0, true, true, false, Err(EINVAL)),
        (0, true, true, true, Err(EINVAL)),
        (0, true, false, true, Err(EBUSY)),
        (1, true, false, false, Err(EINVAL)),
    ];
    for (flags, exists, root, children, want) in table {
        assert_eq!(
            check_umount(flags, exists, root, children),
            want,
            "{flags} {exists} {root} {children}"
        );
    }
}

fn mount_max_values() {
    assert_eq!(MOUNT_MAX_DEFAULT, 100_000);
    let table: [(i64, VnsResult<u32>); 5] = [
        (0, Err(EINVAL)),
        (1, Ok(1)),
        (100_000, Ok(100_000)),
        (2_147_483_647, Ok(2_147_483_647)),
        (2_147_483_648, Err(EINVAL)),
    ];
    for (v, want) in table {
        assert_eq!(check_mount_max(v), want, "{v}");
    }
}

fn mount_copy_table() {
    let link = |id, parent_id| MountLink { id, parent_id };
    // root 10 ─┬─ 11 ── 14
    //          └─ 12
    let old = [link(10, 10), link(11, 10), link(12, 10), link(14, 11)];
    let mut new = [MountLink::default(); 4];
    let mut next = 100u64;
    let fresh = || {
        next += 1;
        Ok(next)
    };
    assert_eq!(copy_table(&old, &mut new, fresh), Ok(()));
    assert_eq!(
        new,
        [
            link(101, 101),
            link(102, 101),
            link(103, 101),
            link(104, 102)
        ]
    );
    // Refused: length mismatch, unsorted ids, unknown parent, parent after the child.
    let mut short = [MountLink::default(); 3];
    assert_eq!(copy_table(&old, &mut short, || Ok(1)), Err(EINVAL));
    let mut two = [MountLink::default(); 2];
    assert_eq!(
        copy_table(&[link(5, 5), link(5, 5)], &mut two, || Ok(1)),
        Err(EINVAL)
    );
    assert_eq!(
        copy_table(&[link(5, 5), link(6, 9)], &mut two, || Ok(1)),
        Err(EINVAL)
    );
    assert_eq!(
        copy_table(&[link(5, 6), link(6, 6)], &mut two, || Ok(1)),
        Err(EINVAL)
    );
}
