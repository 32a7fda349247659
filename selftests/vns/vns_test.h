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
/* UNSHARE_EMPTY_MNTNS of include/uapi/linux/sched.h (7.3). */
#define CLONE_UNSHARE_EMPTY_MNTNS 0x00100000ULL

/* An id no namespace or mount entry has. */
#define VNS_NO_SUCH_ID UINT64_MAX

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

/*
 * Opens /dev/vns and unshares `flags` between two GET_INFOs (for a child: the membership stays changed).
 * Returns 0, or 10 (the open or the first GET_INFO failed), 11 (the unshare), 12 (the second GET_INFO).
 */
static inline int vns_info_around_unshare(uint64_t flags, struct vns_info *before, struct vns_info *after)
{
	int fd = vns_open(), ret = 0;

	if (fd < 0 || vns_get_info(fd, before))
		ret = 10;
	else if (vns_unshare(fd, flags, NULL))
		ret = 11;
	else if (vns_get_info(fd, after))
		ret = 12;
	if (fd >= 0)
		close(fd);
	return ret;
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

/*
 * Opens /dev/vns and makes a user vns of the caller's own: with its ids mapped to 0 (map_root), or with
 * no map written. Returns the fd, or -1 when the open or the unshare failed.
 */
static inline int vns_open_in_new_user_vns(int map_root)
{
	int fd = vns_open();

	if (fd < 0)
		return -1;
	if (map_root ? vns_unshare_map_root(fd, 0) : vns_unshare(fd, CLONE_NEWUSER, NULL)) {
		close(fd);
		return -1;
	}
	return fd;
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

/* The id of the caller's namespace of `kind`, or 0 when GET_INFO fails. */
static inline uint64_t vns_ns_id(int fd, int kind)
{
	struct vns_info info;

	if (vns_get_info(fd, &info))
		return 0;
	return info.ns_id[kind];
}

/* ---- mount tables ---- */

/* LIST_MOUNTS into `buf` (cap entries); *nr gets the total. */
static inline int vns_list_mounts(int fd, struct vns_mount *buf, uint32_t cap, uint32_t *nr)
{
	struct vns_list l = { .buf = (uintptr_t)buf, .cap = cap };
	int ret = vns_ioctl(fd, VNS_IOC_LIST_MOUNTS, &l);

	if (!ret)
		*nr = l.nr;
	return ret;
}

/* MOUNT of a tmpfs entry under `parent`; *id (if not NULL) gets the new entry's id. */
static inline int vns_add_mount(int fd, uint64_t parent, uint64_t flags, const char *source,
				const char *target, uint64_t *id)
{
	struct vns_mount m = { .parent_id = parent, .flags = flags };
	int ret;

	snprintf(m.source, sizeof(m.source), "%s", source);
	snprintf(m.target, sizeof(m.target), "%s", target);
	snprintf(m.fstype, sizeof(m.fstype), "tmpfs");
	ret = vns_ioctl(fd, VNS_IOC_MOUNT, &m);
	if (!ret && id)
		*id = m.id;
	return ret;
}

static inline int vns_del_mount(int fd, uint64_t id, uint64_t flags)
{
	struct vns_umount u = { .id = id, .flags = flags };

	return vns_ioctl(fd, VNS_IOC_UMOUNT, &u);
}

/* The root entry of the caller's mount table (parent_id == id, among its first 64), or 0. */
static inline uint64_t vns_mount_root(int fd)
{
	struct vns_mount m[64];
	uint32_t nr = 0;

	if (vns_list_mounts(fd, m, 64, &nr))
		return 0;
	for (uint32_t i = 0; i < nr && i < 64; i++)
		if (m[i].parent_id == m[i].id)
			return m[i].id;
	return 0;
}

/* A user vns of the caller's own (root mapped) with a new mount vns; the id of its table's root, or 0. */
static inline uint64_t vns_new_mount_vns(int fd)
{
	if (vns_unshare_map_root(fd, CLONE_NEWNS))
		return 0;
	return vns_mount_root(fd);
}

/* Every entry of the caller's mount table (malloc'd); returns the count or -errno. */
static inline long vns_all_mounts(int fd, struct vns_mount **out)
{
	uint32_t nr = 0, nr2 = 0;
	int ret = vns_list_mounts(fd, NULL, 0, &nr);

	if (ret)
		return ret;
	*out = calloc(nr + 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	ret = vns_list_mounts(fd, *out, nr, &nr2);
	if (ret)
		return ret;
	return nr2 < nr ? nr2 : nr;
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
	return vns_fork_call(fn, arg, 0);
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
