// SPDX-License-Identifier: GPL-2.0
/*
 * ucounts and limits (Documentation/vns.rst "ucounts"; Documentation/admin-guide/vns-sysctl.rst): every kind
 * stops at its limit with ENOSPC and a failed call changes nothing; limits are per user; a parent's limit
 * stops a grandchild; the count is back as soon as the last member has exited (release is synchronous).
 */
#include "kselftest_harness.h"
#include "vns_peer.h"

/* ---- each kind at limit 0, in a user vns of the caller's own (works as root and unprivileged) ---- */

FIXTURE(kind)
{
	int fd;
};

FIXTURE_VARIANT(kind)
{
	int kind;
};

#define KIND_VARIANT(k, K) \
	FIXTURE_VARIANT_ADD(kind, k) { .kind = VNS_KIND_##K }

KIND_VARIANT(user, USER);
KIND_VARIANT(pid, PID);
KIND_VARIANT(uts, UTS);
KIND_VARIANT(ipc, IPC);
KIND_VARIANT(net, NET);
KIND_VARIANT(mnt, MNT);
KIND_VARIANT(cgroup, CGROUP);
KIND_VARIANT(time, TIME);

FIXTURE_SETUP(kind)
{
	self->fd = vns_open();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(kind)
{
	close(self->fd);
}

/*
 * At limit 0 the kind is ENOSPC; ids and every count are exactly as before (Documentation/vns.rst
 * "Unshare": all or nothing).
 */
TEST_F(kind, limit_zero_enospc_changes_nothing)
{
	struct vns_info before, after;
	struct vns_ucounts ub, ua;
	long val = 0;

	/* A user vns of our own: CAP_SYS_RESOURCE there lets us set its limits. */
	ASSERT_EQ(0, vns_unshare_map_root(self->fd, 0));
	ASSERT_EQ(0, vns_read_limit(variant->kind, &val));
	EXPECT_EQ(2147483647L, val); /* a new user vns starts at INT_MAX */
	ASSERT_EQ(0, vns_write_limit(variant->kind, 0));
	ASSERT_EQ(0, vns_read_limit(variant->kind, &val));
	ASSERT_EQ(0, val);

	ASSERT_EQ(0, vns_get_info(self->fd, &before));
	ASSERT_EQ(0, vns_get_ucounts(self->fd, 0, 0, &ub));

	EXPECT_EQ(-ENOSPC, vns_unshare(self->fd, vns_kind_flag[variant->kind], NULL));
	/* With other kinds created before it in the same call, those are undone too. */
	EXPECT_EQ(-ENOSPC, vns_unshare(self->fd, VNS_ALL_NS_FLAGS, NULL));

	ASSERT_EQ(0, vns_get_info(self->fd, &after));
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	ASSERT_EQ(0, vns_get_ucounts(self->fd, 0, 0, &ua));
	EXPECT_EQ(0, memcmp(ub.count, ua.count, sizeof(ub.count)));

	/* Raised again, the same call works and is counted. */
	ASSERT_EQ(0, vns_write_limit(variant->kind, 1));
	EXPECT_EQ(0, vns_unshare(self->fd, vns_kind_flag[variant->kind], NULL));
	if (variant->kind == VNS_KIND_USER) {
		/* The caller is now in the new user vns, one level down. */
		ASSERT_EQ(0, vns_get_info(self->fd, &after));
		EXPECT_EQ(before.user_level + 1, after.user_level);
		return;
	}
	ASSERT_EQ(0, vns_get_ucounts(self->fd, 0, 0, &ua));
	EXPECT_EQ(ub.count[variant->kind] + 1, ua.count[variant->kind]);
	EXPECT_EQ(1, ua.max[variant->kind]);
}

/* The limits of the init user vns are the kernel's at load; the check counts every level. */
TEST_F(kind, init_limit_zero_enospc)
{
	struct vns_info before, after;
	long saved = 0;
	int ret;

	if (getuid() != 0)
		SKIP(return, "needs root");
	ASSERT_EQ(0, vns_read_limit(variant->kind, &saved));
	ASSERT_EQ(0, vns_write_limit(variant->kind, 0));
	ASSERT_EQ(0, vns_get_info(self->fd, &before));
	/* Through a new user vns (INT_MAX there): the init level still stops it. */
	ret = vns_unshare(self->fd, CLONE_NEWUSER | vns_kind_flag[variant->kind], NULL);
	ASSERT_EQ(0, vns_get_info(self->fd, &after));
	ASSERT_EQ(0, vns_write_limit(variant->kind, saved));
	EXPECT_EQ(-ENOSPC, ret);
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
}

/* ---- per user, per level, and release ------------------------------------------------------------- */

/* Creates a user+uts vns and keeps it until the pipe `arg` closes; writes 'k' once it holds it. */
static int hold_uts(void *arg)
{
	int *p = arg, fd = vns_open();
	char c = 'k';

	if (fd < 0)
		return 10;
	if (vns_unshare(fd, CLONE_NEWUSER | CLONE_NEWUTS, NULL))
		c = 'f';
	if (write(p[1], &c, 1) != 1)
		return 11;
	close(p[1]);
	while (read(p[0], &c, 1) > 0)
		;
	return 0;
}

/* The holder peer: hold_uts() as uid 1000, on the peer's pipes. */
static int peer_hold_uts(void *arg, int out, int in)
{
	int p[2] = { in, out };

	(void)arg;
	return vns_in_child_as(VNS_TEST_UID, hold_uts, p) ? 1 : 0;
}

static int try_user_uts(void *arg)
{
	int fd = vns_open();

	(void)arg;
	if (fd < 0)
		return 10;
	switch (vns_unshare(fd, CLONE_NEWUSER | CLONE_NEWUTS, NULL)) {
	case 0:
		return 0;
	case -ENOSPC:
		return 28;
	default:
		return 11;
	}
}

/* Limits count per user: uid 1000 at its limit does not stop uid 1001. */
TEST(limit_is_per_user)
{
	struct peer holder;
	long saved = 0;
	char c = 0;

	if (getuid() != 0)
		SKIP(return, "needs root");
	ASSERT_EQ(0, vns_read_limit(VNS_KIND_UTS, &saved));
	ASSERT_EQ(0, vns_write_limit(VNS_KIND_UTS, 1));
	ASSERT_EQ(0, peer_start(&holder, peer_hold_uts, NULL));
	ASSERT_EQ(1, read(holder.rd, &c, 1));
	EXPECT_EQ('k', c);

	/* uid 1000 is at its limit at the init level; uid 1001 is not. */
	EXPECT_EQ(28, vns_in_child_as(VNS_TEST_UID, try_user_uts, NULL));
	EXPECT_EQ(0, vns_in_child_as(VNS_TEST_UID + 1, try_user_uts, NULL));

	/* The holder lets go at the end of its pipe and exits. */
	ASSERT_EQ(0, peer_finish(&holder));
	/* Released at once: uid 1000 can create one again. */
	EXPECT_EQ(0, vns_in_child_as(VNS_TEST_UID, try_user_uts, NULL));
	ASSERT_EQ(0, vns_write_limit(VNS_KIND_UTS, saved));
}

static int grandchild_stopped(void *arg)
{
	struct vns_ucounts uc;
	/* U1: limits of our own. No uts vns may be made below it, and one user vns. */
	int fd = vns_open_in_new_user_vns(1);

	(void)arg;
	if (fd < 0)
		return 11;
	if (vns_write_limit(VNS_KIND_UTS, 0) || vns_write_limit(VNS_KIND_USER, 1))
		return 12;
	/* U2 below U1: its own limits are INT_MAX, U1's still apply to what is made in U2. */
	if (vns_unshare_map_root(fd, 0))
		return 13;
	if (vns_unshare(fd, CLONE_NEWUTS, NULL) != -ENOSPC)
		return 14;
	/* U3 below U2 would be the second user vns charged at U1's level. */
	if (vns_unshare(fd, CLONE_NEWUSER, NULL) != -ENOSPC)
		return 15;
	/* Nothing was charged in U2 by the failed calls. */
	if (vns_get_ucounts(fd, 0, 0, &uc))
		return 16;
	if (uc.count[VNS_KIND_UTS] || uc.count[VNS_KIND_USER])
		return 17;
	return 0;
}

/*
 * A parent's limit stops a grandchild (inc_ucount checks every level: Documentation/vns.rst "The charge
 * walk").
 */
TEST(parent_limit_stops_grandchild)
{
	EXPECT_EQ(0, vns_in_child(grandchild_stopped, NULL));
}

/* Makes a user vns with uts, ipc and mnt vns, writes 'k' once it holds them, and keeps them until told. */
static int peer_make_and_wait(void *arg, int out, int in)
{
	int fd = vns_open();
	char c = 'k';

	(void)arg;
	if (fd < 0)
		return 10;
	if (vns_unshare_map_root(fd, CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS))
		c = 'f';
	if (write(out, &c, 1) != 1)
		return 11;
	while (read(in, &c, 1) > 0)
		;
	return 0;
}

/*
 * Release is synchronous (Documentation/vns.rst "Synchronous release"): once the member has been waited
 * for, its charges are gone.
 */
TEST(count_back_after_exit)
{
	struct vns_ucounts base, during, after;
	struct vns_info info;
	struct peer member;
	int fd = vns_open();
	char c = 0;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &info));
	ASSERT_EQ(0, vns_get_ucounts(fd, 0, info.uid, &base));
	ASSERT_EQ(0, peer_start(&member, peer_make_and_wait, NULL));
	ASSERT_EQ(1, read(member.rd, &c, 1));
	ASSERT_EQ('k', c);
	ASSERT_EQ(0, vns_get_ucounts(fd, 0, info.uid, &during));
	/* The child's user vns is charged here; its uts/ipc/mnt at both levels. */
	EXPECT_EQ(base.count[VNS_KIND_USER] + 1, during.count[VNS_KIND_USER]);
	EXPECT_EQ(base.count[VNS_KIND_UTS] + 1, during.count[VNS_KIND_UTS]);
	EXPECT_EQ(base.count[VNS_KIND_IPC] + 1, during.count[VNS_KIND_IPC]);
	EXPECT_EQ(base.count[VNS_KIND_MNT] + 1, during.count[VNS_KIND_MNT]);
	EXPECT_EQ(base.count[VNS_KIND_NET], during.count[VNS_KIND_NET]);

	/* The member lets go at the end of its pipe and exits. */
	ASSERT_EQ(0, peer_finish(&member));
	ASSERT_EQ(0, vns_get_ucounts(fd, 0, info.uid, &after));
	EXPECT_EQ(0, memcmp(base.count, after.count, sizeof(base.count)));
	close(fd);
}

TEST_HARNESS_MAIN
