// SPDX-License-Identifier: GPL-2.0

//! `/dev/vns`: the misc device and its ioctl dispatch (spec §8), shaped like
//! samples/rust/rust_misc_device.rs: decode the command, then one small method per command.

#![deny(unsafe_code)]

use kernel::{
    fs::File,
    miscdevice::{MiscDevice, MiscDeviceRegistration},
    prelude::*,
    sync::Arc,
};

use crate::{state::Vns, sys};

/// `/dev/vns` is created with mode 0666: unprivileged users must be able to create a user vns (spec §8).
const VNS_DEV_MODE: u16 = 0o666;

/// The registered device and the state every open file refers to.
#[pin_data]
pub(crate) struct Device {
    /// Handed to each open file.
    pub(crate) state: Arc<Vns>,
    /// The misc device registration (deregistered on drop).
    #[pin]
    pub(crate) reg: MiscDeviceRegistration<VnsFile>,
}

impl Device {
    /// Registers `/dev/vns` with mode 0666.
    pub(crate) fn register(state: Arc<Vns>) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            state,
            reg <- sys::misc_register_with_mode(c"vns", VNS_DEV_MODE),
        })
    }
}

/// One open file of `/dev/vns`. It holds the module (the file's `owner`), so rmmod is refused while
/// it exists (spec §9).
pub(crate) struct VnsFile {
    /// The module's state.
    state: Arc<Vns>,
}

#[vtable]
impl MiscDevice for VnsFile {
    type Ptr = KBox<Self>;

    fn open(_file: &File, misc: &MiscDeviceRegistration<Self>) -> Result<KBox<Self>> {
        let device = sys::device_of(misc);
        Ok(KBox::new(
            VnsFile {
                state: device.state.clone(),
            },
            GFP_KERNEL,
        )?)
    }

    fn ioctl(me: &VnsFile, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        me.dispatch(cmd, arg)
    }
}

impl VnsFile {
    /// Decodes `cmd` and runs it. Unknown commands: ENOTTY (spec §8).
    fn dispatch(&self, _cmd: u32, _arg: usize) -> Result<isize> {
        let _ = &self.state;
        Err(ENOTTY)
    }
}
