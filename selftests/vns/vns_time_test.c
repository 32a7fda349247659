// SPDX-License-Identifier: GPL-2.0
/*
 * The time kind (Documentation/vns.rst "Time"; Documentation/userspace-api/vns.rst
 * "VNS_IOC_SET_TIME_OFFSETS", "VNS_IOC_GET_TIME_OFFSETS", "VNS_IOC_CLOCK_GETTIME"), as 7.3 has it:
 * UNSHARE(CLONE_NEWTIME) changes time_for_children only; children made without CLONE_VM and the caller
 * after an exec enter it, threads and vfork children do not (kernel/nsproxy.c copy_namespaces,
 * exec_task_namespaces); SETNS follows timens_install; the clock offsets follow proc_timens_set_offset.
 * Where the kernel can be asked the same question (/proc/self/timens_offsets after unshare(2)), its answer
 * is compared.
 *
 * Every test runs as root and as uid 1000: most first make a user vns of their own (full capabilities
 * there); the checks of the unprivileged order run in a child with no capability over the init ones.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>

#include "kselftest_harness.h"
#include "vns_exec.h"

#define KTIME_SEC_MAX (INT64_MAX / 1000000000LL)

static int set_offsets(int fd, int n, const struct vns_clock_ts *lines)
{
	struct vns_time_offsets o = { .nr = n };

	memcpy(o.offsets, lines, n * sizeof(*lines));
	return vns_ioctl(fd, VNS_IOC_SET_TIME_OFFSETS, &o);
}

static int set_offset(int fd, int clock, int64_t sec, int64_t nsec)
{
	struct vns_clock_ts l = { .clock_id = clock, .sec = sec, .nsec = nsec };

	return set_offsets(fd, 1, &l);
}

static int get_offsets(int fd, int64_t *mono, int64_t *boot)
{
	struct vns_time_offsets o;
	int ret;

	memset(&o, 0xa5, sizeof(o));
	ret = vns_ioctl(fd, VNS_IOC_GET_TIME_OFFSETS, &o);
	if (ret)
		return ret;
	if (o.nr != 2 || o.offsets[0].clock_id != CLOCK_MONOTONIC || o.offsets[1].clock_id != CLOCK_BOOTTIME ||
	    o.reserved || o.offsets[0].reserved || o.offsets[1].reserved)
		return -EPROTO;
	*mono = o.offsets[0].sec;
	*boot = o.offsets[1].sec;
	return 0;
}

/* VNS_IOC_CLOCK_GETTIME, in seconds (a double is precise enough for the tolerances below). */
static int vns_clock(int fd, int clock, double *secs)
{
	struct vns_clock_ts c = { .clock_id = clock };
	int ret = vns_ioctl(fd, VNS_IOC_CLOCK_GETTIME, &c);

	if (!ret)
		*secs = c.sec + c.nsec / 1e9;
	if (!ret && (c.nsec < 0 || c.nsec >= 1000000000))
		return -EPROTO;
	return ret;
}

static double kclock(int clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- who enters time_for_children ---- */

static void *thread_info(void *arg)
{
	int fd = vns_open();

	if (fd < 0 || vns_get_info(fd, arg))
		memset(arg, 0, sizeof(struct vns_info));
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int vm_child_info(void *arg)
{
	thread_info(arg);
	return 0;
}

/*
 * A vfork child (which keeps the caller's time vns) execs this binary in helper mode "info": its GET_INFO
 * after the exec, through a pipe.
 */
static int exec_info(struct vns_info *out)
{
	struct helper_report r;
	int p[2], status, ok;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = vfork();
	if (pid == 0) {
		char *argv[] = { "/proc/self/exe", NULL };
		char *envp[] = { HELPER_ENV "=info", NULL };

		if (dup2(p[1], 1) != 1)
			_exit(13);
		execve("/proc/self/exe", argv, envp);
		_exit(14);
	}
	close(p[1]);
	ok = !read_full(p[0], &r, sizeof(r));
	close(p[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) || !ok ||
	    r.info_ret)
		return -1;
	*out = r.info;
	return 0;
}

static int check_who_enters(void *arg)
{
	struct vns_info before, info, child, thr, vm, exec;
	struct vns_ns_entry *e = NULL, *t;
	uint32_t nr = 0;
	pthread_t th;
	int fd = vns_open(), status, tfc_listed;
	char *stack;
	pid_t pid;

	C_TRUE(fd >= 0);
	C_EQ(0, vns_get_info(fd, &before));
	C_EQ(before.ns_id[VNS_KIND_TIME], before.time_for_children_id);
	C_EQ(0, vns_unshare_map_root(fd, CLONE_NEWTIME));
	C_EQ(0, vns_get_info(fd, &info));
	/* The caller stays in its time vns; only its children's changes. */
	C_EQ(before.ns_id[VNS_KIND_TIME], info.ns_id[VNS_KIND_TIME]);
	C_NE(info.ns_id[VNS_KIND_TIME], info.time_for_children_id);
	tfc_listed = vns_list_ns(fd, &e, &nr);
	C_TRUE(tfc_listed > 0);
	t = vns_find_entry(e, nr, info.time_for_children_id);
	C_TRUE(t != NULL);
	C_EQ(VNS_KIND_TIME, t->kind);
	C_EQ(0, t->nr_tasks);
	C_EQ(info.ns_id[VNS_KIND_USER], t->owner_id);
	free(e);

	/* A thread keeps the group's time vns. */
	C_EQ(0, pthread_create(&th, NULL, thread_info, &thr));
	C_EQ(0, pthread_join(th, NULL));
	C_EQ(info.ns_id[VNS_KIND_TIME], thr.ns_id[VNS_KIND_TIME]);
	C_EQ(info.time_for_children_id, thr.time_for_children_id);

	/* A vfork child (CLONE_VM) keeps it too. */
	stack = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	C_TRUE(stack != MAP_FAILED);
	pid = clone(vm_child_info, stack + (1 << 16), CLONE_VM | CLONE_VFORK | SIGCHLD, &vm);
	C_TRUE(pid > 0);
	C_EQ(pid, waitpid(pid, &status, 0));
	munmap(stack, 1 << 16);
	C_EQ(info.ns_id[VNS_KIND_TIME], vm.ns_id[VNS_KIND_TIME]);
	C_EQ(info.time_for_children_id, vm.time_for_children_id);

	/* A child made without CLONE_VM enters it. */
	pid = fork();
	if (pid == 0) {
		if (vns_get_info(fd, &child))
			_exit(1);
		_exit(child.ns_id[VNS_KIND_TIME] == info.time_for_children_id &&
		      child.time_for_children_id == info.time_for_children_id ? 0 : 2);
	}
	C_EQ(pid, waitpid(pid, &status, 0));
	C_TRUE(WIFEXITED(status));
	C_EQ(0, WEXITSTATUS(status));

	/* A task that did not enter (a vfork child) enters it at its exec (exec_task_namespaces). */
	C_EQ(0, exec_info(&exec));
	C_EQ(info.time_for_children_id, exec.ns_id[VNS_KIND_TIME]);
	C_EQ(info.time_for_children_id, exec.time_for_children_id);
	C_EQ(info.ns_id[VNS_KIND_USER], exec.ns_id[VNS_KIND_USER]);
	/* The caller's own is unchanged (the exec happened in the child). */
	C_EQ(0, vns_get_info(fd, &child));
	C_EQ(info.ns_id[VNS_KIND_TIME], child.ns_id[VNS_KIND_TIME]);
	close(fd);
	return 0;
}

TEST(time_unshare_changes_children_only)
{
	ASSERT_EQ(0, vns_in_child(check_who_enters, NULL));
}

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

/* ---- SETNS ---- */

static void *block_thread(void *arg)
{
	int *p = arg;
	char c;

	(void)!read(p[0], &c, 1);
	return NULL;
}

static int check_setns_time(void *arg)
{
	struct vns_info info, after;
	int fd = vns_open(), p[2];
	pthread_t th;
	uint64_t target;

	C_TRUE(fd >= 0);
	C_EQ(0, vns_unshare_map_root(fd, CLONE_NEWTIME));
	C_EQ(0, vns_get_info(fd, &info));
	target = info.time_for_children_id;
	/* Another thread shares the address space: EUSERS, nothing changes. */
	C_EQ(0, pipe(p));
	C_EQ(0, pthread_create(&th, NULL, block_thread, p));
	C_EQ(-EUSERS, vns_setns(fd, target, VNS_KIND_TIME));
	C_EQ(0, vns_get_info(fd, &after));
	C_EQ(info.ns_id[VNS_KIND_TIME], after.ns_id[VNS_KIND_TIME]);
	C_EQ(target, after.time_for_children_id);
	C_EQ(1, write(p[1], "x", 1));
	C_EQ(0, pthread_join(th, NULL));
	/* Offsets can be set until it is entered. */
	C_EQ(0, set_offset(fd, CLOCK_BOOTTIME, 42, 0));
	/* Single-threaded: both the active and the for-children time vns become the target. */
	C_EQ(0, vns_setns(fd, target, VNS_KIND_TIME));
	C_EQ(0, vns_get_info(fd, &after));
	C_EQ(target, after.ns_id[VNS_KIND_TIME]);
	C_EQ(target, after.time_for_children_id);
	/* Entered: frozen; the caller's clock has its offset now. */
	C_EQ(-EACCES, set_offset(fd, CLOCK_BOOTTIME, 43, 0));
	{
		double v, k = kclock(CLOCK_BOOTTIME);

		C_EQ(0, vns_clock(fd, CLOCK_BOOTTIME, &v));
		C_TRUE(v >= k + 42 && v < k + 47);
	}
	/* Not back to the init one: that needs CAP_SYS_ADMIN over the init user vns. */
	C_EQ(-EPERM, vns_setns(fd, info.ns_id[VNS_KIND_TIME], VNS_KIND_TIME));
	C_EQ(0, vns_get_info(fd, &after));
	C_EQ(target, after.ns_id[VNS_KIND_TIME]);
	close(fd);
	return 0;
}

/* Without capabilities and multi-threaded: EUSERS comes before EPERM (timens_install). */
static int check_setns_unprivileged(void *arg)
{
	uint64_t target = *(uint64_t *)arg;
	int fd = vns_open(), p[2];
	pthread_t th;

	C_TRUE(fd >= 0);
	C_EQ(-EPERM, vns_setns(fd, target, VNS_KIND_TIME));
	C_EQ(0, pipe(p));
	C_EQ(0, pthread_create(&th, NULL, block_thread, p));
	C_EQ(-EUSERS, vns_setns(fd, target, VNS_KIND_TIME));
	C_EQ(1, write(p[1], "x", 1));
	C_EQ(0, pthread_join(th, NULL));
	close(fd);
	return 0;
}

TEST(time_setns_follows_timens_install)
{
	struct vns_info info;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_in_child(check_setns_time, NULL));
	ASSERT_EQ(0, vns_get_info(fd, &info));
	ASSERT_EQ(0, vns_in_child_as(VNS_TEST_UID, check_setns_unprivileged, &info.ns_id[VNS_KIND_TIME]));
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

TEST(get_info_first_size_still_accepted)
{
	unsigned char buf[160];
	struct vns_info full;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &full));
	ASSERT_EQ(104, sizeof(struct vns_info));
	ASSERT_NE(0, full.time_for_children_id);
	/* The first size: the struct without its last field; nothing past it is written. */
	memset(buf, 0xaa, sizeof(buf));
	ASSERT_EQ(0, vns_ioctl(fd, _IOR(VNS_IOC_MAGIC, 2, char[VNS_INFO_SIZE_VER0]), buf));
	EXPECT_EQ(0, memcmp(buf, &full, VNS_INFO_SIZE_VER0));
	for (unsigned int i = VNS_INFO_SIZE_VER0; i < sizeof(buf); i++) {
		ASSERT_EQ(0xaa, buf[i]) TH_LOG("byte %u written", i);
	}
	/* A larger caller gets zeroes past the struct. */
	memset(buf, 0xaa, sizeof(buf));
	ASSERT_EQ(0, vns_ioctl(fd, _IOR(VNS_IOC_MAGIC, 2, char[120]), buf));
	EXPECT_EQ(0, memcmp(buf, &full, sizeof(full)));
	for (unsigned int i = sizeof(full); i < 120; i++) {
		ASSERT_EQ(0, buf[i]) TH_LOG("byte %u", i);
	}
	ASSERT_EQ(0xaa, buf[120]);
	/* Smaller than the first size. */
	EXPECT_EQ(-EINVAL, vns_ioctl(fd, _IOR(VNS_IOC_MAGIC, 2, char[VNS_INFO_SIZE_VER0 - 8]), buf));
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
