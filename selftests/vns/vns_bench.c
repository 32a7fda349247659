// SPDX-License-Identifier: GPL-2.0
/*
 * vns benchmarks (`make bench`), run as root in the test guest; prints tables, asserts nothing.
 *
 *  0. floors: the clock read, a bare ioctl round trip and an unshare of nothing, next to the kernel's;
 *  1. per kind: VNS_IOC_UNSHARE next to the kernel's unshare(2) of the same kind, median and p99;
 *  2. fork+exit with the module not loaded, loaded (task outside any vns), and inside a vns;
 *  3. the charge against user-vns depth, and against the number of (ns, uid) entries in the table;
 *  4. a sysctl read of a per-caller limit next to the kernel's /proc/sys/user read.
 *
 * VNS_BENCH_N scales the iteration counts (default 400); VNS_BENCH_MAX_ENTRIES caps series 3b;
 * VNS_BENCH_SECTIONS (default 01234) picks the sections. The unit is in vns_bench.h.
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
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/vns.h>

#include "vns_bench.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* ---- 0. floors ------------------------------------------------------------------------------------ */

static int nullfd = -1;

static int op_clock(void) { return 0; }
static int op_vns_enotty(void) { return ioctl(vfd, _IO(VNS_IOC_MAGIC, 0), 0) == -1 && errno == ENOTTY ? 0 : -1; }
static int op_kern_enotty(void) { return ioctl(nullfd, _IO(VNS_IOC_MAGIC, 0), 0) == -1 && errno == ENOTTY ? 0 : -1; }
static int op_vns_unshare0(void) { return vns_unshare(0); }
static int op_kern_unshare0(void) { return unshare(0) ? -errno : 0; }
static int op_vns_info(void) { struct vns_info i; return vns_info(&i); }
static int op_kern_uname(void) { struct utsname u; return uname(&u); }

static void floors(void)
{
	static const struct {
		const char *name;
		int (*vns)(void), (*kern)(void);
	} rows[] = {
		{ "clock read (in every sample)", op_clock, NULL },
		{ "bare ioctl: ENOTTY (vns | /dev/null)", op_vns_enotty, op_kern_enotty },
		{ "unshare of flags 0 (vns | unshare(0))", op_vns_unshare0, op_kern_unshare0 },
		{ "GET_INFO (vns | uname(2))", op_vns_info, op_kern_uname },
	};
	unsigned int i;

	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	printf("\n0. floors: what every call below pays at least (%s; a task outside any vns)\n\n", unit());
	printf("%-40s %6s %9s %9s %9s %9s\n", "", "n", "vns med", "vns p99", "kern med", "kern p99");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct stat2 v = time_op(rows[i].vns, 4 * N), k = { NONE, NONE, 0, 0 };

		if (rows[i].kern)
			k = time_op(rows[i].kern, 4 * N);
		printf("%-40s %6d %9.2f %9.2f", rows[i].name, v.n, v.med_us, v.p99_us);
		if (rows[i].kern)
			printf(" %9.2f %9.2f", k.med_us, k.p99_us);
		else
			printf(" %9s %9s", "-", "-");
		if (v.errors || k.errors)
			printf("  (errors: vns %d, kernel %d)", v.errors, k.errors);
		printf("\n");
		record("floor", rows[i].name, v.med_us, v.p99_us, k.med_us, k.p99_us);
	}
	close(nullfd);
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

	printf("\n1. unshare of one kind, VNS_IOC_UNSHARE vs unshare(2) (%s; a loop of unshares, so each one\n"
	       "   includes the teardown of the previous namespace; user: one unshare per fresh child;\n"
	       "   target: ratio of the medians <= 0.5)\n\n", unit());
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
		record("kind", kinds[i].name, v.med_us, v.p99_us, kk.med_us, kk.p99_us);
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

	printf("\n2. fork+exit+wait (%s): the probes' cost on tasks outside any vns, and inside one\n"
	       "   (%d rounds alternating module unloaded / loaded, %d forks each; abs: the median's difference)\n\n",
	       unit(), rounds, per);
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
	printf("%-40s %10s %10s %10s %10s\n", "", "median", "p99", "overhead", "abs");
	printf("%-40s %10.1f %10.1f %10s %10s\n", "module not loaded", s_off.med_us, s_off.p99_us, "-", "-");
	printf("%-40s %10.1f %10.1f %9.2f%% %10.2f  (target <= 1%%: %s)\n", "module loaded, task outside any vns",
	       s_on.med_us, s_on.p99_us, 100.0 * (s_on.med_us - s_off.med_us) / s_off.med_us,
	       s_on.med_us - s_off.med_us, s_on.med_us - s_off.med_us <= 0.01 * s_off.med_us ? "met" : "MISSED");
	printf("%-40s %10.1f %10.1f %9.2f%% %10.2f  (target <= 10%%: %s)\n", "task inside a vns (uts+ipc)",
	       shared[0], shared[1], 100.0 * (shared[0] - s_off.med_us) / s_off.med_us, shared[0] - s_off.med_us,
	       shared[0] - s_off.med_us <= 0.10 * s_off.med_us ? "met" : "MISSED");
	record("fork", "module not loaded", s_off.med_us, s_off.p99_us, NONE, NONE);
	record("fork", "loaded, outside any vns", s_on.med_us, s_on.p99_us, s_off.med_us, s_off.p99_us);
	record("fork", "inside a vns (uts+ipc)", shared[0], shared[1], s_off.med_us, s_off.p99_us);
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

static int op_vns_uts(void)
{
	return vns_unshare(CLONE_NEWUTS);
}

static struct stat2 uts_loop(int n)
{
	struct stat2 s = time_op(op_vns_uts, n);

	if (s.errors)
		s.med_us = s.p99_us = -1;
	return s;
}

static void depth_series(void)
{
	static const int depths[] = { 1, 2, 4, 8, 16, 24, 33 };
	enum { ND = sizeof(depths) / sizeof(depths[0]) };
	double *res = mmap(NULL, 2 * ND * sizeof(double), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	double x[ND], slope, resid = 0;
	unsigned int i;
	int status;
	pid_t pid;

	printf("\n3a. NEWUTS against user-vns depth (each charge walks every level to init; %s)\n\n", unit());
	pid = fork();
	if (pid == 0) {
		int d = 0;

		for (i = 0; i < ND; i++) {
			struct stat2 st;

			while (d < depths[i]) {
				if (map_root())
					_exit(1);
				d++;
			}
			st = uts_loop(N);
			res[2 * i] = st.med_us;
			res[2 * i + 1] = st.p99_us;
		}
		_exit(0);
	}
	waitpid(pid, &status, 0);
	printf("%8s %10s %10s\n", "depth", "median", "p99");
	for (i = 0; i < ND; i++) {
		char label[16];

		x[i] = depths[i];
		snprintf(label, sizeof(label), "depth %d", depths[i]);
		printf("%8d %10.2f %10.2f\n", depths[i], res[2 * i], res[2 * i + 1]);
		record("depth", label, res[2 * i], res[2 * i + 1], NONE, NONE);
		res[i] = res[2 * i];
	}
	slope = fit_slope(x, res, ND, &resid);
	printf("slope: %.1f instructions per level (least squares over the medians; largest distance from the line\n"
	       "       %.1f, i.e. %.3f %% of the depth-1 median)\n", slope * 1000, resid * 1000,
	       res[0] > 0 ? 100.0 * resid / res[0] : 0);
	record("depth", "slope per level (x1000)", slope * 1000, resid * 1000, NONE, NONE);
	munmap(res, 2 * ND * sizeof(double));
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
	enum { NC = sizeof(counts) / sizeof(counts[0]) };
	int max = getenv("VNS_BENCH_MAX_ENTRIES") ? atoi(getenv("VNS_BENCH_MAX_ENTRIES")) : 10000;
	double *res = mmap(NULL, 2 * sizeof(double), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	double lo = 0, hi = 0, x[NC], y[NC], slope, resid = 0;
	int p[2], have = 1, done = 0;
	unsigned int i;
	const size_t stack_sz = 16384;

	printf("\n3b. NEWUTS against the number of (ns, uid) entries in the ucounts table (%s)\n\n", unit());
	printf("%8s %10s %10s\n", "entries", "median", "p99");
	if (pipe(p))
		return;
	holder_fd = vfd;
	holder_pipe = p[0];
	for (i = 0; i < NC && counts[i] <= max; i++) {
		struct vns_ucounts uc = { 0 };
		char label[24];
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
			struct stat2 st = uts_loop(N);

			res[0] = st.med_us;
			res[1] = st.p99_us;
			_exit(0);
		}
		waitpid(pid, &status, 0);
		printf("%8d %10.2f %10.2f", have, res[0], res[1]);
		if (!ioctl(vfd, VNS_IOC_GET_UCOUNTS, &uc))
			printf("   (root's user count in init: %llu)", (unsigned long long)uc.count[VNS_KIND_USER]);
		printf("\n");
		snprintf(label, sizeof(label), "entries %d", have);
		record("entries", label, res[0], res[1], NONE, NONE);
		if (!done || res[0] < lo)
			lo = res[0];
		if (!done || res[0] > hi)
			hi = res[0];
		x[done] = 0;
		for (int h = have; h >= 10; h /= 10)
			x[done]++;
		y[done++] = res[0];
		if (have < counts[i]) {
			printf("   (stopped at %d holders)\n", have);
			break;
		}
	}
	slope = fit_slope(x, y, done, &resid);
	printf("flatness: medians within %.1f instructions (%.2f %% of the lowest); slope %.1f instructions per\n"
	       "          tenfold entries\n", (hi - lo) * 1000, lo > 0 ? 100.0 * (hi - lo) / lo : 0, slope * 1000);
	record("entries", "spread (x1000)", (hi - lo) * 1000, slope * 1000, NONE, NONE);
	close(p[1]);
	while (wait(NULL) > 0)
		;
	close(p[0]);
	munmap(res, 2 * sizeof(double));
}

int main(int argc, char **argv)
{
	const char *ko = argc > 1 ? argv[1] : "/lib/vns/vns.ko";
	const char *sec = getenv("VNS_BENCH_SECTIONS") ? getenv("VNS_BENCH_SECTIONS") : "01234";

	if (getenv("VNS_BENCH_N"))
		N = atoi(getenv("VNS_BENCH_N"));
	if (N < 2)
		N = 2;
	vfd = open("/dev/vns", O_RDWR | O_CLOEXEC);
	if (vfd < 0 || getuid() != 0) {
		fprintf(stderr, "vns_bench: needs root and /dev/vns\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	pin_cpu0();
	header();
	if (strchr(sec, '0'))
		floors();
	if (strchr(sec, '1'))
		per_kind();
	if (strchr(sec, '2'))
		fork_table(ko);
	if (strchr(sec, '3')) {
		depth_series();
		entries_series();
	}
	if (strchr(sec, '4'))
		sysctl_reads();
	return 0;
}
