// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection (spec §3.6, §1): with /proc/thread-self/fail-nth (FAILSLAB), fail the 1st, 2nd, ...
 * allocation of each ioctl path until the call succeeds. Every failure must be ENOMEM and leave ids,
 * counts and membership exactly as before. A fork whose probe cannot record the child must still leave
 * the child (and its children) in its parent's namespaces, never in the init ones.
 *
 * Root only (debugfs); each attempt runs in a fresh child so that a success does not carry over.
 */
#include <pthread.h>
#include <sys/mount.h>

#include "kselftest_harness.h"
#include "vns_test.h"

#define FAILSLAB "/sys/kernel/debug/failslab/"
#define MAX_NTH 400

static int write_file(const char *path, const char *s)
{
	return vns_write_str(path, s);
}

static int set_fail_nth(int n)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", n);
	return write_file("/proc/thread-self/fail-nth", buf);
}

/* 0: the fault was injected; > 0: it was not reached. */
static long fail_nth_left(void)
{
	long v = -1;

	vns_read_int("/proc/thread-self/fail-nth", &v);
	return v;
}

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

/* The operation under test, and its setup (done before the fault is armed). */
struct scenario {
	const char *name;
	int (*setup)(int fd, void **ctx);
	int (*op)(int fd, void *ctx);
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

static int op_mount(int fd, void *ctx)
{
	struct vns_mount m = { 0 };
	struct vns_mount root;
	struct vns_list l = { .buf = (uintptr_t)&root, .cap = 1 };
	int ret;

	(void)ctx;
	ret = vns_ioctl(fd, VNS_IOC_LIST_MOUNTS, &l);
	if (ret)
		return ret;
	m.parent_id = root.id;
	strcpy(m.source, "tmpfs");
	strcpy(m.target, "/mnt");
	strcpy(m.fstype, "tmpfs");
	return vns_ioctl(fd, VNS_IOC_MOUNT, &m);
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

static const struct scenario scenarios[] = {
	{ "unshare every kind", setup_user_vns, op_unshare_all },
	{ "unshare mnt+uts", setup_user_vns, op_unshare_mnt_uts },
	{ "unshare every kind from init (root)", setup_none, op_unshare_all },
	{ "set_id_map", setup_unmapped, op_set_map },
	{ "mount", setup_newns, op_mount },
	{ "setns uts", setup_sibling, op_setns },
	{ "list_ns", setup_user_vns, op_list_ns },
	{ "list_mounts", setup_newns, op_list_mounts },
};

FIXTURE(fault)
{
	long saved_ignore, saved_verbose;
};

FIXTURE_SETUP(fault)
{
	if (getuid() != 0)
		SKIP(return, "needs root (debugfs)");
	if (access("/proc/thread-self/fail-nth", W_OK) || access(FAILSLAB "ignore-gfp-wait", W_OK))
		SKIP(return, "no FAILSLAB / fail-nth in this kernel");
	ASSERT_EQ(0, vns_read_int(FAILSLAB "verbose", &self->saved_verbose));
	/* Sleeping (GFP_KERNEL) allocations too, and no stack dump per injected failure. */
	ASSERT_EQ(0, write_file(FAILSLAB "ignore-gfp-wait", "N"));
	ASSERT_EQ(0, write_file(FAILSLAB "verbose", "0"));
}

FIXTURE_TEARDOWN(fault)
{
	char buf[16];

	if (getuid() != 0 || access(FAILSLAB "ignore-gfp-wait", W_OK))
		return;
	write_file(FAILSLAB "ignore-gfp-wait", "Y");
	snprintf(buf, sizeof(buf), "%ld", self->saved_verbose);
	write_file(FAILSLAB "verbose", buf);
}

/* spec §3.6: each allocation of each ioctl path fails in turn: ENOMEM, nothing changed, then success. */
TEST_F(fault, every_allocation_of_every_path)
{
	unsigned int i;
	int nr;

	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		EXPECT_EQ(0, run_scenario(&scenarios[i], &nr)) TH_LOG("%s", scenarios[i].name);
		TH_LOG("%s: %d allocations failed cleanly", scenarios[i].name, nr);
		/*
		 * The write paths allocate: at least one failure must have been seen and handled. The
		 * lists allocate only through kvmalloc (bounded chunks, an array sized by what the caller
		 * can see), whose failed kmalloc falls back to vmalloc: no failure reaches the caller.
		 */
		if (scenarios[i].op != op_list_mounts && scenarios[i].op != op_list_ns)
			EXPECT_LT(0, nr) TH_LOG("%s", scenarios[i].name);
	}
}

/* The child checks it (and a grandchild of its own) are in `parent_ids`. */
static int check_ids(int fd, const __u64 *parent_ids)
{
	struct vns_info info;

	if (vns_get_info(fd, &info))
		return 20;
	return memcmp(info.ns_id, parent_ids, sizeof(info.ns_id)) ? 21 : 0;
}

/*
 * Documentation/vns.rst "Membership": a fork whose allocations fail (each in turn, the probe's included:
 * its entry, then the child's reserve, then the refill of the parent's) still gives the child (and its
 * child) exactly the parent's namespaces, never the init ones.
 */
TEST_F(fault, unrecorded_fork_stays_in_parent_namespaces)
{
	struct vns_info parent;
	int fd = vns_open(), n, status, forks = 0;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS | CLONE_NEWIPC));
	ASSERT_EQ(0, vns_get_info(fd, &parent));
	for (n = 1; n <= MAX_NTH; n++) {
		long left;
		pid_t pid;

		ASSERT_EQ(0, set_fail_nth(n));
		pid = fork();
		if (pid == 0) {
			int g, ret = check_ids(fd, parent.ns_id);
			pid_t gpid;

			if (ret)
				_exit(ret);
			/* A child of an unrecorded task is in the same namespaces. */
			gpid = fork();
			if (gpid == 0)
				_exit(check_ids(fd, parent.ns_id));
			if (gpid < 0 || waitpid(gpid, &g, 0) != gpid || !WIFEXITED(g))
				_exit(22);
			_exit(WEXITSTATUS(g));
		}
		left = fail_nth_left();
		set_fail_nth(0);
		if (pid < 0) {
			/* The fork itself failed (an allocation of copy_process): nothing to check. */
			continue;
		}
		forks++;
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("fail-nth %d", n);
		if (left > 0)
			break;
	}
	EXPECT_LT(n, MAX_NTH);
	EXPECT_LT(0, forks);
	close(fd);
}

/* What the intermediate task of the orphan and thread cases reports. */
struct nth_report {
	long left;	/* fail-nth after the fork: 0 if the failure was injected */
	int forked;	/* the fork (or pthread_create) succeeded */
	int result;	/* the new task's check_ids(), 255 if it died */
};

static int nth_fd;
static __u64 nth_ids[VNS_NR_KINDS];

static void *thread_check(void *arg)
{
	(void)arg;
	return (void *)(long)check_ids(nth_fd, nth_ids);
}

/* In a fresh child (so a recorded success does not carry over): a thread created with the n-th
 * allocation failing reports its namespaces. */
static int nth_thread(int n, struct nth_report *r)
{
	int p[2], status;
	pid_t mid;

	if (pipe(p))
		return -1;
	mid = fork();
	if (mid < 0)
		return -1;
	if (mid == 0) {
		struct nth_report rep = { .result = 255 };
		void *res = (void *)255L;
		pthread_t t;

		set_fail_nth(n);
		rep.forked = pthread_create(&t, NULL, thread_check, NULL) == 0;
		rep.left = fail_nth_left();
		set_fail_nth(0);
		if (rep.forked)
			pthread_join(t, &res);
		rep.result = (int)(long)res;
		_exit(write(p[1], &rep, sizeof(rep)) == sizeof(rep) ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], r, sizeof(*r)) != sizeof(*r) || waitpid(mid, &status, 0) != mid)
		return -1;
	close(p[0]);
	return 0;
}

/*
 * In a fresh child: a fork with the n-th allocation failing, after which the parent exits at once. The
 * orphan checks its namespaces only once it was reparented, and reports through a pipe of its own.
 */
static int nth_orphan(int n, struct nth_report *r)
{
	int p[2], ok[2], status;
	pid_t mid;

	if (pipe(p) || pipe(ok))
		return -1;
	mid = fork();
	if (mid < 0)
		return -1;
	if (mid == 0) {
		struct nth_report rep = { .result = 255 };
		pid_t me = getpid(), c;

		close(ok[0]);
		set_fail_nth(n);
		c = fork();
		if (c == 0) {
			int res;

			/* Wait until the parent is gone and this task was reparented. */
			while (getppid() == me)
				usleep(1000);
			res = check_ids(nth_fd, nth_ids);
			_exit(write(ok[1], &res, sizeof(res)) == sizeof(res) ? 0 : 1);
		}
		rep.left = fail_nth_left();
		set_fail_nth(0);
		rep.forked = c > 0;
		_exit(write(p[1], &rep, sizeof(rep)) == sizeof(rep) ? 0 : 1);
	}
	close(p[1]);
	close(ok[1]);
	if (read(p[0], r, sizeof(*r)) != sizeof(*r) || waitpid(mid, &status, 0) != mid)
		return -1;
	if (r->forked && read(ok[0], &r->result, sizeof(r->result)) != sizeof(r->result))
		r->result = 255;
	close(p[0]);
	close(ok[0]);
	return 0;
}

static void nth_setup(struct __test_metadata *_metadata)
{
	struct vns_info info;

	nth_fd = vns_open();
	ASSERT_LE(0, nth_fd);
	ASSERT_EQ(0, vns_unshare_map_root(nth_fd, CLONE_NEWUTS | CLONE_NEWIPC));
	ASSERT_EQ(0, vns_get_info(nth_fd, &info));
	memcpy(nth_ids, info.ns_id, sizeof(nth_ids));
}

/*
 * A task forked under fail-nth whose parent then exits: reparented, it keeps the namespaces it was
 * created in (before the fix it resolved through its new parent, to the init namespaces).
 */
TEST_F(fault, orphan_of_failed_fork_keeps_namespaces)
{
	struct nth_report r;
	int n, forks = 0;

	nth_setup(_metadata);
	for (n = 1; n <= MAX_NTH; n++) {
		ASSERT_EQ(0, nth_orphan(n, &r));
		if (!r.forked)
			continue;
		forks++;
		EXPECT_EQ(0, r.result) TH_LOG("fail-nth %d", n);
		if (r.left > 0)
			break;
	}
	EXPECT_LT(n, MAX_NTH);
	EXPECT_LT(0, forks);
}

/* A thread created under fail-nth is in its creator's namespaces, at every failure point. */
TEST_F(fault, thread_of_failed_clone_keeps_namespaces)
{
	struct nth_report r;
	int n, made = 0;

	nth_setup(_metadata);
	for (n = 1; n <= MAX_NTH; n++) {
		ASSERT_EQ(0, nth_thread(n, &r));
		if (!r.forked)
			continue;
		made++;
		EXPECT_EQ(0, r.result) TH_LOG("fail-nth %d", n);
		if (r.left > 0)
			break;
	}
	EXPECT_LT(n, MAX_NTH);
	EXPECT_LT(0, made);
}

TEST_HARNESS_MAIN
