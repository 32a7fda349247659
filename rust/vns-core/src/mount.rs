// SPDX-License-Identifier: GPL-2.0-only
//! Rules of the vns mount table (Documentation/vns.rst, "Mount tables"): the checks of VNS_IOC_MOUNT /
//! VNS_IOC_UMOUNT, the `mount-max` sysctl (Documentation/admin-guide/vns-sysctl.rst), and the parent
//! remapping of a table copy at unshare. The table itself (an rbtree ordered by a 64-bit unique id, as
//! fs/namespace.c `mnt_add_to_ns()`) lives in the module.

use super::abi::VNS_MNT_RDONLY;
use super::errno::{Errno, VnsResult};

/// Default of the `mount-max` sysctl (fs/namespace.c `sysctl_mount_max = 100000`).
pub const MOUNT_MAX_DEFAULT: u32 = 100_000;

/// The mount flags v1 knows.
pub const MNT_FLAGS_KNOWN: u64 = VNS_MNT_RDONLY;

/// Checks VNS_IOC_MOUNT, in this order:
/// 1. EINVAL for flags other than `VNS_MNT_RDONLY` (argument validation comes first);
/// 2. ENOENT when the parent id is unknown (the kernel's path lookup of the mount point);
/// 3. ENOSPC when the table already holds `mount_max` entries (fs/namespace.c `count_mounts()`:
///    `old + pending > max`, with one pending mount).
pub const fn check_mount(
    nr_entries: u64,
    mount_max: u32,
    parent_exists: bool,
    flags: u64,
) -> VnsResult<()> {
    if flags & !MNT_FLAGS_KNOWN != 0 {
        return Err(Errno::EINVAL);
    }
    if !parent_exists {
        return Err(Errno::ENOENT);
    }
    if nr_entries >= mount_max as u64 {
        return Err(Errno::ENOSPC);
    }
    Ok(())
}

/// Checks VNS_IOC_UMOUNT, in the order of Documentation/userspace-api/vns.rst, "VNS_IOC_UMOUNT": EINVAL for
/// non-zero flags; ENOENT for an unknown id; EINVAL for the root entry; EBUSY for an entry with children.
pub const fn check_umount(
    flags: u64,
    id_exists: bool,
    is_root: bool,
    has_children: bool,
) -> VnsResult<()> {
    if flags != 0 {
        return Err(Errno::EINVAL);
    }
    if !id_exists {
        return Err(Errno::ENOENT);
    }
    if is_root {
        return Err(Errno::EINVAL);
    }
    if has_children {
        return Err(Errno::EBUSY);
    }
    Ok(())
}

/// A value written to `/proc/sys/vns/mount-max`: 1..=INT_MAX, else EINVAL (fs/namespace.c registers
/// `mount-max` with `extra1 = SYSCTL_ONE`).
pub const fn check_mount_max(value: i64) -> VnsResult<u32> {
    if value < 1 || value > i32::MAX as i64 {
        return Err(Errno::EINVAL);
    }
    Ok(value as u32)
}

/// A mount entry's identity: its id and its parent's id (the root's parent is itself).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct MountLink {
    /// The entry's id.
    pub id: u64,
    /// Its parent's id (its own id for the root).
    pub parent_id: u64,
}

/// Copies a mount table's structure with new ids, as unshare(CLONE_NEWNS) copies the tree
/// (fs/namespace.c `copy_tree()`): `old` holds the entries in increasing id order (so every parent comes
/// before its children: a child is mounted after its parent); `next_id` hands out fresh ids. `new[i]` gets
/// a fresh id and the fresh id of `old[i]`'s parent (its own for a root). EINVAL if `new` is not as long
/// as `old`, if `old` is not in strictly increasing id order, or if a parent is missing or does not come
/// first; `next_id`'s error is passed on. On error `new` is partly written and must be discarded.
pub fn copy_table(
    old: &[MountLink],
    new: &mut [MountLink],
    mut next_id: impl FnMut() -> VnsResult<u64>,
) -> VnsResult<()> {
    if old.len() != new.len() {
        return Err(Errno::EINVAL);
    }
    for i in 0..old.len() {
        let o = *old.get(i).ok_or(Errno::EINVAL)?;
        let earlier = old.get(..i).ok_or(Errno::EINVAL)?;
        if earlier.last().is_some_and(|prev| prev.id >= o.id) {
            return Err(Errno::EINVAL);
        }
        let id = next_id()?;
        let parent_id = if o.parent_id == o.id {
            id
        } else {
            let j = earlier
                .binary_search_by_key(&o.parent_id, |m| m.id)
                .map_err(|_| Errno::EINVAL)?;
            new.get(j).ok_or(Errno::EINVAL)?.id
        };
        *new.get_mut(i).ok_or(Errno::EINVAL)? = MountLink { id, parent_id };
    }
    Ok(())
}

/// The tests of these rules, the shared cases of `selftest::TESTS` among them (`mount/tests.rs`).
#[cfg(any(test, feature = "selftest"))]
pub(crate) mod tests;
