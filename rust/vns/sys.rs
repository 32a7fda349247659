// SPDX-License-Identifier: GPL-2.0

//! The module's only FFI and `unsafe`: the C shim (`vns_shim.c`), the misc device registration with a
//! mode, and the callbacks C makes into Rust. Every other file is `#![deny(unsafe_code)]`.

use kernel::{
    bindings,
    error::to_result,
    ffi::{c_int, c_long, c_uint, c_void},
    miscdevice::{MiscDeviceOptions, MiscDeviceRegistration},
    prelude::*,
    str::CStr,
    sync::{Arc, ArcBorrow},
};

use crate::{
    device::{Device, VnsFile},
    state::Vns,
};

// The shim's interface, as declared in vns_shim.h.
extern "C" {
    fn vns_shim_sysctl_register(ctx: *const c_void) -> c_int;
    fn vns_shim_sysctl_unregister();
    fn vns_shim_init_ucount_max(kind: c_uint) -> c_long;
    fn vns_shim_capable(cap: c_int) -> bool;
}

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
pub(crate) fn capable(cap: i32) -> bool {
    // SAFETY: `capable()` may be called from any task context with any capability number; an unknown
    // number is rejected by the kernel itself.
    unsafe { vns_shim_capable(cap) }
}

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
        // SAFETY: `raw` holds a `struct miscdevice` built by `MiscDeviceOptions::into_raw`, as
        // `MiscDeviceRegistration::register` does; the slot is pinned and the registration's `Drop`
        // calls `misc_deregister()` before the memory goes away. On success the slot therefore meets
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

/// `/proc/sys/vns`, registered for as long as this value lives.
///
/// # Invariants
///
/// The shim's table is registered with `ctx` = the raw pointer of `state`, which this value keeps alive.
pub(crate) struct SysctlRegistration {
    state: Arc<Vns>,
}

impl SysctlRegistration {
    /// Registers the table; its handlers reach `state`.
    pub(crate) fn register(state: Arc<Vns>) -> Result<Self> {
        let ctx = Arc::as_ptr(&state).cast::<c_void>();
        // SAFETY: `ctx` stays valid until `Drop` has unregistered the table (we hold `state`).
        to_result(unsafe { vns_shim_sysctl_register(ctx) })?;
        // INVARIANT: registered above with `ctx` from `state`.
        Ok(Self { state })
    }
}

impl Drop for SysctlRegistration {
    fn drop(&mut self) {
        // SAFETY: Registered by `register` (type invariant); unregistering waits for running handlers,
        // after which `ctx` is no longer used.
        unsafe { vns_shim_sysctl_unregister() };
        let _ = &self.state;
    }
}

/// The state behind a sysctl handler's `ctx`.
///
/// # Safety
///
/// `ctx` must be the pointer passed to `vns_shim_sysctl_register`, while the table is registered.
unsafe fn sysctl_state<'a>(ctx: *const c_void) -> ArcBorrow<'a, Vns> {
    // SAFETY: By the function's contract `ctx` came from `Arc::as_ptr` of an `Arc<Vns>` that
    // `SysctlRegistration` keeps alive while the table (and so this handler) can run.
    unsafe { ArcBorrow::from_raw(ctx.cast::<Vns>()) }
}

/// Shows entry `index` of `/proc/sys/vns` to the caller.
#[no_mangle]
extern "C" fn vns_rust_sysctl_read(ctx: *const c_void, index: c_uint) -> c_int {
    // SAFETY: Called by the shim's handler with the registered `ctx`.
    let state = unsafe { sysctl_state(ctx) };
    state.sysctl_read(index as usize)
}

/// 0 if the caller may write entry `index`, else a negative errno.
#[no_mangle]
extern "C" fn vns_rust_sysctl_may_write(ctx: *const c_void, index: c_uint) -> c_int {
    // SAFETY: Called by the shim's handler with the registered `ctx`.
    let state = unsafe { sysctl_state(ctx) };
    match state.sysctl_may_write(index as usize) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// Stores `value` (already parsed and range-checked) into entry `index`; 0 or a negative errno.
#[no_mangle]
extern "C" fn vns_rust_sysctl_write(ctx: *const c_void, index: c_uint, value: c_int) -> c_int {
    // SAFETY: Called by the shim's handler with the registered `ctx`.
    let state = unsafe { sysctl_state(ctx) };
    match state.sysctl_write(index as usize, value) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}
