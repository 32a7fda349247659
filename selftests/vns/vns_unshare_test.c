// SPDX-License-Identifier: GPL-2.0
/*
 * VNS_IOC_UNSHARE (Documentation/vns.rst "Unshare", whose steps the comments below name;
 * Documentation/userspace-api/vns.rst "VNS_IOC_UNSHARE"): flag completion and validation, the
 * thread-state rules with real thread/VM/sighand siblings, and the order of the errors. Privilege and
 * nesting depth are in vns_unshare_priv_test.c. Every test that changes membership does so in a child
 * (the harness already runs each test in its own process).
 */
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "vns_test.h"

/* The bits ksys_unshare accepts (kernel/fork.c check_unshare_flags). */
#define VALID_FLAGS (CLONE_THREAD | CLONE_FS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES | CLONE_SYSVSEM | \
		     VNS_ALL_NS_FLAGS | CLONE_UNSHARE_EMPTY_MNTNS)

/* ---- flags -------------------------------------------------------------------------------------- */

/* Step 2: any bit outside the accepted set is EINVAL, and nothing changes. */
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
	ASSERT_EQ(0, vns_get_info(fd, &after));
	EXPECT_EQ(0, memcmp(before.ns_id, after.ns_id, sizeof(before.ns_id)));
	close(fd);
}

/* Step 2: flags == 0 is a successful no-op. */
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

/* Step 1: NEWUSER adds THREAD|FS; VM adds SIGHAND; SIGHAND adds THREAD; NEWNS adds FS. */
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
		/* The seed's "THREAD implies VM" is not applied (step 1, as Linux 7.3). */
		{ CLONE_THREAD | CLONE_NEWUTS, CLONE_THREAD | CLONE_NEWUTS, 1 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT_EQ(0, vns_in_child(check_completion, (void *)&cases[i]))
			TH_LOG("flags %#llx", (unsigned long long)cases[i].flags);
}

/* Step 2: non-namespace flags are validated and reported, but change nothing vns tracks. */
static int task_flags_change_nothing(void *arg)
{
	struct vns_info before, after;
	int ret = vns_info_around_unshare(CLONE_FS | CLONE_FILES | CLONE_SYSVSEM | CLONE_VM, &before, &after);

	(void)arg;
	if (ret)
		return ret;
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

/* Step 2: THREAD|SIGHAND|VM need a single-threaded thread group. */
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

/*
 * With a clone() sibling sharing `share`: each of `refused` is EINVAL and `allowed` works; once the
 * sibling has exited, `after` works.
 */
static void with_sibling(struct __test_metadata *_metadata, unsigned long share, const uint64_t *refused,
			 unsigned int nr_refused, uint64_t allowed, uint64_t after)
{
	int fd = vns_open(), rfd, wfd, status;
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = start_sibling(share, &rfd, &wfd);
	ASSERT_LT(0, pid);
	for (unsigned int i = 0; i < nr_refused; i++) {
		EXPECT_EQ(-EINVAL, vns_unshare(fd, refused[i], NULL))
			TH_LOG("flags %#llx", (unsigned long long)refused[i]);
	}
	EXPECT_EQ(0, vns_unshare(fd, allowed, NULL));
	close(wfd);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, vns_unshare(fd, after, NULL));
	close(rfd);
	close(fd);
}

/* Step 2: VM needs an unshared mm (a clone(CLONE_VM) sibling shares it); SIGHAND is fine there. */
TEST(clone_vm_sibling)
{
	static const uint64_t refused[] = { CLONE_VM };

	with_sibling(_metadata, CLONE_VM, refused, 1, CLONE_SIGHAND, CLONE_VM);
}

/*
 * Step 2: SIGHAND|VM need unshared signal handlers (a CLONE_SIGHAND|CLONE_VM sibling shares them); flags
 * that do not touch them do not care.
 */
TEST(clone_sighand_vm_sibling)
{
	static const uint64_t refused[] = { CLONE_SIGHAND, CLONE_VM };

	with_sibling(_metadata, CLONE_SIGHAND | CLONE_VM, refused, 2, CLONE_FS, CLONE_SIGHAND);
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
	if (vns_unshare(fd, (1ULL << 31) | CLONE_UNSHARE_EMPTY_MNTNS, NULL) != -EINVAL)
		return 12;
	/* And with nothing invalid, the same call is EPERM. */
	return vns_unshare(fd, CLONE_NEWUTS, NULL) == -EPERM ? 0 : 13;
}

/* EINVAL (step 2) comes before EPERM (step 4). */
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
	int fd = vns_open_in_new_user_vns(1), ret;

	if (fd < 0)
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
 * Step 5: namespaces are created in the order mnt, uts, ipc, pid, cgroup, net, time, so the first
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
