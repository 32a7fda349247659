// SPDX-License-Identifier: GPL-2.0
/*
 * Module life (spec §9): rmmod is refused while /dev/vns is open, succeeds once it is closed and removes
 * the device and the sysctls; the module then loads again. Runs last in the guest, as root.
 *
 * VNS_KO names the module file (default /lib/vns/vns.ko).
 */
#include <sys/syscall.h>

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

TEST(reload_cycles)
{
	int i;

	if (getuid() != 0)
		SKIP(return, "needs root");
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, delete_module("vns", O_NONBLOCK)) TH_LOG("cycle %d: %s", i, strerror(errno));
		ASSERT_EQ(0, load_module()) TH_LOG("cycle %d", i);
	}
}

TEST_HARNESS_MAIN
