//! `vnsctl time`: the clocks as the caller sees them through its time vns, beside the kernel's own
//! readings, and the offsets of its time vns for children (as /proc/PID/timens_offsets shows them).

use serde_json::{json, Map, Value};
use vns_core::abi::{Kind, VnsClockTs, VnsInfo};

use crate::format::{pretty, table};

/// The clocks `vnsctl time` shows, by name and id.
pub const CLOCKS: [(&str, i32); 6] = {
    use vns_core::timens::*;
    [
        ("realtime", CLOCK_REALTIME),
        ("monotonic", CLOCK_MONOTONIC),
        ("monotonic-raw", CLOCK_MONOTONIC_RAW),
        ("monotonic-coarse", CLOCK_MONOTONIC_COARSE),
        ("boottime", CLOCK_BOOTTIME),
        ("tai", CLOCK_TAI),
    ]
};

/// A clock's name, its reading through vns and the kernel's, (seconds, nanoseconds) each.
pub type ClockRow = (&'static str, (i64, i64), (i64, i64));

fn secs((sec, nsec): (i64, i64)) -> String {
    format!("{sec}.{nsec:09}")
}

fn offset_name(clock_id: i32) -> &'static str {
    match clock_id {
        vns_core::timens::CLOCK_MONOTONIC => "monotonic",
        vns_core::timens::CLOCK_BOOTTIME => "boottime",
        _ => "?",
    }
}

/// CLOCK VNS KERNEL, then the time vns ids and the offsets for children, as
/// /proc/PID/timens_offsets shows them.
pub fn time_text(rows: &[ClockRow], offsets: &[VnsClockTs], i: &VnsInfo) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|(name, vns, kernel)| vec![name.to_string(), secs(*vns), secs(*kernel)])
        .collect();
    let mut out = table(
        &["CLOCK", "VNS", "KERNEL"],
        &[false, true, true],
        &cells,
        false,
    );
    out.push_str(&format!(
        "time vns {}, for children {}; offsets for children:\n",
        i.ns_id[Kind::Time.index()],
        i.time_for_children_id
    ));
    for o in offsets {
        out.push_str(&format!(
            "{:<10} {:>12} {:>9}\n",
            offset_name(o.clock_id),
            o.sec,
            o.nsec
        ));
    }
    out
}

/// The same as JSON (`time -J`).
pub fn time_json(rows: &[ClockRow], offsets: &[VnsClockTs], i: &VnsInfo) -> String {
    let clocks: Vec<Value> = rows
        .iter()
        .map(|(name, vns, kernel)| {
            json!({
                "clock": name,
                "vns": { "sec": vns.0, "nsec": vns.1 },
                "kernel": { "sec": kernel.0, "nsec": kernel.1 },
            })
        })
        .collect();
    let mut offs = Map::new();
    for o in offsets {
        offs.insert(
            offset_name(o.clock_id).into(),
            json!({ "sec": o.sec, "nsec": o.nsec }),
        );
    }
    pretty(&json!({
        "clocks": clocks,
        "time": i.ns_id[Kind::Time.index()],
        "time_for_children": i.time_for_children_id,
        "offsets_for_children": offs,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_shows_clocks_and_offsets() {
        use vns_core::timens::{CLOCK_BOOTTIME, CLOCK_MONOTONIC};
        let rows = [
            ("monotonic", (105, 5), (5, 5)),
            ("realtime", (7, 0), (7, 0)),
        ];
        let offsets = [
            VnsClockTs {
                clock_id: CLOCK_MONOTONIC,
                sec: 100,
                ..Default::default()
            },
            VnsClockTs {
                clock_id: CLOCK_BOOTTIME,
                sec: -3,
                nsec: 500,
                ..Default::default()
            },
        ];
        let mut i = VnsInfo {
            time_for_children_id: 12,
            ..Default::default()
        };
        i.ns_id[Kind::Time.index()] = 8;
        let t = time_text(&rows, &offsets, &i);
        assert!(t.contains("monotonic 105.000000005 5.000000005\n"), "{t}");
        assert!(t.contains("time vns 8, for children 12"), "{t}");
        assert!(t.contains("boottime             -3       500\n"), "{t}");
        let j: Value = serde_json::from_str(&time_json(&rows, &offsets, &i)).unwrap();
        assert_eq!(j["clocks"][0]["vns"]["sec"], 105);
        assert_eq!(j["offsets_for_children"]["monotonic"]["sec"], 100);
        assert_eq!(j["time_for_children"], 12);
    }
}
