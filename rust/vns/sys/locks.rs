// SPDX-License-Identifier: GPL-2.0

//! The module's global locks (`kernel::sync::global_lock!`), initialised once at load.

use kernel::{
    prelude::*,
    sync::atomic::{
        Atomic,
        Full, //
    }, //
};

kernel::sync::global_lock! {
    // SAFETY: Initialised by `init_global_locks`, which the module initialiser calls before anything
    // can take it.
    pub(crate) unsafe(uninit) static TIME_OFFSETS_LOCK: SpinLock<()> = ();
}

/// Whether the global locks have been initialised.
static INITIALISED: Atomic<bool> = Atomic::new(false);

/// Initialises the global locks: called by the module initialiser before anything else of the module
/// runs. Only the first call does anything.
pub(crate) fn init_global_locks() {
    if INITIALISED.xchg(true, Full) {
        return;
    }
    // SAFETY: Called once (the flag above), before any use of the lock (the caller's contract: the
    // module initialiser calls this first).
    unsafe { TIME_OFFSETS_LOCK.init() };
}
