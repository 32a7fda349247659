// SPDX-License-Identifier: GPL-2.0-only
//! Tests of the ucounts. First the shared cases (`selftest::TESTS`, run by `cargo test` and on the STM32
//! target): kernel/ucount.c `inc_ucount()` / `dec_ucount()`, kernel/user.c `__uidhashfn`, and the table;
//! then host-only unit tests.

use super::super::abi::{Kind, VNS_NR_KINDS};
use super::super::errno::{Errno, VnsResult};
use super::*;
use Errno::*;

#[cfg_attr(test, test)]
pub(crate) fn ucount_charge_chain() {
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

#[cfg_attr(test, test)]
pub(crate) fn ucount_limit_unwinds() {
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

#[cfg_attr(test, test)]
pub(crate) fn ucount_limit_zero() {
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

#[cfg_attr(test, test)]
pub(crate) fn ucount_kinds_independent() {
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

#[cfg_attr(test, test)]
pub(crate) fn ucount_dec_chain() {
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

#[cfg_attr(test, test)]
pub(crate) fn ucount_default_max() {
    // kernel/user_namespace.c create_user_ns(): ucount_max[i] = INT_MAX.
    assert_eq!(UCOUNT_MAX_DEFAULT, 2_147_483_647);
    let l = Level::new(None);
    for k in Kind::ALL {
        assert_eq!(UcountLevel::max(&&l, k), UCOUNT_MAX_DEFAULT);
    }
}

#[cfg_attr(test, test)]
pub(crate) fn ucount_sysctl_values() {
    // kernel/ucount.c UCOUNT_ENTRY: proc_dointvec_minmax, SYSCTL_ZERO..SYSCTL_INT_MAX;
    // EACCES without CAP_SYS_RESOURCE (Documentation/admin-guide/vns-sysctl.rst).
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

#[cfg_attr(test, test)]
pub(crate) fn ucount_uidhashfn() {
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

#[cfg_attr(test, test)]
pub(crate) fn ucount_hash_ns_mix() {
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

#[cfg_attr(test, test)]
pub(crate) fn ucount_table_basics() {
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

#[cfg_attr(test, test)]
pub(crate) fn ucount_table_full() {
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

#[cfg_attr(test, test)]
pub(crate) fn ucount_table_charge() {
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

// Host-only unit tests (`cargo test`).

#[test]
fn hash_sizes_follow_the_profile() {
    #[cfg(feature = "small")]
    assert_eq!((UIDHASH_BITS, UIDHASH_SZ), (3, 8));
    #[cfg(not(feature = "small"))]
    assert_eq!((UIDHASH_BITS, UIDHASH_SZ), (7, 128));
    assert_eq!(UIDHASH_MASK as usize, UIDHASH_SZ - 1);
}

#[test]
fn ucounts_hash_stays_in_range() {
    for ns in [0u64, 1, 2, 0xffff_ffff, 0x1_0000_0000, u64::MAX] {
        for uid in [0u32, 1, 1000, 65534, u32::MAX] {
            assert!(ucounts_hashfn(ns, uid) < UIDHASH_SZ);
        }
    }
}

#[test]
fn hash_mixes_the_namespace() {
    // The same uid in UIDHASH_SZ consecutive namespaces spreads over (nearly) every bucket: the
    // `uid >> UIDHASH_BITS` term of __uidhashfn steps once inside the run, so one bucket may repeat.
    let mut seen = [false; UIDHASH_SZ];
    for ns in 0..UIDHASH_SZ as u64 {
        if let Some(s) = seen.get_mut(ucounts_hashfn(ns, 1000)) {
            *s = true;
        }
    }
    assert!(seen.iter().filter(|&&s| s).count() >= UIDHASH_SZ - 1);
    // The high half of the id is not ignored.
    assert_ne!(ucounts_hashfn(1 << 32, 0), ucounts_hashfn(0, 0));
}

#[test]
fn table_reuses_freed_slots() {
    let mut t = UcountTable::<2>::new();
    let a = t.get_or_insert(1, 0, None);
    assert!(a.is_ok());
    let Ok(a) = a else { return };
    assert_eq!(t.put(a), Ok(true));
    assert!(t.is_empty());
    assert_eq!(t.get_or_insert(2, 0, None), Ok(a));
    assert_eq!(t.find(1, 0), None);
    assert_eq!(t.find(2, 0), Some(a));
}

#[test]
fn table_rejects_dead_ids() {
    let mut t = UcountTable::<2>::new();
    assert_eq!(t.put(EntryId(0)), Err(Errno::EINVAL));
    assert_eq!(t.get(EntryId(1)), Err(Errno::EINVAL));
    assert_eq!(t.get_or_insert(1, 1, Some(EntryId(0))), Err(Errno::EINVAL));
    assert_eq!(
        t.charge(EntryId(5), Kind::Net, &|_, _| 10),
        Err(Errno::EINVAL)
    );
    assert!(!t.uncharge(EntryId(5), Kind::Net));
}

#[test]
fn zero_capacity_table() {
    let mut t = UcountTable::<0>::new();
    assert_eq!(t.capacity(), 0);
    assert_eq!(t.get_or_insert(1, 1, None), Err(Errno::ENOMEM));
}
