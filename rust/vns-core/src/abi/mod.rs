// SPDX-License-Identifier: GPL-2.0-only
//! ABI v1 of `/dev/vns` (Documentation/userspace-api/vns.rst): kinds, `CLONE_*` flags, ioctl numbers and
//! argument structs.
//!
//! Mirrors `include/uapi/linux/vns.h`; `tests/layout.rs` compiles a C probe against that header and fails on
//! any difference in a size, an offset or an ioctl number. The ioctl encoding is the one of
//! include/uapi/asm-generic/ioctl.h (Linux 7.3); the `CLONE_*` values are those of
//! include/uapi/linux/sched.h.
//!
//! Every item is re-exported here, so it is named `abi::X` whichever file holds it: `kind.rs` the kinds and
//! the `CLONE_*` flags, `ioc.rs` the ioctl encoding, `structs.rs` the argument structs and their checks,
//! `cmd.rs` the commands.

mod cmd;
mod ioc;
mod kind;
mod structs;

pub use self::cmd::*;
pub use self::ioc::*;
pub use self::kind::*;
pub use self::structs::*;

#[cfg(any(test, feature = "selftest"))]
pub(crate) mod tests;
