/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for tests that do part of their work in other tasks: checks that a forked child makes (C_*),
 * pipes, and "peers": forked children that report through a pipe and finish when told to (they die with
 * the test, PR_SET_PDEATHSIG).
 */
#ifndef VNS_PEER_H
#define VNS_PEER_H

#include <signal.h>
#include <sys/prctl.h>

#include "vns_test.h"

/* ---- checks inside forked children: print where and why, return 1 (the child's exit status) ---- */

/* Who the failure line names; a file may define its own before including this header. */
#ifndef C_WHO
#define C_WHO "child"
#endif

#define C_FAIL(fmt, ...)                                                                               \
	do {                                                                                           \
		fprintf(stderr, "#  " C_WHO " %s:%d: " fmt "\n", __func__, __LINE__, ##__VA_ARGS__); \
		return 1;                                                                              \
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

static inline int read_full(int fd, void *buf, size_t len)
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

static inline int write_full(int fd, const void *buf, size_t len)
{
	return write(fd, buf, len) == (ssize_t)len ? 0 : -1;
}

/* A peer's side: wait for the test to say go (one byte), or for its end of the pipe to close. */
static inline void peer_wait(int in)
{
	char c;

	(void)read_full(in, &c, 1);
}

/* Tell the other side to go on. */
static inline void peer_go(int out)
{
	(void)write_full(out, "g", 1);
}

struct peer {
	pid_t pid;
	int rd; /* what the peer reports */
	int wr; /* to the peer */
};

typedef int (*peer_fn)(void *arg, int out, int in);

static inline int peer_start(struct peer *p, peer_fn fn, void *arg)
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
static inline int peer_finish(struct peer *p)
{
	int status;

	peer_go(p->wr);
	close(p->wr);
	close(p->rd);
	if (waitpid(p->pid, &status, 0) != p->pid || !WIFEXITED(status))
		return 255;
	return WEXITSTATUS(status);
}

/* What a child checks its own GET_INFO (through fd) against. */
struct expect_info {
	int fd;
	struct vns_info want;
};

/* ---- a sibling: a user vns (root mapped) with a uts vns in it, alive until told ---- */

struct owned_ids {
	uint64_t user, uts;
};

struct sibling_spec {
	int fd;			/* /dev/vns */
	int drop;		/* first drop to the unprivileged test identity */
	const char *nodename;	/* set in the new uts vns, or NULL */
};

/* The peer of sibling_start(): reports the ids of what it made (a struct owned_ids), then waits. */
static inline int peer_sibling(void *arg, int out, int in)
{
	const struct sibling_spec *s = arg;
	struct owned_ids ids;

	if (s->drop && vns_drop_privileges())
		return 2;
	if (vns_unshare_map_root(s->fd, CLONE_NEWUTS) ||
	    (s->nodename && vns_set_uts(s->fd, VNS_UTS_NODENAME, s->nodename)))
		return 3;
	ids.user = vns_ns_id(s->fd, VNS_KIND_USER);
	ids.uts = vns_ns_id(s->fd, VNS_KIND_UTS);
	if (write_full(out, &ids, sizeof(ids)))
		return 4;
	peer_wait(in);
	return 0;
}

/*
 * Starts a sibling peer (as the unprivileged test identity if `drop`, naming its uts vns `nodename` if
 * not NULL) and reads the ids of its user and uts vns. Returns 0 or -1; finish it with peer_finish().
 */
static inline int sibling_start(struct peer *p, int fd, int drop, const char *nodename, struct owned_ids *ids)
{
	struct sibling_spec s = { .fd = fd, .drop = drop, .nodename = nodename };

	if (peer_start(p, peer_sibling, &s))
		return -1;
	return read_full(p->rd, ids, sizeof(*ids));
}

/* ---- a check run without capabilities over the init namespaces ---- */

struct vns_check {
	int fd;
	int (*fn)(void *arg); /* gets &fd */
};

static inline int vns_check_in_own_user_vns(void *arg)
{
	struct vns_check *c = arg;

	/* Full caps in a new user vns, but the init namespaces are owned by init. */
	C_EQ(0, vns_unshare_map_root(c->fd, 0));
	return c->fn(&c->fd);
}

/*
 * Opens /dev/vns and runs check(&fd) in two children that have no capability over the init namespaces:
 * the unprivileged test identity, and root in a user vns of its own. Returns 0 when both returned 0,
 * else the first failure's exit status (each child prints its own failure), or 255 when the open failed.
 */
static inline int vns_check_without_init_caps(int (*check)(void *arg))
{
	struct vns_check c = { .fd = vns_open(), .fn = check };
	int unpriv, own;

	if (c.fd < 0)
		return 255;
	unpriv = vns_run_unprivileged(check, &c.fd);
	own = vns_in_child(vns_check_in_own_user_vns, &c);
	close(c.fd);
	return unpriv ? unpriv : own;
}

#endif /* VNS_PEER_H */
