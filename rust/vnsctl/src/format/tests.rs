//! Tests of the output formats: tables as util-linux prints them, and their JSON.

use super::*;

fn entry(id: u64, kind: Kind, parent: u64, owner: u64) -> VnsNsEntry {
    VnsNsEntry {
        id,
        parent_id: parent,
        owner_id: owner,
        kind: kind.as_u32(),
        level: 1,
        nr_tasks: 3,
        owner_uid: 1000,
    }
}

#[test]
fn columns_parse_case_insensitive_and_plus() {
    assert_eq!(
        parse_columns("ns,type").unwrap(),
        vec![Column::Ns, Column::Type]
    );
    assert_eq!(parse_columns("NPROCS").unwrap(), vec![Column::Nprocs]);
    let plus = parse_columns("+uid").unwrap();
    assert_eq!(plus.len(), Column::ALL.len() + 1);
    assert!(parse_columns("ns,bogus").unwrap_err().contains("bogus"));
    assert!(parse_columns("").is_err());
}

#[test]
fn lsns_table_aligns_numbers_right() {
    let t = lsns_table(
        &[entry(9, Kind::User, 1, 1), entry(12, Kind::Uts, 0, 9)],
        &[Column::Ns, Column::Type, Column::Parent],
        false,
        &Maps::new(),
    );
    assert_eq!(t, "NS TYPE PARENT\n 9 user      1\n12 uts       -\n");
}

#[test]
fn lsns_map_columns() {
    use vns_core::abi::VnsIdExtent;
    let mut maps = Maps::new();
    let e = |first, lower_first, count| VnsIdExtent {
        first,
        lower_first,
        count,
    };
    maps.insert(
        9,
        [
            map_text(&[e(0, 1000, 1), e(1, 100000, 65536)]),
            map_text(&[]),
        ],
    );
    let cols = parse_columns("NS,UIDMAP,GIDMAP").unwrap();
    assert!(cols.iter().all(|c| *c == Column::Ns || c.needs_maps()));
    let t = lsns_table(
        &[entry(9, Kind::User, 1, 1), entry(12, Kind::Uts, 0, 9)],
        &cols,
        true,
        &maps,
    );
    assert_eq!(
        t,
        " 9 0:1000:1,1:100000:65536\n12 -                       -\n"
    );
    // Not among the defaults, but "+" adds them.
    assert!(!Column::ALL.contains(&Column::Uidmap));
    assert_eq!(
        parse_columns("+GIDMAP").unwrap().len(),
        Column::ALL.len() + 1
    );
}

#[test]
fn lsns_json_shape() {
    let j: Value = serde_json::from_str(&lsns_json(
        &[entry(5, Kind::Pid, 2, 1)],
        &Column::ALL,
        &Maps::new(),
    ))
    .unwrap();
    let ns = &j["namespaces"][0];
    assert_eq!(ns["ns"], 5);
    assert_eq!(ns["type"], "pid");
    assert_eq!(ns["nprocs"], 3);
    assert_eq!(ns["parent"], 2);
    assert_eq!(ns["uid"], 1000);
}

#[test]
fn json_parent_zero_is_null() {
    let j: Value = serde_json::from_str(&lsns_json(
        &[entry(5, Kind::Ipc, 0, 1)],
        &[Column::Parent],
        &Maps::new(),
    ))
    .unwrap();
    assert!(j["namespaces"][0]["parent"].is_null());
}

#[test]
fn kind_names() {
    assert_eq!(kind_name(0), "user");
    assert_eq!(kind_name(7), "time");
    assert_eq!(kind_name(8), "?");
}

#[test]
fn mounts_render() {
    let mut m = VnsMount::zeroed();
    m.id = 3;
    m.parent_id = 1;
    m.flags = VNS_MNT_RDONLY;
    vns_core::abi::set_c_str(&mut m.source, b"tmpfs").unwrap();
    vns_core::abi::set_c_str(&mut m.target, b"/tmp").unwrap();
    vns_core::abi::set_c_str(&mut m.fstype, b"tmpfs").unwrap();
    let t = mounts_table(&[m]);
    assert_eq!(
        t,
        "ID PARENT SOURCE TARGET FSTYPE OPTIONS\n 3      1 tmpfs  /tmp   tmpfs  ro\n"
    );
    let j: Value = serde_json::from_str(&mounts_json(&[m])).unwrap();
    assert_eq!(j["filesystems"][0]["target"], "/tmp");
    assert_eq!(j["filesystems"][0]["options"], "ro");
}

#[test]
fn info_lists_every_kind() {
    let i = VnsInfo {
        ns_id: [1, 2, 3, 4, 5, 6, 7, 8],
        flags: VNS_INFO_FULL_CAPS,
        ..Default::default()
    };
    let t = info_text(&i);
    assert!(t.starts_with("user:              1\n"));
    assert!(t.contains("time:              8\n"));
    assert!(t.contains("capabilities:      full\n"));
    let j: Value = serde_json::from_str(&info_json(&i)).unwrap();
    assert_eq!(j["namespaces"]["mnt"], 6);
    assert_eq!(j["full_caps"], true);
}

#[test]
fn ucounts_and_limits_tables() {
    let mut u = VnsUcounts::default();
    u.count[2] = 1;
    u.max[2] = 10;
    let t = ucounts_table(&u);
    assert!(t.contains("\nuts        1  10\n"), "{t}");
    let l = limits_table(&[
        ("max_uts_namespaces".into(), 5),
        ("mount-max".into(), 100000),
    ]);
    assert_eq!(
        l,
        "NAME                LIMIT\nmax_uts_namespaces      5\nmount-max          100000\n"
    );
}
