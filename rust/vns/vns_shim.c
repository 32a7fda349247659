// SPDX-License-Identifier: GPL-2.0
/*
 * vns C shim: the few kernel services the Linux 7.3 Rust API has no wrapper for: the sysctl table, the
 * scheduler tracepoints, and the uts names under a seqlock (the task half is in vns_shim_task.c).
 *
 * Everything here is called from rust/vns/sys/, the module's only Rust with FFI. The shim keeps no
 * policy: it registers things and forwards to the ops table Rust registered (struct vns_hooks).
 */
#include <linux/cred.h>
#include <linux/anon_inodes.h>
#include <linux/errno.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/mm.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysctl.h>
#include <linux/tracepoint.h>
#include <linux/user_namespace.h>
#include <linux/utsname.h>

#include "vns_shim.h"

/* ---- /proc/sys/vns ---------------------------------------------------------------------------------- */

/*
 * The registered callbacks and their context, set by vns_shim_sysctl_register() before the table is
 * visible. One registration at a time: a second is EBUSY.
 */
static const struct vns_hooks *vns_sysctl_hooks;
static const void *vns_sysctl_ctx;
static struct ctl_table_header *vns_sysctl_header;

/*
 * One handler for every entry: the value shown and set is not in the table but in the caller's user vns
 * (max_*_namespaces) or the module's global (mount-max), as /proc/sys/user is per user namespace
 * (kernel/ucount.c). Parsing and range checks are the kernel's own proc_dointvec_minmax() on a private copy
 * of the entry, so a rejected write changes nothing.
 */
static int vns_sysctl_handler(const struct ctl_table *table, int dir, void *buffer, size_t *lenp,
			      loff_t *ppos);

#define VNS_MAX_NS(name)                                                                      \
	{                                                                                     \
		.procname = name, .maxlen = sizeof(int), .mode = 0666,                        \
		.proc_handler = vns_sysctl_handler, .extra1 = SYSCTL_ZERO,                    \
		.extra2 = SYSCTL_INT_MAX,                                                     \
	}

/* Index order is the kind order (enum ucount_type), then mount-max: see VNS_NR_SYSCTLS. */
static const struct ctl_table vns_sysctls[VNS_NR_SYSCTLS] = {
	VNS_MAX_NS("max_user_namespaces"),
	VNS_MAX_NS("max_pid_namespaces"),
	VNS_MAX_NS("max_uts_namespaces"),
	VNS_MAX_NS("max_ipc_namespaces"),
	VNS_MAX_NS("max_net_namespaces"),
	VNS_MAX_NS("max_mnt_namespaces"),
	VNS_MAX_NS("max_cgroup_namespaces"),
	VNS_MAX_NS("max_time_namespaces"),
	{
		.procname = "mount-max", .maxlen = sizeof(int), .mode = 0644,
		.proc_handler = vns_sysctl_handler, .extra1 = SYSCTL_ONE,
		.extra2 = SYSCTL_INT_MAX,
	},
};

static int vns_sysctl_handler(const struct ctl_table *table, int dir, void *buffer, size_t *lenp,
			      loff_t *ppos)
{
	unsigned int index = table - vns_sysctls;
	struct ctl_table tmp = *table;
	int value, ret;

	tmp.data = &value;
	/*
	 * A task being killed acts no more: a new task the fork probe could not record is killed before it
	 * runs, but an io-wq worker runs the work it was made for before it looks at its signals.
	 */
	if (fatal_signal_pending(current))
		return -EINTR;
	if (SYSCTL_USER_TO_KERN(dir)) {
		/*
		 * proc_sys_call_handler() (fs/proc/proc_sysctl.c) passes &iocb->ki_pos: the file, and so the
		 * credentials of whoever opened it, are reachable from @ppos. 7.3 checks /proc/sys/user at
		 * open against the opener and at write against current (kernel/ucount.c set_permissions);
		 * a module cannot hook the open, so both are checked here: no deputy writes for an opener
		 * who could not have written.
		 */
		struct file *file = container_of(ppos, struct kiocb, ki_pos)->ki_filp;
		struct vns_opener opener = {
			.euid = __kuid_val(file->f_cred->euid),
			.cap_sys_resource = file_ns_capable(file, &init_user_ns, CAP_SYS_RESOURCE),
		};

		/* Permission first, as an open for writing would fail before any parsing. */
		ret = vns_sysctl_hooks->sysctl_may_write(vns_sysctl_ctx, index, &opener);
		if (ret)
			return ret;
		value = vns_sysctl_hooks->sysctl_read(vns_sysctl_ctx, index);
		ret = proc_dointvec_minmax(&tmp, dir, buffer, lenp, ppos);
		if (ret || *lenp == 0)
			return ret;
		return vns_sysctl_hooks->sysctl_write(vns_sysctl_ctx, index, value);
	}
	value = vns_sysctl_hooks->sysctl_read(vns_sysctl_ctx, index);
	return proc_dointvec_minmax(&tmp, dir, buffer, lenp, ppos);
}

int vns_shim_sysctl_register(const struct vns_hooks *hooks, const void *ctx)
{
	if (vns_sysctl_header)
		return -EBUSY;
	vns_sysctl_hooks = hooks;
	vns_sysctl_ctx = ctx;
	vns_sysctl_header = register_sysctl("vns", vns_sysctls);
	if (!vns_sysctl_header) {
		vns_sysctl_hooks = NULL;
		vns_sysctl_ctx = NULL;
		return -ENOMEM;
	}
	return 0;
}

void vns_shim_sysctl_unregister(void)
{
	/* Waits for handlers in flight (proc_sys_call_handler holds the table in use). */
	unregister_sysctl_table(vns_sysctl_header);
	vns_sysctl_header = NULL;
	vns_sysctl_hooks = NULL;
	vns_sysctl_ctx = NULL;
}

long vns_shim_init_ucount_max(unsigned int type)
{
	if (type >= UCOUNT_COUNTS)
		return 0;
	return READ_ONCE(init_user_ns.ucount_max[type]);
}

/* ---- task_newtask, sched_process_exit/exec probes ------------------------------------------------------------ */

/* The registered callbacks and their context: one registration at a time (a second is EBUSY). */
static const struct vns_hooks *vns_probe_hooks;
static const void *vns_probe_ctx;
static struct tracepoint *vns_tp_newtask, *vns_tp_exit, *vns_tp_exec;

/*
 * task_newtask: at the end of copy_process() (kernel/fork.c), after the tasklist lock is dropped and before
 * the child is first woken, for every new task: processes, threads, and the kernel-made workers of a task
 * (create_io_thread() for io-wq and SQPOLL, vhost_task_create()), which never reach sched_process_fork.
 * current is the creating task. In 7.3 the probe may sleep (tracepoints run under SRCU-fast).
 */
static void vns_probe_newtask(void *data, struct task_struct *child, u64 clone_flags)
{
	vns_probe_hooks->new_task(data, current, child, clone_flags);
}

/* Called from do_exit() before exit_notify(): a parent's wait sees what this did. */
static void vns_probe_exit(void *data, struct task_struct *task, bool group_dead)
{
	vns_probe_hooks->exit(data, task);
}

static void vns_probe_exec(void *data, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	vns_probe_hooks->exec(data, task);
}

static void vns_find_tracepoint(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "task_newtask"))
		vns_tp_newtask = tp;
	else if (!strcmp(tp->name, "sched_process_exit"))
		vns_tp_exit = tp;
	else if (!strcmp(tp->name, "sched_process_exec"))
		vns_tp_exec = tp;
}

int vns_shim_probes_register(const struct vns_hooks *hooks, const void *ctx)
{
	int ret;

	if (vns_probe_hooks)
		return -EBUSY;
	for_each_kernel_tracepoint(vns_find_tracepoint, NULL);
	if (!vns_tp_newtask || !vns_tp_exit || !vns_tp_exec)
		return -ENOENT;
	/* Set before the probes are attached: they read it. */
	vns_probe_hooks = hooks;
	vns_probe_ctx = ctx;
	ret = tracepoint_probe_register(vns_tp_newtask, vns_probe_newtask, (void *)ctx);
	if (ret)
		goto out_clear;
	ret = tracepoint_probe_register(vns_tp_exit, vns_probe_exit, (void *)ctx);
	if (ret)
		goto out_fork;
	ret = tracepoint_probe_register(vns_tp_exec, vns_probe_exec, (void *)ctx);
	if (ret)
		goto out_exit;
	return 0;
out_exit:
	tracepoint_probe_unregister(vns_tp_exit, vns_probe_exit, (void *)ctx);
out_fork:
	tracepoint_probe_unregister(vns_tp_newtask, vns_probe_newtask, (void *)ctx);
	tracepoint_synchronize_unregister();
out_clear:
	vns_probe_hooks = NULL;
	vns_probe_ctx = NULL;
	return ret;
}

void vns_shim_probes_unregister(void)
{
	tracepoint_probe_unregister(vns_tp_exec, vns_probe_exec, (void *)vns_probe_ctx);
	tracepoint_probe_unregister(vns_tp_exit, vns_probe_exit, (void *)vns_probe_ctx);
	tracepoint_probe_unregister(vns_tp_newtask, vns_probe_newtask, (void *)vns_probe_ctx);
	/* No probe runs once this returns (include/linux/tracepoint.h). */
	tracepoint_synchronize_unregister();
	vns_probe_hooks = NULL;
	vns_probe_ctx = NULL;
}

/* ---- anon-inode files (namespace fds) ------------------------------------------------------------ */

/* What file->private_data of a vns anon-inode file points to. */
struct vns_anon_file {
	const struct vns_anon_ops *ops;
	void *data;
	u32 tag;		/* what kind of file: a type tag chosen by Rust */
};

static long vns_anon_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vns_anon_file *af = file->private_data;

	return af->ops->ioctl(af->data, cmd, arg);
}

static int vns_anon_release(struct inode *inode, struct file *file)
{
	struct vns_anon_file *af = file->private_data;

	af->ops->release(af->data);
	kfree(af);
	return 0;
}

/* The file holds the module (owner), as /dev/vns files do: rmmod is refused while one is open. */
static const struct file_operations vns_anon_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = vns_anon_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = vns_anon_release,
	.llseek = noop_llseek,
};

/*
 * A new anon-inode file "[vns]" (fs/anon_inodes.c) with @ops, @data and @tag, installed as a close-on-exec
 * fd of the caller; its release calls @ops->release(@data). Returns the fd or -errno (then @data is not
 * used).
 */
int vns_shim_anon_fd(const struct vns_anon_ops *ops, void *data, u32 tag)
{
	struct vns_anon_file *af = kmalloc(sizeof(*af), GFP_KERNEL_ACCOUNT);
	int fd;

	if (!af)
		return -ENOMEM;
	af->ops = ops;
	af->data = data;
	af->tag = tag;
	fd = anon_inode_getfd("[vns]", &vns_anon_fops, af, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		kfree(af);
	return fd;
}

/*
 * The file of @fd, held in *@filep (release with vns_shim_anon_put()), and in *@data what it was made with,
 * if it is a vns anon-inode file with @tag: 0. -EBADF for a closed fd, -EINVAL for another file (nothing
 * held), as setns(2) answers.
 */
int vns_shim_anon_get(int fd, u32 tag, struct file **filep, void **data)
{
	struct file *file = fget(fd);
	struct vns_anon_file *af;

	if (!file)
		return -EBADF;
	af = file->private_data;
	if (file->f_op != &vns_anon_fops || af->tag != tag) {
		fput(file);
		return -EINVAL;
	}
	*filep = file;
	*data = af->data;
	return 0;
}

void vns_shim_anon_put(struct file *file)
{
	fput(file);
}

/* ---- uts names under a seqlock ---------------------------------------------------------------------- */

/* Readers never lock: read_seqbegin/read_seqretry. Writers take write_seqlock. */
struct vns_uts {
	seqlock_t lock;
	char nodename[VNS_UTS_LEN + 1];
	char domainname[VNS_UTS_LEN + 1];
};

/*
 * A copy of @from (NULL: the kernel's names, as the init uts vns starts with), charged to the caller's
 * memcg as the kernel's uts namespaces are (kernel/utsname.c, a SLAB_ACCOUNT cache).
 */
struct vns_uts *vns_shim_uts_alloc(const struct vns_uts *from)
{
	struct vns_uts *uts = kzalloc(sizeof(*uts), GFP_KERNEL_ACCOUNT);

	if (!uts)
		return NULL;
	seqlock_init(&uts->lock);
	if (from) {
		vns_shim_uts_read(from, uts->nodename, uts->domainname);
	} else {
		/*
		 * uts_sem is not exported: a sethostname() racing with insmod could be seen half
		 * written, which only affects the initial copy.
		 */
		strscpy(uts->nodename, init_uts_ns.name.nodename, sizeof(uts->nodename));
		strscpy(uts->domainname, init_uts_ns.name.domainname, sizeof(uts->domainname));
	}
	return uts;
}

void vns_shim_uts_free(struct vns_uts *uts)
{
	kfree(uts);
}

/* Copies both names (each VNS_UTS_LEN + 1 bytes, NUL-terminated) as one consistent snapshot. */
void vns_shim_uts_read(const struct vns_uts *uts, char *nodename, char *domainname)
{
	unsigned int seq;

	do {
		seq = read_seqbegin(&uts->lock);
		memcpy(nodename, uts->nodename, VNS_UTS_LEN + 1);
		memcpy(domainname, uts->domainname, VNS_UTS_LEN + 1);
	} while (read_seqretry(&uts->lock, seq));
}

/* Sets one name (@which 0: nodename, 1: domainname) to @len <= VNS_UTS_LEN bytes of @name. */
void vns_shim_uts_write(struct vns_uts *uts, unsigned int which, const char *name, unsigned int len)
{
	char *dst = which ? uts->domainname : uts->nodename;

	if (len > VNS_UTS_LEN)
		len = VNS_UTS_LEN;
	write_seqlock(&uts->lock);
	memcpy(dst, name, len);
	memset(dst + len, 0, VNS_UTS_LEN + 1 - len);
	write_sequnlock(&uts->lock);
}
