//! The command line, modelled on util-linux's unshare(1), lsns(8), nsenter(1) and hostname(1).

use clap::{Args, Parser, Subcommand};

/// Run programs in vns namespaces and inspect them.
#[derive(Parser, Debug)]
#[command(
    name = "vnsctl",
    version,
    about = "Run programs in vns namespaces and inspect them.",
    long_about = "Run programs in vns namespaces and inspect them.\n\n\
        vns (virtual namespaces) is a kernel module that offers an unshare(2)-like ioctl on /dev/vns \
        over namespace objects of its own, charged to per-user limits under /proc/sys/vns.",
    after_help = "See vnsctl(8) and Documentation/vns.rst for more details."
)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub cmd: Cmd,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Run a program with some vns namespaces unshared from the parent.
    Unshare(UnshareArgs),
    /// List vns namespaces.
    Lsns(LsnsArgs),
    /// Run a program in other vns namespaces.
    Nsenter(NsenterArgs),
    /// Keep namespaces alive through file descriptors, and run a program that holds them.
    ///
    /// Opens a namespace fd (VNS_IOC_NS_FD) of each --ns ID and of the caller's own namespace of each
    /// --type, prints "FD TYPE ID" for each, and executes PROGRAM (default: $SHELL) with the fds open:
    /// the namespaces live as long as one of the fds does, members or not. Enter them with
    /// `vnsctl nsenter --fd FD`.
    Hold(HoldArgs),
    /// Show or set the hostname of the current uts vns.
    Hostname {
        /// The new hostname (at most 64 bytes).
        name: Option<String>,
    },
    /// Show or set the NIS domain name of the current uts vns.
    Domainname {
        /// The new domain name (at most 64 bytes).
        name: Option<String>,
    },
    /// Add an entry to the mount table of the current mount vns.
    Mount(MountArgs),
    /// Remove an entry from the mount table of the current mount vns.
    Umount {
        /// The entry's id (see `vnsctl mounts`).
        id: u64,
    },
    /// List the mount table of the current mount vns.
    Mounts {
        /// Use JSON output format.
        #[arg(short = 'J', long)]
        json: bool,
    },
    /// Show or set the namespace limits of the current user vns (/proc/sys/vns).
    Limits {
        /// KIND=N to set a limit: KIND is user, pid, uts, ipc, net, mnt, cgroup, time or mount-max.
        settings: Vec<String>,
    },
    /// Show the namespace counts and limits charged to a user.
    Ucounts {
        /// The user vns id (default: the current one).
        #[arg(long = "ns", value_name = "ID")]
        ns: Option<u64>,
        /// The uid, as the caller sees it (default: the caller's).
        #[arg(long, value_name = "UID")]
        uid: Option<u32>,
    },
    /// Show the clocks as the current task sees them through its time vns.
    ///
    /// Each clock through vns beside the kernel's own reading, then the offsets of the time vns for
    /// children.
    Time {
        /// Use JSON output format.
        #[arg(short = 'J', long)]
        json: bool,
    },
    /// Show the current task's vns namespaces and identity.
    Info {
        /// Use JSON output format.
        #[arg(short = 'J', long)]
        json: bool,
    },
    /// Print the manual page (roff) on standard output.
    #[command(hide = true)]
    Man,
}

/// `vnsctl unshare`.
#[derive(Args, Debug, Default)]
pub struct UnshareArgs {
    /// Unshare the user namespace.
    #[arg(short = 'U', long)]
    pub user: bool,
    /// Unshare the UTS namespace (hostname and domain name).
    #[arg(short = 'u', long)]
    pub uts: bool,
    /// Unshare the IPC namespace.
    #[arg(short = 'i', long)]
    pub ipc: bool,
    /// Unshare the network namespace.
    #[arg(short = 'n', long)]
    pub net: bool,
    /// Unshare the mount namespace.
    #[arg(short = 'm', long)]
    pub mount: bool,
    /// Unshare the mount namespace as an empty one: only a copy of the current root (UNSHARE_EMPTY_MNTNS,
    /// implies --mount).
    #[arg(long = "empty-mntns")]
    pub empty_mntns: bool,
    /// Unshare the pid namespace (for children; see --fork).
    #[arg(short = 'p', long)]
    pub pid: bool,
    /// Unshare the cgroup namespace.
    #[arg(short = 'C', long)]
    pub cgroup: bool,
    /// Unshare the time namespace.
    #[arg(short = 'T', long)]
    pub time: bool,
    /// Set the offset of CLOCK_MONOTONIC in the new time namespace, in seconds (needs --time).
    #[arg(
        long,
        value_name = "SECS",
        allow_negative_numbers = true,
        requires = "time"
    )]
    pub monotonic: Option<i64>,
    /// Set the offset of CLOCK_BOOTTIME in the new time namespace, in seconds (needs --time).
    #[arg(
        long,
        value_name = "SECS",
        allow_negative_numbers = true,
        requires = "time"
    )]
    pub boottime: Option<i64>,
    /// Map the current user and group to root (implies --user).
    #[arg(short = 'r', long = "map-root-user")]
    pub map_root_user: bool,
    /// Map the current user to UID in the new user namespace (implies --user).
    #[arg(long = "map-user", value_name = "UID")]
    pub map_user: Option<u32>,
    /// Map the current group to GID in the new user namespace (implies --user).
    #[arg(long = "map-group", value_name = "GID")]
    pub map_group: Option<u32>,
    /// Fork the program as a child (needed for it to be in a new pid namespace).
    #[arg(short = 'f', long)]
    pub fork: bool,
    /// The program and its arguments (default: $SHELL, or /bin/sh).
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "PROGRAM"
    )]
    pub program: Vec<String>,
}

impl UnshareArgs {
    /// The CLONE_NEW* flags asked for.
    pub fn flags(&self) -> u64 {
        use vns_core::abi::*;
        let user =
            self.user || self.map_root_user || self.map_user.is_some() || self.map_group.is_some();
        flags_of(&[
            (user, CLONE_NEWUSER),
            (self.uts, CLONE_NEWUTS),
            (self.ipc, CLONE_NEWIPC),
            (self.net, CLONE_NEWNET),
            (self.mount, CLONE_NEWNS),
            (self.empty_mntns, UNSHARE_EMPTY_MNTNS),
            (self.pid, CLONE_NEWPID),
            (self.cgroup, CLONE_NEWCGROUP),
            (self.time, CLONE_NEWTIME),
        ])
    }

    /// The clock offsets to set, as (clock id, seconds, nanoseconds).
    pub fn time_offsets(&self) -> Vec<(i32, i64, i64)> {
        use vns_core::timens::{CLOCK_BOOTTIME, CLOCK_MONOTONIC};
        [
            (CLOCK_MONOTONIC, self.monotonic),
            (CLOCK_BOOTTIME, self.boottime),
        ]
        .into_iter()
        .filter_map(|(clock, secs)| secs.map(|s| (clock, s, 0)))
        .collect()
    }

    /// The (inside uid, inside gid) to map the caller to, if any.
    pub fn maps(&self) -> (Option<u32>, Option<u32>) {
        let uid = self.map_user.or(self.map_root_user.then_some(0));
        let gid = self.map_group.or(self.map_root_user.then_some(0));
        (uid, gid)
    }
}

/// The flags whose option is on.
fn flags_of(options: &[(bool, u64)]) -> u64 {
    options
        .iter()
        .filter(|(on, _)| *on)
        .fold(0, |f, (_, flag)| f | flag)
}

/// `vnsctl lsns`.
#[derive(Args, Debug)]
pub struct LsnsArgs {
    /// Namespace type to list (user, pid, uts, ipc, net, mnt, cgroup, time).
    #[arg(short = 't', long = "type", value_name = "TYPE")]
    pub kind: Vec<String>,
    /// Use JSON output format.
    #[arg(short = 'J', long)]
    pub json: bool,
    /// Don't print headings.
    #[arg(short = 'n', long)]
    pub noheadings: bool,
    /// Output columns (NS,TYPE,NPROCS,LEVEL,PARENT,OWNER,UID, and UIDMAP,GIDMAP; +LIST adds to the
    /// defaults).
    #[arg(short = 'o', long, value_name = "LIST")]
    pub output: Option<String>,
    /// Only the namespaces of this process (as lsns -p).
    #[arg(short = 'p', long = "task", value_name = "PID")]
    pub task: Option<i32>,
}

/// `vnsctl nsenter`.
#[derive(Args, Debug, Default)]
pub struct NsenterArgs {
    /// The target process: enter its namespaces (the kinds below, or all with --all).
    #[arg(
        short = 't',
        long = "target",
        value_name = "PID",
        required_unless_present_any = ["target_ns", "fd"]
    )]
    pub target: Option<i32>,
    /// Enter the namespace with this id (repeat for several; its type is looked up).
    #[arg(long = "target-ns", value_name = "ID")]
    pub target_ns: Vec<u64>,
    /// Enter the namespace a namespace fd (from `vnsctl hold`) holds (repeat for several).
    #[arg(long = "fd", value_name = "FD")]
    pub fd: Vec<i32>,
    /// Enter all namespaces of the target process (its user namespace only if it is not the caller's).
    #[arg(short = 'a', long, requires = "target")]
    pub all: bool,
    /// Enter the target's user namespace.
    #[arg(short = 'U', long, requires = "target")]
    pub user: bool,
    /// Enter the target's UTS namespace.
    #[arg(short = 'u', long, requires = "target")]
    pub uts: bool,
    /// Enter the target's IPC namespace.
    #[arg(short = 'i', long, requires = "target")]
    pub ipc: bool,
    /// Enter the target's network namespace.
    #[arg(short = 'n', long, requires = "target")]
    pub net: bool,
    /// Enter the target's mount namespace.
    #[arg(short = 'm', long, requires = "target")]
    pub mount: bool,
    /// Enter the target's pid namespace (for children: the program is forked).
    #[arg(short = 'p', long, requires = "target")]
    pub pid: bool,
    /// Enter the target's cgroup namespace.
    #[arg(short = 'C', long, requires = "target")]
    pub cgroup: bool,
    /// Enter the target's time namespace.
    #[arg(short = 'T', long, requires = "target")]
    pub time: bool,
    /// The program and its arguments (default: $SHELL, or /bin/sh).
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "PROGRAM"
    )]
    pub program: Vec<String>,
}

impl NsenterArgs {
    /// The CLONE_NEW* kinds to join of the target process (all with --all).
    pub fn flags(&self) -> u64 {
        use vns_core::abi::*;
        if self.all {
            return CLONE_NS_ALL;
        }
        flags_of(&[
            (self.user, CLONE_NEWUSER),
            (self.uts, CLONE_NEWUTS),
            (self.ipc, CLONE_NEWIPC),
            (self.net, CLONE_NEWNET),
            (self.mount, CLONE_NEWNS),
            (self.pid, CLONE_NEWPID),
            (self.cgroup, CLONE_NEWCGROUP),
            (self.time, CLONE_NEWTIME),
        ])
    }
}

/// `vnsctl hold`.
#[derive(Args, Debug, Default)]
pub struct HoldArgs {
    /// Hold the namespace with this id (repeat for several).
    #[arg(long = "ns", value_name = "ID")]
    pub ids: Vec<u64>,
    /// Hold the caller's own namespace of TYPE (user, pid, uts, ipc, net, mnt, cgroup, time).
    #[arg(short = 't', long = "type", value_name = "TYPE")]
    pub kinds: Vec<String>,
    /// The program and its arguments (default: $SHELL, or /bin/sh).
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "PROGRAM"
    )]
    pub program: Vec<String>,
}

/// `vnsctl mount`.
#[derive(Args, Debug)]
pub struct MountArgs {
    /// What is mounted (at most 63 bytes).
    pub source: String,
    /// Where (at most 127 bytes).
    pub target: String,
    /// The filesystem type (at most 15 bytes).
    #[arg(
        short = 't',
        long = "types",
        value_name = "FSTYPE",
        default_value = "none"
    )]
    pub fstype: String,
    /// Mount options: ro or rw.
    #[arg(short = 'o', long = "options", value_name = "OPTS")]
    pub options: Option<String>,
    /// The parent entry's id (default: the root entry).
    #[arg(long, value_name = "ID")]
    pub parent: Option<u64>,
}

/// Parses `KIND=N` of `vnsctl limits`; returns the sysctl name (`user`... or `mount-max`) and N.
pub fn parse_limit(s: &str) -> Result<(String, i64), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("expected KIND=N: {s}"))?;
    let name = if k == "mount-max" {
        k.to_string()
    } else {
        let kind = vns_core::abi::Kind::from_name(k)
            .ok_or_else(|| format!("unknown namespace type: {k}"))?;
        kind.name().to_string()
    };
    let n = v
        .parse::<i64>()
        .map_err(|_| format!("invalid value: {v}"))?;
    Ok((name, n))
}

/// The command line's tests (`cli/tests.rs`).
#[cfg(test)]
mod tests;
