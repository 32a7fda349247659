// SPDX-License-Identifier: GPL-2.0
/*
 * vns benchmarks (`make bench`), run as root in the test guest; prints tables, asserts nothing.
 *
 *  1. per kind: VNS_IOC_UNSHARE next to the kernel's unshare(2) of the same kind, median and p99;
 *  2. fork+exit with the module not loaded, loaded (task outside any vns), and inside a vns;
 *  3. the charge against user-vns depth, and against the number of (ns, uid) entries in the table;
 *  4. a sysctl read of a per-caller limit next to the kernel's /proc/sys/user read.
 *
 * VNS_BENCH_N scales the iteration counts (default 400); VNS_BENCH_MAX_ENTRIES caps series 3b.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/vns.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static int N = 400;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct stat2 {
	double med_us, p99_us;
	int n, errors;
};

static struct stat2 summarize(uint64_t *t, int n, int errors)
{
	struct stat2 s = { 0, 0, n, errors };

	if (n == 0)
		return s;
	qsort(t, n, sizeof(*t), cmp_u64);
	s.med_us = t[n / 2] / 1000.0;
	s.p99_us = t[(n * 99) / 100 >= n ? n - 1 : (n * 99) / 100] / 1000.0;
	return s;
}

static int vfd = -1;

static int vns_unshare(uint64_t flags)
{
	struct vns_unshare u = { .flags = flags };

	return ioctl(vfd, VNS_IOC_UNSHARE, &u) ? -errno : 0;
}

static int vns_info(struct vns_info *i)
{
	return ioctl(vfd, VNS_IOC_GET_INFO, i) ? -errno : 0;
}

/* ---- 1. per kind ----------------------------------------------------------------------------------- */

enum how { LOOP, PID_AND_BACK, CHILD_EACH };

struct kind {
	const char *name;
	unsigned long flag;
	int vns_kind;
	enum how how;
};

/* Runs in a child: `n` timed unshares of `flag` through vns (1) or the kernel (0); writes times to `out`. */
static int time_unshares(const struct kind *k, int use_vns, uint64_t *out, int n)
{
	int i, errors = 0, kpidfd = -1;
	struct vns_info info;
	struct vns_setns back = { 0 };

	if (k->how == PID_AND_BACK) {
		if (use_vns) {
			vns_info(&info);
			back.id = info.ns_id[VNS_KIND_PID];
			back.kind = VNS_KIND_PID;
		} else {
			kpidfd = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		}
	}
	for (i = 0; i < n; i++) {
		uint64_t t0 = now_ns();
		int ret = use_vns ? vns_unshare(k->flag) : (unshare(k->flag) ? -errno : 0);

		if (!ret && k->how == PID_AND_BACK)
			ret = use_vns ? (ioctl(vfd, VNS_IOC_SETNS, &back) ? -errno : 0)
				      : (setns(kpidfd, CLONE_NEWPID) ? -errno : 0);
		out[i] = now_ns() - t0;
		if (ret)
			errors++;
	}
	return errors;
}

static struct stat2 bench_kind(const struct kind *k, int use_vns)
{
	int n = k->how == CHILD_EACH ? N / 2 : N;
	uint64_t *t = mmap(NULL, n * sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int *errs = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct stat2 s;
	int i, status;

	*errs = 0;
	if (k->how == CHILD_EACH) {
		/* A user namespace nests: each sample is one unshare in a fresh child. */
		for (i = 0; i < n; i++) {
			pid_t pid = fork();

			if (pid == 0) {
				*errs += time_unshares(k, use_vns, &t[i], 1);
				_exit(0);
			}
			waitpid(pid, &status, 0);
		}
	} else {
		pid_t pid = fork();

		if (pid == 0) {
			*errs = time_unshares(k, use_vns, t, n);
			_exit(0);
		}
		waitpid(pid, &status, 0);
	}
	s = summarize(t, n, *errs);
	munmap(t, n * sizeof(uint64_t));
	munmap(errs, sizeof(int));
	return s;
}

static void per_kind(void)
{
	static const struct kind kinds[] = {
		{ "user", CLONE_NEWUSER, VNS_KIND_USER, CHILD_EACH },
		{ "pid (+setns back)", CLONE_NEWPID, VNS_KIND_PID, PID_AND_BACK },
		{ "uts", CLONE_NEWUTS, VNS_KIND_UTS, LOOP },
		{ "ipc", CLONE_NEWIPC, VNS_KIND_IPC, LOOP },
		{ "net", CLONE_NEWNET, VNS_KIND_NET, LOOP },
		{ "mnt", CLONE_NEWNS, VNS_KIND_MNT, LOOP },
		{ "cgroup", CLONE_NEWCGROUP, VNS_KIND_CGROUP, LOOP },
		{ "time", CLONE_NEWTIME, VNS_KIND_TIME, LOOP },
	};
	unsigned int i;

	printf("\n1. unshare of one kind, VNS_IOC_UNSHARE vs unshare(2) (us; a loop of unshares, so each one\n"
	       "   includes the teardown of the previous namespace; user: one unshare per fresh child)\n\n");
	printf("%-18s %6s %10s %10s %10s %10s %8s %8s\n", "kind", "n", "vns med", "vns p99", "kern med", "kern p99",
	       "ratio", "target");
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct stat2 v = bench_kind(&kinds[i], 1), kk = bench_kind(&kinds[i], 0);
		double ratio = kk.med_us > 0 ? v.med_us / kk.med_us : 0;

		printf("%-18s %6d %10.1f %10.1f %10.1f %10.1f %8.2f %8s", kinds[i].name, v.n, v.med_us, v.p99_us,
		       kk.med_us, kk.p99_us, ratio, ratio <= 0.5 ? "met" : "MISSED");
		if (v.errors || kk.errors)
			printf("  (errors: vns %d, kernel %d)", v.errors, kk.errors);
		printf("\n");
	}
}

/* ---- 2. fork+exit ---------------------------------------------------------------------------------- */

static int load_module(const char *ko)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* fork+exit samples appended to `t` at `*n`. */
static void fork_samples(uint64_t *t, int *n, int count)
{
	int i, status;

	for (i = 0; i < count; i++) {
		uint64_t t0 = now_ns();
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		waitpid(pid, &status, 0);
		t[(*n)++] = now_ns() - t0;
	}
}

static void fork_table(const char *ko)
{
	const int rounds = 4, per = N / 2;
	uint64_t *off = calloc(rounds * per, sizeof(uint64_t)), *on = calloc(rounds * per, sizeof(uint64_t));
	double *shared = mmap(NULL, 2 * sizeof(double), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct stat2 s_off, s_on;
	int r, n_off = 0, n_on = 0, status;
	pid_t pid;

	printf("\n2. fork+exit+wait (us): the probes' cost on tasks outside any vns, and inside one\n"
	       "   (%d rounds alternating module unloaded / loaded, %d forks each)\n\n", rounds, per);
	for (r = 0; r < rounds; r++) {
		close(vfd);
		vfd = -1;
		if (syscall(__NR_delete_module, "vns", O_NONBLOCK)) {
			printf("   (cannot unload vns: %s; skipped)\n", strerror(errno));
			vfd = open("/dev/vns", O_RDWR | O_CLOEXEC);
			return;
		}
		fork_samples(off, &n_off, per);
		if (load_module(ko)) {
			printf("   (cannot reload %s)\n", ko);
			return;
		}
		vfd = open("/dev/vns", O_RDWR | O_CLOEXEC);
		fork_samples(on, &n_on, per);
	}
	s_off = summarize(off, n_off, 0);
	s_on = summarize(on, n_on, 0);
	pid = fork();
	if (pid == 0) {
		uint64_t *in = calloc(rounds * per, sizeof(uint64_t));
		struct stat2 s;
		int n_in = 0;

		vns_unshare(CLONE_NEWUTS | CLONE_NEWIPC);
		fork_samples(in, &n_in, rounds * per);
		s = summarize(in, n_in, 0);
		shared[0] = s.med_us;
		shared[1] = s.p99_us;
		_exit(0);
	}
	waitpid(pid, &status, 0);
	printf("%-40s %10s %10s %10s\n", "", "median", "p99", "overhead");
	printf("%-40s %10.1f %10.1f %10s\n", "module not loaded", s_off.med_us, s_off.p99_us, "-");
	printf("%-40s %10.1f %10.1f %9.1f%%  (target <= 2%%: %s)\n", "module loaded, task outside any vns",
	       s_on.med_us, s_on.p99_us, 100.0 * (s_on.med_us - s_off.med_us) / s_off.med_us,
	       s_on.med_us - s_off.med_us <= 0.02 * s_off.med_us ? "met" : "MISSED");
	printf("%-40s %10.1f %10.1f %9.1f%%\n", "task inside a vns (uts+ipc)", shared[0], shared[1],
	       100.0 * (shared[0] - s_off.med_us) / s_off.med_us);
	munmap(shared, 2 * sizeof(double));
	free(off);
	free(on);
}

/* ---- 3. the charge against depth and entries ------------------------------------------------------- */

static int map_root(void)
{
	struct vns_info before, after;
	struct vns_id_extent e = { 0, 0, 1 };
	struct vns_id_map m = { .nr_extents = 1, .extents = (uintptr_t)&e };

	if (vns_info(&before) || vns_unshare(CLONE_NEWUSER) || vns_info(&after))
		return -1;
	m.user_ns_id = after.ns_id[VNS_KIND_USER];
	e.lower_first = before.uid;
	if (ioctl(vfd, VNS_IOC_SET_ID_MAP, &m))
		return -1;
	m.which = VNS_MAP_GID;
	e.lower_first = before.gid;
	return ioctl(vfd, VNS_IOC_SET_ID_MAP, &m) ? -1 : 0;
}

static double uts_loop_med(int n)
{
	uint64_t *t = calloc(n, sizeof(*t));
	struct stat2 s;
	int i, errors = 0;

	for (i = 0; i < n; i++) {
		uint64_t t0 = now_ns();

		errors += vns_unshare(CLONE_NEWUTS) != 0;
		t[i] = now_ns() - t0;
	}
	s = summarize(t, n, errors);
	free(t);
	return errors ? -1 : s.med_us;
}

static void depth_series(void)
{
	static const int depths[] = { 1, 2, 4, 8, 16, 24, 33 };
	double *res = mmap(NULL, 8 * sizeof(double), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	unsigned int i;
	int status;
	pid_t pid;

	printf("\n3a. NEWUTS against user-vns depth (each charge walks every level to init; us, median)\n\n");
	pid = fork();
	if (pid == 0) {
		int d = 0;

		for (i = 0; i < sizeof(depths) / sizeof(depths[0]); i++) {
			while (d < depths[i]) {
				if (map_root())
					_exit(1);
				d++;
			}
			res[i] = uts_loop_med(N);
		}
		_exit(0);
	}
	waitpid(pid, &status, 0);
	printf("%8s %10s\n", "depth", "median");
	for (i = 0; i < sizeof(depths) / sizeof(depths[0]); i++)
		printf("%8d %10.1f\n", depths[i], res[i]);
	munmap(res, 8 * sizeof(double));
}

/* A holder: its own uid, a user vns of its own (one ucounts entry), then it waits. */
static int holder_fd;
static int holder_pipe;

static int holder(void *arg)
{
	long uid = (long)arg;
	struct vns_unshare u = { .flags = CLONE_NEWUSER };
	char c;

	if (syscall(SYS_setresuid, uid, uid, uid))
		syscall(SYS_exit, 1);
	syscall(SYS_ioctl, holder_fd, VNS_IOC_UNSHARE, &u);
	syscall(SYS_read, holder_pipe, &c, 1);
	syscall(SYS_exit, 0);
	return 0;
}

static void entries_series(void)
{
	static const int counts[] = { 1, 10, 100, 1000, 10000 };
	int max = getenv("VNS_BENCH_MAX_ENTRIES") ? atoi(getenv("VNS_BENCH_MAX_ENTRIES")) : 10000;
	int p[2], have = 1;
	unsigned int i;
	const size_t stack_sz = 16384;

	printf("\n3b. NEWUTS against the number of (ns, uid) entries in the ucounts table (us, median)\n\n");
	printf("%8s %10s\n", "entries", "median");
	if (pipe(p))
		return;
	holder_fd = vfd;
	holder_pipe = p[0];
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]) && counts[i] <= max; i++) {
		struct vns_ucounts uc = { 0 };
		int status;
		pid_t pid;

		while (have < counts[i]) {
			char *stack = mmap(NULL, stack_sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (stack == MAP_FAILED ||
			    clone(holder, stack + stack_sz, CLONE_VM | CLONE_FILES | SIGCHLD, (void *)(long)(20000 + have)) < 0)
				break;
			have++;
		}
		/* Let the holders reach their unshare. */
		usleep(200000 + have * 50);
		pid = fork();
		if (pid == 0) {
			double med = uts_loop_med(N);

			printf("%8d %10.1f", have, med);
			uc.uid = 0;
			if (!ioctl(vfd, VNS_IOC_GET_UCOUNTS, &uc))
				printf("   (root's user count in init: %llu)", (unsigned long long)uc.count[VNS_KIND_USER]);
			printf("\n");
			fflush(stdout);
			_exit(0);
		}
		waitpid(pid, &status, 0);
		if (have < counts[i]) {
			printf("   (stopped at %d holders)\n", have);
			break;
		}
	}
	close(p[1]);
	while (wait(NULL) > 0)
		;
	close(p[0]);
}

/* ---- 4. sysctl reads ------------------------------------------------------------------------------- */

static double read_loop(const char *path, int n)
{
	uint64_t *t = calloc(n, sizeof(*t));
	char buf[32];
	struct stat2 s;
	int i;

	for (i = 0; i < n; i++) {
		uint64_t t0 = now_ns();
		int fd = open(path, O_RDONLY);

		if (fd >= 0) {
			if (read(fd, buf, sizeof(buf)) < 0)
				buf[0] = 0;
			close(fd);
		}
		t[i] = now_ns() - t0;
	}
	s = summarize(t, n, 0);
	free(t);
	return s.med_us;
}

static void sysctl_reads(void)
{
	printf("\n4. open+read+close of a limit (us, median)\n\n");
	printf("%-44s %10.1f\n", "/proc/sys/vns/max_uts_namespaces", read_loop("/proc/sys/vns/max_uts_namespaces", N * 2));
	printf("%-44s %10.1f\n", "/proc/sys/user/max_uts_namespaces", read_loop("/proc/sys/user/max_uts_namespaces", N * 2));
}

int main(int argc, char **argv)
{
	const char *ko = argc > 1 ? argv[1] : "/lib/vns/vns.ko";

	if (getenv("VNS_BENCH_N"))
		N = atoi(getenv("VNS_BENCH_N"));
	vfd = open("/dev/vns", O_RDWR | O_CLOEXEC);
	if (vfd < 0 || getuid() != 0) {
		fprintf(stderr, "vns_bench: needs root and /dev/vns\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("vns benchmarks: %d iterations per series, %ld CPUs\n", N, sysconf(_SC_NPROCESSORS_ONLN));
	per_kind();
	fork_table(ko);
	depth_series();
	entries_series();
	sysctl_reads();
	return 0;
}
