// SPDX-License-Identifier: GPL-2.0
/*
 * vns C shim: the few kernel services the Linux 7.3 Rust API has no wrapper for.
 *
 * Everything here is called from rust/vns/sys.rs, the module's only Rust file with FFI. The shim keeps no
 * policy: it registers the /proc/sys/vns table and forwards each access to Rust.
 */
#include <linux/capability.h>
#include <linux/errno.h>
#include <linux/sysctl.h>
#include <linux/user_namespace.h>

#include "vns_shim.h"

/* Opaque pointer to the Rust state, set by vns_shim_sysctl_register() before the table is visible. */
static const void *vns_sysctl_ctx;
static struct ctl_table_header *vns_sysctl_header;

/*
 * One handler for every entry: the value shown and set is not in the table but in the caller's user vns
 * (max_*_namespaces) or the module's global (mount-max), as /proc/sys/user is per user namespace
 * (kernel/ucount.c). Parsing and range checks are the kernel's own proc_dointvec_minmax() on a private copy
 * of the entry, so a rejected write changes nothing.
 */
static int vns_sysctl_handler(const struct ctl_table *table, int dir, void *buffer, size_t *lenp,
			      loff_t *ppos);

#define VNS_MAX_NS(name)                                                                      \
	{                                                                                     \
		.procname = name, .maxlen = sizeof(int), .mode = 0666,                        \
		.proc_handler = vns_sysctl_handler, .extra1 = SYSCTL_ZERO,                    \
		.extra2 = SYSCTL_INT_MAX,                                                     \
	}

/* Index order is the kind order of the spec (enum ucount_type), then mount-max: see VNS_SYSCTL_*. */
static const struct ctl_table vns_sysctls[VNS_NR_SYSCTLS] = {
	VNS_MAX_NS("max_user_namespaces"),
	VNS_MAX_NS("max_pid_namespaces"),
	VNS_MAX_NS("max_uts_namespaces"),
	VNS_MAX_NS("max_ipc_namespaces"),
	VNS_MAX_NS("max_net_namespaces"),
	VNS_MAX_NS("max_mnt_namespaces"),
	VNS_MAX_NS("max_cgroup_namespaces"),
	VNS_MAX_NS("max_time_namespaces"),
	{
		.procname = "mount-max", .maxlen = sizeof(int), .mode = 0644,
		.proc_handler = vns_sysctl_handler, .extra1 = SYSCTL_ONE,
		.extra2 = SYSCTL_INT_MAX,
	},
};

static int vns_sysctl_handler(const struct ctl_table *table, int dir, void *buffer, size_t *lenp,
			      loff_t *ppos)
{
	unsigned int index = table - vns_sysctls;
	struct ctl_table tmp = *table;
	int value, ret;

	tmp.data = &value;
	if (SYSCTL_USER_TO_KERN(dir)) {
		/* Permission first, as an open for writing would fail before any parsing. */
		ret = vns_rust_sysctl_may_write(vns_sysctl_ctx, index);
		if (ret)
			return ret;
		value = vns_rust_sysctl_read(vns_sysctl_ctx, index);
		ret = proc_dointvec_minmax(&tmp, dir, buffer, lenp, ppos);
		if (ret || *lenp == 0)
			return ret;
		return vns_rust_sysctl_write(vns_sysctl_ctx, index, value);
	}
	value = vns_rust_sysctl_read(vns_sysctl_ctx, index);
	return proc_dointvec_minmax(&tmp, dir, buffer, lenp, ppos);
}

int vns_shim_sysctl_register(const void *ctx)
{
	vns_sysctl_ctx = ctx;
	vns_sysctl_header = register_sysctl("vns", vns_sysctls);
	if (!vns_sysctl_header) {
		vns_sysctl_ctx = NULL;
		return -ENOMEM;
	}
	return 0;
}

void vns_shim_sysctl_unregister(void)
{
	/* Waits for handlers in flight (proc_sys_call_handler holds the table in use). */
	unregister_sysctl_table(vns_sysctl_header);
	vns_sysctl_header = NULL;
	vns_sysctl_ctx = NULL;
}

long vns_shim_init_ucount_max(unsigned int type)
{
	if (type >= UCOUNT_COUNTS)
		return 0;
	return READ_ONCE(init_user_ns.ucount_max[type]);
}

bool vns_shim_capable(int cap)
{
	return capable(cap);
}
