// SPDX-License-Identifier: GPL-2.0-only
//! Error numbers returned by vns.
//!
//! The values are the kernel's (include/uapi/asm-generic/errno-base.h and errno.h, Linux 7.3). Every fallible rule of
//! `vns-core` returns an [`Errno`]; the module hands `to_errno()` (negative) back to the ioctl caller.

/// The error numbers vns can return (include/uapi/asm-generic/errno-base.h).
#[repr(i32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Errno {
    /// Operation not permitted.
    EPERM = 1,
    /// No such file or directory (unknown namespace or mount id).
    ENOENT = 2,
    /// No such process (no task has the pid, or it is exiting).
    ESRCH = 3,
    /// Argument list too long (non-zero trailing bytes of a larger struct).
    E2BIG = 7,
    /// Bad file descriptor (SETNS of a closed fd).
    EBADF = 9,
    /// Out of memory (an allocation or a fixed-capacity table is full).
    ENOMEM = 12,
    /// Permission denied (sysctl write without CAP_SYS_RESOURCE).
    EACCES = 13,
    /// Bad address (bad user pointer).
    EFAULT = 14,
    /// Device or resource busy (umount of a mount with children).
    EBUSY = 16,
    /// Invalid argument.
    EINVAL = 22,
    /// Inappropriate ioctl for device (unknown command).
    ENOTTY = 25,
    /// No space left on device (a limit or a depth is reached).
    ENOSPC = 28,
    /// Result too large (a clock offset that would take the clock out of range).
    ERANGE = 34,
    /// Too many users (SETNS into a time vns by a caller that shares its address space).
    EUSERS = 87,
}

/// Result of a vns rule (named so that it does not clash with the kernel crate's `Result`).
pub type VnsResult<T> = core::result::Result<T, Errno>;

impl Errno {
    /// Every error number, in increasing value.
    #[cfg(any(test, feature = "names"))]
    pub const ALL: [Errno; 14] = [
        Errno::EPERM,
        Errno::ENOENT,
        Errno::ESRCH,
        Errno::E2BIG,
        Errno::EBADF,
        Errno::ENOMEM,
        Errno::EACCES,
        Errno::EFAULT,
        Errno::EBUSY,
        Errno::EINVAL,
        Errno::ENOTTY,
        Errno::ENOSPC,
        Errno::ERANGE,
        Errno::EUSERS,
    ];

    /// The positive error number (`EPERM` is 1).
    #[cfg(any(test, feature = "names"))]
    pub const fn code(self) -> i32 {
        self as i32
    }

    /// The value a kernel function returns for this error: the negative number (`-EPERM` is -1).
    pub const fn to_errno(self) -> i32 {
        -(self as i32)
    }

    /// The symbolic name, as in errno-base.h ("EPERM").
    pub const fn name(self) -> &'static str {
        match self {
            Errno::EPERM => "EPERM",
            Errno::ENOENT => "ENOENT",
            Errno::ESRCH => "ESRCH",
            Errno::E2BIG => "E2BIG",
            Errno::EBADF => "EBADF",
            Errno::ENOMEM => "ENOMEM",
            Errno::EACCES => "EACCES",
            Errno::EFAULT => "EFAULT",
            Errno::EBUSY => "EBUSY",
            Errno::EINVAL => "EINVAL",
            Errno::ENOTTY => "ENOTTY",
            Errno::ENOSPC => "ENOSPC",
            Errno::ERANGE => "ERANGE",
            Errno::EUSERS => "EUSERS",
        }
    }

    /// The error for a number, positive or negative (`1` and `-1` are both `EPERM`); `None` for a number
    /// vns never returns.
    pub const fn from_code(code: i32) -> Option<Errno> {
        match code.wrapping_abs() {
            1 => Some(Errno::EPERM),
            2 => Some(Errno::ENOENT),
            3 => Some(Errno::ESRCH),
            7 => Some(Errno::E2BIG),
            9 => Some(Errno::EBADF),
            12 => Some(Errno::ENOMEM),
            13 => Some(Errno::EACCES),
            14 => Some(Errno::EFAULT),
            16 => Some(Errno::EBUSY),
            22 => Some(Errno::EINVAL),
            25 => Some(Errno::ENOTTY),
            28 => Some(Errno::ENOSPC),
            34 => Some(Errno::ERANGE),
            87 => Some(Errno::EUSERS),
            _ => None,
        }
    }
}

impl core::fmt::Display for Errno {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// The tests of these rules, the shared cases of `selftest::TESTS` among them (`errno/tests.rs`).
#[cfg(any(test, feature = "selftest"))]
pub(crate) mod tests;
