// SPDX-License-Identifier: GPL-2.0
/*
 * VNS_IOC_UNSHARE (spec §3): flag completion and validation with real thread/VM/sighand siblings,
 * privilege, nesting depth, and the order of the errors. Every test that changes membership does so in
 * a child (the harness already runs each test in its own process).
 */
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "vns_test.h"

#define CLONE_UNSHARE_EMPTY_MNTNS 0x00100000ULL

/* The bits ksys_unshare accepts (kernel/fork.c check_unshare_flags), less UNSHARE_EMPTY_MNTNS (v1). */
#define VALID_FLAGS (CLONE_THREAD | CLONE_FS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES | CLONE_SYSVSEM | \
		     VNS_ALL_NS_FLAGS)

/* ---- a helper mode run after execve of this binary (the harness owns main) ---------------------- */

#define HELPER_ENV "VNS_UNSHARE_TEST_HELPER"

/* After exec in a user vns where the euid maps to nothing: no capabilities, so NEWUTS is EPERM. */
__attribute__((constructor)) static void helper_mode(void)
{
	const char *mode = getenv(HELPER_ENV);
	struct vns_info info;
	int fd;

	if (!mode)
		return;
	fd = vns_open();
	if (fd < 0)
		_exit(90);
	if (vns_get_info(fd, &info))
		_exit(91);
	if (!strcmp(mode, "nocaps_newuts")) {
		if (info.flags & VNS_INFO_FULL_CAPS)
			_exit(92);
		_exit(vns_unshare(fd, CLONE_NEWUTS, NULL) == -EPERM ? 0 : 93);
	}
	_exit(99);
}

static int exec_helper(const char *mode)
{
	char *const argv[] = { "vns_unshare_test", NULL };

	setenv(HELPER_ENV, mode, 1);
	execv("/proc/self/exe", argv);
	return 98;
}

/* ---- flags -------------------------------------------------------------------------------------- */

/* spec §3.2: any bit outside the accepted set is EINVAL, and nothing changes. */
TEST(invalid_bits_einval)
{
	struct vns_info before, after;
	int fd = vns_open(), bit;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &before));
	for (bit = 0; bit < 64; bit++) {
		uint64_t flag = 1ULL << bit;

		if (flag & VALID_FLAGS)
			continue;
		EXPECT_EQ(-EINVAL, vns_unshare(fd, flag, NULL)) TH_LOG("bit %d", bit);
		/* Even with a valid namespace flag beside it. */
		EXPECT_EQ(-EINVAL, vns_unshare(fd, flag | CLONE_NEWUSER, NULL)) TH_LOG("bit %d", bit);
	}
	/* UNSHARE_EMPTY_MNTNS is not part of v1. */
	EXPECT_EQ(-EINVAL, vns_unshare(fd, CLONE_UNSHARE_EMPTY_MNTNS, NULL));
	ASSERT_EQ(0, vns_get_info(fd, &after));
	EXPECT_EQ(0, memcmp(before.ns_id, after.ns_id, sizeof(before.ns_id)));
	close(fd);
}

/* spec §3: flags == 0 is a successful no-op. */
TEST(zero_flags_noop)
{
	struct vns_info before, after;
	uint64_t applied = 123;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &before));
	ASSERT_EQ(0, vns_unshare(fd, 0, &applied));
	EXPECT_EQ(0, applied);
	ASSERT_EQ(0, vns_get_info(fd, &after));
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	close(fd);
}

struct completion_case {
	uint64_t flags, applied;
	int needs_caps; /* run after creating a user vns (CAP_SYS_ADMIN there) */
};

static int check_completion(void *p)
{
	const struct completion_case *c = p;
	uint64_t applied = 0;
	int fd = vns_open();

	if (fd < 0)
		return 10;
	if (c->needs_caps && vns_unshare_map_root(fd, 0))
		return 11;
	if (vns_unshare(fd, c->flags, &applied))
		return 12;
	return applied == c->applied ? 0 : 13;
}

/* spec §3.1: NEWUSER adds THREAD|FS; VM adds SIGHAND; SIGHAND adds THREAD; NEWNS adds FS. */
TEST(completion_reported_in_applied)
{
	static const struct completion_case cases[] = {
		{ CLONE_NEWUSER, CLONE_NEWUSER | CLONE_THREAD | CLONE_FS, 0 },
		{ CLONE_VM, CLONE_VM | CLONE_SIGHAND | CLONE_THREAD, 0 },
		{ CLONE_SIGHAND, CLONE_SIGHAND | CLONE_THREAD, 0 },
		{ CLONE_THREAD, CLONE_THREAD, 0 },
		{ CLONE_FS, CLONE_FS, 0 },
		{ CLONE_FILES, CLONE_FILES, 0 },
		{ CLONE_SYSVSEM, CLONE_SYSVSEM, 0 },
		{ CLONE_NEWNS, CLONE_NEWNS | CLONE_FS, 1 },
		{ CLONE_NEWUTS | CLONE_NEWIPC, CLONE_NEWUTS | CLONE_NEWIPC, 1 },
		/* The seed's "THREAD implies VM" is not applied (spec, Linux 7.3). */
		{ CLONE_THREAD | CLONE_NEWUTS, CLONE_THREAD | CLONE_NEWUTS, 1 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT_EQ(0, vns_in_child(check_completion, (void *)&cases[i]))
			TH_LOG("flags %#llx", (unsigned long long)cases[i].flags);
}

/* Non-namespace flags are validated and reported, but change nothing vns tracks. */
static int task_flags_change_nothing(void *arg)
{
	struct vns_info before, after;
	int fd = vns_open();

	(void)arg;
	if (fd < 0 || vns_get_info(fd, &before))
		return 10;
	if (vns_unshare(fd, CLONE_FS | CLONE_FILES | CLONE_SYSVSEM | CLONE_VM, NULL))
		return 11;
	if (vns_get_info(fd, &after))
		return 12;
	return memcmp(&before, &after, sizeof(before)) ? 13 : 0;
}

TEST(task_flags_change_no_membership)
{
	EXPECT_EQ(0, vns_in_child(task_flags_change_nothing, NULL));
}

/* ---- the thread-state rules with real siblings ------------------------------------------------------ */

static void *sleeper(void *arg)
{
	int fd = *(int *)arg;
	char c;

	/* Until the pipe closes. */
	while (read(fd, &c, 1) > 0)
		;
	return NULL;
}

/* spec §3.2: THREAD|SIGHAND|VM need a single-threaded thread group. */
TEST(second_thread_einval)
{
	static const uint64_t bad[] = { CLONE_THREAD, CLONE_SIGHAND, CLONE_VM, CLONE_NEWUSER };
	int fd = vns_open(), p[2];
	pthread_t t;
	unsigned int i;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pthread_create(&t, NULL, sleeper, &p[0]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(-EINVAL, vns_unshare(fd, bad[i], NULL)) TH_LOG("flags %#llx", (unsigned long long)bad[i]);
	/* FS and FILES are fine with threads. */
	EXPECT_EQ(0, vns_unshare(fd, CLONE_FS | CLONE_FILES, NULL));
	close(p[1]);
	pthread_join(t, NULL);
	close(p[0]);
	/*
	 * Single-threaded again: allowed. The joined thread leaves the thread group a moment after
	 * pthread_join() returns (CLONE_CHILD_CLEARTID fires in mm_release, before release_task).
	 */
	for (i = 0; i < 100 && vns_unshare(fd, CLONE_THREAD, NULL) == -EINVAL; i++)
		usleep(10000);
	EXPECT_EQ(0, vns_unshare(fd, CLONE_THREAD, NULL));
	close(fd);
}

static int sibling_pipe[2];

static int sibling_fn(void *arg)
{
	(void)arg;
	/* Its own copy of the fd table holds the write end too: close it, or EOF never comes. */
	close(sibling_pipe[1]);
	sleeper(&sibling_pipe[0]);
	return 0;
}

/* Starts a clone() sibling sharing what `flags` says; it lives until `*wfd` is closed. */
static pid_t start_sibling(unsigned long flags, int *rfd, int *wfd)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));

	if (pipe(sibling_pipe))
		return -1;
	*rfd = sibling_pipe[0];
	*wfd = sibling_pipe[1];
	return clone(sibling_fn, stack + sizeof(stack), flags | SIGCHLD, NULL);
}

/* spec §3.2: VM needs an unshared mm (a clone(CLONE_VM) sibling shares it); SIGHAND is fine there. */
TEST(clone_vm_sibling)
{
	int fd = vns_open(), rfd, wfd, status;
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = start_sibling(CLONE_VM, &rfd, &wfd);
	ASSERT_LT(0, pid);
	EXPECT_EQ(-EINVAL, vns_unshare(fd, CLONE_VM, NULL));
	EXPECT_EQ(0, vns_unshare(fd, CLONE_SIGHAND, NULL));
	close(wfd);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, vns_unshare(fd, CLONE_VM, NULL));
	close(rfd);
	close(fd);
}

/* spec §3.2: SIGHAND|VM need unshared signal handlers (a CLONE_SIGHAND|CLONE_VM sibling shares them). */
TEST(clone_sighand_vm_sibling)
{
	int fd = vns_open(), rfd, wfd, status;
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = start_sibling(CLONE_SIGHAND | CLONE_VM, &rfd, &wfd);
	ASSERT_LT(0, pid);
	EXPECT_EQ(-EINVAL, vns_unshare(fd, CLONE_SIGHAND, NULL));
	EXPECT_EQ(-EINVAL, vns_unshare(fd, CLONE_VM, NULL));
	/* Namespace-only flags do not care. */
	EXPECT_EQ(0, vns_unshare(fd, CLONE_FS, NULL));
	close(wfd);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, vns_unshare(fd, CLONE_SIGHAND, NULL));
	close(rfd);
	close(fd);
}

/* ---- privilege ------------------------------------------------------------------------------------ */

static int newuser_full_caps(void *arg)
{
	struct vns_info before, after;
	int fd = vns_open();

	(void)arg;
	if (fd < 0 || vns_get_info(fd, &before))
		return 10;
	if (vns_unshare(fd, CLONE_NEWUSER, NULL))
		return 11;
	if (vns_get_info(fd, &after))
		return 12;
	if (after.ns_id[VNS_KIND_USER] == before.ns_id[VNS_KIND_USER])
		return 13;
	if (after.user_level != before.user_level + 1)
		return 14;
	if (!(after.flags & VNS_INFO_FULL_CAPS))
		return 15;
	/* No map yet: the caller's ids read as the overflow id. */
	if (after.uid != 65534 || after.gid != 65534)
		return 16;
	/* The other kinds are unchanged. */
	for (int k = 1; k < VNS_NR_KINDS; k++)
		if (after.ns_id[k] != before.ns_id[k])
			return 17;
	return 0;
}

/* spec §2, §3: unprivileged NEWUSER is allowed; the creator has the full set there. */
TEST(newuser_unprivileged_full_caps)
{
	EXPECT_EQ(0, vns_in_child_as(VNS_TEST_UID, newuser_full_caps, NULL));
}

static int try_each_kind_eperm(void *arg)
{
	int fd = vns_open(), k, bad = 0;

	(void)arg;
	if (fd < 0)
		return 10;
	for (k = 1; k < VNS_NR_KINDS; k++)
		if (vns_unshare(fd, vns_kind_flag[k], NULL) != -EPERM)
			bad |= 1 << k;
	return bad;
}

/* spec §3.4: every other NEW* flag, unprivileged in the init user vns, is EPERM. */
TEST(other_kinds_unprivileged_eperm)
{
	EXPECT_EQ(0, vns_in_child_as(VNS_TEST_UID, try_each_kind_eperm, NULL));
}

static int newuser_with_all(void *arg)
{
	struct vns_info before, after;
	int fd = vns_open(), k;

	(void)arg;
	if (fd < 0 || vns_get_info(fd, &before))
		return 10;
	if (vns_unshare(fd, VNS_ALL_NS_FLAGS, NULL))
		return 11;
	if (vns_get_info(fd, &after))
		return 12;
	/* Every kind but pid is new; NEWPID changes pid_for_children only. */
	for (k = 0; k < VNS_NR_KINDS; k++) {
		if (k == VNS_KIND_PID) {
			if (after.ns_id[k] != before.ns_id[k])
				return 13;
		} else if (after.ns_id[k] == before.ns_id[k]) {
			return 20 + k;
		}
	}
	if (after.pid_for_children_id == before.pid_for_children_id)
		return 14;
	return 0;
}

/* spec §3.4: NEWUSER|NEWUTS (and every other kind) works unprivileged: CAP_SYS_ADMIN in the new one. */
TEST(newuser_with_other_kinds_unprivileged)
{
	EXPECT_EQ(0, vns_in_child_as(VNS_TEST_UID, newuser_with_all, NULL));
}

static int inside_without_caps(void *arg)
{
	int fd = vns_open();

	(void)arg;
	if (fd < 0)
		return 10;
	/* No map written: after exec the euid maps to nothing, so the set is empty (spec §2). */
	if (vns_unshare(fd, CLONE_NEWUSER, NULL))
		return 11;
	return exec_helper("nocaps_newuts");
}

/* spec §2, §3.4: inside a user vns without capabilities, NEWUTS is EPERM. */
TEST(inside_user_vns_without_caps_eperm)
{
	EXPECT_EQ(0, vns_in_child(inside_without_caps, NULL));
}

static int unmapped_euid(void *arg)
{
	struct vns_info before, after;
	int fd = vns_open();

	(void)arg;
	if (fd < 0)
		return 10;
	if (vns_unshare(fd, CLONE_NEWUSER, NULL))
		return 11;
	if (vns_get_info(fd, &before))
		return 12;
	/* The caller's euid is unmapped in its (new) user vns. */
	if (vns_unshare(fd, CLONE_NEWUSER, NULL) != -EPERM)
		return 13;
	if (vns_get_info(fd, &after) || memcmp(&before, &after, sizeof(before)))
		return 14;
	/* Once mapped, it works. */
	if (vns_set_map1(fd, before.ns_id[VNS_KIND_USER], VNS_MAP_UID, 0, getuid(), 1))
		return 15;
	if (vns_unshare(fd, CLONE_NEWUSER, NULL) != -EPERM) /* gid still unmapped */
		return 16;
	if (vns_set_map1(fd, before.ns_id[VNS_KIND_USER], VNS_MAP_GID, 0, getgid(), 1))
		return 17;
	return vns_unshare(fd, CLONE_NEWUSER, NULL) ? 18 : 0;
}

/* spec §3.3: EPERM when the caller's euid or egid is unmapped in its current user vns. */
TEST(unmapped_creator_eperm)
{
	EXPECT_EQ(0, vns_in_child_as(VNS_TEST_UID, unmapped_euid, NULL));
}

/* ---- depth ------------------------------------------------------------------------------------------ */

static int user_depth(void *arg)
{
	struct vns_info info;
	int fd = vns_open(), i;

	(void)arg;
	if (fd < 0)
		return 10;
	for (i = 1; i <= 33; i++) {
		if (vns_unshare_map_root(fd, 0))
			return 11;
		if (vns_get_info(fd, &info) || info.user_level != (uint32_t)i)
			return 12;
	}
	/* The 34th level below init fails, and nothing changes. */
	if (vns_unshare(fd, CLONE_NEWUSER, NULL) != -ENOSPC)
		return 13;
	if (vns_get_info(fd, &info) || info.user_level != 33)
		return 14;
	return 0;
}

/* spec §3.3: 33 nested user vns below init work, the 34th is ENOSPC. */
TEST(user_depth_33_then_enospc)
{
	EXPECT_EQ(0, vns_in_child(user_depth, NULL));
}

/* Each level: NEWPID, then a child continues one level deeper. */
static int pid_chain(int fd)
{
	struct vns_info info;
	int status;
	pid_t pid;

	if (vns_get_info(fd, &info))
		return 20;
	if (info.pid_level == 32)
		return vns_unshare(fd, CLONE_NEWPID, NULL) == -ENOSPC ? 0 : 21;
	if (vns_unshare(fd, CLONE_NEWPID, NULL))
		return 22;
	pid = fork();
	if (pid < 0)
		return 23;
	if (pid == 0) {
		struct vns_info c;

		if (vns_get_info(fd, &c) || c.pid_level != info.pid_level + 1 || c.pid != 1)
			_exit(24);
		_exit(pid_chain(fd));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 25;
	return WEXITSTATUS(status);
}

static int pid_depth(void *arg)
{
	int fd = vns_open();

	(void)arg;
	if (fd < 0)
		return 10;
	/* CAP_SYS_ADMIN through a user vns, so this runs unprivileged too. */
	if (vns_unshare_map_root(fd, 0))
		return 11;
	return pid_chain(fd);
}

/* spec §3.5: 32 levels of pid vns work (each task numbered 1 in its new one), the 33rd is ENOSPC. */
TEST(pid_depth_32_then_enospc)
{
	EXPECT_EQ(0, vns_in_child(pid_depth, NULL));
}

/* ---- the order of the errors ----------------------------------------------------------------------- */

static int einval_before_eperm(void *arg)
{
	int fd = vns_open();

	(void)arg;
	if (fd < 0)
		return 10;
	/* An invalid bit with an unprivileged NEWUTS: EINVAL wins. */
	if (vns_unshare(fd, (1ULL << 40) | CLONE_NEWUTS, NULL) != -EINVAL)
		return 11;
	if (vns_unshare(fd, CLONE_UNSHARE_EMPTY_MNTNS | CLONE_NEWNS, NULL) != -EINVAL)
		return 12;
	/* And with nothing invalid, the same call is EPERM. */
	return vns_unshare(fd, CLONE_NEWUTS, NULL) == -EPERM ? 0 : 13;
}

/* spec §3: EINVAL (step 2) comes before EPERM (step 4). */
TEST(error_order_einval_before_eperm)
{
	EXPECT_EQ(0, vns_in_child_as(VNS_TEST_UID, einval_before_eperm, NULL));
}

struct order_case {
	int zero_kind;	   /* the kind whose limit is set to 0 in the caller's user vns */
	uint64_t flags;	   /* unshared with pid_for_children already differing */
	int expect;	   /* the error */
};

static int order_child(void *p)
{
	const struct order_case *c = p;
	struct vns_info before, after;
	struct vns_ucounts ub, ua;
	int fd = vns_open(), ret;

	if (fd < 0)
		return 10;
	if (vns_unshare_map_root(fd, 0))
		return 11;
	/* pid_for_children now differs from the active pid vns: a NEWPID is EINVAL (step 5). */
	if (vns_unshare(fd, CLONE_NEWPID, NULL))
		return 12;
	if (vns_write_limit(c->zero_kind, 0))
		return 13;
	if (vns_get_info(fd, &before) || vns_get_ucounts(fd, 0, 0, &ub))
		return 14;
	ret = vns_unshare(fd, c->flags, NULL);
	if (ret != c->expect)
		return 15;
	/* Nothing changed: ids, counts. */
	if (vns_get_info(fd, &after) || vns_get_ucounts(fd, 0, 0, &ua))
		return 16;
	if (memcmp(&before, &after, sizeof(before)) || memcmp(ub.count, ua.count, sizeof(ub.count)))
		return 17;
	return 0;
}

/*
 * spec §3.5: namespaces are created in the order mnt, uts, ipc, pid, cgroup, net, time, so the first
 * failure in that order decides the error: a full mnt limit (ENOSPC) is met before the NEWPID rule
 * (EINVAL), which is met before a full net limit.
 */
TEST(creation_order_decides_error)
{
	const struct order_case cases[] = {
		{ VNS_KIND_MNT, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET, -ENOSPC },
		{ VNS_KIND_UTS, CLONE_NEWUTS | CLONE_NEWPID, -ENOSPC },
		{ VNS_KIND_IPC, CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWTIME, -ENOSPC },
		{ VNS_KIND_NET, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET, -EINVAL },
		{ VNS_KIND_TIME, CLONE_NEWCGROUP | CLONE_NEWPID | CLONE_NEWTIME, -EINVAL },
		{ VNS_KIND_TIME, CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWTIME, -ENOSPC },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT_EQ(0, vns_in_child(order_child, (void *)&cases[i])) TH_LOG("case %u", i);
}

TEST_HARNESS_MAIN
