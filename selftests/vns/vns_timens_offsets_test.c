// SPDX-License-Identifier: GPL-2.0
/*
 * A time vns's clock offsets (Documentation/vns.rst "Time"; Documentation/userspace-api/vns.rst
 * "VNS_IOC_SET_TIME_OFFSETS", "VNS_IOC_GET_TIME_OFFSETS", "VNS_IOC_CLOCK_GETTIME"): set on
 * time_for_children until a task enters it, copied into a new time vns, applied by the clock read of a
 * member, and refused in proc_timens_set_offset's order (kernel/time/namespace.c). Where the kernel can be
 * asked the same question (/proc/self/timens_offsets after unshare(2)), its answer is compared.
 *
 * Every test runs as root and as uid 1000: most first make a user vns of their own (full capabilities
 * there); the checks of the unprivileged order run in a child with no capability over the init ones.
 */
#include <stdint.h>
#include <sys/prctl.h>

#include "kselftest_harness.h"
#include "vns_time.h"

/* ---- offsets ---- */

static int check_offsets_apply(void *arg)
{
	int64_t mono, boot;
	double v, k;
	int fd = vns_open(), status;
	struct vns_info info, again;
	pid_t pid;

	C_TRUE(fd >= 0);
	C_EQ(0, vns_unshare_map_root(fd, CLONE_NEWTIME));
	C_EQ(0, get_offsets(fd, &mono, &boot));
	C_EQ(0, mono);
	C_EQ(0, boot);
	C_EQ(0, set_offset(fd, CLOCK_MONOTONIC, 1000, 0));
	C_EQ(0, set_offset(fd, CLOCK_BOOTTIME, 2000, 0));
	/* Set again before anyone entered: the last value counts; both clocks in one call. */
	{
		struct vns_clock_ts two[2] = {
			{ .clock_id = CLOCK_BOOTTIME, .sec = 3000 },
			{ .clock_id = CLOCK_MONOTONIC, .sec = 1000 },
		};
		C_EQ(0, set_offsets(fd, 2, two));
	}
	C_EQ(0, get_offsets(fd, &mono, &boot));
	C_EQ(1000, mono);
	C_EQ(3000, boot);
	/* The caller has not entered: its clocks are the kernel's. */
	C_EQ(0, vns_clock(fd, CLOCK_MONOTONIC, &v));
	k = kclock(CLOCK_MONOTONIC);
	C_TRUE(v <= k && k - v < 5);

	/* A child enters it and sees the offsets on the monotonic clocks and boottime only. */
	pid = fork();
	if (pid == 0) {
		static const struct { int clock; double off; } c[] = {
			{ CLOCK_MONOTONIC, 1000 }, { CLOCK_MONOTONIC_RAW, 1000 }, { CLOCK_MONOTONIC_COARSE, 1000 },
			{ CLOCK_BOOTTIME, 3000 }, { CLOCK_REALTIME, 0 }, { CLOCK_REALTIME_COARSE, 0 }, { CLOCK_TAI, 0 },
		};
		for (unsigned int i = 0; i < ARRAY_SIZE(c); i++) {
			double before = kclock(c[i].clock), after;

			if (vns_clock(fd, c[i].clock, &v))
				_exit(10 + i);
			after = kclock(c[i].clock);
			/* Coarse clocks may lag a tick behind the reads around them. */
			if (v < before + c[i].off - 0.1 || v > after + c[i].off + 0.1)
				_exit(20 + i);
		}
		_exit(0);
	}
	C_EQ(pid, waitpid(pid, &status, 0));
	C_TRUE(WIFEXITED(status));
	C_EQ(0, WEXITSTATUS(status));

	/* Entered: frozen for good, read back unchanged. */
	C_EQ(-EACCES, set_offset(fd, CLOCK_MONOTONIC, 5, 0));
	C_EQ(0, get_offsets(fd, &mono, &boot));
	C_EQ(1000, mono);
	C_EQ(3000, boot);
	/* A new time vns starts with the offsets of time_for_children, not frozen. */
	C_EQ(0, vns_get_info(fd, &info));
	C_EQ(0, vns_unshare(fd, CLONE_NEWTIME, NULL));
	C_EQ(0, vns_get_info(fd, &again));
	C_NE(info.time_for_children_id, again.time_for_children_id);
	C_EQ(0, get_offsets(fd, &mono, &boot));
	C_EQ(1000, mono);
	C_EQ(3000, boot);
	C_EQ(0, set_offset(fd, CLOCK_MONOTONIC, -1, 500));
	{
		struct vns_time_offsets o;

		C_EQ(0, vns_ioctl(fd, VNS_IOC_GET_TIME_OFFSETS, &o));
		C_EQ(-1, o.offsets[0].sec);
		C_EQ(500, o.offsets[0].nsec);
		C_EQ(3000, o.offsets[1].sec);
	}
	close(fd);
	return 0;
}

TEST(time_offsets_set_read_and_applied_to_children)
{
	ASSERT_EQ(0, vns_in_child(check_offsets_apply, NULL));
}

/* The checks before the permission check: the format (EINVAL), whoever asks. */
static int check_format_errors(int fd)
{
	struct vns_time_offsets o = { 0 };
	struct vns_clock_ts good = { .clock_id = CLOCK_MONOTONIC, .sec = 1 };

	C_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_SET_TIME_OFFSETS, &o));
	o.nr = 3;
	o.offsets[0] = o.offsets[1] = good;
	C_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_SET_TIME_OFFSETS, &o));
	C_EQ(-EINVAL, set_offset(fd, CLOCK_MONOTONIC, 1, 1000000000));
	C_EQ(-EINVAL, set_offset(fd, CLOCK_BOOTTIME, 1, -1));
	o.nr = 1;
	o.reserved = 1;
	C_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_SET_TIME_OFFSETS, &o));
	o.reserved = 0;
	o.offsets[0].reserved = 1;
	C_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_SET_TIME_OFFSETS, &o));
	/* An unused entry that is not zero. */
	o.offsets[0].reserved = 0;
	C_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_SET_TIME_OFFSETS, &o));
	return 0;
}

/* No CAP_SYS_TIME over the init time vns: EPERM, after the format, before the clock and the range. */
static int check_unprivileged_order(void *arg)
{
	int fd = *(int *)arg;

	if (check_format_errors(fd))
		return 1;
	C_EQ(-EPERM, set_offset(fd, CLOCK_MONOTONIC, 1, 0));
	C_EQ(-EPERM, set_offset(fd, CLOCK_REALTIME, 1, 0));
	C_EQ(-EPERM, set_offset(fd, CLOCK_MONOTONIC, KTIME_SEC_MAX, 0));
	return 0;
}

/* With CAP_SYS_TIME in the owner: the clock (EINVAL) and the range (ERANGE), then frozen (EACCES). */
static int check_privileged_order(void *arg)
{
	int fd = vns_open();
	double now;

	C_TRUE(fd >= 0);
	C_EQ(0, vns_unshare_map_root(fd, CLONE_NEWTIME));
	if (check_format_errors(fd))
		return 1;
	C_EQ(-EINVAL, set_offset(fd, CLOCK_REALTIME, 1, 0));
	C_EQ(-EINVAL, set_offset(fd, CLOCK_MONOTONIC_RAW, 1, 0));
	C_EQ(-EINVAL, set_offset(fd, -1, 1, 0));
	C_EQ(-ERANGE, set_offset(fd, CLOCK_MONOTONIC, KTIME_SEC_MAX + 1, 0));
	C_EQ(-ERANGE, set_offset(fd, CLOCK_MONOTONIC, -KTIME_SEC_MAX - 1, 0));
	C_EQ(-ERANGE, set_offset(fd, CLOCK_BOOTTIME, INT64_MIN, 0));
	/* The bound depends on the clock now: it may not go below zero, nor past KTIME_SEC_MAX / 2. */
	now = kclock(CLOCK_MONOTONIC);
	C_EQ(-ERANGE, set_offset(fd, CLOCK_MONOTONIC, -(int64_t)now - 2, 0));
	C_EQ(0, set_offset(fd, CLOCK_MONOTONIC, -(int64_t)now + 2, 0));
	C_EQ(-ERANGE, set_offset(fd, CLOCK_MONOTONIC, KTIME_SEC_MAX / 2 - (int64_t)now + 10, 0));
	C_EQ(0, set_offset(fd, CLOCK_MONOTONIC, KTIME_SEC_MAX / 2 - (int64_t)now - 10, 0));
	now = kclock(CLOCK_BOOTTIME);
	C_EQ(-ERANGE, set_offset(fd, CLOCK_BOOTTIME, -(int64_t)now - 2, 0));
	/* One bad line fails the call and changes nothing. */
	{
		int64_t mono, boot, mono2, boot2;
		struct vns_clock_ts two[2] = {
			{ .clock_id = CLOCK_BOOTTIME, .sec = 77 },
			{ .clock_id = CLOCK_MONOTONIC, .sec = -KTIME_SEC_MAX - 1 },
		};
		C_EQ(0, get_offsets(fd, &mono, &boot));
		C_EQ(-ERANGE, set_offsets(fd, 2, two));
		C_EQ(0, get_offsets(fd, &mono2, &boot2));
		C_EQ(mono, mono2);
		C_EQ(boot, boot2);
	}
	close(fd);
	return 0;
}

TEST(time_offsets_errors_in_kernel_order)
{
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_check_without_init_caps(check_unprivileged_order));
	ASSERT_EQ(0, vns_in_child(check_privileged_order, NULL));
	/* Real root: the init time vns is frozen from the start; the range is still checked first. */
	if (getuid() == 0) {
		EXPECT_EQ(-EACCES, set_offset(fd, CLOCK_MONOTONIC, 1, 0));
		EXPECT_EQ(-ERANGE, set_offset(fd, CLOCK_MONOTONIC, -KTIME_SEC_MAX - 1, 0));
		EXPECT_EQ(-EINVAL, set_offset(fd, CLOCK_REALTIME, 1, 0));
	}
	close(fd);
}

/* ---- the clock read and GET_INFO's sizes ---- */

TEST(time_clock_gettime_checks)
{
	static const int bad[] = { 2, 3, 8, 9, 10, 12, 100, -1, -6 };
	struct vns_clock_ts c = { .clock_id = CLOCK_MONOTONIC, .reserved = 1 };
	int fd = vns_open();
	double before, v, after;

	ASSERT_LE(0, fd);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, vns_clock(fd, bad[i], &v)) TH_LOG("clock %d", bad[i]);
	}
	EXPECT_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_CLOCK_GETTIME, &c));
	/* In the init time vns: the kernel's clocks. */
	before = kclock(CLOCK_MONOTONIC);
	ASSERT_EQ(0, vns_clock(fd, CLOCK_MONOTONIC, &v));
	after = kclock(CLOCK_MONOTONIC);
	EXPECT_TRUE(before <= v && v <= after);
	before = kclock(CLOCK_REALTIME);
	ASSERT_EQ(0, vns_clock(fd, CLOCK_REALTIME, &v));
	after = kclock(CLOCK_REALTIME);
	EXPECT_TRUE(before <= v && v <= after);
	close(fd);
}

/* ---- the kernel's own answers ---- */

struct offset_case {
	const char *line;	/* as written to /proc/self/timens_offsets */
	int clock;
	int64_t sec, nsec;
	int rel;		/* sec is relative to the clock now (the ERANGE bound moves with it) */
};

static const struct offset_case offset_cases[] = {
	{ "monotonic 5 0", CLOCK_MONOTONIC, 5, 0, 0 },
	{ "boottime -3 999999999", CLOCK_BOOTTIME, -3, 999999999, 0 },
	{ "monotonic 1 1000000000", CLOCK_MONOTONIC, 1, 1000000000, 0 },
	{ "monotonic 9223372037 0", CLOCK_MONOTONIC, 9223372037LL, 0, 0 },
	{ "boottime -9223372037 0", CLOCK_BOOTTIME, -9223372037LL, 0, 0 },
	{ "monotonic %lld 0", CLOCK_MONOTONIC, -100, 0, 1 },
	{ "boottime %lld 0", CLOCK_BOOTTIME, 4611686018LL - 50, 0, 1 },
	{ "1 7 0", CLOCK_MONOTONIC, 7, 0, 0 },
};

/* The errno of each case through the kernel (after unshare(2)) or vns (after UNSHARE), in this task. */
static int offsets_errnos(int use_vns, int *out)
{
	int fd = use_vns ? vns_open() : -1;

	if (use_vns ? fd < 0 || vns_unshare_map_root(fd, CLONE_NEWTIME) :
		      unshare(CLONE_NEWUSER | CLONE_NEWTIME))
		return -1;
	for (unsigned int i = 0; i < ARRAY_SIZE(offset_cases); i++) {
		const struct offset_case *c = &offset_cases[i];
		int64_t sec = c->sec;

		if (c->rel) {
			double now = kclock(c->clock);

			sec = c->sec < 0 ? -(int64_t)now + c->sec : c->sec - (int64_t)now;
		}
		if (use_vns) {
			out[i] = set_offset(fd, c->clock, sec, c->nsec);
		} else {
			char line[64];
			int f = open("/proc/self/timens_offsets", O_WRONLY);

			snprintf(line, sizeof(line), c->line, (long long)sec);
			out[i] = f < 0 ? -errno : write(f, line, strlen(line)) < 0 ? -errno : 0;
			if (f >= 0)
				close(f);
		}
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

static int check_offsets_like_kernel(void *arg)
{
	int kernel[ARRAY_SIZE(offset_cases)], vns[ARRAY_SIZE(offset_cases)];
	int p[2], status;
	pid_t pid;

	C_EQ(0, pipe(p));
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_DUMPABLE, 1);
		_exit(offsets_errnos(0, kernel) || write_full(p[1], kernel, sizeof(kernel)) ? 1 : 0);
	}
	C_EQ(pid, waitpid(pid, &status, 0));
	C_EQ(0, WEXITSTATUS(status));
	C_EQ(0, read_full(p[0], kernel, sizeof(kernel)));
	C_EQ(0, offsets_errnos(1, vns));
	for (unsigned int i = 0; i < ARRAY_SIZE(offset_cases); i++)
		if (kernel[i] != vns[i])
			C_FAIL("\"%s\": kernel %d, vns %d", offset_cases[i].line, kernel[i], vns[i]);
	return 0;
}

TEST(time_offsets_errnos_match_the_kernel)
{
	ASSERT_EQ(0, vns_in_child(check_offsets_like_kernel, NULL));
}

TEST_HARNESS_MAIN
