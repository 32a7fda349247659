// SPDX-License-Identifier: GPL-2.0
/*
 * Other tasks by pid and reading id maps (Documentation/vns.rst "Other tasks"; Documentation/userspace-api/
 * vns.rst "VNS_IOC_GET_TASK_INFO", "VNS_IOC_SETNS_TASK", "VNS_IOC_GET_ID_MAP"): a task's namespaces as
 * /proc/PID/ns shows them, under ptrace_may_access's rule (EACCES); joining several of a task's namespaces
 * at once as setns(pidfd, flags) does, all or nothing, the user kind first; a user vns's maps as
 * /proc/PID/uid_map shows them, compared with the kernel's own file.
 *
 * Every test runs as root and as uid 1000.
 */
#include <pthread.h>
#include <stdint.h>
#include <sys/prctl.h>

#include "kselftest_harness.h"
#include "vns_peer.h"

static int task_info(int fd, pid_t pid, struct vns_task_info *t)
{
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	return vns_ioctl(fd, VNS_IOC_GET_TASK_INFO, t);
}

static int setns_task(int fd, pid_t pid, uint64_t flags)
{
	struct vns_setns_task s = { .pid = pid, .flags = flags };

	return vns_ioctl(fd, VNS_IOC_SETNS_TASK, &s);
}

static int get_map(int fd, uint64_t ns, uint32_t which, struct vns_id_extent *e, uint32_t cap)
{
	struct vns_id_map m = { .user_ns_id = ns, .which = which, .nr_extents = cap, .extents = (uintptr_t)e };
	int ret = vns_ioctl(fd, VNS_IOC_GET_ID_MAP, &m);

	return ret ? ret : (int)m.nr_extents;
}

/* A holder: its own user vns (root mapped) with new uts and ipc vns, named `name`, until the pipe closes. */
static int holder(void *arg, int out, int in)
{
	int fd = vns_open();
	char c = 'r';

	C_TRUE(fd >= 0);
	C_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS | CLONE_NEWIPC));
	C_EQ(0, vns_set_uts(fd, VNS_UTS_NODENAME, arg));
	C_EQ(0, write_full(out, &c, 1));
	peer_wait(in);
	return 0;
}

TEST(task_info_shows_a_task_namespaces)
{
	struct vns_task_info t;
	struct vns_info self, mine;
	struct peer p;
	int fd = vns_open();
	char c;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &self));
	ASSERT_EQ(0, task_info(fd, getpid(), &t));
	EXPECT_EQ(0, memcmp(self.ns_id, t.ns_id, sizeof(t.ns_id)));
	EXPECT_EQ(self.pid_for_children_id, t.pid_for_children_id);
	EXPECT_EQ(self.time_for_children_id, t.time_for_children_id);
	EXPECT_EQ(getpid(), t.vns_pid);
	EXPECT_EQ(0, t.pid_level);

	/* Another task of the same user, in namespaces of its own. */
	ASSERT_EQ(0, peer_start(&p, holder, "held"));
	ASSERT_EQ(0, read_full(p.rd, &c, 1));
	ASSERT_EQ(0, task_info(fd, p.pid, &t));
	EXPECT_NE(self.ns_id[VNS_KIND_USER], t.ns_id[VNS_KIND_USER]);
	EXPECT_NE(self.ns_id[VNS_KIND_UTS], t.ns_id[VNS_KIND_UTS]);
	EXPECT_EQ(self.ns_id[VNS_KIND_NET], t.ns_id[VNS_KIND_NET]);
	EXPECT_EQ(p.pid, t.vns_pid);
	/* Bad input changes nothing. */
	t.reserved = 1;
	EXPECT_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_GET_TASK_INFO, &t));
	EXPECT_EQ(-ESRCH, task_info(fd, 0, &t));
	EXPECT_EQ(-ESRCH, task_info(fd, -1, &t));
	EXPECT_EQ(-ESRCH, task_info(fd, 0x3fffffff, &t));
	ASSERT_EQ(0, peer_finish(&p));
	ASSERT_EQ(0, vns_get_info(fd, &mine));
	EXPECT_EQ(0, memcmp(&self, &mine, sizeof(self)));
	close(fd);
}

/* As uid 1000: init (root's) and a task of its own that made itself non-dumpable are EACCES. */
static int check_access_denied(void *arg)
{
	struct vns_task_info t;
	int fd = vns_open(), p[2], status;
	pid_t pid;
	char c;

	C_TRUE(fd >= 0);
	C_EQ(-EACCES, task_info(fd, 1, &t));
	C_EQ(-EPERM, setns_task(fd, 1, CLONE_NEWUTS));
	C_EQ(0, pipe(p));
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_DUMPABLE, 0);
		close(p[1]);
		(void)!read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);
	/* Wait until it is non-dumpable: retry while it still answers. */
	for (int i = 0; i < 100 && !task_info(fd, pid, &t); i++)
		usleep(10000);
	C_EQ(-EACCES, task_info(fd, pid, &t));
	close(p[1]);
	C_EQ(pid, waitpid(pid, &status, 0));
	/* Its own task is always allowed. */
	C_EQ(0, task_info(fd, getpid(), &t));
	return 0;
}

TEST(task_info_access_as_proc_pid_ns)
{
	struct vns_task_info t;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_in_child_as(VNS_TEST_UID, check_access_denied, NULL));
	/* Real root may look at any task (CAP_SYS_PTRACE). */
	if (getuid() == 0)
		EXPECT_EQ(0, task_info(fd, 1, &t));
	close(fd);
}

/* In a new pid vns: its number there for a caller in that pid vns, its real tgid from init. */
static int check_pid_numbers(void *arg)
{
	struct vns_task_info t;
	int fd = vns_open(), p[2], status;
	pid_t pid;
	char c;

	C_TRUE(fd >= 0);
	C_EQ(0, vns_unshare_map_root(fd, CLONE_NEWPID));
	C_EQ(0, pipe(p));
	pid = fork();
	if (pid == 0) {
		struct vns_task_info me;

		close(p[1]);
		/* In the new pid vns as its number 1: it sees itself with that number. */
		if (task_info(fd, getpid(), &me) || me.vns_pid != 1 || me.pid_level != 1)
			_exit(3);
		(void)!read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);
	C_EQ(0, task_info(fd, pid, &t));
	C_EQ(pid, t.vns_pid);
	C_EQ(1, t.pid_level);
	close(p[1]);
	C_EQ(pid, waitpid(pid, &status, 0));
	C_EQ(0, WEXITSTATUS(status));
	return 0;
}

TEST(task_info_pid_numbers)
{
	ASSERT_EQ(0, vns_in_child(check_pid_numbers, NULL));
}

static void *sleeper(void *arg)
{
	char c;

	(void)!read(*(int *)arg, &c, 1);
	return NULL;
}

/* pthread_join() returns before the thread has left the group's count: wait until it has. */
static int wait_single_threaded(void)
{
	for (int i = 0; i < 500; i++) {
		char buf[4096], *p;
		FILE *f = fopen("/proc/self/status", "r");
		size_t n;

		if (!f)
			return -1;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = 0;
		p = strstr(buf, "Threads:");
		if (p && atoi(p + 8) == 1)
			return 0;
		usleep(2000);
	}
	return -1;
}

/* Join a holder's user and uts vns in one call; all or nothing; the own user vns is skipped. */
static int check_setns_task(void *arg)
{
	pid_t holder_pid = *(pid_t *)arg;
	struct vns_info before, after;
	struct vns_task_info t;
	struct vns_uts uts;
	int fd = vns_open(), p[2];
	pthread_t th;

	C_TRUE(fd >= 0);
	C_EQ(0, task_info(fd, holder_pid, &t));
	C_EQ(0, vns_get_info(fd, &before));
	C_EQ(-EINVAL, setns_task(fd, holder_pid, 0));
	C_EQ(-EINVAL, setns_task(fd, holder_pid, CLONE_NEWUTS | CLONE_VM));
	C_EQ(-EINVAL, setns_task(fd, holder_pid, CLONE_UNSHARE_EMPTY_MNTNS));
	C_EQ(-ESRCH, setns_task(fd, 0x3fffffff, CLONE_NEWUTS));
	/* The uts vns alone, unprivileged: no CAP_SYS_ADMIN in its own user vns (setns's second test). */
	if (getuid() != 0)
		C_EQ(-EPERM, setns_task(fd, holder_pid, CLONE_NEWUTS));
	/* With a second thread: joining the user vns is EINVAL (userns_install); nothing changes. */
	C_EQ(0, pipe(p));
	C_EQ(0, pthread_create(&th, NULL, sleeper, &p[0]));
	C_EQ(-EINVAL, setns_task(fd, holder_pid, CLONE_NEWUSER | CLONE_NEWUTS));
	C_EQ(1, write(p[1], "x", 1));
	C_EQ(0, pthread_join(th, NULL));
	C_EQ(0, wait_single_threaded());
	C_EQ(0, vns_get_info(fd, &after));
	C_EQ(0, memcmp(&before, &after, sizeof(before)));
	/* The user kind first gives the capabilities the uts kind needs. */
	C_EQ(0, setns_task(fd, holder_pid, CLONE_NEWUSER | CLONE_NEWUTS));
	C_EQ(0, vns_get_info(fd, &after));
	C_EQ(t.ns_id[VNS_KIND_USER], after.ns_id[VNS_KIND_USER]);
	C_EQ(t.ns_id[VNS_KIND_UTS], after.ns_id[VNS_KIND_UTS]);
	C_EQ(before.ns_id[VNS_KIND_IPC], after.ns_id[VNS_KIND_IPC]);
	C_EQ(0, vns_get_uts(fd, &uts));
	C_STREQ("held", uts.nodename);
	/* Now in its user vns: the user kind is skipped, the others joined. */
	C_EQ(0, setns_task(fd, holder_pid, CLONE_NEWUSER | CLONE_NEWUTS | CLONE_NEWIPC));
	C_EQ(0, vns_get_info(fd, &after));
	C_EQ(t.ns_id[VNS_KIND_IPC], after.ns_id[VNS_KIND_IPC]);
	C_EQ(t.ns_id[VNS_KIND_USER], after.ns_id[VNS_KIND_USER]);
	return 0;
}

TEST(setns_task_joins_at_once)
{
	struct peer p;

	char c;

	ASSERT_EQ(0, peer_start(&p, holder, "held"));
	ASSERT_EQ(0, read_full(p.rd, &c, 1));
	ASSERT_EQ(0, vns_in_child(check_setns_task, &p.pid));
	ASSERT_EQ(0, peer_finish(&p));
}

/* A user vns's maps read back, as /proc/PID/uid_map shows them. */
static int check_maps(void *arg)
{
	struct vns_id_extent e[4];
	struct vns_info before, info;
	int fd = vns_open();

	C_TRUE(fd >= 0);
	C_EQ(0, vns_get_info(fd, &before));
	/* The init user vns: the identity map. */
	C_EQ(1, get_map(fd, 0, VNS_MAP_UID, e, 4));
	C_EQ(0, e[0].first);
	C_EQ(0, e[0].lower_first);
	C_EQ(4294967295u, e[0].count);
	C_EQ(0, vns_unshare(fd, CLONE_NEWUSER, NULL));
	C_EQ(0, vns_get_info(fd, &info));
	/* Not written yet. */
	C_EQ(0, get_map(fd, 0, VNS_MAP_UID, e, 4));
	C_EQ(0, vns_set_map1(fd, info.ns_id[VNS_KIND_USER], VNS_MAP_UID, 0, before.uid, 1));
	/* Its own map: lower ids in the parent's terms. */
	memset(e, 0xee, sizeof(e));
	C_EQ(1, get_map(fd, 0, VNS_MAP_UID, e, 4));
	C_EQ(0, e[0].first);
	C_EQ(before.uid, e[0].lower_first);
	C_EQ(1, e[0].count);
	C_EQ(0xeeeeeeee, e[1].first);
	/* By id; with no room, only the count. */
	C_EQ(1, get_map(fd, info.ns_id[VNS_KIND_USER], VNS_MAP_UID, e, 0));
	C_EQ(0, get_map(fd, 0, VNS_MAP_GID, e, 4));
	/* Errors: a bad `which`, an unknown id, not a user vns, an ancestor not visible. */
	C_EQ(-EINVAL, get_map(fd, 0, 2, e, 4));
	C_EQ(-ENOENT, get_map(fd, VNS_NO_SUCH_ID, VNS_MAP_UID, e, 4));
	C_EQ(-EINVAL, get_map(fd, info.ns_id[VNS_KIND_UTS], VNS_MAP_UID, e, 4));
	C_EQ(-EPERM, get_map(fd, before.ns_id[VNS_KIND_USER], VNS_MAP_UID, e, 4));
	C_EQ(-EFAULT, get_map(fd, 0, VNS_MAP_UID, (void *)8, 4));
	return 0;
}

TEST(id_maps_read_back)
{
	ASSERT_EQ(0, vns_in_child(check_maps, NULL));
}

/* The kernel's /proc/self/uid_map and GET_ID_MAP for the same map, written by the same task. */
static int read_proc_map(const char *path, struct vns_id_extent *e, int cap)
{
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return -errno;
	while (n < cap && fscanf(f, "%u %u %u", &e[n].first, &e[n].lower_first, &e[n].count) == 3)
		n++;
	fclose(f);
	return n;
}

static int check_maps_like_kernel(void *arg)
{
	struct vns_id_extent k[4], v[4];
	struct vns_info info;
	char line[64];
	int fd = vns_open(), n, p[2], status;
	uid_t uid = getuid();
	pid_t pid;

	C_TRUE(fd >= 0);
	C_EQ(0, pipe(p));
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_DUMPABLE, 1);
		snprintf(line, sizeof(line), "0 %u 1\n", uid);
		if (unshare(CLONE_NEWUSER) || vns_write_str("/proc/self/uid_map", line))
			_exit(1);
		n = read_proc_map("/proc/self/uid_map", k, 4);
		_exit(n != 1 || write_full(p[1], k, sizeof(k[0])) ? 2 : 0);
	}
	C_EQ(pid, waitpid(pid, &status, 0));
	C_EQ(0, WEXITSTATUS(status));
	C_EQ(0, read_full(p[0], k, sizeof(k[0])));
	C_EQ(0, vns_unshare(fd, CLONE_NEWUSER, NULL));
	C_EQ(0, vns_get_info(fd, &info));
	C_EQ(0, vns_set_map1(fd, info.ns_id[VNS_KIND_USER], VNS_MAP_UID, 0, uid, 1));
	C_EQ(1, get_map(fd, 0, VNS_MAP_UID, v, 4));
	C_EQ(0, memcmp(k, v, sizeof(k[0])));
	return 0;
}

TEST(id_maps_read_like_proc_uid_map)
{
	ASSERT_EQ(0, vns_in_child(check_maps_like_kernel, NULL));
}

TEST_HARNESS_MAIN
