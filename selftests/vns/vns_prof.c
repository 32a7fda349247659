// SPDX-License-Identifier: GPL-2.0
/*
 * vns_prof: repeat one measured operation of vns_bench COUNT times with a tracefs switch turned on around
 * the loop only, for scripts/bench-profile.sh (the VNS_PROFILE=prof kernel; not part of make check).
 *
 *   vns_prof SWITCH OP COUNT
 *
 * SWITCH: a tracefs file that takes "1" and "0" (tracing_on, function_profile_enabled) or "-" for none.
 * OP: vns-uts, kern-uts, vns-cgroup, kern-cgroup, vns-time, kern-time, vns-floor (VNS_IOC_UNSHARE of 0),
 * kern-floor (unshare(0)), vns-enotty, fork (fork+exit+wait), fork-in (the same inside a uts+ipc vns).
 * Prints the loop's total and per-call time (under icount: instructions, tracing included).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/vns.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static int vfd = -1;

static int vns_unshare(uint64_t flags)
{
	struct vns_unshare u = { .flags = flags };

	return ioctl(vfd, VNS_IOC_UNSHARE, &u) ? -errno : 0;
}

static int fork_wait(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	return waitpid(pid, &status, 0) == pid ? 0 : -1;
}

static int run(const char *op)
{
	if (!strcmp(op, "vns-uts"))
		return vns_unshare(CLONE_NEWUTS);
	if (!strcmp(op, "kern-uts"))
		return unshare(CLONE_NEWUTS);
	if (!strcmp(op, "vns-cgroup"))
		return vns_unshare(CLONE_NEWCGROUP);
	if (!strcmp(op, "kern-cgroup"))
		return unshare(CLONE_NEWCGROUP);
	if (!strcmp(op, "vns-time"))
		return vns_unshare(CLONE_NEWTIME);
	if (!strcmp(op, "kern-time"))
		return unshare(CLONE_NEWTIME);
	if (!strcmp(op, "vns-floor"))
		return vns_unshare(0);
	if (!strcmp(op, "kern-floor"))
		return unshare(0);
	if (!strcmp(op, "vns-enotty"))
		return ioctl(vfd, _IO(VNS_IOC_MAGIC, 0), 0) == -1 && errno == ENOTTY ? 0 : -1;
	if (!strcmp(op, "fork") || !strcmp(op, "fork-in"))
		return fork_wait();
	return -2;
}

/* The switch is opened before the loop, so that its open is not in the profile, only the write of "0". */
static int sw = -1;

static void set(const char *v)
{
	if (sw >= 0 && write(sw, v, 1) != 1)
		fprintf(stderr, "vns_prof: cannot write the switch: %s\n", strerror(errno));
}

int main(int argc, char **argv)
{
	struct timespec a, b;
	int i, n, errors = 0;
	uint64_t ns;

	if (argc != 4) {
		fprintf(stderr, "usage: vns_prof SWITCH OP COUNT\n");
		return 2;
	}
	n = atoi(argv[3]);
	vfd = open("/dev/vns", O_RDWR | O_CLOEXEC);
	if (!strcmp(argv[2], "fork-in") && vns_unshare(CLONE_NEWUTS | CLONE_NEWIPC))
		return 1;
	/* One call first, so that what the first call sets up is not in the profile. */
	if (run(argv[2]) == -2) {
		fprintf(stderr, "vns_prof: unknown op %s\n", argv[2]);
		return 2;
	}
	if (strcmp(argv[1], "-")) {
		sw = open(argv[1], O_WRONLY | O_CLOEXEC);
		if (sw < 0)
			fprintf(stderr, "vns_prof: cannot open %s: %s\n", argv[1], strerror(errno));
	}
	if (sw >= 0) {
		/*
		 * A marker in the trace, opened before tracing starts and written as the first traced thing:
		 * scripts/guest/profile.sh splits one trace of every operation by it.
		 */
		int mk = open("/sys/kernel/tracing/trace_marker", O_WRONLY | O_CLOEXEC);
		char m[64];

		snprintf(m, sizeof(m), "VNSOP %s", argv[2]);
		set("1");
		if (mk >= 0) {
			if (write(mk, m, strlen(m)) < 0)
				perror("vns_prof: trace_marker");
			close(mk);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		errors += run(argv[2]) != 0;
	clock_gettime(CLOCK_MONOTONIC, &b);
	set("0");
	ns = (b.tv_sec - a.tv_sec) * 1000000000ull + b.tv_nsec - a.tv_nsec;
	printf("vns_prof: %s x%d: %llu ns, %llu per call, %d errors\n", argv[2], n, (unsigned long long)ns,
	       (unsigned long long)(n ? ns / n : 0), errors);
	return errors ? 1 : 0;
}
