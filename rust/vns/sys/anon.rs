// SPDX-License-Identifier: GPL-2.0

//! Anon-inode files of the module (fs/anon_inodes.c): a file descriptor that owns a value and answers
//! ioctls on it, such as a namespace fd. The 7.3 Rust API has no anon-inode wrapper; the shim makes the
//! file and calls back through an ops table generic over the value's type, as rust/kernel/miscdevice.rs
//! fills `file_operations`.

use core::marker::PhantomData;

use kernel::{
    ffi::{
        c_int,
        c_long,
        c_uint,
        c_ulong,
        c_void, //
    },
    prelude::*,
    types::ForeignOwnable, //
};

use super::shim::{
    self,
    RawAnonOps,
    RawFile, //
};

/// What an anon-inode file of the module holds: its ioctls, and its release (the value's `Drop`, at
/// the last close).
pub(crate) trait AnonFile: Send + Sync + Sized + 'static {
    /// A tag unique to the type among the module's anon-inode files: how a file descriptor is
    /// recognised as one of `Self` (the ops table's address is no identity: a constant may be
    /// promoted more than once).
    const TAG: u32;

    /// An ioctl on the file: the return value of the syscall, or an error.
    fn ioctl(&self, cmd: u32, arg: usize) -> Result<isize>;
}

/// The ops table of `T`.
struct AnonVTable<T: AnonFile>(PhantomData<T>);

impl<T: AnonFile> AnonVTable<T> {
    const VTABLE: RawAnonOps = RawAnonOps {
        ioctl: Some(Self::ioctl),
        release: Some(Self::release),
    };

    /// # Safety
    ///
    /// `data` is what [`anon_fd`] gave the shim for a file that is still open.
    unsafe extern "C" fn ioctl(data: *mut c_void, cmd: c_uint, arg: c_ulong) -> c_long {
        // SAFETY: `data` came from `KBox::<T>::into_foreign` and is not released while the file is
        // open (the function's contract).
        let file = unsafe { <KBox<T> as ForeignOwnable>::borrow(data) };
        match file.ioctl(cmd, arg) {
            Ok(v) => v as c_long,
            Err(e) => e.to_errno() as c_long,
        }
    }

    /// # Safety
    ///
    /// `data` is what [`anon_fd`] gave the shim, at the file's release (called once).
    unsafe extern "C" fn release(data: *mut c_void) {
        // SAFETY: `data` came from `KBox::<T>::into_foreign`; the release is the last use.
        drop(unsafe { <KBox<T> as ForeignOwnable>::from_foreign(data) });
    }
}

/// A new close-on-exec file descriptor of the caller that owns `value`. On failure `value` is dropped.
pub(crate) fn anon_fd<T: AnonFile>(value: KBox<T>) -> Result<i32> {
    let data = value.into_foreign();
    // SAFETY: The ops table is a `'static` constant; `data` is a `KBox<T>` the file owns from now on
    // (released by the table's `release`).
    let fd = unsafe { shim::vns_shim_anon_fd(&AnonVTable::<T>::VTABLE, data.cast(), T::TAG) };
    if fd < 0 {
        // SAFETY: The shim did not keep `data` (the function's contract on failure).
        drop(unsafe { <KBox<T> as ForeignOwnable>::from_foreign(data) });
        return Err(Error::from_errno(fd));
    }
    Ok(fd)
}

/// `f` of the value of file descriptor `fd`, if it is an anon-inode file holding a `T`: EBADF for a
/// closed fd, EINVAL for any other file (as setns(2) answers).
pub(crate) fn with_anon_fd<T: AnonFile, R>(fd: i32, f: impl FnOnce(&T) -> R) -> Result<R> {
    let mut file: *mut RawFile = core::ptr::null_mut();
    let mut data: *mut c_void = core::ptr::null_mut();
    // SAFETY: `file` and `data` are valid out-pointers; the tag identifies files of `T`.
    let ret: c_int = unsafe { shim::vns_shim_anon_get(fd, T::TAG, &mut file, &mut data) };
    if ret < 0 {
        return Err(Error::from_errno(ret));
    }
    // SAFETY: The shim returned the data of an open file of `T`, which it holds until the put below.
    let value = unsafe { <KBox<T> as ForeignOwnable>::borrow(data) };
    let r = f(value);
    // SAFETY: `file` was held by `vns_shim_anon_get`; released once.
    unsafe { shim::vns_shim_anon_put(file) };
    Ok(r)
}
