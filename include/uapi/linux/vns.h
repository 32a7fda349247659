/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vns: an unshare-like ioctl over namespace objects of its own, on /dev/vns.
 *
 * ABI v1. Every argument struct is extensible as copy_struct_from_user()
 * structs are: the size in the command (_IOC_SIZE) is the caller's struct
 * size; smaller than v1 is EINVAL, larger must be zero past v1 (else E2BIG).
 * All fields are naturally aligned, with no implicit padding. Reserved fields
 * must be zero. String fields are NUL-terminated within their size.
 *
 * The Rust side is rust/vns-core/src/abi.rs; rust/vns-core/tests/layout.rs
 * checks that both agree on every size, offset and command value.
 */
#ifndef _UAPI_LINUX_VNS_H
#define _UAPI_LINUX_VNS_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* Namespace kinds, in the kernel's enum ucount_type order. */
#define VNS_NR_KINDS		8

enum vns_kind {
	VNS_KIND_USER	= 0,
	VNS_KIND_PID	= 1,
	VNS_KIND_UTS	= 2,
	VNS_KIND_IPC	= 3,
	VNS_KIND_NET	= 4,
	VNS_KIND_MNT	= 5,
	VNS_KIND_CGROUP	= 6,
	VNS_KIND_TIME	= 7,
};

/* vns_info.flags: the caller has the full capability set in its own user vns. */
#define VNS_INFO_FULL_CAPS	(1U << 0)

/* vns_mount.flags */
#define VNS_MNT_RDONLY		1

/* vns_uts_name.which */
#define VNS_UTS_NODENAME	0
#define VNS_UTS_DOMAINNAME	1

/* vns_id_map.which */
#define VNS_MAP_UID		0
#define VNS_MAP_GID		1

/* Longest uts name, without its NUL (__NEW_UTS_LEN). */
#define VNS_NAME_MAX		64

/* VNS_IOC_UNSHARE: flags are CLONE_* values; applied returns the completed flags. */
struct vns_unshare {
	__u64 flags;
	__u64 applied;		/* out */
};

/*
 * VNS_IOC_GET_INFO. The struct grew at its end (time_for_children_id); a
 * caller built with the first size, VNS_INFO_SIZE_VER0, passes that size in
 * the command and gets that much.
 */
#define VNS_INFO_SIZE_VER0	96

struct vns_info {
	__u64 ns_id[VNS_NR_KINDS];	/* by enum vns_kind */
	__u64 pid_for_children_id;
	__u32 user_level;
	__u32 pid_level;
	__u32 uid;		/* euid as the caller's user vns sees it, 65534 if unmapped */
	__u32 gid;		/* egid, likewise */
	__s32 pid;		/* number in the caller's active pid vns */
	__u32 flags;		/* VNS_INFO_* */
	__u64 time_for_children_id;
};

/* vns_setns.flags: id is a namespace file descriptor (VNS_IOC_NS_FD), not an id. */
#define VNS_SETNS_FD		1

/* VNS_IOC_SETNS */
struct vns_setns {
	__u64 id;
	__u32 kind;		/* enum vns_kind */
	__u32 flags;		/* VNS_SETNS_* (was reserved: 0) */
};

/* VNS_IOC_GET_UTS */
struct vns_uts {
	char nodename[VNS_NAME_MAX + 1];
	char domainname[VNS_NAME_MAX + 1];
	__u8 reserved[6];
};

/* VNS_IOC_SET_UTS */
struct vns_uts_name {
	__u32 which;		/* VNS_UTS_NODENAME or VNS_UTS_DOMAINNAME */
	__u32 len;		/* <= VNS_NAME_MAX */
	char name[VNS_NAME_MAX];
};

/* One line of /proc/PID/uid_map: lower_first is in the parent namespace's ids. */
struct vns_id_extent {
	__u32 first;
	__u32 lower_first;
	__u32 count;
};

/*
 * VNS_IOC_SET_ID_MAP; VNS_IOC_GET_ID_MAP (user_ns_id 0: the caller's own;
 * nr_extents in: room in extents, out: the map's number of extents).
 */
struct vns_id_map {
	__u64 user_ns_id;
	__u32 which;		/* VNS_MAP_UID or VNS_MAP_GID */
	__u32 nr_extents;	/* SET: 1 to 340 */
	__u64 extents;		/* pointer to struct vns_id_extent[nr_extents] */
};

/* VNS_IOC_MOUNT, and the entries of VNS_IOC_LIST_MOUNTS */
struct vns_mount {
	__u64 id;		/* out */
	__u64 parent_id;
	__u64 flags;		/* VNS_MNT_* */
	char source[64];
	char target[128];
	char fstype[16];
};

/* VNS_IOC_UMOUNT */
struct vns_umount {
	__u64 id;
	__u64 flags;		/* 0 */
};

/* VNS_IOC_LIST_MOUNTS (of struct vns_mount), VNS_IOC_LIST_NS (of struct vns_ns_entry) */
struct vns_list {
	__u64 buf;		/* pointer to cap entries */
	__u32 cap;		/* entries in buf; 0 to ask for the total */
	__u32 nr;		/* out: total number of entries */
};

/* An entry of VNS_IOC_LIST_NS */
struct vns_ns_entry {
	__u64 id;
	__u64 parent_id;
	__u64 owner_id;
	__u32 kind;		/* enum vns_kind */
	__u32 level;
	__u32 nr_tasks;
	__u32 owner_uid;
};

/* VNS_IOC_GET_UCOUNTS */
struct vns_ucounts {
	__u64 user_ns_id;	/* 0: the caller's own */
	__u32 uid;		/* as the caller sees it */
	__u32 reserved;
	__u64 count[VNS_NR_KINDS];	/* out */
	__u64 max[VNS_NR_KINDS];	/* out */
};

/*
 * A clock and a time on it (clock_id: CLOCK_*, <linux/time.h>). In
 * struct vns_time_offsets: an offset, as a line of /proc/PID/timens_offsets
 * (0 <= nsec < 1000000000). In VNS_IOC_CLOCK_GETTIME: clock_id in, the time
 * out.
 */
struct vns_clock_ts {
	__s32 clock_id;
	__u32 reserved;
	__s64 sec;
	__s64 nsec;
};

#define VNS_TIME_OFFSETS_MAX	2

/*
 * VNS_IOC_SET_TIME_OFFSETS (nr: 1 to VNS_TIME_OFFSETS_MAX; clocks
 * CLOCK_MONOTONIC and CLOCK_BOOTTIME; unused entries zero) and
 * VNS_IOC_GET_TIME_OFFSETS (nr = 2: CLOCK_MONOTONIC, then CLOCK_BOOTTIME), on
 * the caller's time-for-children vns.
 */
struct vns_time_offsets {
	__u32 nr;
	__u32 reserved;
	struct vns_clock_ts offsets[VNS_TIME_OFFSETS_MAX];
};

/* VNS_IOC_GET_TASK_INFO: another task's namespaces, by its pid (in the caller's pid namespace). */
struct vns_task_info {
	__s32 pid;
	__u32 reserved;
	__u64 ns_id[VNS_NR_KINDS];	/* out, by enum vns_kind */
	__u64 pid_for_children_id;	/* out */
	__u64 time_for_children_id;	/* out */
	__s32 vns_pid;		/* out: number in the caller's active pid vns, 0 if none known */
	__u32 pid_level;	/* out: level of its active pid vns */
};

/* VNS_IOC_SETNS_TASK: join the namespaces of kinds `flags` (CLONE_NEW*) of the task `pid`. */
struct vns_setns_task {
	__s32 pid;
	__u32 reserved;
	__u64 flags;
};

/* VNS_IOC_NS_FD: returns a close-on-exec file descriptor that holds a namespace. */
struct vns_ns_fd {
	__u64 id;		/* 0: the caller's own namespace of `kind` */
	__u32 kind;		/* enum vns_kind */
	__u32 flags;		/* 0 */
};

#define VNS_IOC_MAGIC		0xB9

#define VNS_IOC_UNSHARE		_IOWR(VNS_IOC_MAGIC, 1, struct vns_unshare)
#define VNS_IOC_GET_INFO	_IOR(VNS_IOC_MAGIC, 2, struct vns_info)
#define VNS_IOC_SETNS		_IOW(VNS_IOC_MAGIC, 3, struct vns_setns)
#define VNS_IOC_GET_UTS		_IOR(VNS_IOC_MAGIC, 4, struct vns_uts)
#define VNS_IOC_SET_UTS		_IOW(VNS_IOC_MAGIC, 5, struct vns_uts_name)
#define VNS_IOC_SET_ID_MAP	_IOW(VNS_IOC_MAGIC, 6, struct vns_id_map)
#define VNS_IOC_MOUNT		_IOWR(VNS_IOC_MAGIC, 7, struct vns_mount)
#define VNS_IOC_UMOUNT		_IOW(VNS_IOC_MAGIC, 8, struct vns_umount)
#define VNS_IOC_LIST_MOUNTS	_IOWR(VNS_IOC_MAGIC, 9, struct vns_list)
#define VNS_IOC_LIST_NS		_IOWR(VNS_IOC_MAGIC, 10, struct vns_list)
#define VNS_IOC_GET_UCOUNTS	_IOWR(VNS_IOC_MAGIC, 11, struct vns_ucounts)
#define VNS_IOC_SET_TIME_OFFSETS	_IOW(VNS_IOC_MAGIC, 12, struct vns_time_offsets)
#define VNS_IOC_GET_TIME_OFFSETS	_IOR(VNS_IOC_MAGIC, 13, struct vns_time_offsets)
#define VNS_IOC_CLOCK_GETTIME	_IOWR(VNS_IOC_MAGIC, 14, struct vns_clock_ts)
#define VNS_IOC_GET_ID_MAP	_IOWR(VNS_IOC_MAGIC, 15, struct vns_id_map)
#define VNS_IOC_GET_TASK_INFO	_IOWR(VNS_IOC_MAGIC, 16, struct vns_task_info)
#define VNS_IOC_SETNS_TASK	_IOW(VNS_IOC_MAGIC, 17, struct vns_setns_task)
#define VNS_IOC_NS_FD		_IOW(VNS_IOC_MAGIC, 18, struct vns_ns_fd)

/* On a namespace fd, as ioctl_ns(2)'s NS_GET_* (the same questions, the same errnos). */
#define VNS_NS_GET_USERNS	_IO(VNS_IOC_MAGIC, 0x41)	/* returns a new fd */
#define VNS_NS_GET_PARENT	_IO(VNS_IOC_MAGIC, 0x42)	/* returns a new fd */
#define VNS_NS_GET_NSTYPE	_IO(VNS_IOC_MAGIC, 0x43)	/* returns a CLONE_NEW* value */
#define VNS_NS_GET_OWNER_UID	_IOR(VNS_IOC_MAGIC, 0x44, __u32)
#define VNS_NS_GET_ID		_IOR(VNS_IOC_MAGIC, 0x45, __u64)

#endif /* _UAPI_LINUX_VNS_H */
