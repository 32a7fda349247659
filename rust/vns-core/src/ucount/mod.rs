// SPDX-License-Identifier: GPL-2.0-only
//! ucounts: per (user vns, uid) counters of namespaces, charged up the user-namespace chain
//! (Documentation/vns.rst, "ucounts"; kernel/ucount.c `inc_ucount()` / `dec_ucount()` in Linux 7.3), the uid
//! hash of kernel/user.c, and the limits' sysctl rule (Documentation/admin-guide/vns-sysctl.rst).
//!
//! This file is the charge walk over any [`UcountLevel`], which the module implements over its own table.
//! Beside it, for the other users of the crate: `level.rs`, a free-standing chain for the tests and examples
//! (feature `testing`), `table.rs`, a fixed-capacity table for the STM32 port (feature `table`), and
//! `counters.rs`, the per-kind atomic counters both keep.

use super::abi::Kind;
use super::errno::{Errno, VnsResult};

#[cfg(any(test, feature = "table", feature = "testing"))]
mod counters;
#[cfg(any(test, feature = "testing"))]
mod level;
#[cfg(any(test, feature = "table"))]
mod table;

#[cfg(any(test, feature = "testing"))]
pub use self::level::Level;
#[cfg(any(test, feature = "table"))]
pub use self::table::{EntryId, TableLevel, UcountEntry, UcountTable};

#[cfg(any(test, feature = "table", feature = "testing"))]
use self::counters::Counters;

/// Limit of every kind in a new user vns: `INT_MAX` (kernel/user_namespace.c `create_user_ns()` sets
/// `ns->ucount_max[i] = INT_MAX`).
pub const UCOUNT_MAX_DEFAULT: i64 = i32::MAX as i64;

/// One level of a ucounts chain: the entry (ns, uid) and, through [`UcountLevel::parent`], the entry
/// (ns.parent, ns.owner) that the namespace ns itself is charged to, up to init (`iter->ns->ucounts`).
///
/// `parent` returns an owned handle so that both plain references (`&Entry`) and index-based views of a
/// table can walk the chain. The chain must be finite (levels strictly decrease); it is at most 34 long.
pub trait UcountLevel: Sized {
    /// Increments the counter of `kind` if it is below `max` (`atomic_long_inc_below()`); false otherwise.
    fn inc_below(&self, kind: Kind, max: i64) -> bool;
    /// Decrements the counter of `kind` if it is positive (`atomic_long_dec_if_positive()`); false (an
    /// accounting bug, the kernel's `WARN_ON_ONCE`) if it was already zero.
    fn dec(&self, kind: Kind) -> bool;
    /// The limit of `kind` in this level's user namespace (`READ_ONCE(iter->ns->ucount_max[type])`).
    fn max(&self, kind: Kind) -> i64;
    /// The next level towards init; `None` at the init user namespace.
    fn parent(&self) -> Option<Self>;
}

/// Calls `f(depth, level)` on `first` and each parent in turn until `f` returns false; returns the depth at
/// which it did, or `None` when the whole chain was visited.
fn walk_levels<L: UcountLevel>(first: &L, mut f: impl FnMut(usize, &L) -> bool) -> Option<usize> {
    if !f(0, first) {
        return Some(0);
    }
    let mut depth: usize = 1;
    let mut cur = first.parent();
    while let Some(level) = cur {
        if !f(depth, &level) {
            return Some(depth);
        }
        depth = depth.saturating_add(1);
        cur = level.parent();
    }
    None
}

/// kernel/ucount.c `inc_ucount()`: charges `kind` at every level from `first` to init, each below its own
/// namespace's limit. When a level is at its limit, the levels already charged (and only those) are
/// decremented again and the result is ENOSPC: every counter is then as before the call.
pub fn inc_ucount<L: UcountLevel>(first: &L, kind: Kind) -> VnsResult<()> {
    let Some(bad) = walk_levels(first, |_, level| level.inc_below(kind, level.max(kind))) else {
        return Ok(());
    };
    // `for (iter = ucounts; iter != bad; iter = iter->ns->ucounts) atomic_long_dec(...)`
    walk_levels(first, |depth, level| {
        if depth >= bad {
            return false;
        }
        level.dec(kind);
        true
    });
    Err(Errno::ENOSPC)
}

/// kernel/ucount.c `dec_ucount()`: uncharges `kind` at every level from `first` to init. Returns false if
/// some level was already zero (the kernel warns once; the other levels are still decremented).
pub fn dec_ucount<L: UcountLevel>(first: &L, kind: Kind) -> bool {
    let mut all_positive = true;
    walk_levels(first, |_, level| {
        all_positive &= level.dec(kind);
        true
    });
    all_positive
}

/// Checks a value written to one of the `max_*_namespaces` sysctls: 0..=INT_MAX, else EINVAL
/// (kernel/ucount.c `UCOUNT_ENTRY`: `proc_dointvec_minmax` between `SYSCTL_ZERO` and `SYSCTL_INT_MAX`).
pub const fn check_ucount_max(value: i64) -> VnsResult<u32> {
    if value < 0 || value > UCOUNT_MAX_DEFAULT {
        return Err(Errno::EINVAL);
    }
    Ok(value as u32)
}

/// A write to a `/proc/sys/vns/max_*` sysctl (Documentation/admin-guide/vns-sysctl.rst): EACCES without vns
/// CAP_SYS_RESOURCE in the caller's user vns (checked first: kernel/ucount.c `set_permissions()` decides at
/// open), then the range. (The module decides the permission itself, for the opener and the writer.)
#[cfg(any(test, feature = "testing"))]
pub const fn check_ucount_max_write(cap_sys_resource: bool, value: i64) -> VnsResult<u32> {
    if !cap_sys_resource {
        return Err(Errno::EACCES);
    }
    check_ucount_max(value)
}

// ---------------------------------------------------------------------------------------------------------
// Hash: kernel/user.c (Linux 7.3)
//   #define UIDHASH_BITS (IS_ENABLED(CONFIG_BASE_SMALL) ? 3 : 7)
//   #define __uidhashfn(uid) (((uid >> UIDHASH_BITS) + uid) & UIDHASH_MASK)

/// Bits of the ucounts hash: 3 under the small profile (`CONFIG_BASE_SMALL`), 7 otherwise.
#[cfg(feature = "small")]
pub const UIDHASH_BITS: u32 = 3;
/// Bits of the ucounts hash: 3 under the small profile (`CONFIG_BASE_SMALL`), 7 otherwise.
#[cfg(not(feature = "small"))]
pub const UIDHASH_BITS: u32 = 7;
/// Number of hash buckets (`UIDHASH_SZ`): 128, or 8 under the small profile.
pub const UIDHASH_SZ: usize = 1 << UIDHASH_BITS;
/// Mask of a bucket index (`UIDHASH_MASK`).
pub const UIDHASH_MASK: u32 = (1 << UIDHASH_BITS) - 1;

/// `__uidhashfn(uid)` of kernel/user.c: `((uid >> UIDHASH_BITS) + uid) & UIDHASH_MASK` (unsigned, so the
/// sum wraps; only its low bits are kept).
pub const fn uidhashfn(uid: u32) -> usize {
    ((uid >> UIDHASH_BITS).wrapping_add(uid) & UIDHASH_MASK) as usize
}

/// Folds a 64-bit namespace id to 32 bits (low half XOR high half).
pub const fn fold_ns_id(ns_id: u64) -> u32 {
    (ns_id as u32) ^ ((ns_id >> 32) as u32)
}

/// Bucket of (user vns, uid): `__uidhashfn(uid + fold(ns_id))`. The namespace is mixed in by addition,
/// as kernel/ucount.c `ucounts_hashfn()` adds the namespace pointer to the uid before hashing; the
/// 64-bit id is first folded to 32 bits so its high half counts too. Always below `UIDHASH_SZ`.
pub const fn ucounts_hashfn(ns_id: u64, uid: u32) -> usize {
    uidhashfn(uid.wrapping_add(fold_ns_id(ns_id)))
}

/// The tests of these rules, the shared cases of `selftest::TESTS` among them (`ucount/tests.rs`).
#[cfg(any(test, feature = "selftest"))]
#[expect(
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed insertion or index fails the case, as a failed assert! does"
)]
pub(crate) mod tests;
