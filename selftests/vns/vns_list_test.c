// SPDX-License-Identifier: GPL-2.0
/*
 * VNS_IOC_LIST_NS (Documentation/userspace-api/vns.rst "VNS_IOC_LIST_NS"): sizing with cap 0, the lowest
 * ids in id order, user vns entries (parent, owner, level and owner uid as the caller sees them), and a
 * listing scoped to what the caller's user vns owns.
 *
 * Every test runs as root and as uid 1000. Most first make a user vns of their own with
 * vns_unshare_map_root() (unprivileged NEWUSER is allowed, Documentation/vns.rst "Unshare"), so they hold
 * the full capability set there and need no real privilege. Work that must happen in another task runs
 * in a peer (vns_peer.h).
 */
#include <stdint.h>

#include "kselftest_harness.h"
#include "vns_peer.h"

/*
 * cap 0 sizes the buffer (nr = total); at most cap entries are written, in id order (the lowest
 * ids), nr is always the total. In init every init namespace is listed (kinds 1..7; the init user vns
 * has no owner, so "owned by the caller's user vns" does not cover it).
 */
TEST(list_ns_sizing_and_order)
{
	struct vns_ns_entry *e, two[3];
	struct vns_list l = { 0 };
	struct vns_info info;
	uint32_t total, n;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &info));
	ASSERT_EQ(0, info.user_level);
	ASSERT_EQ(0, vns_ioctl(fd, VNS_IOC_LIST_NS, &l));
	total = l.nr;
	EXPECT_LE(VNS_NR_KINDS - 1, total);

	e = calloc(total + 8, sizeof(*e));
	ASSERT_NE(NULL, e);
	l.buf = (uintptr_t)e;
	l.cap = total + 8;
	ASSERT_EQ(0, vns_ioctl(fd, VNS_IOC_LIST_NS, &l));
	ASSERT_EQ(total, l.nr);
	n = l.nr;
	for (uint32_t i = 1; i < n; i++) {
		EXPECT_LT(e[i - 1].id, e[i].id) TH_LOG("entries %u and %u", i - 1, i);
	}
	for (int k = 1; k < VNS_NR_KINDS; k++) {
		struct vns_ns_entry *x = vns_find_entry(e, n, info.ns_id[k]);

		ASSERT_NE(NULL, x) TH_LOG("init %s vns not listed", vns_kind_name[k]);
		EXPECT_EQ(k, x->kind);
		EXPECT_EQ(info.ns_id[VNS_KIND_USER], x->owner_id);
		EXPECT_EQ(0, x->level);
		EXPECT_EQ(0, x->owner_uid);
		EXPECT_LE(1, x->nr_tasks);
	}

	/* cap 2: two entries written (the two lowest ids), the third untouched, nr still the total. */
	memset(two, 0x5a, sizeof(two));
	l.buf = (uintptr_t)two;
	l.cap = 2;
	ASSERT_EQ(0, vns_ioctl(fd, VNS_IOC_LIST_NS, &l));
	EXPECT_EQ(total, l.nr);
	EXPECT_EQ(e[0].id, two[0].id);
	EXPECT_EQ(e[1].id, two[1].id);
	EXPECT_EQ(0x5a5a5a5a5a5a5a5aull, two[2].id);
	free(e);
	close(fd);
}

struct userns_ids {
	uint64_t u1, u2;
	int result;
};

/* Checks a second-level user vns as its creator's parent (inside U1, root mapped) sees it. */
static int check_u2_from_u1(int fd, uint64_t u1, uint64_t u2)
{
	struct vns_ns_entry *e = NULL, *x;
	uint32_t nr = 0;

	C_TRUE(vns_list_ns(fd, &e, &nr) >= 0);
	x = vns_find_entry(e, nr, u2);
	C_TRUE(x != NULL);
	C_EQ(VNS_KIND_USER, x->kind);
	C_EQ(u1, x->parent_id);
	C_EQ(u1, x->owner_id);
	C_EQ(2, x->level);
	C_EQ(0, x->owner_uid); /* U1 maps the creator's uid to 0 */
	C_EQ(1, x->nr_tasks);
	/* U1 itself is owned by init: not in U1's listing. */
	C_TRUE(vns_find_entry(e, nr, u1) == NULL);
	free(e);
	return 0;
}

static int peer_nested_userns(void *arg, int out, int in)
{
	int fd = *(int *)arg, up[2], down[2], status;
	struct userns_ids ids = { 0 };
	pid_t g;

	C_EQ(0, vns_unshare_map_root(fd, 0));
	ids.u1 = vns_ns_id(fd, VNS_KIND_USER);
	C_TRUE(pipe(up) == 0 && pipe(down) == 0);
	g = fork();
	C_TRUE(g >= 0);
	if (g == 0) {
		uint64_t u2;

		if (vns_unshare_map_root(fd, 0))
			_exit(2);
		u2 = vns_ns_id(fd, VNS_KIND_USER);
		if (write_full(up[1], &u2, sizeof(u2)))
			_exit(3);
		peer_wait(down[0]);
		_exit(0);
	}
	C_EQ(0, read_full(up[0], &ids.u2, sizeof(ids.u2)));
	ids.result = check_u2_from_u1(fd, ids.u1, ids.u2);
	C_EQ(0, write_full(out, &ids, sizeof(ids)));
	peer_wait(in);
	peer_go(down[1]);
	C_EQ(g, waitpid(g, &status, 0));
	C_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return 0;
}

/*
 * A user vns's entry has its parent as parent_id and owner_id, level parent + 1, and the owner's uid as
 * the caller sees it.
 */
TEST(list_ns_user_vns_entries)
{
	struct vns_ns_entry *e = NULL, *x;
	struct userns_ids ids;
	struct peer p;
	uint64_t init_user;
	uint32_t nr = 0;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	init_user = vns_ns_id(fd, VNS_KIND_USER);
	ASSERT_EQ(0, peer_start(&p, peer_nested_userns, &fd));
	ASSERT_EQ(0, read_full(p.rd, &ids, sizeof(ids)));
	EXPECT_EQ(0, ids.result);

	ASSERT_LE(0, vns_list_ns(fd, &e, &nr));
	x = vns_find_entry(e, nr, ids.u1);
	ASSERT_NE(NULL, x);
	EXPECT_EQ(VNS_KIND_USER, x->kind);
	EXPECT_EQ(init_user, x->parent_id);
	EXPECT_EQ(init_user, x->owner_id);
	EXPECT_EQ(1, x->level);
	EXPECT_EQ(geteuid(), x->owner_uid);
	EXPECT_EQ(1, x->nr_tasks); /* the peer; its child moved on to U2 */
	x = vns_find_entry(e, nr, ids.u2);
	ASSERT_NE(NULL, x);
	EXPECT_EQ(ids.u1, x->parent_id);
	EXPECT_EQ(ids.u1, x->owner_id);
	EXPECT_EQ(2, x->level);
	EXPECT_EQ(geteuid(), x->owner_uid); /* the same kuid, seen from init */
	free(e);
	EXPECT_EQ(0, peer_finish(&p));
	close(fd);
}

struct scope_arg {
	int fd;
	struct owned_ids sibling;
	struct vns_info init;
};

static int child_list_scoped(void *arg)
{
	struct scope_arg *s = arg;
	struct vns_ns_entry *e = NULL;
	struct vns_info info;
	uint32_t nr = 0;
	int total;

	C_EQ(0, vns_unshare_map_root(s->fd, CLONE_NEWUTS | CLONE_NEWIPC));
	C_EQ(0, vns_get_info(s->fd, &info));
	total = vns_list_ns(s->fd, &e, &nr);
	/* Exactly what this user vns owns: its uts and ipc vns. */
	C_EQ(2, total);
	C_TRUE(vns_find_entry(e, nr, info.ns_id[VNS_KIND_UTS]) != NULL);
	C_TRUE(vns_find_entry(e, nr, info.ns_id[VNS_KIND_IPC]) != NULL);
	for (uint32_t i = 0; i < nr; i++)
		C_EQ(info.ns_id[VNS_KIND_USER], e[i].owner_id);
	C_TRUE(vns_find_entry(e, nr, s->sibling.uts) == NULL);
	C_TRUE(vns_find_entry(e, nr, s->sibling.user) == NULL);
	for (int k = 0; k < VNS_NR_KINDS; k++)
		C_TRUE(vns_find_entry(e, nr, s->init.ns_id[k]) == NULL);
	free(e);
	return 0;
}

/* A caller inside its own user vns sees only what that vns (or a descendant) owns. */
TEST(list_ns_scoped_to_callers_user_vns)
{
	struct scope_arg s = { .fd = vns_open() };
	struct peer p;

	ASSERT_LE(0, s.fd);
	ASSERT_EQ(0, vns_get_info(s.fd, &s.init));
	ASSERT_EQ(0, sibling_start(&p, s.fd, 0, NULL, &s.sibling));
	EXPECT_EQ(0, vns_run_unprivileged(child_list_scoped, &s));
	EXPECT_EQ(0, peer_finish(&p));
	close(s.fd);
}

TEST_HARNESS_MAIN
