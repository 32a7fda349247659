// SPDX-License-Identifier: GPL-2.0

//! The ucounts table (Documentation/vns.rst "ucounts", kernel/ucount.c): one entry per (user vns, kuid)
//! with one counter per kind, found under RCU, inserted under the table's spinlock with a re-check,
//! freed an RCU grace period after its last reference is gone. The hierarchical charge is `vns-core`'s
//! `inc_ucount`/`dec_ucount` over [`Level`]; the user vns a level counts in is any [`UcountsOwner`]
//! (the namespace type implements it), so this file knows nothing of namespaces.

#![deny(unsafe_code)]

use kernel::{
    prelude::*,
    sync::atomic::{
        Atomic,
        Full,
        Relaxed, //
    }, //
};

use crate::{
    error::VnsResult,
    kind::PerKind,
    sys::{
        RcuObject,
        RcuRef,
        WeakTable, //
    },
    vcore::{
        abi::Kind,
        ucount::{
            self,
            UcountLevel, //
        }, //
    }, //
};

/// Buckets of the table: `1 << UIDHASH_BITS` (128; 8 under the `small` profile).
pub(crate) const UCOUNTS_BUCKETS: usize = ucount::UIDHASH_SZ;

/// The user vns a ucounts level counts in: its id, its limits and the level above it.
pub(crate) trait UcountsOwner {
    /// Its id (the first half of the table's key).
    fn id(&self) -> u64;
    /// `READ_ONCE(ns->ucount_max[kind])`.
    fn ucount_max(&self, kind: Kind) -> i64;
    /// `ns->ucounts` and `ns->parent`: the entry this user vns is itself charged to, and the user vns
    /// that entry counts in. `None` for the init user vns.
    fn charged_to(&self) -> Option<(&Ucounts, &Self)>;
}

/// `struct ucounts`: the namespaces of each kind that `uid` created in the user vns `ns_id` and in its
/// descendants (the counters are charged at every level up to init).
pub(crate) struct Ucounts {
    /// `ucount[type]`.
    ucount: PerKind<Atomic<i64>>,
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
        self.ucount[kind].load(Relaxed)
    }
}

/// The table.
pub(crate) struct UcountsTable {
    table: Pin<KBox<WeakTable<Ucounts>>>,
}

impl UcountsTable {
    /// An empty table.
    pub(crate) fn new() -> VnsResult<Self> {
        Ok(Self {
            table: KBox::pin_init(WeakTable::new(UCOUNTS_BUCKETS), GFP_KERNEL)?,
        })
    }

    /// `alloc_ucounts()`: the entry (user vns `ns`, `uid`), found or created (charged to the caller).
    fn alloc_ucounts(&self, ns: u64, uid: u32) -> VnsResult<UcRef> {
        let key = (ns, uid);
        if let Some(found) = self.table.lookup(&key) {
            return Ok(found);
        }
        let new = RcuRef::new(
            key,
            Ucounts {
                ucount: PerKind::from_fn(|_| Atomic::new(0)),
            },
            GFP_KERNEL_ACCOUNT,
        )?;
        Ok(self.table.insert_or_get(new))
    }

    /// `inc_ucount()`: charges one namespace of `kind` created by `uid` in the user vns `ns`, at every
    /// level up to init. ENOSPC when a level is at its limit (every counter is then as before).
    pub(crate) fn charge<'a, N: UcountsOwner>(
        &self,
        ns: &'a N,
        uid: u32,
        kind: Kind,
    ) -> VnsResult<Charge<'a, N>> {
        self.charge_with(ns, uid, kind, None)
    }

    /// [`UcountsTable::charge`] with `held`, an entry the caller holds (as the kernel's
    /// `cred->ucounts`): charged without a lookup when it is the one (`ns`, `uid`).
    pub(crate) fn charge_with<'a, N: UcountsOwner>(
        &self,
        ns: &'a N,
        uid: u32,
        kind: Kind,
        held: Option<&UcRef>,
    ) -> VnsResult<Charge<'a, N>> {
        let uc = match held {
            Some(held) if held.key() == (ns.id(), uid) => held.clone(),
            _ => self.alloc_ucounts(ns.id(), uid)?,
        };
        // On ENOSPC dropping `uc` puts the entry (`put_ucounts`).
        ucount::inc_ucount(&Level { uc: &uc, ns }, kind)?;
        Ok(Charge {
            uc: Some(uc),
            ns,
            kind,
        })
    }

    /// The entry of (`ns_id`, `kuid`), if it exists (GET_UCOUNTS).
    pub(crate) fn lookup(&self, ns_id: u64, kuid: u32) -> Option<UcRef> {
        self.table.lookup(&(ns_id, kuid))
    }
}

/// One level of the charge walk: the entry `uc` of the user vns `ns` (`iter` and `iter->ns`).
pub(crate) struct Level<'a, N: UcountsOwner> {
    /// The entry.
    uc: &'a Ucounts,
    /// The user vns it counts in; its `ucount_max` is this level's limit.
    ns: &'a N,
}

impl<N: UcountsOwner> UcountLevel for Level<'_, N> {
    fn inc_below(&self, kind: Kind, max: i64) -> bool {
        let c = &self.uc.ucount[kind];
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
        let c = &self.uc.ucount[kind];
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
        self.ns.ucount_max(kind)
    }

    /// `iter->ns->ucounts`: the entry the user vns itself is charged to, in its parent.
    fn parent(&self) -> Option<Self> {
        let (uc, ns) = self.ns.charged_to()?;
        Some(Level { uc, ns })
    }
}

/// A charge of one namespace of `kind` to (`ns`, uid) and every level above, not yet handed to the
/// namespace it pays for: dropping it returns the charge (so a failed unshare undoes it).
pub(crate) struct Charge<'a, N: UcountsOwner> {
    uc: Option<UcRef>,
    ns: &'a N,
    kind: Kind,
}

impl<N: UcountsOwner> Charge<'_, N> {
    /// The entry charged.
    pub(crate) fn entry(&self) -> Option<&UcRef> {
        self.uc.as_ref()
    }

    /// Hands the charged entry to the new namespace, which returns the charge when it is released.
    pub(crate) fn commit(mut self) -> Option<UcRef> {
        self.uc.take()
    }
}

impl<N: UcountsOwner> Drop for Charge<'_, N> {
    fn drop(&mut self) {
        if let Some(uc) = self.uc.take() {
            dec_ucount(&uc, self.ns, self.kind);
        }
    }
}

/// Undoes a charge (`dec_ucount`); the reference `uc` is dropped by the caller.
pub(crate) fn dec_ucount<N: UcountsOwner>(uc: &Ucounts, ns: &N, kind: Kind) {
    if !ucount::dec_ucount(&Level { uc, ns }, kind) {
        kernel::pr_warn_once!("ucounts: a counter of {} was already zero\n", kind.name());
    }
}
