// SPDX-License-Identifier: GPL-2.0
/*
 * vns operations (spec §1 objects and membership, §5 per-kind state, §7 per-caller sysctls, §8 the ioctls
 * and their ABI rules): membership across fork/thread/exit/exec, SETNS, uts names, mount tables, pid
 * numbering, LIST_NS, GET_UCOUNTS, the copy_struct_{from,to}_user size rules.
 *
 * Every test runs as root and as uid 1000. Most first make a user vns of their own with
 * vns_unshare_map_root() (unprivileged NEWUSER is allowed, spec §3), so they hold the full capability
 * set there and need no real privilege. Work that must happen in another task runs in a "peer": a forked
 * child that reports through a pipe and finishes when told to (it dies with the test, PR_SET_PDEATHSIG).
 *
 * The exec tests re-execute this binary: with VNS_OPS_HELPER set in the environment, a constructor runs
 * the helper mode, writes a struct helper_report to stdout and exits before the harness starts.
 */
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/utsname.h>

#include "kselftest_harness.h"
#include "vns_test.h"

#define NO_SUCH_ID UINT64_MAX

/* ---- checks inside forked children: print where and why, return 1 (the child's exit status) ---- */

#define C_FAIL(fmt, ...)                                                                          \
	do {                                                                                      \
		fprintf(stderr, "#  child %s:%d: " fmt "\n", __func__, __LINE__, ##__VA_ARGS__); \
		return 1;                                                                         \
	} while (0)
#define C_EQ(exp, got)                                                                          \
	do {                                                                                    \
		long long _e = (long long)(exp), _g = (long long)(got);                         \
		if (_e != _g)                                                                   \
			C_FAIL("%s == %s: expected %lld, got %lld", #exp, #got, _e, _g);       \
	} while (0)
#define C_NE(a, b)                                                                              \
	do {                                                                                    \
		long long _a = (long long)(a), _b = (long long)(b);                             \
		if (_a == _b)                                                                   \
			C_FAIL("%s != %s: both are %lld", #a, #b, _a);                         \
	} while (0)
#define C_TRUE(c)                                                                               \
	do {                                                                                    \
		if (!(c))                                                                       \
			C_FAIL("%s", #c);                                                       \
	} while (0)
#define C_STREQ(exp, got)                                                                       \
	do {                                                                                    \
		if (strcmp((exp), (got)))                                                       \
			C_FAIL("%s: expected \"%s\", got \"%s\"", #got, (exp), (got));          \
	} while (0)

/* ---- pipes and peers ---- */

static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t len)
{
	return write(fd, buf, len) == (ssize_t)len ? 0 : -1;
}

/* A peer's side: wait for the test to say go (one byte), or for its end of the pipe to close. */
static void peer_wait(int in)
{
	char c;

	(void)read_full(in, &c, 1);
}

/* Tell the other side to go on. */
static void peer_go(int out)
{
	(void)write_full(out, "g", 1);
}

struct peer {
	pid_t pid;
	int rd; /* what the peer reports */
	int wr; /* to the peer */
};

typedef int (*peer_fn)(void *arg, int out, int in);

static int peer_start(struct peer *p, peer_fn fn, void *arg)
{
	int up[2], down[2];

	signal(SIGPIPE, SIG_IGN);
	if (pipe2(up, O_CLOEXEC) || pipe2(down, O_CLOEXEC))
		return -1;
	fflush(stdout);
	fflush(stderr);
	p->pid = fork();
	if (p->pid < 0)
		return -1;
	if (p->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(up[0]);
		close(down[1]);
		_exit(fn(arg, up[1], down[0]) & 0xff);
	}
	close(up[1]);
	close(down[0]);
	p->rd = up[0];
	p->wr = down[1];
	return 0;
}

/* Tells the peer to finish and returns its exit status (255 if it did not exit normally). */
static int peer_finish(struct peer *p)
{
	int status;

	peer_go(p->wr);
	close(p->wr);
	close(p->rd);
	if (waitpid(p->pid, &status, 0) != p->pid || !WIFEXITED(status))
		return 255;
	return WEXITSTATUS(status);
}

/* ---- small ioctl helpers ---- */

static uint64_t ns_id_of(int fd, int kind)
{
	struct vns_info info;

	if (vns_get_info(fd, &info))
		return 0;
	return info.ns_id[kind];
}

static int list_mounts(int fd, struct vns_mount *buf, uint32_t cap, uint32_t *nr)
{
	struct vns_list l = { .buf = (uintptr_t)buf, .cap = cap };
	int ret = vns_ioctl(fd, VNS_IOC_LIST_MOUNTS, &l);

	if (!ret)
		*nr = l.nr;
	return ret;
}

static int add_mount(int fd, uint64_t parent, uint64_t flags, const char *target, uint64_t *id)
{
	struct vns_mount m = { .parent_id = parent, .flags = flags };
	int ret;

	snprintf(m.source, sizeof(m.source), "src%s", target);
	snprintf(m.target, sizeof(m.target), "%s", target);
	snprintf(m.fstype, sizeof(m.fstype), "tmpfs");
	ret = vns_ioctl(fd, VNS_IOC_MOUNT, &m);
	if (!ret && id)
		*id = m.id;
	return ret;
}

static int del_mount(int fd, uint64_t id, uint64_t flags)
{
	struct vns_umount u = { .id = id, .flags = flags };

	return vns_ioctl(fd, VNS_IOC_UMOUNT, &u);
}

/* The root entry of the caller's mount table (parent_id == id), or 0. */
static uint64_t mount_root(int fd)
{
	struct vns_mount m[64];
	uint32_t nr = 0;

	if (list_mounts(fd, m, 64, &nr))
		return 0;
	for (uint32_t i = 0; i < nr && i < 64; i++)
		if (m[i].parent_id == m[i].id)
			return m[i].id;
	return 0;
}

static const struct vns_mount *mount_by_target(const struct vns_mount *m, uint32_t nr, const char *target)
{
	for (uint32_t i = 0; i < nr; i++)
		if (!strcmp(m[i].target, target))
			return &m[i];
	return NULL;
}

static int setns_raw(int fd, uint64_t id, uint32_t kind, uint32_t reserved)
{
	struct vns_setns s = { .id = id, .kind = kind, .reserved = reserved };

	return vns_ioctl(fd, VNS_IOC_SETNS, &s);
}

/* ---- the exec helper (spec §2: capabilities are recomputed at execve) ---- */

#define HELPER_ENV "VNS_OPS_HELPER"

struct helper_report {
	int info_ret;
	struct vns_info info;
	int read1_ret, write_ret, read2_ret;
	long read1, read2;
};

static void __attribute__((constructor)) ops_exec_helper(void)
{
	const char *mode = getenv(HELPER_ENV);
	struct helper_report r;
	int fd;

	if (!mode)
		return;
	memset(&r, 0, sizeof(r));
	fd = vns_open();
	r.info_ret = fd < 0 ? -errno : vns_get_info(fd, &r.info);
	if (!strcmp(mode, "sysctl")) {
		r.read1_ret = vns_read_limit(VNS_KIND_UTS, &r.read1);
		r.write_ret = vns_write_limit(VNS_KIND_UTS, 7);
		r.read2_ret = vns_read_limit(VNS_KIND_UTS, &r.read2);
	}
	_exit(write_full(1, &r, sizeof(r)) ? 3 : 0);
}

/*
 * In a child: a new user vns (with root mapped or with no map at all), its GET_INFO before the exec, then
 * exec of this binary in helper `mode`. Returns 0 and both reports, or -1.
 */
static int run_exec_helper(const char *mode, bool map_root, struct vns_info *pre, struct helper_report *post)
{
	int p[2], status, ok;
	pid_t pid;

	if (pipe(p))
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char env[64];
		char *argv[] = { "/proc/self/exe", NULL };
		char *envp[] = { env, NULL };
		struct vns_info info;
		int fd = vns_open();

		close(p[0]);
		if (fd < 0)
			_exit(10);
		if (map_root ? vns_unshare_map_root(fd, 0) : vns_unshare(fd, CLONE_NEWUSER, NULL))
			_exit(11);
		if (vns_get_info(fd, &info) || write_full(p[1], &info, sizeof(info)))
			_exit(12);
		if (dup2(p[1], 1) != 1)
			_exit(13);
		snprintf(env, sizeof(env), HELPER_ENV "=%s", mode);
		execve("/proc/self/exe", argv, envp);
		_exit(14);
	}
	close(p[1]);
	ok = !read_full(p[0], pre, sizeof(*pre)) && !read_full(p[0], post, sizeof(*post));
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return ok ? 0 : -1;
}

/* ======================================================================================================
 * Membership (spec §1)
 */

struct expect_info {
	int fd;
	struct vns_info want;
};

static int child_same_membership(void *arg)
{
	struct expect_info *e = arg;
	struct vns_info info;

	C_EQ(0, vns_get_info(e->fd, &info));
	for (int k = 0; k < VNS_NR_KINDS; k++)
		C_EQ(e->want.ns_id[k], info.ns_id[k]);
	C_EQ(e->want.pid_for_children_id, info.pid_for_children_id);
	C_EQ(e->want.user_level, info.user_level);
	C_EQ(e->want.flags, info.flags);
	return 0;
}

/* spec §1: membership is inherited on fork: a child forked after UNSHARE is in the new namespaces. */
TEST(member_child_forked_after_unshare_is_inside)
{
	struct expect_info e;
	struct vns_info before;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &before));
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS));
	ASSERT_EQ(0, vns_get_info(fd, &e.want));
	/* The unshared kinds changed, the others did not. */
	EXPECT_NE(before.ns_id[VNS_KIND_USER], e.want.ns_id[VNS_KIND_USER]);
	EXPECT_NE(before.ns_id[VNS_KIND_UTS], e.want.ns_id[VNS_KIND_UTS]);
	EXPECT_NE(before.ns_id[VNS_KIND_IPC], e.want.ns_id[VNS_KIND_IPC]);
	EXPECT_NE(before.ns_id[VNS_KIND_MNT], e.want.ns_id[VNS_KIND_MNT]);
	EXPECT_EQ(before.ns_id[VNS_KIND_PID], e.want.ns_id[VNS_KIND_PID]);
	EXPECT_EQ(before.ns_id[VNS_KIND_NET], e.want.ns_id[VNS_KIND_NET]);
	EXPECT_EQ(before.ns_id[VNS_KIND_CGROUP], e.want.ns_id[VNS_KIND_CGROUP]);
	EXPECT_EQ(before.ns_id[VNS_KIND_TIME], e.want.ns_id[VNS_KIND_TIME]);
	EXPECT_EQ(before.user_level + 1, e.want.user_level);
	e.fd = fd;
	EXPECT_EQ(0, vns_in_child(child_same_membership, &e));
	close(fd);
}

static int peer_report_info_after_go(void *arg, int out, int in)
{
	int fd = *(int *)arg;
	struct vns_info info;

	peer_wait(in);
	if (vns_get_info(fd, &info))
		return 2;
	return write_full(out, &info, sizeof(info)) ? 3 : 0;
}

/* spec §1: a task forked BEFORE its parent unshared keeps the old namespaces. */
TEST(member_child_forked_before_unshare_stays_outside)
{
	struct vns_info before, after, child;
	struct peer p;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &before));
	ASSERT_EQ(0, peer_start(&p, peer_report_info_after_go, &fd));
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS | CLONE_NEWNS));
	ASSERT_EQ(0, vns_get_info(fd, &after));
	peer_go(p.wr);
	ASSERT_EQ(0, read_full(p.rd, &child, sizeof(child)));
	for (int k = 0; k < VNS_NR_KINDS; k++) {
		EXPECT_EQ(before.ns_id[k], child.ns_id[k]) TH_LOG("kind %s", vns_kind_name[k]);
	}
	EXPECT_NE(after.ns_id[VNS_KIND_USER], child.ns_id[VNS_KIND_USER]);
	EXPECT_NE(after.ns_id[VNS_KIND_UTS], child.ns_id[VNS_KIND_UTS]);
	EXPECT_EQ(before.user_level, child.user_level);
	EXPECT_EQ(0, peer_finish(&p));
	close(fd);
}

struct thread_arg {
	int fd;
	int ret;
	struct vns_info info;
};

static void *thread_get_info(void *p)
{
	struct thread_arg *t = p;

	t->ret = vns_get_info(t->fd, &t->info);
	if (!t->ret)
		t->ret = vns_set_uts(t->fd, VNS_UTS_NODENAME, "from-thread");
	return NULL;
}

/* spec §1: threads are members too: a thread of a vns member sees the same namespaces and shares them. */
TEST(member_thread_shares_membership)
{
	struct thread_arg t = { 0 };
	struct vns_info main_info;
	struct vns_uts uts;
	pthread_t th;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS | CLONE_NEWIPC));
	ASSERT_EQ(0, vns_get_info(fd, &main_info));
	t.fd = fd;
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_get_info, &t));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(0, t.ret);
	for (int k = 0; k < VNS_NR_KINDS; k++) {
		EXPECT_EQ(main_info.ns_id[k], t.info.ns_id[k]) TH_LOG("kind %s", vns_kind_name[k]);
	}
	EXPECT_EQ(main_info.pid_for_children_id, t.info.pid_for_children_id);
	EXPECT_EQ(main_info.pid, t.info.pid);
	/* Full caps inherited by the thread: it could set the name, and the group sees it. */
	EXPECT_EQ(VNS_INFO_FULL_CAPS, t.info.flags & VNS_INFO_FULL_CAPS);
	ASSERT_EQ(0, vns_get_uts(fd, &uts));
	EXPECT_STREQ("from-thread", uts.nodename);
	close(fd);
}

static uint32_t nr_tasks_of(int fd, uint64_t id)
{
	struct vns_ns_entry *e = NULL, *x;
	uint32_t nr = 0, ret = UINT32_MAX;

	if (vns_list_ns(fd, &e, &nr) < 0)
		return UINT32_MAX;
	x = vns_find_entry(e, nr, id);
	if (x)
		ret = x->nr_tasks;
	free(e);
	return ret;
}

static bool listed(int fd, uint64_t id)
{
	struct vns_ns_entry *e = NULL;
	uint32_t nr = 0;
	bool found;

	if (vns_list_ns(fd, &e, &nr) < 0)
		return true;
	found = vns_find_entry(e, nr, id) != NULL;
	free(e);
	return found;
}

struct exit_ids {
	uint64_t user, uts;
	int result;
};

/*
 * Makes a user vns + uts vns; checks nr_tasks 1 -> 2 (fork) -> 1 (the child reaped) from inside; then forks
 * a last member (which waits on `in` of the test) and exits, leaving that grandchild as the only member.
 */
static int peer_exit_counts(void *arg, int out, int in)
{
	struct exit_ids ids = { 0 };
	int fd = *(int *)arg, gate[2], status;
	pid_t g;

	C_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS));
	ids.user = ns_id_of(fd, VNS_KIND_USER);
	ids.uts = ns_id_of(fd, VNS_KIND_UTS);
	C_EQ(1, nr_tasks_of(fd, ids.uts));
	C_TRUE(pipe(gate) == 0);
	g = fork();
	C_TRUE(g >= 0);
	if (g == 0) {
		close(gate[1]);
		peer_wait(gate[0]);
		_exit(0);
	}
	close(gate[0]);
	C_EQ(2, nr_tasks_of(fd, ids.uts));
	close(gate[1]);
	C_EQ(g, waitpid(g, &status, 0));
	C_EQ(1, nr_tasks_of(fd, ids.uts));

	/* The last member: lives until the test says go, reparented to the test (a subreaper). */
	g = fork();
	C_TRUE(g >= 0);
	if (g == 0) {
		peer_wait(in);
		_exit(0);
	}
	return write_full(out, &ids, sizeof(ids)) ? 3 : 0;
}

/* spec §1: membership is dropped at exit; a namespace goes away with its last member. */
TEST(member_exit_drops_membership)
{
	struct exit_ids ids;
	struct peer p;
	int fd = vns_open(), status;
	pid_t g;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	ASSERT_EQ(0, peer_start(&p, peer_exit_counts, &fd));
	ASSERT_EQ(0, read_full(p.rd, &ids, sizeof(ids)));
	/* The peer exits at once; its grandchild stays, as the only member. */
	ASSERT_EQ(p.pid, waitpid(p.pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(1, nr_tasks_of(fd, ids.uts));
	EXPECT_EQ(1, nr_tasks_of(fd, ids.user));
	/* Let the last member go and reap it. */
	peer_go(p.wr);
	close(p.wr);
	close(p.rd);
	g = wait(&status);
	ASSERT_LT(0, g);
	EXPECT_FALSE(listed(fd, ids.uts));
	EXPECT_FALSE(listed(fd, ids.user));
	EXPECT_EQ(-ENOENT, vns_setns(fd, ids.uts, VNS_KIND_UTS));
	EXPECT_EQ(-ENOENT, vns_setns(fd, ids.user, VNS_KIND_USER));
	close(fd);
}

/*
 * spec §2: the creator of a user vns has the full set (GET_INFO flags bit 0); at execve the set is
 * recomputed: empty when the euid does not map to 0 there (no map written).
 */
TEST(exec_drops_caps_when_euid_unmapped)
{
	struct helper_report post;
	struct vns_info pre;

	ASSERT_EQ(0, run_exec_helper("info", false, &pre, &post));
	EXPECT_EQ(VNS_INFO_FULL_CAPS, pre.flags & VNS_INFO_FULL_CAPS);
	ASSERT_EQ(0, post.info_ret);
	EXPECT_EQ(0, post.info.flags & VNS_INFO_FULL_CAPS);
	/* exec keeps the membership: same user vns, the euid still unmapped there. */
	EXPECT_EQ(pre.ns_id[VNS_KIND_USER], post.info.ns_id[VNS_KIND_USER]);
	EXPECT_EQ(1, post.info.user_level);
	EXPECT_EQ(65534, post.info.uid);
}

/* spec §2: ...and full when the euid maps to 0 (unshare -r). */
TEST(exec_keeps_caps_when_euid_maps_to_root)
{
	struct helper_report post;
	struct vns_info pre;

	ASSERT_EQ(0, run_exec_helper("info", true, &pre, &post));
	EXPECT_EQ(VNS_INFO_FULL_CAPS, pre.flags & VNS_INFO_FULL_CAPS);
	ASSERT_EQ(0, post.info_ret);
	EXPECT_EQ(VNS_INFO_FULL_CAPS, post.info.flags & VNS_INFO_FULL_CAPS);
	EXPECT_EQ(pre.ns_id[VNS_KIND_USER], post.info.ns_id[VNS_KIND_USER]);
	EXPECT_EQ(0, post.info.uid);
	EXPECT_EQ(0, post.info.gid);
}

/* ======================================================================================================
 * SETNS (spec §8)
 */

/* spec §8: SETNS to an id that names no namespace: ENOENT. */
TEST(setns_unknown_id_enoent)
{
	int fd = vns_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOENT, vns_setns(fd, NO_SUCH_ID, VNS_KIND_UTS));
	EXPECT_EQ(-ENOENT, vns_setns(fd, NO_SUCH_ID, VNS_KIND_USER));
	EXPECT_EQ(-ENOENT, vns_setns(fd, 0, VNS_KIND_PID));
	close(fd);
}

/* spec §8: SETNS with a kind that is not the namespace's: EINVAL. */
TEST(setns_kind_mismatch_einval)
{
	struct vns_info info;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS | CLONE_NEWIPC));
	ASSERT_EQ(0, vns_get_info(fd, &info));
	EXPECT_EQ(-EINVAL, vns_setns(fd, info.ns_id[VNS_KIND_UTS], VNS_KIND_IPC));
	EXPECT_EQ(-EINVAL, vns_setns(fd, info.ns_id[VNS_KIND_IPC], VNS_KIND_UTS));
	EXPECT_EQ(-EINVAL, vns_setns(fd, info.ns_id[VNS_KIND_USER], VNS_KIND_UTS));
	EXPECT_EQ(-EINVAL, vns_setns(fd, info.ns_id[VNS_KIND_UTS], VNS_KIND_USER));
	close(fd);
}

/* spec §8: kinds are 0..7 (VNS_NR_KINDS = 8); reserved must be zero. Both EINVAL. */
TEST(setns_bad_kind_or_reserved_einval)
{
	struct vns_info info;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS));
	ASSERT_EQ(0, vns_get_info(fd, &info));
	/* The well-formed call is allowed (full caps over our own uts vns)... */
	EXPECT_EQ(0, setns_raw(fd, info.ns_id[VNS_KIND_UTS], VNS_KIND_UTS, 0));
	/* ...so these fail for their field alone. */
	EXPECT_EQ(-EINVAL, setns_raw(fd, info.ns_id[VNS_KIND_UTS], VNS_KIND_UTS, 1));
	EXPECT_EQ(-EINVAL, setns_raw(fd, info.ns_id[VNS_KIND_UTS], VNS_KIND_UTS, 0x80000000u));
	EXPECT_EQ(-EINVAL, setns_raw(fd, info.ns_id[VNS_KIND_UTS], VNS_NR_KINDS, 0));
	EXPECT_EQ(-EINVAL, setns_raw(fd, info.ns_id[VNS_KIND_UTS], 0xffffffffu, 0));
	EXPECT_EQ(info.ns_id[VNS_KIND_UTS], ns_id_of(fd, VNS_KIND_UTS));
	close(fd);
}

struct named_uts {
	int fd;
	const char *name;
};

/* Makes a uts vns (in the current user vns) named arg->name, reports its id, then the domainname it sees. */
static int peer_make_uts(void *arg, int out, int in)
{
	struct named_uts *n = arg;
	struct vns_uts uts;
	uint64_t id;

	if (vns_unshare(n->fd, CLONE_NEWUTS, NULL) || vns_set_uts(n->fd, VNS_UTS_NODENAME, n->name))
		return 2;
	id = ns_id_of(n->fd, VNS_KIND_UTS);
	if (write_full(out, &id, sizeof(id)))
		return 3;
	peer_wait(in);
	if (vns_get_uts(n->fd, &uts))
		return 4;
	return write_full(out, &uts, sizeof(uts)) ? 5 : 0;
}

/*
 * spec §8: joining a sibling's uts vns (owned by a user vns where the caller has CAP_SYS_ADMIN) makes the
 * caller a member: it sees the sibling's names, and a name it sets is seen by the sibling.
 */
TEST(setns_join_sibling_uts)
{
	struct named_uts n;
	struct vns_uts uts, seen;
	struct peer p;
	uint64_t sib, mine;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, 0));
	n.fd = fd;
	n.name = "sibling-a";
	ASSERT_EQ(0, peer_start(&p, peer_make_uts, &n));
	ASSERT_EQ(0, read_full(p.rd, &sib, sizeof(sib)));

	ASSERT_EQ(0, vns_unshare(fd, CLONE_NEWUTS, NULL));
	ASSERT_EQ(0, vns_set_uts(fd, VNS_UTS_NODENAME, "self-b"));
	mine = ns_id_of(fd, VNS_KIND_UTS);
	ASSERT_NE(sib, mine);

	ASSERT_EQ(0, vns_setns(fd, sib, VNS_KIND_UTS));
	EXPECT_EQ(sib, ns_id_of(fd, VNS_KIND_UTS));
	ASSERT_EQ(0, vns_get_uts(fd, &uts));
	EXPECT_STREQ("sibling-a", uts.nodename);
	ASSERT_EQ(0, vns_set_uts(fd, VNS_UTS_DOMAINNAME, "shared.dom"));
	peer_go(p.wr);
	ASSERT_EQ(0, read_full(p.rd, &seen, sizeof(seen)));
	EXPECT_STREQ("sibling-a", seen.nodename);
	EXPECT_STREQ("shared.dom", seen.domainname);
	EXPECT_EQ(0, peer_finish(&p));
	/* The uts vns we left had no other member: it is gone. */
	EXPECT_EQ(-ENOENT, vns_setns(fd, mine, VNS_KIND_UTS));
	close(fd);
}

static int peer_newpid(void *arg, int out, int in)
{
	int fd = *(int *)arg;
	struct vns_info info;

	if (vns_unshare(fd, CLONE_NEWPID, NULL) || vns_get_info(fd, &info))
		return 2;
	if (write_full(out, &info.pid_for_children_id, sizeof(info.pid_for_children_id)))
		return 3;
	peer_wait(in);
	return 0;
}

static int child_in_pid_ns(void *arg)
{
	struct expect_info *e = arg;
	struct vns_info info;

	C_EQ(0, vns_get_info(e->fd, &info));
	C_EQ(e->want.pid_for_children_id, info.ns_id[VNS_KIND_PID]);
	C_EQ(e->want.pid_for_children_id, info.pid_for_children_id);
	C_EQ(e->want.pid_level + 1, info.pid_level);
	C_EQ(1, info.pid);
	return 0;
}

/* spec §8: joining a pid vns sets pid_for_children only; the caller's own pid vns and number stay. */
TEST(setns_pid_sets_pid_for_children_only)
{
	struct vns_info before, after;
	struct expect_info e;
	struct peer p;
	uint64_t pidns;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, 0));
	ASSERT_EQ(0, peer_start(&p, peer_newpid, &fd));
	ASSERT_EQ(0, read_full(p.rd, &pidns, sizeof(pidns)));
	ASSERT_EQ(0, vns_get_info(fd, &before));
	ASSERT_NE(pidns, before.ns_id[VNS_KIND_PID]);

	ASSERT_EQ(0, vns_setns(fd, pidns, VNS_KIND_PID));
	ASSERT_EQ(0, vns_get_info(fd, &after));
	EXPECT_EQ(pidns, after.pid_for_children_id);
	EXPECT_EQ(before.ns_id[VNS_KIND_PID], after.ns_id[VNS_KIND_PID]);
	EXPECT_EQ(before.pid_level, after.pid_level);
	EXPECT_EQ(getpid(), after.pid);
	/* Our next child is the first task in it. */
	e.fd = fd;
	e.want = after;
	EXPECT_EQ(0, vns_in_child(child_in_pid_ns, &e));
	EXPECT_EQ(0, peer_finish(&p));
	close(fd);
}

/* spec §8: joining the user vns the caller is already in: EINVAL (as userns_install). */
TEST(setns_own_user_vns_einval)
{
	int fd = vns_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, vns_setns(fd, ns_id_of(fd, VNS_KIND_USER), VNS_KIND_USER));
	ASSERT_EQ(0, vns_unshare_map_root(fd, 0));
	EXPECT_EQ(-EINVAL, vns_setns(fd, ns_id_of(fd, VNS_KIND_USER), VNS_KIND_USER));
	close(fd);
}

struct owned_ids {
	uint64_t user, uts;
};

/* A user vns of another user (uid 1000 when the test runs as root) with a uts vns in it. */
static int peer_foreign_uts(void *arg, int out, int in)
{
	int fd = *(int *)arg;
	struct owned_ids ids;

	if (vns_drop_privileges())
		return 2;
	if (vns_unshare_map_root(fd, CLONE_NEWUTS) || vns_set_uts(fd, VNS_UTS_NODENAME, "foreign"))
		return 3;
	ids.user = ns_id_of(fd, VNS_KIND_USER);
	ids.uts = ns_id_of(fd, VNS_KIND_UTS);
	if (write_full(out, &ids, sizeof(ids)))
		return 4;
	peer_wait(in);
	return 0;
}

struct join_try {
	int fd;
	uid_t owner_uid; /* of the target user vns */
	struct owned_ids ids;
};

/* Unprivileged in init (uid 1001 when the test runs as root): no CAP_SYS_ADMIN in its own user vns. */
static int child_join_from_init(void *arg)
{
	struct join_try *j = arg;
	struct vns_uts uts;

	if (getuid() == 0 &&
	    (setgroups(0, NULL) || setresgid(1001, 1001, 1001) || setresuid(1001, 1001, 1001)))
		return 2;
	/* Owner rule or not, no CAP_SYS_ADMIN in its own (init) user vns: EPERM. */
	C_EQ(-EPERM, vns_setns(j->fd, j->ids.uts, VNS_KIND_UTS));
	C_EQ(0, vns_get_uts(j->fd, &uts));
	C_TRUE(strcmp(uts.nodename, "foreign") != 0);
	if (geteuid() != j->owner_uid) {
		/* Not the owner of the target user vns, no caps in init: EPERM. */
		C_EQ(-EPERM, vns_setns(j->fd, j->ids.user, VNS_KIND_USER));
	} else {
		/* cap_capable: the owner, in the parent, has every capability in it: it may join. */
		C_EQ(0, vns_setns(j->fd, j->ids.user, VNS_KIND_USER));
		C_EQ(j->ids.user, ns_id_of(j->fd, VNS_KIND_USER));
	}
	return 0;
}

/* Inside a user vns of its own (full caps there), but none in the sibling user vns owning the target. */
static int child_join_from_own_userns(void *arg)
{
	struct join_try *j = arg;
	struct vns_info info;

	C_EQ(0, vns_unshare_map_root(j->fd, 0));
	C_EQ(0, vns_get_info(j->fd, &info));
	C_EQ(VNS_INFO_FULL_CAPS, info.flags & VNS_INFO_FULL_CAPS);
	C_EQ(-EPERM, vns_setns(j->fd, j->ids.uts, VNS_KIND_UTS));
	C_EQ(-EPERM, vns_setns(j->fd, j->ids.user, VNS_KIND_USER));
	return 0;
}

/* Root in init: CAP_SYS_ADMIN in init covers every descendant user vns. */
static int child_join_as_root(void *arg)
{
	struct join_try *j = arg;
	struct vns_uts uts;

	C_EQ(0, vns_setns(j->fd, j->ids.uts, VNS_KIND_UTS));
	C_EQ(0, vns_get_uts(j->fd, &uts));
	C_STREQ("foreign", uts.nodename);
	return 0;
}

/*
 * spec §8: a non-user kind needs CAP_SYS_ADMIN in the target's owning user vns AND in the caller's own;
 * a user vns needs CAP_SYS_ADMIN in it (spec §2: its owner, from the parent, has it). Without: EPERM.
 */
TEST(setns_without_caps_eperm)
{
	struct join_try j;
	struct peer p;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, peer_start(&p, peer_foreign_uts, &fd));
	ASSERT_EQ(0, read_full(p.rd, &j.ids, sizeof(j.ids)));
	j.fd = fd;
	j.owner_uid = getuid() == 0 ? VNS_TEST_UID : getuid();
	EXPECT_EQ(0, vns_in_child(child_join_from_init, &j));
	EXPECT_EQ(0, vns_in_child(child_join_from_own_userns, &j));
	if (getuid() == 0)
		EXPECT_EQ(0, vns_in_child(child_join_as_root, &j));
	EXPECT_EQ(0, peer_finish(&p));
	close(fd);
}

/* ======================================================================================================
 * uts (spec §5)
 */

/* spec §5: the init uts vns starts with the kernel's names at load (the guest sets them before insmod). */
TEST(uts_init_shows_kernel_names)
{
	struct utsname u;
	struct vns_uts uts;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, uname(&u));
	ASSERT_EQ(0, vns_get_uts(fd, &uts));
	EXPECT_STREQ(u.nodename, uts.nodename);
	EXPECT_STREQ(u.domainname, uts.domainname);
	close(fd);
}

struct uts_names {
	int fd;
	const char *node, *domain;
};

/* NEWUSER|NEWUTS, check the copy of the parent's names, set both, check, then wait for the test. */
static int peer_set_names(void *arg, int out, int in)
{
	struct uts_names *n = arg;
	struct vns_uts before, uts;
	char c = 'k';

	C_EQ(0, vns_get_uts(n->fd, &before));
	C_EQ(0, vns_unshare_map_root(n->fd, CLONE_NEWUTS));
	C_EQ(0, vns_get_uts(n->fd, &uts));
	C_STREQ(before.nodename, uts.nodename);
	C_STREQ(before.domainname, uts.domainname);
	C_EQ(0, vns_set_uts(n->fd, VNS_UTS_NODENAME, n->node));
	C_EQ(0, vns_set_uts(n->fd, VNS_UTS_DOMAINNAME, n->domain));
	C_EQ(0, write_full(out, &c, 1));
	peer_wait(in);
	C_EQ(0, vns_get_uts(n->fd, &uts));
	C_STREQ(n->node, uts.nodename);
	C_STREQ(n->domain, uts.domainname);
	peer_wait(in);
	return 0;
}

/* spec §5: NEWUTS copies the names; a new uts vns's names are its own: the parent keeps the old ones. */
TEST(uts_set_inside_parent_unchanged)
{
	struct uts_names n = { .node = "inner", .domain = "inner.example" };
	struct vns_uts before, after;
	struct peer p;
	char c;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	n.fd = fd;
	ASSERT_EQ(0, vns_get_uts(fd, &before));
	ASSERT_EQ(0, peer_start(&p, peer_set_names, &n));
	ASSERT_EQ(0, read_full(p.rd, &c, 1));
	peer_go(p.wr); /* the peer checks its names */
	ASSERT_EQ(0, vns_get_uts(fd, &after));
	EXPECT_STREQ(before.nodename, after.nodename);
	EXPECT_STREQ(before.domainname, after.domainname);
	EXPECT_EQ(0, peer_finish(&p));
	close(fd);
}

/* spec §5: two sibling uts vns are isolated from each other. */
TEST(uts_siblings_isolated)
{
	struct uts_names a = { .node = "sib-a", .domain = "a.dom" }, b = { .node = "sib-b", .domain = "b.dom" };
	struct peer pa, pb;
	char c;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	a.fd = b.fd = fd;
	ASSERT_EQ(0, peer_start(&pa, peer_set_names, &a));
	ASSERT_EQ(0, peer_start(&pb, peer_set_names, &b));
	/* Both have set their names before either checks. */
	ASSERT_EQ(0, read_full(pa.rd, &c, 1));
	ASSERT_EQ(0, read_full(pb.rd, &c, 1));
	peer_go(pa.wr);
	peer_go(pb.wr);
	EXPECT_EQ(0, peer_finish(&pa));
	EXPECT_EQ(0, peer_finish(&pb));
	close(fd);
}

static int child_set_uts_init(void *arg)
{
	int fd = *(int *)arg;
	struct vns_uts before, after;

	C_EQ(0, vns_get_uts(fd, &before));
	C_EQ(-EPERM, vns_set_uts(fd, VNS_UTS_NODENAME, "nope"));
	C_EQ(-EPERM, vns_set_uts(fd, VNS_UTS_DOMAINNAME, "nope"));
	C_EQ(0, vns_get_uts(fd, &after));
	C_STREQ(before.nodename, after.nodename);
	C_STREQ(before.domainname, after.domainname);
	return 0;
}

static int child_set_uts_parent_from_userns(void *arg)
{
	int fd = *(int *)arg;

	/* Full caps in a new user vns, but the uts vns is still init's, owned by init: no. */
	C_EQ(0, vns_unshare_map_root(fd, 0));
	return child_set_uts_init(arg);
}

/* spec §5: setting a name needs vns CAP_SYS_ADMIN in the uts vns's owning user vns: EPERM otherwise. */
TEST(uts_set_without_cap_eperm)
{
	int fd = vns_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, vns_run_unprivileged(child_set_uts_init, &fd));
	EXPECT_EQ(0, vns_in_child(child_set_uts_parent_from_userns, &fd));
	close(fd);
}

/* spec §8 (vns_uts_name): len <= 64 and which 0 or 1, else EINVAL; 64 bytes is the longest name. */
TEST(uts_set_bad_len_or_which_einval)
{
	struct vns_uts_name n = { .which = VNS_UTS_NODENAME };
	struct vns_uts uts;
	char longest[VNS_NAME_MAX + 1];
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS));
	ASSERT_EQ(0, vns_set_uts(fd, VNS_UTS_NODENAME, "kept"));

	memset(n.name, 'x', sizeof(n.name));
	n.len = VNS_NAME_MAX + 1;
	EXPECT_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_SET_UTS, &n));
	n.len = UINT32_MAX;
	EXPECT_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_SET_UTS, &n));
	n.len = 3;
	n.which = 2;
	EXPECT_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_SET_UTS, &n));
	n.which = UINT32_MAX;
	EXPECT_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_SET_UTS, &n));
	ASSERT_EQ(0, vns_get_uts(fd, &uts));
	EXPECT_STREQ("kept", uts.nodename);

	/* The longest name fits, NUL-terminated in the 65-byte field. */
	memset(longest, 'y', VNS_NAME_MAX);
	longest[VNS_NAME_MAX] = '\0';
	n.which = VNS_UTS_DOMAINNAME;
	n.len = VNS_NAME_MAX;
	memcpy(n.name, longest, VNS_NAME_MAX);
	EXPECT_EQ(0, vns_ioctl(fd, VNS_IOC_SET_UTS, &n));
	ASSERT_EQ(0, vns_get_uts(fd, &uts));
	EXPECT_STREQ(longest, uts.domainname);
	EXPECT_STREQ("kept", uts.nodename);
	close(fd);
}

/* ======================================================================================================
 * Mount tables (spec §5 mnt)
 */

/* spec §5: a fresh NEWNS copies the init table, which holds one root entry whose parent is itself. */
TEST(mnt_fresh_newns_lists_root_only)
{
	struct vns_mount m[4];
	uint32_t nr = 99;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWNS));
	ASSERT_EQ(0, list_mounts(fd, NULL, 0, &nr));
	ASSERT_EQ(1, nr);
	memset(m, 0xa5, sizeof(m));
	ASSERT_EQ(0, list_mounts(fd, m, 4, &nr));
	ASSERT_EQ(1, nr);
	EXPECT_NE(0, m[0].id);
	EXPECT_EQ(m[0].id, m[0].parent_id);
	EXPECT_STREQ("/", m[0].target);
	/* Only nr entries are written. */
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ull, m[1].id);
	close(fd);
}

/* spec §5: NEWNS copies the whole table with new ids and remapped parents, in id order. */
TEST(mnt_newns_copies_with_new_ids)
{
	struct vns_mount old[8], cur[8];
	const struct vns_mount *root, *a, *b, *oa;
	uint64_t root_id, a_id, b_id;
	uint32_t nr_old = 0, nr = 0;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWNS));
	root_id = mount_root(fd);
	ASSERT_NE(0, root_id);
	ASSERT_EQ(0, add_mount(fd, root_id, 0, "/a", &a_id));
	ASSERT_EQ(0, add_mount(fd, a_id, VNS_MNT_RDONLY, "/a/b", &b_id));
	ASSERT_EQ(0, list_mounts(fd, old, 8, &nr_old));
	ASSERT_EQ(3, nr_old);

	ASSERT_EQ(0, vns_unshare(fd, CLONE_NEWNS, NULL));
	ASSERT_EQ(0, list_mounts(fd, cur, 8, &nr));
	ASSERT_EQ(3, nr);
	for (uint32_t i = 0; i < nr; i++) {
		for (uint32_t j = 0; j < nr_old; j++) {
			EXPECT_NE(old[j].id, cur[i].id) TH_LOG("new entry %u reuses id %llu", i,
							     (unsigned long long)cur[i].id);
		}
		if (i) {
			EXPECT_LT(cur[i - 1].id, cur[i].id);
		}
	}
	root = mount_by_target(cur, nr, "/");
	a = mount_by_target(cur, nr, "/a");
	b = mount_by_target(cur, nr, "/a/b");
	oa = mount_by_target(old, nr_old, "/a");
	ASSERT_TRUE(root && a && b && oa);
	EXPECT_EQ(root->id, root->parent_id);
	EXPECT_EQ(root->id, a->parent_id);
	EXPECT_EQ(a->id, b->parent_id);
	EXPECT_EQ(VNS_MNT_RDONLY, b->flags);
	EXPECT_EQ(0, a->flags);
	EXPECT_STREQ("src/a/b", b->source);
	EXPECT_STREQ("tmpfs", b->fstype);
	EXPECT_STREQ(oa->source, a->source);
	/* The old ids mean nothing here. */
	EXPECT_EQ(-ENOENT, del_mount(fd, b_id, 0));
	close(fd);
}

/* spec §5/§8: MOUNT under the root adds an entry and returns its new id. */
TEST(mnt_mount_under_root)
{
	struct vns_mount m[4];
	const struct vns_mount *e;
	uint64_t root_id, id = 0, id2 = 0;
	uint32_t nr = 0;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWNS));
	root_id = mount_root(fd);
	ASSERT_NE(0, root_id);
	ASSERT_EQ(0, add_mount(fd, root_id, VNS_MNT_RDONLY, "/mnt", &id));
	EXPECT_NE(0, id);
	EXPECT_NE(root_id, id);
	ASSERT_EQ(0, add_mount(fd, root_id, 0, "/srv", &id2));
	EXPECT_LT(id, id2);
	ASSERT_EQ(0, list_mounts(fd, m, 4, &nr));
	ASSERT_EQ(3, nr);
	e = mount_by_target(m, nr, "/mnt");
	ASSERT_NE(NULL, e);
	EXPECT_EQ(id, e->id);
	EXPECT_EQ(root_id, e->parent_id);
	EXPECT_EQ(VNS_MNT_RDONLY, e->flags);
	EXPECT_STREQ("src/mnt", e->source);
	EXPECT_STREQ("tmpfs", e->fstype);
	close(fd);
}

/* spec §5/§8: unknown parent: ENOENT; flags beyond RDONLY: EINVAL; a string field without NUL: EINVAL. */
TEST(mnt_mount_bad_arguments)
{
	struct vns_mount m;
	uint64_t root_id;
	uint32_t nr = 0;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWNS));
	root_id = mount_root(fd);
	ASSERT_NE(0, root_id);
	EXPECT_EQ(-ENOENT, add_mount(fd, NO_SUCH_ID, 0, "/x", NULL));
	EXPECT_EQ(-ENOENT, add_mount(fd, root_id + 1000000, 0, "/x", NULL));
	EXPECT_EQ(-EINVAL, add_mount(fd, root_id, 2, "/x", NULL));
	EXPECT_EQ(-EINVAL, add_mount(fd, root_id, VNS_MNT_RDONLY | (1ull << 40), "/x", NULL));

	memset(&m, 0, sizeof(m));
	m.parent_id = root_id;
	strcpy(m.target, "/x");
	strcpy(m.fstype, "tmpfs");
	memset(m.source, 's', sizeof(m.source));
	EXPECT_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_MOUNT, &m));
	strcpy(m.source, "src");
	memset(m.target, 't', sizeof(m.target));
	EXPECT_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_MOUNT, &m));
	strcpy(m.target, "/x");
	memset(m.fstype, 'f', sizeof(m.fstype));
	EXPECT_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_MOUNT, &m));
	/* The longest strings that still have their NUL are fine. */
	memset(m.source, 's', sizeof(m.source) - 1);
	m.source[sizeof(m.source) - 1] = '\0';
	memset(m.fstype, 'f', sizeof(m.fstype) - 1);
	m.fstype[sizeof(m.fstype) - 1] = '\0';
	EXPECT_EQ(0, vns_ioctl(fd, VNS_IOC_MOUNT, &m));

	ASSERT_EQ(0, list_mounts(fd, NULL, 0, &nr));
	EXPECT_EQ(2, nr);
	close(fd);
}

/* spec §5/§8: UMOUNT with children: EBUSY; the root: EINVAL; unknown: ENOENT; flags != 0: EINVAL. */
TEST(mnt_umount_rules)
{
	uint64_t root_id, a, b;
	uint32_t nr = 0;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWNS));
	root_id = mount_root(fd);
	ASSERT_NE(0, root_id);
	ASSERT_EQ(0, add_mount(fd, root_id, 0, "/a", &a));
	ASSERT_EQ(0, add_mount(fd, a, 0, "/a/b", &b));

	EXPECT_EQ(-EBUSY, del_mount(fd, a, 0));
	EXPECT_EQ(-EINVAL, del_mount(fd, root_id, 0));
	EXPECT_EQ(-ENOENT, del_mount(fd, NO_SUCH_ID, 0));
	EXPECT_EQ(-EINVAL, del_mount(fd, b, 1));
	EXPECT_EQ(-EINVAL, del_mount(fd, b, 1ull << 63));
	ASSERT_EQ(0, list_mounts(fd, NULL, 0, &nr));
	EXPECT_EQ(3, nr);

	EXPECT_EQ(0, del_mount(fd, b, 0));
	EXPECT_EQ(-ENOENT, del_mount(fd, b, 0));
	EXPECT_EQ(0, del_mount(fd, a, 0));
	ASSERT_EQ(0, list_mounts(fd, NULL, 0, &nr));
	EXPECT_EQ(1, nr);
	EXPECT_EQ(root_id, mount_root(fd));
	close(fd);
}

static int child_mount_init_eperm(void *arg)
{
	int fd = *(int *)arg;
	uint64_t root_id = mount_root(fd);
	uint32_t before = 0, after = 0;

	C_NE(0, root_id);
	C_EQ(0, list_mounts(fd, NULL, 0, &before));
	C_EQ(-EPERM, add_mount(fd, root_id, 0, "/nope", NULL));
	C_EQ(-EPERM, del_mount(fd, root_id, 0));
	C_EQ(0, list_mounts(fd, NULL, 0, &after));
	C_EQ(before, after);
	return 0;
}

static int child_mount_init_from_userns(void *arg)
{
	int fd = *(int *)arg;

	/* Full caps in a new user vns do not reach the init mount vns, owned by init. */
	C_EQ(0, vns_unshare_map_root(fd, 0));
	return child_mount_init_eperm(arg);
}

/* spec §5: mount/umount need vns CAP_SYS_ADMIN in the mount vns's owner: EPERM otherwise. */
TEST(mnt_mount_without_cap_eperm)
{
	int fd = vns_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, vns_run_unprivileged(child_mount_init_eperm, &fd));
	EXPECT_EQ(0, vns_in_child(child_mount_init_from_userns, &fd));
	close(fd);
}

FIXTURE(mount_max)
{
	long saved;
	int fd;
};

FIXTURE_SETUP(mount_max)
{
	self->fd = -1;
	if (getuid() != 0)
		SKIP(return, "needs root (mount-max is written with real CAP_SYS_RESOURCE)");
	ASSERT_EQ(0, vns_read_int(VNS_SYSCTL_DIR "mount-max", &self->saved));
	self->fd = vns_open();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(mount_max)
{
	char buf[32];

	if (self->fd >= 0)
		close(self->fd);
	snprintf(buf, sizeof(buf), "%ld", self->saved);
	EXPECT_EQ(0, vns_write_str(VNS_SYSCTL_DIR "mount-max", buf));
}

/* spec §5: adding beyond mount-max entries: ENOSPC. */
TEST_F(mount_max, add_beyond_limit_enospc)
{
	uint64_t root_id, a;
	uint32_t nr = 0;

	ASSERT_EQ(0, vns_unshare_map_root(self->fd, CLONE_NEWNS));
	ASSERT_EQ(0, list_mounts(self->fd, NULL, 0, &nr));
	ASSERT_EQ(1, nr);
	root_id = mount_root(self->fd);
	ASSERT_EQ(0, vns_write_str(VNS_SYSCTL_DIR "mount-max", "3"));
	EXPECT_EQ(0, add_mount(self->fd, root_id, 0, "/one", &a));
	EXPECT_EQ(0, add_mount(self->fd, root_id, 0, "/two", NULL));
	EXPECT_EQ(-ENOSPC, add_mount(self->fd, root_id, 0, "/three", NULL));
	ASSERT_EQ(0, list_mounts(self->fd, NULL, 0, &nr));
	EXPECT_EQ(3, nr);
	/* A umount makes room again. */
	EXPECT_EQ(0, del_mount(self->fd, a, 0));
	EXPECT_EQ(0, add_mount(self->fd, root_id, 0, "/three", NULL));
}

/* spec §5: unshare itself never checks mount-max (as fs/namespace.c copy_mnt_ns). */
TEST_F(mount_max, newns_ignores_limit)
{
	uint64_t root_id;
	uint32_t nr = 0;

	ASSERT_EQ(0, vns_unshare_map_root(self->fd, CLONE_NEWNS));
	root_id = mount_root(self->fd);
	ASSERT_EQ(0, add_mount(self->fd, root_id, 0, "/one", NULL));
	ASSERT_EQ(0, add_mount(self->fd, root_id, 0, "/two", NULL));
	ASSERT_EQ(0, vns_write_str(VNS_SYSCTL_DIR "mount-max", "1"));
	ASSERT_EQ(0, vns_unshare(self->fd, CLONE_NEWNS, NULL));
	ASSERT_EQ(0, list_mounts(self->fd, NULL, 0, &nr));
	EXPECT_EQ(3, nr);
	EXPECT_EQ(-ENOSPC, add_mount(self->fd, mount_root(self->fd), 0, "/three", NULL));
}

/* ======================================================================================================
 * pid numbering (spec §5 pid)
 */

struct pid_peer {
	int fd;
};

static void *thread_info(void *p)
{
	struct thread_arg *t = p;

	t->ret = vns_get_info(t->fd, &t->info);
	return NULL;
}

/* Reports its GET_INFO, and checks that a thread of it shares its number. */
static int peer_pid_report(void *arg, int out, int in)
{
	struct pid_peer *pp = arg;
	struct thread_arg t = { .fd = pp->fd };
	struct vns_info info;
	pthread_t th;

	C_EQ(0, vns_get_info(pp->fd, &info));
	C_EQ(0, pthread_create(&th, NULL, thread_info, &t));
	C_EQ(0, pthread_join(th, NULL));
	C_EQ(0, t.ret);
	C_EQ(info.pid, t.info.pid);
	C_EQ(info.ns_id[VNS_KIND_PID], t.info.ns_id[VNS_KIND_PID]);
	C_EQ(0, write_full(out, &info, sizeof(info)));
	peer_wait(in);
	return 0;
}

/* spec §5 pid: GET_INFO reports the caller's number in its active pid vns: its real tgid in the init one. */
TEST(pid_init_reports_tgid)
{
	struct thread_arg t = { 0 };
	struct vns_info info;
	pthread_t th;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &info));
	EXPECT_EQ(0, info.pid_level);
	EXPECT_EQ(getpid(), info.pid);
	/* A thread reports its group's tgid, not its own tid. */
	t.fd = fd;
	ASSERT_EQ(0, pthread_create(&th, NULL, thread_info, &t));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(0, t.ret);
	EXPECT_EQ(getpid(), t.info.pid);
	/*
	 * Also once a member of vns namespaces (a user vns of its own), still in the init pid vns. The
	 * joined thread leaves the thread group a moment after pthread_join() returns, and NEWUSER needs
	 * a single-threaded caller: retry that EINVAL for up to a second.
	 */
	for (int i = 0; i < 100 && vns_unshare_map_root(fd, CLONE_NEWUTS) == -EINVAL; i++)
		usleep(10000);
	ASSERT_EQ(0, vns_get_info(fd, &info));
	ASSERT_EQ(1, info.user_level);
	ASSERT_EQ(0, vns_get_info(fd, &info));
	EXPECT_EQ(getpid(), info.pid);
	close(fd);
}

/*
 * spec §5 pid: NEWPID makes a pid vns for children (level + 1) whose tasks are numbered from 1; the
 * caller keeps its own pid vns and number (its real tgid in the init one); a second NEWPID: EINVAL (§3.5).
 */
TEST(pid_numbering_in_new_pid_vns)
{
	struct vns_info i0, i1, i2, c1, c2;
	struct pid_peer pp;
	struct peer p1, p2;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, 0));
	ASSERT_EQ(0, vns_get_info(fd, &i0));
	EXPECT_EQ(getpid(), i0.pid);
	EXPECT_EQ(i0.ns_id[VNS_KIND_PID], i0.pid_for_children_id);

	ASSERT_EQ(0, vns_unshare(fd, CLONE_NEWPID, NULL));
	ASSERT_EQ(0, vns_get_info(fd, &i1));
	EXPECT_EQ(i0.ns_id[VNS_KIND_PID], i1.ns_id[VNS_KIND_PID]);
	EXPECT_NE(i0.pid_for_children_id, i1.pid_for_children_id);
	EXPECT_EQ(getpid(), i1.pid);
	EXPECT_EQ(i0.pid_level, i1.pid_level);
	EXPECT_EQ(-EINVAL, vns_unshare(fd, CLONE_NEWPID, NULL));
	ASSERT_EQ(0, vns_get_info(fd, &i2));
	EXPECT_EQ(i1.pid_for_children_id, i2.pid_for_children_id);

	pp.fd = fd;
	ASSERT_EQ(0, peer_start(&p1, peer_pid_report, &pp));
	ASSERT_EQ(0, read_full(p1.rd, &c1, sizeof(c1)));
	ASSERT_EQ(0, peer_start(&p2, peer_pid_report, &pp));
	ASSERT_EQ(0, read_full(p2.rd, &c2, sizeof(c2)));
	EXPECT_EQ(1, c1.pid);
	EXPECT_EQ(2, c2.pid);
	EXPECT_EQ(i1.pid_for_children_id, c1.ns_id[VNS_KIND_PID]);
	EXPECT_EQ(i1.pid_for_children_id, c2.ns_id[VNS_KIND_PID]);
	EXPECT_EQ(i1.pid_for_children_id, c1.pid_for_children_id);
	EXPECT_EQ(i1.pid_level + 1, c1.pid_level);
	EXPECT_EQ(i1.pid_level + 1, c2.pid_level);
	EXPECT_EQ(0, peer_finish(&p1));
	EXPECT_EQ(0, peer_finish(&p2));
	close(fd);
}

/* ======================================================================================================
 * LIST_NS (spec §8)
 */

/*
 * spec §8: cap 0 sizes the buffer (nr = total); at most cap entries are written, in id order (the lowest
 * ids), nr is always the total. In init every init namespace is listed (kinds 1..7; the init user vns
 * has no owner, so "owned by the caller's user vns" does not cover it).
 */
TEST(list_ns_sizing_and_order)
{
	struct vns_ns_entry *e, two[3];
	struct vns_list l = { 0 };
	struct vns_info info;
	uint32_t total, n;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &info));
	ASSERT_EQ(0, info.user_level);
	ASSERT_EQ(0, vns_ioctl(fd, VNS_IOC_LIST_NS, &l));
	total = l.nr;
	EXPECT_LE(VNS_NR_KINDS - 1, total);

	e = calloc(total + 8, sizeof(*e));
	ASSERT_NE(NULL, e);
	l.buf = (uintptr_t)e;
	l.cap = total + 8;
	ASSERT_EQ(0, vns_ioctl(fd, VNS_IOC_LIST_NS, &l));
	ASSERT_EQ(total, l.nr);
	n = l.nr;
	for (uint32_t i = 1; i < n; i++) {
		EXPECT_LT(e[i - 1].id, e[i].id) TH_LOG("entries %u and %u", i - 1, i);
	}
	for (int k = 1; k < VNS_NR_KINDS; k++) {
		struct vns_ns_entry *x = vns_find_entry(e, n, info.ns_id[k]);

		ASSERT_NE(NULL, x) TH_LOG("init %s vns not listed", vns_kind_name[k]);
		EXPECT_EQ(k, x->kind);
		EXPECT_EQ(info.ns_id[VNS_KIND_USER], x->owner_id);
		EXPECT_EQ(0, x->level);
		EXPECT_EQ(0, x->owner_uid);
		EXPECT_LE(1, x->nr_tasks);
	}

	/* cap 2: two entries written (the two lowest ids), the third untouched, nr still the total. */
	memset(two, 0x5a, sizeof(two));
	l.buf = (uintptr_t)two;
	l.cap = 2;
	ASSERT_EQ(0, vns_ioctl(fd, VNS_IOC_LIST_NS, &l));
	EXPECT_EQ(total, l.nr);
	EXPECT_EQ(e[0].id, two[0].id);
	EXPECT_EQ(e[1].id, two[1].id);
	EXPECT_EQ(0x5a5a5a5a5a5a5a5aull, two[2].id);
	free(e);
	close(fd);
}

struct userns_ids {
	uint64_t u1, u2;
	int result;
};

/* Checks a second-level user vns as its creator's parent (inside U1, root mapped) sees it. */
static int check_u2_from_u1(int fd, uint64_t u1, uint64_t u2)
{
	struct vns_ns_entry *e = NULL, *x;
	uint32_t nr = 0;

	C_TRUE(vns_list_ns(fd, &e, &nr) >= 0);
	x = vns_find_entry(e, nr, u2);
	C_TRUE(x != NULL);
	C_EQ(VNS_KIND_USER, x->kind);
	C_EQ(u1, x->parent_id);
	C_EQ(u1, x->owner_id);
	C_EQ(2, x->level);
	C_EQ(0, x->owner_uid); /* U1 maps the creator's uid to 0 */
	C_EQ(1, x->nr_tasks);
	/* U1 itself is owned by init: not in U1's listing. */
	C_TRUE(vns_find_entry(e, nr, u1) == NULL);
	free(e);
	return 0;
}

static int peer_nested_userns(void *arg, int out, int in)
{
	int fd = *(int *)arg, up[2], down[2], status;
	struct userns_ids ids = { 0 };
	pid_t g;

	C_EQ(0, vns_unshare_map_root(fd, 0));
	ids.u1 = ns_id_of(fd, VNS_KIND_USER);
	C_TRUE(pipe(up) == 0 && pipe(down) == 0);
	g = fork();
	C_TRUE(g >= 0);
	if (g == 0) {
		uint64_t u2;

		if (vns_unshare_map_root(fd, 0))
			_exit(2);
		u2 = ns_id_of(fd, VNS_KIND_USER);
		if (write_full(up[1], &u2, sizeof(u2)))
			_exit(3);
		peer_wait(down[0]);
		_exit(0);
	}
	C_EQ(0, read_full(up[0], &ids.u2, sizeof(ids.u2)));
	ids.result = check_u2_from_u1(fd, ids.u1, ids.u2);
	C_EQ(0, write_full(out, &ids, sizeof(ids)));
	peer_wait(in);
	peer_go(down[1]);
	C_EQ(g, waitpid(g, &status, 0));
	C_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return 0;
}

/*
 * spec §8/§5 user: a user vns's entry has its parent as parent_id and owner_id, level parent + 1, and the
 * owner's uid as the caller sees it.
 */
TEST(list_ns_user_vns_entries)
{
	struct vns_ns_entry *e = NULL, *x;
	struct userns_ids ids;
	struct peer p;
	uint64_t init_user;
	uint32_t nr = 0;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	init_user = ns_id_of(fd, VNS_KIND_USER);
	ASSERT_EQ(0, peer_start(&p, peer_nested_userns, &fd));
	ASSERT_EQ(0, read_full(p.rd, &ids, sizeof(ids)));
	EXPECT_EQ(0, ids.result);

	ASSERT_LE(0, vns_list_ns(fd, &e, &nr));
	x = vns_find_entry(e, nr, ids.u1);
	ASSERT_NE(NULL, x);
	EXPECT_EQ(VNS_KIND_USER, x->kind);
	EXPECT_EQ(init_user, x->parent_id);
	EXPECT_EQ(init_user, x->owner_id);
	EXPECT_EQ(1, x->level);
	EXPECT_EQ(geteuid(), x->owner_uid);
	EXPECT_EQ(1, x->nr_tasks); /* the peer; its child moved on to U2 */
	x = vns_find_entry(e, nr, ids.u2);
	ASSERT_NE(NULL, x);
	EXPECT_EQ(ids.u1, x->parent_id);
	EXPECT_EQ(ids.u1, x->owner_id);
	EXPECT_EQ(2, x->level);
	EXPECT_EQ(geteuid(), x->owner_uid); /* the same kuid, seen from init */
	free(e);
	EXPECT_EQ(0, peer_finish(&p));
	close(fd);
}

/* A sibling: a user vns with a uts vns, alive until told. */
static int peer_sibling(void *arg, int out, int in)
{
	int fd = *(int *)arg;
	struct owned_ids ids;

	if (vns_unshare_map_root(fd, CLONE_NEWUTS))
		return 2;
	ids.user = ns_id_of(fd, VNS_KIND_USER);
	ids.uts = ns_id_of(fd, VNS_KIND_UTS);
	if (write_full(out, &ids, sizeof(ids)))
		return 3;
	peer_wait(in);
	return 0;
}

struct scope_arg {
	int fd;
	struct owned_ids sibling;
	struct vns_info init;
};

static int child_list_scoped(void *arg)
{
	struct scope_arg *s = arg;
	struct vns_ns_entry *e = NULL;
	struct vns_info info;
	uint32_t nr = 0;
	int total;

	C_EQ(0, vns_unshare_map_root(s->fd, CLONE_NEWUTS | CLONE_NEWIPC));
	C_EQ(0, vns_get_info(s->fd, &info));
	total = vns_list_ns(s->fd, &e, &nr);
	/* Exactly what this user vns owns: its uts and ipc vns. */
	C_EQ(2, total);
	C_TRUE(vns_find_entry(e, nr, info.ns_id[VNS_KIND_UTS]) != NULL);
	C_TRUE(vns_find_entry(e, nr, info.ns_id[VNS_KIND_IPC]) != NULL);
	for (uint32_t i = 0; i < nr; i++)
		C_EQ(info.ns_id[VNS_KIND_USER], e[i].owner_id);
	C_TRUE(vns_find_entry(e, nr, s->sibling.uts) == NULL);
	C_TRUE(vns_find_entry(e, nr, s->sibling.user) == NULL);
	for (int k = 0; k < VNS_NR_KINDS; k++)
		C_TRUE(vns_find_entry(e, nr, s->init.ns_id[k]) == NULL);
	free(e);
	return 0;
}

/* spec §8: a caller inside its own user vns sees only what that vns (or a descendant) owns. */
TEST(list_ns_scoped_to_callers_user_vns)
{
	struct scope_arg s;
	struct peer p;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &s.init));
	ASSERT_EQ(0, peer_start(&p, peer_sibling, &fd));
	ASSERT_EQ(0, read_full(p.rd, &s.sibling, sizeof(s.sibling)));
	s.fd = fd;
	EXPECT_EQ(0, vns_run_unprivileged(child_list_scoped, &s));
	EXPECT_EQ(0, peer_finish(&p));
	close(fd);
}

/* ======================================================================================================
 * GET_UCOUNTS (spec §4, §8)
 */

static int child_ucounts_own(void *arg)
{
	int fd = *(int *)arg;
	struct vns_ucounts uc;

	C_EQ(0, vns_get_ucounts(fd, 0, getuid(), &uc));
	for (int k = 0; k < VNS_NR_KINDS; k++) {
		long lim = -1;

		C_EQ(0, vns_read_limit(k, &lim));
		C_EQ(lim, uc.max[k]);
	}
	/* In a new user vns: limits at INT_MAX, nothing charged to (it, 0) yet. */
	C_EQ(0, vns_unshare_map_root(fd, 0));
	C_EQ(0, vns_get_ucounts(fd, 0, 0, &uc));
	for (int k = 0; k < VNS_NR_KINDS; k++) {
		C_EQ(INT_MAX, uc.max[k]);
		C_EQ(0, uc.count[k]);
	}
	return 0;
}

/*
 * spec §8: GET_UCOUNTS of the caller's own user vns (id 0) needs no privilege; max[] are its limits (§7,
 * §4: INT_MAX in a new user vns).
 */
TEST(ucounts_own_user_vns_unprivileged)
{
	int fd = vns_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, vns_run_unprivileged(child_ucounts_own, &fd));
	EXPECT_EQ(0, vns_in_child(child_ucounts_own, &fd));
	close(fd);
}

/* Creates U (root mapped) + a uts vns in it, checks (U, 0) from inside, reports U. */
static int peer_charge(void *arg, int out, int in)
{
	int fd = *(int *)arg;
	struct vns_ucounts uc;
	uint64_t u;

	C_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS));
	C_EQ(0, vns_get_ucounts(fd, 0, 0, &uc));
	C_EQ(1, uc.count[VNS_KIND_UTS]);
	C_EQ(0, uc.count[VNS_KIND_USER]);
	u = ns_id_of(fd, VNS_KIND_USER);
	C_EQ(0, write_full(out, &u, sizeof(u)));
	peer_wait(in);
	return 0;
}

/*
 * spec §4: a uts vns owned by U and created by C is charged to (U, C) and then to (U.parent, U.owner), up
 * to init; the user vns U itself to (init, C). Released synchronously when the last member exits.
 */
TEST(ucounts_charged_at_every_level)
{
	struct vns_ucounts base, mid, inner, after;
	struct peer p;
	uint64_t u;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_ucounts(fd, 0, geteuid(), &base));
	ASSERT_EQ(0, peer_start(&p, peer_charge, &fd));
	ASSERT_EQ(0, read_full(p.rd, &u, sizeof(u)));

	ASSERT_EQ(0, vns_get_ucounts(fd, 0, geteuid(), &mid));
	EXPECT_EQ(base.count[VNS_KIND_USER] + 1, mid.count[VNS_KIND_USER]);
	EXPECT_EQ(base.count[VNS_KIND_UTS] + 1, mid.count[VNS_KIND_UTS]);
	EXPECT_EQ(base.count[VNS_KIND_IPC], mid.count[VNS_KIND_IPC]);
	/* (U, creator) as seen from init: the same kuid. */
	ASSERT_EQ(0, vns_get_ucounts(fd, u, geteuid(), &inner));
	EXPECT_EQ(1, inner.count[VNS_KIND_UTS]);
	EXPECT_EQ(0, inner.count[VNS_KIND_USER]);
	EXPECT_EQ(INT_MAX, inner.max[VNS_KIND_UTS]);

	EXPECT_EQ(0, peer_finish(&p));
	ASSERT_EQ(0, vns_get_ucounts(fd, 0, geteuid(), &after));
	for (int k = 0; k < VNS_NR_KINDS; k++) {
		EXPECT_EQ(base.count[k], after.count[k]) TH_LOG("kind %s", vns_kind_name[k]);
	}
	EXPECT_EQ(-ENOENT, vns_get_ucounts(fd, u, geteuid(), &after));
	close(fd);
}

struct ucounts_scope {
	int fd;
	uint64_t init_user, sibling_user;
};

static int child_ucounts_scope(void *arg)
{
	struct ucounts_scope *s = arg;
	struct vns_ucounts uc;
	uint64_t own;

	C_EQ(0, vns_unshare_map_root(s->fd, 0));
	own = ns_id_of(s->fd, VNS_KIND_USER);
	C_EQ(0, vns_get_ucounts(s->fd, own, 0, &uc));
	C_EQ(-EPERM, vns_get_ucounts(s->fd, s->sibling_user, 0, &uc));
	C_EQ(-EPERM, vns_get_ucounts(s->fd, s->init_user, 0, &uc));
	return 0;
}

/* spec §8: GET_UCOUNTS outside the caller's user vns subtree: EPERM (a sibling, or init from inside). */
TEST(ucounts_outside_subtree_eperm)
{
	struct ucounts_scope s;
	struct owned_ids sib;
	struct vns_ucounts uc;
	struct peer p;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, peer_start(&p, peer_sibling, &fd));
	ASSERT_EQ(0, read_full(p.rd, &sib, sizeof(sib)));
	s.fd = fd;
	s.init_user = ns_id_of(fd, VNS_KIND_USER);
	s.sibling_user = sib.user;
	EXPECT_EQ(0, vns_in_child(child_ucounts_scope, &s));
	/* From init, the sibling is a descendant: visible. */
	EXPECT_EQ(0, vns_get_ucounts(fd, sib.user, geteuid(), &uc));
	EXPECT_EQ(1, uc.count[VNS_KIND_UTS]);
	EXPECT_EQ(0, vns_get_ucounts(fd, s.init_user, geteuid(), &uc));
	EXPECT_EQ(0, peer_finish(&p));
	close(fd);
}

/* spec §8: unknown id: ENOENT; reserved != 0: EINVAL. */
TEST(ucounts_unknown_enoent_reserved_einval)
{
	struct vns_ucounts uc;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOENT, vns_get_ucounts(fd, NO_SUCH_ID, getuid(), &uc));
	memset(&uc, 0, sizeof(uc));
	uc.uid = getuid();
	uc.reserved = 1;
	EXPECT_EQ(-EINVAL, vns_ioctl(fd, VNS_IOC_GET_UCOUNTS, &uc));
	uc.reserved = 0;
	EXPECT_EQ(0, vns_ioctl(fd, VNS_IOC_GET_UCOUNTS, &uc));
	close(fd);
}

/* ======================================================================================================
 * ABI v1 size rules (spec §8)
 */

#define VNS_CMD(dir, nr, size) _IOC(dir, VNS_IOC_MAGIC, nr, size)

static const struct {
	unsigned int nr, dir;
	size_t size;
} abi_cmds[] = {
	{ 1, _IOC_READ | _IOC_WRITE, sizeof(struct vns_unshare) },
	{ 2, _IOC_READ, sizeof(struct vns_info) },
	{ 3, _IOC_WRITE, sizeof(struct vns_setns) },
	{ 4, _IOC_READ, sizeof(struct vns_uts) },
	{ 5, _IOC_WRITE, sizeof(struct vns_uts_name) },
	{ 6, _IOC_WRITE, sizeof(struct vns_id_map) },
	{ 7, _IOC_READ | _IOC_WRITE, sizeof(struct vns_mount) },
	{ 8, _IOC_WRITE, sizeof(struct vns_umount) },
	{ 9, _IOC_READ | _IOC_WRITE, sizeof(struct vns_list) },
	{ 10, _IOC_READ | _IOC_WRITE, sizeof(struct vns_list) },
	{ 11, _IOC_READ | _IOC_WRITE, sizeof(struct vns_ucounts) },
};

/* spec §8: the command table above encodes the header's v1 commands (type 0xB9, number, v1 size). */
TEST(abi_command_table)
{
	EXPECT_EQ(VNS_IOC_UNSHARE, VNS_CMD(abi_cmds[0].dir, 1, abi_cmds[0].size));
	EXPECT_EQ(VNS_IOC_GET_INFO, VNS_CMD(abi_cmds[1].dir, 2, abi_cmds[1].size));
	EXPECT_EQ(VNS_IOC_GET_UCOUNTS, VNS_CMD(abi_cmds[10].dir, 11, abi_cmds[10].size));
}

/* spec §8: a struct smaller than v1 (by _IOC_SIZE): EINVAL, for every command; nothing changes. */
TEST(abi_smaller_than_v1_einval)
{
	uint64_t buf[64];
	struct vns_info before, after;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &before));
	for (unsigned int i = 0; i < sizeof(abi_cmds) / sizeof(abi_cmds[0]); i++) {
		size_t sizes[] = { abi_cmds[i].size - 1, abi_cmds[i].size - 8, 0 };

		for (unsigned int s = 0; s < 3; s++) {
			memset(buf, 0, sizeof(buf));
			/* A plausible request: UNSHARE of a new user vns. */
			buf[0] = abi_cmds[i].nr == 1 ? CLONE_NEWUSER : 0;
			EXPECT_EQ(-EINVAL, vns_ioctl(fd, VNS_CMD(abi_cmds[i].dir, abi_cmds[i].nr, sizes[s]), buf))
				TH_LOG("nr %u size %zu", abi_cmds[i].nr, sizes[s]);
		}
	}
	ASSERT_EQ(0, vns_get_info(fd, &after));
	for (int k = 0; k < VNS_NR_KINDS; k++)
		EXPECT_EQ(before.ns_id[k], after.ns_id[k]);
	close(fd);
}

struct big_unshare {
	struct vns_unshare u;
	uint8_t tail[24];
};

struct big_info {
	struct vns_info i;
	uint8_t tail[40];
};

/* spec §8: larger than v1 with a zero tail works; the result is written as copy_struct_to_user. */
TEST(abi_larger_zero_tail_works)
{
	struct big_unshare bu;
	struct big_info bi;
	struct vns_info plain;
	struct {
		struct vns_list l;
		uint64_t tail[2];
	} bl;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	memset(&bu, 0, sizeof(bu));
	bu.u.flags = CLONE_NEWUSER | CLONE_NEWUTS;
	ASSERT_EQ(0, vns_ioctl(fd, VNS_CMD(_IOC_READ | _IOC_WRITE, 1, sizeof(bu)), &bu));
	EXPECT_EQ(CLONE_NEWUSER | CLONE_NEWUTS | CLONE_THREAD | CLONE_FS, bu.u.applied);
	for (unsigned int i = 0; i < sizeof(bu.tail); i++)
		EXPECT_EQ(0, bu.tail[i]);

	/* GET_INFO into a larger buffer: v1 then zeroes, whatever the tail held. */
	memset(&bi, 0xff, sizeof(bi));
	ASSERT_EQ(0, vns_ioctl(fd, VNS_CMD(_IOC_READ, 2, sizeof(bi)), &bi));
	ASSERT_EQ(0, vns_get_info(fd, &plain));
	EXPECT_EQ(0, memcmp(&plain, &bi.i, sizeof(plain)));
	for (unsigned int i = 0; i < sizeof(bi.tail); i++) {
		EXPECT_EQ(0, bi.tail[i]) TH_LOG("tail byte %u", i);
	}
	EXPECT_EQ(1, bi.i.user_level);

	memset(&bl, 0, sizeof(bl));
	ASSERT_EQ(0, vns_ioctl(fd, VNS_CMD(_IOC_READ | _IOC_WRITE, 10, sizeof(bl)), &bl));
	EXPECT_EQ(1, bl.l.nr); /* the uts vns this user vns owns */
	EXPECT_EQ(0, bl.tail[0]);
	EXPECT_EQ(0, bl.tail[1]);
	close(fd);
}

/* spec §8: larger than v1 with a non-zero tail: E2BIG, and nothing changed. */
TEST(abi_larger_nonzero_tail_e2big)
{
	struct big_unshare bu;
	struct vns_info before, after;
	struct vns_ucounts uc0, uc1;
	struct {
		struct vns_uts_name n;
		uint8_t tail[8];
	} bn;
	struct vns_uts uts;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &before));
	ASSERT_EQ(0, vns_get_ucounts(fd, 0, before.uid, &uc0));
	for (unsigned int pos = 0; pos < sizeof(bu.tail); pos += 7) {
		memset(&bu, 0, sizeof(bu));
		bu.u.flags = CLONE_NEWUSER | CLONE_NEWUTS;
		bu.tail[pos] = 1;
		EXPECT_EQ(-E2BIG, vns_ioctl(fd, VNS_CMD(_IOC_READ | _IOC_WRITE, 1, sizeof(bu)), &bu))
			TH_LOG("tail byte %u", pos);
	}
	ASSERT_EQ(0, vns_get_info(fd, &after));
	for (int k = 0; k < VNS_NR_KINDS; k++) {
		EXPECT_EQ(before.ns_id[k], after.ns_id[k]) TH_LOG("kind %s", vns_kind_name[k]);
	}
	ASSERT_EQ(0, vns_get_ucounts(fd, 0, before.uid, &uc1));
	EXPECT_EQ(uc0.count[VNS_KIND_USER], uc1.count[VNS_KIND_USER]);
	EXPECT_EQ(uc0.count[VNS_KIND_UTS], uc1.count[VNS_KIND_UTS]);

	/* A write command too: SET_UTS where it would be allowed. */
	ASSERT_EQ(0, vns_unshare_map_root(fd, CLONE_NEWUTS));
	ASSERT_EQ(0, vns_set_uts(fd, VNS_UTS_NODENAME, "kept"));
	memset(&bn, 0, sizeof(bn));
	bn.n.which = VNS_UTS_NODENAME;
	bn.n.len = 3;
	memcpy(bn.n.name, "new", 3);
	bn.tail[7] = 0x80;
	EXPECT_EQ(-E2BIG, vns_ioctl(fd, VNS_CMD(_IOC_WRITE, 5, sizeof(bn)), &bn));
	ASSERT_EQ(0, vns_get_uts(fd, &uts));
	EXPECT_STREQ("kept", uts.nodename);
	bn.tail[7] = 0;
	EXPECT_EQ(0, vns_ioctl(fd, VNS_CMD(_IOC_WRITE, 5, sizeof(bn)), &bn));
	ASSERT_EQ(0, vns_get_uts(fd, &uts));
	EXPECT_STREQ("new", uts.nodename);
	close(fd);
}

/* spec §8: a bad user pointer: EFAULT (the argument itself, a list buffer, an extent array). */
TEST(abi_bad_pointer_efault)
{
	struct vns_info before, after;
	struct vns_id_map m = { 0 };
	struct vns_list l = { 0 };
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &before));
	EXPECT_EQ(-EFAULT, vns_ioctl(fd, VNS_IOC_GET_INFO, (void *)1));
	EXPECT_EQ(-EFAULT, vns_ioctl(fd, VNS_IOC_UNSHARE, (void *)1));
	EXPECT_EQ(-EFAULT, vns_ioctl(fd, VNS_IOC_GET_UTS, (void *)1));
	EXPECT_EQ(-EFAULT, vns_ioctl(fd, VNS_IOC_LIST_NS, (void *)1));
	l.buf = 1;
	l.cap = 100;
	EXPECT_EQ(-EFAULT, vns_ioctl(fd, VNS_IOC_LIST_NS, &l));
	EXPECT_EQ(-EFAULT, vns_ioctl(fd, VNS_IOC_LIST_MOUNTS, &l));
	ASSERT_EQ(0, vns_get_info(fd, &after));
	for (int k = 0; k < VNS_NR_KINDS; k++)
		EXPECT_EQ(before.ns_id[k], after.ns_id[k]);

	ASSERT_EQ(0, vns_unshare(fd, CLONE_NEWUSER, NULL));
	m.user_ns_id = ns_id_of(fd, VNS_KIND_USER);
	m.which = VNS_MAP_UID;
	m.nr_extents = 1;
	m.extents = 1;
	EXPECT_EQ(-EFAULT, vns_ioctl(fd, VNS_IOC_SET_ID_MAP, &m));
	/* The map was not written: a good one still can be. */
	EXPECT_EQ(0, vns_set_map1(fd, m.user_ns_id, VNS_MAP_UID, 0, before.uid, 1));
	close(fd);
}

/* ======================================================================================================
 * Sysctls per caller (spec §7)
 */

static int peer_sysctl_inside(void *arg, int out, int in)
{
	long v = 0;
	int fd = *(int *)arg;
	char c = 'k';

	C_EQ(0, vns_unshare_map_root(fd, 0));
	C_EQ(0, vns_read_limit(VNS_KIND_UTS, &v));
	C_EQ(INT_MAX, v);
	C_EQ(0, vns_write_limit(VNS_KIND_UTS, 5));
	C_EQ(0, vns_read_limit(VNS_KIND_UTS, &v));
	C_EQ(5, v);
	C_EQ(0, write_full(out, &c, 1));
	peer_wait(in);
	/* Still 5 here, whatever the parent read. */
	C_EQ(0, vns_read_limit(VNS_KIND_UTS, &v));
	C_EQ(5, v);
	return 0;
}

/* spec §7/§4: each max_* shows and sets the limit of the caller's user vns (INT_MAX in a new one). */
TEST(sysctl_per_caller_user_vns)
{
	long outside = -1, now = -1;
	struct peer p;
	char c;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_read_limit(VNS_KIND_UTS, &outside));
	ASSERT_EQ(0, peer_start(&p, peer_sysctl_inside, &fd));
	ASSERT_EQ(0, read_full(p.rd, &c, 1));
	ASSERT_EQ(0, vns_read_limit(VNS_KIND_UTS, &now));
	EXPECT_EQ(outside, now);
	EXPECT_EQ(0, peer_finish(&p));
	ASSERT_EQ(0, vns_read_limit(VNS_KIND_UTS, &now));
	EXPECT_EQ(outside, now);
	close(fd);
}

/* spec §7/§2: without CAP_SYS_RESOURCE in its user vns (caps dropped at exec), writing: EACCES. */
TEST(sysctl_write_without_caps_eacces)
{
	struct helper_report post;
	struct vns_info pre;

	ASSERT_EQ(0, run_exec_helper("sysctl", false, &pre, &post));
	ASSERT_EQ(0, post.info_ret);
	EXPECT_EQ(0, post.info.flags & VNS_INFO_FULL_CAPS);
	ASSERT_EQ(0, post.read1_ret);
	EXPECT_EQ(INT_MAX, post.read1);
	EXPECT_EQ(-EACCES, post.write_ret);
	ASSERT_EQ(0, post.read2_ret);
	EXPECT_EQ(INT_MAX, post.read2);

	/* With root mapped, the exec keeps the caps: the write works. */
	ASSERT_EQ(0, run_exec_helper("sysctl", true, &pre, &post));
	EXPECT_EQ(0, post.write_ret);
	EXPECT_EQ(7, post.read2);
}

/* spec §7: values 0..INT_MAX, else EINVAL; the value is kept. */
TEST(sysctl_out_of_range_einval)
{
	static const char *const bad[] = { "-1", "2147483648", "-2147483648", "abc" };
	long v = 0;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, 0));
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, vns_write_str(VNS_SYSCTL_DIR "max_uts_namespaces", bad[i])) TH_LOG("%s", bad[i]);
		ASSERT_EQ(0, vns_read_limit(VNS_KIND_UTS, &v));
		EXPECT_EQ(INT_MAX, v);
	}
	EXPECT_EQ(0, vns_write_str(VNS_SYSCTL_DIR "max_uts_namespaces", "0"));
	ASSERT_EQ(0, vns_read_limit(VNS_KIND_UTS, &v));
	EXPECT_EQ(0, v);
	close(fd);
}

TEST_HARNESS_MAIN
