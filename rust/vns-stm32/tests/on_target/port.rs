// SPDX-License-Identifier: GPL-2.0-only
//! The port's own tests of its API, from thread mode: charges, limits, depths, full tables, errors and
//! rollback.

use cortex_m_semihosting::hprintln;
use vns_stm32::{Errno, Kind, NsId, TaskId, Usage, Vns, VNS_NR_KINDS};

use super::{counts, one_of, TestResult, A, B, C, D, INIT, V16};

/// The port builds vns-core with the `small` profile: 8 buckets (UIDHASH_BITS 3, CONFIG_BASE_SMALL).
pub(super) fn port_hash_profile_small() -> TestResult {
    check_eq!(vns_core::ucount::UIDHASH_BITS, 3);
    check_eq!(vns_core::ucount::UIDHASH_SZ, 8);
    Ok(())
}

/// The port answers with the module's errnos (errno-base.h).
pub(super) fn port_errno_values() -> TestResult {
    let v = V16::new();
    check_eq!(v.release(INIT), Err(Errno::EINVAL));
    check_eq!(Errno::EINVAL.to_errno(), -22);
    check_eq!(v.release(NsId::from_raw(999)), Err(Errno::ENOENT));
    check_eq!(Errno::ENOENT.to_errno(), -2);
    check_eq!(Errno::ENOSPC.to_errno(), -28);
    check_eq!(Errno::ENOMEM.to_errno(), -12);
    check_eq!(Errno::EBUSY.to_errno(), -16);
    Ok(())
}

/// The demo's Vns<16, 16> stays small (it lives in DTCM with the stack).
pub(super) fn port_state_size() -> TestResult {
    let size = core::mem::size_of::<V16>();
    hprintln!("#   size_of::<Vns<16, 16>>() = {} bytes", size);
    check!(size <= 4096);
    Ok(())
}

/// A user namespace and one namespace of every other kind in it; counts at both levels; release.
pub(super) fn port_create_release_tree() -> TestResult {
    let v = V16::new();
    let u = v.create(A, INIT, Kind::User)?;
    let mut ids = [u; VNS_NR_KINDS];
    for k in Kind::ALL.into_iter().skip(1) {
        ids[k.index()] = v.create(B, u, k)?;
    }
    check_eq!(counts(&v, u, B)?, [0, 1, 1, 1, 1, 1, 1, 1]);
    check_eq!(counts(&v, INIT, A)?, [1; VNS_NR_KINDS]);
    check_eq!(counts(&v, INIT, B)?, [0; VNS_NR_KINDS]);
    check_eq!(
        v.usage()?,
        Usage {
            namespaces: 8,
            ucount_entries: 2
        }
    );
    check_eq!(v.release(u), Err(Errno::EBUSY));
    for id in ids.iter().skip(1) {
        v.release(*id)?;
    }
    check_eq!(counts(&v, INIT, A)?, one_of(Kind::User));
    check_eq!(counts(&v, u, B)?, [0; VNS_NR_KINDS]);
    v.release(u)?;
    check_eq!(counts(&v, INIT, A)?, [0; VNS_NR_KINDS]);
    check_eq!(v.usage()?, Usage::default());
    Ok(())
}

/// info(): init namespaces, a user namespace, nested pid namespaces, a flat kind.
pub(super) fn port_info_fields() -> TestResult {
    let v = V16::new();
    let init_net = v.info(NsId::init(Kind::Net))?;
    check_eq!(init_net.kind, Kind::Net);
    check_eq!(init_net.user_ns, INIT);
    check_eq!(
        (init_net.parent, init_net.owner, init_net.level),
        (None, TaskId::INIT, 0)
    );
    let u = v.create(A, INIT, Kind::User)?;
    let i = v.info(u)?;
    check_eq!(
        (i.id, i.kind, i.user_ns, i.parent),
        (u, Kind::User, INIT, Some(INIT))
    );
    check_eq!((i.owner, i.level), (A, 1));
    let p1 = v.create(B, u, Kind::Pid)?;
    let p2 = v.create_pid(C, u, p1)?;
    let i = v.info(p2)?;
    check_eq!(
        (i.kind, i.user_ns, i.parent, i.owner, i.level),
        (Kind::Pid, u, Some(p1), C, 2)
    );
    check_eq!(v.info(p1)?.parent, Some(NsId::INIT_PID));
    let n = v.create(B, u, Kind::Net)?;
    let i = v.info(n)?;
    check_eq!(
        (i.kind, i.user_ns, i.parent, i.level),
        (Kind::Net, u, None, 0)
    );
    Ok(())
}

/// Every kind: a limit of 2 in a user namespace gives 2, the 3rd is ENOSPC and changes nothing.
pub(super) fn port_limit_each_kind() -> TestResult {
    for k in Kind::ALL {
        let v = V16::new();
        let u = v.create(A, INIT, Kind::User)?;
        v.set_max(u, k, 2)?;
        v.create(B, u, k)?;
        v.create(B, u, k)?;
        let before = v.snapshot()?;
        check_eq!(v.create(B, u, k), Err(Errno::ENOSPC));
        check!(v.snapshot()? == before);
        check_eq!(v.count(u, B, k)?, 2);
        // Only that kind is limited.
        for other in Kind::ALL.into_iter().filter(|&o| o != k) {
            v.create(B, u, other)?;
        }
    }
    Ok(())
}

/// A limit of 0 refuses the first namespace; the entry made for the attempt is gone again.
pub(super) fn port_limit_zero() -> TestResult {
    let v = V16::new();
    let u = v.create(A, INIT, Kind::User)?;
    v.set_max(u, Kind::Net, 0)?;
    let before = v.snapshot()?;
    check_eq!(v.create(B, u, Kind::Net), Err(Errno::ENOSPC));
    check!(v.snapshot()? == before);
    check_eq!(v.usage()?.ucount_entries, 1);
    Ok(())
}

/// The limit of a user namespace applies per task: (u, B) and (u, C) each get the limit.
pub(super) fn port_per_task_limits() -> TestResult {
    let v = V16::new();
    let u = v.create(A, INIT, Kind::User)?;
    v.set_max(u, Kind::Ipc, 1)?;
    v.create(B, u, Kind::Ipc)?;
    check_eq!(v.create(B, u, Kind::Ipc), Err(Errno::ENOSPC));
    v.create(C, u, Kind::Ipc)?;
    check_eq!(v.create(C, u, Kind::Ipc), Err(Errno::ENOSPC));
    check_eq!(v.count(u, B, Kind::Ipc)?, 1);
    check_eq!(v.count(u, C, Kind::Ipc)?, 1);
    // Both are charged on to u's owner in init.
    check_eq!(v.count(INIT, A, Kind::Ipc)?, 2);
    Ok(())
}

/// The init user namespace's limit counts (init, owner): what A's user namespace holds counts against A.
pub(super) fn port_init_limit_per_task() -> TestResult {
    let v = V16::new();
    v.set_max(INIT, Kind::Uts, 2)?;
    v.create(A, INIT, Kind::Uts)?;
    let u = v.create(A, INIT, Kind::User)?;
    v.create(B, u, Kind::Uts)?;
    let before = v.snapshot()?;
    check_eq!(v.create(C, u, Kind::Uts), Err(Errno::ENOSPC));
    check!(v.snapshot()? == before);
    check_eq!(v.count(INIT, A, Kind::Uts)?, 2);
    // Another task in init has its own counter.
    v.create(D, INIT, Kind::Uts)?;
    check_eq!(v.count(INIT, D, Kind::Uts)?, 1);
    Ok(())
}

/// A limit in u1 stops a namespace created two levels down (in u2 ⊂ u1), and the unwind leaves no trace.
pub(super) fn port_parent_limit_stops_grandchild() -> TestResult {
    let v = V16::new();
    let u1 = v.create(A, INIT, Kind::User)?;
    let u2 = v.create(A, u1, Kind::User)?;
    v.set_max(u1, Kind::Net, 1)?;
    v.create(B, u2, Kind::Net)?;
    let before = v.snapshot()?;
    check_eq!(v.create(C, u2, Kind::Net), Err(Errno::ENOSPC));
    check!(v.snapshot()? == before);
    check_eq!(v.count(u2, C, Kind::Net)?, 0);
    check_eq!(v.count(u1, A, Kind::Net)?, 1);
    v.set_max(u1, Kind::Net, 2)?;
    v.create(C, u2, Kind::Net)?;
    check_eq!(v.count(u1, A, Kind::Net)?, 2);
    check_eq!(v.count(INIT, A, Kind::Net)?, 2);
    Ok(())
}

/// A namespace three user levels down is charged once at every level up to init.
pub(super) fn port_chain_counts_every_level() -> TestResult {
    let v = V16::new();
    let u1 = v.create(A, INIT, Kind::User)?;
    let u2 = v.create(B, u1, Kind::User)?;
    let u3 = v.create(C, u2, Kind::User)?;
    let m = v.create(D, u3, Kind::Mnt)?;
    for (ns, task) in [(u3, D), (u2, C), (u1, B), (INIT, A)] {
        check_eq!(v.count(ns, task, Kind::Mnt)?, 1);
    }
    v.release(m)?;
    for (ns, task) in [(u3, D), (u2, C), (u1, B), (INIT, A)] {
        check_eq!(v.count(ns, task, Kind::Mnt)?, 0);
    }
    check_eq!(v.usage()?.ucount_entries, 3);
    Ok(())
}

/// set_max: 0..=INT_MAX as the sysctl, EINVAL outside; EINVAL for a non-user namespace, ENOENT unknown.
pub(super) fn port_set_max_values() -> TestResult {
    let v = V16::new();
    let u = v.create(A, INIT, Kind::User)?;
    check_eq!(v.max(u, Kind::Pid)?, i32::MAX as u32);
    check_eq!(v.max(INIT, Kind::Pid)?, i32::MAX as u32);
    for (value, want) in [
        (0i64, Ok(())),
        (1, Ok(())),
        (i64::from(i32::MAX), Ok(())),
        (-1, Err(Errno::EINVAL)),
        (i64::from(i32::MAX) + 1, Err(Errno::EINVAL)),
        (i64::MIN, Err(Errno::EINVAL)),
    ] {
        v.set_max(u, Kind::Pid, 7)?;
        check_eq!(v.set_max(u, Kind::Pid, value), want);
        let expect = if want.is_ok() { value as u32 } else { 7 };
        check_eq!(v.max(u, Kind::Pid)?, expect);
    }
    v.set_max(INIT, Kind::Time, 5)?;
    check_eq!(v.max(INIT, Kind::Time)?, 5);
    let n = v.create(A, u, Kind::Net)?;
    check_eq!(v.set_max(n, Kind::Net, 1), Err(Errno::EINVAL));
    check_eq!(
        v.set_max(NsId::init(Kind::Ipc), Kind::Net, 1),
        Err(Errno::EINVAL)
    );
    v.release(n)?;
    check_eq!(v.set_max(n, Kind::Net, 1), Err(Errno::ENOENT));
    check_eq!(v.max(n, Kind::Net), Err(Errno::ENOENT));
    Ok(())
}

/// A full ucounts table is ENOMEM with nothing changed; an existing entry is still usable.
pub(super) fn port_ucount_table_full() -> TestResult {
    let v = Vns::<16, 3>::new();
    let u = v.create(A, INIT, Kind::User)?; // entry (init, A)
    v.create(B, u, Kind::Net)?; // entry (u, B)
    let c = v.create(C, u, Kind::Net)?; // entry (u, C): full
    let before = v.snapshot()?;
    check_eq!(v.create(D, u, Kind::Net), Err(Errno::ENOMEM));
    check!(v.snapshot()? == before);
    v.create(B, u, Kind::Net)?;
    v.release(c)?;
    v.create(D, u, Kind::Net)?;
    check_eq!(v.count(INIT, A, Kind::Net)?, 3);
    Ok(())
}

/// A full namespace table is ENOMEM after the charge: the charge and the new entry are undone.
pub(super) fn port_ns_table_full() -> TestResult {
    let v = Vns::<2, 8>::new();
    let u = v.create(A, INIT, Kind::User)?;
    v.create(B, u, Kind::Net)?;
    let before = v.snapshot()?;
    check_eq!(v.create(C, u, Kind::Net), Err(Errno::ENOMEM));
    check_eq!(v.create(B, u, Kind::Net), Err(Errno::ENOMEM));
    check!(v.snapshot()? == before);
    check_eq!(v.count(INIT, A, Kind::Net)?, 1);
    check_eq!(v.count(u, C, Kind::Net)?, 0);
    Ok(())
}

/// User namespaces: 33 levels below init can be created, the 34th is ENOSPC (kernel/user_namespace.c).
pub(super) fn port_user_depth() -> TestResult {
    let v = Vns::<40, 40>::new();
    let mut chain = [INIT; 34];
    for level in 1..=33 {
        chain[level] = v.create(A, chain[level - 1], Kind::User)?;
    }
    check_eq!(v.info(chain[33])?.level, 33);
    let before = v.snapshot()?;
    check_eq!(v.create(A, chain[33], Kind::User), Err(Errno::ENOSPC));
    check!(v.snapshot()? == before);
    // Other kinds can still be made at the deepest level, charged 34 levels up.
    let n = v.create(B, chain[33], Kind::Net)?;
    check_eq!(v.count(INIT, A, Kind::Net)?, 1);
    v.release(n)?;
    for level in (1..=33).rev() {
        v.release(chain[level])?;
    }
    check_eq!(v.usage()?, Usage::default());
    Ok(())
}

/// Pid namespaces: 32 levels below init, the 33rd is ENOSPC (MAX_PID_NS_LEVEL).
pub(super) fn port_pid_depth() -> TestResult {
    let v = Vns::<40, 8>::new();
    let mut parent = NsId::INIT_PID;
    for level in 1..=32 {
        parent = v.create_pid(A, INIT, parent)?;
        check_eq!(v.info(parent)?.level, level);
    }
    let before = v.snapshot()?;
    check_eq!(v.create_pid(A, INIT, parent), Err(Errno::ENOSPC));
    check!(v.snapshot()? == before);
    check_eq!(v.count(INIT, A, Kind::Pid)?, 32);
    // The parent cannot go while a child nests in it.
    let grandparent = v.info(parent)?.parent.unwrap_or(NsId::INIT_PID);
    check_eq!(v.release(grandparent), Err(Errno::EBUSY));
    Ok(())
}

/// release(): EINVAL for init, ENOENT unknown or twice, EBUSY while owned or nested namespaces remain.
pub(super) fn port_release_errors() -> TestResult {
    let v = V16::new();
    for k in Kind::ALL {
        check_eq!(v.release(NsId::init(k)), Err(Errno::EINVAL));
    }
    check_eq!(v.release(NsId::from_raw(0)), Err(Errno::ENOENT));
    check_eq!(v.release(NsId::from_raw(u64::MAX)), Err(Errno::ENOENT));
    let u = v.create(A, INIT, Kind::User)?;
    let p = v.create(B, u, Kind::Pid)?;
    let p2 = v.create_pid(B, u, p)?;
    check_eq!(v.release(u), Err(Errno::EBUSY));
    check_eq!(v.release(p), Err(Errno::EBUSY));
    v.release(p2)?;
    check_eq!(v.release(p2), Err(Errno::ENOENT));
    v.release(p)?;
    v.release(u)?;
    check_eq!(v.release(u), Err(Errno::ENOENT));
    Ok(())
}

/// create(): ENOENT for an unknown user namespace or pid parent, EINVAL for the wrong kind; no change.
pub(super) fn port_create_errors() -> TestResult {
    let v = V16::new();
    let u = v.create(A, INIT, Kind::User)?;
    let n = v.create(A, u, Kind::Net)?;
    let before = v.snapshot()?;
    check_eq!(
        v.create(A, NsId::from_raw(12345), Kind::Uts),
        Err(Errno::ENOENT)
    );
    check_eq!(v.create(A, n, Kind::Uts), Err(Errno::EINVAL));
    check_eq!(
        v.create(A, NsId::init(Kind::Net), Kind::Uts),
        Err(Errno::EINVAL)
    );
    check_eq!(v.create_pid(A, u, n), Err(Errno::EINVAL));
    check_eq!(v.create_pid(A, u, NsId::from_raw(777)), Err(Errno::ENOENT));
    check_eq!(v.create_pid(A, n, NsId::INIT_PID), Err(Errno::EINVAL));
    check!(v.snapshot()? == before);
    Ok(())
}

/// Ids are unique and never reused; a failed create does not use one up.
pub(super) fn port_ids_unique() -> TestResult {
    let v = V16::new();
    let mut last = NsId::init(Kind::Time);
    for _ in 0..50 {
        let id = v.create(A, INIT, Kind::Net)?;
        check!(id > last);
        last = id;
        v.release(id)?;
    }
    v.set_max(INIT, Kind::Net, 0)?;
    let next = v.snapshot()?.next_id;
    check_eq!(v.create(A, INIT, Kind::Net), Err(Errno::ENOSPC));
    check_eq!(v.snapshot()?.next_id, next);
    check_eq!(next, last.raw() + 1);
    Ok(())
}

/// Building a tree and releasing it leaves the state as it was (but for the next id).
pub(super) fn port_release_restores_state() -> TestResult {
    let v = V16::new();
    let start = v.snapshot()?;
    let u1 = v.create(A, INIT, Kind::User)?;
    let u2 = v.create(B, u1, Kind::User)?;
    v.set_max(u2, Kind::Cgroup, 3)?;
    let c = v.create(C, u2, Kind::Cgroup)?;
    let t = v.create(C, u2, Kind::Time)?;
    let p = v.create(D, u1, Kind::Pid)?;
    for id in [p, t, c, u2, u1] {
        v.release(id)?;
    }
    let mut end = v.snapshot()?;
    check_eq!(end.next_id, start.next_id + 5);
    end.next_id = start.next_id;
    check!(end == start);
    Ok(())
}
