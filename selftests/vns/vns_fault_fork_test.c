// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection at fork (Documentation/vns.rst "Recording every new task"): with
 * /proc/thread-self/fail-nth (FAILSLAB), each allocation of a fork, of a fork whose parent exits at once
 * and of a thread creation fails in turn. The new task (and its own children) must be in its creator's
 * namespaces, never in the init ones: a fork whose probe cannot record the child still leaves it there.
 *
 * Root only (debugfs).
 */
#include <pthread.h>
#include <stdbool.h>

#include "vns_fault.h"

/* The child checks it (and a grandchild of its own) are in `parent_ids`. */
static int check_ids(int fd, const __u64 *parent_ids)
{
	struct vns_info info;

	if (vns_get_info(fd, &info))
		return 20;
	return memcmp(info.ns_id, parent_ids, sizeof(info.ns_id)) ? 21 : 0;
}

/*
 * Documentation/vns.rst "Membership": a fork whose allocations fail (each in turn, the probe's included:
 * its entry, then the child's reserve, then the refill of the parent's) still gives the child (and its
 * child) exactly the parent's namespaces, never the init ones.
 */
TEST_F(fault, unrecorded_fork_stays_in_parent_namespaces)
{
	struct vns_info parent;
	int fd = vns_open(), n, status, forks = 0;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS | CLONE_NEWIPC));
	ASSERT_EQ(0, vns_get_info(fd, &parent));
	for (n = 1; n <= MAX_NTH; n++) {
		long left;
		pid_t pid;

		ASSERT_EQ(0, set_fail_nth(n));
		pid = fork();
		if (pid == 0) {
			int g, ret = check_ids(fd, parent.ns_id);
			pid_t gpid;

			if (ret)
				_exit(ret);
			/* A child of an unrecorded task is in the same namespaces. */
			gpid = fork();
			if (gpid == 0)
				_exit(check_ids(fd, parent.ns_id));
			if (gpid < 0 || waitpid(gpid, &g, 0) != gpid || !WIFEXITED(g))
				_exit(22);
			_exit(WEXITSTATUS(g));
		}
		left = fail_nth_left();
		set_fail_nth(0);
		if (pid < 0) {
			/* The fork itself failed (an allocation of copy_process): nothing to check. */
			continue;
		}
		forks++;
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("fail-nth %d", n);
		if (left > 0)
			break;
	}
	EXPECT_LT(n, MAX_NTH);
	EXPECT_LT(0, forks);
	close(fd);
}

/* What the intermediate task of the orphan and thread cases reports. */
struct nth_report {
	long left;	/* fail-nth after the fork: 0 if the failure was injected */
	int forked;	/* the fork (or pthread_create) succeeded */
	int result;	/* the new task's check_ids(), 255 if it died */
};

static int nth_fd;
static __u64 nth_ids[VNS_NR_KINDS];

static void *thread_check(void *arg)
{
	(void)arg;
	return (void *)(long)check_ids(nth_fd, nth_ids);
}

/* The thread case, in the intermediate task: a thread created with the n-th allocation failing. */
static struct nth_report mid_thread(int n)
{
	struct nth_report rep = { .result = 255 };
	void *res = (void *)255L;
	pthread_t t;

	set_fail_nth(n);
	rep.forked = pthread_create(&t, NULL, thread_check, NULL) == 0;
	rep.left = fail_nth_left();
	set_fail_nth(0);
	if (rep.forked)
		pthread_join(t, &res);
	rep.result = (int)(long)res;
	return rep;
}

/*
 * The orphan case, in the intermediate task: a fork with the n-th allocation failing, after which the
 * intermediate task exits at once. The orphan checks its namespaces only once it was reparented, and
 * reports through a pipe of its own (`ok`).
 */
static struct nth_report mid_orphan(int n, int ok)
{
	struct nth_report rep = { .result = 255 };
	pid_t me = getpid(), c;

	set_fail_nth(n);
	c = fork();
	if (c == 0) {
		int res;

		/* Wait until the parent is gone and this task was reparented. */
		while (getppid() == me)
			usleep(1000);
		res = check_ids(nth_fd, nth_ids);
		_exit(write(ok, &res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	rep.left = fail_nth_left();
	set_fail_nth(0);
	rep.forked = c > 0;
	return rep;
}

/*
 * The orphan or the thread case with the n-th allocation failing, in a fresh intermediate child (so that
 * a recorded success does not carry over); *r gets its report, the orphan's own result included.
 */
static int nth_task(int n, bool orphan, struct nth_report *r)
{
	int p[2], ok[2], status;
	pid_t mid;

	if (pipe(p) || pipe(ok))
		return -1;
	mid = fork();
	if (mid < 0)
		return -1;
	if (mid == 0) {
		struct nth_report rep;

		close(ok[0]);
		rep = orphan ? mid_orphan(n, ok[1]) : mid_thread(n);
		_exit(write(p[1], &rep, sizeof(rep)) == sizeof(rep) ? 0 : 1);
	}
	close(p[1]);
	close(ok[1]);
	if (read(p[0], r, sizeof(*r)) != sizeof(*r) || waitpid(mid, &status, 0) != mid)
		return -1;
	if (orphan && r->forked && read(ok[0], &r->result, sizeof(r->result)) != sizeof(r->result))
		r->result = 255;
	close(p[0]);
	close(ok[0]);
	return 0;
}

/*
 * The loop of the orphan and thread cases: the new task is made with the 1st, 2nd, ... allocation failing,
 * until the failure is no longer reached; every new task must be in the namespaces of its creator (a user
 * vns with a uts and an ipc vns of its own).
 */
static void nth_run(struct __test_metadata *_metadata, bool orphan)
{
	struct nth_report r;
	struct vns_info info;
	int n, made = 0;

	nth_fd = vns_open();
	ASSERT_LE(0, nth_fd);
	ASSERT_EQ(0, vns_unshare_map_root(nth_fd, CLONE_NEWUTS | CLONE_NEWIPC));
	ASSERT_EQ(0, vns_get_info(nth_fd, &info));
	memcpy(nth_ids, info.ns_id, sizeof(nth_ids));
	for (n = 1; n <= MAX_NTH; n++) {
		ASSERT_EQ(0, nth_task(n, orphan, &r));
		if (!r.forked)
			continue;
		made++;
		EXPECT_EQ(0, r.result) TH_LOG("fail-nth %d", n);
		if (r.left > 0)
			break;
	}
	EXPECT_LT(n, MAX_NTH);
	EXPECT_LT(0, made);
}

/*
 * A task forked under fail-nth whose parent then exits: reparented, it keeps the namespaces it was
 * created in (before the fix it resolved through its new parent, to the init namespaces).
 */
TEST_F(fault, orphan_of_failed_fork_keeps_namespaces)
{
	nth_run(_metadata, true);
}

/* A thread created under fail-nth is in its creator's namespaces, at every failure point. */
TEST_F(fault, thread_of_failed_clone_keeps_namespaces)
{
	nth_run(_metadata, false);
}

TEST_HARNESS_MAIN
