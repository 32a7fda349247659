/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vns_bench's timing, statistics and output helpers, and its section 4 (sysctl reads).
 *
 * Unit: under `make bench`'s default clock (QEMU -icount shift=0) the guest's clock counts executed
 * instructions, 1 virtual ns per instruction, so a figure in virtual microseconds is a count of thousands
 * of instructions ("kinsn"); VNS_BENCH_CLOCK=wall prints real microseconds of a TCG guest instead.
 *
 * Every figure is printed twice: in the human tables, and as a record line
 *   =row;SECTION;LABEL;VNS_MED;VNS_P99;KERN_MED;KERN_P99
 * (empty fields for what a row does not have) that scripts/bench-table.py joins across kernel profiles.
 */
#ifndef VNS_BENCH_H
#define VNS_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/vns.h>

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

/* Median and 99th percentile in microseconds (kinsn under icount). */
struct stat2 {
	double med_us, p99_us;
	int n, errors;
};

static struct stat2 summarize(uint64_t *t, int n, int errors)
{
	struct stat2 s = { 0, 0, n, errors };
	int p99 = (n * 99) / 100;

	if (n == 0)
		return s;
	qsort(t, n, sizeof(*t), cmp_u64);
	s.med_us = t[n / 2] / 1000.0;
	s.p99_us = t[p99 >= n ? n - 1 : p99] / 1000.0;
	return s;
}

/* The unit's name for the table headers. */
static const char *unit(void)
{
	const char *c = getenv("VNS_BENCH_CLOCK");

	return c && !strcmp(c, "icount") ? "kinsn" : "us";
}

/* A record line, a field empty where absent (NONE). */
#define NONE (-1e300)

static void record(const char *section, const char *label, double a, double b, double c, double d)
{
	double v[4] = { a, b, c, d };
	int i;

	printf("=row;%s;%s", section, label);
	for (i = 0; i < 4; i++) {
		if (v[i] > NONE)
			printf(";%.2f", v[i]);
		else
			printf(";");
	}
	printf("\n");
}

/* Least-squares slope of y over x, and the largest distance of a point from the fitted line. */
static double fit_slope(const double *x, const double *y, int n, double *max_resid)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, b, a;
	int i;

	for (i = 0; i < n; i++) {
		sx += x[i];
		sy += y[i];
		sxx += x[i] * x[i];
		sxy += x[i] * y[i];
	}
	if (n < 2 || n * sxx - sx * sx == 0)
		return 0;
	b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
	a = (sy - b * sx) / n;
	*max_resid = 0;
	for (i = 0; i < n; i++) {
		double r = y[i] - (a + b * x[i]);

		if (r < 0)
			r = -r;
		if (r > *max_resid)
			*max_resid = r;
	}
	return b;
}

/* Iterations per series (VNS_BENCH_N), and the open /dev/vns. */
static int N = 400;
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

static struct stat2 time_op(int (*op)(void), int n)
{
	uint64_t *t = calloc(n, sizeof(*t));
	struct stat2 s;
	int i, errors = 0;

	for (i = 0; i < n; i++) {
		uint64_t t0 = now_ns();

		errors += op() != 0;
		t[i] = now_ns() - t0;
	}
	s = summarize(t, n, errors);
	free(t);
	return s;
}

/*
 * Every sample on CPU 0, children included (they inherit the mask): a fork's child placed on the other CPU
 * or not would make the fork series bimodal, and its median jump between the modes from run to run.
 */
static int pinned;

static void pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	pinned = !sched_setaffinity(0, sizeof(set), &set);
}

static void header(void)
{
	const char *clk = getenv("VNS_BENCH_CLOCK"), *prof = getenv("VNS_BENCH_PROFILE");
	char cs[64] = "?";
	struct utsname u;
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");

	if (f) {
		if (!fgets(cs, sizeof(cs), f))
			strcpy(cs, "?");
		cs[strcspn(cs, "\n")] = 0;
		fclose(f);
	}
	uname(&u);
	printf("vns benchmarks: %d iterations per series, %ld CPUs (%s), kernel %s (profile %s), clocksource %s\n",
	       N, sysconf(_SC_NPROCESSORS_ONLN), pinned ? "run on CPU 0" : "not pinned", u.release, prof ? prof : "?",
	       cs);
	if (clk && !strcmp(clk, "icount"))
		printf("unit: kinsn = thousands of guest instructions (QEMU -icount shift=0: 1 virtual ns = 1 instruction;\n"
		       "      every sample includes one clock read, see the floor rows)\n");
	else
		printf("unit: us of wall-clock time in a TCG guest (noisy: compare columns of one run, not runs)\n");
	printf("=meta;%d;%s;%s;%s;%s\n", N, u.release, prof ? prof : "?", clk ? clk : "wall", cs);
}

/* ---- 4. sysctl reads ------------------------------------------------------------------------------- */

static const char *read_path;

static int op_read(void)
{
	char buf[32];
	int fd = open(read_path, O_RDONLY), ret;

	if (fd < 0)
		return -1;
	ret = read(fd, buf, sizeof(buf)) < 0 ? -1 : 0;
	close(fd);
	return ret;
}

static void sysctl_reads(void)
{
	struct stat2 v, k;

	printf("\n4. open+read+close of a limit (%s)\n\n", unit());
	read_path = "/proc/sys/vns/max_uts_namespaces";
	v = time_op(op_read, N * 2);
	read_path = "/proc/sys/user/max_uts_namespaces";
	k = time_op(op_read, N * 2);
	printf("%-44s %10s %10s\n", "", "median", "p99");
	printf("%-44s %10.2f %10.2f\n", "/proc/sys/vns/max_uts_namespaces", v.med_us, v.p99_us);
	printf("%-44s %10.2f %10.2f\n", "/proc/sys/user/max_uts_namespaces", k.med_us, k.p99_us);
	record("sysctl", "read max_uts_namespaces", v.med_us, v.p99_us, k.med_us, k.p99_us);
}

#endif /* VNS_BENCH_H */
