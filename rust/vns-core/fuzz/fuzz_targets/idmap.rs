//! Fuzzes vns-core's id-map parser and rules (Documentation/userspace-api/vns.rst, "VNS_IOC_SET_ID_MAP"): any
//! extents either validate or are refused, and a validated map never overlaps and maps every id it maps down
//! back up to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vns_core::idmap::{self, IdExtent, IdMap, MapWriter};

fuzz_target!(|data: &[u8]| {
    let extents: Vec<IdExtent> = data
        .chunks_exact(12)
        .take(400)
        .map(|c| {
            let w = |i: usize| u32::from_le_bytes([c[i], c[i + 1], c[i + 2], c[i + 3]]);
            IdExtent::new(w(0), w(4), w(8))
        })
        .collect();
    let Ok(()) = idmap::validate(&extents) else {
        return;
    };
    assert!((1..=340).contains(&extents.len()));
    for (i, e) in extents.iter().enumerate() {
        assert!(e.count >= 1);
        assert!(!idmap::mappings_overlap(&extents[..i], e));
    }
    // A panic is how a fuzz target reports a finding.
    let Ok(map) = IdMap::from_extents(&extents) else {
        panic!("a validated map was refused: {extents:?}");
    };
    for e in &extents {
        for id in [e.first, e.first.wrapping_add(e.count / 2), e.last()] {
            let Some(down) = map.map_id_down(id) else {
                panic!("{id} is inside an extent but does not map down");
            };
            assert_eq!(map.map_id_up(down), Some(id));
        }
    }
    // Writing it as an unprivileged owner into a fresh map: permitted only for one extent of one id.
    let writer = MapWriter { is_owner: true, own_kid: extents[0].lower_first, cap_setid_in_parent: false };
    let mut fresh = IdMap::empty();
    if fresh.write(&extents, &writer, &IdMap::identity()).is_ok() {
        assert!(extents.len() == 1 && extents[0].count == 1);
    }
});
