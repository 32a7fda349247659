// SPDX-License-Identifier: GPL-2.0-only
//! Example firmware (`--features demo`): three tasks get a small tree of namespaces, one hits a limit, a
//! release makes room again, and everything is reported over the semihosting console.
//!
//!     cargo run --features demo --bin demo                              # QEMU mps2-an500
//!     cargo build --release --features h750,demo --bin demo             # STM32H750 image
//!
//! On the chip the console and the final exit need a debug probe with semihosting enabled (probe-rs,
//! OpenOCD `arm semihosting enable`); without one the first output traps. Production firmware links the
//! library only, which has no semihosting.

#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use panic_semihosting as _;
use vns_stm32::{Kind, NsId, TaskId, Vns, VnsResult};

/// The firmware's namespaces: 16 slots and 16 ucounts entries (about 2.2 KiB of RAM).
static VNS: Vns<16, 16> = Vns::new();

const SUPERVISOR: TaskId = TaskId(1);
const NET_TASK: TaskId = TaskId(2);
const UI_TASK: TaskId = TaskId(3);

fn show(what: &str, r: VnsResult<NsId>) -> Option<NsId> {
    match r {
        Ok(id) => {
            hprintln!("  {:<34} -> ns {}", what, id.raw());
            Some(id)
        }
        Err(e) => {
            hprintln!("  {:<34} -> {} ({})", what, e.name(), e.to_errno());
            None
        }
    }
}

fn counts(label: &str, user_ns: NsId, task: TaskId) {
    let mut line = [0u32; vns_stm32::VNS_NR_KINDS];
    for k in Kind::ALL {
        if let (Some(slot), Ok(n)) = (line.get_mut(k.index()), VNS.count(user_ns, task, k)) {
            *slot = n;
        }
    }
    hprintln!("  ucounts {:<22} user..time = {:?}", label, line);
}

fn run() -> VnsResult<()> {
    hprintln!("vns demo: STM32H750 port of vns-core (small profile, 8 hash buckets)");

    // The supervisor makes a user namespace for the application tasks and caps their net namespaces.
    let app = VNS.create(SUPERVISOR, NsId::INIT_USER, Kind::User)?;
    hprintln!("  app user namespace                 -> ns {}", app.raw());
    VNS.set_max(app, Kind::Net, 2)?;
    hprintln!("  set max_net_namespaces = 2 in ns {}", app.raw());

    let uts = show("ui: uts", VNS.create(UI_TASK, app, Kind::Uts));
    let pid = show("ui: pid", VNS.create(UI_TASK, app, Kind::Pid));
    let pid2 = pid.and_then(|p| show("ui: pid inside it", VNS.create_pid(UI_TASK, app, p)));
    let net1 = show("net: net #1", VNS.create(NET_TASK, app, Kind::Net));
    let net2 = show("net: net #2", VNS.create(NET_TASK, app, Kind::Net));
    let refused = show(
        "net: net #3 (limit 2)",
        VNS.create(NET_TASK, app, Kind::Net),
    );
    counts("(app, net task)", app, NET_TASK);
    counts("(init, supervisor)", NsId::INIT_USER, SUPERVISOR);

    if let Some(n) = net1 {
        VNS.release(n)?;
        hprintln!("  released net #1 (ns {})", n.raw());
    }
    let net3 = show("net: net #3 again", VNS.create(NET_TASK, app, Kind::Net));
    counts("(app, net task)", app, NET_TASK);

    let busy = VNS.release(app);
    hprintln!(
        "  release app user ns while in use   -> {}",
        busy.err().map_or("ok", |e| e.name())
    );

    for n in [net3, net2, refused, pid2, pid, uts].into_iter().flatten() {
        VNS.release(n)?;
    }
    VNS.release(app)?;
    let u = VNS.usage()?;
    counts("(init, supervisor)", NsId::INIT_USER, SUPERVISOR);
    hprintln!(
        "  all released: {} namespaces, {} ucounts entries in use",
        u.namespaces,
        u.ucount_entries
    );
    Ok(())
}

/// Stack high-water mark: the free stack is painted at start-up and scanned at the end, so the demo can
/// report its peak stack use next to its static RAM (.data + .bss).
mod stack {
    const PAINT: u32 = 0x5a5a_a5a5;

    extern "C" {
        /// cortex-m-rt: top of the stack (end of RAM).
        static _stack_start: u32;
        /// cortex-m-rt: bottom of the stack (end of .bss/.uninit).
        static _stack_end: u32;
    }

    fn bounds() -> (usize, usize) {
        // Only the addresses of the linker symbols are taken, never their contents.
        (
            core::ptr::addr_of!(_stack_end) as usize,
            core::ptr::addr_of!(_stack_start) as usize,
        )
    }

    /// Paints the stack below the current frame (less a margin); no interrupt is enabled yet.
    #[inline(never)]
    pub(crate) fn paint() {
        let (bottom, _) = bounds();
        let limit = (cortex_m::register::msp::read() as usize).saturating_sub(64) & !3;
        let mut p = bottom;
        while p < limit {
            // SAFETY: [bottom, limit) is unused stack between .bss and the current frame.
            unsafe { core::ptr::write_volatile(p as *mut u32, PAINT) };
            p += 4;
        }
    }

    /// Bytes of stack used so far: from the top down to the lowest word no longer painted.
    pub(crate) fn peak() -> usize {
        let (bottom, top) = bounds();
        let mut p = bottom;
        // SAFETY: reads words of the stack region, all initialised by `paint` or by use.
        while p < top && unsafe { core::ptr::read_volatile(p as *const u32) } == PAINT {
            p += 4;
        }
        top - p
    }
}

#[entry]
fn main() -> ! {
    stack::paint();
    match run() {
        Ok(()) => {
            hprintln!("  stack peak: {} bytes", stack::peak());
            hprintln!("vns demo: done");
            debug::exit(debug::EXIT_SUCCESS);
        }
        Err(e) => {
            hprintln!("vns demo: unexpected {}", e.name());
            debug::exit(debug::EXIT_FAILURE);
        }
    }
    loop {
        cortex_m::asm::wfi();
    }
}
