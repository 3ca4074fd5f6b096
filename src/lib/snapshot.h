/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libdmabufstat: what a snapshot is made of. build.c fills it from what
 * the sources collected; snapshot.c takes it and hands its parts out.
 */
#ifndef __DMABUFSTAT_SNAPSHOT_H
#define __DMABUFSTAT_SNAPSHOT_H

#include "internal.h"
#include "collect.h"

struct dmabufstat_snapshot {
	enum dmabufstat_buf_backend buf_backend;
	enum dmabufstat_proc_backend proc_backend;
	char backend_name[48];
	unsigned int flags;
	uint64_t realtime_ns, monotonic_ns;
	struct dmabufstat_system totals;

	struct dmabufstat_buffer *bufs;
	size_t nr_bufs;
	size_t *buf_hash;		/* index + 1, 0: empty */
	size_t buf_hash_mask;
	size_t *buf_holders;		/* holder indexes, grouped by buffer */
	size_t *buf_first_holder;	/* per buffer, into buf_holders */

	struct dmabufstat_process *procs;
	size_t nr_procs;
	size_t *proc_hash;
	size_t proc_hash_mask;
	size_t *proc_first_holder;	/* into holders */
	size_t *proc_first_ref;		/* into refs */

	struct dmabufstat_holder *holders;
	size_t nr_holders;
	struct dmabufstat_ref *refs;
	size_t nr_refs;

	struct dmabufstat_exporter *exporters;
	size_t nr_exporters;
	struct dmabufstat_device *devices;
	size_t nr_devices;
	struct dmabufstat_group *uids, *cgroups;
	size_t nr_uids, nr_cgroups;

	/* track_join.c: NULL/0 when tracking was off */
	struct dmabufstat_buffer_track *track;	/* per buffer */
	struct dmabufstat_track_status *track_status;
	struct dmabufstat_allocator *allocators;
	size_t nr_allocators;
};

/*
 * Aggregates c (which it empties) into s, whose backend fields and times
 * the caller has set: 0 or -ENOMEM (s then holds what was built so far,
 * for dmabufstat_snapshot_free()).
 */
int snapshot_build(struct dmabufstat_snapshot *s, struct collect *c);

/* Open-addressing hashes of indexes: the slot holds index + 1. */
static inline size_t hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return (size_t)x;
}

/* The index of the buffer with inode ino, or (size_t)-1. */
static inline size_t buf_lookup(const size_t *h, size_t mask,
				const struct dmabufstat_buffer *bufs,
				uint64_t ino)
{
	size_t i = hash64(ino) & mask;

	while (h[i]) {
		if (bufs[h[i] - 1].ino == ino)
			return h[i] - 1;
		i = (i + 1) & mask;
	}
	return (size_t)-1;
}

#endif /* __DMABUFSTAT_SNAPSHOT_H */
