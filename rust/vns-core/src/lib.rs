// SPDX-License-Identifier: GPL-2.0-only
//! `vns-core`: the pure rules of vns, an unshare-like ioctl over namespace objects of its own.
//!
//! Every rule here mirrors a Linux 7.3 function and names it; `shared/spec/vns-v1.md` is the contract.
//! The Linux module compiles these files as plain modules of its own crate (`rust/vns/vcore.rs`:
//! `#[path = "../vns-core/src/abi.rs"] pub mod abi;` ...); the host tests, vnsctl and the STM32 port
//! use the crate as a dependency. So no file but this one uses `crate::` paths,
//! inner attributes, `std` or `alloc`; siblings are reached as `super::errno`. Nothing here allocates,
//! panics outside tests, or uses `unsafe`.
//!
//! Modules: [`abi`] (ABI v1), [`errno`], [`flags`] (unshare flags), [`ustruct`] (extensible structs),
//! [`ucount`] (limits and their hash), [`idmap`] (uid/gid maps), [`caps`] (capabilities), [`depth`]
//! (nesting limits), [`mount`] (mount-table rules), and [`selftest`] (cases that also run on the target).

#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

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
#[allow(clippy::indexing_slicing, clippy::panic)]
pub mod selftest;
pub mod ucount;
pub mod ustruct;
