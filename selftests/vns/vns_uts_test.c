// SPDX-License-Identifier: GPL-2.0
/*
 * uts vns (Documentation/vns.rst "Kinds"; Documentation/userspace-api/vns.rst "VNS_IOC_GET_UTS" and
 * "VNS_IOC_SET_UTS"): the init names, NEWUTS copying them, names private to a uts vns and its siblings,
 * the capability SET_UTS needs, and its length and `which` checks.
 *
 * Every test runs as root and as uid 1000. Most first make a user vns of their own with
 * vns_unshare_map_root() (unprivileged NEWUSER is allowed, Documentation/vns.rst "Unshare"), so they hold
 * the full capability set there and need no real privilege. Work that must happen in another task runs
 * in a peer (vns_peer.h).
 */
#include <stdint.h>
#include <sys/utsname.h>

#include "kselftest_harness.h"
#include "vns_peer.h"

/* The init uts vns starts with the kernel's names at load (the guest sets them before insmod). */
TEST(uts_init_shows_kernel_names)
{
	struct utsname u;
	struct vns_uts uts;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, uname(&u));
	ASSERT_EQ(0, vns_get_uts(fd, &uts));
	EXPECT_STREQ(u.nodename, uts.nodename);
	EXPECT_STREQ(u.domainname, uts.domainname);
	close(fd);
}

struct uts_names {
	int fd;
	const char *node, *domain;
};

/* NEWUSER|NEWUTS, check the copy of the parent's names, set both, check, then wait for the test. */
static int peer_set_names(void *arg, int out, int in)
{
	struct uts_names *n = arg;
	struct vns_uts before, uts;
	char c = 'k';

	C_EQ(0, vns_get_uts(n->fd, &before));
	C_EQ(0, vns_unshare_map_root(n->fd, CLONE_NEWUTS));
	C_EQ(0, vns_get_uts(n->fd, &uts));
	C_STREQ(before.nodename, uts.nodename);
	C_STREQ(before.domainname, uts.domainname);
	C_EQ(0, vns_set_uts(n->fd, VNS_UTS_NODENAME, n->node));
	C_EQ(0, vns_set_uts(n->fd, VNS_UTS_DOMAINNAME, n->domain));
	C_EQ(0, write_full(out, &c, 1));
	peer_wait(in);
	C_EQ(0, vns_get_uts(n->fd, &uts));
	C_STREQ(n->node, uts.nodename);
	C_STREQ(n->domain, uts.domainname);
	peer_wait(in);
	return 0;
}

/* NEWUTS copies the names; a new uts vns's names are its own: the parent keeps the old ones. */
TEST(uts_set_inside_parent_unchanged)
{
	struct uts_names n = { .node = "inner", .domain = "inner.example" };
	struct vns_uts before, after;
	struct peer p;
	char c;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	n.fd = fd;
	ASSERT_EQ(0, vns_get_uts(fd, &before));
	ASSERT_EQ(0, peer_start(&p, peer_set_names, &n));
	ASSERT_EQ(0, read_full(p.rd, &c, 1));
	peer_go(p.wr); /* the peer checks its names */
	ASSERT_EQ(0, vns_get_uts(fd, &after));
	EXPECT_STREQ(before.nodename, after.nodename);
	EXPECT_STREQ(before.domainname, after.domainname);
	EXPECT_EQ(0, peer_finish(&p));
	close(fd);
}

/* Two sibling uts vns are isolated from each other. */
TEST(uts_siblings_isolated)
{
	struct uts_names a = { .node = "sib-a", .domain = "a.dom" }, b = { .node = "sib-b", .domain = "b.dom" };
	struct peer pa, pb;
	char c;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	a.fd = b.fd = fd;
	ASSERT_EQ(0, peer_start(&pa, peer_set_names, &a));
	ASSERT_EQ(0, peer_start(&pb, peer_set_names, &b));
	/* Both have set their names before either checks. */
	ASSERT_EQ(0, read_full(pa.rd, &c, 1));
	ASSERT_EQ(0, read_full(pb.rd, &c, 1));
	peer_go(pa.wr);
	peer_go(pb.wr);
	EXPECT_EQ(0, peer_finish(&pa));
	EXPECT_EQ(0, peer_finish(&pb));
	close(fd);
}

static int child_set_uts_init(void *arg)
{
	int fd = *(int *)arg;
	struct vns_uts before, after;

	C_EQ(0, vns_get_uts(fd, &before));
	C_EQ(-EPERM, vns_set_uts(fd, VNS_UTS_NODENAME, "nope"));
	C_EQ(-EPERM, vns_set_uts(fd, VNS_UTS_DOMAINNAME, "nope"));
	C_EQ(0, vns_get_uts(fd, &after));
	C_STREQ(before.nodename, after.nodename);
	C_STREQ(before.domainname, after.domainname);
	return 0;
}

/*
 * Setting a name needs vns CAP_SYS_ADMIN in the uts vns's owning user vns: EPERM otherwise (full caps in
 * a new user vns, but the uts vns is still init's, owned by init: no).
 */
TEST(uts_set_without_cap_eperm)
{
	EXPECT_EQ(0, vns_check_without_init_caps(child_set_uts_init));
}

/*
 * Documentation/userspace-api/vns.rst "VNS_IOC_SET_UTS" (struct vns_uts_name): len <= 64 and which 0 or
 * 1, else EINVAL; 64 bytes is the longest name.
 */
TEST(uts_set_bad_len_or_which_einval)
{
	struct vns_uts_name n = { .which = VNS_UTS_NODENAME };
	struct vns_uts uts;
	char longest[VNS_NAME_MAX + 1];
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS));
	ASSERT_EQ(0, vns_set_uts(fd, VNS_UTS_NODENAME, "kept"));

	memset(n.name, 'x', sizeof(n.name));
	n.len = VNS_NAME_MAX + 1;
	EXPECT_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_SET_UTS, &n));
	n.len = UINT32_MAX;
	EXPECT_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_SET_UTS, &n));
	n.len = 3;
	n.which = 2;
	EXPECT_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_SET_UTS, &n));
	n.which = UINT32_MAX;
	EXPECT_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_SET_UTS, &n));
	ASSERT_EQ(0, vns_get_uts(fd, &uts));
	EXPECT_STREQ("kept", uts.nodename);

	/* The longest name fits, NUL-terminated in the 65-byte field. */
	memset(longest, 'y', VNS_NAME_MAX);
	longest[VNS_NAME_MAX] = '\0';
	n.which = VNS_UTS_DOMAINNAME;
	n.len = VNS_NAME_MAX;
	memcpy(n.name, longest, VNS_NAME_MAX);
	EXPECT_EQ(0, vns_ioctl(fd, VNS_IOC_SET_UTS, &n));
	ASSERT_EQ(0, vns_get_uts(fd, &uts));
	EXPECT_STREQ(longest, uts.domainname);
	EXPECT_STREQ("kept", uts.nodename);
	close(fd);
}

TEST_HARNESS_MAIN
