/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by the vns selftests. */
#ifndef VNS_UTIL_H
#define VNS_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define VNS_DEV "/dev/vns"
#define VNS_SYSCTL_DIR "/proc/sys/vns/"
/* The unprivileged identity the tests drop to (the guest runner uses the same one). */
#define VNS_TEST_UID 1000
#define VNS_TEST_GID 1000

/* Closes fd after a read(2) or write(2) that returned n; returns 0, or -errno of that call when n < 0. */
static inline int vns_close_after(int fd, ssize_t n)
{
	int e = errno;

	close(fd);
	return n < 0 ? -e : 0;
}

/* Read an integer sysctl; returns 0 and sets *val, or -errno. */
static inline int vns_read_int(const char *path, long *val)
{
	char buf[64] = { 0 };
	int fd = open(path, O_RDONLY), ret;

	if (fd < 0)
		return -errno;
	ret = vns_close_after(fd, read(fd, buf, sizeof(buf) - 1));
	if (!ret)
		*val = strtol(buf, NULL, 10);
	return ret;
}

/* Write a string to a sysctl in one write(2); returns 0 or -errno (from open or write). */
static inline int vns_write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return -errno;
	return vns_close_after(fd, write(fd, s, strlen(s)));
}

/* Drop to the unprivileged test identity (in a forked child). Returns 0 or -errno. */
static inline int vns_drop_privileges(void)
{
	if (getuid() != 0)
		return 0;
	if (setgroups(0, NULL) || setresgid(VNS_TEST_GID, VNS_TEST_GID, VNS_TEST_GID) ||
	    setresuid(VNS_TEST_UID, VNS_TEST_UID, VNS_TEST_UID))
		return -errno;
	return 0;
}

/*
 * Run fn(arg) in a forked child, first dropped to the unprivileged test identity when `drop` is set;
 * returns the child's exit status (fn's return value), or 255 on a setup failure or a death by a signal.
 */
static inline int vns_fork_call(int (*fn)(void *), void *arg, int drop)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 255;
	if (pid == 0)
		_exit(drop && vns_drop_privileges() ? 255 : fn(arg) & 0xff);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 255;
	return WEXITSTATUS(status);
}

/* Run fn(arg) in a child as the unprivileged test identity (see vns_fork_call). */
static inline int vns_run_unprivileged(int (*fn)(void *), void *arg)
{
	return vns_fork_call(fn, arg, 1);
}

#endif /* VNS_UTIL_H */
