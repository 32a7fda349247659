// SPDX-License-Identifier: GPL-2.0-only
//! The port's own tests from interrupt handlers: a charge and a limit from PendSV, and SysTick-driven
//! charges interleaved with thread-mode ones.

use core::cell::Cell;
use core::sync::atomic::{AtomicU32, Ordering};

use cortex_m::peripheral::scb::{Exception, VectActive};
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::{SCB, SYST};
use cortex_m_rt::exception;
use cortex_m_semihosting::hprintln;
use critical_section::Mutex;
use vns_stm32::{Errno, Kind, NsId, TaskId, Usage, Vns, VnsResult};

use super::{Fail, TestResult, A, B, C, INIT, V16};

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
pub(super) fn port_charge_from_interrupt() -> TestResult {
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
pub(super) fn port_limit_in_interrupt() -> TestResult {
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
pub(super) fn port_systick_interleaving() -> TestResult {
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
