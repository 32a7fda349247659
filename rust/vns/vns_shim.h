/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between rust/vns/vns_shim.c and rust/vns/sys/ (declared again in sys/shim.rs as
 * `extern "C"`; scripts/check-tree.py compares the two).
 */
#ifndef _VNS_SHIM_H
#define _VNS_SHIM_H

#include <linux/types.h>

#define VNS_NR_SYSCTLS 9	/* 8 max_*_namespaces in kind order, then mount-max */
#define VNS_UTS_LEN 64		/* __NEW_UTS_LEN */

struct file;
struct task_struct;
struct vns_uts;

/* What the unshare checks and the permission checks need to know of the current task (kernel/fork.c). */
struct vns_task_facts {
	u32 nr_threads;		/* get_nr_threads(current) */
	u8 sighand_shared;	/* refcount_read(&current->sighand->count) > 1 */
	u8 pad[3];
	u32 euid, egid;		/* kuid/kgid values (init user namespace) */
};

/* The credentials a /proc/sys/vns file was opened with (file->f_cred). */
struct vns_opener {
	u32 euid;		/* kuid value */
	bool cap_sys_resource;	/* CAP_SYS_RESOURCE in the init user namespace */
};

/* What ptrace_may_access(PTRACE_MODE_READ) looks at in a task, besides capabilities (kernel/ptrace.c). */
struct vns_task_access {
	u8 same_thread_group;	/* the caller's own thread group */
	u8 ids_match;		/* the caller's (fs or real) uid/gid equal the task's real, effective, saved */
	u8 dumpable;		/* its exec_state's dumpable is TASK_DUMPABLE_OWNER */
	u8 pad;
	s32 tgid;		/* its tgid in the caller's pid namespace */
};

/*
 * The file operations of a vns anon-inode file (a namespace fd), filled in by Rust (rust/vns/sys/anon.rs),
 * called with the data the file was created with.
 */
struct vns_anon_ops {
	long (*ioctl)(void *data, unsigned int cmd, unsigned long arg);
	void (*release)(void *data);
};

/* A clock reading (struct timespec64 with fixed-width fields). */
struct vns_timespec {
	s64 sec;
	s64 nsec;
};

/*
 * What the shim calls back, with the @ctx it was registered with: an ops table filled in by Rust
 * (rust/vns/sys/hooks.rs, one generic function per entry, as rust/kernel/miscdevice.rs fills
 * file_operations).
 */
struct vns_hooks {
	int (*sysctl_read)(const void *ctx, unsigned int index);
	int (*sysctl_may_write)(const void *ctx, unsigned int index, const struct vns_opener *opener);
	int (*sysctl_write)(const void *ctx, unsigned int index, int value);
	void (*new_task)(const void *ctx, struct task_struct *parent, struct task_struct *child, u64 clone_flags);
	void (*exit)(const void *ctx, struct task_struct *task);
	void (*exec)(const void *ctx, struct task_struct *task);
};

/* Implemented in C (vns_shim.c). */
int vns_shim_sysctl_register(const struct vns_hooks *hooks, const void *ctx);
void vns_shim_sysctl_unregister(void);
long vns_shim_init_ucount_max(unsigned int type);
bool vns_shim_capable(int cap);
bool vns_shim_capable_all(void);
bool vns_shim_current_mm_shared(void);
void vns_shim_cond_resched(void);
bool vns_shim_fatal_signal_pending(void);
void vns_shim_current_facts(struct vns_task_facts *facts);
struct task_struct *vns_shim_current(void);
s32 vns_shim_current_tgid(void);
u32 vns_shim_task_euid(struct task_struct *task);
u32 vns_shim_nr_threads_total(void);
void vns_shim_kill_task(struct task_struct *task);
bool vns_shim_clock_read(int clock_id, struct vns_timespec *ts);
struct task_struct *vns_shim_task_get(s32 nr);
void vns_shim_task_put(struct task_struct *task);
void vns_shim_task_access(struct task_struct *task, bool fscreds, struct vns_task_access *access);
int vns_shim_anon_fd(const struct vns_anon_ops *ops, void *data, u32 tag);
int vns_shim_anon_get(int fd, u32 tag, struct file **filep, void **data);
void vns_shim_anon_put(struct file *file);
int vns_shim_probes_register(const struct vns_hooks *hooks, const void *ctx);
void vns_shim_probes_unregister(void);
struct vns_uts *vns_shim_uts_alloc(const struct vns_uts *from);
void vns_shim_uts_free(struct vns_uts *uts);
void vns_shim_uts_read(const struct vns_uts *uts, char *nodename, char *domainname);
void vns_shim_uts_write(struct vns_uts *uts, unsigned int which, const char *name, unsigned int len);

#endif /* _VNS_SHIM_H */
