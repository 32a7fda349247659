// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the module's internal pieces that a selftest cannot reach: the RCU table and its
//! release loop, the ucounts charge on a private state, a namespace dropped before it was published
//! (what an allocation failure does), pid numbers, the mount table. They run at insmod (CONFIG_KUNIT=y)
//! and report KTAP in the kernel log; `scripts/qemu-run.sh` counts them.

#![deny(unsafe_code)]

#[kernel::macros::kunit_tests(vns_internal)]
mod tests {
    use kernel::{prelude::*, sync::atomic::{Atomic, Relaxed}};

    use crate::{
        error::Errno,
        mnt::MntNs,
        ns::{Ns, NsState, PidNs},
        state::Vns,
        sys::{RcuObject, RcuRef, RcuReserve, RcuTable, ReserveSlot},
        ucounts::inc_ucount,
        vcore::abi::{Kind, VnsMount},
    };

    /// A test object: a key, and optionally a reference to another (a parent).
    struct Obj {
        parent: Option<RcuRef<Obj>>,
        drops: &'static Atomic<u32>,
    }

    impl RcuObject for Obj {
        type Key = u64;

        fn bucket(key: &u64, _buckets: usize) -> usize {
            *key as usize
        }

        fn detach(&mut self) -> [Option<RcuRef<Self>>; 2] {
            [self.parent.take(), None]
        }
    }

    impl Drop for Obj {
        fn drop(&mut self) {
            self.drops.fetch_add(1, Relaxed);
        }
    }

    fn obj(key: u64, parent: Option<RcuRef<Obj>>, drops: &'static Atomic<u32>) -> Result<RcuRef<Obj>> {
        RcuRef::new(key, Obj { parent, drops }, GFP_KERNEL)
    }

    #[test]
    fn strong_table_holds_until_removed() -> Result {
        static DROPS: Atomic<u32> = Atomic::new(0);
        let t = KBox::pin_init(RcuTable::<Obj>::new(8, false), GFP_KERNEL)?;
        let a = obj(1, None, &DROPS)?;
        let _ = t.insert_or_get(a);
        // The table's reference keeps it alive.
        assert!(t.lookup(&1).is_some());
        assert_eq!(DROPS.load(Relaxed), 0);
        let removed = t.remove(&1);
        assert!(removed.is_some());
        assert!(t.lookup(&1).is_none());
        drop(removed);
        assert_eq!(DROPS.load(Relaxed), 1);
        assert!(t.remove(&1).is_none());
        Ok(())
    }

    #[test]
    fn weak_table_unlinks_on_last_reference() -> Result {
        static DROPS: Atomic<u32> = Atomic::new(0);
        let t = KBox::pin_init(RcuTable::<Obj>::new(8, true), GFP_KERNEL)?;
        let a = t.insert_or_get(obj(7, None, &DROPS)?);
        let b = t.lookup(&7).ok_or(ENOENT)?;
        assert!(RcuRef::ptr_eq(&a, &b));
        drop(a);
        assert!(t.lookup(&7).is_some());
        drop(b);
        // The last reference unlinked it and dropped it synchronously.
        assert!(t.lookup(&7).is_none());
        assert_eq!(DROPS.load(Relaxed), 1);
        Ok(())
    }

    /// A chunked walk visits every object once, holding RCU for at most `chunk` of them at a time.
    #[test]
    fn chunked_walk_visits_each_once() -> Result {
        static DROPS: Atomic<u32> = Atomic::new(0);
        let t = KBox::pin_init(RcuTable::<Obj>::new(4, true), GFP_KERNEL)?;
        let mut held = KVec::new();
        for key in 1..=23u64 {
            let o = obj(key, None, &DROPS)?;
            t.publish(&o);
            held.push(o, GFP_KERNEL)?;
        }
        for chunk in [1, 2, 5, 64] {
            let (mut n, mut sum) = (0u64, 0u64);
            t.for_each_chunked(chunk, |o| {
                n += 1;
                sum += o.key();
            });
            assert_eq!((n, sum), (23, 23 * 24 / 2));
        }
        drop(held);
        let mut n = 0;
        t.for_each_chunked(2, |_| n += 1);
        assert_eq!(n, 0);
        Ok(())
    }

    /// A reserve slot holds at most one reserve; a reserve becomes an object without allocating.
    #[test]
    fn reserve_slot_take_put() -> Result {
        static DROPS: Atomic<u32> = Atomic::new(0);
        let slot = ReserveSlot::<RcuReserve<Obj>>::new(None);
        assert!(!slot.is_full());
        assert!(slot.take().is_none());
        assert!(slot.put(KBox::new(RcuReserve::new(GFP_KERNEL)?, GFP_KERNEL)?).is_none());
        assert!(slot.is_full());
        // Full: a second reserve is handed back.
        assert!(slot.put(KBox::new(RcuReserve::new(GFP_KERNEL)?, GFP_KERNEL)?).is_some());
        let r = KBox::into_inner(slot.take().ok_or(ENOMEM)?);
        assert!(!slot.is_full());
        let o = RcuRef::new_in(r, 5, Obj { parent: None, drops: &DROPS });
        assert_eq!(o.key(), 5);
        drop(o);
        assert_eq!(DROPS.load(Relaxed), 1);
        // A slot dropped full frees its reserve (kmemleak would see it otherwise).
        let full = ReserveSlot::new(Some(KBox::new(RcuReserve::<Obj>::new(GFP_KERNEL)?, GFP_KERNEL)?));
        drop(full);
        Ok(())
    }

    #[test]
    fn insert_or_get_rechecks_the_key() -> Result {
        static DROPS: Atomic<u32> = Atomic::new(0);
        let t = KBox::pin_init(RcuTable::<Obj>::new(4, true), GFP_KERNEL)?;
        let a = t.insert_or_get(obj(3, None, &DROPS)?);
        let b = t.insert_or_get(obj(3, None, &DROPS)?);
        // The second was not linked: it was dropped and the first returned.
        assert!(RcuRef::ptr_eq(&a, &b));
        assert_eq!(DROPS.load(Relaxed), 1);
        Ok(())
    }

    #[test]
    fn replace_swaps_in_place() -> Result {
        static DROPS: Atomic<u32> = Atomic::new(0);
        let t = KBox::pin_init(RcuTable::<Obj>::new(4, false), GFP_KERNEL)?;
        let a = obj(5, None, &DROPS)?;
        let _ = t.insert_or_get(a.clone());
        let b = obj(5, None, &DROPS)?;
        let old = t.replace(Some(&a), &b);
        assert!(old.is_some());
        let now = t.lookup(&5).ok_or(ENOENT)?;
        assert!(RcuRef::ptr_eq(&now, &b));
        drop((old, a));
        assert_eq!(DROPS.load(Relaxed), 1);
        Ok(())
    }

    /// A chain far longer than the release stack is released by the loop (and the recursion bound
    /// for the rest), without overflowing the kernel stack.
    #[test]
    fn long_chain_released() -> Result {
        static DROPS: Atomic<u32> = Atomic::new(0);
        let mut tail = obj(0, None, &DROPS)?;
        for k in 1..200 {
            tail = obj(k, Some(tail), &DROPS)?;
        }
        drop(tail);
        assert_eq!(DROPS.load(Relaxed), 200);
        Ok(())
    }

    #[test]
    fn ucounts_charge_every_level_and_unwind() -> Result {
        let vns = Vns::new().map_err(crate::error::to_kernel)?;
        let init_user = vns.init.user_ns().clone();
        let user = init_user.user().ok_or(EINVAL)?;
        let saved = user.ucount_max(Kind::Uts);
        if let Some(m) = user.ucount_max.get(Kind::Uts.index()) {
            m.store(1, Relaxed);
        }
        let c1 = inc_ucount(&vns.ucounts, &init_user, 4242, Kind::Uts).map_err(crate::error::to_kernel)?;
        let count = |vns: &Vns| vns.ucounts.lookup(&(init_user.id, 4242)).map_or(0, |e| e.count(Kind::Uts));
        assert_eq!(count(&vns), 1);
        // At the limit: ENOSPC, nothing changed.
        assert!(matches!(inc_ucount(&vns.ucounts, &init_user, 4242, Kind::Uts), Err(Errno::ENOSPC)));
        assert_eq!(count(&vns), 1);
        // Another user is not at its limit.
        let c2 = inc_ucount(&vns.ucounts, &init_user, 4243, Kind::Uts).map_err(crate::error::to_kernel)?;
        // An uncommitted charge returns itself when dropped.
        drop(c1);
        assert_eq!(count(&vns), 0);
        drop(c2);
        if let Some(m) = user.ucount_max.get(Kind::Uts.index()) {
            m.store(saved, Relaxed);
        }
        // The entries are gone with their last reference.
        assert!(vns.ucounts.lookup(&(init_user.id, 4242)).is_none());
        Ok(())
    }

    /// What an allocation failure after charging does: the namespace is dropped without ever being
    /// published, and still returns its charge (spec §3.6: counts exactly as before).
    #[test]
    fn unpublished_namespace_returns_its_charge() -> Result {
        let vns = Vns::new().map_err(crate::error::to_kernel)?;
        let init_user = vns.init.user_ns().clone();
        let charge = inc_ucount(&vns.ucounts, &init_user, 777, Kind::Ipc).map_err(crate::error::to_kernel)?;
        let ns = Ns {
            id: u64::MAX,
            kind: Kind::Ipc,
            owner: Some(init_user.clone()),
            charge: charge.commit(),
            nr_tasks: Atomic::new(0),
            state: NsState::Plain,
        };
        let entry = vns.ucounts.lookup(&(init_user.id, 777)).ok_or(ENOENT)?;
        assert_eq!(entry.count(Kind::Ipc), 1);
        drop(ns);
        assert_eq!(entry.count(Kind::Ipc), 0);
        Ok(())
    }

    #[test]
    fn published_namespace_released_synchronously() -> Result {
        let vns = Vns::new().map_err(crate::error::to_kernel)?;
        let init_user = vns.init.user_ns().clone();
        let charge = inc_ucount(&vns.ucounts, &init_user, 778, Kind::Net).map_err(crate::error::to_kernel)?;
        let ns = vns.new_ns(Kind::Net, &init_user, charge, NsState::Plain).map_err(crate::error::to_kernel)?;
        let id = ns.id;
        // Not reachable by id before the creating call commits.
        assert!(vns.find_ns(id).is_none());
        let mut listed = false;
        vns.registry.for_each_chunked(1, |n| listed |= n.id == id);
        assert!(!listed);
        vns.publish(&ns);
        assert!(vns.find_ns(id).is_some());
        vns.registry.for_each_chunked(1, |n| listed |= n.id == id);
        assert!(listed);
        let entry = vns.ucounts.lookup(&(init_user.id, 778)).ok_or(ENOENT)?;
        assert_eq!(entry.count(Kind::Net), 1);
        drop(ns);
        // Gone from the registry and uncharged before `drop` returned.
        assert!(vns.find_ns(id).is_none());
        assert_eq!(entry.count(Kind::Net), 0);
        Ok(())
    }

    #[test]
    fn pid_numbers_cyclic_from_one() -> Result {
        let vns = Vns::new().map_err(crate::error::to_kernel)?;
        let p = PidNs::new(1, vns.init.get(Kind::Pid).clone()).map_err(crate::error::to_kernel)?;
        assert_eq!(p.alloc_nr(), Some(1));
        assert_eq!(p.alloc_nr(), Some(2));
        assert_eq!(p.alloc_nr(), Some(3));
        p.free_nr(2);
        // Cyclic, as alloc_pid: a freed number is not reused at once.
        assert_eq!(p.alloc_nr(), Some(4));
        p.free_nr(1);
        p.free_nr(3);
        p.free_nr(4);
        Ok(())
    }

    /// Mounts `parent_id` under a table with limit `max`, the id from `id`.
    fn add(t: &MntNs, parent_id: u64, max: u32, id: u64) -> Result<u64, Errno> {
        let mut m = VnsMount::zeroed();
        m.parent_id = parent_id;
        t.reserve(&mut m, max, || id)?.commit()?;
        Ok(m.id)
    }

    /// Every entry of a table, a chunk of `chunk` at a time.
    fn entries(t: &MntNs, chunk: usize) -> Result<(KVec<VnsMount>, usize)> {
        let mut all = KVec::new();
        let mut buf = KVec::with_capacity(chunk, GFP_KERNEL)?;
        let mut from = 0;
        loop {
            let total = t.read_chunk(from, chunk, &mut buf);
            for m in buf.iter() {
                all.push(*m, GFP_KERNEL)?;
            }
            match buf.last() {
                Some(last) if buf.len() == chunk => from = last.id + 1,
                _ => return Ok((all, total)),
            }
        }
    }

    #[test]
    fn mount_table_rules() -> Result {
        let e = crate::error::to_kernel;
        let t = MntNs::new_init(100).map_err(e)?;
        assert_eq!(add(&t, 100, 3, 101), Ok(101));
        assert_eq!(add(&t, 101, 3, 102), Ok(102));
        assert_eq!(add(&t, 100, 3, 103), Err(Errno::ENOSPC));
        assert_eq!(add(&t, 999, 10, 103), Err(Errno::ENOENT));
        assert!(matches!(t.umount(100, 0), Err(Errno::EINVAL)));
        assert!(matches!(t.umount(101, 0), Err(Errno::EBUSY)));
        assert!(matches!(t.umount(555, 0), Err(Errno::ENOENT)));
        // A copy has new ids with the parents remapped.
        let mut next = 200;
        let c = t
            .copy(|| {
                next += 1;
                next
            })
            .map_err(e)?;
        let (entries, total) = entries(&c, 2)?;
        assert_eq!(total, 3);
        let ids: [u64; 3] = [entries[0].id, entries[1].id, entries[2].id];
        assert_eq!(ids, [201, 202, 203]);
        assert_eq!(entries[0].parent_id, 201);
        assert_eq!(entries[1].parent_id, 201);
        assert_eq!(entries[2].parent_id, 202);
        t.umount(102, 0).map_err(e)?;
        t.umount(101, 0).map_err(e)?;
        Ok(())
    }

    /// A reservation counts against mount-max until it is committed or dropped, and is invisible.
    #[test]
    fn mount_reservation_until_commit() -> Result {
        let e = crate::error::to_kernel;
        let t = MntNs::new_init(1).map_err(e)?;
        let mut m = VnsMount::zeroed();
        m.parent_id = 1;
        let r = t.reserve(&mut m, 2, || 7).map_err(e)?;
        assert_eq!(m.id, 7);
        assert_eq!(entries(&t, 8)?.1, 1);
        // The table is full with the reservation.
        assert_eq!(add(&t, 1, 2, 8), Err(Errno::ENOSPC));
        drop(r);
        assert_eq!(entries(&t, 8)?.1, 1);
        assert_eq!(add(&t, 1, 2, 9), Ok(9));
        // A parent unmounted between reservation and commit: ENOENT, nothing added.
        let mut child = VnsMount::zeroed();
        child.parent_id = 9;
        let r = t.reserve(&mut child, 3, || 10).map_err(e)?;
        t.umount(9, 0).map_err(e)?;
        assert!(matches!(r.commit(), Err(Errno::ENOENT)));
        let (all, total) = entries(&t, 8)?;
        assert_eq!((total, all.len()), (1, 1));
        Ok(())
    }
}
