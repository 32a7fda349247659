// SPDX-License-Identifier: GPL-2.0
/*
 * ID maps (Documentation/userspace-api/vns.rst "VNS_IOC_SET_ID_MAP"; kernel/user_namespace.c
 * map_write/new_idmap_permitted): written once, 1 to 340 extents, no overlap inside or outside, no wrap,
 * validation before permission, lower ids in the parent's ids, and the unprivileged owner's
 * one-extent-onto-itself case.
 */
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "vns_peer.h"

static int write_map(int fd, uint64_t ns, uint32_t which, const struct vns_id_extent *e, uint32_t nr)
{
	struct vns_id_map m = { .user_ns_id = ns, .which = which, .nr_extents = nr, .extents = (uintptr_t)e };

	return vns_ioctl(fd, VNS_IOC_SET_ID_MAP, &m);
}

/* A child that unshares a user vns (maps unwritten) and runs `fn(fd, new user ns id, its outside ids)`. */
struct ctx {
	int fd;
	uint64_t ns;
	uint32_t uid, gid; /* the caller's ids as the parent user vns sees them */
};

static int in_new_user_vns(int (*fn)(struct ctx *))
{
	struct vns_info before, after;
	struct ctx c;

	c.fd = vns_open();
	if (c.fd < 0 || vns_get_info(c.fd, &before))
		return 90;
	if (vns_unshare(c.fd, CLONE_NEWUSER, NULL) || vns_get_info(c.fd, &after))
		return 91;
	c.ns = after.ns_id[VNS_KIND_USER];
	c.uid = before.uid;
	c.gid = before.gid;
	return fn(&c);
}

#define RUN_CHILD(fn) vns_in_child((int (*)(void *))in_new_user_vns, (void *)(fn))

static int written_once(struct ctx *c)
{
	struct vns_id_extent bad = { 0, c->uid, 0 };
	struct vns_info info;

	if (vns_set_map1(c->fd, c->ns, VNS_MAP_UID, 0, c->uid, 1))
		return 1;
	/* The second write, valid or not, is EPERM (map_write: "only one successful write"). */
	if (vns_set_map1(c->fd, c->ns, VNS_MAP_UID, 0, c->uid, 1) != -EPERM)
		return 2;
	if (write_map(c->fd, c->ns, VNS_MAP_UID, &bad, 1) != -EPERM)
		return 3;
	if (write_map(c->fd, c->ns, VNS_MAP_UID, &bad, 0) != -EPERM)
		return 4;
	if (vns_get_info(c->fd, &info) || info.uid != 0 || info.gid != 65534)
		return 5;
	/* The gid map is separate. */
	if (vns_set_map1(c->fd, c->ns, VNS_MAP_GID, 0, c->gid, 1) || vns_get_info(c->fd, &info) || info.gid != 0)
		return 6;
	return vns_set_map1(c->fd, c->ns, VNS_MAP_GID, 0, c->gid, 1) == -EPERM ? 0 : 7;
}

/* Written once per namespace and kind; a second write is EPERM. */
TEST(map_written_once)
{
	EXPECT_EQ(0, vns_in_child_as(VNS_TEST_UID, (int (*)(void *))in_new_user_vns, (void *)written_once));
	EXPECT_EQ(0, RUN_CHILD(written_once));
}

static int invalid_maps(struct ctx *c)
{
	static struct vns_id_extent many[341];
	const struct {
		struct vns_id_extent e[2];
		uint32_t nr;
	} bad[] = {
		{ { { 0, c->uid, 0 } }, 1 },				   /* count 0 */
		{ { { 0, c->uid, 10 }, { 5, c->uid + 100, 10 } }, 2 },	   /* inside ranges overlap */
		{ { { 0, c->uid, 10 }, { 100, c->uid + 5, 10 } }, 2 },	   /* outside ranges overlap */
		{ { { 0xfffffff0u, c->uid, 0x20 } }, 1 },		   /* first + count wraps */
		{ { { 0, 0xfffffff0u, 0x20 } }, 1 },			   /* lower_first + count wraps */
		{ { { 0, c->uid, 1 } }, 0 },				   /* no extent */
	};
	struct vns_info info;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (write_map(c->fd, c->ns, VNS_MAP_UID, bad[i].e, bad[i].nr) != -EINVAL)
			return 10 + i;
	for (i = 0; i < 341; i++)
		many[i] = (struct vns_id_extent){ i, c->uid, 1 };
	if (write_map(c->fd, c->ns, VNS_MAP_UID, many, 341) != -EINVAL)
		return 20;
	/* Nothing was written: still unmapped, and a valid map goes in. */
	if (vns_get_info(c->fd, &info) || info.uid != 65534)
		return 21;
	return vns_set_map1(c->fd, c->ns, VNS_MAP_UID, 0, c->uid, 1) ? 22 : 0;
}

/* 1 to 340 extents, count >= 1, no overlap inside or outside, no wrap: EINVAL, nothing written. */
TEST(invalid_maps_einval)
{
	EXPECT_EQ(0, vns_in_child_as(VNS_TEST_UID, (int (*)(void *))in_new_user_vns, (void *)invalid_maps));
}

static int unprivileged_permission(struct ctx *c)
{
	struct vns_id_extent two[2] = { { 0, c->uid, 1 }, { 1, c->uid + 1, 1 } };
	struct vns_id_extent overlap_and_foreign[2] = { { 0, c->uid + 7, 10 }, { 5, c->uid + 50, 10 } };

	/* Validation comes before permission: an invalid map that would also be refused is EINVAL. */
	if (write_map(c->fd, c->ns, VNS_MAP_UID, overlap_and_foreign, 2) != -EINVAL)
		return 1;
	/* Another uid, a longer range, or two extents need CAP_SETUID in the parent. */
	if (vns_set_map1(c->fd, c->ns, VNS_MAP_UID, 0, c->uid + 1, 1) != -EPERM)
		return 2;
	if (vns_set_map1(c->fd, c->ns, VNS_MAP_UID, 0, c->uid, 2) != -EPERM)
		return 3;
	if (write_map(c->fd, c->ns, VNS_MAP_UID, two, 2) != -EPERM)
		return 4;
	if (vns_set_map1(c->fd, c->ns, VNS_MAP_GID, 0, c->gid + 1, 1) != -EPERM)
		return 5;
	/* The owner mapping one id onto its own euid/egid: allowed (unshare -r). */
	if (vns_set_map1(c->fd, c->ns, VNS_MAP_UID, 7, c->uid, 1))
		return 6;
	return vns_set_map1(c->fd, c->ns, VNS_MAP_GID, 7, c->gid, 1) ? 7 : 0;
}

/* Without CAP_SETUID/CAP_SETGID in the parent, only the owner's one extent onto itself. */
TEST(unprivileged_owner_maps_only_itself)
{
	EXPECT_EQ(0, vns_in_child_as(VNS_TEST_UID, (int (*)(void *))in_new_user_vns,
				     (void *)unprivileged_permission));
}

/* A peer in a new user vns whose maps a root task outside writes: map_id_up of two kuids. */
static int check_mapped_ids(void *arg, int out, int in)
{
	int fd = vns_open(), status;
	struct vns_info info;
	char c;
	pid_t pid;

	(void)arg;
	if (fd < 0 || vns_unshare(fd, CLONE_NEWUSER, NULL) || vns_get_info(fd, &info))
		return 1;
	if (write(out, &info.ns_id[VNS_KIND_USER], 8) != 8 || read(in, &c, 1) != 1)
		return 2;
	/* kuid 1005 reads as 5 inside, kgid 1003 as 3, kuid 2000 as the overflow id. */
	pid = fork();
	if (pid == 0) {
		if (syscall(SYS_setresgid, 1003, 1003, 1003) || syscall(SYS_setresuid, 1005, 1005, 1005))
			_exit(3);
		_exit(vns_get_info(fd, &info) || info.uid != 5 || info.gid != 3 ? 4 : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return 5;
	pid = fork();
	if (pid == 0) {
		if (syscall(SYS_setresuid, 2000, 2000, 2000))
			_exit(6);
		_exit(vns_get_info(fd, &info) || info.uid != 65534 ? 7 : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return 8;
	return 0;
}

/*
 * With CAP_SETUID/CAP_SETGID in the parent (root in init, writing from outside as newuidmap
 * does) any valid range maps; the ids then map up as map_id_up does. A root task inside the new
 * namespace has no capability in the parent, so the same write from inside is EPERM.
 */
TEST(root_maps_a_range_and_ids_map_up)
{
	struct peer p;
	uint64_t ns = 0;
	int fd = vns_open();

	if (getuid() != 0)
		SKIP(return, "needs root");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, peer_start(&p, check_mapped_ids, NULL));
	ASSERT_EQ(8, read(p.rd, &ns, 8));
	EXPECT_EQ(0, vns_set_map1(fd, ns, VNS_MAP_UID, 0, 1000, 10));
	EXPECT_EQ(0, vns_set_map1(fd, ns, VNS_MAP_GID, 0, 1000, 10));
	/* Go on: the peer checks the ids and exits. */
	EXPECT_EQ(0, peer_finish(&p));
	close(fd);
}

static int root_inside_cannot_map_range(struct ctx *c)
{
	return vns_set_map1(c->fd, c->ns, VNS_MAP_UID, 0, 1000, 10) == -EPERM ? 0 : 1;
}

TEST(root_inside_new_user_vns_cannot_map_a_range)
{
	EXPECT_EQ(0, RUN_CHILD(root_inside_cannot_map_range));
}

static int nested_lower_ids(void *arg)
{
	struct vns_info u1, u2;
	int fd = vns_open();

	(void)arg;
	if (fd < 0 || vns_unshare_map_root(fd, 0) || vns_get_info(fd, &u1))
		return 1;
	if (vns_unshare(fd, CLONE_NEWUSER, NULL) || vns_get_info(fd, &u2))
		return 2;
	/* lower_first is in the parent's ids: the caller is 0 in U1, not its kuid. */
	if (vns_set_map1(fd, u2.ns_id[VNS_KIND_USER], VNS_MAP_UID, 0, getuid(), 1) != -EPERM &&
	    getuid() != 0)
		return 3;
	if (vns_set_map1(fd, u2.ns_id[VNS_KIND_USER], VNS_MAP_UID, 0, 0, 1))
		return 4;
	if (vns_get_info(fd, &u2) || u2.uid != 0 || u2.user_level != u1.user_level + 1)
		return 5;
	return 0;
}

/* `lower_first` is expressed in the parent namespace's ids, as in /proc/PID/uid_map. */
TEST(lower_ids_are_the_parents)
{
	EXPECT_EQ(0, vns_in_child_as(VNS_TEST_UID, nested_lower_ids, NULL));
}

static int other_ns_map(void *arg)
{
	uint64_t init_user = *(uint64_t *)arg;
	int fd = vns_open();

	if (fd < 0)
		return 1;
	/* The init user vns's maps are written at load. */
	if (vns_set_map1(fd, init_user, VNS_MAP_UID, 0, 0, 1) != -EPERM)
		return 2;
	/* Unknown id: ENOENT; not a user vns: EINVAL; which > 1: EINVAL. */
	if (vns_set_map1(fd, 0xfffffffffffull, VNS_MAP_UID, 0, 0, 1) != -ENOENT)
		return 3;
	return 0;
}

TEST(map_of_init_or_unknown_ns)
{
	struct vns_info info;
	struct vns_id_extent e = { 0, 0, 1 };
	struct vns_id_map m;
	int fd = vns_open();
	uint64_t init_user;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &info));
	init_user = info.ns_id[VNS_KIND_USER];
	EXPECT_EQ(0, vns_in_child(other_ns_map, &init_user));
	EXPECT_EQ(-EINVAL, vns_set_map1(fd, info.ns_id[VNS_KIND_UTS], VNS_MAP_UID, 0, 0, 1));
	m = (struct vns_id_map){ .user_ns_id = init_user, .which = 2, .nr_extents = 1, .extents = (uintptr_t)&e };
	EXPECT_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_SET_ID_MAP, &m));
	close(fd);
}

TEST_HARNESS_MAIN
