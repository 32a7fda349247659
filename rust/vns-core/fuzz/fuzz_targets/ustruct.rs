//! Fuzzes vns-core's extensible-struct rules (Documentation/userspace-api/vns.rst, "Struct sizes";
//! copy_struct_from_user/copy_struct_to_user) and the ioctl decoder: no input panics, and the results follow
//! the rules.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vns_core::{
    abi::decode_cmd,
    errno::Errno,
    ustruct::{struct_from_user, struct_to_user},
};

fuzz_target!(|data: &[u8]| {
    if data.len() < 6 {
        return;
    }
    let cmd = u32::from_le_bytes([data[0], data[1], data[2], data[3]]);
    let ksize = usize::from(data[4]) % 160;
    let src = &data[5..];
    let _ = decode_cmd(cmd);

    let mut dst = vec![0xAAu8; ksize];
    match struct_from_user(&mut dst, src) {
        Ok(()) => {
            assert!(src.len() >= ksize);
            assert_eq!(&dst[..], &src[..ksize]);
            assert!(src[ksize..].iter().all(|&b| b == 0));
        }
        Err(Errno::EINVAL) => assert!(src.len() < ksize),
        Err(Errno::E2BIG) => assert!(src[ksize..].iter().any(|&b| b != 0)),
        Err(e) => panic!("unexpected {e:?}"),
    }
    // Back out into a buffer of the user's size: the struct, then zeroes.
    let mut user = vec![0x55u8; src.len()];
    struct_to_user(&mut user, &dst);
    let n = ksize.min(user.len());
    assert_eq!(&user[..n], &dst[..n]);
    assert!(user[n..].iter().all(|&b| b == 0));
});
