// SPDX-License-Identifier: GPL-2.0-only
//! The C header include/uapi/linux/vns.h and src/abi/ describe the same ABI: a C probe generated from the
//! Rust side's list of structs, fields and constants is compiled against the header with the system C
//! compiler (`$CC`, else `cc`), run, and every size, alignment, field offset, field size, constant and ioctl
//! value it prints must equal the Rust one. The Rust side must also cover every byte of each struct with its
//! fields (no implicit padding), so a field the header has and Rust lacks cannot hide.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed step fails the test, as a failed assert! does"
)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

use vns_core::abi::*;

/// One value both sides compute: a key, the C expression, and the Rust value.
struct Probe {
    key: String,
    c_expr: String,
    rust: u64,
}

fn field_size<T, F>(_: fn(&T) -> &F) -> usize {
    std::mem::size_of::<F>()
}

macro_rules! layout {
    ($probes:ident, $ty:ty, $c:literal, [$($f:ident),* $(,)?]) => {{
        let size = std::mem::size_of::<$ty>();
        $probes.push(Probe {
            key: format!("sizeof {}", $c),
            c_expr: format!("sizeof(struct {})", $c),
            rust: size as u64,
        });
        $probes.push(Probe {
            key: format!("alignof {}", $c),
            c_expr: format!("_Alignof(struct {})", $c),
            rust: std::mem::align_of::<$ty>() as u64,
        });
        let mut fields: Vec<(usize, usize, &str)> = Vec::new();
        $(
            let off = std::mem::offset_of!($ty, $f);
            let fsize = field_size(|s: &$ty| &s.$f);
            fields.push((off, fsize, stringify!($f)));
            $probes.push(Probe {
                key: format!("offsetof {}.{}", $c, stringify!($f)),
                c_expr: format!("offsetof(struct {}, {})", $c, stringify!($f)),
                rust: off as u64,
            });
            $probes.push(Probe {
                key: format!("sizeof {}.{}", $c, stringify!($f)),
                c_expr: format!("sizeof(((struct {} *)0)->{})", $c, stringify!($f)),
                rust: fsize as u64,
            });
        )*
        // No implicit padding: the fields, in offset order, tile the struct exactly.
        fields.sort();
        let mut end = 0;
        for (off, fsize, name) in &fields {
            assert_eq!(*off, end, "{}: padding or overlap before {}", $c, name);
            end = off + fsize;
        }
        assert_eq!(end, size, "{}: padding at the end", $c);
    }};
}

macro_rules! consts {
    ($probes:ident, [$($name:ident),* $(,)?]) => {
        $(
            $probes.push(Probe {
                key: format!("const {}", stringify!($name)),
                c_expr: format!("(unsigned long long)({})", stringify!($name)),
                rust: u64::try_from($name).unwrap(),
            });
        )*
    };
}

fn probes() -> Vec<Probe> {
    let mut p = Vec::new();
    layout!(p, VnsUnshare, "vns_unshare", [flags, applied]);
    layout!(
        p,
        VnsInfo,
        "vns_info",
        [
            ns_id,
            pid_for_children_id,
            user_level,
            pid_level,
            uid,
            gid,
            pid,
            flags,
            time_for_children_id
        ]
    );
    layout!(p, VnsSetns, "vns_setns", [id, kind, flags]);
    layout!(p, VnsUts, "vns_uts", [nodename, domainname, reserved]);
    layout!(p, VnsUtsName, "vns_uts_name", [which, len, name]);
    layout!(
        p,
        VnsIdMap,
        "vns_id_map",
        [user_ns_id, which, nr_extents, extents]
    );
    layout!(p, VnsIdExtent, "vns_id_extent", [first, lower_first, count]);
    layout!(
        p,
        VnsMount,
        "vns_mount",
        [id, parent_id, flags, source, target, fstype]
    );
    layout!(p, VnsUmount, "vns_umount", [id, flags]);
    layout!(p, VnsList, "vns_list", [buf, cap, nr]);
    layout!(
        p,
        VnsNsEntry,
        "vns_ns_entry",
        [id, parent_id, owner_id, kind, level, nr_tasks, owner_uid]
    );
    layout!(
        p,
        VnsUcounts,
        "vns_ucounts",
        [user_ns_id, uid, reserved, count, max]
    );
    layout!(
        p,
        VnsClockTs,
        "vns_clock_ts",
        [clock_id, reserved, sec, nsec]
    );
    layout!(
        p,
        VnsTimeOffsets,
        "vns_time_offsets",
        [nr, reserved, offsets]
    );
    layout!(
        p,
        VnsTaskInfo,
        "vns_task_info",
        [
            pid,
            reserved,
            ns_id,
            pid_for_children_id,
            time_for_children_id,
            vns_pid,
            pid_level
        ]
    );
    layout!(p, VnsSetnsTask, "vns_setns_task", [pid, reserved, flags]);
    layout!(p, VnsNsFd, "vns_ns_fd", [id, kind, flags]);
    consts!(
        p,
        [
            VNS_NR_KINDS,
            VNS_KIND_USER,
            VNS_KIND_PID,
            VNS_KIND_UTS,
            VNS_KIND_IPC,
            VNS_KIND_NET,
            VNS_KIND_MNT,
            VNS_KIND_CGROUP,
            VNS_KIND_TIME,
            VNS_INFO_FULL_CAPS,
            VNS_MNT_RDONLY,
            VNS_UTS_NODENAME,
            VNS_UTS_DOMAINNAME,
            VNS_MAP_UID,
            VNS_MAP_GID,
            VNS_NAME_MAX,
            VNS_IOC_MAGIC,
            VNS_IOC_UNSHARE,
            VNS_IOC_GET_INFO,
            VNS_IOC_SETNS,
            VNS_IOC_GET_UTS,
            VNS_IOC_SET_UTS,
            VNS_IOC_SET_ID_MAP,
            VNS_IOC_MOUNT,
            VNS_IOC_UMOUNT,
            VNS_IOC_LIST_MOUNTS,
            VNS_IOC_LIST_NS,
            VNS_IOC_GET_UCOUNTS,
            VNS_IOC_SET_TIME_OFFSETS,
            VNS_IOC_GET_TIME_OFFSETS,
            VNS_IOC_CLOCK_GETTIME,
            VNS_IOC_GET_ID_MAP,
            VNS_IOC_GET_TASK_INFO,
            VNS_IOC_SETNS_TASK,
            VNS_IOC_NS_FD,
            VNS_NS_GET_USERNS,
            VNS_NS_GET_PARENT,
            VNS_NS_GET_NSTYPE,
            VNS_NS_GET_OWNER_UID,
            VNS_NS_GET_ID,
            VNS_SETNS_FD,
            VNS_INFO_SIZE_VER0,
            VNS_TIME_OFFSETS_MAX,
        ]
    );
    p
}

fn include_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../include/uapi")
}

/// Compiles and runs the C probe; returns what it printed, by key.
fn run_c_probe(probes: &[Probe]) -> BTreeMap<String, u64> {
    let mut src = String::from(
        "#include <stddef.h>\n#include <stdio.h>\n#include <linux/vns.h>\n\nint main(void)\n{\n",
    );
    for p in probes {
        writeln!(
            src,
            "\tprintf(\"%s=%llu\\n\", \"{}\", (unsigned long long)({}));",
            p.key, p.c_expr
        )
        .unwrap();
    }
    src.push_str("\treturn 0;\n}\n");

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("vns-layout");
    std::fs::create_dir_all(&dir).unwrap();
    let c_file = dir.join("probe.c");
    let exe = dir.join("probe");
    std::fs::write(&c_file, &src).unwrap();

    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let out = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I"])
        .arg(include_dir())
        .arg("-o")
        .arg(&exe)
        .arg(&c_file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run the C compiler `{cc}`: {e}"));
    assert!(
        out.status.success(),
        "C probe failed to compile:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = Command::new(&exe).output().unwrap();
    assert!(run.status.success(), "C probe failed to run");
    String::from_utf8(run.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap();
            (k.to_string(), v.parse().unwrap())
        })
        .collect()
}

#[test]
fn c_header_matches_rust_abi() {
    let probes = probes();
    let c = run_c_probe(&probes);
    assert_eq!(c.len(), probes.len(), "duplicate probe keys");
    let mut diffs = Vec::new();
    for p in &probes {
        match c.get(&p.key) {
            Some(&v) if v == p.rust => {}
            Some(&v) => diffs.push(format!("{}: C {} != Rust {}", p.key, v, p.rust)),
            None => diffs.push(format!("{}: missing from the C probe output", p.key)),
        }
    }
    assert!(diffs.is_empty(), "ABI mismatch:\n{}", diffs.join("\n"));
}

#[test]
fn every_command_is_probed() {
    let probes = probes();
    for cmd in Cmd::ALL {
        let key = format!("const {}", cmd.name());
        let p = probes.iter().find(|p| p.key == key);
        assert_eq!(p.map(|p| p.rust), Some(u64::from(cmd.cmd())), "{key}");
    }
}

#[test]
fn header_is_self_contained_and_guarded() {
    let h = std::fs::read_to_string(include_dir().join("linux/vns.h")).unwrap();
    assert!(h.starts_with("/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */"));
    assert!(h.contains("#ifndef _UAPI_LINUX_VNS_H\n#define _UAPI_LINUX_VNS_H"));
    assert!(h.contains("#include <linux/types.h>") && h.contains("#include <linux/ioctl.h>"));
    for bad in ["uint64_t", "uint32_t", "int32_t", "uint8_t", "stdint.h"] {
        assert!(!h.contains(bad), "uapi headers use __u64 & co, not {bad}");
    }
}
