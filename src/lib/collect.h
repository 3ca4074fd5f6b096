/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libdmabufstat: what the sources collect for one snapshot, before it is
 * aggregated (build.c): buffers and process references, as growing arrays.
 */
#ifndef __DMABUFSTAT_COLLECT_H
#define __DMABUFSTAT_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libdmabufstat.h"

/* What a reference says of its buffer (the fields of dmabufstat_buffer). */
struct ref_buf {
	uint64_t ino;
	uint64_t size;
	int64_t file_count;	/* -1: unknown */
	uint32_t flags;		/* DMABUFSTAT_BUF_* */
	char exporter[DMABUFSTAT_EXPORTER_LEN];
	char driver[DMABUFSTAT_DRIVER_LEN];
	char name[DMABUFSTAT_BUFNAME_LEN];
};

/* What a process reference says (also about its buffer). */
struct raw_ref {
	struct dmabufstat_ref ref;
	uint32_t uid;
	uint32_t euid;		/* BPF walks only; else 0 */
	uint32_t tid;		/* the thread that reported; BPF walks only */
	uint64_t cgroup_id;
	char comm[DMABUFSTAT_COMM_LEN];
	/* the buffer as the reference sees it */
	struct ref_buf desc;
	bool desc_size_known;	/* false for a procfs mapping */
};

struct collect {
	struct dmabufstat_buffer *bufs;
	size_t nr_bufs, cap_bufs;
	struct raw_ref *refs;
	size_t nr_refs, cap_refs;
	bool bufs_have_names;	/* the buffer source knows names */
	bool bufs_have_attach;	/* ... attachments and file counts */
	unsigned int flags;	/* DMABUFSTAT_SNAP_* */
};

/* Room for that many more entries, exactly (no doubling): 0 or -ENOMEM. */
int collect_reserve(struct collect *c, size_t bufs, size_t refs);
/* A new zeroed entry (counts unknown: -1), or NULL when out of memory. */
struct dmabufstat_buffer *collect_add_buf(struct collect *c);
struct raw_ref *collect_add_ref(struct collect *c);
void collect_free(struct collect *c);

/* Makes *arr hold need elements of elem bytes (doubling); 0 or -ENOMEM. */
int grow(void **arr, size_t *cap, size_t need, size_t elem);

#endif /* __DMABUFSTAT_COLLECT_H */
