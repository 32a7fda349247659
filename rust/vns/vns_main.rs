// SPDX-License-Identifier: GPL-2.0

//! vns: virtual namespaces.
//!
//! An unshare(2)-like ioctl on `/dev/vns` over the module's own namespace objects, charged to the module's
//! own per-user, hierarchical ucounts table, with the limits under `/proc/sys/vns`. The contract is
//! `shared/spec/vns-v1.md`; the rules that need no kernel live in `rust/vns-core`, compiled in as source
//! (see `vcore.rs`).
//!
//! Files: `sys.rs` is the only file with `unsafe` and FFI (it pairs with `vns_shim.c`); every other file
//! is `#![deny(unsafe_code)]`.

use kernel::{prelude::*, sync::Arc};

mod device;
mod state;
mod sys;
mod sysctl;
pub mod vcore;

module! {
    type: VnsModule,
    name: "vns",
    authors: ["The vns developers"],
    description: "Virtual namespaces: an unshare-like ioctl over the module's own namespace objects",
    license: "GPL",
}

/// The loaded module: what insmod set up, in the order rmmod takes it down (fields drop in order).
struct VnsModule {
    /// `/dev/vns`. Dropped first: no new file can be opened after this (open files hold the module).
    _device: Pin<KBox<device::Device>>,
    /// `/proc/sys/vns`. Unregistering waits for handlers in flight.
    _sysctl: sys::SysctlRegistration,
    /// The namespaces, ucounts and limits. Freed last, when nothing above can reach it any more.
    _state: Arc<state::Vns>,
}

impl kernel::Module for VnsModule {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // Each step's value undoes itself when dropped, so a failure undoes the steps before it (spec §9).
        let state = state::Vns::new()?;
        let sysctl = sys::SysctlRegistration::register(state.clone())?;
        let device = KBox::pin_init(device::Device::register(state.clone()), GFP_KERNEL)?;
        pr_info!("loaded (/dev/vns, /proc/sys/vns)\n");
        Ok(Self {
            _device: device,
            _sysctl: sysctl,
            _state: state,
        })
    }
}

impl Drop for VnsModule {
    fn drop(&mut self) {
        pr_info!("unloading\n");
    }
}
