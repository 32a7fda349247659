// SPDX-License-Identifier: GPL-2.0

//! The ucounts table (spec §4, kernel/ucount.c): one entry per (user vns, kuid) with one counter per
//! kind, found under RCU, inserted under the table's spinlock with a re-check, freed an RCU grace period
//! after its last reference is gone. The hierarchical charge is `vns-core`'s `inc_ucount`/`dec_ucount`
//! over [`Level`].

#![deny(unsafe_code)]

use kernel::{
    prelude::*,
    sync::atomic::{Atomic, Full, Relaxed},
};

use crate::{
    error::VnsResult,
    ns::Ns,
    sys::{RcuObject, RcuRef, RcuTable},
    vcore::{
        abi::{Kind, VNS_NR_KINDS},
        ucount::{self, UcountLevel},
    },
};

/// Buckets of the table: `1 << UIDHASH_BITS` (128; 8 under the `small` profile), as spec §4 asks.
pub(crate) const UCOUNTS_BUCKETS: usize = ucount::UIDHASH_SZ;

/// `struct ucounts`: the namespaces of each kind that `uid` created in the user vns `ns_id` and in its
/// descendants (the counters are charged at every level up to init).
pub(crate) struct Ucounts {
    /// `ucount[type]`.
    ucount: [Atomic<i64>; VNS_NR_KINDS],
}

/// A counted reference to a ucounts entry (`get_ucounts`/`put_ucounts`).
pub(crate) type UcRef = RcuRef<Ucounts>;

/// The key of an entry: (user vns id, kuid).
pub(crate) type UcKey = (u64, u32);

impl RcuObject for Ucounts {
    type Key = UcKey;

    fn bucket(key: &UcKey, _buckets: usize) -> usize {
        ucount::ucounts_hashfn(key.0, key.1)
    }
}

impl Ucounts {
    /// The counter of `kind`.
    pub(crate) fn count(&self, kind: Kind) -> i64 {
        self.ucount.get(kind.index()).map_or(0, |c| c.load(Relaxed))
    }
}

/// `alloc_ucounts()`: the entry (user vns `ns`, `uid`), found or created.
pub(crate) fn alloc_ucounts(table: &RcuTable<Ucounts>, ns: &Ns, uid: u32) -> VnsResult<UcRef> {
    let key = (ns.id, uid);
    if let Some(found) = table.lookup(&key) {
        return Ok(found);
    }
    let new = RcuRef::new(
        key,
        Ucounts {
            ucount: [const { Atomic::new(0) }; VNS_NR_KINDS],
        },
        GFP_KERNEL_ACCOUNT,
    )?;
    Ok(table.insert_or_get(new))
}

/// One level of the charge walk: the entry `uc` of the user vns `ns` (`iter` and `iter->ns`).
pub(crate) struct Level<'a> {
    /// The entry.
    pub(crate) uc: &'a Ucounts,
    /// The user vns it counts in; its `ucount_max` is this level's limit.
    pub(crate) ns: &'a Ns,
}

impl UcountLevel for Level<'_> {
    fn inc_below(&self, kind: Kind, max: i64) -> bool {
        let Some(c) = self.uc.ucount.get(kind.index()) else {
            return false;
        };
        let mut cur = c.load(Relaxed);
        loop {
            if cur >= max {
                return false;
            }
            match c.cmpxchg(cur, cur + 1, Full) {
                Ok(_) => return true,
                Err(now) => cur = now,
            }
        }
    }

    fn dec(&self, kind: Kind) -> bool {
        let Some(c) = self.uc.ucount.get(kind.index()) else {
            return false;
        };
        let mut cur = c.load(Relaxed);
        loop {
            if cur <= 0 {
                return false;
            }
            match c.cmpxchg(cur, cur - 1, Full) {
                Ok(_) => return true,
                Err(now) => cur = now,
            }
        }
    }

    fn max(&self, kind: Kind) -> i64 {
        self.ns.user().map_or(0, |u| u.ucount_max(kind).into())
    }

    /// `iter->ns->ucounts`: the entry the user vns itself is charged to, in its parent.
    fn parent(&self) -> Option<Self> {
        let uc = self.ns.charge.as_ref()?;
        let parent = self.ns.owner.as_ref()?;
        Some(Level {
            uc,
            ns: parent,
        })
    }
}

/// A charge of one namespace of `kind` to (`ns`, uid) and every level above, not yet handed to the
/// namespace it pays for: dropping it returns the charge (so a failed unshare undoes it).
pub(crate) struct Charge<'a> {
    uc: Option<UcRef>,
    ns: &'a Ns,
    kind: Kind,
}

impl Charge<'_> {
    /// Hands the charged entry to the new namespace, which returns the charge when it is released.
    pub(crate) fn commit(mut self) -> Option<UcRef> {
        self.uc.take()
    }
}

impl Drop for Charge<'_> {
    fn drop(&mut self) {
        if let Some(uc) = self.uc.take() {
            dec_ucount(&uc, self.ns, self.kind);
        }
    }
}

/// `inc_ucount()`: charges one namespace of `kind` created by `uid` in the user vns `ns`, at every
/// level up to init. ENOSPC when a level is at its limit (every counter is then as before).
pub(crate) fn inc_ucount<'a>(table: &RcuTable<Ucounts>, ns: &'a Ns, uid: u32, kind: Kind) -> VnsResult<Charge<'a>> {
    let uc = alloc_ucounts(table, ns, uid)?;
    // On ENOSPC dropping `uc` puts the entry (`put_ucounts`).
    ucount::inc_ucount(&Level { uc: &uc, ns }, kind)?;
    Ok(Charge {
        uc: Some(uc),
        ns,
        kind,
    })
}

/// Undoes [`inc_ucount`] (`dec_ucount`); the reference `uc` is dropped by the caller.
pub(crate) fn dec_ucount(uc: &Ucounts, ns: &Ns, kind: Kind) {
    if !ucount::dec_ucount(&Level { uc, ns }, kind) {
        kernel::pr_warn_once!("ucounts: a counter of {} was already zero\n", kind.name());
    }
}
