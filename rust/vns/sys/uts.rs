// SPDX-License-Identifier: GPL-2.0

//! The uts names of a uts vns: a nodename and a domainname under a seqlock (the shim's
//! `struct vns_uts`; the 7.3 Rust API has no seqlock). Readers never lock.

use core::ptr::{
    self,
    NonNull, //
};

use kernel::{
    ffi::c_uint,
    prelude::*, //
};

use super::shim::{
    self,
    RawUts, //
};

/// Which of the two names (`VNS_IOC_SET_UTS`'s `which`: 0, 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UtsField {
    /// `nodename` (sethostname).
    Nodename,
    /// `domainname` (setdomainname).
    Domainname,
}

/// Length of a uts name without its NUL (`__NEW_UTS_LEN`).
pub(crate) const UTS_LEN: usize = 64;

/// A nodename and a domainname under a seqlock (the shim's `struct vns_uts`): readers never lock.
///
/// # Invariants
///
/// `ptr` is a live allocation of `vns_shim_uts_alloc`, owned by this value.
pub(crate) struct UtsNames {
    ptr: NonNull<RawUts>,
}

// SAFETY: The shim's object is plain memory under a seqlock: readers and writers on any CPU synchronise
// through it.
unsafe impl Send for UtsNames {}
// SAFETY: As above; `read` takes `&self` and is lockless, `write` takes the seqlock's write side.
unsafe impl Sync for UtsNames {}

impl UtsNames {
    /// A copy of `from`, or the kernel's own names when `from` is `None` (the init uts vns).
    pub(crate) fn new(from: Option<&UtsNames>) -> Result<Self> {
        let from = from.map_or(ptr::null(), |u| u.ptr.as_ptr().cast_const());
        // SAFETY: `from` is null or a live `struct vns_uts` (type invariant of `from`).
        let raw = unsafe { shim::vns_shim_uts_alloc(from) };
        // INVARIANT: a fresh allocation, owned by the new value.
        Ok(Self {
            ptr: NonNull::new(raw).ok_or(ENOMEM)?,
        })
    }

    /// A consistent snapshot of both names, each NUL-terminated in `UTS_LEN + 1` bytes.
    pub(crate) fn read(&self) -> ([u8; UTS_LEN + 1], [u8; UTS_LEN + 1]) {
        let mut node = [0u8; UTS_LEN + 1];
        let mut domain = [0u8; UTS_LEN + 1];
        // SAFETY: `ptr` is live (type invariant); both buffers hold `UTS_LEN + 1` bytes.
        unsafe {
            shim::vns_shim_uts_read(
                self.ptr.as_ptr(),
                node.as_mut_ptr().cast(),
                domain.as_mut_ptr().cast(),
            )
        };
        (node, domain)
    }

    /// Sets `field` to `name` (at most `UTS_LEN` bytes).
    pub(crate) fn write(&self, field: UtsField, name: &[u8]) {
        let len = name.len().min(UTS_LEN) as c_uint;
        let which: c_uint = match field {
            UtsField::Nodename => 0,
            UtsField::Domainname => 1,
        };
        // SAFETY: `ptr` is live (type invariant); `name` holds at least `len` bytes; the shim takes the
        // seqlock's write side, so concurrent writers and readers are fine through `&self`.
        unsafe { shim::vns_shim_uts_write(self.ptr.as_ptr(), which, name.as_ptr().cast(), len) };
    }
}

impl Drop for UtsNames {
    fn drop(&mut self) {
        // SAFETY: `ptr` is live and owned (type invariant); nothing uses it after this.
        unsafe { shim::vns_shim_uts_free(self.ptr.as_ptr()) };
    }
}
