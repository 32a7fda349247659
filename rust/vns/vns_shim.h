/* SPDX-License-Identifier: GPL-2.0 */
/* The interface between rust/vns/vns_shim.c and rust/vns/sys.rs (declared again there as `extern "C"`). */
#ifndef _VNS_SHIM_H
#define _VNS_SHIM_H

#include <linux/types.h>

#define VNS_NR_SYSCTLS 9	/* 8 max_*_namespaces in kind order, then mount-max */

/* Implemented in Rust (sys.rs). */
int vns_rust_sysctl_read(const void *ctx, unsigned int index);
int vns_rust_sysctl_may_write(const void *ctx, unsigned int index);
int vns_rust_sysctl_write(const void *ctx, unsigned int index, int value);

/* Implemented in C (vns_shim.c). */
int vns_shim_sysctl_register(const void *ctx);
void vns_shim_sysctl_unregister(void);
long vns_shim_init_ucount_max(unsigned int type);
bool vns_shim_capable(int cap);

#endif /* _VNS_SHIM_H */
