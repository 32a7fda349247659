// SPDX-License-Identifier: GPL-2.0-only
//! `vns-stm32`: vns-core's namespaces, ucounts and limits for firmware on the STM32H750 (Cortex-M7), with no
//! allocator and no OS.
//!
//! A [`Vns`] is a fixed-capacity namespace hierarchy (`NS` namespace slots) and ucounts table (`UC` entries,
//! vns-core's [`UcountTable`] under the `small` profile: 8 hash buckets, as the kernel's CONFIG_BASE_SMALL),
//! built by a `const fn` so that it lives in a `static`:
//!
//! ```ignore
//! static VNS: Vns<16, 16> = Vns::new();
//! let u = VNS.create(TaskId(1), NsId::INIT_USER, Kind::User)?;   // a user namespace for task 1
//! VNS.set_max(u, Kind::Net, 2)?;                                  // as /proc/sys/vns/max_net_namespaces
//! let n = VNS.create(TaskId(2), u, Kind::Net)?;                   // charged to (u, task 2), then up to init
//! VNS.release(n)?;                                                // the charge is gone when this returns
//! ```
//!
//! Owners are firmware tasks named by a small [`TaskId`]: a task plays the part of a uid (kuid) in the
//! module, and the creator of a namespace is charged for it. The rules are vns-core's and the module's
//! (Documentation/vns.rst, "Objects", "Unshare" and "ucounts"; Documentation/admin-guide/vns-sysctl.rst): the
//! eight kinds; a new namespace of kind K owned by user namespace U and created by task T charges (U, T)[K]
//! below U's limit, then (U.parent, U.owner)[K] below U.parent's limit, up to init
//! ([`vns_core::ucount::inc_ucount`]), and a level at its limit unwinds the levels already charged (ENOSPC);
//! user namespaces nest at most 33 levels below init and pid namespaces 32 ([`vns_core::depth`], ENOSPC);
//! limits are 0..=INT_MAX (EINVAL otherwise, [`vns_core::ucount::check_ucount_max`]) and start at INT_MAX; a
//! full table is ENOMEM. Every failed call leaves every counter, slot and id exactly as before.
//!
//! There are no credentials on the chip, so there are no permission checks (EPERM, EACCES): the firmware
//! decides which task may call what. ipc, net, cgroup, time, uts and mnt namespaces carry identity,
//! ownership and accounting only; user and pid namespaces also nest.
//!
//! # Interrupt safety
//!
//! Every operation runs inside one `critical_section::with` (on this single-core chip, cortex-m's
//! `critical-section-single-core` implementation: PRIMASK set for the duration, restored after). No interrupt
//! handler can therefore run between two steps of an operation: a charge walks its whole chain, and unwinds
//! it on ENOSPC, before any other thread-mode or handler code can observe or change a counter; table
//! insertions and removals are likewise never seen half done. Calls from thread mode and from any interrupt
//! handler (PendSV, SysTick, NVIC interrupts) may therefore interleave freely. The counters themselves are
//! also atomics (vns-core's `AtomicU32`s, compare-and-swap by LDREX/STREX on the Cortex-M7), but the
//! critical section is what makes a multi-level charge and a table update atomic as a whole.
//!
//! The time spent with interrupts masked is bounded by the capacities: a charge is at most 34 levels, each a
//! linear look-up over `NS` slots and a hash-bucket walk; with `NS` = `UC` = 16 that is a few microseconds at
//! 480 MHz. A call that would need the state while it is already in use — only possible from an NMI or a
//! fault handler that interrupted an operation — fails with EBUSY instead of deadlocking or panicking.
//! The critical section is not a multi-core lock: on a multi-core part, supply a `critical-section`
//! implementation that is.

#![no_std]
#![forbid(unsafe_code)]

use core::cell::RefCell;

use critical_section::Mutex;

pub use vns_core;
pub use vns_core::abi::{Kind, VNS_NR_KINDS};
pub use vns_core::errno::{Errno, VnsResult};

use vns_core::ucount::check_ucount_max;

mod state;

use state::State;

/// A firmware task: the identity namespaces are charged to (the module's kuid). `TaskId(0)` owns the init
/// namespaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TaskId(pub u16);

impl TaskId {
    /// The task that owns the init namespaces.
    pub const INIT: TaskId = TaskId(0);

    /// The uid this task is charged as in the ucounts table.
    pub const fn uid(self) -> u32 {
        self.0 as u32
    }
}

/// A namespace's id: unique and never reused during the life of its [`Vns`] (Documentation/vns.rst,
/// "Objects"). The init namespace of
/// each kind has a fixed id ([`NsId::init`]); the others are handed out by [`Vns::create`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NsId(u64);

/// First id handed to a created namespace (ids 1..=8 are the init namespaces).
const FIRST_ID: u64 = VNS_NR_KINDS as u64 + 1;

impl NsId {
    /// The init user namespace.
    pub const INIT_USER: NsId = NsId::init(Kind::User);
    /// The init pid namespace.
    pub const INIT_PID: NsId = NsId::init(Kind::Pid);

    /// The init namespace of `kind` (ids 1..=8, by kind index).
    pub const fn init(kind: Kind) -> NsId {
        NsId(kind.index() as u64 + 1)
    }

    /// The raw 64-bit id.
    pub const fn raw(self) -> u64 {
        self.0
    }

    /// The id with this raw value (for ids kept as plain numbers, e.g. in messages between tasks); a value
    /// that names no live namespace is answered with ENOENT.
    pub const fn from_raw(raw: u64) -> NsId {
        NsId(raw)
    }

    /// The kind of an init namespace's id; `None` for any other id.
    const fn init_kind(self) -> Option<Kind> {
        if self.0 >= 1 && self.0 < FIRST_ID {
            Kind::from_u32((self.0 - 1) as u32)
        } else {
            None
        }
    }
}

/// What a namespace is: the answer of [`Vns::info`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NsInfo {
    /// Its id.
    pub id: NsId,
    /// Its kind.
    pub kind: Kind,
    /// The user namespace that owns it (for a user namespace: its parent; for init ones: the init user ns).
    pub user_ns: NsId,
    /// The namespace it nests in: the parent user or pid namespace; `None` for other kinds and init ones.
    pub parent: Option<NsId>,
    /// The task that created it and is charged for it ([`TaskId::INIT`] for init namespaces).
    pub owner: TaskId,
    /// Nesting level of a user or pid namespace (init: 0); 0 for the other kinds.
    pub level: u32,
}

/// One ucounts entry as seen in a [`Snapshot`]: (user namespace, task) and its counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UcountView {
    /// The user namespace.
    pub user_ns: NsId,
    /// The task (uid).
    pub task: TaskId,
    /// References on the entry (namespaces charged to it, and entries whose chain continues through it).
    pub refs: u32,
    /// Its counter of each kind, by kind index.
    pub counts: [u32; VNS_NR_KINDS],
}

/// One namespace slot as seen in a [`Snapshot`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotView {
    /// The namespace in the slot; `None` for a free slot.
    pub ns: Option<NsInfo>,
    /// Namespaces that name this one as their owner or parent (it cannot be released while any remain).
    pub children: u32,
    /// The limits of a user namespace, by kind index (unused for other kinds).
    pub max: [u32; VNS_NR_KINDS],
    /// The ucounts entry the namespace is charged to.
    pub charged_to: Option<UcountView>,
}

/// The whole state of a [`Vns`], read in one critical section: compare two snapshots to check that a call
/// changed nothing, or print one for diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Snapshot<const NS: usize> {
    /// The id the next created namespace will get.
    pub next_id: u64,
    /// The limits of the init user namespace, by kind index.
    pub init_max: [u32; VNS_NR_KINDS],
    /// Live entries in the ucounts table.
    pub ucount_entries: usize,
    /// Every namespace slot.
    pub slots: [SlotView; NS],
}

/// How much of the fixed tables is in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Usage {
    /// Live namespaces (init ones excluded), out of `NS`.
    pub namespaces: usize,
    /// Live ucounts entries, out of `UC`.
    pub ucount_entries: usize,
}

/// A fixed-capacity vns: at most `NS` namespaces besides the eight init ones and `UC` ucounts entries
/// (one per (user namespace, task) pair that has namespaces charged to it, plus the chain above them).
/// Build it with [`Vns::new`] in a `static`; every method takes `&self` and is safe to call from thread mode
/// and from interrupt handlers (see the crate documentation).
pub struct Vns<const NS: usize, const UC: usize> {
    state: Mutex<RefCell<State<NS, UC>>>,
}

impl<const NS: usize, const UC: usize> Default for Vns<NS, UC> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const NS: usize, const UC: usize> Vns<NS, UC> {
    /// Empty tables: only the init namespaces, every limit of the init user namespace at INT_MAX (as a new
    /// user namespace's; there is no kernel whose init values to copy).
    pub const fn new() -> Self {
        Vns {
            state: Mutex::new(RefCell::new(State::new())),
        }
    }

    /// Runs `f` on the state inside one critical section. EBUSY if the state is already in use, which only
    /// an NMI or fault handler interrupting an operation can see.
    fn with<R>(&self, f: impl FnOnce(&mut State<NS, UC>) -> VnsResult<R>) -> VnsResult<R> {
        critical_section::with(|cs| {
            let mut state = self
                .state
                .borrow(cs)
                .try_borrow_mut()
                .map_err(|_| Errno::EBUSY)?;
            f(&mut state)
        })
    }

    /// Creates a namespace of `kind` owned by the user namespace `user_ns`, charged to `task`. A new user
    /// namespace is a child of `user_ns` (ENOSPC beyond 33 levels below init); a new pid namespace is a
    /// child of the init pid namespace (see [`Vns::create_pid`] to nest it deeper).
    ///
    /// Errors: ENOENT if `user_ns` does not exist, EINVAL if it is not a user namespace, ENOSPC at a depth
    /// or at a limit of any level of the chain, ENOMEM when a fixed table is full. On error nothing changed.
    pub fn create(&self, task: TaskId, user_ns: NsId, kind: Kind) -> VnsResult<NsId> {
        self.with(|s| s.create(task, user_ns, NsId::INIT_PID, kind))
    }

    /// Creates a pid namespace nested in the pid namespace `parent`, owned by `user_ns` and charged to
    /// `task`: ENOENT/EINVAL if `parent` is unknown or not a pid namespace, ENOSPC beyond 32 levels, and
    /// otherwise as [`Vns::create`].
    pub fn create_pid(&self, task: TaskId, user_ns: NsId, parent: NsId) -> VnsResult<NsId> {
        self.with(|s| s.create(task, user_ns, parent, Kind::Pid))
    }

    /// Releases a namespace and its charge, synchronously. EINVAL for an init namespace, ENOENT for an
    /// unknown (or already released) id, EBUSY while namespaces it owns or that nest in it remain.
    pub fn release(&self, ns: NsId) -> VnsResult<()> {
        self.with(|s| s.release(ns))
    }

    /// Sets the limit of `kind` in the user namespace `user_ns`, as a write to
    /// `/proc/sys/vns/max_<kind>_namespaces` (Documentation/admin-guide/vns-sysctl.rst): ENOENT/EINVAL if
    /// `user_ns` is unknown or not a user namespace, EINVAL for a value outside 0..=INT_MAX. Existing
    /// namespaces are kept; new ones are refused while a counter is at or above the limit.
    pub fn set_max(&self, user_ns: NsId, kind: Kind, value: i64) -> VnsResult<()> {
        self.with(|s| {
            let max = s.max_slot(user_ns)?;
            let value = check_ucount_max(value)?;
            if let Some(m) = max.get_mut(kind.index()) {
                *m = value;
            }
            Ok(())
        })
    }

    /// The limit of `kind` in the user namespace `user_ns`.
    pub fn max(&self, user_ns: NsId, kind: Kind) -> VnsResult<u32> {
        self.with(|s| {
            let max = s.max_slot(user_ns)?;
            Ok(max.get(kind.index()).copied().unwrap_or(0))
        })
    }

    /// The counter of `kind` of (`user_ns`, `task`): the namespaces of that kind charged there, directly or
    /// through user namespaces `task` owns below `user_ns`. 0 when the pair has no entry.
    pub fn count(&self, user_ns: NsId, task: TaskId, kind: Kind) -> VnsResult<u32> {
        self.with(|s| s.count(user_ns, task, kind))
    }

    /// What a live namespace is (ENOENT for an unknown id).
    pub fn info(&self, ns: NsId) -> VnsResult<NsInfo> {
        self.with(|s| s.info(ns))
    }

    /// How much of the fixed tables is in use.
    pub fn usage(&self) -> VnsResult<Usage> {
        self.with(|s| Ok(s.usage()))
    }

    /// The whole state, read in one critical section.
    pub fn snapshot(&self) -> VnsResult<Snapshot<NS>> {
        self.with(|s| Ok(s.snapshot()))
    }

    /// The capacities: (namespaces, ucounts entries).
    pub const fn capacity(&self) -> (usize, usize) {
        (NS, UC)
    }
}
