// SPDX-License-Identifier: GPL-2.0
/*
 * Differential conformance with Linux 7.3 (Documentation/vns.rst "Differences from Linux 7.3"): the same
 * seeded random sequences of unshare calls go through the kernel's unshare(2) and through
 * VNS_IOC_UNSHARE, each sequence in two fresh children with the same identity, and the errnos must agree
 * at every step. Every valid flag, several invalid bits and UNSHARE_EMPTY_MNTNS take part.
 *
 * Identities: root; uid 1000; root without CAP_SYS_ADMIN; a multi-threaded caller; root inside a user
 * namespace of each side (the kernel's for unshare(2), a vns one for vns). As root, each sequence runs
 * under the same small limits on both sides for the kinds the kernel releases before the last put
 * returns (uts, cgroup, time: /proc/sys/user and /proc/sys/vns); pid and user namespaces are freed
 * through a workqueue in 7.3, so their limits are left alone.
 *
 * VNS_DIFF_SEQS sequences per identity (default 24; `make stress` sets more), VNS_DIFF_SEED the first seed.
 * A mismatch prints the seed, the identity, the step, the flags and both results.
 */
#include <linux/capability.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "vns_test.h"

#define STEPS 8

enum identity { ID_ROOT, ID_USER, ID_NO_SYS_ADMIN, ID_THREADED, ID_IN_USERNS, NR_IDENTITIES };
static const char *const identity_name[NR_IDENTITIES] = {
	"root", "uid 1000", "root without CAP_SYS_ADMIN", "multi-threaded", "root in a user namespace",
};

/* What a step may ask for: each flag alone, useful pairs, invalid bits. */
static const uint64_t choices[] = {
	0,
	CLONE_NEWUSER, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWCGROUP,
	CLONE_NEWTIME, CLONE_NEWNET, CLONE_UNSHARE_EMPTY_MNTNS,
	CLONE_NEWUSER | CLONE_NEWUTS, CLONE_NEWUSER | CLONE_NEWNS, CLONE_NEWUSER | CLONE_NEWPID,
	CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP | CLONE_NEWTIME,
	CLONE_THREAD, CLONE_FS, CLONE_SIGHAND, CLONE_VM, CLONE_FILES, CLONE_SYSVSEM,
	CLONE_NEWUSER | CLONE_VM, CLONE_NEWNS | CLONE_FS, CLONE_UNSHARE_EMPTY_MNTNS | CLONE_NEWUTS,
	/* Invalid: CLONE_IO, CLONE_PTRACE, CLONE_PARENT, a bit above 31 with a valid one. */
	0x80000000ULL, 0x00002000ULL, 0x00008000ULL, (1ULL << 33) | CLONE_NEWUTS,
};
#define NR_CHOICES (sizeof(choices) / sizeof(choices[0]))

/* The limited kinds and the two files of each. */
static const char *const limited[] = { "uts", "cgroup", "time" };
#define NR_LIMITED 3

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* Drops CAP_SYS_ADMIN from the effective set, keeping the others. */
static int drop_sys_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	return syscall(SYS_capset, &h, d) ? -1 : 0;
}

static int write_str(const char *path, const char *s)
{
	return vns_write_str(path, s);
}

/* The kernel side of "root in a user namespace": unshare(2) it and map the caller to root. */
static int kernel_userns_root(void)
{
	char buf[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (unshare(CLONE_NEWUSER))
		return -1;
	write_str("/proc/self/setgroups", "deny");
	snprintf(buf, sizeof(buf), "0 %u 1", uid);
	if (write_str("/proc/self/uid_map", buf))
		return -1;
	snprintf(buf, sizeof(buf), "0 %u 1", gid);
	return write_str("/proc/self/gid_map", buf);
}

/* Sets the identity in a fresh child; `vns` says which side it is for. */
static int become(enum identity id, int vns, int fd)
{
	pthread_t t;

	switch (id) {
	case ID_ROOT:
		return 0;
	case ID_USER:
		return vns_drop_privileges();
	case ID_NO_SYS_ADMIN:
		return drop_sys_admin();
	case ID_THREADED:
		return pthread_create(&t, NULL, sleeper, NULL) ? -1 : 0;
	case ID_IN_USERNS:
		return vns ? vns_unshare_map_root(fd, 0) : kernel_userns_root();
	default:
		return -1;
	}
}

/* One side of a sequence: the errno (0 for success) of each step, written to `out`. */
static int run_side(enum identity id, int vns, const uint64_t *flags, int out)
{
	int results[STEPS];
	int fd = vns_open();

	if (fd < 0 || become(id, vns, fd))
		return 2;
	for (int i = 0; i < STEPS; i++) {
		if (vns)
			results[i] = -vns_unshare(fd, flags[i], NULL);
		else
			results[i] = syscall(SYS_unshare, (unsigned long)flags[i]) ? errno : 0;
	}
	return write(out, results, sizeof(results)) == sizeof(results) ? 0 : 3;
}

static int side_results(enum identity id, int vns, const uint64_t *flags, int *results)
{
	int p[2], status;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(p[0]);
		_exit(run_side(id, vns, flags, p[1]));
	}
	close(p[1]);
	if (read(p[0], results, sizeof(int) * STEPS) != (ssize_t)(sizeof(int) * STEPS))
		results[0] = -1;
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return 0;
}

/* The limit files of kind `k`: the kernel's (side 0) and vns's (side 1). */
static void limit_path(int side, int k, char *path, size_t len)
{
	snprintf(path, len, "%s/max_%s_namespaces", side ? "/proc/sys/vns" : "/proc/sys/user", limited[k]);
}

static void save_limits(long saved[2][NR_LIMITED])
{
	char path[96];

	for (int side = 0; side < 2; side++)
		for (int k = 0; k < NR_LIMITED; k++) {
			limit_path(side, k, path, sizeof(path));
			vns_read_int(path, &saved[side][k]);
		}
}

/* Sets the limited kinds to `max` on both sides, or back to `saved` (root only). */
static void write_limits(long max, long saved[2][NR_LIMITED])
{
	char path[96], buf[32];

	for (int side = 0; side < 2; side++)
		for (int k = 0; k < NR_LIMITED; k++) {
			limit_path(side, k, path, sizeof(path));
			snprintf(buf, sizeof(buf), "%ld", saved ? saved[side][k] : max);
			write_str(path, buf);
		}
}

/* Its sequences run in tens of seconds in make check; 300 of them under make stress outlast the harness's
 * default 30 s (as the id map writes below do). */
FIXTURE(diff)
{
};

FIXTURE_SETUP(diff)
{
}

FIXTURE_TEARDOWN(diff)
{
}

TEST_F_TIMEOUT(diff, unshare_agrees_with_the_kernel, 1800)
{
	const char *env = getenv("VNS_DIFF_SEQS"), *seed_env = getenv("VNS_DIFF_SEED");
	int seqs = env ? atoi(env) : 24, mismatches = 0, runs = 0;
	uint64_t seed0 = seed_env ? strtoull(seed_env, NULL, 0) : 0x5eed;
	long saved[2][NR_LIMITED] = { { 0 } };
	int root = getuid() == 0;

	if (access("/proc/self/ns/user", F_OK))
		SKIP(return, "the kernel has no namespaces to compare with");
	if (root)
		save_limits(saved);
	for (int id = 0; id < NR_IDENTITIES; id++) {
		if (!root && (id == ID_USER || id == ID_NO_SYS_ADMIN))
			continue;	/* the same identity as the caller's, or not reachable */
		for (int s = 0; s < seqs; s++) {
			uint64_t seed = seed0 + (uint64_t)id * 100003 + (uint64_t)s, st = seed | 1;
			uint64_t flags[STEPS];
			int kernel[STEPS], vns[STEPS];

			for (int i = 0; i < STEPS; i++)
				flags[i] = choices[rnd(&st) % NR_CHOICES];
			if (root)
				write_limits(rnd(&st) % 3, NULL);
			ASSERT_EQ(0, side_results(id, 0, flags, kernel)) TH_LOG("kernel side, seed %#llx",
				(unsigned long long)seed);
			ASSERT_EQ(0, side_results(id, 1, flags, vns)) TH_LOG("vns side, seed %#llx",
				(unsigned long long)seed);
			runs++;
			for (int i = 0; i < STEPS; i++) {
				if (kernel[i] == vns[i])
					continue;
				mismatches++;
				TH_LOG("seed %#llx, %s, step %d: flags %#llx: kernel %s, vns %s",
				       (unsigned long long)seed, identity_name[id], i,
				       (unsigned long long)flags[i], strerror(kernel[i]), strerror(vns[i]));
				break;	/* later steps depend on this one */
			}
		}
	}
	if (root)
		write_limits(0, saved);
	TH_LOG("%d sequences of %d steps, %d mismatches", runs, STEPS, mismatches);
	EXPECT_EQ(0, mismatches);
}

/* ---- id maps: /proc/PID/uid_map (gid_map) against VNS_IOC_SET_ID_MAP ---- */

#define MAX_EXTENTS 3

struct map_case {
	uint32_t which;		/* VNS_MAP_UID or VNS_MAP_GID */
	uint32_t nr;
	struct vns_id_extent e[MAX_EXTENTS];
};

/* A random map of 1..3 extents from values around the interesting edges; `self` is the writer's id. */
static void random_map(uint64_t *st, uint32_t self, struct map_case *m)
{
	const uint32_t firsts[] = { 0, 1, 1000, 4294967294u };
	const uint32_t lowers[] = { 0, self, self + 1, 1000, 4294967295u };
	/* Weighted towards maps that parse, so that the permission rules are reached too. */
	const uint32_t counts[] = { 1, 1, 1, 2, 1000, 0, 4294967295u };

	m->which = rnd(st) % 2 ? VNS_MAP_GID : VNS_MAP_UID;
	m->nr = rnd(st) % 2 ? 1 : 1 + rnd(st) % MAX_EXTENTS;
	for (uint32_t i = 0; i < m->nr; i++) {
		m->e[i].first = firsts[rnd(st) % 4] + i * 2000;
		m->e[i].lower_first = lowers[rnd(st) % 5];
		m->e[i].count = counts[rnd(st) % 7];
	}
}

/* A side's setup failed (never an errno: those are below 134). */
#define SETUP_FAILED 250

/* The kernel side: unshare(2) a user namespace, then write the map as /proc/self/uid_map takes it. */
static int kernel_map(const struct map_case *m)
{
	char text[256] = "";
	int fd, ret = 0;

	if (unshare(CLONE_NEWUSER)) {
		fprintf(stderr, "# kernel side: unshare(CLONE_NEWUSER): %s\n", strerror(errno));
		return SETUP_FAILED;
	}
	/* An unprivileged gid map needs setgroups denied (user_namespace.c new_idmap_permitted). */
	write_str("/proc/self/setgroups", "deny");
	for (uint32_t i = 0; i < m->nr; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%u %u %u\n", m->e[i].first,
			 m->e[i].lower_first, m->e[i].count);
	fd = open(m->which == VNS_MAP_GID ? "/proc/self/gid_map" : "/proc/self/uid_map", O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "# kernel side: open map: %s\n", strerror(errno));
		return SETUP_FAILED;
	}
	if (write(fd, text, strlen(text)) < 0)
		ret = errno;
	close(fd);
	return ret;
}

/* The vns side: a user vns of the caller's own, then SET_ID_MAP with the same extents. */
static int vns_map(const struct map_case *m)
{
	struct vns_id_map req = { .which = m->which, .nr_extents = m->nr, .extents = (uintptr_t)m->e };
	struct vns_info info;
	int fd = vns_open();

	if (fd < 0 || vns_unshare(fd, CLONE_NEWUSER, NULL) || vns_get_info(fd, &info))
		return SETUP_FAILED;
	req.user_ns_id = info.ns_id[VNS_KIND_USER];
	return -vns_ioctl(fd, VNS_IOC_SET_ID_MAP, &req);
}

/* Runs `side` for map `m` in a fresh child of the identity (`unprivileged`: uid 1000); its errno. */
static int map_in_child(int (*side)(const struct map_case *), const struct map_case *m, int unprivileged)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		/* Dropped from root, the task is not dumpable and its /proc/self maps are root's: make it so. */
		if (unprivileged && (vns_drop_privileges() || prctl(PR_SET_DUMPABLE, 1)))
			_exit(SETUP_FAILED);
		_exit(side(m));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* 1200 map writes per identity under make stress (two identities as root) outlast the default 30 s too. */
TEST_F_TIMEOUT(diff, id_map_writes_agree_with_the_kernel, 1800)
{
	const char *env = getenv("VNS_DIFF_SEQS");
	int n = (env ? atoi(env) : 24) * 4, mismatches = 0, ok = 0, einval = 0, eperm = 0;
	uint64_t st = 0x1d5eed;

	for (int unpriv = 0; unpriv < 2; unpriv++) {
		uint32_t self = unpriv || getuid() ? VNS_TEST_UID : 0;

		if (unpriv && getuid() != 0)
			break;	/* already the unprivileged identity */
		for (int i = 0; i < n; i++) {
			struct map_case m;
			int k, v;

			random_map(&st, self, &m);
			k = map_in_child(kernel_map, &m, unpriv);
			v = map_in_child(vns_map, &m, unpriv);
			ASSERT_LT(-1, k);
			ASSERT_GT(SETUP_FAILED, k);
			ASSERT_GT(SETUP_FAILED, v);
			ok += !k;
			einval += k == EINVAL;
			eperm += k == EPERM;
			if (k == v)
				continue;
			mismatches++;
			TH_LOG("%s map, %u extents (first %u lower %u count %u...), %s: kernel %s, vns %s",
			       m.which == VNS_MAP_GID ? "gid" : "uid", m.nr, m.e[0].first, m.e[0].lower_first,
			       m.e[0].count, unpriv || getuid() ? "uid 1000" : "root", strerror(k), strerror(v));
		}
	}
	TH_LOG("%d map writes: %d written, %d EINVAL, %d EPERM; %d mismatches", n * (getuid() ? 1 : 2), ok,
	       einval, eperm, mismatches);
	EXPECT_EQ(0, mismatches);
}

/* ---- nested user namespaces: the same depth fails the same way ---- */

static int kernel_depth(void)
{
	for (int level = 1; level < 64; level++)
		if (kernel_userns_root())
			return level;
	return 0;
}

static int vns_depth(void)
{
	int fd = vns_open();

	for (int level = 1; level < 64; level++) {
		int ret = vns_unshare_map_root(fd, 0);

		if (ret)
			return level * 1000 - ret;
	}
	return 0;
}

static int depth_in_child(int (*side)(void))
{
	int p[2], v = -1, status;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		v = side();
		_exit(write(p[1], &v, sizeof(v)) == sizeof(v) ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], &v, sizeof(v)) != sizeof(v))
		v = -1;
	close(p[0]);
	waitpid(pid, &status, 0);
	return v;
}

TEST(user_namespace_depth_agrees_with_the_kernel)
{
	int k = depth_in_child(kernel_depth), v = depth_in_child(vns_depth);

	/* The kernel: the level whose unshare failed; vns: that level * 1000 + errno. */
	ASSERT_LT(0, k);
	EXPECT_EQ(k, v / 1000) TH_LOG("kernel fails at level %d, vns at %d", k, v / 1000);
	EXPECT_EQ(ENOSPC, v % 1000);
}

/* ---- the limits' sysctls take the same values ---- */

TEST(sysctl_ranges_agree_with_the_kernel)
{
	static const char *const values[] = { "0", "1", "5\n", " 7", "2147483647", "2147483648", "-1",
					     "abc", "1 2", "", "0x10", "99999999999999999999" };
	const char *kpath = "/proc/sys/user/max_uts_namespaces", *vpath = VNS_SYSCTL_DIR "max_uts_namespaces";
	long saved_k = 0, saved_v = 0;
	char buf[32];
	int mismatches = 0;

	if (getuid() != 0)
		SKIP(return, "needs root (writes the limits)");
	ASSERT_EQ(0, vns_read_int(kpath, &saved_k));
	ASSERT_EQ(0, vns_read_int(vpath, &saved_v));
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		long rk = -1, rv = -1;
		int ek = write_str(kpath, values[i]), ev = write_str(vpath, values[i]);

		vns_read_int(kpath, &rk);
		vns_read_int(vpath, &rv);
		if (ek != ev || rk != rv) {
			mismatches++;
			TH_LOG("\"%s\": kernel %d (then %ld), vns %d (then %ld)", values[i], ek, rk, ev, rv);
		}
		write_str(kpath, "100");
		write_str(vpath, "100");
	}
	snprintf(buf, sizeof(buf), "%ld", saved_k);
	write_str(kpath, buf);
	snprintf(buf, sizeof(buf), "%ld", saved_v);
	write_str(vpath, buf);
	EXPECT_EQ(0, mismatches);
}

TEST_HARNESS_MAIN
