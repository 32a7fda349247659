// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vns: the device node, opening it without privilege, and ioctl dispatch
 * (Documentation/userspace-api/vns.rst "The device" and "Commands"; Documentation/vns.rst "Module life").
 */
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>

#include "kselftest_harness.h"
#include "vns_util.h"

/* Documentation/vns.rst "Module life": insmod registered the module and its misc device. */
TEST(module_is_loaded)
{
	struct stat st;

	ASSERT_EQ(0, stat("/sys/module/vns", &st));
	ASSERT_TRUE(S_ISDIR(st.st_mode));
}

/* /dev/vns is a character device of mode 0666, as the module registers it. */
TEST(device_node_mode_0666)
{
	struct stat st;

	ASSERT_EQ(0, stat(VNS_DEV, &st));
	ASSERT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(10, major(st.st_rdev)); /* MISC_MAJOR */
	EXPECT_EQ(0666, st.st_mode & 07777);
}

static int open_dev(void *arg)
{
	int fd = open(VNS_DEV, O_RDWR | O_CLOEXEC);

	(void)arg;
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* Unprivileged users must be able to open /dev/vns (they may create user vns). */
TEST(open_unprivileged)
{
	ASSERT_EQ(0, vns_run_unprivileged(open_dev, NULL));
}

TEST(open_current_identity)
{
	ASSERT_EQ(0, open_dev(NULL));
}

/* An unknown command is ENOTTY, whatever its type, number, direction or size. */
TEST(unknown_ioctl_enotty)
{
	static const unsigned long cmds[] = {
		_IO(0xB9, 0),	      /* number 0 is not a command */
		_IO(0xB9, 0x7f),      /* beyond the last command */
		_IOWR(0xB9, 0xff, long),
		_IO('x', 1),	      /* another type */
		_IOR('|', 0x81, int), /* rust_misc_device's GET_VALUE */
		0,
	};
	int fd = open(VNS_DEV, O_RDWR | O_CLOEXEC);
	unsigned int i;
	long word = 0;

	ASSERT_LE(0, fd);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, cmds[i], &word)) TH_LOG("cmd %#lx", cmds[i]);
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", cmds[i]);
	}
	close(fd);
}

/* The device is not a byte stream: read and write are not supported. */
TEST(read_write_rejected)
{
	char buf[8];
	int fd = open(VNS_DEV, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(fd, buf, sizeof(buf)));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST_HARNESS_MAIN
