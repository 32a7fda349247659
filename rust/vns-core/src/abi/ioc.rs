// SPDX-License-Identifier: GPL-2.0-only
//! The ioctl encoding of include/uapi/asm-generic/ioctl.h (nr bits 0-7, type 8-15, size 16-29, dir 30-31).

/// Bits of the command number (`_IOC_NRBITS`).
pub const IOC_NRBITS: u32 = 8;
/// Bits of the type (`_IOC_TYPEBITS`).
pub const IOC_TYPEBITS: u32 = 8;
/// Bits of the argument size (`_IOC_SIZEBITS`).
pub const IOC_SIZEBITS: u32 = 14;
/// Bits of the direction (`_IOC_DIRBITS`).
pub const IOC_DIRBITS: u32 = 2;
/// Shift of the number (`_IOC_NRSHIFT`).
pub const IOC_NRSHIFT: u32 = 0;
/// Shift of the type (`_IOC_TYPESHIFT`).
pub const IOC_TYPESHIFT: u32 = IOC_NRSHIFT + IOC_NRBITS;
/// Shift of the size (`_IOC_SIZESHIFT`).
pub const IOC_SIZESHIFT: u32 = IOC_TYPESHIFT + IOC_TYPEBITS;
/// Shift of the direction (`_IOC_DIRSHIFT`).
pub const IOC_DIRSHIFT: u32 = IOC_SIZESHIFT + IOC_SIZEBITS;
/// Mask of the number (`_IOC_NRMASK`).
pub const IOC_NRMASK: u32 = (1 << IOC_NRBITS) - 1;
/// Mask of the type (`_IOC_TYPEMASK`).
pub const IOC_TYPEMASK: u32 = (1 << IOC_TYPEBITS) - 1;
/// Mask of the size (`_IOC_SIZEMASK`).
pub const IOC_SIZEMASK: u32 = (1 << IOC_SIZEBITS) - 1;
/// Mask of the direction (`_IOC_DIRMASK`).
pub const IOC_DIRMASK: u32 = (1 << IOC_DIRBITS) - 1;
/// No data (`_IOC_NONE`).
#[cfg(any(test, feature = "names"))]
pub const IOC_NONE: u32 = 0;
/// Userspace writes, the kernel reads (`_IOC_WRITE`).
pub const IOC_WRITE: u32 = 1;
/// The kernel writes, userspace reads (`_IOC_READ`).
pub const IOC_READ: u32 = 2;

/// `_IOC(dir, type, nr, size)`. The size is masked to its 14 bits (every vns struct fits, checked below).
pub const fn ioc(dir: u32, ty: u32, nr: u32, size: usize) -> u32 {
    ((dir & IOC_DIRMASK) << IOC_DIRSHIFT)
        | ((ty & IOC_TYPEMASK) << IOC_TYPESHIFT)
        | ((nr & IOC_NRMASK) << IOC_NRSHIFT)
        | (((size as u32) & IOC_SIZEMASK) << IOC_SIZESHIFT)
}

/// `_IO(type, nr)`.
#[cfg(any(test, feature = "names"))]
pub const fn io(ty: u32, nr: u32) -> u32 {
    ioc(IOC_NONE, ty, nr, 0)
}

/// `_IOR(type, nr, size)`: the kernel writes the argument.
pub const fn ior(ty: u32, nr: u32, size: usize) -> u32 {
    ioc(IOC_READ, ty, nr, size)
}

/// `_IOW(type, nr, size)`: the kernel reads the argument.
pub const fn iow(ty: u32, nr: u32, size: usize) -> u32 {
    ioc(IOC_WRITE, ty, nr, size)
}

/// `_IOWR(type, nr, size)`: both.
pub const fn iowr(ty: u32, nr: u32, size: usize) -> u32 {
    ioc(IOC_READ | IOC_WRITE, ty, nr, size)
}

/// `_IOC_DIR(cmd)`.
#[cfg(any(test, feature = "names"))]
pub const fn ioc_dir(cmd: u32) -> u32 {
    (cmd >> IOC_DIRSHIFT) & IOC_DIRMASK
}

/// `_IOC_TYPE(cmd)`.
pub const fn ioc_type(cmd: u32) -> u32 {
    (cmd >> IOC_TYPESHIFT) & IOC_TYPEMASK
}

/// `_IOC_NR(cmd)`.
pub const fn ioc_nr(cmd: u32) -> u32 {
    (cmd >> IOC_NRSHIFT) & IOC_NRMASK
}

/// `_IOC_SIZE(cmd)`: the size of the caller's struct.
pub const fn ioc_size(cmd: u32) -> usize {
    ((cmd >> IOC_SIZESHIFT) & IOC_SIZEMASK) as usize
}
