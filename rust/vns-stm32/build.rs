// SPDX-License-Identifier: GPL-2.0-only
//! Picks the linker memory map: the real STM32H750 (`--features h750`) or QEMU's mps2-an500 (the default, for
//! `cargo test` and `cargo run`), copies it to OUT_DIR as `memory.x` (which cortex-m-rt's `link.x` includes),
//! and passes `-Tlink.x` to the linker here rather than in RUSTFLAGS, which would replace config rustflags.

use std::path::PathBuf;
use std::{env, fs, io};

fn main() -> io::Result<()> {
    let h750 = env::var_os("CARGO_FEATURE_H750").is_some();
    let src = if h750 {
        "memory-h750.x"
    } else {
        "memory-qemu.x"
    };
    let out = PathBuf::from(env::var_os("OUT_DIR").ok_or(io::ErrorKind::NotFound)?);
    fs::copy(src, out.join("memory.x"))?;
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=memory-h750.x");
    println!("cargo:rerun-if-changed=memory-qemu.x");
    // Only this package's images (the demo, the on-target tests) get the memory map and cortex-m-rt's
    // script: `rustc-link-arg-{bins,tests}` do not reach firmware that uses the library, which links with its
    // own memory.x (a `rustc-link-search` would be inherited by it).
    if env::var("TARGET").is_ok_and(|t| t.starts_with("thumb")) {
        for image in ["bins", "tests"] {
            println!("cargo:rustc-link-arg-{image}=-L{}", out.display());
            println!("cargo:rustc-link-arg-{image}=-Tlink.x");
        }
    }
    Ok(())
}
