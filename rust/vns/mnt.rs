// SPDX-License-Identifier: GPL-2.0

//! Mount vns state (Documentation/vns.rst "Mount tables"): a mount table ordered by a 64-bit `mnt_id_unique` in an rbtree (as
//! fs/namespace.c `mnt_add_to_ns`), copied with new ids on NEWNS, bounded by `mount-max` on add.

#![deny(unsafe_code)]

use kernel::{
    new_spinlock,
    prelude::*,
    rbtree::{
        RBTree,
        RBTreeNodeReservation, //
    },
    sync::SpinLock, //
};

use crate::{
    error::{
        Errno,
        VnsResult, //
    },
    sys,
    vcore::{
        abi::VnsMount,
        mount::{
            self,
            MountLink, //
        }, //
    }, //
};

/// One mount: the ABI's `vns_mount` (its `id` is the key) and the number of mounts under it.
#[derive(Clone)]
pub(crate) struct MountEntry {
    /// As the ABI reports it.
    pub(crate) m: VnsMount,
    /// Entries whose parent this is (umount of an entry with children is EBUSY).
    pub(crate) nr_children: u32,
}

/// The table: entries by `mnt_id_unique`.
pub(crate) struct MountTable {
    tree: RBTree<u64, MountEntry>,
    len: usize,
    /// Mounts with an id that are not inserted yet ([`MountReservation`]); they count for mount-max.
    reserved: usize,
    /// Incremented by every insertion and removal (a chunked LIST_MOUNTS reads the table again if it
    /// changed under it).
    generation: u64,
}

/// A mount vns's table. The lock protects the tree; it is taken in process context only (ioctls and
/// NEWNS), and nothing sleeps under it (nodes are allocated before it is taken). Every node and array
/// is charged to the memcg of the caller that made it (`GFP_KERNEL_ACCOUNT`), as the kernel charges
/// its mounts (fs/namespace.c `alloc_vfsmnt`, a `SLAB_ACCOUNT` cache).
pub(crate) struct MntNs {
    /// The table.
    pub(crate) table: Pin<KBox<SpinLock<MountTable>>>,
}

impl MntNs {
    fn with(tree: RBTree<u64, MountEntry>, len: usize) -> VnsResult<Self> {
        Ok(Self {
            table: KBox::pin_init(
                new_spinlock!(
                    MountTable {
                        tree,
                        len,
                        reserved: 0,
                        generation: 0,
                    },
                    "vns_mount_table"
                ),
                GFP_KERNEL_ACCOUNT,
            )?,
        })
    }

    /// The init table: one root entry whose parent is itself (Documentation/vns.rst "Mount tables").
    pub(crate) fn new_init(root_id: u64) -> VnsResult<Self> {
        let mut m = VnsMount::zeroed();
        m.id = root_id;
        m.parent_id = root_id;
        crate::vcore::abi::set_c_str(&mut m.source, b"rootfs")?;
        crate::vcore::abi::set_c_str(&mut m.target, b"/")?;
        crate::vcore::abi::set_c_str(&mut m.fstype, b"rootfs")?;
        let mut tree = RBTree::new();
        tree.try_create_and_insert(root_id, MountEntry { m, nr_children: 0 }, GFP_KERNEL)?;
        Self::with(tree, 1)
    }

    /// A consistent snapshot of the whole table, in id order, for a NEWNS copy. The array is
    /// allocated outside the lock with kvmalloc (a table of `mount-max` entries is far larger than
    /// kmalloc may serve) and charged to the caller, with room for some growth; if the table outgrew
    /// it in between, it is sized again from what was seen under the lock. Another member can keep it
    /// growing only while this task is not being killed (ENOMEM then, as a failed copy).
    fn snapshot(&self) -> VnsResult<KVVec<MountEntry>> {
        let mut want = self.table.lock().len;
        loop {
            let room = want.saturating_add(want / 4).saturating_add(16);
            let mut v = KVVec::with_capacity(room, GFP_KERNEL_ACCOUNT)?;
            let t = self.table.lock();
            if t.len > room {
                want = t.len;
                drop(t);
                if sys::fatal_signal_pending() {
                    return Err(Errno::ENOMEM);
                }
                continue;
            }
            for e in t.tree.values() {
                // Within the capacity reserved above: no allocation under the lock.
                v.push(e.clone(), GFP_NOWAIT)?;
            }
            return Ok(v);
        }
    }

    /// The table's change counter.
    pub(crate) fn generation(&self) -> u64 {
        self.table.lock().generation
    }

    /// Copies up to `max` entries (at most `out.capacity()`) with ids of at least `from`, in id order,
    /// into `out` (cleared first), and returns the number of entries in the table. LIST_MOUNTS calls
    /// this chunk by chunk, so neither the lock hold nor an allocation grows with the table.
    pub(crate) fn read_chunk(&self, from: u64, max: usize, out: &mut KVec<VnsMount>) -> usize {
        out.clear();
        let max = max.min(out.capacity());
        let mut t = self.table.lock();
        let len = t.len;
        let mut cursor = t.tree.cursor_lower_bound_mut(&from);
        while let Some(c) = cursor {
            if out.len() >= max {
                break;
            }
            // Within the capacity the caller reserved: this does not allocate.
            if out.push(c.current().1.m, GFP_NOWAIT).is_err() {
                break;
            }
            cursor = c.move_next();
        }
        len
    }

    /// A table holding only a copy of this one's root, under the id `id`, its own parent
    /// (UNSHARE_EMPTY_MNTNS: fs/namespace.c `copy_mnt_ns` with CLONE_EMPTY_MNTNS copies the root alone).
    pub(crate) fn copy_root(&self, id: u64) -> VnsResult<Self> {
        let root = {
            let t = self.table.lock();
            // Copied out under the lock (plain data: no allocation).
            let root = t.tree.values().find(|e| e.m.parent_id == e.m.id).cloned();
            root
        };
        let mut root = root.ok_or(Errno::EINVAL)?;
        root.m.id = id;
        root.m.parent_id = id;
        root.nr_children = 0;
        let mut tree = RBTree::new();
        tree.try_create_and_insert(id, root, GFP_KERNEL_ACCOUNT)?;
        Self::with(tree, 1)
    }

    /// A copy of this table with fresh ids from `next_id` and remapped parents (CLONE_NEWNS;
    /// `copy_tree` in fs/namespace.c). mount-max is not checked here, as the kernel does not.
    pub(crate) fn copy(&self, mut next_id: impl FnMut() -> u64) -> VnsResult<Self> {
        let old = self.snapshot()?;
        let mut old_links = KVVec::with_capacity(old.len(), GFP_KERNEL_ACCOUNT)?;
        let mut new_links = KVVec::with_capacity(old.len(), GFP_KERNEL_ACCOUNT)?;
        for e in old.iter() {
            old_links.push(
                MountLink {
                    id: e.m.id,
                    parent_id: e.m.parent_id,
                },
                GFP_KERNEL_ACCOUNT,
            )?;
            new_links.push(
                MountLink {
                    id: 0,
                    parent_id: 0,
                },
                GFP_KERNEL_ACCOUNT,
            )?;
        }
        mount::copy_table(&old_links, &mut new_links, || Ok(next_id()))?;
        let mut tree = RBTree::new();
        for (e, l) in old.iter().zip(new_links.iter()) {
            let mut entry = e.clone();
            entry.m.id = l.id;
            entry.m.parent_id = l.parent_id;
            tree.try_create_and_insert(l.id, entry, GFP_KERNEL_ACCOUNT)?;
        }
        Self::with(tree, old_links.len())
    }

    /// Reserves a place for `m` under `m.parent_id` (VNS_IOC_MOUNT) and gives it its id, taken from
    /// `next_id` under the table's lock: ENOENT for an unknown parent, ENOSPC at `mount_max` entries
    /// (reservations included). The id is larger than the parent's, which is in the table already, so
    /// a NEWNS copy always finds parents before children. Nothing is visible until
    /// [`MountReservation::commit`].
    pub(crate) fn reserve<'a>(
        &'a self,
        m: &mut VnsMount,
        mount_max: u32,
        next_id: impl FnOnce() -> u64,
    ) -> VnsResult<MountReservation<'a>> {
        // The node is allocated (and charged to the caller) before the lock is taken.
        let node = RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT)?;
        let mut t = self.table.lock();
        let parent_exists = t.tree.get(&m.parent_id).is_some();
        mount::check_mount(
            (t.len + t.reserved) as u64,
            mount_max,
            parent_exists,
            m.flags,
        )?;
        m.id = next_id();
        t.reserved += 1;
        // INVARIANT: counted in `reserved` just above.
        Ok(MountReservation {
            table: self,
            node: Some(node),
            m: *m,
        })
    }

    /// Removes entry `id` (VNS_IOC_UMOUNT): ENOENT unknown, EINVAL for the root, EBUSY with children.
    pub(crate) fn umount(&self, id: u64, flags: u64) -> VnsResult<()> {
        let removed = {
            let mut t = self.table.lock();
            let (exists, is_root, busy, parent) = match t.tree.get(&id) {
                Some(e) => (
                    true,
                    e.m.parent_id == e.m.id,
                    e.nr_children > 0,
                    e.m.parent_id,
                ),
                None => (false, false, false, 0),
            };
            mount::check_umount(flags, exists, is_root, busy)?;
            if let Some(p) = t.tree.get_mut(&parent) {
                p.nr_children = p.nr_children.saturating_sub(1);
            }
            t.len -= 1;
            t.generation = t.generation.wrapping_add(1);
            t.tree.remove_node(&id)
        };
        // The node is freed outside the lock.
        drop(removed);
        Ok(())
    }
}

/// A mount that has its id and its memory but is not in the table yet: the caller writes the id to
/// user space, then commits; dropping it instead gives the place back.
///
/// # Invariants
///
/// While `node` is `Some`, this reservation is counted in its table's `reserved`.
pub(crate) struct MountReservation<'a> {
    table: &'a MntNs,
    node: Option<RBTreeNodeReservation<u64, MountEntry>>,
    m: VnsMount,
}

impl MountReservation<'_> {
    /// Inserts the mount. ENOENT if its parent was unmounted since the reservation (the only check
    /// that can change in between; the place was already counted against `mount-max`).
    pub(crate) fn commit(mut self) -> VnsResult<()> {
        let Some(node) = self.node.take() else {
            return Err(Errno::EINVAL);
        };
        let mut t = self.table.table.lock();
        t.reserved = t.reserved.saturating_sub(1);
        let parent = t.tree.get_mut(&self.m.parent_id).ok_or(Errno::ENOENT)?;
        parent.nr_children += 1;
        t.tree.insert(node.into_node(
            self.m.id,
            MountEntry {
                m: self.m,
                nr_children: 0,
            },
        ));
        t.len += 1;
        t.generation = t.generation.wrapping_add(1);
        Ok(())
    }
}

impl Drop for MountReservation<'_> {
    fn drop(&mut self) {
        if self.node.take().is_some() {
            let mut t = self.table.table.lock();
            t.reserved = t.reserved.saturating_sub(1);
        }
    }
}

#[kernel::macros::kunit_tests(vns_mnt)]
mod tests {
    use kernel::prelude::*;

    use super::MntNs;
    use crate::{
        error::Errno,
        vcore::abi::VnsMount, //
    };

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
        let t = MntNs::new_init(100)?;
        assert_eq!(add(&t, 100, 3, 101), Ok(101));
        assert_eq!(add(&t, 101, 3, 102), Ok(102));
        assert_eq!(add(&t, 100, 3, 103), Err(Errno::ENOSPC));
        assert_eq!(add(&t, 999, 10, 103), Err(Errno::ENOENT));
        assert!(matches!(t.umount(100, 0), Err(Errno::EINVAL)));
        assert!(matches!(t.umount(101, 0), Err(Errno::EBUSY)));
        assert!(matches!(t.umount(555, 0), Err(Errno::ENOENT)));
        // A copy has new ids with the parents remapped.
        let mut next = 200;
        let c = t.copy(|| {
            next += 1;
            next
        })?;
        let (entries, total) = entries(&c, 2)?;
        assert_eq!(total, 3);
        let ids: [u64; 3] = [entries[0].id, entries[1].id, entries[2].id];
        assert_eq!(ids, [201, 202, 203]);
        assert_eq!(entries[0].parent_id, 201);
        assert_eq!(entries[1].parent_id, 201);
        assert_eq!(entries[2].parent_id, 202);
        // UNSHARE_EMPTY_MNTNS: the root alone, under a new id, its own parent.
        let r = t.copy_root(300)?;
        let (only, total) = self::entries(&r, 4)?;
        assert_eq!(total, 1);
        assert_eq!((only[0].id, only[0].parent_id), (300, 300));
        t.umount(102, 0)?;
        t.umount(101, 0)?;
        Ok(())
    }

    /// A reservation counts against mount-max until it is committed or dropped, and is invisible.
    #[test]
    fn mount_reservation_until_commit() -> Result {
        let t = MntNs::new_init(1)?;
        let mut m = VnsMount::zeroed();
        m.parent_id = 1;
        let r = t.reserve(&mut m, 2, || 7)?;
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
        let r = t.reserve(&mut child, 3, || 10)?;
        t.umount(9, 0)?;
        assert!(matches!(r.commit(), Err(Errno::ENOENT)));
        let (all, total) = entries(&t, 8)?;
        assert_eq!((total, all.len()), (1, 1));
        Ok(())
    }
}
