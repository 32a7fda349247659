// SPDX-License-Identifier: GPL-2.0

//! vns: virtual namespaces.
//!
//! An unshare(2)-like ioctl on `/dev/vns` over the module's own namespace objects, charged to the
//! module's own per-user, hierarchical ucounts table, with the limits under `/proc/sys/vns`. The contract
//! is Documentation/vns.rst and Documentation/userspace-api/vns.rst; the rules that need no kernel live
//! in `rust/vns-core`, compiled in as source (see `vcore.rs`). The layers (Documentation/vns.rst "Code
//! map"), each depending only on those below it:
//!
//! - the edge: `device` (the ioctls), `sysctl` (the shim's callbacks: `/proc/sys/vns`, the probes);
//! - the operations: `unshare` (UNSHARE, SETNS), `ops` (the rest), over `state` (the owners, and what
//!   the caller resolves to);
//! - the domain: `registry`, `member`, `ucounts`, `ns` with `user` and `mnt`, and `kind`, `error`;
//! - `sys`: the only `unsafe` and FFI, over the C shim (`vns_shim.c`) and the kernel crate.

use kernel::{
    prelude::*,
    sync::Arc, //
};

mod device;
mod error;
mod kind;
mod member;
mod mnt;
mod ns;
mod nsfd;
mod ops;
mod proxy;
mod registry;
mod setns;
mod state;
mod sys;
mod sysctl;
mod target;
mod time;
mod ucounts;
mod unshare;
mod user;
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
    _sysctl: sys::Registration<state::Vns>,
    /// The task probes. Unregistering waits until no probe runs.
    _probes: sys::Registration<state::Vns>,
    /// The namespaces, ucounts and memberships. Freed when nothing above can reach it any more.
    /// Its memory is freed with `kfree_rcu()`, which calls no code of this module: unloading does not
    /// wait for a grace period.
    _state: Arc<state::Vns>,
}

impl kernel::Module for VnsModule {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // Each step's value undoes itself when dropped, so a failure undoes the steps before it.
        sys::init_global_locks();
        let state = state::Vns::new()?;
        let sysctl = sys::Registration::sysctl(state.clone())?;
        let probes = sys::Registration::probes(state.clone())?;
        let device = KBox::pin_init(device::register(state.clone()), GFP_KERNEL)?;
        pr_info!("loaded (/dev/vns, /proc/sys/vns)\n");
        Ok(Self {
            _device: device,
            _sysctl: sysctl,
            _probes: probes,
            _state: state,
        })
    }
}

impl Drop for VnsModule {
    fn drop(&mut self) {
        pr_info!("unloading\n");
    }
}
