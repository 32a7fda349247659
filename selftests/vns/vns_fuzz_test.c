// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded in-guest fuzzer (issue 7): random command numbers, struct sizes and payloads, random flag sets,
 * from root and unprivileged; every result must be success or one of the errnos
 * Documentation/userspace-api/vns.rst documents, and the kernel log must stay clean (the runner checks it).
 * Children do the calls and exit, so what they change goes with them.
 *
 * VNS_FUZZ_CALLS sets the number of calls (default 20000; `make stress` uses 100000), VNS_FUZZ_SEED the
 * seed (default: time), printed so a failing run can be replayed.
 */
#include <sys/mman.h>
#include <time.h>

#include "kselftest_harness.h"
#include "vns_test.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static uint64_t pick(const uint64_t *v, unsigned int n)
{
	return v[rnd() % n];
}

/* A value a field of a vns struct might get: mostly plausible, sometimes anything. */
static uint64_t field_value(void)
{
	static const uint64_t interesting[] = {
		0, 1, 2, 3, 7, 8, 64, 65, 340, 341, 0xffffffff, 0x7fffffff, 0xffffffffffffffffull, 65534, 1000,
		CLONE_NEWUSER, CLONE_NEWUTS, CLONE_NEWNS, CLONE_NEWPID, CLONE_THREAD | CLONE_VM,
		CLONE_NEWUSER | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET, 0x100000,
	};

	switch (rnd() % 4) {
	case 0:
		return rnd();
	case 1:
		return rnd() % 64; /* small ids and kinds */
	default:
		return pick(interesting, sizeof(interesting) / sizeof(interesting[0]));
	}
}

/* The /dev/vns commands, 1..VNS_NR_CMDS. */
#define VNS_NR_CMDS 18

static const int allowed[] = { 0,      EINVAL, EPERM,  EACCES, ENOSPC, ENOMEM, ENOENT, EBUSY, EFAULT,
			       E2BIG, ENOTTY, ESRCH,  EBADF,  ERANGE, EUSERS, EMFILE };

static int is_allowed(int e)
{
	for (unsigned int i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (allowed[i] == e)
			return 1;
	return 0;
}

/* One random call; returns 0 if its result is documented, else the errno (and logs it). */
static int one_call(int fd, unsigned char *buf, size_t bufsz, unsigned char *aux, size_t auxsz)
{
	static const unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE };
	unsigned int nr, size, dir, type, i;
	unsigned long cmd;
	void *arg;
	int ret;

	/* Mostly vns's own numbers and sizes, sometimes not. */
	nr = rnd() % 8 ? 1 + rnd() % VNS_NR_CMDS : rnd() % 256;
	type = rnd() % 16 ? 0xB9 : rnd() % 256;
	dir = dirs[rnd() % 4];
	switch (rnd() % 4) {
	case 0:
		size = rnd() % 300;
		break;
	default: {
		/* Each command's struct size (GET_INFO: its first size or today's). */
		static const unsigned int v1[VNS_NR_CMDS + 1] = {
			0, 16, 96, 16, 136, 72, 24, 232, 16, 16, 16, 144, 56, 56, 24, 24, 96, 16, 16,
		};

		if (nr == 2 && rnd() % 2)
			size = sizeof(struct vns_info);
		else
			size = nr >= 1 && nr <= VNS_NR_CMDS ? v1[nr] + (rnd() % 4 ? 0 : rnd() % 24) : rnd() % 300;
	}
	}
	cmd = _IOC(dir, type, nr, size);

	/* The payload: a struct of u64 fields, some pointing at a valid buffer. */
	for (i = 0; i + 8 <= bufsz; i += 8) {
		uint64_t v = field_value();

		if (rnd() % 8 == 0)
			v = (uintptr_t)aux + (rnd() % 2 ? 0 : rnd() % auxsz);
		memcpy(buf + i, &v, 8);
	}
	if (rnd() % 3 == 0) {
		/* A zero tail from a random offset (the E2BIG rule's good case). */
		size_t from = 16 + rnd() % (bufsz - 16);

		memset(buf + from, 0, bufsz - from);
	}
	for (i = 0; i < auxsz; i += 8) {
		uint64_t v = field_value();

		memcpy(aux + i, &v, 8);
	}
	switch (rnd() % 16) {
	case 0:
		arg = NULL;
		break;
	case 1:
		arg = (void *)(uintptr_t)rnd();
		break;
	default:
		arg = buf;
	}
	ret = ioctl(fd, cmd, arg);
	if (ret > 0 && type == 0xB9 && nr == 18)
		close(ret); /* VNS_IOC_NS_FD returned a namespace fd */
	ret = ret < 0 ? errno : 0;
	if (!is_allowed(ret)) {
		fprintf(stderr, "# cmd %#lx arg %p: unexpected %d (%s)\n", cmd, arg, ret, strerror(ret));
		return ret;
	}
	return 0;
}

static int fuzz_child(int calls, uint64_t seed, int in_user_vns)
{
	/* Pointers in payloads point into the first 4 KiB of `aux`; LIST_* may write a whole list there. */
	const size_t aux_map = 1 << 20;
	unsigned char buf[512], *aux = mmap(NULL, aux_map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = vns_open(), i, bad = 0;

	rng_state = seed | 1;
	if (fd < 0 || aux == MAP_FAILED)
		return 100;
	if (in_user_vns && vns_unshare_map_root(fd, 0))
		return 101;
	for (i = 0; i < calls; i++)
		if (one_call(fd, buf, sizeof(buf), aux, 4096))
			bad++;
	return bad > 99 ? 99 : bad;
}

/* Every result of any ioctl on /dev/vns is success or a documented errno. */
TEST(random_ioctls_documented_errnos)
{
	int total = getenv("VNS_FUZZ_CALLS") ? atoi(getenv("VNS_FUZZ_CALLS")) : 20000;
	uint64_t seed = getenv("VNS_FUZZ_SEED") ? strtoull(getenv("VNS_FUZZ_SEED"), NULL, 0) : (uint64_t)time(NULL);
	const int per_child = 500;
	int done = 0, child = 0, status;

	TH_LOG("%d calls, seed %#llx (VNS_FUZZ_SEED to replay)", total, (unsigned long long)seed);
	while (done < total) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (pid == 0)
			_exit(fuzz_child(per_child, seed + child, child % 2));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		/* A child killed by a signal is as bad as an undocumented errno. */
		ASSERT_TRUE(WIFEXITED(status)) TH_LOG("child %d: signal %d", child, WTERMSIG(status));
		EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("child %d (seed %#llx)", child,
							 (unsigned long long)(seed + child));
		done += per_child;
		child++;
	}
}

TEST_HARNESS_MAIN
