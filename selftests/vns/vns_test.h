/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers for the vns ioctl selftests: thin wrappers that return 0 or -errno. */
#ifndef VNS_TEST_H
#define VNS_TEST_H

#include <sched.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <linux/vns.h>

#include "vns_util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Every namespace flag, and the kinds' flags in kind order. */
#define VNS_ALL_NS_FLAGS (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | \
			  CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWTIME)
static const unsigned long vns_kind_flag[VNS_NR_KINDS] = {
	CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWUTS, CLONE_NEWIPC,
	CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWTIME,
};
static const char *const vns_kind_name[VNS_NR_KINDS] = {
	"user", "pid", "uts", "ipc", "net", "mnt", "cgroup", "time",
};

static inline int vns_open(void)
{
	return open(VNS_DEV, O_RDWR | O_CLOEXEC);
}

static inline int vns_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* VNS_IOC_UNSHARE; *applied (if not NULL) gets the completed flags. */
static inline int vns_unshare(int fd, uint64_t flags, uint64_t *applied)
{
	struct vns_unshare u = { .flags = flags };
	int ret = vns_ioctl(fd, VNS_IOC_UNSHARE, &u);

	if (!ret && applied)
		*applied = u.applied;
	return ret;
}

static inline int vns_get_info(int fd, struct vns_info *info)
{
	memset(info, 0, sizeof(*info));
	return vns_ioctl(fd, VNS_IOC_GET_INFO, info);
}

static inline int vns_setns(int fd, uint64_t id, uint32_t kind)
{
	struct vns_setns s = { .id = id, .kind = kind };

	return vns_ioctl(fd, VNS_IOC_SETNS, &s);
}

static inline int vns_get_uts(int fd, struct vns_uts *uts)
{
	memset(uts, 0, sizeof(*uts));
	return vns_ioctl(fd, VNS_IOC_GET_UTS, uts);
}

static inline int vns_set_uts(int fd, uint32_t which, const char *name)
{
	struct vns_uts_name n = { .which = which, .len = strlen(name) };

	memcpy(n.name, name, n.len > sizeof(n.name) ? sizeof(n.name) : n.len);
	return vns_ioctl(fd, VNS_IOC_SET_UTS, &n);
}

/* Writes a one-extent map: `first lower count` (lower in the parent's ids). */
static inline int vns_set_map1(int fd, uint64_t ns_id, uint32_t which, uint32_t first, uint32_t lower,
			       uint32_t count)
{
	struct vns_id_extent e = { .first = first, .lower_first = lower, .count = count };
	struct vns_id_map m = {
		.user_ns_id = ns_id, .which = which, .nr_extents = 1, .extents = (uintptr_t)&e,
	};

	return vns_ioctl(fd, VNS_IOC_SET_ID_MAP, &m);
}

/* unshare -r: a new user vns where the caller's ids map to 0 (as util-linux's --map-root-user). */
static inline int vns_unshare_map_root(int fd, uint64_t extra_flags)
{
	struct vns_info before, after;
	int ret = vns_get_info(fd, &before);

	if (ret)
		return ret;
	ret = vns_unshare(fd, CLONE_NEWUSER | extra_flags, NULL);
	if (ret)
		return ret;
	ret = vns_get_info(fd, &after);
	if (ret)
		return ret;
	/* Lower ids are the caller's ids as its previous user vns sees them. */
	ret = vns_set_map1(fd, after.ns_id[VNS_KIND_USER], VNS_MAP_UID, 0, before.uid, 1);
	if (ret)
		return ret;
	return vns_set_map1(fd, after.ns_id[VNS_KIND_USER], VNS_MAP_GID, 0, before.gid, 1);
}

static inline int vns_get_ucounts(int fd, uint64_t ns_id, uint32_t uid, struct vns_ucounts *uc)
{
	memset(uc, 0, sizeof(*uc));
	uc->user_ns_id = ns_id;
	uc->uid = uid;
	return vns_ioctl(fd, VNS_IOC_GET_UCOUNTS, uc);
}

/* LIST_NS into a malloc'd array; returns the total (>= 0) or -errno; *out gets min(total, cap). */
static inline int vns_list_ns(int fd, struct vns_ns_entry **out, uint32_t *nr_out)
{
	struct vns_list l = { 0 };
	int ret = vns_ioctl(fd, VNS_IOC_LIST_NS, &l);

	if (ret)
		return ret;
	l.cap = l.nr + 16;
	*out = calloc(l.cap, sizeof(**out));
	l.buf = (uintptr_t)*out;
	ret = vns_ioctl(fd, VNS_IOC_LIST_NS, &l);
	if (ret)
		return ret;
	*nr_out = l.nr < l.cap ? l.nr : l.cap;
	return l.nr;
}

/* The entry of namespace `id` in a LIST_NS result, or NULL. */
static inline struct vns_ns_entry *vns_find_entry(struct vns_ns_entry *e, uint32_t nr, uint64_t id)
{
	for (uint32_t i = 0; i < nr; i++)
		if (e[i].id == id)
			return &e[i];
	return NULL;
}

/* Sysctl of kind `k`: read and write. */
static inline int vns_read_limit(int k, long *val)
{
	char path[96];

	snprintf(path, sizeof(path), VNS_SYSCTL_DIR "max_%s_namespaces", vns_kind_name[k]);
	return vns_read_int(path, val);
}

static inline int vns_write_limit(int k, long val)
{
	char path[96], buf[32];

	snprintf(path, sizeof(path), VNS_SYSCTL_DIR "max_%s_namespaces", vns_kind_name[k]);
	snprintf(buf, sizeof(buf), "%ld", val);
	return vns_write_str(path, buf);
}

/*
 * Run fn(arg) in a forked child and return its exit status (0..255), or 255 when it died by a signal.
 * The child's membership, and anything it unshared, go away with it.
 */
static inline int vns_in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 255;
	if (pid == 0)
		_exit(fn(arg) & 0xff);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 255;
	return WEXITSTATUS(status);
}

/* As vns_in_child, but the child first drops to uid/gid (setresuid), without capabilities. */
struct vns_as_user {
	uid_t uid;
	gid_t gid;
	int (*fn)(void *);
	void *arg;
};

static inline int vns_as_user_trampoline(void *p)
{
	struct vns_as_user *a = p;

	if (setgroups(0, NULL) || setresgid(a->gid, a->gid, a->gid) || setresuid(a->uid, a->uid, a->uid))
		return 254;
	return a->fn(a->arg);
}

static inline int vns_in_child_as(uid_t uid, int (*fn)(void *), void *arg)
{
	struct vns_as_user a = { .uid = uid, .gid = uid, .fn = fn, .arg = arg };

	if (getuid() != 0 && getuid() != uid)
		return 253;
	if (getuid() != 0)
		return vns_in_child(fn, arg);
	return vns_in_child(vns_as_user_trampoline, &a);
}

#endif /* VNS_TEST_H */
