/* SPDX-License-Identifier: GPL-2.0 */
/* libdmabufstat: the tracking pins, shared by track.c and track_join.c. */
#ifndef __DMABUFSTAT_TRACK_H
#define __DMABUFSTAT_TRACK_H

#include <linux/types.h>

#include "internal.h"
#include "dmabuf_track.h"

/*
 * The tracking pins of dir, checked (magic, version): 0 with *info and
 * the buffers map's fd (and the counters' if stats_fd); else the
 * context's error, -ENOENT (DMABUFSTAT_E_NO_SOURCE) when not tracking.
 */
int track_open(struct dmabufstat *ds, const char *dir,
	       struct dmabuf_track_info *info, int *bufs_fd, int *stats_fd);

struct dmabufstat_snapshot;

/* CLOCK_BOOTTIME in ns: the clock of the entries' times. */
uint64_t track_boottime_ns(void);

/*
 * The snapshot stage (track_join.c): the entries of the context's track
 * dir joined to s's buffers. 0 also when not tracking; -ENOMEM.
 * walk_start_boot_ns: when the sources started collecting.
 */
int track_join(struct dmabufstat *ds, struct dmabufstat_snapshot *s,
	       uint64_t walk_start_boot_ns);

#endif /* __DMABUFSTAT_TRACK_H */
