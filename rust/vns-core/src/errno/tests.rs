// SPDX-License-Identifier: GPL-2.0-only
//! Tests of the error numbers. First the shared case (`selftest::TESTS`, run by `cargo test` and on the
//! STM32 target): include/uapi/asm-generic/errno-base.h; then host-only unit tests.

use super::Errno;
use Errno::*;

#[cfg_attr(test, test)]
pub(crate) fn errno_values() {
    let table: [(Errno, i32); 14] = [
        (EPERM, 1),
        (ENOENT, 2),
        (ESRCH, 3),
        (E2BIG, 7),
        (EBADF, 9),
        (ENOMEM, 12),
        (EACCES, 13),
        (EFAULT, 14),
        (EBUSY, 16),
        (EINVAL, 22),
        (ENOTTY, 25),
        (ENOSPC, 28),
        (ERANGE, 34),
        (EUSERS, 87),
    ];
    for (e, v) in table {
        assert_eq!(e.code(), v, "{}", e.name());
        assert_eq!(e.to_errno(), -v, "{}", e.name());
    }
}

// Host-only unit tests (`cargo test`).

// include/uapi/asm-generic/errno-base.h: the numbers themselves.
#[test]
fn values_match_errno_base_h() {
    let table: [(Errno, i32); 14] = [
        (Errno::EPERM, 1),
        (Errno::ENOENT, 2),
        (Errno::ESRCH, 3),
        (Errno::E2BIG, 7),
        (Errno::EBADF, 9),
        (Errno::ENOMEM, 12),
        (Errno::EACCES, 13),
        (Errno::EFAULT, 14),
        (Errno::EBUSY, 16),
        (Errno::EINVAL, 22),
        (Errno::ENOTTY, 25),
        (Errno::ENOSPC, 28),
        (Errno::ERANGE, 34),
        (Errno::EUSERS, 87),
    ];
    for (e, v) in table {
        assert_eq!(e.code(), v, "{}", e.name());
        assert_eq!(e.to_errno(), -v, "{}", e.name());
        assert_eq!(Errno::from_code(v), Some(e));
        assert_eq!(Errno::from_code(-v), Some(e));
    }
}

#[test]
fn unknown_numbers() {
    for v in [0, 4, 11, 29, 4095, i32::MIN, i32::MAX] {
        assert_eq!(Errno::from_code(v), None, "{v}");
    }
}

/// A fixed buffer for `Display` output (no allocation, no std).
#[cfg(test)]
struct Buf {
    bytes: [u8; 16],
    len: usize,
}

#[cfg(test)]
impl core::fmt::Write for Buf {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len + s.len();
        self.bytes
            .get_mut(self.len..end)
            .ok_or(core::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[test]
#[expect(
    clippy::indexing_slicing,
    reason = "the buffer's length is at most its size"
)]
fn names_and_display() {
    use core::fmt::Write;
    for e in Errno::ALL {
        let mut b = Buf {
            bytes: [0; 16],
            len: 0,
        };
        assert!(write!(b, "{e}").is_ok());
        assert_eq!(&b.bytes[..b.len], e.name().as_bytes());
        assert!(e.name().starts_with('E'));
    }
}
