//! vnsctl: run programs in vns namespaces and inspect them. Errors are printed as util-linux prints
//! them (`vnsctl: unshare failed: No space left on device`); the exit code is 0 or 1 (or the program's).

use std::{ffi::CString, process::ExitCode};

use clap::{CommandFactory, Parser};
use nix::{
    errno::Errno,
    sys::wait::{waitpid, WaitStatus},
    unistd::{execvp, fork, ForkResult},
};
use std::os::fd::{AsRawFd, BorrowedFd};
use vns_core::abi::{
    Kind, VnsIdExtent, VNS_MAP_GID, VNS_MAP_UID, VNS_MNT_RDONLY, VNS_UTS_DOMAINNAME,
    VNS_UTS_NODENAME,
};
use vnsctl::{
    cli::{parse_limit, Cli, Cmd, HoldArgs, LsnsArgs, MountArgs, NsenterArgs, UnshareArgs},
    clock,
    dev::{self, Dev},
    format,
};

/// A failure to report: the message after `vnsctl: `.
struct Fail(String);

type Res<T> = Result<T, Fail>;

fn fail(what: &str, e: Errno) -> Fail {
    Fail(format!("{what}: {}", e.desc()))
}

fn open() -> Res<Dev> {
    Dev::open().map_err(|e| Fail(e.to_string()))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.cmd) {
        Ok(code) => code,
        Err(Fail(msg)) => {
            eprintln!("vnsctl: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn run(cmd: Cmd) -> Res<ExitCode> {
    match cmd {
        Cmd::Unshare(a) => unshare(a),
        Cmd::Lsns(a) => lsns(a).map(|()| ExitCode::SUCCESS),
        Cmd::Nsenter(a) => nsenter(a),
        Cmd::Hold(a) => hold(a),
        Cmd::Hostname { name } => uts(VNS_UTS_NODENAME, name).map(|()| ExitCode::SUCCESS),
        Cmd::Domainname { name } => uts(VNS_UTS_DOMAINNAME, name).map(|()| ExitCode::SUCCESS),
        Cmd::Mount(a) => mount(a).map(|()| ExitCode::SUCCESS),
        Cmd::Umount { id } => open()?
            .umount(id)
            .map_err(|e| fail("umount failed", e))
            .map(|()| ExitCode::SUCCESS),
        Cmd::Mounts { json } => {
            let m = open()?
                .mounts()
                .map_err(|e| fail("cannot list mounts", e))?;
            print!(
                "{}",
                if json {
                    format::mounts_json(&m)
                } else {
                    format::mounts_table(&m)
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Limits { settings } => limits(settings).map(|()| ExitCode::SUCCESS),
        Cmd::Ucounts { ns, uid } => {
            let d = open()?;
            let uid = match uid {
                Some(u) => u,
                None => d.info().map_err(|e| fail("cannot get info", e))?.uid,
            };
            let u = d
                .ucounts(ns.unwrap_or(0), uid)
                .map_err(|e| fail("cannot get ucounts", e))?;
            print!("{}", format::ucounts_table(&u));
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Time { json } => time(json).map(|()| ExitCode::SUCCESS),
        Cmd::Info { json } => {
            let i = open()?.info().map_err(|e| fail("cannot get info", e))?;
            print!(
                "{}",
                if json {
                    format::info_json(&i)
                } else {
                    format::info_text(&i)
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .map_err(|e| Fail(e.to_string()))?;
            print!("{}", String::from_utf8_lossy(&out));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `vnsctl unshare`: as unshare(1), over /dev/vns.
fn unshare(a: UnshareArgs) -> Res<ExitCode> {
    let d = open()?;
    let before = d.info().map_err(|e| fail("cannot get info", e))?;
    d.unshare(a.flags())
        .map_err(|e| fail("unshare failed", e))?;
    let (uid, gid) = a.maps();
    if uid.is_some() || gid.is_some() {
        let user_ns = d.info().map_err(|e| fail("cannot get info", e))?.ns_id[Kind::User.index()];
        // The outside ids are the caller's as its previous user vns sees them (as /proc/PID/uid_map).
        if let Some(inside) = uid {
            let e = VnsIdExtent {
                first: inside,
                lower_first: before.uid,
                count: 1,
            };
            d.set_id_map(user_ns, VNS_MAP_UID, &[e])
                .map_err(|e| fail("cannot write uid map", e))?;
        }
        if let Some(inside) = gid {
            let e = VnsIdExtent {
                first: inside,
                lower_first: before.gid,
                count: 1,
            };
            d.set_id_map(user_ns, VNS_MAP_GID, &[e])
                .map_err(|e| fail("cannot write gid map", e))?;
        }
    }
    // As unshare(1): the offsets are written after the unshare, before the program starts (its exec
    // or fork enters the new time vns and freezes them).
    let offsets = a.time_offsets();
    if !offsets.is_empty() {
        d.set_time_offsets(&offsets)
            .map_err(|e| fail("failed to write time offsets", e))?;
    }
    drop(d);
    run_program(a.program, a.fork)
}

/// `vnsctl time`: each clock through vns (the caller's time vns applied) and the kernel's own reading.
fn time(json: bool) -> Res<()> {
    let d = open()?;
    let mut rows = Vec::new();
    for (name, id) in clock::CLOCKS {
        let vns = d
            .clock_gettime(id)
            .map_err(|e| fail(&format!("cannot read {name}"), e))?;
        let kernel = nix::time::clock_gettime(nix::time::ClockId::from_raw(id))
            .map_err(|e| fail(&format!("cannot read {name}"), e))?;
        rows.push((name, vns, (kernel.tv_sec(), kernel.tv_nsec())));
    }
    let offsets = d
        .time_offsets()
        .map_err(|e| fail("cannot read time offsets", e))?;
    let info = d.info().map_err(|e| fail("cannot get info", e))?;
    print!(
        "{}",
        if json {
            clock::time_json(&rows, &offsets, &info)
        } else {
            clock::time_text(&rows, &offsets, &info)
        }
    );
    Ok(())
}

/// Runs `program` (or the shell): in a child if `fork`, waiting for it and passing on its status.
fn run_program(program: Vec<String>, fork_first: bool) -> Res<ExitCode> {
    let argv = if program.is_empty() {
        vec![std::env::var("SHELL").unwrap_or_else(|_| "/bin/sh".into())]
    } else {
        program
    };
    let cargs: Vec<CString> = argv
        .iter()
        .map(|s| CString::new(s.as_str()).map_err(|_| Fail(format!("invalid argument: {s}"))))
        .collect::<Res<_>>()?;
    if fork_first {
        // SAFETY: vnsctl is single-threaded; the child only execs (or exits).
        match unsafe { fork() }.map_err(|e| fail("fork failed", e))? {
            ForkResult::Child => {
                let e = execvp(&cargs[0], &cargs).unwrap_err();
                eprintln!("vnsctl: failed to execute {}: {}", argv[0], e.desc());
                std::process::exit(127);
            }
            ForkResult::Parent { child } => loop {
                match waitpid(child, None) {
                    Ok(WaitStatus::Exited(_, code)) => return Ok(ExitCode::from(code as u8)),
                    Ok(WaitStatus::Signaled(_, sig, _)) => {
                        return Ok(ExitCode::from(128 + sig as u8))
                    }
                    Ok(_) => continue,
                    Err(Errno::EINTR) => continue,
                    Err(e) => return Err(fail("waitpid failed", e)),
                }
            },
        }
    }
    let e = execvp(&cargs[0], &cargs).unwrap_err();
    Err(fail(&format!("failed to execute {}", argv[0]), e))
}

/// `vnsctl lsns`.
fn lsns(a: LsnsArgs) -> Res<()> {
    let cols = match a.output.as_deref() {
        Some(o) => format::parse_columns(o).map_err(Fail)?,
        None => format::Column::ALL.to_vec(),
    };
    let kinds: Vec<u32> = a
        .kind
        .iter()
        .map(|t| {
            Kind::from_name(t)
                .map(Kind::as_u32)
                .ok_or_else(|| Fail(format!("unknown namespace type: {t}")))
        })
        .collect::<Res<_>>()?;
    let d = open()?;
    let mut entries = d
        .namespaces()
        .map_err(|e| fail("cannot list namespaces", e))?;
    if !kinds.is_empty() {
        entries.retain(|e| kinds.contains(&e.kind));
    }
    // -p: the namespaces of one process, as lsns -p (those of them the caller can list).
    if let Some(pid) = a.task {
        let t = d
            .task_info(pid)
            .map_err(|e| fail(&format!("cannot read namespaces of process {pid}"), e))?;
        entries.retain(|e| t.ns_id.contains(&e.id));
    }
    // UIDMAP/GIDMAP: each user namespace's maps, as the caller sees them (VNS_IOC_GET_ID_MAP).
    let mut maps = format::Maps::new();
    if cols.iter().any(|c| c.needs_maps()) {
        for e in entries.iter().filter(|e| e.kind == Kind::User.as_u32()) {
            let text = |which| d.id_map(e.id, which).map(|m| format::map_text(&m));
            if let (Ok(u), Ok(g)) = (text(VNS_MAP_UID), text(VNS_MAP_GID)) {
                maps.insert(e.id, [u, g]);
            }
        }
    }
    print!(
        "{}",
        if a.json {
            format::lsns_json(&entries, &cols, &maps)
        } else {
            format::lsns_table(&entries, &cols, a.noheadings, &maps)
        }
    );
    Ok(())
}

/// `vnsctl nsenter`: with `-t PID`, the process's namespaces of the kinds asked for, in one
/// VNS_IOC_SETNS_TASK; with `--target-ns`, SETNS into each (user vns first, as nsenter(1) does); then
/// run the program.
fn nsenter(a: NsenterArgs) -> Res<ExitCode> {
    let d = open()?;
    if let Some(pid) = a.target {
        let mut flags = a.flags();
        if a.all {
            // As nsenter(1) --all: only the namespaces that differ from the caller's.
            let t = d
                .task_info(pid)
                .map_err(|e| fail(&format!("cannot read namespaces of process {pid}"), e))?;
            let me = d.info().map_err(|e| fail("cannot get info", e))?;
            flags = Kind::ALL
                .iter()
                .filter(|k| t.ns_id[k.index()] != me.ns_id[k.index()])
                .fold(0, |f, k| f | k.clone_flag());
        } else if flags == 0 {
            return Err(Fail(
                "no namespace specified: use -a or a kind option".into(),
            ));
        }
        if flags != 0 {
            d.setns_task(pid, flags).map_err(|e| {
                fail(
                    &format!("reassociate to namespaces of process {pid} failed"),
                    e,
                )
            })?;
        }
    }
    let all = d
        .namespaces()
        .map_err(|e| fail("cannot list namespaces", e))?;
    let mut targets = Vec::new();
    for id in a.target_ns {
        let e = all
            .iter()
            .find(|e| e.id == id)
            .ok_or_else(|| Fail(format!("namespace {id} not found")))?;
        targets.push((id, e.kind));
    }
    targets.sort_by_key(|&(_, kind)| kind != Kind::User.as_u32());
    for (id, kind) in targets {
        d.setns(id, kind)
            .map_err(|e| fail(&format!("reassociate to namespace {id} failed"), e))?;
    }
    // Namespace fds: the user vns first, as nsenter(1) orders its namespaces.
    let mut fds = Vec::new();
    for &fd in &a.fd {
        // SAFETY: the caller names an fd it holds; it stays open for this borrow (vnsctl closes none).
        let ns = unsafe { BorrowedFd::borrow_raw(fd) };
        let kind = dev::ns_kind(ns).map_err(|e| fail(&format!("fd {fd}: not a namespace"), e))?;
        fds.push((ns, kind));
    }
    fds.sort_by_key(|&(_, kind)| kind != Kind::User.as_u32());
    for (ns, _) in fds {
        d.setns_fd(ns).map_err(|e| {
            fail(
                &format!("reassociate to namespace fd {} failed", ns.as_raw_fd()),
                e,
            )
        })?;
    }
    drop(d);
    // A new pid vns applies to children: fork as nsenter(1) does.
    run_program(a.program, true)
}

/// `vnsctl hold`: namespace fds of the ids and types asked for, left open (not close-on-exec) for the
/// program; "FD TYPE ID" printed for each.
fn hold(a: HoldArgs) -> Res<ExitCode> {
    let d = open()?;
    let mut wanted = Vec::new();
    if !a.ids.is_empty() {
        let all = d
            .namespaces()
            .map_err(|e| fail("cannot list namespaces", e))?;
        for &id in &a.ids {
            let e = all
                .iter()
                .find(|e| e.id == id)
                .ok_or_else(|| Fail(format!("namespace {id} not found")))?;
            wanted.push((id, e.kind));
        }
    }
    for t in &a.kinds {
        let kind =
            Kind::from_name(t).ok_or_else(|| Fail(format!("unknown namespace type: {t}")))?;
        wanted.push((0, kind.as_u32()));
    }
    if wanted.is_empty() {
        return Err(Fail("nothing to hold: use --ns ID or -t TYPE".into()));
    }
    let mut held = Vec::new();
    for (id, kind) in wanted {
        let fd = d
            .ns_fd(id, kind)
            .map_err(|e| fail(&format!("cannot hold namespace {id}"), e))?;
        let mut ns_id = 0u64;
        // SAFETY: VNS_NS_GET_ID writes a u64 to the pointer given.
        unsafe { ioc_ns_get_id(fd.as_raw_fd(), &mut ns_id) }
            .map_err(|e| fail("cannot read id", e))?;
        let name = Kind::from_u32(kind).map_or("?", Kind::name);
        println!("{} {} {}", fd.as_raw_fd(), name, ns_id);
        // Inherited by the program: not close-on-exec.
        nix::fcntl::fcntl(
            fd.as_raw_fd(),
            nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::empty()),
        )
        .map_err(|e| fail("fcntl failed", e))?;
        held.push((fd, name));
    }
    drop(d);
    // The program finds them in VNS_HOLD_FDS ("FD:TYPE ..."), as LISTEN_FDS tells a socket-activated one.
    let list: Vec<String> = held
        .iter()
        .map(|(fd, kind)| format!("{}:{}", fd.as_raw_fd(), kind))
        .collect();
    std::env::set_var("VNS_HOLD_FDS", list.join(" "));
    // The fds stay open across the exec (given to the program on purpose).
    held.into_iter().for_each(|(fd, _)| std::mem::forget(fd));
    run_program(a.program, false)
}

nix::ioctl_read_bad!(ioc_ns_get_id, vns_core::abi::VNS_NS_GET_ID, u64);

/// `vnsctl hostname` / `domainname`.
fn uts(which: u32, name: Option<String>) -> Res<()> {
    let d = open()?;
    match name {
        None => {
            let (node, domain) = d.uts().map_err(|e| fail("cannot get names", e))?;
            println!(
                "{}",
                if which == VNS_UTS_NODENAME {
                    node
                } else {
                    domain
                }
            );
            Ok(())
        }
        Some(n) => d
            .set_uts(which, &n)
            .map_err(|e| fail("you must be root to change the host name", e)),
    }
}

/// `vnsctl mount`.
fn mount(a: MountArgs) -> Res<()> {
    let d = open()?;
    let flags = match a.options.as_deref() {
        None | Some("rw") => 0,
        Some("ro") => VNS_MNT_RDONLY,
        Some(o) => return Err(Fail(format!("unsupported mount options: {o}"))),
    };
    let parent = match a.parent {
        Some(p) => p,
        None => {
            let m = d.mounts().map_err(|e| fail("cannot list mounts", e))?;
            m.iter()
                .find(|m| m.id == m.parent_id)
                .map(|m| m.id)
                .ok_or_else(|| Fail("no root entry".into()))?
        }
    };
    let id = d
        .mount(parent, &a.source, &a.target, &a.fstype, flags)
        .map_err(|e| fail("mount failed", e))?;
    println!("{id}");
    Ok(())
}

/// `vnsctl limits [KIND=N ...]`.
fn limits(settings: Vec<String>) -> Res<()> {
    if settings.is_empty() {
        let mut rows = Vec::new();
        for k in Kind::ALL {
            let v = dev::read_sysctl(k.name()).map_err(|e| {
                Fail(format!(
                    "cannot read {}: {}",
                    k.sysctl_name(),
                    dev::strerror(&e)
                ))
            })?;
            rows.push((k.sysctl_name().to_string(), v));
        }
        let mm = dev::read_sysctl("mount-max")
            .map_err(|e| Fail(format!("cannot read mount-max: {}", dev::strerror(&e))))?;
        rows.push(("mount-max".into(), mm));
        print!("{}", format::limits_table(&rows));
        return Ok(());
    }
    for s in settings {
        let (name, value) = parse_limit(&s).map_err(Fail)?;
        let file = if name == "mount-max" {
            name.clone()
        } else {
            format!("max_{name}_namespaces")
        };
        dev::write_sysctl(&name, value)
            .map_err(|e| Fail(format!("cannot set {file}: {}", dev::strerror(&e))))?;
    }
    Ok(())
}
