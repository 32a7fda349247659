// SPDX-License-Identifier: GPL-2.0

//! The C shim's interface (`vns_shim.h`), declared for Rust: the raw types and the `extern "C"`
//! functions. `scripts/check-tree.py` (run by `make check`) checks these declarations against the
//! header, name by name and argument by argument.

use kernel::ffi::{
    c_char,
    c_int,
    c_long,
    c_uint,
    c_ulong,
    c_void, //
};

/// Mirror of `struct vns_task_facts`.
#[repr(C)]
#[derive(Default)]
pub(super) struct RawTaskFacts {
    pub(super) nr_threads: u32,
    pub(super) sighand_shared: u8,
    pub(super) pad: [u8; 3],
    pub(super) euid: u32,
    pub(super) egid: u32,
}

/// Mirror of `struct vns_opener`.
#[repr(C)]
pub(super) struct RawOpener {
    pub(super) euid: u32,
    pub(super) cap_sys_resource: bool,
}

/// Mirror of `struct vns_task_access`.
#[repr(C)]
#[derive(Default)]
pub(super) struct RawTaskAccess {
    pub(super) same_thread_group: u8,
    pub(super) ids_match: u8,
    pub(super) dumpable: u8,
    pub(super) pad: u8,
    pub(super) tgid: i32,
}

/// Mirror of `struct vns_timespec`.
#[repr(C)]
#[derive(Default)]
pub(super) struct RawTimespec {
    pub(super) sec: i64,
    pub(super) nsec: i64,
}

/// Mirror of `struct vns_anon_ops`.
#[repr(C)]
pub(super) struct RawAnonOps {
    pub(super) ioctl: Option<unsafe extern "C" fn(*mut c_void, c_uint, c_ulong) -> c_long>,
    pub(super) release: Option<unsafe extern "C" fn(*mut c_void)>,
}

/// `struct file`, only ever used behind a pointer.
#[repr(C)]
pub(super) struct RawFile {
    _opaque: [u8; 0],
}

/// `struct task_struct`, only ever used behind a pointer.
#[repr(C)]
pub(super) struct RawTask {
    _opaque: [u8; 0],
}

/// `struct vns_uts`: two names under a seqlock. Only ever used behind a pointer.
#[repr(C)]
pub(super) struct RawUts {
    _opaque: [u8; 0],
}

/// Mirror of `struct vns_hooks`: what the shim calls back into, with the `ctx` it was registered with.
#[repr(C)]
pub(super) struct RawHooks {
    pub(super) sysctl_read: Option<unsafe extern "C" fn(*const c_void, c_uint) -> c_int>,
    pub(super) sysctl_may_write:
        Option<unsafe extern "C" fn(*const c_void, c_uint, *const RawOpener) -> c_int>,
    pub(super) sysctl_write: Option<unsafe extern "C" fn(*const c_void, c_uint, c_int) -> c_int>,
    pub(super) new_task:
        Option<unsafe extern "C" fn(*const c_void, *mut RawTask, *mut RawTask, u64)>,
    pub(super) exit: Option<unsafe extern "C" fn(*const c_void, *mut RawTask)>,
    pub(super) exec: Option<unsafe extern "C" fn(*const c_void, *mut RawTask)>,
}

extern "C" {
    pub(super) fn vns_shim_sysctl_register(hooks: *const RawHooks, ctx: *const c_void) -> c_int;
    pub(super) fn vns_shim_sysctl_unregister();
    pub(super) fn vns_shim_probes_register(hooks: *const RawHooks, ctx: *const c_void) -> c_int;
    pub(super) fn vns_shim_probes_unregister();
    pub(super) fn vns_shim_init_ucount_max(kind: c_uint) -> c_long;
    pub(super) fn vns_shim_capable(cap: c_int) -> bool;
    pub(super) fn vns_shim_capable_all() -> bool;
    pub(super) fn vns_shim_current_mm_shared() -> bool;
    pub(super) fn vns_shim_cond_resched();
    pub(super) fn vns_shim_fatal_signal_pending() -> bool;
    pub(super) fn vns_shim_current_facts(facts: *mut RawTaskFacts);
    pub(super) fn vns_shim_current() -> *mut RawTask;
    pub(super) fn vns_shim_current_tgid() -> i32;
    pub(super) fn vns_shim_task_euid(task: *mut RawTask) -> u32;
    pub(super) fn vns_shim_nr_threads_total() -> u32;
    pub(super) fn vns_shim_kill_task(task: *mut RawTask);
    pub(super) fn vns_shim_clock_read(clock_id: c_int, ts: *mut RawTimespec) -> bool;
    pub(super) fn vns_shim_task_get(nr: i32) -> *mut RawTask;
    pub(super) fn vns_shim_task_put(task: *mut RawTask);
    pub(super) fn vns_shim_anon_fd(ops: *const RawAnonOps, data: *mut c_void, tag: u32) -> c_int;
    pub(super) fn vns_shim_anon_get(
        fd: c_int,
        tag: u32,
        filep: *mut *mut RawFile,
        data: *mut *mut c_void,
    ) -> c_int;
    pub(super) fn vns_shim_anon_put(file: *mut RawFile);
    pub(super) fn vns_shim_task_access(
        task: *mut RawTask,
        fscreds: bool,
        access: *mut RawTaskAccess,
    );
    pub(super) fn vns_shim_uts_alloc(from: *const RawUts) -> *mut RawUts;
    pub(super) fn vns_shim_uts_free(uts: *mut RawUts);
    pub(super) fn vns_shim_uts_read(
        uts: *const RawUts,
        nodename: *mut c_char,
        domainname: *mut c_char,
    );
    pub(super) fn vns_shim_uts_write(
        uts: *mut RawUts,
        which: c_uint,
        name: *const c_char,
        len: c_uint,
    );
}
