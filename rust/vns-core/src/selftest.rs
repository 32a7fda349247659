// SPDX-License-Identifier: GPL-2.0-only
//! The self tests written once for the host and the target, gathered: the table-driven cases of every rule
//! live beside it, in its module's `tests` (`flags/tests.rs`, ...), each naming the Linux 7.3 file and
//! function it mirrors. `cargo test` runs each there as its own `#[test]`; the STM32 port runs [`TESTS`] on
//! the board (a failed `assert!` reaches its panic handler). No allocation.
//!
//! Compiled under `cfg(test)` or the `selftest` feature only; the Linux module never includes this file.

/// Lists `module::case` paths as [`TESTS`], in the order the target runs and numbers them.
macro_rules! selftests {
    ($($module:ident::$name:ident,)*) => {
        /// Every self test as (name, body).
        pub static TESTS: &[(&str, fn())] = &[$((stringify!($name), super::$module::tests::$name as fn()),)*];
    };
}

selftests! {
    errno::errno_values,
    abi::abi_struct_sizes,
    abi::abi_ioctl_numbers,
    abi::abi_ioctl_encoding_fields,
    abi::abi_decode_cmd,
    abi::abi_kinds,
    abi::abi_clone_values,
    abi::abi_c_str_len,
    abi::abi_input_checks,
    flags::flags_completion,
    flags::flags_completion_fixed_point,
    flags::flags_allowed_bits,
    flags::flags_disallowed_bits,
    flags::flags_task_checks,
    flags::flags_zero_is_noop,
    flags::flags_create_order,
    ustruct::ustruct_ioctl_size,
    ustruct::ustruct_from_user,
    ustruct::ustruct_to_user,
    ucount::ucount_charge_chain,
    ucount::ucount_limit_unwinds,
    ucount::ucount_limit_zero,
    ucount::ucount_kinds_independent,
    ucount::ucount_dec_chain,
    ucount::ucount_default_max,
    ucount::ucount_sysctl_values,
    ucount::ucount_uidhashfn,
    ucount::ucount_hash_ns_mix,
    ucount::ucount_table_basics,
    ucount::ucount_table_full,
    ucount::ucount_table_charge,
    idmap::idmap_extent_validate,
    idmap::idmap_overlap,
    idmap::idmap_nr_extents,
    idmap::idmap_max_extents,
    idmap::idmap_validate_maps,
    idmap::idmap_map_down_up,
    idmap::idmap_identity,
    idmap::idmap_overflow_id,
    idmap::idmap_permitted,
    idmap::idmap_write_order,
    idmap::idmap_write_translates,
    caps::caps_walk,
    caps::caps_sets,
    depth::depth_user_ns,
    depth::depth_pid_ns,
    depth::depth_new_pid_ns,
    mount::mount_check_mount,
    mount::mount_check_umount,
    mount::mount_max_values,
    mount::mount_copy_table,
}

/// The number of self tests.
pub fn count() -> usize {
    TESTS.len()
}
