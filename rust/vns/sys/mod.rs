// SPDX-License-Identifier: GPL-2.0

//! The bottom layer: the module's only FFI and `unsafe`, over the C shim (`vns_shim.c`) and the kernel
//! crate. It depends only downward, on `kernel` and on vns-core's ABI structs; nothing here knows the
//! module's domain types. Every other file of the module is `#![deny(unsafe_code)]`.
//!
//! - [`shim`]: the shim's declarations;
//! - [`anon`]: anon-inode files (namespace fds);
//! - [`clock`]: the kernel's clocks;
//! - [`task`]: the current task, its credentials and the kernel services around it;
//! - [`locks`]: the global locks;
//! - [`rcu_ref`]: reference-counted objects in RCU-freed memory, and the reserves;
//! - [`rcu_table`]: the RCU hash tables they are linked in;
//! - [`reserve`]: a slot holding one value allocated ahead;
//! - [`uts`]: the uts names under a seqlock;
//! - [`misc`]: a misc device registered with a mode and data;
//! - [`hooks`]: the sysctl and probe callbacks, registered through an ops table;
//! - the ABI structs as bytes (below).

mod anon;
mod clock;
mod hooks;
mod locks;
mod misc;
mod rcu_ref;
mod rcu_table;
mod reserve;
mod shim;
mod task;
mod uts;

pub(crate) use anon::{
    anon_fd,
    with_anon_fd,
    AnonFile, //
};
pub(crate) use clock::clock_read;
pub(crate) use hooks::{
    Hooks,
    Registration, //
};
pub(crate) use locks::{
    init_global_locks,
    TIME_OFFSETS_LOCK, //
};
pub(crate) use misc::{
    MiscData,
    MiscWithMode, //
};
pub(crate) use rcu_ref::{
    RcuObject,
    RcuRef,
    RcuReserve, //
};
pub(crate) use rcu_table::{
    StrongTable,
    WeakTable,
    CHUNK_MAX, //
};
pub(crate) use reserve::{
    OnceBox,
    ReserveSlot, //
};
pub(crate) use task::{
    capable,
    capable_all,
    cond_resched,
    current_facts,
    current_mm_shared,
    current_tgid,
    fatal_signal_pending,
    init_ucount_max,
    nr_threads_total,
    CurrentFacts,
    ExecTask,
    NewTask,
    Opener,
    TaskAccess,
    TaskKey,
    TaskRef, //
};
pub(crate) use uts::{
    UtsField,
    UtsNames,
    UTS_LEN, //
};

use kernel::transmute::{
    AsBytes,
    FromBytes, //
};

use crate::vcore::abi::{
    VnsClockTs,
    VnsIdExtent,
    VnsIdMap,
    VnsInfo,
    VnsList,
    VnsMount,
    VnsNsEntry,
    VnsNsFd,
    VnsSetns,
    VnsSetnsTask,
    VnsTaskInfo,
    VnsTimeOffsets,
    VnsUcounts,
    VnsUmount,
    VnsUnshare,
    VnsUts,
    VnsUtsName, //
};

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
    VnsUnshare,
    VnsInfo,
    VnsSetns,
    VnsUts,
    VnsUtsName,
    VnsIdMap,
    VnsIdExtent,
    VnsMount,
    VnsUmount,
    VnsList,
    VnsNsEntry,
    VnsNsFd,
    VnsUcounts,
    VnsClockTs,
    VnsTimeOffsets,
    VnsTaskInfo,
    VnsSetnsTask,
);
