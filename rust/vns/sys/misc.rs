// SPDX-License-Identifier: GPL-2.0

//! A misc device registered with a mode and with the data its open files need: the 7.3
//! `MiscDeviceOptions` has no mode field and `MiscDeviceRegistration` carries no data
//! (rust/kernel/miscdevice.rs).

use kernel::{
    bindings,
    error::to_result,
    miscdevice::{
        MiscDevice,
        MiscDeviceOptions,
        MiscDeviceRegistration, //
    },
    prelude::*,
    str::CStr, //
};

/// A [`MiscDevice`] whose registration carries data: what [`MiscWithMode::data_of`] returns.
pub(crate) trait MiscData: MiscDevice {
    /// What each open file is given.
    type Data: Sync;
}

/// A misc device registration with a mode (devtmpfs creates the node with it; drivers/char/misc.c
/// `misc_devnode` reads `misc->mode`) and the data its files need.
///
/// # Invariants
///
/// `reg` is registered while this value exists, and a `MiscDeviceRegistration<T>` is only ever
/// registered as the `reg` field of a `MiscWithMode<T>` (this type is how the module registers misc
/// devices; `MiscDeviceRegistration::register` is not used).
#[pin_data]
pub(crate) struct MiscWithMode<T: MiscData> {
    /// First, so that it is deregistered (no open any more) before `data` goes.
    #[pin]
    reg: MiscDeviceRegistration<T>,
    data: T::Data,
}

impl<T: MiscData> MiscWithMode<T> {
    /// Registers the device `name` with `mode`, next to `data`.
    pub(crate) fn register(
        name: &'static CStr,
        mode: u16,
        data: T::Data,
    ) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            reg <- register_with_mode::<T>(name, mode),
            data,
        })
    }

    /// The data of the registration `misc` is part of (for `MiscDevice::open`).
    pub(crate) fn data_of(misc: &MiscDeviceRegistration<T>) -> &T::Data {
        let ptr: *const MiscDeviceRegistration<T> = misc;
        // SAFETY: Every registered `MiscDeviceRegistration<T>` is the `reg` field of a `MiscWithMode<T>`
        // (type invariant), and `open` is only called for a registered device, so `ptr` points into a
        // live `MiscWithMode<T>`.
        let this = unsafe { kernel::container_of!(ptr, Self, reg) };
        // SAFETY: `this` is valid for as long as `misc` is borrowed: the registration is a field of it.
        unsafe { &(*this).data }
    }
}

/// `MiscDeviceRegistration::register` with `mode` set on the `struct miscdevice` before
/// `misc_register()`.
fn register_with_mode<T: MiscDevice>(
    name: &'static CStr,
    mode: u16,
) -> impl PinInit<MiscDeviceRegistration<T>, Error> {
    let closure = move |slot: *mut MiscDeviceRegistration<T>| {
        let raw = slot.cast::<bindings::miscdevice>();
        let mut misc = MiscDeviceOptions { name }.into_raw::<T>();
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
