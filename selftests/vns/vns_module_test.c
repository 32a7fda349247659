// SPDX-License-Identifier: GPL-2.0
/*
 * Module life (Documentation/vns.rst "Module life"): rmmod is refused while /dev/vns is open, succeeds once
 * it is closed and removes the device and the sysctls; the module then loads again. Runs last in the guest,
 * as root.
 *
 * VNS_KO names the module file (default /lib/vns/vns.ko).
 */
#include <sys/syscall.h>

#include <sched.h>
#include <sys/ioctl.h>
#include <linux/vns.h>

#include "kselftest_harness.h"
#include "vns_util.h"

static int delete_module(const char *name, int flags)
{
	return syscall(__NR_delete_module, name, flags);
}

static int load_module(void)
{
	const char *ko = getenv("VNS_KO") ? getenv("VNS_KO") : "/lib/vns/vns.ko";
	int fd = open(ko, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, "", 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

TEST(rmmod_refused_while_open_then_clean)
{
	struct stat st;
	int fd;

	if (getuid() != 0)
		SKIP(return, "needs root");
	fd = open(VNS_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);

	/* kernel/module/main.c try_stop_module: a held module is EWOULDBLOCK. */
	EXPECT_EQ(-1, delete_module("vns", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(0, stat(VNS_DEV, &st));
	EXPECT_EQ(0, access(VNS_SYSCTL_DIR "mount-max", R_OK));

	close(fd);
	ASSERT_EQ(0, delete_module("vns", O_NONBLOCK)) TH_LOG("rmmod: %s", strerror(errno));
	EXPECT_NE(0, stat("/sys/module/vns", &st));
	EXPECT_NE(0, stat(VNS_DEV, &st));
	EXPECT_NE(0, access(VNS_SYSCTL_DIR "mount-max", F_OK));

	/* And it loads again, with fresh defaults. */
	ASSERT_EQ(0, load_module());
	EXPECT_EQ(0, stat(VNS_DEV, &st));
	EXPECT_EQ(0666, st.st_mode & 07777);
}

/* A namespace fd holds the module as /dev/vns files do: rmmod is refused until its last close. */
TEST(rmmod_refused_while_a_namespace_fd_is_open)
{
	struct vns_ns_fd f = { .kind = VNS_KIND_UTS };
	int fd, nsfd;

	if (getuid() != 0)
		SKIP(return, "needs root");
	fd = open(VNS_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	nsfd = ioctl(fd, VNS_IOC_NS_FD, &f);
	ASSERT_LE(0, nsfd);
	close(fd);
	EXPECT_EQ(-1, delete_module("vns", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(CLONE_NEWUTS, ioctl(nsfd, VNS_NS_GET_NSTYPE));
	close(nsfd);
	ASSERT_EQ(0, delete_module("vns", O_NONBLOCK)) TH_LOG("rmmod: %s", strerror(errno));
	ASSERT_EQ(0, load_module());
}

/*
 * Keeps a membership (user + uts vns of its own) until `fd` reads EOF. Returns once the member has closed
 * its /dev/vns file: only then may rmmod succeed (an open file holds the module).
 */
static pid_t start_member(int *wfd)
{
	int p[2], ready[2];
	char c;
	pid_t pid;

	if (pipe(p) || pipe(ready))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct vns_unshare u = { .flags = CLONE_NEWUSER | CLONE_NEWUTS | CLONE_NEWIPC };
		int fd = open(VNS_DEV, O_RDWR | O_CLOEXEC);

		close(p[1]);
		close(ready[0]);
		if (fd < 0 || ioctl(fd, VNS_IOC_UNSHARE, &u))
			_exit(1);
		/* The membership outlives the file: rmmod must not wait for it. */
		close(fd);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		close(ready[1]);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	close(ready[1]);
	/* EOF without a byte: the member failed (it exits 1, which the caller sees). */
	if (read(ready[0], &c, 1) != 1)
		c = 0;
	close(ready[0]);
	*wfd = p[1];
	return pid;
}

/*
 * Insmod/rmmod cycles with members alive between them (VNS_MODULE_CYCLES, default 100): rmmod
 * frees every object whatever tasks are still members, and the probes are gone (the members' forks
 * and exits afterwards reach no module code).
 */
FIXTURE(cycles)
{
};

FIXTURE_SETUP(cycles)
{
}

FIXTURE_TEARDOWN(cycles)
{
}

/* Each insmod also runs the module's KUnit suite: give the cycles ten minutes, not the default 30 s. */
TEST_F_TIMEOUT(cycles, reload_with_members_alive, 600)
{
	const char *env = getenv("VNS_MODULE_CYCLES");
	int cycles = env ? atoi(env) : 100, i, status, w;
	pid_t member, child;

	if (getuid() != 0)
		SKIP(return, "needs root");
	for (i = 0; i < cycles; i++) {
		member = start_member(&w);
		ASSERT_LT(0, member);
		/* It is a member and has closed its file (start_member waited for both). */
		ASSERT_EQ(0, delete_module("vns", O_NONBLOCK)) TH_LOG("cycle %d: %s", i, strerror(errno));
		/* The member forks and exits with the module gone. */
		child = fork();
		if (child == 0)
			_exit(0);
		ASSERT_EQ(child, waitpid(child, &status, 0));
		ASSERT_EQ(0, load_module()) TH_LOG("cycle %d", i);
		close(w);
		ASSERT_EQ(member, waitpid(member, &status, 0));
		EXPECT_TRUE(WIFEXITED(status));
	}
}

TEST_HARNESS_MAIN
