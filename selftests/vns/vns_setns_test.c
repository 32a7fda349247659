// SPDX-License-Identifier: GPL-2.0
/*
 * VNS_IOC_SETNS (Documentation/userspace-api/vns.rst "VNS_IOC_SETNS"): unknown ids, kind and flags
 * field checks, joining a sibling's uts vns, a pid vns (pid_for_children only, Documentation/vns.rst
 * "Inheritance, pid_for_children"), the caller's own user vns, and the capabilities a join needs.
 *
 * Every test runs as root and as uid 1000. Most first make a user vns of their own with
 * vns_unshare_map_root() (unprivileged NEWUSER is allowed, Documentation/vns.rst "Unshare"), so they hold
 * the full capability set there and need no real privilege. Work that must happen in another task runs
 * in a peer (vns_peer.h).
 */
#include <stdint.h>

#include "kselftest_harness.h"
#include "vns_peer.h"

static int setns_raw(int fd, uint64_t id, uint32_t kind, uint32_t flags)
{
	struct vns_setns s = { .id = id, .kind = kind, .flags = flags };

	return vns_ioctl(fd, VNS_IOC_SETNS, &s);
}

/* SETNS to an id that names no namespace: ENOENT. */
TEST(setns_unknown_id_enoent)
{
	int fd = vns_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOENT, vns_setns(fd, VNS_NO_SUCH_ID, VNS_KIND_UTS));
	EXPECT_EQ(-ENOENT, vns_setns(fd, VNS_NO_SUCH_ID, VNS_KIND_USER));
	EXPECT_EQ(-ENOENT, vns_setns(fd, 0, VNS_KIND_PID));
	close(fd);
}

/* SETNS with a kind that is not the namespace's: EINVAL. */
TEST(setns_kind_mismatch_einval)
{
	struct vns_info info;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS | CLONE_NEWIPC));
	ASSERT_EQ(0, vns_get_info(fd, &info));
	EXPECT_EQ(-EINVAL, vns_setns(fd, info.ns_id[VNS_KIND_UTS], VNS_KIND_IPC));
	EXPECT_EQ(-EINVAL, vns_setns(fd, info.ns_id[VNS_KIND_IPC], VNS_KIND_UTS));
	EXPECT_EQ(-EINVAL, vns_setns(fd, info.ns_id[VNS_KIND_USER], VNS_KIND_UTS));
	EXPECT_EQ(-EINVAL, vns_setns(fd, info.ns_id[VNS_KIND_UTS], VNS_KIND_USER));
	close(fd);
}

/* Kinds are 0..7 (VNS_NR_KINDS = 8); flags other than VNS_SETNS_FD are EINVAL. */
TEST(setns_bad_kind_or_reserved_einval)
{
	struct vns_info info;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS));
	ASSERT_EQ(0, vns_get_info(fd, &info));
	/* The well-formed call is allowed (full caps over our own uts vns)... */
	EXPECT_EQ(0, setns_raw(fd, info.ns_id[VNS_KIND_UTS], VNS_KIND_UTS, 0));
	/* ...so these fail for their field alone. */
	EXPECT_EQ(-EINVAL, setns_raw(fd, info.ns_id[VNS_KIND_UTS], VNS_KIND_UTS, 2));
	EXPECT_EQ(-EINVAL, setns_raw(fd, info.ns_id[VNS_KIND_UTS], VNS_KIND_UTS, 0x80000000u));
	/* With VNS_SETNS_FD the id is a file descriptor: not one (EBADF), or not a namespace fd (EINVAL). */
	EXPECT_EQ(-EBADF, setns_raw(fd, 1ULL << 40, VNS_KIND_UTS, VNS_SETNS_FD));
	EXPECT_EQ(-EBADF, setns_raw(fd, 100000, VNS_KIND_UTS, VNS_SETNS_FD));
	EXPECT_EQ(-EINVAL, setns_raw(fd, fd, VNS_KIND_UTS, VNS_SETNS_FD));
	EXPECT_EQ(-EINVAL, setns_raw(fd, info.ns_id[VNS_KIND_UTS], VNS_NR_KINDS, 0));
	EXPECT_EQ(-EINVAL, setns_raw(fd, info.ns_id[VNS_KIND_UTS], 0xffffffffu, 0));
	EXPECT_EQ(info.ns_id[VNS_KIND_UTS], vns_ns_id(fd, VNS_KIND_UTS));
	close(fd);
}

struct named_uts {
	int fd;
	const char *name;
};

/* Makes a uts vns (in the current user vns) named arg->name, reports its id, then the domainname it sees. */
static int peer_make_uts(void *arg, int out, int in)
{
	struct named_uts *n = arg;
	struct vns_uts uts;
	uint64_t id;

	if (vns_unshare(n->fd, CLONE_NEWUTS, NULL) || vns_set_uts(n->fd, VNS_UTS_NODENAME, n->name))
		return 2;
	id = vns_ns_id(n->fd, VNS_KIND_UTS);
	if (write_full(out, &id, sizeof(id)))
		return 3;
	peer_wait(in);
	if (vns_get_uts(n->fd, &uts))
		return 4;
	return write_full(out, &uts, sizeof(uts)) ? 5 : 0;
}

/*
 * Joining a sibling's uts vns (owned by a user vns where the caller has CAP_SYS_ADMIN) makes the
 * caller a member: it sees the sibling's names, and a name it sets is seen by the sibling.
 */
TEST(setns_join_sibling_uts)
{
	struct named_uts n;
	struct vns_uts uts, seen;
	struct peer p;
	uint64_t sib, mine;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, 0));
	n.fd = fd;
	n.name = "sibling-a";
	ASSERT_EQ(0, peer_start(&p, peer_make_uts, &n));
	ASSERT_EQ(0, read_full(p.rd, &sib, sizeof(sib)));

	ASSERT_EQ(0, vns_unshare(fd, CLONE_NEWUTS, NULL));
	ASSERT_EQ(0, vns_set_uts(fd, VNS_UTS_NODENAME, "self-b"));
	mine = vns_ns_id(fd, VNS_KIND_UTS);
	ASSERT_NE(sib, mine);

	ASSERT_EQ(0, vns_setns(fd, sib, VNS_KIND_UTS));
	EXPECT_EQ(sib, vns_ns_id(fd, VNS_KIND_UTS));
	ASSERT_EQ(0, vns_get_uts(fd, &uts));
	EXPECT_STREQ("sibling-a", uts.nodename);
	ASSERT_EQ(0, vns_set_uts(fd, VNS_UTS_DOMAINNAME, "shared.dom"));
	peer_go(p.wr);
	ASSERT_EQ(0, read_full(p.rd, &seen, sizeof(seen)));
	EXPECT_STREQ("sibling-a", seen.nodename);
	EXPECT_STREQ("shared.dom", seen.domainname);
	EXPECT_EQ(0, peer_finish(&p));
	/* The uts vns we left had no other member: it is gone. */
	EXPECT_EQ(-ENOENT, vns_setns(fd, mine, VNS_KIND_UTS));
	close(fd);
}

static int peer_newpid(void *arg, int out, int in)
{
	int fd = *(int *)arg;
	struct vns_info info;

	if (vns_unshare(fd, CLONE_NEWPID, NULL) || vns_get_info(fd, &info))
		return 2;
	if (write_full(out, &info.pid_for_children_id, sizeof(info.pid_for_children_id)))
		return 3;
	peer_wait(in);
	return 0;
}

static int child_in_pid_ns(void *arg)
{
	struct expect_info *e = arg;
	struct vns_info info;

	C_EQ(0, vns_get_info(e->fd, &info));
	C_EQ(e->want.pid_for_children_id, info.ns_id[VNS_KIND_PID]);
	C_EQ(e->want.pid_for_children_id, info.pid_for_children_id);
	C_EQ(e->want.pid_level + 1, info.pid_level);
	C_EQ(1, info.pid);
	return 0;
}

/* Joining a pid vns sets pid_for_children only; the caller's own pid vns and number stay. */
TEST(setns_pid_sets_pid_for_children_only)
{
	struct vns_info before, after;
	struct expect_info e;
	struct peer p;
	uint64_t pidns;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, 0));
	ASSERT_EQ(0, peer_start(&p, peer_newpid, &fd));
	ASSERT_EQ(0, read_full(p.rd, &pidns, sizeof(pidns)));
	ASSERT_EQ(0, vns_get_info(fd, &before));
	ASSERT_NE(pidns, before.ns_id[VNS_KIND_PID]);

	ASSERT_EQ(0, vns_setns(fd, pidns, VNS_KIND_PID));
	ASSERT_EQ(0, vns_get_info(fd, &after));
	EXPECT_EQ(pidns, after.pid_for_children_id);
	EXPECT_EQ(before.ns_id[VNS_KIND_PID], after.ns_id[VNS_KIND_PID]);
	EXPECT_EQ(before.pid_level, after.pid_level);
	EXPECT_EQ(getpid(), after.pid);
	/* Our next child is the first task in it. */
	e.fd = fd;
	e.want = after;
	EXPECT_EQ(0, vns_in_child(child_in_pid_ns, &e));
	EXPECT_EQ(0, peer_finish(&p));
	close(fd);
}

/* Joining the user vns the caller is already in: EINVAL (as userns_install). */
TEST(setns_own_user_vns_einval)
{
	int fd = vns_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, vns_setns(fd, vns_ns_id(fd, VNS_KIND_USER), VNS_KIND_USER));
	ASSERT_EQ(0, vns_unshare_map_root(fd, 0));
	EXPECT_EQ(-EINVAL, vns_setns(fd, vns_ns_id(fd, VNS_KIND_USER), VNS_KIND_USER));
	close(fd);
}

struct join_try {
	int fd;
	uid_t owner_uid; /* of the target user vns */
	struct owned_ids ids;
};

/* Unprivileged in init (uid 1001 when the test runs as root): no CAP_SYS_ADMIN in its own user vns. */
static int child_join_from_init(void *arg)
{
	struct join_try *j = arg;
	struct vns_uts uts;

	if (getuid() == 0 &&
	    (setgroups(0, NULL) || setresgid(1001, 1001, 1001) || setresuid(1001, 1001, 1001)))
		return 2;
	/* Owner rule or not, no CAP_SYS_ADMIN in its own (init) user vns: EPERM. */
	C_EQ(-EPERM, vns_setns(j->fd, j->ids.uts, VNS_KIND_UTS));
	C_EQ(0, vns_get_uts(j->fd, &uts));
	C_TRUE(strcmp(uts.nodename, "foreign") != 0);
	if (geteuid() != j->owner_uid) {
		/* Not the owner of the target user vns, no caps in init: EPERM. */
		C_EQ(-EPERM, vns_setns(j->fd, j->ids.user, VNS_KIND_USER));
	} else {
		/* cap_capable: the owner, in the parent, has every capability in it: it may join. */
		C_EQ(0, vns_setns(j->fd, j->ids.user, VNS_KIND_USER));
		C_EQ(j->ids.user, vns_ns_id(j->fd, VNS_KIND_USER));
	}
	return 0;
}

/* Inside a user vns of its own (full caps there), but none in the sibling user vns owning the target. */
static int child_join_from_own_userns(void *arg)
{
	struct join_try *j = arg;
	struct vns_info info;

	C_EQ(0, vns_unshare_map_root(j->fd, 0));
	C_EQ(0, vns_get_info(j->fd, &info));
	C_EQ(VNS_INFO_FULL_CAPS, info.flags & VNS_INFO_FULL_CAPS);
	C_EQ(-EPERM, vns_setns(j->fd, j->ids.uts, VNS_KIND_UTS));
	C_EQ(-EPERM, vns_setns(j->fd, j->ids.user, VNS_KIND_USER));
	return 0;
}

/* Root in init: CAP_SYS_ADMIN in init covers every descendant user vns. */
static int child_join_as_root(void *arg)
{
	struct join_try *j = arg;
	struct vns_uts uts;

	C_EQ(0, vns_setns(j->fd, j->ids.uts, VNS_KIND_UTS));
	C_EQ(0, vns_get_uts(j->fd, &uts));
	C_STREQ("foreign", uts.nodename);
	return 0;
}

/*
 * A non-user kind needs CAP_SYS_ADMIN in the target's owning user vns AND in the caller's own; a user
 * vns needs CAP_SYS_ADMIN in it (Documentation/vns.rst "Capabilities": its owner, from the parent, has
 * it). Without: EPERM.
 */
TEST(setns_without_caps_eperm)
{
	struct join_try j = { .fd = vns_open(), .owner_uid = getuid() == 0 ? VNS_TEST_UID : getuid() };
	struct peer p;

	ASSERT_LE(0, j.fd);
	/* A user vns of another user (uid 1000 when the test runs as root) with a uts vns in it. */
	ASSERT_EQ(0, sibling_start(&p, j.fd, 1, "foreign", &j.ids));
	EXPECT_EQ(0, vns_in_child(child_join_from_init, &j));
	EXPECT_EQ(0, vns_in_child(child_join_from_own_userns, &j));
	if (getuid() == 0)
		EXPECT_EQ(0, vns_in_child(child_join_as_root, &j));
	EXPECT_EQ(0, peer_finish(&p));
	close(j.fd);
}

TEST_HARNESS_MAIN
