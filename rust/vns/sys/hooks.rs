// SPDX-License-Identifier: GPL-2.0

//! The callbacks the C shim makes into Rust: the `/proc/sys/vns` handler and the task probes. A type
//! implements [`Hooks`]; [`Registration`] hands the shim an ops table of `extern "C"` functions generic
//! over that type (as `MiscdeviceVTable<T>` does in rust/kernel/miscdevice.rs) and a pointer to the
//! value as their context. The shim takes one registration of each kind: a second fails with EBUSY.

use core::marker::PhantomData;

use kernel::{
    error::to_result,
    ffi::{
        c_int,
        c_uint,
        c_void, //
    },
    prelude::*,
    sync::{
        Arc,
        ArcBorrow, //
    }, //
};

use super::{
    shim::{
        self,
        RawHooks,
        RawOpener,
        RawTask, //
    },
    task::{
        ExecTask,
        NewTask,
        Opener,
        TaskKey, //
    }, //
};

/// What the shim calls. Each method runs in the context of the task the event is about (the reader or
/// writer of a sysctl, the creator of a new task, the exiting or executing task), may sleep, and must
/// not fail for a task that has nothing to do with vns.
pub(crate) trait Hooks: Send + Sync + 'static {
    /// The value entry `index` of `/proc/sys/vns` shows to the caller.
    fn sysctl_read(&self, index: usize) -> i32;
    /// Whether the caller may write entry `index` through a file opened with `opener`.
    fn sysctl_may_write(&self, index: usize, opener: &Opener) -> Result;
    /// Stores `value` (parsed and range-checked by the shim) into entry `index`.
    fn sysctl_write(&self, index: usize, value: i32) -> Result;
    /// `task_newtask`: `child` was created by `parent` (current) with `clone_flags`; it has not run.
    fn new_task(&self, parent: TaskKey, child: NewTask, clone_flags: u64);
    /// `sched_process_exit`: `task` (current) is exiting, before `exit_notify()`.
    fn exit(&self, task: TaskKey);
    /// `sched_process_exec`: `task` (current) has just executed a new program.
    fn exec(&self, task: ExecTask);
}

/// The ops table of `T`.
struct HooksVTable<T: Hooks>(PhantomData<T>);

impl<T: Hooks> HooksVTable<T> {
    const VTABLE: RawHooks = RawHooks {
        sysctl_read: Some(Self::sysctl_read),
        sysctl_may_write: Some(Self::sysctl_may_write),
        sysctl_write: Some(Self::sysctl_write),
        new_task: Some(Self::new_task),
        exit: Some(Self::exit),
        exec: Some(Self::exec),
    };

    /// The value behind a `ctx` the shim was given.
    ///
    /// # Safety
    ///
    /// `ctx` must be the context of a [`Registration<T>`] still in place.
    unsafe fn hooks<'a>(ctx: *const c_void) -> ArcBorrow<'a, T> {
        // SAFETY: By the function's contract `ctx` is `Arc::as_ptr` of the `Arc<T>` the registration
        // keeps alive while the shim can call back (type invariant of `Registration`).
        unsafe { ArcBorrow::from_raw(ctx.cast::<T>()) }
    }

    /// # Safety
    ///
    /// Called by the shim with the context of a registration in place.
    unsafe extern "C" fn sysctl_read(ctx: *const c_void, index: c_uint) -> c_int {
        // SAFETY: The function's contract.
        unsafe { Self::hooks(ctx) }.sysctl_read(index as usize)
    }

    /// # Safety
    ///
    /// As `sysctl_read`; `opener` points to a valid `struct vns_opener` for the duration of the call.
    unsafe extern "C" fn sysctl_may_write(
        ctx: *const c_void,
        index: c_uint,
        opener: *const RawOpener,
    ) -> c_int {
        // SAFETY: The function's contract.
        let raw = unsafe { &*opener };
        let opener = Opener {
            euid: raw.euid,
            cap_sys_resource: raw.cap_sys_resource,
        };
        // SAFETY: The function's contract.
        match unsafe { Self::hooks(ctx) }.sysctl_may_write(index as usize, &opener) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    /// # Safety
    ///
    /// As `sysctl_read`.
    unsafe extern "C" fn sysctl_write(ctx: *const c_void, index: c_uint, value: c_int) -> c_int {
        // SAFETY: The function's contract.
        match unsafe { Self::hooks(ctx) }.sysctl_write(index as usize, value) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    /// # Safety
    ///
    /// As `sysctl_read`; `child` is the probe's new task, alive until it returns.
    unsafe extern "C" fn new_task(
        ctx: *const c_void,
        parent: *mut RawTask,
        child: *mut RawTask,
        clone_flags: u64,
    ) {
        // INVARIANT: `child` is the new task of the running probe.
        let child = NewTask(child);
        // SAFETY: The function's contract.
        unsafe { Self::hooks(ctx) }.new_task(TaskKey::of(parent), child, clone_flags);
    }

    /// # Safety
    ///
    /// As `sysctl_read`.
    unsafe extern "C" fn exit(ctx: *const c_void, task: *mut RawTask) {
        // SAFETY: The function's contract.
        unsafe { Self::hooks(ctx) }.exit(TaskKey::of(task));
    }

    /// # Safety
    ///
    /// As `sysctl_read`; `task` is current.
    unsafe extern "C" fn exec(ctx: *const c_void, task: *mut RawTask) {
        // INVARIANT: `task` is current, valid for the duration of the probe.
        let task = ExecTask(task);
        // SAFETY: The function's contract.
        unsafe { Self::hooks(ctx) }.exec(task);
    }
}

/// A registration with the shim of `T`'s ops table, with `Arc::as_ptr(&hooks)` as the context.
///
/// # Invariants
///
/// The shim's registration is in place with the ops table of `T` and `ctx` = the raw pointer of
/// `hooks`, kept alive by this value.
pub(crate) struct Registration<T: Hooks> {
    hooks: Arc<T>,
    unregister: unsafe extern "C" fn(),
}

impl<T: Hooks> Registration<T> {
    fn new(
        hooks: Arc<T>,
        register: unsafe extern "C" fn(*const RawHooks, *const c_void) -> c_int,
        unregister: unsafe extern "C" fn(),
    ) -> Result<Self> {
        let ctx = Arc::as_ptr(&hooks).cast::<c_void>();
        // SAFETY: The ops table is a `'static` constant; `ctx` stays valid until `Drop` has unregistered
        // (we hold `hooks`); the shim's register functions undo themselves on failure, and refuse a
        // second registration (EBUSY).
        to_result(unsafe { register(&HooksVTable::<T>::VTABLE, ctx) })?;
        // INVARIANT: registered above with `ctx` from `hooks`.
        Ok(Self { hooks, unregister })
    }

    /// Registers `/proc/sys/vns`; its handler reaches `hooks`.
    pub(crate) fn sysctl(hooks: Arc<T>) -> Result<Self> {
        Self::new(
            hooks,
            shim::vns_shim_sysctl_register,
            shim::vns_shim_sysctl_unregister,
        )
    }

    /// Attaches the `task_newtask` and `sched_process_exit/exec` probes; they reach `hooks`.
    pub(crate) fn probes(hooks: Arc<T>) -> Result<Self> {
        Self::new(
            hooks,
            shim::vns_shim_probes_register,
            shim::vns_shim_probes_unregister,
        )
    }
}

impl<T: Hooks> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: Registered by `new` (type invariant). Unregistering waits for running handlers
        // (`unregister_sysctl_table`, `tracepoint_synchronize_unregister`), after which `ctx` is unused.
        unsafe { (self.unregister)() };
        let _ = &self.hooks;
    }
}
