// SPDX-License-Identifier: GPL-2.0-only
//! Tests of the id maps. First the shared cases (`selftest::TESTS`, run by `cargo test` and on the STM32
//! target): kernel/user_namespace.c `map_write()`, `mappings_overlap()`, `new_idmap_permitted()`,
//! `map_id_*()`; then host-only unit tests.

use super::*;
use Errno::*;

#[cfg_attr(test, test)]
pub(crate) fn idmap_extent_validate() {
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

#[cfg_attr(test, test)]
pub(crate) fn idmap_overlap() {
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

#[cfg_attr(test, test)]
pub(crate) fn idmap_nr_extents() {
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

#[cfg_attr(test, test)]
pub(crate) fn idmap_max_extents() {
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

#[cfg_attr(test, test)]
pub(crate) fn idmap_validate_maps() {
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

#[cfg_attr(test, test)]
pub(crate) fn idmap_map_down_up() {
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

#[cfg_attr(test, test)]
pub(crate) fn idmap_identity() {
    let m = IdMap::identity();
    assert_eq!(m.extents(), &[IdExtent::new(0, 0, 4_294_967_295)]);
    for id in [0, 1, 1000, 65534, u32::MAX - 1] {
        assert_eq!(m.map_id_down(id), Some(id));
        assert_eq!(m.map_id_up(id), Some(id));
    }
    assert_eq!(m.map_id_down(u32::MAX), None);
    assert_eq!(m.map_id_range_down(0, u32::MAX), Some(0));
}

#[cfg_attr(test, test)]
pub(crate) fn idmap_overflow_id() {
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

#[cfg_attr(test, test)]
pub(crate) fn idmap_permitted() {
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

#[cfg_attr(test, test)]
pub(crate) fn idmap_write_order() {
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

#[cfg_attr(test, test)]
pub(crate) fn idmap_write_translates() {
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

// Host-only unit tests (`cargo test`).

#[test]
fn last_wraps_like_u32() {
    assert_eq!(IdExtent::new(0, 0, u32::MAX).last(), u32::MAX - 1);
    assert_eq!(IdExtent::new(5, 7, 1).last(), 5);
    assert_eq!(IdExtent::new(5, 7, 1).lower_last(), 7);
}

#[test]
fn set_extents_keeps_old_map_on_error() {
    let mut m = IdMap::identity();
    assert_eq!(m.set_extents(&[]), Err(Errno::EINVAL));
    assert_eq!(m, IdMap::identity());
    assert_eq!(m.set_extents(&[IdExtent::new(0, 100, 10)]), Ok(()));
    assert_eq!(m.map_id_down(3), Some(103));
}

#[test]
fn write_leaves_map_unchanged_on_error() {
    let mut m = IdMap::empty();
    let w = MapWriter {
        is_owner: true,
        own_kid: 1000,
        cap_setid_in_parent: false,
    };
    assert_eq!(
        m.write(&[IdExtent::new(0, 1001, 1)], &w, &IdMap::identity()),
        Err(Errno::EPERM)
    );
    assert!(m.is_empty());
    assert_eq!(
        m.write(&[IdExtent::new(0, 1000, 1)], &w, &IdMap::identity()),
        Ok(())
    );
    assert_eq!(m.extents(), &[IdExtent::new(0, 1000, 1)]);
}

#[test]
fn range_down_needs_one_extent() {
    let m = IdMap::from_extents(&[IdExtent::new(0, 100, 10), IdExtent::new(10, 500, 10)]);
    assert!(m.is_ok());
    let Ok(m) = m else { return };
    assert_eq!(m.map_id_range_down(5, 5), Some(105));
    assert_eq!(m.map_id_range_down(5, 6), None); // spans two extents
    assert_eq!(m.map_id_range_down(5, 0), None);
    assert_eq!(m.map_id_range_up(500, 10), Some(10));
    assert_eq!(m.map_id_range_up(u32::MAX, 2), None);
}
