/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault injection for the vns selftests: /proc/thread-self/fail-nth (FAILSLAB) and the `fault` fixture,
 * which skips without root or FAILSLAB and lets sleeping allocations fail too, without a stack dump per
 * injected failure.
 */
#ifndef VNS_FAULT_H
#define VNS_FAULT_H

#include "kselftest_harness.h"
#include "vns_test.h"

#define FAILSLAB "/sys/kernel/debug/failslab/"
#define MAX_NTH 400

static inline int set_fail_nth(int n)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", n);
	return vns_write_str("/proc/thread-self/fail-nth", buf);
}

/* 0: the fault was injected; > 0: it was not reached. */
static inline long fail_nth_left(void)
{
	long v = -1;

	vns_read_int("/proc/thread-self/fail-nth", &v);
	return v;
}

FIXTURE(fault)
{
	long saved_ignore, saved_verbose;
};

FIXTURE_SETUP(fault)
{
	if (getuid() != 0)
		SKIP(return, "needs root (debugfs)");
	if (access("/proc/thread-self/fail-nth", W_OK) || access(FAILSLAB "ignore-gfp-wait", W_OK))
		SKIP(return, "no FAILSLAB / fail-nth in this kernel");
	ASSERT_EQ(0, vns_read_int(FAILSLAB "verbose", &self->saved_verbose));
	/* Sleeping (GFP_KERNEL) allocations too, and no stack dump per injected failure. */
	ASSERT_EQ(0, vns_write_str(FAILSLAB "ignore-gfp-wait", "N"));
	ASSERT_EQ(0, vns_write_str(FAILSLAB "verbose", "0"));
}

FIXTURE_TEARDOWN(fault)
{
	char buf[16];

	if (getuid() != 0 || access(FAILSLAB "ignore-gfp-wait", W_OK))
		return;
	vns_write_str(FAILSLAB "ignore-gfp-wait", "Y");
	snprintf(buf, sizeof(buf), "%ld", self->saved_verbose);
	vns_write_str(FAILSLAB "verbose", buf);
}

#endif /* VNS_FAULT_H */
