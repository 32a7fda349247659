// SPDX-License-Identifier: GPL-2.0-only
//! Extensible ioctl structs (Documentation/userspace-api/vns.rst, "Struct sizes"), after
//! include/linux/uaccess.h `copy_struct_from_user()` and `copy_struct_to_user()` (Linux 7.3).
//!
//! One difference from the kernel helpers, required by the ABI: a user struct *smaller* than the v1 size
//! is refused with EINVAL (`copy_struct_from_user()` would zero-fill the missing tail). The v1 structs are
//! the first version, so nothing older can exist.
//!
//! The module cannot hand user memory over as a slice: it uses the `*_plan` functions, which say how many
//! bytes to copy and which tail to check or clear, and does the user accesses itself. The slice versions
//! apply the same plan to buffers, for the tests and the fuzzers (feature `testing`).

use super::errno::{Errno, VnsResult};

/// Checks the caller's struct size (`_IOC_SIZE(cmd)`) against the v1 size: EINVAL when smaller.
pub const fn check_ioctl_size(user_size: usize, v1_size: usize) -> VnsResult<()> {
    if user_size < v1_size {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

/// How to read a user struct of `user_size` bytes into a kernel struct of `ksize` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FromUserPlan {
    /// Bytes to copy from the start of the user struct (`min(ksize, user_size)`).
    pub copy_len: usize,
    /// Bytes after `copy_len` in the user struct that must all be zero (`check_zeroed_user()`), else E2BIG.
    pub zero_check_len: usize,
}

/// The plan of `copy_struct_from_user(dst, ksize, src, usize)`, with EINVAL for `user_size < ksize`.
pub const fn struct_from_user_plan(ksize: usize, user_size: usize) -> VnsResult<FromUserPlan> {
    if user_size < ksize {
        return Err(Errno::EINVAL);
    }
    Ok(FromUserPlan {
        copy_len: ksize,
        zero_check_len: user_size - ksize,
    })
}

/// Copies `src` into the start of `dst` (as many bytes as both have).
///
/// Used instead of `<[u8]>::copy_from_slice`, whose length-mismatch panic path the Linux 7.3 objtool does not
/// know as `noreturn` for every rustc (a "falls through to next function" warning in the module build).
pub fn copy_bytes(dst: &mut [u8], src: &[u8]) {
    copy_items(dst, src);
}

/// [`copy_bytes`] for any `Copy` item type.
pub fn copy_items<T: Copy>(dst: &mut [T], src: &[T]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
    }
}

/// `copy_struct_from_user()` over buffers: `dst` is the kernel struct (its length is ksize), `src` the user
/// one (its length is usize). EINVAL when `src` is shorter; E2BIG when its bytes past `dst.len()` are not
/// all zero (checked before anything is copied, as the kernel does). On error `dst` is unchanged.
#[cfg(any(test, feature = "testing"))]
pub fn struct_from_user(dst: &mut [u8], src: &[u8]) -> VnsResult<()> {
    let plan = struct_from_user_plan(dst.len(), src.len())?;
    let (head, tail) = src.split_at(plan.copy_len);
    if tail.iter().any(|&b| b != 0) {
        return Err(Errno::E2BIG);
    }
    copy_bytes(dst, head);
    Ok(())
}

/// How to write a kernel struct of `ksize` bytes to a user struct of `user_size` bytes.
#[cfg(any(test, feature = "testing"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ToUserPlan {
    /// Bytes of the kernel struct to copy to the start of the user struct (`min(ksize, user_size)`).
    pub copy_len: usize,
    /// Bytes after `copy_len` in the user struct to clear (`clear_user()`), when the user's is larger.
    pub zero_len: usize,
    /// Bytes of the kernel struct that did not fit (`ignored_trailing` when any of them is non-zero).
    pub dropped_len: usize,
}

/// The plan of `copy_struct_to_user(dst, usize, src, ksize, ...)`. A smaller user struct never reaches
/// here in vns (`check_ioctl_size` refused it), but the plan is the kernel's for every size.
#[cfg(any(test, feature = "testing"))]
pub const fn struct_to_user_plan(user_size: usize, ksize: usize) -> ToUserPlan {
    let copy_len = if user_size < ksize { user_size } else { ksize };
    ToUserPlan {
        copy_len,
        zero_len: user_size - copy_len,
        dropped_len: ksize - copy_len,
    }
}

/// `copy_struct_to_user()` over buffers: copies `src` (the kernel struct) into `dst` (the user struct) and
/// zeroes the rest of a larger `dst`. Returns `ignored_trailing`: whether non-zero bytes of `src` did not
/// fit.
#[cfg(any(test, feature = "testing"))]
pub fn struct_to_user(dst: &mut [u8], src: &[u8]) -> bool {
    let plan = struct_to_user_plan(dst.len(), src.len());
    let (dst_head, dst_tail) = dst.split_at_mut(plan.copy_len);
    let (src_head, src_tail) = src.split_at(plan.copy_len);
    copy_bytes(dst_head, src_head);
    dst_tail.fill(0);
    src_tail.iter().any(|&b| b != 0)
}

/// The tests of these rules, the shared cases of `selftest::TESTS` among them (`ustruct/tests.rs`).
#[cfg(any(test, feature = "selftest"))]
pub(crate) mod tests;
