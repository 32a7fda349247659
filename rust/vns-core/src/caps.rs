// SPDX-License-Identifier: GPL-2.0-only
//! Capabilities inside vns (Documentation/vns.rst, "Capabilities"): the walk of security/commoncap.c
//! `cap_capable()` / `cap_capable_helper()` (Linux 7.3) over a user-namespace chain, and the capability sets
//! a task holds.

/// `CAP_SETGID` (include/uapi/linux/capability.h).
pub const CAP_SETGID: u32 = 6;
/// `CAP_SETUID`.
pub const CAP_SETUID: u32 = 7;
/// `CAP_SYS_PTRACE`.
pub const CAP_SYS_PTRACE: u32 = 19;
/// `CAP_SYS_ADMIN`.
pub const CAP_SYS_ADMIN: u32 = 21;
/// `CAP_SYS_RESOURCE`.
pub const CAP_SYS_RESOURCE: u32 = 24;
/// `CAP_SYS_TIME`.
pub const CAP_SYS_TIME: u32 = 25;
/// `CAP_LAST_CAP` (`CAP_CHECKPOINT_RESTORE`, 40).
pub const CAP_LAST_CAP: u32 = 40;

/// A capability set, one bit per capability (`kernel_cap_t`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CapSet(pub u64);

impl CapSet {
    /// Every capability up to `CAP_LAST_CAP` (`CAP_FULL_SET`).
    pub const fn full() -> Self {
        CapSet((1u64 << (CAP_LAST_CAP + 1)) - 1)
    }

    /// No capability.
    pub const fn empty() -> Self {
        CapSet(0)
    }

    /// Whether `cap` is in the set (`cap_raised()`); false for a number past 63.
    pub const fn has(self, cap: u32) -> bool {
        cap < 64 && self.0 & (1u64 << cap) != 0
    }

    /// The set with `cap` added (unchanged for a number past 63).
    #[cfg(any(test, feature = "testing"))]
    pub const fn with(self, cap: u32) -> Self {
        if cap < 64 {
            CapSet(self.0 | (1u64 << cap))
        } else {
            self
        }
    }

    /// The set with `cap` removed.
    #[cfg(any(test, feature = "testing"))]
    pub const fn without(self, cap: u32) -> Self {
        if cap < 64 {
            CapSet(self.0 & !(1u64 << cap))
        } else {
            self
        }
    }

    /// Whether the set holds every capability.
    pub const fn is_full(self) -> bool {
        self.0 & CapSet::full().0 == CapSet::full().0
    }
}

/// The set a task holds in a user vns right after it created or joined it (Documentation/vns.rst,
/// "Capabilities"): the full set, as a new user namespace's creator gets (kernel/user_namespace.c
/// `set_cred_user_ns()`).
#[cfg(any(test, feature = "testing"))]
pub const fn caps_in_new_ns() -> CapSet {
    CapSet::full()
}

/// The set a task holds in its own (non-init) user vns after execve (Documentation/vns.rst, "Capabilities"):
/// full if its euid maps to root in that namespace, empty otherwise.
pub const fn caps_after_exec(euid_maps_to_root: bool) -> CapSet {
    if euid_maps_to_root {
        CapSet::full()
    } else {
        CapSet::empty()
    }
}

/// A user namespace as `cap_capable()` sees it. `parent` returns an owned handle so that both references
/// and index-based views can implement it.
pub trait UserNsView: Sized {
    /// Unique id (namespace identity: `ns == cred_ns` compares ids).
    fn id(&self) -> u64;
    /// Nesting level (init is 0).
    fn level(&self) -> u32;
    /// The owner's kuid (`ns->owner`).
    fn owner(&self) -> u32;
    /// The parent namespace; `None` at init.
    fn parent(&self) -> Option<Self>;
}

/// security/commoncap.c `cap_capable_helper()`: whether a task whose own user namespace is `cred_ns`,
/// whose euid is `euid` and which holds the capability in `cred_ns` iff `has_cap_in_own`, has it over
/// `target`. Walking from `target` towards init:
/// - at `cred_ns`: the task's own set decides;
/// - at a level not below `cred_ns`'s (`ns->level <= cred_ns->level`): no;
/// - a namespace whose parent is `cred_ns` and whose owner is `euid`: yes (the owner has all caps);
/// - otherwise go to the parent.
pub fn ns_capable_walk<N: UserNsView>(
    cred_ns: &N,
    euid: u32,
    has_cap_in_own: bool,
    target: &N,
) -> bool {
    let (cred_id, cred_level) = (cred_ns.id(), cred_ns.level());
    let mut cur: Option<N> = None;
    loop {
        let ns = cur.as_ref().unwrap_or(target);
        if ns.id() == cred_id {
            return has_cap_in_own;
        }
        if ns.level() <= cred_level {
            return false;
        }
        let owner = ns.owner();
        let Some(parent) = ns.parent() else {
            // Only init has no parent, and init's level (0) never exceeds cred_ns's.
            return false;
        };
        if parent.id() == cred_id && owner == euid {
            return true;
        }
        cur = Some(parent);
    }
}

/// `vns_capable(task, target, cap)` (Documentation/vns.rst, "Capabilities"): [`ns_capable_walk`] with the
/// task's set in its own namespace.
#[cfg(any(test, feature = "testing"))]
pub fn vns_capable<N: UserNsView>(
    cred_ns: &N,
    euid: u32,
    own_caps: CapSet,
    target: &N,
    cap: u32,
) -> bool {
    ns_capable_walk(cred_ns, euid, own_caps.has(cap), target)
}

/// A plain user-namespace node for tests and examples; implements [`UserNsView`] through `&NsNode`.
#[cfg(any(test, feature = "testing"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NsNode<'a> {
    /// Unique id.
    pub id: u64,
    /// Level (init is 0).
    pub level: u32,
    /// Owner kuid.
    pub owner: u32,
    /// Parent node.
    pub parent: Option<&'a NsNode<'a>>,
}

#[cfg(any(test, feature = "testing"))]
impl<'a> NsNode<'a> {
    /// The init user namespace node: level 0, owner 0, no parent.
    pub const fn init(id: u64) -> Self {
        NsNode {
            id,
            level: 0,
            owner: 0,
            parent: None,
        }
    }

    /// A child of `parent` owned by `owner`, one level below it.
    pub const fn child(parent: &'a NsNode<'a>, id: u64, owner: u32) -> Self {
        NsNode {
            id,
            level: parent.level.saturating_add(1),
            owner,
            parent: Some(parent),
        }
    }
}

#[cfg(any(test, feature = "testing"))]
impl<'a> UserNsView for &'a NsNode<'a> {
    fn id(&self) -> u64 {
        self.id
    }

    fn level(&self) -> u32 {
        self.level
    }

    fn owner(&self) -> u32 {
        self.owner
    }

    fn parent(&self) -> Option<Self> {
        self.parent
    }
}

/// The tests of these rules, the shared cases of `selftest::TESTS` among them (`caps/tests.rs`).
#[cfg(any(test, feature = "selftest"))]
pub(crate) mod tests;
