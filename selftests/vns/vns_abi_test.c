// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl ABI's size rules (Documentation/userspace-api/vns.rst "Commands", "Struct sizes" and
 * "Summary"): the command numbers, structs smaller than v1 (EINVAL), larger ones with a zero tail
 * (accepted, written as copy_struct_to_user) or a non-zero tail (E2BIG), and bad user pointers (EFAULT).
 * A failed call changes nothing.
 *
 * Every test runs as root and as uid 1000; those that change membership first make a user vns of their
 * own, so they need no real privilege.
 */
#include <stdint.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "vns_test.h"

#define VNS_CMD(dir, nr, size) _IOC(dir, VNS_IOC_MAGIC, nr, size)

/* Each command: its number, direction, struct size today, and the smallest size it accepts. */
static const struct {
	unsigned int nr, dir;
	size_t size, min;
} abi_cmds[] = {
	{ 1, _IOC_READ | _IOC_WRITE, sizeof(struct vns_unshare), sizeof(struct vns_unshare) },
	{ 2, _IOC_READ, sizeof(struct vns_info), VNS_INFO_SIZE_VER0 },
	{ 3, _IOC_WRITE, sizeof(struct vns_setns), sizeof(struct vns_setns) },
	{ 4, _IOC_READ, sizeof(struct vns_uts), sizeof(struct vns_uts) },
	{ 5, _IOC_WRITE, sizeof(struct vns_uts_name), sizeof(struct vns_uts_name) },
	{ 6, _IOC_WRITE, sizeof(struct vns_id_map), sizeof(struct vns_id_map) },
	{ 7, _IOC_READ | _IOC_WRITE, sizeof(struct vns_mount), sizeof(struct vns_mount) },
	{ 8, _IOC_WRITE, sizeof(struct vns_umount), sizeof(struct vns_umount) },
	{ 9, _IOC_READ | _IOC_WRITE, sizeof(struct vns_list), sizeof(struct vns_list) },
	{ 10, _IOC_READ | _IOC_WRITE, sizeof(struct vns_list), sizeof(struct vns_list) },
	{ 11, _IOC_READ | _IOC_WRITE, sizeof(struct vns_ucounts), sizeof(struct vns_ucounts) },
	{ 12, _IOC_WRITE, sizeof(struct vns_time_offsets), sizeof(struct vns_time_offsets) },
	{ 13, _IOC_READ, sizeof(struct vns_time_offsets), sizeof(struct vns_time_offsets) },
	{ 14, _IOC_READ | _IOC_WRITE, sizeof(struct vns_clock_ts), sizeof(struct vns_clock_ts) },
	{ 15, _IOC_READ | _IOC_WRITE, sizeof(struct vns_id_map), sizeof(struct vns_id_map) },
	{ 16, _IOC_READ | _IOC_WRITE, sizeof(struct vns_task_info), sizeof(struct vns_task_info) },
	{ 17, _IOC_WRITE, sizeof(struct vns_setns_task), sizeof(struct vns_setns_task) },
	{ 18, _IOC_WRITE, sizeof(struct vns_ns_fd), sizeof(struct vns_ns_fd) },
};

/* The command table above encodes the header's commands (type 0xB9, number, size). */
TEST(abi_command_table)
{
	static const unsigned long cmds[] = {
		VNS_IOC_UNSHARE, VNS_IOC_GET_INFO, VNS_IOC_SETNS, VNS_IOC_GET_UTS, VNS_IOC_SET_UTS,
		VNS_IOC_SET_ID_MAP, VNS_IOC_MOUNT, VNS_IOC_UMOUNT, VNS_IOC_LIST_MOUNTS, VNS_IOC_LIST_NS,
		VNS_IOC_GET_UCOUNTS, VNS_IOC_SET_TIME_OFFSETS, VNS_IOC_GET_TIME_OFFSETS, VNS_IOC_CLOCK_GETTIME,
		VNS_IOC_GET_ID_MAP, VNS_IOC_GET_TASK_INFO, VNS_IOC_SETNS_TASK, VNS_IOC_NS_FD,
	};

	ASSERT_EQ(ARRAY_SIZE(cmds), ARRAY_SIZE(abi_cmds));
	for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++) {
		EXPECT_EQ(i + 1, abi_cmds[i].nr);
		EXPECT_EQ(cmds[i], VNS_CMD(abi_cmds[i].dir, abi_cmds[i].nr, abi_cmds[i].size));
	}
	/* An unknown number past the last: ENOTTY. */
	{
		int fd = vns_open();
		uint64_t buf[8] = { 0 };

		ASSERT_LE(0, fd);
		EXPECT_EQ(-ENOTTY, vns_ioctl(fd, VNS_CMD(_IOC_READ | _IOC_WRITE, 19, 16), buf));
		close(fd);
	}
}

/* A struct smaller than the smallest size (by _IOC_SIZE): EINVAL, for every command; nothing changes. */
TEST(abi_smaller_than_v1_einval)
{
	uint64_t buf[64];
	struct vns_info before, after;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &before));
	for (unsigned int i = 0; i < sizeof(abi_cmds) / sizeof(abi_cmds[0]); i++) {
		size_t sizes[] = { abi_cmds[i].min - 1, abi_cmds[i].min - 8, 0 };

		for (unsigned int s = 0; s < 3; s++) {
			memset(buf, 0, sizeof(buf));
			/* A plausible request: UNSHARE of a new user vns. */
			buf[0] = abi_cmds[i].nr == 1 ? CLONE_NEWUSER : 0;
			EXPECT_EQ(-EINVAL, vns_ioctl(fd, VNS_CMD(abi_cmds[i].dir, abi_cmds[i].nr, sizes[s]), buf))
				TH_LOG("nr %u size %zu", abi_cmds[i].nr, sizes[s]);
		}
	}
	ASSERT_EQ(0, vns_get_info(fd, &after));
	for (int k = 0; k < VNS_NR_KINDS; k++)
		EXPECT_EQ(before.ns_id[k], after.ns_id[k]);
	close(fd);
}

struct big_unshare {
	struct vns_unshare u;
	uint8_t tail[24];
};

struct big_info {
	struct vns_info i;
	uint8_t tail[40];
};

/* Larger than v1 with a zero tail works; the result is written as copy_struct_to_user. */
TEST(abi_larger_zero_tail_works)
{
	struct big_unshare bu;
	struct big_info bi;
	struct vns_info plain;
	struct {
		struct vns_list l;
		uint64_t tail[2];
	} bl;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	memset(&bu, 0, sizeof(bu));
	bu.u.flags = CLONE_NEWUSER | CLONE_NEWUTS;
	ASSERT_EQ(0, vns_ioctl(fd, VNS_CMD(_IOC_READ | _IOC_WRITE, 1, sizeof(bu)), &bu));
	EXPECT_EQ(CLONE_NEWUSER | CLONE_NEWUTS | CLONE_THREAD | CLONE_FS, bu.u.applied);
	for (unsigned int i = 0; i < sizeof(bu.tail); i++)
		EXPECT_EQ(0, bu.tail[i]);

	/* GET_INFO into a larger buffer: v1 then zeroes, whatever the tail held. */
	memset(&bi, 0xff, sizeof(bi));
	ASSERT_EQ(0, vns_ioctl(fd, VNS_CMD(_IOC_READ, 2, sizeof(bi)), &bi));
	ASSERT_EQ(0, vns_get_info(fd, &plain));
	EXPECT_EQ(0, memcmp(&plain, &bi.i, sizeof(plain)));
	for (unsigned int i = 0; i < sizeof(bi.tail); i++) {
		EXPECT_EQ(0, bi.tail[i]) TH_LOG("tail byte %u", i);
	}
	EXPECT_EQ(1, bi.i.user_level);

	memset(&bl, 0, sizeof(bl));
	ASSERT_EQ(0, vns_ioctl(fd, VNS_CMD(_IOC_READ | _IOC_WRITE, 10, sizeof(bl)), &bl));
	EXPECT_EQ(1, bl.l.nr); /* the uts vns this user vns owns */
	EXPECT_EQ(0, bl.tail[0]);
	EXPECT_EQ(0, bl.tail[1]);
	close(fd);
}

/* Larger than v1 with a non-zero tail: E2BIG, and nothing changed. */
TEST(abi_larger_nonzero_tail_e2big)
{
	struct big_unshare bu;
	struct vns_info before, after;
	struct vns_ucounts uc0, uc1;
	struct {
		struct vns_uts_name n;
		uint8_t tail[8];
	} bn;
	struct vns_uts uts;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &before));
	ASSERT_EQ(0, vns_get_ucounts(fd, 0, before.uid, &uc0));
	for (unsigned int pos = 0; pos < sizeof(bu.tail); pos += 7) {
		memset(&bu, 0, sizeof(bu));
		bu.u.flags = CLONE_NEWUSER | CLONE_NEWUTS;
		bu.tail[pos] = 1;
		EXPECT_EQ(-E2BIG, vns_ioctl(fd, VNS_CMD(_IOC_READ | _IOC_WRITE, 1, sizeof(bu)), &bu))
			TH_LOG("tail byte %u", pos);
	}
	ASSERT_EQ(0, vns_get_info(fd, &after));
	for (int k = 0; k < VNS_NR_KINDS; k++) {
		EXPECT_EQ(before.ns_id[k], after.ns_id[k]) TH_LOG("kind %s", vns_kind_name[k]);
	}
	ASSERT_EQ(0, vns_get_ucounts(fd, 0, before.uid, &uc1));
	EXPECT_EQ(uc0.count[VNS_KIND_USER], uc1.count[VNS_KIND_USER]);
	EXPECT_EQ(uc0.count[VNS_KIND_UTS], uc1.count[VNS_KIND_UTS]);

	/* A write command too: SET_UTS where it would be allowed. */
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS));
	ASSERT_EQ(0, vns_set_uts(fd, VNS_UTS_NODENAME, "kept"));
	memset(&bn, 0, sizeof(bn));
	bn.n.which = VNS_UTS_NODENAME;
	bn.n.len = 3;
	memcpy(bn.n.name, "new", 3);
	bn.tail[7] = 0x80;
	EXPECT_EQ(-E2BIG, vns_ioctl(fd, VNS_CMD(_IOC_WRITE, 5, sizeof(bn)), &bn));
	ASSERT_EQ(0, vns_get_uts(fd, &uts));
	EXPECT_STREQ("kept", uts.nodename);
	bn.tail[7] = 0;
	EXPECT_EQ(0, vns_ioctl(fd, VNS_CMD(_IOC_WRITE, 5, sizeof(bn)), &bn));
	ASSERT_EQ(0, vns_get_uts(fd, &uts));
	EXPECT_STREQ("new", uts.nodename);
	close(fd);
}

/* A bad user pointer: EFAULT (the argument itself, a list buffer, an extent array). */
TEST(abi_bad_pointer_efault)
{
	struct vns_info before, after;
	struct vns_id_map m = { 0 };
	struct vns_list l = { 0 };
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &before));
	EXPECT_EQ(-EFAULT, vns_ioctl(fd, VNS_IOC_GET_INFO, (void *)1));
	EXPECT_EQ(-EFAULT, vns_ioctl(fd, VNS_IOC_UNSHARE, (void *)1));
	EXPECT_EQ(-EFAULT, vns_ioctl(fd, VNS_IOC_GET_UTS, (void *)1));
	EXPECT_EQ(-EFAULT, vns_ioctl(fd, VNS_IOC_LIST_NS, (void *)1));
	l.buf = 1;
	l.cap = 100;
	EXPECT_EQ(-EFAULT, vns_ioctl(fd, VNS_IOC_LIST_NS, &l));
	EXPECT_EQ(-EFAULT, vns_ioctl(fd, VNS_IOC_LIST_MOUNTS, &l));
	ASSERT_EQ(0, vns_get_info(fd, &after));
	for (int k = 0; k < VNS_NR_KINDS; k++)
		EXPECT_EQ(before.ns_id[k], after.ns_id[k]);

	ASSERT_EQ(0, vns_unshare(fd, CLONE_NEWUSER, NULL));
	m.user_ns_id = vns_ns_id(fd, VNS_KIND_USER);
	m.which = VNS_MAP_UID;
	m.nr_extents = 1;
	m.extents = 1;
	EXPECT_EQ(-EFAULT, vns_ioctl(fd, VNS_IOC_SET_ID_MAP, &m));
	/* The map was not written: a good one still can be. */
	EXPECT_EQ(0, vns_set_map1(fd, m.user_ns_id, VNS_MAP_UID, 0, before.uid, 1));
	close(fd);
}

TEST_HARNESS_MAIN
