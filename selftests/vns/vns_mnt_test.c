// SPDX-License-Identifier: GPL-2.0
/*
 * Mount tables (Documentation/vns.rst "Mount tables"; Documentation/userspace-api/vns.rst
 * "VNS_IOC_MOUNT", "VNS_IOC_UMOUNT" and "VNS_IOC_LIST_MOUNTS"): the root entry, NEWNS copies under new ids,
 * MOUNT and UMOUNT and their errors, the capability they need, and mount-max (root only: it is written
 * with real CAP_SYS_RESOURCE).
 *
 * Every test runs as root and as uid 1000. Most first make a user vns of their own with
 * vns_unshare_map_root() (unprivileged NEWUSER is allowed, Documentation/vns.rst "Unshare"), so they hold
 * the full capability set there and need no real privilege. Work that must happen in another task runs
 * in a peer (vns_peer.h).
 */
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>

#include "kselftest_harness.h"
#include "vns_peer.h"

/* MOUNT of a tmpfs at `target`, with the source "src<target>". */
static int add_mount(int fd, uint64_t parent, uint64_t flags, const char *target, uint64_t *id)
{
	char source[sizeof(((struct vns_mount *)0)->source)];

	snprintf(source, sizeof(source), "src%s", target);
	return vns_add_mount(fd, parent, flags, source, target, id);
}

static const struct vns_mount *mount_by_target(const struct vns_mount *m, uint32_t nr, const char *target)
{
	for (uint32_t i = 0; i < nr; i++)
		if (!strcmp(m[i].target, target))
			return &m[i];
	return NULL;
}

/* A fresh NEWNS copies the init table, which holds one root entry whose parent is itself. */
TEST(mnt_fresh_newns_lists_root_only)
{
	struct vns_mount m[4];
	uint32_t nr = 99;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWNS));
	ASSERT_EQ(0, vns_list_mounts(fd, NULL, 0, &nr));
	ASSERT_EQ(1, nr);
	memset(m, 0xa5, sizeof(m));
	ASSERT_EQ(0, vns_list_mounts(fd, m, 4, &nr));
	ASSERT_EQ(1, nr);
	EXPECT_NE(0, m[0].id);
	EXPECT_EQ(m[0].id, m[0].parent_id);
	EXPECT_STREQ("/", m[0].target);
	/* Only nr entries are written. */
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ull, m[1].id);
	close(fd);
}

/* NEWNS copies the whole table with new ids and remapped parents, in id order. */
TEST(mnt_newns_copies_with_new_ids)
{
	struct vns_mount old[8], cur[8];
	const struct vns_mount *root, *a, *b, *oa;
	uint64_t root_id, a_id, b_id;
	uint32_t nr_old = 0, nr = 0;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	root_id = vns_new_mount_vns(fd);
	ASSERT_NE(0, root_id);
	ASSERT_EQ(0, add_mount(fd, root_id, 0, "/a", &a_id));
	ASSERT_EQ(0, add_mount(fd, a_id, VNS_MNT_RDONLY, "/a/b", &b_id));
	ASSERT_EQ(0, vns_list_mounts(fd, old, 8, &nr_old));
	ASSERT_EQ(3, nr_old);

	ASSERT_EQ(0, vns_unshare(fd, CLONE_NEWNS, NULL));
	ASSERT_EQ(0, vns_list_mounts(fd, cur, 8, &nr));
	ASSERT_EQ(3, nr);
	for (uint32_t i = 0; i < nr; i++) {
		for (uint32_t j = 0; j < nr_old; j++) {
			EXPECT_NE(old[j].id, cur[i].id) TH_LOG("new entry %u reuses id %llu", i,
							     (unsigned long long)cur[i].id);
		}
		if (i) {
			EXPECT_LT(cur[i - 1].id, cur[i].id);
		}
	}
	root = mount_by_target(cur, nr, "/");
	a = mount_by_target(cur, nr, "/a");
	b = mount_by_target(cur, nr, "/a/b");
	oa = mount_by_target(old, nr_old, "/a");
	ASSERT_TRUE(root && a && b && oa);
	EXPECT_EQ(root->id, root->parent_id);
	EXPECT_EQ(root->id, a->parent_id);
	EXPECT_EQ(a->id, b->parent_id);
	EXPECT_EQ(VNS_MNT_RDONLY, b->flags);
	EXPECT_EQ(0, a->flags);
	EXPECT_STREQ("src/a/b", b->source);
	EXPECT_STREQ("tmpfs", b->fstype);
	EXPECT_STREQ(oa->source, a->source);
	/* The old ids mean nothing here. */
	EXPECT_EQ(-ENOENT, vns_del_mount(fd, b_id, 0));
	close(fd);
}

/* MOUNT under the root adds an entry and returns its new id. */
TEST(mnt_mount_under_root)
{
	struct vns_mount m[4];
	const struct vns_mount *e;
	uint64_t root_id, id = 0, id2 = 0;
	uint32_t nr = 0;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	root_id = vns_new_mount_vns(fd);
	ASSERT_NE(0, root_id);
	ASSERT_EQ(0, add_mount(fd, root_id, VNS_MNT_RDONLY, "/mnt", &id));
	EXPECT_NE(0, id);
	EXPECT_NE(root_id, id);
	ASSERT_EQ(0, add_mount(fd, root_id, 0, "/srv", &id2));
	EXPECT_LT(id, id2);
	ASSERT_EQ(0, vns_list_mounts(fd, m, 4, &nr));
	ASSERT_EQ(3, nr);
	e = mount_by_target(m, nr, "/mnt");
	ASSERT_NE(NULL, e);
	EXPECT_EQ(id, e->id);
	EXPECT_EQ(root_id, e->parent_id);
	EXPECT_EQ(VNS_MNT_RDONLY, e->flags);
	EXPECT_STREQ("src/mnt", e->source);
	EXPECT_STREQ("tmpfs", e->fstype);
	close(fd);
}

/* MOUNT: unknown parent: ENOENT; flags beyond RDONLY: EINVAL; a string field without NUL: EINVAL. */
TEST(mnt_mount_bad_arguments)
{
	struct vns_mount m;
	uint64_t root_id;
	uint32_t nr = 0;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	root_id = vns_new_mount_vns(fd);
	ASSERT_NE(0, root_id);
	EXPECT_EQ(-ENOENT, add_mount(fd, VNS_NO_SUCH_ID, 0, "/x", NULL));
	EXPECT_EQ(-ENOENT, add_mount(fd, root_id + 1000000, 0, "/x", NULL));
	EXPECT_EQ(-EINVAL, add_mount(fd, root_id, 2, "/x", NULL));
	EXPECT_EQ(-EINVAL, add_mount(fd, root_id, VNS_MNT_RDONLY | (1ull << 40), "/x", NULL));

	memset(&m, 0, sizeof(m));
	m.parent_id = root_id;
	strcpy(m.target, "/x");
	strcpy(m.fstype, "tmpfs");
	memset(m.source, 's', sizeof(m.source));
	EXPECT_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_MOUNT, &m));
	strcpy(m.source, "src");
	memset(m.target, 't', sizeof(m.target));
	EXPECT_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_MOUNT, &m));
	strcpy(m.target, "/x");
	memset(m.fstype, 'f', sizeof(m.fstype));
	EXPECT_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_MOUNT, &m));
	/* The longest strings that still have their NUL are fine. */
	memset(m.source, 's', sizeof(m.source) - 1);
	m.source[sizeof(m.source) - 1] = '\0';
	memset(m.fstype, 'f', sizeof(m.fstype) - 1);
	m.fstype[sizeof(m.fstype) - 1] = '\0';
	EXPECT_EQ(0, vns_ioctl(fd, VNS_IOC_MOUNT, &m));

	ASSERT_EQ(0, vns_list_mounts(fd, NULL, 0, &nr));
	EXPECT_EQ(2, nr);
	close(fd);
}

/* UMOUNT with children: EBUSY; the root: EINVAL; unknown: ENOENT; flags != 0: EINVAL. */
TEST(mnt_umount_rules)
{
	uint64_t root_id, a, b;
	uint32_t nr = 0;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	root_id = vns_new_mount_vns(fd);
	ASSERT_NE(0, root_id);
	ASSERT_EQ(0, add_mount(fd, root_id, 0, "/a", &a));
	ASSERT_EQ(0, add_mount(fd, a, 0, "/a/b", &b));

	EXPECT_EQ(-EBUSY, vns_del_mount(fd, a, 0));
	EXPECT_EQ(-EINVAL, vns_del_mount(fd, root_id, 0));
	EXPECT_EQ(-ENOENT, vns_del_mount(fd, VNS_NO_SUCH_ID, 0));
	EXPECT_EQ(-EINVAL, vns_del_mount(fd, b, 1));
	EXPECT_EQ(-EINVAL, vns_del_mount(fd, b, 1ull << 63));
	ASSERT_EQ(0, vns_list_mounts(fd, NULL, 0, &nr));
	EXPECT_EQ(3, nr);

	EXPECT_EQ(0, vns_del_mount(fd, b, 0));
	EXPECT_EQ(-ENOENT, vns_del_mount(fd, b, 0));
	EXPECT_EQ(0, vns_del_mount(fd, a, 0));
	ASSERT_EQ(0, vns_list_mounts(fd, NULL, 0, &nr));
	EXPECT_EQ(1, nr);
	EXPECT_EQ(root_id, vns_mount_root(fd));
	close(fd);
}

static int child_mount_init_eperm(void *arg)
{
	int fd = *(int *)arg;
	uint64_t root_id = vns_mount_root(fd);
	uint32_t before = 0, after = 0;

	C_NE(0, root_id);
	C_EQ(0, vns_list_mounts(fd, NULL, 0, &before));
	C_EQ(-EPERM, add_mount(fd, root_id, 0, "/nope", NULL));
	C_EQ(-EPERM, vns_del_mount(fd, root_id, 0));
	C_EQ(0, vns_list_mounts(fd, NULL, 0, &after));
	C_EQ(before, after);
	return 0;
}

/*
 * Mount/umount need vns CAP_SYS_ADMIN in the mount vns's owner: EPERM otherwise (full caps in a new user
 * vns do not reach the init mount vns, owned by init).
 */
TEST(mnt_mount_without_cap_eperm)
{
	EXPECT_EQ(0, vns_check_without_init_caps(child_mount_init_eperm));
}

FIXTURE(mount_max)
{
	long saved;
	int fd;
};

FIXTURE_SETUP(mount_max)
{
	self->fd = -1;
	if (getuid() != 0)
		SKIP(return, "needs root (mount-max is written with real CAP_SYS_RESOURCE)");
	ASSERT_EQ(0, vns_read_int(VNS_SYSCTL_DIR "mount-max", &self->saved));
	self->fd = vns_open();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(mount_max)
{
	char buf[32];

	if (self->fd >= 0)
		close(self->fd);
	snprintf(buf, sizeof(buf), "%ld", self->saved);
	EXPECT_EQ(0, vns_write_str(VNS_SYSCTL_DIR "mount-max", buf));
}

/* Adding beyond mount-max entries: ENOSPC (Documentation/admin-guide/vns-sysctl.rst "mount-max"). */
TEST_F(mount_max, add_beyond_limit_enospc)
{
	uint64_t root_id, a;
	uint32_t nr = 0;

	ASSERT_EQ(0, vns_unshare_map_root(self->fd, CLONE_NEWNS));
	ASSERT_EQ(0, vns_list_mounts(self->fd, NULL, 0, &nr));
	ASSERT_EQ(1, nr);
	root_id = vns_mount_root(self->fd);
	ASSERT_EQ(0, vns_write_str(VNS_SYSCTL_DIR "mount-max", "3"));
	EXPECT_EQ(0, add_mount(self->fd, root_id, 0, "/one", &a));
	EXPECT_EQ(0, add_mount(self->fd, root_id, 0, "/two", NULL));
	EXPECT_EQ(-ENOSPC, add_mount(self->fd, root_id, 0, "/three", NULL));
	ASSERT_EQ(0, vns_list_mounts(self->fd, NULL, 0, &nr));
	EXPECT_EQ(3, nr);
	/* A umount makes room again. */
	EXPECT_EQ(0, vns_del_mount(self->fd, a, 0));
	EXPECT_EQ(0, add_mount(self->fd, root_id, 0, "/three", NULL));
}

/* Unshare itself never checks mount-max (as fs/namespace.c copy_mnt_ns). */
TEST_F(mount_max, newns_ignores_limit)
{
	uint64_t root_id;
	uint32_t nr = 0;

	ASSERT_EQ(0, vns_unshare_map_root(self->fd, CLONE_NEWNS));
	root_id = vns_mount_root(self->fd);
	ASSERT_EQ(0, add_mount(self->fd, root_id, 0, "/one", NULL));
	ASSERT_EQ(0, add_mount(self->fd, root_id, 0, "/two", NULL));
	ASSERT_EQ(0, vns_write_str(VNS_SYSCTL_DIR "mount-max", "1"));
	ASSERT_EQ(0, vns_unshare(self->fd, CLONE_NEWNS, NULL));
	ASSERT_EQ(0, vns_list_mounts(self->fd, NULL, 0, &nr));
	EXPECT_EQ(3, nr);
	EXPECT_EQ(-ENOSPC, add_mount(self->fd, vns_mount_root(self->fd), 0, "/three", NULL));
}

/*
 * UNSHARE_EMPTY_MNTNS (7.3: kernel/fork.c ksys_unshare, fs/namespace.c copy_mnt_ns with CLONE_EMPTY_MNTNS):
 * it implies NEWNS (and so FS), `applied` keeps its bit, and the new mount vns holds only a copy of the
 * caller's root, under a new id, charged as any NEWNS and needing the same capability.
 */
TEST(mnt_empty_mntns_holds_only_the_root)
{
	struct vns_mount *before = NULL, *after = NULL;
	const struct vns_mount *root_entry = NULL;
	struct vns_info info0, info1;
	struct vns_ucounts uc0, uc1;
	uint64_t root, id, applied = 0;
	long n0, n1;
	pid_t holder;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	if (getuid() != 0) {
		/* No capability over the init mount vns: EPERM, as NEWNS. */
		EXPECT_EQ(-EPERM, vns_unshare(fd, CLONE_UNSHARE_EMPTY_MNTNS, NULL));
	}
	root = vns_new_mount_vns(fd);
	ASSERT_NE(0, root);
	ASSERT_EQ(0, add_mount(fd, root, 0, "/a", &id));
	ASSERT_EQ(0, add_mount(fd, id, VNS_MNT_RDONLY, "/a/b", NULL));
	n0 = vns_all_mounts(fd, &before);
	ASSERT_LE(3, n0);
	for (long i = 0; i < n0; i++)
		if (before[i].id == root)
			root_entry = &before[i];
	ASSERT_NE(NULL, root_entry);
	/* A member that keeps this mount vns, so that the charge of the new one shows. */
	holder = fork();
	ASSERT_LE(0, holder);
	if (holder == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pause();
		_exit(0);
	}
	ASSERT_EQ(0, vns_get_info(fd, &info0));
	ASSERT_EQ(0, vns_get_ucounts(fd, 0, 0, &uc0));

	ASSERT_EQ(0, vns_unshare(fd, CLONE_UNSHARE_EMPTY_MNTNS, &applied));
	EXPECT_EQ(CLONE_UNSHARE_EMPTY_MNTNS | CLONE_NEWNS | CLONE_FS, applied);
	ASSERT_EQ(0, vns_get_info(fd, &info1));
	for (int k = 0; k < VNS_NR_KINDS; k++) {
		if (k == VNS_KIND_MNT) {
			EXPECT_NE(info0.ns_id[k], info1.ns_id[k]);
		} else {
			EXPECT_EQ(info0.ns_id[k], info1.ns_id[k]);
		}
	}
	n1 = vns_all_mounts(fd, &after);
	ASSERT_EQ(1, n1);
	EXPECT_EQ(after[0].id, after[0].parent_id);
	EXPECT_LT(before[n0 - 1].id, after[0].id);
	EXPECT_STREQ(root_entry->source, after[0].source);
	EXPECT_STREQ(root_entry->target, after[0].target);
	EXPECT_STREQ(root_entry->fstype, after[0].fstype);
	EXPECT_EQ(root_entry->flags, after[0].flags);
	ASSERT_EQ(0, vns_get_ucounts(fd, 0, 0, &uc1));
	EXPECT_EQ(uc0.count[VNS_KIND_MNT] + 1, uc1.count[VNS_KIND_MNT]);
	/* The new table takes mounts as any other. */
	EXPECT_EQ(0, add_mount(fd, after[0].id, 0, "/c", NULL));
	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	free(before);
	free(after);
	close(fd);
}

TEST_HARNESS_MAIN
