// SPDX-License-Identifier: GPL-2.0-only
//! Tests of the unshare flags. First the shared cases (`selftest::TESTS`, run by `cargo test` and on the
//! STM32 target): kernel/fork.c `ksys_unshare()` (completion) and `check_unshare_flags()` (Linux 7.3); then
//! host-only unit tests.

use super::super::errno::VnsResult;
use super::*;
use Errno::*;

#[cfg_attr(test, test)]
pub(crate) fn flags_completion() {
    let table: [(u64, u64); 14] = [
        (0, 0),
        (CLONE_NEWUSER, CLONE_NEWUSER | CLONE_THREAD | CLONE_FS),
        (CLONE_VM, CLONE_VM | CLONE_SIGHAND | CLONE_THREAD),
        (CLONE_SIGHAND, CLONE_SIGHAND | CLONE_THREAD),
        (CLONE_NEWNS, CLONE_NEWNS | CLONE_FS),
        (CLONE_THREAD, CLONE_THREAD), // THREAD does NOT imply VM in 7.3
        (CLONE_FS, CLONE_FS),
        (CLONE_FILES, CLONE_FILES),
        (CLONE_SYSVSEM, CLONE_SYSVSEM),
        (CLONE_NEWUTS | CLONE_NEWIPC, CLONE_NEWUTS | CLONE_NEWIPC),
        (
            CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME,
            CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME,
        ),
        (
            CLONE_NEWUSER | CLONE_NEWNS,
            CLONE_NEWUSER | CLONE_NEWNS | CLONE_THREAD | CLONE_FS,
        ),
        (
            CLONE_NEWUSER | CLONE_VM,
            CLONE_NEWUSER | CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | CLONE_FS,
        ),
        // 7.3: UNSHARE_EMPTY_MNTNS adds NEWNS, which adds FS; the bit itself stays.
        (
            UNSHARE_EMPTY_MNTNS,
            UNSHARE_EMPTY_MNTNS | CLONE_NEWNS | CLONE_FS,
        ),
    ];
    for (flags, want) in table {
        assert_eq!(complete_unshare_flags(flags), want, "{flags:#x}");
    }
}

#[cfg_attr(test, test)]
pub(crate) fn flags_completion_fixed_point() {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..256u64 {
        // A deterministic spread of flag words, biased towards the meaningful bits.
        x = x.rotate_left(17) ^ i.wrapping_mul(0x2545_F491_4F6C_DD1D);
        let f = x & (UNSHARE_ALLOWED | 0xffff_0000_0000_0000);
        let c = complete_unshare_flags(f);
        assert_eq!(complete_unshare_flags(c), c, "{f:#x}");
        assert_eq!(c & f, f, "completion only adds bits: {f:#x}");
    }
}

#[cfg_attr(test, test)]
pub(crate) fn flags_allowed_bits() {
    // Every accepted bit alone is accepted for a single-threaded task that shares nothing.
    let allowed = [
        CLONE_THREAD,
        CLONE_FS,
        CLONE_SIGHAND,
        CLONE_VM,
        CLONE_FILES,
        CLONE_SYSVSEM,
        CLONE_NEWNS,
        CLONE_NEWCGROUP,
        CLONE_NEWUTS,
        CLONE_NEWIPC,
        CLONE_NEWUSER,
        CLONE_NEWPID,
        CLONE_NEWNET,
        CLONE_NEWTIME,
        UNSHARE_EMPTY_MNTNS,
    ];
    let mut mask = 0;
    for f in allowed {
        mask |= f;
        let applied = unshare_flags(f, &TaskFacts::SINGLE);
        assert_eq!(applied, Ok(complete_unshare_flags(f)), "{f:#x}");
    }
    assert_eq!(mask, UNSHARE_ALLOWED);
    assert_eq!(
        unshare_flags(UNSHARE_ALLOWED, &TaskFacts::SINGLE),
        Ok(UNSHARE_ALLOWED)
    );
}

#[cfg_attr(test, test)]
pub(crate) fn flags_disallowed_bits() {
    // Every other bit of the 64 is EINVAL, alone or with valid flags (bits above 31 included).
    for bit in 0..64 {
        let f = 1u64 << bit;
        if f & UNSHARE_ALLOWED != 0 {
            continue;
        }
        assert_eq!(
            unshare_flags(f, &TaskFacts::SINGLE),
            Err(EINVAL),
            "bit {bit}"
        );
        assert_eq!(
            unshare_flags(f | CLONE_NEWUTS, &TaskFacts::SINGLE),
            Err(EINVAL),
            "bit {bit}"
        );
    }
}

#[cfg_attr(test, test)]
pub(crate) fn flags_task_checks() {
    let single = TaskFacts::SINGLE;
    let threads = TaskFacts {
        nr_threads: 2,
        ..single
    };
    let sighand = TaskFacts {
        sighand_shared: true,
        ..single
    };
    let mm = TaskFacts {
        mm_shared: true,
        ..single
    };
    let table: [(u64, TaskFacts, VnsResult<()>); 20] = [
        // thread_group_empty(): THREAD|SIGHAND|VM with other threads.
        (CLONE_THREAD, threads, Err(EINVAL)),
        (CLONE_SIGHAND, threads, Err(EINVAL)),
        (CLONE_VM, threads, Err(EINVAL)),
        (CLONE_NEWUSER, threads, Err(EINVAL)), // NEWUSER adds THREAD
        (CLONE_NEWNS, threads, Ok(())),
        (CLONE_NEWUTS | CLONE_NEWNET, threads, Ok(())),
        (CLONE_FS | CLONE_FILES, threads, Ok(())),
        // sighand->count > 1: SIGHAND|VM.
        (CLONE_SIGHAND, sighand, Err(EINVAL)),
        (CLONE_VM, sighand, Err(EINVAL)),
        (CLONE_THREAD, sighand, Ok(())),
        (CLONE_NEWUSER, sighand, Ok(())),
        (CLONE_NEWPID, sighand, Ok(())),
        // !current_is_single_threaded(): VM.
        (CLONE_VM, mm, Err(EINVAL)),
        (CLONE_SIGHAND, mm, Ok(())),
        (CLONE_THREAD, mm, Ok(())),
        (CLONE_NEWUSER | CLONE_NEWNS, mm, Ok(())),
        // Single-threaded, nothing shared: everything goes.
        (CLONE_VM, single, Ok(())),
        (CLONE_NEWUSER | CLONE_VM, single, Ok(())),
        (UNSHARE_EMPTY_MNTNS, single, Ok(())),
        // Disallowed bits win whatever the task (EINVAL either way).
        (1 << 32, single, Err(EINVAL)),
    ];
    for (flags, facts, want) in table {
        assert_eq!(
            check_unshare_flags(complete_unshare_flags(flags), &facts),
            want,
            "{flags:#x} {facts:?}"
        );
    }
}

#[cfg_attr(test, test)]
pub(crate) fn flags_zero_is_noop() {
    let busy = TaskFacts {
        nr_threads: 9,
        sighand_shared: true,
        mm_shared: true,
    };
    assert_eq!(unshare_flags(0, &TaskFacts::SINGLE), Ok(0));
    assert_eq!(unshare_flags(0, &busy), Ok(0));
}

#[cfg_attr(test, test)]
pub(crate) fn flags_create_order() {
    // kernel/nsproxy.c create_new_namespaces(): mnt, uts, ipc, pid, cgroup, net, time.
    assert_eq!(
        CREATE_ORDER,
        [
            Kind::Mnt,
            Kind::Uts,
            Kind::Ipc,
            Kind::Pid,
            Kind::Cgroup,
            Kind::Net,
            Kind::Time
        ]
    );
    let mut it = kinds_to_create(CLONE_NEWTIME | CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID);
    assert_eq!(it.next(), Some(Kind::Mnt));
    assert_eq!(it.next(), Some(Kind::Pid));
    assert_eq!(it.next(), Some(Kind::Time));
    assert_eq!(it.next(), None);
}

// Host-only unit tests (`cargo test`).

#[test]
fn kinds_to_create_order() {
    let mut out = [None; 7];
    for (slot, k) in out.iter_mut().zip(kinds_to_create(CLONE_NS_ALL)) {
        *slot = Some(k);
    }
    assert_eq!(
        out.map(|k| k.map(Kind::name)),
        CREATE_ORDER.map(|k| Some(k.name()))
    );
    assert_eq!(kinds_to_create(CLONE_NEWUSER).count(), 0);
    assert_eq!(
        kinds_to_create(CLONE_NEWNET | CLONE_NEWNS).next(),
        Some(Kind::Mnt)
    );
}

#[test]
fn empty_mntns_completes_to_newns() {
    let want = UNSHARE_EMPTY_MNTNS | CLONE_NEWNS | CLONE_FS;
    assert_eq!(complete_unshare_flags(UNSHARE_EMPTY_MNTNS), want);
    assert_eq!(
        unshare_flags(UNSHARE_EMPTY_MNTNS, &TaskFacts::SINGLE),
        Ok(want)
    );
    // It asks for a mount namespace, as CLONE_NEWNS does.
    assert!(wants(want, Kind::Mnt));
    assert_eq!(
        unshare_flags(UNSHARE_EMPTY_MNTNS | (1 << 32), &TaskFacts::SINGLE),
        Err(Errno::EINVAL)
    );
}

#[test]
fn zero_threads_counts_as_single() {
    let f = TaskFacts {
        nr_threads: 0,
        ..TaskFacts::SINGLE
    };
    assert_eq!(
        unshare_flags(CLONE_VM, &f),
        Ok(CLONE_VM | CLONE_SIGHAND | CLONE_THREAD)
    );
}

#[test]
fn setns_flags_and_order() {
    use super::super::abi::*;
    assert_eq!(check_setns_flags(0), Err(Errno::EINVAL));
    assert_eq!(check_setns_flags(CLONE_NS_ALL), Ok(()));
    for k in Kind::ALL {
        assert_eq!(check_setns_flags(k.clone_flag()), Ok(()), "{k:?}");
    }
    for bad in [
        CLONE_VM,
        CLONE_THREAD,
        CLONE_FS,
        UNSHARE_EMPTY_MNTNS,
        1 << 63,
        CLONE_NEWUTS | 1,
    ] {
        assert_eq!(check_setns_flags(bad), Err(Errno::EINVAL), "{bad:#x}");
    }
    // Every kind once, the user kind first.
    assert_eq!(SETNS_ORDER[0], Kind::User);
    for k in Kind::ALL {
        assert_eq!(SETNS_ORDER.iter().filter(|&&o| o == k).count(), 1, "{k:?}");
    }
}
