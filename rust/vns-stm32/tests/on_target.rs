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
#![expect(
    clippy::indexing_slicing,
    reason = "test code: the port's tests index their fixed arrays by kind"
)]

use core::fmt;
use core::panic::{Location, PanicInfo};
use core::sync::atomic::{AtomicUsize, Ordering};

use cortex_m::peripheral::scb::VectActive;
use cortex_m::peripheral::{SCB, SYST};
use cortex_m_rt::{entry, exception, ExceptionFrame};
use cortex_m_semihosting::{debug, hprint, hprintln};
use vns_core::selftest::TESTS;
use vns_stm32::{Errno, Kind, NsId, TaskId, Vns, VnsResult, VNS_NR_KINDS};

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
            return Err($crate::Fail {
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
            $crate::show_both(a, b);
            return Err($crate::Fail {
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
// The port's own tests: `on_target/port.rs` (the API), `on_target/irq.rs` (from interrupt handlers)

macro_rules! port_tests {
    ($($module:ident::$name:ident,)*) => {
        /// The port's tests as (name, body), run after vns-core's.
        static PORT_TESTS: &[(&str, fn() -> TestResult)] =
            &[$((stringify!($name), $module::$name as fn() -> TestResult),)*];
    };
}

port_tests! {
    port::port_hash_profile_small,
    port::port_errno_values,
    port::port_state_size,
    port::port_create_release_tree,
    port::port_info_fields,
    port::port_limit_each_kind,
    port::port_limit_zero,
    port::port_per_task_limits,
    port::port_init_limit_per_task,
    port::port_parent_limit_stops_grandchild,
    port::port_chain_counts_every_level,
    port::port_set_max_values,
    port::port_ucount_table_full,
    port::port_ns_table_full,
    port::port_user_depth,
    port::port_pid_depth,
    port::port_release_errors,
    port::port_create_errors,
    port::port_ids_unique,
    port::port_release_restores_state,
    irq::port_charge_from_interrupt,
    irq::port_limit_in_interrupt,
    irq::port_systick_interleaving,
}

// The crate root is this file, so its submodules are named by path.
#[path = "on_target/irq.rs"]
mod irq;
#[path = "on_target/port.rs"]
mod port;

// Fixtures shared by the port's tests.

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
