// SPDX-License-Identifier: GPL-2.0-only
//! Tests of the extensible structs. First the shared cases (`selftest::TESTS`, run by `cargo test` and on
//! the STM32 target): include/linux/uaccess.h `copy_struct_from_user()` / `copy_struct_to_user()` and
//! Documentation/userspace-api/vns.rst, "Struct sizes"; then host-only unit tests.

use super::super::abi::VnsInfo;
use super::*;
use Errno::*;

#[cfg_attr(test, test)]
pub(crate) fn ustruct_ioctl_size() {
    let table: [(usize, usize, VnsResult<()>); 6] = [
        (16, 16, Ok(())),
        (24, 16, Ok(())),
        (4096, 16, Ok(())),
        (15, 16, Err(EINVAL)),
        (0, 16, Err(EINVAL)),
        (95, VnsInfo::V1_SIZE, Err(EINVAL)),
    ];
    for (user, v1, want) in table {
        assert_eq!(check_ioctl_size(user, v1), want, "{user} vs {v1}");
    }
}

#[cfg_attr(test, test)]
pub(crate) fn ustruct_from_user() {
    let table: [(&[u8], VnsResult<[u8; 4]>); 7] = [
        (&[1, 2, 3, 4], Ok([1, 2, 3, 4])),
        (&[1, 2, 3, 4, 0, 0, 0, 0], Ok([1, 2, 3, 4])),
        (&[1, 2, 3, 4, 0, 0, 0, 1], Err(E2BIG)),
        (&[1, 2, 3, 4, 5], Err(E2BIG)),
        (&[1, 2, 3], Err(EINVAL)), // smaller than v1: stricter than the kernel ("Struct sizes")
        (&[], Err(EINVAL)),
        (&[0, 0, 0, 0, 0], Ok([0; 4])),
    ];
    for (src, want) in table {
        let mut dst = [0xEEu8; 4];
        let got = struct_from_user(&mut dst, src).map(|()| dst);
        assert_eq!(got, want, "{src:?}");
    }
    assert_eq!(
        struct_from_user_plan(16, 24),
        Ok(FromUserPlan {
            copy_len: 16,
            zero_check_len: 8
        })
    );
}

#[cfg_attr(test, test)]
pub(crate) fn ustruct_to_user() {
    // Larger user struct: copy ours and clear the rest of theirs.
    let mut dst = [0xEEu8; 6];
    assert!(!struct_to_user(&mut dst, &[1, 2, 3, 4]));
    assert_eq!(dst, [1, 2, 3, 4, 0, 0]);
    // Same size.
    let mut dst = [0xEEu8; 4];
    assert!(!struct_to_user(&mut dst, &[1, 2, 3, 4]));
    assert_eq!(dst, [1, 2, 3, 4]);
    // Smaller user struct (never reaches here in vns): truncated, ignored_trailing reported.
    let mut dst = [0xEEu8; 2];
    assert!(struct_to_user(&mut dst, &[1, 2, 3, 4]));
    assert_eq!(dst, [1, 2]);
}

// Host-only unit tests (`cargo test`).

#[test]
fn to_user_plan_smaller_user_struct() {
    // copy_struct_to_user with usize < ksize: copy usize bytes, nothing to clear.
    assert_eq!(
        struct_to_user_plan(8, 16),
        ToUserPlan {
            copy_len: 8,
            zero_len: 0,
            dropped_len: 8
        }
    );
}

#[test]
fn to_user_reports_ignored_trailing() {
    let mut dst = [0xaau8; 2];
    assert!(struct_to_user(&mut dst, &[1, 2, 3]));
    assert_eq!(dst, [1, 2]);
    assert!(!struct_to_user(&mut dst, &[4, 5, 0]));
    assert_eq!(dst, [4, 5]);
}

#[test]
fn from_user_error_leaves_dst() {
    let mut dst = [7u8; 4];
    assert_eq!(
        struct_from_user(&mut dst, &[1, 2, 3, 4, 0, 9]),
        Err(Errno::E2BIG)
    );
    assert_eq!(dst, [7; 4]);
    assert_eq!(struct_from_user(&mut dst, &[1, 2, 3]), Err(Errno::EINVAL));
    assert_eq!(dst, [7; 4]);
}
