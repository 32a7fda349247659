// SPDX-License-Identifier: GPL-2.0
/*
 * vns_uts: the smallest program that uses vns from C through include/uapi/linux/vns.h.
 *
 * It unshares a user and a uts vns (no privilege needed), maps itself to root there, sets the hostname
 * inside, reads it back, and shows that its parent's view did not change.
 *
 *   cc -static -I include/uapi -o vns_uts samples/vns_uts.c && ./vns_uts [NAME]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/sched.h>
#include <linux/vns.h>

static int fail(const char *what)
{
	fprintf(stderr, "vns_uts: %s: %s\n", what, strerror(errno));
	return 1;
}

static int map_self(int fd, uint64_t user_ns, uint32_t which, uint32_t outside)
{
	struct vns_id_extent e = { .first = 0, .lower_first = outside, .count = 1 };
	struct vns_id_map m = { .user_ns_id = user_ns, .which = which, .nr_extents = 1,
				.extents = (uintptr_t)&e };

	return ioctl(fd, VNS_IOC_SET_ID_MAP, &m);
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "vns-sample";
	struct vns_unshare u = { .flags = CLONE_NEWUSER | CLONE_NEWUTS };
	struct vns_info before, after;
	struct vns_uts_name set = { .which = VNS_UTS_NODENAME };
	struct vns_uts uts;
	int fd, status;
	pid_t pid;

	fd = open("/dev/vns", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail("open /dev/vns");
	if (ioctl(fd, VNS_IOC_GET_INFO, &before))
		return fail("VNS_IOC_GET_INFO");

	pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		if (ioctl(fd, VNS_IOC_UNSHARE, &u))
			_exit(fail("VNS_IOC_UNSHARE"));
		if (ioctl(fd, VNS_IOC_GET_INFO, &after))
			_exit(fail("VNS_IOC_GET_INFO"));
		if (map_self(fd, after.ns_id[VNS_KIND_USER], VNS_MAP_UID, before.uid) ||
		    map_self(fd, after.ns_id[VNS_KIND_USER], VNS_MAP_GID, before.gid))
			_exit(fail("VNS_IOC_SET_ID_MAP"));
		set.len = strlen(name) > VNS_NAME_MAX ? VNS_NAME_MAX : strlen(name);
		memcpy(set.name, name, set.len);
		if (ioctl(fd, VNS_IOC_SET_UTS, &set))
			_exit(fail("VNS_IOC_SET_UTS"));
		if (ioctl(fd, VNS_IOC_GET_UTS, &uts))
			_exit(fail("VNS_IOC_GET_UTS"));
		printf("inside:  uts vns %llu, hostname %s\n",
		       (unsigned long long)after.ns_id[VNS_KIND_UTS], uts.nodename);
		fflush(stdout);
		_exit(strcmp(uts.nodename, name) ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	if (ioctl(fd, VNS_IOC_GET_UTS, &uts))
		return fail("VNS_IOC_GET_UTS");
	printf("outside: uts vns %llu, hostname %s\n",
	       (unsigned long long)before.ns_id[VNS_KIND_UTS], uts.nodename);
	return strcmp(uts.nodename, name) ? 0 : 1;
}
