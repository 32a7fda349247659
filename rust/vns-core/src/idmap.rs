// SPDX-License-Identifier: GPL-2.0-only
//! uid/gid maps of a user vns (Documentation/userspace-api/vns.rst, "VNS_IOC_SET_ID_MAP"), after
//! kernel/user_namespace.c (Linux 7.3): `map_write()`, `mappings_overlap()`, `new_idmap_permitted()`,
//! `map_id_range_down()`, `map_id_up()`.
//!
//! A map is stored as the kernel stores it: `first` inside the namespace, `lower_first` already translated
//! to kernel (init) ids through the parent's map, so `map_id_down` gives a kuid and `map_id_up` takes one.
//! The kernel's forward/reverse sorted copies for more than 5 extents are a lookup speed-up only; the
//! extents never overlap, so the linear search here finds the same extent.

use super::errno::{Errno, VnsResult};

/// Most extents in one map (`UID_GID_MAP_MAX_EXTENTS`, include/linux/user_namespace.h).
pub const UID_GID_MAP_MAX_EXTENTS: usize = 340;
/// The id an unmapped id reads as (`overflowuid`/`overflowgid`, `DEFAULT_OVERFLOWUID`).
pub const OVERFLOW_ID: u32 = 65534;
/// The invalid id, `(u32) -1`: `map_id_down`/`map_id_up` failure, refused as a `first`/`lower_first`.
pub const INVALID_ID: u32 = u32::MAX;

/// One extent: `count` ids from `first` inside map to `count` ids from `lower_first` outside.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct IdExtent {
    /// First id inside the namespace.
    pub first: u32,
    /// First id outside (in the parent namespace when written, in kernel ids once stored).
    pub lower_first: u32,
    /// Number of ids.
    pub count: u32,
}

impl IdExtent {
    /// An extent.
    pub const fn new(first: u32, lower_first: u32, count: u32) -> Self {
        IdExtent {
            first,
            lower_first,
            count,
        }
    }

    /// Checks one extent as `map_write()` does, EINVAL when: `first` or `lower_first` is `(u32) -1`;
    /// `count` is zero or the range wraps (`(extent.first + extent.count) <= extent.first`, and the same for
    /// `lower_first`, in u32 arithmetic).
    pub const fn validate(&self) -> VnsResult<()> {
        if self.first == INVALID_ID || self.lower_first == INVALID_ID {
            return Err(Errno::EINVAL);
        }
        if self.first.wrapping_add(self.count) <= self.first {
            return Err(Errno::EINVAL);
        }
        if self.lower_first.wrapping_add(self.count) <= self.lower_first {
            return Err(Errno::EINVAL);
        }
        Ok(())
    }

    /// Last inside id (`first + count - 1`, wrapping as the kernel's u32 arithmetic).
    pub const fn last(&self) -> u32 {
        self.first.wrapping_add(self.count).wrapping_sub(1)
    }

    /// Last outside id (`lower_first + count - 1`, wrapping).
    pub const fn lower_last(&self) -> u32 {
        self.lower_first.wrapping_add(self.count).wrapping_sub(1)
    }
}

/// Whether the ranges of `extent` intersect those of any of `prev`, inside or outside
/// (`mappings_overlap()`).
pub fn mappings_overlap(prev: &[IdExtent], extent: &IdExtent) -> bool {
    let (upper_first, upper_last) = (extent.first, extent.last());
    let (lower_first, lower_last) = (extent.lower_first, extent.lower_last());
    prev.iter().any(|p| {
        // Does the upper range intersect a previous extent?
        (p.first <= upper_last && p.last() >= upper_first)
            // Does the lower range intersect a previous extent?
            || (p.lower_first <= lower_last && p.lower_last() >= lower_first)
    })
}

/// Checks the number of extents a caller announces: 1 to 340, else EINVAL (`map_write()` refuses an
/// empty map and a 341st line). Returns it as a length.
pub const fn check_nr_extents(nr: u32) -> VnsResult<usize> {
    if nr == 0 || nr as usize > UID_GID_MAP_MAX_EXTENTS {
        return Err(Errno::EINVAL);
    }
    Ok(nr as usize)
}

/// Validates a new map as `map_write()` parses one (EINVAL): 1 to 340 extents, each valid
/// ([`IdExtent::validate`]) and overlapping none of the previous ones, inside or outside.
pub fn validate(extents: &[IdExtent]) -> VnsResult<()> {
    let nr = u32::try_from(extents.len()).map_err(|_| Errno::EINVAL)?;
    check_nr_extents(nr)?;
    for (i, e) in extents.iter().enumerate() {
        e.validate()?;
        if mappings_overlap(extents.get(..i).unwrap_or(&[]), e) {
            return Err(Errno::EINVAL);
        }
    }
    Ok(())
}

/// The writer of a map, as `new_idmap_permitted()` sees it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MapWriter {
    /// The writer's euid is the namespace's owner (`uid_eq(ns->owner, cred->euid)`).
    pub is_owner: bool,
    /// The writer's euid (uid map) or egid (gid map), as a kernel id.
    pub own_kid: u32,
    /// The writer has vns CAP_SETUID (uid map) or CAP_SETGID (gid map) in the parent namespace
    /// (`ns_capable(ns->parent, cap_setid)`; vns has no opener distinct from the writer).
    pub cap_setid_in_parent: bool,
}

/// `new_idmap_permitted()` for a uid or gid map: allowed when the writer is the namespace's owner and the
/// map is one extent of length 1 whose `lower_first`, mapped down through the parent's map, is the
/// writer's own euid (uid map) or egid (gid map); otherwise allowed only with CAP_SETUID/CAP_SETGID in
/// the parent. vns has no setgroups, so the gid case needs no "deny" (the kernel requires
/// `!USERNS_SETGROUPS_ALLOWED`) and no file capabilities (`verify_root_map()` has nothing to check).
pub fn new_idmap_permitted(writer: &MapWriter, parent_map: &IdMap, extents: &[IdExtent]) -> bool {
    if let [e] = extents {
        if e.count == 1
            && writer.is_owner
            && parent_map.map_id_down(e.lower_first) == Some(writer.own_kid)
        {
            return true;
        }
    }
    writer.cap_setid_in_parent
}

/// The checks of `map_write()` in its order, without installing anything:
/// 1. EPERM when the map was already written ("Only allow one successful write to the map");
/// 2. EINVAL for an invalid map ([`validate`]);
/// 3. EPERM unless [`new_idmap_permitted`];
/// 4. EPERM when an extent's outside range is not mapped in the parent (`map_id_range_down(parent_map,
///    lower_first, count)` fails).
pub fn check_map_write(
    already_written: bool,
    extents: &[IdExtent],
    writer: &MapWriter,
    parent_map: &IdMap,
) -> VnsResult<()> {
    if already_written {
        return Err(Errno::EPERM);
    }
    validate(extents)?;
    if !new_idmap_permitted(writer, parent_map, extents) {
        return Err(Errno::EPERM);
    }
    for e in extents {
        if parent_map
            .map_id_range_down(e.lower_first, e.count)
            .is_none()
        {
            return Err(Errno::EPERM);
        }
    }
    Ok(())
}

/// A uid or gid map of at most 340 extents, stored in place (4 KiB: the module keeps it in its
/// namespace object, never on the stack).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdMap {
    extents: [IdExtent; UID_GID_MAP_MAX_EXTENTS],
    nr: u32,
}

impl Default for IdMap {
    fn default() -> Self {
        Self::empty()
    }
}

impl IdMap {
    /// A map not written yet: maps nothing.
    pub const fn empty() -> Self {
        IdMap {
            extents: [IdExtent::new(0, 0, 0); UID_GID_MAP_MAX_EXTENTS],
            nr: 0,
        }
    }

    /// The init user namespace's map: `0 0 4294967295`, every id but `(u32) -1` to itself.
    pub const fn identity() -> Self {
        let mut m = Self::empty();
        m.extents[0] = IdExtent::new(0, 0, u32::MAX);
        m.nr = 1;
        m
    }

    /// A map of already-translated extents, validated ([`validate`]).
    #[cfg(any(test, feature = "testing"))]
    pub fn from_extents(extents: &[IdExtent]) -> VnsResult<Self> {
        let mut m = Self::empty();
        m.set_extents(extents)?;
        Ok(m)
    }

    /// Replaces the map's extents by validated `extents` (no translation).
    #[cfg(any(test, feature = "testing"))]
    pub fn set_extents(&mut self, extents: &[IdExtent]) -> VnsResult<()> {
        validate(extents)?;
        let dst = self.extents.get_mut(..extents.len()).ok_or(Errno::EINVAL)?;
        super::ustruct::copy_items(dst, extents);
        self.nr = u32::try_from(extents.len()).map_err(|_| Errno::EINVAL)?;
        Ok(())
    }

    /// `map_write()` into this map: runs [`check_map_write`] (already written = this map is not empty),
    /// then installs the extents with `lower_first` translated into kernel ids through `parent_map`.
    /// On error the map is unchanged.
    pub fn write(
        &mut self,
        extents: &[IdExtent],
        writer: &MapWriter,
        parent_map: &IdMap,
    ) -> VnsResult<()> {
        check_map_write(!self.is_empty(), extents, writer, parent_map)?;
        let dst = self.extents.get_mut(..extents.len()).ok_or(Errno::EINVAL)?;
        for (d, e) in dst.iter_mut().zip(extents) {
            let lower = parent_map
                .map_id_range_down(e.lower_first, e.count)
                .ok_or(Errno::EPERM)?;
            *d = IdExtent::new(e.first, lower, e.count);
        }
        // Published last, as the kernel's smp_wmb() before `map->nr_extents = new_map.nr_extents`.
        self.nr = u32::try_from(extents.len()).map_err(|_| Errno::EINVAL)?;
        Ok(())
    }

    /// The extents in use.
    pub fn extents(&self) -> &[IdExtent] {
        self.extents.get(..self.nr as usize).unwrap_or(&[])
    }

    /// Number of extents.
    #[cfg(any(test, feature = "testing"))]
    pub const fn nr_extents(&self) -> u32 {
        self.nr
    }

    /// Whether the map was never written (maps nothing).
    pub const fn is_empty(&self) -> bool {
        self.nr == 0
    }

    /// `map_id_range_down()`: the outside id of inside `id`, when the whole range `id..id+count` lies in
    /// one extent. `None` (the kernel's `(u32) -1`) otherwise, and for `count == 0` or a range that wraps
    /// (the kernel computes `id + count - 1` in u32; valid maps never need the wrapped case).
    pub fn map_id_range_down(&self, id: u32, count: u32) -> Option<u32> {
        let id2 = id.checked_add(count.checked_sub(1)?)?;
        let e = self
            .extents()
            .iter()
            .find(|e| id >= e.first && id <= e.last() && id2 >= e.first && id2 <= e.last())?;
        Some(id.wrapping_sub(e.first).wrapping_add(e.lower_first))
    }

    /// `map_id_down()`: `map_id_range_down(id, 1)`.
    pub fn map_id_down(&self, id: u32) -> Option<u32> {
        self.map_id_range_down(id, 1)
    }

    /// `map_id_range_up()`: the inside id of outside `id`, when `id..id+count` lies in one extent's outside
    /// range.
    pub fn map_id_range_up(&self, id: u32, count: u32) -> Option<u32> {
        let id2 = id.checked_add(count.checked_sub(1)?)?;
        let e = self.extents().iter().find(|e| {
            id >= e.lower_first
                && id <= e.lower_last()
                && id2 >= e.lower_first
                && id2 <= e.lower_last()
        })?;
        Some(id.wrapping_sub(e.lower_first).wrapping_add(e.first))
    }

    /// `map_id_up()`: `map_id_range_up(id, 1)`.
    pub fn map_id_up(&self, id: u32) -> Option<u32> {
        self.map_id_range_up(id, 1)
    }

    /// `from_kuid_munged()`: the inside id of kernel id `id`, or [`OVERFLOW_ID`] when unmapped.
    pub fn map_id_up_or_overflow(&self, id: u32) -> u32 {
        self.map_id_up(id).unwrap_or(OVERFLOW_ID)
    }

    /// `kuid_has_mapping()`: whether kernel id `id` is mapped in this map.
    pub fn has_mapping(&self, id: u32) -> bool {
        self.map_id_up(id).is_some()
    }
}

/// The tests of these rules, the shared cases of `selftest::TESTS` among them (`idmap/tests.rs`).
#[cfg(any(test, feature = "selftest"))]
#[expect(
    clippy::panic,
    reason = "a case whose map is refused fails, as a failed assert! does"
)]
pub(crate) mod tests;
