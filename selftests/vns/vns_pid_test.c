// SPDX-License-Identifier: GPL-2.0
/*
 * pid numbering (Documentation/vns.rst "Kinds" and "Inheritance, pid_for_children"): GET_INFO's pid is
 * the caller's number in its active pid vns (the real tgid in the init one, shared by its threads), and
 * the tasks of a new pid vns are numbered from 1 one level down.
 *
 * Every test runs as root and as uid 1000. Most first make a user vns of their own with
 * vns_unshare_map_root() (unprivileged NEWUSER is allowed, Documentation/vns.rst "Unshare"), so they hold
 * the full capability set there and need no real privilege. Work that must happen in another task runs
 * in a peer (vns_peer.h).
 */
#include <pthread.h>
#include <stdint.h>

#include "kselftest_harness.h"
#include "vns_peer.h"

struct thread_arg {
	int fd;
	int ret;
	struct vns_info info;
};

struct pid_peer {
	int fd;
};

static void *thread_info(void *p)
{
	struct thread_arg *t = p;

	t->ret = vns_get_info(t->fd, &t->info);
	return NULL;
}

/* Reports its GET_INFO, and checks that a thread of it shares its number. */
static int peer_pid_report(void *arg, int out, int in)
{
	struct pid_peer *pp = arg;
	struct thread_arg t = { .fd = pp->fd };
	struct vns_info info;
	pthread_t th;

	C_EQ(0, vns_get_info(pp->fd, &info));
	C_EQ(0, pthread_create(&th, NULL, thread_info, &t));
	C_EQ(0, pthread_join(th, NULL));
	C_EQ(0, t.ret);
	C_EQ(info.pid, t.info.pid);
	C_EQ(info.ns_id[VNS_KIND_PID], t.info.ns_id[VNS_KIND_PID]);
	C_EQ(0, write_full(out, &info, sizeof(info)));
	peer_wait(in);
	return 0;
}

/* GET_INFO reports the caller's number in its active pid vns: its real tgid in the init one. */
TEST(pid_init_reports_tgid)
{
	struct thread_arg t = { 0 };
	struct vns_info info;
	pthread_t th;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &info));
	EXPECT_EQ(0, info.pid_level);
	EXPECT_EQ(getpid(), info.pid);
	/* A thread reports its group's tgid, not its own tid. */
	t.fd = fd;
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_info, &t));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(0, t.ret);
	EXPECT_EQ(getpid(), t.info.pid);
	/*
	 * Also once a member of vns namespaces (a user vns of its own), still in the init pid vns. The
	 * joined thread leaves the thread group a moment after pthread_join() returns, and NEWUSER needs
	 * a single-threaded caller: retry that EINVAL for up to a second.
	 */
	for (int i = 0; i < 100 && vns_unshare_map_root(fd, CLONE_NEWUTS) == -EINVAL; i++)
		usleep(10000);
	ASSERT_EQ(0, vns_get_info(fd, &info));
	ASSERT_EQ(1, info.user_level);
	ASSERT_EQ(0, vns_get_info(fd, &info));
	EXPECT_EQ(getpid(), info.pid);
	close(fd);
}

/*
 * NEWPID makes a pid vns for children (level + 1) whose tasks are numbered from 1; the caller keeps its
 * own pid vns and number (its real tgid in the init one); a second NEWPID: EINVAL (Documentation/vns.rst
 * "Unshare", step 5).
 */
TEST(pid_numbering_in_new_pid_vns)
{
	struct vns_info i0, i1, i2, c1, c2;
	struct pid_peer pp;
	struct peer p1, p2;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, 0));
	ASSERT_EQ(0, vns_get_info(fd, &i0));
	EXPECT_EQ(getpid(), i0.pid);
	EXPECT_EQ(i0.ns_id[VNS_KIND_PID], i0.pid_for_children_id);

	ASSERT_EQ(0, vns_unshare(fd, CLONE_NEWPID, NULL));
	ASSERT_EQ(0, vns_get_info(fd, &i1));
	EXPECT_EQ(i0.ns_id[VNS_KIND_PID], i1.ns_id[VNS_KIND_PID]);
	EXPECT_NE(i0.pid_for_children_id, i1.pid_for_children_id);
	EXPECT_EQ(getpid(), i1.pid);
	EXPECT_EQ(i0.pid_level, i1.pid_level);
	EXPECT_EQ(-EINVAL, vns_unshare(fd, CLONE_NEWPID, NULL));
	ASSERT_EQ(0, vns_get_info(fd, &i2));
	EXPECT_EQ(i1.pid_for_children_id, i2.pid_for_children_id);

	pp.fd = fd;
	ASSERT_EQ(0, peer_start(&p1, peer_pid_report, &pp));
	ASSERT_EQ(0, read_full(p1.rd, &c1, sizeof(c1)));
	ASSERT_EQ(0, peer_start(&p2, peer_pid_report, &pp));
	ASSERT_EQ(0, read_full(p2.rd, &c2, sizeof(c2)));
	EXPECT_EQ(1, c1.pid);
	EXPECT_EQ(2, c2.pid);
	EXPECT_EQ(i1.pid_for_children_id, c1.ns_id[VNS_KIND_PID]);
	EXPECT_EQ(i1.pid_for_children_id, c2.ns_id[VNS_KIND_PID]);
	EXPECT_EQ(i1.pid_for_children_id, c1.pid_for_children_id);
	EXPECT_EQ(i1.pid_level + 1, c1.pid_level);
	EXPECT_EQ(i1.pid_level + 1, c2.pid_level);
	EXPECT_EQ(0, peer_finish(&p1));
	EXPECT_EQ(0, peer_finish(&p2));
	close(fd);
}

TEST_HARNESS_MAIN
