// SPDX-License-Identifier: GPL-2.0
/*
 * The time kind (Documentation/vns.rst "Inheritance" and "Time"), as 7.3 has it: UNSHARE(CLONE_NEWTIME)
 * changes time_for_children only; children made without CLONE_VM and the caller after an exec enter it,
 * threads and vfork children do not (kernel/nsproxy.c copy_namespaces, exec_task_namespaces); SETNS
 * follows timens_install; GET_INFO reports time_for_children and still takes its first size. The clock
 * offsets are in vns_timens_offsets_test.c.
 *
 * Every test runs as root and as uid 1000: most first make a user vns of their own (full capabilities
 * there); the checks of the unprivileged order run in a child with no capability over the init ones.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>

#include "kselftest_harness.h"
#include "vns_exec.h"
#include "vns_time.h"

/* ---- who enters time_for_children ---- */

static void *thread_info(void *arg)
{
	int fd = vns_open();

	if (fd < 0 || vns_get_info(fd, arg))
		memset(arg, 0, sizeof(struct vns_info));
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int vm_child_info(void *arg)
{
	thread_info(arg);
	return 0;
}

/*
 * A vfork child (which keeps the caller's time vns) execs this binary in helper mode "info": its GET_INFO
 * after the exec, through a pipe.
 */
static int exec_info(struct vns_info *out)
{
	struct helper_report r;
	int p[2], status, ok;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = vfork();
	if (pid == 0) {
		char *argv[] = { "/proc/self/exe", NULL };
		char *envp[] = { HELPER_ENV "=info", NULL };

		if (dup2(p[1], 1) != 1)
			_exit(13);
		execve("/proc/self/exe", argv, envp);
		_exit(14);
	}
	close(p[1]);
	ok = !read_full(p[0], &r, sizeof(r));
	close(p[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) || !ok ||
	    r.info_ret)
		return -1;
	*out = r.info;
	return 0;
}

static int check_who_enters(void *arg)
{
	struct vns_info before, info, child, thr, vm, exec;
	struct vns_ns_entry *e = NULL, *t;
	uint32_t nr = 0;
	pthread_t th;
	int fd = vns_open(), status, tfc_listed;
	char *stack;
	pid_t pid;

	C_TRUE(fd >= 0);
	C_EQ(0, vns_get_info(fd, &before));
	C_EQ(before.ns_id[VNS_KIND_TIME], before.time_for_children_id);
	C_EQ(0, vns_unshare_map_root(fd, CLONE_NEWTIME));
	C_EQ(0, vns_get_info(fd, &info));
	/* The caller stays in its time vns; only its children's changes. */
	C_EQ(before.ns_id[VNS_KIND_TIME], info.ns_id[VNS_KIND_TIME]);
	C_NE(info.ns_id[VNS_KIND_TIME], info.time_for_children_id);
	tfc_listed = vns_list_ns(fd, &e, &nr);
	C_TRUE(tfc_listed > 0);
	t = vns_find_entry(e, nr, info.time_for_children_id);
	C_TRUE(t != NULL);
	C_EQ(VNS_KIND_TIME, t->kind);
	C_EQ(0, t->nr_tasks);
	C_EQ(info.ns_id[VNS_KIND_USER], t->owner_id);
	free(e);

	/* A thread keeps the group's time vns. */
	C_EQ(0, pthread_create(&th, NULL, thread_info, &thr));
	C_EQ(0, pthread_join(th, NULL));
	C_EQ(info.ns_id[VNS_KIND_TIME], thr.ns_id[VNS_KIND_TIME]);
	C_EQ(info.time_for_children_id, thr.time_for_children_id);

	/* A vfork child (CLONE_VM) keeps it too. */
	stack = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	C_TRUE(stack != MAP_FAILED);
	pid = clone(vm_child_info, stack + (1 << 16), CLONE_VM | CLONE_VFORK | SIGCHLD, &vm);
	C_TRUE(pid > 0);
	C_EQ(pid, waitpid(pid, &status, 0));
	munmap(stack, 1 << 16);
	C_EQ(info.ns_id[VNS_KIND_TIME], vm.ns_id[VNS_KIND_TIME]);
	C_EQ(info.time_for_children_id, vm.time_for_children_id);

	/* A child made without CLONE_VM enters it. */
	pid = fork();
	if (pid == 0) {
		if (vns_get_info(fd, &child))
			_exit(1);
		_exit(child.ns_id[VNS_KIND_TIME] == info.time_for_children_id &&
		      child.time_for_children_id == info.time_for_children_id ? 0 : 2);
	}
	C_EQ(pid, waitpid(pid, &status, 0));
	C_TRUE(WIFEXITED(status));
	C_EQ(0, WEXITSTATUS(status));

	/* A task that did not enter (a vfork child) enters it at its exec (exec_task_namespaces). */
	C_EQ(0, exec_info(&exec));
	C_EQ(info.time_for_children_id, exec.ns_id[VNS_KIND_TIME]);
	C_EQ(info.time_for_children_id, exec.time_for_children_id);
	C_EQ(info.ns_id[VNS_KIND_USER], exec.ns_id[VNS_KIND_USER]);
	/* The caller's own is unchanged (the exec happened in the child). */
	C_EQ(0, vns_get_info(fd, &child));
	C_EQ(info.ns_id[VNS_KIND_TIME], child.ns_id[VNS_KIND_TIME]);
	close(fd);
	return 0;
}

TEST(time_unshare_changes_children_only)
{
	ASSERT_EQ(0, vns_in_child(check_who_enters, NULL));
}

/* ---- SETNS ---- */

static void *block_thread(void *arg)
{
	int *p = arg;
	char c;

	(void)!read(p[0], &c, 1);
	return NULL;
}

static int check_setns_time(void *arg)
{
	struct vns_info info, after;
	int fd = vns_open(), p[2];
	pthread_t th;
	uint64_t target;

	C_TRUE(fd >= 0);
	C_EQ(0, vns_unshare_map_root(fd, CLONE_NEWTIME));
	C_EQ(0, vns_get_info(fd, &info));
	target = info.time_for_children_id;
	/* Another thread shares the address space: EUSERS, nothing changes. */
	C_EQ(0, pipe(p));
	C_EQ(0, pthread_create(&th, NULL, block_thread, p));
	C_EQ(-EUSERS, vns_setns(fd, target, VNS_KIND_TIME));
	C_EQ(0, vns_get_info(fd, &after));
	C_EQ(info.ns_id[VNS_KIND_TIME], after.ns_id[VNS_KIND_TIME]);
	C_EQ(target, after.time_for_children_id);
	C_EQ(1, write(p[1], "x", 1));
	C_EQ(0, pthread_join(th, NULL));
	/* Offsets can be set until it is entered. */
	C_EQ(0, set_offset(fd, CLOCK_BOOTTIME, 42, 0));
	/* Single-threaded: both the active and the for-children time vns become the target. */
	C_EQ(0, vns_setns(fd, target, VNS_KIND_TIME));
	C_EQ(0, vns_get_info(fd, &after));
	C_EQ(target, after.ns_id[VNS_KIND_TIME]);
	C_EQ(target, after.time_for_children_id);
	/* Entered: frozen; the caller's clock has its offset now. */
	C_EQ(-EACCES, set_offset(fd, CLOCK_BOOTTIME, 43, 0));
	{
		double v, k = kclock(CLOCK_BOOTTIME);

		C_EQ(0, vns_clock(fd, CLOCK_BOOTTIME, &v));
		C_TRUE(v >= k + 42 && v < k + 47);
	}
	/* Not back to the init one: that needs CAP_SYS_ADMIN over the init user vns. */
	C_EQ(-EPERM, vns_setns(fd, info.ns_id[VNS_KIND_TIME], VNS_KIND_TIME));
	C_EQ(0, vns_get_info(fd, &after));
	C_EQ(target, after.ns_id[VNS_KIND_TIME]);
	close(fd);
	return 0;
}

/* Without capabilities and multi-threaded: EUSERS comes before EPERM (timens_install). */
static int check_setns_unprivileged(void *arg)
{
	uint64_t target = *(uint64_t *)arg;
	int fd = vns_open(), p[2];
	pthread_t th;

	C_TRUE(fd >= 0);
	C_EQ(-EPERM, vns_setns(fd, target, VNS_KIND_TIME));
	C_EQ(0, pipe(p));
	C_EQ(0, pthread_create(&th, NULL, block_thread, p));
	C_EQ(-EUSERS, vns_setns(fd, target, VNS_KIND_TIME));
	C_EQ(1, write(p[1], "x", 1));
	C_EQ(0, pthread_join(th, NULL));
	close(fd);
	return 0;
}

TEST(time_setns_follows_timens_install)
{
	struct vns_info info;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_in_child(check_setns_time, NULL));
	ASSERT_EQ(0, vns_get_info(fd, &info));
	ASSERT_EQ(0, vns_in_child_as(VNS_TEST_UID, check_setns_unprivileged, &info.ns_id[VNS_KIND_TIME]));
	close(fd);
}

/* ---- GET_INFO's sizes ---- */

TEST(get_info_first_size_still_accepted)
{
	unsigned char buf[160];
	struct vns_info full;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &full));
	ASSERT_EQ(104, sizeof(struct vns_info));
	ASSERT_NE(0, full.time_for_children_id);
	/* The first size: the struct without its last field; nothing past it is written. */
	memset(buf, 0xaa, sizeof(buf));
	ASSERT_EQ(0, vns_ioctl(fd, _IOR(VNS_IOC_MAGIC, 2, char[VNS_INFO_SIZE_VER0]), buf));
	EXPECT_EQ(0, memcmp(buf, &full, VNS_INFO_SIZE_VER0));
	for (unsigned int i = VNS_INFO_SIZE_VER0; i < sizeof(buf); i++) {
		ASSERT_EQ(0xaa, buf[i]) TH_LOG("byte %u written", i);
	}
	/* A larger caller gets zeroes past the struct. */
	memset(buf, 0xaa, sizeof(buf));
	ASSERT_EQ(0, vns_ioctl(fd, _IOR(VNS_IOC_MAGIC, 2, char[120]), buf));
	EXPECT_EQ(0, memcmp(buf, &full, sizeof(full)));
	for (unsigned int i = sizeof(full); i < 120; i++) {
		ASSERT_EQ(0, buf[i]) TH_LOG("byte %u", i);
	}
	ASSERT_EQ(0xaa, buf[120]);
	/* Smaller than the first size. */
	EXPECT_EQ(-EINVAL, vns_ioctl(fd, _IOR(VNS_IOC_MAGIC, 2, char[VNS_INFO_SIZE_VER0 - 8]), buf));
	close(fd);
}

TEST_HARNESS_MAIN
