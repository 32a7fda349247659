/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exec helper mode (Documentation/vns.rst "Capabilities": the set is recomputed at execve). A test
 * re-executes its own binary with VNS_OPS_HELPER=<mode> in the environment; the constructor below then
 * runs that mode, writes a struct helper_report to stdout and exits before the harness starts.
 *
 * Include this header only in the test files that call run_exec_helper(): it adds the constructor to
 * their binary.
 */
#ifndef VNS_EXEC_H
#define VNS_EXEC_H

#include <stdbool.h>

#include "vns_peer.h"

#define HELPER_ENV "VNS_OPS_HELPER"

struct helper_report {
	int info_ret;
	struct vns_info info;
	int read1_ret, write_ret, read2_ret;
	long read1, read2;
};

/* Modes: "info" (GET_INFO only), "sysctl" (also read, write 7 and read again max_uts_namespaces). */
static void __attribute__((constructor)) ops_exec_helper(void)
{
	const char *mode = getenv(HELPER_ENV);
	struct helper_report r;
	int fd;

	if (!mode)
		return;
	memset(&r, 0, sizeof(r));
	fd = vns_open();
	r.info_ret = fd < 0 ? -errno : vns_get_info(fd, &r.info);
	if (!strcmp(mode, "sysctl")) {
		r.read1_ret = vns_read_limit(VNS_KIND_UTS, &r.read1);
		r.write_ret = vns_write_limit(VNS_KIND_UTS, 7);
		r.read2_ret = vns_read_limit(VNS_KIND_UTS, &r.read2);
	}
	_exit(write_full(1, &r, sizeof(r)) ? 3 : 0);
}

/*
 * In a child: a new user vns (with root mapped or with no map at all), its GET_INFO before the exec, then
 * exec of this binary in helper `mode`. Returns 0 and both reports, or -1.
 */
static inline int run_exec_helper(const char *mode, bool map_root, struct vns_info *pre,
				  struct helper_report *post)
{
	int p[2], status, ok;
	pid_t pid;

	if (pipe(p))
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char env[64];
		char *argv[] = { "/proc/self/exe", NULL };
		char *envp[] = { env, NULL };
		struct vns_info info;
		int fd = vns_open();

		close(p[0]);
		if (fd < 0)
			_exit(10);
		if (map_root ? vns_unshare_map_root(fd, 0) : vns_unshare(fd, CLONE_NEWUSER, NULL))
			_exit(11);
		if (vns_get_info(fd, &info) || write_full(p[1], &info, sizeof(info)))
			_exit(12);
		if (dup2(p[1], 1) != 1)
			_exit(13);
		snprintf(env, sizeof(env), HELPER_ENV "=%s", mode);
		execve("/proc/self/exe", argv, envp);
		_exit(14);
	}
	close(p[1]);
	ok = !read_full(p[0], pre, sizeof(*pre)) && !read_full(p[0], post, sizeof(*post));
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return ok ? 0 : -1;
}

#endif /* VNS_EXEC_H */
