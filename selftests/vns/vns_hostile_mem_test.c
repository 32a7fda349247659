// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile users I (Documentation/vns.rst "Threat model"): what uid 1000, or root in a user vns, can make
 * the kernel allocate or warn about.
 *
 *  - a mount table of 17 500 entries (over 4 MiB as one array) lists and copies without a WARNING;
 *  - LIST_MOUNTS and LIST_NS with every cap return the lowest ids, in order, chunk boundaries included;
 *  - everything vns allocates for a caller is charged to its memory cgroup (root only: makes a cgroup);
 *  - a child mount never gets a smaller id than its parent, under racing MOUNTs (the table still copies).
 *
 * Every test runs as root and as uid 1000 (the runner runs the binary twice); those that need root to set
 * up skip as uid 1000.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vns_test.h"

/* A tmpfs entry at /mnt under `parent`. */
static int add_mount(int fd, uint64_t parent, uint64_t *id)
{
	return vns_add_mount(fd, parent, 0, "tmpfs", "/mnt", id);
}

/* Entries in strictly increasing id order, each child after its parent. */
static bool table_ordered(const struct vns_mount *m, long n)
{
	for (long i = 0; i < n; i++) {
		if (i && m[i].id <= m[i - 1].id)
			return false;
		if (m[i].parent_id != m[i].id && m[i].parent_id >= m[i].id)
			return false;
	}
	return true;
}

/*
 * A user vns of the caller's own with a new mount vns whose table gets `entries` entries: the copy of
 * the caller's table (a root, and whatever earlier tests left in the init table) and tmpfs mounts under
 * the root. Returns the count LIST_MOUNTS then reports, with every entry in *all (malloc'd), or -errno.
 */
static long make_table(int fd, int entries, struct vns_mount **all)
{
	uint64_t root = vns_new_mount_vns(fd);
	uint32_t copied = 0;

	if (!root || vns_list_mounts(fd, NULL, 0, &copied))
		return -EINVAL;
	for (int i = copied; i < entries; i++) {
		int ret = add_mount(fd, root, NULL);

		if (ret)
			return ret;
	}
	return vns_all_mounts(fd, all);
}

#define BIG_TABLE 17500

/*
 * A table of 17 500 entries: 4.0 MB of vns_mount, above what kmalloc serves (MAX_PAGE_ORDER). Before
 * the fix, LIST_MOUNTS of it and a NEWNS copy of it warned in mm/page_alloc.c (the run fails on the
 * WARNING) and failed with ENOMEM.
 */
TEST(big_mount_table_lists_and_copies)
{
	struct vns_mount *all = NULL, *copy = NULL;
	uint32_t nr = 0;
	long n;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	n = make_table(fd, BIG_TABLE, &all);
	ASSERT_EQ(BIG_TABLE, n);
	EXPECT_TRUE(table_ordered(all, n));
	/* A cap far beyond the table, with a buffer that holds the table: only the table is written. */
	ASSERT_EQ(0, vns_list_mounts(fd, all, BIG_TABLE, &nr));
	EXPECT_EQ(BIG_TABLE, nr);

	/* The copy: the same shape under new ids. */
	ASSERT_EQ(0, vns_unshare(fd, CLONE_NEWNS, NULL));
	n = vns_all_mounts(fd, &copy);
	ASSERT_EQ(BIG_TABLE, n);
	EXPECT_TRUE(table_ordered(copy, n));
	EXPECT_LT(all[n - 1].id, copy[0].id);
	free(all);
	free(copy);
	close(fd);
}

/* LIST_MOUNTS with a cap below the table, around the copy chunk (32): the lowest ids, in order. */
TEST(list_mounts_any_cap_is_a_prefix)
{
	static const uint32_t caps[] = { 1, 2, 31, 32, 33, 63, 64, 65, 100, 129 };
	struct vns_mount *all = NULL, *part;
	uint32_t nr;
	long n;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	n = make_table(fd, 130, &all);
	ASSERT_EQ(130, n);
	part = calloc(200, sizeof(*part));
	ASSERT_NE(NULL, part);
	for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
		memset(part, 0xa5, 200 * sizeof(*part));
		ASSERT_EQ(0, vns_list_mounts(fd, part, caps[c], &nr));
		EXPECT_EQ(130, nr);
		EXPECT_EQ(0, memcmp(all, part, caps[c] * sizeof(*part)));
		/* Nothing past the cap is written. */
		EXPECT_EQ(0xa5a5a5a5a5a5a5a5ull, part[caps[c]].id);
	}
	/* A huge cap with a NULL buffer: EFAULT, no allocation of cap entries. */
	EXPECT_EQ(-EFAULT, vns_list_mounts(fd, NULL, UINT32_MAX, &nr));
	free(part);
	free(all);
	close(fd);
}

/* Children that each hold a namespace of every kind but user, to make the registry large. */
#define NS_HOLDERS 24

static void kill_all(pid_t *pids, int n)
{
	for (int i = 0; i < n; i++) {
		if (pids[i] > 0) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], NULL, 0);
		}
	}
}

/*
 * LIST_NS with every cap from 0 to past the total: the `cap` lowest ids of the full listing, in order,
 * with the same total (chunked walks and a heap of the lowest ids, in place of one walk and a scan).
 */
TEST(list_ns_any_cap_is_a_prefix)
{
	struct vns_ns_entry *all = NULL, *part;
	pid_t pids[NS_HOLDERS] = { 0 };
	int sync[2];
	uint32_t nr_all = 0;
	int total;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, 0));
	ASSERT_EQ(0, pipe(sync));
	for (int i = 0; i < NS_HOLDERS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			/* 0, or the errno of the failed unshare. */
			char c = -vns_unshare(fd, VNS_ALL_NS_FLAGS & ~CLONE_NEWUSER, NULL);

			if (write(sync[1], &c, 1) != 1)
				_exit(1);
			pause();
			_exit(0);
		}
	}
	for (int i = 0; i < NS_HOLDERS; i++) {
		char c = -1;

		ASSERT_EQ(1, read(sync[0], &c, 1));
		ASSERT_EQ(0, c) TH_LOG("holder %d: unshare: %s", i, strerror(c));
	}
	total = vns_list_ns(fd, &all, &nr_all);
	ASSERT_LE(NS_HOLDERS * 7, total);
	ASSERT_EQ((uint32_t)total, nr_all);
	part = calloc(total + 8, sizeof(*part));
	ASSERT_NE(NULL, part);
	for (uint32_t cap = 0; cap <= (uint32_t)total + 2; cap++) {
		struct vns_list l = { .buf = (uintptr_t)part, .cap = cap };

		memset(part, 0xa5, (total + 8) * sizeof(*part));
		ASSERT_EQ(0, vns_ioctl(fd, VNS_IOC_LIST_NS, &l));
		ASSERT_EQ((uint32_t)total, l.nr);
		uint32_t n = cap < l.nr ? cap : l.nr;

		for (uint32_t i = 0; i < n; i++) {
			ASSERT_EQ(all[i].id, part[i].id) TH_LOG("cap %u, entry %u", cap, i);
			if (i)
				ASSERT_LT(part[i - 1].id, part[i].id);
		}
		ASSERT_EQ(0xa5a5a5a5a5a5a5a5ull, part[n].id);
	}
	kill_all(pids, NS_HOLDERS);
	free(part);
	free(all);
	close(fd);
}

/* ---- every byte charged to the caller's memcg ---- */

#define CG_ROOT "/sys/fs/cgroup"
#define CG_TEST CG_ROOT "/vns-memcg-test"
#define CG_MAX (8L << 20)

static long cg_read(const char *file)
{
	char path[128];
	long v = -1;

	snprintf(path, sizeof(path), CG_TEST "/%s", file);
	if (vns_read_int(path, &v))
		return -1;
	return v;
}

struct fill_result {
	_Atomic long mounts;
	_Atomic int last_err;
};

/* In the cgroup, as uid 1000: a user + mount vns, then mounts under its root until one fails. */
static int fill_until_failure(struct fill_result *r)
{
	int fd = vns_open();
	uint64_t root;

	if (fd < 0 || !(root = vns_new_mount_vns(fd)))
		return 2;
	for (;;) {
		int ret = add_mount(fd, root, NULL);

		if (ret) {
			r->last_err = -ret;
			return ret == -ENOMEM ? 0 : 3;
		}
		r->mounts++;
	}
}

/*
 * Before the fix nothing vns allocated was charged: the task filled its table up to mount-max (100 000
 * entries, about 50 MiB of slab) inside a memory.max of 8 MiB and the test saw ENOSPC. Now the memcg's
 * limit stops it (ENOMEM, or the memcg's OOM killer ends it) long before, and memory.current falls back
 * once it has exited.
 */
TEST(allocations_charged_to_callers_memcg)
{
	struct fill_result *r;
	char pidbuf[32];
	long before, cur = -1, mount_max = 0;
	int status;
	pid_t pid;

	if (getuid() != 0)
		SKIP(return, "needs root to make a cgroup (the filling task runs as uid 1000)");
	if (access(CG_ROOT "/cgroup.subtree_control", W_OK))
		SKIP(return, "no cgroup v2 hierarchy at " CG_ROOT);
	ASSERT_EQ(0, vns_read_int(VNS_SYSCTL_DIR "mount-max", &mount_max));
	ASSERT_EQ(0, vns_write_str(CG_ROOT "/cgroup.subtree_control", "+memory"));
	rmdir(CG_TEST);
	ASSERT_EQ(0, mkdir(CG_TEST, 0755));
	snprintf(pidbuf, sizeof(pidbuf), "%ld", CG_MAX);
	ASSERT_EQ(0, vns_write_str(CG_TEST "/memory.max", pidbuf));
	before = cg_read("memory.current");

	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	memset(r, 0, sizeof(*r));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		snprintf(pidbuf, sizeof(pidbuf), "%d", getpid());
		if (vns_write_str(CG_TEST "/cgroup.procs", pidbuf) || vns_drop_privileges())
			_exit(4);
		_exit(fill_until_failure(r));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	TH_LOG("%ld mounts, last error %d, exit %s %d", (long)r->mounts, (int)r->last_err,
	       WIFSIGNALED(status) ? "signal" : "status",
	       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	/* ENOMEM from the charge, or the memcg's own OOM kill of this task. */
	if (WIFSIGNALED(status)) {
		EXPECT_EQ(SIGKILL, WTERMSIG(status));
	} else {
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
	/* Far from mount-max: 8 MiB holds some tens of thousands of entries at most. */
	EXPECT_LT(r->mounts, mount_max / 2);
	EXPECT_LT(r->mounts, CG_MAX / 256);
	EXPECT_LT(1000, r->mounts);

	/* Everything is returned once the task is gone (RCU-deferred frees: poll). */
	for (int i = 0; i < 100; i++) {
		cur = cg_read("memory.current");
		if (cur >= 0 && cur <= before + (512 << 10))
			break;
		usleep(100 * 1000);
	}
	EXPECT_LE(cur, before + (512 << 10)) TH_LOG("memory.current %ld after exit, %ld before", cur, before);
	EXPECT_EQ(0, rmdir(CG_TEST));
	munmap(r, sizeof(*r));
}

/* ---- mount ids ordered with insertion ---- */

struct race {
	int fd;
	uint64_t root;
	_Atomic uint64_t last;
	_Atomic bool stop;
	_Atomic long made;
};

static void *mount_under_root(void *p)
{
	struct race *r = p;
	uint64_t id;

	while (!r->stop) {
		if (add_mount(r->fd, r->root, &id) == 0) {
			r->last = id;
			r->made++;
		}
	}
	return NULL;
}

/*
 * One thread mounts under the root; the other mounts under ids the first is about to get (ids are
 * sequential, so they can be guessed). Before the fix the id came from the counter before the table's
 * lock, so the guessed parent could be inserted in between with a larger id than its child, and every
 * later NEWNS copy of the table failed with EINVAL.
 */
TEST(mount_ids_ordered_under_racing_mounts)
{
	struct race r = { 0 };
	struct vns_mount *all = NULL;
	pthread_t t;
	long n, hits = 0;

	r.fd = vns_open();
	ASSERT_LE(0, r.fd);
	r.root = vns_new_mount_vns(r.fd);
	ASSERT_NE(0, r.root);
	ASSERT_EQ(0, pthread_create(&t, NULL, mount_under_root, &r));
	for (int i = 0; i < 3000 && r.made < 3000; i++) {
		uint64_t guess = r.last + 1 + (i % 3), id;

		if (add_mount(r.fd, guess, &id) == 0) {
			hits++;
			EXPECT_LT(guess, id);
		}
	}
	r.stop = true;
	pthread_join(t, NULL);
	TH_LOG("%ld mounts under guessed parents, %ld under the root", hits, (long)r.made);
	n = vns_all_mounts(r.fd, &all);
	ASSERT_LT(0, n);
	EXPECT_TRUE(table_ordered(all, n));
	/* The table copies. */
	EXPECT_EQ(0, vns_unshare(r.fd, CLONE_NEWNS, NULL));
	free(all);
	close(r.fd);
}

TEST_HARNESS_MAIN
