// SPDX-License-Identifier: GPL-2.0-only
//! Tests of the capabilities. First the shared cases (`selftest::TESTS`, run by `cargo test` and on the
//! STM32 target): security/commoncap.c `cap_capable_helper()`; then host-only unit tests.

use super::*;

#[cfg_attr(test, test)]
pub(crate) fn caps_walk() {
    // init(1, level 0) ─┬─ a(2, owner 1000) ── b(3, owner 1000) ── c(4, owner 2000)
    //                   └─ s(5, owner 2000)
    let init = NsNode::init(1);
    let a = NsNode::child(&init, 2, 1000);
    let b = NsNode::child(&a, 3, 1000);
    let c = NsNode::child(&b, 4, 2000);
    let s = NsNode::child(&init, 5, 2000);
    // (cred ns, euid, cap in own ns, target, expected)
    let table: [(&NsNode<'_>, u32, bool, &NsNode<'_>, bool); 16] = [
        (&init, 0, true, &init, true), // own ns: own set
        (&init, 1000, false, &init, false),
        (&init, 1000, true, &a, true), // cap in an ancestor covers descendants
        (&init, 1000, true, &c, true),
        (&init, 1000, false, &a, true), // owner of a, a's parent is init
        (&init, 1000, false, &b, true), // via a: walking up reaches a
        (&init, 2000, false, &a, false), // not the owner
        (&init, 2000, false, &s, true), // owner of s
        (&a, 1000, true, &init, false), // target above the task
        (&a, 1000, true, &s, false),    // sibling at the same level
        (&a, 1000, false, &b, true),    // owner of b, b's parent is a
        (&a, 2000, false, &b, false),
        (&a, 0, true, &c, true),
        (&b, 2000, false, &c, true),  // owner of c
        (&b, 1000, false, &c, false), // c owned by 2000, no cap in b
        (&s, 2000, true, &c, false),  // different branch
    ];
    for (cred, euid, has, target, want) in table {
        assert_eq!(
            ns_capable_walk(&cred, euid, has, &target),
            want,
            "cred {} euid {euid} target {}",
            cred.id,
            target.id
        );
    }
    // vns_capable picks the capability out of the own set.
    let set = CapSet::empty().with(CAP_SYS_ADMIN);
    assert!(vns_capable(&&a, 5, set, &&b, CAP_SYS_ADMIN));
    assert!(!vns_capable(&&a, 5, set, &&b, CAP_SETUID));
    assert!(vns_capable(&&a, 1000, CapSet::empty(), &&b, CAP_SETGID)); // the owner has all caps
}

#[cfg_attr(test, test)]
pub(crate) fn caps_sets() {
    let table: [(u32, u32); 6] = [
        (CAP_SETGID, 6),
        (CAP_SETUID, 7),
        (CAP_SYS_PTRACE, 19),
        (CAP_SYS_ADMIN, 21),
        (CAP_SYS_RESOURCE, 24),
        (CAP_SYS_TIME, 25),
    ];
    for (cap, want) in table {
        assert_eq!(cap, want);
        assert!(CapSet::full().has(cap));
        assert!(!CapSet::empty().has(cap));
    }
    assert_eq!(caps_after_exec(true), CapSet::full());
    assert_eq!(caps_after_exec(false), CapSet::empty());
}

// Host-only unit tests (`cargo test`).

#[test]
fn capset_bits() {
    assert_eq!(CapSet::full().0, (1 << 41) - 1);
    assert!(CapSet::full().has(CAP_LAST_CAP));
    assert!(!CapSet::full().has(CAP_LAST_CAP + 1));
    assert!(!CapSet::full().has(64));
    assert!(!CapSet::empty().has(CAP_SYS_ADMIN));
    let s = CapSet::empty().with(CAP_SETUID);
    assert!(s.has(CAP_SETUID) && !s.has(CAP_SETGID));
    assert_eq!(s.without(CAP_SETUID), CapSet::empty());
    assert_eq!(s.with(99), s);
    assert!(CapSet::full().is_full() && !s.is_full());
}

#[test]
fn caps_after_exec_rule() {
    assert_eq!(caps_after_exec(true), CapSet::full());
    assert_eq!(caps_after_exec(false), CapSet::empty());
    assert_eq!(caps_in_new_ns(), CapSet::full());
}
