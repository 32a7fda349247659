// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency smoke (Documentation/vns.rst "Membership" probes, "Unshare", "ucounts", "Kinds" state;
 * Documentation/admin-guide/vns-sysctl.rst): 4 processes x 3 threads for about 4 seconds. Two threads of each
 * process fork children that unshare a user vns (root mapped) with uts/ipc/mnt/pid/net/cgroup vns, set names,
 * mount, list, read their ucounts, write their own sysctl, unshare and setns back, fork into their pid vns,
 * and exit; the third thread reads everything (LIST_NS, GET_INFO, GET_UCOUNTS, /proc/sys/vns) and, as root in
 * the first process, writes sysctls and restores them. The test kernel runs lockdep and PROVE_RCU: the runner
 * fails on any splat. At the end every count of the caller's (user vns, uid) is back to zero and LIST_NS
 * shows nothing that was not there at the start (Documentation/vns.rst "Synchronous release").
 *
 * Bounded by time (RUN_MS) and by iterations, to stay under ~10 s under TCG as root and as a user.
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "kselftest_harness.h"
/* Failure lines of the checks (vns_peer.h C_*) say "stress". */
#define C_WHO "stress"
#include "vns_peer.h"

#define NR_PROCS 4
#define NR_THREADS 3 /* per process: 2 forkers, 1 reader (or sysctl writer) */
#define RUN_MS 4000
#define MAX_CYCLES 250	   /* per forking thread */
#define MAX_READS 20000	   /* per reading thread */
/* `make stress` sets VNS_STRESS_SCALE (e.g. 15): that many times longer and more iterations. */
static int scale = 1;
#define LIST_CAP 512

/* The kinds each child unshares besides its user vns (all but time: the writer thread plays with it). */
#define CHILD_FLAGS (CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)
#define CHILD_NR_NS 6

static const char *const sysctl_names[] = {
	"max_user_namespaces", "max_pid_namespaces", "max_uts_namespaces", "max_ipc_namespaces",
	"max_net_namespaces", "max_mnt_namespaces", "max_cgroup_namespaces", "max_time_namespaces",
	"mount-max",
};
#define NR_SYSCTLS (sizeof(sysctl_names) / sizeof(sysctl_names[0]))

struct shared {
	int fd;
	uint64_t init_user;
	struct timespec deadline;
	long saved_time_max, saved_mount_max;
};

struct worker {
	struct shared *sh;
	int proc, thread;
	unsigned int cycles, reads;
	int errors;
};

static bool expired(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec || (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

static int sysctl_path_read(const char *name, long *v)
{
	char path[96];

	snprintf(path, sizeof(path), VNS_SYSCTL_DIR "%s", name);
	return vns_read_int(path, v);
}

static int sysctl_path_write(const char *name, long v)
{
	char path[96], buf[32];

	snprintf(path, sizeof(path), VNS_SYSCTL_DIR "%s", name);
	snprintf(buf, sizeof(buf), "%ld", v);
	return vns_write_str(path, buf);
}

static uint64_t mount_root(int fd)
{
	struct vns_mount m[8];
	struct vns_list l = { .buf = (uintptr_t)m, .cap = 8 };

	if (vns_ioctl(fd, VNS_IOC_LIST_MOUNTS, &l))
		return 0;
	for (uint32_t i = 0; i < l.nr && i < 8; i++)
		if (m[i].parent_id == m[i].id)
			return m[i].id;
	return 0;
}

static void *thread_info(void *p)
{
	struct vns_info info;

	return (void *)(intptr_t)vns_get_info(*(int *)p, &info);
}

/* Stays until the gate closes. */
static void *thread_hold(void *p)
{
	char c;

	(void)read(((int *)p)[0], &c, 1);
	return NULL;
}

/* A task forked into the child's pid vns: a number there; a thread of it shares it. */
static int grandchild(int fd, uint64_t pidns)
{
	struct vns_info info;
	pthread_t th;
	void *ret;

	C_EQ(0, vns_get_info(fd, &info));
	C_EQ(pidns, info.ns_id[VNS_KIND_PID]);
	C_TRUE(info.pid >= 1);
	C_EQ(0, pthread_create(&th, NULL, thread_info, &fd));
	C_EQ(0, pthread_join(th, &ret));
	C_EQ(0, (intptr_t)ret);
	return 0;
}

/* One cycle in a fresh child: everything it makes goes away when it exits. */
static int child_cycle(int fd, unsigned int n)
{
	static struct vns_ns_entry e[LIST_CAP];
	struct vns_list l = { .buf = (uintptr_t)e, .cap = LIST_CAP };
	struct vns_mount m = { 0 };
	struct vns_info info;
	struct vns_ucounts uc;
	struct vns_uts uts;
	char name[32];
	uint64_t uts1, root;
	long v = 0;
	int status, gate[2];
	pthread_t th;
	pid_t g;

	C_EQ(0, vns_unshare_map_root(fd, CHILD_FLAGS));
	C_EQ(0, vns_get_info(fd, &info));
	C_EQ(1, info.user_level);
	C_TRUE(info.pid_for_children_id != info.ns_id[VNS_KIND_PID]);
	C_TRUE(info.flags & VNS_INFO_FULL_CAPS);
	uts1 = info.ns_id[VNS_KIND_UTS];

	snprintf(name, sizeof(name), "stress-%d-%u", getpid(), n);
	C_EQ(0, vns_set_uts(fd, VNS_UTS_NODENAME, name));
	C_EQ(0, vns_get_uts(fd, &uts));
	C_TRUE(!strcmp(name, uts.nodename));

	root = mount_root(fd);
	C_TRUE(root != 0);
	m.parent_id = root;
	strcpy(m.source, "none");
	strcpy(m.target, "/stress");
	strcpy(m.fstype, "tmpfs");
	C_EQ(0, vns_ioctl(fd, VNS_IOC_MOUNT, &m));

	/* This user vns owns exactly what we unshared. */
	C_EQ(0, vns_ioctl(fd, VNS_IOC_LIST_NS, &l));
	C_EQ(CHILD_NR_NS, l.nr);
	for (uint32_t i = 0; i < l.nr; i++)
		C_EQ(info.ns_id[VNS_KIND_USER], e[i].owner_id);
	C_EQ(0, vns_get_ucounts(fd, 0, 0, &uc));
	for (int k = 1; k < VNS_NR_KINDS; k++)
		C_EQ(k == VNS_KIND_TIME ? 0 : 1, uc.count[k]);

	/* Our own user vns's sysctl. */
	C_EQ(0, vns_write_limit(VNS_KIND_CGROUP, 1000 + n));
	C_EQ(0, vns_read_limit(VNS_KIND_CGROUP, &v));
	C_EQ(1000 + n, v);

	/*
	 * A thread keeps the first uts vns while this thread unshares a second one, then comes back to the
	 * first with SETNS: the second, left without members, is released at once ("Synchronous release").
	 */
	C_EQ(0, pipe(gate));
	C_EQ(0, pthread_create(&th, NULL, thread_hold, gate));
	C_EQ(0, vns_unshare(fd, CLONE_NEWUTS, NULL));
	C_EQ(0, vns_get_ucounts(fd, 0, 0, &uc));
	C_EQ(2, uc.count[VNS_KIND_UTS]);
	C_EQ(0, vns_setns(fd, uts1, VNS_KIND_UTS));
	/*
	 * Released when its last reference goes -- and a LIST_NS of another worker (root lists every
	 * namespace) may hold one for the moment of its walk, as a /proc reader holds a kernel namespace: wait
	 * that out (bounded), then the count must be back.
	 */
	for (int i = 0; i < 200; i++) {
		C_EQ(0, vns_get_ucounts(fd, 0, 0, &uc));
		if (uc.count[VNS_KIND_UTS] == 1)
			break;
		usleep(5000);
	}
	C_EQ(1, uc.count[VNS_KIND_UTS]);
	C_EQ(0, vns_get_uts(fd, &uts));
	C_TRUE(!strcmp(name, uts.nodename));
	close(gate[1]);
	C_EQ(0, pthread_join(th, NULL));
	close(gate[0]);

	if (n % 2 == 0) {
		g = fork();
		C_TRUE(g >= 0);
		if (g == 0)
			_exit(grandchild(fd, info.pid_for_children_id));
		C_EQ(g, waitpid(g, &status, 0));
		C_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	} else {
		struct vns_umount u = { .id = m.id };

		C_EQ(0, vns_ioctl(fd, VNS_IOC_UMOUNT, &u));
	}
	return 0;
}

static int fork_cycle(struct worker *w)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		C_FAIL("fork: %s", strerror(errno));
	if (pid == 0)
		_exit(child_cycle(w->sh->fd, w->cycles));
	if (waitpid(pid, &status, 0) != pid)
		C_FAIL("waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		C_FAIL("proc %d thread %d cycle %u: child status %#x", w->proc, w->thread, w->cycles, status);
	return 0;
}

static int read_cycle(struct worker *w)
{
	static __thread struct vns_ns_entry e[LIST_CAP];
	struct vns_list l = { .buf = (uintptr_t)e, .cap = LIST_CAP };
	struct vns_ucounts uc;
	struct vns_info info;
	int fd = w->sh->fd, ret;
	long v = 0;

	C_EQ(0, vns_get_info(fd, &info));
	C_EQ(w->sh->init_user, info.ns_id[VNS_KIND_USER]);
	/* Sentinels: with cap >= nr, all nr entries must be written (VNS_IOC_LIST_NS: nr is the total). */
	memset(e, 0xff, sizeof(e));
	C_EQ(0, vns_ioctl(fd, VNS_IOC_LIST_NS, &l));
	C_TRUE(l.nr >= VNS_NR_KINDS - 1);
	for (uint32_t i = 0; i < l.nr && i < LIST_CAP; i++) {
		if (e[i].id == UINT64_MAX)
			C_FAIL("LIST_NS: nr %u, cap %u, but entry %u was not written", l.nr, LIST_CAP, i);
		if (i)
			C_TRUE(e[i - 1].id < e[i].id);
	}
	C_EQ(0, vns_get_ucounts(fd, 0, geteuid(), &uc));
	/* Someone's user vns, maybe going away right now: visible from init, or already gone. */
	for (uint32_t i = l.nr < LIST_CAP ? l.nr : LIST_CAP; i-- > 0;) {
		if (e[i].kind == VNS_KIND_USER) {
			ret = vns_get_ucounts(fd, e[i].id, geteuid(), &uc);
			C_TRUE(ret == 0 || ret == -ENOENT);
			break;
		}
	}
	for (unsigned int i = 0; i < NR_SYSCTLS; i++)
		C_EQ(0, sysctl_path_read(sysctl_names[i], &v));
	return 0;
}

/* Root only: change two global values and put them back (values that cannot make a child fail). */
static int write_cycle(struct worker *w)
{
	long v = 0;

	C_EQ(0, sysctl_path_write("max_time_namespaces", w->reads % 2 ? 17 : w->sh->saved_time_max));
	C_EQ(0, sysctl_path_read("max_time_namespaces", &v));
	C_EQ(w->reads % 2 ? 17 : w->sh->saved_time_max, v);
	C_EQ(0, sysctl_path_write("mount-max", w->reads % 2 ? 99999 : w->sh->saved_mount_max));
	return 0;
}

static void *worker_thread(void *p)
{
	struct worker *w = p;
	bool forker = w->thread < NR_THREADS - 1;
	bool writer = !forker && w->proc == 0 && getuid() == 0;

	while (!expired(&w->sh->deadline) && w->errors < 5) {
		if (forker) {
			if (w->cycles >= MAX_CYCLES * scale)
				break;
			w->errors += fork_cycle(w);
			w->cycles++;
		} else {
			if (w->reads >= MAX_READS * scale)
				break;
			w->errors += read_cycle(w);
			if (writer)
				w->errors += write_cycle(w);
			w->reads++;
		}
	}
	if (writer) {
		w->errors += sysctl_path_write("max_time_namespaces", w->sh->saved_time_max) != 0;
		w->errors += sysctl_path_write("mount-max", w->sh->saved_mount_max) != 0;
	}
	return NULL;
}

/* One process: NR_THREADS threads (the main thread is the first); exit status = errors (0..100). */
static int worker_process(struct shared *sh, int proc)
{
	struct worker w[NR_THREADS];
	pthread_t th[NR_THREADS];
	unsigned int cycles = 0, reads = 0;
	int errors = 0;

	for (int t = 0; t < NR_THREADS; t++)
		w[t] = (struct worker){ .sh = sh, .proc = proc, .thread = t };
	for (int t = 1; t < NR_THREADS; t++)
		if (pthread_create(&th[t], NULL, worker_thread, &w[t]))
			return 100;
	worker_thread(&w[0]);
	for (int t = 1; t < NR_THREADS; t++)
		pthread_join(th[t], NULL);
	for (int t = 0; t < NR_THREADS; t++) {
		errors += w[t].errors;
		cycles += w[t].cycles;
		reads += w[t].reads;
	}
	fprintf(stderr, "#  proc %d: %u child cycles, %u read cycles, %d errors\n", proc, cycles, reads, errors);
	/* Every process must have done real work. */
	if (!errors && (cycles < 2 || reads < 2))
		errors = 99;
	return errors > 100 ? 100 : errors;
}

static int list_ids(int fd, uint64_t *ids, uint32_t cap, uint32_t *nr)
{
	struct vns_ns_entry *e = NULL;
	uint32_t n = 0;
	int total = vns_list_ns(fd, &e, &n);

	if (total < 0)
		return total;
	*nr = n;
	for (uint32_t i = 0; i < n && i < cap; i++)
		ids[i] = e[i].id;
	free(e);
	return total;
}

/*
 * Unshare, setns, fork and exit racing with readers and sysctl writers; afterwards every
 * charge of (the caller's user vns, its uid) is gone and no namespace is left beyond those at the start.
 */
FIXTURE(race)
{
};

FIXTURE_SETUP(race)
{
}

FIXTURE_TEARDOWN(race)
{
}

/* 4 s in make check; `make stress` scales it (VNS_STRESS_SCALE=15): past the harness's default 30 s. */
TEST_F_TIMEOUT(race, unshare_exit_setns_sysctl_race, 900)
{
	static uint64_t ids0[LIST_CAP], ids1[LIST_CAP];
	struct vns_ucounts uc0, uc1;
	long sys0[NR_SYSCTLS], sys1[NR_SYSCTLS];
	struct shared sh = { 0 };
	uint32_t n0 = 0, n1 = 0;
	pid_t pids[NR_PROCS];
	struct vns_info info;
	int total0, total1;

	sh.fd = vns_open();
	ASSERT_LE(0, sh.fd);
	ASSERT_EQ(0, vns_get_info(sh.fd, &info));
	ASSERT_EQ(0, info.user_level);
	sh.init_user = info.ns_id[VNS_KIND_USER];
	for (unsigned int i = 0; i < NR_SYSCTLS; i++)
		ASSERT_EQ(0, sysctl_path_read(sysctl_names[i], &sys0[i]));
	sh.saved_time_max = sys0[VNS_KIND_TIME];
	sh.saved_mount_max = sys0[NR_SYSCTLS - 1];
	ASSERT_EQ(0, vns_get_ucounts(sh.fd, 0, geteuid(), &uc0));
	total0 = list_ids(sh.fd, ids0, LIST_CAP, &n0);
	ASSERT_LE(0, total0);
	ASSERT_GT(LIST_CAP, total0);

	clock_gettime(CLOCK_MONOTONIC, &sh.deadline);
	if (getenv("VNS_STRESS_SCALE") && atoi(getenv("VNS_STRESS_SCALE")) > 0)
		scale = atoi(getenv("VNS_STRESS_SCALE"));
	sh.deadline.tv_sec += RUN_MS / 1000 * scale;
	fflush(stdout);
	fflush(stderr);
	for (int p = 0; p < NR_PROCS; p++) {
		pids[p] = fork();
		ASSERT_LE(0, pids[p]);
		if (pids[p] == 0)
			_exit(worker_process(&sh, p));
	}
	for (int p = 0; p < NR_PROCS; p++) {
		int status = 0;

		ASSERT_EQ(pids[p], waitpid(pids[p], &status, 0));
		EXPECT_TRUE(WIFEXITED(status)) TH_LOG("process %d: status %#x", p, status);
		EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("process %d: %d errors", p, WEXITSTATUS(status));
	}

	/* Every charge returned: the counts are those of the start, which are zero (nothing else runs). */
	ASSERT_EQ(0, vns_get_ucounts(sh.fd, 0, geteuid(), &uc1));
	for (int k = 0; k < VNS_NR_KINDS; k++) {
		EXPECT_EQ(uc0.count[k], uc1.count[k]) TH_LOG("kind %s", vns_kind_name[k]);
		EXPECT_EQ(0, uc1.count[k]) TH_LOG("kind %s", vns_kind_name[k]);
	}
	/* No namespace left behind. */
	total1 = list_ids(sh.fd, ids1, LIST_CAP, &n1);
	ASSERT_LE(0, total1);
	EXPECT_EQ(total0, total1);
	for (uint32_t i = 0; i < n1 && i < LIST_CAP; i++) {
		bool found = false;

		for (uint32_t j = 0; j < n0 && j < LIST_CAP; j++)
			found |= ids0[j] == ids1[i];
		EXPECT_TRUE(found) TH_LOG("namespace %llu left behind", (unsigned long long)ids1[i]);
	}
	/* The sysctls are as they were (the writer restored its two). */
	for (unsigned int i = 0; i < NR_SYSCTLS; i++) {
		ASSERT_EQ(0, sysctl_path_read(sysctl_names[i], &sys1[i]));
		EXPECT_EQ(sys0[i], sys1[i]) TH_LOG("%s", sysctl_names[i]);
	}
	close(sh.fd);
}

TEST_HARNESS_MAIN
