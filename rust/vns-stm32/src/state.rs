// SPDX-License-Identifier: GPL-2.0-only
//! The state behind a [`Vns`](super::Vns)'s lock: the namespace slots, the init user namespace's limits and
//! the ucounts table, and the operations on them. Each runs inside one critical section (`Vns::with`).

use vns_core::depth::{check_pid_ns_depth, check_user_ns_depth};
use vns_core::ucount::{EntryId, UcountTable, UCOUNT_MAX_DEFAULT};

use super::{
    Errno, Kind, NsId, NsInfo, SlotView, Snapshot, TaskId, UcountView, Usage, VnsResult, FIRST_ID,
    VNS_NR_KINDS,
};

/// A namespace slot. `id == 0` marks a free slot.
#[derive(Clone, Copy, Debug)]
struct Slot {
    id: u64,
    kind: Kind,
    /// Owning user namespace (a user namespace's parent).
    user_ns: u64,
    /// Parent of the same kind for user and pid namespaces (0 otherwise).
    parent: u64,
    owner: TaskId,
    level: u32,
    /// Live namespaces whose `user_ns` or `parent` is this one.
    children: u32,
    /// The entry (user_ns, owner) this namespace was charged to: `iter->ns->ucounts` for a user namespace.
    ucounts: Option<EntryId>,
    /// `ucount_max` of a user namespace.
    max: [u32; VNS_NR_KINDS],
}

impl Slot {
    const FREE: Slot = Slot {
        id: 0,
        kind: Kind::User,
        user_ns: 0,
        parent: 0,
        owner: TaskId::INIT,
        level: 0,
        children: 0,
        ucounts: None,
        max: [UCOUNT_MAX_DEFAULT as u32; VNS_NR_KINDS],
    };

    const fn is_free(&self) -> bool {
        self.id == 0
    }

    fn info(&self) -> NsInfo {
        NsInfo {
            id: NsId(self.id),
            kind: self.kind,
            user_ns: NsId(self.user_ns),
            parent: if self.parent == 0 {
                None
            } else {
                Some(NsId(self.parent))
            },
            owner: self.owner,
            level: self.level,
        }
    }
}

/// A namespace found by id.
#[derive(Clone, Copy)]
enum Found {
    Init(Kind),
    Slot(usize),
}

/// The state behind the lock.
pub(super) struct State<const NS: usize, const UC: usize> {
    next_id: u64,
    init_max: [u32; VNS_NR_KINDS],
    slots: [Slot; NS],
    table: UcountTable<UC>,
}

/// The limit of `kind` in the user namespace `ns_id` (`ns->ucount_max[kind]`); 0 for an unknown id, which
/// cannot happen for a live entry (a user namespace outlives the entries keyed by it).
fn max_of(slots: &[Slot], init_max: &[u32; VNS_NR_KINDS], ns_id: u64, kind: Kind) -> i64 {
    let raw = if ns_id == NsId::INIT_USER.0 {
        init_max.get(kind.index()).copied()
    } else {
        slots
            .iter()
            .find(|s| s.id == ns_id && s.kind == Kind::User)
            .and_then(|s| s.max.get(kind.index()).copied())
    };
    raw.map_or(0, i64::from)
}

impl<const NS: usize, const UC: usize> State<NS, UC> {
    pub(super) const fn new() -> Self {
        State {
            next_id: FIRST_ID,
            init_max: [UCOUNT_MAX_DEFAULT as u32; VNS_NR_KINDS],
            slots: [Slot::FREE; NS],
            table: UcountTable::new(),
        }
    }

    /// Looks a namespace up: ENOENT if no live namespace has this id.
    fn find(&self, id: NsId) -> VnsResult<Found> {
        if let Some(kind) = id.init_kind() {
            return Ok(Found::Init(kind));
        }
        if id.0 == 0 {
            return Err(Errno::ENOENT);
        }
        self.slots
            .iter()
            .position(|s| s.id == id.0)
            .map(Found::Slot)
            .ok_or(Errno::ENOENT)
    }

    fn slot(&self, found: Found) -> Option<&Slot> {
        match found {
            Found::Init(_) => None,
            Found::Slot(i) => self.slots.get(i),
        }
    }

    fn kind(&self, found: Found) -> Kind {
        match found {
            Found::Init(kind) => kind,
            Found::Slot(_) => self.slot(found).map_or(Kind::User, |s| s.kind),
        }
    }

    fn level(&self, found: Found) -> u32 {
        self.slot(found).map_or(0, |s| s.level)
    }

    /// A namespace that must be a user namespace: ENOENT if unknown, EINVAL if of another kind.
    fn find_user(&self, id: NsId) -> VnsResult<Found> {
        let found = self.find(id)?;
        if self.kind(found) != Kind::User {
            return Err(Errno::EINVAL);
        }
        Ok(found)
    }

    fn add_child(&mut self, id: u64, delta_up: bool) {
        if let Some(s) = self.slots.iter_mut().find(|s| !s.is_free() && s.id == id) {
            s.children = if delta_up {
                s.children.saturating_add(1)
            } else {
                s.children.saturating_sub(1)
            };
        }
    }

    /// Creates a namespace of `kind` owned by `user_ns`, created by (and charged to) `task`; a pid
    /// namespace nests in `pid_parent`. The order of checks is the kernel's (`create_user_ns()`,
    /// `create_pid_namespace()`, `inc_ucount()`): depth (ENOSPC), the ucounts entry (ENOMEM, as
    /// `alloc_ucounts()`), the charge (ENOSPC, unwound), then the namespace object (ENOMEM, charge undone).
    pub(super) fn create(
        &mut self,
        task: TaskId,
        user_ns: NsId,
        pid_parent: NsId,
        kind: Kind,
    ) -> VnsResult<NsId> {
        let user = self.find_user(user_ns)?;
        let (level, parent) = match kind {
            Kind::User => (check_user_ns_depth(self.level(user))?, user_ns.0),
            Kind::Pid => {
                let p = self.find(pid_parent)?;
                if self.kind(p) != Kind::Pid {
                    return Err(Errno::EINVAL);
                }
                (check_pid_ns_depth(self.level(p))?, pid_parent.0)
            }
            _ => (0, 0),
        };
        // The chain continues from the entry the owning user namespace itself was charged to.
        let chain_parent = self.slot(user).and_then(|s| s.ucounts);
        let entry = self
            .table
            .get_or_insert(user_ns.0, task.uid(), chain_parent)?;
        let (slots, init_max) = (&self.slots, &self.init_max);
        let limits = |ns_id: u64, k: Kind| max_of(slots, init_max, ns_id, k);
        if let Err(e) = self.table.charge(entry, kind, &limits) {
            // inc_ucount() has already unwound the levels it charged; drop the reference taken above
            // (which frees the entry, and its reference on its parent, if it was new).
            let _ = self.table.put(entry);
            return Err(e);
        }
        let Some(free) = self.slots.iter().position(Slot::is_free) else {
            self.table.uncharge(entry, kind);
            let _ = self.table.put(entry);
            return Err(Errno::ENOMEM);
        };
        let id = self.next_id;
        let new = Slot {
            id,
            kind,
            user_ns: user_ns.0,
            parent,
            owner: task,
            level,
            children: 0,
            ucounts: Some(entry),
            max: [UCOUNT_MAX_DEFAULT as u32; VNS_NR_KINDS],
        };
        if let Some(s) = self.slots.get_mut(free) {
            *s = new;
        }
        self.next_id = id.saturating_add(1);
        // A user namespace's parent is its owner: counted once. A pid namespace also pins its parent.
        self.add_child(user_ns.0, true);
        if kind == Kind::Pid {
            self.add_child(parent, true);
        }
        Ok(NsId(id))
    }

    /// Releases a namespace: EINVAL for an init namespace, ENOENT for an unknown one, EBUSY while other
    /// namespaces are owned by it or nest in it. The charge is gone when this returns (Documentation/vns.rst,
    /// "ucounts").
    pub(super) fn release(&mut self, id: NsId) -> VnsResult<()> {
        let Found::Slot(i) = self.find(id)? else {
            return Err(Errno::EINVAL);
        };
        let s = *self.slots.get(i).ok_or(Errno::ENOENT)?;
        if s.children > 0 {
            return Err(Errno::EBUSY);
        }
        if let Some(entry) = s.ucounts {
            // dec_ucount() is false only on an accounting bug (the kernel's WARN_ON_ONCE); every level is
            // still decremented.
            self.table.uncharge(entry, s.kind);
            let _ = self.table.put(entry);
        }
        if let Some(slot) = self.slots.get_mut(i) {
            *slot = Slot::FREE;
        }
        self.add_child(s.user_ns, false);
        if s.kind == Kind::Pid {
            self.add_child(s.parent, false);
        }
        Ok(())
    }

    pub(super) fn max_slot(&mut self, user_ns: NsId) -> VnsResult<&mut [u32; VNS_NR_KINDS]> {
        match self.find_user(user_ns)? {
            Found::Init(_) => Ok(&mut self.init_max),
            Found::Slot(i) => self
                .slots
                .get_mut(i)
                .map(|s| &mut s.max)
                .ok_or(Errno::ENOENT),
        }
    }

    pub(super) fn count(&self, user_ns: NsId, task: TaskId, kind: Kind) -> VnsResult<u32> {
        self.find_user(user_ns)?;
        Ok(self
            .table
            .find(user_ns.0, task.uid())
            .and_then(|e| self.table.entry(e))
            .map_or(0, |e| e.count(kind)))
    }

    pub(super) fn info(&self, id: NsId) -> VnsResult<NsInfo> {
        match self.find(id)? {
            Found::Init(kind) => Ok(NsInfo {
                id,
                kind,
                user_ns: NsId::INIT_USER,
                parent: None,
                owner: TaskId::INIT,
                level: 0,
            }),
            Found::Slot(i) => self.slots.get(i).map(Slot::info).ok_or(Errno::ENOENT),
        }
    }

    fn ucount_view(&self, entry: EntryId) -> Option<UcountView> {
        let e = self.table.entry(entry)?;
        Some(UcountView {
            user_ns: NsId(e.ns_id()),
            task: TaskId(u16::try_from(e.uid()).unwrap_or(u16::MAX)),
            refs: e.refs(),
            counts: e.counts(),
        })
    }

    /// How much of the fixed tables is in use.
    pub(super) fn usage(&self) -> Usage {
        Usage {
            namespaces: self.slots.iter().filter(|x| !x.is_free()).count(),
            ucount_entries: self.table.len(),
        }
    }

    pub(super) fn snapshot(&self) -> Snapshot<NS> {
        let empty = SlotView {
            ns: None,
            children: 0,
            max: [0; VNS_NR_KINDS],
            charged_to: None,
        };
        let mut slots = [empty; NS];
        for (view, s) in slots.iter_mut().zip(self.slots.iter()) {
            if s.is_free() {
                continue;
            }
            *view = SlotView {
                ns: Some(s.info()),
                children: s.children,
                max: s.max,
                charged_to: s.ucounts.and_then(|e| self.ucount_view(e)),
            };
        }
        Snapshot {
            next_id: self.next_id,
            init_max: self.init_max,
            ucount_entries: self.table.len(),
            slots,
        }
    }
}
