// SPDX-License-Identifier: GPL-2.0
/*
 * VNS_IOC_GET_UCOUNTS (Documentation/vns.rst "ucounts"; Documentation/userspace-api/vns.rst
 * "VNS_IOC_GET_UCOUNTS"): the caller's own counts and limits without privilege, the charge at every level
 * of the user vns chain and its synchronous release, the subtree a caller may read, and the argument
 * checks.
 *
 * Every test runs as root and as uid 1000. Most first make a user vns of their own with
 * vns_unshare_map_root() (unprivileged NEWUSER is allowed, Documentation/vns.rst "Unshare"), so they hold
 * the full capability set there and need no real privilege. Work that must happen in another task runs
 * in a peer (vns_peer.h).
 */
#include <limits.h>
#include <stdint.h>

#include "kselftest_harness.h"
#include "vns_peer.h"

static int child_ucounts_own(void *arg)
{
	int fd = *(int *)arg;
	struct vns_ucounts uc;

	C_EQ(0, vns_get_ucounts(fd, 0, getuid(), &uc));
	for (int k = 0; k < VNS_NR_KINDS; k++) {
		long lim = -1;

		C_EQ(0, vns_read_limit(k, &lim));
		C_EQ(lim, uc.max[k]);
	}
	/* In a new user vns: limits at INT_MAX, nothing charged to (it, 0) yet. */
	C_EQ(0, vns_unshare_map_root(fd, 0));
	C_EQ(0, vns_get_ucounts(fd, 0, 0, &uc));
	for (int k = 0; k < VNS_NR_KINDS; k++) {
		C_EQ(INT_MAX, uc.max[k]);
		C_EQ(0, uc.count[k]);
	}
	return 0;
}

/*
 * GET_UCOUNTS of the caller's own user vns (id 0) needs no privilege; max[] are its limits
 * (Documentation/admin-guide/vns-sysctl.rst; Documentation/vns.rst "Limits": INT_MAX in a new user vns).
 */
TEST(ucounts_own_user_vns_unprivileged)
{
	int fd = vns_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, vns_run_unprivileged(child_ucounts_own, &fd));
	EXPECT_EQ(0, vns_in_child(child_ucounts_own, &fd));
	close(fd);
}

/* Creates U (root mapped) + a uts vns in it, checks (U, 0) from inside, reports U. */
static int peer_charge(void *arg, int out, int in)
{
	int fd = *(int *)arg;
	struct vns_ucounts uc;
	uint64_t u;

	C_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS));
	C_EQ(0, vns_get_ucounts(fd, 0, 0, &uc));
	C_EQ(1, uc.count[VNS_KIND_UTS]);
	C_EQ(0, uc.count[VNS_KIND_USER]);
	u = vns_ns_id(fd, VNS_KIND_USER);
	C_EQ(0, write_full(out, &u, sizeof(u)));
	peer_wait(in);
	return 0;
}

/*
 * Documentation/vns.rst "The charge walk": a uts vns owned by U and created by C is charged to (U, C) and
 * then to (U.parent, U.owner), up to init; the user vns U itself to (init, C). Released synchronously
 * when the last member exits.
 */
TEST(ucounts_charged_at_every_level)
{
	struct vns_ucounts base, mid, inner, after;
	struct peer p;
	uint64_t u;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_ucounts(fd, 0, geteuid(), &base));
	ASSERT_EQ(0, peer_start(&p, peer_charge, &fd));
	ASSERT_EQ(0, read_full(p.rd, &u, sizeof(u)));

	ASSERT_EQ(0, vns_get_ucounts(fd, 0, geteuid(), &mid));
	EXPECT_EQ(base.count[VNS_KIND_USER] + 1, mid.count[VNS_KIND_USER]);
	EXPECT_EQ(base.count[VNS_KIND_UTS] + 1, mid.count[VNS_KIND_UTS]);
	EXPECT_EQ(base.count[VNS_KIND_IPC], mid.count[VNS_KIND_IPC]);
	/* (U, creator) as seen from init: the same kuid. */
	ASSERT_EQ(0, vns_get_ucounts(fd, u, geteuid(), &inner));
	EXPECT_EQ(1, inner.count[VNS_KIND_UTS]);
	EXPECT_EQ(0, inner.count[VNS_KIND_USER]);
	EXPECT_EQ(INT_MAX, inner.max[VNS_KIND_UTS]);

	EXPECT_EQ(0, peer_finish(&p));
	ASSERT_EQ(0, vns_get_ucounts(fd, 0, geteuid(), &after));
	for (int k = 0; k < VNS_NR_KINDS; k++) {
		EXPECT_EQ(base.count[k], after.count[k]) TH_LOG("kind %s", vns_kind_name[k]);
	}
	EXPECT_EQ(-ENOENT, vns_get_ucounts(fd, u, geteuid(), &after));
	close(fd);
}

struct ucounts_scope {
	int fd;
	uint64_t init_user, sibling_user;
};

static int child_ucounts_scope(void *arg)
{
	struct ucounts_scope *s = arg;
	struct vns_ucounts uc;
	uint64_t own;

	C_EQ(0, vns_unshare_map_root(s->fd, 0));
	own = vns_ns_id(s->fd, VNS_KIND_USER);
	C_EQ(0, vns_get_ucounts(s->fd, own, 0, &uc));
	C_EQ(-EPERM, vns_get_ucounts(s->fd, s->sibling_user, 0, &uc));
	C_EQ(-EPERM, vns_get_ucounts(s->fd, s->init_user, 0, &uc));
	return 0;
}

/* GET_UCOUNTS outside the caller's user vns subtree: EPERM (a sibling, or init from inside). */
TEST(ucounts_outside_subtree_eperm)
{
	struct ucounts_scope s;
	struct owned_ids sib;
	struct vns_ucounts uc;
	struct peer p;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sibling_start(&p, fd, 0, NULL, &sib));
	s.fd = fd;
	s.init_user = vns_ns_id(fd, VNS_KIND_USER);
	s.sibling_user = sib.user;
	EXPECT_EQ(0, vns_in_child(child_ucounts_scope, &s));
	/* From init, the sibling is a descendant: visible. */
	EXPECT_EQ(0, vns_get_ucounts(fd, sib.user, geteuid(), &uc));
	EXPECT_EQ(1, uc.count[VNS_KIND_UTS]);
	EXPECT_EQ(0, vns_get_ucounts(fd, s.init_user, geteuid(), &uc));
	EXPECT_EQ(0, peer_finish(&p));
	close(fd);
}

/* GET_UCOUNTS of an unknown id: ENOENT; reserved != 0: EINVAL. */
TEST(ucounts_unknown_enoent_reserved_einval)
{
	struct vns_ucounts uc;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOENT, vns_get_ucounts(fd, VNS_NO_SUCH_ID, getuid(), &uc));
	memset(&uc, 0, sizeof(uc));
	uc.uid = getuid();
	uc.reserved = 1;
	EXPECT_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_GET_UCOUNTS, &uc));
	uc.reserved = 0;
	EXPECT_EQ(0, vns_ioctl(fd, VNS_IOC_GET_UCOUNTS, &uc));
	close(fd);
}

TEST_HARNESS_MAIN
