// SPDX-License-Identifier: GPL-2.0-only
//! Host-only property tests (proptest) of the rules whose table-driven cases live beside them
//! (`src/flags/tests.rs`, ...).

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test code: a failed step fails the test, as a failed assert! does"
)]

use std::collections::HashMap;

use proptest::prelude::*;
use vns_core::abi::{Kind, VNS_NR_KINDS};
use vns_core::errno::Errno;
use vns_core::flags::{complete_unshare_flags, unshare_flags, TaskFacts};
use vns_core::idmap::{mappings_overlap, validate, IdExtent, IdMap};
use vns_core::ucount::{dec_ucount, inc_ucount, Level, UcountTable, UIDHASH_SZ};
use vns_core::ustruct::struct_from_user;

fn kind() -> impl Strategy<Value = Kind> {
    (0..VNS_NR_KINDS as u32).prop_map(|i| Kind::from_u32(i).unwrap())
}

/// A chain of `limits.len()` levels (index 0 = init), each with the given limit for every kind. The
/// levels are leaked: a few hundred bytes per case, in a test process.
fn chain(limits: &[u32]) -> Vec<&'static Level<'static>> {
    let mut levels: Vec<&'static Level<'static>> = Vec::new();
    for &max in limits {
        let parent = levels.last().copied();
        levels.push(Box::leak(Box::new(Level::with_max(parent, max))));
    }
    levels
}

fn snapshot(levels: &[&Level<'_>]) -> Vec<[u32; VNS_NR_KINDS]> {
    levels.iter().map(|l| l.counts()).collect()
}

proptest! {
    /// kernel/ucount.c: every successful inc_ucount undone by dec_ucount leaves every counter at zero.
    #[test]
    fn charge_then_uncharge_is_zero(
        limits in prop::collection::vec(0u32..6, 1..6),
        ops in prop::collection::vec((any::<prop::sample::Index>(), kind()), 0..40),
    ) {
        let levels = chain(&limits);
        let mut done = Vec::new();
        for (at, k) in &ops {
            let l = levels[at.index(levels.len())];
            if inc_ucount(&l, *k).is_ok() {
                done.push((l, *k));
            }
        }
        for (l, k) in done.into_iter().rev() {
            assert!(dec_ucount(&l, k));
        }
        for l in &levels {
            assert_eq!(l.counts(), [0; VNS_NR_KINDS]);
        }
    }

    /// kernel/ucount.c: a failed inc_ucount leaves every counter unchanged; a successful one adds exactly
    /// one at each level from the charged one up to init, for that kind only.
    #[test]
    fn failed_charge_changes_nothing(
        limits in prop::collection::vec(0u32..5, 1..6),
        ops in prop::collection::vec((any::<prop::sample::Index>(), kind()), 1..40),
    ) {
        let levels = chain(&limits);
        for (at, k) in &ops {
            let depth = at.index(levels.len());
            let before = snapshot(&levels);
            let r = inc_ucount(&levels[depth], *k);
            let after = snapshot(&levels);
            match r {
                Err(e) => {
                    assert_eq!(e, Errno::ENOSPC);
                    assert_eq!(after, before);
                }
                Ok(()) => {
                    for (i, (a, b)) in after.iter().zip(&before).enumerate() {
                        for kk in Kind::ALL {
                            let want = b[kk.index()] + u32::from(kk == *k && i <= depth);
                            assert_eq!(a[kk.index()], want);
                        }
                    }
                }
            }
            // A level never exceeds its own limit.
            for (l, max) in levels.iter().zip(&limits) {
                assert!(l.counts().iter().all(|c| c <= max));
            }
        }
    }

    /// kernel/fork.c ksys_unshare(): completion is idempotent, only adds bits, and what unshare_flags
    /// accepts is already complete.
    #[test]
    fn completed_flags_are_a_fixed_point(flags in any::<u64>(), small in 0u64..0x8000_0000) {
        for f in [flags, small] {
            let c = complete_unshare_flags(f);
            prop_assert_eq!(complete_unshare_flags(c), c);
            prop_assert_eq!(c & f, f);
            if let Ok(applied) = unshare_flags(f, &TaskFacts::SINGLE) {
                prop_assert_eq!(applied, c);
                prop_assert_eq!(complete_unshare_flags(applied), applied);
            }
        }
    }

    /// kernel/user_namespace.c map_write(): a map validate() accepts never has overlapping extents, and a
    /// map of individually valid extents is refused only when two of them overlap.
    #[test]
    fn valid_maps_never_overlap(exts in prop::collection::vec((0u32..200, 0u32..200, 0u32..40), 1..12)) {
        let exts: Vec<IdExtent> = exts.into_iter().map(|(a, b, c)| IdExtent::new(a, b, c)).collect();
        let overlap = |x: &IdExtent, y: &IdExtent| {
            let (xf, yf, xl, yl) = (u64::from(x.first), u64::from(y.first), u64::from(x.lower_first), u64::from(y.lower_first));
            let (xc, yc) = (u64::from(x.count), u64::from(y.count));
            (xf < yf + yc && yf < xf + xc) || (xl < yl + yc && yl < xl + xc)
        };
        let any_pair = (0..exts.len()).any(|i| (0..i).any(|j| overlap(&exts[i], &exts[j])));
        let each_valid = exts.iter().all(|e| e.validate().is_ok());
        match validate(&exts) {
            Ok(()) => prop_assert!(each_valid && !any_pair),
            Err(e) => {
                prop_assert_eq!(e, Errno::EINVAL);
                prop_assert!(!each_valid || any_pair);
            }
        }
        if each_valid {
            for i in 0..exts.len() {
                prop_assert_eq!(mappings_overlap(&exts[..i], &exts[i]), (0..i).any(|j| overlap(&exts[i], &exts[j])));
            }
        }
    }

    /// map_id_up(map_id_down(x)) == x for every mapped x, and map_id_down agrees with a brute-force model.
    #[test]
    fn map_up_inverts_map_down(
        segs in prop::collection::vec((0u32..1000, 1u32..1000, 0u32..1000), 1..20),
        order in any::<prop::sample::Index>(),
        probes in prop::collection::vec(0u32..50_000, 1..50),
    ) {
        // Inside ranges laid out left to right with gaps; outside ranges likewise, in a rotated order.
        let n = segs.len();
        let mut inside = Vec::new();
        let mut at = 0u32;
        for (gap, count, _) in &segs {
            at += gap;
            inside.push((at, *count));
            at += count;
        }
        let rot = order.index(n);
        let mut lower = vec![0u32; n];
        let mut at = 0u32;
        for k in 0..n {
            let i = (k + rot) % n;
            at += segs[i].2;
            lower[i] = at;
            at += segs[i].1;
        }
        let exts: Vec<IdExtent> = (0..n).map(|i| IdExtent::new(inside[i].0, lower[i], inside[i].1)).collect();
        let map = IdMap::from_extents(&exts).unwrap();
        for &x in &probes {
            let model = exts.iter().find(|e| x >= e.first && x - e.first < e.count).map(|e| x - e.first + e.lower_first);
            prop_assert_eq!(map.map_id_down(x), model);
            if let Some(k) = model {
                prop_assert_eq!(map.map_id_up(k), Some(x));
            }
        }
        for e in &exts {
            prop_assert_eq!(map.map_id_up(map.map_id_down(e.first).unwrap()), Some(e.first));
            let last = e.first + e.count - 1;
            prop_assert_eq!(map.map_id_up(map.map_id_down(last).unwrap()), Some(last));
        }
    }

    /// copy_struct_from_user(): a larger user struct is accepted iff its tail is zero.
    #[test]
    fn from_user_accepts_iff_tail_zero(src in prop::collection::vec(prop_oneof![3 => Just(0u8), 1 => any::<u8>()], 0..40)) {
        let mut dst = [0u8; 16];
        let r = struct_from_user(&mut dst, &src);
        if src.len() < 16 {
            prop_assert_eq!(r, Err(Errno::EINVAL));
        } else if src[16..].iter().any(|&b| b != 0) {
            prop_assert_eq!(r, Err(Errno::E2BIG));
        } else {
            prop_assert_eq!(r, Ok(()));
            prop_assert_eq!(&dst[..], &src[..16]);
        }
    }

    /// The fixed-capacity ucounts table agrees with a model under random get/put.
    #[test]
    fn table_matches_model(ops in prop::collection::vec((any::<bool>(), 0u64..4, 0u32..(3 * UIDHASH_SZ as u32)), 0..200)) {
        let mut t = UcountTable::<16>::new();
        let mut model: HashMap<(u64, u32), u32> = HashMap::new();
        for (insert, ns, uid) in ops {
            let key = (ns, uid);
            if insert {
                match t.get_or_insert(ns, uid, None) {
                    Ok(id) => {
                        *model.entry(key).or_insert(0) += 1;
                        prop_assert_eq!(t.entry(id).map(|e| e.refs()), model.get(&key).copied());
                    }
                    Err(e) => {
                        prop_assert_eq!(e, Errno::ENOMEM);
                        prop_assert_eq!(model.len(), 16);
                        prop_assert!(!model.contains_key(&key));
                    }
                }
            } else if let Some(id) = t.find(ns, uid) {
                let refs = model.get_mut(&key).unwrap();
                *refs -= 1;
                let freed = *refs == 0;
                if freed {
                    model.remove(&key);
                }
                prop_assert_eq!(t.put(id), Ok(freed));
            } else {
                prop_assert!(!model.contains_key(&key));
            }
            prop_assert_eq!(t.len(), model.len());
        }
        for (&(ns, uid), &refs) in &model {
            let id = t.find(ns, uid);
            prop_assert_eq!(id.and_then(|id| t.entry(id)).map(|e| e.refs()), Some(refs));
        }
    }
}
