//! Output formats, kept pure so the host tests can check them: tables aligned as util-linux prints them
//! (left-aligned text, right-aligned numbers), and JSON as `lsns -J`/`findmnt -J` shape theirs.

use serde_json::{json, Map, Value};
use vns_core::abi::{
    Kind, VnsInfo, VnsMount, VnsNsEntry, VnsUcounts, VNS_INFO_FULL_CAPS, VNS_MNT_RDONLY,
};

use crate::dev::c_field;

/// A column of `lsns`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    /// Namespace id.
    Ns,
    /// Kind.
    Type,
    /// Tasks in it.
    Nprocs,
    /// Nesting level.
    Level,
    /// Parent namespace id.
    Parent,
    /// Owning user namespace id.
    Owner,
    /// The owner's uid as the caller sees it.
    Uid,
}

impl Column {
    /// Every column, in the default order.
    pub const ALL: [Column; 7] = [
        Column::Ns,
        Column::Type,
        Column::Nprocs,
        Column::Level,
        Column::Parent,
        Column::Owner,
        Column::Uid,
    ];

    /// Header text.
    pub fn name(self) -> &'static str {
        match self {
            Column::Ns => "NS",
            Column::Type => "TYPE",
            Column::Nprocs => "NPROCS",
            Column::Level => "LEVEL",
            Column::Parent => "PARENT",
            Column::Owner => "OWNER",
            Column::Uid => "UID",
        }
    }

    /// Parses a column name, case-insensitively.
    pub fn parse(s: &str) -> Option<Column> {
        Column::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(s))
    }

    fn numeric(self) -> bool {
        !matches!(self, Column::Type)
    }

    fn value(self, e: &VnsNsEntry) -> Value {
        let id_or_null = |id: u64| if id == 0 { Value::Null } else { json!(id) };
        match self {
            Column::Ns => json!(e.id),
            Column::Type => json!(kind_name(e.kind)),
            Column::Nprocs => json!(e.nr_tasks),
            Column::Level => json!(e.level),
            Column::Parent => id_or_null(e.parent_id),
            Column::Owner => id_or_null(e.owner_id),
            Column::Uid => json!(e.owner_uid),
        }
    }
}

/// Parses `-o` (comma-separated, a leading `+` adds to the defaults as util-linux does).
pub fn parse_columns(s: &str) -> Result<Vec<Column>, String> {
    let (mut cols, list) = match s.strip_prefix('+') {
        Some(rest) => (Column::ALL.to_vec(), rest),
        None => (Vec::new(), s),
    };
    for name in list.split(',').filter(|n| !n.is_empty()) {
        cols.push(Column::parse(name).ok_or_else(|| format!("unknown column: {name}"))?);
    }
    if cols.is_empty() {
        return Err("no columns".into());
    }
    Ok(cols)
}

/// The kind's name (`user`, `pid`, ...), `?` for an unknown number.
pub fn kind_name(kind: u32) -> &'static str {
    Kind::from_u32(kind).map_or("?", Kind::name)
}

/// A text table: header (unless `noheadings`) and rows, columns separated by one space, numbers
/// right-aligned.
pub fn table(headers: &[&str], numeric: &[bool], rows: &[Vec<String>], noheadings: bool) -> String {
    let mut width: Vec<usize> = headers
        .iter()
        .map(|h| if noheadings { 0 } else { h.len() })
        .collect();
    for r in rows {
        for (w, cell) in width.iter_mut().zip(r) {
            *w = (*w).max(cell.len());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[String]| {
        let n = cells.len();
        let mut l = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let w = width[i];
            if numeric.get(i).copied().unwrap_or(false) {
                l.push_str(&format!("{cell:>w$}"));
            } else if i + 1 == n {
                l.push_str(cell);
            } else {
                l.push_str(&format!("{cell:<w$}"));
            }
            if i + 1 < n {
                l.push(' ');
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    if !noheadings {
        line(&headers.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    }
    for r in rows {
        line(r);
    }
    out
}

/// `lsns` as a table.
pub fn lsns_table(entries: &[VnsNsEntry], cols: &[Column], noheadings: bool) -> String {
    let headers: Vec<&str> = cols.iter().map(|c| c.name()).collect();
    let numeric: Vec<bool> = cols.iter().map(|c| c.numeric()).collect();
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            cols.iter()
                .map(|c| match c.value(e) {
                    Value::Null => "-".to_string(),
                    Value::String(s) => s,
                    v => v.to_string(),
                })
                .collect()
        })
        .collect();
    table(&headers, &numeric, &rows, noheadings)
}

/// `lsns -J`: `{"namespaces": [{"ns": ..., "type": ..., ...}]}` with lower-case column names.
pub fn lsns_json(entries: &[VnsNsEntry], cols: &[Column]) -> String {
    let list: Vec<Value> = entries
        .iter()
        .map(|e| {
            let mut m = Map::new();
            for c in cols {
                m.insert(c.name().to_ascii_lowercase(), c.value(e));
            }
            Value::Object(m)
        })
        .collect();
    pretty(&json!({ "namespaces": list }))
}

fn mount_options(m: &VnsMount) -> &'static str {
    if m.flags & VNS_MNT_RDONLY != 0 {
        "ro"
    } else {
        "rw"
    }
}

/// `mounts`: ID PARENT SOURCE TARGET FSTYPE OPTIONS.
pub fn mounts_table(mounts: &[VnsMount]) -> String {
    let rows: Vec<Vec<String>> = mounts
        .iter()
        .map(|m| {
            vec![
                m.id.to_string(),
                m.parent_id.to_string(),
                c_field(&m.source),
                c_field(&m.target),
                c_field(&m.fstype),
                mount_options(m).to_string(),
            ]
        })
        .collect();
    table(
        &["ID", "PARENT", "SOURCE", "TARGET", "FSTYPE", "OPTIONS"],
        &[true, true, false, false, false, false],
        &rows,
        false,
    )
}

/// `mounts -J`: `{"filesystems": [...]}` as findmnt names them.
pub fn mounts_json(mounts: &[VnsMount]) -> String {
    let list: Vec<Value> = mounts
        .iter()
        .map(|m| {
            json!({
                "id": m.id,
                "parent": m.parent_id,
                "source": c_field(&m.source),
                "target": c_field(&m.target),
                "fstype": c_field(&m.fstype),
                "options": mount_options(m),
            })
        })
        .collect();
    pretty(&json!({ "filesystems": list }))
}

/// `info`: the caller's namespaces and identity.
pub fn info_text(i: &VnsInfo) -> String {
    let mut out = String::new();
    for k in Kind::ALL {
        out.push_str(&format!(
            "{:<19}{}\n",
            format!("{}:", k.name()),
            i.ns_id[k.index()]
        ));
    }
    out.push_str(&format!(
        "{:<19}{}\n",
        "pid_for_children:", i.pid_for_children_id
    ));
    out.push_str(&format!(
        "{:<19}{}\n",
        "time_for_children:", i.time_for_children_id
    ));
    out.push_str(&format!("{:<19}{}\n", "user level:", i.user_level));
    out.push_str(&format!("{:<19}{}\n", "pid level:", i.pid_level));
    out.push_str(&format!("{:<19}{}\n", "uid:", i.uid));
    out.push_str(&format!("{:<19}{}\n", "gid:", i.gid));
    out.push_str(&format!("{:<19}{}\n", "pid:", i.pid));
    out.push_str(&format!(
        "{:<19}{}\n",
        "capabilities:",
        if i.flags & VNS_INFO_FULL_CAPS != 0 {
            "full"
        } else {
            "partial"
        }
    ));
    out
}

/// `info -J`.
pub fn info_json(i: &VnsInfo) -> String {
    let mut ns = Map::new();
    for k in Kind::ALL {
        ns.insert(k.name().into(), json!(i.ns_id[k.index()]));
    }
    pretty(&json!({
        "namespaces": ns,
        "pid_for_children": i.pid_for_children_id,
        "time_for_children": i.time_for_children_id,
        "user_level": i.user_level,
        "pid_level": i.pid_level,
        "uid": i.uid,
        "gid": i.gid,
        "pid": i.pid,
        "full_caps": i.flags & VNS_INFO_FULL_CAPS != 0,
    }))
}

/// `ucounts`: KIND COUNT MAX.
pub fn ucounts_table(u: &VnsUcounts) -> String {
    let rows: Vec<Vec<String>> = Kind::ALL
        .iter()
        .map(|k| {
            vec![
                k.name().to_string(),
                u.count[k.index()].to_string(),
                u.max[k.index()].to_string(),
            ]
        })
        .collect();
    table(
        &["KIND", "COUNT", "MAX"],
        &[false, true, true],
        &rows,
        false,
    )
}

/// `limits`: NAME LIMIT, for each `max_*_namespaces` and `mount-max`.
pub fn limits_table(limits: &[(String, i64)]) -> String {
    let rows: Vec<Vec<String>> = limits
        .iter()
        .map(|(n, v)| vec![n.clone(), v.to_string()])
        .collect();
    table(&["NAME", "LIMIT"], &[false, true], &rows, false)
}

pub(crate) fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
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
        );
        assert_eq!(t, "NS TYPE PARENT\n 9 user      1\n12 uts       -\n");
    }

    #[test]
    fn lsns_noheadings() {
        let t = lsns_table(
            &[entry(9, Kind::Net, 0, 1)],
            &[Column::Ns, Column::Type],
            true,
        );
        assert_eq!(t, "9 net\n");
    }

    #[test]
    fn lsns_json_shape() {
        let j: Value =
            serde_json::from_str(&lsns_json(&[entry(5, Kind::Pid, 2, 1)], &Column::ALL)).unwrap();
        let ns = &j["namespaces"][0];
        assert_eq!(ns["ns"], 5);
        assert_eq!(ns["type"], "pid");
        assert_eq!(ns["nprocs"], 3);
        assert_eq!(ns["parent"], 2);
        assert_eq!(ns["uid"], 1000);
    }

    #[test]
    fn json_parent_zero_is_null() {
        let j: Value =
            serde_json::from_str(&lsns_json(&[entry(5, Kind::Ipc, 0, 1)], &[Column::Parent]))
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
}
