// SPDX-License-Identifier: GPL-2.0

//! Mount vns state (spec §5 mnt): a mount table ordered by a 64-bit `mnt_id_unique` in an rbtree (as
//! fs/namespace.c `mnt_add_to_ns`), copied with new ids on NEWNS, bounded by `mount-max` on add.

#![deny(unsafe_code)]

use kernel::{
    new_spinlock,
    prelude::*,
    rbtree::{RBTree, RBTreeNode},
    sync::SpinLock,
};

use crate::{
    error::{Errno, VnsResult},
    vcore::{
        abi::VnsMount,
        mount::{self, MountLink},
    },
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
}

/// A mount vns's table. The lock protects the tree; it is taken in process context only (ioctls and
/// NEWNS), and nothing sleeps under it (nodes are allocated before it is taken).
pub(crate) struct MntNs {
    /// The table.
    pub(crate) table: Pin<KBox<SpinLock<MountTable>>>,
}

impl MntNs {
    fn with(tree: RBTree<u64, MountEntry>, len: usize) -> VnsResult<Self> {
        Ok(Self {
            table: KBox::pin_init(new_spinlock!(MountTable { tree, len }, "vns_mount_table"), GFP_KERNEL)?,
        })
    }

    /// The init table: one root entry whose parent is itself (spec §5).
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

    /// A consistent snapshot of the whole table, in id order (allocated outside the lock; retried if
    /// the table grew in between).
    pub(crate) fn snapshot(&self, limit: usize) -> VnsResult<(KVec<MountEntry>, usize)> {
        loop {
            let len = self.table.lock().len;
            let want = len.min(limit);
            let mut v = KVec::with_capacity(want, GFP_KERNEL)?;
            let t = self.table.lock();
            if t.len.min(limit) > want {
                continue;
            }
            for e in t.tree.values().take(want) {
                // Within the capacity reserved above: no allocation under the lock.
                v.push(e.clone(), GFP_NOWAIT)?;
            }
            return Ok((v, t.len));
        }
    }

    /// A copy of this table with fresh ids from `next_id` and remapped parents (CLONE_NEWNS;
    /// `copy_tree` in fs/namespace.c). mount-max is not checked here, as the kernel does not.
    pub(crate) fn copy(&self, mut next_id: impl FnMut() -> u64) -> VnsResult<Self> {
        let (old, _) = self.snapshot(usize::MAX)?;
        let mut old_links = KVec::with_capacity(old.len(), GFP_KERNEL)?;
        let mut new_links = KVec::with_capacity(old.len(), GFP_KERNEL)?;
        for e in old.iter() {
            old_links.push(MountLink { id: e.m.id, parent_id: e.m.parent_id }, GFP_KERNEL)?;
            new_links.push(MountLink { id: 0, parent_id: 0 }, GFP_KERNEL)?;
        }
        mount::copy_table(&old_links, &mut new_links, || Ok(next_id()))?;
        let mut tree = RBTree::new();
        for (e, l) in old.into_iter().zip(new_links.iter()) {
            let mut entry = e;
            entry.m.id = l.id;
            entry.m.parent_id = l.parent_id;
            tree.try_create_and_insert(l.id, entry, GFP_KERNEL)?;
        }
        Self::with(tree, old_links.len())
    }

    /// Adds `m` (its `id` is set here) under `m.parent_id` (VNS_IOC_MOUNT): ENOENT for an unknown
    /// parent, ENOSPC at `mount_max` entries.
    pub(crate) fn mount(&self, m: &mut VnsMount, mount_max: u32, id: u64) -> VnsResult<()> {
        m.id = id;
        let node = RBTreeNode::new(id, MountEntry { m: *m, nr_children: 0 }, GFP_KERNEL)?;
        let mut t = self.table.lock();
        let parent_exists = t.tree.get(&m.parent_id).is_some();
        mount::check_mount(t.len as u64, mount_max, parent_exists, m.flags)?;
        let parent = t.tree.get_mut(&m.parent_id).ok_or(Errno::ENOENT)?;
        parent.nr_children += 1;
        t.tree.insert(node);
        t.len += 1;
        Ok(())
    }

    /// Removes entry `id` (VNS_IOC_UMOUNT): ENOENT unknown, EINVAL for the root, EBUSY with children.
    pub(crate) fn umount(&self, id: u64, flags: u64) -> VnsResult<()> {
        let removed = {
            let mut t = self.table.lock();
            let (exists, is_root, busy, parent) = match t.tree.get(&id) {
                Some(e) => (true, e.m.parent_id == e.m.id, e.nr_children > 0, e.m.parent_id),
                None => (false, false, false, 0),
            };
            mount::check_umount(flags, exists, is_root, busy)?;
            if let Some(p) = t.tree.get_mut(&parent) {
                p.nr_children = p.nr_children.saturating_sub(1);
            }
            t.len -= 1;
            t.tree.remove_node(&id)
        };
        // The node is freed outside the lock.
        drop(removed);
        Ok(())
    }
}
