// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile users II (Documentation/vns.rst "Threat model"): calls that fail must change nothing, and what
 * the kernel does on a caller's behalf must not widen what vns lets it do.
 *
 *  - MOUNT and UNSHARE with a read-only argument fail with EFAULT and change nothing;
 *  - GET_INFO's full-caps bit is capable()'s answer, not cap_effective's;
 *  - a transient mmget() of the caller's mm (a /proc reader) is not a shared address space (root only);
 *  - an io-wq worker of a member acts for the member's user vns (its sysctl reads and writes);
 *  - a limit file opened by a uid that owns nothing in the writer's user vns does not write (root only).
 *
 * Every test runs as root and as uid 1000 (the runner runs the binary twice); those that need root to set
 * up skip as uid 1000.
 */
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vns_test.h"

/* ---- a failed call changes nothing, EFAULT included ---- */

/* A page holding a copy of `arg`, then made read-only. */
static void *read_only_copy(const void *arg, size_t len)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memcpy(p, arg, len);
	if (mprotect(p, 4096, PROT_READ))
		return NULL;
	return p;
}

/* Before the fix the mount was added and its id lost. */
TEST(mount_efault_adds_nothing)
{
	struct vns_mount m = { 0 }, *ro;
	struct vns_mount *before = NULL, *after = NULL;
	uint64_t root, id1, id2;
	uint32_t copied = 0;
	long n0, n1;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	root = vns_new_mount_vns(fd);
	ASSERT_NE(0, root);
	/* The copy holds the caller's table: a root, and what earlier tests left in the init one. */
	ASSERT_EQ(0, vns_list_mounts(fd, NULL, 0, &copied));
	ASSERT_EQ(0, vns_add_mount(fd, root, 0, "tmpfs", "/mnt", &id1));
	n0 = vns_all_mounts(fd, &before);
	ASSERT_EQ(copied + 1, n0);
	m.parent_id = id1;
	strcpy(m.target, "/ro");
	ro = read_only_copy(&m, sizeof(m));
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(-EFAULT, vns_ioctl(fd, VNS_IOC_MOUNT, ro));
	n1 = vns_all_mounts(fd, &after);
	ASSERT_EQ(n0, n1);
	EXPECT_EQ(0, memcmp(before, after, n0 * sizeof(*before)));
	/* The parent has no child: it unmounts. */
	ASSERT_EQ(0, vns_add_mount(fd, root, 0, "tmpfs", "/mnt", &id2));
	EXPECT_EQ(0, vns_del_mount(fd, id1, 0));
	free(before);
	free(after);
	close(fd);
}

/* Before the fix the caller was moved into the new namespaces and they stayed charged. */
TEST(unshare_efault_changes_nothing)
{
	struct vns_unshare u = { .flags = CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWPID }, *ro;
	struct vns_info before, after;
	struct vns_ucounts uc0, uc1;
	struct vns_ns_entry *e0 = NULL, *e1 = NULL;
	uint32_t nr0 = 0, nr1 = 0;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, 0));
	ASSERT_EQ(0, vns_get_info(fd, &before));
	ASSERT_EQ(0, vns_get_ucounts(fd, 0, 0, &uc0));
	ASSERT_LE(0, vns_list_ns(fd, &e0, &nr0));
	ro = read_only_copy(&u, sizeof(u));
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(-EFAULT, vns_ioctl(fd, VNS_IOC_UNSHARE, ro));
	ASSERT_EQ(0, vns_get_info(fd, &after));
	EXPECT_EQ(0, memcmp(before.ns_id, after.ns_id, sizeof(before.ns_id)));
	EXPECT_EQ(before.pid_for_children_id, after.pid_for_children_id);
	ASSERT_EQ(0, vns_get_ucounts(fd, 0, 0, &uc1));
	EXPECT_EQ(0, memcmp(uc0.count, uc1.count, sizeof(uc0.count)));
	ASSERT_LE(0, vns_list_ns(fd, &e1, &nr1));
	ASSERT_EQ(nr0, nr1);
	for (uint32_t i = 0; i < nr0; i++)
		EXPECT_EQ(e0[i].id, e1[i].id);
	/* The same call from a writable struct works. */
	EXPECT_EQ(0, vns_ioctl(fd, VNS_IOC_UNSHARE, &u));
	free(e0);
	free(e1);
	close(fd);
}

/* ---- GET_INFO's full-caps bit ---- */

static int caps_after_real_userns(void *arg)
{
	struct vns_info info;
	int fd = vns_open();

	if (fd < 0)
		return 2;
	/* The kernel's own user namespace: a full cap_effective there, nothing in the init one. */
	if (unshare(CLONE_NEWUSER))
		return 3;
	if (vns_get_info(fd, &info))
		return 4;
	return info.flags & VNS_INFO_FULL_CAPS ? 1 : 0;
}

/* Before the fix GET_INFO read cap_effective and reported full caps here. */
TEST(full_caps_bit_is_capable)
{
	struct vns_info info;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_get_info(fd, &info));
	EXPECT_EQ(getuid() == 0, !!(info.flags & VNS_INFO_FULL_CAPS));
	EXPECT_EQ(0, vns_in_child(caps_after_real_userns, NULL));
	EXPECT_EQ(0, vns_in_child_as(VNS_TEST_UID, caps_after_real_userns, NULL));
	/* In a user vns of its own, the creator has the full set. */
	ASSERT_EQ(0, vns_unshare_map_root(fd, 0));
	ASSERT_EQ(0, vns_get_info(fd, &info));
	EXPECT_TRUE(info.flags & VNS_INFO_FULL_CAPS);
	close(fd);
}

/* ---- CLONE_VM: a transient mmget() is not a shared mm ---- */

struct mem_reader {
	int memfd;
	void *buf;
	uint64_t addr;
	ssize_t ret;
};

static void *read_target_mem(void *p)
{
	struct mem_reader *m = p;

	/* Blocks in copy_to_user() on the userfaultfd page, holding mmget() of the target's mm. */
	m->ret = pread(m->memfd, m->buf, 64, m->addr);
	return NULL;
}

/*
 * The target is single-threaded; a reader of its /proc/PID/mem is stalled (userfaultfd) inside the
 * copy, holding an mmget() of its mm. unshare(CLONE_VM) succeeds in the kernel
 * (current_is_single_threaded() walks the tasks); before the fix vns said EINVAL from mm_users alone.
 */
TEST(clone_vm_ignores_transient_mmget)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	struct mem_reader m = { 0 };
	struct uffd_msg msg;
	struct pollfd pfd;
	int go[2], res[2], results[2] = { 99, 99 };
	char path[64];
	pthread_t t;
	pid_t pid;
	int uffd;

	if (getuid() != 0)
		SKIP(return, "a kernel-mode userfaultfd fault needs CAP_SYS_PTRACE");
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC);
	if (uffd < 0)
		SKIP(return, "no userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(res));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = vns_open();
		char c;

		if (fd < 0 || read(go[0], &c, 1) != 1)
			_exit(1);
		results[0] = -vns_unshare(fd, CLONE_VM, NULL);
		results[1] = unshare(CLONE_VM) ? errno : 0;
		if (write(res[1], results, sizeof(results)) != sizeof(results))
			_exit(1);
		_exit(0);
	}
	m.buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, m.buf);
	reg.range.start = (uintptr_t)m.buf;
	reg.range.len = 4096;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	m.memfd = open(path, O_RDONLY);
	ASSERT_LE(0, m.memfd);
	/* Any readable address of the target: its copy of this test's text. */
	m.addr = (uintptr_t)&read_target_mem;
	ASSERT_EQ(0, pthread_create(&t, NULL, read_target_mem, &m));
	pfd.fd = uffd;
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, 10000));
	ASSERT_EQ(sizeof(msg), read(uffd, &msg, sizeof(msg)));
	ASSERT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);

	/* The reader now holds the target's mm. */
	ASSERT_EQ(1, write(go[1], "x", 1));
	ASSERT_EQ(sizeof(results), read(res[0], results, sizeof(results)));
	EXPECT_EQ(0, results[1]) TH_LOG("the kernel's unshare(CLONE_VM): %s", strerror(results[1]));
	EXPECT_EQ(results[1], results[0]) TH_LOG("vns: %s", strerror(results[0]));

	struct uffdio_zeropage zp = { .range = { .start = (uintptr_t)m.buf, .len = 4096 } };

	ASSERT_EQ(0, ioctl(uffd, UFFDIO_ZEROPAGE, &zp));
	pthread_join(t, NULL);
	EXPECT_EQ(64, m.ret);
	waitpid(pid, NULL, 0);
	close(m.memfd);
	close(uffd);
}

/* ---- kernel-made workers of a member are members ---- */

/* A minimal io_uring (no liburing): one SQE at a time, waited for. */
struct ring {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int ring_init(struct ring *r)
{
	struct io_uring_params p = { 0 };
	size_t sq_len, cq_len;
	char *sq, *cq;

	r->fd = syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return -errno;
	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		sq_len = cq_len = sq_len > cq_len ? sq_len : cq_len;
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	if (sq == MAP_FAILED)
		return -errno;
	cq = sq;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP)) {
		cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
			  IORING_OFF_CQ_RING);
		if (cq == MAP_FAILED)
			return -errno;
	}
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		return -errno;
	r->sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)(sq + p.sq_off.array);
	r->cq_head = (unsigned int *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

/* Reads or writes `len` bytes at offset 0 of `fd` with IOSQE_ASYNC (so io-wq runs it); the CQE's res. */
static int ring_rw_async(struct ring *r, int op, int fd, void *buf, unsigned int len)
{
	unsigned int tail = *r->sq_tail, idx = tail & *r->sq_mask, head;
	struct io_uring_sqe *sqe = &r->sqes[idx];
	int res;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = op;
	sqe->fd = fd;
	sqe->addr = (uintptr_t)buf;
	sqe->len = len;
	sqe->off = 0;
	sqe->flags = IOSQE_ASYNC;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -errno;
	head = *r->cq_head;
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

/*
 * A sysctl read and write that io_uring hands to an io-wq worker (IOSQE_ASYNC), from inside a user vns:
 * the worker is a member of the caller's user vns, so both see and set that vns's limit. Before the fix
 * the worker had no entry (create_io_thread() fires no sched_process_fork) and acted as an init-vns
 * caller: it read the init limit, and its write was refused (uid 1000) or changed the init limit (root).
 */
TEST(io_wq_worker_is_a_member)
{
	char buf[32] = { 0 };
	struct ring r;
	long val = 0;
	int sfd, ret;
	int fd = vns_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, 0));
	ASSERT_EQ(0, vns_write_limit(VNS_KIND_UTS, 7));
	/* The ring is made inside the vns; its workers are created on demand by this task. */
	ret = ring_init(&r);
	if (ret == -ENOSYS || ret == -EPERM)
		SKIP(return, "no io_uring: %s", strerror(-ret));
	ASSERT_EQ(0, ret);
	sfd = open(VNS_SYSCTL_DIR "max_uts_namespaces", O_RDWR);
	ASSERT_LE(0, sfd);
	ret = ring_rw_async(&r, IORING_OP_READ, sfd, buf, sizeof(buf) - 1);
	ASSERT_LT(0, ret) TH_LOG("async read: %s", strerror(-ret));
	EXPECT_EQ(7, strtol(buf, NULL, 10)) TH_LOG("the worker read \"%s\"", buf);
	strcpy(buf, "6\n");
	ret = ring_rw_async(&r, IORING_OP_WRITE, sfd, buf, 2);
	EXPECT_EQ(2, ret) TH_LOG("async write: %s", ret < 0 ? strerror(-ret) : "short");
	ASSERT_EQ(0, vns_read_limit(VNS_KIND_UTS, &val));
	EXPECT_EQ(6, val);
	close(sfd);
	close(r.fd);
	close(fd);
}

/* ---- no deputy for the limits inside a user vns ---- */

/*
 * Root opens a limit file with euid 1001, then becomes uid 1000 for good and makes a user vns of its own
 * (owned by 1000, full vns caps there). Its writes through its own file and through a file uid 1000
 * opened set the vns's limit; a write through the file uid 1001 opened (1001 owns nothing here and could
 * not have written) fails with EACCES and changes nothing. Before the fix the write went through.
 */
TEST(limit_write_through_strangers_file_eacces)
{
	const char *path = VNS_SYSCTL_DIR "max_ipc_namespaces";
	int dep, own_before, own, fd;
	long val = 0;

	if (getuid() != 0)
		SKIP(return, "needs root (to open a file as another uid)");
	ASSERT_EQ(0, setresuid(-1, VNS_TEST_UID + 1, -1));
	dep = open(path, O_WRONLY);
	ASSERT_EQ(0, setresuid(-1, 0, -1));
	ASSERT_LE(0, dep);
	ASSERT_EQ(0, vns_drop_privileges());
	own_before = open(path, O_WRONLY);
	ASSERT_LE(0, own_before);
	fd = vns_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vns_unshare_map_root(fd, 0));
	own = open(path, O_WRONLY);
	ASSERT_LE(0, own);
	ASSERT_EQ(2, write(own, "9\n", 2));
	ASSERT_EQ(0, vns_read_int(path, &val));
	EXPECT_EQ(9, val);
	EXPECT_EQ(-1, write(dep, "3\n", 2));
	EXPECT_EQ(EACCES, errno);
	ASSERT_EQ(0, vns_read_int(path, &val));
	EXPECT_EQ(9, val);
	/* uid 1000 owns this user vns: a file it opened outside still writes (it could have). */
	EXPECT_EQ(2, pwrite(own_before, "4\n", 2, 0));
	ASSERT_EQ(0, vns_read_int(path, &val));
	EXPECT_EQ(4, val);
	close(own);
	close(own_before);
	close(dep);
	close(fd);
}

TEST_HARNESS_MAIN
