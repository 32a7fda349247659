// SPDX-License-Identifier: GPL-2.0
/*
 * vns C shim, the task half: the current task's facts and capabilities, other tasks found by pid and the
 * ptrace-style access test on them, signals, and the kernel's clocks -- what the Linux 7.3 Rust API has no
 * wrapper for. Called from rust/vns/sys/ only; no policy here.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/exec_state.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/time64.h>
#include <linux/timekeeping.h>
#include <linux/user_namespace.h>

#include "vns_shim.h"

/* ---- tasks and credentials -------------------------------------------------------------------------- */

bool vns_shim_capable(int cap)
{
	return capable(cap);
}

/*
 * Whether current has every capability in the init user namespace, as capable() decides: a full
 * cap_effective in a user namespace of the kernel's own is not enough (security/commoncap.c
 * cap_capable). Not audited: this only reports (GET_INFO), it grants nothing.
 */
bool vns_shim_capable_all(void)
{
	/* ns_capable_noaudit() sets PF_SUPERPRIV on success: this grants nothing, so it must not show. */
	unsigned int superpriv = current->flags & PF_SUPERPRIV;
	bool all = true;
	int cap;

	for (cap = 0; cap <= CAP_LAST_CAP && all; cap++)
		all = ns_capable_noaudit(&init_user_ns, cap);
	if (!superpriv)
		current->flags &= ~PF_SUPERPRIV;
	return all;
}

bool vns_shim_fatal_signal_pending(void)
{
	return fatal_signal_pending(current);
}

/*
 * !current_is_single_threaded(), which is not exported: lib/is_single_threaded.c, the same walk. A
 * transient mmget() (a /proc reader, process_vm_readv) raises mm_users without sharing the address
 * space, so mm_users > 1 alone is not an answer: look for another task using the mm.
 */
bool vns_shim_current_mm_shared(void)
{
	struct task_struct *task = current, *p, *t;
	struct mm_struct *mm = task->mm;
	bool shared = true;

	if (atomic_read(&task->signal->live) != 1)
		return true;
	if (!mm || atomic_read(&mm->mm_users) == 1)
		return false;

	rcu_read_lock();
	for_each_process(p) {
		if (unlikely(p->flags & PF_KTHREAD))
			continue;
		if (unlikely(p == task->group_leader))
			continue;
		for_each_thread(p, t) {
			if (unlikely(t->mm == mm))
				goto found;
			if (likely(t->mm))
				break;
			/*
			 * t->mm == NULL. Make sure next_thread/next_task will see other CLONE_VM
			 * tasks even if @t is the last one (as lib/is_single_threaded.c).
			 */
			smp_rmb();
		}
	}
	shared = false;
found:
	rcu_read_unlock();
	return shared;
}

void vns_shim_cond_resched(void)
{
	cond_resched();
}

/* The facts check_unshare_flags() (kernel/fork.c) looks at, and the caller's identity. */
void vns_shim_current_facts(struct vns_task_facts *facts)
{
	const struct cred *cred = current_cred();

	facts->nr_threads = get_nr_threads(current);
	facts->sighand_shared = refcount_read(&current->sighand->count) > 1;
	memset(facts->pad, 0, sizeof(facts->pad));
	facts->euid = __kuid_val(cred->euid);
	facts->egid = __kgid_val(cred->egid);
}

struct task_struct *vns_shim_current(void)
{
	return current;
}

/* task_tgid_vnr(current): the caller's pid as its own pid namespace sees it (getpid()). */
s32 vns_shim_current_tgid(void)
{
	return task_tgid_vnr(current);
}

/* The effective kuid of @task, which must be current or pinned by the caller. */
u32 vns_shim_task_euid(struct task_struct *task)
{
	u32 euid;

	rcu_read_lock();
	euid = __kuid_val(__task_cred(task)->euid);
	rcu_read_unlock();
	return euid;
}

/* Threads in the system, for the init namespaces' nr_tasks. */
u32 vns_shim_nr_threads_total(void)
{
	struct task_struct *g, *t;
	u32 n = 0;

	rcu_read_lock();
	for_each_process_thread(g, t)
		n++;
	rcu_read_unlock();
	return n;
}

/*
 * Fail closed: a new task whose membership could not be recorded is killed before it first runs (it
 * never reaches user space). For a CLONE_THREAD child this ends its whole thread group, as SIGKILL does.
 */
void vns_shim_kill_task(struct task_struct *task)
{
	send_sig(SIGKILL, task, 1);
}

/*
 * The kernel's own reading of a clock, before any time namespace offset (kernel/time/posix-timers.c: the
 * k_clock .clock_get_timespec of each, without timens_add_*()). False for a clock vns does not read.
 */
bool vns_shim_clock_read(int clock_id, struct vns_timespec *ts)
{
	struct timespec64 tp;

	switch (clock_id) {
	case CLOCK_REALTIME:
		ktime_get_real_ts64(&tp);
		break;
	case CLOCK_MONOTONIC:
		ktime_get_ts64(&tp);
		break;
	case CLOCK_MONOTONIC_RAW:
		ktime_get_raw_ts64(&tp);
		break;
	case CLOCK_REALTIME_COARSE:
		ktime_get_coarse_real_ts64(&tp);
		break;
	case CLOCK_MONOTONIC_COARSE:
		ktime_get_coarse_ts64(&tp);
		break;
	case CLOCK_BOOTTIME:
		ktime_get_boottime_ts64(&tp);
		break;
	case CLOCK_TAI:
		ktime_get_clocktai_ts64(&tp);
		break;
	default:
		return false;
	}
	ts->sec = tp.tv_sec;
	ts->nsec = tp.tv_nsec;
	return true;
}

/*
 * The task with pid @nr in the caller's pid namespace, held, or NULL when there is none, or it is exiting
 * (PF_EXITING: its vns membership goes at sched_process_exit, before exit_nsproxy_namespaces() clears
 * its nsproxy) or being killed (SIGKILL pending: a task vns failed closed never ran): such a task must not
 * read as a task of the init namespaces.
 */
struct task_struct *vns_shim_task_get(s32 nr)
{
	struct task_struct *task;
	struct pid *pid;

	if (nr <= 0)
		return NULL;
	pid = find_get_pid(nr);
	if (!pid)
		return NULL;
	task = get_pid_task(pid, PIDTYPE_PID);
	put_pid(pid);
	if (!task)
		return NULL;
	task_lock(task);
	if (!task->nsproxy || (task->flags & PF_EXITING) || __fatal_signal_pending(task)) {
		task_unlock(task);
		put_task_struct(task);
		return NULL;
	}
	task_unlock(task);
	return task;
}

void vns_shim_task_put(struct task_struct *task)
{
	put_task_struct(task);
}

/*
 * The credential and dumpability halves of __ptrace_may_access() (kernel/ptrace.c: the id test and
 * task_still_dumpable()), without the capability checks, which vns makes in its own user namespaces.
 */
void vns_shim_task_access(struct task_struct *task, bool fscreds, struct vns_task_access *access)
{
	const struct cred *cred = current_cred(), *tcred;
	kuid_t uid = fscreds ? cred->fsuid : cred->uid;
	kgid_t gid = fscreds ? cred->fsgid : cred->gid;
	struct task_exec_state *exec_state;

	access->same_thread_group = same_thread_group(task, current);
	rcu_read_lock();
	tcred = __task_cred(task);
	access->ids_match = uid_eq(uid, tcred->euid) && uid_eq(uid, tcred->suid) && uid_eq(uid, tcred->uid) &&
			    gid_eq(gid, tcred->egid) && gid_eq(gid, tcred->sgid) && gid_eq(gid, tcred->gid);
	/* Read after the credentials, as task_still_dumpable() (pairs with commit_creds()). */
	smp_rmb();
	exec_state = rcu_dereference(task->exec_state);
	access->dumpable = READ_ONCE(exec_state->dumpable) == TASK_DUMPABLE_OWNER;
	rcu_read_unlock();
	access->pad = 0;
	access->tgid = task_tgid_vnr(task);
}
