// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection over the ioctl paths (Documentation/vns.rst "Allocation failures" and "Unshare": all or
 * nothing): with /proc/thread-self/fail-nth (FAILSLAB), fail the 1st, 2nd, ... allocation of each ioctl
 * path until the call succeeds. Every failure must be ENOMEM and leave ids, counts, membership, names and
 * tables exactly as before. Forks under fail-nth are in vns_fault_fork_test.c.
 *
 * Root only (debugfs); each attempt runs in a fresh child so that a success does not carry over.
 */
#include "vns_fault.h"

/* Everything a failed call must leave as it was. */
struct snap {
	struct vns_info info;
	struct vns_ucounts uc;
	uint32_t nr_ns, nr_mounts;
	struct vns_uts uts;
};

static int take_snap(int fd, struct snap *s)
{
	struct vns_list l = { 0 };

	memset(s, 0, sizeof(*s));
	if (vns_get_info(fd, &s->info) || vns_get_uts(fd, &s->uts))
		return -1;
	/* Unmapped in its own user vns (65534), the caller has no ucounts view: EINVAL, keep zeroes. */
	if (vns_get_ucounts(fd, 0, s->info.uid, &s->uc) && s->info.uid != 65534)
		return -1;
	if (s->info.uid == 65534)
		memset(&s->uc, 0, sizeof(s->uc));
	if (vns_ioctl(fd, VNS_IOC_LIST_NS, &l))
		return -1;
	s->nr_ns = l.nr;
	memset(&l, 0, sizeof(l));
	if (vns_ioctl(fd, VNS_IOC_LIST_MOUNTS, &l))
		return -1;
	s->nr_mounts = l.nr;
	return 0;
}

/*
 * How many allocations an operation makes: SOME for a write path; NONE for a change made in place (a
 * SETNS by a task whose proxy no other task shares allocates nothing); ANY for the lists, which allocate
 * only through kvmalloc, whose failed kmalloc falls back to vmalloc: no failure reaches the caller.
 */
enum allocs { SOME, NONE, ANY };

/* The operation under test, its setup (done before the fault is armed), and what it allocates. */
struct scenario {
	const char *name;
	int (*setup)(int fd, void **ctx);
	int (*op)(int fd, void *ctx);
	enum allocs allocs;
};

enum { DONE = 0, ENOMEM_CLEAN = 1, BROKEN = 2, INJECTED_OK = 3, SETUP_FAILED = 4 };

/* One attempt with the n-th allocation failing; returns one of the codes above. */
static int attempt(const struct scenario *sc, int n)
{
	struct snap before, after;
	void *ctx = NULL;
	long left;
	int fd = vns_open(), ret;

	if (fd < 0 || sc->setup(fd, &ctx) || take_snap(fd, &before))
		return SETUP_FAILED;
	if (set_fail_nth(n))
		return SETUP_FAILED;
	ret = sc->op(fd, ctx);
	left = fail_nth_left();
	set_fail_nth(0);
	if (ret == 0)
		return left > 0 ? DONE : INJECTED_OK;
	if (ret != -ENOMEM) {
		fprintf(stderr, "# %s: nth %d: %s\n", sc->name, n, strerror(-ret));
		return BROKEN;
	}
	if (take_snap(fd, &after))
		return BROKEN;
	if (memcmp(&before, &after, sizeof(before))) {
		fprintf(stderr, "# %s: nth %d: ENOMEM but the state changed\n", sc->name, n);
		return BROKEN;
	}
	return ENOMEM_CLEAN;
}

static int run_scenario(const struct scenario *sc, int *nr_enomem)
{
	int n, status;

	*nr_enomem = 0;
	for (n = 1; n <= MAX_NTH; n++) {
		pid_t pid = fork();

		if (pid < 0)
			return -1;
		if (pid == 0)
			_exit(attempt(sc, n));
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
			return -1;
		switch (WEXITSTATUS(status)) {
		case DONE:
			return 0;
		case ENOMEM_CLEAN:
			(*nr_enomem)++;
			/* fall through */
		case INJECTED_OK:
			continue;
		default:
			return -(int)WEXITSTATUS(status);
		}
	}
	return -1;
}

/* ---- scenarios ------------------------------------------------------------------------------------- */

static int setup_user_vns(int fd, void **ctx)
{
	(void)ctx;
	return vns_unshare_map_root(fd, 0);
}

static int setup_none(int fd, void **ctx)
{
	(void)fd;
	(void)ctx;
	return 0;
}

static int op_unshare_all(int fd, void *ctx)
{
	(void)ctx;
	return vns_unshare(fd, VNS_ALL_NS_FLAGS, NULL);
}

static int op_unshare_mnt_uts(int fd, void *ctx)
{
	(void)ctx;
	return vns_unshare(fd, CLONE_NEWNS | CLONE_NEWUTS, NULL);
}

static int setup_unmapped(int fd, void **ctx)
{
	static struct vns_info info;

	if (vns_unshare(fd, CLONE_NEWUSER, NULL) || vns_get_info(fd, &info))
		return -1;
	*ctx = &info;
	return 0;
}

static int op_set_map(int fd, void *ctx)
{
	struct vns_info *info = ctx;

	return vns_set_map1(fd, info->ns_id[VNS_KIND_USER], VNS_MAP_UID, 0, getuid(), 1);
}

static int setup_newns(int fd, void **ctx)
{
	(void)ctx;
	return vns_unshare_map_root(fd, CLONE_NEWNS);
}

/* LIST_MOUNTS of the first entry (the root), then a MOUNT under it. */
static int op_mount(int fd, void *ctx)
{
	struct vns_mount root;
	uint32_t nr;
	int ret;

	(void)ctx;
	ret = vns_list_mounts(fd, &root, 1, &nr);
	if (ret)
		return ret;
	return vns_add_mount(fd, root.id, 0, "tmpfs", "/mnt", NULL);
}

static int op_list_ns(int fd, void *ctx)
{
	struct vns_ns_entry e[64];
	struct vns_list l = { .buf = (uintptr_t)e, .cap = 64 };

	(void)ctx;
	return vns_ioctl(fd, VNS_IOC_LIST_NS, &l);
}

static int op_list_mounts(int fd, void *ctx)
{
	struct vns_mount m[8];
	struct vns_list l = { .buf = (uintptr_t)m, .cap = 8 };

	(void)ctx;
	return vns_ioctl(fd, VNS_IOC_LIST_MOUNTS, &l);
}

/* A sibling uts vns kept alive by a sleeping member, to SETNS into. */
static int setup_sibling(int fd, void **ctx)
{
	static uint64_t target;
	struct vns_info info;
	int p[2];
	char c;

	if (vns_unshare_map_root(fd, CLONE_NEWUTS) || vns_get_info(fd, &info) || pipe(p))
		return -1;
	target = info.ns_id[VNS_KIND_UTS];
	if (fork() == 0) {
		/* Stays in `target` until the attempt's process exits (the pipe closes). */
		close(p[1]);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	if (vns_unshare(fd, CLONE_NEWUTS, NULL))
		return -1;
	*ctx = &target;
	return 0;
}

static int op_setns(int fd, void *ctx)
{
	return vns_setns(fd, *(uint64_t *)ctx, VNS_KIND_UTS);
}

/* As setup_sibling, then a child shares the caller's proxy until the attempt exits: SETNS builds one. */
static int setup_sibling_shared(int fd, void **ctx)
{
	int p[2];
	char c;

	if (setup_sibling(fd, ctx) || pipe(p))
		return -1;
	if (fork() == 0) {
		close(p[1]);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	return 0;
}

/* A time vns for children, not entered yet, to SETNS into (which sets both and freezes it). */
static int setup_time_for_children(int fd, void **ctx)
{
	static uint64_t target;
	struct vns_info info;

	if (vns_unshare_map_root(fd, CLONE_NEWTIME) || vns_get_info(fd, &info))
		return -1;
	target = info.time_for_children_id;
	*ctx = &target;
	return 0;
}

static int op_setns_time(int fd, void *ctx)
{
	return vns_setns(fd, *(uint64_t *)ctx, VNS_KIND_TIME);
}

/*
 * A time vns for children of another task, which holds it until the attempt exits; the attempt itself
 * never touched vns, so its SETNS allocates its membership entry.
 */
static int setup_time_elsewhere(int fd, void **ctx)
{
	static uint64_t target;
	struct vns_info info;
	int p[2], q[2];
	char c;

	if (pipe(p) || pipe(q))
		return -1;
	if (fork() == 0) {
		close(p[1]);
		close(q[0]);
		if (vns_unshare(fd, CLONE_NEWTIME, NULL) || vns_get_info(fd, &info) ||
		    write(q[1], &info.time_for_children_id, sizeof(target)) != sizeof(target))
			_exit(1);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	close(q[1]);
	if (read(q[0], &target, sizeof(target)) != sizeof(target))
		return -1;
	close(q[0]);
	*ctx = &target;
	return 0;
}

/* A task in a user and a uts vns of its own, until the attempt's process exits: SETNS_TASK joins both. */
static int setup_holder(int fd, void **ctx)
{
	static pid_t holder;
	int p[2], q[2];
	char c;

	if (pipe(p) || pipe(q))
		return -1;
	holder = fork();
	if (holder == 0) {
		close(p[1]);
		close(q[0]);
		if (vns_unshare_map_root(fd, CLONE_NEWUTS) || write(q[1], "r", 1) != 1)
			_exit(1);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	close(q[1]);
	if (holder < 0 || read(q[0], &c, 1) != 1)
		return -1;
	close(q[0]);
	*ctx = &holder;
	return 0;
}

static int op_setns_task(int fd, void *ctx)
{
	struct vns_setns_task s = { .pid = *(pid_t *)ctx, .flags = CLONE_NEWUSER | CLONE_NEWUTS };

	return vns_ioctl(fd, VNS_IOC_SETNS_TASK, &s);
}

/* A namespace fd of the caller's own uts vns (the fd stays open: the attempt's process exits). */
static int op_ns_fd(int fd, void *ctx)
{
	struct vns_ns_fd f = { .kind = VNS_KIND_UTS };
	int ret = ioctl(fd, VNS_IOC_NS_FD, &f);

	(void)ctx;
	return ret < 0 ? -errno : 0;
}

static const struct scenario scenarios[] = {
	{ "unshare every kind", setup_user_vns, op_unshare_all, SOME },
	{ "unshare mnt+uts", setup_user_vns, op_unshare_mnt_uts, SOME },
	{ "unshare every kind from init (root)", setup_none, op_unshare_all, SOME },
	{ "set_id_map", setup_unmapped, op_set_map, SOME },
	{ "mount", setup_newns, op_mount, SOME },
	{ "setns uts (in place)", setup_sibling, op_setns, NONE },
	{ "setns uts (proxy shared)", setup_sibling_shared, op_setns, SOME },
	{ "setns time (in place)", setup_time_for_children, op_setns_time, NONE },
	{ "setns time (new entry)", setup_time_elsewhere, op_setns_time, SOME },
	{ "setns_task user+uts", setup_holder, op_setns_task, SOME },
	{ "ns_fd", setup_user_vns, op_ns_fd, SOME },
	{ "list_ns", setup_user_vns, op_list_ns, ANY },
	{ "list_mounts", setup_newns, op_list_mounts, ANY },
};

/* Each allocation of each ioctl path fails in turn: ENOMEM, nothing changed, then success. */
TEST_F(fault, every_allocation_of_every_path)
{
	unsigned int i;
	int nr;

	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		EXPECT_EQ(0, run_scenario(&scenarios[i], &nr)) TH_LOG("%s", scenarios[i].name);
		TH_LOG("%s: %d allocations failed cleanly", scenarios[i].name, nr);
		/* A write path's failures were seen and handled; a change in place allocates nothing. */
		if (scenarios[i].allocs == SOME)
			EXPECT_LT(0, nr) TH_LOG("%s", scenarios[i].name);
		if (scenarios[i].allocs == NONE)
			EXPECT_EQ(0, nr) TH_LOG("%s", scenarios[i].name);
	}
}

TEST_HARNESS_MAIN
