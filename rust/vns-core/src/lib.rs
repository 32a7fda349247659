// SPDX-License-Identifier: GPL-2.0-only
//! `vns-core`: the pure rules of vns, an unshare-like ioctl over namespace objects of its own.
//!
//! Every rule here mirrors a Linux 7.3 function and names it. The project's documentation is the contract:
//! Documentation/vns.rst (the objects, capabilities, unshare, ucounts), Documentation/userspace-api/vns.rst
//! (ABI v1) and Documentation/admin-guide/vns-sysctl.rst (the limits).
//!
//! The Linux module compiles these files as plain modules of its own crate (`rust/vns/vcore.rs`:
//! `#[path = "../vns-core/src/abi/mod.rs"] pub mod abi;` ...); the host tests, vnsctl and the STM32 port use
//! the crate as a dependency. So no file but this one uses `crate::` paths, inner attributes, `std` or
//! `alloc`; siblings are reached as `super::errno`. Nothing here allocates, panics outside tests, or uses
//! `unsafe`. A module split into files is a directory with a `mod.rs` (`abi/`, `ucount/`): a file loaded by
//! `#[path]` looks for its submodules beside itself, as a `mod.rs` does, so both builds find them.
//!
//! The module sets no cargo feature, so it compiles only what it uses; the rest is behind a feature
//! (`#[cfg(any(test, feature = "..."))]`), on by default for cargo users:
//! - `table`: the fixed-capacity ucounts table (`ucount::UcountTable`), for the STM32 port;
//! - `names`: names, lists and inverses of the ABI's values (`Kind::from_name`, `Cmd::ALL`, ...), for
//!   userspace tools (vnsctl) and the header probe;
//! - `testing`: free-standing models (`ucount::Level`, `caps::NsNode`), the buffer forms of the struct rules,
//!   and rules the module applies its own way, for the tests, the fuzzers and examples;
//! - `selftest` (not default): the shared cases as `selftest::TESTS`, for the on-target runner.
//!
//! Modules: [`abi`] (ABI v1), [`errno`], [`flags`] (unshare flags), [`ustruct`] (extensible structs),
//! [`ucount`] (limits and their hash), [`idmap`] (uid/gid maps), [`caps`] (capabilities), [`depth`]
//! (nesting limits), [`mount`] (mount-table rules), [`timens`] (clock offsets), and `selftest` (cases that also run on the target).
//! Each rule's tests are beside it, in its module's `tests` (`flags/tests.rs`, ...).

#![no_std]
#![forbid(unsafe_code)]

#[cfg(test)]
extern crate std;

pub mod abi;
pub mod caps;
pub mod depth;
pub mod errno;
pub mod flags;
pub mod idmap;
pub mod mount;
#[cfg(any(test, feature = "selftest"))]
pub mod selftest;
pub mod timens;
pub mod ucount;
pub mod ustruct;
