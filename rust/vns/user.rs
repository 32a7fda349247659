// SPDX-License-Identifier: GPL-2.0

//! The state of a user vns (Documentation/vns.rst "Kinds", kernel/user_namespace.c): its level, its
//! owner, its id maps and its limits.

#![deny(unsafe_code)]

use kernel::{
    prelude::*,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        SetOnce, //
    }, //
};

use crate::{
    error::{
        Errno,
        VnsResult, //
    },
    kind::PerKind,
    vcore::{
        abi::{
            Kind,
            VNS_MAP_GID,
            VNS_MAP_UID, //
        },
        idmap::{
            IdMap,
            OVERFLOW_ID, //
        },
        ucount::UCOUNT_MAX_DEFAULT, //
    }, //
};

/// Which map of a user vns: `/proc/PID/uid_map` or `gid_map` (SET_ID_MAP's `which`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IdMapKind {
    /// The uid map.
    Uid,
    /// The gid map.
    Gid,
}

impl IdMapKind {
    /// Decodes the ABI's `which` (`VNS_MAP_UID`, `VNS_MAP_GID`): EINVAL otherwise.
    pub(crate) fn from_abi(which: u32) -> VnsResult<Self> {
        match which {
            VNS_MAP_UID => Ok(Self::Uid),
            VNS_MAP_GID => Ok(Self::Gid),
            _ => Err(Errno::EINVAL),
        }
    }
}

/// A user vns.
pub(crate) struct UserNs {
    /// Nesting level; init is 0.
    pub(crate) level: u32,
    /// The creator's effective kuid (`ns->owner`).
    pub(crate) owner_uid: u32,
    /// The creator's effective kgid (`ns->group`); kept as the kernel keeps it, though no v1 interface
    /// reports it.
    #[expect(
        dead_code,
        reason = "kept as the kernel keeps ns->group; no interface reports it yet"
    )]
    pub(crate) owner_gid: u32,
    /// `uid_map`: written once; read without locks.
    uid_map: SetOnce<KBox<IdMap>>,
    /// `gid_map`, as `uid_map`.
    gid_map: SetOnce<KBox<IdMap>>,
    /// `ucount_max[type]`, set through `/proc/sys/vns` by tasks in this namespace.
    pub(crate) ucount_max: PerKind<Atomic<i32>>,
}

impl UserNs {
    /// A user vns at `level` owned by (`uid`, `gid`), limits at INT_MAX, maps not written.
    pub(crate) fn new(level: u32, uid: u32, gid: u32) -> Self {
        Self {
            level,
            owner_uid: uid,
            owner_gid: gid,
            uid_map: SetOnce::new(),
            gid_map: SetOnce::new(),
            ucount_max: PerKind::from_fn(|_| Atomic::new(UCOUNT_MAX_DEFAULT as i32)),
        }
    }

    /// `READ_ONCE(ns->ucount_max[kind])`.
    pub(crate) fn ucount_max(&self, kind: Kind) -> i32 {
        self.ucount_max[kind].load(Relaxed)
    }

    fn slot(&self, kind: IdMapKind) -> &SetOnce<KBox<IdMap>> {
        match kind {
            IdMapKind::Uid => &self.uid_map,
            IdMapKind::Gid => &self.gid_map,
        }
    }

    /// The uid or gid map, if written.
    pub(crate) fn map(&self, kind: IdMapKind) -> Option<&IdMap> {
        self.slot(kind).as_ref().map(|b| &**b)
    }

    /// Installs a map: false if one was written first (a map is written once).
    pub(crate) fn set_map(&self, kind: IdMapKind, map: KBox<IdMap>) -> bool {
        self.slot(kind).populate(map)
    }

    /// `from_kuid_munged`/`from_kgid_munged`: `kid` as seen inside this namespace, the overflow id
    /// (65534) when unmapped.
    #[expect(
        clippy::wrong_self_convention,
        reason = "the kernel's name: from_kuid_munged()"
    )]
    pub(crate) fn from_kid_munged(&self, kind: IdMapKind, kid: u32) -> u32 {
        self.map(kind)
            .map_or(OVERFLOW_ID, |m| m.map_id_up_or_overflow(kid))
    }

    /// `kuid_has_mapping`/`kgid_has_mapping`.
    pub(crate) fn has_mapping(&self, kind: IdMapKind, kid: u32) -> bool {
        self.map(kind).is_some_and(|m| m.has_mapping(kid))
    }

    /// `make_kuid`: the kuid of `uid` as seen inside this namespace, if mapped.
    pub(crate) fn make_kuid(&self, uid: u32) -> Option<u32> {
        self.map(IdMapKind::Uid).and_then(|m| m.map_id_down(uid))
    }
}
