/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers of the time selftests: the clock-offset and clock-read ioctls, and the kernel's clocks. */
#ifndef VNS_TIME_H
#define VNS_TIME_H

#include <time.h>

#include "vns_peer.h"

#define KTIME_SEC_MAX (INT64_MAX / 1000000000LL)

static inline int set_offsets(int fd, int n, const struct vns_clock_ts *lines)
{
	struct vns_time_offsets o = { .nr = n };

	memcpy(o.offsets, lines, n * sizeof(*lines));
	return vns_ioctl(fd, VNS_IOC_SET_TIME_OFFSETS, &o);
}

static inline int set_offset(int fd, int clock, int64_t sec, int64_t nsec)
{
	struct vns_clock_ts l = { .clock_id = clock, .sec = sec, .nsec = nsec };

	return set_offsets(fd, 1, &l);
}

static inline int get_offsets(int fd, int64_t *mono, int64_t *boot)
{
	struct vns_time_offsets o;
	int ret;

	memset(&o, 0xa5, sizeof(o));
	ret = vns_ioctl(fd, VNS_IOC_GET_TIME_OFFSETS, &o);
	if (ret)
		return ret;
	if (o.nr != 2 || o.offsets[0].clock_id != CLOCK_MONOTONIC || o.offsets[1].clock_id != CLOCK_BOOTTIME ||
	    o.reserved || o.offsets[0].reserved || o.offsets[1].reserved)
		return -EPROTO;
	*mono = o.offsets[0].sec;
	*boot = o.offsets[1].sec;
	return 0;
}

/* VNS_IOC_CLOCK_GETTIME, in seconds (a double is precise enough for the tolerances below). */
static inline int vns_clock(int fd, int clock, double *secs)
{
	struct vns_clock_ts c = { .clock_id = clock };
	int ret = vns_ioctl(fd, VNS_IOC_CLOCK_GETTIME, &c);

	if (!ret)
		*secs = c.sec + c.nsec / 1e9;
	if (!ret && (c.nsec < 0 || c.nsec >= 1000000000))
		return -EPROTO;
	return ret;
}

static inline double kclock(int clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif /* VNS_TIME_H */
