// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/sys/vns (Documentation/admin-guide/vns-sysctl.rst): every entry reads its default, accepts a valid
 * write, rejects out-of-range and non-numeric writes with EINVAL and keeps its value, and refuses writers
 * without CAP_SYS_RESOURCE (EACCES), deputies included.
 *
 * Per caller (Documentation/vns.rst "Limits"): each max_* shows and sets the limits of the caller's own
 * user vns, which needs CAP_SYS_RESOURCE there; those tests make a user vns of their own, so they run as
 * root and as uid 1000 alike. The exec test re-executes this binary in the helper mode of vns_exec.h
 * (VNS_OPS_HELPER).
 */
#include <grp.h>
#include <limits.h>

#include "kselftest_harness.h"
#include "vns_exec.h"

FIXTURE(entry)
{
	char path[128];
	long saved;
};

FIXTURE_VARIANT(entry)
{
	const char *name;
	/* The kernel's own counterpart whose value the default must equal, or NULL. */
	const char *kernel_twin;
	long fixed_default; /* used when kernel_twin is NULL */
	long min;
};

#define MAX_NS_VARIANT(kind)                                                 \
	FIXTURE_VARIANT_ADD(entry, kind)                                     \
	{                                                                    \
		.name = "max_" #kind "_namespaces",                          \
		.kernel_twin = "/proc/sys/user/max_" #kind "_namespaces",    \
		.min = 0,                                                    \
	}

MAX_NS_VARIANT(user);
MAX_NS_VARIANT(pid);
MAX_NS_VARIANT(uts);
MAX_NS_VARIANT(ipc);
MAX_NS_VARIANT(net);
MAX_NS_VARIANT(mnt);
MAX_NS_VARIANT(cgroup);
MAX_NS_VARIANT(time);

FIXTURE_VARIANT_ADD(entry, mount_max)
{
	.name = "mount-max",
	.kernel_twin = NULL,
	.fixed_default = 100000,
	.min = 1,
};

FIXTURE_SETUP(entry)
{
	snprintf(self->path, sizeof(self->path), VNS_SYSCTL_DIR "%s", variant->name);
	ASSERT_EQ(0, vns_read_int(self->path, &self->saved)) TH_LOG("%s", self->path);
}

FIXTURE_TEARDOWN(entry)
{
	char buf[32];

	if (getuid() == 0) {
		snprintf(buf, sizeof(buf), "%ld\n", self->saved);
		vns_write_str(self->path, buf);
	}
}

/*
 * At load the init user vns takes the kernel's init user namespace limits (Documentation/vns.rst "Limits");
 * mount-max 100000.
 */
TEST_F(entry, reads_default)
{
	long expect = variant->fixed_default, val = 0;

	if (variant->kernel_twin) {
		/* The kernel's limits are only readable where /proc/sys/user exists (CONFIG_USER_NS...). */
		if (vns_read_int(variant->kernel_twin, &expect))
			SKIP(return, "%s not available", variant->kernel_twin);
	}
	ASSERT_EQ(0, vns_read_int(self->path, &val));
	EXPECT_EQ(expect, val);
}

TEST_F(entry, valid_write_sticks)
{
	long val = 0;

	if (getuid() != 0)
		SKIP(return, "needs root");
	ASSERT_EQ(0, vns_write_str(self->path, "1234\n"));
	ASSERT_EQ(0, vns_read_int(self->path, &val));
	EXPECT_EQ(1234, val);
	ASSERT_EQ(0, vns_write_str(self->path, "2147483647"));
	ASSERT_EQ(0, vns_read_int(self->path, &val));
	EXPECT_EQ(INT_MAX, val);
	/* The lowest accepted value: 0 for the limits, 1 for mount-max. */
	ASSERT_EQ(0, vns_write_str(self->path, variant->min ? "1" : "0"));
	ASSERT_EQ(0, vns_read_int(self->path, &val));
	EXPECT_EQ(variant->min, val);
}

TEST_F(entry, invalid_write_einval_keeps_value)
{
	static const char *const bad[] = { "-1", "2147483648", "99999999999999999999", "abc", "0x", "-" };
	char below[32];
	long val = 0;
	unsigned int i;

	if (getuid() != 0)
		SKIP(return, "needs root");
	ASSERT_EQ(0, vns_write_str(self->path, "4321"));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, vns_write_str(self->path, bad[i])) TH_LOG("writing '%s'", bad[i]);
		ASSERT_EQ(0, vns_read_int(self->path, &val));
		EXPECT_EQ(4321, val) TH_LOG("after writing '%s'", bad[i]);
	}
	snprintf(below, sizeof(below), "%ld", variant->min - 1);
	EXPECT_EQ(-EINVAL, vns_write_str(self->path, below)) TH_LOG("writing '%s'", below);
	ASSERT_EQ(0, vns_read_int(self->path, &val));
	EXPECT_EQ(4321, val);
}

static int write_as_user(void *arg)
{
	int ret = vns_write_str(arg, "7");

	return ret == -EACCES ? 0 : (ret == 0 ? 100 : -ret);
}

/* Writing needs CAP_SYS_RESOURCE (in the caller's user vns): EACCES, value unchanged. */
TEST_F(entry, unprivileged_write_eacces)
{
	long val = 0;

	EXPECT_EQ(0, vns_run_unprivileged(write_as_user, self->path));
	ASSERT_EQ(0, vns_read_int(self->path, &val));
	EXPECT_EQ(self->saved, val);
}

/*
 * No deputy: a file opened by euid 1000 and written by root (a setuid program's stderr, say) changes
 * nothing (EACCES), as /proc/sys/user is checked at open against the opener in 7.3. Before the fix the
 * write went through and changed the init vns limit.
 */
TEST_F(entry, deputy_write_eacces)
{
	char buf[32];
	long val = 0;
	int fd;

	if (getuid() != 0)
		SKIP(return, "needs root (the writer is root, the opener uid 1000)");
	/* Open with euid 1000 (its effective capabilities are cleared), then become root again. */
	ASSERT_EQ(0, setresuid(-1, VNS_TEST_UID, -1));
	fd = open(self->path, O_WRONLY);
	ASSERT_EQ(0, setresuid(-1, 0, -1));
	if (variant->min == 1) {
		/* mount-max is mode 0644: the opener is refused at open already. */
		EXPECT_EQ(-1, fd);
		EXPECT_EQ(EACCES, errno);
		return;
	}
	ASSERT_LE(0, fd);
	snprintf(buf, sizeof(buf), "%ld", variant->min + 5);
	EXPECT_EQ(-1, write(fd, buf, strlen(buf)));
	EXPECT_EQ(EACCES, errno);
	close(fd);
	ASSERT_EQ(0, vns_read_int(self->path, &val));
	EXPECT_EQ(self->saved, val);
	/* Root's own file writes. */
	ASSERT_EQ(0, vns_write_str(self->path, buf));
	ASSERT_EQ(0, vns_read_int(self->path, &val));
	EXPECT_EQ(variant->min + 5, val);
}

/* Every entry is readable by anyone. */
static int read_as_user(void *arg)
{
	long val = 0;

	return vns_read_int(arg, &val) ? 1 : 0;
}

TEST_F(entry, readable_unprivileged)
{
	EXPECT_EQ(0, vns_run_unprivileged(read_as_user, self->path));
}

/* ---- per caller: the limits of the caller's user vns ---- */

static int peer_sysctl_inside(void *arg, int out, int in)
{
	long v = 0;
	int fd = *(int *)arg;
	char c = 'k';

	C_EQ(0, vns_unshare_map_root(fd, 0));
	C_EQ(0, vns_read_limit(VNS_KIND_UTS, &v));
	C_EQ(INT_MAX, v);
	C_EQ(0, vns_write_limit(VNS_KIND_UTS, 5));
	C_EQ(0, vns_read_limit(VNS_KIND_UTS, &v));
	C_EQ(5, v);
	C_EQ(0, write_full(out, &c, 1));
	peer_wait(in);
	/* Still 5 here, whatever the parent read. */
	C_EQ(0, vns_read_limit(VNS_KIND_UTS, &v));
	C_EQ(5, v);
	return 0;
}

/* Each max_* shows and sets the limit of the caller's user vns (INT_MAX in a new one). */
TEST(sysctl_per_caller_user_vns)
{
	long outside = -1, now = -1;
	struct peer p;
	char c;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_read_limit(VNS_KIND_UTS, &outside));
	ASSERT_EQ(0, peer_start(&p, peer_sysctl_inside, &fd));
	ASSERT_EQ(0, read_full(p.rd, &c, 1));
	ASSERT_EQ(0, vns_read_limit(VNS_KIND_UTS, &now));
	EXPECT_EQ(outside, now);
	EXPECT_EQ(0, peer_finish(&p));
	ASSERT_EQ(0, vns_read_limit(VNS_KIND_UTS, &now));
	EXPECT_EQ(outside, now);
	close(fd);
}

/*
 * Without CAP_SYS_RESOURCE in its user vns (caps dropped at exec, Documentation/vns.rst "Capabilities"),
 * writing: EACCES.
 */
TEST(sysctl_write_without_caps_eacces)
{
	struct helper_report post;
	struct vns_info pre;

	ASSERT_EQ(0, run_exec_helper("sysctl", false, &pre, &post));
	ASSERT_EQ(0, post.info_ret);
	EXPECT_EQ(0, post.info.flags & VNS_INFO_FULL_CAPS);
	ASSERT_EQ(0, post.read1_ret);
	EXPECT_EQ(INT_MAX, post.read1);
	EXPECT_EQ(-EACCES, post.write_ret);
	ASSERT_EQ(0, post.read2_ret);
	EXPECT_EQ(INT_MAX, post.read2);

	/* With root mapped, the exec keeps the caps: the write works. */
	ASSERT_EQ(0, run_exec_helper("sysctl", true, &pre, &post));
	EXPECT_EQ(0, post.write_ret);
	EXPECT_EQ(7, post.read2);
}

/* Values 0..INT_MAX, else EINVAL; the value is kept. */
TEST(sysctl_out_of_range_einval)
{
	static const char *const bad[] = { "-1", "2147483648", "-2147483648", "abc" };
	long v = 0;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, 0));
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, vns_write_str(VNS_SYSCTL_DIR "max_uts_namespaces", bad[i])) TH_LOG("%s", bad[i]);
		ASSERT_EQ(0, vns_read_limit(VNS_KIND_UTS, &v));
		EXPECT_EQ(INT_MAX, v);
	}
	EXPECT_EQ(0, vns_write_str(VNS_SYSCTL_DIR "max_uts_namespaces", "0"));
	ASSERT_EQ(0, vns_read_limit(VNS_KIND_UTS, &v));
	EXPECT_EQ(0, v);
	close(fd);
}

TEST_HARNESS_MAIN
