// SPDX-License-Identifier: GPL-2.0
/*
 * VNS_IOC_UNSHARE, who may and how deep (Documentation/vns.rst "Unshare", whose steps the comments below
 * name, and "Capabilities"): unprivileged NEWUSER and the full set it gives, the other kinds without and
 * with a user vns of the caller's own, a user vns without capabilities after exec, an unmapped creator,
 * and the nesting limits of user vns (33 below init) and pid vns (32). Every test that changes membership
 * does so in a child (the harness already runs each test in its own process).
 *
 * One test re-executes this binary: with VNS_UNSHARE_TEST_HELPER set in the environment, a constructor
 * runs the helper mode and exits with its result before the harness starts.
 */
#include "kselftest_harness.h"
#include "vns_test.h"

/* ---- a helper mode run after execve of this binary (the harness owns main) ---------------------- */

#define HELPER_ENV "VNS_UNSHARE_TEST_HELPER"

/* After exec in a user vns where the euid maps to nothing: no capabilities, so NEWUTS is EPERM. */
__attribute__((constructor)) static void helper_mode(void)
{
	const char *mode = getenv(HELPER_ENV);
	struct vns_info info;
	int fd;

	if (!mode)
		return;
	fd = vns_open();
	if (fd < 0)
		_exit(90);
	if (vns_get_info(fd, &info))
		_exit(91);
	if (!strcmp(mode, "nocaps_newuts")) {
		if (info.flags & VNS_INFO_FULL_CAPS)
			_exit(92);
		_exit(vns_unshare(fd, CLONE_NEWUTS, NULL) == -EPERM ? 0 : 93);
	}
	_exit(99);
}

static int exec_helper(const char *mode)
{
	char *const argv[] = { "vns_unshare_priv_test", NULL };

	setenv(HELPER_ENV, mode, 1);
	execv("/proc/self/exe", argv);
	return 98;
}

/* ---- privilege ------------------------------------------------------------------------------------ */

static int newuser_full_caps(void *arg)
{
	struct vns_info before, after;
	int ret = vns_info_around_unshare(CLONE_NEWUSER, &before, &after);

	(void)arg;
	if (ret)
		return ret;
	if (after.ns_id[VNS_KIND_USER] == before.ns_id[VNS_KIND_USER])
		return 13;
	if (after.user_level != before.user_level + 1)
		return 14;
	if (!(after.flags & VNS_INFO_FULL_CAPS))
		return 15;
	/* No map yet: the caller's ids read as the overflow id. */
	if (after.uid != 65534 || after.gid != 65534)
		return 16;
	/* The other kinds are unchanged. */
	for (int k = 1; k < VNS_NR_KINDS; k++)
		if (after.ns_id[k] != before.ns_id[k])
			return 17;
	return 0;
}

/* Step 3: unprivileged NEWUSER is allowed; the creator has the full set there ("Capabilities"). */
TEST(newuser_unprivileged_full_caps)
{
	EXPECT_EQ(0, vns_in_child_as(VNS_TEST_UID, newuser_full_caps, NULL));
}

static int try_each_kind_eperm(void *arg)
{
	int fd = vns_open(), k, bad = 0;

	(void)arg;
	if (fd < 0)
		return 10;
	for (k = 1; k < VNS_NR_KINDS; k++)
		if (vns_unshare(fd, vns_kind_flag[k], NULL) != -EPERM)
			bad |= 1 << k;
	return bad;
}

/* Step 4: every other NEW* flag, unprivileged in the init user vns, is EPERM. */
TEST(other_kinds_unprivileged_eperm)
{
	EXPECT_EQ(0, vns_in_child_as(VNS_TEST_UID, try_each_kind_eperm, NULL));
}

static int newuser_with_all(void *arg)
{
	struct vns_info before, after;
	int k, ret = vns_info_around_unshare(VNS_ALL_NS_FLAGS, &before, &after);

	(void)arg;
	if (ret)
		return ret;
	/* Every kind but pid and time is new; NEWPID and NEWTIME change the *_for_children only. */
	for (k = 0; k < VNS_NR_KINDS; k++) {
		if (k == VNS_KIND_PID || k == VNS_KIND_TIME) {
			if (after.ns_id[k] != before.ns_id[k])
				return 13;
		} else if (after.ns_id[k] == before.ns_id[k]) {
			return 20 + k;
		}
	}
	if (after.pid_for_children_id == before.pid_for_children_id)
		return 14;
	if (after.time_for_children_id == before.time_for_children_id)
		return 15;
	return 0;
}

/* Step 4: NEWUSER|NEWUTS (and every other kind) works unprivileged: CAP_SYS_ADMIN in the new one. */
TEST(newuser_with_other_kinds_unprivileged)
{
	EXPECT_EQ(0, vns_in_child_as(VNS_TEST_UID, newuser_with_all, NULL));
}

static int inside_without_caps(void *arg)
{
	/* No map written: after exec the euid maps to nothing, so the set is empty ("Capabilities"). */
	int fd = vns_open_in_new_user_vns(0);

	(void)arg;
	if (fd < 0)
		return 11;
	return exec_helper("nocaps_newuts");
}

/* Step 4: inside a user vns without capabilities ("Capabilities": dropped at exec), NEWUTS is EPERM. */
TEST(inside_user_vns_without_caps_eperm)
{
	EXPECT_EQ(0, vns_in_child(inside_without_caps, NULL));
}

static int unmapped_euid(void *arg)
{
	struct vns_info before, after;
	int fd = vns_open_in_new_user_vns(0);

	(void)arg;
	if (fd < 0)
		return 11;
	if (vns_get_info(fd, &before))
		return 12;
	/* The caller's euid is unmapped in its (new) user vns. */
	if (vns_unshare(fd, CLONE_NEWUSER, NULL) != -EPERM)
		return 13;
	if (vns_get_info(fd, &after) || memcmp(&before, &after, sizeof(before)))
		return 14;
	/* Once mapped, it works. */
	if (vns_set_map1(fd, before.ns_id[VNS_KIND_USER], VNS_MAP_UID, 0, getuid(), 1))
		return 15;
	if (vns_unshare(fd, CLONE_NEWUSER, NULL) != -EPERM) /* gid still unmapped */
		return 16;
	if (vns_set_map1(fd, before.ns_id[VNS_KIND_USER], VNS_MAP_GID, 0, getgid(), 1))
		return 17;
	return vns_unshare(fd, CLONE_NEWUSER, NULL) ? 18 : 0;
}

/* Step 3: EPERM when the caller's euid or egid is unmapped in its current user vns. */
TEST(unmapped_creator_eperm)
{
	EXPECT_EQ(0, vns_in_child_as(VNS_TEST_UID, unmapped_euid, NULL));
}

/* ---- depth ------------------------------------------------------------------------------------------ */

static int user_depth(void *arg)
{
	struct vns_info info;
	int fd = vns_open(), i;

	(void)arg;
	if (fd < 0)
		return 10;
	for (i = 1; i <= 33; i++) {
		if (vns_unshare_map_root(fd, 0))
			return 11;
		if (vns_get_info(fd, &info) || info.user_level != (uint32_t)i)
			return 12;
	}
	/* The 34th level below init fails, and nothing changes. */
	if (vns_unshare(fd, CLONE_NEWUSER, NULL) != -ENOSPC)
		return 13;
	if (vns_get_info(fd, &info) || info.user_level != 33)
		return 14;
	return 0;
}

/* Step 3: 33 nested user vns below init work, the 34th is ENOSPC. */
TEST(user_depth_33_then_enospc)
{
	EXPECT_EQ(0, vns_in_child(user_depth, NULL));
}

/* Each level: NEWPID, then a child continues one level deeper. */
static int pid_chain(int fd)
{
	struct vns_info info;
	int status;
	pid_t pid;

	if (vns_get_info(fd, &info))
		return 20;
	if (info.pid_level == 32)
		return vns_unshare(fd, CLONE_NEWPID, NULL) == -ENOSPC ? 0 : 21;
	if (vns_unshare(fd, CLONE_NEWPID, NULL))
		return 22;
	pid = fork();
	if (pid < 0)
		return 23;
	if (pid == 0) {
		struct vns_info c;

		if (vns_get_info(fd, &c) || c.pid_level != info.pid_level + 1 || c.pid != 1)
			_exit(24);
		_exit(pid_chain(fd));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 25;
	return WEXITSTATUS(status);
}

static int pid_depth(void *arg)
{
	/* CAP_SYS_ADMIN through a user vns, so this runs unprivileged too. */
	int fd = vns_open_in_new_user_vns(1);

	(void)arg;
	if (fd < 0)
		return 11;
	return pid_chain(fd);
}

/* Step 5: 32 levels of pid vns work (each task numbered 1 in its new one), the 33rd is ENOSPC. */
TEST(pid_depth_32_then_enospc)
{
	EXPECT_EQ(0, vns_in_child(pid_depth, NULL));
}

TEST_HARNESS_MAIN
