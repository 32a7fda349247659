// SPDX-License-Identifier: GPL-2.0

//! [`PerKind`]: one value per namespace kind, indexed by [`Kind`] (the kernel's `enum ucount_type`
//! arrays, `ucount_max[UCOUNT_COUNTS]`).

#![deny(unsafe_code)]

use core::ops::Index;

use crate::vcore::abi::{
    Kind,
    VNS_NR_KINDS, //
};

/// One `T` per kind, in kind order.
pub(crate) struct PerKind<T>([T; VNS_NR_KINDS]);

impl<T> PerKind<T> {
    /// The values of `f(kind)` for every kind.
    pub(crate) fn from_fn(mut f: impl FnMut(Kind) -> T) -> Self {
        Self(Kind::ALL.map(&mut f))
    }

    /// The values, in kind order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.0.iter()
    }

    /// The values, in kind order, to change.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.0.iter_mut()
    }

    /// Each kind with its value.
    pub(crate) fn each(&self) -> impl Iterator<Item = (Kind, &T)> {
        Kind::ALL.into_iter().zip(self.0.iter())
    }

    /// `f` of every value, as an ABI array.
    pub(crate) fn map<U>(&self, mut f: impl FnMut(&T) -> U) -> [U; VNS_NR_KINDS] {
        core::array::from_fn(|i| {
            // `i < VNS_NR_KINDS`: `Kind::ALL[i]` is the kind of index `i`.
            f(&self[Kind::ALL[i]])
        })
    }
}

impl<T: Clone> Clone for PerKind<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T> Index<Kind> for PerKind<T> {
    type Output = T;

    fn index(&self, kind: Kind) -> &T {
        // A `Kind`'s index is below `VNS_NR_KINDS` by construction.
        &self.0[kind.index()]
    }
}

impl<T> core::ops::IndexMut<Kind> for PerKind<T> {
    fn index_mut(&mut self, kind: Kind) -> &mut T {
        &mut self.0[kind.index()]
    }
}
