// SPDX-License-Identifier: GPL-2.0

//! The module's one error enum is `vns-core`'s [`Errno`]: every internal function returns
//! [`VnsResult`], and the value becomes a kernel [`Error`] only at the edge (the ioctl and sysctl
//! handlers), through `From`, so `?` crosses it.

#![deny(unsafe_code)]

use kernel::{
    alloc::AllocError,
    error::Error, //
};

pub(crate) use crate::vcore::errno::{
    Errno,
    VnsResult, //
};

impl From<AllocError> for Errno {
    fn from(_: AllocError) -> Self {
        Errno::ENOMEM
    }
}

impl From<Error> for Errno {
    /// A kernel error (from an allocation or a user copy) as one of the errnos the ABI allows; anything
    /// else cannot come from the calls vns makes, and reads as EINVAL.
    fn from(e: Error) -> Self {
        Errno::from_code(-e.to_errno()).unwrap_or(Errno::EINVAL)
    }
}

impl From<Errno> for Error {
    /// At the edge: the errno as the kernel's error.
    fn from(e: Errno) -> Self {
        Error::from_errno(e.to_errno())
    }
}
