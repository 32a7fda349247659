// SPDX-License-Identifier: GPL-2.0

//! `vns-core`'s files, compiled into the module as source (the kernel build takes no crates).
//!
//! They are siblings here as they are in `rust/vns-core/src/lib.rs`, so their `super::` paths resolve the
//! same way in both crates. Public so that `missing_docs`/`unreachable_pub` judge them as in the crate. No
//! cargo feature is set here, so what only the STM32 port, vnsctl or the tests use (behind vns-core's
//! `table`, `names`, `testing` and `selftest` features) is not compiled: every item left is one the module
//! uses. A module split into files is loaded by its `mod.rs`, whose submodules are found beside it.

#[path = "../vns-core/src/abi/mod.rs"]
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
#[path = "../vns-core/src/timens.rs"]
pub mod timens;
#[path = "../vns-core/src/ucount/mod.rs"]
pub mod ucount;
#[path = "../vns-core/src/ustruct.rs"]
pub mod ustruct;
