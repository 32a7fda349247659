//! vnsctl: the command-line tool of vns (see `vnsctl --help` and Documentation/vns.rst).
//!
//! The library holds what the host tests check (argument parsing and output formats); `main.rs` runs it.

pub mod cli;
pub mod clock;
pub mod dev;
pub mod format;
