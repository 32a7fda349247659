//! Tests of the command line: util-linux's spellings, the flags they make, the help.

use super::*;
use clap::CommandFactory;
use vns_core::abi::{
    CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWTIME,
    CLONE_NEWUSER, CLONE_NEWUTS,
};

fn parse(args: &[&str]) -> Cli {
    Cli::try_parse_from(args).unwrap()
}

#[test]
fn cli_is_consistent() {
    Cli::command().debug_assert();
}

#[test]
fn unshare_short_flags_like_util_linux() {
    let Cmd::Unshare(u) = parse(&["vnsctl", "unshare", "-Uuinmp", "-C", "-T", "-f"]).cmd else {
        panic!()
    };
    assert_eq!(
        u.flags(),
        CLONE_NEWUSER
            | CLONE_NEWUTS
            | CLONE_NEWIPC
            | CLONE_NEWNET
            | CLONE_NEWNS
            | CLONE_NEWPID
            | CLONE_NEWCGROUP
            | CLONE_NEWTIME
    );
    assert!(u.fork);
    assert!(u.program.is_empty());
}

#[test]
fn empty_mntns_sets_its_bit() {
    let Cmd::Unshare(u) = parse(&["vnsctl", "unshare", "-r", "--empty-mntns"]).cmd else {
        panic!()
    };
    assert_eq!(
        u.flags(),
        CLONE_NEWUSER | vns_core::abi::UNSHARE_EMPTY_MNTNS
    );
}

#[test]
fn time_offsets_like_util_linux() {
    use vns_core::timens::{CLOCK_BOOTTIME, CLOCK_MONOTONIC};
    let Cmd::Unshare(u) = parse(&[
        "vnsctl",
        "unshare",
        "-T",
        "--monotonic=-5",
        "--boottime",
        "86400",
    ])
    .cmd
    else {
        panic!()
    };
    assert_eq!(u.flags(), CLONE_NEWTIME);
    assert_eq!(
        u.time_offsets(),
        [(CLOCK_MONOTONIC, -5, 0), (CLOCK_BOOTTIME, 86400, 0)]
    );
    // As util-linux: the offsets need a new time namespace.
    assert!(Cli::try_parse_from(["vnsctl", "unshare", "--monotonic=5"]).is_err());
    assert!(Cli::try_parse_from(["vnsctl", "unshare", "-T", "--boottime=x"]).is_err());
    let Cmd::Time { json } = parse(&["vnsctl", "time", "-J"]).cmd else {
        panic!()
    };
    assert!(json);
}

#[test]
fn map_root_implies_user_and_maps_zero() {
    let Cmd::Unshare(u) = parse(&["vnsctl", "unshare", "-r", "-u"]).cmd else {
        panic!()
    };
    assert_eq!(u.flags(), CLONE_NEWUSER | CLONE_NEWUTS);
    assert_eq!(u.maps(), (Some(0), Some(0)));
    let Cmd::Unshare(u) =
        parse(&["vnsctl", "unshare", "--map-user=1000", "--map-group", "100"]).cmd
    else {
        panic!()
    };
    assert_eq!(u.flags(), CLONE_NEWUSER);
    assert_eq!(u.maps(), (Some(1000), Some(100)));
}

#[test]
fn program_after_double_dash_keeps_its_options() {
    let Cmd::Unshare(u) = parse(&["vnsctl", "unshare", "-U", "--", "sh", "-c", "id -u"]).cmd else {
        panic!()
    };
    assert_eq!(u.program, ["sh", "-c", "id -u"]);
    let Cmd::Unshare(u) = parse(&["vnsctl", "unshare", "-U", "ls", "-l"]).cmd else {
        panic!()
    };
    assert_eq!(u.program, ["ls", "-l"]);
}

#[test]
fn lsns_options() {
    let Cmd::Lsns(l) = parse(&["vnsctl", "lsns", "-t", "uts", "-J", "-n", "-o", "NS,TYPE"]).cmd
    else {
        panic!()
    };
    assert_eq!(l.kind, ["uts"]);
    assert!(l.json && l.noheadings);
    assert_eq!(l.output.as_deref(), Some("NS,TYPE"));
}

#[test]
fn nsenter_needs_a_target() {
    assert!(Cli::try_parse_from(["vnsctl", "nsenter"]).is_err());
    let Cmd::Nsenter(n) = parse(&[
        "vnsctl",
        "nsenter",
        "--target-ns",
        "12",
        "--target-ns",
        "13",
        "true",
    ])
    .cmd
    else {
        panic!()
    };
    assert_eq!(n.target_ns, [12, 13]);
    assert_eq!(n.target, None);
    assert_eq!(n.program, ["true"]);
}

#[test]
fn nsenter_target_pid_like_util_linux() {
    let Cmd::Nsenter(n) = parse(&["vnsctl", "nsenter", "-t", "42", "-a", "--", "sh"]).cmd else {
        panic!()
    };
    assert_eq!(
        (n.target, n.flags()),
        (Some(42), vns_core::abi::CLONE_NS_ALL)
    );
    let Cmd::Nsenter(n) = parse(&["vnsctl", "nsenter", "-t", "42", "-Uu", "-T"]).cmd else {
        panic!()
    };
    assert_eq!(n.flags(), CLONE_NEWUSER | CLONE_NEWUTS | CLONE_NEWTIME);
    // The kind options need a target process.
    assert!(Cli::try_parse_from(["vnsctl", "nsenter", "--target-ns", "1", "-u"]).is_err());
    let Cmd::Lsns(l) = parse(&["vnsctl", "lsns", "-p", "42"]).cmd else {
        panic!()
    };
    assert_eq!(l.task, Some(42));
}

#[test]
fn mount_options() {
    let Cmd::Mount(m) = parse(&[
        "vnsctl", "mount", "tmpfs", "/tmp", "-t", "tmpfs", "-o", "ro",
    ])
    .cmd
    else {
        panic!()
    };
    assert_eq!(
        (m.source.as_str(), m.target.as_str(), m.fstype.as_str()),
        ("tmpfs", "/tmp", "tmpfs")
    );
    assert_eq!(m.options.as_deref(), Some("ro"));
    assert!(Cli::try_parse_from(["vnsctl", "umount", "x"]).is_err());
}

#[test]
fn limits_parse() {
    assert_eq!(parse_limit("uts=5").unwrap(), ("uts".into(), 5));
    assert_eq!(
        parse_limit("mount-max=10").unwrap(),
        ("mount-max".into(), 10)
    );
    assert!(parse_limit("bogus=1").is_err());
    assert!(parse_limit("uts").is_err());
    assert!(parse_limit("uts=x").is_err());
}

#[test]
fn help_reads_like_util_linux() {
    let help = Cli::command().render_help().to_string();
    assert!(help.contains("Usage: vnsctl <COMMAND>"));
    let mut cmd = Cli::command();
    let unshare = cmd
        .find_subcommand_mut("unshare")
        .unwrap()
        .render_help()
        .to_string();
    assert!(unshare.contains("-U, --user"));
    assert!(unshare.contains("-r, --map-root-user"));
    assert!(unshare.contains("[PROGRAM]..."));
}

#[test]
fn hold_and_nsenter_fd() {
    let Cmd::Hold(h) = parse(&[
        "vnsctl", "hold", "--ns", "12", "-t", "uts", "--", "sh", "-c", "x",
    ])
    .cmd
    else {
        panic!()
    };
    assert_eq!(h.ids, [12]);
    assert_eq!(h.kinds, ["uts"]);
    assert_eq!(h.program, ["sh", "-c", "x"]);
    let Cmd::Nsenter(n) = parse(&["vnsctl", "nsenter", "--fd", "3", "--fd", "4", "true"]).cmd
    else {
        panic!()
    };
    assert_eq!(n.fd, [3, 4]);
    assert_eq!(n.target, None);
}
