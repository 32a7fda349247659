// SPDX-License-Identifier: GPL-2.0

//! The module's only FFI and `unsafe`: the C shim (`vns_shim.c`), the misc device registration with a
//! mode, the callbacks C makes into Rust, the RCU hash table of reference-counted nodes that the
//! namespaces, the ucounts and the memberships live in, and the byte views of the ABI structs.
//! Every other file is `#![deny(unsafe_code)]`.

use core::{
    marker::PhantomData,
    mem::ManuallyDrop,
    ops::Deref,
    ptr::{self, NonNull},
};

use kernel::{
    bindings,
    error::to_result,
    ffi::{c_char, c_int, c_long, c_uint, c_void},
    miscdevice::{MiscDeviceOptions, MiscDeviceRegistration},
    new_spinlock,
    prelude::*,
    str::CStr,
    sync::{
        atomic::{Atomic, Full, Relaxed},
        rcu, Arc, ArcBorrow, SpinLock,
    },
    transmute::{AsBytes, FromBytes},
    types::Opaque,
};

use crate::{
    device::{Device, VnsFile},
    state::Vns,
    vcore::abi::{
        VnsIdExtent, VnsIdMap, VnsInfo, VnsList, VnsMount, VnsNsEntry, VnsSetns, VnsUcounts, VnsUmount,
        VnsUnshare, VnsUts, VnsUtsName,
    },
};

/// Mirror of `struct vns_task_facts` in `vns_shim.h`.
#[repr(C)]
#[derive(Default)]
struct RawTaskFacts {
    nr_threads: u32,
    sighand_shared: u8,
    pad: [u8; 3],
    euid: u32,
    egid: u32,
    tgid: i32,
}

/// Mirror of `struct vns_opener` in `vns_shim.h`.
#[repr(C)]
struct RawOpener {
    euid: u32,
    cap_sys_resource: bool,
}

/// The credentials a `/proc/sys/vns` file was opened with (the file's `f_cred`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Opener {
    /// Its effective kuid.
    pub(crate) euid: u32,
    /// Whether it had CAP_SYS_RESOURCE in the init user namespace (`file_ns_capable`).
    pub(crate) cap_sys_resource: bool,
}

/// `struct task_struct`, only ever used behind a pointer here.
#[repr(C)]
struct RawTask {
    _opaque: [u8; 0],
}

/// `struct vns_uts` of the shim: two names under a seqlock. Only ever used behind a pointer.
#[repr(C)]
struct RawUts {
    _opaque: [u8; 0],
}

// The shim's interface, as declared in vns_shim.h.
extern "C" {
    fn vns_shim_sysctl_register(ctx: *const c_void) -> c_int;
    fn vns_shim_sysctl_unregister();
    fn vns_shim_init_ucount_max(kind: c_uint) -> c_long;
    fn vns_shim_capable(cap: c_int) -> bool;
    fn vns_shim_capable_all() -> bool;
    fn vns_shim_current_mm_shared() -> bool;
    fn vns_shim_cond_resched();
    fn vns_shim_fatal_signal_pending() -> bool;
    fn vns_shim_current_facts(facts: *mut RawTaskFacts);
    fn vns_shim_current() -> *mut RawTask;
    fn vns_shim_kill_new_task(task: *mut RawTask);
    fn vns_shim_task_euid(task: *mut RawTask) -> u32;
    fn vns_shim_nr_threads_total() -> u32;
    fn vns_shim_probes_register(ctx: *const c_void) -> c_int;
    fn vns_shim_probes_unregister();
    fn vns_shim_uts_alloc(from: *const RawUts) -> *mut RawUts;
    fn vns_shim_uts_free(uts: *mut RawUts);
    fn vns_shim_uts_read(uts: *const RawUts, nodename: *mut c_char, domainname: *mut c_char);
    fn vns_shim_uts_write(uts: *mut RawUts, which: c_uint, name: *const c_char, len: c_uint);
}

// ---- the kernel's limits, capabilities and the current task -------------------------------------------

/// `init_user_ns.ucount_max[kind]`: the kernel's own limit, read at load (spec §4).
pub(crate) fn init_ucount_max(kind: usize) -> i64 {
    let Ok(kind) = c_uint::try_from(kind) else {
        return 0;
    };
    // SAFETY: The shim range-checks `kind` and only reads the exported `init_user_ns`.
    let max = unsafe { vns_shim_init_ucount_max(kind) };
    i64::try_from(max).unwrap_or(i64::MAX)
}

/// `capable(cap)`: the current task's real capability in the init user namespace.
pub(crate) fn capable(cap: u32) -> bool {
    let Ok(cap) = c_int::try_from(cap) else {
        return false;
    };
    // SAFETY: `capable()` may be called from any task context with any capability number; an unknown
    // number is rejected by the kernel itself.
    unsafe { vns_shim_capable(cap) }
}

/// Whether the current task has every capability in the init user namespace, as `capable()` decides
/// (so a task with a full `cap_effective` in a user namespace of the kernel's own has not). Not audited.
pub(crate) fn capable_all() -> bool {
    // SAFETY: The shim asks `ns_capable_noaudit(&init_user_ns, cap)` for each capability of the current
    // task; callable from any task context.
    unsafe { vns_shim_capable_all() }
}

/// Whether another task shares the current task's address space: lib/is_single_threaded.c
/// `current_is_single_threaded()`, negated (it is not exported; the shim does the same walk). A
/// transient `mmget` by a /proc reader does not count. Walks the task list when `mm_users > 1`: call it
/// only when CLONE_VM is asked for, as kernel/fork.c `check_unshare_flags` does.
pub(crate) fn current_mm_shared() -> bool {
    // SAFETY: Reads only `current` and, under RCU, the task list.
    unsafe { vns_shim_current_mm_shared() }
}

/// A voluntary reschedule point (`cond_resched()`), between bounded chunks of a long walk. Process
/// context, no lock held.
pub(crate) fn cond_resched() {
    // SAFETY: Called only from process context with no spinlock or RCU read-side section held (the
    // callers' contract).
    unsafe { vns_shim_cond_resched() }
}

/// What vns needs to know of the calling task (kernel/fork.c `check_unshare_flags`, the credentials).
#[derive(Clone, Copy, Debug)]
pub(crate) struct CurrentFacts {
    /// Threads in the caller's thread group.
    pub(crate) nr_threads: u32,
    /// The signal handlers are shared with another task.
    pub(crate) sighand_shared: bool,
    /// Effective kuid and kgid.
    pub(crate) euid: u32,
    /// Effective kgid.
    pub(crate) egid: u32,
    /// Thread group id in the init pid namespace.
    pub(crate) tgid: i32,
}

/// The calling task's facts.
pub(crate) fn current_facts() -> CurrentFacts {
    let mut raw = RawTaskFacts::default();
    // SAFETY: `raw` is a valid, writable `struct vns_task_facts`; the shim reads only `current`.
    unsafe { vns_shim_current_facts(&mut raw) };
    CurrentFacts {
        nr_threads: raw.nr_threads,
        sighand_shared: raw.sighand_shared != 0,
        euid: raw.euid,
        egid: raw.egid,
        tgid: raw.tgid,
    }
}

/// A task, as a key of the membership table: the address of its `task_struct`. Never dereferenced
/// outside this file; only compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TaskKey(usize);

impl TaskKey {
    fn of(task: *mut RawTask) -> Self {
        Self(task as usize)
    }

    /// The calling task.
    pub(crate) fn current() -> Self {
        // SAFETY: `current` is always valid in process context.
        Self::of(unsafe { vns_shim_current() })
    }

    /// A hash of the key for a table of `buckets` entries.
    pub(crate) fn hash(self) -> usize {
        // task_struct addresses are at least cache-line aligned: drop the low bits.
        (self.0 >> 6) ^ (self.0 >> 16)
    }
}

/// Number of threads in the system.
pub(crate) fn nr_threads_total() -> u32 {
    // SAFETY: The shim walks the task list under RCU; no argument.
    unsafe { vns_shim_nr_threads_total() }
}

// ---- /dev/vns ------------------------------------------------------------------------------------------

/// Registers a misc device like [`MiscDeviceRegistration::register`], but with `mode` set on the
/// `struct miscdevice` before `misc_register()`, so devtmpfs creates the node with it (the 7.3
/// `MiscDeviceOptions` has no mode field; drivers/char/misc.c `misc_devnode` reads `misc->mode`).
pub(crate) fn misc_register_with_mode(
    name: &'static CStr,
    mode: u16,
) -> impl PinInit<MiscDeviceRegistration<VnsFile>, Error> {
    let closure = move |slot: *mut MiscDeviceRegistration<VnsFile>| {
        let raw = slot.cast::<bindings::miscdevice>();
        let mut misc = MiscDeviceOptions { name }.into_raw::<VnsFile>();
        misc.mode = mode;
        // SAFETY: `MiscDeviceRegistration<T>` is `#[repr(transparent)]` over
        // `Opaque<bindings::miscdevice>`, itself transparent over `bindings::miscdevice`, so `raw` points
        // to the slot's (uninitialised, pinned) `struct miscdevice`, which we may write.
        unsafe { raw.write(misc) };
        // SAFETY: `raw` holds a `struct miscdevice` from `MiscDeviceOptions::into_raw`, as `register` makes
        // it; the slot is pinned and `Drop` deregisters it before it goes, so on success the slot meets
        // every invariant of `MiscDeviceRegistration`; on failure nothing was registered.
        to_result(unsafe { bindings::misc_register(raw) })
    };
    // SAFETY: The closure initialises the slot completely on `Ok` (above) and leaves nothing to drop on
    // `Err` (an unregistered `struct miscdevice` owns no resources).
    unsafe { pin_init::pin_init_from_closure(closure) }
}

/// The [`Device`] that contains `misc`.
pub(crate) fn device_of(misc: &MiscDeviceRegistration<VnsFile>) -> &Device {
    let ptr: *const MiscDeviceRegistration<VnsFile> = misc;
    // SAFETY: The only `MiscDeviceRegistration<VnsFile>` ever registered is the `reg` field of a
    // `Device` (see `Device::register`), and `open` is only called for a registered device, so `ptr`
    // points into a live `Device`.
    let device = unsafe { kernel::container_of!(ptr, Device, reg) };
    // SAFETY: `device` is valid for as long as `misc` is borrowed: the registration is a field of it.
    unsafe { &*device }
}

// ---- /proc/sys/vns and the probes: C calls into Rust with the state as `ctx` ----------------------------

/// The state behind a `ctx` the shim was given.
///
/// # Safety
///
/// `ctx` must be the pointer passed to `vns_shim_sysctl_register` or `vns_shim_probes_register`, while
/// that registration is in place (its owner keeps the `Arc<Vns>` alive).
unsafe fn ctx_state<'a>(ctx: *const c_void) -> ArcBorrow<'a, Vns> {
    // SAFETY: By the function's contract `ctx` came from `Arc::as_ptr` of an `Arc<Vns>` that the
    // registration keeps alive while the shim can call back.
    unsafe { ArcBorrow::from_raw(ctx.cast::<Vns>()) }
}

/// A registration with the shim that passes `Arc::as_ptr(&state)` as its context.
///
/// # Invariants
///
/// The shim's registration is in place with `ctx` = the raw pointer of `state`, kept alive by this value.
pub(crate) struct Registration {
    state: Arc<Vns>,
    unregister: unsafe extern "C" fn(),
}

impl Registration {
    fn new(state: Arc<Vns>, register: unsafe extern "C" fn(*const c_void) -> c_int, unregister: unsafe extern "C" fn()) -> Result<Self> {
        let ctx = Arc::as_ptr(&state).cast::<c_void>();
        // SAFETY: `ctx` stays valid until `Drop` has unregistered (we hold `state`); the shim's register
        // functions undo themselves on failure.
        to_result(unsafe { register(ctx) })?;
        // INVARIANT: registered above with `ctx` from `state`.
        Ok(Self { state, unregister })
    }

    /// Registers `/proc/sys/vns` (spec §7); its handlers reach `state`.
    pub(crate) fn sysctl(state: Arc<Vns>) -> Result<Self> {
        Self::new(state, vns_shim_sysctl_register, vns_shim_sysctl_unregister)
    }

    /// Attaches the `task_newtask` and `sched_process_exit/exec` probes (spec §1); they reach `state`.
    pub(crate) fn probes(state: Arc<Vns>) -> Result<Self> {
        Self::new(state, vns_shim_probes_register, vns_shim_probes_unregister)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: Registered by `new` (type invariant). Unregistering waits for running handlers
        // (`unregister_sysctl_table`, `tracepoint_synchronize_unregister`), after which `ctx` is unused.
        unsafe { (self.unregister)() };
        let _ = &self.state;
    }
}

/// Shows entry `index` of `/proc/sys/vns` to the caller.
#[no_mangle]
extern "C" fn vns_rust_sysctl_read(ctx: *const c_void, index: c_uint) -> c_int {
    // SAFETY: Called by the shim's handler with the registered `ctx`.
    let state = unsafe { ctx_state(ctx) };
    state.sysctl_read(index as usize)
}

/// 0 if the caller may write entry `index` through a file opened with `opener`, else a negative errno.
#[no_mangle]
extern "C" fn vns_rust_sysctl_may_write(ctx: *const c_void, index: c_uint, opener: *const RawOpener) -> c_int {
    // SAFETY: Called by the shim's handler with the registered `ctx`.
    let state = unsafe { ctx_state(ctx) };
    // SAFETY: The shim passes a valid `struct vns_opener` on its stack for the duration of the call.
    let raw = unsafe { &*opener };
    let opener = Opener {
        euid: raw.euid,
        cap_sys_resource: raw.cap_sys_resource,
    };
    match state.sysctl_may_write(index as usize, &opener) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// Stores `value` (already parsed and range-checked) into entry `index`; 0 or a negative errno.
#[no_mangle]
extern "C" fn vns_rust_sysctl_write(ctx: *const c_void, index: c_uint, value: c_int) -> c_int {
    // SAFETY: Called by the shim's handler with the registered `ctx`.
    let state = unsafe { ctx_state(ctx) };
    match state.sysctl_write(index as usize, value) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// `task_newtask`: `child` was just created by `parent` (current) with `clone_flags`, and has not run.
#[no_mangle]
extern "C" fn vns_rust_on_fork(ctx: *const c_void, parent: *mut RawTask, child: *mut RawTask, clone_flags: u64) {
    // SAFETY: Called by the shim's probe with the registered `ctx`.
    let state = unsafe { ctx_state(ctx) };
    state.on_fork(TaskKey::of(parent), NewTask(child), clone_flags);
}

/// A task just created, not yet running: the argument of the fork probe, valid for its duration.
pub(crate) struct NewTask(*mut RawTask);

impl NewTask {
    /// Its key in the membership table.
    pub(crate) fn key(&self) -> TaskKey {
        TaskKey::of(self.0)
    }

    /// Fails closed: the task is killed before it first runs, so it never reaches user space (for a
    /// thread, its whole group dies, as with any SIGKILL).
    pub(crate) fn kill(self) {
        // SAFETY: `self.0` is the new task of the running probe, pinned by copy_process() until the
        // probe returns.
        unsafe { vns_shim_kill_new_task(self.0) }
    }
}

/// `sched_process_exit`: `task` (current) is exiting.
#[no_mangle]
extern "C" fn vns_rust_on_exit(ctx: *const c_void, task: *mut RawTask) {
    // SAFETY: Called by the shim's probe with the registered `ctx`.
    let state = unsafe { ctx_state(ctx) };
    state.on_exit(TaskKey::of(task));
}

/// `sched_process_exec`: `task` (current) has just executed a new program.
#[no_mangle]
extern "C" fn vns_rust_on_exec(ctx: *const c_void, task: *mut RawTask) {
    // SAFETY: Called by the shim's probe with the registered `ctx`.
    let state = unsafe { ctx_state(ctx) };
    state.on_exec(TaskKey::of(task), || {
        // SAFETY: `task` is current, valid for the duration of the probe.
        unsafe { vns_shim_task_euid(task) }
    });
}

// ---- uts names -------------------------------------------------------------------------------------------

/// Length of a uts name without its NUL (`__NEW_UTS_LEN`).
pub(crate) const UTS_LEN: usize = 64;

/// A nodename and a domainname under a seqlock (the shim's `struct vns_uts`): readers never lock.
///
/// # Invariants
///
/// `ptr` is a live allocation of `vns_shim_uts_alloc`, owned by this value.
pub(crate) struct UtsNames {
    ptr: NonNull<RawUts>,
}

// SAFETY: The shim's object is plain memory under a seqlock: readers and writers on any CPU synchronise
// through it.
unsafe impl Send for UtsNames {}
// SAFETY: As above; `read` takes `&self` and is lockless, `write` takes the seqlock's write side.
unsafe impl Sync for UtsNames {}

impl UtsNames {
    /// A copy of `from`, or the kernel's own names when `from` is `None` (the init uts vns).
    pub(crate) fn new(from: Option<&UtsNames>) -> Result<Self> {
        let from = from.map_or(ptr::null(), |u| u.ptr.as_ptr().cast_const());
        // SAFETY: `from` is null or a live `struct vns_uts` (type invariant of `from`).
        let raw = unsafe { vns_shim_uts_alloc(from) };
        // INVARIANT: a fresh allocation, owned by the new value.
        Ok(Self {
            ptr: NonNull::new(raw).ok_or(ENOMEM)?,
        })
    }

    /// A consistent snapshot of both names, each NUL-terminated in `UTS_LEN + 1` bytes.
    pub(crate) fn read(&self) -> ([u8; UTS_LEN + 1], [u8; UTS_LEN + 1]) {
        let mut node = [0u8; UTS_LEN + 1];
        let mut domain = [0u8; UTS_LEN + 1];
        // SAFETY: `ptr` is live (type invariant); both buffers hold `UTS_LEN + 1` bytes.
        unsafe {
            vns_shim_uts_read(self.ptr.as_ptr(), node.as_mut_ptr().cast(), domain.as_mut_ptr().cast())
        };
        (node, domain)
    }

    /// Sets the nodename (`which` 0) or the domainname (1) to `name` (at most `UTS_LEN` bytes).
    pub(crate) fn write(&self, which: u32, name: &[u8]) {
        let len = name.len().min(UTS_LEN) as c_uint;
        // SAFETY: `ptr` is live (type invariant); `name` holds at least `len` bytes; the shim takes the
        // seqlock's write side, so concurrent writers and readers are fine through `&self`.
        unsafe { vns_shim_uts_write(self.ptr.as_ptr(), which, name.as_ptr().cast(), len) };
    }
}

impl Drop for UtsNames {
    fn drop(&mut self) {
        // SAFETY: `ptr` is live and owned (type invariant); nothing uses it after this.
        unsafe { vns_shim_uts_free(self.ptr.as_ptr()) };
    }
}

// ---- the RCU hash table of reference-counted nodes ----------------------------------------------------

/// An object kept in an [`RcuTable`] (kernel/ucount.c's model: RCU lookups, a spinlock for changes, a
/// reference count, and memory freed an RCU grace period after the last reference is gone).
pub(crate) trait RcuObject: Sized + Send + Sync + 'static {
    /// The lookup key; it stays readable after the object itself has been dropped.
    type Key: Copy + PartialEq + Send + Sync;

    /// The bucket of `key` in a table of `buckets` buckets (a power of two).
    fn bucket(key: &Self::Key, buckets: usize) -> usize;

    /// Takes out the references this object holds on others of its kind (a parent, an owner) just
    /// before it is dropped, so that a chain of last references is released by a loop, not by a
    /// recursion as deep as the chain (33 user levels, 32 pid levels: too deep for a kernel stack).
    fn detach(&mut self) -> [Option<RcuRef<Self>>; 2] {
        [None, None]
    }
}

/// A node: the object, its reference count, its key and its link.
///
/// # Invariants
///
/// - `data` is initialised while `refs > 0` and dropped exactly once, when `refs` reaches zero.
/// - While the node is linked into a bucket of `table`, it is freed only through `call_rcu`.
/// - `table` is null or a table that outlives the node.
#[repr(C)]
struct RcuNode<T: RcuObject> {
    rcu: Opaque<bindings::callback_head>,
    next: Atomic<*mut RcuNode<T>>,
    refs: Atomic<i32>,
    /// Weak link: the table to unlink from when the last reference goes (null: not in a weak table).
    table: Atomic<*mut RcuTable<T>>,
    key: T::Key,
    data: ManuallyDrop<T>,
}

/// A counted reference to an object in RCU-freed memory.
///
/// # Invariants
///
/// `ptr` points to a live [`RcuNode`] and this value owns one of its `refs`.
pub(crate) struct RcuRef<T: RcuObject> {
    ptr: NonNull<RcuNode<T>>,
    _p: PhantomData<T>,
}

// SAFETY: The object is `Send + Sync` (bound of `RcuObject`); the count is atomic.
unsafe impl<T: RcuObject> Send for RcuRef<T> {}
// SAFETY: As above: `&RcuRef<T>` only gives `&T`.
unsafe impl<T: RcuObject> Sync for RcuRef<T> {}

impl<T: RcuObject> RcuRef<T> {
    /// A new, unlinked object with one reference.
    pub(crate) fn new(key: T::Key, data: T, flags: kernel::alloc::Flags) -> Result<Self> {
        // Allocated before `data` is wrapped: on failure `data` is dropped normally (and e.g. a
        // namespace returns its charge).
        Ok(Self::new_in(RcuReserve::new(flags)?, key, data))
    }

    /// A new, unlinked object with one reference, in memory allocated ahead: cannot fail.
    pub(crate) fn new_in(reserve: RcuReserve<T>, key: T::Key, data: T) -> Self {
        let node = KBox::write(
            reserve.slot,
            RcuNode {
                rcu: Opaque::uninit(),
                next: Atomic::new(ptr::null_mut()),
                refs: Atomic::new(1),
                table: Atomic::new(ptr::null_mut()),
                key,
                data: ManuallyDrop::new(data),
            },
        );
        // INVARIANT: a fresh node with `refs == 1`, owned by the new value.
        Self {
            ptr: NonNull::from(KBox::leak(node)),
            _p: PhantomData,
        }
    }

    fn node(&self) -> &RcuNode<T> {
        // SAFETY: `ptr` is live while we hold a reference (type invariant).
        unsafe { self.ptr.as_ref() }
    }

    /// The object's key.
    pub(crate) fn key(&self) -> T::Key {
        self.node().key
    }

    /// Whether `a` and `b` are the same object.
    pub(crate) fn ptr_eq(a: &Self, b: &Self) -> bool {
        a.ptr == b.ptr
    }

    /// Takes a reference if the count is not zero (`rcuref_get`).
    ///
    /// # Safety
    ///
    /// `node` must point to a node that cannot be freed before this returns (it was found in an RCU
    /// list inside a read-side section that is still open).
    unsafe fn try_get(node: NonNull<RcuNode<T>>) -> Option<Self> {
        // SAFETY: The node's memory is live (function contract); `refs` may be read even when zero.
        let refs = unsafe { &node.as_ref().refs };
        let mut cur = refs.load(Relaxed);
        loop {
            if cur <= 0 || cur == i32::MAX {
                return None;
            }
            match refs.cmpxchg(cur, cur + 1, Full) {
                // INVARIANT: we own the reference just taken.
                Ok(_) => {
                    return Some(Self {
                        ptr: node,
                        _p: PhantomData,
                    })
                }
                Err(now) => cur = now,
            }
        }
    }

    /// Drops the last reference of `node`: unlinks it from its weak table, takes out its references to
    /// others (pushed on `stack`), drops the object and frees the memory after a grace period.
    ///
    /// # Safety
    ///
    /// `refs` of `node` has just reached zero, by the caller.
    unsafe fn release(node: NonNull<RcuNode<T>>, stack: &mut ReleaseStack<T>) {
        let raw = node.as_ptr();
        // SAFETY: The count is zero and was ours: nobody else can reach `data` any more (lookups fail
        // `try_get`), and the memory lives until the RCU callback below.
        let n = unsafe { &mut *raw };
        let table = n.table.load(Relaxed);
        if !table.is_null() {
            // SAFETY: The table outlives its nodes (type invariant of `RcuNode`).
            unsafe { (*table).unlink(node) };
        }
        for r in n.data.detach().into_iter().flatten() {
            stack.push(r);
        }
        // SAFETY: `data` is initialised and dropped exactly once, here (type invariant).
        unsafe { ManuallyDrop::drop(&mut n.data) };
        // SAFETY: `rcu` is the node's own `callback_head`, unused until now; `free_node::<T>` frees the
        // node after a grace period, so RCU readers still walking the old link are safe.
        unsafe { bindings::call_rcu(n.rcu.get(), Some(free_node::<T>)) };
    }
}

/// The memory of one [`RcuRef`] node, allocated ahead of need and not yet holding an object: what lets
/// the fork probe record a child when an allocation fails (a reserve per member, see `member.rs`).
pub(crate) struct RcuReserve<T: RcuObject> {
    slot: KBox<core::mem::MaybeUninit<RcuNode<T>>>,
}

impl<T: RcuObject> RcuReserve<T> {
    /// Allocates the memory of one node.
    pub(crate) fn new(flags: kernel::alloc::Flags) -> Result<Self> {
        Ok(Self {
            slot: KBox::<RcuNode<T>>::new_uninit(flags)?,
        })
    }
}

// SAFETY: A reserve is plain, uninitialised memory owned by this value; handing it to another CPU is fine.
unsafe impl<T: RcuObject> Send for RcuReserve<T> {}

/// A slot that holds at most one boxed `T` (a reserve), taken and refilled without a lock.
///
/// # Invariants
///
/// `ptr` is null or the pointer of a `KBox<T>` given up by `KBox::into_raw`, owned by the slot.
pub(crate) struct ReserveSlot<T: Send> {
    ptr: Atomic<*mut T>,
}

// SAFETY: The slot owns at most one `KBox<T>` with `T: Send`; every access is one atomic exchange.
unsafe impl<T: Send> Send for ReserveSlot<T> {}
// SAFETY: As above: `&ReserveSlot` only moves whole boxes in and out atomically.
unsafe impl<T: Send> Sync for ReserveSlot<T> {}

impl<T: Send> ReserveSlot<T> {
    /// A slot holding `reserve`, if any.
    pub(crate) fn new(reserve: Option<KBox<T>>) -> Self {
        // INVARIANT: null, or a `KBox` given up by `into_raw`.
        Self {
            ptr: Atomic::new(reserve.map_or(ptr::null_mut(), KBox::into_raw)),
        }
    }

    /// Whether the slot holds a reserve.
    pub(crate) fn is_full(&self) -> bool {
        !self.ptr.load(Relaxed).is_null()
    }

    /// Takes the reserve out, if there is one.
    pub(crate) fn take(&self) -> Option<KBox<T>> {
        let p = self.ptr.xchg(ptr::null_mut(), Full);
        if p.is_null() {
            return None;
        }
        // SAFETY: A non-null pointer in the slot is a `KBox` the slot owned (type invariant); the
        // exchange made it ours alone.
        Some(unsafe { KBox::from_raw(p) })
    }

    /// Puts `reserve` in an empty slot; gives it back (to be freed) if the slot was refilled meanwhile.
    pub(crate) fn put(&self, reserve: KBox<T>) -> Option<KBox<T>> {
        let p = KBox::into_raw(reserve);
        match self.ptr.cmpxchg(ptr::null_mut(), p, Full) {
            // INVARIANT: the slot now owns `p`.
            Ok(_) => None,
            // SAFETY: `p` came from `into_raw` just above and was not stored.
            Err(_) => Some(unsafe { KBox::from_raw(p) }),
        }
    }
}

impl<T: Send> Drop for ReserveSlot<T> {
    fn drop(&mut self) {
        drop(self.take());
    }
}

/// Whether the current task has a fatal signal pending (`fatal_signal_pending(current)`): it is being
/// killed and must not act any more (a task the fork probe could not record, see `member.rs`).
pub(crate) fn fatal_signal_pending() -> bool {
    // SAFETY: Reads only `current`'s pending signals.
    unsafe { vns_shim_fatal_signal_pending() }
}

/// The `call_rcu` callback: frees a released node's memory (its object was already dropped).
///
/// # Safety
///
/// `head` is the `rcu` field of an [`RcuNode<T>`] allocated by [`RcuRef::new`] and released.
unsafe extern "C" fn free_node<T: RcuObject>(head: *mut bindings::callback_head) {
    // CAST: `rcu` is the first field of the `#[repr(C)]` node, and `Opaque` is transparent, so the
    // head's address is the node's.
    let node = head.cast::<RcuNode<T>>();
    // SAFETY: The node came from `KBox::leak` in `RcuRef::new`; `data` is `ManuallyDrop` and was already
    // dropped, every other field is plain.
    drop(unsafe { KBox::from_raw(node) });
}

/// The work list of [`RcuRef`]'s drop: releases a chain of last references iteratively.
struct ReleaseStack<T: RcuObject> {
    items: [Option<RcuRef<T>>; 16],
    len: usize,
}

impl<T: RcuObject> ReleaseStack<T> {
    fn push(&mut self, r: RcuRef<T>) {
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = Some(r);
            self.len += 1;
        } else {
            // Full: release this one by recursion (bounded; the common chains fit the list).
            drop(r);
        }
    }

    fn pop(&mut self) -> Option<RcuRef<T>> {
        let i = self.len.checked_sub(1)?;
        self.len = i;
        self.items.get_mut(i).and_then(Option::take)
    }
}

impl<T: RcuObject> Clone for RcuRef<T> {
    fn clone(&self) -> Self {
        self.node().refs.fetch_add(1, Relaxed);
        // INVARIANT: we own the reference just taken.
        Self {
            ptr: self.ptr,
            _p: PhantomData,
        }
    }
}

impl<T: RcuObject> Drop for RcuRef<T> {
    fn drop(&mut self) {
        let mut stack = ReleaseStack {
            items: [const { None }; 16],
            len: 0,
        };
        let mut next = Some(self.ptr);
        while let Some(node) = next {
            // SAFETY: We own one reference of `node` (ours, or one taken off the stack with `forget`).
            let old = unsafe { node.as_ref() }.refs.fetch_add(-1, Full);
            if old == 1 {
                // SAFETY: We dropped the count to zero.
                unsafe { Self::release(node, &mut stack) };
            }
            next = stack.pop().map(|r| {
                let p = r.ptr;
                core::mem::forget(r);
                p
            });
        }
    }
}

impl<T: RcuObject> Deref for RcuRef<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.node().data
    }
}

/// The most objects [`RcuTable::for_each_chunked`] visits per RCU read-side section.
pub(crate) const CHUNK_MAX: usize = 64;

/// A hash table of [`RcuRef`] objects: lookups under RCU without locking, changes under a spinlock.
///
/// A *weak* table links objects without holding a reference; an object unlinks itself when its last
/// reference goes (the namespace registry, the ucounts). A *strong* table holds one reference per
/// linked object and gives it back on removal (the memberships).
///
/// # Invariants
///
/// Every node reachable from `heads` is live; it is unlinked, under `lock`, before it is freed.
#[pin_data(PinnedDrop)]
pub(crate) struct RcuTable<T: RcuObject> {
    /// Serialises every change of the links; lookups do not take it. Taken in process context and in
    /// the fork/exit/exec probes (preemption disabled), never in interrupt context.
    #[pin]
    lock: SpinLock<()>,
    heads: KVec<Atomic<*mut RcuNode<T>>>,
    weak: bool,
}

// SAFETY: The raw pointers in `heads` are only followed under RCU or `lock`.
unsafe impl<T: RcuObject> Send for RcuTable<T> {}
// SAFETY: As above.
unsafe impl<T: RcuObject> Sync for RcuTable<T> {}

impl<T: RcuObject> RcuTable<T> {
    /// A table of `buckets` (a power of two) buckets.
    pub(crate) fn new(buckets: usize, weak: bool) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            lock <- new_spinlock!((), "vns_rcu_table"),
            heads: {
                let mut v = KVec::with_capacity(buckets, GFP_KERNEL)?;
                for _ in 0..buckets {
                    v.push(Atomic::new(ptr::null_mut()), GFP_KERNEL)?;
                }
                v
            },
            weak,
        })
    }

    fn head(&self, key: &T::Key) -> &Atomic<*mut RcuNode<T>> {
        let n = self.heads.len();
        let i = T::bucket(key, n) & n.wrapping_sub(1);
        // `heads` is never empty (a table has at least one bucket): fall back to the first one.
        self.heads.get(i).unwrap_or(&self.heads[0])
    }

    /// Finds `key` and takes a reference (`find_ucounts` in kernel/ucount.c).
    pub(crate) fn lookup(&self, key: &T::Key) -> Option<RcuRef<T>> {
        let _guard = rcu::read_lock();
        let mut p = self.head(key).load(kernel::sync::atomic::Acquire);
        while let Some(node) = NonNull::new(p) {
            // SAFETY: Reached from a bucket inside an RCU read-side section: the node is not freed
            // before the section ends (type invariant, `call_rcu` in `release`).
            let n = unsafe { node.as_ref() };
            if n.key == *key {
                // SAFETY: As above.
                if let Some(r) = unsafe { RcuRef::try_get(node) } {
                    return Some(r);
                }
            }
            p = n.next.load(kernel::sync::atomic::Acquire);
        }
        None
    }

    /// Calls `f` with a reference to every object in the table (those not already being released).
    pub(crate) fn for_each(&self, mut f: impl FnMut(&RcuRef<T>)) {
        let _guard = rcu::read_lock();
        for head in self.heads.iter() {
            let mut p = head.load(kernel::sync::atomic::Acquire);
            while let Some(node) = NonNull::new(p) {
                // SAFETY: As in `lookup`.
                let n = unsafe { node.as_ref() };
                // SAFETY: As in `lookup`.
                if let Some(r) = unsafe { RcuRef::try_get(node) } {
                    f(&r);
                    // `r` may be the last reference (its object was released concurrently): dropping
                    // it here releases the object, which is allowed inside a read-side section.
                }
                p = n.next.load(kernel::sync::atomic::Acquire);
            }
        }
    }

    /// As [`Self::for_each`], but in RCU read-side sections of at most `chunk` objects with a reschedule
    /// point between them, so that a walk of a large table neither stalls RCU nor holds the CPU. In a
    /// weak table, the reference on the object where a section stopped keeps it linked (an object is
    /// unlinked only when its last reference goes), so the next section resumes after it. A strong
    /// table is walked a bucket per section. Process context, no lock held.
    pub(crate) fn for_each_chunked(&self, chunk: usize, mut f: impl FnMut(&RcuRef<T>)) {
        let chunk = chunk.clamp(1, CHUNK_MAX);
        for head in self.heads.iter() {
            let mut resume: Option<RcuRef<T>> = None;
            loop {
                // The references taken in a section are dropped after it: one may be the last, and a
                // release (a namespace with its whole mount table) is not work for a read-side section.
                let mut held: [Option<RcuRef<T>>; CHUNK_MAX] = [const { None }; CHUNK_MAX];
                let mut seen = 0usize;
                let mut stopped = false;
                {
                    let _guard = rcu::read_lock();
                    let mut p = match &resume {
                        Some(r) => r.node().next.load(kernel::sync::atomic::Acquire),
                        None => head.load(kernel::sync::atomic::Acquire),
                    };
                    while let Some(node) = NonNull::new(p) {
                        // SAFETY: Reached from a bucket, or from a linked node we hold a reference on,
                        // inside an RCU read-side section: the node is not freed before it ends.
                        let n = unsafe { node.as_ref() };
                        p = n.next.load(kernel::sync::atomic::Acquire);
                        // SAFETY: As above.
                        let Some(r) = (unsafe { RcuRef::try_get(node) }) else {
                            continue;
                        };
                        f(&r);
                        match held.get_mut(seen) {
                            Some(slot) => *slot = Some(r),
                            // A strong table's bucket longer than the array: dropped here (a strong
                            // table holds its own reference, so this is never the last one).
                            None => drop(r),
                        }
                        seen += 1;
                        if self.weak && seen >= chunk {
                            stopped = true;
                            break;
                        }
                    }
                }
                // The next section resumes after the last object of this one, which stays linked
                // while we hold it (weak table: unlinked only at its last reference).
                let next = if stopped {
                    held.get_mut(seen - 1).and_then(Option::take)
                } else {
                    None
                };
                drop(core::mem::replace(&mut resume, next));
                drop(held);
                cond_resched();
                if resume.is_none() {
                    break;
                }
            }
        }
    }

    /// Links `obj` unless an object with its key is already there; returns the object now in the table
    /// (`alloc_ucounts`: the re-check under the lock). For weak tables the table holds no reference; for
    /// strong ones it takes one.
    pub(crate) fn insert_or_get(&self, obj: RcuRef<T>) -> RcuRef<T> {
        let key = obj.key();
        let existing = {
            let _guard = self.lock.lock();
            let existing = self.lookup(&key);
            if existing.is_none() {
                self.link_locked(&obj);
            }
            existing
        };
        // `obj` is dropped (and released) outside the lock: releasing may need it.
        existing.unwrap_or(obj)
    }

    /// Links `obj`, whose key is new to the table (fresh ids: nothing to re-check). For a weak table
    /// this is the moment the object becomes reachable by lookups.
    pub(crate) fn publish(&self, obj: &RcuRef<T>) {
        let _guard = self.lock.lock();
        self.link_locked(obj);
    }

    /// Links `obj` with `key` in place of the object `old` (the same key), or as new when `old` is
    /// `None` or no longer linked; a strong table gives back its reference to the replaced object.
    pub(crate) fn replace(&self, old: Option<&RcuRef<T>>, obj: &RcuRef<T>) -> Option<RcuRef<T>> {
        let _guard = self.lock.lock();
        let removed = old.and_then(|o| self.unlink_locked(o.ptr));
        self.link_locked(obj);
        removed
    }

    /// Unlinks the object with `key`; a strong table gives back its reference.
    pub(crate) fn remove(&self, key: &T::Key) -> Option<RcuRef<T>> {
        let _guard = self.lock.lock();
        let mut p = self.head(key).load(Relaxed);
        while let Some(node) = NonNull::new(p) {
            // SAFETY: Under `lock`, every linked node is live (type invariant).
            let n = unsafe { node.as_ref() };
            if n.key == *key {
                return self.unlink_locked(node);
            }
            p = n.next.load(Relaxed);
        }
        None
    }

    /// Unlinks every object; a strong table drops its references (module unload).
    pub(crate) fn clear(&self) {
        loop {
            let mut first = None;
            {
                let _guard = self.lock.lock();
                for head in self.heads.iter() {
                    if let Some(node) = NonNull::new(head.load(Relaxed)) {
                        first = Some(self.unlink_locked(node));
                        break;
                    }
                }
            }
            match first {
                // Dropped outside the lock: releasing may unlink others from this table.
                Some(r) => drop(r),
                None => return,
            }
        }
    }

    /// Publishes `obj` at the head of its bucket (`hlist_add_head_rcu`). Caller holds `lock`.
    fn link_locked(&self, obj: &RcuRef<T>) {
        let head = self.head(&obj.node().key);
        let n = obj.node();
        n.next.store(head.load(Relaxed), Relaxed);
        if self.weak {
            n.table.store(ptr::from_ref(self).cast_mut(), Relaxed);
        } else {
            // The table's own reference.
            core::mem::forget(obj.clone());
        }
        // Release: a reader that sees the node sees it initialised (`rcu_assign_pointer`).
        head.store(obj.ptr.as_ptr(), kernel::sync::atomic::Release);
    }

    /// Unlinks `node` if it is linked (`hlist_del_rcu`); returns the table's reference for a strong
    /// table. Caller holds `lock`.
    fn unlink_locked(&self, node: NonNull<RcuNode<T>>) -> Option<RcuRef<T>> {
        // SAFETY: The caller holds a reference or the lock with the node linked: it is live.
        let key = unsafe { node.as_ref() }.key;
        let mut link = self.head(&key);
        loop {
            let p = link.load(Relaxed);
            let cur = NonNull::new(p)?;
            // SAFETY: Under `lock`, every linked node is live (type invariant).
            let n = unsafe { cur.as_ref() };
            if cur == node {
                // Readers past this node keep following its `next`, which stays valid until the grace
                // period ends.
                link.store(n.next.load(Relaxed), kernel::sync::atomic::Release);
                if self.weak {
                    n.table.store(ptr::null_mut(), Relaxed);
                    return None;
                }
                // INVARIANT: the table's reference, handed to the caller.
                return Some(RcuRef {
                    ptr: node,
                    _p: PhantomData,
                });
            }
            link = &n.next;
        }
    }

    /// Unlinks a node whose last reference is gone (weak tables).
    fn unlink(&self, node: NonNull<RcuNode<T>>) {
        let _guard = self.lock.lock();
        let _ = self.unlink_locked(node);
    }
}

#[pinned_drop]
impl<T: RcuObject> PinnedDrop for RcuTable<T> {
    fn drop(self: Pin<&mut Self>) {
        // A strong table drops its references; a weak one unlinks what is left, so that a later release
        // of those objects does not reach this (then freed) table.
        self.clear();
    }
}

/// Waits until every `call_rcu` callback of this module has run (before the module text goes away).
pub(crate) fn rcu_barrier() {
    rcu::rcu_barrier();
}

// ---- the ABI structs as bytes ----------------------------------------------------------------------------

macro_rules! abi_bytes {
    ($($t:ty),* $(,)?) => {$(
        // SAFETY: vns-core's ABI structs are `#[repr(C)]` integers and byte arrays with no padding (sizes
        // asserted there and against the C header in tests/layout.rs): any bytes are a valid value.
        unsafe impl FromBytes for $t {}
        // SAFETY: As above, and every byte of such a struct is initialised.
        unsafe impl AsBytes for $t {}
    )*};
}

abi_bytes!(
    VnsUnshare, VnsInfo, VnsSetns, VnsUts, VnsUtsName, VnsIdMap, VnsIdExtent, VnsMount, VnsUmount, VnsList,
    VnsNsEntry, VnsUcounts,
);
