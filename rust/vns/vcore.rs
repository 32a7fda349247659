// SPDX-License-Identifier: GPL-2.0

//! `vns-core`'s files, compiled into the module as source (the kernel build takes no crates).
//!
//! They are siblings here as they are in `rust/vns-core/src/lib.rs`, so their `super::` paths resolve the
//! same way in both crates. Public so that `missing_docs`/`unreachable_pub` judge them as in the crate;
//! not every rule is used by the module, hence `dead_code` is allowed.

#![allow(dead_code)]

#[path = "../vns-core/src/abi.rs"]
pub mod abi;
#[path = "../vns-core/src/caps.rs"]
pub mod caps;
#[path = "../vns-core/src/depth.rs"]
pub mod depth;
#[path = "../vns-core/src/errno.rs"]
pub mod errno;
#[path = "../vns-core/src/flags.rs"]
pub mod flags;
#[path = "../vns-core/src/idmap.rs"]
pub mod idmap;
#[path = "../vns-core/src/mount.rs"]
pub mod mount;
#[path = "../vns-core/src/ucount.rs"]
pub mod ucount;
#[path = "../vns-core/src/ustruct.rs"]
pub mod ustruct;
