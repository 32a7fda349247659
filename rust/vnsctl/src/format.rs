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
    /// A user namespace's uid map as the caller sees it (`FIRST:LOWER:COUNT,...`); not a default.
    Uidmap,
    /// Its gid map, likewise.
    Gidmap,
}

impl Column {
    /// Every column: the defaults, then the ones only `-o` shows.
    pub const EVERY: [Column; 9] = [
        Column::Ns,
        Column::Type,
        Column::Nprocs,
        Column::Level,
        Column::Parent,
        Column::Owner,
        Column::Uid,
        Column::Uidmap,
        Column::Gidmap,
    ];

    /// The default columns, in order.
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
            Column::Uidmap => "UIDMAP",
            Column::Gidmap => "GIDMAP",
        }
    }

    /// Parses a column name, case-insensitively.
    pub fn parse(s: &str) -> Option<Column> {
        Column::EVERY
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(s))
    }

    fn numeric(self) -> bool {
        !matches!(self, Column::Type | Column::Uidmap | Column::Gidmap)
    }

    /// Whether the column needs the id maps (`Maps`).
    pub fn needs_maps(self) -> bool {
        matches!(self, Column::Uidmap | Column::Gidmap)
    }

    fn value(self, e: &VnsNsEntry, maps: &Maps) -> Value {
        let map = |i: usize| {
            maps.get(&e.id)
                .and_then(|m| m.get(i))
                .map_or(Value::Null, |s| json!(s))
        };
        let id_or_null = |id: u64| if id == 0 { Value::Null } else { json!(id) };
        match self {
            Column::Ns => json!(e.id),
            Column::Type => json!(kind_name(e.kind)),
            Column::Nprocs => json!(e.nr_tasks),
            Column::Level => json!(e.level),
            Column::Parent => id_or_null(e.parent_id),
            Column::Owner => id_or_null(e.owner_id),
            Column::Uid => json!(e.owner_uid),
            Column::Uidmap => map(0),
            Column::Gidmap => map(1),
        }
    }
}

/// The id maps of user namespaces, by id: `[uid map, gid map]` as `FIRST:LOWER:COUNT,...`.
pub type Maps = std::collections::BTreeMap<u64, [String; 2]>;

/// A map as the UIDMAP and GIDMAP columns show it: `FIRST:LOWER:COUNT`, comma-separated.
pub fn map_text(extents: &[vns_core::abi::VnsIdExtent]) -> String {
    let parts: Vec<String> = extents
        .iter()
        .map(|e| format!("{}:{}:{}", e.first, e.lower_first, e.count))
        .collect();
    parts.join(",")
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
pub fn lsns_table(
    entries: &[VnsNsEntry],
    cols: &[Column],
    noheadings: bool,
    maps: &Maps,
) -> String {
    let headers: Vec<&str> = cols.iter().map(|c| c.name()).collect();
    let numeric: Vec<bool> = cols.iter().map(|c| c.numeric()).collect();
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            cols.iter()
                .map(|c| match c.value(e, maps) {
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
pub fn lsns_json(entries: &[VnsNsEntry], cols: &[Column], maps: &Maps) -> String {
    let list: Vec<Value> = entries
        .iter()
        .map(|e| {
            let mut m = Map::new();
            for c in cols {
                m.insert(c.name().to_ascii_lowercase(), c.value(e, maps));
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

/// The output formats' tests (`format/tests.rs`).
#[cfg(test)]
mod tests;
