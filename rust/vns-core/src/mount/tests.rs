// SPDX-License-Identifier: GPL-2.0-only
//! Tests of the mount-table rules. First the shared cases (`selftest::TESTS`, run by `cargo test` and on
//! the STM32 target): fs/namespace.c `count_mounts()`, `sysctl_mount_max` and `copy_tree()`, and
//! Documentation/vns.rst, "Mount tables"; then host-only unit tests.

use super::*;
use Errno::*;

#[cfg_attr(test, test)]
pub(crate) fn mount_check_mount() {
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

#[cfg_attr(test, test)]
pub(crate) fn mount_check_umount() {
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

#[cfg_attr(test, test)]
pub(crate) fn mount_max_values() {
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

#[cfg_attr(test, test)]
pub(crate) fn mount_copy_table() {
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

// Host-only unit tests (`cargo test`).

#[test]
fn copy_table_empty() {
    let mut new: [MountLink; 0] = [];
    assert_eq!(copy_table(&[], &mut new, || Err(Errno::ENOMEM)), Ok(()));
}

#[test]
fn copy_table_passes_generator_error() {
    let old = [MountLink {
        id: 1,
        parent_id: 1,
    }];
    let mut new = [MountLink::default()];
    assert_eq!(
        copy_table(&old, &mut new, || Err(Errno::ENOMEM)),
        Err(Errno::ENOMEM)
    );
}
