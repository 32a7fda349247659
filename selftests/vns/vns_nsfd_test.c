// SPDX-License-Identifier: GPL-2.0
/*
 * Namespace fds (Documentation/vns.rst "Namespace fds"; Documentation/userspace-api/vns.rst
 * "VNS_IOC_NS_FD"): a file descriptor that holds a namespace, its charge and its state with no member at
 * all, passed over SCM_RIGHTS, entered later with SETNS, released at its last close; and the questions of
 * ioctl_ns(2) on it (fs/nsfs.c ns_ioctl), with their errnos.
 *
 * Every test runs as root and as uid 1000.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "vns_peer.h"

static int ns_fd(int fd, uint64_t id, uint32_t kind)
{
	struct vns_ns_fd f = { .id = id, .kind = kind };
	int ret = ioctl(fd, VNS_IOC_NS_FD, &f);

	return ret < 0 ? -errno : ret;
}

static int setns_fd(int fd, int nsfd, uint32_t kind)
{
	struct vns_setns s = { .id = (uint64_t)nsfd, .kind = kind, .flags = VNS_SETNS_FD };

	return vns_ioctl(fd, VNS_IOC_SETNS, &s);
}

static int ns_ioctl_ret(int nsfd, unsigned long cmd, void *arg)
{
	int ret = ioctl(nsfd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

static uint64_t ns_id_of(int nsfd)
{
	uint64_t id = 0;

	return ioctl(nsfd, VNS_NS_GET_ID, &id) ? 0 : id;
}

static int send_fds(int sock, const int *fds, int n)
{
	char buf[CMSG_SPACE(4 * sizeof(int))] = { 0 }, c = 'f';
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf,
			    .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

static int recv_fds(int sock, int *fds, int n)
{
	char buf[CMSG_SPACE(4 * sizeof(int))], c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof(buf) };
	struct cmsghdr *cm;

	if (recvmsg(sock, &m, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&m);
	if (!cm || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(n * sizeof(int)))
		return -1;
	memcpy(fds, CMSG_DATA(cm), n * sizeof(int));
	return 0;
}

/*
 * A child that makes a user and a uts vns (hostname `name`), sends fds of both to *fds over SCM_RIGHTS
 * (through the socket pair `sv`) and exits. Returns 0 once both fds are here and the child is gone.
 */
static int fds_of_a_gone_child(int sv[2], int fds[2], const char *name)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int c = vns_open(), mine[2];

		if (c < 0 || vns_unshare_map_root(c, CLONE_NEWUTS) || vns_set_uts(c, VNS_UTS_NODENAME, name))
			_exit(1);
		mine[0] = ns_fd(c, 0, VNS_KIND_USER);
		mine[1] = ns_fd(c, 0, VNS_KIND_UTS);
		_exit(mine[0] < 0 || mine[1] < 0 || send_fds(sv[1], mine, 2) ? 2 : 0);
	}
	if (pid < 0 || recv_fds(sv[0], fds, 2) || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* The questions of ioctl_ns(2) on the caller's own namespaces. */
static int check_questions(void *arg)
{
	struct vns_info before, info;
	uint32_t uid = 12345;
	int fd = vns_open(), u, t, p, parent;

	C_TRUE(fd >= 0);
	C_EQ(0, vns_get_info(fd, &before));
	C_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS | CLONE_NEWPID));
	C_EQ(0, vns_get_info(fd, &info));
	u = ns_fd(fd, 0, VNS_KIND_USER);
	t = ns_fd(fd, 0, VNS_KIND_UTS);
	p = ns_fd(fd, info.pid_for_children_id, VNS_KIND_PID);
	C_TRUE(u >= 0 && t >= 0 && p >= 0);
	C_EQ(FD_CLOEXEC, fcntl(t, F_GETFD) & FD_CLOEXEC);
	C_EQ(CLONE_NEWUSER, ns_ioctl_ret(u, VNS_NS_GET_NSTYPE, NULL));
	C_EQ(CLONE_NEWUTS, ns_ioctl_ret(t, VNS_NS_GET_NSTYPE, NULL));
	C_EQ(info.ns_id[VNS_KIND_USER], ns_id_of(u));
	C_EQ(info.ns_id[VNS_KIND_UTS], ns_id_of(t));
	C_EQ(info.pid_for_children_id, ns_id_of(p));
	/* The uts vns's owner is the caller's own user vns: a new fd of it. */
	parent = ns_ioctl_ret(t, VNS_NS_GET_USERNS, NULL);
	C_TRUE(parent >= 0);
	C_EQ(info.ns_id[VNS_KIND_USER], ns_id_of(parent));
	close(parent);
	/* Above the caller's own user vns: EPERM (ns_get_owner), for the owner and the parent alike. */
	C_EQ(-EPERM, ns_ioctl_ret(u, VNS_NS_GET_USERNS, NULL));
	C_EQ(-EPERM, ns_ioctl_ret(u, VNS_NS_GET_PARENT, NULL));
	/* The new pid vns's parent is the caller's active one. */
	parent = ns_ioctl_ret(p, VNS_NS_GET_PARENT, NULL);
	C_TRUE(parent >= 0);
	C_EQ(before.ns_id[VNS_KIND_PID], ns_id_of(parent));
	/* The init pid vns has no parent: EPERM. */
	C_EQ(-EPERM, ns_ioctl_ret(parent, VNS_NS_GET_PARENT, NULL));
	close(parent);
	/* Other kinds have no parent, no owner uid: EINVAL. */
	C_EQ(-EINVAL, ns_ioctl_ret(t, VNS_NS_GET_PARENT, NULL));
	C_EQ(-EINVAL, ns_ioctl_ret(t, VNS_NS_GET_OWNER_UID, &uid));
	/* The owner of the caller's user vns, as the caller sees it: unmapped there (its creator's uid in
	 * the parent; 0 is mapped to it, so the caller reads 0). */
	C_EQ(0, ns_ioctl_ret(u, VNS_NS_GET_OWNER_UID, &uid));
	C_EQ(0, uid);
	/* Any other command: ENOTTY; /dev/vns's commands are not namespace-fd commands. */
	C_EQ(-ENOTTY, ns_ioctl_ret(t, VNS_IOC_GET_INFO, &info));
	C_EQ(-ENOTTY, ns_ioctl_ret(t, _IO(VNS_IOC_MAGIC, 0x46), NULL));
	C_EQ(-EFAULT, ns_ioctl_ret(t, VNS_NS_GET_ID, (void *)8));
	close(u);
	close(t);
	close(p);
	return 0;
}

TEST(ns_fd_answers_ioctl_ns_questions)
{
	ASSERT_EQ(0, vns_in_child(check_questions, NULL));
}

TEST(ns_fd_errors)
{
	struct vns_ns_fd f = { .kind = VNS_KIND_UTS, .flags = 1 };
	struct vns_info info;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &info));
	EXPECT_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_NS_FD, &f));
	EXPECT_EQ(-EINVAL, ns_fd(fd, 0, VNS_NR_KINDS));
	EXPECT_EQ(-ENOENT, ns_fd(fd, VNS_NO_SUCH_ID, VNS_KIND_UTS));
	EXPECT_EQ(-EINVAL, ns_fd(fd, info.ns_id[VNS_KIND_UTS], VNS_KIND_NET));
	close(fd);
}

/*
 * A child makes a user and a uts vns, names the host "kept", sends fds of both over SCM_RIGHTS and exits:
 * the fds alone keep them (LIST_NS still shows them, with no task; the uts count stays charged). The
 * parent enters them later through the fds, then the last close releases them.
 */
static int check_keep_and_enter(void *arg)
{
	struct vns_ucounts uc0, uc1;
	struct vns_info info, after;
	struct vns_ns_entry *e = NULL, *found;
	struct vns_uts uts;
	uint64_t user_id, uts_id;
	int fd = vns_open(), sv[2], fds[2];
	uint32_t nr = 0;

	C_TRUE(fd >= 0);
	C_EQ(0, vns_get_info(fd, &info));
	C_EQ(0, vns_get_ucounts(fd, 0, info.uid, &uc0));
	C_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	C_EQ(0, fds_of_a_gone_child(sv, fds, "kept"));
	user_id = ns_id_of(fds[0]);
	uts_id = ns_id_of(fds[1]);
	C_NE(0, uts_id);
	/* Held by the fds only. */
	C_TRUE(vns_list_ns(fd, &e, &nr) > 0);
	found = vns_find_entry(e, nr, uts_id);
	C_TRUE(found != NULL);
	C_EQ(0, found->nr_tasks);
	free(e);
	C_EQ(0, vns_get_ucounts(fd, 0, info.uid, &uc1));
	C_EQ(uc0.count[VNS_KIND_UTS] + 1, uc1.count[VNS_KIND_UTS]);
	/* Entered later through the fds: the user vns first, then its uts vns. */
	C_EQ(-EINVAL, setns_fd(fd, fds[1], VNS_KIND_USER));
	C_EQ(0, setns_fd(fd, fds[0], VNS_KIND_USER));
	C_EQ(0, setns_fd(fd, fds[1], VNS_KIND_UTS));
	C_EQ(0, vns_get_info(fd, &after));
	C_EQ(user_id, after.ns_id[VNS_KIND_USER]);
	C_EQ(uts_id, after.ns_id[VNS_KIND_UTS]);
	C_EQ(0, vns_get_uts(fd, &uts));
	C_STREQ("kept", uts.nodename);
	close(fds[0]);
	close(fds[1]);
	close(sv[0]);
	close(sv[1]);
	close(fd);
	return 0;
}

/* The same, but the fd's last close releases the namespaces before close() returns. */
static int check_release_at_last_close(void *arg)
{
	struct vns_ucounts uc0, uc1;
	struct vns_info info;
	int fd = vns_open(), sv[2], fds[2], dup_fd;
	uint64_t uts_id;

	C_TRUE(fd >= 0);
	C_EQ(0, vns_get_info(fd, &info));
	C_EQ(0, vns_get_ucounts(fd, 0, info.uid, &uc0));
	C_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	C_EQ(0, fds_of_a_gone_child(sv, fds, "released"));
	uts_id = ns_id_of(fds[1]);
	/* A dup is the same open file: the namespace stays until the last of them closes. */
	dup_fd = dup(fds[1]);
	close(fds[1]);
	C_EQ(uts_id, ns_id_of(dup_fd));
	close(dup_fd);
	close(fds[0]);
	/* Gone: by id, and from the counts. */
	C_EQ(-ENOENT, ns_fd(fd, uts_id, VNS_KIND_UTS));
	C_EQ(0, vns_get_ucounts(fd, 0, info.uid, &uc1));
	C_EQ(uc0.count[VNS_KIND_UTS], uc1.count[VNS_KIND_UTS]);
	C_EQ(uc0.count[VNS_KIND_USER], uc1.count[VNS_KIND_USER]);
	close(sv[0]);
	close(sv[1]);
	close(fd);
	return 0;
}

TEST(ns_fd_keeps_a_namespace_without_members)
{
	ASSERT_EQ(0, vns_in_child(check_keep_and_enter, NULL));
	ASSERT_EQ(0, vns_in_child(check_release_at_last_close, NULL));
}

/* A namespace the caller may not see (a sibling user vns's uts vns, by id): EPERM. */
static int check_not_visible(void *arg)
{
	uint64_t id = *(uint64_t *)arg;
	int fd = vns_open();

	C_TRUE(fd >= 0);
	/* A user vns below, and a uts vns of its own: the parent's uts vns is neither its own nor owned
	 * below its user vns. */
	C_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS));
	C_EQ(-EPERM, ns_fd(fd, id, VNS_KIND_UTS));
	return 0;
}

/* Another user's namespaces cannot be pinned by id, though LIST_NS shows them. */
static int check_other_users(void *arg)
{
	const uint64_t *ids = arg;
	int fd = vns_open();

	C_TRUE(fd >= 0);
	C_EQ(-EPERM, ns_fd(fd, ids[0], VNS_KIND_USER));
	C_EQ(-EPERM, ns_fd(fd, ids[1], VNS_KIND_UTS));
	return 0;
}

static int hold_own(void *arg, int out, int in)
{
	struct vns_info info;
	int fd = vns_open();

	C_TRUE(fd >= 0);
	C_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS));
	C_EQ(0, vns_get_info(fd, &info));
	C_EQ(0, write_full(out, info.ns_id, sizeof(info.ns_id)));
	peer_wait(in);
	return 0;
}

TEST(ns_fd_by_id_needs_power_over_it)
{
	uint64_t ids[VNS_NR_KINDS], pair[2];
	struct peer p;
	int fd = vns_open(), t;

	if (getuid() != 0)
		SKIP(return, "needs a second user");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, peer_start(&p, hold_own, NULL));
	ASSERT_EQ(0, read_full(p.rd, ids, sizeof(ids)));
	/* Its owner (root, here) may hold them by id... */
	t = ns_fd(fd, ids[VNS_KIND_UTS], VNS_KIND_UTS);
	ASSERT_LE(0, t);
	close(t);
	/* ...uid 1000 may not. */
	pair[0] = ids[VNS_KIND_USER];
	pair[1] = ids[VNS_KIND_UTS];
	EXPECT_EQ(0, vns_in_child_as(VNS_TEST_UID, check_other_users, pair));
	ASSERT_EQ(0, peer_finish(&p));
	close(fd);
}

TEST(ns_fd_by_id_follows_list_ns)
{
	struct vns_info info;
	int fd = vns_open(), t;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS));
	ASSERT_EQ(0, vns_get_info(fd, &info));
	/* By id, its own. */
	t = ns_fd(fd, info.ns_id[VNS_KIND_UTS], VNS_KIND_UTS);
	ASSERT_LE(0, t);
	close(t);
	ASSERT_EQ(0, vns_in_child(check_not_visible, &info.ns_id[VNS_KIND_UTS]));
	close(fd);
}

/*
 * Lifetimes under churn: producers make a user+uts vns, send fds of both and exit at once (the owner gone
 * while its fds live); a relay passes half of them on to a closer process, which closes them, and enters
 * the others in a forked task before closing them itself. At the end every namespace made is gone and
 * the counts are back. 60 rounds in make check; make stress scales them (VNS_STRESS_SCALE).
 */
static int relay(int in, int out, int rounds)
{
	int fds[2], dev = vns_open(), status;

	if (dev < 0)
		return 1;
	for (int i = 0; i < rounds; i++) {
		if (recv_fds(in, fds, 2))
			return 2;
		if (i % 2) {
			if (send_fds(out, fds, 2))
				return 3;
		} else {
			pid_t pid = fork();

			if (pid == 0)
				_exit(setns_fd(dev, fds[0], VNS_KIND_USER) || setns_fd(dev, fds[1], VNS_KIND_UTS) ?
					      4 : 0);
			if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
				return 5;
		}
		close(fds[0]);
		close(fds[1]);
	}
	return 0;
}

static int closer(int in, int rounds)
{
	int fds[2];

	for (int i = 0; i < rounds; i++) {
		if (recv_fds(in, fds, 2))
			return 6;
		if (ns_id_of(fds[1]) == 0)
			return 7;
		close(fds[0]);
		close(fds[1]);
	}
	return 0;
}

static int check_churn(void *arg)
{
	int rounds = 60, fd = vns_open(), a[2], b[2], status, bad = 0;
	struct vns_ucounts uc0, uc1;
	struct vns_info info;
	pid_t relay_pid, closer_pid;

	if (getenv("VNS_STRESS_SCALE") && atoi(getenv("VNS_STRESS_SCALE")) > 0)
		rounds *= atoi(getenv("VNS_STRESS_SCALE"));
	C_TRUE(fd >= 0);
	C_EQ(0, vns_get_info(fd, &info));
	C_EQ(0, vns_get_ucounts(fd, 0, info.uid, &uc0));
	C_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, a));
	C_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, b));
	closer_pid = fork();
	if (closer_pid == 0)
		_exit(closer(b[0], rounds / 2));
	relay_pid = fork();
	if (relay_pid == 0)
		_exit(relay(a[0], b[1], rounds));
	for (int i = 0; i < rounds; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			int c = vns_open(), mine[2];

			if (c < 0 || vns_unshare_map_root(c, CLONE_NEWUTS))
				_exit(1);
			mine[0] = ns_fd(c, 0, VNS_KIND_USER);
			mine[1] = ns_fd(c, 0, VNS_KIND_UTS);
			_exit(mine[0] < 0 || mine[1] < 0 || send_fds(a[1], mine, 2) ? 2 : 0);
		}
		C_EQ(pid, waitpid(pid, &status, 0));
		bad += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	C_EQ(0, bad);
	C_EQ(relay_pid, waitpid(relay_pid, &status, 0));
	C_EQ(0, WEXITSTATUS(status));
	C_EQ(closer_pid, waitpid(closer_pid, &status, 0));
	C_EQ(0, WEXITSTATUS(status));
	/* Every fd closed, every member gone: the counts are back, synchronously. */
	C_EQ(0, vns_get_ucounts(fd, 0, info.uid, &uc1));
	C_EQ(uc0.count[VNS_KIND_USER], uc1.count[VNS_KIND_USER]);
	C_EQ(uc0.count[VNS_KIND_UTS], uc1.count[VNS_KIND_UTS]);
	return 0;
}

TEST(ns_fd_lifetimes_under_churn)
{
	ASSERT_EQ(0, vns_in_child(check_churn, NULL));
}

TEST_HARNESS_MAIN
