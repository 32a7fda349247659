// SPDX-License-Identifier: GPL-2.0-only
//! On-target tests (`cargo test` in rust/vns-stm32): boots in QEMU mps2-an500 (Cortex-M7) through the runner
//! of .cargo/config.toml and runs vns-core's shared test bodies (`selftest::TESTS`, the same list as the
//! host's `cargo test`) and then the port's own tests. Prints `ok N name` / `not ok N name` and
//! `P passed, F failed`, and exits by semihosting with status 0 only if every test passed.
//!
//! A failed `assert!` (the shared tests) reaches the panic handler, which reports the test, restarts the run
//! on a fresh stack with the next test, and counts it failed; a panic in an exception handler ends the run
//! (the tests not run count as failed). A HardFault ends the run with status 1; a hang is the runner's
//! timeout.

#![no_std]
#![no_main]
#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use core::cell::Cell;
use core::fmt;
use core::panic::{Location, PanicInfo};
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use cortex_m::peripheral::scb::{Exception, VectActive};
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::{SCB, SYST};
use cortex_m_rt::{entry, exception, ExceptionFrame};
use cortex_m_semihosting::{debug, hprint, hprintln};
use critical_section::Mutex;
use vns_core::selftest::TESTS;
use vns_stm32::{Errno, Kind, NsId, TaskId, Usage, Vns, VnsResult, VNS_NR_KINDS};

// ---------------------------------------------------------------------------------------------------------
// Runner

/// Why a port test failed: the failed check or the unexpected error, and where.
struct Fail {
    what: &'static str,
    errno: Option<Errno>,
    file: &'static str,
    line: u32,
}

impl From<Errno> for Fail {
    /// An unexpected error, reported where `?` met it.
    #[track_caller]
    fn from(e: Errno) -> Fail {
        let at = Location::caller();
        Fail {
            what: "unexpected error",
            errno: Some(e),
            file: at.file(),
            line: at.line(),
        }
    }
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.what)?;
        if let Some(e) = self.errno {
            write!(f, " {}", e.name())?;
        }
        Ok(())
    }
}

type TestResult = Result<(), Fail>;

/// Fails the test unless `cond` holds.
macro_rules! check {
    ($cond:expr) => {
        if !($cond) {
            return Err(Fail {
                what: concat!("check failed: ", stringify!($cond)),
                errno: None,
                file: file!(),
                line: line!(),
            });
        }
    };
}

/// Fails the test unless `a == b`, printing both.
macro_rules! check_eq {
    ($a:expr, $b:expr) => {{
        let (a, b) = (&$a, &$b);
        if a != b {
            show_both(a, b);
            return Err(Fail {
                what: concat!("check failed: ", stringify!($a), " == ", stringify!($b)),
                errno: None,
                file: file!(),
                line: line!(),
            });
        }
    }};
}

/// Prints the two sides of a failed `check_eq!` (one non-generic function: the image stays small).
#[inline(never)]
fn show_both(a: &dyn fmt::Debug, b: &dyn fmt::Debug) {
    hprintln!("#   left:  {:?}", a);
    hprintln!("#   right: {:?}", b);
}

/// Index of the test running (or about to run); the panic handler reads it.
static NEXT: AtomicUsize = AtomicUsize::new(0);
static PASSED: AtomicUsize = AtomicUsize::new(0);
static FAILED: AtomicUsize = AtomicUsize::new(0);

fn total() -> usize {
    TESTS.len() + PORT_TESTS.len()
}

fn name(i: usize) -> &'static str {
    match TESTS.get(i) {
        Some((n, _)) => n,
        None => PORT_TESTS
            .get(i.wrapping_sub(TESTS.len()))
            .map_or("?", |(n, _)| n),
    }
}

fn run() -> ! {
    loop {
        let i = NEXT.fetch_add(1, Ordering::SeqCst);
        if i >= total() {
            break;
        }
        let result = match TESTS.get(i) {
            Some((_, f)) => {
                f();
                Ok(())
            }
            None => PORT_TESTS.get(i - TESTS.len()).map_or(Ok(()), |(_, f)| f()),
        };
        match result {
            Ok(()) => {
                PASSED.fetch_add(1, Ordering::SeqCst);
                hprintln!("ok {} {}", i + 1, name(i));
            }
            Err(fail) => {
                FAILED.fetch_add(1, Ordering::SeqCst);
                hprintln!("not ok {} {}", i + 1, name(i));
                hprintln!("#   {}", fail);
            }
        }
    }
    finish()
}

fn finish() -> ! {
    let (p, f) = (PASSED.load(Ordering::SeqCst), FAILED.load(Ordering::SeqCst));
    hprintln!("{} passed, {} failed", p, f);
    debug::exit(if f == 0 && p == total() {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    loop {
        cortex_m::asm::wfi();
    }
}

/// Counts the tests that will not run as failed and ends the run.
fn abort_run() -> ! {
    let not_run = total().saturating_sub(NEXT.load(Ordering::SeqCst));
    FAILED.fetch_add(not_run, Ordering::SeqCst);
    hprintln!(
        "# run aborted: {} tests not run (counted as failed)",
        not_run
    );
    finish()
}

#[entry]
fn main() -> ! {
    hprintln!(
        "# vns-stm32 on target (Cortex-M7): {} shared tests from vns-core, {} port tests",
        TESTS.len(),
        PORT_TESTS.len()
    );
    hprintln!("1..{}", total());
    run()
}

#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    let i = NEXT.load(Ordering::SeqCst).saturating_sub(1);
    FAILED.fetch_add(1, Ordering::SeqCst);
    hprintln!("not ok {} {}", i + 1, name(i));
    hprint!("#   ");
    let _ = fmt::Write::write_fmt(&mut Commented, format_args!("{}", info));
    hprintln!();
    if SCB::vect_active() != VectActive::ThreadMode {
        hprintln!("# the panic was in an exception handler: cannot go on");
        abort_run();
    }
    // Thread mode: start again on a fresh stack with the next test.
    resume()
}

/// Console output with every line after the first commented out ("#   "), as the TAP-like lines expect.
struct Commented;

impl fmt::Write for Commented {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for (i, part) in s.split('\n').enumerate() {
            if i > 0 {
                hprint!("\n#   ");
            }
            hprint!("{}", part);
        }
        Ok(())
    }
}

/// Restarts `run()` at the top of the stack, dropping the failed test's frames: stops SysTick and unmasks
/// interrupts, which a panic inside a test or a critical section may have left on or masked.
fn resume() -> ! {
    extern "C" {
        static _stack_start: u32;
    }
    extern "C" fn restart() -> ! {
        run()
    }
    // SAFETY: writing SYST.CSR only stops the timer; enabling interrupts is sound as no critical section
    // survives (the stack that held them is discarded); `_stack_start` is cortex-m-rt's initial MSP, and
    // `restart` never returns, so nothing refers to the old stack.
    unsafe {
        (*SYST::PTR).csr.write(0);
        cortex_m::interrupt::enable();
        let top = core::ptr::addr_of!(_stack_start) as usize;
        core::arch::asm!(
            "msr msp, {top}",
            "isb",
            "bx {entry}",
            top = in(reg) top,
            entry = in(reg) restart as extern "C" fn() -> ! as usize,
            options(noreturn)
        );
    }
}

#[exception]
unsafe fn HardFault(ef: &ExceptionFrame) -> ! {
    let i = NEXT.load(Ordering::SeqCst).saturating_sub(1);
    FAILED.fetch_add(1, Ordering::SeqCst);
    hprintln!("not ok {} {}", i + 1, name(i));
    hprintln!("#   HardFault: pc={:#010x} lr={:#010x}", ef.pc(), ef.lr());
    abort_run()
}

// ---------------------------------------------------------------------------------------------------------
// The port's own tests

macro_rules! port_tests {
    ($($name:ident,)*) => {
        /// The port's tests as (name, body), run after vns-core's.
        static PORT_TESTS: &[(&str, fn() -> TestResult)] = &[$((stringify!($name), $name as fn() -> TestResult),)*];
    };
}

port_tests! {
    port_hash_profile_small,
    port_errno_values,
    port_state_size,
    port_create_release_tree,
    port_info_fields,
    port_limit_each_kind,
    port_limit_zero,
    port_per_task_limits,
    port_init_limit_per_task,
    port_parent_limit_stops_grandchild,
    port_chain_counts_every_level,
    port_set_max_values,
    port_ucount_table_full,
    port_ns_table_full,
    port_user_depth,
    port_pid_depth,
    port_release_errors,
    port_create_errors,
    port_ids_unique,
    port_release_restores_state,
    port_charge_from_interrupt,
    port_limit_in_interrupt,
    port_systick_interleaving,
}

type V16 = Vns<16, 16>;
const INIT: NsId = NsId::INIT_USER;
const A: TaskId = TaskId(1);
const B: TaskId = TaskId(2);
const C: TaskId = TaskId(3);
const D: TaskId = TaskId(4);

fn counts<const NS: usize, const UC: usize>(
    v: &Vns<NS, UC>,
    user_ns: NsId,
    task: TaskId,
) -> VnsResult<[u32; VNS_NR_KINDS]> {
    let mut out = [0; VNS_NR_KINDS];
    for k in Kind::ALL {
        out[k.index()] = v.count(user_ns, task, k)?;
    }
    Ok(out)
}

fn one_of(kind: Kind) -> [u32; VNS_NR_KINDS] {
    let mut out = [0; VNS_NR_KINDS];
    out[kind.index()] = 1;
    out
}

/// The port builds vns-core with the `small` profile: 8 buckets (UIDHASH_BITS 3, CONFIG_BASE_SMALL).
fn port_hash_profile_small() -> TestResult {
    check_eq!(vns_core::ucount::UIDHASH_BITS, 3);
    check_eq!(vns_core::ucount::UIDHASH_SZ, 8);
    Ok(())
}

/// The port answers with the module's errnos (errno-base.h).
fn port_errno_values() -> TestResult {
    let v = V16::new();
    check_eq!(v.release(INIT), Err(Errno::EINVAL));
    check_eq!(Errno::EINVAL.to_errno(), -22);
    check_eq!(v.release(NsId::from_raw(999)), Err(Errno::ENOENT));
    check_eq!(Errno::ENOENT.to_errno(), -2);
    check_eq!(Errno::ENOSPC.to_errno(), -28);
    check_eq!(Errno::ENOMEM.to_errno(), -12);
    check_eq!(Errno::EBUSY.to_errno(), -16);
    Ok(())
}

/// The demo's Vns<16, 16> stays small (it lives in DTCM with the stack).
fn port_state_size() -> TestResult {
    let size = core::mem::size_of::<V16>();
    hprintln!("#   size_of::<Vns<16, 16>>() = {} bytes", size);
    check!(size <= 4096);
    Ok(())
}

/// A user namespace and one namespace of every other kind in it; counts at both levels; release.
fn port_create_release_tree() -> TestResult {
    let v = V16::new();
    let u = v.create(A, INIT, Kind::User)?;
    let mut ids = [u; VNS_NR_KINDS];
    for k in Kind::ALL.into_iter().skip(1) {
        ids[k.index()] = v.create(B, u, k)?;
    }
    check_eq!(counts(&v, u, B)?, [0, 1, 1, 1, 1, 1, 1, 1]);
    check_eq!(counts(&v, INIT, A)?, [1; VNS_NR_KINDS]);
    check_eq!(counts(&v, INIT, B)?, [0; VNS_NR_KINDS]);
    check_eq!(
        v.usage()?,
        Usage {
            namespaces: 8,
            ucount_entries: 2
        }
    );
    check_eq!(v.release(u), Err(Errno::EBUSY));
    for id in ids.iter().skip(1) {
        v.release(*id)?;
    }
    check_eq!(counts(&v, INIT, A)?, one_of(Kind::User));
    check_eq!(counts(&v, u, B)?, [0; VNS_NR_KINDS]);
    v.release(u)?;
    check_eq!(counts(&v, INIT, A)?, [0; VNS_NR_KINDS]);
    check_eq!(v.usage()?, Usage::default());
    Ok(())
}

/// info(): init namespaces, a user namespace, nested pid namespaces, a flat kind.
fn port_info_fields() -> TestResult {
    let v = V16::new();
    let init_net = v.info(NsId::init(Kind::Net))?;
    check_eq!(init_net.kind, Kind::Net);
    check_eq!(init_net.user_ns, INIT);
    check_eq!(
        (init_net.parent, init_net.owner, init_net.level),
        (None, TaskId::INIT, 0)
    );
    let u = v.create(A, INIT, Kind::User)?;
    let i = v.info(u)?;
    check_eq!(
        (i.id, i.kind, i.user_ns, i.parent),
        (u, Kind::User, INIT, Some(INIT))
    );
    check_eq!((i.owner, i.level), (A, 1));
    let p1 = v.create(B, u, Kind::Pid)?;
    let p2 = v.create_pid(C, u, p1)?;
    let i = v.info(p2)?;
    check_eq!(
        (i.kind, i.user_ns, i.parent, i.owner, i.level),
        (Kind::Pid, u, Some(p1), C, 2)
    );
    check_eq!(v.info(p1)?.parent, Some(NsId::INIT_PID));
    let n = v.create(B, u, Kind::Net)?;
    let i = v.info(n)?;
    check_eq!(
        (i.kind, i.user_ns, i.parent, i.level),
        (Kind::Net, u, None, 0)
    );
    Ok(())
}

/// Every kind: a limit of 2 in a user namespace gives 2, the 3rd is ENOSPC and changes nothing.
fn port_limit_each_kind() -> TestResult {
    for k in Kind::ALL {
        let v = V16::new();
        let u = v.create(A, INIT, Kind::User)?;
        v.set_max(u, k, 2)?;
        v.create(B, u, k)?;
        v.create(B, u, k)?;
        let before = v.snapshot()?;
        check_eq!(v.create(B, u, k), Err(Errno::ENOSPC));
        check!(v.snapshot()? == before);
        check_eq!(v.count(u, B, k)?, 2);
        // Only that kind is limited.
        for other in Kind::ALL.into_iter().filter(|&o| o != k) {
            v.create(B, u, other)?;
        }
    }
    Ok(())
}

/// A limit of 0 refuses the first namespace; the entry made for the attempt is gone again.
fn port_limit_zero() -> TestResult {
    let v = V16::new();
    let u = v.create(A, INIT, Kind::User)?;
    v.set_max(u, Kind::Net, 0)?;
    let before = v.snapshot()?;
    check_eq!(v.create(B, u, Kind::Net), Err(Errno::ENOSPC));
    check!(v.snapshot()? == before);
    check_eq!(v.usage()?.ucount_entries, 1);
    Ok(())
}

/// The limit of a user namespace applies per task: (u, B) and (u, C) each get the limit.
fn port_per_task_limits() -> TestResult {
    let v = V16::new();
    let u = v.create(A, INIT, Kind::User)?;
    v.set_max(u, Kind::Ipc, 1)?;
    v.create(B, u, Kind::Ipc)?;
    check_eq!(v.create(B, u, Kind::Ipc), Err(Errno::ENOSPC));
    v.create(C, u, Kind::Ipc)?;
    check_eq!(v.create(C, u, Kind::Ipc), Err(Errno::ENOSPC));
    check_eq!(v.count(u, B, Kind::Ipc)?, 1);
    check_eq!(v.count(u, C, Kind::Ipc)?, 1);
    // Both are charged on to u's owner in init.
    check_eq!(v.count(INIT, A, Kind::Ipc)?, 2);
    Ok(())
}

/// The init user namespace's limit counts (init, owner): what A's user namespace holds counts against A.
fn port_init_limit_per_task() -> TestResult {
    let v = V16::new();
    v.set_max(INIT, Kind::Uts, 2)?;
    v.create(A, INIT, Kind::Uts)?;
    let u = v.create(A, INIT, Kind::User)?;
    v.create(B, u, Kind::Uts)?;
    let before = v.snapshot()?;
    check_eq!(v.create(C, u, Kind::Uts), Err(Errno::ENOSPC));
    check!(v.snapshot()? == before);
    check_eq!(v.count(INIT, A, Kind::Uts)?, 2);
    // Another task in init has its own counter.
    v.create(D, INIT, Kind::Uts)?;
    check_eq!(v.count(INIT, D, Kind::Uts)?, 1);
    Ok(())
}

/// A limit in u1 stops a namespace created two levels down (in u2 ⊂ u1), and the unwind leaves no trace.
fn port_parent_limit_stops_grandchild() -> TestResult {
    let v = V16::new();
    let u1 = v.create(A, INIT, Kind::User)?;
    let u2 = v.create(A, u1, Kind::User)?;
    v.set_max(u1, Kind::Net, 1)?;
    v.create(B, u2, Kind::Net)?;
    let before = v.snapshot()?;
    check_eq!(v.create(C, u2, Kind::Net), Err(Errno::ENOSPC));
    check!(v.snapshot()? == before);
    check_eq!(v.count(u2, C, Kind::Net)?, 0);
    check_eq!(v.count(u1, A, Kind::Net)?, 1);
    v.set_max(u1, Kind::Net, 2)?;
    v.create(C, u2, Kind::Net)?;
    check_eq!(v.count(u1, A, Kind::Net)?, 2);
    check_eq!(v.count(INIT, A, Kind::Net)?, 2);
    Ok(())
}

/// A namespace three user levels down is charged once at every level up to init.
fn port_chain_counts_every_level() -> TestResult {
    let v = V16::new();
    let u1 = v.create(A, INIT, Kind::User)?;
    let u2 = v.create(B, u1, Kind::User)?;
    let u3 = v.create(C, u2, Kind::User)?;
    let m = v.create(D, u3, Kind::Mnt)?;
    for (ns, task) in [(u3, D), (u2, C), (u1, B), (INIT, A)] {
        check_eq!(v.count(ns, task, Kind::Mnt)?, 1);
    }
    v.release(m)?;
    for (ns, task) in [(u3, D), (u2, C), (u1, B), (INIT, A)] {
        check_eq!(v.count(ns, task, Kind::Mnt)?, 0);
    }
    check_eq!(v.usage()?.ucount_entries, 3);
    Ok(())
}

/// set_max: 0..=INT_MAX as the sysctl, EINVAL outside; EINVAL for a non-user namespace, ENOENT unknown.
fn port_set_max_values() -> TestResult {
    let v = V16::new();
    let u = v.create(A, INIT, Kind::User)?;
    check_eq!(v.max(u, Kind::Pid)?, i32::MAX as u32);
    check_eq!(v.max(INIT, Kind::Pid)?, i32::MAX as u32);
    for (value, want) in [
        (0i64, Ok(())),
        (1, Ok(())),
        (i64::from(i32::MAX), Ok(())),
        (-1, Err(Errno::EINVAL)),
        (i64::from(i32::MAX) + 1, Err(Errno::EINVAL)),
        (i64::MIN, Err(Errno::EINVAL)),
    ] {
        v.set_max(u, Kind::Pid, 7)?;
        check_eq!(v.set_max(u, Kind::Pid, value), want);
        let expect = if want.is_ok() { value as u32 } else { 7 };
        check_eq!(v.max(u, Kind::Pid)?, expect);
    }
    v.set_max(INIT, Kind::Time, 5)?;
    check_eq!(v.max(INIT, Kind::Time)?, 5);
    let n = v.create(A, u, Kind::Net)?;
    check_eq!(v.set_max(n, Kind::Net, 1), Err(Errno::EINVAL));
    check_eq!(
        v.set_max(NsId::init(Kind::Ipc), Kind::Net, 1),
        Err(Errno::EINVAL)
    );
    v.release(n)?;
    check_eq!(v.set_max(n, Kind::Net, 1), Err(Errno::ENOENT));
    check_eq!(v.max(n, Kind::Net), Err(Errno::ENOENT));
    Ok(())
}

/// A full ucounts table is ENOMEM with nothing changed; an existing entry is still usable.
fn port_ucount_table_full() -> TestResult {
    let v = Vns::<16, 3>::new();
    let u = v.create(A, INIT, Kind::User)?; // entry (init, A)
    v.create(B, u, Kind::Net)?; // entry (u, B)
    let c = v.create(C, u, Kind::Net)?; // entry (u, C): full
    let before = v.snapshot()?;
    check_eq!(v.create(D, u, Kind::Net), Err(Errno::ENOMEM));
    check!(v.snapshot()? == before);
    v.create(B, u, Kind::Net)?;
    v.release(c)?;
    v.create(D, u, Kind::Net)?;
    check_eq!(v.count(INIT, A, Kind::Net)?, 3);
    Ok(())
}

/// A full namespace table is ENOMEM after the charge: the charge and the new entry are undone.
fn port_ns_table_full() -> TestResult {
    let v = Vns::<2, 8>::new();
    let u = v.create(A, INIT, Kind::User)?;
    v.create(B, u, Kind::Net)?;
    let before = v.snapshot()?;
    check_eq!(v.create(C, u, Kind::Net), Err(Errno::ENOMEM));
    check_eq!(v.create(B, u, Kind::Net), Err(Errno::ENOMEM));
    check!(v.snapshot()? == before);
    check_eq!(v.count(INIT, A, Kind::Net)?, 1);
    check_eq!(v.count(u, C, Kind::Net)?, 0);
    Ok(())
}

/// User namespaces: 33 levels below init can be created, the 34th is ENOSPC (kernel/user_namespace.c).
fn port_user_depth() -> TestResult {
    let v = Vns::<40, 40>::new();
    let mut chain = [INIT; 34];
    for level in 1..=33 {
        chain[level] = v.create(A, chain[level - 1], Kind::User)?;
    }
    check_eq!(v.info(chain[33])?.level, 33);
    let before = v.snapshot()?;
    check_eq!(v.create(A, chain[33], Kind::User), Err(Errno::ENOSPC));
    check!(v.snapshot()? == before);
    // Other kinds can still be made at the deepest level, charged 34 levels up.
    let n = v.create(B, chain[33], Kind::Net)?;
    check_eq!(v.count(INIT, A, Kind::Net)?, 1);
    v.release(n)?;
    for level in (1..=33).rev() {
        v.release(chain[level])?;
    }
    check_eq!(v.usage()?, Usage::default());
    Ok(())
}

/// Pid namespaces: 32 levels below init, the 33rd is ENOSPC (MAX_PID_NS_LEVEL).
fn port_pid_depth() -> TestResult {
    let v = Vns::<40, 8>::new();
    let mut parent = NsId::INIT_PID;
    for level in 1..=32 {
        parent = v.create_pid(A, INIT, parent)?;
        check_eq!(v.info(parent)?.level, level);
    }
    let before = v.snapshot()?;
    check_eq!(v.create_pid(A, INIT, parent), Err(Errno::ENOSPC));
    check!(v.snapshot()? == before);
    check_eq!(v.count(INIT, A, Kind::Pid)?, 32);
    // The parent cannot go while a child nests in it.
    let grandparent = v.info(parent)?.parent.unwrap_or(NsId::INIT_PID);
    check_eq!(v.release(grandparent), Err(Errno::EBUSY));
    Ok(())
}

/// release(): EINVAL for init, ENOENT unknown or twice, EBUSY while owned or nested namespaces remain.
fn port_release_errors() -> TestResult {
    let v = V16::new();
    for k in Kind::ALL {
        check_eq!(v.release(NsId::init(k)), Err(Errno::EINVAL));
    }
    check_eq!(v.release(NsId::from_raw(0)), Err(Errno::ENOENT));
    check_eq!(v.release(NsId::from_raw(u64::MAX)), Err(Errno::ENOENT));
    let u = v.create(A, INIT, Kind::User)?;
    let p = v.create(B, u, Kind::Pid)?;
    let p2 = v.create_pid(B, u, p)?;
    check_eq!(v.release(u), Err(Errno::EBUSY));
    check_eq!(v.release(p), Err(Errno::EBUSY));
    v.release(p2)?;
    check_eq!(v.release(p2), Err(Errno::ENOENT));
    v.release(p)?;
    v.release(u)?;
    check_eq!(v.release(u), Err(Errno::ENOENT));
    Ok(())
}

/// create(): ENOENT for an unknown user namespace or pid parent, EINVAL for the wrong kind; no change.
fn port_create_errors() -> TestResult {
    let v = V16::new();
    let u = v.create(A, INIT, Kind::User)?;
    let n = v.create(A, u, Kind::Net)?;
    let before = v.snapshot()?;
    check_eq!(
        v.create(A, NsId::from_raw(12345), Kind::Uts),
        Err(Errno::ENOENT)
    );
    check_eq!(v.create(A, n, Kind::Uts), Err(Errno::EINVAL));
    check_eq!(
        v.create(A, NsId::init(Kind::Net), Kind::Uts),
        Err(Errno::EINVAL)
    );
    check_eq!(v.create_pid(A, u, n), Err(Errno::EINVAL));
    check_eq!(v.create_pid(A, u, NsId::from_raw(777)), Err(Errno::ENOENT));
    check_eq!(v.create_pid(A, n, NsId::INIT_PID), Err(Errno::EINVAL));
    check!(v.snapshot()? == before);
    Ok(())
}

/// Ids are unique and never reused; a failed create does not use one up.
fn port_ids_unique() -> TestResult {
    let v = V16::new();
    let mut last = NsId::init(Kind::Time);
    for _ in 0..50 {
        let id = v.create(A, INIT, Kind::Net)?;
        check!(id > last);
        last = id;
        v.release(id)?;
    }
    v.set_max(INIT, Kind::Net, 0)?;
    let next = v.snapshot()?.next_id;
    check_eq!(v.create(A, INIT, Kind::Net), Err(Errno::ENOSPC));
    check_eq!(v.snapshot()?.next_id, next);
    check_eq!(next, last.raw() + 1);
    Ok(())
}

/// Building a tree and releasing it leaves the state as it was (but for the next id).
fn port_release_restores_state() -> TestResult {
    let v = V16::new();
    let start = v.snapshot()?;
    let u1 = v.create(A, INIT, Kind::User)?;
    let u2 = v.create(B, u1, Kind::User)?;
    v.set_max(u2, Kind::Cgroup, 3)?;
    let c = v.create(C, u2, Kind::Cgroup)?;
    let t = v.create(C, u2, Kind::Time)?;
    let p = v.create(D, u1, Kind::Pid)?;
    for id in [p, t, c, u2, u1] {
        v.release(id)?;
    }
    let mut end = v.snapshot()?;
    check_eq!(end.next_id, start.next_id + 5);
    end.next_id = start.next_id;
    check!(end == start);
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------
// From interrupt handlers

/// A request to the PendSV handler.
#[derive(Clone, Copy)]
enum Req {
    Idle,
    Create(TaskId, NsId, Kind),
    Release(NsId),
}

static IRQ_VNS: Vns<8, 8> = Vns::new();
static IRQ_REQ: Mutex<Cell<Req>> = Mutex::new(Cell::new(Req::Idle));
static IRQ_RES: Mutex<Cell<Option<VnsResult<NsId>>>> = Mutex::new(Cell::new(None));
static PENDSV_RUNS: AtomicU32 = AtomicU32::new(0);
static PENDSV_IN_HANDLER: AtomicU32 = AtomicU32::new(0);

#[exception]
fn PendSV() {
    PENDSV_RUNS.fetch_add(1, Ordering::SeqCst);
    if SCB::vect_active() == VectActive::Exception(Exception::PendSV) {
        PENDSV_IN_HANDLER.fetch_add(1, Ordering::SeqCst);
    }
    let req = critical_section::with(|cs| IRQ_REQ.borrow(cs).replace(Req::Idle));
    let res = match req {
        Req::Idle => None,
        Req::Create(task, user_ns, kind) => Some(IRQ_VNS.create(task, user_ns, kind)),
        Req::Release(ns) => Some(IRQ_VNS.release(ns).map(|()| ns)),
    };
    critical_section::with(|cs| IRQ_RES.borrow(cs).set(res));
}

/// Runs `req` in the PendSV handler: pends it and waits for it to have run (it preempts thread mode at once).
fn in_pendsv(req: Req) -> Result<VnsResult<NsId>, Fail> {
    let runs = PENDSV_RUNS.load(Ordering::SeqCst);
    let in_handler = PENDSV_IN_HANDLER.load(Ordering::SeqCst);
    critical_section::with(|cs| {
        IRQ_REQ.borrow(cs).set(req);
        IRQ_RES.borrow(cs).set(None);
    });
    SCB::set_pendsv();
    cortex_m::asm::dsb();
    cortex_m::asm::isb();
    check_eq!(PENDSV_RUNS.load(Ordering::SeqCst), runs + 1);
    check_eq!(PENDSV_IN_HANDLER.load(Ordering::SeqCst), in_handler + 1);
    let res = critical_section::with(|cs| IRQ_RES.borrow(cs).take());
    match res {
        Some(r) => Ok(r),
        None => Err(Fail {
            what: "PendSV left no result",
            errno: None,
            file: file!(),
            line: line!(),
        }),
    }
}

/// A namespace created from an interrupt handler is charged, seen from thread mode, and released there.
fn port_charge_from_interrupt() -> TestResult {
    let u = IRQ_VNS.create(A, INIT, Kind::User)?;
    let n = in_pendsv(Req::Create(B, u, Kind::Net))??;
    check_eq!(IRQ_VNS.count(u, B, Kind::Net)?, 1);
    check_eq!(IRQ_VNS.count(INIT, A, Kind::Net)?, 1);
    check_eq!(IRQ_VNS.info(n)?.owner, B);
    // Thread mode creates one too, the handler releases the first.
    let m = IRQ_VNS.create(B, u, Kind::Net)?;
    check_eq!(in_pendsv(Req::Release(n))?, Ok(n));
    check_eq!(IRQ_VNS.count(u, B, Kind::Net)?, 1);
    IRQ_VNS.release(m)?;
    IRQ_VNS.release(u)?;
    check_eq!(IRQ_VNS.usage()?, Usage::default());
    Ok(())
}

/// A limit hit inside an interrupt handler is ENOSPC there, with every counter as before.
fn port_limit_in_interrupt() -> TestResult {
    let u = IRQ_VNS.create(A, INIT, Kind::User)?;
    IRQ_VNS.set_max(u, Kind::Uts, 1)?;
    let n = IRQ_VNS.create(B, u, Kind::Uts)?;
    let before = IRQ_VNS.snapshot()?;
    check_eq!(in_pendsv(Req::Create(B, u, Kind::Uts))?, Err(Errno::ENOSPC));
    check!(IRQ_VNS.snapshot()? == before);
    // A different task is under its own counter: allowed, from the handler.
    let m = in_pendsv(Req::Create(C, u, Kind::Uts))??;
    check_eq!(IRQ_VNS.count(INIT, A, Kind::Uts)?, 2);
    IRQ_VNS.release(m)?;
    IRQ_VNS.release(n)?;
    IRQ_VNS.release(u)?;
    check_eq!(IRQ_VNS.usage()?, Usage::default());
    Ok(())
}

static SYS_VNS: V16 = Vns::new();
/// The user namespace the SysTick handler works in (None: the handler does nothing).
static SYS_USER: Mutex<Cell<Option<NsId>>> = Mutex::new(Cell::new(None));
static SYS_LIVE: Mutex<Cell<[Option<NsId>; 2]>> = Mutex::new(Cell::new([None; 2]));
static SYS_TICKS: AtomicU32 = AtomicU32::new(0);
static SYS_CREATED: AtomicU32 = AtomicU32::new(0);
static SYS_ERRORS: AtomicU32 = AtomicU32::new(0);
const ISR_TASK: TaskId = TaskId(9);
const THREAD_TASK: TaskId = TaskId(8);
/// Limit in init of the (init, A) level that both tasks' charges go through.
const SYS_LIMIT: u32 = 3;

#[exception]
fn SysTick() {
    let tick = SYS_TICKS.fetch_add(1, Ordering::SeqCst);
    let Some(u) = critical_section::with(|cs| SYS_USER.borrow(cs).get()) else {
        return;
    };
    let i = (tick % 2) as usize;
    let mut live = critical_section::with(|cs| SYS_LIVE.borrow(cs).get());
    match live[i] {
        Some(ns) => match SYS_VNS.release(ns) {
            Ok(()) => live[i] = None,
            Err(_) => {
                SYS_ERRORS.fetch_add(1, Ordering::SeqCst);
            }
        },
        None => match SYS_VNS.create(ISR_TASK, u, Kind::Net) {
            Ok(ns) => {
                live[i] = Some(ns);
                SYS_CREATED.fetch_add(1, Ordering::SeqCst);
            }
            Err(Errno::ENOSPC) => {}
            Err(_) => {
                SYS_ERRORS.fetch_add(1, Ordering::SeqCst);
            }
        },
    }
    critical_section::with(|cs| SYS_LIVE.borrow(cs).set(live));
}

/// Stops SysTick when the test ends, however it ends.
struct SysTickGuard(SYST);

impl Drop for SysTickGuard {
    fn drop(&mut self) {
        self.0.disable_interrupt();
        self.0.disable_counter();
        critical_section::with(|cs| SYS_USER.borrow(cs).set(None));
    }
}

/// Thread mode and the SysTick handler charge and release through the same (init, A) level concurrently:
/// at every instant (read in one critical section) the parent counter is the sum of the children's and
/// within the limit, and at the end everything is released.
fn port_systick_interleaving() -> TestResult {
    SYS_VNS.set_max(INIT, Kind::Net, i64::from(SYS_LIMIT))?;
    let u = SYS_VNS.create(A, INIT, Kind::User)?;
    critical_section::with(|cs| SYS_USER.borrow(cs).set(Some(u)));
    // SAFETY: only this test uses SYST (the runner stops it after a panic); nothing else owns it.
    let mut syst = unsafe { cortex_m::Peripherals::steal() }.SYST;
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(2_500);
    syst.clear_current();
    syst.enable_counter();
    syst.enable_interrupt();
    let guard = SysTickGuard(syst);

    let mut mine: [Option<NsId>; 2] = [None; 2];
    let (mut created, mut refused, mut rounds) = (0u32, 0u32, 0u32);
    while SYS_TICKS.load(Ordering::SeqCst) < 200 {
        rounds += 1;
        check!(rounds < 2_000_000);
        for slot in mine.iter_mut() {
            match slot.take() {
                Some(ns) => SYS_VNS.release(ns)?,
                None => match SYS_VNS.create(THREAD_TASK, u, Kind::Net) {
                    Ok(ns) => {
                        *slot = Some(ns);
                        created += 1;
                    }
                    Err(Errno::ENOSPC) => refused += 1,
                    Err(e) => return Err(e.into()),
                },
            }
            let (parent, t, i) = critical_section::with(|_| {
                (
                    SYS_VNS.count(INIT, A, Kind::Net),
                    SYS_VNS.count(u, THREAD_TASK, Kind::Net),
                    SYS_VNS.count(u, ISR_TASK, Kind::Net),
                )
            });
            let (parent, t, i) = (parent?, t?, i?);
            check_eq!(parent, t + i);
            check!(parent <= SYS_LIMIT);
        }
    }
    drop(guard);
    let ticks = SYS_TICKS.load(Ordering::SeqCst);
    hprintln!(
        "#   {} ticks, handler created {}, thread created {} (refused {}) in {} rounds",
        ticks,
        SYS_CREATED.load(Ordering::SeqCst),
        created,
        refused,
        rounds
    );
    check_eq!(SYS_ERRORS.load(Ordering::SeqCst), 0);
    check!(SYS_CREATED.load(Ordering::SeqCst) > 0);
    check!(created > 0);
    let live = critical_section::with(|cs| SYS_LIVE.borrow(cs).replace([None; 2]));
    for ns in mine.into_iter().chain(live).flatten() {
        SYS_VNS.release(ns)?;
    }
    SYS_VNS.release(u)?;
    check_eq!(SYS_VNS.count(INIT, A, Kind::Net)?, 0);
    check_eq!(SYS_VNS.usage()?, Usage::default());
    Ok(())
}
