// SPDX-License-Identifier: GPL-2.0
/*
 * Membership (Documentation/vns.rst "Membership", "Inheritance, pid_for_children" and "Synchronous
 * release"): a task's namespaces across fork (after and before its parent's UNSHARE), threads, exit (a
 * namespace goes away with its last member) and exec (Documentation/vns.rst "Capabilities": the set is
 * recomputed at execve, the membership is kept).
 *
 * Every test runs as root and as uid 1000. Most first make a user vns of their own with
 * vns_unshare_map_root() (unprivileged NEWUSER is allowed, Documentation/vns.rst "Unshare"), so they hold
 * the full capability set there and need no real privilege. Work that must happen in another task runs
 * in a peer (vns_peer.h).
 *
 * The exec tests re-execute this binary in the helper mode of vns_exec.h (VNS_OPS_HELPER).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vns_exec.h"

static int child_same_membership(void *arg)
{
	struct expect_info *e = arg;
	struct vns_info info;

	C_EQ(0, vns_get_info(e->fd, &info));
	for (int k = 0; k < VNS_NR_KINDS; k++)
		C_EQ(e->want.ns_id[k], info.ns_id[k]);
	C_EQ(e->want.pid_for_children_id, info.pid_for_children_id);
	C_EQ(e->want.user_level, info.user_level);
	C_EQ(e->want.flags, info.flags);
	return 0;
}

/* Membership is inherited on fork: a child forked after UNSHARE is in the new namespaces. */
TEST(member_child_forked_after_unshare_is_inside)
{
	struct expect_info e;
	struct vns_info before;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &before));
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS));
	ASSERT_EQ(0, vns_get_info(fd, &e.want));
	/* The unshared kinds changed, the others did not. */
	EXPECT_NE(before.ns_id[VNS_KIND_USER], e.want.ns_id[VNS_KIND_USER]);
	EXPECT_NE(before.ns_id[VNS_KIND_UTS], e.want.ns_id[VNS_KIND_UTS]);
	EXPECT_NE(before.ns_id[VNS_KIND_IPC], e.want.ns_id[VNS_KIND_IPC]);
	EXPECT_NE(before.ns_id[VNS_KIND_MNT], e.want.ns_id[VNS_KIND_MNT]);
	EXPECT_EQ(before.ns_id[VNS_KIND_PID], e.want.ns_id[VNS_KIND_PID]);
	EXPECT_EQ(before.ns_id[VNS_KIND_NET], e.want.ns_id[VNS_KIND_NET]);
	EXPECT_EQ(before.ns_id[VNS_KIND_CGROUP], e.want.ns_id[VNS_KIND_CGROUP]);
	EXPECT_EQ(before.ns_id[VNS_KIND_TIME], e.want.ns_id[VNS_KIND_TIME]);
	EXPECT_EQ(before.user_level + 1, e.want.user_level);
	e.fd = fd;
	EXPECT_EQ(0, vns_in_child(child_same_membership, &e));
	close(fd);
}

static int peer_report_info_after_go(void *arg, int out, int in)
{
	int fd = *(int *)arg;
	struct vns_info info;

	peer_wait(in);
	if (vns_get_info(fd, &info))
		return 2;
	return write_full(out, &info, sizeof(info)) ? 3 : 0;
}

/* A task forked BEFORE its parent unshared keeps the old namespaces. */
TEST(member_child_forked_before_unshare_stays_outside)
{
	struct vns_info before, after, child;
	struct peer p;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &before));
	ASSERT_EQ(0, peer_start(&p, peer_report_info_after_go, &fd));
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS | CLONE_NEWNS));
	ASSERT_EQ(0, vns_get_info(fd, &after));
	peer_go(p.wr);
	ASSERT_EQ(0, read_full(p.rd, &child, sizeof(child)));
	for (int k = 0; k < VNS_NR_KINDS; k++) {
		EXPECT_EQ(before.ns_id[k], child.ns_id[k]) TH_LOG("kind %s", vns_kind_name[k]);
	}
	EXPECT_NE(after.ns_id[VNS_KIND_USER], child.ns_id[VNS_KIND_USER]);
	EXPECT_NE(after.ns_id[VNS_KIND_UTS], child.ns_id[VNS_KIND_UTS]);
	EXPECT_EQ(before.user_level, child.user_level);
	EXPECT_EQ(0, peer_finish(&p));
	close(fd);
}

struct thread_arg {
	int fd;
	int ret;
	struct vns_info info;
};

static void *thread_get_info(void *p)
{
	struct thread_arg *t = p;

	t->ret = vns_get_info(t->fd, &t->info);
	if (!t->ret)
		t->ret = vns_set_uts(t->fd, VNS_UTS_NODENAME, "from-thread");
	return NULL;
}

/* Threads are members too: a thread of a vns member sees the same namespaces and shares them. */
TEST(member_thread_shares_membership)
{
	struct thread_arg t = { 0 };
	struct vns_info main_info;
	struct vns_uts uts;
	pthread_t th;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS | CLONE_NEWIPC));
	ASSERT_EQ(0, vns_get_info(fd, &main_info));
	t.fd = fd;
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_get_info, &t));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(0, t.ret);
	for (int k = 0; k < VNS_NR_KINDS; k++) {
		EXPECT_EQ(main_info.ns_id[k], t.info.ns_id[k]) TH_LOG("kind %s", vns_kind_name[k]);
	}
	EXPECT_EQ(main_info.pid_for_children_id, t.info.pid_for_children_id);
	EXPECT_EQ(main_info.pid, t.info.pid);
	/* Full caps inherited by the thread: it could set the name, and the group sees it. */
	EXPECT_EQ(VNS_INFO_FULL_CAPS, t.info.flags & VNS_INFO_FULL_CAPS);
	ASSERT_EQ(0, vns_get_uts(fd, &uts));
	EXPECT_STREQ("from-thread", uts.nodename);
	close(fd);
}

static uint32_t nr_tasks_of(int fd, uint64_t id)
{
	struct vns_ns_entry *e = NULL, *x;
	uint32_t nr = 0, ret = UINT32_MAX;

	if (vns_list_ns(fd, &e, &nr) < 0)
		return UINT32_MAX;
	x = vns_find_entry(e, nr, id);
	if (x)
		ret = x->nr_tasks;
	free(e);
	return ret;
}

static bool listed(int fd, uint64_t id)
{
	struct vns_ns_entry *e = NULL;
	uint32_t nr = 0;
	bool found;

	if (vns_list_ns(fd, &e, &nr) < 0)
		return true;
	found = vns_find_entry(e, nr, id) != NULL;
	free(e);
	return found;
}

struct exit_ids {
	uint64_t user, uts;
	int result;
};

/*
 * Makes a user vns + uts vns; checks nr_tasks 1 -> 2 (fork) -> 1 (the child reaped) from inside; then forks
 * a last member (which waits on `in` of the test) and exits, leaving that grandchild as the only member.
 */
static int peer_exit_counts(void *arg, int out, int in)
{
	struct exit_ids ids = { 0 };
	int fd = *(int *)arg, gate[2], status;
	pid_t g;

	C_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS));
	ids.user = vns_ns_id(fd, VNS_KIND_USER);
	ids.uts = vns_ns_id(fd, VNS_KIND_UTS);
	C_EQ(1, nr_tasks_of(fd, ids.uts));
	C_TRUE(pipe(gate) == 0);
	g = fork();
	C_TRUE(g >= 0);
	if (g == 0) {
		close(gate[1]);
		peer_wait(gate[0]);
		_exit(0);
	}
	close(gate[0]);
	C_EQ(2, nr_tasks_of(fd, ids.uts));
	close(gate[1]);
	C_EQ(g, waitpid(g, &status, 0));
	C_EQ(1, nr_tasks_of(fd, ids.uts));

	/* The last member: lives until the test says go, reparented to the test (a subreaper). */
	g = fork();
	C_TRUE(g >= 0);
	if (g == 0) {
		peer_wait(in);
		_exit(0);
	}
	return write_full(out, &ids, sizeof(ids)) ? 3 : 0;
}

/* Membership is dropped at exit; a namespace goes away with its last member. */
TEST(member_exit_drops_membership)
{
	struct exit_ids ids;
	struct peer p;
	int fd = vns_open(), status;
	pid_t g;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	ASSERT_EQ(0, peer_start(&p, peer_exit_counts, &fd));
	ASSERT_EQ(0, read_full(p.rd, &ids, sizeof(ids)));
	/* The peer exits at once; its grandchild stays, as the only member. */
	ASSERT_EQ(p.pid, waitpid(p.pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(1, nr_tasks_of(fd, ids.uts));
	EXPECT_EQ(1, nr_tasks_of(fd, ids.user));
	/* Let the last member go and reap it. */
	peer_go(p.wr);
	close(p.wr);
	close(p.rd);
	g = wait(&status);
	ASSERT_LT(0, g);
	EXPECT_FALSE(listed(fd, ids.uts));
	EXPECT_FALSE(listed(fd, ids.user));
	EXPECT_EQ(-ENOENT, vns_setns(fd, ids.uts, VNS_KIND_UTS));
	EXPECT_EQ(-ENOENT, vns_setns(fd, ids.user, VNS_KIND_USER));
	close(fd);
}

/*
 * The exec helper in "info" mode, from a new user vns with the caller's ids mapped to 0 or with no map;
 * checks what holds either way: the creator had the full set before the exec, and exec keeps the
 * membership (the same user vns).
 */
static void exec_info(struct __test_metadata *_metadata, bool map_root, struct helper_report *post)
{
	struct vns_info pre;

	ASSERT_EQ(0, run_exec_helper("info", map_root, &pre, post));
	EXPECT_EQ(VNS_INFO_FULL_CAPS, pre.flags & VNS_INFO_FULL_CAPS);
	ASSERT_EQ(0, post->info_ret);
	EXPECT_EQ(pre.ns_id[VNS_KIND_USER], post->info.ns_id[VNS_KIND_USER]);
}

/*
 * Documentation/vns.rst "Capabilities": the creator of a user vns has the full set (GET_INFO flags bit
 * 0); at execve the set is recomputed: empty when the euid does not map to 0 there (no map written).
 */
TEST(exec_drops_caps_when_euid_unmapped)
{
	struct helper_report post;

	exec_info(_metadata, false, &post);
	EXPECT_EQ(0, post.info.flags & VNS_INFO_FULL_CAPS);
	/* The euid is still unmapped there. */
	EXPECT_EQ(1, post.info.user_level);
	EXPECT_EQ(65534, post.info.uid);
}

/* Documentation/vns.rst "Capabilities": ...and full when the euid maps to 0 (unshare -r). */
TEST(exec_keeps_caps_when_euid_maps_to_root)
{
	struct helper_report post;

	exec_info(_metadata, true, &post);
	EXPECT_EQ(VNS_INFO_FULL_CAPS, post.info.flags & VNS_INFO_FULL_CAPS);
	EXPECT_EQ(0, post.info.uid);
	EXPECT_EQ(0, post.info.gid);
}

/*
 * A child shares its parent's proxy. The parent's next UNSHARE then builds a new proxy (the child keeps
 * the namespaces it had); the one after changes the parent's proxy in place (nobody shares it any more).
 * Either way nr_tasks follows each task, and what a change leaves without members goes at once.
 */
TEST(member_shared_proxy_then_in_place)
{
	struct vns_info a, b, c;
	int fd = vns_open(), p[2];
	pid_t child;
	char ch;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS | CLONE_NEWIPC));
	ASSERT_EQ(0, vns_get_info(fd, &a));
	ASSERT_EQ(0, pipe(p));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		close(p[1]);
		while (read(p[0], &ch, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	ASSERT_EQ(0, vns_unshare(fd, CLONE_NEWUTS, NULL));
	ASSERT_EQ(0, vns_get_info(fd, &b));
	EXPECT_EQ(1, nr_tasks_of(fd, a.ns_id[VNS_KIND_UTS]));
	EXPECT_EQ(1, nr_tasks_of(fd, b.ns_id[VNS_KIND_UTS]));
	EXPECT_EQ(2, nr_tasks_of(fd, a.ns_id[VNS_KIND_IPC]));
	ASSERT_EQ(0, vns_unshare(fd, CLONE_NEWUTS | CLONE_NEWIPC, NULL));
	ASSERT_EQ(0, vns_get_info(fd, &c));
	EXPECT_FALSE(listed(fd, b.ns_id[VNS_KIND_UTS]));
	EXPECT_EQ(1, nr_tasks_of(fd, c.ns_id[VNS_KIND_UTS]));
	EXPECT_EQ(1, nr_tasks_of(fd, c.ns_id[VNS_KIND_IPC]));
	EXPECT_EQ(1, nr_tasks_of(fd, a.ns_id[VNS_KIND_IPC]));
	EXPECT_EQ(1, nr_tasks_of(fd, a.ns_id[VNS_KIND_UTS]));
	close(p[1]);
	ASSERT_EQ(child, waitpid(child, NULL, 0));
	EXPECT_FALSE(listed(fd, a.ns_id[VNS_KIND_UTS]));
	EXPECT_FALSE(listed(fd, a.ns_id[VNS_KIND_IPC]));
	EXPECT_EQ(1, nr_tasks_of(fd, c.ns_id[VNS_KIND_IPC]));
}

static int task_info(int fd, pid_t pid, struct vns_task_info *t)
{
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	return ioctl(fd, VNS_IOC_GET_TASK_INFO, t) ? -errno : 0;
}

/*
 * A task changes its proxy in place, over and over, while another reads its namespaces and joins them:
 * every read is one of the task's namespaces, in the order it had them (ids only grow). A reader that took
 * a reference on the task's proxy would break the in-place change, which WARNs (the harness reports it).
 */
TEST(member_read_and_joined_while_changing_in_place)
{
	struct vns_setns_task join = { .flags = CLONE_NEWUSER | CLONE_NEWUTS };
	int fd = vns_open(), p[2], q[2], reads = 0, joins = 0;
	struct vns_task_info t;
	uint64_t last = 0;
	bool done = false;
	pid_t child;
	char ch;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(q));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		close(p[1]);
		close(q[0]);
		if (vns_unshare_map_root(fd, CLONE_NEWUTS) || write(q[1], "r", 1) != 1)
			_exit(1);
		for (int i = 0; i < 1000; i++)
			if (vns_unshare(fd, CLONE_NEWUTS, NULL))
				_exit(2);
		if (write(q[1], "d", 1) != 1)
			_exit(3);
		/* Stays, in its last namespaces, until the reader is done. */
		while (read(p[0], &ch, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	close(q[1]);
	ASSERT_EQ(1, read(q[0], &ch, 1));
	ASSERT_EQ(0, fcntl(q[0], F_SETFL, O_NONBLOCK));
	join.pid = child;
	while (!done && reads < 100000) {
		/* Once the task says it is done, one more read sees its last namespace. */
		done = read(q[0], &ch, 1) == 1;
		ASSERT_EQ(0, task_info(fd, child, &t));
		reads++;
		EXPECT_LE(last, t.ns_id[VNS_KIND_UTS]);
		last = t.ns_id[VNS_KIND_UTS];
		if (reads % 8 == 0) {
			/* Joins the task's user vns (the first time) and its uts vns of the moment. */
			EXPECT_EQ(0, ioctl(fd, VNS_IOC_SETNS_TASK, &join) ? -errno : 0);
			joins++;
		}
	}
	EXPECT_TRUE(done);
	close(p[1]);
	ASSERT_EQ(child, waitpid(child, NULL, 0));
	TH_LOG("%d reads, %d joins", reads, joins);
	EXPECT_LT(0, joins);
}

TEST_HARNESS_MAIN
